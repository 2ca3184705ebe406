// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pa-helper: put memory into a known state for the live tests, then obey
 * commands on stdin so a test can change that state step by step.
 *
 * Usage: pa-helper [-n PAGES] [-t THPS] [REGION...]
 *
 * Every named region (default: excl zero shared thp thp_pte ksm) is created
 * and announced on stdout as
 *	region NAME 0xSTART 0xEND [key=value...]
 * or, when the kernel or the system cannot provide it, as
 *	absent NAME reason
 * followed by "ready PID".  Then one command per line is read from stdin and
 * answered with exactly one line: "ok [info]", "err reason", or for "fork"
 * "child PID".  End of input quits.  The helper needs no privileges; tests
 * that change system settings do that themselves.
 *
 * Regions:
 *	excl	private anon, every page written (PG_anon_exclusive)
 *	zero	private anon, every page read only (shared zero page)
 *	hzero	MADV_HUGEPAGE, 2 MiB aligned, read only: the huge zero page
 *	shared	MAP_SHARED|MAP_ANONYMOUS, written (shmem: not anon)
 *	thp	MADV_HUGEPAGE, 2 MiB aligned, written; thp=K PMD THPs obtained
 *	thp_pte	one THP, then its last page made read-only: the VMA split
 *		PTE-maps the still large folio; thp=1 if a THP was obtained
 *	mthp	256 KiB, MADV_HUGEPAGE, written: 64 KiB mTHPs when the test has
 *		enabled hugepages-64kB (PTE-mapped large folios)
 *	ksm	pages of identical content (see the ksm-merge command)
 *	hugetlb	MAP_HUGETLB, THPS huge pages, written (needs nr_hugepages)
 *	swap	written, then paged out with MADV_PAGEOUT (needs active swap);
 *		swapped=K pages really out
 *	uffd_wp	written, then write-protected with userfaultfd (WP mode)
 *	guard	MADV_GUARD_INSTALL on every page (6.15+)
 *
 * Commands (NAME is a region):
 *	fork			child keeps the same regions; answers "child PID"
 *	child-write NAME	the child writes every page (COW)
 *	child-read NAME		the child reads every page
 *	child-poke NAME STRIDE [FIRST]
 *				the child writes one byte in every STRIDE-th
 *				page from page FIRST (default 0): a partial COW
 *	poke NAME STRIDE [FIRST]	the same in the helper
 *	child-exit		the child exits and is reaped
 *	write NAME, read NAME	the helper writes / reads every page
 *	munmap-part NAME [I]	unmap page I (default: the last page)
 *	mprotect-part NAME [I]	make page I read-only (default: the last page)
 *	ksm-merge NAME		madvise(MADV_MERGEABLE)
 *	ksm-unmerge NAME	madvise(MADV_UNMERGEABLE)
 *	pageout NAME		MADV_PAGEOUT, retried until every page is out
 *	ping			answers "ok"
 *	quit			exit (the child too)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

/* Not in every libc's headers (values from include/uapi/asm-generic/mman-common.h). */
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21		/* 5.4 */
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102	/* 6.13 (pagemap bit 58 since 6.15) */
#endif
#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1	/* 5.11 */
#endif

#define PMD_SIZE	(2UL << 20)
#define MTHP_LEN	(256UL << 10)
#define PM_SWAP		(1ULL << 62)

struct region {
	const char *name;
	char *addr;		/* NULL when absent */
	size_t len;
	char note[96];		/* key=value facts, or why the region is absent */
};

static long page_size;
static size_t npages = 64;
static size_t nthp = 2;
static struct region *regions;
static size_t nregions;
static pid_t child_pid;
static FILE *to_child, *from_child;
static unsigned char write_seq = 1;

static const char *const default_regions[] = {
	"excl", "zero", "shared", "thp", "thp_pte", "ksm",
};

/*
 * mmap len bytes aligned to align (a power of two), with a PROT_NONE page
 * on each side: a neighbouring anonymous mapping with the same flags would
 * otherwise be merged into the region's VMA (mm/vma.c), and the tests
 * select a region's VMAs by address.
 */
