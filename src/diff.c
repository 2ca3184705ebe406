// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --diff OLD NEW: the page state of each process at two moments, read
 * through two data sources (two snapshots, or a snapshot and the live
 * system) with the report's own walk and classification, compared page
 * by page by virtual address.
 *
 * Processes are matched by PID.  A process only in NEW whose parent is in
 * OLD is compared with its parent's OLD pages (a fork copies the address
 * space).  Pages are attributed to the NEW VMA holding their address, or
 * else to the OLD VMA (listed as "gone").  A NEW VMA is "same" when an OLD
 * one has its start, end and name, "changed" when it overlaps OLD VMAs
 * otherwise (split, merged, grown, shrunk or renamed), "new" when it
 * overlaps none.  A moved VMA (mremap) is "gone" at its old address and
 * "new" at the new one.
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "page-anon.h"
#include "collect.h"
#include "diff.h"
#include "session.h"
#include "snapshot.h"

void pa_diff_pages_free(struct pa_diff_pages *p)
{
	pa_maps_free(&p->maps);
	free(p->vpn);
	free(p->pfn);
	free(p->state);
	memset(p, 0, sizeof(*p));
}

void pa_diff_proc_free(struct pa_diff_proc *p)
{
	free(p->vmas);
	memset(p, 0, sizeof(*p));
}

/* ------------------------------------------------------------------ */
/* Reading one side                                                    */

struct side_ctx {
	const struct pa_session *s;
	struct pa_diff_pages *p;
};

static int side_batch(void *ctx, const struct pa_page_batch *b)
{
	struct side_ctx *c = ctx;
	struct pa_diff_pages *p = c->p;

	for (size_t i = 0; i < b->n; i++) {
		enum pa_state st = pa_classify(&c->s->kinfo, b->pme[i], b->kflags[i],
					       b->kcount ? b->kcount[i] : 0, b->pgflags[i]);

		if (st == PA_ST_NONE)
			continue;
		if (p->n == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 4096;
			p->vpn = pa_xrealloc(p->vpn, p->cap, sizeof(*p->vpn));
			p->pfn = pa_xrealloc(p->pfn, p->cap, sizeof(*p->pfn));
			p->state = pa_xrealloc(p->state, p->cap, 1);
		}
		p->vpn[p->n] = b->index[i];
		p->pfn[p->n] = b->pfn[i];
		p->state[p->n] = (int8_t)st;
		p->n++;
	}
	return 0;
}

static void read_ppid(const struct pa_session *s, struct pa_diff_pages *p)
{
	struct pa_proc_stat ps;

	if (pa_session_proc_stat(s, p->pid, &ps) == 0)
		p->ppid = ps.ppid;
}

/* Read the pages of pids through s; errors are reported and the process
 * is marked (err). */
