// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * walk-workload: a process whose memory exercises every walk strategy
 * (tests/walk-strategies.sh).  It prints "ready PID" and sleeps until its
 * standard input closes or it is killed.
 *
 *   dense     64 MiB of 4 KiB pages (MADV_NOHUGEPAGE), several walk chunks
 *   sparse    32 GiB MAP_NORESERVE: one page every 16 MiB, and a 1 MiB
 *             stretch of every other page (holes below the scan merge gap)
 *   thp       8 MiB MADV_HUGEPAGE; the last 4 KiB of it is mprotect()ed, so
 *             its last THP is mapped by PTEs (when THPs are available)
 *   small     1500 two-page VMAs (alternating protections keep them apart)
 *   zero      1 MiB read, never written: the shared zero page
 *   hugetlb   with WALK_HUGETLB=1 in the environment: 2 private 2 MiB
 *             hugetlb pages (reserved beforehand by the caller)
 *
 * Then it forks: the child sleeps with everything shared, and the parent
 * writes the first half of "dense" again (exclusive once more).  After the
 * fork the parent also maps
 *   thp2      4 MiB MADV_HUGEPAGE, written: THPs of its own (exclusive)
 *   hzero     4 MiB MADV_HUGEPAGE, read only: the huge zero page where
 *             the kernel uses it
 *   hugetlb2  (WALK_HUGETLB=1) 2 more hugetlb pages of its own
 * so that PMD-mapped folios are seen both shared with the child and not.
 * Every written page has distinct contents, so nothing can be merged.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define HPAGE (2 * MIB)

static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "walk-workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char *map(uint64_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void touch(char *p, uint64_t seed)
{
	*(volatile uint64_t *)p = ((uintptr_t)p ^ seed) | 1;
}

/* len bytes, 2 MiB aligned, MADV_HUGEPAGE */
static char *map_thp(uint64_t len)
{
	char *raw = map(len + HPAGE, PROT_READ | PROT_WRITE, 0);
	char *p = (char *)(((uintptr_t)raw + HPAGE - 1) & ~(uintptr_t)(HPAGE - 1));

	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

/* n written private hugetlb pages of 2 MiB (MAP_HUGE_2MB: 21 << 26) */
static void map_hugetlb(int n, uint64_t seed)
{
	void *p = mmap(NULL, (uint64_t)n * HPAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << 26), -1, 0);

	if (p == MAP_FAILED)
		die("mmap(MAP_HUGETLB)");
	for (int i = 0; i < n; i++)
		touch((char *)p + (uint64_t)i * HPAGE, seed);
}

int main(void)
{
	uint64_t dense_len = 64 * MIB, sparse_len = 32 * GIB, thp_len = 8 * MIB;
	char *dense, *sparse, *thp, *raw;
	volatile char sink = 0;
	pid_t child;
	const char *env = getenv("WALK_HUGETLB");
	int hugetlb = env && !strcmp(env, "1");

	dense = map(dense_len, PROT_READ | PROT_WRITE, 0);
	madvise(dense, dense_len, MADV_NOHUGEPAGE);
	for (uint64_t off = 0; off < dense_len; off += 4 * KIB)
		touch(dense + off, 1);

	/* Not MADV_HUGEPAGE: khugepaged must not collapse it meanwhile. */
	sparse = map(sparse_len, PROT_READ | PROT_WRITE, MAP_NORESERVE);
	madvise(sparse, sparse_len, MADV_NOHUGEPAGE);
	for (uint64_t off = 0; off < sparse_len; off += 16 * MIB)
		touch(sparse + off, 2);
	for (uint64_t off = 0; off < MIB; off += 8 * KIB)
		touch(sparse + 3 * GIB + 12 * KIB + off, 3);

	raw = map(thp_len + HPAGE, PROT_READ | PROT_WRITE, 0);
	thp = (char *)(((uintptr_t)raw + HPAGE - 1) & ~(uintptr_t)(HPAGE - 1));
	madvise(thp, thp_len, MADV_HUGEPAGE);
	for (uint64_t off = 0; off < thp_len; off += 4 * KIB)
		touch(thp + off, 4);
	mprotect(thp + thp_len - 4 * KIB, 4 * KIB, PROT_READ);

	for (int i = 0; i < 1500; i++) {
		char *p = map(8 * KIB, PROT_READ | PROT_WRITE, 0);

		touch(p, 5);
		touch(p + 4 * KIB, 5);
		if (i % 2)
			mprotect(p, 8 * KIB, PROT_READ);
	}

	raw = map(MIB, PROT_READ, 0);
	for (uint64_t off = 0; off < MIB; off += 4 * KIB)
		sink += raw[off];
	if (hugetlb)
		map_hugetlb(2, 7);

	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	for (uint64_t off = 0; off < dense_len / 2; off += 4 * KIB)
		touch(dense + off, 6);
	thp = map_thp(4 * MIB);
	for (uint64_t off = 0; off < 4 * MIB; off += 4 * KIB)
		touch(thp + off, 8);
	thp = map_thp(4 * MIB);
	for (uint64_t off = 0; off < 4 * MIB; off += 4 * KIB)
		sink += thp[off];
	if (hugetlb)
		map_hugetlb(2, 9);

	printf("ready %d\n", (int)getpid());
	if (fflush(stdout))
		die("stdout");
	while (getchar() != EOF)
		;
	kill(child, SIGKILL);
	return sink == 1;
}
