#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# MAP_SHARED|MAP_ANONYMOUS memory is shmem: page-cache pages, not anonymous
# (state file), before and after fork.
. "$(dirname "$0")/../setup.sh"
live_init

n=64
helper_start -n $n shared
pid=$helper_pid

pa_json "$pid"
check_region "$pid" shared
expect "page-anon file" "$(pa_get "$pid" shared file)" $n
expect "pa-oracle file" "$(oracle_get "$pid" shared file)" $n
expect "page-anon anon" "$(pa_get "$pid" shared anon)" 0

helper_cmd fork
child=${helper_reply#child }
helper_cmd child-write shared
pa_json "$pid,$child"
for p in "$pid" "$child"; do
	check_region "$p" shared
	expect "after fork: pid $p file" "$(pa_get "$p" shared file)" $n
	expect "after fork: pid $p anon" "$(pa_get "$p" shared anon)" 0
done

helper_stop
