#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every walk strategy gives the same answer: one thread or several
# (--threads), linear pagemap reads or PAGEMAP_SCAN (--scan never, auto,
# always), per page (--per-page) or per folio, with pagemap's bit 56
# for kpagecount and with runs of alike pages counted at once in the
# report (the default), on a process with dense, sparse, THP
# (shared with a child after fork and its own), huge zero page, hugetlb
# (when 2 MiB pages can be reserved: nr_hugepages is raised and put
# back), many small VMAs and zero page memory (tests/walk-workload.c).
# The reference is --per-page --threads 1 --scan never; the per-folio
# path must also have been taken (fewer pagemap entries read, --verbose)
# where the kernel reads kpageflags per folio.  Compared: the exclusivity report
# (--json) exactly, and the flags table (--flags -r) with the bits a
# background DAMON monitor flips at any time (referenced, lru, active,
# idle) taken out.  Only the workload's own anonymous mappings are
# compared: the map counts of shared-library pages change whenever another
# process maps the same library (make -j2 check runs tests side by side),
# which flips mmap_exclusive there (doc/kernel-notes.md section 7);
# [vdso] and [vvar] are mapped by every process alike.
. "$(dirname "$0")/setup.sh"
need_root
[ -r /proc/kpageflags ] || skip "/proc/kpageflags is not readable"
WALK_WORKLOAD=${WALK_WORKLOAD:-walk-workload}

# Two private 2 MiB hugetlb pages before fork, two after.
WALK_HUGETLB=0
nr=/proc/sys/vm/nr_hugepages
if [ -w $nr ] && [ "$(sed -n 's/^Hugepagesize: *\([0-9]*\) kB/\1/p' /proc/meminfo)" = 2048 ]; then
	free=$(sed -n 's/^HugePages_Free: *//p' /proc/meminfo)
	if [ "$free" -lt 4 ]; then
		restore_file $nr
		echo $(($(cat $nr) + 4 - free)) >$nr 2>/dev/null
		free=$(sed -n 's/^HugePages_Free: *//p' /proc/meminfo)
	fi
	[ "$free" -ge 4 ] && WALK_HUGETLB=1
fi
[ $WALK_HUGETLB = 1 ] || echo "note: no hugetlb pages: the hugetlb regions are left out"
export WALK_HUGETLB

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

# pagemap entries read, from --verbose: "pid N: ... M pagemap entries, ..."
entries()
{
	sed -n 's/.* \([0-9]*\) pagemap entries.*/\1/p' "$1" | head -n 1
}

first=
n=0
for s in "--per-page --threads 1 --scan never" \
	 "--per-page --threads 2 --scan always" \
	 "--threads 1 --scan never" "--threads 1 --scan auto" "--threads 1 --scan always" \
	 "--threads 2 --scan never" "--threads 2 --scan auto" "--threads 2 --scan always" \
	 "--threads 3 --scan never" "--threads 3 --scan auto" "--threads 3 --scan always"; do
	n=$((n + 1))
	f="$tmp/s$n"
	# shellcheck disable=SC2086
	"$PAGE_ANON" -p "$pid" --json --all-vmas --verbose $s \
		>"$f.all.json" 2>"$f.err" || fail "$s: --json failed: $(cat "$f.err")"
	"$JQ" -c '.processes[].vmas[] | select(.inode == 0 and (.name | startswith("[v") | not))' "$f.all.json" >"$f.json" ||
		fail "$s: --json output is not JSON"
	# shellcheck disable=SC2086
	"$PAGE_ANON" -p "$pid" --flags -r -b anonymous $s \
		>"$f.flags" 2>>"$f.err" || fail "$s: --flags -r failed: $(cat "$f.err")"
	mask_flags "$f.flags" >"$f.masked"
	[ -s "$f.masked" ] || fail "$s: empty flags table"
	# Plain --flags -r (no filter: counted by the fast path)
	# shellcheck disable=SC2086
	"$PAGE_ANON" -p "$pid" --flags -r $s >"$f.table" 2>>"$f.err" ||
		fail "$s: --flags -r failed: $(cat "$f.err")"
	grep -E 'anonymous|zero_page|huge' "$f.table" | mask_flags /dev/stdin >"$f.tmasked"
	if [ -z "$first" ]; then
		first=$f
		continue
	fi
	cmp -s "$first.json" "$f.json" ||
		fail "$s: --json differs from --per-page --threads 1 --scan never:
$(diff "$first.json" "$f.json" | head -n 20)"
	cmp -s "$first.masked" "$f.masked" ||
		fail "$s: flags table (-b anonymous) differs from --per-page --threads 1 --scan never:
$(diff "$first.masked" "$f.masked" | head -n 20)"
	cmp -s "$first.tmasked" "$f.tmasked" ||
		fail "$s: flags table differs from --per-page --threads 1 --scan never:
$(diff "$first.tmasked" "$f.tmasked" | head -n 20)"
done

# The per-folio reads were used where they can be: PMD-mapped THPs of
# the process's own (and hugetlb pages) need one pagemap entry per folio.
thp_kb=$(awk '$1 == "AnonHugePages:" { s += $2 } END { print s + 0 }' "/proc/$pid/smaps")
if grep -q 'per folio (6.10+)' "$first.err" && grep -q 'PAGEMAP_SCAN yes' "$first.err" &&
	{ [ "$thp_kb" -ge 4096 ] || [ $WALK_HUGETLB = 1 ]; }; then
	per_page=$(entries "$tmp/s2.err") per_folio=$(entries "$tmp/s5.err")
	if [ -z "$per_page" ] || [ -z "$per_folio" ]; then
		fail "no walk statistics in --verbose"
	fi
	[ "$per_folio" -lt $((per_page - 1000)) ] ||
		fail "the per-folio path was not taken: $per_folio pagemap entries against $per_page per page"
	echo "pagemap entries: $per_page per page, $per_folio per folio"
fi
echo "PASS: $test_name: $n strategies agree"
