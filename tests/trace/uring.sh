#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Pinned memory: 16 MiB written, its first 4 MiB registered as an io_uring
# fixed buffer (pinned for DMA).  At the fork the kernel copies the pinned
# pages for the child (they stay exclusive in the parent) and shares the
# other 3072: the fork event shows 1024 pages pinned, copied at fork,
# exclusive on both sides, and VmPin 4096 kB in the parent.  A snapshot
# of the process records the pins: --load shows them as the live run.
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/trace-lib.sh"
trace_init

if [ -r /proc/sys/kernel/io_uring_disabled ] &&
   [ "$(cat /proc/sys/kernel/io_uring_disabled)" = 2 ]; then
	skip "io_uring is disabled (kernel.io_uring_disabled=2)"
fi
trace_json uring uring 16 4
[ "$trace_rc" != 77 ] || skip "io_uring not available: $(cat "$tmp/uring.err")"
f=$tmp/uring.json
expect "exit status" "$trace_rc" 0
mib16=16777216
q()	# ROLE FIELD of the 16 MiB region after the fork
{
	"$JQ" -r --arg r "$1" 'select(.event == "fork") | .processes[] | select(.role == $r) |
		.vmas[] | select(.size == 16777216) | .after.'"$2" "$f"
}
expect "parent: VmPin" "$(ev "$f" 'select(.event == "fork") | .processes[0].after.vm_pin_kb')" 4096
expect "child: VmPin" "$(ev "$f" 'select(.event == "fork") | .processes[1].after.vm_pin_kb')" 0
expect "parent: pinned pages" "$(q parent pinned)" 1024
expect "child: pinned pages (its copies are not pinned)" "$(q child pinned)" 0
expect "parent: exclusive (pinned, kept)" "$(q parent anon_exclusive)" 1024
expect "parent: shared" "$(q parent anon_shared)" 3072
expect "child: exclusive (copied)" "$(q child anon_exclusive)" 1024
expect "child: shared" "$(q child anon_shared)" 3072
expect "parent: 16 MiB region exclusive -> shared" \
	"$(vma_trans "$f" fork parent $mib16 anon_exclusive anon_shared)" 3072
expect "child: copied at fork, pinned" \
	"$(ev "$f" 'select(.event == "fork") | .processes[1].copied_pinned')" 1024
copied=$(ev "$f" 'select(.event == "fork") | .processes[1].copied_at_fork')
[ "$copied" -ge 1024 ] || fail "child: copied at fork $copied < 1024"

# the report shows VmPin and the pinned pages too, as the oracle counts them
mkfifo "$tmp/in"
"$PA_FORKER" uring-hold 16 4 <"$tmp/in" >"$tmp/hold.out" &
hold=$!
exec 5>"$tmp/in"
at_exit "exec 5>&-; kill $hold 2>/dev/null"
for _ in $(seq 100); do
	grep -q ready "$tmp/hold.out" && break
	sleep 0.1
done
read -r _ pid start end <"$tmp/hold.out" || fail "uring-hold did not start"
"$PAGE_ANON" -p "$pid" --json >"$tmp/rep.json"
expect "report: vm_pin_kb" "$("$JQ" '.processes[0].vm_pin_kb' "$tmp/rep.json")" 4096
expect "report: pinned pages of the region" "$("$JQ" -r '.processes[0].vmas[] |
	select(.end == "'"$end"'") | .pages.pinned' "$tmp/rep.json")" 1024
expect "report: pinned pages in all" "$("$JQ" '.processes[0].totals.pinned' "$tmp/rep.json")" 1024
expect "oracle: pinned pages of the region" \
	"$("$PA_ORACLE" "$pid" "$start" "$end" | sed -n 's/^pinned //p')" 1024
"$PAGE_ANON" -p "$pid" -o +pinned >"$tmp/rep.txt"
grep -q "VmPin 4.0M" "$tmp/rep.txt" || fail "text report: no VmPin in the header: $(head -6 "$tmp/rep.txt")"
grep -Eq " PINNED( |$)" "$tmp/rep.txt" || fail "text report: no PINNED column"

# A snapshot records VmPin and the registered buffers: --load prints the
# same report and JSON as the live run (taken with --freeze both).
"$PAGE_ANON" -p "$pid" --freeze --json >"$tmp/live.json"
"$PAGE_ANON" -p "$pid" --freeze --save "$tmp/u.pas" 2>"$tmp/save.err" ||
	fail "--save: $(cat "$tmp/save.err")"
"$PAGE_ANON" --load "$tmp/u.pas" --json >"$tmp/load.json" || fail "--load --json: exit $?"
expect "snapshot: vm_pin_kb" "$("$JQ" '.processes[0].vm_pin_kb' "$tmp/load.json")" 4096
expect "snapshot: pinned pages of the region" "$("$JQ" -r '.processes[0].vmas[] |
	select(.end == "'"$end"'") | .pages.pinned' "$tmp/load.json")" 1024
# what moves after the capture: the time, the user name, the PSS of the
# pages others map too (libc), and the map counts of file pages: a shared
# library's pages are mapped once more whenever another program maps it
# (doc/kernel-notes.md section 7), so their mmap_exclusive and USS move.
for f in live load; do
	"$JQ" -S 'del(.timestamp, .processes[]?.user)
		| walk(if type == "object" then del(.pss_q16) else . end)
		| (.processes[]?.vmas[]? | select(.inode != 0) | .pages) |= del(.mmap_exclusive, .uss)
		| (.processes[]?.totals) |= del(.mmap_exclusive, .uss)' "$tmp/$f.json" >"$tmp/$f.norm"
done
cmp -s "$tmp/live.norm" "$tmp/load.norm" ||
	fail "--load --json differs from the live one: $(diff "$tmp/live.norm" "$tmp/load.norm" | head -20)"
"$PAGE_ANON" --load "$tmp/u.pas" -o +pinned >"$tmp/load.txt"
grep -q "VmPin 4.0M  pinned buffers 4.0M" "$tmp/load.txt" ||
	fail "--load text report: no VmPin: $(head -6 "$tmp/load.txt")"
exit 0
