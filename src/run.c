// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The run function: mode dispatch (describe, columns, flags table, report,
 * TUI) and the --watch loops; --output-file is outfile.c.  The session
 * (session.c) and collection (collect.c) do the reading.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "page-anon.h"
#include "check.h"
#include "collect.h"
#include "procs.h"
#include "session.h"
#include "diff.h"
#include "snapshot_save.h"
#include "tracefork.h"
#include "outfile.h"

static void on_signal(int sig)
{
	pa_stop_signal = sig;
	pa_stop_flag = 1;
}

void pa_options_free(struct pa_options *o)
{
	free(o->pids);
	free(o->ranges);
	free(o->bits_specs);
	memset(o, 0, sizeof(*o));
}

static void print_verbose(const struct pa_session *s)
{
	const struct pa_kinfo *k = &s->kinfo;
	static const char *const tri[] = { "not tested", "no", "yes" };

	fprintf(stderr, "kernel %s: anon_exclusive bit %s; flags read per %s; "
		"PAGEMAP_SCAN %s (categories 0x%llx); KPF_KSM bug %s; KPF_NOPAGE reported %s; "
		"zero page PFN 0x%llx%s%s\n",
		s->src->release, k->anon_exclusive_bit ? "yes" : "no (before 5.19)",
		k->folio_flags ? "folio (6.10+)" : "page", tri[k->pagemap_scan],
		(unsigned long long)k->scan_categories, tri[k->ksm_flag_bug],
		tri[k->nopage_reported], (unsigned long long)k->zero_pfn,
		*k->note ? "; self-tests " : "", k->note);
	fprintf(stderr, "kpagecount of large-folio pages: %s (%s)\n",
		k->mapcount == PA_MAPCOUNT_PAGE ? "exact per page (CONFIG_PAGE_MAPCOUNT)" :
		k->mapcount == PA_MAPCOUNT_AVERAGE ? "per-folio average (CONFIG_NO_PAGE_MAPCOUNT)" :
		"unknown, treated as not exact", k->mapcount_how);
}

/* "sample 2  2026-12-06 03:40:12": the head of a --flags --watch table,
 * with a blank line before every one but the first. */
