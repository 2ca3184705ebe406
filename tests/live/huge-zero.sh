#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A read fault in a MADV_HUGEPAGE range maps the huge zero page (with
# transparent_hugepage/use_zero_page = 1): kpageflags says ZERO_PAGE, THP
# and COMPOUND_*, kpagecount 0, and pagemap sets bit 61 (PM_FILE) for it
# (doc/kernel-notes.md 1.7).  page-anon must call it "zero", not "file" and not
# "thp" memory.
. "$(dirname "$0")/../setup.sh"
live_init

thp=/sys/kernel/mm/transparent_hugepage
[ "$(cat $thp/use_zero_page 2>/dev/null)" = 1 ] || skip "transparent_hugepage/use_zero_page is not 1"
grep -q '\[never\]' $thp/enabled 2>/dev/null && skip "transparent huge pages are disabled"

k=2
helper_start -t $k hzero
pid=$helper_pid
[ -n "$(region_absent hzero)" ] && skip "huge zero region: $(region_absent hzero)"
n=$((512 * k))

pa_json "$pid"
check_region "$pid" hzero
# Which read faults got the huge zero page is the kernel's choice (it
# falls back to the small zero page), but every page reads as zero.
expect "page-anon zero" "$(pa_get "$pid" hzero zero)" $n
expect "pa-oracle zero" "$(oracle_get "$pid" hzero zero)" $n
expect "page-anon file" "$(pa_get "$pid" hzero file)" 0
expect "page-anon anon" "$(pa_get "$pid" hzero anon)" 0
expect "page-anon thp" "$(pa_get "$pid" hzero thp)" 0
# and the flags table shows the huge zero folio as page-types would
start=$(region_start hzero)
ps=$(getconf PAGESIZE)
"$PAGE_ANON" -p "$pid" --flags -r -a "$((start / ps))+$n" >"$tmp/flags"
grep -q 'zero_page' "$tmp/flags" || fail "no zero_page row in the flags table"
if grep -q 'zero_page.*thp\|thp.*zero_page' "$tmp/flags"; then
	echo "huge zero page seen: $(grep -c . "$tmp/flags") table lines"
else
	echo "note: the kernel mapped the small zero page (no huge zero page available)"
fi
helper_stop
