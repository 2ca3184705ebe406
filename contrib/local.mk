# SPDX-License-Identifier: GPL-2.0-or-later
# Distribution packaging, shipped in the release tarball: contrib/debian is
# copied to debian/ by contrib/build-deb.sh; contrib/page-anon.spec builds
# an RPM from the tarball.
EXTRA_DIST += \
	contrib/build-deb.sh \
	contrib/page-anon.spec \
	contrib/debian/changelog \
	contrib/debian/control \
	contrib/debian/copyright \
	contrib/debian/page-anon.docs \
	contrib/debian/page-anon.lintian-overrides \
	contrib/debian/rules \
	contrib/debian/source/format \
	contrib/debian/upstream/metadata \
	contrib/debian/watch
