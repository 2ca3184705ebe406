// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --check: list every page where what the kernel exports contradicts the
 * kernel's own rules.  The rules and why they hold are in doc/check.md;
 * each is stated next to its test in page_rule() below.
 *
 * A candidate is re-read before it is reported (pagemap entry, then
 * kpageflags and kpagecount, then the pagemap entry and kpagecount once
 * more): the process keeps running, and a page that changed state in
 * between, or whose count moved while it was read, is counted as
 * dismissed, not reported.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "collect.h"
#include "session.h"

static const struct {
	const char *name, *text;
} rules[PA_CR__N] = {
	[PA_CR_EXCL_MAPPED_TWICE] = { "exclusive_mapped_twice",
		"PG_anon_exclusive set on a page whose exact mapcount is 2 or more" },
	[PA_CR_EXCL_KSM] = { "exclusive_ksm",
		"PG_anon_exclusive set on a KSM page" },
	[PA_CR_EXCL_ZERO] = { "exclusive_zero_page",
		"anonymous or PG_anon_exclusive bit on the zero page" },
	[PA_CR_EXCL_NOT_ANON_MAPPING] = { "exclusive_not_anon_mapping",
		"PG_anon_exclusive on a page that pagemap reports as file/shared (bit 61) "
		"or that lies in a MAP_SHARED mapping" },
	[PA_CR_EXCL_TWO_PROCESSES] = { "exclusive_two_processes",
		"one PFN mapped by two walked processes, PG_anon_exclusive set in either" },
	[PA_CR_BIT56_MAPCOUNT] = { "bit56_mapcount",
		"small folio: pagemap bit 56 (mapped exactly once) disagrees with kpagecount" },
	[PA_CR_ANON_UNMAPPED] = { "anon_mapcount_zero",
		"present anonymous page whose exact mapcount is 0" },
};

const char *pa_check_rule_name(enum pa_check_rule r)
{
	return r < PA_CR__N ? rules[r].name : "none";
}

const char *pa_check_rule_text(enum pa_check_rule r)
{
	return r < PA_CR__N ? rules[r].text : "";
}

void pa_check_result_free(struct pa_check_result *c)
{
	if (!c)
		return;
	free(c->findings);
	free(c->procs);
	free(c);
}

struct cand {
	uint64_t vaddr, pfn;
	uint64_t other_va;		/* the other process's address */
	enum pa_check_rule rule;
	uint8_t pg;
	bool other_excl;
	pid_t other;
};

struct check {
	struct pa_session *s;
	struct pa_check_result *res;
	const pid_t *pids;
	size_t cur;			/* index of the process being walked */
	struct cand *cands;		/* of the current process */
	size_t ncands, cands_cap;
	/* Per PFN: (index of the first walked process mapping it + 1) << 1,
	 * | 1 when that mapping had PG_anon_exclusive of its own. */
	uint32_t *owner;
	uint64_t *owner_va;		/* and its address there */
	size_t nowner;
};

/* kpageflags bit 34 is this page's own PG_anon_exclusive: anonymous, not
 * KSM, 5.19+, and not the tail of a PTE-mapped large folio on 6.10+ (those
 * report the head's bit, classify.c). */
static bool own_exclusive(const struct pa_kinfo *k, uint64_t kf, unsigned pg)
{
	if (!k->anon_exclusive_bit || !(kf & PA_BIT(ANON)) || !(kf & PA_BIT(OWNER_2)))
		return false;
	if ((kf & PA_BIT(KSM)) && k->ksm_flag_bug != PA_YES)
		return false;
	if (k->folio_flags && (kf & PA_BIT(COMPOUND_TAIL)) && !(kf & PA_BIT(HUGE)) &&
	    !(pg & PA_PG_PMD_MAPPED))
		return false;
	return true;
}

