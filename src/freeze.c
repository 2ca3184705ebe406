// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --freeze: stop the target processes while they are scanned, so the
 * pagemap entries and page flags read form one snapshot, and always
 * resume them afterwards.
 *
 * Two ways to stop a process:
 *   - the cgroup v2 freezer (cgroup.freeze, 5.2+), used when the process
 *     is alone in its cgroup: nothing is visible to the process or its
 *     parent (no SIGCHLD, no "Stopped" in the shell);
 *   - SIGSTOP, sent through a pidfd (pidfd_send_signal, 5.1+) so that a
 *     PID reused in the meantime is never signalled, and SIGCONT the same
 *     way.  The parent sees the stop and continue (job control).
 * Processes that are already stopped (state T or t) or frozen, PID 1,
 * page-anon itself, kernel threads and zombies are left alone, and a
 * process page-anon did not stop is never continued.
 *
 * Resuming happens in the normal path (pa_thaw() after each scan), from
 * an atexit() hook (exit() on an error), and for the signals that would
 * otherwise kill page-anon while a process is stopped: SIGINT, SIGTERM
 * and SIGHUP only set pa_stop_flag (run.c), and while something is frozen
 * SIGPIPE and SIGQUIT do the same; a SIGPIPE is re-raised after resuming,
 * so the exit status stays the usual 141.  SIGKILL cannot be caught: a
 * SIGSTOPped target then stays stopped until someone sends SIGCONT (a
 * cgroup stays frozen until "echo 0 > cgroup.freeze").
 *
 * Even frozen, the kernel may change page state (reclaim, khugepaged,
 * KSM, NUMA balancing, the idle-page tracker) and so may other processes
 * sharing the pages; the snapshot is exact as far as the target itself is
 * concerned.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "page-anon.h"

#define STOP_WAIT_MS	2000

struct frozen {
	pid_t pid;
	int pidfd;		/* SIGSTOP: signals go through it */
	char *freeze_file;	/* cgroup: .../cgroup.freeze, owned */
};

static struct frozen *frozen;
static size_t nfrozen, frozen_cap;
static bool hooks_installed, handlers_set;
static volatile sig_atomic_t got_sigpipe;
static struct sigaction old_pipe, old_quit;

static void on_fatal_signal(int sig)
{
	if (sig == SIGPIPE)
		got_sigpipe = 1;
	pa_stop_flag = 1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

static int write_file(const char *path, const char *s)
{
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = errno;
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -(n < 0 ? err : EIO);
}

/* State letter and flags of a task from its stat file. */
static int task_state(const char *stat_path, char *state, unsigned long *flags)
{
	struct pa_proc_stat ps;
	char buf[1024];

	if (read_file(stat_path, buf, sizeof(buf)) <= 0)
		return -ESRCH;
	if (pa_proc_stat_parse(buf, &ps) < 0 || ps.nfields < 9)
		return -EINVAL;
	*state = ps.state;
	if (flags)
		*flags = ps.flags;
	return 0;
}

/* Every thread of pid is in a stop (T/t) or gone. */
static bool all_stopped(pid_t pid)
{
	char path[64], tpath[sizeof(path) + 256 + 8];
	struct dirent *de;
	bool all = true;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return true;	/* exited */
	while (all && (de = readdir(d))) {
		char st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(tpath, sizeof(tpath), "%s/%s/stat", path, de->d_name);
		if (task_state(tpath, &st, NULL) == 0 && st != 'T' && st != 't' && st != 'Z' &&
		    st != 'X')
			all = false;
	}
	closedir(d);
	return all;
}

/* The cgroup v2 directory of pid when pid is its only process and the
 * freezer is there and not already frozen; NULL otherwise. */
static char *lone_cgroup(pid_t pid)
{
	char path[4096], buf[4096], procs[256], want[32], *rel, *nl;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return NULL;
	/* cgroup v2: the single line "0::/path" */
	if (strncmp(buf, "0::/", 4) != 0 || strchr(buf, '\n') != strrchr(buf, '\n'))
		return NULL;
	rel = buf + 3;
	nl = strchr(rel, '\n');
	if (nl)
		*nl = '\0';
	if (!strcmp(rel, "/") || strstr(rel, "/../"))
		return NULL;
	/* alone: cgroup.procs lists exactly this process */
	n = snprintf(path, sizeof(path), "/sys/fs/cgroup%s/cgroup.procs", rel);
	if (n < 0 || (size_t)n >= sizeof(path) || read_file(path, procs, sizeof(procs)) <= 0)
		return NULL;
	snprintf(want, sizeof(want), "%d\n", (int)pid);
	if (strcmp(procs, want) != 0)
		return NULL;
	n = snprintf(path, sizeof(path), "/sys/fs/cgroup%s/cgroup.freeze", rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	if (read_file(path, procs, sizeof(procs)) <= 0 || procs[0] != '0')
		return NULL;	/* no freezer, or frozen by someone else */
	return pa_xstrdup(path);
}

static bool cgroup_frozen(const char *freeze_file)
{
	char path[4096], buf[1024];
	size_t l = strlen(freeze_file) - strlen("cgroup.freeze");

	snprintf(path, sizeof(path), "%.*scgroup.events", (int)l, freeze_file);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return true;
	return strstr(buf, "frozen 1") != NULL;
}

static void install_hooks(void)
{
	struct sigaction sa = { .sa_handler = on_fatal_signal };

	if (!hooks_installed) {
		atexit(pa_thaw);
		hooks_installed = true;
	}
	if (!handlers_set) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGPIPE, &sa, &old_pipe);
		sigaction(SIGQUIT, &sa, &old_quit);
		handlers_set = true;
	}
}

