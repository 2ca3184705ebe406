// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --output-file=FILE: the output goes to a new file in FILE's directory,
 * which replaces FILE only once the output is complete, so a reader (a
 * node_exporter textfile collector, a script) never sees a partial file
 * and a failed run leaves an older FILE as it was.
 *
 * Race-free against whoever can write the directory (/tmp): the directory
 * is opened once, and everything after works relative to that descriptor
 * (fstatat, openat with O_NOFOLLOW, renameat), so no name is looked up
 * twice.
 *   - The data goes to an unnamed O_TMPFILE file; at the end it is given
 *     a random name with linkat() and renamed over FILE with renameat().
 *     Where O_TMPFILE is not supported a named temporary file
 *     (.FILE.XXXXXX, O_CREAT | O_EXCL) is used.  Killed with SIGKILL,
 *     page-anon leaves nothing behind with O_TMPFILE.
 *   - A FILE that is a symbolic link is followed (the link stays, its
 *     target is replaced) only when the link belongs to the user running
 *     page-anon or to root: nobody else can make page-anon write through
 *     a link.  The link is opened with O_PATH | O_NOFOLLOW and read from
 *     that descriptor, so it cannot be swapped between the check and the
 *     read; at most 8 links are followed.
 *   - A device or FIFO is written in place (renaming over it would
 *     replace the node), opened with O_NOFOLLOW and checked again after
 *     the open.
 * What replacing means for an existing FILE: the new file is a new inode
 * owned by the user (and group) running page-anon, with mode 0666 less
 * the umask, as the shell's '>' would create it; the old file's owner,
 * mode, ACLs and extended attributes are not carried over.  The old file
 * is never opened for writing: other hard links to it keep the old
 * content.
 *
 * The descriptors kept are moved above 2, so that page-anon started with
 * standard output (or input) closed does not mistake one of them for
 * standard output.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "page-anon.h"
#include "outfile.h"

#define MAX_LINKS	8

static struct {
	bool active;		/* standard output is redirected to a temp file */
	int dirfd;		/* FILE's directory */
	int fd;			/* the temporary file (also on fd 1) */
	char *name;		/* FILE's name in dirfd, owned */
	char *tmp;		/* named temporary file (no O_TMPFILE), owned */
} out = { .dirfd = -1, .fd = -1 };

static char *random_name(const char *name)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	struct timespec ts;
	unsigned long long r;
	size_t len = strlen(name) + 10;
	char *t = pa_xrealloc(NULL, len, 1);
	char *x;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	r = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)ts.tv_sec << 20) ^
	    ((unsigned long long)getpid() << 40) ^ (unsigned long long)(uintptr_t)t;
	/* ".NAME.XXXXXX", or a short name when NAME is long */
	if (len > NAME_MAX)
		snprintf(t, len, ".page-anon.XXXXXX");
	else
		snprintf(t, len, ".%s.XXXXXX", name);
	for (x = t + strlen(t) - 6; *x; x++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		*x = chars[(r >> 33) % (sizeof(chars) - 1)];
	}
	return t;
}

static void reset(void)
{
	if (out.fd >= 0)
		close(out.fd);
	if (out.dirfd >= 0)
		close(out.dirfd);
	free(out.name);
	free(out.tmp);
	out.fd = out.dirfd = -1;
	out.name = out.tmp = NULL;
	out.active = false;
}

/* Throw the output away: nothing of it appears under FILE. */
static void discard(void)
{
	int fd;

	if (!out.active)
		return;
	/* whatever is still buffered goes with the file */
	__fpurge(stdout);
	if (out.tmp)
		unlinkat(out.dirfd, out.tmp, 0);
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		if (fd != STDOUT_FILENO)
			close(fd);
	}
	reset();
}

static void discard_at_exit(void)
{
	discard();
}

/* Split path into an open directory (O_PATH is not enough for fsync) and
 * the last component; dir is relative to at. */
static int open_parent(int at, const char *path, char **name)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (!slash) {
		dir = pa_xstrdup(".");
		*name = pa_xstrdup(path);
	} else {
		dir = pa_xstrdup(path);
		dir[slash - path + (slash == path)] = '\0';	/* "/x" -> "/" */
		*name = pa_xstrdup(slash + 1);
	}
	fd = openat(at, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == EACCES)	/* a write-only drop box */
		fd = openat(at, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return pa_fd_above_stderr(fd);
}

/* Make fd standard output. */
static int to_stdout(int fd)
{
	fflush(stdout);
	if (fd != STDOUT_FILENO && dup2(fd, STDOUT_FILENO) < 0)
		return -errno;
	return 0;
}

/* Try fn(tmp) with up to 100 random temporary names next to name until
 * one is not taken; out.tmp keeps the name fn succeeded with.  Returns
 * what fn returned, or -1 with errno. */