/* The single-page rules; -1 when the page breaks none. */
static int page_rule(const struct pa_kinfo *k, const struct pa_vma *v, uint64_t pme,
		     uint64_t kf, uint64_t kc, unsigned pg)
{
	bool anon = kf & PA_BIT(ANON), b34 = kf & PA_BIT(OWNER_2);
	bool small = !(kf & (PA_BITS_COMPOUND | PA_BIT(THP) | PA_BIT(HUGE)));
	bool exact = k->kpagecount_ok && pa_mapcount_exact(k, kf);
	bool own = own_exclusive(k, kf, pg);

	/* kflags 0: a memory hole or device memory, nothing to check. */
	if (!(pme & PM_PRESENT) || !PM_PFRAME(pme) || !(pg & PA_PG_HAVE_KPAGE) || !kf)
		return -1;
	/* The zero page is a reserved page, never anonymous; bit 34 on it
	 * would be read as anon-exclusive by anyone testing ANON first. */
	if (kf & PA_BIT(ZERO_PAGE))
		return anon || b34 ? PA_CR_EXCL_ZERO : -1;
	/* KSM pages are never exclusive (mm/ksm.c clears the bit when it
	 * merges; page-flags.h: PageAnonExclusive is not used on KSM). */
	if (anon && b34 && k->anon_exclusive_bit && (kf & PA_BIT(KSM)) && k->ksm_flag_bug != PA_YES)
		return PA_CR_EXCL_KSM;
	/* fork clears the bit before the child maps the page, KSM before it
	 * maps a second PTE: an exclusive page has exactly one mapping. */
	if (own && exact && kc >= 2)
		return PA_CR_EXCL_MAPPED_TWICE;
	/* pagemap sets bit 61 for a page that is not PageAnon
	 * (fs/proc/task_mmu.c), and a MAP_SHARED mapping never maps
	 * anonymous folios. */
	if (own && ((pme & PM_FILE) || (v && v->perms[3] == 's')))
		return PA_CR_EXCL_NOT_ANON_MAPPING;
	/* A present PTE maps the page: its exact mapcount is at least 1. */
	if (anon && exact && kc == 0)
		return PA_CR_ANON_UNMAPPED;
	/* Small folios: bit 56 is "mapcount == 1" (page_mapcount(),
	 * folio_precise_page_mapcount() or, with CONFIG_NO_PAGE_MAPCOUNT,
	 * !folio_maybe_mapped_shared(), all exact for a small folio) and
	 * kpagecount the same mapcount.  Pages without a struct page in the
	 * mapping (VM_PFNMAP) get neither, so only anonymous pages and those
	 * pagemap marks as file pages are compared. */
	if (small && k->kpagecount_ok && (anon || (pme & PM_FILE)) &&
	    !!(pme & PM_MMAP_EXCLUSIVE) != (kc == 1))
		return PA_CR_BIT56_MAPCOUNT;
	return -1;
}

static void add_cand(struct check *c, uint64_t vaddr, uint64_t pfn, enum pa_check_rule rule,
		     unsigned pg, pid_t other, bool other_excl, uint64_t other_va)
{
	if (c->ncands == c->cands_cap) {
		c->cands_cap = c->cands_cap ? 2 * c->cands_cap : 64;
		c->cands = pa_xrealloc(c->cands, c->cands_cap, sizeof(*c->cands));
	}
	c->cands[c->ncands++] = (struct cand){ vaddr, pfn, other_va, rule, (uint8_t)pg, other_excl,
					       other };
}

/* Cross-process rule: remember who maps each anonymous PFN. */
static void track_pfn(struct check *c, uint64_t vaddr, uint64_t pfn, bool excl, unsigned pg)
{
	uint32_t me = (uint32_t)(c->cur + 1) << 1, v;

	if (pfn >= c->nowner) {
		size_t n = c->nowner ? c->nowner : 1 << 16;

		while (n <= pfn)
			n *= 2;
		c->owner = pa_xrealloc(c->owner, n, sizeof(*c->owner));
		memset(c->owner + c->nowner, 0, (n - c->nowner) * sizeof(*c->owner));
		c->owner_va = pa_xrealloc(c->owner_va, n, sizeof(*c->owner_va));
		c->nowner = n;
	}
	v = c->owner[pfn];
	if (v && (v >> 1) != (me >> 1) && (excl || (v & 1)))
		add_cand(c, vaddr, pfn, PA_CR_EXCL_TWO_PROCESSES, pg, c->pids[(v >> 1) - 1], v & 1,
			 c->owner_va[pfn]);
	if (!v || excl) {
		c->owner[pfn] = me | excl;
		c->owner_va[pfn] = vaddr;
	}
}

static int check_batch(void *ctx, const struct pa_page_batch *b)
{
	struct check *c = ctx;
	const struct pa_kinfo *k = &c->s->kinfo;
	long ps = c->s->src->page_size;

	for (size_t i = 0; i < b->n; i++) {
		uint64_t pme = b->pme[i], kf = b->kflags[i], kc = b->kcount ? b->kcount[i] : 0;
		unsigned pg = b->pgflags[i];
		uint64_t vaddr = b->index[i] * (uint64_t)ps;
		int rule;

		if (!(pme & PM_PRESENT))
			continue;
		c->res->pages_checked++;
		rule = page_rule(k, b->vma, pme, kf, kc, pg);
		if (rule >= 0)
			add_cand(c, vaddr, b->pfn[i], (enum pa_check_rule)rule, pg, 0, false, 0);
		if (b->pfn[i] && (pg & PA_PG_HAVE_KPAGE) && (kf & PA_BIT(ANON)) &&
		    !((kf & PA_BIT(KSM)) && k->ksm_flag_bug != PA_YES) && !(kf & PA_BIT(ZERO_PAGE)))
			track_pfn(c, vaddr, b->pfn[i], own_exclusive(k, kf, pg), pg);
	}
	return 0;
}

