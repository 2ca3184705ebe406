// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The page walk.
 *
 * What a page costs the kernel (6.18, 2-vCPU KVM guest, 4 GiB of dense
 * private anonymous memory, one core): pagemap ~22 ns per entry, kpageflags
 * ~55 ns and kpagecount ~48 ns per entry when read in runs, plus
 * 0.1-0.4 us per pread.  page-types, one kpageflags pread per page, pays
 * 170-215 ns per page there.  The user-space side must stay at a few ns
 * per page or it shows.  Techniques, each with what it bought there:
 *
 * - kpage* files are read in runs of contiguous PFNs.  When the PFNs of a
 *   chunk, in address order, already form runs (dense 4 KiB memory: 18-28
 *   pages per run; THP: 512) the runs are read in that order straight into
 *   the output: 58-61 ns/page against 64-70 ns/page for a radix sort that
 *   halves the number of preads (a 16 Ki-entry chunk is too small a window
 *   for the sort to find much more).  Scattered PFNs (sparse memory: 2.3
 *   pages per run) are sorted first.
 * - Two or more threads read the kernel files (pipelined workers, see
 *   below): dense 4 GiB flags table 78 -> 47 ms, whole system (6.5 M
 *   PFNs) 0.29 -> 0.15 s, 1 TiB sparse 128 -> 70 ms.
 * - PAGEMAP_SCAN (6.7+) skips holes: its cost follows the page tables
 *   (~1.5 us each, 2.9 ns per PTE walked), a linear pagemap read costs
 *   ~3 ns per *virtual* page.  On 1 TiB with 256 MiB touched in 4 KiB
 *   pages: 0.10 s against 0.8 s.  It does not pay on dense memory (it walks
 *   every PTE once more, +5 ns/page), so "auto" uses it when the process's
 *   page tables (VmPTE) cover less than half of the walked address space.
 *   One call spans all the VMAs of a piece, and the pieces are scanned by
 *   all the workers.
 * - PAGEMAP_SCAN's PAGE_IS_HUGE is the only way to tell a PMD-mapped THP
 *   from a PTE-mapped one (doc/kernel-notes.md 5).  Only compound pages can be
 *   PMD-mapped, so a chunk is scanned for it only when kpageflags shows a
 *   compound page in it (dense 4 KiB memory: never).
 * - kpagecount only where the state depends on it (count_needed()), and
 *   not even there for small pages: pagemap's bit 56 answers
 *   (count_from_pagemap()).  4 GiB after fork: one read per page less.
 * - PMD-mapped folios (THP, hugetlb) whose pages cannot differ are read
 *   once: one pagemap entry and two kpageflags words per 512 pages
 *   (add_folio()), handed to the callback as runs (pa_page_batch.npages)
 *   when it takes them.  4 GiB of THP: 1 Mi pagemap entries and kpageflags
 *   words become 2 Ki and 4 Ki.  VmPTE counts the page tables deposited
 *   for THPs, so "auto" also probes big VMAs for PMD mappings
 *   (probe_huge()) and scans those.
 *
 * Pipeline.  A planner cuts the walk into pieces in address order: up to
 * CHUNK virtual pages of one or more VMAs (linear pagemap read), up to
 * SCAN_SPAN pages or more (PAGEMAP_SCAN), or CHUNK PFNs (PFN walk).
 * Worker threads claim pieces in order and fill chunks (pagemap entries
 * compacted to the populated pages, then kpageflags/kpagecount/
 * kpagecgroup); each worker has two chunk slots, an empty piece uses
 * none.  The calling thread takes the chunks piece by piece, in order, and
 * hands them to the callback, which therefore always runs on the calling
 * thread and sees batches in address order, whatever the number of
 * threads.  With one thread the same code runs inline.  The source's
 * read_pfn/read_pagemap/scan are called from several threads at once
 * (preads and ioctls on shared file descriptors).
 *
 * Memory bound: a chunk slot is CHUNK * 103 bytes plus WIN_MAX windows
 * (0.8 MiB); a walk uses 2 slots per worker (1 inline): at most
 * 1.7 MiB * threads (3.3 MiB with the automatic 2 threads of a 2-CPU
 * machine; at most AUTO_THREADS automatically), whatever the size of the
 * target.  Measured peak RSS of the whole program: 3.9 MiB for a 1 GiB
 * and for a 4 GiB process.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "page-anon.h"
#include "pfncache.h"

#define CHUNK		(8 * 1024)	/* entries per chunk; 8..64 Ki: same speed, 8 Ki touches least */
#define WIN_MAX		1024		/* pagemap windows (VMA parts) per chunk */
#define RUN_GAP		8		/* sorted path: read across holes this small */
#define DIRECT_RUN	8		/* pages per address-order run to skip the sort */
#define SCAN_VEC	512		/* regions per PAGEMAP_SCAN call */
#define SCAN_MERGE_GAP	128		/* pages: a pagemap pread (~0.4 us) costs ~128 entries */
#define SCAN_SPAN	(2 * CHUNK)	/* pages per scan piece, at least ... */
#define SCAN_PIECES	256		/* ... and at most this many pieces per VMA */
#define AUTO_THREADS	4		/* most workers started automatically */
#define MAX_THREADS	64		/* --threads limit (main.c) */
#define OWNER_RING	(4 * MAX_THREADS)	/* > pieces claimed but not consumed */

struct win {
	const struct pa_vma *vma;	/* borrowed; NULL for a PFN walk */
	size_t first;			/* first entry of the window */
};

/* One chunk slot: up to CHUNK populated pages, in address order. */
struct chunk {
	size_t n;
	uint64_t *idx, *pme, *pfn, *kflags, *kcount, *kcgroup;
	uint8_t *pgflags;
	uint32_t *npages;	/* pages per entry (folio entries: more than 1) */
	size_t nfolio;		/* entries with PA_PG_FOLIO */
	uint64_t *rpfn;		/* PFNs to read: 0 for the folio entries */
	uint64_t *keys, *keys2, *tmp;	/* sorted path only */
	uint8_t *want, *hit;		/* PFN cache: looked up, found */
	uint64_t *hkf, *hkc;		/* ... and what was found */
	struct win *win;
	size_t nwin;
	size_t piece;		/* sequence number of its piece */
	bool last;		/* last chunk of its piece */
	int err;		/* -errno: the walk stops after this chunk */
	bool partial;		/* err means the process went away */
	bool kpage_err;		/* err comes from a kpage* file ... */
	enum pa_kfile kpage_file;	/* ... this one */
};

struct piece {
	size_t k;		/* sequence number */
	size_t ri;		/* range */
	size_t vi0, vi1;	/* VMAs [vi0, vi1] (PID walk) */
	uint64_t lo, hi;	/* pages or PFNs [lo, hi) */
	bool scan;		/* PAGEMAP_SCAN piece */
};

struct walk;

struct worker {
	struct walk *w;
	pthread_t tid;
	bool started;
	size_t piece;			/* piece being filled */
	struct chunk slot[2];
	unsigned long produced, consumed;	/* slot = count % 2 */
	struct pa_walk_stats st;
};

struct walk {
	struct pa_source *src;
	struct pa_target *t;		/* NULL for a PFN walk */
	const struct pa_maps *maps;
	const struct pa_kinfo *k;
	const struct pa_walk_opts *o;
	const struct pa_addr_range *ranges;
	size_t nranges;
	uint64_t ps;
	bool scan;			/* skip holes with PAGEMAP_SCAN */
	bool folio;			/* read PMD-mapped folios once */
	uint8_t *vscan;			/* per VMA: scan it (PMD mappings seen) */
	bool infer_count;		/* small folios: bit 56 for kpagecount */
	pa_batch_fn fn;
	void *ctx;

