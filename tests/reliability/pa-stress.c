// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pa-stress: a target process for the reliability tests.
 *
 * Usage: pa-stress MODE [ARG...]
 *	exit-after MIB MAX_MS	map and write MIB MiB, print "ready PID", then
 *				exit after a random delay in [0, MAX_MS) ms
 *	churn MIB		print "ready PID", then mmap/write/munmap
 *				regions of up to MIB MiB in a loop until killed
 *	vmas N			N separate one-page VMAs (alternating
 *				protections so they cannot merge), each written
 *	sparse GIB PAGES	a GIB GiB MAP_NORESERVE reservation of which
 *				PAGES pages (spread out) are written
 *	idle			nothing mapped beyond the program
 * Except for exit-after and churn, "ready PID" is printed once the memory
 * is in place and the process then waits until stdin is closed.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(99);
}

static void ready(void)
{
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
}

static void wait_stdin(void)
{
	char buf[64];

	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
}

static char *map_written(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	for (size_t i = 0; i < len; i += 4096)
		p[i] = (char)(i >> 12 | 1);
	return p;
}

int main(int argc, char **argv)
{
	long ps = sysconf(_SC_PAGESIZE);

	srand((unsigned)(time(NULL) ^ getpid()));
	if (argc >= 4 && !strcmp(argv[1], "exit-after")) {
		size_t mib = strtoul(argv[2], NULL, 0);
		long max_ms = strtol(argv[3], NULL, 0);
		struct timespec ts;
		long ms;

		/* several VMAs so an exit can land between them */
		for (int i = 0; i < 16; i++)
			map_written(mib * 1024 * 1024 / 16 + (size_t)ps * (size_t)i);
		ready();
		ms = max_ms > 0 ? rand() % max_ms : 0;
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = ms % 1000 * 1000000L;
		nanosleep(&ts, NULL);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "churn")) {
		size_t max = strtoul(argv[2], NULL, 0) * 1024 * 1024;
		char *keep[32] = { 0 };
		size_t klen[32] = { 0 };

		ready();
		for (;;) {
			int i = rand() % 32;

			if (keep[i])
				munmap(keep[i], klen[i]);
			klen[i] = ((size_t)rand() % (max / (size_t)ps) + 1) * (size_t)ps;
			keep[i] = map_written(klen[i]);
			if (rand() % 4 == 0)	/* a hole in the middle */
				munmap(keep[i] + klen[i] / 2 / (size_t)ps * (size_t)ps, (size_t)ps);
		}
	}
	if (argc >= 3 && !strcmp(argv[1], "vmas")) {
		long n = strtol(argv[2], NULL, 0);
		char *p = mmap(NULL, (size_t)n * 2 * (size_t)ps, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		/* every other page read-write: n VMAs with PROT_NONE gaps */
		for (long i = 0; i < n; i++) {
			char *q = p + (size_t)i * 2 * (size_t)ps;

			if (mprotect(q, (size_t)ps, PROT_READ | PROT_WRITE) < 0)
				die("mprotect");
			*q = 1;
		}
		ready();
		wait_stdin();
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "sparse")) {
		size_t len = strtoul(argv[2], NULL, 0) << 30;
		long pages = strtol(argv[3], NULL, 0);
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		for (long i = 0; i < pages; i++)
			p[(len / (size_t)pages) * (size_t)i] = 1;
		printf("region 0x%lx 0x%lx\n", (unsigned long)(uintptr_t)p,
		       (unsigned long)(uintptr_t)(p + len));
		ready();
		wait_stdin();
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "idle")) {
		ready();
		wait_stdin();
		return 0;
	}
	fprintf(stderr, "usage: pa-stress exit-after MIB MAX_MS | churn MIB | vmas N | "
		"sparse GIB PAGES | idle\n");
	return 2;
}
