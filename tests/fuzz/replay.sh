#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Replay the committed fuzz corpus and the regression inputs once through
# every harness (built with the standalone driver, so this also runs under
# the sanitizer build).  Run from the build directory by "make check".
srcdir=${srcdir:-.}
fuzzdir=$srcdir/tests/fuzz
status=0

# fuzz_sysroot builds its trees under $TMPDIR; a crash leaves one behind.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pa-replay.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
TMPDIR=$tmp
export TMPDIR

for h in fuzz_maps fuzz_specs fuzz_flags fuzz_sysroot fuzz_snapshot; do
	bin=tests/fuzz/$h
	if [ ! -x "$bin" ]; then
		echo "replay: $bin is not built" >&2
		exit 99
	fi
	set --
	for d in "$fuzzdir/corpus/$h" "$fuzzdir/regressions/$h"; do
		[ -d "$d" ] && set -- "$@" "$d"
	done
	if [ $# -eq 0 ]; then
		echo "replay: no corpus for $h in $fuzzdir" >&2
		exit 99
	fi
	if ! "$bin" "$@"; then
		echo "replay: FAIL: $h crashed or broke an invariant on an input above" >&2
		status=1
	fi
done
exit $status
