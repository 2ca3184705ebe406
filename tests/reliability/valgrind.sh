#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The main modes under valgrind memcheck: no invalid access, no leak.
# Skipped without valgrind and for an ASan build (they do not mix).
. "$(dirname "$0")/../setup.sh"
need_root
need_prog valgrind
[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
[ -r /proc/kpageflags ] || skip "/proc/kpageflags not readable"
if nm "$PAGE_ANON" 2>/dev/null | grep -q __asan_init || grep -q __asan_init "$PAGE_ANON"; then
	skip "built with AddressSanitizer"
fi

vg()
{
	st=0
	valgrind -q --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$PAGE_ANON" "$@" >/dev/null 2>"$tmp/vg" || st=$?
	case $st in
	0|3) ;;
	*) cat "$tmp/vg" >&2; fail "valgrind page-anon $*: status $st" ;;
	esac
}
vg -p $$
vg -p $$ --flags -r
vg -p $$ -l
vg -p $$ --json --all-vmas
vg -d anon,thp,0x10
vg -a 0+65536
vg -a 0+4096 -L --json
exit 0
