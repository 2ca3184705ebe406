#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --all: the helper processes appear once each with the counts -p gives
# for them, kernel threads never appear, and RSS/USS/PSS agree with an
# independent computation from kpagecount (uss-pss.py).  Pages the forked
# helpers share are read once (PFN cache hits).
. "$(dirname "$0")/../setup.sh"
live_init
need_prog "${PYTHON3:-python3}"
PYTHON3=${PYTHON3:-python3}
ps=$(getconf PAGESIZE)

# A name of its own, so that no other test's pa-helper joins the group.
name=pa-all-$$
ln -s "$PA_HELPER" "$tmp/$name"
PA_HELPER=$tmp/$name
n=64
helper_start -n $n excl zero
pid=$helper_pid
helper_cmd fork
child=${helper_reply#child }

# kernel threads now (PF_KTHREAD, flags field 9 of /proc/PID/stat)
kthreads=$(for s in /proc/[0-9]*/stat; do
	sed 's/.*) //' "$s" 2>/dev/null | awk -v f="$s" '{ if (int($7 / 2097152) % 2) { sub("/proc/", "", f); sub("/stat", "", f); print f } }'
done)
[ -n "$kthreads" ] || fail "no kernel thread found in /proc"

# The helpers are idle, but other processes start and exit meanwhile and
# change the mapcount of the pages everybody maps ([vdso], libc): the
# independent reading is taken before and after page-anon's, and
# page-anon must lie within the bounds of the two (uss-pss.py).
"$PYTHON3" "$srcdir/tests/live/uss-pss.py" dump "$pid" "$child" >"$tmp/before" ||
	hard_error "uss-pss.py failed"
status=0
"$PAGE_ANON" --all --json >"$tmp/all.json" 2>"$tmp/all.err" || status=$?
pa_json "$pid,$child"	# -p inside the same window
"$PYTHON3" "$srcdir/tests/live/uss-pss.py" dump "$pid" "$child" >"$tmp/after" ||
	hard_error "uss-pss.py failed"
case $status in
0|3) ;;
*) cat "$tmp/all.err" >&2; fail "page-anon --all --json: exit status $status" ;;
esac
"$JQ" -e . "$tmp/all.json" >/dev/null || fail "--all --json: not JSON"

# exactly the two helpers under the helpers' name
rows=$("$JQ" -r --arg n "$name" '[.processes[] | select(.command == $n) | .pid] | sort | map(tostring) | join(",")' "$tmp/all.json")
want=$(printf '%s\n%s\n' "$pid" "$child" | sort -n | paste -sd, -)
expect "--all rows named $name" "$rows" "$want"
expect "--all rows of pid $pid" "$("$JQ" --argjson p "$pid" '[.processes[] | select(.pid == $p)] | length' "$tmp/all.json")" 1

# no kernel thread, and they were counted as skipped
for k in $kthreads; do
	got=$("$JQ" --argjson p "$k" '[.processes[] | select(.pid == $p)] | length' "$tmp/all.json")
	expect "kernel thread $k in --all" "$got" 0
done
nk=$("$JQ" '.scan.processes_skipped.kernel_thread' "$tmp/all.json")
[ "$nk" -gt 0 ] || fail "no kernel thread counted as skipped"
"$JQ" -e '[.processes[].command] | all(test("^(kworker|ksoftirqd|migration|rcu_)") | not)' \
	"$tmp/all.json" >/dev/null || fail "a kernel thread's name in --all"

# RSS/USS/PSS against the independent computation.  A sanitizer build of
# page-anon maps the same sanitizer runtime libraries as the helpers and
# so raises their mapcount while it reads: the independent reading (taken
# without it) cannot agree there, and only the plain build compares.
sanitized=false
if ldd "$PAGE_ANON" 2>/dev/null | grep -q 'lib[at]san\|libubsan'; then
	sanitized=true
	echo "sanitizer build: USS/PSS not compared with the independent reading"