static char *map_aligned(size_t len, size_t align, int flags)
{
	size_t pg = (size_t)page_size, total = len + align + 2 * pg;
	char *p, *a;

	p = mmap(NULL, total, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)p + pg + align - 1) & ~(uintptr_t)(align - 1));
	if (a - pg > p)
		munmap(p, (size_t)(a - pg - p));
	if (a + len + pg < p + total)
		munmap(a + len + pg, (size_t)(p + total - (a + len + pg)));
	if (mprotect(a - pg, pg, PROT_NONE) < 0 || mprotect(a + len, pg, PROT_NONE) < 0)
		return NULL;
	return a;
}

/* Write one byte in pages first, first + stride, ... */
static int poke(const struct region *r, const char *stride_s, const char *first_s)
{
	size_t n = r->len / (size_t)page_size;
	unsigned long stride, first = 0;
	char *end;

	stride = strtoul(stride_s, &end, 0);
	if (*end || !stride)
		return -1;
	if (first_s && *first_s) {
		first = strtoul(first_s, &end, 0);
		if (*end)
			return -1;
	}
	for (size_t i = first; i < n; i += stride)
		((volatile char *)r->addr)[i * (size_t)page_size] ^= 0x5a;
	return 0;
}

static void touch_write(const struct region *r)
{
	for (size_t off = 0; off < r->len; off += (size_t)page_size)
		((volatile char *)r->addr)[off] = (char)(write_seq + off / (size_t)page_size);
	write_seq++;
}

static void touch_read(const struct region *r)
{
	for (size_t off = 0; off < r->len; off += (size_t)page_size)
		(void)((volatile char *)r->addr)[off];
}

/* AnonHugePages of the VMA starting at addr, in PMD-sized THPs.  Counts
 * only PMD mappings, which is what "a THP was obtained" means here. */
static long smaps_thps(const char *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		/* "START-END perms ..." begins a VMA; "Key: value" lines follow. */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in = start == (uintptr_t)addr;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb < 0 ? -1 : kb / (long)(PMD_SIZE >> 10);
}

static bool swap_active(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[512];
	int n = 0;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n > 1;		/* a header line, then one line per device */
}

/* Pages of r whose own pagemap entry has bit 62 (flags are visible without
 * privilege, only PFNs are hidden). */
static long count_swapped(const struct region *r)
{
	size_t n = r->len / (size_t)page_size;
	uint64_t *pm = calloc(n, sizeof(*pm));
	long cnt = 0;
	int fd;

	if (!pm)
		return -1;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, pm, n * sizeof(*pm),
			    (off_t)((uintptr_t)r->addr / (uintptr_t)page_size * sizeof(*pm))) !=
		      (ssize_t)(n * sizeof(*pm))) {
		if (fd >= 0)
			close(fd);
		free(pm);
		return -1;
	}
	close(fd);
	for (size_t i = 0; i < n; i++)
		if (pm[i] & PM_SWAP)
			cnt++;
	free(pm);
	return cnt;
}

/* MADV_PAGEOUT skips pages still sitting in a per-CPU LRU batch (it drains
 * only the local CPU's batch), so retry a bounded number of times. */
static long pageout(const struct region *r)
{
	long n = 0;

	for (int i = 0; i < 200; i++) {
		if (madvise(r->addr, r->len, MADV_PAGEOUT) < 0)
			return -errno;
		n = count_swapped(r);
		if (n < 0 || (size_t)n == r->len / (size_t)page_size)
			break;
		usleep(10000);
	}
	return n;
}

