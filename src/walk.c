// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The page walk.  Costs on a 6.18 machine (performance.md): a pagemap
 * entry ~40 ns plus ~1 us per pread; a kpageflags entry ~115 ns plus
 * ~0.3 us per pread.  page-types does one kpageflags pread per page; here
 * the PFNs of a chunk are sorted and read in contiguous runs, and holes
 * in sparse VMAs are skipped with PAGEMAP_SCAN (6.7+).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "page-anon.h"

#define CHUNK		(64 * 1024)	/* pagemap entries per read */
#define RUN_GAP		2		/* read across holes this small */
#define SCAN_VEC	512
#define SCAN_MERGE_GAP	256		/* pages: one pread costs ~ this many entries */

struct walk_buf {
	uint64_t *pm;		/* raw pagemap chunk */
	uint64_t *idx, *pme, *pfn, *kflags, *kcount, *kcgroup;
	uint8_t *pgflags;
	uint64_t *keys, *keys2, *tmp;
	struct pa_region *regions;	/* from PAGEMAP_SCAN, sorted */
	size_t nregions, regions_cap, region_hint;
	/* head-page tracking for 5.19-6.9 (flags per page) */
	int64_t head_delta;	/* vpn - pfn of the last head seen */
	bool head_valid, head_excl;
};

static void buf_free(struct walk_buf *b)
{
	free(b->pm);
	free(b->idx);
	free(b->pme);
	free(b->pfn);
	free(b->kflags);
	free(b->kcount);
	free(b->kcgroup);
	free(b->pgflags);
	free(b->keys);
	free(b->keys2);
	free(b->tmp);
	free(b->regions);
}

static void buf_alloc(struct walk_buf *b)
{
	memset(b, 0, sizeof(*b));
	b->pm = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	b->idx = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	b->pme = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	b->pfn = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	b->kflags = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	b->kcount = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	b->kcgroup = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	b->pgflags = pa_xrealloc(NULL, CHUNK, 1);
	b->keys = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	b->keys2 = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
	b->tmp = pa_xrealloc(NULL, CHUNK, sizeof(uint64_t));
}

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
	bool sorted = true;

	for (size_t i = 1; i < n; i++)
		if ((keys[i] >> 16) < (keys[i - 1] >> 16)) {
			sorted = false;
			break;
		}
	if (sorted)
		return keys;
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

/* Read one per-PFN file for the sorted keys, in runs. */
static int read_runs(struct pa_source *s, enum pa_kfile f, const uint64_t *keys, size_t n,
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

/* Fill kflags/kcount/kcgroup for the n compacted entries of b. */
static int read_kpages(struct pa_source *s, struct walk_buf *b, size_t n,
		       const struct pa_walk_opts *o, struct pa_walk_stats *st)
{
	size_t m = 0;
	uint64_t maxpfn = 0, *sorted;
	int r;

	for (size_t i = 0; i < n; i++) {
		b->kflags[i] = 0;
		b->kcount[i] = 0;
		b->kcgroup[i] = 0;
		if (!b->pfn[i])
			continue;
		b->keys[m++] = b->pfn[i] << 16 | i;
		if (b->pfn[i] > maxpfn)
			maxpfn = b->pfn[i];
	}
	if (!m || !o->need_kflags)
		return 0;
	sorted = sort_keys(b->keys, b->keys2, m, maxpfn);
	r = read_runs(s, PA_KPAGEFLAGS, sorted, m, b->kflags, b->tmp, st);
	if (r == 0 && o->need_count && s->ops->has_kfile(s, PA_KPAGECOUNT))
		r = read_runs(s, PA_KPAGECOUNT, sorted, m, b->kcount, b->tmp, st);
	if (r == 0 && o->need_cgroup && s->ops->has_kfile(s, PA_KPAGECGROUP))
		r = read_runs(s, PA_KPAGECGROUP, sorted, m, b->kcgroup, b->tmp, st);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (b->pfn[i])
			b->pgflags[i] |= PA_PG_HAVE_KPAGE;
	return 0;
}

/*
 * Before 6.10 kpageflags reports per-page flags and the anon-exclusive
 * bit of hugetlb and PMD-mapped THP lives on the head page only
 * (include/linux/page-flags.h, PageAnonExclusive()).  Remember the last
 * head seen and hand its bit to the tails that follow it contiguously.
 */
static void track_heads(struct walk_buf *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t kf = b->kflags[i];
		int64_t delta = (int64_t)(b->idx[i] - b->pfn[i]);

		if (!(b->pgflags[i] & PA_PG_HAVE_KPAGE)) {
			b->head_valid = false;
			continue;
		}
		if (kf & PA_BIT(COMPOUND_HEAD)) {
			b->head_valid = true;
			b->head_delta = delta;
			b->head_excl = (kf & PA_BIT(ANON)) && (kf & PA_BIT(OWNER_2));
		} else if (kf & PA_BIT(COMPOUND_TAIL)) {
			if (b->head_valid && b->head_delta == delta) {
				b->pgflags[i] |= PA_PG_HEAD_KNOWN;
				if (b->head_excl)
					b->pgflags[i] |= PA_PG_HEAD_EXCL;
			}
		} else {
			b->head_valid = false;
		}
	}
}