fi
"$PYTHON3" "$srcdir/tests/live/uss-pss.py" bounds "$tmp/before" "$tmp/after" "$ps" >"$tmp/bounds"
$sanitized && : >"$tmp/bounds.used" || cp "$tmp/bounds" "$tmp/bounds.used"
[ "$(wc -l <"$tmp/bounds")" -eq 2 ] || fail "uss-pss.py: no bounds for both helpers"
while read -r p rlo rhi ulo uhi plo phi; do
	set -- $("$JQ" -r --argjson p "$p" '.processes[] | select(.pid == $p) | "\(.rss_bytes) \(.uss_bytes) \(.pss_bytes)"' "$tmp/all.json")
	[ "$1" -ge "$rlo" ] && [ "$1" -le "$rhi" ] || fail "pid $p rss_bytes $1 not in [$rlo, $rhi]"
	[ "$2" -ge "$ulo" ] && [ "$2" -le "$uhi" ] || fail "pid $p uss_bytes $2 not in [$ulo, $uhi]"
	[ "$3" -ge "$plo" ] && [ "$3" -le "$phi" ] || fail "pid $p pss_bytes $3 not in [$plo, $phi]"
	echo "pid $p: rss $1 [$rlo, $rhi], uss $2 [$ulo, $uhi], pss $3 [$plo, $phi]"
done <"$tmp/bounds.used"

# every state as -p reports it (sum over all VMAs), exactly; -p has the
# user and a USS within the same bounds (pages other processes also map,
# such as libc's, can change mapcount between the two readings)
expect "-p user of $pid" "$("$JQ" -r --argjson p "$pid" '.processes[] | select(.pid == $p) | .user' "$tmp/pa.json")" \
	"$("$JQ" -r --argjson p "$pid" '.processes[] | select(.pid == $p) | .user' "$tmp/all.json")"
for p in "$pid" "$child"; do
	want=$("$JQ" --argjson p "$p" ".processes[] | select(.pid == \$p) | .totals.uss * $ps" "$tmp/pa.json")
	got=$("$JQ" --argjson p "$p" '.processes[] | select(.pid == $p) | .uss_bytes' "$tmp/all.json")
	$sanitized && continue
	set -- $(awk -v p="$p" '$1 == p { print $4, $5 }' "$tmp/bounds")
	[ "$want" -ge "$1" ] && [ "$want" -le "$2" ] ||
		fail "pid $p: USS of -p $want not in [$1, $2] (--all: $got)"
done
for p in "$pid" "$child"; do
	for k in anon_exclusive anon_shared anon_sole ksm zero file swapped special unknown; do
		want=$("$JQ" --argjson p "$p" --arg k "$k" "[.processes[] | select(.pid == \$p) | .vmas[].pages[\$k]] | add * $ps" "$tmp/pa.json")
		got=$("$JQ" --argjson p "$p" --arg k "$k" '.processes[] | select(.pid == $p) | .state_bytes[$k]' "$tmp/all.json")
		expect "pid $p $k bytes (--all against -p)" "$got" "$want"
	done
done
# the fork shared the written pages (the zero pages are not copied by
# fork: the VMA has no anonymous pages)
shared=$("$JQ" --argjson p "$child" '.processes[] | select(.pid == $p) | .state_bytes.anon_shared' "$tmp/all.json")
[ "$shared" -ge $((n * ps)) ] || fail "child anon_shared $shared < $((n * ps))"
zero=$("$JQ" --argjson p "$pid" '.processes[] | select(.pid == $p) | .state_bytes.zero' "$tmp/all.json")
# (a sanitizer's shadow memory maps the zero page as well)
if $sanitized; then
	[ "$zero" -ge $((n * ps)) ] || fail "helper zero bytes $zero < $((n * ps))"
else
	expect "helper zero bytes" "$zero" $((n * ps))
fi
# ... and the second helper's copies of them came from the PFN cache
hits=$("$JQ" '.scan.pfn_cache_hits' "$tmp/all.json")
[ "$hits" -ge $n ] || fail "PFN cache hits $hits < $n"

