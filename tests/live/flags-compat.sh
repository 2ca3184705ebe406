#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# page-anon --flags -r prints the same summary table as page-types
# (bench/pt-baseline re-implements it) for the helper's own regions.  The
# aging bits (referenced, lru, active, idle_page) change at any time under
# DAMON and are masked out of both tables before comparing.
. "$(dirname "$0")/../setup.sh"
live_init
[ -n "$PT_BASELINE" ] && [ -x "$PT_BASELINE" ] || skip "pt-baseline not built"

# table FILE: "flags-without-aging-bits count" per row, merged and sorted.
# Flags are 0x + 16 hex digits; bits 2, 5, 6 and 25 live in the low word,
# which fits a double exactly (mawk has no 64-bit integers or strtonum).
table()
{
	awk '
	function hexval(s,    i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	$1 ~ /^0x[0-9a-f]+$/ && length($1) == 18 && $2 ~ /^[0-9]+$/ {
		hi = substr($1, 3, 8)
		lo = hexval(substr($1, 11, 8))
		split("2 5 6 25", aging, " ")
		for (b in aging)
			if (int(lo / 2 ^ aging[b]) % 2)
				lo -= 2 ^ aging[b]
		sum[hi ":" sprintf("%.0f", lo)] += $2
		rows++
	}
	END {
		for (k in sum)
			print k, sum[k]
		if (!rows)
			print "no rows"
	}' "$1" | sort
}

helper_start excl zero shared thp thp_pte ksm
pid=$helper_pid
psize=$(getconf PAGESIZE)

compare()
{
	for r in $helper_regions; do
		a=$(($(region_start "$r") / psize))
		b=$(($(region_end "$r") / psize))
		st=0
		"$PAGE_ANON" -p "$pid" --flags -r -a "$a,$b" >"$tmp/pa.$r" 2>"$tmp/pa.err" || st=$?
		[ $st -eq 0 ] ||
			{ cat "$tmp/pa.err" >&2; fail "page-anon -p $pid --flags -r -a $a,$b: exit status $st"; }
		"$PT_BASELINE" -p "$pid" -r -a "$a,$b" >"$tmp/pt.$r" 2>"$tmp/pt.err" ||
			{ cat "$tmp/pt.err" >&2; hard_error "pt-baseline -p $pid -r -a $a,$b failed"; }
		table "$tmp/pa.$r" >"$tmp/pa.$r.t"
		table "$tmp/pt.$r" >"$tmp/pt.$r.t"
		if ! cmp -s "$tmp/pa.$r.t" "$tmp/pt.$r.t"; then
			echo "--- pt-baseline, $1, region $r"; cat "$tmp/pt.$r"
			echo "+++ page-anon, $1, region $r"; cat "$tmp/pa.$r"
			diff "$tmp/pt.$r.t" "$tmp/pa.$r.t" || :
			fail "$1: flags table of region $r differs from pt-baseline (aging bits masked)"
		fi
	done
}

compare "fresh"
helper_cmd fork
compare "after fork"
helper_cmd child-write excl
compare "after the child's write"

helper_stop
