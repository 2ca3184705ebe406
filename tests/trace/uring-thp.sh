#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A pinned THP at fork: 4 MiB of two PMD-mapped THPs, the first one
# registered as an io_uring fixed buffer (pinned for DMA).  At the fork
# the kernel may not share a maybe-pinned page: copy_huge_pmd() splits the
# parent's PMD of the pinned THP and the child gets 512 small copies
# (copy_present_page()); the unpinned THP is shared as a whole.  So, read
# at the fork event:
#   parent: the pinned THP keeps its page frames and is not shared (its
#     head reads exclusive; its tails, now PTE-mapped tails of a large
#     folio, read "unknown" since 6.10 - doc/kernel-notes.md 3.3), still
#     a THP; the other THP is shared (512 pages);
#   child: 512 exclusive pages on new page frames (small pages, no THP),
#     counted as copied at fork and pinned, and 512 shared.
# The page frames are checked with --diff between the saved captures of
# the fork's entry and of the fork.  Skips where io_uring or THP is not
# available; changes no setting (MADV_HUGEPAGE).
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/trace-lib.sh"
trace_init

if [ -r /proc/sys/kernel/io_uring_disabled ] &&
   [ "$(cat /proc/sys/kernel/io_uring_disabled)" = 2 ]; then
	skip "io_uring is disabled (kernel.io_uring_disabled=2)"
fi
thp=/sys/kernel/mm/transparent_hugepage/enabled
[ -r $thp ] || skip "no transparent huge pages ($thp)"
grep -q '\[never\]' $thp && skip "transparent huge pages are off ($thp: never)"

set +e
timeout -s KILL 60 "$PAGE_ANON" --trace-fork --json --save "$tmp/thp.pas" -- "$PA_FORKER" uring-thp \
	>"$tmp/thp.json" 2>"$tmp/thp.err"
rc=$?
set -e
[ "$rc" != 77 ] || skip "io_uring not available: $(cat "$tmp/thp.err")"
expect "exit status" "$rc" 0
f=$tmp/thp.json
q()	# ROLE WHEN FIELD of the 4 MiB region at the fork
{
	"$JQ" -r --arg r "$1" 'select(.event == "fork") | .processes[] | select(.role == $r) |
		.vmas[] | select(.size == 4194304) | .'"$2.$3" "$f"
}
have=$(q parent before thp)
[ "$have" = 1024 ] || skip "the kernel gave the region $have THP pages, not two THPs (1024)"

expect "parent before: exclusive" "$(q parent before anon_exclusive)" 1024
expect "parent before: pinned" "$(q parent before pinned)" 512
# the parent: the pinned THP is not shared, the other one is
expect "parent after: shared (the unpinned THP)" "$(q parent after anon_shared)" 512
expect "parent after: the pinned THP exclusive or, tails, unknown" \
	"$(($(q parent after anon_exclusive) + $(q parent after unknown)))" 512
[ "$(q parent after anon_exclusive)" -ge 1 ] || fail "parent after: the pinned THP's head is not exclusive"
expect "parent after: pinned" "$(q parent after pinned)" 512
expect "parent after: still two huge pages (the PMD split, not the folio)" "$(q parent after thp)" 1024
# the child: 512 small copies, exclusive, and the shared THP
expect "child after: exclusive (the copies)" "$(q child after anon_exclusive)" 512
expect "child after: shared" "$(q child after anon_shared)" 512
expect "child after: THP pages (only the shared one)" "$(q child after thp)" 512
expect "child after: pinned (its copies are not)" "$(q child after pinned)" 0
expect "child: copied at fork, pinned" \
	"$(ev "$f" 'select(.event == "fork") | .processes[1].copied_pinned')" 512
copied=$(ev "$f" 'select(.event == "fork") | .processes[1].copied_at_fork')
[ "$copied" -ge 512 ] || fail "child: copied at fork $copied < 512"

# page frames: capture 2 is the fork's entry, 3 the fork
"$PAGE_ANON" --diff "$tmp/thp.pas@2" "$tmp/thp.pas@3" --json >"$tmp/diff.json"
parent=$(ev "$f" 'select(.event == "fork") | .pid')
child=$(ev "$f" 'select(.event == "fork") | .child')
expect "diff: the fork's entry" "$("$JQ" -r .old.label "$tmp/diff.json")" "fork $parent entry"
expect "diff: the fork" "$("$JQ" -r .new.label "$tmp/diff.json")" "fork $parent -> $child"
d()	# PID FILTER: pages of the 4 MiB region's transitions that pass FILTER
{
	"$JQ" -r --argjson p "$1" "$_pa_jq_hex"'.processes[] | select(.pid == $p) | .vmas[] |
		select((.end | hex) - (.start | hex) == 4194304) | [.transitions[] | '"$2"'] | add // 0' \
		"$tmp/diff.json"
}
expect "parent: no page frame of the region changed" \
	"$(d "$parent" 'select(.pfn_changed) | .pages')" 0
expect "parent: the unpinned THP shared, same frames" \
	"$(d "$parent" 'select(.from == "anon_exclusive" and .to == "anon_shared") | .pages')" 512
expect "child: 512 exclusive pages on new frames" \
	"$(d "$child" 'select(.pfn_changed and .to == "anon_exclusive") | .pages')" 512
exit 0
