#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the RPM from a release tarball with rpmbuild.
#
#   contrib/build-rpm.sh [TARBALL [OUTDIR] | OUTDIR]
#
# TARBALL is a "make dist" tarball (page-anon-VERSION.tar.xz), which
# carries contrib/page-anon.spec with the same VERSION; without it, "make
# dist" is run in the current directory, which must be a configured build
# tree.  "rpmbuild -ta" builds the binary and source RPMs in a temporary
# directory; they end up in OUTDIR (default: the current directory).
#
# On a system that is not RPM-based (Debian's "rpm" package), the build
# dependencies are not in the RPM database: set RPMBUILD_NODEPS=1 to pass
# --nodeps.  RPMBUILD_ARGS adds rpmbuild options, e.g. "--nocheck" or
# "--with live_tests" (the live-kernel tests are left out of %check
# unless asked for: as root they change the build host).
#
# Exit status: 0 built, 1 failure, 77 rpmbuild missing.

set -eu

tarball=${1-}
outdir=${2-$(pwd)}
if [ -n "$tarball" ] && [ -d "$tarball" ] && [ $# = 1 ]; then
	outdir=$tarball
	tarball=
fi

die()
{
	echo "build-rpm: $*" >&2
	exit 1
}

if ! command -v rpmbuild >/dev/null 2>&1; then
	echo "build-rpm: rpmbuild not found; install it with: apt-get install rpm (Debian) or dnf install rpm-build" >&2
	exit 77
fi

if [ -z "$tarball" ]; then
	[ -f Makefile ] || die "no tarball given and no Makefile here: run in a configured build tree"
	make dist >/dev/null || die "make dist failed"
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

work=$(mktemp -d "${TMPDIR:-/tmp}/page-anon-rpm.XXXXXX")
trap 'rm -rf "$work"' EXIT

nodeps=
[ "${RPMBUILD_NODEPS:-0}" = 1 ] && nodeps=--nodeps

echo "build-rpm: building $(basename "$tarball")"
# shellcheck disable=SC2086 # RPMBUILD_ARGS is a list of options
rpmbuild -ta $nodeps ${RPMBUILD_ARGS-} \
	--define "_topdir $work" \
	--define "_tmppath $work/tmp" \
	"$tarball" || die "rpmbuild failed"

found=no
for f in "$work"/RPMS/*/page-anon-*.rpm "$work"/SRPMS/page-anon-*.src.rpm; do
	[ -f "$f" ] || continue
	cp "$f" "$outdir/"
	found=yes
done
[ "$found" = yes ] || die "rpmbuild produced no page-anon RPM"
ls -l "$outdir"/page-anon-*.rpm
echo "build-rpm: ok"
