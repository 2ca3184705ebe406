// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The procfs data source: every read of /proc goes through here.  A root
 * prefix (--sysroot) lets the same code read a captured tree, where
 * pagemap is a plain (sparse) file and the PAGEMAP_SCAN ioctl fails with
 * ENOTTY, exactly like on a kernel older than 6.7.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "page-anon.h"

/* PAGEMAP_SCAN uapi (include/uapi/linux/fs.h, 6.7+); bookworm's headers
 * (6.1) lack it, so carry the definitions and probe at run time. */
struct pa_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PA_PAGEMAP_SCAN _IOWR('f', 16, struct pa_pm_scan_arg)

static const char *const kfile_name[PA_KFILE__N] = {
	[PA_KPAGEFLAGS] = "proc/kpageflags",
	[PA_KPAGECOUNT] = "proc/kpagecount",
	[PA_KPAGECGROUP] = "proc/kpagecgroup",
};

int pa_source_path(const struct pa_source *s, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, len, "%s/", s->root);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, len - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= len - (size_t)n)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Open a file of the live /proc with the capabilities of a file-capable
 * binary raised for just this call (caps.c); any other path (a --sysroot
 * tree, -F) is opened with the user's own rights and must be a regular
 * file or a character device: O_NONBLOCK keeps a FIFO from blocking the
 * open, and the type check from blocking the reads.  Returns an fd or
 * -errno (EISDIR for a directory, EINVAL for a FIFO, socket or block
 * device).
 */
