// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * floor: what the kernel charges, on one core, for the data any per-page
 * walk needs: the pagemap entry and the kpageflags word of every present
 * page, each read in the cheapest way this program knows.  bench/run-bench
 * prints it next to page-anon's and page-types' time per page, so the
 * table shows how far from the kernel's own cost a tool is (page-anon
 * reads with two cores, so its time can drop to half the floor; where it
 * reads per folio instead of per page it can go below).
 *
 *   floor -p PID    the VMAs of /proc/PID/maps
 *   floor -p PID -c the same, and the kpagecount word of every present page
 *                   too (what a report needs where pages are mapped more
 *                   than once: after fork, its PSS)
 *   floor           every PFN of /proc/kpageflags
 *   floor -j N      the same, read by N processes at once, each its equal
 *                   part (what N cores together can do: the kernel's
 *                   reads slow each other down); total_ns is the wall time
 *
 * With -p:
 *   pagemap    the cheaper of (a) every VMA read linearly in batches of
 *              64 Ki entries and (b) PAGEMAP_SCAN (6.7+) for the populated
 *              regions, then pagemap for those regions only;
 *   kpageflags the present PFNs, sorted, read in runs (gaps of up to
 *              RUN_GAP entries are read through, as a pread costs more);
 *   kpagecount with -c, the same PFNs in the same runs.
 * Without -p: kpageflags from PFN 0 in batches of 64 Ki entries.
 * Only the reads are timed (the sort is not).  Prints one line:
 *   pages=N pagemap_ns=N kpageflags_ns=N kpagecount_ns=N total_ns=N
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH		(64 << 10)
#define RUN_GAP		4
#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_PFRAME_MASK	((1ULL << 55) - 1)

/* PAGEMAP_SCAN (include/uapi/linux/fs.h, 6.7+) */
struct scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
struct region {
	uint64_t start, end, categories;
};
#define SCAN_IOCTL	_IOWR('f', 16, struct scan_arg)
#define IS_PRESENT	(1ULL << 3)
#define IS_SWAPPED	(1ULL << 4)

static const char *prog = "floor";
static uint64_t buf[BATCH];
static int pagemap_fd = -1, kpageflags_fd = -1, kpagecount_fd = -1;
static long page_size;

struct vma {
	uint64_t start, end;	/* bytes */
};
static struct vma *vmas;
static size_t nvmas;
static uint64_t *pfns;
static size_t npfns, pfns_cap;

static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static size_t read_u64(int fd, uint64_t *out, uint64_t index, size_t n)
{
	ssize_t r = pread(fd, out, n * 8, (off_t)(index * 8));

	if (r < 0) {
		if (fd == pagemap_fd && (errno == ESRCH || errno == EIO))
			return 0;
		die("pread");
	}
	return (size_t)r / 8;
}

static void add_pfn(uint64_t pfn)
{
	if (npfns == pfns_cap) {
		pfns_cap = pfns_cap ? 2 * pfns_cap : 65536;
		pfns = realloc(pfns, pfns_cap * sizeof(*pfns));
		if (!pfns)
			die("realloc");
	}
	pfns[npfns++] = pfn;
}

/* Pages [vpn, vpn + count) of pagemap; keeps the present PFNs if keep. */
static void read_pagemap(uint64_t vpn, uint64_t count, int keep)
{
	while (count) {
		size_t want = count < BATCH ? (size_t)count : BATCH;
		size_t n = read_u64(pagemap_fd, buf, vpn, want);

		if (!n)
			return;
		if (keep)
			for (size_t i = 0; i < n; i++)
				if ((buf[i] & PM_PRESENT) && (buf[i] & PM_PFRAME_MASK))
					add_pfn(buf[i] & PM_PFRAME_MASK);
		vpn += n;
		count -= n;
	}
}

static void linear(int keep)
{
	for (size_t i = 0; i < nvmas; i++)
		read_pagemap(vmas[i].start / (uint64_t)page_size,
			     (vmas[i].end - vmas[i].start) / (uint64_t)page_size, keep);
}

