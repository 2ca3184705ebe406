#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fork() shares anonymous pages (anon_shared on both sides); a write by the
# child copies (child anon_exclusive, parent mapped once but not exclusive:
# anon_sole); a write by the parent then reuses its page (anon_exclusive
# again).  doc/kernel-notes.md section 8.
. "$(dirname "$0")/../setup.sh"
live_init

n=64
helper_start -n $n excl
pid=$helper_pid
helper_cmd fork
child=${helper_reply#child }

pa_json "$pid,$child"
for p in "$pid" "$child"; do
	check_region "$p" excl
	expect "after fork: pid $p anon_shared" "$(pa_get "$p" excl anon_shared)" $n
	expect "after fork: pid $p mmap_exclusive" "$(pa_get "$p" excl mmap_exclusive)" 0
done
nprocs=$("$JQ" '.processes | length' "$tmp/pa.json")
expect "processes in the JSON of -p $pid,$child" "$nprocs" 2
# A text report without USS and PSS columns reads no map counts (pagemap
# bit 56 tells shared from sole): its states equal those of the report
# that reads them for a PSS column.
cols=start,perms,rss,excl,shared,sole,ksm,zero,swap,unknown
"$PAGE_ANON" -p "$pid,$child" --bytes -o "$cols,name" | awk '{ $1 = $1; print }' >"$tmp/nomc.txt"
"$PAGE_ANON" -p "$pid,$child" --bytes -o "$cols,pss,name" |
	awk '{ if (NF >= 11 && ($11 ~ /^[0-9]+$/ || $11 == "PSS")) $11 = ""; $1 = $1; print }' |
	tr -s ' ' >"$tmp/mc.txt"
cmp -s "$tmp/nomc.txt" "$tmp/mc.txt" ||
	fail "after fork: the report without map counts differs: $(diff "$tmp/nomc.txt" "$tmp/mc.txt" | head)"
grep -q "$(printf '%x' "$(region_start excl)") rw-p" "$tmp/nomc.txt" ||
	fail "after fork: no line of the region in $(head "$tmp/nomc.txt")"

helper_cmd child-write excl
pa_json "$pid" -p "$child"
for p in "$pid" "$child"; do
	check_region "$p" excl
done
expect "after child write: child anon_exclusive" "$(pa_get "$child" excl anon_exclusive)" $n
expect "after child write: parent anon_sole" "$(pa_get "$pid" excl anon_sole)" $n
expect "after child write: parent anon_shared" "$(pa_get "$pid" excl anon_shared)" 0

helper_cmd child-exit
helper_cmd write excl
pa_json "$pid"
check_region "$pid" excl
expect "after parent write (reuse): parent anon_exclusive" "$(pa_get "$pid" excl anon_exclusive)" $n
expect "after parent write (reuse): parent anon_sole" "$(pa_get "$pid" excl anon_sole)" 0

helper_stop
