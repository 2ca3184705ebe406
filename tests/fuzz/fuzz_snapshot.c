// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_snapshot: snapshot files (--load, --diff) as an attacker would
 * write them: the input is the whole file.
 *
 * Invariants: no crash, leak or allocation beyond what the input really
 * holds (captures are limited to 64 MiB decompressed here); a file that
 * loads re-encodes to a payload that decodes to the same capture; the
 * walk of every process over the snapshot source hands out exactly the
 * recorded pages of its non-special VMAs, with the recorded pagemap
 * entries and the kpageflags of the first process that recorded the PFN.
 */
#include "config.h"

#include <string.h>

#include "page-anon.h"
#include "snapshot.h"
#include "fuzz.h"

static bool same_capture(const struct pa_snap_capture *a, const struct pa_snap_capture *b)
{
	if (a->nprocs != b->nprocs || a->page_size != b->page_size || a->kfiles != b->kfiles ||
	    a->time_ns != b->time_ns || strcmp(a->release, b->release) || strcmp(a->label, b->label) ||
	    memcmp(&a->kinfo, &b->kinfo, sizeof(a->kinfo)))
		return false;
	for (size_t i = 0; i < a->nprocs; i++) {
		const struct pa_snap_proc *p = &a->procs[i], *q = &b->procs[i];
		size_t n = p->n;

		if (p->pid != q->pid || p->ppid != q->ppid || p->n != q->n || p->maps.n != q->maps.n ||
		    strcmp(p->comm, q->comm) || p->uid != q->uid || strcmp(p->cgroup, q->cgroup) ||
		    p->vm_pin_kb != q->vm_pin_kb || p->pins.n != q->pins.n ||
		    (p->pins.n && memcmp(p->pins.r, q->pins.r, p->pins.n * sizeof(*p->pins.r))))
			return false;
		for (size_t k = 0; k < p->maps.n; k++)
			if (p->maps.v[k].start != q->maps.v[k].start || p->maps.v[k].end != q->maps.v[k].end ||
			    strcmp(p->maps.v[k].name, q->maps.v[k].name))
				return false;
		if (n && (memcmp(p->vpn, q->vpn, n * 8) || memcmp(p->pme, q->pme, n * 8) ||
			  memcmp(p->kflags, q->kflags, n * 8) || memcmp(p->kcount, q->kcount, n * 8) ||
			  !p->kcgroup != !q->kcgroup ||
			  (p->kcgroup && memcmp(p->kcgroup, q->kcgroup, n * 8)) || memcmp(p->pg, q->pg, n)))
			return false;
	}
	return true;
}

struct check {
	const struct pa_snap_proc *p;
	struct pa_source *src;
	size_t seen;
};

static int check_batch(void *ctx, const struct pa_page_batch *b)
{
	struct check *c = ctx;

	for (size_t i = 0; i < b->n; i++) {
		const struct pa_snap_proc *p = c->p;
		size_t k = 0;
		uint64_t kf = 0;

		while (k < p->n && p->vpn[k] != b->index[i])
			k++;
		FUZZ_CHECK(k < p->n);
		FUZZ_CHECK(b->pme[i] == p->pme[k]);
		if (b->pfn[i]) {
			FUZZ_CHECK(c->src->ops->read_pfn(c->src, PA_KPAGEFLAGS, &kf, b->pfn[i], 1) == 1);
			FUZZ_CHECK(b->kflags[i] == kf);
		}
		c->seen++;
	}
	return 0;
}

static void walk_all(struct pa_snap_capture *cap)
{
	struct pa_source *src = pa_source_snapshot(cap, "fuzz");
	const struct pa_snap_capture *c = pa_source_capture(src);
	struct pa_walk_opts wo = {
		.need_kflags = true,
		.need_count = true,
		.need_cgroup = src->ops->has_kfile(src, PA_KPAGECGROUP),
		.threads = 1,
	};

	for (size_t i = 0; i < c->nprocs; i++) {
		struct check ck = { &c->procs[i], src, 0 };
		struct pa_walk_stats st = { 0 };
		struct pa_maps maps = { 0 };
		struct pa_target *t = NULL;
		size_t want = 0, k = 0;

		FUZZ_CHECK(src->ops->open_target(src, c->procs[i].pid, &t) == 0);
		FUZZ_CHECK(src->ops->read_maps(t, &maps) == 0);
		FUZZ_CHECK(pa_walk_target(t, &maps, src->kinfo, &wo, check_batch, &ck, &st) == 0);
		for (size_t v = 0; v < maps.n; v++)
			for (; k < ck.p->n && ck.p->vpn[k] * (uint64_t)c->page_size < maps.v[v].end; k++)
				if (!pa_vma_is_special(&maps.v[v]))
					want++;
		FUZZ_CHECK(ck.seen == want);
		pa_maps_free(&maps);
		src->ops->close_target(t);
	}
	pa_source_free(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t index = 1; index <= 2; index++) {
		struct pa_snap_capture c, c2;
		size_t count, len;
		uint8_t *raw;
		char err[1024];

		if (pa_snap_read_mem(data, size, index, 64u << 20, &c, &count, err, sizeof(err)) < 0) {
			FUZZ_CHECK(err[0]);
			continue;
		}
		FUZZ_CHECK(count >= index);
		pa_snap_encode(&c, &raw, &len);
		FUZZ_CHECK(pa_snap_decode(raw, len, &c2, err, sizeof(err)) == 0);
		FUZZ_CHECK(same_capture(&c, &c2));
		free(raw);
		pa_snap_capture_free(&c2);
		walk_all(&c);
	}
	return 0;
}
