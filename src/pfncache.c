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
 * Open addressing with linear probing and backward-shift deletion; one
 * mutex, taken once per chunk of up to 8 Ki pages.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "page-anon.h"
#include "pfncache.h"

struct slot {
	uint64_t pfn;		/* 0: empty (PFN 0 is never looked up) */
	uint64_t kflags;
	uint32_t kcount;
	uint32_t left;		/* mappings still to meet; UINT32_MAX: keep */
};

struct pa_pfncache {
	pthread_mutex_t lock;
	struct slot *slot;
	size_t mask, n, max_slots;
	struct pa_pfncache_stats st;
};

#define DEFAULT_MAX_BYTES	(24u << 20)
#define MIN_SLOTS		4096

struct pa_pfncache *pa_pfncache_new(size_t max_bytes)
{
	struct pa_pfncache *c = pa_xrealloc(NULL, 1, sizeof(*c));
	size_t max = (max_bytes ? max_bytes : DEFAULT_MAX_BYTES) / sizeof(struct slot);

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->max_slots = MIN_SLOTS;
	while (c->max_slots * 2 <= max)
		c->max_slots *= 2;
	c->slot = pa_xrealloc(NULL, MIN_SLOTS, sizeof(*c->slot));
	memset(c->slot, 0, MIN_SLOTS * sizeof(*c->slot));
	c->mask = MIN_SLOTS - 1;
	return c;
}

void pa_pfncache_free(struct pa_pfncache *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->slot);
	free(c);
}

static size_t hash(uint64_t pfn, size_t mask)
{
	return (size_t)((pfn * 0x9e3779b97f4a7c15ULL) >> 20) & mask;
}

static struct slot *find(struct pa_pfncache *c, uint64_t pfn)
{
	for (size_t i = hash(pfn, c->mask);; i = (i + 1) & c->mask) {
		if (c->slot[i].pfn == pfn)
			return &c->slot[i];
		if (!c->slot[i].pfn)
			return NULL;
	}
}

/* Backward-shift deletion keeps every probe chain unbroken. */
static void del(struct pa_pfncache *c, struct slot *s)
{
	size_t i = (size_t)(s - c->slot), j = i;

	for (;;) {
		size_t k;

		j = (j + 1) & c->mask;
		if (!c->slot[j].pfn)
			break;
		k = hash(c->slot[j].pfn, c->mask);
		/* move j to i if its home k is not in (i, j] (cyclically) */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		c->slot[i] = c->slot[j];
		i = j;
	}
	c->slot[i].pfn = 0;
	c->n--;
}

static void put(struct slot *tab, size_t mask, const struct slot *e)
{
	size_t i = hash(e->pfn, mask);

	while (tab[i].pfn)
		i = (i + 1) & mask;
	tab[i] = *e;
}

/* Grow at 3/4 load while below the limit; false when full. */
static bool room(struct pa_pfncache *c)
{
	size_t slots = c->mask + 1, nslots = slots * 2;
	struct slot *ns;

	if (c->n + 1 <= slots / 4 * 3)
		return true;
	if (nslots > c->max_slots)
		return false;
	ns = pa_xrealloc(NULL, nslots, sizeof(*ns));
	memset(ns, 0, nslots * sizeof(*ns));
	for (size_t i = 0; i < slots; i++)
		if (c->slot[i].pfn)
			put(ns, nslots - 1, &c->slot[i]);
	free(c->slot);
	c->slot = ns;
	c->mask = nslots - 1;
	return true;
}

size_t pa_pfncache_lookup(struct pa_pfncache *c, const uint64_t *pfn, const uint8_t *want,
			  size_t n, uint64_t *kflags, uint64_t *kcount, uint8_t *hit)
{
	size_t hits = 0, looked = 0;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < n; i++) {
		struct slot *s;

		hit[i] = 0;
		if (!want[i] || !pfn[i])
			continue;
		looked++;
		s = find(c, pfn[i]);
		if (!s)
			continue;
		kflags[i] = s->kflags;
		kcount[i] = s->kcount;
		hit[i] = 1;
		hits++;
		if (s->left != UINT32_MAX && --s->left == 0)
			del(c, s);
	}
	c->st.lookups += looked;
	c->st.hits += hits;
	pthread_mutex_unlock(&c->lock);
	return hits;
}

void pa_pfncache_insert(struct pa_pfncache *c, const uint64_t *pfn, const uint8_t *want,
			const uint8_t *hit, size_t n, const uint64_t *kflags, const uint64_t *kcount)
{
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < n; i++) {
		struct slot e, *s;
		uint32_t kc;

		if (!want[i] || hit[i] || !pfn[i])
			continue;
		/* Mapped once (a THP tail of an exclusive folio): nobody
		 * else will ask for it. */
		if (kcount[i] == 1)
			continue;
		kc = kcount[i] > UINT32_MAX ? UINT32_MAX : (uint32_t)kcount[i];
		/* this mapping is met; the zero pages (count 0) are mapped
		 * by everybody */
		e = (struct slot){ .pfn = pfn[i], .kflags = kflags[i], .kcount = kc,
				   .left = kc ? kc - 1 : UINT32_MAX };
		s = find(c, pfn[i]);
		if (s) {	/* two mappings of it in one chunk */
			*s = e;
			continue;
		}
		if (!room(c)) {
			c->st.full++;
			continue;
		}
		put(c->slot, c->mask, &e);
		c->n++;
		c->st.inserts++;
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
	st->slots = c->mask + 1;
	pthread_mutex_unlock(&c->lock);
}
