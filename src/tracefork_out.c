// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --trace-fork output: one text block or one JSON line (schema
 * tests/schema/trace-event.schema.json) per event.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>

#include "tracefork.h"

const char *pa_tf_kind_name(enum pa_tf_kind k)
{
	switch (k) {
	case PA_TF_START: return "start";
	case PA_TF_FORK: return "fork";
	case PA_TF_EXEC: return "exec";
	case PA_TF_EXIT: return "exit";
	case PA_TF_DETACH: return "detach";
	}
	return "?";
}

const char *pa_tf_state_name(int st)
{
	return st == PA_TF_NONE ? "unmapped" : pa_state_name((enum pa_state)st);
}
#define tr_state pa_tf_state_name

static void size_str(const struct pa_options *o, uint64_t pages, long ps, char *buf, size_t len)
{
	if (o->bytes)
		snprintf(buf, len, "%llu", (unsigned long long)(pages * (uint64_t)ps));
	else
		pa_human_size(pages * (uint64_t)ps, buf, len);
}

/* One transition of a side, largest first; returns false when none left.
 * done[] marks the pairs already given. */
bool pa_tf_next_transition(const struct pa_tf_side *d, uint64_t *done, int *from, int *to)
{
	uint64_t best = 0;

	*from = *to = -1;
	for (int i = 0; i <= PA_ST__N; i++)
		for (int j = 0; j <= PA_ST__N; j++) {
			uint64_t v = d->trans[i][j];

			if (i == j || !v || (done[i] >> j & 1))
				continue;
			if (v > best) {
				best = v;
				*from = i;
				*to = j;
			}
		}
	if (*from < 0)
		return false;
	done[*from] |= 1ull << *to;
	return true;
}

static void print_transitions(FILE *out, const struct pa_tf_side *d, const struct pa_options *o,
			      long ps)
{
	uint64_t done[PA_ST__N + 1] = { 0 };
	int from, to;
	const char *sep = "";
	char sz[32];

	while (pa_tf_next_transition(d, done, &from, &to)) {
		size_str(o, d->trans[from][to], ps, sz, sizeof(sz));
		fprintf(out, "%s%s -> %s %llu page%s (%s)", sep, tr_state(from), tr_state(to),
			(unsigned long long)d->trans[from][to], d->trans[from][to] == 1 ? "" : "s", sz);
		sep = ", ";
	}
	if (!*sep)
		fputs("no change", out);
}

