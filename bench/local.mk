# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks (bench/README.md).  The programs are EXTRA_PROGRAMS: built
# only by `make bench`, never by `make` or `make check`.  Their sources are
# distributed like those of any other program.
EXTRA_PROGRAMS += bench/pt-baseline bench/workload bench/runstat bench/prefork bench/floor

bench_pt_baseline_SOURCES = bench/pt-baseline.c
bench_workload_SOURCES = bench/workload.c
bench_runstat_SOURCES = bench/runstat.c
bench_prefork_SOURCES = bench/prefork.c
bench_floor_SOURCES = bench/floor.c

BENCH_PROGS = \
	bench/pt-baseline$(EXEEXT) \
	bench/workload$(EXEEXT) \
	bench/runstat$(EXEEXT) \
	bench/prefork$(EXEEXT) \
	bench/floor$(EXEEXT)

EXTRA_DIST += bench/run-bench bench/tui-cpu.sh bench/trace-fork.sh bench/README.md
CLEANFILES += $(BENCH_PROGS)

# Sizes and the number of runs come from the environment (BENCH_QUICK=1,
# BENCH_FULL=1, BENCH_RUNS, ...; see bench/run-bench), and so does
# PAGE_TYPES, a page-types binary to measure next to the baseline.
bench: src/page-anon$(EXEEXT) $(BENCH_PROGS)
	@BENCH_BUILDDIR='$(abs_builddir)' \
	PAGE_ANON='$(abs_builddir)/src/page-anon$(EXEEXT)' \
	PT_BASELINE='$(abs_builddir)/bench/pt-baseline$(EXEEXT)' \
	BENCH_WORKLOAD='$(abs_builddir)/bench/workload$(EXEEXT)' \
	BENCH_RUNSTAT='$(abs_builddir)/bench/runstat$(EXEEXT)' \
	BENCH_FLOOR='$(abs_builddir)/bench/floor$(EXEEXT)' \
	$(SHELL) '$(srcdir)/bench/run-bench'
	@BENCH_BUILDDIR='$(abs_builddir)' \
	PAGE_ANON='$(abs_builddir)/src/page-anon$(EXEEXT)' \
	BENCH_WORKLOAD='$(abs_builddir)/bench/workload$(EXEEXT)' \
	$(SHELL) '$(srcdir)/bench/tui-cpu.sh' || test $$? = 77
	@PAGE_ANON='$(abs_builddir)/src/page-anon$(EXEEXT)' \
	BENCH_PREFORK='$(abs_builddir)/bench/prefork$(EXEEXT)' \
	$(SHELL) '$(srcdir)/bench/trace-fork.sh' || test $$? = 77
.PHONY: bench