	/* Under lock (when threaded): the planner and the hand-over.  The
	 * threads sleep on two condition variables and are woken only when
	 * someone waits: with one wake-up per state change, a walk of 4096
	 * mostly empty pieces took 127 ms instead of 7.5 ms inline. */
	pthread_mutex_t lock;
	pthread_cond_t cons_cond, work_cond;
	bool cons_waiting;
	int work_waiting;
	size_t p_ri, p_vi;		/* next piece starts in range p_ri, VMA p_vi */
	uint64_t p_pos;			/* ... at this page / PFN */
	size_t eof_ri;			/* PFN walk: range eof_ri - 1 reached EOF */
	size_t next_piece;		/* pieces claimed */
	size_t cons_k;			/* piece the consumer is at */
	bool p_done, abort;
	uint64_t vmas;
	struct {
		int owner;		/* worker */
		bool done;		/* all its chunks handed over */
	} ring[OWNER_RING];		/* piece k at k % OWNER_RING */
	struct worker *wk;
	int nworkers;			/* 0: inline */

	/* Consumer only: head pages for 5.19-6.9. */
	const struct pa_vma *head_vma;
	int64_t head_delta;
	bool head_valid, head_excl;
};

/* ------------------------------------------------------------------ */
/* Chunk slots                                                         */

static void chunk_alloc(struct chunk *c)
{
	memset(c, 0, sizeof(*c));
	c->idx = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	c->pme = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	c->pfn = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	c->kflags = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	c->kcount = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	c->kcgroup = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	c->pgflags = pa_xrealloc(NULL, CHUNK, 1);
	c->npages = pa_xrealloc(NULL, CHUNK, sizeof(uint32_t));
	c->rpfn = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	c->keys = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	c->keys2 = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	c->tmp = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	c->win = pa_xrealloc(NULL, WIN_MAX, sizeof(*c->win));
	c->want = pa_xrealloc(NULL, CHUNK, 1);
	c->hit = pa_xrealloc(NULL, CHUNK, 1);
	c->hkf = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	c->hkc = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
}

static void chunk_free(struct chunk *c)
{
	free(c->idx);
	free(c->pme);
	free(c->pfn);
	free(c->kflags);
	free(c->kcount);
	free(c->kcgroup);
	free(c->pgflags);
	free(c->npages);
	free(c->rpfn);
	free(c->keys);
	free(c->keys2);
	free(c->tmp);
	free(c->win);
	free(c->want);
	free(c->hit);
	free(c->hkf);
	free(c->hkc);
}

static void chunk_reset(struct chunk *c)
{
	c->n = 0;
	c->nfolio = 0;
	c->nwin = 0;
	c->last = false;
	c->err = 0;
	c->partial = false;
	c->kpage_err = false;
	c->kpage_file = PA_KPAGEFLAGS;
}

/* ------------------------------------------------------------------ */
/* kpageflags, kpagecount, kpagecgroup                                 */

/*
 * Stable LSD radix sort of keys (pfn << 16 | index) on the PFN bits only;
 * the index in the low 16 bits comes along.  Returns the sorted array
 * (keys or keys2).
 */
static uint64_t *sort_keys(uint64_t *keys, uint64_t *keys2, size_t n, uint64_t maxpfn)
{
	static const int DIGIT = 11;
	size_t count[1 << 11];
	uint64_t *src = keys, *dst = keys2;
	int bits = 0;

	while (bits < 64 && (maxpfn >> bits))
		bits++;
	for (int shift = 16; shift < 16 + bits; shift += DIGIT) {
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & ((1u << DIGIT) - 1)]++;
		for (size_t d = 0; d < PA_ARRAY_SIZE(count); d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & ((1u << DIGIT) - 1)]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	return src;
}

/* Sorted path: read one per-PFN file for the sorted keys, in runs. */
static int read_sorted(struct pa_source *s, enum pa_kfile f, const uint64_t *keys, size_t n,
		       uint64_t *out, uint64_t *tmp, struct pa_walk_stats *st)
{
	size_t i = 0;

	while (i < n) {
		uint64_t start = keys[i] >> 16, end = start + 1;
		size_t j = i + 1;
		ssize_t got;

		while (j < n) {
			uint64_t p = keys[j] >> 16;

			if (p >= end + RUN_GAP || p - start >= CHUNK)
				break;
			if (p >= end)
				end = p + 1;
			j++;
		}
		got = s->ops->read_pfn(s, f, tmp, start, (size_t)(end - start));
		st->preads++;
		if (got < 0)
			return (int)got;
		st->pfns_read += (uint64_t)got;
		for (; i < j; i++) {
			uint64_t p = keys[i] >> 16;
			size_t k = keys[i] & 0xffff;

			/* PFNs past the end of the file (device memory, DAX)
			 * have no flags: report 0 like a memory hole. */
			out[k] = p - start < (uint64_t)got ? tmp[p - start] : 0;
		}
	}
	return 0;
}

/* Direct path: runs of consecutive PFNs in address order, read in place. */
static int read_direct(struct pa_source *s, enum pa_kfile f, const uint64_t *pfn, size_t n,
		       uint64_t *out, struct pa_walk_stats *st)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i + 1;
		ssize_t got;

		if (!pfn[i]) {	/* left as the caller set it */
			i++;
			continue;
		}
		while (j < n && pfn[j] == pfn[j - 1] + 1)
			j++;
		got = s->ops->read_pfn(s, f, out + i, pfn[i], j - i);
		st->preads++;
		if (got < 0)
			return (int)got;
		st->pfns_read += (uint64_t)got;
		for (size_t k = i + (size_t)got; k < j; k++)
			out[k] = 0;	/* past the end of the file */
		i = j;
	}
	return 0;
}

/*
 * kpagecount costs as much as kpageflags again (~48 ns/page), and the
 * report needs it only where classify.c compares it with 2: anonymous
 * pages without PG_anon_exclusive (before 5.19: every anonymous page),
 * and THP tails, whose bit may be the head's.  A 1 GiB exclusive process
 * under --watch then costs the kernel half as much.
 */
static bool count_needed(const struct walk *w, uint64_t kf, uint64_t pme)
{
	if (w->o->count_all)
		/* A small anonymous page marked exclusive (5.19+) is mapped
		 * by one PTE of one process: its count is 1. */
		return !w->o->count_not_excl || !w->k->anon_exclusive_bit ||
		       (kf & (PA_BIT(ANON) | PA_BIT(OWNER_2) | PA_BIT(KSM) | PA_BITS_COMPOUND)) !=
		       (PA_BIT(ANON) | PA_BIT(OWNER_2));
	/* USS/PSS: a small page with PM_MMAP_EXCLUSIVE has mapcount 1; a
	 * subpage of a PMD-mapped THP may have the bit while kpagecount
	 * says 2 (6.15+ with CONFIG_PAGE_MAPCOUNT, doc/ notes on pagemap
	 * bit 56), so large folios are always counted. */
	if (w->o->count_mapped && (!(pme & PM_MMAP_EXCLUSIVE) || (kf & PA_BITS_COMPOUND)))
		return true;
	return (kf & PA_BIT(ANON)) && (!(kf & PA_BIT(OWNER_2)) || !w->k->anon_exclusive_bit ||
				       (kf & PA_BIT(COMPOUND_TAIL)));
}

/*
 * Where the report needs kpagecount of a small folio, pagemap already
 * answers: bit 56 (PM_MMAP_EXCLUSIVE, 4.2+) is "mapped exactly once",
 * computed from the same mapcount that kpagecount reports
 * (fs/proc/task_mmu.c: page_mapcount() == 1 up to 6.9,
 * folio_precise_page_mapcount() == 1 since; for a small folio
 * folio_maybe_mapped_shared() with CONFIG_NO_PAGE_MAPCOUNT is the same
 * test).  classify.c only compares the count with 2, so 1 or 2 stands in
 * for it.  Large folios keep reading kpagecount: there bit 56 is per
 * folio (CONFIG_NO_PAGE_MAPCOUNT) or, for PMD-mapped THPs since 6.15,
 * the head page's for every subpage (pagemap_pmd_range() passes the head
 * page to __folio_page_mapped_exclusively()).  After fork() this saves
 * the whole kpagecount read (~48 ns per page).
 */
static bool count_from_pagemap(const struct walk *w, uint64_t kf, uint64_t pme)
{
	return w->infer_count && !(kf & PA_BITS_COMPOUND) && (pme & PM_PRESENT);
}

/* Zero arr for the entries of c, but not for its folio entries. */
static void clear_entries(const struct chunk *c, uint64_t *arr)
{
	if (!c->nfolio) {
		memset(arr, 0, c->n * sizeof(uint64_t));
		return;
	}
	for (size_t i = 0; i < c->n; i++)
		if (!(c->pgflags[i] & PA_PG_FOLIO))
			arr[i] = 0;
}

