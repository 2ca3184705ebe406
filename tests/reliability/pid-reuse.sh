#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --watch measures the process identified at start: when it is reaped and
# its PID handed to a new process (forced through ns_last_pid), the watch
# reports it as exited and never shows the newcomer's memory.
. "$(dirname "$0")/../setup.sh"
need_root
need_prog "$JQ"
[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
[ -r /proc/kpageflags ] || skip "/proc/kpageflags not readable"
[ -w /proc/sys/kernel/ns_last_pid ] || skip "/proc/sys/kernel/ns_last_pid not writable"

tries=0
while :; do
	tries=$((tries + 1))
	[ $tries -le 10 ] || skip "could not get a PID reused (a busy machine takes them first)"
	tail -f /dev/null &	# comm "tail": the process to watch
	old=$!
	"$PAGE_ANON" -p "$old" -w 0.1 --json >"$tmp/out" 2>"$tmp/err" &
	pa=$!
	at_exit "kill $pa 2>/dev/null"
	# wait for the first sample (bounded)
	i=0
	while [ ! -s "$tmp/out" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$tmp/out" ] || fail "--watch printed no sample in 30 s: $(cat "$tmp/err")"
	# SIGKILL: once a SIGTERM was seen to leave the process running and
	# this test waiting for it forever
	kill -KILL "$old"
	wait "$old" 2>/dev/null || :
	echo $((old - 1)) >/proc/sys/kernel/ns_last_pid
	sleep 600 &	# comm "sleep": the newcomer
	new=$!
	at_exit "kill $new 2>/dev/null"
	if [ "$new" -ne "$old" ]; then
		kill "$pa" "$new" 2>/dev/null
		wait "$pa" "$new" 2>/dev/null || :
		continue
	fi
	# bounded: a --watch that misses the exit must fail, not hang
	i=0
	running() { [ -e /proc/$pa ] && ! grep -q '^State:[[:space:]]*Z' /proc/$pa/status 2>/dev/null; }
	while running && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	running && fail "--watch still running 30 s after its process $old exited"
	st=0
	wait "$pa" || st=$?
	kill "$new" 2>/dev/null || :
	break
done
expect "--watch exit status when its process is gone" "$st" 3
grep -q "process $old has exited" "$tmp/err" || { cat "$tmp/err" >&2; fail "exit of $old not reported"; }
n=$("$JQ" -s --argjson p "$old" '[.[] | .processes[] | select(.pid == $p and .comm == "sleep")] | length' "$tmp/out")
expect "samples of the newcomer with the reused PID" "$n" 0
exit 0
