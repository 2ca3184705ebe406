#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --load FILE --tui: the live view on a snapshot (tests/fixtures/fork.pas,
# capture 3), without root: both processes with the counts of the
# capture, the VMA screen of the parent, q quits with status 0.  The view
# is static: the title names the snapshot, its capture time and host
# instead of a refresh interval, the sample number stays, the change
# columns show "-", and p, +, - only say that a snapshot does not change.
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

# "taken 2026-12-06 04:56:46 +0000 on vm, kernel ..." (-v)
TZ=UTC
export TZ
"$PAGE_ANON" --load "$snap" -v --json 2>"$tmp/v.err" >/dev/null
when=$(sed -n 's/.* taken \([0-9-]* [0-9:]*\) +0000 on .*/\1/p' "$tmp/v.err")
host=$(sed -n 's/.* on \([^,]*\), kernel .*/\1/p' "$tmp/v.err")
[ -n "$when" ] && [ -n "$host" ] || hard_error "no capture time or host in: $(cat "$tmp/v.err")"
title="snapshot fork.pas@3, $when on $host"

tui_start "'$PAGE_ANON' --load '$snap' --tui --color=never 2>'$tmp/pa.err'; echo \$? >'$tmp/rc'"
tui_wait "the two processes of the capture" '
	$1 == '"$parent"' && $2 == "pa-helper" && $4 == "'"$excl"'" && $6 == "'"$shared"'" { p = 1 }
	$1 == '"$child"' && $2 ~ /pa-helper$/ { c = 1 } END { exit !(p && c) }'
tui_screen
cp "$tmp/screen" "$tmp/first"
head -n 1 "$tmp/first" | grep -qF "$title" || fail "title without '$title': $(head -n 1 "$tmp/first")"
if grep -q 'every [0-9.]*s\|#[0-9]' "$tmp/first"; then
	fail "a snapshot's view shows a refresh interval or sample number: $(head -n 1 "$tmp/first")"
fi
awk '$1 == '"$parent"' && $5 == "-" && $7 == "-" { ok = 1 } END { exit !ok }' "$tmp/first" ||
	fail "change columns of the parent are not '-': $(grep "^ *$parent " "$tmp/first")"
grep -q 'pause\|interval' "$tmp/first" && fail "footer offers pause or interval keys: $(tail -n 1 "$tmp/first")"
tui_keys p
tui_wait "the answer to p" '/A snapshot does not change/ { m = 1 } END { exit !m }'
tui_keys +
sleep 2	# longer than the default interval: nothing is sampled again
tui_screen
head -n 1 "$tmp/screen" | grep -qF "$title" || fail "title after p and +: $(head -n 1 "$tmp/screen")"
tui_keys Enter
tui_wait "VMAs of the parent" '/PID '"$parent"' / { h = 1 } /\[heap\]/ { v = 1 } END { exit !(h && v) }'
tui_screen
# at 80 columns the longer title of this screen leaves out the host name
# rather than cut it
head -n 1 "$tmp/screen" | grep -qE "snapshot fork\.pas@3, $when( |\$)" ||
	fail "VMA screen title: $(head -n 1 "$tmp/screen")"
if head -n 1 "$tmp/screen" | grep -q " on "; then
	if ! head -n 1 "$tmp/screen" | grep -qF "$title"; then
		fail "VMA screen title with a cut host name: $(head -n 1 "$tmp/screen")"
	fi
fi
tui_keys '?'
tui_wait "help on a snapshot" '/view of a snapshot/ { s = 1 } /pause \/ resume/ { p = 1 } END { exit !(s && !p) }'
tui_keys x
tui_keys q
tui_wait_file "page-anon quit" "$tmp/rc"
expect "exit status after q" "$(cat "$tmp/rc")" 0
[ ! -s "$tmp/pa.err" ] || fail "messages: $(cat "$tmp/pa.err")"
exit 0
