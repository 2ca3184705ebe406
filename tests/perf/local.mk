# SPDX-License-Identifier: GPL-2.0-or-later
# Walk strategies (threads, PAGEMAP_SCAN or linear reads) must agree.
# Needs root; skips (77) otherwise.
check_PROGRAMS += tests/walk-workload
tests_walk_workload_SOURCES = tests/walk-workload.c

TESTS += tests/walk-strategies.sh
dist_check_SCRIPTS += tests/walk-strategies.sh

AM_TESTS_ENVIRONMENT += \
	WALK_WORKLOAD='$(abs_top_builddir)/tests/walk-workload'; export WALK_WORKLOAD;

# The workload is the process looked at, not code under test: it is built
# without the sanitizer flags of CFLAGS and LDFLAGS, so that a sanitizer
# build of the suite does not give it terabytes of shadow mappings, which
# the --scan never strategies would read entry by entry (minutes of
# system time).  GNU make target-specific variables (named through a
# variable so that Automake leaves them alone).
PA_NOSAN = $(filter-out -fsanitize=% -fno-sanitize-recover%,$(1))
PA_NOSAN_TARGETS = tests/walk-workload.$(OBJEXT) tests/walk-workload$(EXEEXT)
$(PA_NOSAN_TARGETS): CFLAGS := $(call PA_NOSAN,$(CFLAGS))
$(PA_NOSAN_TARGETS): LDFLAGS := $(call PA_NOSAN,$(LDFLAGS))
