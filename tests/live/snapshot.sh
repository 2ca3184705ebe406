#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --save/--load round trip on quiescent processes (exclusive, zero, THP
# pages; a fork and a child's writes): every output of --load equals the
# live output taken with --freeze, also when loaded by an unprivileged
# user without /proc access to the processes.  Flag words are compared
# without the bits a background monitor changes (referenced, lru, active,
# idle: they move under DAMON, doc/kernel-notes.md section 7).
. "$(dirname "$0")/../setup.sh"
live_init

n=64
helper_start -n $n excl zero thp
pid=$helper_pid
helper_cmd fork
child=${helper_reply#child }
helper_cmd child-write excl

snap=$tmp/s.pas
"$PAGE_ANON" -p "$pid" --children --freeze --save "$snap" 2>"$tmp/save.err" ||
	{ cat "$tmp/save.err" >&2; fail "--save exit status $?"; }
grep -q "saved 2 processes" "$tmp/save.err" || fail "--save summary: $(cat "$tmp/save.err")"

# A snapshot records the UID, not the user name, and its timestamp is the
# capture's.  What the pages of files (libc) that other processes map too
# count as moves with those processes after the capture: their PSS, and
# whether they are mapped exactly once (mmap_exclusive, USS: the
# sanitizer runtime's pages when the suite runs sanitized beside other
# tests).  The anonymous memory of a VMA is compared whole.
norm_json()	# FILE
{
	"$JQ" -c 'del(.timestamp, .processes[]?.user)
		| walk(if type == "object" then del(.pss_q16) else . end)
		| (.processes[]?.vmas[]? | select(.inode != 0) | .pages) |= del(.mmap_exclusive, .uss)
		| (.processes[]?.totals) |= del(.mmap_exclusive, .uss)' "$1"
}

same()	# WHAT LIVE-ARGS... -- LOAD-ARGS...
{
	_what=$1
	shift
	_live= _load=
	while [ "$1" != -- ]; do _live="$_live $1"; shift; done
	shift
	_load="$*"
	# shellcheck disable=SC2086
	"$PAGE_ANON" $_live >"$tmp/live.out" 2>"$tmp/live.err" || :
	# shellcheck disable=SC2086
	"$PAGE_ANON" --load "$snap" $_load >"$tmp/load.out" 2>"$tmp/load.err" || :
	for _f in live load; do
		if "$JQ" -e . "$tmp/$_f.out" >/dev/null 2>&1; then
			norm_json "$tmp/$_f.out" >"$tmp/$_f.norm"
		else
			sed 's/ user [^ ]*  kernel /  kernel /' "$tmp/$_f.out" >"$tmp/$_f.norm"
		fi
		mv "$tmp/$_f.norm" "$tmp/$_f.out"
	done
	cmp -s "$tmp/live.out" "$tmp/load.out" ||
		{ diff -u "$tmp/live.out" "$tmp/load.out" >&2; fail "$_what: --load differs from the live run"; }
	[ -s "$tmp/load.out" ] || fail "$_what: empty output"
}

same "JSON report" -p "$pid" --children --json --all-vmas --freeze -- --json --all-vmas
same "text report" -p "$pid" --children --bytes --freeze -- --bytes
same "report of the child" -p "$child" --freeze -- -p "$child"
same "report, -a" -p "$pid" -a "$(( $(region_start excl) / 4096 ))+8" --json --freeze -- -p "$pid" \
	-a "$(( $(region_start excl) / 4096 ))+8" --json
same "report, -b" -p "$pid" --report -b thp --json --freeze -- -p "$pid" --report -b thp --json
same "report, sort" -p "$pid",$child --sort=-excl --freeze -- --sort=-excl

# Flags tables and listings: without the monitor's bits, and without
# mmap_exclusive on file pages: a shared library's map counts change
# whenever another program maps it (doc/kernel-notes.md section 7); nor
# dirty and writeback on file pages: written-back pages turn clean at the
# flusher's time, between the capture and the live reading.
flags_same()	# WHAT ARGS...
{
	_w=$1
	shift
	"$PAGE_ANON" -p "$pid,$child" --flags --json "$@" --freeze >"$tmp/lf.json"
	"$PAGE_ANON" --load "$snap" --flags --json "$@" >"$tmp/sf.json"
	for f in lf sf; do
		"$JQ" -c '[.flags[] | {k: (.names - ["referenced", "lru", "active", "idle_page"] -
				(if (.names | index("anonymous")) then [] else ["mmap_exclusive", "dirty", "writeback"] end) | join(",")),
			p: .pages}] | group_by(.k) | map({k: .[0].k, p: (map(.p) | add)})' \
			"$tmp/$f.json" >"$tmp/$f.m"
	done
	cmp -s "$tmp/lf.m" "$tmp/sf.m" || { diff "$tmp/lf.m" "$tmp/sf.m" >&2; fail "$_w: flags table differs"; }
	total=$("$JQ" .total_pages "$tmp/sf.json")
	[ "$total" -gt 0 ] || fail "$_w: no pages"
}
flags_same "flags table"
flags_same "flags table -r" -r
flags_same "flags table -b anon" -b anon

