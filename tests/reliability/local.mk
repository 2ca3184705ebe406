# SPDX-License-Identifier: GPL-2.0-or-later
# Reliability tests: processes that exit or change under the scan, bad
# input, special processes, output errors, privileges, valgrind.  Live
# tests need root and skip (77) otherwise.

check_PROGRAMS += tests/reliability/pa-stress
tests_reliability_pa_stress_SOURCES = tests/reliability/pa-stress.c

RELIABILITY_TESTS = \
	tests/reliability/bad-input.sh \
	tests/reliability/churn.sh \
	tests/reliability/exit-midscan.sh \
	tests/reliability/freeze.sh \
	tests/reliability/freeze-cgroup.sh \
	tests/reliability/freeze-signals.sh \
	tests/reliability/output-file.sh \
	tests/reliability/pid-reuse.sh \
	tests/reliability/privilege.sh \
	tests/reliability/save-file.sh \
	tests/reliability/sigpipe.sh \
	tests/reliability/special-procs.sh \
	tests/reliability/sysroot.sh \
	tests/reliability/valgrind.sh \
	tests/reliability/watch-errors.sh

TESTS += $(RELIABILITY_TESTS)
dist_check_SCRIPTS += $(RELIABILITY_TESTS)

AM_TESTS_ENVIRONMENT += \
	PA_STRESS='$(abs_top_builddir)/tests/reliability/pa-stress'; export PA_STRESS;
