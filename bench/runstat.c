// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runstat: run a command and report what it cost, for bench/run-bench.
 *
 *   runstat [-o FILE] [-t SECONDS] -- COMMAND [ARG]...
 *
 * Prints one line (to FILE, default stderr):
 *   wall_ns=N user_us=N sys_us=N maxrss_kib=N status=N
 * wall time from CLOCK_MONOTONIC around fork/wait, CPU times and peak RSS
 * from wait4()'s rusage of the command alone.  With -t the command gets
 * SIGINT after SECONDS (and SIGKILL 10 s later if it is still running);
 * status is the exit code, or 128+signal.  runstat exits with the same
 * status unless it fails itself (exit 125, or 127 if COMMAND cannot run).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "runstat";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long tv_us(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000 + tv->tv_usec;
}

int main(int argc, char **argv)
{
	const char *outpath = NULL;
	double timeout = 0, t0, t1;
	struct rusage ru;
	int c, wstatus, status;
	FILE *out = stderr;
	pid_t pid;

	while ((c = getopt(argc, argv, "+o:t:")) != -1) {
		switch (c) {
		case 'o':
			outpath = optarg;
			break;
		case 't': {
			char *end;

			timeout = strtod(optarg, &end);
			if (end == optarg || *end || !(timeout > 0)) {
				fprintf(stderr, "%s: invalid -t '%s'\n", prog, optarg);
				return 125;
			}
			break;
		}
		default:
			fprintf(stderr, "Usage: %s [-o FILE] [-t SECONDS] -- COMMAND [ARG]...\n", prog);
			return 125;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: no command\n", prog);
		return 125;
	}
	if (outpath) {
		out = fopen(outpath, "we");
		if (!out) {
			fprintf(stderr, "%s: %s: %s\n", prog, outpath, strerror(errno));
			return 125;
		}
	}

	t0 = now();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
		return 125;
	}
	if (!pid) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "%s: %s: %s\n", prog, argv[optind], strerror(errno));
		_exit(127);
	}

	if (timeout > 0) {
		double deadline = t0 + timeout;
		int sent = 0;

		for (;;) {
			pid_t r = wait4(pid, &wstatus, WNOHANG, &ru);
			double t = now();

			if (r == pid)
				break;
			if (r < 0 && errno != EINTR) {
				fprintf(stderr, "%s: wait4: %s\n", prog, strerror(errno));
				return 125;
			}
			if (t >= deadline) {
				kill(pid, sent ? SIGKILL : SIGINT);
				sent++;
				deadline = t + 10;
			}
			usleep(10000);
		}
	} else {
		while (wait4(pid, &wstatus, 0, &ru) < 0) {
			if (errno != EINTR) {
				fprintf(stderr, "%s: wait4: %s\n", prog, strerror(errno));
				return 125;
			}
		}
	}
	t1 = now();

	if (WIFEXITED(wstatus))
		status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		status = 128 + WTERMSIG(wstatus);
	else
		status = 125;
	fprintf(out, "wall_ns=%.0f user_us=%lld sys_us=%lld maxrss_kib=%ld status=%d\n",
		(t1 - t0) * 1e9, tv_us(&ru.ru_utime), tv_us(&ru.ru_stime),
		(long)ru.ru_maxrss, status);
	if (out != stderr && fclose(out)) {
		fprintf(stderr, "%s: %s: write error\n", prog, outpath);
		return 125;
	}
	return status;
}
