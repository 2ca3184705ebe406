/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Collection (collect.c, pagemap_view.c): walks processes for a session
 * and fills struct pa_report; finds children; reads every page of a VMA
 * range for the TUI page map.  --watch and the TUI call pa_collect()
 * once per sample.
 */
#ifndef PA_COLLECT_H
#define PA_COLLECT_H

#include "page-anon.h"

struct pa_session;
struct pa_report;

/* Per-VMA exclusivity report for the given processes (with --children
 * expanded by the caller).  Returns PA_EXIT_OK, PA_EXIT_PARTIAL or
 * PA_EXIT_ERROR; per-process errors are in r->procs[i].err. */
int pa_collect(struct pa_session *s, const pid_t *pids, size_t npids, struct pa_report *r);
/* Move the VMAs of maps (their names too) into p->vmas, which holds the
 * counts of maps->v[i] at index i, and sum them into p->totals.  Every
 * VMA stays (outputs hide those without anonymous pages). */
struct pa_maps;
struct pa_proc_report;
void pa_collect_move_vmas(struct pa_proc_report *p, struct pa_maps *maps);
/* Expand o->pids with descendants when --children (sorted, unique). */
int pa_expand_children(struct pa_session *s, const pid_t *pids, size_t n,
		       pid_t **out, size_t *nout);

/* One page of a VMA for the TUI page map. */
struct pa_page_info {
	uint64_t vaddr, pme, pfn, kflags, kcount;
	int8_t state;		/* enum pa_state, PA_ST_NONE if unpopulated */
	uint8_t pgflags;	/* PA_PG_* */
};
/* Fill info[0..max) for pages of [start, end) of process pid (every page,
 * populated or not).  Returns the number filled or -errno. */
ssize_t pa_collect_pages(struct pa_session *s, pid_t pid, uint64_t start, uint64_t end,
			 struct pa_page_info *info, size_t max);

#endif /* PA_COLLECT_H */
