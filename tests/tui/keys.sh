#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --tui keys and terminal handling: help (?), pause (p), interval (+/-),
# sort (s), resize (tmux resize-window, also below the minimum size),
# quit (q); SIGINT (^C) and SIGTERM end the view too, with status 130 and
# 143 (128 + the signal, as a shell reports it; q exits 0); after every
# exit the terminal is back in canonical mode with echo.  NO_COLOR=1 gives the
# monochrome bars (letters), so their width shows in capture-pane.
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/tui-lib.sh"

tui_init
forker_start 8
pid=$forker_pid

# run N: the view, then stty -a into $tmp/stty.N and the exit status
view()
{
	rm -f "$tmp/stty.$1" "$tmp/rc.$1"
	tui_start "NO_COLOR=1 '$PAGE_ANON' --tui -p $pid 2>'$tmp/pa.err'; echo \$? >'$tmp/rc.$1'; stty -a >'$tmp/stty.$1'"
	tui_wait "process row" '$1 == '"$pid"' { f = 1 } END { exit !f }'
}

check_tty()	# view expected-exit-status
{
	tui_wait_file "view $1 ended" "$tmp/stty.$1"
	sleep 0.2
	expect "exit status of view $1" "$(cat "$tmp/rc.$1")" "$2"
	grep -qw -- icanon "$tmp/stty.$1" || fail "view $1: terminal not restored (no icanon)"
	grep -qw -- echo "$tmp/stty.$1" || fail "view $1: terminal not restored (no echo)"
}

view 1
tui_wait "default interval 1 s" '/ every 1\.0s / { f = 1 } END { exit !f }'
tui_keys '?'
tui_wait "help" '/page-anon live view/ { h = 1 } /q +quit/ { q = 1 } END { exit !(h && q) }'
tui_keys Space
tui_wait "help closed" '/page-anon live view/ { h = 1 } / Enter VMAs / { k = 1 } END { exit !(k && !h) }'
tui_keys p
tui_wait "paused" '/\[PAUSED\]/ { f = 1 } END { exit !f }'
tui_keys p +
tui_wait "resumed, interval 2 s" '/\[PAUSED\]/ { p = 1 } / every 2\.0s / { i = 1 } END { exit !(i && !p) }'
tui_keys - -
tui_wait "interval 0.5 s" '/ every 0\.5s / { f = 1 } END { exit !f }'
tui_keys s
tui_wait "sorted by rss" '/sorted by rss/ { f = 1 } END { exit !f }'

"$TMUX_PROG" -L "$tui_sock" resize-window -x 100 -y 30
tui_wait "redrawn at 100x30" 'NR == 30 && / Enter VMAs / { k = 1 } length($0) > 80 { w = 1 }
	END { exit !(k && w && NR == 30) }'
"$TMUX_PROG" -L "$tui_sock" resize-window -x 30 -y 8
tui_wait "too small at 30x8" '/terminal too small/ { f = 1 } END { exit !f }'
"$TMUX_PROG" -L "$tui_sock" resize-window -x 80 -y 24
tui_wait "redrawn at 80x24" 'NR == 24 && / Enter VMAs / { k = 1 } END { exit !(k && NR == 24) }'
tui_keys q
check_tty 1 0

view 2
tui_keys C-c
check_tty 2 130

view 3
# the pane's shell runs page-anon as its child: signal page-anon only
shell=$("$TMUX_PROG" -L "$tui_sock" list-panes -F '#{pane_pid}' | head -n 1)
viewer=$(ps -o pid= --ppid "$shell" | head -n 1)
[ -n "$viewer" ] || fail "cannot find the page-anon process under the pane's shell $shell"
kill -TERM $viewer
check_tty 3 143
exit 0