/* PMD-mapped pages from the last scan of this VMA (regions sorted). */
static bool in_huge_region(struct walk_buf *b, uint64_t addr)
{
	size_t i = b->region_hint;

	while (i < b->nregions && b->regions[i].end <= addr)
		i++;
	b->region_hint = i;
	return i < b->nregions && b->regions[i].start <= addr &&
	       (b->regions[i].categories & PA_PAGE_IS_HUGE);
}

static int emit(struct pa_target *t, const struct pa_vma *vma, struct walk_buf *b, size_t n,
		const struct pa_kinfo *k, const struct pa_walk_opts *o,
		pa_batch_fn fn, void *ctx, struct pa_walk_stats *st)
{
	struct pa_page_batch batch;
	int r;

	if (!n)
		return 0;
	r = read_kpages(t->src, b, n, o, st);
	if (r < 0) {
		st->err = -r;
		snprintf(st->errpath, sizeof(st->errpath), "/proc/kpageflags");
		return r;
	}
	if (!k->folio_flags)
		track_heads(b, n);
	batch = (struct pa_page_batch){
		.vma = vma, .n = n, .index = b->idx, .pme = b->pme, .pfn = b->pfn,
		.kflags = b->kflags,
		.kcount = o->need_count ? b->kcount : NULL,
		.kcgroup = o->need_cgroup ? b->kcgroup : NULL,
		.pgflags = b->pgflags,
	};
	return fn(ctx, &batch);
}

/* Walk pages [vs, ve) of one VMA by reading pagemap. */
static int walk_window(struct pa_target *t, const struct pa_vma *vma, uint64_t vs, uint64_t ve,
		       struct walk_buf *b, const struct pa_kinfo *k, const struct pa_walk_opts *o,
		       pa_batch_fn fn, void *ctx, struct pa_walk_stats *st)
{
	long ps = t->src->page_size;

	while (vs < ve) {
		size_t want = ve - vs > CHUNK ? CHUNK : (size_t)(ve - vs), n = 0;
		ssize_t got;
		int r;

		if (o->stop && *o->stop)
			return -EINTR;
		got = t->src->ops->read_pagemap(t, b->pm, vs, want);
		if (got < 0) {
			/* ESRCH/EINTR: the mm went away under us. */
			st->err = (int)-got;
			if (got == -ESRCH || got == -EINTR || got == -ENOENT)
				st->partial = true;
			return (int)got;
		}
		if (got == 0) {
			/* EOF: the process exited (its mm is gone). */
			st->partial = true;
			return -ESRCH;
		}
		st->pagemap_entries += (uint64_t)got;
		for (ssize_t i = 0; i < got; i++) {
			uint64_t e = b->pm[i];

			if (!(e & (PM_PRESENT | PM_SWAP)))
				continue;
			b->idx[n] = vs + (uint64_t)i;
			b->pme[n] = e;
			b->pfn[n] = (e & PM_PRESENT) ? PM_PFRAME(e) : 0;
			b->pgflags[n] = 0;
			if ((e & PM_PRESENT) && !b->pfn[n])
				st->pfn_hidden = true;
			if (b->nregions && in_huge_region(b, b->idx[n] * (uint64_t)ps))
				b->pgflags[n] |= PA_PG_PMD_MAPPED;
			n++;
		}
		r = emit(t, vma, b, n, k, o, fn, ctx, st);
		if (r)
			return r;
		vs += (uint64_t)got;
	}
	return 0;
}

