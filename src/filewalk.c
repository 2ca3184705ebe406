// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -f: the page cache of a file or of every regular file below a
 * directory, as page-types does: map the file, ask mincore() which pages
 * are cached, touch only those (so nothing is read from disk), and read
 * the PFNs of our own mapping from /proc/self/pagemap.  Readahead is
 * turned off with MADV_RANDOM.  A file truncated under us raises SIGBUS,
 * which ends the walk of that file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "page-anon.h"

#define FILE_BATCH (64 * 1024)	/* pages mapped at a time */

static sigjmp_buf sigbus_jmp;
static volatile sig_atomic_t in_touch;

static void on_sigbus(int sig)
{
	(void)sig;
	if (in_touch)
		siglongjmp(sigbus_jmp, 1);
	signal(SIGBUS, SIG_DFL);
	raise(SIGBUS);
}

struct fw {
	struct pa_source *src;
	struct pa_target *self;
	const struct pa_walk_opts *o;
	pa_batch_fn fn;
	void *ctx;
	struct pa_walk_stats *st;
	uint64_t *pm, *idx, *pfn, *kf, *kc, *kcg;
	uint8_t *pg, *vec;
	int ret;
};

/*
 * Touch the cached pages of a mapping so their PTEs exist.  Returns the
 * number of pages that could be touched: fewer when the file shrank and
 * an access raised SIGBUS.
 */
static size_t __attribute__((noinline))
touch_cached(unsigned char *volatile p, const uint8_t *volatile vec, size_t npages, long ps)
{
	volatile size_t i = 0;

	if (sigsetjmp(sigbus_jmp, 1) == 0) {
		in_touch = 1;
		for (i = 0; i < npages; i++)
			if (vec[i] & 1)
				(void)*(volatile unsigned char *)(p + i * (size_t)ps);
	}
	in_touch = 0;
	return i;
}

static int walk_range(struct fw *w, const char *name, int fd, uint64_t first, uint64_t last)
{
	long ps = w->src->page_size;

	for (uint64_t pg = first; pg < last;) {
		size_t npages = last - pg > FILE_BATCH ? FILE_BATCH : (size_t)(last - pg);
		size_t len = npages * (size_t)ps, n = 0, touched;
		unsigned char *p;
		ssize_t got;

		if (w->o->stop && *w->o->stop)
			return -EINTR;
		/* A file that cannot be mapped (some special files) is
		 * skipped like one that cannot be opened: the result is
		 * partial, the walk of a tree goes on. */
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)(pg * (uint64_t)ps));
		if (p == MAP_FAILED) {
			int e = errno;

			pa_error("%s: mmap: %s", name, strerror(e));
			w->st->partial = true;
			return 0;
		}
		if (mincore(p, len, w->vec) < 0) {
			int e = errno;

			munmap(p, len);
			pa_error("%s: mincore: %s", name, strerror(e));
			w->st->partial = true;
			return 0;
		}
		madvise(p, len, MADV_RANDOM);
		touched = touch_cached(p, w->vec, npages, ps);
		if (touched < npages) {
			pa_warn("%s: truncated while being read (SIGBUS at page %llu)", name,
				(unsigned long long)(pg + touched));
			npages = touched;
			last = pg + npages;
		}
		got = npages ? w->src->ops->read_pagemap(w->self, w->pm,
							 (uint64_t)(uintptr_t)p / (uint64_t)ps, npages) : 0;
		munmap(p, len);
		if (got < 0) {
			pa_error("/proc/self/pagemap: %s", strerror((int)-got));
			return (int)got;
		}
		for (ssize_t i = 0; i < got; i++) {
			uint64_t e = w->pm[i];

			if (!(e & PM_PRESENT) || !PM_PFRAME(e))
				continue;
			w->pm[n] = e;
			w->idx[n] = pg + (uint64_t)i;
			w->pfn[n] = PM_PFRAME(e);
			n++;
		}
		for (size_t i = 0; i < n; i++) {
			w->kf[i] = w->kc[i] = w->kcg[i] = 0;
			w->pg[i] = PA_PG_HAVE_KPAGE;
			if (w->src->ops->read_pfn(w->src, PA_KPAGEFLAGS, &w->kf[i], w->pfn[i], 1) != 1)
				w->pg[i] = 0;
			if (w->o->need_count && w->src->ops->has_kfile(w->src, PA_KPAGECOUNT))
				w->src->ops->read_pfn(w->src, PA_KPAGECOUNT, &w->kc[i], w->pfn[i], 1);
			if (w->o->need_cgroup && w->src->ops->has_kfile(w->src, PA_KPAGECGROUP))
				w->src->ops->read_pfn(w->src, PA_KPAGECGROUP, &w->kcg[i], w->pfn[i], 1);
		}
		w->st->pagemap_entries += (uint64_t)(got > 0 ? got : 0);
		w->st->pfns_read += n;
		if (n) {
			struct pa_page_batch b = {
				.vma = NULL, .n = n, .index = w->idx, .pme = w->pm, .pfn = w->pfn,
				.kflags = w->kf, .kcount = w->o->need_count ? w->kc : NULL,
				.kcgroup = w->o->need_cgroup ? w->kcg : NULL, .pgflags = w->pg,
			};
			int r = w->fn(w->ctx, &b);

			if (r)
				return r;
		}
		pg += npages ? npages : 1;
	}
	return 0;
}

