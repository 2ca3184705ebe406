/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kpageflags/kpagecount of PFNs mapped more than once, kept across the
 * processes of one walk (--all): a page shared by N processes after fork
 * is read from the kernel once, not N times (pfncache.c).
 */
#ifndef PA_PFNCACHE_H
#define PA_PFNCACHE_H

#include <stddef.h>
#include <stdint.h>

struct pa_pfncache;

struct pa_pfncache_stats {
	uint64_t lookups, hits, inserts;
	size_t entries, peak_entries, slots;	/* slots: PFNs the leaves cover */
	uint64_t full;		/* inserts refused: the cache was at its size limit */
};

/* max_bytes bounds the table (0: the default, 24 MiB; one leaf of 512
 * PFNs takes 8 KiB). */
struct pa_pfncache *pa_pfncache_new(size_t max_bytes);
void pa_pfncache_free(struct pa_pfncache *c);
/* Safe to call from several walk threads at once. */
/* For i < n with want[i] set: look pfn[i] up; a hit fills kflags[i] and
 * kcount[i] and sets hit[i] (cleared otherwise).  Returns the hits. */
size_t pa_pfncache_lookup(struct pa_pfncache *c, const uint64_t *pfn, const uint8_t *want,
			  size_t n, uint64_t *kflags, uint64_t *kcount, uint8_t *hit);
/* Remember pfn[i] for i < n with want[i] set and hit[i] clear. */
void pa_pfncache_insert(struct pa_pfncache *c, const uint64_t *pfn, const uint8_t *want,
			const uint8_t *hit, size_t n, const uint64_t *kflags, const uint64_t *kcount);
void pa_pfncache_stats(struct pa_pfncache *c, struct pa_pfncache_stats *st);

#endif /* PA_PFNCACHE_H */
