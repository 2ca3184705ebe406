// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The PFN cache of --all (pfncache.h).
 *
 * Only pages that pagemap does not report as mapped exactly once
 * (PM_MMAP_EXCLUSIVE clear) are looked up and kept: only those can be met
 * again in another process.  An entry remembers how many more mappings
 * kpagecount announced and leaves the cache when the last one has been
 * met, so the table holds the pages shared with processes not walked yet,
 * not every page of the system.  The zero page (kpagecount 0) stays.
 *
 * Consistency: a page's flags are those of the moment it was first read,
 * as if the later processes had been walked at that moment; the pagemap
 * entry of each mapping is always read afresh, so a page that became
 * exclusive meanwhile (COW broken) is read again.
 *
 * A two-level table indexed by PFN: a directory of leaves of 512
 * consecutive PFNs, allocated when a PFN of theirs is first kept and freed
 * when their last entry leaves.  Pages shared after fork come in runs of
 * PFNs, so a lookup or an insert mostly touches one leaf that is already
 * in the CPU cache (a hash table of the same entries cost ~140 ns per
 * operation on a 1 GiB fork, more than the kernel reads it saved).  One
 * mutex, taken once per chunk of up to 8 Ki pages.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "page-anon.h"
#include "pfncache.h"

#define LEAF_SHIFT	9
#define LEAF_N		(1u << LEAF_SHIFT)
#define DIR_MAX		(1u << 22)	/* PFNs below 2^31 (8 TiB of 4 KiB pages) */
#define DEFAULT_MAX_BYTES	(24u << 20)

struct leaf {
	uint64_t kflags[LEAF_N];
	uint32_t kcount[LEAF_N];
	uint32_t left[LEAF_N];	/* 0: empty; mappings still to meet;
				 * UINT32_MAX: keep (the zero pages) */
	uint32_t live;		/* entries with left != 0 */
};

struct pa_pfncache {
	pthread_mutex_t lock;
	struct leaf **dir;
	size_t ndir, nleaves, max_leaves;
	size_t n;
	struct pa_pfncache_stats st;
};

struct pa_pfncache *pa_pfncache_new(size_t max_bytes)
{
	struct pa_pfncache *c = pa_xrealloc(NULL, 1, sizeof(*c));

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->max_leaves = (max_bytes ? max_bytes : DEFAULT_MAX_BYTES) / sizeof(struct leaf);
	if (!c->max_leaves)
		c->max_leaves = 1;
	return c;
}

void pa_pfncache_free(struct pa_pfncache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ndir; i++)
		free(c->dir[i]);
	free(c->dir);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static struct leaf *leaf_of(const struct pa_pfncache *c, uint64_t pfn)
{
	uint64_t d = pfn >> LEAF_SHIFT;

	return d < c->ndir ? c->dir[d] : NULL;
}

size_t pa_pfncache_lookup(struct pa_pfncache *c, const uint64_t *pfn, const uint8_t *want,
			  size_t n, uint64_t *kflags, uint64_t *kcount, uint8_t *hit)
{
	size_t hits = 0, looked = 0;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < n; i++) {
		struct leaf *l;
		unsigned k;

		hit[i] = 0;
		if (!want[i] || !pfn[i])
			continue;
		looked++;
		l = leaf_of(c, pfn[i]);
		k = (unsigned)(pfn[i] & (LEAF_N - 1));
		if (!l || !l->left[k])
			continue;
		kflags[i] = l->kflags[k];
		kcount[i] = l->kcount[k];
		hit[i] = 1;
		hits++;
		if (l->left[k] != UINT32_MAX && --l->left[k] == 0) {
			c->n--;
			if (--l->live == 0) {
				c->dir[pfn[i] >> LEAF_SHIFT] = NULL;
				free(l);
				c->nleaves--;
			}
		}
	}
	c->st.lookups += looked;
	c->st.hits += hits;
	pthread_mutex_unlock(&c->lock);
	return hits;
}

/* The leaf of pfn, allocated if there is room; NULL when full. */
static struct leaf *leaf_get(struct pa_pfncache *c, uint64_t pfn)
{
	uint64_t d = pfn >> LEAF_SHIFT;
	struct leaf *l;

	if (d >= DIR_MAX)
		return NULL;
	if (d >= c->ndir) {
		size_t nd = c->ndir ? c->ndir : 1024;

		while (nd <= d)
			nd *= 2;
		c->dir = pa_xrealloc(c->dir, nd, sizeof(*c->dir));
		memset(c->dir + c->ndir, 0, (nd - c->ndir) * sizeof(*c->dir));
		c->ndir = nd;
	}
	if (c->dir[d])
		return c->dir[d];
	if (c->nleaves >= c->max_leaves)
		return NULL;
	l = malloc(sizeof(*l));
	if (!l)
		return NULL;
	/* kflags/kcount are written before they are read */
	memset(l->left, 0, sizeof(l->left));
	l->live = 0;
	c->dir[d] = l;
	c->nleaves++;
	return l;
}

void pa_pfncache_insert(struct pa_pfncache *c, const uint64_t *pfn, const uint8_t *want,
			const uint8_t *hit, size_t n, const uint64_t *kflags, const uint64_t *kcount)
{
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < n; i++) {
		struct leaf *l;
		uint32_t kc;
		unsigned k;

		if (!want[i] || hit[i] || !pfn[i])
			continue;
		/* Mapped once (a THP tail of an exclusive folio): nobody
		 * else will ask for it. */
		if (kcount[i] == 1)
			continue;
		l = leaf_get(c, pfn[i]);
		if (!l) {
			c->st.full++;
			continue;
		}
		k = (unsigned)(pfn[i] & (LEAF_N - 1));
		kc = kcount[i] > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)kcount[i];
		if (!l->left[k]) {
			l->live++;
			c->n++;
			c->st.inserts++;
		}
		l->kflags[k] = kflags[i];
		l->kcount[k] = kc;
		/* this mapping is met; the zero pages (count 0) are mapped by
		 * everybody */
		l->left[k] = kc ? kc - 1 : UINT32_MAX;
		if (c->n > c->st.peak_entries)
			c->st.peak_entries = c->n;
	}
	pthread_mutex_unlock(&c->lock);
}

void pa_pfncache_stats(struct pa_pfncache *c, struct pa_pfncache_stats *st)
{
	pthread_mutex_lock(&c->lock);
	*st = c->st;
	st->entries = c->n;
	st->slots = c->nleaves * LEAF_N;
	pthread_mutex_unlock(&c->lock);
}