/* First page of a reading at or after vpn. */
static size_t page_lb(const struct pa_tf_snap *sn, uint64_t vpn)
{
	size_t lo = 0, hi = sn->npg;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sn->pg[mid].vpn < vpn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The transitions of the pages of [vs, ve) (virtual page numbers). */
static void range_transitions(struct pa_tf_side *d, const struct pa_tf_snap *b,
			      const struct pa_tf_snap *a, uint64_t vs, uint64_t ve)
{
	size_t i = page_lb(b, vs), j = page_lb(a, vs);

	memset(d->trans, 0, sizeof(d->trans));
	d->have_trans = true;
	while ((i < b->npg && b->pg[i].vpn < ve) || (j < a->npg && a->pg[j].vpn < ve)) {
		bool bi = i < b->npg && b->pg[i].vpn < ve, aj = j < a->npg && a->pg[j].vpn < ve;

		if (!aj || (bi && b->pg[i].vpn < a->pg[j].vpn)) {
			d->trans[b->pg[i].state][PA_TF_NONE]++;
			i++;
		} else if (!bi || a->pg[j].vpn < b->pg[i].vpn) {
			d->trans[PA_TF_NONE][a->pg[j].state]++;
			j++;
		} else {
			d->trans[b->pg[i].state][a->pg[j].state]++;
			i++;
			j++;
		}
	}
}

void pa_tf_range_transitions(struct pa_tf_side *out, const struct pa_tf_side *d, uint64_t start,
			     uint64_t end)
{
	long ps = d->after ? d->after->rep.page_size : d->before ? d->before->rep.page_size : 4096;

	memset(out->trans, 0, sizeof(out->trans));
	out->have_trans = false;
	if (d->have_trans)
		range_transitions(out, d->before, d->after, start / (uint64_t)ps, end / (uint64_t)ps);
}

const struct pa_vma_report *pa_tf_find_vma(const struct pa_tf_snap *sn, uint64_t start)
{
	const struct pa_proc_report *p = sn->rep.nprocs ? &sn->rep.procs[0] : NULL;

	for (size_t i = 0; p && i < p->nvmas; i++)
		if (p->vmas[i].vma.start == start)
			return &p->vmas[i];
	return NULL;
}

static void print_counts(FILE *out, const struct pa_tf_snap *sn, const struct pa_options *o)
{
	const struct pa_proc_report *p = &sn->rep.procs[0];
	const char *sep = "";
	char sz[32];

	if (p->err) {
		fprintf(out, "not read: %s", p->errmsg);
		return;
	}
	for (int i = 0; i < PA_ST__N; i++) {
		uint64_t v = p->totals.state[i];

		if (!v)
			continue;
		size_str(o, v, sn->rep.page_size, sz, sizeof(sz));
		fprintf(out, "%s%s %llu (%s)", sep, pa_state_name((enum pa_state)i),
			(unsigned long long)v, sz);
		sep = ", ";
	}
	if (!*sep)
		fputs("no pages", out);
	if (p->vm_pin_kb || p->totals.pinned)
		fprintf(out, "; VmPin %llu kB, %llu pages in registered buffers",
			(unsigned long long)p->vm_pin_kb, (unsigned long long)p->totals.pinned);
	if (p->partial)
		fprintf(out, " [partial: %s]", p->errmsg);
}

static void status_str(int st, char *buf, size_t len)
{
	if (st < 0)
		snprintf(buf, len, "ended");
	else if (WIFEXITED(st))
		snprintf(buf, len, "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by %s%s", sigabbrev_np(WTERMSIG(st)) ?
			 "SIG" : "signal ", sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) :
			 "?");
	else
		snprintf(buf, len, "status 0x%x", st);
}

/* The first line of an event's block, without the time. */
static void headline(FILE *out, const struct pa_tf_event *e, const struct pa_options *o)
{
	const struct pa_tf_side *d0 = &e->side[0];
	long ps = d0->after ? d0->after->rep.page_size : d0->before ? d0->before->rep.page_size : 4096;
	char st[64];

	switch (e->kind) {
	case PA_TF_FORK:
		fprintf(out, "%s %d -> %d (%s): ", e->syscall, (int)e->pid, (int)e->child, d0->comm);
		if (d0->have_trans)
			print_transitions(out, d0, o, ps);
		else
			fputs("no reading at the fork's entry", out);
		break;
	case PA_TF_START:
	case PA_TF_EXEC:
		fprintf(out, "%s %d (%s)", e->kind == PA_TF_START ? "start" : "exec", (int)e->pid,
			d0->comm);
		break;
	case PA_TF_EXIT:
		status_str(e->status, st, sizeof(st));
		fprintf(out, "exit %d (%s): %s", (int)e->pid, d0->comm, st);
		if (!d0->after)
			fputs(" (no stop: its memory was not read)", out);
		break;
	case PA_TF_DETACH:
		fprintf(out, "detach %d (%s)", (int)e->pid, d0->comm);
		break;
	}
}

char *pa_tf_headline(const struct pa_tf_event *e, const struct pa_options *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();	/* out of memory, as pa_xrealloc() */
	headline(f, e, o);
	if (fclose(f) != 0 || !buf)
		abort();
	return buf;
}

