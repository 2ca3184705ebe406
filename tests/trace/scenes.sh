#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --trace-fork on vfork + exec, three generations, threads, a command
# that kills itself with a signal, exit codes, a missing command: events
# in the right order, and page-anon ends as the command did.
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/trace-lib.sh"
trace_init

# vfork + exec: the child shares the parent's memory until its exec
trace_json vfork vfork /bin/true
f=$tmp/vfork.json
expect "vfork: exit status" "$trace_rc" 0
expect "vfork: events" "$(ev "$f" .event | tr '\n' ' ')" "start fork exec exit exit "
expect "vfork: syscall" "$(ev "$f" 'select(.event == "fork") | .syscall')" vfork
child=$(ev "$f" 'select(.event == "fork") | .child')
expect "vfork: the exec is the child's" "$(ev "$f" 'select(.event == "exec") | .pid')" "$child"
expect "vfork: the child execs true" "$(ev "$f" 'select(.event == "exec") | .processes[0].comm')" true
expect "vfork: nothing changes in the parent" \
	"$(ev "$f" 'select(.event == "fork") | .processes[0].transitions | length')" 0
expect "vfork: the child reads as its parent (one mm)" \
	"$(ev "$f" 'select(.event == "fork") | .processes[1].after.counts.anon_exclusive')" \
	"$(ev "$f" 'select(.event == "fork") | .processes[0].after.counts.anon_exclusive')"

# three generations: each writes 1 MiB and forks the next
trace_json chain chain 3
f=$tmp/chain.json
expect "chain: exit status" "$trace_rc" 0
expect "chain: events" "$(ev "$f" .event | tr '\n' ' ')" "start fork fork exit exit exit "
g1=$(ev "$f" 'select(.event == "start") | .pid')
g2=$(ev "$f" "select(.event == \"fork\" and .pid == $g1) | .child")
g3=$(ev "$f" "select(.event == \"fork\" and .pid == $g2) | .child")
[ -n "$g3" ] || fail "chain: no fork by the second generation"
expect "chain: exits, youngest first" "$(ev "$f" 'select(.event == "exit") | .pid' | tr '\n' ' ')" "$g3 $g2 $g1 "
# at the second generation's fork, the third one shares the regions of
# the first (1 MiB + 1 page) and the second (1 MiB + 2 pages)
q()	# SIZE ROLE: the region's anon_shared after gen 2's fork
{
	"$JQ" -r --argjson p "$g2" --argjson s "$1" --arg r "$2" '
		select(.event == "fork" and .pid == $p) | .processes[] | select(.role == $r) |
		.vmas[] | select(.size == $s) | .after.anon_shared' "$f"
}
expect "chain: gen 1's region shared in gen 3" "$(q 1052672 child)" 257
expect "chain: gen 2's region shared in gen 3" "$(q 1056768 child)" 258
expect "chain: gen 2's region shared in gen 2" "$(q 1056768 parent)" 258
expect "chain: gen 2's own region exclusive -> shared" \
	"$("$JQ" -r --argjson p "$g2" 'select(.event == "fork" and .pid == $p) |
	.processes[0].vmas[] | select(.size == 1056768) | .transitions[] |
	select(.from == "anon_exclusive" and .to == "anon_shared") | .pages' "$f")" 258

# a command that kills itself: page-anon ends by the same signal
trace_json kill killself 10
expect "killself: exit status (SIGUSR1)" "$trace_rc" $((128 + 10))
expect "killself: exit event's signal" "$(ev "$tmp/kill.json" 'select(.event == "exit") | .signal')" 10

# an exit code is passed through
trace_json code exit 7
expect "exit 7: exit status" "$trace_rc" 7
expect "exit 7: exit event" "$(ev "$tmp/code.json" 'select(.event == "exit") | .exit_code')" 7
# exit code 1 is the command's, not an error of page-anon: the events
# are the whole output (no "error" document after them)
trace_json one exit 1
expect "exit 1: exit status" "$trace_rc" 1
expect "exit 1: only events on stdout" "$(ev "$tmp/one.json" .type | sort -u)" trace-event

# every VMA is listed (as in the report's JSON), so per process the
# transitions of its VMAs add up to the process's transitions
expect "chain: VMA transitions add up to the process's" "$("$JQ" -r '
	.processes[] | select(.transitions) |
	([.transitions[] | "\(.from)>\(.to)=\(.pages)"] | sort) ==
	([.vmas[].transitions[]] | group_by("\(.from)>\(.to)") |
	 map("\(.[0].from)>\(.[0].to)=\(map(.pages) | add)") | sort)' "$tmp/chain.json" | sort -u)" true

# threads: traced (their forks are seen) but make no events themselves
trace_json threads threads 3
f=$tmp/threads.json
expect "threads: exit status" "$trace_rc" 0
expect "threads: one fork event per thread's child" \
	"$(ev "$f" 'select(.event == "fork") | .syscall' | sort | uniq -c | tr -s ' ')" " 3 fork"
set +e
timeout -s KILL 60 "$PAGE_ANON" --trace-fork --trace-threads --json -- "$PA_FORKER" threads 2 \
	>"$tmp/tt.json" 2>"$tmp/tt.err"
rc=$?
set -e
expect "--trace-threads: exit status" $rc 0
expect "--trace-threads: thread creations" \
	"$(ev "$tmp/tt.json" 'select(.event == "fork" and .syscall == "clone (thread)") | .pid' | wc -l)" 2

# a command that does not exist: 127, as a shell says
set +e
"$PAGE_ANON" --trace-fork -- "$tmp/no-such-command" >"$tmp/none.out" 2>"$tmp/none.err"
rc=$?
set -e
expect "missing command: exit status" $rc 127
# usage errors: nothing to trace, or both a command and -p
for args in "--trace-fork" "--trace-fork -p 1 -- true" "--trace-threads -- true" \
	"--syscall-stops -p 1" "--trace-fork --watch 1 -- true"; do
	set +e
	# shellcheck disable=SC2086
	"$PAGE_ANON" $args >/dev/null 2>"$tmp/usage.err"
	rc=$?
	set -e
	expect "page-anon $args: exit status" $rc 2
done
grep -q "no-such-command: No such file or directory" "$tmp/none.err" ||
	fail "missing command: no message ($(cat "$tmp/none.err"))"
exit 0