/* 0: done; -1: PAGEMAP_SCAN not available. */
static int scanned(void)
{
	static struct region vec[512];

	for (size_t i = 0; i < nvmas; i++) {
		uint64_t pos = vmas[i].start;

		while (pos < vmas[i].end) {
			struct scan_arg a = {
				.size = sizeof(a), .start = pos, .end = vmas[i].end,
				.vec = (uint64_t)(uintptr_t)vec, .vec_len = 512,
				.category_anyof_mask = IS_PRESENT | IS_SWAPPED,
				.return_mask = IS_PRESENT | IS_SWAPPED,
			};
			int n = ioctl(pagemap_fd, SCAN_IOCTL, &a);

			if (n < 0) {
				if (errno == EFAULT)	/* [vsyscall] */
					break;
				return -1;
			}
			for (int j = 0; j < n && vec[j].start < a.walk_end; j++) {
				uint64_t e = vec[j].end < a.walk_end ? vec[j].end : a.walk_end;

				read_pagemap(vec[j].start / (uint64_t)page_size,
					     (e - vec[j].start) / (uint64_t)page_size, 0);
			}
			if (a.walk_end <= pos)
				break;
			pos = a.walk_end;
		}
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void read_maps(int pid)
{
	char path[64], line[4096];
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		die(path);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;

		if (sscanf(line, "%llx-%llx", &s, &e) != 2 || strstr(line, "[vsyscall]"))
			continue;
		if (nvmas == cap) {
			cap = cap ? 2 * cap : 64;
			vmas = realloc(vmas, cap * sizeof(*vmas));
			if (!vmas)
				die("realloc");
		}
		vmas[nvmas].start = s;
		vmas[nvmas].end = e;
		nvmas++;
	}
	fclose(f);
}

/* The sorted PFNs of a per-PFN file, in runs; returns the time taken. */
static uint64_t read_runs(int fd)
{
	uint64_t t0 = now_ns();

	for (size_t i = 0; i < npfns;) {
		uint64_t start = pfns[i], end = start + 1;
		size_t j = i + 1;

		while (j < npfns && pfns[j] <= end + RUN_GAP && pfns[j] - start < BATCH) {
			if (pfns[j] >= end)
				end = pfns[j] + 1;
			j++;
		}
		read_u64(fd, buf, start, (size_t)(end - start));
		i = j;
	}
	return now_ns() - t0;
}

/* kpageflags of PFNs [pfn, hi) in batches, up to the end of the file;
 * returns the PFN after the last one read. */
static uint64_t read_kpageflags(uint64_t pfn, uint64_t hi)
{
	size_t n;

	while (pfn < hi) {
		n = read_u64(kpageflags_fd, buf, pfn, hi - pfn < BATCH ? (size_t)(hi - pfn) : BATCH);
		if (!n)
			break;
		pfn += n;
	}
	return pfn;
}

/* Every PFN read by nproc processes at once, each its part; the wall
 * time from their common start to the end of the last. */
static int parallel(int nproc)
{
	uint64_t end = read_kpageflags(0, UINT64_MAX), t0, t;	/* untimed: the size */
	int go[2];

	if (pipe(go) < 0)
		die("pipe");
	for (int i = 0; i < nproc; i++) {
		pid_t c = fork();

		if (c < 0)
			die("fork");
		if (c == 0) {
			char b;

			close(go[1]);
			if (read(go[0], &b, 1) < 0)	/* EOF: all start */
				_exit(1);
			read_kpageflags(end * (uint64_t)i / (uint64_t)nproc,
					end * (uint64_t)(i + 1) / (uint64_t)nproc);
			_exit(0);
		}
	}
	close(go[0]);
	t0 = now_ns();
	close(go[1]);
	while (wait(NULL) > 0)
		;
	t = now_ns() - t0;
	printf("pages=%" PRIu64 " pagemap_ns=0 kpageflags_ns=%" PRIu64 " kpagecount_ns=0"
	       " total_ns=%" PRIu64 " procs=%d\n", end, t, t, nproc);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t t0, t_lin, t_scan = UINT64_MAX, t_pm, t_kf = 0, t_kc = 0, pages = 0;
	int pid = 0, nproc = 0;
	bool count = false;

	page_size = sysconf(_SC_PAGESIZE);
	if (argc >= 3 && !strcmp(argv[1], "-p")) {
		pid = atoi(argv[2]);
		count = argc == 4 && !strcmp(argv[3], "-c");
	} else if (argc == 3 && !strcmp(argv[1], "-j")) {
		nproc = atoi(argv[2]);
		if (nproc < 1 || nproc > 64)
			nproc = -1;
	}
	if (nproc < 0 || (argc != 1 && !nproc && (!pid || (argc == 4 && !count) || argc > 4))) {
		fprintf(stderr, "Usage: %s [-p PID [-c] | -j NPROC]\n", prog);
		return 2;
	}
	kpageflags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (kpageflags_fd < 0)
		die("/proc/kpageflags");
	if (count) {
		kpagecount_fd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
		if (kpagecount_fd < 0)
			die("/proc/kpagecount");
	}
	if (nproc)
		return parallel(nproc);
	if (!pid) {
		uint64_t pfn;

		t0 = now_ns();
		pfn = read_kpageflags(0, UINT64_MAX);
		t_kf = now_ns() - t0;
		printf("pages=%" PRIu64 " pagemap_ns=0 kpageflags_ns=%" PRIu64 " kpagecount_ns=0"
		       " total_ns=%" PRIu64 "\n", pfn, t_kf, t_kf);
		return 0;
	}

	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
		pagemap_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (pagemap_fd < 0)
			die(path);
	}
	read_maps(pid);
	linear(1);	/* untimed: collects the PFNs, warms the caches */

	t0 = now_ns();
	linear(0);
	t_lin = now_ns() - t0;
	t0 = now_ns();
	if (scanned() == 0)
		t_scan = now_ns() - t0;
	t_pm = t_lin < t_scan ? t_lin : t_scan;

	qsort(pfns, npfns, sizeof(*pfns), cmp_u64);
	t_kf = read_runs(kpageflags_fd);
	if (kpagecount_fd >= 0)
		t_kc = read_runs(kpagecount_fd);
	pages = npfns;
	printf("pages=%" PRIu64 " pagemap_ns=%" PRIu64 " kpageflags_ns=%" PRIu64
	       " kpagecount_ns=%" PRIu64 " total_ns=%" PRIu64 "\n", pages, t_pm, t_kf, t_kc,
	       t_pm + t_kf + t_kc);
	return 0;
}
