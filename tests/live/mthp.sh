#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# 64 KiB mTHP (PTE-mapped large folios, 6.8+): each folio's head is
# anon_exclusive, the 15 tails are unknown on 6.10+ (kpageflags reports the
# head's bit 34 for every subpage).  Enables hugepages-64kB for MADV_HUGEPAGE
# regions while the test runs and restores the setting.
. "$(dirname "$0")/../setup.sh"
live_init

knob=/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled
[ -w "$knob" ] || skip "no 64 KiB mTHP support ($knob)"
[ "$(getconf PAGESIZE)" = 4096 ] || skip "page size is not 4 KiB"
case $(cat "$knob") in
*"[always]"*|*"[madvise]"*) ;;
*)
	restore_file "$knob"
	echo madvise >"$knob" || skip "cannot enable $knob"
	;;
esac

helper_start mthp
pid=$helper_pid
oracle_run "$pid" mthp
thp=$(oracle_get "$pid" mthp thp)
[ "$thp" = 64 ] || skip "no 64 KiB mTHPs obtained ($thp of 64 pages in large folios)"

pa_json "$pid"
check_region "$pid" mthp
expect "page-anon thp" "$(pa_get "$pid" mthp thp)" 64
expect "page-anon present" "$(pa_get "$pid" mthp present)" 64
# With only the 64 KiB size enabled the 256 KiB region holds 4 folios.
# Other enabled sizes up to 256 KiB could give other folio sizes: then only require that
# heads plus tails cover the region and that tails are unknown.
others=
for f in /sys/kernel/mm/transparent_hugepage/hugepages-*kB/enabled; do
	[ "$f" = "$knob" ] && continue
	kb=${f##*/hugepages-}
	kb=${kb%%kB/*}
	[ "$kb" -le 256 ] || continue	# does not fit the 256 KiB region
	case $(cat "$f") in
	*"[never]"*) ;;
	*"[inherit]"*) grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled || others=yes ;;
	*) others=yes ;;
	esac
done
x=$(pa_get "$pid" mthp anon_exclusive)
u=$(pa_get "$pid" mthp unknown)
expect "page-anon anon_exclusive + unknown" $((x + u)) 64
if [ -z "$others" ]; then
	expect "page-anon anon_exclusive (heads)" "$x" 4
	expect "page-anon unknown (tails)" "$u" 60
else
	[ "$u" -gt 0 ] || fail "page-anon: no mTHP tail counted as unknown"
fi

helper_stop
