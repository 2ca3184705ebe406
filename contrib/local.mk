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
