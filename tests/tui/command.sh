#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --tui -- COMMAND: the command is started by the view (its output goes
# to /dev/null, not onto the screen), its fork is followed, its exit
# status is shown, and the view stays up with the last sample until q.
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/tui-lib.sh"

tui_init
mkdir -p "$tmp/f"
at_exit "touch '$tmp/f/quit'"

tui_start "'$PAGE_ANON' --tui --color=never --interval 0.2 -- sh -c 'echo NOISE-ON-STDOUT; echo NOISE-ON-STDERR >&2; exec \"\$0\" -m 16 \"\$1\"' '$TUI_FORKER' '$tmp/f' 2>'$tmp/pa.err'; echo \$? >'$tmp/rc'; stty -a >'$tmp/stty'"
tui_wait_file "tui-forker ready" "$tmp/f/ready"
parent=$(cat "$tmp/f/ready")
tui_wait "command row" '$1 == '"$parent"' && $2 == "tui-forker" { f = 1 } END { exit !f }'
touch "$tmp/f/fork"
tui_wait_file "tui-forker forked" "$tmp/f/child"
child=$(cat "$tmp/f/child")
tui_wait "child appears" '$1 == '"$child"' { f = 1 } END { exit !f }'
touch "$tmp/f/quit"
tui_wait "exit status of the command" '
	$1 == '"$parent"' && / exited 0/ { p = 1 }
	/All watched processes have exited/ { n = 1 } END { exit !(p && n) }'
tui_screen
! grep -q NOISE "$tmp/screen" || fail "the command's output reached the screen"
tui_keys q
tui_wait_file "page-anon quit" "$tmp/stty"
sleep 0.2
expect "exit status after q" "$(cat "$tmp/rc")" 0
grep -qw -- icanon "$tmp/stty" || fail "terminal not restored: no icanon in stty -a"
exit 0
