// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every page of one VMA range, populated or not, for the TUI page map
 * (part of collection, collect.h).
 * The report walk (walk.c) only hands out populated pages and keeps no
 * per-page data; the page map needs one entry per virtual page, bounded
 * by the caller.  The same kernel facts are read the same way: pagemap,
 * PAGEMAP_SCAN's PAGE_IS_HUGE for PMD-mapped THPs, kpageflags and
 * kpagecount read in PFN runs by the walk's reader, then pa_classify().
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "pinned.h"
#include "session.h"

#define PV_CHUNK	(64 * 1024)	/* pagemap entries per pread */
#define PV_SCAN_VEC	256

/*
 * Mark the pages of [start, end) (bytes) that PAGEMAP_SCAN reports as
 * PAGE_IS_HUGE: a PMD-mapped THP (doc/kernel-notes.md section 5; fs/proc/task_mmu.c
 * pagemap_thp_category(), 6.7+).  Kernels without the ioctl leave the
 * bit clear, as walk.c does.
 */
static int mark_huge(struct pa_session *s, struct pa_target *t, uint64_t start, uint64_t end,
		     struct pa_page_info *info, size_t n)
{
	struct pa_region vec[PV_SCAN_VEC];
	uint64_t ps = (uint64_t)s->src->page_size;

	if (s->kinfo.pagemap_scan == PA_NO)
		return 0;
	while (start < end) {
		uint64_t walk_end = end;
		int r = s->src->ops->scan(t, start, end, PA_PAGE_IS_HUGE, PA_PAGE_IS_HUGE, vec,
					  PV_SCAN_VEC, &walk_end);

		if (r == -ESRCH || r == -EINTR)
			return r;
		if (r < 0)	/* ENOTTY before 6.7: no huge facts */
			return 0;
		for (int i = 0; i < r; i++) {
			uint64_t a = vec[i].start < start ? start : vec[i].start;
			uint64_t b = vec[i].end > end ? end : vec[i].end;

			if (!(vec[i].categories & PA_PAGE_IS_HUGE))
				continue;
			for (; a < b; a += ps) {
				size_t k = (size_t)((a - info[0].vaddr) / ps);

				if (k < n)
					info[k].pgflags |= PA_PG_PMD_MAPPED;
			}
		}
		if (walk_end <= start)
			break;
		start = walk_end;
	}
	return 0;
}

/* kpageflags and kpagecount of the present pages, with the walk's reader
 * (PFN runs, sorted when scattered). */
static int read_kpages(struct pa_session *s, struct pa_page_info *info, size_t n)
{
	struct pa_source *src = s->src;
	uint64_t *pfn, *kflags, *kcount = NULL;
	uint8_t *pg;
	size_t m = 0;
	int ret;

	for (size_t i = 0; i < n; i++)
		if (info[i].pfn)
			m++;
	if (!m)
		return 0;
	pfn = pa_xrealloc(NULL, n, sizeof(*pfn));
	kflags = pa_xrealloc(NULL, n, sizeof(*kflags));
	pg = pa_xrealloc(NULL, n, 1);
	if (src->ops->has_kfile(src, PA_KPAGECOUNT))
		kcount = pa_xrealloc(NULL, n, sizeof(*kcount));
	for (size_t i = 0; i < n; i++) {
		pfn[i] = info[i].pfn;
		pg[i] = 0;
	}
	ret = pa_walk_read_kpages(src, pfn, n, kflags, kcount, pg);
	if (ret == 0)
		for (size_t i = 0; i < n; i++) {
			if (!info[i].pfn)
				continue;
			info[i].kflags = kflags[i];
			if (kcount)
				info[i].kcount = kcount[i];
			info[i].pgflags |= pg[i];
		}
	free(pfn);
	free(kflags);
	free(kcount);
	free(pg);
	return ret;
}

