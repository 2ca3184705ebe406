#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --freeze stops the target only for the scan and always resumes it: after
# a normal run, after SIGTERM/SIGINT, and when the output pipe closes.  A
# process that was already stopped stays stopped; page-anon never stops
# itself or PID 1.
. "$(dirname "$0")/../setup.sh"
need_stress

state() { sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status"; }

# 1. a normal run: running before and after
sleep 600 &
s1=$!
at_exit "kill -CONT $s1 2>/dev/null; kill $s1 2>/dev/null"
"$PAGE_ANON" -p "$s1" --freeze >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "--freeze run failed"; }
expect "state after --freeze" "$(state "$s1")" S

# 2. already stopped: left stopped, and said so
kill -STOP "$s1"
# SIGSTOP is delivered asynchronously: wait until the process shows "T"
n=0
while [ "$(state "$s1")" != T ] && [ $n -lt 100 ]; do
	sleep 0.05
	n=$((n + 1))
done
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
	("$PAGE_ANON" -p "$big" --freeze -L --scan=never 2>"$tmp/err" | (sleep 1; cat >/dev/null)) &
	job=$!
	sleep 0.5
	pa=$(pgrep -n -f "^$PAGE_ANON -p $big --freeze" || :)
	[ -n "$pa" ] && kill -"$sig" "$pa" 2>/dev/null
	wait "$job" || :
	expect "state after SIG$sig" "$(state "$big")" S
done

# 6. the reader goes away while the target is stopped: SIGPIPE, resumed.
st=0
"$PAGE_ANON" -p "$big" --freeze -L --scan=never 2>"$tmp/err" | head -1 >/dev/null || st=$?
# resumed: not "T" (it may show "R" for a moment after SIGCONT)
n=0
while [ "$(state "$big")" = T ] && [ $n -lt 100 ]; do
	sleep 0.05
	n=$((n + 1))
done
[ "$(state "$big")" != T ] || fail "state after SIGPIPE: still stopped"
[ ! -s "$tmp/err" ] || { cat "$tmp/err" >&2; fail "SIGPIPE with --freeze: a message on stderr"; }
exit 0