# groups: the helpers' command is one group of 2; totals add up
"$PAGE_ANON" --all --group-by=comm --json >"$tmp/g.json" 2>/dev/null || :
expect "group $name processes" "$("$JQ" --arg n "$name" '.groups[] | select(.key == $n) | .processes' "$tmp/g.json")" 2
"$JQ" -e '([.groups[].rss_bytes] | add) + .other.rss_bytes == .totals.rss_bytes' "$tmp/g.json" >/dev/null ||
	fail "--group-by: the groups do not add up to the totals"
"$PAGE_ANON" --all --group-by=comm --top 2 --json >"$tmp/t.json" 2>/dev/null || :
expect "--top 2 groups" "$("$JQ" '.groups | length' "$tmp/t.json")" 2
"$JQ" -e '.other.processes > 0 and ([.groups[].processes] | add) + .other.processes == .totals.processes' \
	"$tmp/t.json" >/dev/null || fail "--top 2: 'other' does not hold the rest"
"$PAGE_ANON" --all --top 3 --sort=-smaps_rss --json >"$tmp/s.json" 2>/dev/null || :
"$JQ" -e '[.processes[].rss_bytes] as $r | ($r | length) == 3 and $r == ($r | sort | reverse)' \
	"$tmp/s.json" >/dev/null || fail "--top 3 --sort=-smaps_rss: not the 3 largest in order"
# rss is the report's: present pages, zero-page mappings included (the
# helper's 64 zero pages)
"$PAGE_ANON" --all --sort=-rss --json >"$tmp/r.json" 2>/dev/null || :
"$JQ" -e '[.processes[].present_bytes] as $r | $r == ($r | sort | reverse)' \
	"$tmp/r.json" >/dev/null || fail "--sort=-rss: not by present_bytes"
"$JQ" -e --argjson p "$pid" --argjson z $((n * ps)) \
	'.processes[] | select(.pid == $p) | .present_bytes >= .rss_bytes + $z' "$tmp/r.json" >/dev/null ||
	fail "pid $pid: present_bytes does not hold the zero pages on top of rss_bytes"

# -o and --sort take the report's names and, as aliases, the former --all
# names (exclusive, swapped): same columns, same order, the report's headers
for sort in -excl -exclusive; do
	"$PAGE_ANON" --all --bytes -o pid,excl,exclusive,swap,swapped,thp --sort=$sort \
		>"$tmp/o$sort.txt" 2>/dev/null || :
	expect "--all -o with aliases: header (--sort=$sort)" "$(head -n 1 "$tmp/o$sort.txt" | tr -s ' ' | sed 's/^ //')" \
		"PID EXCL EXCL SWAP SWAP THP"
	awk 'NF == 6 && $1 ~ /^[0-9]+$/ { if ($2 != $3 || $4 != $5) exit 1; if (NR > 2 && $2 > last) exit 1; last = $2 }' \
		"$tmp/o$sort.txt" || fail "--all -o excl,exclusive,swap,swapped --sort=$sort: columns differ or not sorted"
	grep -q "^ *$child " "$tmp/o$sort.txt" || fail "--sort=$sort: no row for $child"
done
"$PAGE_ANON" --all --group-by=comm --bytes -o procs,exclusive,shared --sort=-swapped \
	>"$tmp/og.txt" 2>/dev/null || :
expect "--group-by with aliases: header" "$(head -n 1 "$tmp/og.txt" | tr -s ' ')" "COMM PROCS EXCL SHARED"

# the text table has the helpers and a TOTAL row
"$PAGE_ANON" --all --bytes >"$tmp/all.txt" 2>/dev/null || :
grep -q "^ *$child .* $name " "$tmp/all.txt" || fail "--all text: no row for $child"
grep -q "^ *TOTAL" "$tmp/all.txt" || grep -q " TOTAL " "$tmp/all.txt" || fail "--all text: no TOTAL row"

helper_stop
