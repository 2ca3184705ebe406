#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Golden tests on captured /proc trees (tests/fixtures/*.fix, built with
# mkfixture): the real code runs through --sysroot on data of several
# kernel versions.  Needs no root.  `fixtures.sh --regen` rewrites the
# expected files (review the diff before committing).
. "$(dirname "$0")/setup.sh"

fixdir=$srcdir/tests/fixtures
expdir=$srcdir/tests/expected
MKFIXTURE=${MKFIXTURE:-mkfixture}
regen=false
[ "${1:-}" = --regen ] && regen=true

# variant name, then page-anon arguments
variants='report|-p 100 --bytes --all-vmas
report-human|-p 100
report-columns|-p 100 --bytes -o +thp,mmap_excl,uffd_wp
report-name-first|-p 100 --bytes -o name,perms,size,rss,excl
json|-p 100 --json=pretty --all-vmas
flags-raw|-p 100 --flags -r
flags|-p 100 --flags
list|-p 100 -l -M -C -r
list-each-bits|-p 100 -L -r -b anonymous,~thp
pfn-raw|--flags -r
pfn-list-each|-L -a 0x4000,0x4010
describe|-d anonymous,owner_2,0x10
all|--all --bytes
all-grouped|--all --group-by=user --bytes -o procs,smaps_rss,uss,pss,file
all-columns|--all --bytes -o pid,command,rss,smaps_rss,anon,thp,exclusive,swapped --sort=-exclusive'

