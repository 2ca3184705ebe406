// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pa-forker: commands for the --trace-fork tests, each a fixed scene of
 * forks, execs and exits.
 *
 *	rewrite MIB	write MIB MiB of private anonymous memory, fork; parent
 *			and child each rewrite all of it, the child exits, the
 *			parent reaps it and exits 0
 *	uring MIB PIN	MIB MiB written, its first PIN MiB registered as an
 *			io_uring fixed buffer (pinned); fork, the child exits
 *			at once; exits 77 when io_uring cannot be set up
 *	uring-hold MIB PIN  the same registration, then print "ready PID
 *			START END" (the region) and wait for end of input
 *	uring-thp	4 MiB aligned to 2 MiB with MADV_HUGEPAGE (two THPs
 *			when the kernel gives them), written, its first 2 MiB
 *			registered as an io_uring fixed buffer; fork, the child
 *			exits at once; exits 77 when io_uring cannot be set up
 *	vfork PROG	vfork, the child execs PROG; exit status of PROG
 *	chain N		N generations: generation G writes a region of 1 MiB
 *			+ G pages, forks the next and waits for it; the last
 *			one exits 0
 *	killself SIG	write 1 MiB, then raise(SIG)
 *	stopself	raise(SIGSTOP), then (once continued) exit 3
 *	exit CODE	write 1 MiB, exit CODE
 *	loop		print "ready PID", then fork a child every 50 ms that
 *			writes 64 KiB and exits; runs until killed
 *	threads N	start N threads that each fork one child, join them
 *
 * Raw io_uring system calls: no liburing needed.
 */
#include "config.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Under AddressSanitizer (CI): pa-forker runs traced, and LeakSanitizer
 * cannot work under ptrace; this hook is read by ASan at start-up. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

/* A private anonymous region of exactly bytes, in 4 KiB pages, followed
 * by a PROT_NONE page so that it never merges with a region mapped next
 * to it (its VMA keeps its size: the tests find it by that). */