static void read_side(struct pa_session *s, const pid_t *pids, size_t n, struct pa_diff_pages *out)
{
	struct pa_walk_opts wo = {
		.need_kflags = true,
		.need_count = true,
		.count_mapped = true,	/* USS and PSS (classify.c) */
		.threads = s->opt->threads,
		.scan = s->opt->scan,
		.stop = &pa_stop_flag,
	};

	for (size_t i = 0; i < n; i++) {
		struct pa_diff_pages *p = &out[i];
		struct side_ctx c = { s, p };
		struct pa_walk_stats st = { 0 };
		struct pa_target *t = NULL;
		char msg[640];
		int r;

		memset(p, 0, sizeof(*p));
		p->pid = pids[i];
		r = s->src->ops->open_target(s->src, p->pid, &t);
		if (!r)
			r = s->src->ops->read_maps(t, &p->maps);
		if (!r) {
			snprintf(p->comm, sizeof(p->comm), "%s", t->comm);
			read_ppid(s, p);
			r = pa_walk_target(t, &p->maps, &s->kinfo, &wo, side_batch, &c, &st);
			if (!r && (t->gone || st.partial))
				r = -ESRCH;
			if (!r && t->pfn_hidden)
				pa_warn("process %d: PFNs hidden (CAP_SYS_ADMIN missing): states are "
					"unknown; run as root", (int)p->pid);
		}
		if (t)
			s->src->ops->close_target(t);
		if (r < 0) {
			pa_explain_open_error(s, p->pid, -r, msg, sizeof(msg));
			pa_error("%s", msg);
			p->err = -r;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Comparing one process                                               */

static bool overlaps(const struct pa_vma *a, const struct pa_vma *b)
{
	return a->start < b->end && b->start < a->end;
}

/* Index of the VMA of m holding address a, or -1. */
static long vma_at(const struct pa_maps *m, uint64_t a)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->v[mid].end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->v[lo].start <= a ? (long)lo : -1;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct pa_diff_vma *x = a, *y = b;

	return (x->vma.start > y->vma.start) - (x->vma.start < y->vma.start);
}

static void count(struct pa_diff_proc *d, struct pa_diff_vma *e, int from, int to, bool pfn_changed)
{
	e->c.t[from + 1][to + 1][pfn_changed]++;
	d->total.t[from + 1][to + 1][pfn_changed]++;
	if (from != to || pfn_changed)
		e->changed = d->changed = true;
}

void pa_diff_process(const struct pa_diff_pages *old, const struct pa_diff_pages *new,
		     long page_size, struct pa_diff_proc *d)
{
	static const struct pa_diff_pages none;
	const struct pa_diff_pages *o = old ? old : &none, *n = new ? new : &none;
	uint64_t ps = (uint64_t)page_size;
	size_t nn = n->maps.n, ne = nn, i = 0, j = 0;
	long *old_entry = pa_xrealloc(NULL, o->maps.n + 1, sizeof(long));

	memset(d, 0, sizeof(*d));
	d->pid = new ? new->pid : old->pid;
	d->status = old && new ? "both" : new ? "new" : "gone";
	snprintf(d->comm, sizeof(d->comm), "%s", new ? new->comm : old->comm);
	d->vmas = pa_xrealloc(NULL, nn + o->maps.n + 1, sizeof(*d->vmas));
	for (size_t k = 0; k < nn; k++) {
		struct pa_diff_vma *e = &d->vmas[k];

		memset(e, 0, sizeof(*e));
		e->vma = n->maps.v[k];
		e->match = "new";
		for (size_t m = 0; m < o->maps.n; m++) {
			const struct pa_vma *ov = &o->maps.v[m];

			if (!overlaps(ov, &e->vma))
				continue;
			if (ov->start == e->vma.start && ov->end == e->vma.end &&
			    !strcmp(ov->name, e->vma.name)) {
				e->match = "same";
				break;
			}
			if (strcmp(e->match, "changed")) {
				e->match = "changed";
				e->old_start = ov->start;
			}
			e->old_end = ov->end;
		}
	}
	/* Old VMAs overlapping no new one are gone (listed even without
	 * pages); others get an entry only for pages outside the new VMAs. */
	for (size_t m = 0; m < o->maps.n; m++) {
		bool any = false;

		for (size_t k = 0; k < nn && !any; k++)
			any = overlaps(&o->maps.v[m], &n->maps.v[k]);
		old_entry[m] = -1;
		if (!any) {
			memset(&d->vmas[ne], 0, sizeof(d->vmas[ne]));
			d->vmas[ne].vma = o->maps.v[m];
			d->vmas[ne].match = "gone";
			old_entry[m] = (long)ne++;
		}
	}
	while (i < o->n || j < n->n) {
		uint64_t vpn;
		int from = PA_ST_NONE, to = PA_ST_NONE;
		bool pc = false;
		long k;

		if (j >= n->n || (i < o->n && o->vpn[i] < n->vpn[j])) {
			vpn = o->vpn[i];
			from = o->state[i++];
		} else if (i >= o->n || n->vpn[j] < o->vpn[i]) {
			vpn = n->vpn[j];
			to = n->state[j++];
		} else {
			vpn = n->vpn[j];
			from = o->state[i];
			to = n->state[j];
			pc = o->pfn[i] && n->pfn[j] && o->pfn[i] != n->pfn[j];
			i++;
			j++;
		}
		k = vma_at(&n->maps, vpn * ps);
		if (k < 0) {
			long m = vma_at(&o->maps, vpn * ps);

			if (m < 0)
				continue;	/* cannot happen: pages lie in their VMAs */
			if (old_entry[m] < 0) {
				memset(&d->vmas[ne], 0, sizeof(d->vmas[ne]));
				d->vmas[ne].vma = o->maps.v[m];
				d->vmas[ne].match = "gone";
				old_entry[m] = (long)ne++;
			}
			k = old_entry[m];
		}
		count(d, &d->vmas[k], from, to, pc);
	}
	for (size_t k = 0; k < ne; k++)
		if (strcmp(d->vmas[k].match, "same"))
			d->vmas[k].changed = d->changed = true;
	d->nvmas = ne;
	if (ne)
		qsort(d->vmas, ne, sizeof(*d->vmas), cmp_entry);
	free(old_entry);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static const char *st_name(int st)
{
	return st == PA_ST_NONE ? "none" : pa_state_name((enum pa_state)st);
}

static uint64_t unchanged(const struct pa_diff_counts *c)
{
	uint64_t u = 0;

	for (int s = 0; s < PA_ST__N; s++)
		u += c->t[s + 1][s + 1][0];
	return u;
}

static void text_counts(FILE *out, const struct pa_diff_counts *c, long ps, bool bytes,
			const char *indent)
{
	char h[32];

	for (int f = -1; f < PA_ST__N; f++)
		for (int t = -1; t < PA_ST__N; t++)
			for (int pc = 0; pc < 2; pc++) {
				uint64_t v = c->t[f + 1][t + 1][pc];
				char what[96];

				if (!v || (f == t && !pc))
					continue;
				snprintf(what, sizeof(what), "%s -> %s%s", st_name(f), st_name(t),
					 pc ? " (new page)" : "");
				if (bytes)
					snprintf(h, sizeof(h), "%llu", (unsigned long long)(v * (uint64_t)ps));
				else
					pa_human_size(v * (uint64_t)ps, h, sizeof(h));
				fprintf(out, "%s%-44s %10llu %8s\n", indent, what, (unsigned long long)v, h);
			}
	if (unchanged(c)) {
		uint64_t v = unchanged(c);

		if (bytes)
			snprintf(h, sizeof(h), "%llu", (unsigned long long)(v * (uint64_t)ps));
		else
			pa_human_size(v * (uint64_t)ps, h, sizeof(h));
		fprintf(out, "%s%-44s %10llu %8s\n", indent, "unchanged", (unsigned long long)v, h);
	}
}

static void text_proc(FILE *out, const struct pa_diff_proc *d, const struct pa_options *o, long ps)
{
	fprintf(out, "pid %d (%s): ", (int)d->pid, d->comm);
	if (!strcmp(d->status, "new") && d->compared_with)
		fprintf(out, "new, compared with its parent %d\n", (int)d->compared_with);
	else if (!strcmp(d->status, "both"))
		fprintf(out, "%s\n", d->changed ? "changed" : "unchanged");
	else
		fprintf(out, "%s\n", d->status);
	for (size_t k = 0; k < d->nvmas; k++) {
		const struct pa_diff_vma *e = &d->vmas[k];

		if (!e->changed && !o->all_vmas)
			continue;
		fprintf(out, "  %llx-%llx %s %s  %s", (unsigned long long)e->vma.start,
			(unsigned long long)e->vma.end, e->vma.perms,
			*e->vma.name ? e->vma.name : "[anon]", e->match);
		if (!strcmp(e->match, "changed"))
			fprintf(out, " (was %llx-%llx)", (unsigned long long)e->old_start,
				(unsigned long long)e->old_end);
		fputc('\n', out);
		text_counts(out, &e->c, ps, o->bytes, "    ");
	}
	fprintf(out, "  total\n");
	text_counts(out, &d->total, ps, o->bytes, "    ");
}

static char *hex(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "0x%llx", (unsigned long long)v);
	return buf;
}

static cJSON *json_counts(const struct pa_diff_counts *c, long ps)
{
	cJSON *arr = cJSON_CreateArray();

	for (int f = -1; f < PA_ST__N; f++)
		for (int t = -1; t < PA_ST__N; t++)
			for (int pc = 0; pc < 2; pc++) {
				uint64_t v = c->t[f + 1][t + 1][pc];
				cJSON *x;

				if (!v || (f == t && !pc))
					continue;
				x = cJSON_CreateObject();
				cJSON_AddStringToObject(x, "from", st_name(f));
				cJSON_AddStringToObject(x, "to", st_name(t));
				cJSON_AddBoolToObject(x, "pfn_changed", pc);
				cJSON_AddNumberToObject(x, "pages", (double)v);
				cJSON_AddNumberToObject(x, "bytes", (double)(v * (uint64_t)ps));
				cJSON_AddItemToArray(arr, x);
			}
	return arr;
}

static cJSON *json_side(const char *name, const struct pa_source *src)
{
	const struct pa_snap_capture *c = pa_source_capture(src);
	cJSON *x = cJSON_CreateObject();

	cJSON_AddStringToObject(x, "source", c ? name : "live");
	cJSON_AddStringToObject(x, "kernel", src->release);
	if (c) {
		cJSON_AddStringToObject(x, "label", c->label);
		cJSON_AddStringToObject(x, "host", c->host);
		cJSON_AddNumberToObject(x, "time", (double)c->time_ns / 1e9);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		cJSON_AddNumberToObject(x, "time", (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
	}
	return x;
}

static int json_out(FILE *out, const struct pa_options *o, const char *oldname, const char *newname,
		    const struct pa_source *os, const struct pa_source *ns,
		    const struct pa_diff_proc *d, size_t nd, long ps)
{
	cJSON *root = cJSON_CreateObject(), *procs;
	char b[32], b2[32];
	char *s;

	cJSON_AddNumberToObject(root, "schema_version", PA_SCHEMA_VERSION);
	cJSON_AddStringToObject(root, "type", "diff");
	cJSON_AddNumberToObject(root, "page_size", (double)ps);
	cJSON_AddItemToObject(root, "old", json_side(oldname, os));
	cJSON_AddItemToObject(root, "new", json_side(newname, ns));
	procs = cJSON_AddArrayToObject(root, "processes");
	for (size_t i = 0; i < nd; i++) {
		cJSON *p = cJSON_CreateObject(), *vmas;

		cJSON_AddNumberToObject(p, "pid", d[i].pid);
		cJSON_AddStringToObject(p, "comm", d[i].comm);
		cJSON_AddStringToObject(p, "status", d[i].status);
		if (d[i].compared_with)
			cJSON_AddNumberToObject(p, "compared_with", d[i].compared_with);
		cJSON_AddBoolToObject(p, "changed", d[i].changed);
		cJSON_AddNumberToObject(p, "unchanged_pages", (double)unchanged(&d[i].total));
		cJSON_AddItemToObject(p, "transitions", json_counts(&d[i].total, ps));
		vmas = cJSON_AddArrayToObject(p, "vmas");
		for (size_t k = 0; k < d[i].nvmas; k++) {
			const struct pa_diff_vma *e = &d[i].vmas[k];
			cJSON *v;

			if (!e->changed && !o->all_vmas)
				continue;
			v = cJSON_CreateObject();
			cJSON_AddStringToObject(v, "start", hex(b, sizeof(b), e->vma.start));
			cJSON_AddStringToObject(v, "end", hex(b2, sizeof(b2), e->vma.end));
			cJSON_AddStringToObject(v, "perms", e->vma.perms);
			cJSON_AddStringToObject(v, "name", e->vma.name);
			cJSON_AddStringToObject(v, "match", e->match);
			if (!strcmp(e->match, "changed")) {
				cJSON_AddStringToObject(v, "old_start", hex(b, sizeof(b), e->old_start));
				cJSON_AddStringToObject(v, "old_end", hex(b2, sizeof(b2), e->old_end));
			}
			cJSON_AddNumberToObject(v, "unchanged_pages", (double)unchanged(&e->c));
			cJSON_AddItemToObject(v, "transitions", json_counts(&e->c, ps));
			cJSON_AddItemToArray(vmas, v);
		}
		cJSON_AddItemToArray(procs, p);
	}
	s = o->json == PA_JSON_PRETTY ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!s) {
		pa_error("out of memory");
		return -1;
	}
	fprintf(out, "%s\n", s);
	free(s);
	pa_json_printed = true;
	return 0;
}

/* ------------------------------------------------------------------ */

static int open_side(struct pa_session *s, struct pa_options *o, const char *load)
{
	int r;

	o->load = load;
	r = pa_session_open(s, o);
	o->load = NULL;
	return r;
}

static void capture_pids(const struct pa_source *src, pid_t **pids, size_t *n)
{
	const struct pa_snap_capture *c = pa_source_capture(src);

	*n = c->nprocs;
	*pids = pa_xrealloc(NULL, *n ? *n : 1, sizeof(**pids));
	for (size_t i = 0; i < *n; i++)
		(*pids)[i] = c->procs[i].pid;
}

static const struct pa_diff_pages *find(const struct pa_diff_pages *v, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid && !v[i].err)
			return &v[i];
	return NULL;
}

int pa_run_diff(struct pa_options *o)
{
	struct pa_session so, sn;
	struct pa_diff_pages *op = NULL, *np = NULL;
	struct pa_diff_proc *d = NULL;
	pid_t *opids = NULL, *npids = NULL, *user = o->pids;
	size_t no = 0, nn = 0, nd = 0, nuser = o->npids;
	bool live = !o->diff_new;
	int rc;

	memset(&so, 0, sizeof(so));
	memset(&sn, 0, sizeof(sn));
	/* -p selects processes on both sides; the session must not fill
	 * o->pids from the first snapshot. */
	o->pids = NULL;
	o->npids = 0;
	rc = open_side(&so, o, o->diff_old);
	if (o->pids != user)
		free(o->pids);
	o->pids = user;
	o->npids = nuser;
	if (rc)
		goto out;
	if (!live) {
		o->pids = NULL;
		o->npids = 0;
	}
	rc = open_side(&sn, o, o->diff_new);
	if (o->pids != user)
		free(o->pids);
	o->pids = user;
	o->npids = nuser;
	if (rc)
		goto out;
	if (so.src->page_size != sn.src->page_size) {
		pa_error("%s and %s have different page sizes (%ld, %ld): nothing to compare",
			 o->diff_old, live ? "the live system" : o->diff_new, so.src->page_size,
			 sn.src->page_size);
		rc = PA_EXIT_ERROR;
		goto out;
	}
	if (live) {
		pa_expand_children(&sn, o->pids, o->npids, &npids, &nn);
		/* the old side: the same PIDs (and with --children the
		 * descendants the snapshot recorded), those it has */
		pid_t *cand;
		size_t nc;

		pa_expand_children(&so, o->pids, o->npids, &cand, &nc);
		opids = pa_xrealloc(NULL, nc ? nc : 1, sizeof(*opids));
		for (size_t i = 0; i < nc; i++) {
			const struct pa_snap_capture *c = pa_source_capture(so.src);

			for (size_t k = 0; k < c->nprocs; k++)
				if (c->procs[k].pid == cand[i])
					opids[no++] = cand[i];
		}
		free(cand);
		if (o->freeze)
			pa_freeze(sn.src, npids, nn);
	} else {
		capture_pids(so.src, &opids, &no);
		capture_pids(sn.src, &npids, &nn);
	}
	op = pa_xrealloc(NULL, no ? no : 1, sizeof(*op));
	np = pa_xrealloc(NULL, nn ? nn : 1, sizeof(*np));
	read_side(&so, opids, no, op);
	read_side(&sn, npids, nn, np);
	if (live && o->freeze)
		pa_thaw();
	pa_privs_drop();

	d = pa_xrealloc(NULL, no + nn + 1, sizeof(*d));
	for (size_t i = 0; i < nn; i++) {
		const struct pa_diff_pages *old;

		if (np[i].err)
			continue;
		old = find(op, no, np[i].pid);
		if (!old && (old = find(op, no, np[i].ppid))) {
			pa_diff_process(old, &np[i], so.src->page_size, &d[nd]);
			d[nd].status = "new";
			d[nd].compared_with = np[i].ppid;
			nd++;
			continue;
		}
		pa_diff_process(old, &np[i], so.src->page_size, &d[nd++]);
	}
	for (size_t i = 0; i < no; i++)
		if (!op[i].err && !find(np, nn, op[i].pid))
			pa_diff_process(&op[i], NULL, so.src->page_size, &d[nd++]);

	if (o->json) {
		if (json_out(stdout, o, o->diff_old, o->diff_new, so.src, sn.src, d, nd,
			     so.src->page_size) < 0)
			rc = PA_EXIT_ERROR;
	} else {
		fprintf(stdout, "diff %s -> %s\n", o->diff_old, live ? "live" : o->diff_new);
		for (size_t i = 0; i < nd; i++)
			text_proc(stdout, &d[i], o, so.src->page_size);
	}
	for (size_t i = 0; i < nn; i++)
		if (np[i].err)
			rc = PA_EXIT_PARTIAL;
	if (!nd && !rc) {
		pa_error("no process to compare");
		rc = PA_EXIT_ERROR;
	}
out:
	for (size_t i = 0; i < nd; i++)
		pa_diff_proc_free(&d[i]);
	free(d);
	for (size_t i = 0; op && i < no; i++)
		pa_diff_pages_free(&op[i]);
	for (size_t i = 0; np && i < nn; i++)
		pa_diff_pages_free(&np[i]);
	free(op);
	free(np);
	free(opids);
	free(npids);
	if (so.src)
		pa_session_close(&so);
	if (sn.src)
		pa_session_close(&sn);
	return rc;
}
