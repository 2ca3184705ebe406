// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Collection: walk the processes of a sample and fill struct pa_report;
 * find the children for --children (collect.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect.h"
#include "pinned.h"
#include "fields.h"
#include "procs.h"
#include "session.h"
#include "snapshot.h"

/* Exclusivity report                                                  */

/*
 * Consistency model.  Without --freeze the target keeps running while it
 * is scanned.  The VMA list is read once (/proc/PID/maps) at the start;
 * each VMA's pagemap is then read in chunks (the kernel takes the mmap
 * lock per PMD-sized step, so entries of different chunks are not one
 * snapshot: doc/kernel-notes.md 1.4), and kpageflags/kpagecount are read after
 * the pagemap entries of a chunk.  So:
 *   - every page is counted at most once and in exactly one state, from
 *     one pagemap entry, so per VMA every state count <= present +
 *     swapped (populated), and no count is ever negative;
 *   - a VMA unmapped during the scan reads as holes (its pages are not
 *     counted); a VMA mapped after the maps read is missed; a page
 *     populated, unmapped, swapped or COW-broken meanwhile is counted in
 *     the state of the moment its entry was read;
 *   - a PFN freed and reused between the pagemap and the kpageflags read
 *     may be classified from the new page's flags (a few pages at most,
 *     and only with the target changing its memory).
 * --freeze stops the target for the scan (freeze.c), which removes all of
 * this except for changes made by the kernel itself (reclaim, KSM,
 * khugepaged) or by other processes sharing the pages.  A target that
 * exits mid-scan makes the report partial (exit status 3), with the VMAs
 * read so far.
 */

struct report_ctx {
	struct pa_session *s;
	struct pa_proc_report *p;
	const struct pa_maps *maps;
	const struct pa_pinned *pins;
	bool bitmap;
};

static void bitmap_set(struct pa_proc_report *p, uint64_t pfn)
{
	size_t byte = (size_t)(pfn / 8);

	if (byte >= p->bitmap_bytes) {
		size_t n = p->bitmap_bytes ? p->bitmap_bytes : 4096;

		while (n <= byte)
			n *= 2;
		p->pfn_bitmap = pa_xrealloc(p->pfn_bitmap, n, 1);
		memset(p->pfn_bitmap + p->bitmap_bytes, 0, n - p->bitmap_bytes);
		p->bitmap_bytes = n;
	}
	p->pfn_bitmap[byte] |= (uint8_t)(1u << (pfn % 8));
}

/*
 * dst += n * one.  struct pa_counts is all uint64_t counters (checked
 * below), so this stays right when counters are added.
 */
static void counts_add_n(struct pa_counts *dst, const struct pa_counts *one, uint64_t n)
{
	_Static_assert(sizeof(struct pa_counts) % sizeof(uint64_t) == 0,
		       "struct pa_counts holds uint64_t counters only");
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *o = (const uint64_t *)one;

	for (size_t i = 0; i < sizeof(*dst) / sizeof(uint64_t); i++)
		d[i] += o[i] * n;
}

/* n pages like this one, in state st: counted once. */
static void count_pages(struct pa_counts *dst, const struct pa_kinfo *k, uint64_t pme, uint64_t kf,
			uint64_t kc, unsigned pg, enum pa_state st, uint64_t n)
{
	struct pa_counts one = { 0 };

	if (st == PA_ST_NONE)
		return;
	if (n == 1) {
		pa_counts_page(dst, k, pme, kf, kc, pg, st);
		return;
	}
	pa_counts_page(&one, k, pme, kf, kc, pg, st);
	counts_add_n(dst, &one, n);
}

/*
 * Without filters, pins or the sharing bitmap a page adds only to its
 * VMA's counts, which depend on what pa_classify() reads (page-anon.h,
 * PA_CLASSIFY_KFLAGS): consecutive pages alike in that are one run,
 * classified and counted once.  Dense memory of one kind (all exclusive,
 * all shared after fork) is a handful of runs per batch: on 256 MiB of
 * 4 KiB pages the counting went from 181 to 55 instructions per page, the
 * whole report from 459 to 329 (callgrind).  --per-page counts page by page (tests/walk-strategies.sh
 * compares the two).
 */
static void report_runs(const struct pa_kinfo *k, struct pa_counts *dst,
			const struct pa_page_batch *b)
{
	uint64_t pme = 0, kf = 0, kc = 0, n = 0, key = 0, kfk = 0;
	unsigned pg = 0;

	for (size_t i = 0; i < b->n; i++) {
		uint64_t pme_i = b->pme[i], kf_i = b->kflags[i];
		uint64_t kc_i = b->kcount ? b->kcount[i] : 0;
		uint64_t key_i = pa_pme_key(k, pme_i), kfk_i = kf_i & PA_CLASSIFY_KFLAGS;
		unsigned pg_i = b->pgflags[i];

		if (n && key_i == key && kfk_i == kfk && kc_i == kc && pg_i == pg) {
			n += b->npages ? b->npages[i] : 1;
			continue;
		}
		if (n)
			count_pages(dst, k, pme, kf, kc, pg, pa_classify(k, pme, kf, kc, pg), n);
		pme = pme_i;
		kf = kf_i;
		kc = kc_i;
		pg = pg_i;
		key = key_i;
		kfk = kfk_i;
		n = b->npages ? b->npages[i] : 1;
	}
	if (n)
		count_pages(dst, k, pme, kf, kc, pg, pa_classify(k, pme, kf, kc, pg), n);
}

static int report_batch(void *ctx, const struct pa_page_batch *b)
{
	struct report_ctx *c = ctx;
	struct pa_session *s = c->s;
	struct pa_vma_report *vr;

	/* b->vma points into c->maps->v; p->vmas is indexed the same way. */
	if (!b->vma || b->vma < c->maps->v || b->vma >= c->maps->v + c->maps->n)
		return -EINVAL;
	vr = &c->p->vmas[b->vma - c->maps->v];
	if (!s->nfilters && !s->cgroup_filter && !c->pins->n && !c->bitmap && !s->opt->per_page) {
		report_runs(&s->kinfo, &vr->c, b);
		return 0;
	}
	for (size_t i = 0; i < b->n; i++) {
		uint64_t pme = b->pme[i], kf = b->kflags[i];
		uint64_t kc = b->kcount ? b->kcount[i] : 0;
		uint64_t n = b->npages ? b->npages[i] : 1;
		unsigned pg = b->pgflags[i];
		enum pa_state st;

		/* A run of n pages (a PMD-mapped folio read once) has the
		 * same flags, counts and state on every page. */
		if (s->nfilters || s->cgroup_filter) {
			uint64_t flags = pa_flags_expand(&s->ftab, b->pfn[i] ? kf : 0, pme);

			if (s->nfilters && !pa_bits_match(s->filters, s->nfilters, flags))
				continue;
			if (s->cgroup_filter && (!b->kcgroup || b->kcgroup[i] != s->cgroup))
				continue;
		}
		st = pa_classify(&s->kinfo, pme, kf, kc, pg);
		if (st == PA_ST_NONE)
			continue;
		count_pages(&vr->c, &s->kinfo, pme, kf, kc, pg, st, n);
		if (c->pins->n && (pme & PM_PRESENT))
			for (uint64_t k = 0; k < n; k++)
				if (pa_pinned_covers(c->pins, (b->index[i] + k) * (uint64_t)s->src->page_size,
						     (uint64_t)s->src->page_size))
					vr->c.pinned++;
		/* The sharing matrix counts exactly the anon_shared pages
		 * (classify.c has the one definition), so it agrees with the
		 * totals. */
		if (c->bitmap && b->pfn[i] && st == PA_ST_ANON_SHARED)
			for (uint64_t k = 0; k < n; k++)
				bitmap_set(c->p, b->pfn[i] + k);
	}
	return 0;
}

/* --sort COLUMN / -COLUMN; text fields sort as text, others numerically. */
struct sort_by {
	int field;
	bool desc;
	long page_size;
};

static int cmp_vma(const void *a, const void *b, void *arg)
{
	const struct sort_by *by = arg;
	int c = pa_field_cmp_vma(a, b, by->field, by->page_size);

	return by->desc ? -c : c;
}

static void sort_vmas(struct pa_session *s, struct pa_proc_report *p)
{
	const char *spec = s->opt->sort;
	struct sort_by by;

	if (!spec || !p->nvmas)
		return;
	by.desc = *spec == '-';
	by.field = pa_field_lookup(spec + by.desc);
	by.page_size = s->src->page_size;
	if (by.field >= 0)
		qsort_r(p->vmas, p->nvmas, sizeof(*p->vmas), cmp_vma, &by);
}

/*
 * Move the VMAs of maps into p: p->vmas[i] holds the counts of maps->v[i]
 * (walked in that order); each gets its mapping (the name is taken from
 * maps) and p->totals their sum.  Every VMA stays in the report, so the
 * totals are their sum (JSON lists them all, and per-VMA transitions add
 * up to the process's); the text report and the live views hide those
 * without anonymous pages unless --all-vmas.
 */
void pa_collect_move_vmas(struct pa_proc_report *p, struct pa_maps *maps)
{
	for (size_t i = 0; i < maps->n; i++) {
		struct pa_vma_report *v = &p->vmas[i];

		pa_counts_add(&p->totals, &v->c);
		v->vma = maps->v[i];
		maps->v[i].name = NULL;
		v->rss_pages = v->c.present;
	}
	p->nvmas = maps->n;
}

static void collect_one(struct pa_session *s, struct pa_proc_report *p, bool bitmap,
			struct pa_pin *pin)
{
	struct pa_options *o = s->opt;
	struct pa_walk_opts wo = {
		.need_kflags = true,
		.need_count = true,
		.count_mapped = s->mapcount,	/* USS and PSS (classify.c) */
		.need_cgroup = s->cgroup_filter,
		.runs = true,
		.per_page = o->per_page,
		.threads = o->threads,
		.scan = o->scan,
		.ranges = o->ranges,
		.nranges = o->nranges,
		.stop = &pa_stop_flag,
	};
	struct pa_target *t = NULL;
	struct pa_maps maps = { 0 };
	struct pa_pinned pins = { 0 };
	struct report_ctx c = { .s = s, .p = p, .maps = &maps, .pins = &pins, .bitmap = bitmap };
	int ret;

	if (pa_pin_dead(pin)) {
		p->err = ESRCH;
		snprintf(p->errmsg, sizeof(p->errmsg), pin->absent ? "process %d: no such process" :
			 "process %d has exited", (int)p->pid);
		goto out;
	}
	ret = s->src->ops->open_target(s->src, p->pid, &t);
	/* The pagemap just opened belongs to the pinned process only if that
	 * is still alive now (a PID is not reused before its reaping). */
	if (pa_pin_dead(pin)) {
		p->err = ESRCH;
		snprintf(p->errmsg, sizeof(p->errmsg), "process %d has exited", (int)p->pid);
		goto out;
	}
	if (ret < 0) {
		p->err = -ret;
		pa_explain_open_error(s, p->pid, -ret, p->errmsg, sizeof(p->errmsg));
		goto out;
	}
	ret = s->src->ops->read_maps(t, &maps);
	if (ret < 0) {
		p->err = -ret;
		if (ret == -ESRCH || ret == -ENOENT)
			pa_explain_open_error(s, p->pid, -ret, p->errmsg, sizeof(p->errmsg));
		else
			snprintf(p->errmsg, sizeof(p->errmsg), "%s/proc/%d/maps: %s", s->src->root,
				 (int)p->pid, ret == -EINVAL ? "unexpected format" : strerror(-ret));
		goto out;
	}
	snprintf(p->comm, sizeof(p->comm), "%s", t->comm);
	{
		struct pa_proc_stat ps;

		if (pa_session_proc_stat(s, p->pid, &ps) == 0)
			p->ppid = ps.ppid;
	}
	/* who it is: the user (procs.c) */
	p->info = pa_xrealloc(NULL, 1, sizeof(*p->info));
	if (pa_procinfo_read(s->src, p->pid, p->info) != PA_PROC_USER)
		p->info->uid_known = false;
	/* VmPin, and the registered buffers when there are pins */
	p->vm_pin_kb = pa_pinned_vmpin_kb(s->src, p->pid);
	if (p->vm_pin_kb)
		pa_pinned_read(s->src, p->pid, &pins);
	p->nvmas_total = maps.n;
	p->vmas = pa_xrealloc(NULL, maps.n ? maps.n : 1, sizeof(*p->vmas));
	memset(p->vmas, 0, (maps.n ? maps.n : 1) * sizeof(*p->vmas));
	ret = pa_walk_target(t, &maps, &s->kinfo, &wo, report_batch, &c, &p->stats);
	if ((t->gone || p->stats.partial) && *s->src->root) {
		p->partial = true;
		snprintf(p->errmsg, sizeof(p->errmsg), "%s/proc/%d/pagemap: ends before the last VMA "
			 "of maps (incomplete capture): the result is partial", s->src->root, (int)p->pid);
	} else if (t->gone || p->stats.partial) {
		p->partial = true;
		pa_pin_dead(pin);
		snprintf(p->errmsg, sizeof(p->errmsg), "process %d exited during the scan: the result "
			 "is partial", (int)p->pid);
	} else if (ret == -EINTR) {
		p->partial = true;
		snprintf(p->errmsg, sizeof(p->errmsg), "interrupted");
	} else if (ret < 0) {
		p->err = -ret;
		if (p->stats.errpath[0])	/* a kpage* file failed, not the process */
			snprintf(p->errmsg, sizeof(p->errmsg), "%s: %s (while reading process %d)",
				 p->stats.errpath, strerror(-ret), (int)p->pid);
		else
			snprintf(p->errmsg, sizeof(p->errmsg), "process %d: %s", (int)p->pid,
				 strerror(-ret));
	}
	if (t->pfn_hidden && !(*s->src->root == '\0' && !s->privs.have_sys_admin)) {
		p->partial = true;
		snprintf(p->errmsg, sizeof(p->errmsg),
			 "/proc/%d/pagemap: PFNs hidden (CAP_SYS_ADMIN missing): exclusivity unknown; "
			 "run as root", (int)p->pid);
	}
	pa_collect_move_vmas(p, &maps);
	sort_vmas(s, p);
out:
	pa_pinned_free(&pins);
	/* A process that could not be read is still named when it can be. */
	if (!p->comm[0] && p->err && p->err != ESRCH && p->err != ENOENT) {
		char rel[64];

		snprintf(rel, sizeof(rel), "proc/%d/comm", (int)p->pid);
		if (pa_source_read_text(s->src, rel, p->comm, sizeof(p->comm)) > 0)
			p->comm[strcspn(p->comm, "\n")] = '\0';
		else
			p->comm[0] = '\0';
	}
	pa_maps_free(&maps);
	if (t)
		s->src->ops->close_target(t);
}

int pa_collect(struct pa_session *s, const pid_t *pids, size_t npids, struct pa_report *r)
{
	struct timespec ts;
	int rc = PA_EXIT_OK;
	size_t nerr = 0;

	snprintf(r->kernel, sizeof(r->kernel), "%s", s->src->release);
	r->page_size = s->src->page_size;
	r->kinfo = s->kinfo;
	r->ftab = s->ftab;
	r->unprivileged = !*s->src->root && !s->privs.have_sys_admin;
	clock_gettime(CLOCK_REALTIME, &ts);
	r->timestamp = ts.tv_sec + ts.tv_nsec / 1e9;
	if (pa_source_capture(s->src))	/* --load: when the capture was taken */
		r->timestamp = (double)pa_source_capture(s->src)->time_ns / 1e9;
	for (size_t i = 0; i < npids; i++) {
		struct pa_proc_report *p = pa_report_add_proc(r, pids[i]);

		collect_one(s, p, npids > 1, pa_session_pin(s, pids[i]));
		if (p->err)
			nerr++;
		if (p->partial || p->err)
			r->partial = true;
	}
	pa_report_compute_sharing(r);
	if (npids && nerr == npids)
		rc = PA_EXIT_ERROR;
	else if (r->partial || pa_stop_flag)
		rc = PA_EXIT_PARTIAL;
	return rc;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int pa_expand_children(struct pa_session *s, const pid_t *pids, size_t n, pid_t **out, size_t *nout)
{
	size_t cap = n + 16, m = 0;
	pid_t *v = pa_xrealloc(NULL, cap, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[m++] = pids[i];
	if (s->opt->children) {
		/* breadth first: children of every PID found so far, each
		 * once (a captured tree may even list a cycle) */
		pid_t *kids = NULL;
		size_t nk, kcap = 0;

		for (size_t i = 0; i < m; i++) {
			nk = 0;
			pa_source_children(s->src, v[i], &kids, &nk, &kcap);
			for (size_t k = 0; k < nk; k++) {
				bool seen = false;

				for (size_t j = 0; j < m && !seen; j++)
					seen = v[j] == kids[k];
				if (seen)
					continue;
				if (m == cap) {
					cap *= 2;
					v = pa_xrealloc(v, cap, sizeof(*v));
				}
				v[m++] = kids[k];
			}
		}
		free(kids);
	}
	/* keep the order given on the command line, drop duplicates */
	size_t k = 0;

	for (size_t i = 0; i < m; i++) {
		bool dup = false;

		for (size_t j = 0; j < k && !dup; j++)
			dup = v[j] == v[i];
		if (!dup)
			v[k++] = v[i];
	}
	if (k > n)
		qsort(v + n, k - n, sizeof(*v), cmp_pid);
	*out = v;
	*nout = k;
	return 0;
}

