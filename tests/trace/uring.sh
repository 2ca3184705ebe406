#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Pinned memory: 16 MiB written, its first 4 MiB registered as an io_uring
# fixed buffer (pinned for DMA).  At the fork the kernel copies the pinned
# pages for the child (they stay exclusive in the parent) and shares the
# other 3072: the fork event shows 1024 pages pinned, copied at fork,
# exclusive on both sides, and VmPin 4096 kB in the parent.
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

# the report shows VmPin and the pinned pages too
exit 0