static void freeze_one(pid_t pid)
{
	char path[64], st;
	unsigned long flags;
	struct frozen *f;
	int pidfd;

	if (pid == getpid()) {
		pa_warn("--freeze: not stopping page-anon itself (PID %d)", (int)pid);
		return;
	}
	if (pid == 1) {
		pa_warn("--freeze: not stopping PID 1");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (task_state(path, &st, &flags) < 0)
		return;		/* gone: the scan will say so */
	if (flags & PA_PF_KTHREAD)
		return;		/* no user memory; the scan says so */
	if (st == 'T' || st == 't') {
		pa_warn("--freeze: process %d is already stopped; left as it is", (int)pid);
		return;
	}
	if (st == 'Z' || st == 'X')
		return;
	if (nfrozen == frozen_cap) {
		frozen_cap = frozen_cap ? 2 * frozen_cap : 8;
		frozen = pa_xrealloc(frozen, frozen_cap, sizeof(*frozen));
	}
	install_hooks();
	f = &frozen[nfrozen];
	f->pid = pid;
	f->pidfd = -1;
	f->freeze_file = lone_cgroup(pid);
	if (f->freeze_file) {
		if (write_file(f->freeze_file, "1") == 0) {
			nfrozen++;
			for (int i = 0; i < STOP_WAIT_MS && !cgroup_frozen(f->freeze_file); i++)
				sleep_ms(1);
			return;
		}
		free(f->freeze_file);
		f->freeze_file = NULL;
	}
	pidfd = pa_pidfd_open(pid);
	if (pidfd < 0) {
		if (pidfd != -ESRCH)
			pa_warn("--freeze: process %d: pidfd_open: %s; not stopped", (int)pid,
				strerror(-pidfd));
		return;
	}
#ifdef SYS_pidfd_send_signal
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGSTOP, NULL, 0) < 0) {
		if (errno != ESRCH)
			pa_warn("--freeze: process %d: cannot stop it: %s", (int)pid, strerror(errno));
		close(pidfd);
		return;
	}
#endif
	f->pidfd = pidfd;
	nfrozen++;
	/* SIGSTOP is asynchronous: wait until every thread has stopped. */
	for (int i = 0; i < STOP_WAIT_MS && !all_stopped(pid); i++)
		sleep_ms(1);
}

int pa_freeze(const struct pa_source *s, const pid_t *pids, size_t n)
{
	size_t before = nfrozen;

	if (*s->root) {
		pa_warn("--freeze has no effect with --sysroot");
		return 0;
	}
	for (size_t i = 0; i < n && !pa_stop_flag; i++)
		freeze_one(pids[i]);
	return (int)(nfrozen - before);
}

void pa_thaw(void)
{
	int saved = errno;

	/* Reverse order; safe to call at any time, also from atexit. */
	while (nfrozen > 0) {
		struct frozen *f = &frozen[--nfrozen];

		if (f->freeze_file) {
			if (write_file(f->freeze_file, "0") < 0)
				pa_error("--freeze: cannot thaw %s: %s; write 0 to it", f->freeze_file,
					 strerror(errno));
			free(f->freeze_file);
		}
#ifdef SYS_pidfd_send_signal
		if (f->pidfd >= 0) {
			if (syscall(SYS_pidfd_send_signal, f->pidfd, SIGCONT, NULL, 0) < 0 &&
			    errno != ESRCH)
				pa_error("--freeze: cannot resume process %d: %s; send it SIGCONT",
					 (int)f->pid, strerror(errno));
			close(f->pidfd);
		}
#endif
	}
	free(frozen);
	frozen = NULL;
	frozen_cap = 0;
	if (handlers_set) {
		sigaction(SIGPIPE, &old_pipe, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		handlers_set = false;
		if (got_sigpipe) {
			/* the reader went away while a process was stopped */
			signal(SIGPIPE, SIG_DFL);
			raise(SIGPIPE);
		}
	}
	errno = saved;
}