static int open_data_file(const char *path, bool live)
{
	struct stat st;
	int fd, err;

	if (live) {
		pa_privs_raise();
		fd = open(path, O_RDONLY | O_CLOEXEC);
		err = errno;
		pa_privs_lower();
		return fd < 0 ? -err : fd;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if (fcntl(fd, F_SETFL, 0) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

int pa_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
#else
	(void)pid;
	return -ENOSYS;
#endif
}

int pa_pidfd_alive(int pidfd)
{
#ifdef SYS_pidfd_send_signal
	/* Signal 0 only checks: ESRCH once the process has exited (a zombie
	 * still counts as alive; its pagemap open fails with ESRCH). */
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
		return errno == ESRCH ? 0 : -errno;
	return 1;
#else
	(void)pidfd;
	return -ENOSYS;
#endif
}

/* pread that retries short reads and EINTR; returns bytes or -errno. */
static ssize_t full_pread(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, off + (off_t)done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return done ? (ssize_t)done : -errno;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static ssize_t procfs_read_pfn(struct pa_source *s, enum pa_kfile f, uint64_t *buf,
			       uint64_t pfn, size_t n)
{
	ssize_t r;

	if (s->fd[f] < 0)
		return -EBADF;
	if (f == PA_KPAGEFLAGS && s->kpageflags_end) {
		if (pfn >= s->kpageflags_end)
			return 0;
		if (n > s->kpageflags_end - pfn)
			n = (size_t)(s->kpageflags_end - pfn);
	}
	if (pfn > (uint64_t)INT64_MAX / 8)
		return 0;
	if (n > (uint64_t)INT64_MAX / 8 - pfn)	/* offset + length fit off_t */
		n = (size_t)((uint64_t)INT64_MAX / 8 - pfn);
	/* Offsets and lengths must be multiples of 8 (EINVAL otherwise);
	 * reads at or past round_up(max_pfn, PAGES_PER_SECTION) return 0. */
	r = full_pread(s->fd[f], buf, n * 8, (off_t)(pfn * 8));
	if (r < 0)
		return r;
	return r / 8;
}

static bool procfs_has_kfile(struct pa_source *s, enum pa_kfile f)
{
	return s->fd[f] >= 0;
}

int pa_source_may_read(const struct pa_source *s, pid_t pid, char *why, size_t len)
{
	char rel[64], path[4096], buf[4096];
	struct stat st;
	int n;

	if (*s->root || !pa_privs_check_targets())
		return 0;
	/* both read with the user's own rights (hidepid= applies) */
	snprintf(rel, sizeof(rel), "proc/%d/status", (int)pid);
	n = pa_source_read_text(s, rel, buf, sizeof(buf));
	if (n == -ENOENT || n == -ESRCH || n == 0)
		return -ESRCH;
	if (n < 0) {
		snprintf(why, len, "/%s: %s", rel, strerror(-n));
		return -EACCES;
	}
	if (pa_source_path(s, path, sizeof(path), "proc/%d/pagemap", (int)pid) < 0)
		return -ENAMETOOLONG;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ESRCH)
			return -ESRCH;
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -EACCES;
	}
	return pa_privs_judge_target(pid, buf, st.st_uid, st.st_gid, why, len);
}

/* 0, or -EACCES/-ESRCH: see pa_source_may_read(). */
static int may_read(const struct pa_source *s, pid_t pid)
{
	char why[8];

	return pa_source_may_read(s, pid, why, sizeof(why));
}

static int procfs_open_target(struct pa_source *s, pid_t pid, struct pa_target **out)
{
	struct pa_target *t;
	char path[4096];
	int fd, err;

	if (pa_source_path(s, path, sizeof(path), "proc/%d/pagemap", (int)pid) < 0)
		return -ENAMETOOLONG;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->src = s;
	t->pid = pid;
	t->pidfd = -1;
	/* A pidfd taken before opening pagemap pins the identity of the
	 * process: if it is reaped and the PID reused between here and the
	 * open below, pidfd_send_signal(0) fails and we notice. */
	if (!*s->root) {
		t->pidfd = pa_pidfd_open(pid);
		if (t->pidfd < 0)
			t->pidfd = -1;
	}
	/* PTRACE_MODE_READ and the CAP_SYS_ADMIN check for PFNs are done at
	 * open time against the opener's credentials (since 4.2).  With file
	 * capabilities, only what the user could read without them (caps.c),
	 * checked before and after the open. */
	fd = may_read(s, pid);
	if (!fd)
		fd = open_data_file(path, !*s->root);
	if (fd >= 0 && (err = may_read(s, pid)) < 0) {
		close(fd);
		fd = err;
	}
	if (fd < 0) {
		err = fd;
		if (t->pidfd >= 0)
			close(t->pidfd);
		free(t);
		return err;
	}
	if (t->pidfd >= 0 && pa_pidfd_alive(t->pidfd) == 0) {
		close(fd);
		close(t->pidfd);
		free(t);
		return -ESRCH;
	}
	t->pagemap_fd = fd;
	snprintf(path, sizeof(path), "proc/%d/comm", (int)pid);
	if (pa_source_read_text(s, path, t->comm, sizeof(t->comm)) < 0)
		t->comm[0] = '\0';
	*out = t;
	return 0;
}

static void procfs_close_target(struct pa_target *t)
{
	if (!t)
		return;
	close(t->pagemap_fd);
	if (t->pidfd >= 0)
		close(t->pidfd);
	free(t);
}

static int procfs_read_maps(struct pa_target *t, struct pa_maps *m)
{
	char path[4096];
	size_t bad = 0;
	FILE *f;
	int r, fd;

	if (pa_source_path(t->src, path, sizeof(path), "proc/%d/maps", (int)t->pid) < 0)
		return -ENAMETOOLONG;
	if ((r = may_read(t->src, t->pid)) < 0)
		return r;
	fd = open_data_file(path, !*t->src->root);
	if (fd < 0)
		return fd;
	f = fdopen(fd, "r");
	if (!f) {
		r = -errno;
		close(fd);
		return r;
	}
	r = pa_maps_parse(f, m, &bad);
	fclose(f);
	if (r < 0) {
		if (bad) {
			pa_error("%s: line %zu: unexpected format", path, bad);
			return -EINVAL;
		}
		return -EIO;
	}
	return 0;
}

static ssize_t procfs_read_pagemap(struct pa_target *t, uint64_t *buf, uint64_t vpn, size_t n)
{
	ssize_t r;

	if (vpn > (uint64_t)INT64_MAX / 8)
		return 0;
	if (n > (uint64_t)INT64_MAX / 8 - vpn)
		n = (size_t)((uint64_t)INT64_MAX / 8 - vpn);
	r = full_pread(t->pagemap_fd, buf, n * 8, (off_t)(vpn * 8));
	if (r < 0)
		return r;
	return r / 8;
}

static int procfs_scan(struct pa_target *t, uint64_t start, uint64_t end, uint64_t anyof,
		       uint64_t ret_mask, struct pa_region *vec, size_t vlen, uint64_t *walk_end)
{
	struct pa_pm_scan_arg arg = {
		.size = sizeof(arg),
		.flags = 0,	/* never PM_SCAN_WP_MATCHING: read-only */
		.start = start,
		.end = end,
		.vec = (uint64_t)(uintptr_t)vec,
		.vec_len = vlen,
		.category_anyof_mask = anyof,
		.return_mask = ret_mask,
	};
	int r;

	do
		r = ioctl(t->pagemap_fd, PA_PAGEMAP_SCAN, &arg);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	*walk_end = arg.walk_end;
	return r;
}

static void procfs_destroy(struct pa_source *s)
{
	for (int i = 0; i < PA_KFILE__N; i++)
		if (s->fd[i] >= 0)
			close(s->fd[i]);
	free(s->root);
	free(s->kpageflags_path);
	free(s);
}

static const struct pa_source_ops procfs_ops = {
	.read_pfn = procfs_read_pfn,
	.has_kfile = procfs_has_kfile,
	.open_target = procfs_open_target,
	.close_target = procfs_close_target,
	.read_maps = procfs_read_maps,
	.read_pagemap = procfs_read_pagemap,
	.scan = procfs_scan,
	.destroy = procfs_destroy,
};

int pa_source_read_text(const struct pa_source *s, const char *rel, char *buf, size_t len)
{
	char path[4096];
	ssize_t n;
	int fd;

	if (s->ops->read_text)
		return s->ops->read_text(s, rel, buf, len);
	if (pa_source_path(s, path, sizeof(path), "%s", rel) < 0)
		return -ENAMETOOLONG;
	if (*s->root)
		fd = open_data_file(path, false);
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		fd = -errno;
	if (fd < 0)
		return fd;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	buf[n] = '\0';
	return (int)n;
}

struct pa_source *pa_source_procfs(const char *root, const char *kpageflags)
{
	struct pa_source *s = calloc(1, sizeof(*s));
	struct utsname u;

	if (!s)
		return NULL;
	s->ops = &procfs_ops;
	/* "/" and "" both mean the live system; strip trailing slashes. */
	s->root = pa_xstrdup(root ? root : "");
	for (size_t l = strlen(s->root); l > 0 && s->root[l - 1] == '/'; l--)
		s->root[l - 1] = '\0';
	s->kpageflags_path = kpageflags ? pa_xstrdup(kpageflags) : NULL;
	for (int i = 0; i < PA_KFILE__N; i++) {
		s->fd[i] = -1;
		s->kfile_errno[i] = 0;
	}
	s->page_size = sysconf(_SC_PAGESIZE);
	/* The kernel release of the data: a captured tree carries its own
	 * proc/sys/kernel/osrelease; the live system answers uname. */
	if (pa_source_read_text(s, "proc/sys/kernel/osrelease", s->release, sizeof(s->release)) <= 0) {
		if (*s->root || uname(&u) < 0)
			snprintf(s->release, sizeof(s->release), "unknown");
		else
			snprintf(s->release, sizeof(s->release), "%s", u.release);
	}
	if (*s->root) {
		char ps[32];

		/* A captured tree may come from a machine with another base
		 * page size: 4 KiB to 256 KiB, a power of two (every Linux
		 * architecture's PAGE_SIZE is). */
		if (pa_source_read_text(s, "page_size", ps, sizeof(ps)) > 0) {
			uint64_t v;

			if (pa_parse_u64(ps, &v) < 0 || v < 4096 || v > 262144 || (v & (v - 1))) {
				pa_error("%s/page_size: invalid page size '%s' (a power of two "
					 "from 4096 to 262144)", s->root, ps);
				pa_source_free(s);
				errno = EINVAL;
				return NULL;
			}
			s->page_size = (long)v;
		}
	}
	return s;
}

const char *pa_source_kfile_path(const struct pa_source *s, enum pa_kfile f, char *buf, size_t len)
{
	if (f == PA_KPAGEFLAGS && s->kpageflags_path)
		return s->kpageflags_path;
	pa_source_path(s, buf, len, "%s", kfile_name[f]);
	return buf;
}

/* The end of this machine's memory (max_pfn): the highest end of a
 * populated zone in /proc/zoneinfo ("spanned N" then "start_pfn: N" per
 * zone, mm/vmstat.c zoneinfo_show_print()); the number of physical pages
 * if that cannot be read. */
static uint64_t live_pfn_end(void)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	unsigned long long spanned = 0, start, end = 0;
	char line[256];
	long phys;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " spanned %llu", &spanned) == 1)
			continue;
		if (sscanf(line, " start_pfn: %llu", &start) == 1 && spanned &&
		    start + spanned > end)
			end = start + spanned;
	}
	if (f)
		fclose(f);
	if (end)
		return end;
	phys = sysconf(_SC_PHYS_PAGES);
	return phys > 0 ? (uint64_t)phys : 1;
}

