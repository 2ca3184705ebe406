# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzz harnesses (tests/fuzz/README.md).  "make check" replays the
# committed corpus and regression inputs once through each harness with a
# plain main() (standalone.c); tests/fuzz/run-fuzz.sh builds the same
# harnesses with clang's libFuzzer and fuzzes for a while.
FUZZ_COMMON = tests/fuzz/standalone.c tests/fuzz/fuzz.h tests/fuzz/kvers.h

check_PROGRAMS += \
	tests/fuzz/fuzz_maps \
	tests/fuzz/fuzz_specs \
	tests/fuzz/fuzz_flags \
	tests/fuzz/fuzz_sysroot \
	tests/fuzz/fuzz_snapshot
TESTS += tests/fuzz/replay.sh
dist_check_SCRIPTS += tests/fuzz/replay.sh tests/fuzz/run-fuzz.sh

tests_fuzz_fuzz_maps_SOURCES = tests/fuzz/fuzz_maps.c $(FUZZ_COMMON)
tests_fuzz_fuzz_maps_LDADD = $(PA_LIBS)
tests_fuzz_fuzz_specs_SOURCES = tests/fuzz/fuzz_specs.c $(FUZZ_COMMON)
tests_fuzz_fuzz_specs_LDADD = $(PA_LIBS)
tests_fuzz_fuzz_flags_SOURCES = tests/fuzz/fuzz_flags.c $(FUZZ_COMMON)
tests_fuzz_fuzz_flags_LDADD = $(PA_LIBS)
tests_fuzz_fuzz_sysroot_SOURCES = tests/fuzz/fuzz_sysroot.c $(FUZZ_COMMON)
tests_fuzz_fuzz_sysroot_LDADD = $(PA_LIBS)
tests_fuzz_fuzz_snapshot_SOURCES = tests/fuzz/fuzz_snapshot.c $(FUZZ_COMMON)
tests_fuzz_fuzz_snapshot_LDADD = $(PA_LIBS)

EXTRA_DIST += \
	tests/fuzz/README.md \
	tests/fuzz/corpus \
	tests/fuzz/regressions \
	tests/fuzz/dict