static int make_region(struct region *r)
{
	const int priv = MAP_PRIVATE | MAP_ANONYMOUS;
	size_t small = npages * (size_t)page_size;
	long n;

	if (!strcmp(r->name, "excl") || !strcmp(r->name, "zero") ||
	    !strcmp(r->name, "shared") || !strcmp(r->name, "ksm") ||
	    !strcmp(r->name, "swap") || !strcmp(r->name, "uffd_wp") ||
	    !strcmp(r->name, "guard")) {
		if (!strcmp(r->name, "swap") && !swap_active()) {
			snprintf(r->note, sizeof(r->note), "no active swap in /proc/swaps");
			return 0;
		}
		r->len = small;
		r->addr = map_aligned(small, (size_t)page_size,
				      !strcmp(r->name, "shared") ? MAP_SHARED | MAP_ANONYMOUS : priv);
		if (!r->addr)
			return -errno;
		/* Keep small pages whatever the system THP policy is. */
		if (strcmp(r->name, "shared"))
			madvise(r->addr, r->len, MADV_NOHUGEPAGE);
	} else if (!strcmp(r->name, "thp") || !strcmp(r->name, "thp_pte") ||
		   !strcmp(r->name, "hzero")) {
		r->len = (strcmp(r->name, "thp_pte") ? nthp : 1) * PMD_SIZE;
		r->addr = map_aligned(r->len, PMD_SIZE, priv);
		if (!r->addr)
			return -errno;
		if (madvise(r->addr, r->len, MADV_HUGEPAGE) < 0) {
			snprintf(r->note, sizeof(r->note), "MADV_HUGEPAGE: %s", strerror(errno));
			munmap(r->addr, r->len);
			r->addr = NULL;
			return 0;
		}
	} else if (!strcmp(r->name, "mthp")) {
		r->len = MTHP_LEN;
		r->addr = map_aligned(r->len, MTHP_LEN, priv);
		if (!r->addr)
			return -errno;
		madvise(r->addr, r->len, MADV_HUGEPAGE);
	} else if (!strcmp(r->name, "hugetlb")) {
		r->len = nthp * PMD_SIZE;
		r->addr = mmap(NULL, r->len, PROT_READ | PROT_WRITE, priv | MAP_HUGETLB, -1, 0);
		if (r->addr == MAP_FAILED) {
			snprintf(r->note, sizeof(r->note), "MAP_HUGETLB: %s", strerror(errno));
			r->addr = NULL;
			return 0;
		}
	} else {
		return -EINVAL;
	}

	if (!strcmp(r->name, "zero") || !strcmp(r->name, "hzero")) {
		/* hzero: a read fault in a MADV_HUGEPAGE range maps the huge
		 * zero page when transparent_hugepage/use_zero_page is 1 */
		touch_read(r);
	} else if (!strcmp(r->name, "ksm")) {
		/* Identical, non-zero contents: KSM merges them into one page
		 * (a zero-filled page could become the zero page instead
		 * when /sys/kernel/mm/ksm/use_zero_pages is set). */
		memset(r->addr, 0x5a, r->len);
	} else if (!strcmp(r->name, "guard")) {
		if (madvise(r->addr, r->len, MADV_GUARD_INSTALL) < 0) {
			snprintf(r->note, sizeof(r->note), "MADV_GUARD_INSTALL: %s", strerror(errno));
			munmap(r->addr, r->len);
			r->addr = NULL;
			return 0;
		}
	} else {
		touch_write(r);
	}

	if (!strcmp(r->name, "thp") || !strcmp(r->name, "thp_pte")) {
		n = smaps_thps(r->addr);
		snprintf(r->note, sizeof(r->note), "thp=%ld", n);
		/* Splitting the VMA splits the PMD mapping; the folio stays
		 * large and is now PTE-mapped (mm/huge_memory.c,
		 * vma_adjust_trans_huge()). */
		if (!strcmp(r->name, "thp_pte") &&
		    mprotect(r->addr + r->len - page_size, (size_t)page_size, PROT_READ) < 0)
			return -errno;
	} else if (!strcmp(r->name, "swap")) {
		n = pageout(r);
		if (n < 0)
			snprintf(r->note, sizeof(r->note), "swapped=unknown");
		else
			snprintf(r->note, sizeof(r->note), "swapped=%ld", n);
	} else if (!strcmp(r->name, "uffd_wp")) {
		struct uffdio_api api = { .api = UFFD_API };
		struct uffdio_register reg = {
			.range = { (uintptr_t)r->addr, r->len },
			.mode = UFFDIO_REGISTER_MODE_WP,
		};
		struct uffdio_writeprotect wp = {
			.range = { (uintptr_t)r->addr, r->len },
			.mode = UFFDIO_WRITEPROTECT_MODE_WP,
		};
		int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
		const char *step = "userfaultfd";

		if (fd >= 0) {
			step = "UFFDIO_API";
			if (!ioctl(fd, UFFDIO_API, &api)) {
				step = "UFFDIO_REGISTER";
				if (!ioctl(fd, UFFDIO_REGISTER, &reg)) {
					step = "UFFDIO_WRITEPROTECT";
					if (!ioctl(fd, UFFDIO_WRITEPROTECT, &wp))
						step = NULL;
				}
			}
		}
		/* The uffd stays open (and leaks on purpose) for the
		 * helper's lifetime: closing it would drop the protection. */
		if (step) {
			snprintf(r->note, sizeof(r->note), "%s: %s", step, strerror(errno));
			if (fd >= 0)
				close(fd);
			munmap(r->addr, r->len);
			r->addr = NULL;
		}
	}
	return 0;
}

