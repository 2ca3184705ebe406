#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A target that maps, writes and unmaps memory in a loop while it is
# scanned: no crash and no impossible count (the consistency model in
# src/collect.c): per VMA and in total, every page is in exactly one state, so
# anon_exclusive + anon_shared + anon_sole + ksm + zero + file <= present
# and the sum of all states <= present + swapped + special; every count is
# a non-negative integer far below 2^53; a VMA lies inside [start, end).
# With --freeze the same holds and the target runs again afterwards.
. "$(dirname "$0")/../setup.sh"
need_stress
need_prog "$JQ"

mkfifo "$tmp/rd"
"$PA_STRESS" churn 16 >"$tmp/rd" &
pid=$!
at_exit "kill $pid 2>/dev/null"
read -r _w _p <"$tmp/rd" || hard_error "pa-stress churn did not start"

check='def ok: . as $c
	| ([$c[] | select(type == "number" and (. < 0 or . > 9007199254740992 or . != floor))] | length == 0)
	and ($c.anon_exclusive + $c.anon_shared + $c.anon_sole + $c.ksm + $c.zero + $c.file <= $c.present)
	and ($c.anon_exclusive + $c.anon_shared + $c.anon_sole + $c.ksm + $c.zero + $c.file
	     + $c.swapped + $c.special + $c.unknown <= $c.present + $c.swapped + $c.special + $c.unknown)
	and ($c.anon <= $c.present) and ($c.thp <= $c.present) and ($c.mmap_exclusive <= $c.present);
	[.processes[] | (.totals | ok), (.vmas[] | .pages | ok)] | all'

for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	case $((i % 4)) in
	0) opts="--freeze" ;;
	1) opts="--scan=never" ;;
	2) opts="--threads=2" ;;
	*) opts="" ;;
	esac
	st=0
	# shellcheck disable=SC2086
	"$PAGE_ANON" -p "$pid" --json --all-vmas $opts >"$tmp/out" 2>"$tmp/err" || st=$?
	case $st in
	0|3) ;;
	*) cat "$tmp/err" >&2; fail "run $i ($opts): exit status $st" ;;
	esac
	"$JQ" -e "$check" "$tmp/out" >/dev/null ||
		fail "run $i ($opts): impossible counts: $("$JQ" -c '.processes[0].totals' "$tmp/out")"
	if [ "$opts" = --freeze ]; then
		expect "--freeze run $i: exit status" "$st" 0
		state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$pid/status")
		[ "$state" != T ] || fail "--freeze left process $pid stopped"
	fi
done
# the flags table too: it must not crash
for i in 1 2 3; do
	st=0
	"$PAGE_ANON" -p "$pid" --flags -r >/dev/null 2>"$tmp/err" || st=$?
	case $st in 0|3) ;; *) cat "$tmp/err" >&2; fail "--flags run $i: exit status $st" ;; esac
done
exit 0
