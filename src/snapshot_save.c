// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Snapshots, the save side (snapshot_save.h): capture (the report's own
 * walk, recorded) through the session's live source, and the writer that
 * puts captures into a file through a temporary file and a rename.  The
 * bytes themselves are encoded by snapshot.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "page-anon.h"
#include "collect.h"
#include "pinned.h"
#include "procs.h"
#include "session.h"
#include "snapshot.h"
#include "snapshot_save.h"

#define ERR(...) pa_snap_errf(err, errlen, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Writer                                                              */

/*
 * The writer replaces FILE race-free against whoever can write its
 * directory (as outfile.c does for --output-file): the directory is
 * opened once and every later step works relative to it (fstatat,
 * openat with O_EXCL | O_NOFOLLOW, renameat), so no name is looked up
 * twice.  A FILE that is a symbolic link is followed (its target is
 * replaced, the link stays) only when the link belongs to the user
 * running page-anon or to root: root saving into /tmp never writes
 * through another user's link.  The new file is a new inode with mode
 * 0666 less the umask, owned by the user running page-anon.
 */
struct pa_snap_writer {
	char *path;		/* as given, for messages */
	int dirfd;		/* the directory FILE is replaced in */
	char *name;		/* FILE's name in dirfd */
	char *tmp;		/* the temporary file's name in dirfd; NULL once renamed */
	int fd;
	uint64_t size;
	ZSTD_CCtx *cctx;
};

#define MAX_LINKS 8

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *q = p;

	while (n) {
		ssize_t k = write(fd, q, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		q += k;
		n -= (size_t)k;
	}
	return 0;
}

void pa_snap_writer_abort(struct pa_snap_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp)
		unlinkat(w->dirfd, w->tmp, 0);
	if (w->dirfd >= 0)
		close(w->dirfd);
	ZSTD_freeCCtx(w->cctx);
	free(w->path);
	free(w->name);
	free(w->tmp);
	free(w);
}

/* The directory and name FILE is replaced under: w->dirfd, w->name. */
static int writer_resolve(struct pa_snap_writer *w, char *err, size_t errlen)
{
	char *cur = pa_xstrdup(w->path), link[4096];
	int r = -1;

	for (int hop = 0;; hop++) {
		char *slash = strrchr(cur, '/'), *base = slash ? slash + 1 : cur;
		struct stat st;
		ssize_t n;
		int fd, sr;

		if (slash)
			*slash = '\0';
		fd = openat(w->dirfd >= 0 ? w->dirfd : AT_FDCWD, !slash ? "." : slash == cur ? "/" : cur,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			ERR("%s: cannot open its directory: %s", w->path, strerror(errno));
			break;
		}
		if (w->dirfd >= 0)
			close(w->dirfd);
		w->dirfd = pa_fd_above_stderr(fd);
		if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
			ERR("%s: is a directory (a snapshot is a file)", w->path);
			break;
		}
		sr = fstatat(w->dirfd, base, &st, AT_SYMLINK_NOFOLLOW);
		if (sr < 0 && errno != ENOENT) {
			ERR("%s: %s", w->path, strerror(errno));
			break;
		}
		if (sr < 0 || S_ISREG(st.st_mode)) {
			w->name = pa_xstrdup(base);
			r = 0;
			break;
		}
		if (!S_ISLNK(st.st_mode)) {
			ERR("%s: exists and is not a regular file", w->path);
			break;
		}
		if (st.st_uid != geteuid() && st.st_uid != 0) {
			ERR("%s: is a symbolic link of another user (uid %u): not followed; "
			    "remove it or save elsewhere", w->path, (unsigned)st.st_uid);
			break;
		}
		if (hop == MAX_LINKS) {
			ERR("%s: %s", w->path, strerror(ELOOP));
			break;
		}
		/* read the link through a descriptor of the link itself, so
		 * that it cannot be swapped between the check and the read */
		fd = openat(w->dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode) ||
		    (st.st_uid != geteuid() && st.st_uid != 0) ||
		    (n = readlinkat(fd, "", link, sizeof(link) - 1)) <= 0) {
			ERR("%s: the symbolic link changed while it was read", w->path);
			if (fd >= 0)
				close(fd);
			break;
		}
		close(fd);
		link[n] = '\0';
		free(cur);
		cur = pa_xstrdup(link);	/* relative to w->dirfd */
	}
	free(cur);
	return r;
}