/* Fill kflags/kcount/kcgroup for the entries of c (the folio entries
 * have theirs already). */
static int read_kpages_uncached(struct walk *w, struct chunk *c, struct pa_walk_stats *st)
{
	struct pa_source *s = w->src;
	const struct pa_walk_opts *o = w->o;
	bool cnt = o->need_count && s->ops->has_kfile(s, PA_KPAGECOUNT);
	bool cg = o->need_cgroup && s->ops->has_kfile(s, PA_KPAGECGROUP);
	const uint64_t *pfn = c->pfn;
	size_t n = c->n, m = 0, runs = 0, ninf = 0;
	uint64_t maxpfn = 0;
	int r;

	if (c->nfolio) {
		for (size_t i = 0; i < n; i++)
			c->rpfn[i] = (c->pgflags[i] & PA_PG_FOLIO) ? 0 : c->pfn[i];
		pfn = c->rpfn;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t p = pfn[i];

		if (!p)
			continue;
		m++;
		if (!i || p != pfn[i - 1] + 1)
			runs++;
		if (p > maxpfn && !(p >> 48))	/* see the keys below */
			maxpfn = p;
	}
	/* kcount/kcgroup are only handed out when asked for. */
	if (o->need_count && !cnt)
		clear_entries(c, c->kcount);
	if (o->need_cgroup && !cg)
		clear_entries(c, c->kcgroup);
	clear_entries(c, c->kflags);
	if (cnt)
		clear_entries(c, c->kcount);
	if (cg)
		clear_entries(c, c->kcgroup);
	if (!m || !o->need_kflags)
		return 0;
	if (m >= DIRECT_RUN * runs) {
		c->kpage_file = PA_KPAGEFLAGS;
		r = read_direct(s, PA_KPAGEFLAGS, pfn, n, c->kflags, st);
		if (!r && cnt) {
			const uint64_t *cpfn = pfn;

			if (!o->count_all || o->count_not_excl) {
				for (size_t i = 0; i < n; i++) {
					uint64_t kf = c->kflags[i];

					c->tmp[i] = 0;
					if (!pfn[i] || !count_needed(w, kf, c->pme[i]))
						continue;
					if (count_from_pagemap(w, kf, c->pme[i])) {
						c->kcount[i] = (c->pme[i] & PM_MMAP_EXCLUSIVE) ? 1 : 2;
						ninf++;
					} else {
						c->tmp[i] = pfn[i];
					}
				}
				cpfn = c->tmp;
			}
			c->kpage_file = PA_KPAGECOUNT;
			if (ninf < m)
				r = read_direct(s, PA_KPAGECOUNT, cpfn, n, c->kcount, st);
		}
		if (!r && cg) {
			c->kpage_file = PA_KPAGECGROUP;
			r = read_direct(s, PA_KPAGECGROUP, pfn, n, c->kcgroup, st);
		}
	} else {
		uint64_t *sorted;

		m = 0;
		/* Keys hold 48 PFN bits.  Real PFNs are far below (2^48
		 * pages are 1 EiB); a bigger one can only come from a broken
		 * capture and reads as past the end of the file. */
		for (size_t i = 0; i < n; i++)
			if (pfn[i] && !(pfn[i] >> 48))
				c->keys[m++] = pfn[i] << 16 | i;
		sorted = sort_keys(c->keys, c->keys2, m, maxpfn);
		c->kpage_file = PA_KPAGEFLAGS;
		r = read_sorted(s, PA_KPAGEFLAGS, sorted, m, c->kflags, c->tmp, st);
		if (!r && cnt) {
			uint64_t *sub = sorted == c->keys ? c->keys2 : c->keys;
			size_t ms = 0;

			/* still sorted */
			for (size_t j = 0; j < m; j++) {
				size_t i = sorted[j] & 0xffff;
				uint64_t kf = c->kflags[i];

				if (!count_needed(w, kf, c->pme[i]))
					continue;
				if (!o->count_all && count_from_pagemap(w, kf, c->pme[i]))
					c->kcount[i] = (c->pme[i] & PM_MMAP_EXCLUSIVE) ? 1 : 2;
				else
					sub[ms++] = sorted[j];
			}
			c->kpage_file = PA_KPAGECOUNT;
			r = read_sorted(s, PA_KPAGECOUNT, sub, ms, c->kcount, c->tmp, st);
		}
		if (!r && cg) {
			c->kpage_file = PA_KPAGECGROUP;
			r = read_sorted(s, PA_KPAGECGROUP, sorted, m, c->kcgroup, c->tmp, st);
		}
	}
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (pfn[i])
			c->pgflags[i] |= PA_PG_HAVE_KPAGE;
	return 0;
}

/*
 * With a PFN cache (--all): pages that may be mapped elsewhere too (no
 * PM_MMAP_EXCLUSIVE) are looked up first; the others and the misses are
 * read, and the misses remembered.  A hit is hidden from the read by a
 * zero PFN and put back afterwards.
 */
static int read_kpages(struct walk *w, struct chunk *c, struct pa_walk_stats *st)
{
	struct pa_pfncache *cache = w->o->cache;
	size_t n = c->n, hits;
	int r;

	if (!cache || !w->o->need_kflags || !w->o->count_mapped || w->o->need_cgroup)
		return read_kpages_uncached(w, c, st);
	for (size_t i = 0; i < n; i++)
		c->want[i] = c->pfn[i] && !(c->pme[i] & PM_MMAP_EXCLUSIVE);
	hits = pa_pfncache_lookup(cache, c->pfn, c->want, n, c->hkf, c->hkc, c->hit);
	for (size_t i = 0; hits && i < n; i++)
		if (c->hit[i])
			c->pfn[i] = 0;
	r = read_kpages_uncached(w, c, st);
	for (size_t i = 0; hits && i < n; i++) {
		if (!c->hit[i])
			continue;
		c->pfn[i] = PM_PFRAME(c->pme[i]);
		c->kflags[i] = c->hkf[i];
		c->kcount[i] = c->hkc[i];
		c->pgflags[i] |= PA_PG_HAVE_KPAGE;
	}
	st->cache_hits += hits;
	if (r < 0)
		return r;
	/* misses with their kpagecount read (count_needed() holds for them) */
	for (size_t i = 0; i < n; i++)
		c->want[i] = c->want[i] && !c->hit[i] && count_needed(w, c->kflags[i], c->pme[i]);
	pa_pfncache_insert(cache, c->pfn, c->want, c->hit, n, c->kflags, c->kcount);
	return 0;
}

/*
 * PA_PG_PMD_MAPPED from PAGEMAP_SCAN's PAGE_IS_HUGE.  A PMD maps a THP or
 * hugetlb folio, both compound, so a chunk without compound pages needs no
 * scan.  Returns 0, or -ESRCH/-EINTR when the process went away; other
 * errors (ENOTTY before 6.7 or on a captured tree) leave the bit clear.
 */
static int mark_pmd_mapped(struct walk *w, struct chunk *c, struct pa_walk_stats *st)
{
	struct pa_region vec[SCAN_VEC];
	size_t first = SIZE_MAX, last = 0, i;
	uint64_t start, end;

	if (w->k->pagemap_scan == PA_NO)
		return 0;
	for (i = 0; i < c->n; i++) {
		if (w->o->need_kflags && !(c->kflags[i] & PA_BITS_COMPOUND))
			continue;
		if (c->pgflags[i] & PA_PG_FOLIO)	/* known to be PMD-mapped */
			continue;
		if (first == SIZE_MAX)
			first = i;
		last = i;
	}
	if (first == SIZE_MAX)
		return 0;
	start = c->idx[first] * w->ps;
	end = (c->idx[last] + 1) * w->ps;
	i = first;
	while (start < end) {
		uint64_t walk_end = end;
		int n = w->src->ops->scan(w->t, start, end, PA_PAGE_IS_HUGE, PA_PAGE_IS_HUGE,
					  vec, SCAN_VEC, &walk_end);

		st->scan_calls++;
		if (n < 0)
			return n == -ESRCH || n == -EINTR ? n : 0;
		for (int j = 0; j < n && vec[j].start < walk_end; j++) {
			/* Regions past walk_end come again (scan_piece()). */
			uint64_t rs = vec[j].start, re = vec[j].end < walk_end ? vec[j].end : walk_end;

			while (i <= last && c->idx[i] * w->ps < rs)
				i++;
			for (; i <= last && c->idx[i] * w->ps < re; i++)
				c->pgflags[i] |= PA_PG_PMD_MAPPED;
		}
		if (walk_end <= start)
			break;
		start = walk_end;
	}
	return 0;
}

