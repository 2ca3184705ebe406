/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The timeline of --tui --trace-fork (timeline.c): what the live view
 * keeps of each event of the tracer (tracefork.h) once its readings are
 * freed: the headline, per process the totals before and after and the
 * transitions, and per VMA the same.  Built from the events' struct
 * pa_report readings only; the drawing is tui.c's.
 */
#ifndef PA_TIMELINE_H
#define PA_TIMELINE_H

#include "page-anon.h"
#include "tracefork.h"

/* Events kept; older ones are dropped (the count says how many). */
#define PA_TL_MAX 2000

struct pa_tl_trans {
	int from, to;		/* enum pa_state, PA_TF_NONE: unmapped */
	uint64_t pages;
};

struct pa_tl_vma {
	uint64_t start, end;
	char perms[5];
	char *name;			/* owned */
	bool have_before, have_after;
	struct pa_counts before, after;
	struct pa_tl_trans *tr;		/* owned, largest first */
	size_t ntr;
};

struct pa_tl_side {
	char role[16];
	pid_t pid;
	char comm[64];
	bool have_before, have_after, have_trans, read_ok;
	struct pa_counts before, after;	/* process totals */
	uint64_t vm_pin_kb;
	uint64_t copied, copied_pinned;
	struct pa_tl_trans *tr;		/* owned, largest first */
	size_t ntr;
	struct pa_tl_vma *v;		/* owned, by address */
	size_t nv;
};

struct pa_tl_event {
	uint64_t seq;
	double t;
	enum pa_tf_kind kind;
	pid_t pid, child;
	int status;			/* exit: wait status, -1 unknown */
	char *line;			/* owned: pa_tf_headline() */
	struct pa_tl_side side[2];
	size_t nside;
};

struct pa_tl {
	struct pa_tl_event *ev;		/* owned, oldest first */
	size_t n, cap;
	uint64_t dropped;		/* older events no longer kept */
};

/* Keep event e (VMAs without anonymous pages on either side are left out
 * unless all_vmas). */
void pa_tl_add(struct pa_tl *tl, const struct pa_tf_event *e, const struct pa_options *o);
void pa_tl_free(struct pa_tl *tl);
/* Short name of a transition state for narrow columns ("excl", "shr"). */
const char *pa_tl_short(int st);

#endif /* PA_TIMELINE_H */
