#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --check on the live kernel finds nothing: on a workload in known states
# (exclusive, THP, PTE-mapped THP, fork with a partial COW) and over every
# user process of the machine.  The kernel keeps its own rules; a finding
# here is a kernel bug or a page-anon bug, and either must be looked at.
. "$(dirname "$0")/../setup.sh"
live_init

helper_start -t 2 excl thp thp_pte zero
pid=$helper_pid
helper_cmd fork
child=${helper_reply#child }
helper_cmd child-poke thp 512
helper_cmd child-poke thp_pte 4 1
helper_cmd child-write excl

st=0
"$PAGE_ANON" --check -p "$pid" --children --json >"$tmp/w.json" 2>"$tmp/w.err" || st=$?
cat "$tmp/w.err" >&2
expect "workload: --check exit status" "$st" 0
expect "workload: findings" "$("$JQ" '.findings | length' "$tmp/w.json")" 0
expect "workload: processes checked" \
	"$("$JQ" '[.processes[] | select(.checked)] | length' "$tmp/w.json")" 2
n=$("$JQ" '.pages_checked' "$tmp/w.json")
[ "$n" -ge 2048 ] || fail "workload: only $n pages checked"
st=0
"$PAGE_ANON" --check -p "$pid,$child" >"$tmp/w.txt" 2>&1 || st=$?
expect "workload: text exit status" "$st" 0
grep -q ': 0 findings' "$tmp/w.txt" || fail "workload: text does not say 0 findings"
helper_cmd child-exit
helper_stop

# Every process of the machine (--all skips kernel threads silently).
st=0
"$PAGE_ANON" --check --all --json >"$tmp/all.json" 2>"$tmp/all.err" || st=$?
case $st in
0|3) ;;	# 3: a process could not be read (another security context)
*) cat "$tmp/all.err" >&2; "$JQ" -c '.findings[]?' "$tmp/all.json" >&2
   fail "--check over every process: exit status $st" ;;
esac
expect "every process: findings" "$("$JQ" '.findings | length' "$tmp/all.json")" 0
c=$("$JQ" '[.processes[] | select(.checked)] | length' "$tmp/all.json")
[ "$c" -ge 2 ] || fail "every process: only $c processes checked"
"$JQ" -e '[.processes[].pid] | index('"$$"') != null' "$tmp/all.json" >/dev/null ||
	fail "every process: this shell ($$) was not checked"
"$JQ" -e '[.processes[].pid] | index(2) == null' "$tmp/all.json" >/dev/null ||
	fail "every process: kthreadd (pid 2) was listed"
echo "every process: $c processes, $("$JQ" .pages_checked "$tmp/all.json") pages," \
	"$("$JQ" .dismissed "$tmp/all.json") dismissed after re-reading"
