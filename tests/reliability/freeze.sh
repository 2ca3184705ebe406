#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --freeze stops the target only for the scan and always resumes it: after
# a normal run, after SIGTERM/SIGINT, and when the output pipe closes.  A
# process that was already stopped stays stopped; page-anon never stops
# itself or PID 1.
. "$(dirname "$0")/../setup.sh"
need_stress

state() { sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status"; }

# wait_state PID WANT: true once PID's state letter is WANT, at most 20 s.
# A state changes asynchronously (SIGSTOP, SIGCONT, a wakeup), and a
# resumed process may show R for a while on a loaded machine: never
# judge from one sample.
wait_state()
{
	_n=0
	while [ "$(state "$1")" != "$2" ]; do
		_n=$((_n + 1))
		[ $_n -lt 400 ] || return 1
		sleep 0.05
	done
}

# 1. a normal run: running before and after
sleep 600 &
s1=$!
at_exit "kill -CONT $s1 2>/dev/null; kill $s1 2>/dev/null"
"$PAGE_ANON" -p "$s1" --freeze >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "--freeze run failed"; }
wait_state "$s1" S || fail "state after --freeze: $(state "$s1"), expected S"

# 2. already stopped: left stopped, and said so
kill -STOP "$s1"
wait_state "$s1" T || fail "SIGSTOP did not stop $s1"
"$PAGE_ANON" -p "$s1" --freeze >/dev/null 2>"$tmp/err" || fail "--freeze on a stopped process failed"
grep -q "already stopped" "$tmp/err" || fail "--freeze did not say the process was already stopped"
expect "a process stopped before --freeze" "$(state "$s1")" T
kill -CONT "$s1"

# 3. page-anon's own process (the shell it replaces)
# shellcheck disable=SC2016
sh -c 'exec "$0" -p $$ --freeze' "$PAGE_ANON" >/dev/null 2>"$tmp/err" ||
	{ cat "$tmp/err" >&2; fail "--freeze -p self failed"; }
grep -q "not stopping page-anon itself" "$tmp/err" || fail "--freeze -p self: no warning"

# 4. PID 1 is never stopped (it may not be readable at all here)
"$PAGE_ANON" -p 1 --freeze >/dev/null 2>"$tmp/err" || :
grep -q "not stopping PID 1" "$tmp/err" || fail "--freeze -p 1: no warning"
expect "PID 1 state" "$(state 1 | tr -d 'RSDI')" ""

# 5. SIGTERM and SIGINT during a long frozen scan (-L lists every page of
#    a big process, into a slow reader): the target is resumed.
stress_start 5 rd vmas 5000
big=$stress_pid
for sig in TERM INT; do
	rm -f "$tmp/pipe"
	mkfifo "$tmp/pipe"
	"$PAGE_ANON" -p "$big" --freeze -L --scan=never >"$tmp/pipe" 2>"$tmp/err" &
	pa=$!
	exec 8<"$tmp/pipe"
	# stopped while page-anon waits for the reader
	wait_state "$big" T || { exec 8<&-; fail "SIG$sig: the target was never stopped"; }
	kill -s "$sig" "$pa"
	cat <&8 >/dev/null
	exec 8<&-
	wait "$pa" || :
	wait_state "$big" S || fail "state after SIG$sig: $(state "$big"), expected S"
done

# 6. the reader goes away while the target is stopped: SIGPIPE, resumed.
st=0
"$PAGE_ANON" -p "$big" --freeze -L --scan=never 2>"$tmp/err" | head -1 >/dev/null || st=$?
wait_state "$big" S || fail "state after SIGPIPE: $(state "$big"), expected S"
[ ! -s "$tmp/err" ] || { cat "$tmp/err" >&2; fail "SIGPIPE with --freeze: a message on stderr"; }
exit 0
