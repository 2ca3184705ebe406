// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * struct pa_report: the one structure that text, JSON and the TUI read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "page-anon.h"

void pa_report_init(struct pa_report *r)
{
	memset(r, 0, sizeof(*r));
}

static void proc_free(struct pa_proc_report *p)
{
	for (size_t i = 0; i < p->nvmas; i++)
		free(p->vmas[i].vma.name);
	free(p->vmas);
	free(p->shared_with);
	free(p->pfn_bitmap);
	free(p->info);
}

void pa_report_free(struct pa_report *r)
{
	for (size_t i = 0; i < r->nprocs; i++)
		proc_free(&r->procs[i]);
	free(r->procs);
	free(r->flagstats);
	if (r->all) {
		for (size_t i = 0; i < r->all->ngroups; i++)
			free(r->all->groups[i].key);
		free(r->all->groups);
		free(r->all);
	}
	pa_check_result_free(r->check);
	memset(r, 0, sizeof(*r));
}

/*
 * The flags table: a sorted array with a binary search.  The number of
 * distinct flag words is small (tens to a few hundred) and the walk
 * calls this once per run of equal flags, not once per page.
 */
void pa_report_add_flags(struct pa_report *r, uint64_t flags, uint64_t pages)
{
	size_t lo = 0, hi = r->nflagstats;

	r->total_pages += pages;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (r->flagstats[mid].flags == flags) {
			r->flagstats[mid].pages += pages;
			return;
		}
		if (r->flagstats[mid].flags < flags)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (r->nflagstats == r->flagstats_cap) {
		r->flagstats_cap = r->flagstats_cap ? 2 * r->flagstats_cap : 64;
		r->flagstats = pa_xrealloc(r->flagstats, r->flagstats_cap, sizeof(*r->flagstats));
	}
	memmove(&r->flagstats[lo + 1], &r->flagstats[lo],
		(r->nflagstats - lo) * sizeof(*r->flagstats));
	r->flagstats[lo] = (struct pa_flagstat){ flags, pages };
	r->nflagstats++;
}

struct pa_proc_report *pa_report_add_proc(struct pa_report *r, pid_t pid)
{
	struct pa_proc_report *p;

	if (r->nprocs == r->procs_cap) {
		r->procs_cap = r->procs_cap ? 2 * r->procs_cap : 4;
		r->procs = pa_xrealloc(r->procs, r->procs_cap, sizeof(*r->procs));
	}
	p = &r->procs[r->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	return p;
}

/*
 * For each pair of processes: how many of process i's shared anonymous
 * pages are also mapped by process j.  Each process has a bitmap over the
 * PFN space (one bit per physical page: bounded by RAM size, not by the
 * size of the process).
 */
void pa_report_compute_sharing(struct pa_report *r)
{
	if (r->nprocs < 2)
		return;
	for (size_t i = 0; i < r->nprocs; i++) {
		struct pa_proc_report *a = &r->procs[i];

		a->shared_with = calloc(r->nprocs, sizeof(uint64_t));
		if (!a->shared_with || !a->pfn_bitmap)
			continue;
		for (size_t j = 0; j < r->nprocs; j++) {
			const struct pa_proc_report *b = &r->procs[j];
			uint64_t n = 0;
			size_t nbytes;

			if (i == j || !b->pfn_bitmap)
				continue;
			nbytes = a->bitmap_bytes < b->bitmap_bytes ? a->bitmap_bytes : b->bitmap_bytes;
			for (size_t w = 0; w < nbytes / 8; w++) {
				uint64_t x, y;

				memcpy(&x, a->pfn_bitmap + 8 * w, 8);
				memcpy(&y, b->pfn_bitmap + 8 * w, 8);
				n += (uint64_t)__builtin_popcountll(x & y);
			}
			a->shared_with[j] = n;
		}
	}
}

bool pa_vma_has_anon(const struct pa_vma_report *v)
{
	return v->c.anon || v->c.state[PA_ST_SWAPPED] || v->c.state[PA_ST_ZERO] ||
	       v->c.state[PA_ST_UNKNOWN] || v->c.state[PA_ST_SPECIAL];
}
