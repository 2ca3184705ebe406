#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Pages paged out with MADV_PAGEOUT are swapped (pagemap bit 62 with a real
# swap type).  Uses the active swap, or sets up zram0 as swap if it is
# unused (and removes it again).
. "$(dirname "$0")/../setup.sh"
live_init

if [ "$(wc -l </proc/swaps)" -le 1 ]; then
	z=/sys/block/zram0
	[ -e $z ] || modprobe zram 2>/dev/null || :
	[ -e $z ] && [ -b /dev/zram0 ] || skip "no swap and no zram0"
	need_prog mkswap
	need_prog swapon
	[ "$(cat $z/disksize)" = 0 ] || skip "no swap and zram0 is in use"
	echo 64M >$z/disksize || skip "cannot size zram0"
	at_exit "echo 1 > $z/reset"
	mkswap /dev/zram0 >/dev/null || skip "mkswap /dev/zram0 failed"
	swapon /dev/zram0 || skip "swapon /dev/zram0 failed"
	at_exit "swapoff /dev/zram0"
fi

n=64
helper_start -n $n swap
pid=$helper_pid
[ -z "$(region_absent swap)" ] || skip "swap region: $(region_absent swap)"
got=$(region_note swap swapped)
[ "$got" = $n ] || skip "MADV_PAGEOUT swapped out $got of $n pages"

pa_json "$pid"
check_region "$pid" swap
expect "page-anon swapped" "$(pa_get "$pid" swap swapped)" $n
expect "page-anon present" "$(pa_get "$pid" swap present)" 0

# Reading swaps the pages back in; still exclusive to the one process.
helper_cmd read swap
pa_json "$pid"
check_region "$pid" swap
expect "after swap-in: page-anon swapped" "$(pa_get "$pid" swap swapped)" 0
expect "after swap-in: page-anon anon_exclusive" "$(pa_get "$pid" swap anon_exclusive)" $n

helper_stop