static void print_sample_header(unsigned long long sample)
{
	time_t now = time(NULL);
	char when[64] = "";
	struct tm tm;

	if (localtime_r(&now, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%ssample %llu  %s\n", sample > 1 ? "\n" : "", sample, when);
}

/* --check: one pass over the processes, then the findings. */
static int run_check(struct pa_session *s)
{
	struct pa_options *o = s->opt;
	struct pa_report r;
	pid_t *pids;
	size_t npids;
	int rc;

	pa_report_init(&r);
	if (o->all) {
		/* every user process, as --all enumerates them (fleet.c):
		 * kernel threads and processes gone meanwhile are skipped
		 * silently */
		ssize_t np = pa_source_pids(s->src, &pids);

		if (np < 0) {
			pa_error("%s/proc: %s", s->src->root, strerror((int)-np));
			return PA_EXIT_ERROR;
		}
		npids = 0;
		for (ssize_t i = 0; i < np; i++) {
			struct pa_procinfo info;

			if (pa_procinfo_read(s->src, pids[i], &info) == PA_PROC_USER)
				pids[npids++] = pids[i];
		}
		r.check_all = true;
	} else {
		pa_expand_children(s, o->pids, o->npids, &pids, &npids);
	}
	if (o->freeze)
		pa_freeze(s->src, pids, npids);
	rc = pa_check_collect(s, pids, npids, &r);
	if (o->freeze)
		pa_thaw();
	free(pids);
	pa_privs_drop();
	for (size_t i = 0; r.check && i < r.check->nprocs; i++)
		if (r.check->procs[i].errmsg[0] && !r.check->procs[i].gone)
			(r.check->procs[i].err ? pa_error : pa_warn)("%s", r.check->procs[i].errmsg);
	if (o->json)
		pa_json_check(stdout, &r, o);
	else
		pa_print_check(stdout, &r);
	pa_report_free(&r);
	return rc;
}

static void print_stats(const struct pa_session *s, const struct pa_report *r)
{
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct pa_walk_stats *st = &r->procs[i].stats;

		if (pa_source_capture(s->src)) {
			/* --load: nothing is read from the kernel */
			fprintf(stderr, "pid %d: %llu VMAs walked, %llu pagemap entries and %llu PFNs "
				"looked up in the snapshot\n", (int)r->procs[i].pid,
				(unsigned long long)st->vmas, (unsigned long long)st->pagemap_entries,
				(unsigned long long)st->pfns_read);
			continue;
		}
		fprintf(stderr, "pid %d: %llu VMAs walked, %llu pagemap entries, %llu PFNs read in %llu "
			"preads, %llu PAGEMAP_SCAN calls\n", (int)r->procs[i].pid,
			(unsigned long long)st->vmas, (unsigned long long)st->pagemap_entries,
			(unsigned long long)st->pfns_read, (unsigned long long)st->preads,
			(unsigned long long)st->scan_calls);
	}
}

/* --watch ends when every process named with -p has exited. */
static bool all_watched_gone(struct pa_session *s)
{
	for (size_t i = 0; i < s->opt->npids; i++) {
		struct pa_pin *pin = pa_session_pin(s, s->opt->pids[i]);

		if (!pin || !pa_pin_dead(pin))
			return false;
	}
	return true;
}

/* --all: collect (fleet.c), then one of its outputs.  A scan cut short by
 * the budget still reports: the truncation is in the output. */
static int run_all(struct pa_session *s)
{
	struct pa_options *o = s->opt;
	struct pa_report r;
	int rc;

	pa_report_init(&r);
	rc = pa_run_all(s, &r);
	if (r.all && (r.all->nread || r.all->truncated)) {
		if (o->verbose)
			fprintf(stderr, "%llu kpage* words read; PFN cache: %llu lookups, %llu hits, "
				"at most %zu entries\n", (unsigned long long)r.all->pfns_read,
				(unsigned long long)r.all->cache_lookups,
				(unsigned long long)r.all->cache_hits, r.all->cache_peak);
		if (o->prometheus)
			pa_prometheus_write(stdout, &r, o);
		else if (o->json)
			pa_json_all(stdout, &r, o);
		else
			pa_print_all(stdout, &r, o);
	}
	pa_report_free(&r);
	return rc;
}

/*
 * Exit status: without --watch the status of the one sample.  With
 * --watch: 1 if the first sample could read no process at all; otherwise
 * 3 if any sample was partial or a watched process exited, else 0.  A
 * process that exits is reported as exited and dropped; --watch goes on
 * while any process named with -p remains.
 */
static int run_report(struct pa_session *s)
{
	struct pa_options *o = s->opt;
	struct pa_report prev, cur;
	bool have_prev = false;
	int rc = PA_EXIT_OK, final = PA_EXIT_OK;
	uint64_t sample = 0;
	double next = pa_now();

	pa_report_init(&prev);
	/* the text report reads map counts only for the columns that show
	 * them (USS, PSS): after fork that is a kernel read per page less */
	s->mapcount = o->json || pa_columns_need_mapcount(o->columns, o->sort);
	for (;;) {
		pid_t *pids;
		size_t npids;

		pa_report_init(&cur);
		pa_expand_children(s, o->pids, o->npids, &pids, &npids);
		if (o->freeze)
			pa_freeze(s->src, pids, npids);
		rc = pa_collect(s, pids, npids, &cur);
		if (o->freeze)
			pa_thaw();
		free(pids);
		/* No /proc file is opened after the only sample: give up
		 * file capabilities before formatting (caps.c). */
		if (o->watch <= 0)
			pa_privs_drop();
		cur.sample = ++sample;
		if (o->watch <= 0 || (sample == 1 && rc == PA_EXIT_ERROR))
			final = rc;
		else if (rc != PA_EXIT_OK)
			final = PA_EXIT_PARTIAL;
		for (size_t i = 0; i < cur.nprocs; i++)
			if (cur.procs[i].errmsg[0])
				(cur.procs[i].err ? pa_error : pa_warn)("%s", cur.procs[i].errmsg);
		if (o->verbose)
			print_stats(s, &cur);
		if (o->json)
			pa_json_report_watch(stdout, &cur, o, have_prev ? &prev : NULL);
		else if (rc == PA_EXIT_ERROR && sample == 1) {
			/* nothing could be read: the reasons are on stderr, no
			 * empty report on stdout */
		} else {
			if (o->watch > 0 && isatty(STDOUT_FILENO))
				fputs("\033[H\033[2J", stdout);
			pa_print_report(stdout, &cur, o, have_prev ? &prev : NULL);
		}
		/* a failed write ends --watch; the exit reports it (util.c) */
		if (pa_stdout_flush())
			break;
		if (o->watch <= 0 || pa_stop_flag || (sample == 1 && rc == PA_EXIT_ERROR))
			break;
		if (all_watched_gone(s)) {
			pa_warn("every watched process has exited");
			final = PA_EXIT_PARTIAL;
			break;
		}
		pa_report_free(&prev);
		prev = cur;
		have_prev = true;
		pa_report_init(&cur);
		/* Sleep until the next tick; a signal ends the loop. */
		next += o->watch;
		while (!pa_stop_flag) {
			double left = next - pa_now();
			struct timespec ts;

			if (left <= 0)
				break;
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
			nanosleep(&ts, NULL);
		}
		if (pa_stop_flag)
			break;
	}
	pa_report_free(&cur);
	pa_report_free(&prev);
	return final;
}

/* ------------------------------------------------------------------ */

static bool wants_flags_table(const struct pa_options *o)
{
	if (o->mode == PA_MODE_FLAGS)
		return true;
	if (o->mode == PA_MODE_REPORT)
		return false;
	/* page-types options imply page-types output */
	return !o->npids || o->list || o->no_summary || o->raw || o->list_cgroup ||
	       o->list_mapcnt || o->mark_idle || o->nbits_specs || o->cgroup_arg;
}

static int run(struct pa_options *o)
{
	struct pa_session s;
	struct pa_report r;
	struct sigaction sa = { .sa_handler = on_signal };
	bool reduced;
	int rc;

	if (o->diff_old) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		return pa_run_diff(o);
	}
	/* Sampling again and again (--watch, the live view) costs CPU time
	 * rather than waiting: one walking thread reads the same pages with
	 * less CPU than two, whose kernel reads slow each other down.  A
	 * fork stop of --trace-fork keeps the threads: the process waits. */
	if (!o->threads && (o->watch > 0 || o->tui) && !o->trace_fork)
		o->threads = 1;
	rc = pa_session_prepare(&s, o);
	if (rc)
		goto out;
	if (o->all && !o->save && !o->check) {
		rc = run_all(&s);
		goto out;
	}
	if (o->describe) {
		uint64_t flags;
		char err[256];

		if (pa_parse_flag_names(&s.ftab, o->describe, false, &flags, err, sizeof(err)) < 0) {
			rc = pa_usage_error("invalid flags '%s': %s", o->describe, err);
			goto out;
		}
		pa_privs_drop();
		if (o->json)
			pa_json_describe(stdout, &s.ftab, flags, o);
		else
			pa_print_describe(stdout, &s.ftab, flags);
		rc = PA_EXIT_OK;
		goto out;
	}
	if (o->columns && !strcmp(o->columns, "help")) {
		pa_columns_help(stdout);
		rc = PA_EXIT_OK;
		goto out;
	}
	if (o->columns) {
		int colv[64];
		size_t n;
		char err[128];

		if (pa_columns_parse(o->columns, colv, PA_ARRAY_SIZE(colv), &n, err, sizeof(err)) < 0) {
			rc = pa_usage_error("invalid -o/--output '%s': %s", o->columns, err);
			goto out;
		}
	}
	if (o->sort && pa_column_lookup(o->sort + (*o->sort == '-')) < 0) {
		rc = pa_usage_error("invalid --sort '%s': unknown column (-o help lists them)", o->sort);
		goto out;
	}
	if (o->mode == PA_MODE_REPORT && !o->npids) {
		rc = pa_usage_error("--report needs -p PID");
		goto out;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (o->trace_fork && !o->tui) {
		rc = pa_session_open_kfiles(&s, 1u << PA_KPAGEFLAGS | 1u << PA_KPAGECOUNT |
					    (o->save && o->page_cgroups ? 1u << PA_KPAGECGROUP : 0));
		if (!rc) {
			pa_selftest(s.src, &s.kinfo);
			rc = pa_tracefork_run(&s);
		}
		goto out;
	}
	if (o->tui) {
		rc = pa_session_open_kfiles(&s, 1u << PA_KPAGEFLAGS | 1u << PA_KPAGECOUNT |
					    (s.cgroup_filter ? 1u << PA_KPAGECGROUP : 0));
		if (!rc) {
			pa_selftest(s.src, &s.kinfo);
			rc = pa_tui_run(&s);
		}
		goto out;
	}
	/*
	 * The reduced view: a report of live processes without CAP_SYS_ADMIN.
	 * pagemap then hides PFNs (and /proc/kpage* is root's), but still
	 * gives present, swapped, file and bit 56 (mapped exactly once) for
	 * the user's own processes: report those instead of refusing.
	 */
	reduced = o->npids && !wants_flags_table(o) && !o->check && !o->save &&
		  !*s.src->root && !s.privs.have_sys_admin && !s.cgroup_filter;
	rc = reduced ? 0 :
		pa_session_open_kfiles(&s, 1u << PA_KPAGEFLAGS |
				       (o->npids && !wants_flags_table(o) ? 1u << PA_KPAGECOUNT : 0) |
				       (o->list_mapcnt || o->check ? 1u << PA_KPAGECOUNT : 0) |
				       (s.cgroup_filter && o->npids ? 1u << PA_KPAGECGROUP : 0));
	if (rc)
		goto out;
	if (o->save) {
		rc = pa_session_open_kfiles(&s, 1u << PA_KPAGEFLAGS | 1u << PA_KPAGECOUNT);
		if (rc)
			goto out;
		/* --page-cgroups: kpagecgroup, which the kernel may not have */
		if (o->page_cgroups)
			rc = pa_session_open_kfiles(&s, 1u << PA_KPAGECGROUP);
		if (rc)
			goto out;
		pa_selftest(s.src, &s.kinfo);
		rc = pa_snap_save(&s);
		goto out;
	}
	if (o->npids && !s.privs.have_sys_admin && !*s.src->root && !reduced)
		pa_warn("CAP_SYS_ADMIN is missing: /proc/PID/pagemap hides PFNs, so page flags "
			"and exclusivity cannot be read; run as root");
	pa_selftest(s.src, &s.kinfo);
	if (o->verbose)
		print_verbose(&s);
	if (o->scan == PA_SCAN_ALWAYS && s.kinfo.pagemap_scan != PA_YES && (o->npids || o->tui)) {
		pa_error("--scan=always: the PAGEMAP_SCAN ioctl is not available (Linux 6.7 or later, "
			 "not on a captured tree); use --scan=auto");
		rc = PA_EXIT_ERROR;
		goto out;
	}

	if (o->check) {
		rc = run_check(&s);
		goto out;
	}

	pa_report_init(&r);
	snprintf(r.kernel, sizeof(r.kernel), "%s", s.src->release);
	r.page_size = s.src->page_size;
	r.kinfo = s.kinfo;
	r.ftab = s.ftab;
	if (!o->npids && !o->file && o->watch <= 0) {
		/* The PFN walk opens nothing more (kpagecgroup is opened here
		 * when needed): give up file capabilities before walking. */
		if (s.cgroup_filter || (o->list && o->list_cgroup))
			rc = pa_session_open_kfiles(&s, 1u << PA_KPAGECGROUP);
		if (rc)
			goto out_report;
		pa_privs_drop();
	}
	if (o->file || wants_flags_table(o)) {
		if (o->watch > 0) {
			/* repeated flags tables; as text each one starts with
			 * a line naming the sample, after a blank line */
			for (unsigned long long sample = 1;; sample++) {
				if (!o->json)
					print_sample_header(sample);
				if (o->freeze)
					pa_freeze(s.src, o->pids, o->npids);
				rc = pa_run_flags(&s, &r);
				if (o->freeze)
					pa_thaw();
				if (pa_stdout_flush() || pa_stop_flag)
					break;
				pa_report_free(&r);
				pa_report_init(&r);
				r.kinfo = s.kinfo;
				r.ftab = s.ftab;
				r.page_size = s.src->page_size;
				snprintf(r.kernel, sizeof(r.kernel), "%s", s.src->release);
				for (double end = pa_now() + o->watch; !pa_stop_flag && pa_now() < end;)
					usleep(20000);
				if (pa_stop_flag)
					break;
			}
			rc = rc == PA_EXIT_PARTIAL ? PA_EXIT_OK : rc;
		} else {
			if (o->freeze)
				pa_freeze(s.src, o->pids, o->npids);
			rc = pa_run_flags(&s, &r);
			if (o->freeze)
				pa_thaw();
		}
	} else {
		rc = run_report(&s);
	}
out_report:
	pa_report_free(&r);
out:
	pa_session_close(&s);
	return rc;
}

int pa_run(struct pa_options *o)
{
	int rc;

	if (o->output_file) {
		rc = pa_outfile_open(o->output_file);
		if (rc)
			return rc;
	}
	rc = run(o);
	return pa_outfile_commit(o->output_file, rc);
}
