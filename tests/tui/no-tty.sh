#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --tui without a terminal exits 1 with a clear message (or, in a build
# --without-ncurses, with the message that --tui is not available).
. "$(dirname "$0")/../setup.sh"

need_root
[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
[ -r /proc/kpageflags ] || skip "/proc/kpageflags not readable"

rc=0
"$PAGE_ANON" --tui -p $$ </dev/null >"$tmp/out" 2>"$tmp/err" || rc=$?
expect "exit status of --tui without a terminal" "$rc" 1
if grep -q 'page-anon was built without ncurses: --tui is not available' "$tmp/err"; then
	exit 0
fi
grep -q 'needs a terminal' "$tmp/err" || { cat "$tmp/err" >&2; fail "no 'needs a terminal' message"; }
[ ! -s "$tmp/out" ] || fail "--tui without a terminal wrote to stdout"

# the same with -- COMMAND: the command is not started
rc=0
"$PAGE_ANON" --tui -- touch "$tmp/started" </dev/null >"$tmp/out" 2>"$tmp/err" || rc=$?
expect "exit status of --tui -- COMMAND without a terminal" "$rc" 1
[ ! -e "$tmp/started" ] || fail "the command was started without a terminal"
exit 0
