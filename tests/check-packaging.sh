#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Packaging metadata agrees with the build:
#  - contrib/page-anon.spec (made by configure) has the version of
#    "page-anon --version", which is also the tarball's;
#  - package builds leave out the live-kernel tests unless asked
#    (debian/rules: PA_LIVE_TESTS=1; the spec: --with live_tests);
#  - no invented web address: the project has no public site, tracker or
#    download location, so packaging metadata names none;
#  - a debian/watch, if there is one, looks for the .tar.xz that
#    "make dist" makes.
# The package builds themselves run in CI (.ci/run).
#
# Environment: PAGE_ANON (the built binary), PA_SPEC (the configured spec,
# default contrib/page-anon.spec in the current directory), srcdir.

set -u

: "${srcdir:=$(dirname "$0")/..}"
PAGE_ANON=${PAGE_ANON:-./src/page-anon}
PA_SPEC=${PA_SPEC:-contrib/page-anon.spec}
rules=$srcdir/contrib/debian/rules

fail=0
failed()
{
	echo "FAIL: $*" >&2
	fail=1
}

if [ ! -x "$PAGE_ANON" ]; then
	echo "SKIP: $PAGE_ANON not built" >&2
	exit 77
fi
version=$("$PAGE_ANON" --version | sed -n '1s/^page-anon //p')
[ -n "$version" ] || failed "page-anon --version printed no version"

# ---- versions ---------------------------------------------------------
spec_version=$(sed -n 's/^Version: *//p' "$PA_SPEC")
[ "$spec_version" = "$version" ] ||
	failed "$PA_SPEC: Version '$spec_version', page-anon --version '$version'"
case $version in
*-*) failed "version '$version' has a '-': not a valid RPM Version or Debian upstream version" ;;
esac
if command -v rpmspec >/dev/null 2>&1; then
	v=$(rpmspec -q --srpm --qf '%{VERSION}\n' "$PA_SPEC" 2>/dev/null)
	[ "$v" = "$version" ] || failed "rpmspec reads Version '$v' from $PA_SPEC, expected '$version'"
	# Source0 is the tarball "make dist" makes.
	src=$(rpmspec -P "$PA_SPEC" 2>/dev/null | sed -n 's/^Source0: *//p')
	[ "$src" = "page-anon-$version.tar.xz" ] ||
		failed "$PA_SPEC: Source0 '$src', make dist makes page-anon-$version.tar.xz"
else
	echo "note: rpmspec not installed, spec not parsed"
fi

# ---- live tests opt-in in package builds -------------------------------
if command -v make >/dev/null 2>&1; then
	print='print-skip-live: ; @echo "[$(PA_SKIP_LIVE)]"'
	got=$(env -u PA_SKIP_LIVE -u PA_LIVE_TESTS -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -f "$rules" --eval "$print" print-skip-live)
	[ "$got" = "[1]" ] || failed "debian/rules: PA_SKIP_LIVE is '$got' by default, expected [1]"
	got=$(env -u PA_SKIP_LIVE -u MAKEFLAGS -u MFLAGS -u MAKELEVEL PA_LIVE_TESTS=1 make -s --no-print-directory -f "$rules" --eval "$print" print-skip-live)
	[ "$got" = "[]" ] || failed "debian/rules: PA_SKIP_LIVE is '$got' with PA_LIVE_TESTS=1, expected []"
fi
if command -v rpmspec >/dev/null 2>&1; then
	rpmspec -P "$PA_SPEC" 2>/dev/null | sed -n '/^%check/,/^%files/p' >check.default.$$
	rpmspec -P --with live_tests "$PA_SPEC" 2>/dev/null | sed -n '/^%check/,/^%files/p' >check.live.$$
	grep -qx 'export PA_SKIP_LIVE=1' check.default.$$ ||
		failed "$PA_SPEC: %check does not set PA_SKIP_LIVE=1 by default"
	grep -q 'PA_SKIP_LIVE' check.live.$$ &&
		failed "$PA_SPEC: %check sets PA_SKIP_LIVE with --with live_tests"
	grep -q 'make.* check' check.default.$$ || failed "$PA_SPEC: %check does not run make check"
	rm -f check.default.$$ check.live.$$
fi

# ---- no invented addresses ---------------------------------------------
# Allowed: the format and licence references and the schemas' "$schema".
# Schema "$id"s use the reserved .invalid domain (RFC 2606) on purpose.
for f in "$srcdir/configure.ac" "$srcdir/README.md" "$srcdir/man/page-anon.8" \
	"$srcdir/contrib/page-anon.spec.in" "$srcdir"/contrib/debian/* \
	"$srcdir"/contrib/debian/*/* "$srcdir"/src/*.c; do
	[ -f "$f" ] || continue
	grep -noE 'https?://[^ ">)]*' "$f" |
		grep -vE '://(www\.debian\.org/doc/packaging-manuals/copyright-format/|www\.gnu\.org/licenses/|json-schema\.org/|[a-z.-]*\.invalid(/|$))' |
		while IFS= read -r hit; do
			echo "FAIL: $f:$hit: a web address the project does not have" >&2
			echo x
		done | grep -q x && fail=1
done
# AC_INIT's bug-report argument (the third) stays empty.
if sed -n '/^AC_INIT(/,/)$/p' "$srcdir/configure.ac" | grep -q '@\|://'; then
	failed "configure.ac: AC_INIT names a bug-report address"
fi

# ---- debian/watch ----------------------------------------------------
watch=$srcdir/contrib/debian/watch
if [ -f "$watch" ] && ! grep -q 'tar\\\{0,1\}\.xz' "$watch"; then
	failed "$watch does not look for the .tar.xz tarballs make dist makes"
fi

[ "$fail" = 0 ] && echo "PASS: packaging agrees with version $version"
exit "$fail"