void pa_tf_print_text(FILE *out, const struct pa_tf_event *e, const struct pa_options *o)
{
	const struct pa_tf_side *d0 = &e->side[0];
	long ps = d0->after ? d0->after->rep.page_size : d0->before ? d0->before->rep.page_size : 4096;
	char sz[32];

	fprintf(out, "%10.6f ", e->t);
	headline(out, e, o);
	fputc('\n', out);
	switch (e->kind) {
	case PA_TF_FORK:
		for (size_t i = 0; i < e->nside; i++) {
			const struct pa_tf_side *d = &e->side[i];

			if (i == 0 && d->before) {
				fprintf(out, "  %-6s %d before: ", d->role, (int)d->pid);
				print_counts(out, d->before, o);
				fputc('\n', out);
			}
			if (d->after) {
				fprintf(out, "  %-6s %d after:  ", d->role, (int)d->pid);
				print_counts(out, d->after, o);
				fputc('\n', out);
			}
			if (i == 1 && d->have_trans) {
				fprintf(out, "  %-6s %d from the parent's pages: ", d->role, (int)d->pid);
				print_transitions(out, d, o, ps);
				fputc('\n', out);
			}
			if (i == 1 && d->after && d->after->ok) {
				size_str(o, d->copied, ps, sz, sizeof(sz));
				fprintf(out, "  %-6s %d copied at fork: %llu pages (%s)", d->role,
					(int)d->pid, (unsigned long long)d->copied, sz);
				if (d->copied_pinned)
					fprintf(out, ", %llu of them pinned",
						(unsigned long long)d->copied_pinned);
				fputc('\n', out);
			}
		}
		break;
	case PA_TF_START:
	case PA_TF_EXEC:
		if (d0->after) {
			fputs("  now: ", out);
			print_counts(out, d0->after, o);
			fputc('\n', out);
		}
		break;
	case PA_TF_EXIT:
		if (d0->have_trans) {
			fputs("  since the last reading: ", out);
			print_transitions(out, d0, o, ps);
			fputc('\n', out);
		}
		if (d0->after) {
			fputs("  at exit: ", out);
			print_counts(out, d0->after, o);
			fputc('\n', out);
		}
		break;
	case PA_TF_DETACH:
		break;
	}
}

/* ------------------------------------------------------------------ */

static void add_u64(cJSON *o, const char *key, uint64_t v)
{
	cJSON_AddNumberToObject(o, key, (double)v);
}

static cJSON *snap_json(const struct pa_tf_snap *sn)
{
	const struct pa_proc_report *p = &sn->rep.procs[0];
	cJSON *o = cJSON_CreateObject(), *c;

	cJSON_AddNumberToObject(o, "time", sn->t);
	cJSON_AddBoolToObject(o, "complete", sn->ok);
	if (p->errmsg[0])
		cJSON_AddStringToObject(o, "error", p->errmsg);
	c = cJSON_AddObjectToObject(o, "counts");
	add_u64(c, "present", p->totals.present);
	add_u64(c, "anon", p->totals.anon);
	for (int i = 0; i < PA_ST__N; i++)
		add_u64(c, pa_state_name((enum pa_state)i), p->totals.state[i]);
	add_u64(c, "thp", p->totals.thp);
	add_u64(c, "hugetlb", p->totals.hugetlb);
	add_u64(c, "pinned", p->totals.pinned);
	add_u64(o, "vm_pin_kb", p->vm_pin_kb);
	return o;
}

static cJSON *trans_json(const struct pa_tf_side *d);

static cJSON *vma_counts_json(const struct pa_vma_report *v)
{
	cJSON *c = cJSON_CreateObject();

	add_u64(c, "present", v->c.present);
	add_u64(c, "anon", v->c.anon);
	for (int i = 0; i < PA_ST__N; i++)
		add_u64(c, pa_state_name((enum pa_state)i), v->c.state[i]);
	add_u64(c, "thp", v->c.thp);
	add_u64(c, "hugetlb", v->c.hugetlb);
	add_u64(c, "pinned", v->c.pinned);
	return c;
}

static void add_hex(cJSON *o, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	cJSON_AddStringToObject(o, key, buf);
}

/* Per VMA of the "after" reading: its counts before and after and the
 * transitions of its pages. */
