#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Snapshot fixtures (tests/fixtures/*.pas, taken on Linux 6.18 with
# tests/mksnapshots.sh): the analysis runs on them without root and prints
# the golden outputs; the states and transitions they must show are
# asserted too.  Then every kind of bad file is refused with a message and
# exit status 1.  `snapshots.sh --regen` rewrites the expected files.
#   fork.pas@1  pa-helper: 64 exclusive pages (excl), 64 zero-page reads
#               (zero), a 2 MiB THP (thp)
#   fork.pas@2  after fork (parent and child)
#   fork.pas@3  after the child wrote excl
#   ksm.pas     64 pages merged by KSM (ksm), 64 exclusive (excl)
# Both are files of format revision 1.1 (without the pinned-memory
# section of 1.2): they keep testing that older captures load.
. "$(dirname "$0")/setup.sh"
need_prog "$JQ"

fix=$srcdir/tests/fixtures
expdir=$srcdir/tests/expected
regen=false
[ "${1:-}" = --regen ] && regen=true

variants='fork1.json|--load FORK@1 --json=pretty --all-vmas
fork2.report|--load FORK@2 --bytes --all-vmas
fork3.report-human|--load FORK@3
fork3.flags-raw|--load FORK@3 --flags -r
fork3.flags|--load FORK@3 --flags
fork3.list|--load FORK@3 -l -M -C -r -b anonymous
fork3.list-each|--load FORK@3 -L -N -b thp,~compound_head
fork.diff12|--diff FORK@1 FORK@2 --json=pretty
fork.diff23|--diff FORK@2 FORK@3
ksm.report|--load KSM --all-vmas
ksm.json|--load KSM --json
fork3.check|--load FORK@3 --check
ksm.check-json|--load KSM --check --json'

echo "$variants" | while IFS='|' read -r variant args; do
	out=$tmp/$variant
	args=$(echo "$args" | sed "s|FORK|$fix/fork.pas|g; s|KSM|$fix/ksm.pas|g")
	set +e
	# shellcheck disable=SC2086
	"$PAGE_ANON" $args >"$out.raw" 2>"$out.err"
	echo "exit=$?" >>"$out.raw"
	# file names as given depend on the source directory
	sed "s|$fix/|FIXTURES/|g" "$out.raw" >"$out"
	set -e
	if $regen; then
		cp "$out" "$expdir/snap-$variant"
	elif ! diff -u "$expdir/snap-$variant" "$out"; then
		echo "FAIL: snap-$variant differs (page-anon $args)" >&2
		cat "$out.err" >&2
		echo 1 >"$tmp/failed"
	fi
done
[ -e "$tmp/failed" ] && fail "golden outputs differ"

# What the captures must show, by the kernel's rules (doc/kernel-notes.md 8).
pages()	# capture pid-index region-vma-size state
{
	"$PAGE_ANON" --load "$fix/$1" --json --all-vmas | "$JQ" -r --argjson i "$2" --arg k "$4" \
		"$_pa_jq_hex"'[.processes[$i].vmas[] | select((.end | hex) - (.start | hex) == '"$3"')
		| .pages[$k]] | add'
}
r=262144	# the helper's 64-page regions
expect "before fork: excl exclusive" "$(pages fork.pas@1 0 $r anon_exclusive)" 64
expect "before fork: zero" "$(pages fork.pas@1 0 $r zero)" 64
expect "before fork: thp (two 2 MiB folios)" "$(pages fork.pas@1 0 4194304 thp)" 1024
expect "after fork: parent shared" "$(pages fork.pas@2 0 $r anon_shared)" 64
expect "after fork: child shared" "$(pages fork.pas@2 1 $r anon_shared)" 64
expect "after the child's write: parent sole" "$(pages fork.pas@3 0 $r anon_sole)" 64
expect "after the child's write: child exclusive" "$(pages fork.pas@3 1 $r anon_exclusive)" 64
expect "ksm" "$(pages ksm.pas 0 $r ksm)" 64

# -v on a capture names what it looked up there, not system calls it
# did not make
"$PAGE_ANON" --load "$fix/fork.pas@2" -v >/dev/null 2>"$tmp/v.err" || fail "--load -v: exit $?"
grep -q "capture 2 of 3" "$tmp/v.err" || fail "--load -v: no capture line: $(cat "$tmp/v.err")"
grep -q "looked up in the snapshot" "$tmp/v.err" || fail "--load -v: no walk line: $(cat "$tmp/v.err")"
if grep -q "preads\|PAGEMAP_SCAN calls" "$tmp/v.err"; then
	fail "--load -v speaks of kernel reads: $(cat "$tmp/v.err")"
fi

# --check without -p: every process of the capture, as -p with their PIDs
# and as --all.
pids=$("$PAGE_ANON" --load "$fix/fork.pas@3" --json | "$JQ" -r '[.processes[].pid] | join(",")')
expect "fork.pas@3 processes" "$(echo "$pids" | tr , '\n' | wc -l)" 2
"$PAGE_ANON" --load "$fix/fork.pas@3" --check --json >"$tmp/c0.json" || fail "--load --check: exit $?"
"$PAGE_ANON" --load "$fix/fork.pas@3" --check --json -p "$pids" >"$tmp/c1.json" || fail "--load --check -p: exit $?"
"$PAGE_ANON" --load "$fix/fork.pas@3" --check --json --all >"$tmp/c2.json" || fail "--load --check --all: exit $?"
expect "--load --check: processes checked" \
	"$("$JQ" -r '[.processes[] | select(.checked) | .pid] | join(",")' "$tmp/c0.json")" "$pids"