/* kcmp(2) KCMP_VM (3.5+): 0 when both processes share one mm (vfork,
 * CLONE_VM), -1 when it cannot tell. */
static int same_mm(pid_t a, pid_t b)
{
#ifdef SYS_kcmp
	long r = syscall(SYS_kcmp, a, b, 0 /* KCMP_VM */, 0UL, 0UL);

	return r == 0 ? 1 : r > 0 ? 0 : -1;
#else
	(void)a;
	(void)b;
	return -1;
#endif
}

/* Does process pid still map pfn at vaddr? */
static bool still_mapped(struct pa_source *src, pid_t pid, uint64_t vaddr, uint64_t pfn)
{
	struct pa_target *t2 = NULL;
	uint64_t pme = 0;
	bool yes;

	if (src->ops->open_target(src, pid, &t2) < 0)
		return false;
	yes = src->ops->read_pagemap(t2, &pme, vaddr / (uint64_t)src->page_size, 1) == 1 &&
	      (pme & PM_PRESENT) && PM_PFRAME(pme) == pfn;
	src->ops->close_target(t2);
	return yes;
}

static const struct pa_vma *find_vma(const struct pa_maps *m, uint64_t vaddr)
{
	for (size_t i = 0; i < m->n; i++)
		if (vaddr >= m->v[i].start && vaddr < m->v[i].end)
			return &m->v[i];
	return NULL;
}

/* Re-read a candidate; true if it still breaks its rule (f filled). */
static bool confirm(struct check *c, struct pa_target *t, const struct pa_maps *maps,
		    const struct cand *cd, struct pa_finding *f)
{
	struct pa_source *src = c->s->src;
	const struct pa_kinfo *k = &c->s->kinfo;
	uint64_t vpn = cd->vaddr / (uint64_t)src->page_size;
	uint64_t pme, pme2, kf = 0, kc = 0, kc2 = 0;
	unsigned pg = (cd->pg & PA_PG_PMD_MAPPED) | PA_PG_HAVE_KPAGE;

	if (src->ops->read_pagemap(t, &pme, vpn, 1) != 1 || PM_PFRAME(pme) != cd->pfn ||
	    !(pme & PM_PRESENT))
		return false;
	if (src->ops->read_pfn(src, PA_KPAGEFLAGS, &kf, cd->pfn, 1) != 1)
		return false;
	if (k->kpagecount_ok && src->ops->read_pfn(src, PA_KPAGECOUNT, &kc, cd->pfn, 1) != 1)
		return false;
	if (src->ops->read_pagemap(t, &pme2, vpn, 1) != 1 || pme2 != pme)
		return false;
	if (k->kpagecount_ok && (src->ops->read_pfn(src, PA_KPAGECOUNT, &kc2, cd->pfn, 1) != 1 ||
				 kc2 != kc))
		return false;
	if (cd->rule == PA_CR_EXCL_TWO_PROCESSES) {
		bool mine = own_exclusive(k, kf, pg);

		if (!(kf & PA_BIT(ANON)) || ((kf & PA_BIT(KSM)) && k->ksm_flag_bug != PA_YES) ||
		    (!mine && !cd->other_excl))
			return false;
		/* Walked processes run on: the other one may have freed the
		 * page and this one got it.  Still mapped there?  A shared mm
		 * (vfork, CLONE_VM) is one mapping, not two. */
		if (k->kpagecount_ok && pa_mapcount_exact(k, kf) && kc < 2)
			return false;
		if (!*src->root && same_mm(t->pid, cd->other) != 0)
			return false;
		if (!still_mapped(src, cd->other, cd->other_va, cd->pfn))
			return false;
	} else if (page_rule(k, find_vma(maps, cd->vaddr), pme, kf, kc, pg) != (int)cd->rule) {
		return false;
	}
	memset(f, 0, sizeof(*f));
	f->pid = t->pid;
	snprintf(f->comm, sizeof(f->comm), "%s", t->comm);
	f->vaddr = cd->vaddr;
	f->pfn = cd->pfn;
	f->pme = pme;
	f->kflags = kf;
	f->kcount = kc;
	f->rule = cd->rule;
	f->other_pid = cd->other;
	return true;
}

static void add_finding(struct pa_check_result *res, const struct pa_finding *f)
{
	if (res->nfindings == res->findings_cap) {
		res->findings_cap = res->findings_cap ? 2 * res->findings_cap : 16;
		res->findings = pa_xrealloc(res->findings, res->findings_cap, sizeof(*res->findings));
	}
	res->findings[res->nfindings++] = *f;
	res->by_rule[f->rule]++;
}