static struct region *find_region(const char *name)
{
	for (size_t i = 0; i < nregions; i++)
		if (!strcmp(regions[i].name, name))
			return regions[i].addr ? &regions[i] : NULL;
	return NULL;
}

static void child_loop(int in, int out)
{
	FILE *fin = fdopen(in, "r"), *fout = fdopen(out, "w");
	char *line = NULL;
	size_t cap = 0;

	if (!fin || !fout)
		_exit(1);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(0);
	while (getline(&line, &cap, fin) > 0) {
		char cmd[32], name[32], a1[32] = "", a2[32] = "";
		struct region *r;

		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "exit"))
			_exit(0);
		if (sscanf(line, "%31s %31s %31s %31s", cmd, name, a1, a2) < 2 ||
		    !(r = find_region(name))) {
			fprintf(fout, "err child: bad command '%s'\n", line);
		} else if (!strcmp(cmd, "poke")) {
			if (poke(r, a1, a2) < 0)
				fprintf(fout, "err child: bad poke arguments\n");
			else
				fprintf(fout, "ok\n");
		} else if (!strcmp(cmd, "write")) {
			touch_write(r);
			fprintf(fout, "ok\n");
		} else if (!strcmp(cmd, "read")) {
			touch_read(r);
			fprintf(fout, "ok\n");
		} else {
			fprintf(fout, "err child: unknown command '%s'\n", cmd);
		}
		fflush(fout);
	}
	_exit(0);
}

