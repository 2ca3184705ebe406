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

static int flags_batch(void *ctx, const struct pa_page_batch *b)
{
	struct flags_ctx *c = ctx;
	const struct pa_options *o = c->s->opt;

	for (size_t i = 0; i < b->n; i++) {
		uint64_t pme = b->pme[i], kf = b->kflags[i], flags;
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
		flags = o->raw ? pa_flags_expand(&c->s->ftab, kf, pme) : pa_flags_well_known(kf);
		if (c->s->nfilters && !pa_bits_match(c->s->filters, c->s->nfilters, flags))
			continue;
		if (c->s->cgroup_filter && (swap || cg != c->s->cgroup))
			continue;
		if (c->idle_fd >= 0 && !swap)
			mark_idle(c, off);
		if (c->list)
			list_page(c, b->index[i], off, flags, cg, mc);
		c->r->unknown_bits |= pa_flags_unknown(&c->s->ftab, flags);
		if (flags != c->run_flags) {
			flush_run(c);
			c->run_flags = flags;
		}
		c->run_pages++;
	}
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
		.need_cgroup = s->cgroup_filter || (o->list && o->list_cgroup),
		.threads = o->threads,
		.scan = o->scan,
		.ranges = o->ranges,
		.nranges = o->nranges,
		.stop = &pa_stop_flag,
	};
	int rc = PA_EXIT_OK, ret;
	struct stat top;
	bool have_top = false;

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
				rc = PA_EXIT_ERROR;
			} else {
				ret = pa_walk_target(t, &maps, &s->kinfo, &wo, flags_batch, &c, &st);
				if (t->gone || st.partial) {
					pa_warn("process %d exited during the scan: the result is partial",
						(int)o->pids[i]);
					r->partial = true;
				} else if (ret < 0 && ret != -EINTR) {
					pa_error("process %d: %s", (int)o->pids[i], strerror(-ret));
					rc = PA_EXIT_ERROR;
				}
				if (t->pfn_hidden) {
					pa_warn("/proc/%d/pagemap: PFNs are hidden (CAP_SYS_ADMIN missing): "
						"present pages were skipped; run as root", (int)o->pids[i]);
					r->partial = true;
				}
			}
			pa_maps_free(&maps);
			if (t)
				s->src->ops->close_target(t);
		}
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
	if (!o->no_summary) {
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