/*
 * Find the populated regions of [start, end) (bytes) with PAGEMAP_SCAN.
 * Returns 0, or -ENOTTY/-EINVAL/... when the ioctl cannot be used.
 */
static int scan_regions(struct pa_target *t, uint64_t start, uint64_t end, uint64_t anyof,
			struct walk_buf *b, struct pa_walk_stats *st)
{
	struct pa_region vec[SCAN_VEC];

	b->nregions = 0;
	b->region_hint = 0;
	while (start < end) {
		uint64_t walk_end = end;
		int n = t->src->ops->scan(t, start, end, anyof, anyof | PA_PAGE_IS_HUGE,
					  vec, SCAN_VEC, &walk_end);

		st->scan_calls++;
		if (n < 0)
			return n;
		for (int i = 0; i < n; i++) {
			if (b->nregions == b->regions_cap) {
				b->regions_cap = b->regions_cap ? 2 * b->regions_cap : 64;
				b->regions = pa_xrealloc(b->regions, b->regions_cap,
							 sizeof(*b->regions));
			}
			b->regions[b->nregions++] = vec[i];
		}
		if (walk_end <= start)
			break;
		start = walk_end;
	}
	return 0;
}

static int walk_segment(struct pa_target *t, const struct pa_vma *vma, uint64_t vs, uint64_t ve,
			struct walk_buf *b, const struct pa_kinfo *k, const struct pa_walk_opts *o,
			pa_batch_fn fn, void *ctx, struct pa_walk_stats *st)
{
	uint64_t ps = (uint64_t)t->src->page_size;
	bool skip_holes = o->scan != PA_SCAN_NEVER;
	int r = -ENOTTY;

	b->nregions = 0;
	b->region_hint = 0;
	b->head_valid = false;
	/* PAGEMAP_SCAN serves twice: it finds the populated regions, and its
	 * PAGE_IS_HUGE category is the only way to tell a PMD-mapped THP
	 * from a PTE-mapped one (kernel-abi.md 5.2).  With --scan=never it
	 * is asked only for the huge regions, so every strategy classifies
	 * the same way. */
	if (k->pagemap_scan != PA_NO) {
		r = scan_regions(t, vs * ps, ve * ps,
				 skip_holes ? PA_PAGE_IS_PRESENT | PA_PAGE_IS_SWAPPED : PA_PAGE_IS_HUGE,
				 b, st);
		if (r == -ESRCH || r == -EINTR) {
			st->partial = true;
			st->err = -r;
			return r;
		}
		if (r < 0)	/* ENOTTY before 6.7, or a captured file */
			b->nregions = 0;
	}
	if (r < 0 || !skip_holes)
		return walk_window(t, vma, vs, ve, b, k, o, fn, ctx, st);

	/* Read pagemap only over the populated regions, merging regions
	 * separated by small holes: a pread costs about as much as a few
	 * hundred entries. */
	for (size_t i = 0; i < b->nregions;) {
		uint64_t ws = b->regions[i].start / ps, we = b->regions[i].end / ps;
		size_t j = i + 1;

		while (j < b->nregions && b->regions[j].start / ps - we <= SCAN_MERGE_GAP) {
			we = b->regions[j].end / ps;
			j++;
		}
		if (ws < vs)
			ws = vs;
		if (we > ve)
			we = ve;
		if (ws < we) {
			r = walk_window(t, vma, ws, we, b, k, o, fn, ctx, st);
			if (r)
				return r;
		}
		i = j;
	}
	return 0;
}