static int with_tmp_name(const char *name, int (*fn)(const char *tmp))
{
	for (int i = 0; i < 100; i++) {
		int r;

		out.tmp = random_name(name);
		r = fn(out.tmp);
		if (r >= 0)
			return r;
		free(out.tmp);
		out.tmp = NULL;
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

static int open_tmp_name(const char *tmp)
{
	return openat(out.dirfd, tmp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
}

/* Create the temporary file in dirfd. */
static int create_tmp(const char *name)
{
	int fd;

#ifdef O_TMPFILE
	fd = openat(out.dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	if (fd >= 0)
		return pa_fd_above_stderr(fd);
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOENT)
		return -1;
#endif
	fd = with_tmp_name(name, open_tmp_name);
	return fd >= 0 ? pa_fd_above_stderr(fd) : -1;
}

int pa_outfile_open(const char *file)
{
	char *name = NULL;
	int dirfd, err;

	dirfd = open_parent(AT_FDCWD, file, &name);
	for (int links = 0;; links++) {
		struct stat st;
		char target[PATH_MAX];
		ssize_t n;
		int lfd, nd;
		char *nn;

		if (dirfd < 0) {
			pa_error("%s: cannot open its directory: %s", file, strerror(errno));
			free(name);
			return PA_EXIT_ERROR;
		}
		if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) {
			pa_error("%s: is a directory", file);
			goto fail;
		}
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT) {
				pa_error("%s: %s", file, strerror(errno));
				goto fail;
			}
			break;		/* a new file */
		}
		if (S_ISDIR(st.st_mode)) {
			pa_error("%s: is a directory", file);
			goto fail;
		}
		if (S_ISREG(st.st_mode))
			break;		/* replaced */
		if (!S_ISLNK(st.st_mode)) {
			/* a device or FIFO: written in place */
			int fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

			if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
				/* swapped for a regular file meanwhile */
				close(fd);
				break;
			}
			if (fd < 0 || to_stdout(fd) < 0) {
				pa_error("%s: %s", file, strerror(errno));
				if (fd >= 0)
					close(fd);
				goto fail;
			}
			if (fd != STDOUT_FILENO)
				close(fd);
			close(dirfd);
			free(name);
			return 0;
		}
		/* a symbolic link: this very link, then its owner */
		lfd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (lfd < 0 || fstat(lfd, &st) < 0 || !S_ISLNK(st.st_mode)) {
			if (lfd >= 0)
				close(lfd);
			pa_error("%s: changed while it was opened; try again", file);
			goto fail;
		}
		if (st.st_uid != geteuid() && st.st_uid != 0) {
			close(lfd);
			pa_error("%s: a symbolic link of another user (UID %u): not followed; give the "
				 "path of its target", file, (unsigned)st.st_uid);
			goto fail;
		}
		if (links == MAX_LINKS) {
			close(lfd);
			pa_error("%s: %s", file, strerror(ELOOP));
			goto fail;
		}
		n = readlinkat(lfd, "", target, sizeof(target) - 1);
		err = errno;
		close(lfd);
		if (n <= 0) {
			pa_error("%s: %s", file, strerror(n < 0 ? err : ENOENT));
			goto fail;
		}
		target[n] = '\0';
		nd = open_parent(target[0] == '/' ? AT_FDCWD : dirfd, target, &nn);
		close(dirfd);
		free(name);
		dirfd = nd;
		name = nn;
	}
	out.dirfd = dirfd;
	out.name = name;
	out.fd = create_tmp(name);
	if (out.fd < 0 || to_stdout(out.fd) < 0) {
		pa_error("%s: cannot create a temporary file in its directory: %s", file,
			 strerror(errno));
		if (out.tmp)
			unlinkat(out.dirfd, out.tmp, 0);
		reset();
		return PA_EXIT_ERROR;
	}
	out.active = true;
	/* ulimit -f: fail the write with EFBIG instead of dying */
	signal(SIGXFSZ, SIG_IGN);
	atexit(discard_at_exit);
	return 0;
fail:
	close(dirfd);
	free(name);
	return PA_EXIT_ERROR;
}

static int link_tmp_name(const char *tmp)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", out.fd);
	if (linkat(AT_FDCWD, proc, out.dirfd, tmp, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	/* no /proc: AT_EMPTY_PATH (needs CAP_DAC_READ_SEARCH) */
	if (errno == ENOENT && linkat(out.fd, "", out.dirfd, tmp, AT_EMPTY_PATH) == 0)
		return 0;
	return -1;
}

/* Give the O_TMPFILE file a name in the directory. */
static int link_tmp(void)
{
	return with_tmp_name(out.name, link_tmp_name);
}

int pa_outfile_commit(const char *file, int rc)
{
	int err = 0;

	if (!out.active)
		return rc;
	if (rc != PA_EXIT_OK && rc != PA_EXIT_PARTIAL) {
		discard();
		return rc;
	}
	err = pa_stdout_flush();
	errno = 0;
	if (err || (fsync(STDOUT_FILENO) < 0 && errno != EINVAL)) {
		err = err ? err : errno ? errno : EIO;
		pa_error("%s: write error: %s; the file was not written", file, strerror(err));
		discard();
		return PA_EXIT_ERROR;
	}
	if (!out.tmp && link_tmp() < 0) {
		pa_error("%s: cannot name the temporary file in its directory: %s; the file was "
			 "not written", file, strerror(errno));
		discard();
		return PA_EXIT_ERROR;
	}
	if (renameat(out.dirfd, out.tmp, out.dirfd, out.name) < 0) {
		pa_error("%s: cannot rename the temporary file %s to it: %s", file, out.tmp,
			 strerror(errno));
		discard();
		return PA_EXIT_ERROR;
	}
	fsync(out.dirfd);	/* the new name on disk too (EBADF for O_PATH) */
	free(out.tmp);
	out.tmp = NULL;
	reset();
	return rc;
}
