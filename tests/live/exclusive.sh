#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Private anonymous pages written by their only user are anon_exclusive
# (PG_anon_exclusive, kpageflags bit 34, 5.19+).
. "$(dirname "$0")/../setup.sh"
live_init

n=64
helper_start -n $n excl
pid=$helper_pid

pa_json "$pid"
check_region "$pid" excl
expect "page-anon anon_exclusive" "$(pa_get "$pid" excl anon_exclusive)" $n
expect "pa-oracle anon_exclusive" "$(oracle_get "$pid" excl anon_exclusive)" $n
expect "page-anon present" "$(pa_get "$pid" excl present)" $n
expect "page-anon anon" "$(pa_get "$pid" excl anon)" $n
expect "page-anon mmap_exclusive" "$(pa_get "$pid" excl mmap_exclusive)" $n

# The process totals must include the region.
tot=$("$JQ" --argjson pid "$pid" '.processes[] | select(.pid == $pid) | .totals.anon_exclusive' "$tmp/pa.json")
[ "$tot" -ge $n ] || fail "totals.anon_exclusive $tot < $n"

helper_stop
