#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Ctrl-C in the middle of --trace-fork -- COMMAND: the terminal signals
# the whole foreground process group.  The command dies of SIGINT,
# page-anon ends the same way, and no process is left stopped or traced.
# SIGTERM sent to page-anon alone is passed on to the command; the third
# one, ignored by the command, makes page-anon let it go.
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/trace-lib.sh"
trace_init
need_prog setsid

run_loop()	# NAME: page-anon --trace-fork -- pa-forker loop in its own group
{
	setsid "$PAGE_ANON" --trace-fork --json -- "$PA_FORKER" loop >"$tmp/$1.json" 2>"$tmp/$1.err" &
	pa=$!
	at_exit "kill -KILL $pa 2>/dev/null"
	for _ in $(seq 100); do
		[ "$(grep -c '"event":"fork"' "$tmp/$1.json" || true)" -ge 3 ] && break
		sleep 0.1
	done
	[ "$(grep -c '"event":"fork"' "$tmp/$1.json" || true)" -ge 3 ] ||
		fail "$1: no fork events: $(cat "$tmp/$1.err")"
	cmd=$(grep '^{' "$tmp/$1.json" | "$JQ" -r 'select(.event == "start") | .pid' | head -n 1)
	[ -n "$cmd" ] || fail "$1: no start event"
}

# Ctrl-C: SIGINT to the process group (setsid made page-anon its leader)
run_loop int
kids=$(cat /proc/$cmd/task/*/children 2>/dev/null || true)
/bin/kill -s INT -- "-$pa"
set +e
wait "$pa"
rc=$?
set -e
expect "Ctrl-C: page-anon's exit status (SIGINT, as the command)" $rc $((128 + 2))
sleep 0.2
kill -0 "$cmd" 2>/dev/null && fail "Ctrl-C: the command survived"
no_stopped_left $kids
if pgrep -g "$pa" >/dev/null 2>&1; then
	for p in $(pgrep -g "$pa"); do no_stopped_left "$p"; done
fi

# SIGTERM to page-anon only: passed on to the command
run_loop term
kill -TERM "$pa"
set +e
wait "$pa"
rc=$?
set -e
expect "SIGTERM: page-anon's exit status (the command's)" $rc $((128 + 15))
kill -0 "$cmd" 2>/dev/null && fail "SIGTERM: the command survived"
expect "SIGTERM: the command's exit event" \
	"$(grep '^{' "$tmp/term.json" | "$JQ" -r 'select(.event == "exit" and .pid == '"$cmd"') | .signal')" 15

# a group stop is kept (the command stays stopped until SIGCONT), then
# the command goes on and its exit code comes through
"$PAGE_ANON" --trace-fork -- "$PA_FORKER" stopself >"$tmp/stop.out" 2>"$tmp/stop.err" &
pa=$!
# The command is also briefly in a ptrace stop ("t") while page-anon
# reads it at its exec: wait until it stays stopped for 5 samples in a row.
cmd=
stopped=0
for _ in $(seq 200); do
	cmd=$(cat /proc/$pa/task/*/children 2>/dev/null | tr -d ' ' || true)
	case $(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' /proc/"${cmd:-0}"/status 2>/dev/null) in
	t|T) stopped=$((stopped + 1)) ;;
	*) stopped=0 ;;
	esac
	[ $stopped -ge 5 ] && break
	sleep 0.1
done
[ -n "$cmd" ] || fail "stopself: no command"
st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' /proc/$cmd/status)
case $st in t|T) ;; *) fail "stopself: the command is not stopped (state $st)" ;; esac
sleep 0.3
kill -0 "$pa" || fail "stopself: page-anon ended while the command was stopped"
kill -0 "$cmd" || fail "stopself: the command ended while stopped"
kill -CONT "$cmd"
set +e
wait "$pa"
rc=$?
set -e
expect "stopself: exit status after SIGCONT" $rc 3

# A command that ignores SIGTERM: the third SIGTERM makes page-anon let it
# go.  Under the seccomp filter its forks fail from then on (said); with
# --syscall-stops nothing is left behind and it keeps forking.
for how in filter syscall-stops; do
	opt=
	[ $how = syscall-stops ] && opt=--syscall-stops
	# shellcheck disable=SC2016,SC2086
	"$PAGE_ANON" --trace-fork $opt --json -- sh -c 'trap "" TERM; exec "$0" loop' "$PA_FORKER" \
		>"$tmp/ign.json" 2>"$tmp/ign.err" &
	pa=$!
	at_exit "kill -KILL $pa 2>/dev/null"
	wait_forks "$tmp/ign.json" 3 "$tmp/ign.err"
	# (the command's own "ready" line is on the same output)
	cmd=$(grep '^{' "$tmp/ign.json" | "$JQ" -r 'select(.event == "start") | .pid' | head -n 1)
	[ -n "$cmd" ] || fail "$how: no start event"
	at_exit "kill -KILL $cmd 2>/dev/null"
	for _ in 1 2 3; do
		kill -TERM "$pa" 2>/dev/null || :
		sleep 0.2
	done
	set +e
	wait "$pa"
	rc=$?
	set -e
	expect "$how: page-anon's exit status after three SIGTERMs" $rc $((128 + 15))
	kill -0 "$cmd" 2>/dev/null || fail "$how: the command did not survive"
	no_stopped_left "$cmd"
	expect "$how: the command's tracer" "$(tracer "$cmd")" 0
	if [ $how = filter ]; then
		grep -q "forks now fail with ENOSYS" "$tmp/ign.err" ||
			fail "$how: no word about ENOSYS: $(cat "$tmp/ign.err")"
	else
		grep -q "keeps running, untraced" "$tmp/ign.err" ||
			fail "$how: message: $(cat "$tmp/ign.err")"
		if grep -q ENOSYS "$tmp/ign.err"; then
			fail "$how: speaks of ENOSYS without a filter: $(cat "$tmp/ign.err")"
		fi
		still_forks "$cmd" "$how"
	fi
	kill -KILL "$cmd"
done
exit 0
