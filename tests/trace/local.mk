# SPDX-License-Identifier: GPL-2.0-or-later
# --trace-fork on the live kernel: pa-forker plays fixed scenes of forks,
# execs and exits.  Root only; skip (77) otherwise.

check_PROGRAMS += tests/trace/pa-forker
tests_trace_pa_forker_SOURCES = tests/trace/pa-forker.c

TRACE_TESTS = \
	tests/trace/fork.sh \
	tests/trace/scenes.sh \
	tests/trace/uring.sh \
	tests/trace/uring-thp.sh \
	tests/trace/attach.sh \
	tests/trace/interrupt.sh

TESTS += $(TRACE_TESTS)
dist_check_SCRIPTS += $(TRACE_TESTS)
EXTRA_DIST += tests/trace/trace-lib.sh
dist_schema_DATA += tests/schema/trace-event.schema.json

AM_TESTS_ENVIRONMENT += \
	PA_FORKER='$(abs_top_builddir)/tests/trace/pa-forker'; export PA_FORKER;
