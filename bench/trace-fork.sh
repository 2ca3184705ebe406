#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# trace-fork.sh: wall time of fork-heavy commands with and without
# page-anon --trace-fork (`make bench` runs it; README "Fork tracing").
# Median of BENCH_RUNS runs (5), min-max in brackets.  The cases:
#   dash loop   1000 x /bin/true from dash (vfork + exec each)
#   bash loop   1000 x /bin/true from bash (fork + exec each)
#   prefork     a server that writes 64 MiB, then forks 32 workers that
#               each write 1 MiB (bench/prefork)
# Environment: PAGE_ANON, BENCH_PREFORK (program paths), BENCH_RUNS.
set -u

PAGE_ANON=${PAGE_ANON:-./src/page-anon}
PREFORK=${BENCH_PREFORK:-./bench/prefork}
runs=${BENCH_RUNS:-5}

if [ "$(id -u)" != 0 ] || [ ! -r /proc/kpageflags ]; then
	echo "trace-fork.sh: SKIP (needs root and /proc/kpageflags)"
	exit 77
fi

loop='i=0; while [ $i -lt 1000 ]; do /bin/true; i=$((i+1)); done'

# stat N CMD...: "median (min-max)" of N wall times in seconds
stat()
{
	n=$1
	shift
	i=0
	while [ $i -lt "$n" ]; do
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s.%N)
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
		i=$((i + 1))
	done | sort -n | awk '{ v[NR] = $1 } END {
		printf "%.3f (%.3f-%.3f)", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

row()	# NAME CMD...
{
	name=$1
	shift
	plain=$(stat "$runs" "$@")
	traced=$(stat "$runs" "$PAGE_ANON" --trace-fork -- "$@")
	ratio=$(awk -v a="${plain%% *}" -v b="${traced%% *}" 'BEGIN { print b / a }')
	printf "%-10s  %-22s  %-22s  %.2fx\n" "$name" "$plain" "$traced" "$ratio"
}

printf "%-10s  %-22s  %-22s  %s\n" case "untraced s" "--trace-fork s" ratio
row "dash loop" dash -c "$loop"
command -v bash >/dev/null 2>&1 && row "bash loop" bash -c "$loop"
[ -x "$PREFORK" ] && row "prefork 32" "$PREFORK" 32 64
exit 0
