#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# page-anon(8): lint the page with groff and mandoc, and run the example
# commands of EXAMPLES.  In the roff source a comment line
#   .\" test: run    run the next command line, expect exit status 0 or 3
#   .\" test: root   the same, but only as root (reads /proc/kpage*)
#   .\" test: skip   show only (needs a terminal, a long time, a file ...)
# marks the command line ("$ page-anon ..." or "# page-anon ...") that
# follows it.  Every such command line inside .EX/.EE must be marked.
#
# Environment: PAGE_ANON (the built binary, default ./src/page-anon),
# srcdir (set by "make check"), GROFF and MANDOC (default: from PATH).

set -u

: "${srcdir:=$(dirname "$0")/..}"
PAGE_ANON=${PAGE_ANON:-./src/page-anon}
man=$srcdir/man/page-anon.8
GROFF=${GROFF:-$(command -v groff || true)}
MANDOC=${MANDOC:-$(command -v mandoc || true)}

fail=0
ran=0

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# ---- lint ---------------------------------------------------------------
if [ -n "$GROFF" ]; then
	if ! "$GROFF" -man -ww -z "$man" >"$tmp/groff" 2>&1 || [ -s "$tmp/groff" ]; then
		echo "FAIL: groff -man -ww -z $man:" >&2
		cat "$tmp/groff" >&2
		fail=1
	fi
else
	echo "note: groff not installed, not linted with groff" >&2
fi
if [ -n "$MANDOC" ]; then
	# -W all includes the style notes; the page has none.
	if ! "$MANDOC" -T lint -W all "$man" >"$tmp/mandoc" 2>&1 || [ -s "$tmp/mandoc" ]; then
		echo "FAIL: mandoc -T lint -W all $man:" >&2
		cat "$tmp/mandoc" >&2
		fail=1
	fi
else
	echo "note: mandoc not installed, not linted with mandoc" >&2
fi

# ---- examples -----------------------------------------------------------
# Extract "MODE<TAB>command" with roff escapes turned back into text.
awk '
	/^\.EX/ { ex = 1; next }
	/^\.EE/ { ex = 0; mode = ""; next }
	ex && /^\.\\" test: / { mode = $3; next }
	ex && /^[$#] page\\-anon/ {
		if (mode == "")
			mode = "UNMARKED"
		print mode "\t" substr($0, 3)
		mode = ""
	}
' "$man" | sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' \
	-e 's/\\(ti/~/g' -e 's/\\(ha/^/g' -e 's/\\&//g' -e 's/\\f[BIRP]//g' \
	-e 's/\\e/\\/g' >"$tmp/examples"

if [ ! -s "$tmp/examples" ]; then
	echo "FAIL: no example commands found in $man" >&2
	exit 1
fi

if [ ! -x "$PAGE_ANON" ]; then
	echo "SKIP: $PAGE_ANON not built: examples not run" >&2
	[ "$fail" = 0 ] && exit 77
	exit "$fail"
fi
case $PAGE_ANON in
/*) bin=$PAGE_ANON ;;
*) bin=$(pwd)/$PAGE_ANON ;;
esac

# .TH names the release: "page-anon X.Y.Z" where page-anon --version says
# X.Y.Z or X.Y.Z+N.gHASH (a snapshot after X.Y.Z; build-aux/git-version-gen).
version=$("$bin" --version | sed -n '1s/^page-anon //p')
th=$(sed -n 's/^\.TH PAGE\\-ANON 8 [0-9-]* "page\\-anon \([^"]*\)".*/\1/p' "$man")
if [ -z "$version" ] || [ "$th" != "${version%%+*}" ]; then
	echo "FAIL: .TH of $man names version '$th'; page-anon --version says '$version'" >&2
	fail=1
fi

uid=$(id -u)
tab=$(printf '\t')
while IFS=$tab read -r mode cmd; do
	case $mode in
	run) ;;
	root)
		if [ "$uid" != 0 ]; then
			echo "skip (not root): $cmd"
			continue
		fi
		;;
	skip)
		echo "skip (marked): $cmd"
		continue
		;;
	*)
		echo "FAIL: example without a valid test marker ($mode): $cmd" >&2
		fail=1
		continue
		;;
	esac
	# Tools used in a pipeline must exist.
	missing=
	for tool in $(printf '%s\n' "$cmd" | sed -n 's/.*| *\([a-z0-9_-]*\).*/\1/p'); do
		command -v "$tool" >/dev/null 2>&1 || missing=$tool
	done
	if [ -n "$missing" ]; then
		echo "skip ($missing not installed): $cmd"
		continue
	fi
	# page-anon at the start of the line and after a pipe is the binary
	# under test.
	run=$(printf '%s\n' "$cmd" | sed "s|^page-anon |\"\$PA\" |; s/| *page-anon /| \"\$PA\" /g")
	PA=$bin bash -o pipefail -c "$run" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	ran=$((ran + 1))
	case $rc in
	0 | 3)
		echo "ok (exit $rc): $cmd"
		;;
	*)
		echo "FAIL (exit $rc): $cmd" >&2
		sed 's/^/    /' "$tmp/err" >&2
		fail=1
		;;
	esac
done <"$tmp/examples"

echo "$ran examples run"
exit "$fail"
