#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Large folios mapped page by page: a page whose exact kpagecount is 2 or
# more is anon_shared on both sides of a fork, whatever kpageflags reports
# for the folio (page-anon(8) STATES).  Scenarios: THP COW by one byte per
# 2 MiB, THP split by mprotect and by munmap then fork, and 64 KiB mTHP
# never forked and after fork with a partial COW.  On every side:
# anon_shared equals pa-oracle's independent per-page count, the totals
# equal the sum of the VMAs, and the sharing matrix equals anon_shared.
# Enables hugepages-64kB while the test runs and restores it.
. "$(dirname "$0")/../setup.sh"
live_init

# The per-page rule needs kpagecount exact per page.
"$PAGE_ANON" -v -p $$ >/dev/null 2>"$tmp/v" || :
grep -q 'kpagecount of large-folio pages: exact per page' "$tmp/v" ||
	skip "kpagecount not exact per page on this kernel: $(grep kpagecount "$tmp/v")"

# totals_are_sums PID: every total equals the sum over the listed VMAs.
totals_are_sums()
{
	bad=$("$JQ" -r --argjson pid "$1" '.processes[] | select(.pid == $pid)
		| . as $p | [.totals | keys[] | select(. != "unknown_reasons")
		| select($p.totals[.] != ([$p.vmas[].pages[.]] | add // 0))] | join(" ")' "$tmp/pa.json")
	[ -z "$bad" ] || fail "pid $1: totals differ from the sum of the VMAs: $bad"
}

# matrix_agrees A B: A's shared_with entry for B is A's anon_shared total
# (every shared page of these two processes is shared with the other).
matrix_agrees()
{
	sw=$("$JQ" -r --argjson a "$1" --argjson b "$2" '.processes[] | select(.pid == $a)
		| [.shared_with[]? | select(.pid == $b) | .anon_shared] | add // 0' "$tmp/pa.json")
	tot=$("$JQ" -r --argjson a "$1" '.processes[] | select(.pid == $a) | .totals.anon_shared' "$tmp/pa.json")
	expect "pid $1 shared_with $2 = its anon_shared" "$sw" "$tot"
}

both_sides()	# WHAT REGION PARENT CHILD
{
	pa_json "$3,$4"
	for p in "$3" "$4"; do
		check_region "$p" "$2"
		totals_are_sums "$p"
	done
	matrix_agrees "$3" "$4"
	matrix_agrees "$4" "$3"
	s=$(pa_get "$3" "$2" anon_shared)
	[ "$s" -gt 0 ] || fail "$1: no anon_shared page in the parent"
	echo "$1: parent anon_shared $s, child $(pa_get "$4" "$2" anon_shared)," \
		"unknown $(pa_get "$3" "$2" unknown)/$(pa_get "$4" "$2" unknown)"
}

# ---- THP: COW of one byte per 2 MiB, split by mprotect, split by munmap
k=2
helper_start -t $k thp thp_pte
pid=$helper_pid
[ -n "$(region_absent thp)" ] && skip "THP region: $(region_absent thp)"
[ "$(region_note thp thp)" = $k ] || skip "no THPs obtained ($(region_note thp thp) of $k)"
helper_cmd fork
child=${helper_reply#child }
helper_cmd child-poke thp 512
both_sides "THP COW one byte per 2 MiB" thp "$pid" "$child"
# The child PTE-maps the 511 other pages of each THP, the parent still
# PMD-maps them: 511 shared pages per THP on each side.
expect "THP COW: child anon_shared" "$(pa_get "$child" thp anon_shared)" $((511 * k))
expect "THP COW: parent anon_shared" "$(pa_get "$pid" thp anon_shared)" $((511 * k))
expect "THP COW: child unknown" "$(pa_get "$child" thp unknown)" 0
if [ "$(region_note thp_pte thp)" = 1 ]; then
	helper_cmd child-poke thp_pte 7 3
	both_sides "THP split by mprotect, fork, partial COW" thp_pte "$pid" "$child"
fi
helper_cmd child-exit
helper_stop

helper_start -t 1 thp
pid=$helper_pid
if [ "$(region_note thp thp)" = 1 ]; then
	helper_cmd munmap-part thp 100
	helper_cmd fork
	child=${helper_reply#child }
	both_sides "THP split by munmap, fork" thp "$pid" "$child"
	expect "THP munmap+fork: parent anon_shared" "$(pa_get "$pid" thp anon_shared)" 511
	helper_cmd child-poke thp 16 1
	both_sides "THP split by munmap, fork, partial COW" thp "$pid" "$child"
	helper_cmd child-exit
fi
helper_stop

# ---- 64 KiB mTHP
knob=/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled
[ -w "$knob" ] || skip "no 64 KiB mTHP support ($knob)"
case $(cat "$knob") in
*"[always]"*|*"[madvise]"*) ;;
*)
	restore_file "$knob"
	echo madvise >"$knob" || skip "cannot enable $knob"
	;;
esac
helper_start mthp
pid=$helper_pid
[ "$(oracle_get "$pid" mthp thp)" = 64 ] || skip "no 64 KiB mTHPs obtained"
pa_json "$pid"
check_region "$pid" mthp
totals_are_sums "$pid"
# never forked: nothing is mapped twice; heads exclusive, tails unknown,
# each with its reason: mapped once, the kernel exports only the head's bit
expect "mTHP never forked: anon_shared" "$(pa_get "$pid" mthp anon_shared)" 0
u=$(pa_get "$pid" mthp unknown)
[ "$u" -gt 0 ] || fail "mTHP never forked: no unknown tail"
expect "mTHP never forked: unknown_reasons.large_folio_tail_mapped_once" \
	"$("$JQ" -r --argjson pid "$pid" --arg s "$(region_start mthp)" --arg e "$(region_end mthp)" \
	"$_pa_jq_hex"'($s | hex) as $S | ($e | hex) as $E | [.processes[] | select(.pid == $pid)
	| .vmas[] | select((.start | hex) >= $S and (.end | hex) <= $E)
	| .pages.unknown_reasons.large_folio_tail_mapped_once] | add' "$tmp/pa.json")" "$u"
# every unknown page has a reason, in every VMA and in the totals
"$JQ" -e '[.processes[] | (.totals, .vmas[].pages) | .unknown == ([.unknown_reasons[]] | add)]
	| all' "$tmp/pa.json" >/dev/null || fail "unknown pages without a reason"
# the text report names the reason under the table when it is the main one
"$PAGE_ANON" -p "$pid" -a "$(($(region_start mthp) / 4096)),$(($(region_end mthp) / 4096))" \
	>"$tmp/mthp.txt" 2>&1 || :
grep -q '^note: .*large_folio_tail_mapped_once' "$tmp/mthp.txt" ||
	{ cat "$tmp/mthp.txt" >&2; fail "text report: no hint line naming large_folio_tail_mapped_once"; }
helper_cmd fork
child=${helper_reply#child }
both_sides "mTHP fork" mthp "$pid" "$child"
expect "mTHP after fork: parent anon_shared" "$(pa_get "$pid" mthp anon_shared)" 64
expect "mTHP after fork: child anon_shared" "$(pa_get "$child" mthp anon_shared)" 64
helper_cmd child-poke mthp 5 2
both_sides "mTHP fork, partial COW" mthp "$pid" "$child"
helper_cmd child-exit
helper_stop
