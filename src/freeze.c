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
 * an atexit() hook (exit() on an error), and for every signal that would
 * otherwise kill page-anon: SIGINT, SIGTERM and SIGHUP set pa_stop_flag
 * (run.c), so the scan stops and pa_thaw() runs, and they resume the
 * processes at once too (page-anon may be blocked writing into a full
 * pipe for long before it gets there); every other
 * signal whose default action is to terminate (SIGQUIT, SIGPIPE, SIGUSR1,
 * SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO, SIGPWR,
 * SIGSYS, SIGSTKFLT, the real-time signals, and SIGABRT, SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL, SIGTRAP from a crash) gets a handler, installed with the
 * first freeze where the disposition is still the default, that resumes
 * the processes with async-signal-safe system calls only (a write to the
 * cgroup.freeze file and pidfd_send_signal() on descriptors opened when
 * freezing), restores the default action and re-raises the signal: the
 * exit status stays what it would have been (141 for SIGPIPE, 138 for
 * SIGUSR1...).  Signals that are ignored or handled elsewhere are left
 * alone.  The list of stopped processes is only changed with those
 * signals blocked, so a handler never sees it half updated.  SIGKILL
 * cannot be caught: a SIGSTOPped target then stays stopped until someone
 * sends SIGCONT (a cgroup stays frozen until "echo 0 > cgroup.freeze").
 * The stop signals (SIGTSTP, SIGTTIN, SIGTTOU) stop page-anon with the
 * processes it stopped; both continue together.
 *
 * The cgroup freezer freezes a cgroup and every cgroup below it
 * (Documentation/admin-guide/cgroup-v2.rst, "cgroup.freeze"), so a cgroup
 * is chosen only when the target is its only process and no cgroup below
 * it holds any other process, checked again once it is frozen.  The
 * cgroup v2 hierarchy is found in /proc/self/mountinfo, so a hybrid setup
 * (v2 at /sys/fs/cgroup/unified) works too.
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
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "page-anon.h"

#define STOP_WAIT_MS	2000
#define MAX_DESCENDANTS	4096	/* a bigger cgroup subtree is not checked: SIGSTOP */

struct frozen {
	pid_t pid;
	int pidfd;		/* SIGSTOP: signals go through it */
	int freeze_fd;		/* cgroup: open cgroup.freeze, written "0" to thaw */
	char *freeze_file;	/* its path, for messages; owned */
};

static struct frozen *frozen;
static size_t nfrozen, frozen_cap;
static bool hooks_installed;

/* Signals whose default action ends the process (signal(7)); SIGINT,
 * SIGTERM and SIGHUP are handled by run.c and are only taken here when
 * still at their default. */
static const int fatal_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1,
	SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
#ifdef SIGSTKFLT
	SIGSTKFLT,
#endif
	SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,
#ifdef SIGPWR
	SIGPWR,
#endif
	SIGSYS,
};

static sigset_t handled;	/* the signals given on_fatal_signal() */

static int send_signal(int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#else
	(void)pidfd;
	(void)sig;
	errno = ENOSYS;
	return -1;
#endif
}

/* Async-signal-safe: resume everything on the list, touch nothing else. */
static void resume_all_raw(void)
{
	for (size_t i = nfrozen; i-- > 0;) {
		if (frozen[i].freeze_fd >= 0)
			(void)!pwrite(frozen[i].freeze_fd, "0", 1, 0);
		if (frozen[i].pidfd >= 0)
			send_signal(frozen[i].pidfd, SIGCONT);
	}
}

static void on_fatal_signal(int sig)
{
	int saved = errno;

	resume_all_raw();
	/* SA_RESETHAND restored the default action: the signal, pending
	 * while this handler runs, ends page-anon as it would have. */
	raise(sig);
	errno = saved;
}

/* SIGINT, SIGTERM, SIGHUP with run.c's handler: the scan will stop, but
 * page-anon may be blocked for long (writing into a full pipe): resume
 * at once, then let the handler set pa_stop_flag.  pa_thaw() later
 * continues them again, which is harmless. */
static void (*chained[NSIG])(int);

static void on_stop_signal(int sig)
{
	int saved = errno;

	resume_all_raw();
	errno = saved;
	if (sig > 0 && sig < NSIG && chained[sig])
		chained[sig](sig);
}

/* Block the handled signals while the list changes. */
static void block(sigset_t *old)
{
	pthread_sigmask(SIG_BLOCK, &handled, old);
}

