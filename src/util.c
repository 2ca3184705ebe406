// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Error messages, allocation and stdout handling shared by all modules.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "page-anon.h"

const char *pa_progname = "page-anon";

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: %s", pa_progname, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pa_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

char pa_last_error[512];

void pa_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pa_last_error, sizeof(pa_last_error), fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

int pa_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	/* the same words as argp's own usage errors */
	fprintf(stderr, "Try `%s --help' or `%s --usage' for more information.\n", pa_progname,
		pa_progname);
	return PA_EXIT_USAGE;
}

void *pa_xrealloc(void *p, size_t n, size_t size)
{
	void *q;

	if (size && n > SIZE_MAX / size) {
		pa_error("allocation of %zu x %zu bytes overflows", n, size);
		abort();
	}
	q = realloc(p, (n * size) != 0 ? n * size : 1);
	if (!q) {
		pa_error("out of memory (%zu bytes)", n * size);
		exit(PA_EXIT_ERROR);
	}
	return q;
}

char *pa_xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d) {
		pa_error("out of memory");
		exit(PA_EXIT_ERROR);
	}
	return d;
}

int pa_fd_above_stderr(int fd)
{
	int h, err;

	if (fd < 0 || fd > STDERR_FILENO)
		return fd;
	h = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	err = errno;
	close(fd);
	errno = err;
	return h;
}

double pa_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The first write error on standard output, kept because errno is long
 * overwritten (EINTR from a sleep) by the time the output is closed. */
static int stdout_errno;

int pa_stdout_flush(void)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (!stdout_errno)
			stdout_errno = errno ? errno : EIO;
		return stdout_errno;
	}
	return 0;
}

int pa_stdout_error(void)
{
	return stdout_errno;
}

/*
 * Like util-linux close_stdout(): a reader that went away (| head) is not
 * an error, any other write error is, reported with the error of the
 * write that failed.  Standard output closed from the start (>&-) is no
 * error when nothing was written to it (--save), as in gnulib's
 * close_stream().
 */
static void close_stdout(void)
{
	bool pending = __fpending(stdout) != 0;
	int err = pa_stdout_flush();

	errno = 0;
	if (fclose(stdout) != 0 && !err && (pending || errno != EBADF))
		err = errno ? errno : EIO;
	if (err && err != EPIPE) {
		fprintf(stderr, "%s: write error on standard output: %s\n", pa_progname,
			strerror(err));
		_exit(PA_EXIT_ERROR);
	}
}

void pa_close_stdout_atexit(void)
{
	atexit(close_stdout);
}

void pa_human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
	else if (v < 10)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
}