static char *region(size_t bytes)
{
	char *p = mmap(NULL, bytes + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	mprotect(p + bytes, 4096, PROT_NONE);
	/* 4 KiB pages only: the counts of the tests are exact */
	madvise(p, bytes, MADV_NOHUGEPAGE);
	return p;
}

static void fill(char *p, size_t bytes, int v)
{
	for (size_t i = 0; i < bytes; i += 4096)
		p[i] = (char)v;
}

static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int do_rewrite(size_t mib)
{
	size_t bytes = mib << 20;
	char *p = region(bytes);
	pid_t pid;

	fill(p, bytes, 1);
	pid = fork();
	if (pid < 0)
		return 1;
	fill(p, bytes, pid ? 2 : 3);
	if (pid == 0)
		_exit(0);
	return reap(pid);
}

static int do_uring(size_t mib, size_t pin, bool hold)
{
	struct io_uring_params par;
	size_t bytes = mib << 20;
	char *p = region(bytes);
	struct iovec iov = { p, pin << 20 };
	int fd;
	pid_t pid;

	fill(p, bytes, 1);
	memset(&par, 0, sizeof(par));
	fd = (int)syscall(SYS_io_uring_setup, 4, &par);
	if (fd < 0) {
		fprintf(stderr, "io_uring_setup: %s\n", strerror(errno));
		return 77;
	}
	if (syscall(SYS_io_uring_register, fd, IORING_REGISTER_BUFFERS, &iov, 1) < 0) {
		fprintf(stderr, "IORING_REGISTER_BUFFERS: %s\n", strerror(errno));
		return 77;
	}
	if (hold) {
		char buf[64];

		printf("ready %d %p %p\n", (int)getpid(), (void *)p, (void *)(p + bytes));
		while (fgets(buf, sizeof(buf), stdin))
			;
		return 0;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(0);
	return reap(pid);
}

/* A pinned THP at fork: the region is found by its size (4 MiB), the
 * pinned part is its first huge page. */
static int do_uring_thp(void)
{
	const size_t huge = 2 << 20, bytes = 2 * huge;
	struct io_uring_params par;
	struct iovec iov;
	char *raw, *p;
	int fd;
	pid_t pid;

	/* aligned: map more, cut the ends; a PROT_NONE page after it keeps
	 * its VMA apart */
	raw = mmap(NULL, bytes + 2 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (raw == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	p = (char *)(((uintptr_t)raw + huge - 1) & ~(uintptr_t)(huge - 1));
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	munmap(p + bytes + 4096, (size_t)(raw + bytes + 2 * huge - (p + bytes + 4096)));
	mprotect(p + bytes, 4096, PROT_NONE);
	if (madvise(p, bytes, MADV_HUGEPAGE) < 0) {
		fprintf(stderr, "MADV_HUGEPAGE: %s\n", strerror(errno));
		return 77;
	}
	fill(p, bytes, 1);
	memset(&par, 0, sizeof(par));
	fd = (int)syscall(SYS_io_uring_setup, 4, &par);
	if (fd < 0) {
		fprintf(stderr, "io_uring_setup: %s\n", strerror(errno));
		return 77;
	}
	iov.iov_base = p;
	iov.iov_len = huge;
	if (syscall(SYS_io_uring_register, fd, IORING_REGISTER_BUFFERS, &iov, 1) < 0) {
		fprintf(stderr, "IORING_REGISTER_BUFFERS: %s\n", strerror(errno));
		return 77;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(0);
	return reap(pid);
}

static int do_chain(int n)
{
	for (int gen = 1;; gen++) {
		size_t bytes = (1 << 20) + (size_t)gen * 4096;
		char *p = region(bytes);
		pid_t pid;

		fill(p, bytes, gen);
		if (gen >= n)
			return 0;
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid > 0)
			return reap(pid);
	}
}

static void *thread_fork(void *arg)
{
	pid_t pid = fork();

	(void)arg;
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		reap(pid);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	long a = argc > 2 ? atol(argv[2]) : 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "rewrite") && a > 0)
		return do_rewrite((size_t)a);
	if (!strcmp(mode, "uring") && a > 0 && argc > 3)
		return do_uring((size_t)a, (size_t)atol(argv[3]), false);
	if (!strcmp(mode, "uring-hold") && a > 0 && argc > 3)
		return do_uring((size_t)a, (size_t)atol(argv[3]), true);
	if (!strcmp(mode, "uring-thp"))
		return do_uring_thp();
	if (!strcmp(mode, "vfork") && argc > 2) {
		pid_t pid = vfork();

		if (pid == 0) {
			execl(argv[2], argv[2], (char *)NULL);
			_exit(127);
		}
		return pid < 0 ? 1 : reap(pid);
	}
	if (!strcmp(mode, "chain") && a > 0)
		return do_chain((int)a);
	if (!strcmp(mode, "killself") && a > 0) {
		fill(region(1 << 20), 1 << 20, 1);
		raise((int)a);
		return 1;
	}
	if (!strcmp(mode, "stopself")) {
		raise(SIGSTOP);
		return 3;
	}
	if (!strcmp(mode, "exit")) {
		fill(region(1 << 20), 1 << 20, 1);
		return (int)a;
	}
	if (!strcmp(mode, "loop")) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		printf("ready %d\n", (int)getpid());
		for (;;) {
			pid_t pid = fork();

			if (pid == 0) {
				fill(region(64 << 10), 64 << 10, 1);
				_exit(0);
			}
			if (pid > 0)
				reap(pid);
			nanosleep(&ts, NULL);
		}
	}
	if (!strcmp(mode, "threads") && a > 0 && a <= 64) {
		pthread_t th[64];

		for (long i = 0; i < a; i++)
			pthread_create(&th[i], NULL, thread_fork, NULL);
		for (long i = 0; i < a; i++)
			pthread_join(th[i], NULL);
		return 0;
	}
	fprintf(stderr, "usage: pa-forker rewrite MIB | uring MIB PIN | uring-hold MIB PIN | uring-thp | vfork PROG | chain N | "
		"killself SIG | stopself | exit CODE | loop | threads N\n");
	return 2;
}
