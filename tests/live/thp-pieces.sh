#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A THP region larger than one piece of the walk (PAGEMAP_SCAN pieces are
# at least 64 MiB): every PMD-mapped THP is read once, also where a piece
# ends inside the region.  Pieces that start with the small VMAs before
# the region used to end in the middle of a THP, which was then read page
# by page: --per-page reads 511 pagemap entries more per THP.
# The per-folio reads need kpageflags per folio (6.10+) and PAGEMAP_SCAN.
. "$(dirname "$0")/../setup.sh"
live_init

k=40	# 80 MiB
helper_start -t $k thp
pid=$helper_pid
[ -n "$(region_absent thp)" ] && skip "THP region: $(region_absent thp)"
got=$(region_note thp thp)
[ "$got" = $k ] || skip "only $got of $k THPs obtained (transparent_hugepage/enabled: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null))"

# pagemap entries read, from --verbose: "pid N: ... M pagemap entries, ..."
entries()
{
	sed -n 's/.* \([0-9]*\) pagemap entries.*/\1/p' "$1" | head -n 1
}

pa_json "$pid" --verbose --scan always --threads 1
cp "$tmp/pa.err" "$tmp/folio.err"
grep -q 'per folio (6.10+)' "$tmp/folio.err" && grep -q 'PAGEMAP_SCAN yes' "$tmp/folio.err" ||
	skip "no per-folio reads here: $(head -n 1 "$tmp/folio.err")"
expect "THPs: anon_exclusive" "$(pa_get "$pid" thp anon_exclusive)" $((512 * k))
folio=$(entries "$tmp/folio.err")
pa_json "$pid" --verbose --scan always --threads 1 --per-page
expect "THPs: anon_exclusive (--per-page)" "$(pa_get "$pid" thp anon_exclusive)" $((512 * k))
page=$(entries "$tmp/pa.err")
[ -n "$folio" ] && [ -n "$page" ] || fail "no walk statistics in --verbose"
# Other VMAs can change between the two runs by a few entries (the
# helper's stack); a THP read page by page would cost 511.
saved=$((page - folio))
[ "$saved" -ge $((511 * k - 64)) ] && [ "$saved" -le $((511 * k + 64)) ] ||
	fail "pagemap entries saved by the per-folio reads: $saved ($folio against $page), expected $((511 * k)) (511 per THP)"
echo "PASS: $test_name: $k THPs read once each ($folio pagemap entries, $page per page)"