/*
 * The reader above for an array of PFNs (0: not present), chunk by chunk:
 * kpageflags, and kpagecount of every present page when kcount is not
 * NULL; pgflags gets PA_PG_HAVE_KPAGE for the pages read.  For callers
 * that need every page of a range rather than a walk (the TUI page map).
 */
int pa_walk_read_kpages(struct pa_source *s, const uint64_t *pfn, size_t n,
			uint64_t *kflags, uint64_t *kcount, uint8_t *pgflags)
{
	struct pa_walk_opts o = {
		.need_kflags = true,
		.need_count = kcount != NULL,
		.count_all = true,
	};
	struct walk w = { .src = s, .o = &o };
	struct pa_walk_stats st = { 0 };
	struct chunk c;
	int r = 0;

	chunk_alloc(&c);
	for (size_t done = 0; done < n;) {
		size_t m = n - done < CHUNK ? n - done : CHUNK;

		chunk_reset(&c);
		c.n = m;
		memcpy(c.pfn, pfn + done, m * sizeof(*pfn));
		memset(c.pgflags, 0, m);
		r = read_kpages(&w, &c, &st);
		if (r < 0)
			break;
		memcpy(kflags + done, c.kflags, m * sizeof(*kflags));
		if (kcount)
			memcpy(kcount + done, c.kcount, m * sizeof(*kcount));
		for (size_t i = 0; i < m; i++)
			pgflags[done + i] |= c.pgflags[i];
		done += m;
	}
	chunk_free(&c);
	return r;
}

/* ------------------------------------------------------------------ */
/* The hand-over between workers and the consumer                      */

static void lock(struct walk *w)
{
	if (w->nworkers)
		pthread_mutex_lock(&w->lock);
}

static void unlock(struct walk *w)
{
	if (w->nworkers)
		pthread_mutex_unlock(&w->lock);
}

static void wake_consumer(struct walk *w)
{
	if (w->cons_waiting)
		pthread_cond_signal(&w->cons_cond);
}

static void wake_workers(struct walk *w)
{
	if (w->work_waiting)
		pthread_cond_broadcast(&w->work_cond);
}

static void wait_consumer(struct walk *w)
{
	w->cons_waiting = true;
	pthread_cond_wait(&w->cons_cond, &w->lock);
	w->cons_waiting = false;
}

static void wait_worker(struct walk *w)
{
	w->work_waiting++;
	pthread_cond_wait(&w->work_cond, &w->lock);
	w->work_waiting--;
}

static bool stopped(const struct walk *w)
{
	return w->o->stop && *w->o->stop;
}

/* Track head pages across batches (5.19-6.9), see classify.c. */
static void track_heads(struct walk *w, struct chunk *c, size_t from, size_t to,
			const struct pa_vma *vma)
{
	if (vma != w->head_vma) {
		w->head_vma = vma;
		w->head_valid = false;
	}
	/* Before 6.10 kpageflags reports per-page flags and the anon-exclusive
	 * bit of hugetlb and PMD-mapped THP lives on the head page only
	 * (include/linux/page-flags.h, PageAnonExclusive()).  Remember the
	 * last head seen and hand its bit to the tails that follow it. */
	for (size_t i = from; i < to; i++) {
		uint64_t kf = c->kflags[i];
		int64_t delta = (int64_t)(c->idx[i] - c->pfn[i]);

		if (!(c->pgflags[i] & PA_PG_HAVE_KPAGE)) {
			w->head_valid = false;
			continue;
		}
		if (kf & PA_BIT(COMPOUND_HEAD)) {
			w->head_valid = true;
			w->head_delta = delta;
			w->head_excl = (kf & PA_BIT(ANON)) && (kf & PA_BIT(OWNER_2));
		} else if (kf & PA_BIT(COMPOUND_TAIL)) {
			if (w->head_valid && w->head_delta == delta) {
				c->pgflags[i] |= PA_PG_HEAD_KNOWN;
				if (w->head_excl)
					c->pgflags[i] |= PA_PG_HEAD_EXCL;
			}
		} else {
			w->head_valid = false;
		}
	}
}

/* Consumer: hand one chunk to the callback, one batch per VMA. */
static int emit(struct walk *w, struct chunk *c, struct pa_walk_stats *st)
{
	for (size_t g = 0; g < c->nwin;) {
		const struct pa_vma *vma = c->win[g].vma;
		size_t from = c->win[g].first, to;
		struct pa_page_batch b;
		int r;

		while (++g < c->nwin && c->win[g].vma == vma)
			;
		to = g < c->nwin ? c->win[g].first : c->n;
		if (to <= from)
			continue;
		if (w->t && !w->k->folio_flags)
			track_heads(w, c, from, to, vma);
		b = (struct pa_page_batch){
			.vma = vma, .n = to - from, .index = c->idx + from,
			.pme = c->pme + from, .pfn = c->pfn + from, .kflags = c->kflags + from,
			.kcount = w->o->need_count ? c->kcount + from : NULL,
			.kcgroup = w->o->need_cgroup ? c->kcgroup + from : NULL,
			.pgflags = c->pgflags + from,
			.npages = c->nfolio ? c->npages + from : NULL,
		};
		r = w->fn(w->ctx, &b);
		if (r)
			return r;
	}
	if (c->err && c->err != -EINTR) {
		st->err = -c->err;
		if (c->partial)
			st->partial = true;
		if (c->kpage_err) {
			char buf[sizeof(st->errpath)];

			snprintf(st->errpath, sizeof(st->errpath), "%s",
				 pa_source_kfile_path(w->src, c->kpage_file, buf, sizeof(buf)));
		}
	}
	if (!c->err && stopped(w))
		return -EINTR;
	return c->err;
}

/* Worker: a slot to fill for the current piece (NULL: the walk stops). */
static struct chunk *chunk_get(struct walk *w, struct worker *wk)
{
	struct chunk *c;

	lock(w);
	while (w->nworkers && !w->abort && wk->produced - wk->consumed >= 2)
		wait_worker(w);
	c = w->abort ? NULL : &wk->slot[wk->produced % 2];
	unlock(w);
	if (c) {
		chunk_reset(c);
		c->piece = wk->piece;
	}
	return c;
}

/*
 * Worker: finish a chunk (kpage* files, PMD mapping) and hand it over.
 * Inline, the consumer runs right here.  Returns non-zero when the walk
 * must stop.
 */
static int chunk_put(struct walk *w, struct worker *wk, struct chunk *c, struct pa_walk_stats *cst)
{
	int r = 0, err;
	bool last;

	/* A chunk cut short (the process exited, a capture ended) still
	 * carries the entries read before: they get their flags too. */
	if (w->t && c->n) {
		r = read_kpages(w, c, &wk->st);
		if (r < 0) {
			c->n = 0;
			c->nwin = 0;	/* no batch of this chunk can be handed out */
			c->err = r;
			c->kpage_err = true;
			c->last = true;
		} else if (!c->err && (r = mark_pmd_mapped(w, c, &wk->st)) < 0) {
			c->err = r;
			c->partial = true;
			c->last = true;
		}
	}
	if (!w->nworkers)
		return emit(w, c, cst);
	err = c->err;	/* the slot belongs to the consumer once handed over */
	last = c->last;
	lock(w);
	wk->produced++;
	if (last)
		w->ring[wk->piece % OWNER_RING].done = true;
	wake_consumer(w);
	r = w->abort ? -ECANCELED : 0;
	unlock(w);
	return err ? err : r;
}

