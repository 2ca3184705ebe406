#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --diff across a fork and the child's writes: a snapshot before the fork,
# one after it and one after the child wrote; the transitions must be
# exactly those of the kernel's COW rules (doc/kernel-notes.md section 8):
#   fork:        parent anon_exclusive -> anon_shared; the child is new,
#                compared with its parent: anon_exclusive -> anon_shared
#   child write: child anon_shared -> anon_exclusive (new page),
#                parent anon_shared -> anon_sole
# and the same from the snapshot against the live processes.
. "$(dirname "$0")/../setup.sh"
live_init

n=64
helper_start -n $n excl
pid=$helper_pid
s=$(region_start excl)
e=$(region_end excl)

"$PAGE_ANON" -p "$pid" --children --freeze --save "$tmp/0.pas" 2>/dev/null || fail "save before fork"
helper_cmd fork
child=${helper_reply#child }
"$PAGE_ANON" -p "$pid" --children --freeze --save "$tmp/1.pas" 2>/dev/null || fail "save after fork"
helper_cmd child-write excl
"$PAGE_ANON" -p "$pid" --children --freeze --save "$tmp/2.pas" 2>/dev/null || fail "save after write"

# transitions of region excl: "from>to>pfn_changed=pages ..." sorted
trans()	# PID
{
	"$JQ" -r --argjson pid "$1" --arg s "$s" --arg e "$e" "$_pa_jq_hex"'
		.processes[] | select(.pid == $pid) | .vmas[]
		| select((.start | hex) <= ($s | hex) and (.end | hex) >= ($e | hex))
		| .transitions[] | "\(.from)>\(.to)>\(.pfn_changed)=\(.pages)"' "$tmp/d.json" | sort | tr '\n' ' '
}
status()	# PID
{
	"$JQ" -r --argjson pid "$1" '.processes[] | select(.pid == $pid)
		| "\(.status) \(.compared_with // "-")"' "$tmp/d.json"
}

"$PAGE_ANON" --diff "$tmp/0.pas" "$tmp/1.pas" --json >"$tmp/d.json" || fail "--diff 0 1"
expect "fork: parent" "$(trans "$pid")" "anon_exclusive>anon_shared>false=$n "
expect "fork: child" "$(trans "$child")" "anon_exclusive>anon_shared>false=$n "
expect "fork: child status" "$(status "$child")" "new $pid"
expect "fork: parent status" "$(status "$pid")" "both -"

"$PAGE_ANON" --diff "$tmp/1.pas" "$tmp/2.pas" --json >"$tmp/d.json" || fail "--diff 1 2"
expect "child write: parent" "$(trans "$pid")" "anon_shared>anon_sole>false=$n "
expect "child write: child" "$(trans "$child")" "anon_shared>anon_exclusive>true=$n "

# FILE@N: a file with several captures (--save --append)
cp "$tmp/1.pas" "$tmp/seq.pas"
"$PAGE_ANON" -p "$pid" --children --freeze --save "$tmp/seq.pas" --append 2>/dev/null ||
	fail "save --append"
"$PAGE_ANON" --diff "$tmp/seq.pas@1" "$tmp/seq.pas@2" --json >"$tmp/d.json" || fail "--diff @1 @2"
expect "FILE@N: child" "$(trans "$child")" "anon_shared>anon_exclusive>true=$n "

# snapshot against the live processes: the child exits, the parent
# writes and reuses its pages (same PFNs)
helper_cmd child-exit
helper_cmd write excl
"$PAGE_ANON" --diff "$tmp/2.pas" -p "$pid" --children --json --freeze >"$tmp/d.json" || fail "--diff live"
expect "live: parent" "$(trans "$pid")" "anon_sole>anon_exclusive>false=$n "
expect "live: child" "$(status "$child")" "gone -"

# text: one line per transition, with the counts
"$PAGE_ANON" --diff "$tmp/1.pas" "$tmp/2.pas" >"$tmp/d.txt" || fail "--diff text"
grep -q "anon_shared -> anon_exclusive (new page) *$n " "$tmp/d.txt" || { cat "$tmp/d.txt" >&2; fail "text diff"; }
helper_stop
