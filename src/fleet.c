// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --all: every user process of the system, one row each, like smem: RSS,
 * USS, PSS and the page states, grouped by command, user, cgroup or
 * systemd unit for --group-by and --prometheus.
 *
 * Kernel threads have no user memory and are skipped silently; a process
 * that exits before or while it is read is dropped and counted
 * (skipped[PA_SKIP_EXITED]); one that cannot be read (permissions) is
 * counted and makes the result partial.  Pages mapped by several
 * processes are read from the kpage* files once per walk (pfncache.c).
 * --max-seconds bounds the scan: the process being read when the budget
 * runs out and the ones after it are counted as skipped for the budget.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "page-anon.h"
#include "fleet.h"
#include "pfncache.h"
#include "procs.h"

static const char *const skip_names[PA_SKIP__N] = {
	[PA_SKIP_KTHREAD] = "kernel_thread",
	[PA_SKIP_EXITED] = "exited",
	[PA_SKIP_UNREADABLE] = "unreadable",
	[PA_SKIP_BUDGET] = "budget",
};

const char *pa_skip_name(enum pa_skip k)
{
	return k < PA_SKIP__N ? skip_names[k] : "?";
}

const char *pa_group_by_name(enum pa_group_by g)
{
	static const char *const n[] = { NULL, "comm", "user", "cgroup", "unit" };

	return g < PA_ARRAY_SIZE(n) ? n[g] : NULL;
}

const char *pa_group_label(const struct pa_all_report *a)
{
	return pa_group_by_name(a->group_by) ? pa_group_by_name(a->group_by) : "comm";
}

/* a column of --all that a row of this kind has */
static bool col_ok(int c, bool groups)
{
	return c >= 0 && pa_field_is_all(c) && !(groups && (pa_fields[c].flags & PA_FIELD_PER_PROC));
}

int pa_all_cols_parse(const char *spec, bool groups, int *cols, size_t max, size_t *n,
		      char *err, size_t errlen)
{
	char *copy, *rest, *tok;

	*n = 0;
	if (!spec || *spec == '+') {
		/* groups: their process count, then the sizes */
		if (groups && *n < max)
			cols[(*n)++] = PA_F_PROCS;
		for (size_t i = 0; pa_all_default[i] >= 0 && *n < max; i++)
			if (col_ok(pa_all_default[i], groups))
				cols[(*n)++] = pa_all_default[i];
		if (!spec)
			return 0;
		spec++;
	}
	copy = pa_xstrdup(spec);
	rest = copy;
	while ((tok = strsep(&rest, ","))) {
		int c = pa_field_lookup_all(tok);

		if (c < 0) {
			snprintf(err, errlen, "unknown column '%s' (-o help lists them)", tok);
			free(copy);
			return -1;
		}
		if (!col_ok(c, groups)) {
			snprintf(err, errlen, "column '%s' is per process: not with --group-by", tok);
			free(copy);
			return -1;
		}
		if (*n == max) {
			snprintf(err, errlen, "too many columns");
			free(copy);
			return -1;
		}
		cols[(*n)++] = c;
	}
	free(copy);
	return 0;
}

const struct pa_counts *pa_all_counts(const struct pa_all_row *row)
{
	return row->g ? &row->g->c : &row->p->totals;
}

uint64_t pa_all_raw(const struct pa_all_row *row, int col)
{
	switch (col) {
	case PA_F_PID: return row->p ? (uint64_t)row->p->pid : 0;
	case PA_F_PPID: return row->p ? (uint64_t)row->p->ppid : 0;
	case PA_F_PROCS: return row->g ? row->g->nprocs : 1;
	default: return pa_field_count(pa_all_counts(row), col);
	}
}

