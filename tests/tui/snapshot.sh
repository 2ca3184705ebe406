#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --load FILE --tui: the live view on a snapshot (tests/fixtures/fork.pas,
# capture 3), without root: both processes with the counts of the
# capture, the VMA screen of the parent, q quits with status 0.
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/tui-lib.sh"

[ -n "$TMUX_PROG" ] || skip "tmux not found (configure looks for it)"
need_prog "$TMUX_PROG"
need_prog "$JQ"
fixdir=$(cd "$srcdir/tests/fixtures" && pwd)
if "$PAGE_ANON" --load "$fixdir/fork.pas" --tui </dev/null 2>&1 | grep -q 'built without ncurses'; then
	skip "page-anon was built without ncurses"
fi
at_exit "'$TMUX_PROG' -L '$tui_sock' kill-server 2>/dev/null"

snap=$fixdir/fork.pas@3
parent=$("$PAGE_ANON" --load "$snap" --json | "$JQ" '.processes[0].pid')
child=$("$PAGE_ANON" --load "$snap" --json | "$JQ" '.processes[1].pid')
# the parent's exclusive and shared sizes as the text report prints them
excl=$("$PAGE_ANON" --load "$snap" -p "$parent" | awk '$1 == "exclusive" { print $2; exit }')
shared=$("$PAGE_ANON" --load "$snap" -p "$parent" | awk '$1 == "exclusive" { print $5; exit }')
[ -n "$excl" ] && [ -n "$shared" ] || hard_error "no sizes in the text report"

tui_start "'$PAGE_ANON' --load '$snap' --tui --color=never 2>'$tmp/pa.err'; echo \$? >'$tmp/rc'"
tui_wait "the two processes of the capture" '
	$1 == '"$parent"' && $2 == "pa-helper" && $4 == "'"$excl"'" && $6 == "'"$shared"'" { p = 1 }
	$1 == '"$child"' && $2 ~ /pa-helper$/ { c = 1 } END { exit !(p && c) }'
tui_keys Enter
tui_wait "VMAs of the parent" '/PID '"$parent"' / { h = 1 } /\[heap\]/ { v = 1 } END { exit !(h && v) }'
tui_keys q
tui_wait_file "page-anon quit" "$tmp/rc"
expect "exit status after q" "$(cat "$tmp/rc")" 0
[ ! -s "$tmp/pa.err" ] || fail "messages: $(cat "$tmp/pa.err")"
exit 0