/* Worker: the piece is finished; an empty one costs no hand-over. */
static int piece_end(struct walk *w, struct worker *wk, struct chunk *c, struct pa_walk_stats *cst)
{
	int r;

	if (c->n || c->err || !w->nworkers) {
		c->last = true;
		return chunk_put(w, wk, c, cst);
	}
	lock(w);
	w->ring[wk->piece % OWNER_RING].done = true;
	wake_consumer(w);
	r = w->abort ? -ECANCELED : 0;
	unlock(w);
	return r;
}

/* Worker: hand the full chunk *cp over and take the next slot. */
static int chunk_next(struct walk *w, struct worker *wk, struct chunk **cp,
		      struct pa_walk_stats *cst)
{
	int r = chunk_put(w, wk, *cp, cst);

	if (r)
		return r;
	*cp = chunk_get(w, wk);
	return *cp ? 0 : -ECANCELED;
}

/* ------------------------------------------------------------------ */
/* Process walk                                                        */

static void range_bounds(const struct walk *w, size_t ri, uint64_t *rs, uint64_t *re)
{
	*rs = w->ranges[ri].start;
	*re = w->ranges[ri].count > UINT64_MAX - *rs ? UINT64_MAX : *rs + w->ranges[ri].count;
}

/* VMA vi clipped to range ri, in pages; false if nothing is left. */
static bool vma_bounds(const struct walk *w, size_t ri, size_t vi, uint64_t *vs, uint64_t *ve)
{
	const struct pa_vma *v = &w->maps->v[vi];
	uint64_t rs, re;

	if (pa_vma_is_special(v))
		return false;
	range_bounds(w, ri, &rs, &re);
	*vs = v->start / w->ps;
	*ve = v->end / w->ps;
	if (*vs < rs)
		*vs = rs;
	if (*ve > re)
		*ve = re;
	return *vs < *ve;
}

/*
 * Planner (under lock): the next piece of a process walk.  Linear pieces
 * take up to CHUNK pages from one or more VMAs, so a process with
 * thousands of small VMAs gets one pagemap pread per VMA but one kpage*
 * read and one hand-over per CHUNK pages; scan pieces take up to
 * SCAN_SPAN pages (more for huge VMAs, at most SCAN_PIECES per VMA) and
 * one PAGEMAP_SCAN call spans all their VMAs.
 */
static bool vma_scan(const struct walk *w, size_t vi)
{
	return w->scan || (w->vscan && w->vscan[vi]);
}

static bool plan_target(struct walk *w, struct piece *p)
{
	uint64_t budget = 0;
	size_t nv = 0;

	while (w->p_ri < w->nranges) {
		uint64_t vs, ve, take;

		if (w->p_vi >= w->maps->n || (nv && (!budget || nv == WIN_MAX))) {
			if (nv)
				break;
			w->p_ri++;
			w->p_vi = 0;
			w->p_pos = 0;
			continue;
		}
		if (!vma_bounds(w, w->p_ri, w->p_vi, &vs, &ve) || w->p_pos >= ve) {
			w->p_vi++;
			w->p_pos = 0;
			continue;
		}
		if (nv && vma_scan(w, w->p_vi) != p->scan)
			break;
		if (w->p_pos < vs) {
			w->p_pos = vs;
			w->vmas++;
		}
		if (!nv) {
			budget = CHUNK;
			p->scan = vma_scan(w, w->p_vi);
			if (p->scan) {
				budget = (ve - vs) / SCAN_PIECES;
				if (budget < SCAN_SPAN)
					budget = SCAN_SPAN;
			}
			p->ri = w->p_ri;
			p->vi0 = w->p_vi;
			p->lo = w->p_pos;
		}
		take = ve - w->p_pos < budget ? ve - w->p_pos : budget;
		budget -= take;
		if (take < ve - w->p_pos) {
			/* The piece ends inside the VMA: at a PMD boundary, so
			 * that no huge page is cut in two and read page by
			 * page (a piece that starts with other VMAs would
			 * shift every following one: 16 of the 512 hugetlb
			 * pages of 1 GiB were read per 4 KiB page). */
			uint64_t blk = w->ps / 8, end = (w->p_pos + take) / blk * blk;

			if (end > w->p_pos)
				take = end - w->p_pos;
			budget = 0;
		}
		w->p_pos += take;
		p->vi1 = w->p_vi;
		p->hi = w->p_pos;
		nv++;
	}
	if (!nv)
		return false;
	p->k = w->next_piece++;
	return true;
}

/* Read pagemap for pages [vs, ve) of vma into chunks. */
static int add_window(struct walk *w, struct worker *wk, struct chunk **cp,
		      const struct pa_vma *vma, uint64_t vs, uint64_t ve,
		      struct pa_walk_stats *cst)
{
	struct pa_target *t = w->t;
	struct chunk *c = *cp;
	int r;

	while (vs < ve) {
		size_t room = CHUNK - c->n, want, n, first;
		ssize_t got;

		/* Full: hand the chunk over and start the next one.  A window
		 * is cut only when less than a quarter of a chunk is left. */
		if (c->nwin == WIN_MAX || (room < ve - vs && room < CHUNK / 4)) {
			r = chunk_next(w, wk, cp, cst);
			if (r)
				return r;
			c = *cp;
			continue;
		}
		if (stopped(w)) {
			c->err = -EINTR;
			return 0;
		}
		want = ve - vs < room ? (size_t)(ve - vs) : room;
		first = n = c->n;
		got = t->src->ops->read_pagemap(t, c->pme + n, vs, want);
		if (got <= 0) {
			/* ESRCH/EINTR/ENOENT, or EOF: the mm went away. */
			c->err = got ? (int)got : -ESRCH;
			c->partial = !got || got == -ESRCH || got == -EINTR || got == -ENOENT;
			return 0;
		}
		wk->st.pagemap_entries += (uint64_t)got;
		/* Keep the populated entries, in place. */
		for (size_t i = 0; i < (size_t)got; i++) {
			uint64_t e = c->pme[first + i];

			if (!(e & (PM_PRESENT | PM_SWAP)))
				continue;
			c->pme[n] = e;
			c->idx[n] = vs + i;
			c->pfn[n] = (e & PM_PRESENT) ? PM_PFRAME(e) : 0;
			c->pgflags[n] = 0;
			c->npages[n] = 1;
			if ((e & PM_PRESENT) && !c->pfn[n])
				wk->st.pfn_hidden = true;
			n++;
		}
		if (n > first && (!c->nwin || c->win[c->nwin - 1].vma != vma))
			c->win[c->nwin++] = (struct win){ vma, first };
		c->n = n;
		vs += (uint64_t)got;
	}
	return 0;
}

/*
 * PMD-mapped folios (PAGEMAP_SCAN's PAGE_IS_HUGE: THP or hugetlb), read
 * once for the PMD instead of once per page.  A PMD maps a naturally
 * aligned block of ps / 8 pages (512 with 4 KiB pages) with consecutive
 * PFNs.  Since 6.10 kpageflags reports the folio's flags for every page
 * except HWPOISON (dee3d0bef2b0), so the block has two kinds of page: its
 * first (the head, or a tail of a 1 GiB hugetlb folio) and the rest
 * (tails); one pread of two kpageflags words gives both.  The pagemap
 * bits other than the PFN are the PMD's (soft-dirty, uffd-wp, file); bit
 * 56 and kpagecount are the same for every page only where no other
 * mapping of a part of the folio can exist:
 *   - anonymous and PG_anon_exclusive: this PMD is the only mapping
 *     (fork and KSM clear the bit first, mm/rmap.c), so every page has
 *     map count 1 and bit 56;
 *   - the huge zero folio: not counted at all (kpagecount 0, no bit 56);
 *   - hugetlb from 6.12: bit 56 is per folio
 *     (!folio_maybe_mapped_shared() && !hugetlb_pmd_shared()) and
 *     kpagecount is the folio's entire map count on every page (6.11+).
 * Other PMD-mapped folios (a THP shared with a child that may map part of
 * it with PTEs, shmem or file THPs) are read page by page as before.  The
 * result is the same as that of the per-page walk (tests/walk-strategies.sh
 * compares them with --per-page).
 *
 * Returns 1 when the block must be read page by page, 0 when two entries
 * were added, -errno when the walk must stop.
 */