/* A new temporary file .NAME.XXXXXX next to FILE. */
static int writer_tmp(struct pa_snap_writer *w, char *err, size_t errlen)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t len = strlen(w->name) + 9;
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL) ^ (unsigned)(uintptr_t)w;

	w->tmp = pa_xrealloc(NULL, len, 1);
	for (int tries = 0; tries < 100; tries++) {
		char *x;

		snprintf(w->tmp, len, ".%s.XXXXXX", w->name);
		for (x = w->tmp + len - 7; *x; x++)
			*x = chars[rand_r(&seed) % (sizeof(chars) - 1)];
		w->fd = openat(w->dirfd, w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       0666);
		if (w->fd >= 0) {
			w->fd = pa_fd_above_stderr(w->fd);
			if (w->fd >= 0)
				return 0;
			unlinkat(w->dirfd, w->tmp, 0);
			break;
		}
		if (errno != EEXIST)
			break;
	}
	ERR("%s: cannot create a temporary file in its directory: %s", w->path, strerror(errno));
	free(w->tmp);
	w->tmp = NULL;
	return -1;
}

/* --append: check the captures already in FILE (the first is decoded,
 * every checksum verified) and copy them. */
static int writer_copy(struct pa_snap_writer *w, bool *copied, char *err, size_t errlen)
{
	int fd = openat(w->dirfd, w->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct pa_snap_capture c;
	size_t count, len;
	uint8_t *data;
	struct stat st;
	char why[1024];
	int r = 0;

	*copied = false;
	if (fd < 0)
		return errno == ENOENT ? 0 : ERR("%s: %s", w->path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > SIZE_MAX / 2) {
		close(fd);
		return ERR("%s: exists and is not a regular file", w->path);
	}
	len = (size_t)st.st_size;
	data = pa_xrealloc(NULL, len ? len : 1, 1);
	for (size_t done = 0; done < len && !r;) {
		ssize_t k = pread(fd, data + done, len - done, (off_t)done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			r = ERR("%s: read error: %s", w->path, k < 0 ? strerror(errno) : "file shrank");
		else
			done += (size_t)k;
	}
	close(fd);
	if (!r && pa_snap_read_mem(data, len, 1, PA_SNAP_MAX_RAW, &c, &count, why, sizeof(why)) < 0)
		r = ERR("cannot append: %s: %s", w->path, why);
	else if (!r)
		pa_snap_capture_free(&c);
	if (!r && (r = write_all(w->fd, data, len)) < 0)
		r = ERR("%s: cannot copy the captures: %s", w->path, strerror(-r));
	free(data);
	if (r)
		return -1;
	w->size = len;
	*copied = true;
	return 0;
}

struct pa_snap_writer *pa_snap_writer_open(const char *path, bool append, char *err, size_t errlen)
{
	struct pa_snap_writer *w = calloc(1, sizeof(*w));
	uint8_t hdr[PA_SNAP_HDR_SIZE] = { 0 };
	bool copied = false;
	int r;

	if (!w) {
		ERR("%s: out of memory", path);
		return NULL;
	}
	w->fd = -1;
	w->dirfd = -1;
	w->path = pa_xstrdup(path);
	if (writer_resolve(w, err, errlen) < 0 || writer_tmp(w, err, errlen) < 0)
		goto fail;
	if (append && writer_copy(w, &copied, err, errlen) < 0)
		goto fail;
	if (!copied) {
		pa_snap_file_header(hdr);
		if ((r = write_all(w->fd, hdr, sizeof(hdr))) < 0) {
			ERR("%s: write error: %s", w->path, strerror(-r));
			goto fail;
		}
		w->size = sizeof(hdr);
	}
	w->cctx = ZSTD_createCCtx();
	if (!w->cctx) {
		ERR("out of memory");
		goto fail;
	}
	return w;
fail:
	pa_snap_writer_abort(w);
	return NULL;
}

static int writer_add_parts(struct pa_snap_writer *w, const uint8_t *a, size_t alen,
			    const uint8_t *b, size_t blen, char *err, size_t errlen)
{
	uint8_t *rec;
	size_t n;
	int r;

	n = pa_snap_record(w->cctx, a, alen, b, blen, &rec, err, errlen);
	if (!n)
		return -1;
	r = write_all(w->fd, rec, n);
	free(rec);
	if (r < 0)
		return ERR("%s: write error: %s", w->path, strerror(-r));
	w->size += n;
	return 0;
}

int pa_snap_writer_add(struct pa_snap_writer *w, const struct pa_snap_capture *c,
		       char *err, size_t errlen)
{
	uint8_t *raw;
	size_t rlen;
	int r;

	pa_snap_encode(c, &raw, &rlen);
	r = writer_add_parts(w, raw, rlen, NULL, 0, err, errlen);
	free(raw);
	return r;
}

uint64_t pa_snap_writer_size(const struct pa_snap_writer *w)
{
	return w->size;
}

int pa_snap_writer_commit(struct pa_snap_writer *w, char *err, size_t errlen)
{
	int r = 0;

	if (fsync(w->fd) < 0 && errno != EINVAL)
		r = ERR("%s: write error: %s; the file was not written", w->path, strerror(errno));
	else if (close(w->fd) < 0) {
		w->fd = -1;
		r = ERR("%s: write error: %s; the file was not written", w->path, strerror(errno));
	} else {
		w->fd = -1;
		if (renameat(w->dirfd, w->tmp, w->dirfd, w->name) < 0)
			r = ERR("%s: cannot rename %s to it: %s", w->path, w->tmp, strerror(errno));
		else {
			free(w->tmp);
			w->tmp = NULL;
		}
	}
	pa_snap_writer_abort(w);
	return r;
}

/* ------------------------------------------------------------------ */
/* Capture                                                             */

struct cap_ctx {
	struct pa_snap_proc *p;
	const struct pa_kinfo *k;
	/* --save: pages go straight into the payload as blocks, encoded by
	 * the walk's consumer while its workers read the next pages */
	struct pa_snap_buf *out;
	struct pa_snap_delta d;
	uint64_t *t;		/* STREAM_PAGES x 5 words */
	uint8_t *tpg;
};

#define STREAM_PAGES 4096

static bool excl_small(const struct pa_kinfo *k, uint64_t kf)
{
	return k->anon_exclusive_bit &&
	       (kf & (PA_BIT(ANON) | PA_BIT(OWNER_2) | PA_BIT(KSM) | PA_BITS_COMPOUND)) ==
	       (PA_BIT(ANON) | PA_BIT(OWNER_2));
}

/* Page i of a batch in the form it is recorded. */
static void page_of(const struct cap_ctx *c, const struct pa_page_batch *b, size_t i, uint64_t *kf,
		    uint64_t *kc, uint64_t *kcg, uint8_t *pg)
{
	*kf = b->pfn[i] ? b->kflags[i] : 0;
	*kc = b->pfn[i] && b->kcount ? b->kcount[i] : 0;
	/* not read for small exclusive anonymous pages (walk.c) */
	if (!*kc && b->pfn[i] && excl_small(c->k, *kf))
		*kc = 1;
	*kcg = b->pfn[i] && b->kcgroup ? b->kcgroup[i] : 0;
	*pg = b->pgflags[i] & PA_PG_PMD_MAPPED;
}

static int cap_batch(void *ctx, const struct pa_page_batch *b)
{
	struct cap_ctx *c = ctx;
	struct pa_snap_proc *p = c->p;

	if (c->out) {
		for (size_t i = 0; i < b->n; i += STREAM_PAGES) {
			size_t k = b->n - i < STREAM_PAGES ? b->n - i : STREAM_PAGES;
			uint64_t *kf = c->t, *kc = kf + STREAM_PAGES, *kcg = kc + STREAM_PAGES;

			for (size_t j = 0; j < k; j++)
				page_of(c, b, i + j, &kf[j], &kc[j], &kcg[j], &c->tpg[j]);
			pa_snap_encode_block(c->out, &c->d, k, b->index + i, b->pme + i, c->tpg, kf, kc, kcg);
		}
		p->n += b->n;
		return 0;
	}
	if (p->n + b->n > p->cap) {
		size_t cap = p->cap ? p->cap : 4096;

		while (cap < p->n + b->n)
			cap *= 2;
		pa_snap_proc_reserve(p, cap);
	}
	for (size_t i = 0; i < b->n; i++) {
		size_t j = p->n++;

		p->vpn[j] = b->index[i];
		p->pme[j] = b->pme[i];
		page_of(c, b, i, &p->kflags[j], &p->kcount[j], &p->kcgroup[j], &p->pg[j]);
	}
	return 0;
}

/* State letter and parent from "pid (comm) S ppid ...". */
static void read_stat(struct pa_session *s, struct pa_snap_proc *p)
{
	struct pa_proc_stat ps;

	p->state = 'R';
	if (pa_session_proc_stat(s, p->pid, &ps) == 0) {
		p->state = ps.state;
		p->ppid = ps.ppid;
	}
}

/* Populated pages to expect: VmRSS + VmSwap, at most the mapped pages. */
static size_t populated_estimate(struct pa_session *s, pid_t pid, const struct pa_maps *m)
{
	char rel[64], buf[4096];
	const char *q;
	uint64_t kb = 0, mapped = 0, n;

	for (size_t i = 0; i < m->n; i++)
		mapped += (m->v[i].end - m->v[i].start) / (uint64_t)s->src->page_size;
	snprintf(rel, sizeof(rel), "proc/%d/status", (int)pid);
	if (pa_source_read_text(s->src, rel, buf, sizeof(buf)) > 0) {
		if ((q = strstr(buf, "\nVmRSS:")))
			kb += strtoull(q + 7, NULL, 10);
		if ((q = strstr(buf, "\nVmSwap:")))
			kb += strtoull(q + 8, NULL, 10);
	}
	n = kb * 1024 / (uint64_t)s->src->page_size;
	n += n / 16 + 4096;
	if (n > mapped)
		n = mapped ? mapped : 1;
	return n > SIZE_MAX / 64 ? SIZE_MAX / 64 : (size_t)n;
}

static int capture(struct pa_session *s, const pid_t *pids, size_t npids, const char *label,
		   struct pa_snap_capture *c, size_t *skipped, struct pa_snap_buf *out)
{
	struct pa_source *src = s->src;
	struct timespec ts;
	double t0 = pa_now();
	/* kpagecgroup costs the kernel nearly as much as kpageflags: only
	 * with --page-cgroups */
	bool cg = s->opt->page_cgroups && src->ops->has_kfile(src, PA_KPAGECGROUP);
	struct pa_walk_opts wo = {
		.need_kflags = true,
		.need_count = true,
		.count_all = true,
		.count_not_excl = true,
		.need_cgroup = cg,
		.threads = s->opt->threads,
		.scan = s->opt->scan,
		.stop = &pa_stop_flag,
	};

	memset(c, 0, sizeof(*c));
	*skipped = 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	c->time_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	snprintf(c->label, sizeof(c->label), "%s", label ? label : "");
	if (gethostname(c->host, sizeof(c->host) - 1) < 0)
		c->host[0] = '\0';
	snprintf(c->release, sizeof(c->release), "%s", src->release);
	c->page_size = src->page_size;
	c->kinfo = s->kinfo;
	c->kfiles = 1u << PA_KPAGEFLAGS | 1u << PA_KPAGECOUNT | (cg ? 1u << PA_KPAGECGROUP : 0);
	{
		/* /proc/self/cmdline: NUL separated */
		char buf[sizeof(c->cmdline)];
		int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

		if (fd >= 0)
			close(fd);
		for (ssize_t i = 0; i < n; i++)
			c->cmdline[i] = buf[i] ? buf[i] : ' ';
		while (n > 0 && c->cmdline[n - 1] == ' ')
			n--;
		c->cmdline[n > 0 ? n : 0] = '\0';
	}
	for (size_t i = 0; i < npids && !pa_stop_flag; i++) {
		struct pa_snap_proc *p = pa_snap_add_proc(c);
		struct pa_walk_stats st = { 0 };
		struct pa_target *t = NULL;
		struct cap_ctx cc = { .p = p, .k = &s->kinfo, .out = out };
		size_t sec = 0;
		char msg[640];
		int r;

		p->pid = pids[i];
		r = src->ops->open_target(src, p->pid, &t);
		if (!r)
			r = src->ops->read_maps(t, &p->maps);
		if (!r) {
			struct pa_procinfo info;

			snprintf(p->comm, sizeof(p->comm), "%s", t->comm);
			read_stat(s, p);
			if (pa_procinfo_read(src, p->pid, &info) == PA_PROC_USER) {
				p->uid = info.uid;
				snprintf(p->cgroup, sizeof(p->cgroup), "%s", info.cgroup);
			}
			/* pinned memory as the report reads it (collect.c) */
			p->vm_pin_kb = pa_pinned_vmpin_kb(src, p->pid);
			if (p->vm_pin_kb)
				pa_pinned_read(src, p->pid, &p->pins);
			if (out) {
				uint64_t est = populated_estimate(s, p->pid, &p->maps);

				sec = pa_snap_sec_begin(out, PA_SNAP_SEC_PROC);
				pa_snap_encode_proc_head(out, p);
				/* ~9 bytes a page; growing the buffer while the
				 * walk's threads run costs mremap()s that stall
				 * them */
				pa_snap_buf_room(out, est > SIZE_MAX / 16 ? SIZE_MAX / 16 : (size_t)est * 10);
				cc.t = pa_xrealloc(NULL, 5 * STREAM_PAGES, sizeof(*cc.t));
				cc.tpg = pa_xrealloc(NULL, STREAM_PAGES, 1);
			} else {
				/* the same for the arrays */
				pa_snap_proc_reserve(p, populated_estimate(s, p->pid, &p->maps));
			}
			r = pa_walk_target(t, &p->maps, &s->kinfo, &wo, cap_batch, &cc, &st);
			free(cc.t);
			free(cc.tpg);
			if (!r && (t->gone || st.partial))
				r = -ESRCH;
			if (out && !r) {
				pa_snap_sec_end(out, sec);
				pa_snap_encode_pinned(out, p);
			} else if (out) {
				out->n = sec - 8;	/* drop the section */
			}
			if (!r && t->pfn_hidden)
				pa_warn("process %d: PFNs hidden (CAP_SYS_ADMIN missing): the snapshot "
					"cannot tell exclusive pages; run as root", (int)p->pid);
		}
		if (t)
			src->ops->close_target(t);
		if (r < 0) {
			if (r == -EINTR || pa_stop_flag)
				snprintf(msg, sizeof(msg), "interrupted");
			else if (st.errpath[0])
				snprintf(msg, sizeof(msg), "%s: %s (while reading process %d)",
					 st.errpath, strerror(-r), (int)p->pid);
			else if (r == -ESRCH && p->maps.n)
				snprintf(msg, sizeof(msg), "process %d exited during the capture",
					 (int)p->pid);
			else
				pa_explain_open_error(s, p->pid, -r, msg, sizeof(msg));
			/* --all: processes come and go, only count them */
			if (!(s->opt->all && (r == -ESRCH || r == -ENOENT)))
				pa_warn("%s: left out of the snapshot", msg);
			pa_snap_proc_free(p);
			c->nprocs--;
			++*skipped;
		}
	}
	c->took_us = (uint64_t)((pa_now() - t0) * 1e6);
	return pa_stop_flag ? -EINTR : 0;
}

int pa_snap_capture(struct pa_session *s, const pid_t *pids, size_t npids, const char *label,
		    struct pa_snap_capture *c, size_t *skipped)
{
	return capture(s, pids, npids, label, c, skipped, NULL);
}

int pa_snap_save(struct pa_session *s)
{
	struct pa_options *o = s->opt;
	struct pa_snap_capture c;
	struct pa_snap_writer *w;
	char err[1024], hs[32], fs[32];
	uint64_t pages = 0, fsize = 0;
	double t0 = pa_now();
	size_t npids, skipped;
	struct pa_snap_buf procs = { 0 }, infob = { 0 };
	pid_t *pids;
	int r;

	w = pa_snap_writer_open(o->save, o->append, err, sizeof(err));
	if (!w) {
		pa_error("%s", err);
		return PA_EXIT_ERROR;
	}
	if (o->all) {
		/* every user process but page-anon itself; kernel threads
		 * have no user memory (procs.c) */
		ssize_t n = pa_source_pids(s->src, &pids);
		struct pa_procinfo info;

		npids = 0;
		for (ssize_t i = 0; i < n; i++)
			if (pids[i] != getpid() &&
			    pa_procinfo_read(s->src, pids[i], &info) == PA_PROC_USER)
				pids[npids++] = pids[i];
		if (n < 0) {
			pa_error("cannot list the processes: %s", strerror((int)-n));
			pa_snap_writer_abort(w);
			return PA_EXIT_ERROR;
		}
	} else {
		pa_expand_children(s, o->pids, o->npids, &pids, &npids);
	}
	if (o->freeze)
		pa_freeze(s->src, pids, npids);
	r = capture(s, pids, npids, "save", &c, &skipped, &procs);
	if (o->freeze)
		pa_thaw();
	free(pids);
	pa_privs_drop();
	if (r < 0 || !c.nprocs) {
		pa_error("%s: %s; nothing written", o->save,
			 r < 0 ? "interrupted" : "no process could be captured");
		pa_snap_capture_free(&c);
		pa_snap_writer_abort(w);
		free(procs.p);
		return PA_EXIT_ERROR;
	}
	pa_snap_encode_info(&infob, &c, c.nprocs);
	r = writer_add_parts(w, infob.p, infob.n, procs.p, procs.n, err, sizeof(err));
	free(infob.p);
	free(procs.p);
	if (r == 0)
		fsize = pa_snap_writer_size(w);
	if (r < 0 || pa_snap_writer_commit(w, err, sizeof(err)) < 0) {
		if (r < 0)
			pa_snap_writer_abort(w);
		pa_error("%s", err);
		pa_snap_capture_free(&c);
		return PA_EXIT_ERROR;
	}
	for (size_t i = 0; i < c.nprocs; i++)
		pages += c.procs[i].n;
	pa_human_size(pages * (uint64_t)c.page_size, hs, sizeof(hs));
	pa_human_size(fsize, fs, sizeof(fs));
	fprintf(stderr, "%s: saved %zu process%s, %llu populated pages (%s) to %s: %s in %.2f s",
		pa_progname, c.nprocs, c.nprocs == 1 ? "" : "es", (unsigned long long)pages, hs,
		o->save, fs, pa_now() - t0);
	if (skipped)
		fprintf(stderr, " (%zu left out)", skipped);
	fputc('\n', stderr);
	pa_snap_capture_free(&c);
	/* --all: a process that exited meanwhile is no failure */
	return skipped && !o->all ? PA_EXIT_PARTIAL : PA_EXIT_OK;
}

