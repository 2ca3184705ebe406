#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# -p PID --trace-fork attaches to a running process that forks every
# 50 ms, sees its forks (the first one from its entry) and its children's
# exits, and on SIGINT (Ctrl-C)
# detaches: the process keeps running, not stopped and not traced
# (TracerPid 0), and it can still fork.  With --syscall-stops every fork
# is read at its entry.
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/trace-lib.sh"
trace_init

loop_start "$tmp/loop.out"

"$PAGE_ANON" --trace-fork --json -p "$loop" >"$tmp/ev.json" 2>"$tmp/ev.err" &
pa=$!
at_exit "kill -KILL $pa 2>/dev/null"
wait_forks "$tmp/ev.json" 3 "$tmp/ev.err"
expect "tracer of the target while attached" \
	"$(tracer "$loop")" "$pa"
kill -INT "$pa"
set +e
wait "$pa"
rc=$?
set -e
expect "exit status after Ctrl-C" $rc 0
kill -0 "$loop" 2>/dev/null || fail "the target died when page-anon detached"
no_stopped_left "$loop" $(cat /proc/$loop/task/*/children 2>/dev/null)
# it still forks: its children keep coming and going
before=$(sed -n 's/^.*(pa-forker) [A-Za-z] [0-9]* [0-9]* [0-9]* [0-9]* [0-9-]* [0-9]* \([0-9]*\) .*/\1/p' /proc/$loop/stat)
sleep 0.3
after=$(sed -n 's/^.*(pa-forker) [A-Za-z] [0-9]* [0-9]* [0-9]* [0-9]* [0-9-]* [0-9]* \([0-9]*\) .*/\1/p' /proc/$loop/stat)
[ "$after" -gt "$before" ] || fail "the target stopped running after the detach (minflt $before -> $after)"
no_stopped_left "$loop"

f=$tmp/ev.json
"$JQ" -e . "$f" >/dev/null || fail "-p: output is not JSON"
expect "-p: first event" "$(ev "$f" .event | head -n 1)" start
expect "-p: fork parent" "$(ev "$f" 'select(.event == "fork") | .pid' | sort -u)" "$loop"
# The first fork after attaching is stopped at its system-call entry, so
# it has a "before" like in command mode: the parent's exclusive pages
# become shared at that fork; later forks are seen after the copy only.
first=$("$JQ" -c 'select(.event == "fork")' "$f" | head -n 1)
expect "-p: first fork stopped at its entry" "$(echo "$first" | "$JQ" .entry_stop)" true
expect "-p: first fork, before read before the event" \
	"$(echo "$first" | "$JQ" '.processes[0].before.time < .time')" true
expect "-p: first fork, the parent's shared pages are the ones it had and those that became shared" \
	"$(echo "$first" | "$JQ" '.processes[0] | .after.counts.anon_shared ==
	 .before.counts.anon_shared + ([.transitions[] | select(.to == "anon_shared") | .pages] | add)')" true
expect "-p: first fork, exclusive -> shared as many as were exclusive" \
	"$(echo "$first" | "$JQ" '.processes[0] | ([.transitions[] |
	 select(.from == "anon_exclusive" and .to == "anon_shared") | .pages] | add // 0) ==
	 .before.counts.anon_exclusive')" true
expect "-p: first fork, nothing exclusive after" \
	"$(echo "$first" | "$JQ" '.processes[0].after.counts.anon_exclusive')" 0
expect "-p: later forks are seen after the copy only" \
	"$(ev "$f" 'select(.event == "fork") | .entry_stop' | tail -n +2 | sort -u)" false
ev "$f" 'select(.event == "exit") | .exit_code' | grep -qx 0 || fail "-p: no child exit seen"

# --syscall-stops: every fork, not only the first, is read at its entry
"$PAGE_ANON" --trace-fork --syscall-stops --json -p "$loop" >"$tmp/ev2.json" 2>"$tmp/ev2.err" &
pa=$!
at_exit "kill -KILL $pa 2>/dev/null"
wait_forks "$tmp/ev2.json" 3 "$tmp/ev2.err"
kill -INT "$pa"
set +e
wait "$pa"
rc=$?
set -e
expect "--syscall-stops: exit status after Ctrl-C" $rc 0
no_stopped_left "$loop" $(cat /proc/$loop/task/*/children 2>/dev/null)
expect "tracer after --syscall-stops" "$(tracer "$loop")" 0
f=$tmp/ev2.json
expect "--syscall-stops: every fork stopped at its entry" \
	"$(ev "$f" 'select(.event == "fork") | .entry_stop' | sort -u)" true
expect "--syscall-stops: every fork, nothing exclusive in the parent after" \
	"$(ev "$f" 'select(.event == "fork") | .processes[0].after.counts.anon_exclusive' | sort -u)" 0

# a PID that does not exist
set +e
"$PAGE_ANON" --trace-fork -p 999999999 >/dev/null 2>"$tmp/nopid.err"
rc=$?
set -e
expect "no such PID: exit status" $rc 1
grep -q "no such process" "$tmp/nopid.err" || fail "no such PID: $(cat "$tmp/nopid.err")"
exit 0
