#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# -c PATH|@INODE counts only pages charged to that memory cgroup
# (/proc/kpagecgroup), in the report as in the flags table: the helper's
# written pages are charged to the helper's own memory cgroup.
. "$(dirname "$0")/../setup.sh"
live_init
[ -r /proc/kpagecgroup ] || skip "/proc/kpagecgroup not available (no CONFIG_MEMCG)"

n=64
helper_start -n $n excl
pid=$helper_pid
# the memory cgroup directory of the helper: v1 "N:memory:/path" or v2
# "0::/path"
cg=$(sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' "/proc/$pid/cgroup")
if [ -n "$cg" ] && [ -d "/sys/fs/cgroup/memory$cg" ]; then
	dir=/sys/fs/cgroup/memory$cg
else
	cg=$(sed -n 's/^0::\(.*\)$/\1/p' "/proc/$pid/cgroup")
	dir=/sys/fs/cgroup$cg
fi
[ -d "$dir" ] || skip "no memory cgroup directory for the helper"
ino=$(stat -c %i "$dir")

"$PAGE_ANON" -p "$pid" --report -c "$dir" --json --all-vmas >"$tmp/pa.json" ||
	fail "page-anon --report -c $dir failed"
expect "report -c PATH: anon_exclusive of the region" "$(pa_get "$pid" excl anon_exclusive)" $n
"$PAGE_ANON" -p "$pid" --report -c "@$ino" --json --all-vmas >"$tmp/pa.json" ||
	fail "page-anon --report -c @$ino failed"
expect "report -c @INODE: anon_exclusive of the region" "$(pa_get "$pid" excl anon_exclusive)" $n
# a cgroup that charges nothing here: no page at all
"$PAGE_ANON" -p "$pid" --report -c @1 --json --all-vmas >"$tmp/pa.json" ||
	fail "page-anon --report -c @1 failed"
expect "report -c @1: present pages" "$("$JQ" '.processes[0].totals.present' "$tmp/pa.json")" 0
# the flags table agrees: the region's pages are all in the cgroup
start=$(region_start excl)
ps=$(getconf PAGESIZE)
got=$("$PAGE_ANON" -p "$pid" --flags -c "@$ino" -a "$((start / ps))+$n" | awk '$1 == "total" { print $2 }')
expect "flags -c @INODE: pages of the region" "$got" $n
helper_stop
