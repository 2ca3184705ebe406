// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * workload: build a memory layout for the benchmarks, print "ready <pid>"
 * on standard output and sleep until killed.
 *
 *   workload dense SIZE_MIB       private anonymous memory in 4 KiB pages
 *                                 (MADV_NOHUGEPAGE)
 *   workload thp SIZE_MIB         private anonymous memory, 2 MiB aligned,
 *                                 MADV_HUGEPAGE (PMD-mapped THPs where the
 *                                 kernel can allocate them)
 *   workload fork SIZE_MIB        "dense", then fork(): the child sleeps too
 *                                 and every page is shared by two processes
 *   workload hugetlb SIZE_MIB     private anonymous hugetlb memory in 2 MiB
 *                                 pages (MAP_HUGETLB | MAP_HUGE_2MB): the
 *                                 pages must have been reserved
 *                                 (vm.nr_hugepages) beforehand
 *   workload prefork SIZE_MIB N   "dense", then N children (a prefork
 *                                 server): every page is shared by N + 1
 *   workload sparse4k TOUCHED_MIB [RESERVE_GIB]
 *                                 MAP_NORESERVE reservation (default 1024 GiB)
 *                                 with TOUCHED_MIB written in 4 KiB pages
 *                                 spread evenly (MADV_NOHUGEPAGE)
 *   workload sparse2m TOUCHED_MIB [RESERVE_GIB]
 *                                 the same in 2 MiB chunks (MADV_HUGEPAGE)
 *
 * Every touched page gets distinct non-zero contents so that nothing can be
 * merged or mapped to the zero page.  With "fork" a second line
 * "child <pid>" follows "ready" (with "prefork" one per child); the
 * children die with the parent (PR_SET_PDEATHSIG).  A summary of what was built goes to stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define HPAGE (2 * MIB)

static const char *prog = "workload";

static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"Usage: %s dense|thp|fork|hugetlb SIZE_MIB\n"
		"       %s prefork SIZE_MIB CHILDREN\n"
		"       %s sparse4k|sparse2m TOUCHED_MIB [RESERVE_GIB]\n",
		prog, prog, prog);
	exit(2);
}

static uint64_t parse_size(const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || !v || v > (1ULL << 30))
		usage();
	return v;
}

/* Write a distinct non-zero word into every 4 KiB page of [p, p+len). */
static void touch(char *p, uint64_t len)
{
	uint64_t off;

	for (off = 0; off < len; off += 4096)
		*(volatile uint64_t *)(p + off) = ((uintptr_t)p + off) | 1;
}

static char *map_anon(uint64_t len, int extra_flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* A 2 MiB aligned region of len bytes (len a multiple of 2 MiB). */
static char *map_aligned(uint64_t len, int extra_flags)
{
	char *p = map_anon(len + HPAGE, extra_flags);
	uintptr_t a = ((uintptr_t)p + HPAGE - 1) & ~(uintptr_t)(HPAGE - 1);

	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + len, (uintptr_t)p + HPAGE - a);
	return (char *)a;
}

static void advise(char *p, uint64_t len, int advice, const char *name)
{
	if (madvise(p, len, advice) < 0) {
		fprintf(stderr, "%s: madvise(%s): %s\n", prog, name, strerror(errno));
		if (advice == MADV_HUGEPAGE)
			exit(1);
	}
}

static void report_smaps(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/smaps_rollup", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Rss:", 4) || !strncmp(line, "AnonHugePages:", 14))
			fprintf(stderr, "%s: %s", prog, line);
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *mode;
	uint64_t size;
	pid_t children[64];
	int nchildren = 0;
	char *p;

	if (argc < 3)
		usage();
	mode = argv[1];
	size = parse_size(argv[2]) * MIB;

	if (!strcmp(mode, "dense") || !strcmp(mode, "fork") || !strcmp(mode, "prefork")) {
		if (argc != (strcmp(mode, "prefork") ? 3 : 4))
			usage();
		p = map_anon(size, 0);
		advise(p, size, MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE");
		touch(p, size);
	} else if (!strcmp(mode, "thp")) {
		if (argc != 3)
			usage();
		size = (size + HPAGE - 1) & ~(HPAGE - 1);
		p = map_aligned(size, 0);
		advise(p, size, MADV_HUGEPAGE, "MADV_HUGEPAGE");
		touch(p, size);
	} else if (!strcmp(mode, "hugetlb")) {
		void *m;

		if (argc != 3)
			usage();
		size = (size + HPAGE - 1) & ~(HPAGE - 1);
		/* MAP_HUGE_2MB: 21 << MAP_HUGE_SHIFT (26) */
		m = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << 26), -1, 0);
		if (m == MAP_FAILED)
			die("mmap(MAP_HUGETLB) (are 2 MiB huge pages reserved?)");
		p = m;
		touch(p, size);
	} else if (!strcmp(mode, "sparse4k") || !strcmp(mode, "sparse2m")) {
		bool huge = !strcmp(mode, "sparse2m");
		uint64_t reserve = (argc > 3 ? parse_size(argv[3]) : 1024) * GIB;
		uint64_t chunk = huge ? HPAGE : 4096;
		uint64_t nchunks, stride, i;

		if (argc > 4)
			usage();
		size = (size + chunk - 1) / chunk * chunk;
		nchunks = size / chunk;
		stride = reserve / nchunks / chunk * chunk;
		if (stride < chunk) {
			fprintf(stderr, "%s: %" PRIu64 " MiB do not fit in %" PRIu64 " GiB\n",
				prog, size / MIB, reserve / GIB);
			return 2;
		}
		p = map_aligned(reserve, MAP_NORESERVE);
		advise(p, reserve, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE,
		       huge ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE");
		for (i = 0; i < nchunks; i++)
			touch(p + i * stride, chunk);
		fprintf(stderr, "%s: %" PRIu64 " chunks of %" PRIu64 " KiB every %" PRIu64
			" KiB in %" PRIu64 " GiB at %p\n",
			prog, nchunks, chunk >> 10, stride >> 10, reserve / GIB, (void *)p);
	} else {
		usage();
	}
	report_smaps();

	if (!strcmp(mode, "fork") || !strcmp(mode, "prefork")) {
		pid_t parent = getpid();

		nchildren = 1;
		if (!strcmp(mode, "prefork")) {
			if (argc < 4 || (nchildren = atoi(argv[3])) < 1 || nchildren > 64)
				usage();
		}
		for (int k = 0; k < nchildren; k++) {
			pid_t c = fork();

			if (c < 0)
				die("fork");
			if (!c) {
				if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
					die("prctl(PR_SET_PDEATHSIG)");
				if (getppid() != parent)
					_exit(0);
				for (;;)
					pause();
			}
			children[k] = c;
		}
	}

	printf("ready %d\n", (int)getpid());
	for (int k = 0; k < nchildren; k++)
		printf("child %d\n", (int)children[k]);
	if (fflush(stdout))
		die("stdout");
	for (;;)
		pause();
}