static int add_folio(struct walk *w, struct worker *wk, struct chunk **cp,
		     const struct pa_vma *vma, uint64_t vpn, uint64_t blk,
		     struct pa_walk_stats *cst)
{
	struct pa_source *s = w->src;
	const struct pa_walk_opts *o = w->o;
	struct chunk *c = *cp;
	uint64_t e, pfn, kf[2], kc[2] = { 0, 0 }, cg[2] = { 0, 0 };
	bool excl, zero, hugetlb;
	ssize_t got;
	int r;

	if (c->nwin == WIN_MAX || CHUNK - c->n < 2) {
		r = chunk_next(w, wk, cp, cst);
		if (r)
			return r;
		c = *cp;
	}
	got = w->t->src->ops->read_pagemap(w->t, &e, vpn, 1);
	if (got != 1)
		return 1;	/* add_window() reads it again and reports */
	wk->st.pagemap_entries++;
	pfn = PM_PFRAME(e);
	if (!(e & PM_PRESENT) || !pfn || pfn % blk)
		return 1;
	got = s->ops->read_pfn(s, PA_KPAGEFLAGS, kf, pfn, 2);
	wk->st.preads++;
	if (got != 2)
		return 1;
	wk->st.pfns_read += 2;
	if (!(kf[0] & PA_BITS_COMPOUND) || !(kf[1] & PA_BIT(COMPOUND_TAIL)) ||
	    !(kf[0] & (PA_BIT(THP) | PA_BIT(HUGE))) || (kf[0] ^ kf[1]) & PA_BIT(OWNER_2))
		return 1;
	excl = (kf[0] & PA_BIT(ANON)) && (kf[0] & PA_BIT(OWNER_2)) && !(kf[0] & PA_BIT(KSM)) &&
	       w->k->anon_exclusive_bit;
	zero = kf[0] & PA_BIT(ZERO_PAGE);
	hugetlb = (kf[0] & PA_BIT(HUGE)) && pa_kver_code(&w->k->kver) >= PA_KVER(6, 12);
	if (!excl && !zero && !hugetlb)
		return 1;
#if !defined(__x86_64__) && !defined(__i386__)
	/* PAGE_IS_HUGE covers every hugetlb entry, and outside x86 a hugetlb
	 * page can be smaller than a PMD (arm64: 64 KiB of contiguous PTEs),
	 * so the block may hold several folios: its last entry must follow
	 * from the first.  (x86 hugetlb pages are 2 MiB or 1 GiB.) */
	if (kf[0] & PA_BIT(HUGE)) {
		uint64_t e_last;

		if (w->t->src->ops->read_pagemap(w->t, &e_last, vpn + blk - 1, 1) != 1 ||
		    e_last != e + blk - 1)
			return 1;
		wk->st.pagemap_entries++;
	}
#endif
	if (o->need_count && s->ops->has_kfile(s, PA_KPAGECOUNT)) {
		for (int j = 0; j < 2; j++) {
			if (!count_needed(w, kf[j], e))
				continue;
			if (excl) {
				kc[j] = 1;
			} else {
				if (s->ops->read_pfn(s, PA_KPAGECOUNT, &kc[j], pfn + (uint64_t)j, 1) != 1)
					return 1;
				wk->st.preads++;
				wk->st.pfns_read++;
			}
		}
	}
	if (o->need_cgroup && s->ops->has_kfile(s, PA_KPAGECGROUP)) {
		if (s->ops->read_pfn(s, PA_KPAGECGROUP, cg, pfn, 2) != 2)
			return 1;
		wk->st.preads++;
		wk->st.pfns_read += 2;
	}
	if (!c->nwin || c->win[c->nwin - 1].vma != vma)
		c->win[c->nwin++] = (struct win){ vma, c->n };
	for (int j = 0; j < 2; j++) {
		size_t n = c->n++;

		c->idx[n] = vpn + (uint64_t)j;
		c->pme[n] = e + (uint64_t)j;
		c->pfn[n] = pfn + (uint64_t)j;
		c->kflags[n] = kf[j];
		c->kcount[n] = kc[j];
		c->kcgroup[n] = cg[j];
		c->pgflags[n] = PA_PG_FOLIO | PA_PG_PMD_MAPPED | PA_PG_HAVE_KPAGE;
		c->npages[n] = j ? (uint32_t)(blk - 1) : 1;
	}
	c->nfolio += 2;
	return 0;
}

/* Pages [pos, end) of vma are PMD-mapped: blocks by add_folio(), the rest
 * (not aligned, or refused) by add_window(). */
static int add_blocks(struct walk *w, struct worker *wk, struct chunk **cp,
		      const struct pa_vma *vma, uint64_t pos, uint64_t end,
		      struct pa_walk_stats *cst)
{
	const uint64_t blk = w->ps / 8;

	while (pos < end) {
		uint64_t next = (pos / blk + 1) * blk;
		int r = 1;

		if (next > end)
			next = end;
		if (pos % blk == 0 && next - pos == blk) {
			if (stopped(w)) {
				(*cp)->err = -EINTR;
				return 0;
			}
			r = add_folio(w, wk, cp, vma, pos, blk, cst);
			if (r < 0)
				return r;
		}
		if (r == 1) {
			r = add_window(w, wk, cp, vma, pos, next, cst);
			if (r || (*cp)->err)
				return r;
		}
		pos = next;
	}
	return 0;
}

/*
 * Pages [ws, we) populated somewhere: read them VMA by VMA, page by page
 * or, when PAGEMAP_SCAN said they are PMD-mapped (huge), per folio.
 */
static int add_span(struct walk *w, struct worker *wk, struct chunk **cp, const struct piece *p,
		    size_t *vi, uint64_t ws, uint64_t we, bool huge, struct pa_walk_stats *cst)
{
	for (; *vi <= p->vi1; ++*vi) {
		const struct pa_vma *vma = &w->maps->v[*vi];
		uint64_t vs, ve;
		int r;

		if (!vma_bounds(w, p->ri, *vi, &vs, &ve))
			continue;
		if (vs < p->lo)
			vs = p->lo;
		if (ve > p->hi)
			ve = p->hi;
		if (ve <= ws)
			continue;
		if (vs >= we)
			break;
		if (huge)
			r = add_blocks(w, wk, cp, vma, ws > vs ? ws : vs, we < ve ? we : ve, cst);
		else
			r = add_window(w, wk, cp, vma, ws > vs ? ws : vs, we < ve ? we : ve, cst);
		if (r || (*cp)->err)
			return r;
		if (ve > we)
			break;
	}
	return 0;
}

/*
 * Scan piece: find the populated regions with PAGEMAP_SCAN, merge those
 * separated by small holes and read pagemap over them.  Returns 1 when the
 * ioctl is not usable (read the rest linearly).
 */
static int scan_piece(struct walk *w, struct worker *wk, struct chunk **cp, const struct piece *p,
		      uint64_t *pos, struct pa_walk_stats *cst)
{
	const uint64_t anyof = PA_PAGE_IS_PRESENT | PA_PAGE_IS_SWAPPED;
	const uint64_t huge = PA_PAGE_IS_PRESENT | PA_PAGE_IS_HUGE;
	struct pa_region vec[SCAN_VEC];
	uint64_t ps = w->ps, ws = 0, we = 0;
	size_t vi = p->vi0;
	int r;

	while (*pos < p->hi) {
		uint64_t walk_end = p->hi * ps;
		int n;

		if (stopped(w)) {
			(*cp)->err = -EINTR;
			return 0;
		}
		n = w->src->ops->scan(w->t, *pos * ps, p->hi * ps, anyof,
				      anyof | (w->folio ? PA_PAGE_IS_HUGE : 0), vec, SCAN_VEC,
				      &walk_end);
		wk->st.scan_calls++;
		if (n == -ESRCH || n == -EINTR) {
			(*cp)->err = n;
			(*cp)->partial = true;
			return 0;
		}
		if (n < 0)	/* ENOTTY before 6.7, or a captured file */
			break;
		/* When vec fills, 6.18 returns regions past walk_end too, and
		 * the next call (from walk_end) reports them again: 66048
		 * regions for 65536 pages with a 4096-entry vec.  Keep only
		 * what lies below walk_end. */
		for (int i = 0; i < n && vec[i].start < walk_end; i++) {
			uint64_t rs = vec[i].start / ps;
			uint64_t re = (vec[i].end < walk_end ? vec[i].end : walk_end) / ps;

			if (w->folio && (vec[i].categories & huge) == huge) {
				if (we) {
					r = add_span(w, wk, cp, p, &vi, ws, we, false, cst);
					if (r || (*cp)->err)
						return r;
					we = 0;
				}
				r = add_span(w, wk, cp, p, &vi, rs, re, true, cst);
				if (r || (*cp)->err)
					return r;
				continue;
			}
			if (we && rs >= we && rs - we <= SCAN_MERGE_GAP) {
				we = re;
				continue;
			}
			if (we) {
				r = add_span(w, wk, cp, p, &vi, ws, we, false, cst);
				if (r || (*cp)->err)
					return r;
			}
			ws = rs;
			we = re;
		}
		if (walk_end <= *pos * ps)
			break;
		*pos = walk_end / ps;
	}
	if (we) {
		r = add_span(w, wk, cp, p, &vi, ws, we, false, cst);
		if (r || (*cp)->err)
			return r;
		if (*pos < we)
			*pos = we;
	}
	return *pos < p->hi ? 1 : 0;
}

