#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --tui --trace-fork -- COMMAND: the timeline shows the command's start,
# fork and exit; in step mode (f) the command is held at the fork - parent
# and child stopped by page-anon, the child before its first instruction
# - until c; the fork's details show the 16 MiB going exclusive -> shared
# per VMA.  Quitting with q, Ctrl-C or SIGTERM while a fork is held leaves
# every process of the command running and untraced, and able to fork
# (no seccomp filter is left behind).  --tui --trace-fork -p PID attaches
# to a running process the same way and lets it go on q.
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/tui-lib.sh"
. "$(dirname "$0")/../trace/trace-lib.sh"

tui_init
[ -x "${PA_FORKER:-}" ] || skip "pa-forker not built"
if [ -r /proc/sys/kernel/yama/ptrace_scope ] &&
   [ "$(cat /proc/sys/kernel/yama/ptrace_scope)" = 3 ]; then
	skip "kernel.yama.ptrace_scope is 3: no tracing on this system"
fi

state()		# PID: the state letter, "gone" when it has exited
{
	sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null || echo gone
}
held_pids()	# "PARENT CHILD" from the HELD line of the screen
{
	sed -n 's/^HELD at fork \([0-9]*\) -> \([0-9]*\):.*/\1 \2/p' "$tmp/screen"
}

# 1. step mode, the timeline and an event's details
mkdir -p "$tmp/f"
at_exit "touch '$tmp/f/quit'"
tui_start "'$PAGE_ANON' --tui --trace-fork --color=never --interval 0.2 -- '$TUI_FORKER' -m 16 '$tmp/f' 2>'$tmp/pa.err'; echo \$? >'$tmp/rc'; stty -a >'$tmp/stty'"
tui_wait_file "tui-forker ready" "$tmp/f/ready"
parent=$(cat "$tmp/f/ready")
tui_wait "start event in the timeline" '/^EVENTS/ { e = 1 } e && / start '"$parent"' \(tui-forker\)/ { f = 1 } END { exit !f }'
tui_keys f
tui_wait "step mode on" '/^ page-anon .*\[STEP\]/ { f = 1 } END { exit !f }'
touch "$tmp/f/fork"
tui_wait "held at the fork" '/^HELD at fork '"$parent"' -> [0-9]+:/ { f = 1 } END { exit !f }'
set -- $(held_pids)
child=$2
[ -n "$child" ] || fail "no child PID in the HELD line"
pa=$(tracer "$parent")
[ -n "$pa" ] && [ "$pa" != 0 ] || fail "the command is not traced (TracerPid '$pa')"
# held: both in a tracing stop, for as long as no key is pressed
sleep 1
expect "held parent: state" "$(state "$parent")" t
expect "held child: state" "$(state "$child")" t
expect "held child: tracer" "$(tracer "$child")" "$pa"
[ ! -e "$tmp/f/child" ] || fail "the child ran while held (it wrote $tmp/f/child)"
# the view sampled both at the fork: the 16 MiB shared on both rows
tui_wait "both rows with 16M shared" "$_tui_awk_mib"'
	$1 == '"$parent"' && mib($6) >= 16 { p = 1 }
	$1 == '"$child"' && mib($6) >= 16 { c = 1 } END { exit !(p && c) }'
tui_keys c
tui_wait_file "the child ran once continued" "$tmp/f/child"
expect "continued child's PID" "$(cat "$tmp/f/child")" "$child"
# Running again: each system call stops it for a moment (the view traces
# with PTRACE_SYSCALL), so it must be seen out of a stop at least once,
# not at one sampled moment.
for p in "$parent" "$child"; do
	i=0
	while [ $i -lt 100 ]; do
		case $(state "$p") in t|T) ;; *) break ;; esac
		sleep 0.05
		i=$((i + 1))
	done
	[ $i -lt 100 ] || fail "process $p still stopped 5 s after c"
done

# the timeline, then the fork's details: per process and per VMA
tui_keys e
tui_wait "timeline" '/^ page-anon  [0-9]+ events/ { t = 1 }
	/ fork '"$parent"' -> '"$child"' \(tui-forker\): anon_exclusive -> anon_shared/ { f = 1 }
	END { exit !(t && f) }'
tui_keys Home Down Enter
tui_wait "the fork's details" '
	/^parent '"$parent"' \(tui-forker\)/ { p = 1 }
	p && /^  before: exclusive 16M/ { b = 1 }
	p && /^  after:  exclusive 0  shared 16M/ { a = 1 }
	p && / rw-p +16M +0 +0 +16M  \[anon\] +excl>shr 4096$/ { v = 1 }
	END { exit !(p && b && a && v) }'
tui_keys Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down
tui_wait "the child's part: from the parent's pages, copied at fork" '
	/^child '"$child"' \(tui-forker\): compared with the parent at the entry/ { c = 1 }
	c && /^  transitions: excl>shr 41[0-9][0-9] \(16M\)/ { t = 1 }
	c && /^  copied at fork: [0-9]+ pages/ { f = 1 } END { exit !(c && t && f) }'
tui_keys Escape Escape
tui_wait "back on the process list" '/ Enter VMAs / { f = 1 } END { exit !f }'

touch "$tmp/f/write" "$tmp/f/quit"
tui_wait "the command's exit: status, timeline" '
	$1 == '"$parent"' && / exited 0/ { p = 1 }
	/ exit '"$parent"' \(tui-forker\): exited 0/ { e = 1 }
	/All watched processes have exited/ { n = 1 } END { exit !(p && e && n) }'
