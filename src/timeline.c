// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The timeline of --tui --trace-fork (timeline.h): a compact copy of each
 * event, made while its readings exist.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "timeline.h"

const char *pa_tl_short(int st)
{
	static const char *const names[PA_ST__N] = {
		[PA_ST_ANON_EXCLUSIVE] = "excl",
		[PA_ST_ANON_SHARED] = "shr",
		[PA_ST_ANON_SOLE] = "sole",
		[PA_ST_KSM] = "ksm",
		[PA_ST_ZERO] = "zero",
		[PA_ST_FILE] = "file",
		[PA_ST_SWAPPED] = "swap",
		[PA_ST_SPECIAL] = "spec",
		[PA_ST_UNKNOWN] = "unkn",
	};

	return st >= 0 && st < PA_ST__N && names[st] ? names[st] : "none";
}

/* The transitions of d (have_trans), largest first. */
static size_t trans_list(const struct pa_tf_side *d, struct pa_tl_trans **out)
{
	uint64_t done[PA_ST__N + 1] = { 0 };
	struct pa_tl_trans *v = NULL;
	size_t n = 0;
	int from, to;

	while (pa_tf_next_transition(d, done, &from, &to)) {
		v = pa_xrealloc(v, n + 1, sizeof(*v));
		v[n++] = (struct pa_tl_trans){ from, to, d->trans[from][to] };
	}
	*out = v;
	return n;
}

static const struct pa_proc_report *proc_of(const struct pa_tf_snap *sn)
{
	return sn && sn->rep.nprocs && !sn->rep.procs[0].err ? &sn->rep.procs[0] : NULL;
}

static void add_vma(struct pa_tl_side *ts, const struct pa_tf_side *d,
		    const struct pa_vma_report *b, const struct pa_vma_report *a, bool all_vmas)
{
	const struct pa_vma_report *v = a ? a : b;
	struct pa_tl_vma *tv;

	if (!all_vmas && !(a && pa_vma_has_anon(a)) && !(b && pa_vma_has_anon(b)))
		return;
	ts->v = pa_xrealloc(ts->v, ts->nv + 1, sizeof(*ts->v));
	tv = &ts->v[ts->nv++];
	memset(tv, 0, sizeof(*tv));
	tv->start = v->vma.start;
	tv->end = v->vma.end;
	snprintf(tv->perms, sizeof(tv->perms), "%s", v->vma.perms);
	tv->name = strdup(v->vma.name ? v->vma.name : "");
	if (!tv->name)
		abort();	/* out of memory, as pa_xrealloc() */
	if (b) {
		tv->have_before = true;
		tv->before = b->c;
	}
	if (a) {
		tv->have_after = true;
		tv->after = a->c;
	}
	if (d->have_trans) {
		struct pa_tf_side r;

		pa_tf_range_transitions(&r, d, tv->start, tv->end);
		tv->ntr = trans_list(&r, &tv->tr);
	}
}

static int cmp_vma(const void *x, const void *y)
{
	const struct pa_tl_vma *a = x, *b = y;

	return (a->start > b->start) - (a->start < b->start);
}

static void copy_side(struct pa_tl_side *ts, const struct pa_tf_side *d, bool child_of_fork,
		      const struct pa_options *o)
{
	/* a fork's child has its parent's reading at the entry as "before" */
	const struct pa_proc_report *b = proc_of(d->before), *a = proc_of(d->after);

	memset(ts, 0, sizeof(*ts));
	snprintf(ts->role, sizeof(ts->role), "%s", d->role ? d->role : "process");
	ts->pid = d->pid;
	snprintf(ts->comm, sizeof(ts->comm), "%s", d->comm);
	if (b && !child_of_fork) {
		ts->have_before = true;
		ts->before = b->totals;
	}
	if (a) {
		ts->have_after = true;
		ts->after = a->totals;
		ts->vm_pin_kb = a->vm_pin_kb;
		ts->read_ok = d->after->ok;
	}
	ts->copied = d->copied;
	ts->copied_pinned = d->copied_pinned;
	ts->have_trans = d->have_trans;
	if (d->have_trans)
		ts->ntr = trans_list(d, &ts->tr);
	/* per VMA: those of the reading after, then those only before */
	for (size_t i = 0; a && i < a->nvmas; i++)
		add_vma(ts, d, b ? pa_tf_find_vma(d->before, a->vmas[i].vma.start) : NULL,
			&a->vmas[i], o->all_vmas);
	for (size_t i = 0; b && i < b->nvmas; i++)
		if (!a || !pa_tf_find_vma(d->after, b->vmas[i].vma.start))
			add_vma(ts, d, &b->vmas[i], NULL, o->all_vmas);
	if (ts->nv)
		qsort(ts->v, ts->nv, sizeof(*ts->v), cmp_vma);
}

static void free_event(struct pa_tl_event *e)
{
	free(e->line);
	for (size_t i = 0; i < e->nside; i++) {
		struct pa_tl_side *s = &e->side[i];

		free(s->tr);
		for (size_t k = 0; k < s->nv; k++) {
			free(s->v[k].name);
			free(s->v[k].tr);
		}
		free(s->v);
	}
}

void pa_tl_add(struct pa_tl *tl, const struct pa_tf_event *e, const struct pa_options *o)
{
	struct pa_tl_event *te;

	if (tl->n == PA_TL_MAX) {
		free_event(&tl->ev[0]);
		memmove(tl->ev, tl->ev + 1, (tl->n - 1) * sizeof(*tl->ev));
		tl->n--;
		tl->dropped++;
	}
	if (tl->n == tl->cap) {
		tl->cap = tl->cap ? 2 * tl->cap : 64;
		tl->ev = pa_xrealloc(tl->ev, tl->cap, sizeof(*tl->ev));
	}
	te = &tl->ev[tl->n++];
	memset(te, 0, sizeof(*te));
	te->seq = e->seq;
	te->t = e->t;
	te->kind = e->kind;
	te->pid = e->pid;
	te->child = e->child;
	te->status = e->status;
	te->line = pa_tf_headline(e, o);
	te->nside = e->nside > 2 ? 2 : e->nside;
	for (size_t i = 0; i < te->nside; i++)
		copy_side(&te->side[i], &e->side[i], e->kind == PA_TF_FORK && i == 1, o);
}

void pa_tl_free(struct pa_tl *tl)
{
	for (size_t i = 0; i < tl->n; i++)
		free_event(&tl->ev[i]);
	free(tl->ev);
	memset(tl, 0, sizeof(*tl));
}
