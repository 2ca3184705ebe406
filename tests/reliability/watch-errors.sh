#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --watch stops at the first failed write on standard output and reports
# the error of that write: a full device (/dev/full) gives status 1 and
# "No space left on device" (never a stale "Interrupted system call" from
# the sleep between samples); a reader that went away with SIGPIPE ignored
# ends it quietly.  Before, both wrote into the void forever.
. "$(dirname "$0")/../setup.sh"
need_root
[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
[ -r /proc/kpageflags ] || skip "/proc/kpageflags not readable"
[ -c /dev/full ] && [ -w /dev/full ] || skip "no /dev/full"

sleep 600 &
target=$!
at_exit "kill $target 2>/dev/null"
# Until its exec the PID is the shell's fork: an exec during the first
# sample ends the old memory and says "exited during the scan" (seen
# once under make -j2 check).  Start when it is sleep.
i=0
until [ "$(cat "/proc/$target/comm" 2>/dev/null)" = sleep ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || hard_error "sleep 600 did not start"
	sleep 0.05
done

for args in "-w 0.05" "-w 0.05 --json" "-w 0.05 --flags" "-w 0.05 --freeze"; do
	st=0
	# shellcheck disable=SC2086
	timeout 60 "$PAGE_ANON" -p "$target" $args >/dev/full 2>"$tmp/err" || st=$?
	[ "$st" != 124 ] || fail "$args >/dev/full: did not stop"
	expect "$args >/dev/full: status" "$st" 1
	grep -q "write error on standard output: No space left on device" "$tmp/err" ||
		{ cat "$tmp/err" >&2; fail "$args >/dev/full: not the error of the write"; }
	[ "$(wc -l <"$tmp/err")" = 1 ] ||
		{ cat "$tmp/err" >&2; fail "$args >/dev/full: more than the one message"; }
done
# --freeze resumed the target on that path too
n=0
until [ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$target/status")" = S ]; do
	n=$((n + 1))
	[ $n -lt 400 ] || fail "--freeze >/dev/full left the target stopped"
	sleep 0.05
done

# a reader that goes away while SIGPIPE is ignored: EPIPE, a quiet end
for args in "-w 0.05" "-w 0.05 --json" "-w 0.05 --flags"; do
	# shellcheck disable=SC2086
	{
		trap '' PIPE
		s=0
		timeout 60 "$PAGE_ANON" -p "$target" $args 2>"$tmp/err" || s=$?
		echo $s >"$tmp/st"
	} | head -c 10 >/dev/null
	st=$(cat "$tmp/st")
	[ "$st" != 124 ] || fail "$args | head with SIGPIPE ignored: did not stop"
	case $st in 0|3) ;; *) cat "$tmp/err" >&2; fail "$args | head with SIGPIPE ignored: status $st" ;; esac
	[ ! -s "$tmp/err" ] || { cat "$tmp/err" >&2; fail "$args | head with SIGPIPE ignored: a message"; }
done
exit 0
