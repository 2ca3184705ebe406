#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --freeze resumes the target whatever signal ends page-anon: every signal
# whose default action terminates it (here while page-anon is blocked
# writing a listing into a pipe nobody reads, the target stopped) leaves
# the target running, and page-anon still dies of that signal (the exit
# status names it).  SIGINT, SIGTERM and SIGHUP stop the scan instead and
# page-anon exits normally, the target resumed.
. "$(dirname "$0")/../setup.sh"
need_stress
env --default-signal true 2>/dev/null || skip "env --default-signal not supported"

state() { sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status"; }

# wait_state PID WANT: true once PID's state letter is WANT (at most 20
# s); a process that is gone counts as Z
wait_state()
{
	_n=0
	while [ "$(state "$1" 2>/dev/null || echo Z)" != "$2" ]; do
		_n=$((_n + 1))
		[ $_n -lt 400 ] || return 1
		sleep 0.05
	done
}

stress_start 5 big vmas 5000
big=$stress_pid

# frozen_start SIG: page-anon -L into a pipe that is not read, so it
# blocks with $big stopped; then send SIG.  Sets $pa.
frozen_start()
{
	rm -f "$tmp/pipe"
	mkfifo "$tmp/pipe"
	# background jobs of a non-interactive shell ignore SIGINT and
	# SIGQUIT: give page-anon the default disposition of every signal
	(ulimit -c 0; exec env --default-signal "$PAGE_ANON" -p "$big" --freeze -L --scan=never \
		>"$tmp/pipe" 2>"$tmp/err") &
	pa=$!
	exec 8<"$tmp/pipe"
	wait_state "$big" T || { exec 8<&-; kill "$pa"; fail "$1: the target was never stopped"; }
	kill -s "$1" "$pa"
}

# frozen_end: close the pipe, wait for page-anon; sets $st.
frozen_end()
{
	exec 8<&-
	st=0
	wait "$pa" || st=$?
}

for sig in USR1 USR2 ALRM VTALRM XCPU PROF XFSZ IO PWR SYS QUIT PIPE ABRT RTMIN RTMIN+3 RTMAX; do
	kill -l | grep -qx "${sig%%[+-]*}" || continue	# not on this architecture
	frozen_start "$sig"
	# (closing the pipe first would race SIGPIPE against the signal)
	wait_state "$pa" Z || fail "SIG$sig: page-anon did not end"
	frozen_end
	[ "$st" -gt 128 ] || { cat "$tmp/err" >&2; fail "SIG$sig: page-anon exited with status $st"; }
	expect "SIG$sig: page-anon died of" "$(kill -l "$st")" "$sig"
	wait_state "$big" S || fail "SIG$sig: the target is left in state $(state "$big")"
done

# handled signals: the scan stops and the target resumes at once, even
# while page-anon is still blocked on the pipe; it ends when the pipe does
for sig in INT TERM HUP; do
	frozen_start "$sig"
	wait_state "$big" S || fail "SIG$sig: the target is left in state $(state "$big")"
	frozen_end
	[ "$st" -le 128 ] || [ "$(kill -l "$st")" != "$sig" ] || fail "SIG$sig: page-anon died of it"
	[ "$(state "$big")" = S ] || fail "SIG$sig: the target is in state $(state "$big") at the end"
done

# the same in --watch, whose samples freeze and thaw again and again: the
# signal comes at any moment of the cycle
for i in 1 2 3 4 5 6; do
	(exec env --default-signal "$PAGE_ANON" -p "$big" -w 0.05 --freeze --scan=never \
		>/dev/null 2>"$tmp/err") &
	pa=$!
	wait_state "$big" T || { kill "$pa"; fail "--watch: the target was never stopped"; }
	sleep "0.0$i"
	kill -s USR1 "$pa"
	st=0
	wait "$pa" || st=$?
	expect "--watch, SIGUSR1 ($i): page-anon died of" "$(kill -l "$st")" USR1
	wait_state "$big" S || fail "--watch, SIGUSR1 ($i): the target is left in state $(state "$big")"
done
exit 0