/*
 * Before 6.10 kpageflags is per page and the anon-exclusive bit of
 * hugetlb and PMD-mapped THP lives on the head page only
 * (include/linux/page-flags.h, PageAnonExclusive()): hand the head's bit
 * to the tails that follow it at the same vpn - pfn distance (walk.c
 * does the same).
 */
static void track_heads(struct pa_page_info *info, size_t n, long ps)
{
	bool valid = false, excl = false;
	int64_t head_delta = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t kf = info[i].kflags;
		int64_t delta = (int64_t)(info[i].vaddr / (uint64_t)ps - info[i].pfn);

		if (!(info[i].pgflags & PA_PG_HAVE_KPAGE)) {
			valid = false;
			continue;
		}
		if (kf & PA_BIT(COMPOUND_HEAD)) {
			valid = true;
			head_delta = delta;
			excl = (kf & PA_BIT(ANON)) && (kf & PA_BIT(OWNER_2));
		} else if (kf & PA_BIT(COMPOUND_TAIL)) {
			if (valid && head_delta == delta)
				info[i].pgflags |= PA_PG_HEAD_KNOWN | (excl ? PA_PG_HEAD_EXCL : 0);
		} else {
			valid = false;
		}
	}
}

ssize_t pa_collect_pages(struct pa_session *s, pid_t pid, uint64_t start, uint64_t end,
			 struct pa_page_info *info, size_t max)
{
	const struct pa_source_ops *ops = s->src->ops;
	uint64_t ps = (uint64_t)s->src->page_size;
	uint64_t vs = start / ps, ve = (end + ps - 1) / ps;
	struct pa_target *t = NULL;
	uint64_t *pm = NULL;
	struct pa_pinned pins = { 0 };
	size_t n, done = 0;
	ssize_t ret;
	int r;

	if (end <= start || !max)
		return 0;
	n = ve - vs > max ? max : (size_t)(ve - vs);
	r = ops->open_target(s->src, pid, &t);
	if (r < 0)
		return r;
	pm = pa_xrealloc(NULL, n < PV_CHUNK ? n : PV_CHUNK, sizeof(*pm));
	for (size_t i = 0; i < n; i++)
		info[i] = (struct pa_page_info){ .vaddr = (vs + i) * ps, .state = PA_ST_NONE };
	while (done < n) {
		size_t want = n - done < PV_CHUNK ? n - done : PV_CHUNK;
		ssize_t got = ops->read_pagemap(t, pm, vs + done, want);

		if (got < 0) {
			ret = got;
			goto out;
		}
		if (got == 0) {	/* EOF: the mm is gone */
			t->gone = true;
			ret = -ESRCH;
			goto out;
		}
		for (ssize_t i = 0; i < got; i++) {
			struct pa_page_info *p = &info[done + (size_t)i];

			p->pme = pm[i];
			p->pfn = (pm[i] & PM_PRESENT) ? PM_PFRAME(pm[i]) : 0;
		}
		done += (size_t)got;
	}
	r = mark_huge(s, t, vs * ps, (vs + n) * ps, info, n);
	if (r == 0)
		r = read_kpages(s, info, n);
	if (r < 0) {
		ret = r;
		goto out;
	}
	if (!s->kinfo.folio_flags)
		track_heads(info, n, (long)ps);
	if (pa_pinned_vmpin_kb(s->src, pid))
		pa_pinned_read(s->src, pid, &pins);
	for (size_t i = 0; i < n; i++) {
		struct pa_page_info *p = &info[i];

		p->state = (int8_t)pa_classify(&s->kinfo, p->pme, p->kflags, p->kcount, p->pgflags);
		if (pins.n && (p->pme & PM_PRESENT) && pa_pinned_covers(&pins, p->vaddr, ps))
			p->pgflags |= PA_PG_PINNED;
	}
	ret = (ssize_t)n;
out:
	pa_pinned_free(&pins);
	free(pm);
	ops->close_target(t);
	return ret;
}
