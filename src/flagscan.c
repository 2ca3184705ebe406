// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The page-types compatible walk: the flags table, -l/-L listings, -b/-c
 * filters and -i, for a PID walk, a PFN walk (no -p) or a file walk (-f).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "page-anon.h"

struct flags_ctx {
	struct pa_session *s;
	struct pa_report *r;
	struct pa_listing *list;	/* NULL without -l/-L */
	bool pid_walk, file_walk;
	/* -l range merging (page-types show_page_range) */
	struct pa_list_entry cur;
	bool have_cur;
	/* run of equal flags, flushed into the table */
	uint64_t run_flags, run_pages;
	/* page counts by (kpageflags, pagemap bits), see count_batch() */
	struct {
		uint64_t kf, pm, pages;
	} cache[256];
	/* -i */
	int idle_fd;
	uint64_t idle_word, idle_bits;
	int idle_err;
};

static void flush_run(struct flags_ctx *c)
{
	if (c->run_pages)
		pa_report_add_flags(c->r, c->run_flags, c->run_pages);
	c->run_pages = 0;
}

static void list_page(struct flags_ctx *c, uint64_t voff, uint64_t off, uint64_t flags,
		      uint64_t cgroup, uint64_t mapcnt)
{
	struct pa_list_entry e = { voff, off, 1, flags, cgroup, mapcnt };

	if (c->s->opt->list == 2) {
		c->list->entry(c->list, &e);
		return;
	}
	if (c->have_cur && flags == c->cur.flags && cgroup == c->cur.cgroup &&
	    mapcnt == c->cur.mapcnt && off == c->cur.offset + c->cur.count &&
	    voff == c->cur.voffset + c->cur.count) {
		c->cur.count++;
		return;
	}
	if (c->have_cur)
		c->list->entry(c->list, &c->cur);
	c->cur = e;
	c->have_cur = true;
}

static void flush_list(struct flags_ctx *c)
{
	if (c->list && c->have_cur)
		c->list->entry(c->list, &c->cur);
	c->have_cur = false;
}

/* page_idle/bitmap: bit i of u64 word j is PFN 64*j+i; u64-aligned
 * writes only (mm/page_idle.c). */
static void mark_idle(struct flags_ctx *c, uint64_t pfn)
{
	if (c->idle_bits && pfn / 64 != c->idle_word) {
		if (pwrite(c->idle_fd, &c->idle_bits, 8, (off_t)(c->idle_word * 8)) != 8 && !c->idle_err)
			c->idle_err = errno ? errno : EIO;
		c->idle_bits = 0;
	}
	c->idle_word = pfn / 64;
	c->idle_bits |= 1ULL << (pfn % 64);
}

/* pagemap bits that pa_flags_expand() copies into the flags word */
#define EXPAND_PME_BITS (PM_SOFT_DIRTY | PM_FILE | PM_SWAP | PM_MMAP_EXCLUSIVE | \
			 PM_UFFD_WP | PM_GUARD_REGION)

/* Add the cached counts to the table, expanding each key once. */
static void flush_cache(struct flags_ctx *c)
{
	const struct pa_flagtab *ftab = &c->s->ftab;
	uint64_t seen = 0;

	for (size_t h = 0; h < PA_ARRAY_SIZE(c->cache); h++) {
		uint64_t flags;

		if (!c->cache[h].pages)
			continue;
		flags = c->s->opt->raw ? pa_flags_expand(ftab, c->cache[h].kf, c->cache[h].pm) :
					 pa_flags_well_known(c->cache[h].kf);
		pa_report_add_flags(c->r, flags, c->cache[h].pages);
		seen |= flags;
		c->cache[h].pages = 0;
	}
	c->r->unknown_bits |= pa_flags_unknown(ftab, seen);
}

/*
 * The per-page consumer must cost a few ns per page at most, or it shows
 * next to the kernel's ~80 ns (walk.c).  For the flags table alone (no
 * -b, -c, -i, -l/-L) the per-page work is one hash probe.  The background
 * DAMON monitor keeps the referenced, active and idle bits of neighbouring
 * pages different, so runs of equal flags are short (the run and binary
 * search path cost ~6% of a 4 GiB walk on one thread); instead pages are
 * counted by their raw (kpageflags, pagemap bits) key in a small
 * open-addressing table and each distinct key is expanded once per batch.
 */
