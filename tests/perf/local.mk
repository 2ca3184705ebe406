# SPDX-License-Identifier: GPL-2.0-or-later
# Walk strategies (threads, PAGEMAP_SCAN or linear reads) must agree.
# Needs root; skips (77) otherwise.
check_PROGRAMS += tests/walk-workload
tests_walk_workload_SOURCES = tests/walk-workload.c

TESTS += tests/walk-strategies.sh
dist_check_SCRIPTS += tests/walk-strategies.sh

AM_TESTS_ENVIRONMENT += \
	WALK_WORKLOAD='$(abs_top_builddir)/tests/walk-workload'; export WALK_WORKLOAD;