# Listings: addresses, PFNs and counts (not flags).
"$PAGE_ANON" -p "$pid" -L -N --freeze | cut -f1,2 >"$tmp/ll"
"$PAGE_ANON" --load "$snap" -p "$pid" -L -N | cut -f1,2 >"$tmp/sl"
cmp -s "$tmp/ll" "$tmp/sl" || fail "-L listing differs"
[ "$(wc -l <"$tmp/sl")" -gt $((3 * n)) ] || fail "-L listing too short"
# (map counts of the helper's own regions: libc's change as programs start)
a="$(( $(region_start excl) / 4096 ))+$n"
"$PAGE_ANON" -p "$pid" -a "$a" -L -N -M --freeze | cut -f1-3 >"$tmp/ll"
"$PAGE_ANON" --load "$snap" -p "$pid" -a "$a" -L -N -M | cut -f1-3 >"$tmp/sl"
[ "$(wc -l <"$tmp/sl")" -eq $((n + 1)) ] || fail "-L -M -a: not $n pages"
cmp -s "$tmp/ll" "$tmp/sl" || { diff "$tmp/ll" "$tmp/sl" | head >&2; fail "-L -M listing differs"; }
# -l ranges end where flags change: compare the pages they cover
lsum() { s=0; while read -r _v _o len _f; do s=$((s + 0x$len)); done; echo $s; }
"$PAGE_ANON" -p "$pid" -l -N --freeze | tail -n +2 | lsum >"$tmp/ll"
"$PAGE_ANON" --load "$snap" -p "$pid" -l -N | tail -n +2 | lsum >"$tmp/sl"
expect "-l pages" "$(cat "$tmp/sl")" "$(cat "$tmp/ll")"

# Memory cgroups of pages are recorded only with --page-cgroups: without,
# -c and -C on the snapshot say so (exit status 1); with it, the -C
# listing (address, cgroup, PFN) is the live one.
set +e
"$PAGE_ANON" --load "$snap" -c @1 --flags >/dev/null 2>"$tmp/cg.err"
rc=$?
set -e
expect "-c on a capture without page cgroups: status" "$rc" 1
grep -q "saved without --page-cgroups" "$tmp/cg.err" || fail "-c without page cgroups: $(cat "$tmp/cg.err")"
"$PAGE_ANON" -p "$pid" --children --freeze --page-cgroups --save "$tmp/cg.pas" 2>/dev/null ||
	fail "--save --page-cgroups"
"$PAGE_ANON" -p "$pid" -l -N -C -b anonymous --freeze | cut -f1-3 >"$tmp/ll"
"$PAGE_ANON" --load "$tmp/cg.pas" -p "$pid" -l -N -C -b anonymous | cut -f1-3 >"$tmp/sl"
[ "$(wc -l <"$tmp/sl")" -gt 3 ] || fail "-C listing too short"
grep -q '@[1-9]' "$tmp/sl" || fail "-C listing without cgroups: $(head -3 "$tmp/sl")"
cmp -s "$tmp/ll" "$tmp/sl" || { diff "$tmp/ll" "$tmp/sl" | head >&2; fail "-C listing differs"; }

# An unprivileged user reads the same file without /proc.
if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	chmod 755 "$tmp"
	chmod 644 "$snap"
	"$PAGE_ANON" --load "$snap" --json --all-vmas >"$tmp/root.json"
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$PAGE_ANON" --load "$snap" --json --all-vmas >"$tmp/nobody.json" 2>"$tmp/nobody.err" ||
		{ cat "$tmp/nobody.err" >&2; fail "--load as nobody failed"; }
	cmp -s "$tmp/root.json" "$tmp/nobody.json" || fail "--load as nobody differs"
	[ ! -s "$tmp/nobody.err" ] || fail "--load as nobody warned: $(cat "$tmp/nobody.err")"
fi

# --save --all: every process; the helper's report from it is the live one
"$PAGE_ANON" --all --save "$tmp/all.pas" 2>"$tmp/all.err" || { cat "$tmp/all.err" >&2; fail "--save --all"; }
"$PAGE_ANON" --load "$tmp/all.pas" -p "$pid,$child" --json --all-vmas >"$tmp/all.json"
"$PAGE_ANON" -p "$pid,$child" --json --all-vmas --freeze >"$tmp/live.json"
for f in all live; do
	norm_json "$tmp/$f.json" >"$tmp/$f.norm"
done
cmp -s "$tmp/all.norm" "$tmp/live.norm" || fail "--save --all: the helper's report differs"
"$PAGE_ANON" --load "$tmp/all.pas" --all --json >"$tmp/all.json" || fail "--load --all"
expect "--load --all: helper rows" "$("$JQ" --argjson p "$pid" --argjson c "$child" \
	'[.processes[] | select(.pid == $p or .pid == $c)] | length' "$tmp/all.json")" 2

# The child's pages after its write: anon_exclusive in the snapshot too.
"$PAGE_ANON" --load "$snap" --json --all-vmas >"$tmp/pa.json"
expect "child anon_exclusive in the snapshot" "$(pa_get "$child" excl anon_exclusive)" $n
expect "parent anon_sole in the snapshot" "$(pa_get "$pid" excl anon_sole)" $n
helper_stop