static int count_batch(struct flags_ctx *c, const struct pa_page_batch *b)
{
	const size_t mask = PA_ARRAY_SIZE(c->cache) - 1;
	const uint64_t pmask = c->s->opt->raw ? EXPAND_PME_BITS : 0;
	size_t used = 0;

	for (size_t i = 0; i < b->n; i++) {
		uint64_t pme = b->pme[i], kf = b->kflags[i], pm = pme & pmask;
		size_t h;

		if (c->pid_walk && !b->pfn[i]) {
			if (!(pme & PM_SWAP))
				continue;	/* present, PFN hidden */
			kf = 0;		/* swapped: no kpageflags */
		}
		h = (size_t)(((kf ^ (pm >> 40)) * 0x9e3779b97f4a7c15ULL) >> 56) & mask;
		while (c->cache[h].pages && (c->cache[h].kf != kf || c->cache[h].pm != pm))
			h = (h + 1) & mask;
		/* npages: a PMD-mapped folio read once, its pages alike */
		if (!c->cache[h].pages) {
			c->cache[h].kf = kf;
			c->cache[h].pm = pm;
			c->cache[h].pages = b->npages ? b->npages[i] : 1;
			if (++used == PA_ARRAY_SIZE(c->cache) / 2) {
				flush_cache(c);
				used = 0;
			}
		} else {
			c->cache[h].pages += b->npages ? b->npages[i] : 1;
		}
	}
	flush_cache(c);
	return 0;
}

/*
 * With filters or listings every page needs its flags word: neighbouring
 * pages often have the same kpageflags and pagemap bits, so the expanded
 * word is remembered (the expansion is a chain of tests), and the unknown
 * bits are computed once per batch from the OR of the flags seen instead
 * of per page (a 64-step loop: 37% of the run time of a 4 GiB walk before).
 */
static int flags_batch(void *ctx, const struct pa_page_batch *b)
{
	struct flags_ctx *c = ctx;
	const struct pa_options *o = c->s->opt;
	const struct pa_flagtab *ftab = &c->s->ftab;
	uint64_t seen = 0, last_kf = 0, last_pm = 0, last_flags = 0;
	bool have_last = false;

	if (!c->s->nfilters && !c->s->cgroup_filter && c->idle_fd < 0 && !c->list)
		return count_batch(c, b);
	for (size_t i = 0; i < b->n; i++) {
		uint64_t pme = b->pme[i], kf = b->kflags[i], flags, pm;
		uint64_t cg = b->kcgroup ? b->kcgroup[i] : 0;
		uint64_t mc = b->kcount ? b->kcount[i] : 0;
		uint64_t off;
		bool swap = false;

		if (c->pid_walk) {
			if (b->pfn[i]) {
				off = b->pfn[i];
			} else if (pme & PM_SWAP) {
				/* page-types walk_swap(): listed with the swap
				 * offset, no kpageflags, never in a cgroup. */
				swap = true;
				kf = 0;
				cg = mc = 0;
				off = PM_SWAP_OFFSET(pme);
			} else {
				continue;	/* present, PFN hidden */
			}
		} else if (c->file_walk) {
			off = b->pfn[i];
		} else {
			off = b->index[i];
		}
		pm = o->raw ? pme & EXPAND_PME_BITS : 0;
		if (have_last && kf == last_kf && pm == last_pm) {
			flags = last_flags;
		} else {
			flags = o->raw ? pa_flags_expand(ftab, kf, pme) : pa_flags_well_known(kf);
			last_kf = kf;
			last_pm = pm;
			last_flags = flags;
			have_last = true;
		}
		if (c->s->nfilters && !pa_bits_match(c->s->filters, c->s->nfilters, flags))
			continue;
		if (c->s->cgroup_filter && (swap || cg != c->s->cgroup))
			continue;
		if (c->idle_fd >= 0 && !swap)
			mark_idle(c, off);
		if (c->list)
			list_page(c, b->index[i], off, flags, cg, mc);
		seen |= flags;
		if (flags != c->run_flags) {
			flush_run(c);
			c->run_flags = flags;
		}
		c->run_pages += b->npages ? b->npages[i] : 1;
	}
	c->r->unknown_bits |= pa_flags_unknown(ftab, seen);
	return 0;
}

static int open_idle(struct pa_session *s, struct flags_ctx *c)
{
	char path[4096];

	pa_source_path(s->src, path, sizeof(path), "sys/kernel/mm/page_idle/bitmap");
	c->idle_fd = open(path, O_RDWR | O_CLOEXEC);
	if (c->idle_fd < 0) {
		if (errno == ENOENT)
			pa_error("%s: not available: the kernel was built without "
				 "CONFIG_IDLE_PAGE_TRACKING, so -i/--mark-idle cannot work", path);
		else
			pa_error("%s: %s (-i/--mark-idle needs root)", path, strerror(errno));
		return PA_EXIT_ERROR;
	}
	return 0;
}