static void check_one(struct check *c, struct pa_check_proc *p)
{
	struct pa_session *s = c->s;
	struct pa_options *o = s->opt;
	struct pa_walk_opts wo = {
		.need_kflags = true,
		.need_count = true,
		.count_all = true,
		.threads = o->threads,
		.scan = o->scan,
		.ranges = o->ranges,
		.nranges = o->nranges,
		.stop = &pa_stop_flag,
	};
	struct pa_walk_stats st = { 0 };
	struct pa_target *t = NULL;
	struct pa_maps maps = { 0 };
	int ret;

	c->ncands = 0;
	ret = s->src->ops->open_target(s->src, p->pid, &t);
	if (ret < 0) {
		p->gone = ret == -ESRCH || ret == -ENOENT;
		p->err = -ret;
		pa_explain_open_error(s, p->pid, -ret, p->errmsg, sizeof(p->errmsg));
		return;
	}
	snprintf(p->comm, sizeof(p->comm), "%s", t->comm);
	ret = s->src->ops->read_maps(t, &maps);
	if (ret < 0) {
		p->err = -ret;
		p->gone = ret == -ESRCH || ret == -ENOENT;
		if (ret == -ESRCH || ret == -ENOENT)
			pa_explain_open_error(s, p->pid, -ret, p->errmsg, sizeof(p->errmsg));
		else
			snprintf(p->errmsg, sizeof(p->errmsg), "%s/proc/%d/maps: %s", s->src->root,
				 (int)p->pid, strerror(-ret));
		goto out;
	}
	ret = pa_walk_target(t, &maps, &s->kinfo, &wo, check_batch, c, &st);
	if (t->pfn_hidden) {
		p->err = EPERM;
		snprintf(p->errmsg, sizeof(p->errmsg), "/proc/%d/pagemap: PFNs hidden (CAP_SYS_ADMIN "
			 "missing): nothing can be checked; run as root", (int)p->pid);
		goto out;
	}
	if (t->gone || st.partial || ret == -EINTR) {
		p->partial = true;
		p->gone = t->gone || (st.partial && !*s->src->root);
		snprintf(p->errmsg, sizeof(p->errmsg), "process %d: %s: checked in part", (int)p->pid,
			 ret == -EINTR ? "interrupted" : *s->src->root ?
			 "pagemap ends before the last VMA (incomplete capture)" :
			 "exited during the check");
	} else if (ret < 0) {
		p->err = -ret;
		snprintf(p->errmsg, sizeof(p->errmsg), "%s%sprocess %d: %s", st.errpath,
			 st.errpath[0] ? " (while reading) " : "", (int)p->pid, strerror(-ret));
	}
	for (size_t i = 0; i < c->ncands; i++) {
		struct pa_finding f;

		if (confirm(c, t, &maps, &c->cands[i], &f)) {
			add_finding(c->res, &f);
		} else {
			c->res->dismissed++;
			if (o->verbose)
				fprintf(stderr, "check: pid %d 0x%llx PFN 0x%llx: %s dismissed after "
					"re-reading\n", (int)p->pid,
					(unsigned long long)c->cands[i].vaddr,
					(unsigned long long)c->cands[i].pfn,
					pa_check_rule_name(c->cands[i].rule));
		}
	}
out:
	pa_maps_free(&maps);
	if (t)
		s->src->ops->close_target(t);
}

int pa_check_collect(struct pa_session *s, const pid_t *pids, size_t npids, struct pa_report *r)
{
	struct check c = { .s = s, .pids = pids };
	size_t nerr = 0, nok = 0;
	bool partial = false;

	snprintf(r->kernel, sizeof(r->kernel), "%s", s->src->release);
	r->page_size = s->src->page_size;
	r->kinfo = s->kinfo;
	r->ftab = s->ftab;
	r->check = pa_xrealloc(NULL, 1, sizeof(*r->check));
	memset(r->check, 0, sizeof(*r->check));
	c.res = r->check;
	c.res->procs = pa_xrealloc(NULL, npids ? npids : 1, sizeof(*c.res->procs));
	for (size_t i = 0; i < npids && !pa_stop_flag; i++) {
		struct pa_check_proc *p = &c.res->procs[c.res->nprocs++];

		memset(p, 0, sizeof(*p));
		p->pid = pids[i];
		c.cur = i;
		check_one(&c, p);
		if (r->check_all && p->gone && !*s->src->root) {
			/* --all: a process that exited is not a failure */
			c.res->nprocs--;
			continue;
		}
		if (p->err)
			nerr++;
		else
			nok++;
		if (p->partial || p->err)
			partial = true;
	}
	free(c.cands);
	free(c.owner);
	free(c.owner_va);
	r->partial = partial || pa_stop_flag;
	if (c.res->nfindings)
		return PA_EXIT_FINDINGS;
	if (npids && !nok)
		return PA_EXIT_ERROR;
	return r->partial ? PA_EXIT_PARTIAL : PA_EXIT_OK;
}
