# SPDX-License-Identifier: GPL-2.0-or-later
# Golden tests on captured /proc trees (no root needed).
check_PROGRAMS += tests/mkfixture
tests_mkfixture_SOURCES = tests/mkfixture.c

check_PROGRAMS += tests/snapshot-hostile
tests_snapshot_hostile_SOURCES = tests/snapshot-hostile.c
tests_snapshot_hostile_LDADD = $(PA_LIBS)
TESTS += tests/snapshot-hostile
TESTS += tests/fixtures.sh tests/snapshots.sh
dist_check_SCRIPTS += tests/fixtures.sh tests/snapshots.sh tests/mksnapshots.sh
EXTRA_DIST += \
	$(wildcard $(srcdir)/tests/fixtures/*.fix) \
	$(wildcard $(srcdir)/tests/fixtures/*.pas) \
	$(wildcard $(srcdir)/tests/expected/*)

AM_TESTS_ENVIRONMENT += \
	srcdir='$(srcdir)'; export srcdir; \
	MKFIXTURE='$(abs_top_builddir)/tests/mkfixture'; export MKFIXTURE;

# --check on trees that each hold one kernel rule violation.
TESTS += tests/check-fixtures.sh
dist_check_SCRIPTS += tests/check-fixtures.sh
EXTRA_DIST += $(wildcard $(srcdir)/tests/check/*.fix)

# JSON output validated against the schemas, which are installed in
# $(datadir)/page-anon/schema/ for the scripts that read --json.
schemadir = $(pkgdatadir)/schema
dist_schema_DATA = \
	tests/schema/check.schema.json \
	tests/schema/report.schema.json tests/schema/flags.schema.json \
	tests/schema/page.schema.json tests/schema/describe.schema.json \
	tests/schema/processes.schema.json \
	tests/schema/diff.schema.json \
	tests/schema/error.schema.json
TESTS += tests/json-schema.sh
dist_check_SCRIPTS += tests/json-schema.sh
# --flags --watch: samples separated, each the one-shot table.
TESTS += tests/flags-watch.sh
dist_check_SCRIPTS += tests/flags-watch.sh
EXTRA_DIST += tests/check-json.py
AM_TESTS_ENVIRONMENT += PYTHON3='$(PYTHON3)'; export PYTHON3; \
	PA_SCHEMAS='$(dist_schema_DATA)'; export PA_SCHEMAS;

# The README's PromQL query and alerting rules, run by promtool.
TESTS += tests/check-rules.sh
dist_check_SCRIPTS += tests/check-rules.sh