static void do_fork(void)
{
	int down[2], up[2];
	pid_t pid;

	if (child_pid) {
		printf("err a child is already running\n");
		return;
	}
	if (pipe(down) < 0 || pipe(up) < 0) {
		printf("err pipe: %s\n", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("err fork: %s\n", strerror(errno));
		return;
	}
	if (!pid) {
		close(down[1]);
		close(up[0]);
		child_loop(down[0], up[1]);
	}
	close(down[0]);
	close(up[1]);
	to_child = fdopen(down[1], "w");
	from_child = fdopen(up[0], "r");
	child_pid = pid;
	printf("child %d\n", (int)pid);
}

static void child_exit(void)
{
	if (!child_pid)
		return;
	fprintf(to_child, "exit\n");
	fclose(to_child);
	fclose(from_child);
	waitpid(child_pid, NULL, 0);
	child_pid = 0;
}

static void child_cmd(const char *cmd, const char *name, const char *args)
{
	char buf[256];

	if (!child_pid) {
		printf("err no child\n");
		return;
	}
	fprintf(to_child, "%s %s %s\n", cmd, name, args ? args : "");
	fflush(to_child);
	if (!fgets(buf, sizeof(buf), from_child)) {
		printf("err child did not answer\n");
		return;
	}
	fputs(buf, stdout);
}

/* Page index argument: default the last page of the region. */
static int page_arg(const struct region *r, const char *arg, size_t *idx)
{
	size_t n = r->len / (size_t)page_size;
	char *end;

	if (!*arg) {
		*idx = n - 1;
		return 0;
	}
	errno = 0;
	*idx = strtoul(arg, &end, 0);
	return errno || *end || *idx >= n ? -1 : 0;
}

static void command(char *line)
{
	char cmd[32] = "", name[32] = "", arg[32] = "", arg2[32] = "";
	struct region *r = NULL;
	size_t idx;

	sscanf(line, "%31s %31s %31s %31s", cmd, name, arg, arg2);
	if (!strcmp(cmd, "ping")) {
		printf("ok\n");
		return;
	}
	if (!strcmp(cmd, "fork")) {
		do_fork();
		return;
	}
	if (!strcmp(cmd, "child-exit")) {
		if (child_pid) {
			child_exit();
			printf("ok\n");
		} else {
			printf("err no child\n");
		}
		return;
	}
	if (!strcmp(cmd, "quit")) {
		child_exit();
		printf("ok\n");
		fflush(stdout);
		exit(0);
	}
	if (*name && !(r = find_region(name))) {
		printf("err no region '%s'\n", name);
		return;
	}
	if (!r) {
		printf("err unknown command '%s'\n", line);
		return;
	}
	if (!strcmp(cmd, "child-write")) {
		child_cmd("write", name, NULL);
	} else if (!strcmp(cmd, "child-read")) {
		child_cmd("read", name, NULL);
	} else if (!strcmp(cmd, "child-poke")) {
		char args[80];

		snprintf(args, sizeof(args), "%s %s", arg, arg2);
		child_cmd("poke", name, args);
	} else if (!strcmp(cmd, "poke")) {
		if (poke(r, arg, arg2) < 0)
			printf("err bad poke arguments\n");
		else
			printf("ok\n");
	} else if (!strcmp(cmd, "write")) {
		touch_write(r);
		printf("ok\n");
	} else if (!strcmp(cmd, "read")) {
		touch_read(r);
		printf("ok\n");
	} else if (!strcmp(cmd, "munmap-part") || !strcmp(cmd, "mprotect-part")) {
		int rc;

		if (page_arg(r, arg, &idx) < 0) {
			printf("err bad page index '%s'\n", arg);
			return;
		}
		if (cmd[1] == 'u')
			rc = munmap(r->addr + idx * (size_t)page_size, (size_t)page_size);
		else
			rc = mprotect(r->addr + idx * (size_t)page_size, (size_t)page_size, PROT_READ);
		if (rc < 0)
			printf("err %s: %s\n", cmd, strerror(errno));
		else
			printf("ok\n");
	} else if (!strcmp(cmd, "ksm-merge") || !strcmp(cmd, "ksm-unmerge")) {
		if (madvise(r->addr, r->len, cmd[4] == 'm' ? MADV_MERGEABLE : MADV_UNMERGEABLE) < 0)
			printf("err madvise: %s\n", strerror(errno));
		else
			printf("ok\n");
	} else if (!strcmp(cmd, "pageout")) {
		long n = pageout(r);

		if (n < 0)
			printf("err MADV_PAGEOUT: %s\n", strerror((int)-n));
		else
			printf("ok swapped=%ld\n", n);
	} else {
		printf("err unknown command '%s'\n", cmd);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: pa-helper [-n PAGES] [-t THPS] [REGION...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	int opt;

	page_size = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(optarg, &end, 0);
		if (errno || *end || !v || v > (1UL << 20))
			return usage();
		if (opt == 'n')
			npages = v;
		else if (opt == 't')
			nthp = v;
		else
			return usage();
	}
	if (optind < argc) {
		nregions = (size_t)(argc - optind);
		regions = calloc(nregions, sizeof(*regions));
		for (size_t i = 0; regions && i < nregions; i++)
			regions[i].name = argv[optind + (int)i];
	} else {
		nregions = sizeof(default_regions) / sizeof(default_regions[0]);
		regions = calloc(nregions, sizeof(*regions));
		for (size_t i = 0; regions && i < nregions; i++)
			regions[i].name = default_regions[i];
	}
	if (!regions)
		return 1;

	for (size_t i = 0; i < nregions; i++) {
		struct region *r = &regions[i];
		int rc = make_region(r);

		if (rc == -EINVAL) {
			fprintf(stderr, "pa-helper: unknown region '%s'\n", r->name);
			return 2;
		}
		if (rc < 0) {
			fprintf(stderr, "pa-helper: region %s: %s\n", r->name, strerror(-rc));
			return 1;
		}
		if (r->addr)
			printf("region %s %#" PRIxPTR " %#" PRIxPTR "%s%s\n", r->name,
			       (uintptr_t)r->addr, (uintptr_t)r->addr + r->len,
			       *r->note ? " " : "", r->note);
		else
			printf("absent %s %s\n", r->name, r->note);
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);

	while (getline(&line, &cap, stdin) > 0) {
		line[strcspn(line, "\n")] = '\0';
		command(line);
		fflush(stdout);
	}
	child_exit();
	free(line);
	return 0;
}
