#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the fuzz harnesses with clang's libFuzzer, ASan and UBSan against
# the sources in src/ and fuzz each for a while.  See tests/fuzz/README.md.
#
#   tests/fuzz/run-fuzz.sh [--builddir DIR] [--out DIR] [--avoid-known-bugs]
#                          [HARNESS...]
#
# --builddir: a configured build tree (its config.h is used); default: the
# current directory.  --out: work directory (objects, binaries, the
# growing corpus, logs, crash inputs); default: BUILDDIR/fuzz-out.
# Environment: FUZZ_SECONDS (per harness, default 30), CC (default clang),
# FUZZ_FLAGS (more libFuzzer options).  Exit: 0 all ran clean, 1 a harness
# crashed or broke an invariant, 77 clang or its fuzzer runtime is missing,
# 99 build error.
# Flag lists below are split on purpose.
# shellcheck disable=SC2086
set -u

me=$(basename "$0")
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=.
out=
avoid=
harnesses=

while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$2; shift 2 ;;
	--builddir=*) builddir=${1#*=}; shift ;;
	--out) out=$2; shift 2 ;;
	--out=*) out=${1#*=}; shift ;;
	--avoid-known-bugs) avoid=-DPA_FUZZ_AVOID_KNOWN_BUGS; shift ;;
	-h|--help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "$me: unknown option $1" >&2; exit 99 ;;
	*) harnesses="$harnesses $1"; shift ;;
	esac
done
[ -n "$harnesses" ] || harnesses="fuzz_maps fuzz_specs fuzz_flags fuzz_sysroot fuzz_snapshot"
seconds=${FUZZ_SECONDS:-30}
CC=${CC:-clang}

if [ ! -f "$builddir/config.h" ]; then
	echo "$me: $builddir/config.h not found: run configure and pass --builddir DIR" >&2
	exit 99
fi
builddir=$(cd "$builddir" && pwd)
[ -n "$out" ] || out=$builddir/fuzz-out
mkdir -p "$out/obj" || exit 99
out=$(cd "$out" && pwd)

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "$me: SKIP: $CC not found (install clang and its runtime, e.g. clang-14 libclang-rt-14-dev)"
	exit 77
fi
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
	> "$out/probe.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$out/probe.c" -o "$out/probe" >/dev/null 2>&1; then
	echo "$me: SKIP: $CC cannot link -fsanitize=fuzzer,address,undefined (libFuzzer runtime missing, e.g. libclang-rt-14-dev)"
	exit 77
fi

# Flags of the libraries page-anon links (configure found them).
pkgs=
for p in libcjson libcap ncursesw libzstd; do
	pkg-config --exists "$p" 2>/dev/null && pkgs="$pkgs $p"
done
pcflags=$( [ -n "$pkgs" ] && pkg-config --cflags $pkgs )
plibs=$( [ -n "$pkgs" ] && pkg-config --libs $pkgs )
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-std=gnu11 -g -O1 $san -I$builddir -I$srcdir/src -I$srcdir/tests/fuzz $pcflags $avoid"

echo "$me: building in $out"
objs=
for c in "$srcdir"/src/*.c; do
	b=$(basename "$c" .c)
	[ "$b" = main ] && continue
	o=$out/obj/$b.o
	if ! $CC $cflags -fsanitize=fuzzer-no-link -c "$c" -o "$o"; then
		echo "$me: cannot compile $c" >&2
		exit 99
	fi
	objs="$objs $o"
done

# fuzz_sysroot's trees (a crash leaves one behind) stay below OUT.
mkdir -p "$out/tmp" || exit 99
TMPDIR=$out/tmp
export TMPDIR

status=0
for h in $harnesses; do
	if [ ! -f "$srcdir/tests/fuzz/$h.c" ]; then
		echo "$me: no harness $h" >&2
		exit 99
	fi
	if ! $CC $cflags -fsanitize=fuzzer "$srcdir/tests/fuzz/$h.c" $objs $plibs -lpthread \
		-o "$out/$h"; then
		echo "$me: cannot build $h" >&2
		exit 99
	fi
done

for h in $harnesses; do
	mkdir -p "$out/corpus/$h"
	rm -f "$out/$h-crash-"* "$out/$h-leak-"* "$out/$h-timeout-"* "$out/$h-oom-"*
	set -- "$out/corpus/$h"
	for d in "$srcdir/tests/fuzz/corpus/$h" "$srcdir/tests/fuzz/regressions/$h"; do
		[ -d "$d" ] && set -- "$@" "$d"
	done
	dict=
	[ -f "$srcdir/tests/fuzz/dict/$h.dict" ] && dict=-dict=$srcdir/tests/fuzz/dict/$h.dict
	log=$out/$h.log
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$out/$h" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
		-close_fd_mask=1 -print_final_stats=1 \
		-artifact_prefix="$out/$h-" $dict ${FUZZ_FLAGS:-} "$@" >"$log" 2>&1
	rc=$?
	end=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	corpus=$(find "$out/corpus/$h" -type f | wc -l)
	echo "$h: ${execs:-?} execs in $((end - start)) s (corpus $corpus files)"
	if [ $rc -ne 0 ]; then
		echo "$h: FAILED (exit $rc); log: $log" >&2
		grep -m 20 -E 'ERROR:|invariant failed|runtime error|SUMMARY|Test unit written' "$log" >&2
		status=1
	fi
done
exit $status