"$JQ" -S 'del(.timestamp)' "$tmp/c0.json" >"$tmp/c0.n"
"$JQ" -S 'del(.timestamp)' "$tmp/c1.json" >"$tmp/c1.n"
cmp -s "$tmp/c0.n" "$tmp/c1.n" || fail "--load --check differs from --load --check -p $pids"
"$JQ" -S 'del(.timestamp, .all)' "$tmp/c2.json" >"$tmp/c2.n"
"$JQ" -S 'del(.all)' "$tmp/c0.n" >"$tmp/c0.m"
cmp -s "$tmp/c0.m" "$tmp/c2.n" || fail "--load --check differs from --load --check --all"

# A PID the capture does not hold: named as such (not "no such process").
set +e
"$PAGE_ANON" --load "$fix/fork.pas@3" -p 1 >/dev/null 2>"$tmp/p1.err"
rc=$?
set -e
expect "--load -p of a PID not in the capture: status" "$rc" 1
grep -q "process 1 is not in the snapshot .*fork.pas@3" "$tmp/p1.err" || fail "-p 1: $(cat "$tmp/p1.err")"

# Transitions across the fork (the child compared with its parent).
"$PAGE_ANON" --diff "$fix/fork.pas@2" "$fix/fork.pas@3" --json >"$tmp/d.json"
trans()	# process-index
{
	"$JQ" -r --argjson i "$1" '[.processes[$i].vmas[] | .transitions[]
		| select(.pages == 64) | "\(.from)>\(.to)>\(.pfn_changed)"] | sort | join(" ")' "$tmp/d.json"
}
expect "diff 2 3: parent" "$(trans 0)" "anon_shared>anon_sole>false"
expect "diff 2 3: child" "$(trans 1)" "anon_shared>anon_exclusive>true"
"$PAGE_ANON" --diff "$fix/fork.pas@1" "$fix/fork.pas@2" --json >"$tmp/d.json"
expect "diff 1 2: child compared with the parent" \
	"$("$JQ" -r '.processes[1] | "\(.status) \(.compared_with == $p)"' --argjson p \
	"$("$JQ" .processes[0].pid "$tmp/d.json")" "$tmp/d.json")" "new true"

# ---------------------------------------------------------------------
# Bad files: a message naming the file, exit status 1, and on stdout only
# the "error" document (--json's rule for failures, page-anon(8)).
good=$fix/fork.pas
size=$(wc -c <"$good")
bad()	# what expected-message-part
{
	set +e
	"$PAGE_ANON" --load "$tmp/bad" --json >"$tmp/bad.out" 2>"$tmp/bad.err"
	rc=$?
	set -e
	[ "$rc" -eq 1 ] || fail "$1: exit status $rc, expected 1 ($(cat "$tmp/bad.err"))"
	[ "$("$JQ" -r -s 'map(.type) | join(",")' "$tmp/bad.out")" = error ] ||
		fail "$1: stdout is not one error document: $(cat "$tmp/bad.out")"
	grep -q "$tmp/bad: .*$2" "$tmp/bad.err" || fail "$1: message '$(cat "$tmp/bad.err")' lacks '$2'"
}
patch()	# offset hex-bytes: write bytes at offset of a copy of the good file
{
	cp "$good" "$tmp/bad"
	printf "$2" | dd of="$tmp/bad" bs=1 seek="$1" conv=notrunc 2>/dev/null
}
: >"$tmp/bad"; bad "empty file" "not a page-anon snapshot"
echo "hello" >"$tmp/bad"; bad "text file" "not a page-anon snapshot"
head -c 12 "$good" >"$tmp/bad"; bad "short header" "truncated file header"
head -c 16 "$good" >"$tmp/bad"; bad "header only" "no capture"
head -c 30 "$good" >"$tmp/bad"; bad "truncated record header" "truncated header"
head -c $((size - 100)) "$good" >"$tmp/bad"; bad "truncated capture" "truncated"
patch 8 '\002'; bad "newer version" "newer than this page-anon reads"
patch 16 'XAPT'; bad "bad record magic" "bad record header"
patch 100 '\377\377'; bad "flipped payload bytes" "checksum mismatch"
patch 24 '\377'; bad "changed length" "checksum"
mkdir "$tmp/bad.d"; rm -f "$tmp/bad"; ln -s bad.d "$tmp/bad"; bad "directory" "not a regular file"
rm -f "$tmp/bad"; bad "missing file" "No such file"
set +e
"$PAGE_ANON" --load "$good@9" >/dev/null 2>"$tmp/bad.err"; rc=$?
set -e
expect "capture 9 of 3: status" "$rc" 1
grep -q "no capture 9: the file holds 3" "$tmp/bad.err" || fail "capture 9: $(cat "$tmp/bad.err")"

# Hostile payloads with valid checksums: tests/snapshot-hostile.c.
exit 0