static cJSON *vmas_json(const struct pa_tf_side *d)
{
	const struct pa_proc_report *p = &d->after->rep.procs[0];
	long ps = d->after->rep.page_size;
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < p->nvmas; i++) {
		const struct pa_vma_report *v = &p->vmas[i];
		const struct pa_vma_report *bv = d->before ? pa_tf_find_vma(d->before, v->vma.start) : NULL;
		cJSON *o = cJSON_CreateObject();

		add_hex(o, "start", v->vma.start);
		add_hex(o, "end", v->vma.end);
		add_u64(o, "size", v->vma.end - v->vma.start);
		cJSON_AddStringToObject(o, "perms", v->vma.perms);
		cJSON_AddStringToObject(o, "name", v->vma.name ? v->vma.name : "");
		if (bv)
			cJSON_AddItemToObject(o, "before", vma_counts_json(bv));
		cJSON_AddItemToObject(o, "after", vma_counts_json(v));
		if (d->have_trans) {
			struct pa_tf_side vs = { 0 };

			range_transitions(&vs, d->before, d->after, v->vma.start / (uint64_t)ps,
					  v->vma.end / (uint64_t)ps);
			cJSON_AddItemToObject(o, "transitions", trans_json(&vs));
		}
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *trans_json(const struct pa_tf_side *d)
{
	cJSON *a = cJSON_CreateArray();
	uint64_t done[PA_ST__N + 1] = { 0 };
	int from, to;

	while (pa_tf_next_transition(d, done, &from, &to)) {
		cJSON *t = cJSON_CreateObject();

		cJSON_AddStringToObject(t, "from", tr_state(from));
		cJSON_AddStringToObject(t, "to", tr_state(to));
		add_u64(t, "pages", d->trans[from][to]);
		cJSON_AddItemToArray(a, t);
	}
	return a;
}

int pa_tf_print_json(FILE *out, const struct pa_tf_event *e, const struct pa_options *o)
{
	cJSON *root = cJSON_CreateObject(), *procs;
	int r;

	(void)o;
	cJSON_AddNumberToObject(root, "schema_version", PA_SCHEMA_VERSION);
	cJSON_AddStringToObject(root, "type", "trace-event");
	add_u64(root, "seq", e->seq);
	cJSON_AddNumberToObject(root, "time", e->t);
	cJSON_AddStringToObject(root, "event", pa_tf_kind_name(e->kind));
	cJSON_AddNumberToObject(root, "pid", e->pid);
	if (e->kind == PA_TF_FORK) {
		cJSON_AddStringToObject(root, "syscall", e->syscall);
		cJSON_AddNumberToObject(root, "child", e->child);
		cJSON_AddBoolToObject(root, "entry_stop", e->entry_stop);
	}
	if (e->kind == PA_TF_EXIT) {
		if (e->status >= 0 && WIFEXITED(e->status))
			cJSON_AddNumberToObject(root, "exit_code", WEXITSTATUS(e->status));
		else if (e->status >= 0 && WIFSIGNALED(e->status))
			cJSON_AddNumberToObject(root, "signal", WTERMSIG(e->status));
	}
	procs = cJSON_AddArrayToObject(root, "processes");
	for (size_t i = 0; i < e->nside; i++) {
		const struct pa_tf_side *d = &e->side[i];
		cJSON *p = cJSON_CreateObject();

		cJSON_AddNumberToObject(p, "pid", d->pid);
		cJSON_AddStringToObject(p, "role", d->role);
		cJSON_AddStringToObject(p, "comm", d->comm);
		/* the child's "before" is its parent's reading at the entry */
		if (d->before && (i == 0 || e->kind != PA_TF_FORK))
			cJSON_AddItemToObject(p, "before", snap_json(d->before));
		if (d->after)
			cJSON_AddItemToObject(p, "after", snap_json(d->after));
		if (d->have_trans)
			cJSON_AddItemToObject(p, "transitions", trans_json(d));
		if (d->after && d->after->rep.nprocs && !d->after->rep.procs[0].err)
			cJSON_AddItemToObject(p, "vmas", vmas_json(d));
		if (e->kind == PA_TF_FORK && i == 1 && d->after && d->after->ok) {
			add_u64(p, "copied_at_fork", d->copied);
			add_u64(p, "copied_pinned", d->copied_pinned);
		}
		cJSON_AddItemToArray(procs, p);
	}
	/* NDJSON: one event per line, also with --json=pretty */
	r = pa_json_print(out, root, false);
	return r;
}