int pa_walk_target(struct pa_target *t, const struct pa_maps *maps, const struct pa_kinfo *k,
		   const struct pa_walk_opts *o, pa_batch_fn fn, void *ctx, struct pa_walk_stats *st)
{
	static const struct pa_addr_range all = { 0, UINT64_MAX };
	const struct pa_addr_range *ranges = o->nranges ? o->ranges : &all;
	size_t nranges = o->nranges ? o->nranges : 1;
	uint64_t ps = (uint64_t)t->src->page_size;
	struct walk_buf b;
	int r = 0;

	buf_alloc(&b);
	for (size_t ri = 0; ri < nranges && !r; ri++) {
		uint64_t rs = ranges[ri].start;
		uint64_t re = ranges[ri].count > UINT64_MAX - rs ? UINT64_MAX : rs + ranges[ri].count;

		for (size_t i = 0; i < maps->n && !r; i++) {
			const struct pa_vma *v = &maps->v[i];
			uint64_t vs = v->start / ps, ve = v->end / ps;

			if (pa_vma_is_special(v))
				continue;
			if (vs < rs)
				vs = rs;
			if (ve > re)
				ve = re;
			if (vs >= ve)
				continue;
			st->vmas++;
			r = walk_segment(t, v, vs, ve, &b, k, o, fn, ctx, st);
		}
	}
	buf_free(&b);
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
	const struct pa_addr_range *ranges = o->nranges ? o->ranges : &all;
	size_t nranges = o->nranges ? o->nranges : 1;
	struct walk_buf b;
	int r = 0;

	buf_alloc(&b);
	memset(b.pme, 0, CHUNK * sizeof(uint64_t));
	for (size_t ri = 0; ri < nranges && !r; ri++) {
		uint64_t p = ranges[ri].start;
		uint64_t end = ranges[ri].count > UINT64_MAX - p ? UINT64_MAX : p + ranges[ri].count;

		while (p < end && !r) {
			size_t want = end - p > CHUNK ? CHUNK : (size_t)(end - p);
			struct pa_page_batch batch;
			ssize_t got;

			if (o->stop && *o->stop) {
				r = -EINTR;
				break;
			}
			got = s->ops->read_pfn(s, PA_KPAGEFLAGS, b.kflags, p, want);
			st->preads++;
			if (got < 0) {
				st->err = (int)-got;
				snprintf(st->errpath, sizeof(st->errpath), "kpageflags");
				r = (int)got;
				break;
			}
			if (got == 0)
				break;	/* end of the file: max_pfn rounded up */
			st->pfns_read += (uint64_t)got;
			memset(b.kcount, 0, (size_t)got * sizeof(uint64_t));
			memset(b.kcgroup, 0, (size_t)got * sizeof(uint64_t));
			if (o->need_count && s->ops->has_kfile(s, PA_KPAGECOUNT))
				s->ops->read_pfn(s, PA_KPAGECOUNT, b.kcount, p, (size_t)got);
			if (o->need_cgroup && s->ops->has_kfile(s, PA_KPAGECGROUP))
				s->ops->read_pfn(s, PA_KPAGECGROUP, b.kcgroup, p, (size_t)got);
			for (ssize_t i = 0; i < got; i++) {
				b.idx[i] = p + (uint64_t)i;
				b.pfn[i] = p + (uint64_t)i;
				b.pgflags[i] = PA_PG_HAVE_KPAGE;
			}
			batch = (struct pa_page_batch){
				.vma = NULL, .n = (size_t)got, .index = b.idx, .pme = b.pme,
				.pfn = b.pfn, .kflags = b.kflags,
				.kcount = o->need_count ? b.kcount : NULL,
				.kcgroup = o->need_cgroup ? b.kcgroup : NULL,
				.pgflags = b.pgflags,
			};
			r = fn(ctx, &batch);
			p += (uint64_t)got;
		}
	}
	buf_free(&b);
	return r;
}
