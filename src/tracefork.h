/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --trace-fork (tracefork.c, tracefork_out.c): run a command, or attach to
 * a process, under ptrace and read the exclusivity of its processes at
 * each fork (before and right after), exec and exit.
 *
 * Each stop yields a struct pa_tf_event.  The counts of a process at a
 * stop are a struct pa_report with that one process (the structure every
 * output reads); the event adds the page-by-page transitions between two
 * readings.  The outputs (text, NDJSON, the TUI timeline) only read
 * events.
 */
#ifndef PA_TRACEFORK_H
#define PA_TRACEFORK_H

#include "page-anon.h"

struct pa_session;

enum pa_tf_kind {
	PA_TF_START,		/* the command's first exec, or the attach */
	PA_TF_FORK,		/* fork/vfork/clone of a new process */
	PA_TF_EXEC,
	PA_TF_EXIT,		/* a process ends (reading taken before its
				 * memory is released, when the kernel stops it) */
	PA_TF_DETACH,		/* -p: page-anon let go of a process */
};

/* One page of a reading, in address order. */
struct pa_tf_page {
	uint64_t vpn;		/* virtual page number */
	uint64_t pfn;		/* 0 when not present */
	int8_t state;		/* enum pa_state */
	uint8_t pinned;		/* covered by a registered (pinned) buffer */
};

/* One reading of one process. */
struct pa_tf_snap {
	pid_t pid;
	double t;			/* seconds since the start */
	struct pa_report rep;		/* owned: one process, per-VMA counts */
	struct pa_tf_page *pg;		/* owned, populated pages */
	size_t npg, cap;
	uint64_t vm_pin_kb;		/* VmPin of /proc/PID/status */
	uint64_t pinned;		/* pages in registered buffers */
	bool ok;			/* read completely */
};

/* Page counts moved from one state to another (index PA_ST__N: not
 * populated / not mapped). */
#define PA_TF_NONE PA_ST__N
struct pa_tf_side {
	const char *role;		/* "parent", "child", "process" */
	pid_t pid;
	char comm[64];
	const struct pa_tf_snap *before;	/* borrowed, may be NULL */
	const struct pa_tf_snap *after;		/* borrowed, may be NULL */
	uint64_t trans[PA_ST__N + 1][PA_ST__N + 1];
	bool have_trans;
	uint64_t copied;		/* child: exclusive on both sides with a
					 * new PFN in the child (copied at fork) */
	uint64_t copied_pinned;		/* ... of them in registered buffers */
};

struct pa_tf_event {
	enum pa_tf_kind kind;
	double t;			/* seconds since the start */
	uint64_t seq;			/* 1, 2, ... */
	const char *syscall;		/* fork: "fork", "vfork", "clone" */
	pid_t pid;			/* the process the event is about */
	pid_t child;			/* fork: the new process */
	int status;			/* exit: wait status; -1 unknown */
	bool entry_stop;		/* fork: "before" is from the fork's entry */
	struct pa_tf_side side[2];
	size_t nside;
};

/* Called for each event before it is printed (the TUI timeline). */
typedef void (*pa_tf_event_fn)(void *ctx, const struct pa_tf_event *e);

void pa_tf_snap_free(struct pa_tf_snap *sn);

/* Run --trace-fork for the session (o->command or o->pids[0]) and print
 * the events.  Returns the exit code: the command's (an exit code, or
 * 128+signal after the signal was re-raised without effect), or an error
 * code. */
int pa_tracefork_run(struct pa_session *s);

/*
 * The tracer for a caller with a loop of its own (the live view): one
 * thread of control, nothing blocks longer than one stop's reading.
 *   pa_tracer_start	start o->command (or attach to o->pids[0]); 0 or
 *			an exit code (then nothing is traced, said on stderr)
 *   pa_tracer_poll	handle every stop that is pending (call it when
 *			SIGCHLD arrives, e.g. through a signalfd); false
 *			when nothing is left to trace
 *   pa_tracer_hold_forks  step mode: hold parent and child at each fork
 *			event (after it was read and reported) until
 *			pa_tracer_release()
 *   pa_tracer_detach	let go of every process, leaving it running (and
 *			held ones released); returns how many processes
 *   pa_tracer_end	detach what is left, write --save, free
 */
struct pa_tracer;
struct pa_tf_start {
	pa_tf_event_fn hook;	/* called for each event, or NULL */
	void *hook_ctx;
	bool quiet;		/* no text/JSON output of the events */
	/* Command: find each fork's entry at system-call stops (PTRACE_SYSCALL)
	 * instead of a seccomp filter, so that detaching leaves nothing
	 * behind; each system call then stops twice. */
	bool syscall_entries;
	int fd[3];		/* the command's stdin, stdout, stderr; -1: ours */
	bool own_pgrp;		/* the command in a process group of its own */
	const sigset_t *sigmask;	/* the command's; NULL: the caller's */
};
int pa_tracer_start(struct pa_session *s, const struct pa_tf_start *so, struct pa_tracer **out);
bool pa_tracer_poll(struct pa_tracer *tr);
void pa_tracer_hold_forks(struct pa_tracer *tr, bool on);
/* Processes held at a fork (their PIDs, up to max, into pids). */
size_t pa_tracer_held(const struct pa_tracer *tr, pid_t *pids, size_t max);
void pa_tracer_release(struct pa_tracer *tr);
/* The processes traced now (up to max of them into pids); how many. */
size_t pa_tracer_procs(const struct pa_tracer *tr, pid_t *pids, size_t max);
pid_t pa_tracer_command(const struct pa_tracer *tr);
int pa_tracer_status(const struct pa_tracer *tr);	/* wait status, -1 running */
size_t pa_tracer_detach(struct pa_tracer *tr);
void pa_tracer_end(struct pa_tracer *tr);

/* Outputs (tracefork_out.c). */
void pa_tf_print_text(FILE *out, const struct pa_tf_event *e, const struct pa_options *o);
int pa_tf_print_json(FILE *out, const struct pa_tf_event *e, const struct pa_options *o);
const char *pa_tf_kind_name(enum pa_tf_kind k);
/* The first line of an event's text block, without the time (malloc'd). */
char *pa_tf_headline(const struct pa_tf_event *e, const struct pa_options *o);
/* A state of a transition: pa_state_name(), "unmapped" for PA_TF_NONE. */
const char *pa_tf_state_name(int st);
/* The transitions of side d, largest first: done[PA_ST__N + 1] zeroed
 * before the first call; false when none is left. */
bool pa_tf_next_transition(const struct pa_tf_side *d, uint64_t *done, int *from, int *to);
/* The transitions of d's pages in [start, end) (addresses) into out. */
void pa_tf_range_transitions(struct pa_tf_side *out, const struct pa_tf_side *d, uint64_t start,
			     uint64_t end);
/* The VMA of a reading that starts at start, or NULL. */
const struct pa_vma_report *pa_tf_find_vma(const struct pa_tf_snap *sn, uint64_t start);

#endif /* PA_TRACEFORK_H */
