#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Private hugetlb memory: every base page counted as hugetlb and
# anon_exclusive (the head's flag applies to the folio), anon_shared on
# both sides after fork.  Reserves two 2 MiB pages and restores
# nr_hugepages.
. "$(dirname "$0")/../setup.sh"
live_init

nr=/proc/sys/vm/nr_hugepages
[ -w $nr ] || skip "no hugetlb ($nr)"
[ "$(sed -n 's/^Hugepagesize: *\([0-9]*\) kB/\1/p' /proc/meminfo)" = 2048 ] ||
	skip "default huge page size is not 2 MiB"
k=2
free=$(sed -n 's/^HugePages_Free: *//p' /proc/meminfo)
if [ "$free" -lt $k ]; then
	restore_file $nr
	echo $(($(cat $nr) + k - free)) >$nr || skip "cannot set $nr"
	free=$(sed -n 's/^HugePages_Free: *//p' /proc/meminfo)
	[ "$free" -ge $k ] || skip "could not reserve $k huge pages (free: $free)"
fi

helper_start -t $k hugetlb
pid=$helper_pid
[ -z "$(region_absent hugetlb)" ] || skip "hugetlb region: $(region_absent hugetlb)"
n=$((512 * k))

pa_json "$pid"
check_region "$pid" hugetlb
expect "page-anon hugetlb" "$(pa_get "$pid" hugetlb hugetlb)" $n
expect "page-anon anon_exclusive" "$(pa_get "$pid" hugetlb anon_exclusive)" $n

helper_cmd fork
child=${helper_reply#child }
pa_json "$pid,$child"
for p in "$pid" "$child"; do
	check_region "$p" hugetlb
	expect "after fork: pid $p anon_shared" "$(pa_get "$p" hugetlb anon_shared)" $n
done

helper_stop