uint64_t pa_all_value(const struct pa_report *r, const struct pa_all_row *row, int col)
{
	uint64_t v = pa_all_raw(row, col);

	return pa_fields[col].kind == PA_FIELD_PAGES ? pa_field_bytes(col, v, r->page_size) : v;
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

const char *pa_all_string(const struct pa_all_row *row, int col)
{
	const struct pa_procinfo *i = row->p ? row->p->info : NULL;

	if (row->g)
		return "";
	switch (col) {
	case PA_F_USER: return dash(i ? i->user : NULL);
	case PA_F_COMMAND: return dash(row->p->comm);
	case PA_F_CGROUP: return dash(i ? i->cgroup : NULL);
	case PA_F_UNIT: return dash(i ? i->unit : NULL);
	default: return "";
	}
}

/* ------------------------------------------------------------------ */
/* The scan                                                            */

struct all_ctx {
	const struct pa_kinfo *k;
	struct pa_counts c;
	double deadline;	/* 0: none */
	bool timed_out;
};

static int all_batch(void *ctx, const struct pa_page_batch *b)
{
	struct all_ctx *a = ctx;

	for (size_t i = 0; i < b->n; i++) {
		uint64_t kc = b->kcount ? b->kcount[i] : 0;
		enum pa_state st = pa_classify(a->k, b->pme[i], b->kflags[i], kc, b->pgflags[i]);

		if (st != PA_ST_NONE)
			pa_counts_page(&a->c, a->k, b->pme[i], b->kflags[i], kc, b->pgflags[i], st);
	}
	if (a->deadline && pa_now() > a->deadline) {
		a->timed_out = true;
		return -ETIME;
	}
	return 0;
}

enum one_result { ONE_OK, ONE_SKIP_EXITED, ONE_SKIP_UNREADABLE, ONE_BUDGET, ONE_STOPPED };

static enum one_result read_one(struct pa_session *s, pid_t pid, struct pa_walk_opts *wo,
				struct all_ctx *ctx, struct pa_walk_stats *st, int *err)
{
	struct pa_target *t = NULL;
	struct pa_maps maps = { 0 };
	enum one_result res = ONE_OK;
	int r;

	*err = 0;
	r = s->src->ops->open_target(s->src, pid, &t);
	if (r < 0) {
		*err = -r;
		return r == -ENOENT || r == -ESRCH ? ONE_SKIP_EXITED : ONE_SKIP_UNREADABLE;
	}
	r = s->src->ops->read_maps(t, &maps);
	if (r < 0 || !maps.n) {
		/* no VMAs: the mm is gone (exiting) */
		*err = r < 0 ? -r : ESRCH;
		res = !maps.n || r == -ENOENT || r == -ESRCH ? ONE_SKIP_EXITED : ONE_SKIP_UNREADABLE;
		goto out;
	}
	r = pa_walk_target(t, &maps, &s->kinfo, wo, all_batch, ctx, st);
	if (ctx->timed_out)
		res = ONE_BUDGET;
	else if (r == -EINTR || pa_stop_flag)
		res = ONE_STOPPED;
	else if (t->gone || st->partial)
		res = ONE_SKIP_EXITED;
	else if (r < 0 || st->err) {
		*err = r < 0 ? -r : st->err;
		res = ONE_SKIP_UNREADABLE;
	}
out:
	pa_maps_free(&maps);
	s->src->ops->close_target(t);
	return res;
}

/* Sorting rows: a column, '-' for descending; ties by PID or key. */
struct sort_by {
	int c;
	bool desc;
};

static int cmp_rows(const struct pa_all_row *x, const struct pa_all_row *y,
		    const struct sort_by *by)
{
	int sort_c = by->c, c;

	if (pa_fields[sort_c].fmt == PA_FMT_TEXT) {
		c = strcmp(pa_all_string(x, sort_c), pa_all_string(y, sort_c));
	} else {
		/* the counters as kept: PSS exact, not rounded to bytes */
		uint64_t a = pa_all_raw(x, sort_c), b = pa_all_raw(y, sort_c);

		c = (a > b) - (a < b);
	}
	if (by->desc)
		c = -c;
	if (!c && x->p && y->p)
		c = (x->p->pid > y->p->pid) - (x->p->pid < y->p->pid);
	if (!c && x->g && y->g)
		c = strcmp(x->g->key, y->g->key);
	return c;
}

static int cmp_procs(const void *a, const void *b, void *by)
{
	struct pa_all_row x = { .p = a }, y = { .p = b };

	return cmp_rows(&x, &y, by);
}

static int cmp_groups(const void *a, const void *b, void *by)
{
	struct pa_all_row x = { .g = a }, y = { .g = b };

	return cmp_rows(&x, &y, by);
}

static const char *group_key(enum pa_group_by g, const struct pa_proc_report *p)
{
	const struct pa_procinfo *i = p->info;

	switch (g) {
	case PA_GROUP_USER: return dash(i ? i->user : NULL);
	case PA_GROUP_CGROUP: return dash(i ? i->cgroup : NULL);
	case PA_GROUP_UNIT: return dash(i ? i->unit : NULL);
	default: return dash(p->comm);
	}
}

static int cmp_str_ptr(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	int c = strcmp(x[0], y[0]);

	/* x[1] holds the process index: a stable order */
	return c ? c : (x[1] > y[1]) - (x[1] < y[1]);
}

static void build_groups(struct pa_report *r)
{
	struct pa_all_report *a = r->all;
	const char **v = pa_xrealloc(NULL, 2 * (r->nprocs ? r->nprocs : 1), sizeof(*v));

	for (size_t i = 0; i < r->nprocs; i++) {
		v[2 * i] = group_key(a->group_by, &r->procs[i]);
		v[2 * i + 1] = (const char *)&r->procs[i];
	}
	qsort(v, r->nprocs, 2 * sizeof(*v), cmp_str_ptr);
	a->groups = pa_xrealloc(NULL, r->nprocs ? r->nprocs : 1, sizeof(*a->groups));
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct pa_proc_report *p = (const struct pa_proc_report *)v[2 * i + 1];
		struct pa_group *g;

		if (!a->ngroups || strcmp(a->groups[a->ngroups - 1].key, v[2 * i])) {
			g = &a->groups[a->ngroups++];
			memset(g, 0, sizeof(*g));
			g->key = pa_xstrdup(v[2 * i]);
		}
		g = &a->groups[a->ngroups - 1];
		g->nprocs++;
		pa_counts_add(&g->c, &p->totals);
	}
	free(v);
}

