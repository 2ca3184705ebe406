#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# KSM merges pages of identical content: state ksm (KPF_KSM; trusted on
# kernels without the 6.10 "KSM on every anon page" bug, which page-anon
# self-tests).  Turns KSM on with a fast scan rate and restores every
# setting.
. "$(dirname "$0")/../setup.sh"
live_init

ksm=/sys/kernel/mm/ksm
[ -w $ksm/run ] || skip "no KSM ($ksm/run)"
for f in run pages_to_scan sleep_millisecs; do
	restore_file $ksm/$f
done

n=64
helper_start -n $n ksm
pid=$helper_pid

echo 2000 >$ksm/pages_to_scan || skip "cannot set $ksm/pages_to_scan"
echo 10 >$ksm/sleep_millisecs || skip "cannot set $ksm/sleep_millisecs"
echo 1 >$ksm/run || skip "cannot start KSM"
helper_cmd ksm-merge ksm

# Bounded wait: KSM needs a few full scans before it merges.
i=0
while :; do
	oracle_run "$pid" ksm
	[ "$(oracle_get "$pid" ksm ksm)" = $n ] && break
	i=$((i + 1))
	[ $i -lt 60 ] || skip "KSM did not merge the pages within 30 s ($(oracle_get "$pid" ksm ksm) of $n)"
	sleep 0.5
done

pa_json "$pid"
check_region "$pid" ksm
expect "page-anon ksm" "$(pa_get "$pid" ksm ksm)" $n
expect "page-anon anon_exclusive" "$(pa_get "$pid" ksm anon_exclusive)" 0
expect "page-anon mmap_exclusive" "$(pa_get "$pid" ksm mmap_exclusive)" 0

helper_stop