static int walk_file(struct fw *w, const char *name, const struct stat *st)
{
	static const struct pa_addr_range all = { 0, UINT64_MAX };
	const struct pa_addr_range *ranges = w->o->nranges ? w->o->ranges : &all;
	size_t nranges = w->o->nranges ? w->o->nranges : 1;
	uint64_t ps = (uint64_t)w->src->page_size;
	uint64_t size_pages = ((uint64_t)st->st_size + ps - 1) / ps;
	int fd, r = 0;

	/* O_NONBLOCK: a file replaced by a FIFO since it was listed must
	 * not block the walk; it is checked with fstat below. */
	fd = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME | O_NONBLOCK);
	if (fd < 0 && errno == EPERM)	/* O_NOATIME needs ownership */
		fd = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		struct stat now;

		if (fstat(fd, &now) < 0 || !S_ISREG(now.st_mode) || now.st_ino != st->st_ino ||
		    now.st_dev != st->st_dev) {
			pa_warn("%s: changed while being walked: skipped", name);
			close(fd);
			w->st->partial = true;
			return 0;
		}
	}
	if (fd < 0) {
		pa_error("%s: %s", name, strerror(errno));
		w->st->partial = true;
		return 0;	/* keep walking a tree */
	}
	for (size_t i = 0; i < nranges && !r; i++) {
		uint64_t s = ranges[i].start, e;

		e = ranges[i].count > UINT64_MAX - s ? UINT64_MAX : s + ranges[i].count;
		if (e > size_pages)
			e = size_pages;
		if (s < e)
			r = walk_range(w, name, fd, s, e);
	}
	close(fd);
	return r;
}

static struct fw *tree_walker;

static int tree_cb(const char *name, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	if (type == FTW_F && S_ISREG(st->st_mode))
		tree_walker->ret = walk_file(tree_walker, name, st);
	else if (type == FTW_DNR)
		pa_warn("%s: cannot read directory", name);
	return tree_walker->ret;
}

int pa_walk_file(struct pa_source *s, const char *path, const struct pa_walk_opts *o,
		 pa_batch_fn fn, void *ctx, struct pa_walk_stats *st, struct stat *top)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	struct fw w = { .src = s, .o = o, .fn = fn, .ctx = ctx, .st = st };
	int r;

	if (stat(path, top) < 0) {
		pa_error("%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(top->st_mode) && !S_ISDIR(top->st_mode)) {
		pa_error("%s: not a regular file or directory", path);
		return -EINVAL;
	}
	r = s->ops->open_target(s, getpid(), &w.self);
	if (r < 0) {
		pa_error("/proc/self/pagemap: %s", strerror(-r));
		return r;
	}
	w.pm = pa_xrealloc(NULL, FILE_BATCH, sizeof(uint64_t));
	w.idx = pa_xrealloc(NULL, FILE_BATCH, sizeof(uint64_t));
	w.pfn = pa_xrealloc(NULL, FILE_BATCH, sizeof(uint64_t));
	w.kf = pa_xrealloc(NULL, FILE_BATCH, sizeof(uint64_t));
	w.kc = pa_xrealloc(NULL, FILE_BATCH, sizeof(uint64_t));
	w.kcg = pa_xrealloc(NULL, FILE_BATCH, sizeof(uint64_t));
	w.pg = pa_xrealloc(NULL, FILE_BATCH, 1);
	w.vec = pa_xrealloc(NULL, FILE_BATCH, 1);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);
	if (S_ISREG(top->st_mode)) {
		r = walk_file(&w, path, top);
	} else {
		tree_walker = &w;
		/* do not follow symlinks or cross mount points */
		/* nftw returns what a callback returned to stop it (w.ret),
		 * or -1 on its own failure */
		r = nftw(path, tree_cb, 64, FTW_MOUNT | FTW_PHYS);
		if (w.ret) {
			r = w.ret;
		} else if (r < 0) {
			int e = errno;

			pa_error("%s: %s", path, strerror(e));
			r = -e;
		}
		tree_walker = NULL;
	}
	sigaction(SIGBUS, &old, NULL);
	s->ops->close_target(w.self);
	free(w.pm);
	free(w.idx);
	free(w.pfn);
	free(w.kf);
	free(w.kc);
	free(w.kcg);
	free(w.pg);
	free(w.vec);
	return r;
}