static void to_other(struct pa_all_report *a, size_t nprocs, const struct pa_counts *c)
{
	a->other.nprocs += nprocs;
	pa_counts_add(&a->other.c, c);
}

/* Sort, group and cut to --top. */
static void finish(struct pa_report *r, const struct pa_options *o)
{
	struct pa_all_report *a = r->all;
	const char *spec = o->sort ? o->sort : "-pss";
	struct sort_by by = { .desc = *spec == '-' };

	by.c = pa_field_lookup_all(spec + by.desc);
	if (by.c < 0)
		by.c = PA_F_PSS;
	for (size_t i = 0; i < r->nprocs; i++) {
		pa_counts_add(&a->totals, &r->procs[i].totals);
		a->nread++;
	}
	if (a->group_by != PA_GROUP_NONE) {
		build_groups(r);
		/* names of processes are not sortable within groups: by size */
		if (pa_fields[by.c].flags & PA_FIELD_PER_PROC)
			by.c = PA_F_PSS, by.desc = true;
		qsort_r(a->groups, a->ngroups, sizeof(*a->groups), cmp_groups, &by);
		if (o->top && a->ngroups > o->top) {
			size_t k = 0;

			/* A real group called "other" joins the rest: one
			 * series per label value. */
			for (size_t i = 0; i < a->ngroups; i++) {
				struct pa_group *g = &a->groups[i];

				if (k < o->top && strcmp(g->key, "other")) {
					a->groups[k++] = *g;
					continue;
				}
				to_other(a, g->nprocs, &g->c);
				free(g->key);
			}
			a->ngroups = k;
		}
		if (r->nprocs)
			qsort_r(r->procs, r->nprocs, sizeof(*r->procs), cmp_procs, &by);
		return;
	}
	if (r->nprocs)
		qsort_r(r->procs, r->nprocs, sizeof(*r->procs), cmp_procs, &by);
	if (o->top && r->nprocs > o->top) {
		for (size_t i = o->top; i < r->nprocs; i++) {
			to_other(a, 1, &r->procs[i].totals);
			free(r->procs[i].info);
		}
		r->nprocs = o->top;
	}
}