static int target_piece(struct walk *w, struct worker *wk, const struct piece *p,
			struct pa_walk_stats *cst)
{
	struct chunk *c = chunk_get(w, wk);
	uint64_t pos = p->lo;
	int r = 0;

	if (!c)
		return -ECANCELED;
	if (p->scan)
		r = scan_piece(w, wk, &c, p, &pos, cst);
	else
		r = 1;
	if (r == 1) {
		size_t vi = p->vi0;

		r = add_span(w, wk, &c, p, &vi, pos, p->hi, false, cst);
	}
	if (r)
		return r;
	return piece_end(w, wk, c, cst);
}

/* ------------------------------------------------------------------ */
/* PFN walk                                                            */

static bool plan_pfns(struct walk *w, struct piece *p)
{
	while (w->p_ri < w->nranges) {
		uint64_t rs, re;

		range_bounds(w, w->p_ri, &rs, &re);
		if (w->eof_ri == w->p_ri + 1 || w->p_pos >= re) {
			w->p_ri++;
			w->p_pos = 0;
			continue;
		}
		if (w->p_pos < rs)
			w->p_pos = rs;
		p->ri = w->p_ri;
		p->lo = w->p_pos;
		p->hi = re - w->p_pos > CHUNK ? w->p_pos + CHUNK : re;
		w->p_pos = p->hi;
		p->k = w->next_piece++;
		return true;
	}
	return false;
}

static int pfn_piece(struct walk *w, struct worker *wk, const struct piece *p,
		     struct pa_walk_stats *cst)
{
	struct pa_source *s = w->src;
	const struct pa_walk_opts *o = w->o;
	struct chunk *c = chunk_get(w, wk);
	size_t want = (size_t)(p->hi - p->lo);
	ssize_t got;

	if (!c)
		return -ECANCELED;
	if (stopped(w)) {
		c->err = -EINTR;
		return piece_end(w, wk, c, cst);
	}
	got = s->ops->read_pfn(s, PA_KPAGEFLAGS, c->kflags, p->lo, want);
	wk->st.preads++;
	if (got < 0) {
		c->err = (int)got;
		c->kpage_err = true;
		return piece_end(w, wk, c, cst);
	}
	if (got == 0) {
		/* End of the file (max_pfn rounded up): the rest of this
		 * range is empty too. */
		lock(w);
		w->eof_ri = p->ri + 1;
		unlock(w);
		return piece_end(w, wk, c, cst);
	}
	wk->st.pfns_read += (uint64_t)got;
	c->n = (size_t)got;
	if (o->need_count) {
		memset(c->kcount, 0, c->n * sizeof(uint64_t));
		if (s->ops->has_kfile(s, PA_KPAGECOUNT))
			s->ops->read_pfn(s, PA_KPAGECOUNT, c->kcount, p->lo, c->n);
	}
	if (o->need_cgroup) {
		memset(c->kcgroup, 0, c->n * sizeof(uint64_t));
		if (s->ops->has_kfile(s, PA_KPAGECGROUP))
			s->ops->read_pfn(s, PA_KPAGECGROUP, c->kcgroup, p->lo, c->n);
	}
	for (size_t i = 0; i < c->n; i++) {
		c->idx[i] = p->lo + i;
		c->pfn[i] = p->lo + i;
	}
	memset(c->pme, 0, c->n * sizeof(uint64_t));
	memset(c->pgflags, PA_PG_HAVE_KPAGE, c->n);
	c->win[0] = (struct win){ NULL, 0 };
	c->nwin = 1;
	return piece_end(w, wk, c, cst);
}

/* ------------------------------------------------------------------ */
/* Workers and the consumer loop                                       */

static bool plan(struct walk *w, struct piece *p)
{
	if (w->p_done)
		return false;
	if (w->t ? plan_target(w, p) : plan_pfns(w, p))
		return true;
	w->p_done = true;
	return false;
}

static int do_piece(struct walk *w, struct worker *wk, const struct piece *p,
		    struct pa_walk_stats *cst)
{
	wk->piece = p->k;
	return w->t ? target_piece(w, wk, p, cst) : pfn_piece(w, wk, p, cst);
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct walk *w = wk->w;
	struct piece p;

	lock(w);
	for (;;) {
		/* Empty pieces cost no slot: bound how far ahead of the
		 * consumer the workers may go, for the ring. */
		while (!w->abort && !w->p_done && w->next_piece - w->cons_k >= OWNER_RING)
			wait_worker(w);
		if (w->abort || !plan(w, &p))
			break;
		w->ring[p.k % OWNER_RING].owner = (int)(wk - w->wk);
		w->ring[p.k % OWNER_RING].done = false;
		wake_consumer(w);
		unlock(w);
		if (do_piece(w, wk, &p, NULL))
			return NULL;	/* error chunk handed over, or abort */
		lock(w);
	}
	wake_consumer(w);	/* it may wait for p_done */
	unlock(w);
	return NULL;
}

/* Consumer: chunks of piece 0, 1, 2, ... from whichever worker has them. */
static int consume(struct walk *w, struct pa_walk_stats *st)
{
	int r = 0;

	pthread_mutex_lock(&w->lock);
	for (size_t k = 0; !r; k++) {
		struct worker *wk;

		w->cons_k = k;
		wake_workers(w);
		while (!w->abort && k >= w->next_piece && !w->p_done)
			wait_consumer(w);
		if (w->abort || k >= w->next_piece)
			break;
		wk = &w->wk[w->ring[k % OWNER_RING].owner];
		while (!r && !w->abort) {
			struct chunk *c = &wk->slot[wk->consumed % 2];
			bool last;

			if (wk->produced == wk->consumed || c->piece != k) {
				if (w->ring[k % OWNER_RING].done)
					break;
				wait_consumer(w);
				continue;
			}
			last = c->last;
			pthread_mutex_unlock(&w->lock);
			r = emit(w, c, st);
			pthread_mutex_lock(&w->lock);
			wk->consumed++;
			wake_workers(w);
			if (last)
				break;
		}
	}
	w->abort = true;
	wake_workers(w);
	pthread_mutex_unlock(&w->lock);
	return r;
}

/* A worker's read counters into the walk's. */
static void stats_add(struct pa_walk_stats *st, const struct pa_walk_stats *w)
{
	st->pagemap_entries += w->pagemap_entries;
	st->pfns_read += w->pfns_read;
	st->preads += w->preads;
	st->scan_calls += w->scan_calls;
	st->cache_hits += w->cache_hits;
	st->pfn_hidden |= w->pfn_hidden;
}

/* Inline (one thread): plan, fill and emit in turn. */
static int run_inline(struct walk *w, struct pa_walk_stats *st)
{
	struct worker wk = { .w = w };
	struct piece p;
	int r = 0;

	chunk_alloc(&wk.slot[0]);
	while (!r && plan(w, &p))
		r = do_piece(w, &wk, &p, st);
	chunk_free(&wk.slot[0]);
	stats_add(st, &wk.st);
	return r;
}