tui_keys q
tui_wait_file "page-anon quit" "$tmp/stty"
sleep 0.2
expect "exit status after q" "$(cat "$tmp/rc")" 0
grep -qw -- icanon "$tmp/stty" || fail "terminal not restored: no icanon in stty -a"
grep -qw -- echo "$tmp/stty" || fail "terminal not restored: no echo in stty -a"

# 2. leaving while a fork is held: q (0), Ctrl-C (130), SIGTERM (143)
for how in q C-c TERM; do
	rm -f "$tmp/rc" "$tmp/stty"
	log=$tmp/loop-$how.log
	# the loop runs until killed: whatever happens to this test
	at_exit "kill \$(sed -n 's/^ready //p' '$log') 2>/dev/null"
	"$TMUX_PROG" -L "$tui_sock" kill-server 2>/dev/null || :
	tui_start "'$PAGE_ANON' --tui --trace-fork --color=never --interval 0.2 --command-log '$log' -- '$PA_FORKER' loop 2>'$tmp/pa.err'; echo \$? >'$tmp/rc'; stty -a >'$tmp/stty'"
	tui_wait_file "$how: the loop's output" "$log"
	tui_wait "$how: the loop forks" '/ fork [0-9]+ -> [0-9]+ \(pa-forker\)/ { f = 1 } END { exit !f }'
	loop=$(sed -n 's/^ready //p' "$log")
	[ -n "$loop" ] || fail "$how: no PID in the loop's output: $(cat "$log")"
	tui_keys f
	tui_wait "$how: a fork held" '/^HELD at fork [0-9]+ -> [0-9]+:/ { f = 1 } END { exit !f }'
	set -- $(held_pids)
	expect "$how: the held parent is the loop" "$1" "$loop"
	child=$2
	expect "$how: held parent state" "$(state "$loop")" t
	expect "$how: held child state" "$(state "$child")" t
	case $how in
	q) tui_keys q; want=0 ;;
	C-c) tui_keys C-c; want=130 ;;
	TERM) kill -TERM "$(tracer "$loop")"; want=143 ;;
	esac
	tui_wait_file "$how: page-anon ended" "$tmp/stty"
	sleep 0.2
	expect "$how: exit status" "$(cat "$tmp/rc")" $want
	grep -qw -- icanon "$tmp/stty" || fail "$how: terminal not restored"
	grep -q "no longer tracing the command's" "$tmp/pa.err" ||
		fail "$how: no word about letting the command go: $(cat "$tmp/pa.err")"
	no_stopped_left "$loop" "$child"
	# it keeps forking: its children run and are reaped
	still_forks "$loop" "$how: after page-anon left"
	no_stopped_left "$loop"
	kill "$loop"
done

# 3. -p PID: attached to a running process that forks every 50 ms, every
# fork is read at its entry (system-call stops all along), step mode
# holds it; q leaves it running, untraced, and forking.
rm -f "$tmp/rc" "$tmp/stty"
loop_start "$tmp/ploop.out"
"$TMUX_PROG" -L "$tui_sock" kill-server 2>/dev/null || :
tui_start "'$PAGE_ANON' --tui --trace-fork -p $loop --color=never --interval 0.2 2>'$tmp/pa.err'; echo \$? >'$tmp/rc'; stty -a >'$tmp/stty'"
tui_wait "-p: the attach, then forks in the timeline" '/ start '"$loop"' \(pa-forker\)/ { s = 1 }
	/ fork '"$loop"' -> [0-9]+ \(pa-forker\)/ { f++ } END { exit !(s && f >= 2) }'
pa=$(tracer "$loop")
[ -n "$pa" ] && [ "$pa" != 0 ] || fail "-p: the process is not traced (TracerPid '$pa')"
expect "-p: traced by page-anon" "$(cat "/proc/$pa/comm")" page-anon
tui_keys f
tui_wait "-p: a fork held" '/^HELD at fork '"$loop"' -> [0-9]+:/ { f = 1 } END { exit !f }'
set -- $(held_pids)
child=$2
expect "-p: held parent state" "$(state "$loop")" t
expect "-p: held child state" "$(state "$child")" t
# the held fork was read at its entry: the details have a "before"
tui_keys e End Enter
tui_wait "-p: the held fork's details, with the parent before it" '
	/^parent '"$loop"' \(pa-forker\)/ { p = 1 }
	p && /^  before: / { b = 1 } END { exit !(p && b) }'
tui_keys Escape Escape q
tui_wait_file "-p: page-anon ended" "$tmp/stty"
sleep 0.2
expect "-p: exit status after q" "$(cat "$tmp/rc")" 0
grep -qw -- icanon "$tmp/stty" || fail "-p: terminal not restored"
grep -q "no longer tracing [0-9]* process" "$tmp/pa.err" ||
	fail "-p: no word about letting the processes go: $(cat "$tmp/pa.err")"
if grep -q "the command's" "$tmp/pa.err"; then
	fail "-p: speaks of a command: $(cat "$tmp/pa.err")"
fi
no_stopped_left "$loop" "$child"
expect "-p: tracer after q" "$(tracer "$loop")" 0
still_forks "$loop" "-p: after page-anon left"
kill "$loop"
exit 0
