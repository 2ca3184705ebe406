#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The live view shows the text report's hint when many pages are unknown:
# pa-helper with 64 KiB mTHPs (PTE-mapped large folios, never forked) has
# 60 tails that are unknown for the reason large_folio_tail_mapped_once,
# and the selected process row names it.  Enables hugepages-64kB while
# the test runs and restores it.
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/tui-lib.sh"

tui_init
[ -x "$PA_HELPER" ] || skip "pa-helper not built"
knob=/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled
[ -w "$knob" ] || skip "no 64 KiB mTHP support ($knob)"
case $(cat "$knob") in
*"[always]"*|*"[madvise]"*) ;;
*)
	restore_file "$knob"
	echo madvise >"$knob" || skip "cannot enable $knob"
	;;
esac
# a small helper: the mTHP tails are a large part of what it maps
helper_start -n 1 mthp
pid=$helper_pid
"$PAGE_ANON" -p "$pid" >"$tmp/report" 2>&1 || :
grep -q '^note: .*large_folio_tail_mapped_once' "$tmp/report" ||
	skip "no hint in the text report (no 64 KiB mTHPs obtained?)"

tui_start "'$PAGE_ANON' --tui -p $pid 2>'$tmp/pa.err'"
tui_wait "process row" '$1 == '"$pid"' { f = 1 } END { exit !f }'
tui_wait "hint naming the reason" '/unknown .*large_folio_tail_mapped_once/ { f = 1 } END { exit !f }'
tui_keys q
helper_stop
