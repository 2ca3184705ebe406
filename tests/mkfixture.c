// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkfixture: build a captured /proc tree for `page-anon --sysroot` from a
 * small text description, so the real code can be tested on data of other
 * kernel versions and on states a live test cannot produce on demand.
 *
 *   mkfixture SPEC DIR
 *
 * SPEC lines (# starts a comment; numbers in C syntax):
 *   osrelease RELEASE              proc/sys/kernel/osrelease
 *   pid PID COMM                   the process the next lines describe
 *   maps LINE...                   one line of proc/PID/maps, verbatim
 *   pagemap VADDR ENTRY [N [STEP]] N entries (default 1) from VADDR; the PFN
 *                                  field grows by STEP (default 1) when the
 *                                  entry is present
 *   kpageflags PFN VALUE [N]       N PFNs from PFN get VALUE
 *   kpagecount PFN VALUE [N]
 *   kpagecgroup PFN VALUE [N]
 *   maxpfn N                       size of the kpage* files (default: the
 *                                  highest PFN written + 1)
 *   text REL LINE...               append LINE to the file REL below DIR
 *                                  (e.g. boot/config-RELEASE)
 * Files are sparse: pagemap offsets are VADDR / 4096 * 8.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096ULL

static const char *dir;
static int pid = -1;
static uint64_t maxpfn;

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "mkfixture: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(99);
}

static void mkdirs(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				die("mkdir", buf);
			*p = '/';
		}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		die("mkdir", buf);
}

static int open_rel(const char *rel, int flags)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, flags | O_CREAT, 0644);
	if (fd < 0)
		die("open", path);
	return fd;
}

static void write_text(const char *rel, const char *text, int append)
{
	int fd = open_rel(rel, O_WRONLY | (append ? O_APPEND : O_TRUNC));
	size_t len = strlen(text);

	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
		die("write", rel);
	close(fd);
}

static void write_u64s(const char *rel, uint64_t index, uint64_t value, uint64_t n, uint64_t step,
		       int pfn_field)
{
	int fd = open_rel(rel, O_WRONLY);

	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = value;

		if (pfn_field && (value >> 63))
			v = (value & ~((1ULL << 55) - 1)) | ((value & ((1ULL << 55) - 1)) + i * step);
		if (pwrite(fd, &v, 8, (off_t)((index + i) * 8)) != 8)
			die("pwrite", rel);
	}
	close(fd);
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v;

	if (!s)
		die("missing number", NULL);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		die("bad number", s);
	return v;
}

int main(int argc, char **argv)
{
	char *line = NULL, rel[256];
	size_t cap = 0;
	FILE *f;

	if (argc != 3)
		die("usage: mkfixture SPEC DIR", NULL);
	dir = argv[2];
	f = fopen(argv[1], "r");
	if (!f)
		die("cannot open", argv[1]);
	mkdirs(dir);
	snprintf(rel, sizeof(rel), "%s/proc/sys/kernel", dir);
	mkdirs(rel);
	while (getline(&line, &cap, f) > 0) {
		char *save = NULL, *cmd, *a, *b, *c, *d;

		line[strcspn(line, "\n")] = '\0';
		cmd = strtok_r(line, " \t", &save);
		if (!cmd || *cmd == '#')
			continue;
		if (!strcmp(cmd, "osrelease")) {
			write_text("proc/sys/kernel/osrelease", save, 0);
		} else if (!strcmp(cmd, "pid")) {
			a = strtok_r(NULL, " \t", &save);
			pid = (int)num(a);
			snprintf(rel, sizeof(rel), "%s/proc/%d/task/%d", dir, pid, pid);
			mkdirs(rel);
			snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
			write_text(rel, save && *save ? save : "fixture", 0);
			snprintf(rel, sizeof(rel), "proc/%d/maps", pid);
			close(open_rel(rel, O_WRONLY | O_TRUNC));
			snprintf(rel, sizeof(rel), "proc/%d/pagemap", pid);
			close(open_rel(rel, O_WRONLY | O_TRUNC));
		} else if (!strcmp(cmd, "maps")) {
			if (pid < 0)
				die("maps before pid", NULL);
			snprintf(rel, sizeof(rel), "proc/%d/maps", pid);
			write_text(rel, save, 1);
		} else if (!strcmp(cmd, "pagemap")) {
			a = strtok_r(NULL, " \t", &save);
			b = strtok_r(NULL, " \t", &save);
			c = strtok_r(NULL, " \t", &save);
			d = strtok_r(NULL, " \t", &save);
			if (pid < 0)
				die("pagemap before pid", NULL);
			snprintf(rel, sizeof(rel), "proc/%d/pagemap", pid);
			write_u64s(rel, num(a) / PAGE, num(b), c ? num(c) : 1, d ? num(d) : 1, 1);
		} else if (!strcmp(cmd, "kpageflags") || !strcmp(cmd, "kpagecount") ||
			   !strcmp(cmd, "kpagecgroup")) {
			uint64_t pfn, n;

			a = strtok_r(NULL, " \t", &save);
			b = strtok_r(NULL, " \t", &save);
			c = strtok_r(NULL, " \t", &save);
			pfn = num(a);
			n = c ? num(c) : 1;
			snprintf(rel, sizeof(rel), "proc/%s", cmd);
			write_u64s(rel, pfn, num(b), n, 0, 0);
			if (pfn + n > maxpfn)
				maxpfn = pfn + n;
		} else if (!strcmp(cmd, "text")) {
			char *slash;

			a = strtok_r(NULL, " \t", &save);
			if (!a || strstr(a, ".."))
				die("bad text file name", a);
			snprintf(rel, sizeof(rel), "%s/%s", dir, a);
			slash = strrchr(rel, '/');
			*slash = '\0';
			mkdirs(rel);
			write_text(a, save ? save : "", 1);
		} else if (!strcmp(cmd, "maxpfn")) {
			maxpfn = num(strtok_r(NULL, " \t", &save));
		} else {
			die("unknown line", cmd);
		}
	}
	free(line);
	fclose(f);
	/* every kpage* file covers [0, maxpfn) */
	static const char *const files[] = { "proc/kpageflags", "proc/kpagecount", "proc/kpagecgroup" };
	for (size_t i = 0; i < 3; i++) {
		int fd = open_rel(files[i], O_WRONLY);

		if (ftruncate(fd, (off_t)(maxpfn * 8)) < 0)
			die("ftruncate", files[i]);
		close(fd);
	}
	return 0;
}
