#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --tui -p PID follows a fork without any key: the child appears, its
# 64 MiB start shared with the parent and move to exclusive when the child
# writes them (the parent's copies become "sole"); the page map of the
# child's VMA shows the pages as exclusive; exits are shown and the
# terminal is restored after q.  --color=never: the bars are letters
# (x exclusive, s shared, o sole, ...).
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/tui-lib.sh"

tui_init
forker_start 64
parent=$forker_pid

tui_start "'$PAGE_ANON' --tui --color=never --interval 0.2 -p $parent 2>'$tmp/pa.err'; echo \$? >'$tmp/rc'; stty -a >'$tmp/stty'"

tui_wait "parent row with 64M exclusive" "$_tui_awk_mib"'
	$1 == '"$parent"' && mib($4) >= 60 { found = 1 } END { exit !found }'

touch "$tmp/f/fork"
tui_wait_file "tui-forker forked" "$tmp/f/child"
child=$(cat "$tmp/f/child")
tui_wait "child $child appears, both rows 64M shared" "$_tui_awk_mib"'
	$1 == '"$parent"' && mib($6) >= 60 { p = 1 }
	$1 == '"$child"' && mib($6) >= 60 { c = 1 } END { exit !(p && c) }'

touch "$tmp/f/write"
tui_wait_file "child wrote its memory" "$tmp/f/written"
# "shared" falls from 64M to what the runtime itself shares (a few MiB
# under AddressSanitizer, whose shadow memory is shared after fork)
tui_wait "child 64M exclusive, parent 64M sole, the 64M no longer shared" "$_tui_awk_mib"'
	$1 == '"$parent"' && mib($8) >= 60 && mib($6) < 8 { p = 1 }
	$1 == '"$child"' && mib($4) >= 60 && mib($6) < 8 && $9 ~ /^xxxxxxxxxx/ { c = 1 }
	END { exit !(p && c) }'

# Page map of the child's 64 MiB VMA: rows are sorted by PID, VMAs by
# RSS after one press of s (address -> rss -> ...); the selection stays
# on its VMA when sorting, Home goes to the largest.
tui_keys Home
[ "$child" -gt "$parent" ] && tui_keys Down
tui_keys Enter
tui_wait "VMA list of the child" '/^ page-anon  PID '"$child"' / { f = 1 } END { exit !f }'
tui_keys s
tui_wait "VMAs sorted by rss" '/sorted by rss/ { f = 1 } END { exit !f }'
tui_keys Home Enter
tui_wait "page map of the 64 MiB VMA, page under the cursor exclusive" '
	/ 16384 pages/ { n = 1 }
	/mapcount 1  anon_exclusive/ { d = 1 }
	/^ flags .*anonymous/ { fl = 1 }
	/exclusive .*shared .*sole/ { l = 1 }
	END { exit !(n && d && fl && l) }'
tui_keys Escape Escape
tui_wait "back on the process list" '/ Enter VMAs / { f = 1 } END { exit !f }'

touch "$tmp/f/quit"
tui_wait "both processes shown as exited, with the note" '
	$1 == '"$parent"' && / exited/ { p = 1 }
	$1 == '"$child"' && / exited/ { c = 1 }
	/All watched processes have exited/ { n = 1 } END { exit !(p && c && n) }'

tui_keys q
tui_wait_file "page-anon quit" "$tmp/stty"
sleep 0.2
expect "exit status after q" "$(cat "$tmp/rc")" 0
grep -qw -- icanon "$tmp/stty" || fail "terminal not restored: no icanon in stty -a"
grep -qw -- echo "$tmp/stty" || fail "terminal not restored: no echo in stty -a"
exit 0
