#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the Debian package from a release tarball and check it with lintian.
#
#   contrib/build-deb.sh [--install-deps] [TARBALL [OUTDIR] | OUTDIR]
#
# TARBALL is a "make dist" tarball (page-anon-VERSION.tar.xz); without it,
# "make dist" is run in the current directory, which must be a configured
# build tree.  The tarball is unpacked in a temporary directory,
# contrib/debian is copied to debian/, and "dpkg-buildpackage -us -uc -b"
# builds the binary package.  The .deb, .buildinfo and .changes files end
# up in OUTDIR (default: the current directory).  lintian errors and
# warnings make the script fail.
#
# --install-deps installs the packaging tools and the Build-Depends with
# apt-get (needs root).  DEB_BUILD_OPTIONS is passed on, e.g.
# DEB_BUILD_OPTIONS=nocheck to skip "make check" in the package build.
# The package build's "make check" leaves out the live-kernel tests (they
# change the host: zram swap, KSM, hugetlb pages); PA_LIVE_TESTS=1 runs
# them too.
#
# Exit status: 0 built and lintian-clean, 1 failure, 77 tools missing.

set -eu

install_deps=no
if [ "${1-}" = --install-deps ]; then
	install_deps=yes
	shift
fi
tarball=${1-}
outdir=${2-$(pwd)}
# A directory as the only argument is OUTDIR (tarball from "make dist").
if [ -n "$tarball" ] && [ -d "$tarball" ] && [ $# = 1 ]; then
	outdir=$tarball
	tarball=
fi

die()
{
	echo "build-deb: $*" >&2
	exit 1
}

apt_install()
{
	[ "$(id -u)" = 0 ] || die "--install-deps needs root"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" ||
		die "apt-get install $* failed"
}

tools="dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian"
missing=
for t in $tools; do
	command -v "${t%%:*}" >/dev/null 2>&1 || missing="$missing ${t#*:}"
done
if [ -n "$missing" ]; then
	if [ "$install_deps" = yes ]; then
		apt_install $missing
	else
		echo "build-deb: missing tools; install with: apt-get install$missing" >&2
		echo "build-deb: (or run with --install-deps as root)" >&2
		exit 77
	fi
fi

if [ -z "$tarball" ]; then
	[ -f Makefile ] || die "no tarball given and no Makefile here: run in a configured build tree"
	make dist >/dev/null || die "make dist failed"
	# The newest tarball this "make dist" wrote.
	tarball=$(ls -t page-anon-*.tar.xz 2>/dev/null | head -n 1)
	[ -n "$tarball" ] || die "make dist produced no page-anon-*.tar.xz"
fi
[ -f "$tarball" ] || die "$tarball: no such file"
case $tarball in
/*) ;;
*) tarball=$(pwd)/$tarball ;;
esac
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/page-anon-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

tar -C "$work" -xf "$tarball" || die "$tarball: cannot unpack"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'page-anon-*' | head -n 1)
[ -n "$src" ] || die "$tarball: no page-anon-* directory inside"
[ -d "$src/contrib/debian" ] || die "$tarball: contrib/debian is missing (not in EXTRA_DIST?)"
cp -R "$src/contrib/debian" "$src/debian"

# The package version follows the tarball: when debian/changelog does not
# name this upstream version (a snapshot between releases, VERSION from
# build-aux/git-version-gen), add an entry for VERSION-1 dated like the
# tarball's contents, so the .deb, the tarball and "page-anon --version"
# agree and the build stays reproducible.
version=$(cat "$src/.tarball-version" 2>/dev/null) ||
	die "$tarball: no .tarball-version (not made by \"make dist\"?)"
changelog_version=$(cd "$src" && dpkg-parsechangelog -S Version)
if [ "${changelog_version%-*}" != "$version" ]; then
	maintainer=$(sed -n 's/^Maintainer: *//p' "$src/debian/control")
	epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$src/.tarball-version")}
	{
		echo "page-anon ($version-1) unstable; urgency=medium"
		echo
		echo "  * Snapshot $version, packaged by contrib/build-deb.sh."
		echo
		echo " -- $maintainer  $(LC_ALL=C date -u -R -d "@$epoch")"
		echo
		cat "$src/contrib/debian/changelog"
	} >"$src/debian/changelog"
	echo "build-deb: debian/changelog: added $version-1 (was $changelog_version)"
fi

cd "$src"
if [ "$install_deps" = yes ]; then
	# dpkg-checkbuilddeps prints "Unmet build dependencies: a b (>= 1) c".
	unmet=$(dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
		sed 's/([^)]*)//g; s/<[^>]*>//g; s/|[^ ]*//g')
	if [ -n "$unmet" ]; then
		apt_install $unmet
	fi
fi

echo "build-deb: building $(basename "$tarball") in $src"
dpkg-buildpackage -us -uc -b || die "dpkg-buildpackage failed"

changes=$(ls "$work"/page-anon_*.changes 2>/dev/null | head -n 1)
[ -n "$changes" ] || die "no .changes file produced"

echo "build-deb: lintian $(basename "$changes")"
status=0
lintian --info --display-info --fail-on error,warning "$changes" || status=$?

for f in "$work"/page-anon_*.deb "$work"/page-anon-dbgsym_*.deb \
	"$work"/page-anon_*.buildinfo "$changes"; do
	[ -f "$f" ] && cp "$f" "$outdir/"
done
ls -l "$outdir"/page-anon_*.deb

[ "$status" = 0 ] || die "lintian reported errors or warnings"
echo "build-deb: ok"
