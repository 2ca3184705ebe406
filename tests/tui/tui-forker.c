// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tui-forker: the program the TUI tests watch.
 *
 *   tui-forker [-m MIB] DIR
 *
 * 1. maps MIB MiB (default 64) of private anonymous memory in 4 KiB pages
 *    (MADV_NOHUGEPAGE), writes every page, creates DIR/ready ("PID");
 * 2. waits for DIR/fork, then forks: every page is now mapped by two
 *    processes (anon_shared); the child creates DIR/child ("PID");
 * 3. the child waits for DIR/write, writes every page again (a COW copy
 *    each: anon_exclusive in the child; the parent's originals are mapped
 *    once but lost PG_anon_exclusive at fork, so they read anon_sole) and
 *    creates DIR/written;
 * 4. both wait for DIR/quit (or die after 300 s), the parent reaps the
 *    child and exits 0.
 *
 * Its standard streams are not used: under --tui they are /dev/null.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIMIT_SECONDS	300

static const char *dir;

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* Create DIR/name atomically (temp file + rename) holding our PID. */
static void put(const char *name)
{
	char tmp[4096], path[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/.%s.%d", dir, name, (int)getpid());
	path_of(path, sizeof(path), name);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0) {
		fprintf(stderr, "tui-forker: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void wait_for(const char *name)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char path[4096];

	path_of(path, sizeof(path), name);
	while (access(path, F_OK) < 0) {
		if (getppid() == 1)	/* the test went away */
			exit(1);
		nanosleep(&ts, NULL);
	}
}

static void touch_all(unsigned char *p, size_t size, unsigned char v)
{
	long ps = sysconf(_SC_PAGESIZE);

	/* distinct non-zero bytes: nothing for KSM or the zero page */
	for (size_t off = 0; off < size; off += (size_t)ps) {
		p[off] = v;
		memcpy(p + off + 8, &off, sizeof(off));
	}
}

int main(int argc, char **argv)
{
	size_t mib = 64, size;
	unsigned char *mem;
	pid_t child;
	int opt, status;

	while ((opt = getopt(argc, argv, "m:")) != -1) {
		if (opt == 'm') {
			char *end;

			errno = 0;
			mib = strtoul(optarg, &end, 10);
			if (errno || *end || !mib || mib > 1 << 20) {
				fprintf(stderr, "tui-forker: invalid -m '%s'\n", optarg);
				return 2;
			}
		} else {
			fprintf(stderr, "usage: tui-forker [-m MIB] DIR\n");
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: tui-forker [-m MIB] DIR\n");
		return 2;
	}
	dir = argv[optind];
	alarm(LIMIT_SECONDS);
	size = mib << 20;
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("tui-forker: mmap");
		return 1;
	}
	madvise(mem, size, MADV_NOHUGEPAGE);
	touch_all(mem, size, 1);
	put("ready");
	wait_for("fork");

	child = fork();
	if (child < 0) {
		perror("tui-forker: fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		put("child");
		wait_for("write");
		touch_all(mem, size, 2);
		put("written");
		wait_for("quit");
		_exit(0);
	}
	wait_for("quit");
	kill(child, SIGTERM);
	waitpid(child, &status, 0);
	return 0;
}
