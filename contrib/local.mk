# SPDX-License-Identifier: GPL-2.0-or-later
# Distribution packaging, shipped in the release tarball: contrib/debian is
# copied to debian/ by contrib/build-deb.sh; contrib/page-anon.spec (made
# by configure from page-anon.spec.in, with the version) builds an RPM from
# the tarball: rpmbuild -ta, or contrib/build-rpm.sh.
EXTRA_DIST += \
	contrib/build-deb.sh \
	contrib/build-rpm.sh \
	contrib/page-anon.spec.in \
	contrib/page-anon.spec \
	contrib/debian/changelog \
	contrib/debian/control \
	contrib/debian/copyright \
	contrib/debian/page-anon.docs \
	contrib/debian/page-anon.lintian-overrides \
	contrib/debian/rules \
	contrib/debian/source/format

# The spec's version, the live tests left out of package builds, no
# invented web addresses.
TESTS += tests/check-packaging.sh
dist_check_SCRIPTS += tests/check-packaging.sh
AM_TESTS_ENVIRONMENT += \
	PA_SPEC='$(abs_top_builddir)/contrib/page-anon.spec'; export PA_SPEC;

# systemd service and timer for node_exporter's textfile collector
# (page-anon(8) PROMETHEUS); installed, never enabled by "make install".
EXTRA_DIST += contrib/systemd/page-anon-metrics.service.in
if ENABLE_SYSTEMD_UNITS
systemdunitdir = $(systemdsystemunitdir)
nodist_systemdunit_DATA = contrib/systemd/page-anon-metrics.service
dist_systemdunit_DATA = contrib/systemd/page-anon-metrics.timer
else
EXTRA_DIST += contrib/systemd/page-anon-metrics.timer
endif
CLEANFILES += contrib/systemd/page-anon-metrics.service
contrib/systemd/page-anon-metrics.service: contrib/systemd/page-anon-metrics.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) contrib/systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@textfiledir[@]|$(TEXTFILE_DIR)|g' \
		$(srcdir)/contrib/systemd/page-anon-metrics.service.in >$@

TESTS += tests/check-units.sh
dist_check_SCRIPTS += tests/check-units.sh