int pa_collect_all(struct pa_session *s, struct pa_report *r)
{
	struct pa_options *o = s->opt;
	/* PAGE_ANON_PFN_CACHE=0: without the cache, to measure what it
	 * saves (make bench) */
	const char *env = getenv("PAGE_ANON_PFN_CACHE");
	struct pa_pfncache *cache = env && !strcmp(env, "0") ? NULL : pa_pfncache_new(0);
	struct pa_pfncache_stats cst = { 0 };
	struct pa_walk_opts wo = {
		.need_kflags = true,
		.need_count = true,
		.count_mapped = true,
		.cache = cache,
		.threads = o->threads,
		.scan = o->scan,
		.stop = &pa_stop_flag,
	};
	struct pa_all_report *a;
	struct timespec ts;
	double t0 = pa_now();
	pid_t *pids = NULL, first_err_pid = 0;
	int first_err = 0;
	ssize_t np;
	int rc = PA_EXIT_OK;

	a = pa_xrealloc(NULL, 1, sizeof(*a));
	memset(a, 0, sizeof(*a));
	r->all = a;
	a->group_by = (enum pa_group_by)o->group_by;
	if (o->prometheus && a->group_by == PA_GROUP_NONE)
		a->group_by = PA_GROUP_COMM;
	snprintf(r->kernel, sizeof(r->kernel), "%s", s->src->release);
	r->page_size = s->src->page_size;
	r->kinfo = s->kinfo;
	r->ftab = s->ftab;
	clock_gettime(CLOCK_REALTIME, &ts);
	r->timestamp = (double)ts.tv_sec + ts.tv_nsec / 1e9;

	np = pa_source_pids(s->src, &pids);
	if (np < 0) {
		char path[4096];

		pa_source_path(s->src, path, sizeof(path), "proc");
		pa_error("%s: %s", path, strerror((int)-np));
		pa_pfncache_free(cache);
		return PA_EXIT_ERROR;
	}
	for (ssize_t i = 0; i < np; i++) {
		struct pa_procinfo info;
		struct all_ctx ctx = { .k = &s->kinfo };
		struct pa_walk_stats st = { 0 };
		struct pa_proc_report *p;
		enum one_result res;
		int status, err;

		if (pa_stop_flag)
			break;
		status = pa_procinfo_read(s->src, pids[i], &info);
		if (status == PA_PROC_KTHREAD) {
			a->skipped[PA_SKIP_KTHREAD]++;
			continue;
		}
		if (status == PA_PROC_GONE) {
			a->skipped[PA_SKIP_EXITED]++;
			continue;
		}
		if (o->max_seconds > 0) {
			ctx.deadline = t0 + o->max_seconds;
			if (pa_now() > ctx.deadline) {
				a->truncated = true;
				a->skipped[PA_SKIP_BUDGET] += (size_t)(np - i);
				break;
			}
		}
		res = read_one(s, pids[i], &wo, &ctx, &st, &err);
		a->pfns_read += st.pfns_read;
		if (res == ONE_STOPPED)
			break;
		if (res == ONE_BUDGET) {
			/* this one and the rest (kernel threads included:
			 * they were not looked at) */
			a->truncated = true;
			a->skipped[PA_SKIP_BUDGET] += (size_t)(np - i);
			break;
		}
		if (res == ONE_SKIP_EXITED) {
			a->skipped[PA_SKIP_EXITED]++;
			continue;
		}
		if (res == ONE_SKIP_UNREADABLE) {
			a->skipped[PA_SKIP_UNREADABLE]++;
			if (!first_err) {
				first_err = err;
				first_err_pid = pids[i];
			}
			continue;
		}
		p = pa_report_add_proc(r, pids[i]);
		p->ppid = info.ppid;
		snprintf(p->comm, sizeof(p->comm), "%s", info.comm);
		p->info = pa_xrealloc(NULL, 1, sizeof(*p->info));
		*p->info = info;
		p->totals = ctx.c;
		p->stats = st;
		if (st.pfn_hidden) {
			p->partial = true;
			r->partial = true;
		}
	}
	free(pids);
	/* Nothing more is opened: give up file capabilities (caps.c). */
	pa_privs_drop();
	if (cache) {
		pa_pfncache_stats(cache, &cst);
		a->cache_lookups = cst.lookups;
		a->cache_hits = cst.hits;
		a->cache_peak = cst.peak_entries;
		pa_pfncache_free(cache);
	}
	a->duration = pa_now() - t0;
	if (first_err) {
		char buf[1024];

		pa_explain_open_error(s, first_err_pid, first_err, buf, sizeof(buf));
		pa_warn("%zu process%s could not be read, e.g. %s", a->skipped[PA_SKIP_UNREADABLE],
			a->skipped[PA_SKIP_UNREADABLE] == 1 ? "" : "es", buf);
	}
	if (a->truncated)
		pa_warn("--max-seconds %g: scan stopped after %.2f s; %zu processes not read",
			o->max_seconds, a->duration, a->skipped[PA_SKIP_BUDGET]);
	finish(r, o);
	if (!a->nread && !a->truncated) {
		if (!pa_stop_flag)
			pa_error("no process could be read");
		rc = PA_EXIT_ERROR;
	} else if (first_err || a->truncated || r->partial || pa_stop_flag) {
		rc = PA_EXIT_PARTIAL;
	}
	if (pa_stop_flag || a->truncated)
		r->partial = true;
	return rc;
}