static void unblock(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

static void install_hooks(void)
{
	struct sigaction fatal = { .sa_handler = on_fatal_signal, .sa_flags = SA_RESETHAND };
	struct sigaction cur;

	if (hooks_installed)
		return;
	hooks_installed = true;
	atexit(pa_thaw);
	sigemptyset(&handled);
	for (size_t i = 0; i < PA_ARRAY_SIZE(fatal_signals) + (size_t)(SIGRTMAX - SIGRTMIN + 1); i++) {
		int sig = i < PA_ARRAY_SIZE(fatal_signals) ? fatal_signals[i] :
			  SIGRTMIN + (int)(i - PA_ARRAY_SIZE(fatal_signals));

		if (sigaction(sig, NULL, &cur) < 0 || cur.sa_handler == SIG_IGN)
			continue;
		if (cur.sa_handler == SIG_DFL) {
			sigaddset(&handled, sig);
		} else if ((sig == SIGINT || sig == SIGTERM || sig == SIGHUP) &&
			   !(cur.sa_flags & SA_SIGINFO)) {
			chained[sig] = cur.sa_handler;
			sigaddset(&handled, sig);
		}
		/* other handlers (a sanitizer's) are left alone */
	}
	/* every handled signal is blocked while a handler runs */
	fatal.sa_mask = handled;
	for (int sig = 1; sig < NSIG; sig++) {
		if (sigismember(&handled, sig) != 1)
			continue;
		if (chained[sig]) {
			struct sigaction stop;

			sigaction(sig, NULL, &stop);
			stop.sa_handler = on_stop_signal;
			sigorset(&stop.sa_mask, &stop.sa_mask, &handled);
			sigaction(sig, &stop, NULL);
		} else {
			sigaction(sig, &fatal, NULL);
		}
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int read_fd(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

static int read_file_at(int dirfd, const char *path, char *buf, size_t len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -errno;
	n = read_fd(fd, buf, len);
	close(fd);
	return n;
}

static int read_file(const char *path, char *buf, size_t len)
{
	return read_file_at(AT_FDCWD, path, buf, len);
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

/* The mount point of the cgroup v2 hierarchy, from /proc/self/mountinfo
 * ("ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - cgroup2 ...");
 * only a mount of the hierarchy's root is used. */
static int cgroup2_mount(char *buf, size_t len)
{
	char *line = NULL, root[4096], mnt[4096];
	size_t cap = 0;
	int found = -ENOENT;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -errno;
	while (found < 0 && getline(&line, &cap, f) > 0) {
		const char *sep = strstr(line, " - cgroup2 ");

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2)
			continue;
		/* octal escapes (\040) in the path: not worth decoding */
		if (strcmp(root, "/") != 0 || strchr(mnt, '\\') || strlen(mnt) >= len)
			continue;
		snprintf(buf, len, "%s", mnt);
		found = 0;
	}
	free(line);
	fclose(f);
	return found;
}

/* cgroup.procs of the cgroup dirfd lists no process or only pid;
 * *seen_pid tells whether pid was listed. */
static bool procs_only(int dirfd, pid_t pid, bool *seen_pid)
{
	char buf[256], want[32];
	int n = read_file_at(dirfd, "cgroup.procs", buf, sizeof(buf));

	if (n < 0)
		return false;
	if (n == 0)
		return true;
	snprintf(want, sizeof(want), "%d\n", (int)pid);
	if (strcmp(buf, want) != 0)
		return false;
	*seen_pid = true;
	return true;
}

/* No cgroup below dirfd holds a process other than pid; *count bounds the
 * walk (a subtree too big to check counts as "not alone"). */
static bool subtree_alone(int dirfd, pid_t pid, int *count)
{
	struct dirent *de;
	bool alone = true;
	int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return false;
	}
	while (alone && (de = readdir(d))) {
		int sub;
		bool seen = false;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (++*count > MAX_DESCENDANTS) {
			alone = false;
			break;
		}
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			alone = errno == ENOENT;	/* removed meanwhile */
			continue;
		}
		alone = procs_only(sub, pid, &seen) && subtree_alone(sub, pid, count);
		close(sub);
	}
	closedir(d);
	return alone;
}

/* pid is the only process in the cgroup dirfd and in every cgroup below. */
static bool cgroup_alone(int dirfd, pid_t pid)
{
	bool seen = false;
	int count = 0;

	return procs_only(dirfd, pid, &seen) && seen && subtree_alone(dirfd, pid, &count);
}

static bool cgroup_frozen(int dirfd)
{
	char buf[1024];

	if (read_file_at(dirfd, "cgroup.events", buf, sizeof(buf)) <= 0)
		return true;
	return strstr(buf, "frozen 1") != NULL;
}

/* The cgroup v2 directory of pid when pid is its only process, also in
 * every cgroup below it, and the freezer is there and not already frozen:
 * an open directory fd and its path in *path (owned); -1 otherwise. */
static int lone_cgroup(pid_t pid, char **path)
{
	char buf[4096], mnt[4096], full[8192], *rel = NULL, *nl;
	int dirfd;

	snprintf(full, sizeof(full), "/proc/%d/cgroup", (int)pid);
	if (read_file(full, buf, sizeof(buf)) <= 0)
		return -1;
	/* the cgroup v2 line "0::/path" (a hybrid setup lists v1 lines too) */
	if (!strncmp(buf, "0::/", 4))
		rel = buf + 3;
	else if ((rel = strstr(buf, "\n0::/")))
		rel += 4;
	if (!rel)
		return -1;
	nl = strchr(rel, '\n');
	if (nl)
		*nl = '\0';
	if (!strcmp(rel, "/") || strstr(rel, "/../") || strstr(rel, " (deleted)"))
		return -1;
	if (cgroup2_mount(mnt, sizeof(mnt)) < 0)
		return -1;
	if ((size_t)snprintf(full, sizeof(full), "%s%s", mnt, rel) >= sizeof(full))
		return -1;
	dirfd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -1;
	if (!cgroup_alone(dirfd, pid) ||
	    read_file_at(dirfd, "cgroup.freeze", buf, sizeof(buf)) <= 0 || buf[0] != '0' ||
	    cgroup_frozen(dirfd)) {
		/* shared, no freezer, or frozen by someone else */
		close(dirfd);
		return -1;
	}
	*path = pa_xstrdup(full);
	return dirfd;
}

/* Freeze the cgroup dirfd for pid; 0 when frozen and recorded in f. */
static int freeze_cgroup(struct frozen *f, int dirfd, char *path)
{
	int fd = openat(dirfd, "cgroup.freeze", O_WRONLY | O_CLOEXEC);
	sigset_t old;

	if (fd < 0)
		return -1;
	block(&old);
	if (pwrite(fd, "1", 1, 0) != 1) {
		unblock(&old);
		close(fd);
		return -1;
	}
	f->freeze_fd = fd;
	f->freeze_file = path;
	nfrozen++;
	unblock(&old);
	for (int i = 0; i < STOP_WAIT_MS && !cgroup_frozen(dirfd); i++)
		sleep_ms(1);
	/* A process moved into the subtree between the check and the
	 * freeze would be frozen too: then undo and use SIGSTOP. */
	if (cgroup_alone(dirfd, f->pid))
		return 0;
	block(&old);
	if (pwrite(fd, "0", 1, 0) != 1)
		pa_error("--freeze: cannot thaw %s: %s; write 0 to it", path, strerror(errno));
	nfrozen--;
	unblock(&old);
	close(fd);
	f->freeze_fd = -1;
	f->freeze_file = NULL;
	return -1;
}

static void freeze_one(pid_t pid)
{
	char path[64], st, *cgpath = NULL;
	unsigned long flags;
	struct frozen *f;
	sigset_t old;
	int pidfd, dirfd;

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
	install_hooks();
	block(&old);
	if (nfrozen == frozen_cap) {
		frozen_cap = frozen_cap ? 2 * frozen_cap : 8;
		frozen = pa_xrealloc(frozen, frozen_cap, sizeof(*frozen));
	}
	f = &frozen[nfrozen];
	f->pid = pid;
	f->pidfd = -1;
	f->freeze_fd = -1;
	f->freeze_file = NULL;
	unblock(&old);
	dirfd = lone_cgroup(pid, &cgpath);
	if (dirfd >= 0) {
		int r = freeze_cgroup(f, dirfd, cgpath);

		close(dirfd);
		if (r == 0)
			return;
		free(cgpath);
	}
	pidfd = pa_pidfd_open(pid);
	if (pidfd < 0) {
		if (pidfd != -ESRCH)
			pa_warn("--freeze: process %d: pidfd_open: %s; not stopped", (int)pid,
				strerror(-pidfd));
		return;
	}
	block(&old);
	if (send_signal(pidfd, SIGSTOP) < 0) {
		int err = errno;

		unblock(&old);
		if (err != ESRCH)
			pa_warn("--freeze: process %d: cannot stop it: %s", (int)pid, strerror(err));
		close(pidfd);
		return;
	}
	f->pidfd = pidfd;
	nfrozen++;
	unblock(&old);
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
	sigset_t old;

	/* Reverse order; safe to call at any time, also from atexit. */
	block(&old);
	while (nfrozen > 0) {
		struct frozen *f = &frozen[--nfrozen];

		if (f->freeze_fd >= 0) {
			if (pwrite(f->freeze_fd, "0", 1, 0) != 1)
				pa_error("--freeze: cannot thaw %s: %s; write 0 to it", f->freeze_file,
					 strerror(errno));
			close(f->freeze_fd);
			free(f->freeze_file);
		}
		if (f->pidfd >= 0) {
			if (send_signal(f->pidfd, SIGCONT) < 0 && errno != ESRCH)
				pa_error("--freeze: cannot resume process %d: %s; send it SIGCONT",
					 (int)f->pid, strerror(errno));
			close(f->pidfd);
		}
	}
	free(frozen);
	frozen = NULL;
	frozen_cap = 0;
	unblock(&old);
	errno = saved;
}
