#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Transparent huge pages.  PMD-mapped: all 512 pages of each THP are
# anon_exclusive (the head's PG_anon_exclusive applies to the whole PMD
# mapping), and anon_shared on both sides after fork.  PTE-mapped (the VMA
# was split by mprotect of the last page): since 6.10 kpageflags reports
# the head's bit 34 on every subpage, so only the head is known and the
# 511 tails are unknown (doc/kernel-notes.md sections 3.3 and 6).
. "$(dirname "$0")/../setup.sh"
live_init

k=2
helper_start -t $k thp thp_pte
pid=$helper_pid

got=$(region_note thp thp)
[ -n "$(region_absent thp)" ] && skip "THP region: $(region_absent thp)"
[ "$got" = $k ] || skip "only $got of $k THPs obtained (transparent_hugepage/enabled: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null))"
n=$((512 * k))

pa_json "$pid"
check_region "$pid" thp
expect "PMD-mapped: page-anon anon_exclusive" "$(pa_get "$pid" thp anon_exclusive)" $n
expect "PMD-mapped: page-anon thp" "$(pa_get "$pid" thp thp)" $n
expect "PMD-mapped: pa-oracle anon_exclusive" "$(oracle_get "$pid" thp anon_exclusive)" $n

if [ "$(region_note thp_pte thp)" = 1 ]; then
	check_region "$pid" thp_pte
	expect "PTE-mapped: page-anon thp" "$(pa_get "$pid" thp_pte thp)" 512
	expect "PTE-mapped: page-anon present" "$(pa_get "$pid" thp_pte present)" 512
	# uname -r: 6.10+ reads folio flags (commit dee3d0bef2b0).
	rel=$(uname -r)
	maj=${rel%%.*}
	min=${rel#*.}
	min=${min%%[!0-9]*}
	if [ "$maj" -gt 6 ] || { [ "$maj" -eq 6 ] && [ "$min" -ge 10 ]; }; then
		expect "PTE-mapped: page-anon unknown" "$(pa_get "$pid" thp_pte unknown)" 511
		expect "PTE-mapped: page-anon anon_exclusive (head)" "$(pa_get "$pid" thp_pte anon_exclusive)" 1
	fi
else
	echo "note: no THP for the PTE-mapped case ($(region_note thp_pte thp))"
fi

# fork: the child's PMD maps the same THPs; every subpage has kpagecount 2.
helper_cmd fork
child=${helper_reply#child }
pa_json "$pid,$child"
for p in "$pid" "$child"; do
	check_region "$p" thp
	expect "after fork: pid $p anon_shared" "$(pa_get "$p" thp anon_shared)" $n
	expect "after fork: pid $p thp" "$(pa_get "$p" thp thp)" $n
done

helper_stop
