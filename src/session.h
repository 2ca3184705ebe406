/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session (session.c): one per invocation.  It owns the data source
 * and what is decided once: the kernel version and flag table, the -b and
 * --cgroup filters, the privileges, the kpage* files and the pins of the
 * processes named on the command line.  It also explains why a process
 * cannot be read, and parses /proc/PID/stat for everyone.
 *
 * Layering: run.c -> {report outputs, flagscan.c, tui.c} -> collect.c ->
 * session.c -> walk.c -> source.c.  Nothing here calls upwards.
 */
#ifndef PA_SESSION_H
#define PA_SESSION_H

#include <signal.h>

#include "page-anon.h"

/* A process identified by the first sample: its pidfd tells later
 * samples whether the PID still names the same process. */
struct pa_pin {
	pid_t pid;
	int pidfd;		/* -1: pidfd_open not available */
	bool gone;		/* exited (the PID may have been reused) */
	bool absent;		/* there was no such process when pinned */
};

struct pa_session {
	struct pa_options *opt;		/* borrowed */
	struct pa_source *src;		/* owned */
	struct pa_kinfo kinfo;
	struct pa_flagtab ftab;
	struct pa_bits_filter *filters;	/* owned, parsed -b specs */
	size_t nfilters;
	bool cgroup_filter;
	uint64_t cgroup;
	struct pa_privs privs;
	struct pa_pin *pins;		/* owned */
	size_t npins, pins_cap;
	/* Reports read the exact map count of every page mapped more than
	 * once (USS, PSS: PA_FIELD_MAPCOUNT).  True but for a text report
	 * that shows neither: without it, after fork, the report reads
	 * pagemap and kpageflags only (pagemap bit 56 tells shared from
	 * sole), and the uss and pss counters of its reports are not set. */
	bool mapcount;
};

/* Everything that needs neither privileges nor /proc: the source, kernel
 * version, flag table, -b specs, --cgroup.  Returns 0 or an exit code
 * (the message is printed).  pa_session_close() is needed either way. */
int pa_session_prepare(struct pa_session *s, struct pa_options *o);
/* pa_session_prepare(), kpageflags and kpagecount, the self-tests. */
int pa_session_open(struct pa_session *s, struct pa_options *o);
/* Open kpage* files (mask of 1 << enum pa_kfile); prints what to do on
 * failure and returns an exit code. */
int pa_session_open_kfiles(struct pa_session *s, unsigned mask);
const char *pa_session_kfile_path(const struct pa_session *s, enum pa_kfile f, char *buf, size_t len);
void pa_explain_open_error(const struct pa_session *s, pid_t pid, int err, char *buf, size_t len);
void pa_session_close(struct pa_session *s);

/* The pin of pid, created (pidfd taken) when first seen; NULL on a
 * sysroot. */
struct pa_pin *pa_session_pin(struct pa_session *s, pid_t pid);
/* The pinned process has exited: its PID is free or names another one. */
bool pa_pin_dead(struct pa_pin *pin);

/* Set by SIGINT/SIGTERM/SIGHUP: walks stop, outputs say "partial". */
extern volatile sig_atomic_t pa_stop_flag;
/* The signal that set pa_stop_flag (0: none); the live view exits with
 * 128 + it, like a shell reports a command killed by it. */
extern volatile sig_atomic_t pa_stop_signal;

/* The fields of /proc/PID/stat page-anon uses (proc(5)). */
struct pa_proc_stat {
	char state;			/* 'R', 'S', 'Z', ... */
	pid_t ppid;			/* field 4 */
	unsigned long flags;		/* field 9: PF_* */
	unsigned long long starttime;	/* field 22: clock ticks after boot */
	int nfields;			/* fields parsed (3: state only) */
};
#define PA_PF_KTHREAD 0x00200000	/* include/linux/sched.h PF_KTHREAD */
/* Parse the text of a stat file ("pid (comm) S ppid ..."; comm may hold
 * spaces and ')').  0, or -1 when there is not even a state.  Fields
 * missing at the end read as 0 (see nfields). */
int pa_proc_stat_parse(const char *buf, struct pa_proc_stat *st);
/* Read and parse proc/PID/stat of the session's source; -1 when the
 * process is gone or the file is unreadable. */
int pa_session_proc_stat(const struct pa_session *s, pid_t pid, struct pa_proc_stat *st);

#endif /* PA_SESSION_H */