int pa_source_open_kfiles(struct pa_source *s, unsigned mask)
{
	int first = 0;

	if (s->ops->open_kfiles)
		return s->ops->open_kfiles(s, mask);
	for (int i = 0; i < PA_KFILE__N; i++) {
		char path[4096];
		bool live = !*s->root;

		if (!(mask & (1u << i)) || s->fd[i] >= 0)
			continue;
		if (i == PA_KPAGEFLAGS && s->kpageflags_path) {
			/* -F names a user file: never opened with privileges */
			snprintf(path, sizeof(path), "%s", s->kpageflags_path);
			live = false;
		} else if (pa_source_path(s, path, sizeof(path), "%s", kfile_name[i]) < 0) {
			return -ENAMETOOLONG;
		}
		s->fd[i] = open_data_file(path, live);
		if (s->fd[i] >= 0 && i == PA_KPAGEFLAGS && s->kpageflags_path) {
			struct stat st;

			/* a device such as /dev/zero never ends */
			if (fstat(s->fd[i], &st) == 0 && (!S_ISREG(st.st_mode) || st.st_size == 0))
				s->kpageflags_end = live_pfn_end();
		}
		if (s->fd[i] < 0) {
			s->kfile_errno[i] = -s->fd[i];
			if (!first)
				first = s->fd[i];
			s->fd[i] = -1;
		}
	}
	return first;
}