failed=0
for spec in "$fixdir"/*.fix; do
	name=$(basename "$spec" .fix)
	root=$tmp/$name
	"$MKFIXTURE" "$spec" "$root" || hard_error "mkfixture $spec failed"
	echo "$variants" | while IFS='|' read -r variant args; do
		out=$tmp/$name.$variant
		# shellcheck disable=SC2086
		set +e
		"$PAGE_ANON" --sysroot "$root" $args >"$out" 2>"$out.err"
		echo "exit=$?" >>"$out"
		# a report's timestamp is the time of the run
		sed -i -E 's/("timestamp":[[:space:]]*)[0-9.eE+-]+/\10/' "$out"
		set -e
		if $regen; then
			cp "$out" "$expdir/$name.$variant"
		elif ! diff -u "$expdir/$name.$variant" "$out"; then
			echo "FAIL: $name.$variant differs (page-anon --sysroot ROOT $args)" >&2
			cat "$out.err" >&2
			echo 1 >"$tmp/failed"
		fi
	done
done
[ -e "$tmp/failed" ] && fail "golden outputs differ"

# The VMA table lines up whatever the columns: every value ends where its
# (right-aligned) header ends or starts where its (left-aligned: PERMS,
# NAME) header starts, and -o +LIST keeps the variable-width NAME last.
check_columns()	# file
{
	awk '
	function fail(msg) { print FILENAME ": " msg ": " $0; bad = 1 }
	/^ *[A-Z_]+( +[A-Z_]+)+$/ && / RSS/ {
		n = 0; rest = $0; off = 0
		while (match(rest, /[A-Z_]+/)) {
			n++; name[n] = substr(rest, RSTART, RLENGTH)
			first[n] = off + RSTART; last[n] = off + RSTART + RLENGTH - 1
			off += RSTART + RLENGTH - 1; rest = substr(rest, RSTART + RLENGTH)
		}
		intable = 1; next
	}
	intable && (/^$/ || /^\(/ || /^note: /) { intable = 0 }
	intable {
		for (i = 1; i <= n; i++) {
			if (name[i] == "PERMS" || name[i] == "NAME") {
				if (substr($0, first[i], 1) == " " || (first[i] > 1 && substr($0, first[i] - 1, 1) != " "))
					fail("column " name[i] " does not start under its header")
			} else if (substr($0, last[i], 1) == " " || (last[i] < length($0) && substr($0, last[i] + 1, 1) != " "))
				fail("column " name[i] " does not end under its header")
		}
	}
	END { exit bad }' "$1" || fail "columns of $1 do not line up"
}
for name in k618-basic k66-basic k515-basic; do
	for variant in report report-human report-columns report-name-first; do
		check_columns "$tmp/$name.$variant"
	done
	expect "$name -o +thp,mmap_excl,uffd_wp header" \
		"$(grep ' RSS' "$tmp/$name.report-columns" | tr -s ' ' | sed 's/^ //')" \
		"START PERMS RSS EXCL SHARED SOLE KSM ZERO SWAP UNKNOWN THP MMAP_EXCL UFFD_WP NAME"
done

# Counts that follow from how the fixtures were written, asserted here
# rather than only through the golden files.
state()	# fixture vma-index key
{
	"$JQ" -r ".processes[0].vmas[$2].pages.$3" "$tmp/$1.json.only"
}
for name in k618-basic k66-basic k515-basic; do
	sed '$d' "$tmp/$name.json" >"$tmp/$name.json.only"
	expect "$name heap present" "$(state "$name" 0 present)" 15
	expect "$name heap zero" "$(state "$name" 0 zero)" 2
	expect "$name anon ksm" "$(state "$name" 1 ksm)" 2
	expect "$name anon swapped" "$(state "$name" 1 swapped)" 3
	expect "$name anon special" "$(state "$name" 1 special)" 3
	expect "$name anon guard" "$(state "$name" 1 guard)" 1
	expect "$name anon uffd_wp" "$(state "$name" 1 uffd_wp)" 2
	expect "$name anon thp" "$(state "$name" 1 thp)" 512
	expect "$name file" "$(state "$name" 2 file)" 4
	expect "$name shared anon" "$(state "$name" 3 file)" 2
	expect "$name shared anon is not anon" "$(state "$name" 3 anon)" 0
done
# 5.19+: exclusive / shared / sole; THP tails are unknown without
# PAGEMAP_SCAN (6.10+: they report the head's bit; 6.6: the head holds it)
for name in k618-basic k66-basic; do
	expect "$name heap anon_exclusive" "$(state "$name" 0 anon_exclusive)" 4
	expect "$name heap anon_shared" "$(state "$name" 0 anon_shared)" 4
	expect "$name heap anon_sole" "$(state "$name" 0 anon_sole)" 4
	expect "$name heap unknown (hidden PFN)" "$(state "$name" 0 unknown)" 1
	expect "$name thp head + uffd page exclusive" "$(state "$name" 1 anon_exclusive)" 2
	expect "$name thp tails unknown" "$(state "$name" 1 unknown)" 511
done
# 5.15: no anon-exclusive bit: only "mapped twice" is certain
expect "k515 heap anon_exclusive" "$(state k515-basic 0 anon_exclusive)" 0
expect "k515 heap anon_shared" "$(state k515-basic 0 anon_shared)" 4
expect "k515 heap unknown" "$(state k515-basic 0 unknown)" 9
# the gate VMA is never walked, the hidden PFN makes the result partial
expect "vsyscall present" "$("$JQ" -r '.processes[0].vmas[4].pages.present' "$tmp/k618-basic.json.only")" 0
expect "partial exit" "$(tail -n 1 "$tmp/k618-basic.json")" exit=3

# --all on the captured trees: RSS/USS/PSS exactly as computed directly
# from their pagemap and kpagecount (tests/live/uss-pss.py)
if command -v "${PYTHON3:-python3}" >/dev/null 2>&1; then
	for name in k618-basic k66-basic k515-basic; do
		root=$tmp/$name
		"$PAGE_ANON" --sysroot "$root" --all --json >"$tmp/$name.all.json" 2>/dev/null || :
		"${PYTHON3:-python3}" "$srcdir/tests/live/uss-pss.py" --root "$root" dump 100 >"$tmp/$name.dump"
		want=$("${PYTHON3:-python3}" "$srcdir/tests/live/uss-pss.py" exact "$tmp/$name.dump" 4096 |
			awk '{ print $2, $4, $6 }')
		got=$("$JQ" -r '.processes[] | select(.pid == 100) | "\(.rss_bytes) \(.uss_bytes) \(.pss_bytes)"' \
			"$tmp/$name.all.json")
		expect "$name --all rss uss pss" "$got" "$want"
	done
	# the numbers the fixture was written with (heap: 4 + 4 + 4 resident,
	# 4 mapped twice; 512 THP pages once; KSM 2 pages twice; 4 file pages
	# 3 times; 2 shared anonymous once; 1 uffd page)
	expect "k618 rss pages" "$("$JQ" '.processes[0].rss_bytes / 4096' "$tmp/k618-basic.all.json")" 533
	expect "k618 uss pages" "$("$JQ" '.processes[0].uss_bytes / 4096' "$tmp/k618-basic.all.json")" 523
fi
# --all on a snapshot (another data source): its processes, with the USS
# and PSS the report of each gives
snap=$srcdir/tests/fixtures/fork.pas@1
if [ -f "$srcdir/tests/fixtures/fork.pas" ]; then
	"$PAGE_ANON" --load "$snap" --all --json >"$tmp/snap-all.json" 2>/dev/null || :
	n=$("$JQ" '.processes | length' "$tmp/snap-all.json")
	[ "$n" -ge 1 ] || fail "--load --all: no process"
	for p in $("$JQ" '.processes[].pid' "$tmp/snap-all.json"); do
		"$PAGE_ANON" --load "$snap" -p "$p" --json >"$tmp/snap-p.json" 2>/dev/null || :
		want=$("$JQ" -r '.processes[0].totals | "\(.uss * 4096) \(((.pss_q16 / 65536) | floor) * 4096 + (((.pss_q16 % 65536) * 4096 / 65536) | floor))"' "$tmp/snap-p.json")
		got=$("$JQ" -r --argjson p "$p" '.processes[] | select(.pid == $p) | "\(.uss_bytes) \(.pss_bytes)"' "$tmp/snap-all.json")
		expect "snapshot pid $p: --all USS/PSS against -p" "$got" "$want"
	done
fi
# JSON lists every VMA, also without --all-vmas, so the totals are the
# sum of the listed VMAs; a process that could not be read has partial,
# null counts and null comm (no such process), not zeros.
for name in k618-basic k66-basic k515-basic; do
	"$PAGE_ANON" --sysroot "$tmp/$name" -p 100,4242 --json >"$tmp/$name.every.json" 2>/dev/null || :
	"$JQ" -e '.processes[] | select(.pid == 100) | (.vmas | length) == .vmas_total' \
		"$tmp/$name.every.json" >/dev/null || fail "$name: JSON does not list every VMA"
	bad=$("$JQ" -r '.processes[] | select(.pid == 100) | . as $p
		| [.totals | paths(scalars) | select(. as $k | $p.totals | getpath($k)
		   != ([$p.vmas[].pages | getpath($k)] | add)) | join(".")] | join(" ")' \
		"$tmp/$name.every.json")
	[ -z "$bad" ] || fail "$name: totals are not the sum of the VMAs: $bad"
	"$JQ" -e '.processes[] | select(.pid == 4242) | .partial and .totals == null and
		.comm == null and .vmas == []' "$tmp/$name.every.json" >/dev/null ||
		fail "$name: an unreadable process does not have partial and null counts"
done
exit 0
