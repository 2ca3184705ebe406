# SPDX-License-Identifier: GPL-2.0-or-later
# Shared part of the --trace-fork tests (sourced after setup.sh).
#	trace_init		skip unless root, jq, page-anon, pa-forker, ptrace
#	trace_json NAME ARGS...	page-anon --trace-fork --json -- pa-forker ARGS
#				into $tmp/NAME.json; $trace_rc is its exit status;
#				the events are checked against the schema
#	ev FILE JQ-FILTER	jq -r over the events of FILE
#	vma_trans FILE EVENT ROLE SIZE FROM TO
#				pages of the VMA of SIZE bytes that went FROM ->
#				TO for ROLE in the first EVENT (0 if none)
#	no_stopped_left PID...	fail if one of them is stopped or traced
#	tracer PID		its TracerPid (empty when it has exited)
#	still_forks PID WHAT	fail unless PID's children keep coming and
#				going (its reaped children's minor faults
#				grow within 0.5 s)
#	loop_start FILE		start "pa-forker loop" (a fork every 50 ms),
#				its output to FILE; $loop is its PID, killed
#				at exit
#	wait_forks FILE N ERR	wait (10 s at most) for N fork events in the
#				NDJSON FILE, or fail showing page-anon's
#				stderr file ERR

trace_init()
{
	need_root
	need_prog "$JQ"
	[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
	[ -x "${PA_FORKER:-}" ] || skip "pa-forker not built"
	[ -r /proc/kpageflags ] || skip "/proc/kpageflags not readable"
	if [ -r /proc/sys/kernel/yama/ptrace_scope ] &&
	   [ "$(cat /proc/sys/kernel/yama/ptrace_scope)" = 3 ]; then
		skip "kernel.yama.ptrace_scope is 3: no tracing on this system"
	fi
}

trace_json()
{
	_name=$1
	shift
	set +e
	timeout -s KILL 60 "$PAGE_ANON" --trace-fork --json -- "$PA_FORKER" "$@" \
		>"$tmp/$_name.json" 2>"$tmp/$_name.err"
	trace_rc=$?
	set -e
	[ "$trace_rc" != 137 ] || fail "page-anon --trace-fork -- pa-forker $* hung (killed after 60 s)"
	if "${PYTHON3:-python3}" -c 'import jsonschema' 2>/dev/null; then
		"${PYTHON3:-python3}" "$srcdir/tests/check-json.py" "$srcdir/tests/schema" \
			"$tmp/$_name.json" >/dev/null ||
			fail "pa-forker $*: events do not match tests/schema/trace-event.schema.json"
	fi
}

ev()
{
	"$JQ" -r "$2" "$1"
}

vma_trans()
{
	"$JQ" -r --arg e "$2" --arg r "$3" --argjson s "$4" --arg f "$5" --arg t "$6" '
		select(.event == $e) | .processes[] | select(.role == $r) |
		[.vmas[] | select(.size == $s) | .transitions[] |
		 select(.from == $f and .to == $t) | .pages] | add // 0' "$1" | head -n 1
}

loop_start()
{
	"$PA_FORKER" loop >"$1" &
	loop=$!
	at_exit "kill $loop 2>/dev/null"
	for _ in $(seq 100); do
		grep -q ready "$1" && return 0
		sleep 0.1
	done
	fail "pa-forker loop did not start"
}

wait_forks()
{
	for _ in $(seq 100); do
		[ "$(grep -c '"event":"fork"' "$1" || true)" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "$1: fewer than $2 fork events after attaching: $(cat "$3")"
}

tracer()
{
	sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null
}

still_forks()
{
	# field 10 after the command: cminflt, minor faults of reaped children
	_b=$(sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $8 }')
	sleep 0.5
	_a=$(sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $8 }')
	[ "$_a" -gt "$_b" ] || fail "$2: process $1 no longer forks ($_b -> $_a)"
}

# A process page-anon traced must be neither stopped (T/t) nor traced.
no_stopped_left()
{
	for _p in "$@"; do
		# a process that exits meanwhile (the loop's children) reads empty
		_st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$_p/status" 2>/dev/null || :)
		_tr=$(tracer "$_p" || :)
		case $_st in T|t) fail "process $_p left stopped (state $_st)" ;; esac
		[ -z "$_tr" ] || [ "$_tr" = 0 ] || fail "process $_p left traced by $_tr"
	done
}
