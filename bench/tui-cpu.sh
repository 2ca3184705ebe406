#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tui-cpu.sh: CPU used by the live view (--tui) watching a dense 1 GiB
# process at the default refresh interval.  A benchmark, not a test: it
# prints the figure (target: under 5% of one core) and exits 0 once it
# could run; 77 when it cannot (not root, no tmux, programs not built).
#
# The view runs in a detached 80x24 tmux session (it needs a terminal);
# its CPU time is utime + stime from /proc/PID/stat over the measured
# interval, after a warm-up of a few samples.
#
# Environment (defaults in parentheses):
#   PAGE_ANON        page-anon binary (BENCH_BUILDDIR/src/page-anon)
#   BENCH_WORKLOAD   bench/workload binary (BENCH_BUILDDIR/bench/workload)
#   BENCH_BUILDDIR   build directory (.)
#   TUI_CPU_MIB      size of the watched process (1024)
#   TUI_CPU_SECS     measured time (20)
#   TUI_CPU_ARGS     extra page-anon options (none; e.g. "--interval 0.5")
set -u

me=tui-cpu
BENCH_BUILDDIR=${BENCH_BUILDDIR:-.}
PAGE_ANON=${PAGE_ANON:-$BENCH_BUILDDIR/src/page-anon}
WORKLOAD=${BENCH_WORKLOAD:-$BENCH_BUILDDIR/bench/workload}
mib=${TUI_CPU_MIB:-1024}
secs=${TUI_CPU_SECS:-20}
warmup=3
target=5

skip() { echo "$me: SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root (reads /proc/kpageflags and PFNs)"
command -v tmux >/dev/null 2>&1 || skip "tmux not found"
[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
[ -x "$WORKLOAD" ] || skip "bench/workload not built ($WORKLOAD; make bench builds it)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pa-tui-cpu.XXXXXX") || exit 1
sock="pa-tui-cpu-$$"
wl=
cleanup()
{
	tmux -L "$sock" kill-server 2>/dev/null
	[ -n "$wl" ] && kill "$wl" 2>/dev/null && wait "$wl" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

"$WORKLOAD" dense "$mib" >"$tmp/wl.out" 2>"$tmp/wl.err" &
wl=$!
for _ in $(seq 600); do
	grep -q '^ready' "$tmp/wl.out" 2>/dev/null && break
	sleep 0.1
done
grep -q '^ready' "$tmp/wl.out" || { cat "$tmp/wl.err"; echo "$me: workload did not start"; exit 1; }

unset TMUX
# shellcheck disable=SC2086
tmux -L "$sock" new-session -d -x 80 -y 24 \
	"echo \$\$ > '$tmp/shell'; exec '$PAGE_ANON' --tui -p $wl ${TUI_CPU_ARGS:-} 2>'$tmp/pa.err'"
pa=
for _ in $(seq 100); do
	pa=$(tmux -L "$sock" list-panes -F '#{pane_pid}' 2>/dev/null | head -n 1)
	[ -n "$pa" ] && [ "$(cat "/proc/$pa/comm" 2>/dev/null)" = page-anon ] && break
	sleep 0.1
done
[ -n "$pa" ] && [ -r "/proc/$pa/stat" ] || { cat "$tmp/pa.err" 2>/dev/null; echo "$me: page-anon did not start"; exit 1; }

ticks()	# utime + stime of $pa in clock ticks
{
	sed 's/.*) //' "/proc/$pa/stat" | awk '{ print $12 + $13 }'
}

sleep "$warmup"
t0=$(ticks)
s0=$(date +%s.%N)
sleep "$secs"
t1=$(ticks)
s1=$(date +%s.%N)
hz=$(getconf CLK_TCK)
tmux -L "$sock" send-keys q

awk -v t0="$t0" -v t1="$t1" -v s0="$s0" -v s1="$s1" -v hz="$hz" -v mib="$mib" \
	-v target="$target" -v me="$me" 'BEGIN {
	cpu = (t1 - t0) / hz; wall = s1 - s0; pct = 100 * cpu / wall
	printf "%s: --tui -p (%d MiB dense) at the default interval: %.2f s CPU in %.1f s = %.2f%% of one core (target < %d%%): %s\n",
		me, mib, cpu, wall, pct, target, pct < target ? "PASS" : "FAIL"
}'
exit 0