/* ------------------------------------------------------------------ */
/* The run of --all                                                    */

static void on_stop(int sig)
{
	(void)sig;
	pa_stop_flag = 1;
}

static void columns_help(FILE *out)
{
	fputs("Columns of --all (-o, --sort; sizes in bytes, '-' before a --sort column "
	      "sorts descending; default --sort -pss):\n", out);
	/* who the row is, then the counters */
	for (int k = 0; k < 2 * PA_F__N; k++) {
		int i = k % PA_F__N;
		const struct pa_field *f = &pa_fields[i];

		if (!pa_field_is_all(i) || (f->kind == PA_FIELD_PROC) != (k < PA_F__N))
			continue;
		fprintf(out, "  %-10s %s%s", f->name, f->help,
			f->flags & PA_FIELD_PER_PROC ? " (not with --group-by)" : "");
		if (f->alias)
			fprintf(out, " (also: %s)", f->alias);
		fputc('\n', out);
	}
}

int pa_run_all(struct pa_session *s, struct pa_report *r)
{
	struct pa_options *o = s->opt;
	struct sigaction sa = { .sa_handler = on_stop };
	int cols[PA_F__N * 2], rc;
	size_t n;
	char err[128];

	if (o->columns && !strcmp(o->columns, "help")) {
		columns_help(stdout);
		return PA_EXIT_OK;
	}
	if (pa_all_cols_parse(o->columns, o->group_by != PA_GROUP_NONE, cols, PA_ARRAY_SIZE(cols), &n,
			      err, sizeof(err)) < 0)
		return pa_usage_error("invalid -o/--output '%s': %s", o->columns, err);
	if (o->sort) {
		int c = pa_field_lookup_all(o->sort + (*o->sort == '-'));

		if (c < 0)
			return pa_usage_error("invalid --sort '%s': unknown column (-o help lists them)",
					      o->sort);
		if ((o->group_by != PA_GROUP_NONE || o->prometheus) &&
		    (pa_fields[c].flags & PA_FIELD_PER_PROC))
			return pa_usage_error("invalid --sort '%s': a per-process column cannot sort "
					      "groups", o->sort);
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	rc = pa_session_open_kfiles(s, 1u << PA_KPAGEFLAGS | 1u << PA_KPAGECOUNT);
	if (rc)
		return rc;
	if (!s->privs.have_sys_admin && !*s->src->root)
		pa_warn("CAP_SYS_ADMIN is missing: /proc/PID/pagemap hides PFNs, so page flags, "
			"USS and PSS cannot be read; run as root");
	pa_selftest(s->src, &s->kinfo);
	return pa_collect_all(s, r);
}