int pa_run_flags(struct pa_session *s, struct pa_report *r)
{
	struct pa_options *o = s->opt;
	struct pa_listing listing;
	struct flags_ctx c = { .s = s, .r = r, .idle_fd = -1 };
	struct pa_walk_opts wo = {
		.need_kflags = true,
		.need_count = o->list && o->list_mapcnt,
		.count_all = true,
		.need_cgroup = s->cgroup_filter || (o->list && o->list_cgroup),
		/* listings and -i need every page */
		.runs = !o->list && !o->mark_idle,
		.per_page = o->per_page,
		.threads = o->threads,
		.scan = o->scan,
		.ranges = o->ranges,
		.nranges = o->nranges,
		.stop = &pa_stop_flag,
	};
	int rc = PA_EXIT_OK, ret;
	struct stat top;
	bool have_top = false, no_table = false;

	r->raw = o->raw;
	if (wo.need_cgroup && (ret = pa_session_open_kfiles(s, 1u << PA_KPAGECGROUP)))
		return ret;
	if (o->mark_idle && (ret = open_idle(s, &c)))
		return ret;
	if (o->list) {
		if (o->json)
			pa_listing_json(&listing, o, &s->ftab, stdout);
		else
			pa_listing_text(&listing, o, &s->ftab, stdout);
		listing.pid = o->npids ? o->pids[0] : 0;
		listing.page_size = s->src->page_size;
		c.list = &listing;
		listing.begin(&listing);
	}
	if (o->file) {
		struct pa_walk_stats st = { 0 };

		c.file_walk = true;
		ret = pa_walk_file(s->src, o->file, &wo, flags_batch, &c, &st, &top);
		if (ret < 0 && ret != -EINTR)
			rc = PA_EXIT_ERROR;
		if (st.partial)		/* files of a tree that could not be read */
			r->partial = true;
		have_top = ret != -ENOENT && ret != -EACCES;
	} else if (!o->npids) {
		struct pa_walk_stats st = { 0 };

		ret = pa_walk_pfns(s->src, &wo, flags_batch, &c, &st);
		if (ret < 0 && ret != -EINTR) {
			pa_error("%s: %s", pa_session_kfile_path(s, PA_KPAGEFLAGS, (char[4096]){ 0 }, 4096),
				 strerror(-ret));
			rc = PA_EXIT_ERROR;
		}
	} else {
		size_t nfailed = 0, nhidden = 0;

		for (size_t i = 0; i < o->npids; i++) {
			struct pa_walk_stats st = { 0 };
			struct pa_target *t = NULL;
			struct pa_maps maps = { 0 };
			char msg[512];

			c.pid_walk = true;
			ret = s->src->ops->open_target(s->src, o->pids[i], &t);
			if (ret == 0)
				ret = s->src->ops->read_maps(t, &maps);
			if (ret < 0) {
				pa_explain_open_error(s, o->pids[i], -ret, msg, sizeof(msg));
				pa_error("%s", msg);
				nfailed++;
				r->partial = true;
			} else {
				ret = pa_walk_target(t, &maps, &s->kinfo, &wo, flags_batch, &c, &st);
				if (t->gone || st.partial) {
					pa_warn("process %d exited during the scan: the result is partial",
						(int)o->pids[i]);
					r->partial = true;
				} else if (ret < 0 && ret != -EINTR) {
					if (st.errpath[0])
						pa_error("%s: %s (while reading process %d)", st.errpath,
							 strerror(-ret), (int)o->pids[i]);
					else
						pa_error("process %d: %s", (int)o->pids[i], strerror(-ret));
					nfailed++;
					r->partial = true;
				}
				if (t->pfn_hidden) {
					nhidden++;
					pa_warn("/proc/%d/pagemap: PFNs are hidden (CAP_SYS_ADMIN missing): "
						"present pages were skipped; run as root", (int)o->pids[i]);
					r->partial = true;
				}
			}
			pa_maps_free(&maps);
			if (t)
				s->src->ops->close_target(t);
		}
		/* One of several processes failing makes the result partial;
		 * nothing to show when none could be read, or when hidden PFNs
		 * left nothing to count (issue: no empty tables). */
		if (nfailed == o->npids)
			rc = PA_EXIT_ERROR;
		else if (nhidden && !r->total_pages && !c.run_pages)
			no_table = true;
	}
	flush_run(&c);
	if (c.list) {
		flush_list(&c);
		listing.end(&listing);
	}
	if (c.idle_fd >= 0) {
		if (c.idle_bits && pwrite(c.idle_fd, &c.idle_bits, 8, (off_t)(c.idle_word * 8)) != 8 &&
		    !c.idle_err)
			c.idle_err = errno ? errno : EIO;
		close(c.idle_fd);
		if (c.idle_err) {
			pa_error("page_idle/bitmap: %s", strerror(c.idle_err));
			rc = PA_EXIT_ERROR;
		}
	}
	if (pa_stop_flag)
		r->partial = true;
	if (r->unknown_bits) {
		char names[1024];

		pa_flags_longname(&s->ftab, r->unknown_bits, names, sizeof(names));
		pa_warn("flag bits unknown for kernel %s were seen: %s", s->src->release, names);
	}
	if (rc == PA_EXIT_ERROR)
		no_table = true;
	if (!o->no_summary && !no_table) {
		if (o->json)
			pa_json_flag_table(stdout, r, o);
		else {
			if (o->list)
				fputs("\n\n", stdout);
			if (o->file && have_top) {
				pa_print_file_header(stdout, o->file, &top, s->src->page_size);
				fputc('\n', stdout);
			}
			pa_print_flag_table(stdout, r);
		}
	}
	if (rc == PA_EXIT_OK && r->partial)
		rc = PA_EXIT_PARTIAL;
	return rc;
}