int pa_source_children(const struct pa_source *s, pid_t pid, pid_t **pids, size_t *n, size_t *cap)
{
	char path[4096], *line = NULL;
	size_t lcap = 0;
	struct dirent *de;
	DIR *d;

	if (s->ops->children)
		return s->ops->children(s, pid, pids, n, cap);
	/* /proc/PID/task/TID/children lists the children of each thread
	 * (CONFIG_PROC_CHILDREN). */
	if (pa_source_path(s, path, sizeof(path), "proc/%d/task", (int)pid) < 0)
		return -ENAMETOOLONG;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char cpath[4096];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		if (pa_source_path(s, cpath, sizeof(cpath), "proc/%d/task/%s/children",
				   (int)pid, de->d_name) < 0)
			continue;
		f = fopen(cpath, "re");
		if (!f)
			continue;
		while (getline(&line, &lcap, f) > 0) {
			char *p = line, *end;

			for (;;) {
				long v = strtol(p, &end, 10);

				if (end == p)
					break;
				if (v > 0) {
					if (*n == *cap) {
						*cap = *cap ? 2 * *cap : 16;
						*pids = pa_xrealloc(*pids, *cap, sizeof(**pids));
					}
					(*pids)[(*n)++] = (pid_t)v;
				}
				p = end;
			}
		}
		fclose(f);
	}
	free(line);
	closedir(d);
	return 0;
}

void pa_source_free(struct pa_source *s)
{
	if (s)
		s->ops->destroy(s);
}

static int cmp_pid_t(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

ssize_t pa_source_pids(const struct pa_source *s, pid_t **pids)
{
	char path[4096];
	struct dirent *de;
	size_t n = 0, cap = 0;
	DIR *d;

	*pids = NULL;
	if (s->ops->pids)
		return s->ops->pids(s, pids);
	if (pa_source_path(s, path, sizeof(path), "proc") < 0)
		return -ENAMETOOLONG;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		pid_t pid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' || pa_parse_pid(de->d_name, &pid) < 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			*pids = pa_xrealloc(*pids, cap, sizeof(**pids));
		}
		(*pids)[n++] = pid;
	}
	closedir(d);
	if (n)
		qsort(*pids, n, sizeof(**pids), cmp_pid_t);
	return (ssize_t)n;
}
