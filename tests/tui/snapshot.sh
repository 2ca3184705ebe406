#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --load FILE --tui: the live view on a snapshot (tests/fixtures/fork.pas,
# capture 3), without root: both processes with the counts of the
# capture, the VMA screen of the parent, q quits with status 0.
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/tui-lib.sh"

[ -n "$TMUX_PROG" ] || skip "tmux not found (configure looks for it)"
need_prog "$TMUX_PROG"
fixdir=$(cd "$srcdir/tests/fixtures" && pwd)
if "$PAGE_ANON" --load "$fixdir/fork.pas" --tui </dev/null 2>&1 | grep -q 'built without ncurses'; then
	skip "page-anon was built without ncurses"
fi
at_exit "'$TMUX_PROG' -L '$tui_sock' kill-server 2>/dev/null"

tui_start "'$PAGE_ANON' --load '$fixdir/fork.pas@3' --tui --color=never 2>'$tmp/pa.err'; echo \$? >'$tmp/rc'"
# parent 28989: 52K exclusive, 4.0M shared, 268K sole; child 29000
tui_wait "the two processes of the capture" '
	$1 == 28989 && $2 == "pa-helper" && $4 == "52K" && $6 == "4.0M" { p = 1 }
	$1 == 29000 && $2 == "pa-helper" { c = 1 } END { exit !(p && c) }'
tui_keys Enter
tui_wait "VMAs of the parent" '/PID 28989/ { h = 1 } /\[heap\]/ { v = 1 } END { exit !(h && v) }'
tui_keys q
tui_wait_file "page-anon quit" "$tmp/rc"
expect "exit status after q" "$(cat "$tmp/rc")" 0
[ ! -s "$tmp/pa.err" ] || fail "messages: $(cat "$tmp/pa.err")"
exit 0
