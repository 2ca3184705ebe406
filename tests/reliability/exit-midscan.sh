#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A target that exits while page-anon scans it: the result so far is
# reported as partial (exit status 3), never a crash; a target gone before
# the scan is an error (1).  --watch reports an exited process and ends,
# with status 3, once every watched process has exited.
. "$(dirname "$0")/../setup.sh"
need_stress
need_prog "$JQ"

start_exiting()	# MIB MAX_MS -> $pid; the helper exits by itself
{
	mkfifo "$tmp/rd.$1.$2"
	"$PA_STRESS" exit-after "$1" "$2" >"$tmp/rd.$1.$2" &
	pid=$!
	read -r _w _p <"$tmp/rd.$1.$2" || hard_error "pa-stress exit-after did not start"
	rm -f "$tmp/rd.$1.$2"
}

partial=0
i=0
while [ $i -lt 30 ]; do
	i=$((i + 1))
	start_exiting 256 40
	case $((i % 3)) in
	0) mode="--json" ;;
	1) mode="--flags" ;;
	*) mode="--all-vmas --scan=never" ;;
	esac
	st=0
	# shellcheck disable=SC2086
	"$PAGE_ANON" -p "$pid" $mode >"$tmp/out" 2>"$tmp/err" || st=$?
	wait "$pid" || :
	case $st in
	0) ;;
	1) grep -q "process $pid" "$tmp/err" ||
		{ cat "$tmp/err" >&2; fail "run $i ($mode): status 1 without naming the process"; } ;;
	3) partial=$((partial + 1))
	   grep -q "exited during the scan" "$tmp/err" ||
		{ cat "$tmp/err" >&2; fail "run $i ($mode): status 3 without saying why"; }
	   if [ "$mode" = --json ]; then
		"$JQ" -e '.partial == true' "$tmp/out" >/dev/null ||
			fail "run $i: partial JSON result not marked partial"
	   fi ;;
	*) cat "$tmp/err" >&2; fail "run $i ($mode): exit status $st" ;;
	esac
done
echo "partial results: $partial of $i"

# --watch: two processes, one exits: reported, the watch goes on; when
# the other is gone too, it ends by itself with status 3.
sleep 600 &
idle_pid=$!
at_exit "kill $idle_pid 2>/dev/null"
start_exiting 8 1500
st=0
"$PAGE_ANON" -p "$pid,$idle_pid" -w 0.2 --json >"$tmp/watch.out" 2>"$tmp/watch.err" &
pa=$!
wait "$pid" || :
# let at least two samples see the exit, then end the other process
sleep 1
kill "$idle_pid" 2>/dev/null || :
wait "$pa" || st=$?
wait "$idle_pid" 2>/dev/null || :
expect "--watch exit status after every process exited" "$st" 3
grep -q "process $pid has exited" "$tmp/watch.err" ||
	{ cat "$tmp/watch.err" >&2; fail "--watch did not report the exited process $pid"; }
grep -q "every watched process has exited" "$tmp/watch.err" ||
	fail "--watch did not end because every process exited"
n=$("$JQ" -s 'length' "$tmp/watch.out")
[ "$n" -ge 3 ] || fail "--watch printed $n samples, expected at least 3"
"$JQ" -s -e --argjson p "$idle_pid" '[.[] | .processes[] | select(.pid == $p and .error == null)] | length > 0' \
	"$tmp/watch.out" >/dev/null || fail "--watch did not go on with the remaining process"
exit 0