static int run_threads(struct walk *w, struct pa_walk_stats *st, bool *none_started)
{
	sigset_t all, old;
	int r = 0, started = 0;

	w->wk = pa_xrealloc(NULL, (size_t)w->nworkers, sizeof(*w->wk));
	memset(w->wk, 0, (size_t)w->nworkers * sizeof(*w->wk));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cons_cond, NULL);
	pthread_cond_init(&w->work_cond, NULL);
	/* Signals (SIGINT, SIGWINCH, ...) stay with the calling thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < w->nworkers; i++) {
		struct worker *wk = &w->wk[i];

		wk->w = w;
		chunk_alloc(&wk->slot[0]);
		chunk_alloc(&wk->slot[1]);
		wk->started = pthread_create(&wk->tid, NULL, worker_main, wk) == 0;
		started += wk->started;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	*none_started = !started;
	if (started)
		r = consume(w, st);
	for (int i = 0; i < w->nworkers; i++) {
		struct worker *wk = &w->wk[i];

		if (wk->started)
			pthread_join(wk->tid, NULL);
		chunk_free(&wk->slot[0]);
		chunk_free(&wk->slot[1]);
		stats_add(st, &wk->st);
	}
	pthread_cond_destroy(&w->cons_cond);
	pthread_cond_destroy(&w->work_cond);
	pthread_mutex_destroy(&w->lock);
	free(w->wk);
	return r;
}

/* Workers for o->threads (0: automatic, one per CPU up to AUTO_THREADS);
 * 0 means inline.  Small walks are not worth starting threads for. */
static int nworkers(const struct pa_walk_opts *o, uint64_t pages)
{
	long n = o->threads;

	if (n <= 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		if (n > AUTO_THREADS)
			n = AUTO_THREADS;
		if (pages < 4 * CHUNK)
			n = 1;
	}
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	return n >= 2 ? (int)n : 0;
}

static int walk_run(struct walk *w, struct pa_walk_stats *st)
{
	bool none_started = true;
	int r = 0;

	/* A flag, not an errno: a read may fail with any errno. */
	if (w->nworkers)
		r = run_threads(w, st, &none_started);
	if (none_started) {	/* no thread could be started */
		w->nworkers = 0;
		r = run_inline(w, st);
	}
	if (r == -ECANCELED)
		r = 0;
	return r;
}

/*
 * "auto": skip holes with PAGEMAP_SCAN when it walks fewer page table
 * entries than a linear read would read pagemap entries by a factor of
 * two: the process's page tables (VmPTE, 4 KiB each, 512 entries) against
 * the virtual pages to walk.  Dense 4 GiB: 2048 tables for 1 Mi pages,
 * linear.  1 TiB touched every 16 MiB: 65536 tables for 256 Mi pages,
 * scan.  Also estimates the populated pages (VmRSS + VmSwap) for the
 * thread decision.
 */
static bool want_scan(struct walk *w, uint64_t vpages, uint64_t *populated)
{
	char rel[64], buf[4096];
	const char *p;
	uint64_t pte_kb = UINT64_MAX, kb;

	*populated = UINT64_MAX;
	snprintf(rel, sizeof(rel), "proc/%d/status", (int)w->t->pid);
	if (pa_source_read_text(w->src, rel, buf, sizeof(buf)) > 0) {
		if ((p = strstr(buf, "\nVmPTE:")))
			pte_kb = strtoull(p + 7, NULL, 10);
		if ((p = strstr(buf, "\nVmRSS:"))) {
			kb = strtoull(p + 7, NULL, 10);
			if ((p = strstr(buf, "\nVmSwap:")))
				kb += strtoull(p + 8, NULL, 10);
			*populated = kb * 1024 / w->ps;
		}
	}
	if (w->o->scan == PA_SCAN_NEVER || w->k->pagemap_scan == PA_NO)
		return false;
	if (w->o->scan == PA_SCAN_ALWAYS || pte_kb == UINT64_MAX)
		return true;
	return vpages > pte_kb / 4 * 1024;
}

/*
 * VmPTE (want_scan()) cannot see PMD-mapped THPs: x86 and others deposit a
 * page table for each (pgtable_trans_huge_deposit()), and it is counted.
 * So where the per-folio reads are possible, a linear walk first asks
 * PAGEMAP_SCAN about a few 2 MiB blocks of each VMA of 2 blocks or more
 * (at most 4 calls of ~2 us); a VMA with a PMD mapping there is scanned.
 */
static bool probe_huge(struct walk *w, uint64_t vs, uint64_t ve)
{
	const uint64_t blk = w->ps / 8;
	uint64_t a = (vs + blk - 1) / blk * blk, nblk;
	struct pa_region vec[1];

	if (a >= ve || (ve - a) / blk < 2)
		return false;
	nblk = (ve - a) / blk;
	for (uint64_t k = 0; k < 4 && k < nblk; k++) {
		uint64_t b = a + nblk * k / 4 * blk, we = 0;
		int n = w->src->ops->scan(w->t, b * w->ps, (b + blk) * w->ps, PA_PAGE_IS_HUGE,
					  PA_PAGE_IS_HUGE, vec, 1, &we);

		if (n > 0)
			return true;
		if (n < 0)
			return false;
	}
	return false;
}

int pa_walk_target(struct pa_target *t, const struct pa_maps *maps, const struct pa_kinfo *k,
		   const struct pa_walk_opts *o, pa_batch_fn fn, void *ctx, struct pa_walk_stats *st)
{
	static const struct pa_addr_range all = { 0, UINT64_MAX };
	struct walk w = {
		.src = t->src, .t = t, .maps = maps, .k = k, .o = o,
		.ranges = o->nranges ? o->ranges : &all, .nranges = o->nranges ? o->nranges : 1,
		.ps = (uint64_t)t->src->page_size, .fn = fn, .ctx = ctx,
	};
	uint64_t vpages = 0, populated;
	int r;

	for (size_t ri = 0; ri < w.nranges; ri++)
		for (size_t i = 0; i < maps->n; i++) {
			uint64_t vs, ve;

			if (vma_bounds(&w, ri, i, &vs, &ve))
				vpages += ve - vs;
		}
	w.scan = want_scan(&w, vpages, &populated);
	/* Per folio and bit 56 only for callbacks that take runs and need
	 * no per-page kpagecount (listings print it); the folio reads rely
	 * on per-folio kpageflags (6.10+) and PAGEMAP_SCAN. */
	w.folio = o->runs && !o->per_page && !(o->need_count && o->count_all) && o->need_kflags &&
		  k->folio_flags && k->pagemap_scan == PA_YES && o->scan != PA_SCAN_NEVER;
	if (w.folio && !w.scan) {
		bool any = false;

		w.vscan = pa_xrealloc(NULL, maps->n ? maps->n : 1, 1);
		memset(w.vscan, 0, maps->n);
		for (size_t ri = 0; ri < w.nranges; ri++)
			for (size_t i = 0; i < maps->n; i++) {
				uint64_t vs, ve;

				if (!w.vscan[i] && vma_bounds(&w, ri, i, &vs, &ve) &&
				    probe_huge(&w, vs, ve)) {
					w.vscan[i] = 1;
					any = true;
				}
			}
		if (!any) {
			free(w.vscan);
			w.vscan = NULL;
			w.folio = false;
		}
	}
	w.infer_count = !o->per_page && !o->count_all && !o->count_mapped &&
			pa_kver_code(&k->kver) >= PA_KVER(4, 2);
	w.nworkers = nworkers(o, w.scan ? populated : (vpages < populated ? vpages : populated));
	r = walk_run(&w, st);
	free(w.vscan);
	st->vmas += w.vmas;
	if (r == -ESRCH)
		t->gone = true;
	if (st->pfn_hidden)
		t->pfn_hidden = true;
	return r;
}

int pa_walk_pfns(struct pa_source *s, const struct pa_walk_opts *o, pa_batch_fn fn, void *ctx,
		 struct pa_walk_stats *st)
{
	static const struct pa_addr_range all = { 0, UINT64_MAX };
	struct walk w = {
		.src = s, .o = o, .fn = fn, .ctx = ctx,
		.ranges = o->nranges ? o->ranges : &all, .nranges = o->nranges ? o->nranges : 1,
		.ps = (uint64_t)s->page_size,
	};

	w.nworkers = nworkers(o, UINT64_MAX);
	return walk_run(&w, st);
}
