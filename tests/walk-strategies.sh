#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every walk strategy gives the same answer: one thread or several
# (--threads), linear pagemap reads or PAGEMAP_SCAN (--scan never, auto,
# always), on a process with dense, sparse, THP, many small VMAs and zero
# page memory (tests/walk-workload.c).  Compared: the exclusivity report
# (--json) exactly, and the flags table (--flags -r) with the bits a
# background DAMON monitor flips at any time (referenced, lru, active,
# idle) taken out.  Only the workload's own anonymous mappings are
# compared: the map counts of shared-library pages change whenever another
# process maps the same library (make -j2 check runs tests side by side),
# which flips mmap_exclusive there (kernel-abi.md section 0, rule 11);
# [vdso] and [vvar] are mapped by every process alike.
. "$(dirname "$0")/setup.sh"
need_root
[ -r /proc/kpageflags ] || skip "/proc/kpageflags is not readable"
WALK_WORKLOAD=${WALK_WORKLOAD:-walk-workload}

mkfifo "$tmp/wl.in"
"$WALK_WORKLOAD" <"$tmp/wl.in" >"$tmp/wl.out" 2>"$tmp/wl.err" &
helper_pid=$!
exec 3>"$tmp/wl.in"
at_exit "exec 3>&-"
n=0
while ! grep -q '^ready ' "$tmp/wl.out"; do
	kill -0 "$helper_pid" 2>/dev/null || hard_error "walk-workload: $(cat "$tmp/wl.err")"
	n=$((n + 1))
	[ $n -lt 600 ] || hard_error "walk-workload not ready after 60 s"
	sleep 0.1
done
pid=$(sed -n 's/^ready //p' "$tmp/wl.out")

# Flags table rows as "count names" with the DAMON bits removed from the
# long names, rows that then coincide added up, sorted.
mask_flags()
{
	awk -F'\t' '
		$1 ~ /^0x/ {
			n = split($NF, f, ",")
			key = ""
			for (i = 1; i <= n; i++)
				if (f[i] != "referenced" && f[i] != "lru" &&
				    f[i] != "active" && f[i] != "idle_page")
					key = key "," f[i]
			split($2, c, " ")
			sum[key] += c[1]
		}
		END { for (k in sum) print sum[k], k }' "$1" | sort
}

first=
for threads in 1 2 3; do
	for scan in never auto always; do
		s="threads=$threads scan=$scan"
		f="$tmp/$threads-$scan"
		"$PAGE_ANON" -p "$pid" --json --all-vmas --threads "$threads" --scan "$scan" \
			>"$f.all.json" 2>"$f.err" || fail "$s: --json failed: $(cat "$f.err")"
		"$JQ" -c '.processes[].vmas[] | select(.inode == 0 and (.name | startswith("[v") | not))' "$f.all.json" >"$f.json" ||
			fail "$s: --json output is not JSON"
		"$PAGE_ANON" -p "$pid" --flags -r -b anonymous --threads "$threads" --scan "$scan" \
			>"$f.flags" 2>>"$f.err" || fail "$s: --flags -r failed: $(cat "$f.err")"
		mask_flags "$f.flags" >"$f.masked"
		[ -s "$f.masked" ] || fail "$s: empty flags table"
		if [ -z "$first" ]; then
			first=$f
			continue
		fi
		cmp -s "$first.json" "$f.json" ||
			fail "$s: --json differs from threads=1 scan=never:
$(diff "$first.json" "$f.json" | head -n 20)"
		cmp -s "$first.masked" "$f.masked" ||
			fail "$s: flags table differs from threads=1 scan=never:
$(diff "$first.masked" "$f.masked" | head -n 20)"
	done
done
echo "PASS: $test_name: 9 strategies agree"
