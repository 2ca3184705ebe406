# SPDX-License-Identifier: GPL-2.0-or-later
# Live-kernel tests: pa-helper puts memory into a known state, pa-oracle is
# an independent reader, and each script compares page-anon with both.
# They need root and skip (77) otherwise.

check_PROGRAMS += tests/helper/pa-helper tests/helper/pa-oracle
tests_helper_pa_helper_SOURCES = tests/helper/pa-helper.c
tests_helper_pa_oracle_SOURCES = tests/helper/pa-oracle.c

# The page-types re-implementation from bench/, built here under its own
# name (and own objects) as the reference for the flags-table test.
check_PROGRAMS += tests/live/pt-baseline
tests_live_pt_baseline_SOURCES = bench/pt-baseline.c
tests_live_pt_baseline_CFLAGS = $(AM_CFLAGS)

LIVE_TESTS = \
	tests/live/exclusive.sh \
	tests/live/fork.sh \
	tests/live/zero.sh \
	tests/live/huge-zero.sh \
	tests/live/cgroup.sh \
	tests/live/shared-anon.sh \
	tests/live/thp.sh \
	tests/live/thp-pieces.sh \
	tests/live/mthp.sh \
	tests/live/folio.sh \
	tests/live/check.sh \
	tests/live/ksm.sh \
	tests/live/hugetlb.sh \
	tests/live/swap.sh \
	tests/live/uffd-guard.sh \
	tests/live/flags-compat.sh \
	tests/live/not-root.sh \
	tests/live/all.sh \
	tests/live/prometheus.sh \
	tests/live/snapshot.sh \
	tests/live/snapshot-diff.sh

TESTS += $(LIVE_TESTS)
dist_check_SCRIPTS += $(LIVE_TESTS)
EXTRA_DIST += tests/setup.sh tests/live/uss-pss.py

AM_TESTS_ENVIRONMENT += \
	PAGE_ANON='$(abs_top_builddir)/src/page-anon'; export PAGE_ANON; \
	PA_HELPER='$(abs_top_builddir)/tests/helper/pa-helper'; export PA_HELPER; \
	PA_ORACLE='$(abs_top_builddir)/tests/helper/pa-oracle'; export PA_ORACLE; \
	PT_BASELINE='$(abs_top_builddir)/tests/live/pt-baseline'; export PT_BASELINE; \
	JQ='$(JQ)'; export JQ;
