// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The live view (--tui): watches processes and their descendants and shows
 * how their anonymous pages move between exclusive, shared after fork and
 * the other states.
 *
 * Sampling and drawing are separate (the collect -> analyse -> present
 * flow of page-anon.h): on the refresh timer sample() runs pa_collect() into a
 * struct pa_report (and pa_collect_pages() for the page map); the draw_*
 * functions only read the last two samples and never touch /proc.
 *
 * Three screens: the process list, the VMA list of one process and the
 * page map of one VMA.  Children are followed by re-expanding the watched
 * set on every sample (/proc/PID/task/TID/children, pa_expand_children);
 * a process seen once stays watched until it exits, even when its parent
 * exits first.  With -- COMMAND the command is started stopped on a pipe,
 * registered, then released to exec; page-anon becomes a child subreaper
 * so that orphaned grandchildren stay visible.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page-anon.h"

#ifndef HAVE_NCURSES

int pa_tui_run(struct pa_session *s)
{
	(void)s;
	fprintf(stderr, "page-anon was built without ncurses: --tui is not available\n");
	return PA_EXIT_ERROR;
}

#else /* HAVE_NCURSES */

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "snapshot.h"
#include "timeline.h"
#include "tracefork.h"

/* Pages read for the page map in one sample: 1 GiB of 4 KiB pages, about
 * 12 MiB of struct pa_page_info per copy.  A larger VMA is shown through
 * a window of this size that follows the cursor (the header says so). */
#define PAGES_MAX	(256 * 1024)

#define MIN_COLS	40
#define MIN_LINES	12

/* With --trace-fork also the timeline of events and one event's details. */
enum tui_screen { SCR_PROCS, SCR_VMAS, SCR_PAGES, SCR_EVENTS, SCR_EVENT };

/* Bar segments, in drawing order; the page map uses every state. */
static const enum pa_state bar_states[] = {
	PA_ST_ANON_EXCLUSIVE, PA_ST_ANON_SHARED, PA_ST_ANON_SOLE, PA_ST_KSM,
	PA_ST_ZERO, PA_ST_SWAPPED, PA_ST_FILE, PA_ST_UNKNOWN,
};

struct glyph {
	char mono;		/* monochrome and ASCII cell */
	const char *label;	/* legend */
	short color;
};
static const struct glyph glyphs[PA_ST__N] = {
	[PA_ST_ANON_EXCLUSIVE] = { 'x', "exclusive", COLOR_GREEN },
	[PA_ST_ANON_SHARED] = { 's', "shared", COLOR_YELLOW },
	[PA_ST_ANON_SOLE] = { 'o', "sole", COLOR_CYAN },
	[PA_ST_KSM] = { 'k', "ksm", COLOR_MAGENTA },
	[PA_ST_ZERO] = { '0', "zero", COLOR_BLUE },
	[PA_ST_FILE] = { 'f', "file", COLOR_WHITE },
	[PA_ST_SWAPPED] = { 'w', "swapped", COLOR_RED },
	[PA_ST_SPECIAL] = { '!', "special", COLOR_RED },
	[PA_ST_UNKNOWN] = { '?', "unknown", COLOR_WHITE },
};
#define PAIR_STATE(st)	((short)(1 + (st)))
#define PAIR_TITLE	((short)(1 + PA_ST__N))

/* A watched process: the PID and its start time (field 22 of
 * /proc/PID/stat) so that a reused PID is not taken for it. */
struct watched {
	pid_t pid;
	unsigned long long start;
};

/* A process that was watched and has exited, with its last counts. */
struct gone {
	pid_t pid, ppid;
	char comm[64];
	struct pa_counts totals;
	char why[48];
};

/* Exit status of a reaped child (the command or an adopted orphan). */
struct reaped {
	pid_t pid;
	int status;
};

struct row {			/* process list row, built at draw time */
	pid_t pid, ppid;
	const char *comm;
	const struct pa_counts *c, *prev;
	const char *note;	/* exited / error text, NULL if live */
	const struct pa_proc_report *p;
	int depth;		/* tree view: 0 for a process without a listed parent */
	bool last;		/* tree view: the last child of its parent */
};

/* The sort orders `s' cycles through: fields (fields.h), shown by their
 * --sort names; -1 is the PID.  Counters sort largest first. */
static const int psort_fields[] = { -1, PA_F_RSS, PA_F_EXCL, PA_F_SHARED, PA_F_NAME };
#define PSORT__N ((int)PA_ARRAY_SIZE(psort_fields))
static const int vsort_fields[] = { PA_F_START, PA_F_RSS, PA_F_EXCL, PA_F_SHARED, PA_F_NAME };
#define VSORT__N ((int)PA_ARRAY_SIZE(vsort_fields))

static const char *sort_name(int field)
{
	return field < 0 ? "pid" : pa_fields[field].name;
}

struct tui {
	struct pa_session *s;
	struct pa_options *o;

	pid_t cmd_pid;		/* 0 unless -- COMMAND */
	struct watched *w;	/* owned */
	size_t nw, wcap;
	struct gone *gone;	/* owned */
	size_t ngone, gcap;
	struct reaped *reaped;	/* owned */
	size_t nreaped, rcap;

	struct pa_report cur, prev;	/* last two samples */
	bool have_cur, have_prev, all_gone;
	uint64_t nsample;
	double interval, next_sample;

	enum tui_screen scr;
	bool paused, help, quit, dirty, filter_edit;
	int psort, vsort;
	bool flat;		/* process list without the parent/child tree */
	pid_t sel_pid;
	size_t pcur, ptop, vcur, vtop;
	uint64_t vma_start, vma_end;	/* selected VMA */
	char vma_name[256], vma_perms[5];
	char filter[64], fedit[64];

	/* page map: [win_first, win_first + npages) pages of the VMA */
	struct pa_page_info *pages, *ppages;	/* owned; current, previous */
	size_t npages, nppages;
	uint64_t win_first, pwin_first;
	bool pages_valid, ppages_valid, need_pages;
	int pages_err;
	uint64_t page_cur;	/* page index in the VMA */
	uint64_t group;		/* pages per cell, 0: automatic */
	uint64_t grid_top;	/* first row shown */

	bool color, utf8;
	char msg[160];
	/* --load: a static view of one capture (sampled once), and what the
	 * title says of it instead of the refresh interval */
	bool snapshot;
	/* "snapshot NAME, WHEN on HOST", then shorter: without the host,
	 * the name alone; the longest that fits the title line is shown */
	char snap_title[3][256];

	/* --trace-fork: the tracer runs in this loop (tui_trace_poll() when
	 * SIGCHLD arrives on sigfd); its events go into the timeline */
	bool tracing;
	struct pa_tracer *tr;	/* owned; NULL once nothing is traced */
	struct pa_tl tl;
	bool step;		/* step mode: hold the command at each fork */
	size_t nheld;		/* processes held at a fork now */
	pid_t held[2];
	int sigfd;		/* SIGCHLD; -1 */
	sigset_t oldmask;	/* before SIGCHLD was blocked for sigfd */
	size_t ecur, etop;	/* timeline cursor */
	uint64_t eseq;		/* the event shown in detail */
	size_t dtop;		/* its first line shown */
};

static bool curses_active;

static void tui_atexit(void)
{
	/* fatal paths (pa_xrealloc's abort is not one: SIGABRT) */
	if (curses_active) {
		endwin();
		curses_active = false;
	}
}

/* ------------------------------------------------------------------ */
/* Sampling: everything that reads /proc                               */

/* State letter, ppid and start time from /proc/PID/stat; false when the
 * process is gone. */
static bool read_stat(struct pa_session *s, pid_t pid, char *state, pid_t *ppid,
		      unsigned long long *start)
{
	struct pa_proc_stat ps;
	bool ok = pa_session_proc_stat(s, pid, &ps) == 0;

	*state = ps.state;
	*ppid = ps.ppid;
	*start = ps.starttime;
	return ok;
}

static const char *exit_text(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)) ?
			 sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(buf, len, "exited");
	return buf;
}

/* Collect exit statuses of our children: the command and, as a child
 * subreaper, any orphaned descendant of it. */
static void reap(struct tui *t)
{
	int status;
	pid_t pid;

	if (!t->cmd_pid || t->tracing)	/* the tracer waits for its tracees */
		return;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (t->nreaped == t->rcap) {
			t->rcap = t->rcap ? 2 * t->rcap : 16;
			t->reaped = pa_xrealloc(t->reaped, t->rcap, sizeof(*t->reaped));
		}
		t->reaped[t->nreaped++] = (struct reaped){ pid, status };
		/* Seen gone before it could be reaped (its memory was
		 * already torn down): now the status is known. */
		for (size_t i = 0; i < t->ngone; i++)
			if (t->gone[i].pid == pid && !strncmp(t->gone[i].why, "exited", 6) &&
			    !strstr(t->gone[i].why, "reused"))
				exit_text(status, t->gone[i].why, sizeof(t->gone[i].why));
	}
}

static const struct pa_proc_report *find_proc(const struct pa_report *r, pid_t pid)
{
	for (size_t i = 0; r && i < r->nprocs; i++)
		if (r->procs[i].pid == pid)
			return &r->procs[i];
	return NULL;
}

static bool is_gone(const struct tui *t, pid_t pid)
{
	for (size_t i = 0; i < t->ngone; i++)
		if (t->gone[i].pid == pid)
			return true;
	return false;
}

static void mark_gone(struct tui *t, pid_t pid, const char *why)
{
	const struct pa_proc_report *p = t->have_cur ? find_proc(&t->cur, pid) : NULL;
	struct gone *g;
	char buf[48];

	if (is_gone(t, pid))
		return;
	for (size_t i = t->nreaped; i-- > 0;)
		if (t->reaped[i].pid == pid) {
			why = exit_text(t->reaped[i].status, buf, sizeof(buf));
			break;
		}
	if (t->ngone == t->gcap) {
		t->gcap = t->gcap ? 2 * t->gcap : 16;
		t->gone = pa_xrealloc(t->gone, t->gcap, sizeof(*t->gone));
	}
	g = &t->gone[t->ngone++];
	memset(g, 0, sizeof(*g));
	g->pid = pid;
	snprintf(g->why, sizeof(g->why), "%s", why);
	if (p) {
		g->ppid = p->ppid;
		snprintf(g->comm, sizeof(g->comm), "%s", p->comm);
		g->totals = p->totals;
	}
}

static bool watched_has(const struct tui *t, pid_t pid, unsigned long long *start)
{
	for (size_t i = 0; i < t->nw; i++)
		if (t->w[i].pid == pid) {
			*start = t->w[i].start;
			return true;
		}
	return false;
}

static void sample_pages(struct tui *t)
{
	uint64_t ps = (uint64_t)t->s->src->page_size;
	uint64_t total = (t->vma_end - t->vma_start) / ps;
	uint64_t first = t->win_first;
	size_t n;
	ssize_t got;

	t->need_pages = false;
	if (t->all_gone || is_gone(t, t->sel_pid) || !total)
		return;
	if (first >= total)
		first = 0;
	n = total - first > PAGES_MAX ? PAGES_MAX : (size_t)(total - first);
	if (!t->ppages)
		t->ppages = pa_xrealloc(NULL, PAGES_MAX, sizeof(*t->ppages));
	got = pa_collect_pages(t->s, t->sel_pid, t->vma_start + first * ps,
			       t->vma_start + (first + n) * ps, t->ppages, n);
	if (got < 0) {
		t->pages_err = (int)-got;
		return;
	}
	/* the new sample goes into the spare buffer, the old becomes prev */
	struct pa_page_info *old = t->pages;

	t->pages = t->ppages;
	t->ppages = old;
	t->nppages = t->npages;
	t->pwin_first = t->win_first;
	t->ppages_valid = t->pages_valid;
	t->npages = (size_t)got;
	t->win_first = first;
	t->pages_valid = true;
	t->pages_err = 0;
	t->dirty = true;
}

static void sample(struct tui *t)
{
	struct pa_session *s = t->s;
	struct pa_options *o = t->o;
	pid_t *roots, *pids, *live;
	size_t nroots = 0, npids, nlive = 0, cap;
	struct pa_report r;

	reap(t);
	cap = o->npids + t->nw + 2 + (t->tr ? pa_tracer_procs(t->tr, NULL, 0) : 0);
	roots = pa_xrealloc(NULL, cap, sizeof(*roots));
	if (t->cmd_pid)
		roots[nroots++] = t->cmd_pid;
	if (t->tr)	/* every process of the command, orphans too */
		nroots += pa_tracer_procs(t->tr, roots + nroots, cap - nroots);
	for (size_t i = 0; i < o->npids; i++)
		roots[nroots++] = o->pids[i];
	for (size_t i = 0; i < t->nw; i++)
		roots[nroots++] = t->w[i].pid;
	if (t->cmd_pid && !t->tracing)
		/* orphans adopted by us as the subreaper */
		pa_source_children(s->src, getpid(), &roots, &nroots, &cap);
	pa_expand_children(s, roots, nroots, &pids, &npids);
	free(roots);

	/* Drop the dead and zombies before walking them. */
	live = pa_xrealloc(NULL, npids ? npids : 1, sizeof(*live));
	struct watched *nw = pa_xrealloc(NULL, npids ? npids : 1, sizeof(*nw));

	for (size_t i = 0; i < npids; i++) {
		unsigned long long start, old;
		pid_t ppid;
		char st;

		if (pids[i] == getpid())
			continue;
		if (!read_stat(s, pids[i], &st, &ppid, &start) || st == 'Z' || st == 'X') {
			if (t->have_cur && find_proc(&t->cur, pids[i]))
				mark_gone(t, pids[i], st == 'Z' ? "exited (zombie)" : "exited");
			continue;
		}
		if (watched_has(t, pids[i], &old) && old != start)
			mark_gone(t, pids[i], "exited (PID reused)");
		nw[nlive] = (struct watched){ pids[i], start };
		live[nlive++] = pids[i];
	}
	free(pids);
	/* The watched set is what is alive now; anything watched before
	 * and missing now has exited. */
	for (size_t i = 0; i < t->nw; i++) {
		bool found = false;

		for (size_t j = 0; j < nlive && !found; j++)
			found = live[j] == t->w[i].pid;
		if (!found)
			mark_gone(t, t->w[i].pid, "exited");
	}
	free(t->w);
	t->w = nw;
	t->nw = nlive;
	t->wcap = npids ? npids : 1;

	if (!nlive) {
		/* keep showing the last sample */
		if (t->have_cur && !t->all_gone)
			t->dirty = true;
		t->all_gone = true;
		free(live);
		return;
	}
	pa_report_init(&r);
	pa_collect(s, live, nlive, &r);
	free(live);
	r.sample = ++t->nsample;
	/* processes that exited during the walk */
	for (size_t i = 0; i < r.nprocs; i++) {
		const struct pa_proc_report *p = &r.procs[i];

		if (p->err == ESRCH || p->err == ENOENT || p->stats.partial) {
			mark_gone(t, p->pid, "exited");
		}
	}
	if (t->have_prev)
		pa_report_free(&t->prev);
	if (t->have_cur) {
		t->prev = t->cur;
		t->have_prev = true;
	}
	t->cur = r;
	t->have_cur = true;
	t->all_gone = false;
	for (size_t i = 0; i < r.nprocs; i++)
		if (!is_gone(t, r.procs[i].pid))
			goto some_live;
	t->all_gone = true;
some_live:
	if (t->scr == SCR_PAGES)
		sample_pages(t);
	t->dirty = true;
}

/* ------------------------------------------------------------------ */
/* Starting the command                                                */

static int start_command(struct tui *t)
{
	char **argv = t->o->command;
	const char *log = t->o->command_log ? t->o->command_log : "/dev/null";
	int go[2], err[2], nul, out, e = 0;
	ssize_t n;
	pid_t pid;

	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_CLOEXEC, 0644);
	if (nul < 0 || out < 0) {
		pa_error("%s: %s", nul < 0 ? "/dev/null" : log, strerror(errno));
		return -1;
	}
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		pa_error("pipe: %s", strerror(errno));
		return -1;
	}
	/* Grandchildren whose parent exits are re-parented to us instead
	 * of init, so they stay visible (Linux 3.4+). */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		pa_error("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		char c;
		struct sigaction dfl = { .sa_handler = SIG_DFL };

		/* its own process group: ^C in the view stops page-anon,
		 * not the command */
		setpgid(0, 0);
		sigemptyset(&dfl.sa_mask);
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGTERM, &dfl, NULL);
		sigaction(SIGHUP, &dfl, NULL);
		dup2(nul, STDIN_FILENO);
		dup2(out, STDOUT_FILENO);
		dup2(out, STDERR_FILENO);
		close(go[1]);
		/* wait until the view has registered us */
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		execvp(argv[0], argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(nul);
	close(out);
	close(go[0]);
	close(err[1]);
	t->cmd_pid = pid;
	t->w = pa_xrealloc(NULL, 1, sizeof(*t->w));
	t->w[0].pid = pid;
	t->w[0].start = 0;
	{
		char st;
		pid_t ppid;

		read_stat(t->s, pid, &st, &ppid, &t->w[0].start);
	}
	t->nw = t->wcap = 1;
	if (write(go[1], "g", 1) < 0)
		e = errno;
	close(go[1]);
	/* EOF when exec succeeded (close-on-exec), an errno otherwise */
	do
		n = read(err[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(err[0]);
	if (n == (ssize_t)sizeof(e)) {
		waitpid(pid, NULL, 0);
		pa_error("%s: %s", argv[0], strerror(e));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* --trace-fork: the tracer in the view's loop                         */

static void add_reaped(struct tui *t, pid_t pid, int status)
{
	if (t->nreaped == t->rcap) {
		t->rcap = t->rcap ? 2 * t->rcap : 16;
		t->reaped = pa_xrealloc(t->reaped, t->rcap, sizeof(*t->reaped));
	}
	t->reaped[t->nreaped++] = (struct reaped){ pid, status };
}

/* The tracer's hook: keep the event (its readings are freed after). */
static void on_event(void *ctx, const struct pa_tf_event *e)
{
	struct tui *t = ctx;
	bool follow = !t->tl.n || t->ecur + 1 >= t->tl.n;
	uint64_t dropped = t->tl.dropped;

	pa_tl_add(&t->tl, e, t->o);
	if (t->tl.dropped != dropped && t->ecur)	/* the oldest went */
		t->ecur--;
	if (follow)
		t->ecur = t->tl.n - 1;
	if (e->kind == PA_TF_EXIT && e->status >= 0)
		add_reaped(t, e->pid, e->status);
	t->dirty = true;
}

/* Handle the stops that are pending; at the start of a hold, sample at
 * once (both processes as they are at the fork). */
static void tui_trace_poll(struct tui *t)
{
	size_t held;

	if (!t->tr)
		return;
	if (!pa_tracer_poll(t->tr)) {
		/* every process of the command has ended */
		pa_tracer_end(t->tr);
		t->tr = NULL;
		t->nheld = 0;
		t->next_sample = pa_now();
		t->dirty = true;
		return;
	}
	held = pa_tracer_held(t->tr, NULL, 0);
	if (held && !t->nheld) {
		for (size_t i = t->tl.n; i-- > 0;)
			if (t->tl.ev[i].kind == PA_TF_FORK) {
				t->held[0] = t->tl.ev[i].pid;
				t->held[1] = t->tl.ev[i].child;
				break;
			}
		t->next_sample = pa_now();
		t->dirty = true;
	}
	t->nheld = held;
}

/* Start the command under the tracer: its input /dev/null, its output to
 * --command-log or /dev/null, its own process group (Ctrl-C is for the
 * view).  Or attach to -p PID.  Fork entries are found at system-call
 * stops, not by a seccomp filter, so that quitting the view leaves the
 * command as it would run without page-anon; with -p, every fork's entry
 * too, not only the first one's. */
static int start_trace(struct tui *t)
{
	const char *log = t->o->command_log ? t->o->command_log : "/dev/null";
	struct pa_tf_start so = { .hook = on_event, .hook_ctx = t, .quiet = true,
				  .syscall_entries = true, .own_pgrp = true,
				  .fd = { -1, -1, -1 } };
	sigset_t chld;
	int nul = -1, out = -1, rc;

	if (t->o->command) {
		nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
		out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_CLOEXEC, 0644);
		if (nul < 0 || out < 0) {
			pa_error("%s: %s", nul < 0 ? "/dev/null" : log, strerror(errno));
			if (nul >= 0)
				close(nul);
			return PA_EXIT_ERROR;
		}
		so.fd[0] = nul;
		so.fd[1] = so.fd[2] = out;
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &t->oldmask);
	t->sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (t->sigfd < 0) {
		pa_error("signalfd: %s", strerror(errno));
		if (nul >= 0) {
			close(nul);
			close(out);
		}
		return PA_EXIT_ERROR;
	}
	so.sigmask = &t->oldmask;
	rc = pa_tracer_start(t->s, &so, &t->tr);
	if (nul >= 0) {
		close(nul);
		close(out);
	}
	if (rc)
		return rc;
	t->tracing = true;
	t->cmd_pid = pa_tracer_command(t->tr);	/* 0: attached to -p PID */
	if (!t->cmd_pid)
		return 0;	/* the attach was the start event */
	t->w = pa_xrealloc(NULL, 1, sizeof(*t->w));
	t->w[0].pid = t->cmd_pid;
	t->w[0].start = 0;
	t->nw = t->wcap = 1;
	/* until the command has started (its exec), or failed to */
	while (t->tr && !(t->tl.n && t->tl.ev[0].kind == PA_TF_START) && !pa_stop_flag) {
		struct pollfd pf = { t->sigfd, POLLIN, 0 };
		struct signalfd_siginfo si;

		tui_trace_poll(t);
		if (!t->tr || t->tl.n)
			break;
		poll(&pf, 1, 250);
		while (read(t->sigfd, &si, sizeof(si)) > 0)
			;
	}
	if (!t->tl.n || t->tl.ev[0].kind != PA_TF_START)
		return PA_EXIT_ERROR;	/* the command could not be run (said) */
	{
		char st;
		pid_t ppid;

		read_stat(t->s, t->cmd_pid, &st, &ppid, &t->w[0].start);
	}
	return 0;
}

/* Let go of every process of the command, leaving it running; the
 * number of processes let go. */
static size_t stop_trace(struct tui *t)
{
	size_t n = 0;

	if (t->tr) {
		n = pa_tracer_detach(t->tr);
		pa_tracer_end(t->tr);
		t->tr = NULL;
	}
	t->nheld = 0;
	if (t->sigfd >= 0) {
		close(t->sigfd);
		t->sigfd = -1;
		sigprocmask(SIG_SETMASK, &t->oldmask, NULL);
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Drawing: reads only t->cur, t->prev, t->gone and t->pages           */

static void fmt_size(const struct tui *t, uint64_t pages, char *buf, size_t len)
{
	if (!pages)
		snprintf(buf, len, "0");
	else
		pa_human_size(pages * (uint64_t)t->cur.page_size, buf, len);
}

static void fmt_delta(const struct tui *t, uint64_t now, uint64_t before, bool have, char *buf,
		      size_t len)
{
	char h[24];

	if (t->snapshot) {	/* one capture: nothing to compare with */
		snprintf(buf, len, "-");
		return;
	}
	if (!have || now == before) {
		snprintf(buf, len, "+0");
		return;
	}
	fmt_size(t, now > before ? now - before : before - now, h, sizeof(h));
	snprintf(buf, len, "%c%s", now > before ? '+' : '-', h);
}

/* Copy for the screen: control bytes and (for a stable layout) non-ASCII
 * bytes become '?'. */
static void clean(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	dst[i] = 0;
}

static void put(int y, int x, int width, attr_t a, const char *s)
{
	if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + width > COLS)
		width = COLS - x;
	attron(a);
	mvaddnstr(y, x, s, width);
	attroff(a);
}

static void putf(int y, int x, int width, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void putf(int y, int x, int width, attr_t a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(y, x, width, a, buf);
}

/* s at (y, x) as it is: the caller made it fit (it may hold multibyte
 * characters, which put() would count as bytes). */
static void put_fit(int y, int x, attr_t a, const char *s)
{
	if (y < 0 || y >= LINES || x >= COLS)
		return;
	attron(a);
	mvaddstr(y, x, s);
	attroff(a);
}

static void append(char *dst, size_t len, size_t *pos, const char *s, size_t n)
{
	while (n-- && *s && *pos + 1 < len)
		dst[(*pos)++] = *s++;
	dst[*pos] = 0;
}

/* The ASCII string name in at most w columns: a long path keeps its start
 * and its last component ("/usr/~/libc.so.6"; with UTF-8 an ellipsis
 * instead of "~"), or the last component alone ("~libc.so.6"), or the
 * start and end of that ("ld-linux~64.so.2"); other names keep their
 * start and end. */
static void shorten(const struct tui *t, char *dst, size_t len, const char *name, int w)
{
	const char *ell = t->utf8 ? "\xe2\x80\xa6" : "~";
	const char *slash = strrchr(name, '/');
	size_t n = strlen(name), cols = w > 0 ? (size_t)w : 0, pos = 0, head, tail;

	if (!len)
		return;
	dst[0] = 0;
	if (n <= cols || cols < 3) {
		append(dst, len, &pos, name, cols);
		return;
	}
	if (slash && strlen(slash) + 2 <= cols) {
		head = cols - 1 - strlen(slash);
		tail = strlen(slash);
	} else if (slash && strlen(slash + 1) + 1 <= cols) {
		head = 0;
		tail = strlen(slash + 1);
	} else {
		if (slash) {	/* the last component alone, shortened */
			name = slash + 1;
			n = strlen(name);
		}
		tail = (cols - 1) / 2;
		head = cols - 1 - tail;
	}
	append(dst, len, &pos, name, head);
	append(dst, len, &pos, ell, SIZE_MAX);
	append(dst, len, &pos, name + n - tail, tail);
}

/* Mark the sorted column: the character after its header (the blank
 * between two columns) shows the direction, v or a down triangle for
 * largest first, ^ or an up triangle for ascending. */
static void sort_mark(const struct tui *t, int y, int x, bool descending)
{
	if (x >= COLS)
		return;
	put_fit(y, x, A_BOLD, t->utf8 ? (descending ? "\xe2\x96\xbc" : "\xe2\x96\xb2") :
	        (descending ? "v" : "^"));
}

/* One cell of state st at (y, x). */
/* mark: a letter drawn instead of the state's (pinned pages: 'P'). */
static void cell_mark(const struct tui *t, int y, int x, int st, attr_t extra, bool letter,
		      char mark)
{
	char m[2] = { '.', 0 };

	if (st >= 0 && st < PA_ST__N)
		m[0] = glyphs[st].mono;
	if (mark) {
		m[0] = mark;
		letter = true;
	}
	if (st < 0 || !t->color || letter) {
		attr_t a = extra;

		if (t->color && st >= 0 && st < PA_ST__N)
			a |= COLOR_PAIR(PAIR_STATE(st)) | A_BOLD;
		if (st < 0 && t->utf8 && !extra)
			m[0] = 0;
		attron(a);
		if (m[0])
			mvaddstr(y, x, m);
		else
			mvaddstr(y, x, "\xc2\xb7");	/* U+00B7 middle dot */
		attroff(a);
		return;
	}
	attron(COLOR_PAIR(PAIR_STATE(st)) | extra);
	if (t->utf8)
		mvaddstr(y, x, "\xe2\x96\x88");	/* U+2588 full block */
	else {
		attron(A_REVERSE);
		mvaddstr(y, x, " ");
		attroff(A_REVERSE);
	}
	attroff(COLOR_PAIR(PAIR_STATE(st)) | extra);
}

static void cell(const struct tui *t, int y, int x, int st, attr_t extra, bool letter)
{
	cell_mark(t, y, x, st, extra, letter, 0);
}

/* Stacked bar of the states in bar_states[], width w. */
static void bar(const struct tui *t, int y, int x, int w, const struct pa_counts *c)
{
	uint64_t total = 0, v[PA_ARRAY_SIZE(bar_states)], rem[PA_ARRAY_SIZE(bar_states)];
	int seg[PA_ARRAY_SIZE(bar_states)], used = 0;

	if (w <= 0)
		return;
	for (size_t i = 0; i < PA_ARRAY_SIZE(bar_states); i++) {
		v[i] = c->state[bar_states[i]];
		total += v[i];
	}
	if (!total)
		return;
	/* largest remainder, so the segments add up to w */
	for (size_t i = 0; i < PA_ARRAY_SIZE(bar_states); i++) {
		seg[i] = (int)(v[i] * (uint64_t)w / total);
		rem[i] = v[i] * (uint64_t)w % total;
		used += seg[i];
	}
	while (used < w) {
		size_t best = 0;

		for (size_t i = 1; i < PA_ARRAY_SIZE(bar_states); i++)
			if (rem[i] > rem[best])
				best = i;
		seg[best]++;
		rem[best] = 0;
		used++;
	}
	for (size_t i = 0, pos = 0; i < PA_ARRAY_SIZE(bar_states); i++)
		for (int k = 0; k < seg[i] && (int)pos < w; k++, pos++)
			cell(t, y, x + (int)pos, bar_states[i], 0, false);
}

static void title(const struct tui *t, const char *what)
{
	char line[512];
	int n;

	if (t->snapshot) {
		/* the kernel only when it fits: which capture comes first */
		for (size_t i = 0; i < PA_ARRAY_SIZE(t->snap_title); i++) {
			n = snprintf(line, sizeof(line), " page-anon  %s  %s", what, t->snap_title[i]);
			if (n <= COLS)
				break;
		}
		if (n > 0 && (size_t)n < sizeof(line) && n + 9 + (int)strlen(t->cur.kernel) <= COLS)
			snprintf(line + n, sizeof(line) - (size_t)n, "  kernel %s", t->cur.kernel);
	} else {
		n = snprintf(line, sizeof(line), " page-anon  %s  %s%s#%llu every %.1fs  kernel %s",
			     what, t->paused ? "[PAUSED] " : "", t->step ? "[STEP] " : "",
			     (unsigned long long)t->nsample, t->interval, t->cur.kernel);
	}
	attron(A_REVERSE | (t->color ? COLOR_PAIR(PAIR_TITLE) : 0));
	mvhline(0, 0, ' ', COLS);
	mvaddnstr(0, 0, line, COLS);
	attroff(A_REVERSE | (t->color ? COLOR_PAIR(PAIR_TITLE) : 0));
	(void)n;
}

static void footer(const struct tui *t, const char *keys)
{
	if (t->filter_edit) {
		putf(LINES - 1, 0, COLS, A_BOLD, "Filter VMAs by name: %s_", t->fedit);
		return;
	}
	if (t->nheld)	/* before any message: the processes wait for a key */
		putf(LINES - 2, 0, COLS, A_BOLD, "HELD at fork %d -> %d: c continues, f ends step mode",
		     (int)t->held[0], (int)t->held[1]);
	else if (t->msg[0])
		put(LINES - 2, 0, COLS, A_BOLD, t->msg);
	else if (t->all_gone)
		put(LINES - 2, 0, COLS, A_BOLD,
		    "All watched processes have exited: showing the last sample (q quits)");
	put(LINES - 1, 0, COLS, A_REVERSE, keys);
	mvchgat(LINES - 1, 0, -1, A_REVERSE, 0, NULL);
}

static void legend(const struct tui *t, int y, bool all)
{
	int x = 0;

	for (int st = 0; st < PA_ST__N && x < COLS; st++) {
		bool in_bar = false;

		for (size_t i = 0; i < PA_ARRAY_SIZE(bar_states); i++)
			in_bar |= bar_states[i] == (enum pa_state)st;
		if (!all && !in_bar)
			continue;
		/* "x exclusive  s shared": a blank between the cell and its
		 * label, two between entries */
		if (x + 2 + (int)strlen(glyphs[st].label) > COLS)
			break;
		cell(t, y, x, st, 0, false);
		put(y, x + 2, COLS - x - 2, 0, glyphs[st].label);
		x += 4 + (int)strlen(glyphs[st].label);
	}
}

/* Process rows: sampled processes, then the exited ones. */
static size_t build_rows(const struct tui *t, struct row **out)
{
	size_t n = 0, cap = t->cur.nprocs + t->ngone + 1;
	struct row *rows = pa_xrealloc(NULL, cap, sizeof(*rows));

	for (size_t i = 0; t->have_cur && i < t->cur.nprocs; i++) {
		const struct pa_proc_report *p = &t->cur.procs[i];
		const struct pa_proc_report *pp = t->have_prev ? find_proc(&t->prev, p->pid) : NULL;
		const char *note = NULL;

		for (size_t g = 0; g < t->ngone; g++)
			if (t->gone[g].pid == p->pid)
				note = t->gone[g].why;
		if (!note && p->err)
			note = p->errmsg;
		rows[n++] = (struct row){ p->pid, p->ppid, p->comm, &p->totals,
					  pp ? &pp->totals : NULL, note, p, 0, false };
	}
	for (size_t g = 0; g < t->ngone; g++) {
		bool dup = false;

		for (size_t i = 0; i < n && !dup; i++)
			dup = rows[i].pid == t->gone[g].pid;
		if (!dup)
			rows[n++] = (struct row){ t->gone[g].pid, t->gone[g].ppid, t->gone[g].comm,
						  &t->gone[g].totals, NULL, t->gone[g].why, NULL, 0, false };
	}
	*out = rows;
	return n;
}

static int cmp_row(const void *a, const void *b, void *arg)
{
	const struct row *x = a, *y = b;
	int field = *(const int *)arg, c;

	if (field == PA_F_NAME) {
		c = strcmp(x->comm, y->comm);
		if (c)
			return c;
	} else if (field >= 0) {
		uint64_t kx = pa_field_count(x->c, field), ky = pa_field_count(y->c, field);

		if (kx != ky)	/* sizes: largest first */
			return kx < ky ? 1 : -1;
	}
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Tree order: every process right after its parent (when the parent is
 * listed), siblings in the sort order, depth and last-child marks set. */
struct tree_walk {
	const struct row *in;
	struct row *out;
	bool *done;
	size_t n, k;
};

static void tree_visit(struct tree_walk *w, size_t i, int depth)
{
	size_t lastpos = SIZE_MAX;

	w->done[i] = true;
	w->out[w->k] = w->in[i];
	w->out[w->k].depth = depth;
	w->out[w->k].last = false;
	w->k++;
	for (size_t j = 0; j < w->n; j++) {
		if (w->done[j] || w->in[j].ppid != w->in[i].pid)
			continue;
		lastpos = w->k;
		tree_visit(w, j, depth + 1);
	}
	if (lastpos != SIZE_MAX)
		w->out[lastpos].last = true;
}

static void tree_order(struct row *rows, size_t n)
{
	struct tree_walk w = { rows, pa_xrealloc(NULL, n ? n : 1, sizeof(*rows)),
			       pa_xrealloc(NULL, n ? n : 1, sizeof(bool)), n, 0 };

	memset(w.done, 0, n * sizeof(bool));
	for (size_t i = 0; i < n; i++) {
		bool has_parent = false;

		for (size_t j = 0; j < n && !has_parent; j++)
			has_parent = j != i && rows[j].pid == rows[i].ppid;
		if (!has_parent && !w.done[i])
			tree_visit(&w, i, 0);
	}
	for (size_t i = 0; i < n; i++)	/* a PID cycle (reuse): roots */
		if (!w.done[i])
			tree_visit(&w, i, 0);
	memcpy(rows, w.out, n * sizeof(*rows));
	free(w.out);
	free(w.done);
}

/* The process list as shown: sorted, then in tree order unless flat. */
static size_t shown_rows(const struct tui *t, struct row **out)
{
	size_t n = build_rows(t, out);

	for (size_t i = 0; i < n; i++)
		(*out)[i].depth = 0, (*out)[i].last = false;
	qsort_r(*out, n, sizeof(**out), cmp_row, (void *)&psort_fields[t->psort]);
	if (!t->flat)
		tree_order(*out, n);
	return n;
}

/* The COMMAND cell, w columns: the name indented under its parent with
 * "|-" or "`-" (box-drawing characters with UTF-8). */
static void command_cell(const struct tui *t, const struct row *r, char *dst, size_t len, int w)
{
	char comm[64], pre[64] = "";
	int d = r->depth > 4 ? 4 : r->depth, used = 0;

	clean(comm, sizeof(comm), r->comm[0] ? r->comm : "?");
	if (d > 0) {
		snprintf(pre, sizeof(pre), "%*s%s", 2 * (d - 1), "",
			 t->utf8 ? (r->last ? "\xe2\x94\x94\xe2\x94\x80" : "\xe2\x94\x9c\xe2\x94\x80") :
			 (r->last ? "`-" : "|-"));
		used = 2 * d;
	}
	snprintf(dst, len, "%s%.*s", pre, w - used > 0 ? w - used : 0, comm);
}

static void scroll_to(size_t *cur, size_t *top, size_t n, size_t h)
{
	if (!n) {
		*cur = *top = 0;
		return;
	}
	if (*cur >= n)
		*cur = n - 1;
	if (*cur < *top)
		*top = *cur;
	if (h && *cur >= *top + h)
		*top = *cur - h + 1;
	if (*top + h > n)
		*top = n > h ? n - h : 0;
}

static void draw_procs(struct tui *t)
{
	struct row *rows;
	size_t n = shown_rows(t, &rows);
	int h = LINES - 5, barx = 65, barw = COLS - 65;
	char rss[32], ex[32], dex[32], sh[32], dsh[32], so[32], comm[128];
	/* where each sort order of psort_fields[] puts its mark: the blank
	 * after the header text (before it for PID, which COMMAND follows
	 * without a gap) */
	static const int psort_mark[] = { 3, 29, 36, 50, 8 + 7 };
	int pfield = psort_fields[t->psort];
	/* --trace-fork: the last events under the processes */
	int evh = t->tracing ? (h / 3 > 3 ? h / 3 : 3) : 0;

	if (evh)
		h -= evh + 1;
	for (size_t i = 0; i < n; i++)
		if (rows[i].pid == t->sel_pid)
			t->pcur = i;
	scroll_to(&t->pcur, &t->ptop, n, (size_t)h);
	if (n)
		t->sel_pid = rows[t->pcur].pid;

	{
		char what[64];

		snprintf(what, sizeof(what), "%zu process%s%s", n, n == 1 ? "" : "es",
			 t->flat ? "" : ", tree");
		title(t, what);
	}
	if (barw < 8) {
		barx = COLS;
		barw = 0;
	}
	putf(1, 0, COLS, A_BOLD, "%7s %-14s %6s %6s %6s %6s %6s %6s %s", "PID", "COMMAND", "RSS",
	     "EXCL", "dEXCL", "SHARED", "dSHR", "SOLE", barw ? "STATES" : "");
	_Static_assert(PA_ARRAY_SIZE(psort_mark) == PA_ARRAY_SIZE(psort_fields), "one mark per order");
	sort_mark(t, 1, psort_mark[t->psort], pfield >= 0 && pfield != PA_F_NAME);
	for (int y = 0; y < h && t->ptop + (size_t)y < n; y++) {
		const struct row *r = &rows[t->ptop + (size_t)y];
		const struct pa_counts *c = r->c, *p = r->prev;
		attr_t a = t->ptop + (size_t)y == t->pcur ? A_REVERSE : 0;

		command_cell(t, r, comm, sizeof(comm), 14);
		fmt_size(t, c->present, rss, sizeof(rss));
		fmt_size(t, c->state[PA_ST_ANON_EXCLUSIVE], ex, sizeof(ex));
		fmt_size(t, c->state[PA_ST_ANON_SHARED], sh, sizeof(sh));
		fmt_size(t, c->state[PA_ST_ANON_SOLE], so, sizeof(so));
		fmt_delta(t, c->state[PA_ST_ANON_EXCLUSIVE], p ? p->state[PA_ST_ANON_EXCLUSIVE] : 0,
			  p != NULL, dex, sizeof(dex));
		fmt_delta(t, c->state[PA_ST_ANON_SHARED], p ? p->state[PA_ST_ANON_SHARED] : 0,
			  p != NULL, dsh, sizeof(dsh));
		if (a)
			mvchgat(2 + y, 0, -1, A_REVERSE, 0, NULL);
		putf(2 + y, 0, barx, a | (r->note ? A_DIM : 0), "%7d %-14s %6s %6s %6s %6s %6s %6s ",
		     (int)r->pid, "", rss, ex, dex, sh, dsh, so);
		put_fit(2 + y, 8, a | (r->note ? A_DIM : 0), comm);
		if (r->note)
			putf(2 + y, barx, COLS - barx, a | A_BOLD, "%s", r->note);
		else if (barw)
			bar(t, 2 + y, barx, barw - 1, c);
	}
	if (!n)
		put(3, 2, COLS - 2, 0, "no processes");
	if (evh) {
		int y0 = 2 + h;
		size_t first = t->tl.n > (size_t)evh ? t->tl.n - (size_t)evh : 0;

		putf(y0, 0, COLS, A_BOLD, "EVENTS %-8s (e timeline, f step mode%s)",
		     t->step ? "[STEP]" : "", t->tr ? "" : ", tracing ended");
		for (size_t i = first; i < t->tl.n; i++)
			putf(y0 + 1 + (int)(i - first), 0, COLS, 0, "%9.3f %s", t->tl.ev[i].t,
			     t->tl.ev[i].line);
	}
	legend(t, LINES - 3, false);
	/* the selected process's unknown pages: the hint of the text report */
	if (n && !t->msg[0] && !t->all_gone && !t->nheld) {
		char hint[512];

		if (pa_unknown_hint(rows[t->pcur].c, hint, sizeof(hint)))
			put(LINES - 2, 0, COLS, A_DIM, hint);
	}
	footer(t, t->snapshot ? " Enter VMAs  s sort  t tree  ? help  q quit" :
	       t->tracing ? " Enter VMAs  e events  f step  c continue  s sort  ? help  q quit" :
	       " Enter VMAs  s sort  t tree  p pause  +/- interval  ? help  q quit");
	free(rows);
}

/* The timeline: one line per event, newest last. */
static void draw_events(struct tui *t)
{
	int h = LINES - 5;
	char what[96];

	scroll_to(&t->ecur, &t->etop, t->tl.n, (size_t)(h > 0 ? h : 1));
	snprintf(what, sizeof(what), "%zu events%s", t->tl.n, t->tr ? "" : ", tracing ended");
	title(t, what);
	putf(1, 0, COLS, A_BOLD, "%9s %s", "TIME", t->tl.dropped ? "EVENT (older ones dropped)" :
	     "EVENT");
	for (int y = 0; y < h && t->etop + (size_t)y < t->tl.n; y++) {
		const struct pa_tl_event *e = &t->tl.ev[t->etop + (size_t)y];
		attr_t a = t->etop + (size_t)y == t->ecur ? A_REVERSE : 0;

		if (a)
			mvchgat(2 + y, 0, -1, A_REVERSE, 0, NULL);
		putf(2 + y, 0, COLS, a, "%9.3f %s", e->t, e->line);
	}
	if (!t->tl.n)
		put(3, 2, COLS - 2, 0, "no events yet");
	footer(t, " Enter details  Esc back  f step  c continue  ? help  q quit");
}

static const struct pa_tl_event *sel_event(const struct tui *t)
{
	for (size_t i = 0; i < t->tl.n; i++)
		if (t->tl.ev[i].seq == t->eseq)
			return &t->tl.ev[i];
	return NULL;
}

/* "excl>shr 16384 (64M), ..." (without the sizes unless sizes) */
static void trans_text(const struct tui *t, const struct pa_tl_trans *tr, size_t n, bool sizes,
		       char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n && pos + 1 < len; i++) {
		char sz[32];
		int k;

		fmt_size(t, tr[i].pages, sz, sizeof(sz));
		k = snprintf(buf + pos, len - pos, "%s%s>%s %llu%s%s%s", i ? ", " : "",
			     tr[i].from == PA_TF_NONE ? "none" : pa_tl_short(tr[i].from),
			     tr[i].to == PA_TF_NONE ? "none" : pa_tl_short(tr[i].to),
			     (unsigned long long)tr[i].pages, sizes ? " (" : "", sizes ? sz : "",
			     sizes ? ")" : "");
		if (k < 0)
			break;
		pos += (size_t)k;
	}
	if (!n)
		snprintf(buf, len, "no change");
}

static void counts_text(const struct tui *t, const struct pa_counts *c, char *buf, size_t len)
{
	char a[32], b[32], d[32], e[32];

	fmt_size(t, c->state[PA_ST_ANON_EXCLUSIVE], a, sizeof(a));
	fmt_size(t, c->state[PA_ST_ANON_SHARED], b, sizeof(b));
	fmt_size(t, c->state[PA_ST_ANON_SOLE], d, sizeof(d));
	fmt_size(t, c->state[PA_ST_UNKNOWN], e, sizeof(e));
	snprintf(buf, len, "exclusive %s  shared %s  sole %s  unknown %s", a, b, d, e);
}

/* One event: per process its counts before and after, the transitions,
 * and per VMA the same.  Lines are built, then the part that fits shown
 * from t->dtop. */
static void draw_event(struct tui *t)
{
	const struct pa_tl_event *e = sel_event(t);
	char (*line)[768] = NULL;
	attr_t *attr = NULL;
	size_t n = 0, cap = 0;
	int h = LINES - 4;
	char buf[300], what[64];

#define LINE(a, ...) do { \
		if (n == cap) { \
			cap = cap ? 2 * cap : 64; \
			line = pa_xrealloc(line, cap, sizeof(*line)); \
			attr = pa_xrealloc(attr, cap, sizeof(*attr)); \
		} \
		snprintf(line[n], sizeof(line[n]), __VA_ARGS__); \
		attr[n++] = (a); \
	} while (0)

	snprintf(what, sizeof(what), "event #%llu", (unsigned long long)t->eseq);
	title(t, what);
	if (!e) {
		put(2, 2, COLS - 2, 0, "this event is no longer kept");
		footer(t, " Esc back  ? help  q quit");
		return;
	}
	LINE(A_BOLD, "%.3f s  %s", e->t, e->line);
	for (size_t i = 0; i < e->nside; i++) {
		const struct pa_tl_side *d = &e->side[i];
		char comm[64];

		clean(comm, sizeof(comm), d->comm);
		LINE(0, "%s", "");
		LINE(A_BOLD, "%s %d (%s)%s", d->role, (int)d->pid, comm,
		     e->kind == PA_TF_FORK && i == 1 ? ": compared with the parent at the entry" : "");
		if (d->have_before) {
			counts_text(t, &d->before, buf, sizeof(buf));
			LINE(0, "  before: %s", buf);
		}
		if (d->have_after) {
			counts_text(t, &d->after, buf, sizeof(buf));
			LINE(0, "  after:  %s%s", buf, d->read_ok ? "" : " (partial)");
		}
		if (d->have_trans) {
			trans_text(t, d->tr, d->ntr, true, buf, sizeof(buf));
			LINE(0, "  transitions: %s", buf);
		} else if (e->kind == PA_TF_FORK && i == 0) {
			LINE(0, "  no reading at the fork's entry");
		}
		if (e->kind == PA_TF_FORK && i == 1 && d->have_after) {
			char sz[32];

			fmt_size(t, d->copied, sz, sizeof(sz));
			LINE(0, "  copied at fork: %llu pages (%s), %llu of them pinned",
			     (unsigned long long)d->copied, sz, (unsigned long long)d->copied_pinned);
		}
		if (d->vm_pin_kb)
			LINE(0, "  VmPin %llu kB", (unsigned long long)d->vm_pin_kb);
		if (!d->nv)
			continue;
		LINE(A_BOLD, "  %12s %-4s %6s %6s %6s %6s  %-14s %s", "START", "PERM", "bEXCL", "bSHR",
		     "aEXCL", "aSHR", "NAME", "TRANSITIONS");
		for (size_t k = 0; k < d->nv; k++) {
			const struct pa_tl_vma *v = &d->v[k];
			char be[32] = "-", bs[32] = "-", ae[32] = "-", as[32] = "-", nm[64];
			char shown[64];

			if (v->have_before) {
				fmt_size(t, v->before.state[PA_ST_ANON_EXCLUSIVE], be, sizeof(be));
				fmt_size(t, v->before.state[PA_ST_ANON_SHARED], bs, sizeof(bs));
			}
			if (v->have_after) {
				fmt_size(t, v->after.state[PA_ST_ANON_EXCLUSIVE], ae, sizeof(ae));
				fmt_size(t, v->after.state[PA_ST_ANON_SHARED], as, sizeof(as));
			}
			clean(nm, sizeof(nm), *v->name ? v->name : "[anon]");
			shorten(t, shown, sizeof(shown), nm, 14);
			if (d->have_trans)
				trans_text(t, v->tr, v->ntr, false, buf, sizeof(buf));
			else
				snprintf(buf, sizeof(buf), "-");
			LINE(0, "  %12llx %-4s %6s %6s %6s %6s  %-14s %s", (unsigned long long)v->start,
			     v->perms, be, bs, ae, as, shown, buf);
		}
	}
#undef LINE
	if (t->dtop + (size_t)h > n)
		t->dtop = n > (size_t)h ? n - (size_t)h : 0;
	for (int y = 0; y < h && t->dtop + (size_t)y < n; y++)
		put(1 + y, 0, COLS, attr[t->dtop + (size_t)y], line[t->dtop + (size_t)y]);
	free(line);
	free(attr);
	footer(t, " Up/Down scroll  Esc back  f step  c continue  ? help  q quit");
}

static const struct pa_proc_report *sel_proc(const struct tui *t)
{
	return t->have_cur ? find_proc(&t->cur, t->sel_pid) : NULL;
}

static int cmp_vma_idx(const void *a, const void *b, void *arg)
{
	const struct pa_vma_report *x = *(const struct pa_vma_report *const *)a;
	const struct pa_vma_report *y = *(const struct pa_vma_report *const *)b;
	int field = *(const int *)arg;

	if (pa_fields[field].kind == PA_FIELD_PAGES) {
		uint64_t kx = pa_field_count(&x->c, field), ky = pa_field_count(&y->c, field);

		if (kx != ky)	/* sizes: largest first */
			return kx < ky ? 1 : -1;
		return (x->vma.start > y->vma.start) - (x->vma.start < y->vma.start);
	}
	return pa_field_cmp_vma(x, y, field, 1);
}

/* The selected process's VMAs after the filter, sorted. */
static size_t vma_list(const struct tui *t, const struct pa_vma_report ***out)
{
	const struct pa_proc_report *p = sel_proc(t);
	const struct pa_vma_report **v;
	size_t n = 0;

	v = pa_xrealloc(NULL, p && p->nvmas ? p->nvmas : 1, sizeof(*v));
	for (size_t i = 0; p && i < p->nvmas; i++) {
		const char *name = *p->vmas[i].vma.name ? p->vmas[i].vma.name : "[anon]";

		if (t->filter[0] && !strstr(name, t->filter))
			continue;
		if (!t->o->all_vmas && !pa_vma_has_anon(&p->vmas[i]))
			continue;
		v[n++] = &p->vmas[i];
	}
	qsort_r(v, n, sizeof(*v), cmp_vma_idx, (void *)&vsort_fields[t->vsort]);
	*out = v;
	return n;
}

static const struct pa_vma_report *find_vma(const struct pa_proc_report *p, uint64_t start)
{
	for (size_t i = 0; p && i < p->nvmas; i++)
		if (p->vmas[i].vma.start == start)
			return &p->vmas[i];
	return NULL;
}

static void draw_vmas(struct tui *t)
{
	const struct pa_proc_report *p = sel_proc(t);
	const struct pa_proc_report *pp = t->have_prev ? find_proc(&t->prev, t->sel_pid) : NULL;
	const struct pa_vma_report **v;
	size_t n = vma_list(t, &v);
	int h = LINES - 6, barw = COLS >= 100 ? 14 : 8, namex = 56 + barw;
	char what[128], comm[64], a[32], b[32], c[32], d[32], e[32], name[512], shown[600];
	/* as psort_mark, for vsort_fields[]: START is right-aligned against
	 * PERM and marked before; NAME's mark follows its header */
	static const int vsort_mark[] = { 6, 24, 31, 38, -1 };
	int vfield = vsort_fields[t->vsort];

	if (COLS - namex < 8) {
		barw = 0;
		namex = 55;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i]->vma.start == t->vma_start)
			t->vcur = i;
	scroll_to(&t->vcur, &t->vtop, n, (size_t)h);
	if (n) {
		t->vma_start = v[t->vcur]->vma.start;
		t->vma_end = v[t->vcur]->vma.end;
	}
	clean(comm, sizeof(comm), p ? p->comm : "?");
	snprintf(what, sizeof(what), "PID %d (%s)%s", (int)t->sel_pid, comm,
		 is_gone(t, t->sel_pid) ? " exited" : "");
	title(t, what);
	if (p) {
		const struct pa_counts *tc = &p->totals;

		fmt_size(t, tc->present, a, sizeof(a));
		fmt_size(t, tc->state[PA_ST_ANON_EXCLUSIVE], b, sizeof(b));
		fmt_size(t, tc->state[PA_ST_ANON_SHARED], c, sizeof(c));
		fmt_size(t, tc->state[PA_ST_ANON_SOLE], d, sizeof(d));
		fmt_size(t, tc->state[PA_ST_SWAPPED], e, sizeof(e));
		char pin[96] = "";

		if (p->vm_pin_kb || tc->pinned) {
			char pb[32];

			/* pinned for DMA: copied at fork, never shared */
			fmt_size(t, tc->pinned, pb, sizeof(pb));
			snprintf(pin, sizeof(pin), "  VmPin %llu kB  pinned %s",
				 (unsigned long long)p->vm_pin_kb, pb);
		}
		putf(1, 0, COLS, 0, " rss %s  exclusive %s  shared %s  sole %s  swapped %s%s  %zu of %zu VMAs%s%s",
		     a, b, c, d, e, pin, n, p->nvmas_total, t->filter[0] ? "  filter: " : "", t->filter);
	} else {
		put(1, 0, COLS, 0, " no sample of this process");
	}
	putf(2, 0, COLS, A_BOLD, "%12s %-4s %6s %6s %6s %6s %6s", "START", "PERM", "RSS",
	     "EXCL", "SHARED", "SOLE", "dEXCL");
	if (barw)
		put(2, 55, barw, A_BOLD, "STATES");
	put(2, namex, COLS - namex, A_BOLD, "NAME");
	_Static_assert(PA_ARRAY_SIZE(vsort_mark) == PA_ARRAY_SIZE(vsort_fields), "one mark per order");
	sort_mark(t, 2, vfield == PA_F_NAME ? namex + 4 : vsort_mark[t->vsort],
		  pa_fields[vfield].kind == PA_FIELD_PAGES);
	for (int y = 0; y < h && t->vtop + (size_t)y < n; y++) {
		const struct pa_vma_report *r = v[t->vtop + (size_t)y];
		const struct pa_vma_report *pr = find_vma(pp, r->vma.start);
		attr_t at = t->vtop + (size_t)y == t->vcur ? A_REVERSE : 0;

		fmt_size(t, r->c.present, a, sizeof(a));
		fmt_size(t, r->c.state[PA_ST_ANON_EXCLUSIVE], b, sizeof(b));
		fmt_size(t, r->c.state[PA_ST_ANON_SHARED], c, sizeof(c));
		fmt_size(t, r->c.state[PA_ST_ANON_SOLE], d, sizeof(d));
		fmt_delta(t, r->c.state[PA_ST_ANON_EXCLUSIVE],
			  pr ? pr->c.state[PA_ST_ANON_EXCLUSIVE] : 0, pr != NULL, e, sizeof(e));
		clean(name, sizeof(name), *r->vma.name ? r->vma.name : "[anon]");
		if (at)
			mvchgat(3 + y, 0, -1, A_REVERSE, 0, NULL);
		putf(3 + y, 0, COLS, at, "%12llx %-4s %6s %6s %6s %6s %6s ",
		     (unsigned long long)r->vma.start, r->vma.perms, a, b, c, d, e);
		if (barw)
			bar(t, 3 + y, 55, barw, &r->c);
		shorten(t, shown, sizeof(shown), name, COLS - namex);
		put_fit(3 + y, namex, at, shown);
	}
	if (!n)
		put(4, 2, COLS - 2, 0, t->filter[0] ? "no VMA matches the filter" :
		    "no VMA with anonymous pages");
	free(v);
	legend(t, LINES - 3, false);
	footer(t, t->snapshot ? " Enter page map  Esc back  / filter  s sort  ? help  q quit" :
		  " Enter page map  Esc back  / filter  s sort  p pause  ? help  q quit");
}

/* Pages per cell so that the map is at most ~8 screens long. */
static uint64_t auto_group(uint64_t total, uint64_t cells_per_screen)
{
	uint64_t g = 1;

	while (cells_per_screen && total / g > 8 * cells_per_screen)
		g *= 2;
	return g;
}

static const struct pa_page_info *page_at(const struct tui *t, uint64_t idx)
{
	if (!t->pages_valid || idx < t->win_first || idx - t->win_first >= t->npages)
		return NULL;
	return &t->pages[idx - t->win_first];
}

static bool page_changed(const struct tui *t, uint64_t idx, int st)
{
	if (!t->ppages_valid || idx < t->pwin_first || idx - t->pwin_first >= t->nppages)
		return false;
	return t->ppages[idx - t->pwin_first].state != st;
}

struct pm_geom {
	uint64_t total, group, cells, rows;
	int cpr, gh, gy;	/* cells per row, grid height, first grid line */
};

static void pm_geom(const struct tui *t, struct pm_geom *g)
{
	uint64_t ps = (uint64_t)t->cur.page_size;

	g->total = ps ? (t->vma_end - t->vma_start) / ps : 0;
	g->cpr = COLS - 13;
	g->gy = 2;
	g->gh = LINES - 8;
	if (g->cpr < 1)
		g->cpr = 1;
	if (g->gh < 1)
		g->gh = 1;
	g->group = t->group ? t->group : auto_group(g->total, (uint64_t)g->cpr * (uint64_t)g->gh);
	g->cells = (g->total + g->group - 1) / g->group;
	g->rows = (g->cells + (uint64_t)g->cpr - 1) / (uint64_t)g->cpr;
}

static void draw_pages(struct tui *t)
{
	struct pm_geom g;
	uint64_t ps = (uint64_t)t->cur.page_size, cur_cell;
	char what[400], name[256], buf[1024];
	const struct pa_page_info *pi;

	pm_geom(t, &g);
	if (t->page_cur >= g.total)
		t->page_cur = g.total ? g.total - 1 : 0;
	cur_cell = t->page_cur / g.group;
	if (cur_cell / (uint64_t)g.cpr < t->grid_top)
		t->grid_top = cur_cell / (uint64_t)g.cpr;
	if (cur_cell / (uint64_t)g.cpr >= t->grid_top + (uint64_t)g.gh)
		t->grid_top = cur_cell / (uint64_t)g.cpr - (uint64_t)g.gh + 1;
	{
		char full[256];

		clean(full, sizeof(full), t->vma_name[0] ? t->vma_name : "[anon]");
		shorten(t, name, sizeof(name), full, COLS < 100 ? 24 : COLS - 76);
	}
	snprintf(what, sizeof(what), "PID %d  %llx-%llx %s %s", (int)t->sel_pid,
		 (unsigned long long)t->vma_start, (unsigned long long)t->vma_end, t->vma_perms,
		 name);
	title(t, what);
	putf(1, 0, COLS, 0, " %llu page%s, 1 cell = %llu page%s%s", (unsigned long long)g.total,
	     g.total == 1 ? "" : "s",
	     (unsigned long long)g.group, g.group == 1 ? "" : "s",
	     g.total > PAGES_MAX ? "  (VMA larger than one sample: pages around the cursor are read)" : "");
	if (t->pages_err)
		putf(1, COLS / 2, COLS - COLS / 2, A_BOLD, " %s", strerror(t->pages_err));

	for (int y = 0; y < g.gh; y++) {
		uint64_t row = t->grid_top + (uint64_t)y;

		if (row >= g.rows)
			break;
		putf(g.gy + y, 0, 13, 0, "%12llx ",
		     (unsigned long long)(t->vma_start + row * (uint64_t)g.cpr * g.group * ps));
		for (int x = 0; x < g.cpr; x++) {
			uint64_t cidx = row * (uint64_t)g.cpr + (uint64_t)x, first = cidx * g.group;
			uint64_t cnt[PA_ST__N] = { 0 };
			int best = -1;
			bool changed = false, sampled = false, pinned = false;

			if (cidx >= g.cells)
				break;
			for (uint64_t k = first; k < first + g.group && k < g.total; k++) {
				const struct pa_page_info *p = page_at(t, k);

				if (!p)
					continue;
				sampled = true;
				if (p->state >= 0 && p->state < PA_ST__N)
					cnt[p->state]++;
				changed |= page_changed(t, k, p->state);
				pinned |= (p->pgflags & PA_PG_PINNED) != 0;
			}
			for (int st = 0; st < PA_ST__N; st++)
				if (cnt[st] && (best < 0 || cnt[st] > cnt[best]))
					best = st;
			attr_t a = (cidx == cur_cell ? A_REVERSE : 0) |
				   (changed ? A_BOLD | A_UNDERLINE : 0);

			if (!sampled) {
				attron(a);
				mvaddch(g.gy + y, 13 + x, ' ');
				attroff(a);
			} else {
				cell_mark(t, g.gy + y, 13 + x, best, a, changed || cidx == cur_cell,
					  pinned ? 'P' : 0);
			}
		}
	}

	/* details of the page under the cursor */
	int dy = LINES - 6;

	pi = page_at(t, t->page_cur - t->page_cur % g.group);
	if (!t->pages_valid) {
		put(dy, 0, COLS, 0, t->pages_err ? " the page map could not be read" : " sampling...");
	} else if (!pi) {
		put(dy, 0, COLS, 0, " not sampled yet (outside the window read last)");
	} else {
		uint64_t flags = pa_flags_expand(&t->cur.ftab, pi->pfn ? pi->kflags : 0, pi->pme);
		char pfn[40];

		if (pi->pme & PM_PRESENT)
			snprintf(pfn, sizeof(pfn), "pfn 0x%llx", (unsigned long long)pi->pfn);
		else if (pi->pme & PM_SWAP)
			snprintf(pfn, sizeof(pfn), "swap %llu:0x%llx",
				 (unsigned long long)PM_SWAP_TYPE(pi->pme),
				 (unsigned long long)PM_SWAP_OFFSET(pi->pme));
		else
			snprintf(pfn, sizeof(pfn), "not populated");
		putf(dy, 0, COLS, A_BOLD, " %llx  %s  mapcount %llu  %s%s%s",
		     (unsigned long long)pi->vaddr, pfn, (unsigned long long)pi->kcount,
		     pi->state >= 0 ? pa_state_name((enum pa_state)pi->state) : "none",
		     (pi->pgflags & PA_PG_PMD_MAPPED) ? "  pmd-mapped" : "",
		     (pi->pgflags & PA_PG_PINNED) ? "  pinned (registered buffer: copied at fork)" : "");
		pa_flags_longname(&t->cur.ftab, flags, buf, sizeof(buf));
		putf(dy + 1, 0, COLS, 0, " flags %s", flags ? buf : "-");
		if (g.group > 1) {
			uint64_t cnt[PA_ST__N] = { 0 }, unpopulated = 0, unread = 0, npages = 0;
			char line[512];
			const char *sep = "";
			int len;
			uint64_t first = t->page_cur - t->page_cur % g.group;

			for (uint64_t k = first; k < first + g.group && k < g.total; k++) {
				const struct pa_page_info *p = page_at(t, k);

				npages++;
				if (!p)
					unread++;
				else if (p->state >= 0 && p->state < PA_ST__N)
					cnt[p->state]++;
				else
					unpopulated++;
			}
			/* " this cell, 16 pages: 12 exclusive, 4 not populated" */
			len = snprintf(line, sizeof(line), " this cell, %llu page%s:",
				       (unsigned long long)npages, npages == 1 ? "" : "s");
			for (int st = 0; st < PA_ST__N && len < (int)sizeof(line) - 64; st++)
				if (cnt[st]) {
					len += snprintf(line + len, sizeof(line) - (size_t)len, "%s %llu %s",
							sep, (unsigned long long)cnt[st], glyphs[st].label);
					sep = ",";
				}
			if (unpopulated && len < (int)sizeof(line) - 64) {
				len += snprintf(line + len, sizeof(line) - (size_t)len, "%s %llu not populated",
						sep, (unsigned long long)unpopulated);
				sep = ",";
			}
			if (unread && len < (int)sizeof(line) - 64)
				snprintf(line + len, sizeof(line) - (size_t)len, "%s %llu not read yet",
					 sep, (unsigned long long)unread);
			put(dy + 2, 0, COLS, 0, line);
		}
	}
	legend(t, LINES - 3, true);
	footer(t, t->snapshot ? " arrows move  z/Z zoom  Esc back  ? help  q quit" :
		  " arrows move  z/Z zoom  Esc back  p pause  +/- interval  ? help  q quit");
}

static const char *const help_lines[] = {
	"page-anon live view",
	"",
	"Screens: processes -> VMAs of one process -> page map of one VMA",
	"Up/Down, PgUp/PgDn, Home/End  move (Left/Right too in the page map)",
	"Enter                         open the selected process or VMA",
	"Esc, Backspace                back to the previous screen",
	"p, + / -                      pause / resume; longer / shorter interval",
	"s                             cycle the sort order (marked in the header)",
	"t                             process list: tree (default) or flat",
	"/                             filter VMAs by name (Enter sets, Esc clears)",
	"z / Z                         page map: fewer / more pages per cell",
	"e                             --trace-fork: the timeline of events",
	"f, c                          step mode (hold at each fork), continue",
	"?                             this help",
	"q                             quit",
	"",
	"Bars and cells: x exclusive, s shared (after fork), o sole,",
	"k ksm, 0 zero page, w swapped, f file, ! special, ? unknown.",
	"Bold underlined cells changed state since the previous sample.",
	"P: pinned pages (io_uring registered buffers), copied at fork.",
	"",
	"Press any key to close this help.",
};

/* A snapshot does not change: no sampling keys, no "changed" cells. */
static bool help_line_live_only(const char *l)
{
	return !strncmp(l, "p, + / -", 8) || !strncmp(l, "e  ", 3) || !strncmp(l, "f, c", 4) ||
	       !strncmp(l, "Bold underlined", 15);
}

static void draw_help(const struct tui *t)
{
	const char *lines[PA_ARRAY_SIZE(help_lines)];
	size_t nl = 0;
	int h, w = 78, y0, x0;

	for (size_t i = 0; i < PA_ARRAY_SIZE(help_lines); i++) {
		if (t->snapshot && help_line_live_only(help_lines[i]))
			continue;
		lines[nl++] = i == 0 && t->snapshot ? "page-anon view of a snapshot (--load): "
			      "the capture, not refreshed" : help_lines[i];
	}
	h = (int)nl + 2;
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	if (y0 < 0)
		y0 = 0;
	if (x0 < 0)
		x0 = 0;
	if (w > COLS)
		w = COLS;
	for (int y = 0; y < h && y0 + y < LINES; y++) {
		mvhline(y0 + y, x0, ' ', w);
		if (y == 0 || y == h - 1) {
			mvhline(y0 + y, x0, '-', w);
			continue;
		}
		mvaddch(y0 + y, x0, '|');
		mvaddch(y0 + y, x0 + w - 1, '|');
		put(y0 + y, x0 + 2, w - 4, y == 1 ? A_BOLD : 0, lines[y - 1]);
	}
}

static void draw(struct tui *t)
{
	erase();
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		putf(0, 0, COLS, 0, "terminal too small (%dx%d, need %dx%d); q quits", COLS, LINES,
		     MIN_COLS, MIN_LINES);
	} else {
		switch (t->scr) {
		case SCR_PROCS:
			draw_procs(t);
			break;
		case SCR_VMAS:
			draw_vmas(t);
			break;
		case SCR_PAGES:
			draw_pages(t);
			break;
		case SCR_EVENTS:
			draw_events(t);
			break;
		case SCR_EVENT:
			draw_event(t);
			break;
		}
		if (t->help)
			draw_help(t);
	}
	refresh();
	t->dirty = false;
}

/* ------------------------------------------------------------------ */
/* Keys                                                                */

static void set_interval(struct tui *t, int dir)
{
	static const double steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60 };
	size_t i = 0;

	while (i + 1 < PA_ARRAY_SIZE(steps) && steps[i] < t->interval - 1e-9)
		i++;
	if (dir > 0 && steps[i] <= t->interval + 1e-9 && i + 1 < PA_ARRAY_SIZE(steps))
		i++;
	else if (dir < 0 && i > 0)
		i--;
	t->next_sample += steps[i] - t->interval;
	t->interval = steps[i];
	snprintf(t->msg, sizeof(t->msg), "refresh every %.1f s", t->interval);
}

static void open_pages(struct tui *t)
{
	const struct pa_vma_report *v = find_vma(sel_proc(t), t->vma_start);

	if (!v)
		return;
	t->scr = SCR_PAGES;
	t->vma_end = v->vma.end;
	snprintf(t->vma_name, sizeof(t->vma_name), "%s", v->vma.name);
	snprintf(t->vma_perms, sizeof(t->vma_perms), "%s", v->vma.perms);
	t->page_cur = 0;
	t->grid_top = 0;
	t->group = 0;
	t->win_first = 0;
	t->pages_valid = t->ppages_valid = false;
	t->pages_err = 0;
	t->need_pages = true;
}

static void move_cur(size_t *cur, int delta, size_t n)
{
	if (delta < 0 && (size_t)-delta > *cur)
		*cur = 0;
	else if (delta > 0 && *cur + (size_t)delta >= n)
		*cur = n ? n - 1 : 0;
	else
		*cur = (size_t)((long)*cur + delta);
}

static void key_pages(struct tui *t, int ch)
{
	struct pm_geom g;
	int64_t d = 0;

	pm_geom(t, &g);
	switch (ch) {
	case KEY_LEFT: d = -1; break;
	case KEY_RIGHT: d = 1; break;
	case KEY_UP: d = -g.cpr; break;
	case KEY_DOWN: d = g.cpr; break;
	case KEY_PPAGE: d = -(int64_t)g.cpr * g.gh; break;
	case KEY_NPAGE: d = (int64_t)g.cpr * g.gh; break;
	case KEY_HOME: t->page_cur = 0; break;
	case KEY_END: t->page_cur = g.total ? g.total - 1 : 0; break;
	case 'z':
		if (g.group > 1)
			t->group = g.group / 2;
		return;
	case 'Z':
		if (g.group < g.total)
			t->group = g.group * 2;
		return;
	default:
		return;
	}
	if (d) {
		int64_t c = (int64_t)(t->page_cur / g.group) + d;

		if (c < 0)
			c = 0;
		if ((uint64_t)c >= g.cells)
			c = g.cells ? (int64_t)g.cells - 1 : 0;
		t->page_cur = (uint64_t)c * g.group;
	}
	/* a window that no longer holds the cursor is moved there */
	if (g.total > PAGES_MAX &&
	    (t->page_cur < t->win_first || t->page_cur >= t->win_first + PAGES_MAX)) {
		t->win_first = t->page_cur > PAGES_MAX / 4 ? t->page_cur - PAGES_MAX / 4 : 0;
		if (t->win_first + PAGES_MAX > g.total)
			t->win_first = g.total - PAGES_MAX;
		t->ppages_valid = false;
		t->need_pages = true;
	}
}

static void key(struct tui *t, int ch)
{
	size_t nproc = t->cur.nprocs + t->ngone;
	int page = LINES - 6 > 1 ? LINES - 6 : 1;

	t->msg[0] = 0;
	if (t->filter_edit) {
		size_t l = strlen(t->fedit);

		if (ch == '\n' || ch == KEY_ENTER || ch == '\r') {
			snprintf(t->filter, sizeof(t->filter), "%s", t->fedit);
			t->filter_edit = false;
			t->vcur = t->vtop = 0;
		} else if (ch == 27) {
			t->filter[0] = 0;
			t->filter_edit = false;
		} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && l) {
			t->fedit[l - 1] = 0;
		} else if (ch >= 0x20 && ch < 0x7f && l + 1 < sizeof(t->fedit)) {
			t->fedit[l] = (char)ch;
			t->fedit[l + 1] = 0;
		}
		return;
	}
	if (t->help) {
		t->help = false;
		if (ch != 'q')
			return;
	}
	if (t->snapshot && (ch == 'p' || ch == ' ' || ch == '+' || ch == '-')) {
		snprintf(t->msg, sizeof(t->msg), "A snapshot does not change: nothing to pause or refresh");
		return;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		t->quit = true;
		return;
	case '?':
	case 'h':
		t->help = true;
		return;
	case 'p':
	case ' ':
		t->paused = !t->paused;
		if (!t->paused)
			t->next_sample = pa_now();
		return;
	case '+':
		set_interval(t, 1);
		return;
	case '-':
		set_interval(t, -1);
		return;
	case KEY_RESIZE:
		return;
	case 27:
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (t->scr == SCR_PAGES)
			t->scr = SCR_VMAS;
		else if (t->scr == SCR_EVENT)
			t->scr = SCR_EVENTS;
		else if (t->scr == SCR_VMAS || t->scr == SCR_EVENTS)
			t->scr = SCR_PROCS;
		return;
	case 'e':
		if (!t->tracing)
			break;
		t->scr = SCR_EVENTS;
		return;
	case 'f':
		if (!t->tracing)
			break;
		t->step = !t->step;
		if (t->tr) {
			pa_tracer_hold_forks(t->tr, t->step);
			if (!t->step && t->nheld)
				pa_tracer_release(t->tr);
		}
		if (!t->step)
			t->nheld = 0;
		snprintf(t->msg, sizeof(t->msg), "%s", !t->step ? "step mode off" : t->o->command ?
			 "step mode: the command is held at each fork (c continues, f ends it)" :
			 "step mode: the processes are held at each fork (c continues, f ends it)");
		return;
	case 'c':
		if (!t->tracing)
			break;
		if (t->tr && t->nheld) {
			pa_tracer_release(t->tr);
			t->nheld = 0;
			snprintf(t->msg, sizeof(t->msg), "continued");
		} else {
			snprintf(t->msg, sizeof(t->msg), "nothing is held%s",
				 t->step ? "" : " (f: step mode)");
		}
		return;
	default:
		break;
	}
	switch (t->scr) {
	case SCR_PROCS:
		switch (ch) {
		case KEY_UP: move_cur(&t->pcur, -1, nproc); break;
		case KEY_DOWN: move_cur(&t->pcur, 1, nproc); break;
		case KEY_PPAGE: move_cur(&t->pcur, -page, nproc); break;
		case KEY_NPAGE: move_cur(&t->pcur, page, nproc); break;
		case KEY_HOME: t->pcur = 0; break;
		case KEY_END: t->pcur = nproc ? nproc - 1 : 0; break;
		case 's':
			t->psort = (t->psort + 1) % PSORT__N;
			snprintf(t->msg, sizeof(t->msg), "sorted by %s", sort_name(psort_fields[t->psort]));
			break;
		case 't':
			t->flat = !t->flat;
			snprintf(t->msg, sizeof(t->msg), "%s", t->flat ? "flat list" :
				 "tree: children under their parent");
			break;
		case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT:
			if (sel_proc(t)) {
				t->scr = SCR_VMAS;
				t->vcur = t->vtop = 0;
				t->vma_start = 0;
			} else {
				snprintf(t->msg, sizeof(t->msg), "no sample of PID %d", (int)t->sel_pid);
			}
			break;
		}
		/* the row under the cursor is found again by PID */
		if (ch == KEY_UP || ch == KEY_DOWN || ch == KEY_PPAGE || ch == KEY_NPAGE ||
		    ch == KEY_HOME || ch == KEY_END || ch == 's' || ch == 't') {
			struct row *rows;
			size_t n = shown_rows(t, &rows);

			if (ch == 's' || ch == 't')
				for (size_t i = 0; i < n; i++)
					if (rows[i].pid == t->sel_pid)
						t->pcur = i;
			if (t->pcur < n)
				t->sel_pid = rows[t->pcur].pid;
			free(rows);
		}
		return;
	case SCR_VMAS: {
		const struct pa_vma_report **v;
		size_t n = vma_list(t, &v);

		switch (ch) {
		case KEY_UP: move_cur(&t->vcur, -1, n); break;
		case KEY_DOWN: move_cur(&t->vcur, 1, n); break;
		case KEY_PPAGE: move_cur(&t->vcur, -page, n); break;
		case KEY_NPAGE: move_cur(&t->vcur, page, n); break;
		case KEY_HOME: t->vcur = 0; break;
		case KEY_END: t->vcur = n ? n - 1 : 0; break;
		case KEY_LEFT: t->scr = SCR_PROCS; break;
		case 's':
			t->vsort = (t->vsort + 1) % VSORT__N;
			snprintf(t->msg, sizeof(t->msg), "sorted by %s", sort_name(vsort_fields[t->vsort]));
			break;
		case '/':
			t->filter_edit = true;
			snprintf(t->fedit, sizeof(t->fedit), "%s", t->filter);
			break;
		case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT:
			if (t->vcur < n) {
				t->vma_start = v[t->vcur]->vma.start;
				open_pages(t);
			}
			break;
		}
		if (ch != 's' && ch != '\n' && ch != '\r' && ch != KEY_ENTER && ch != KEY_RIGHT &&
		    t->vcur < n)
			t->vma_start = v[t->vcur]->vma.start;
		if (ch == 's') {
			free(v);
			n = vma_list(t, &v);
			for (size_t i = 0; i < n; i++)
				if (v[i]->vma.start == t->vma_start)
					t->vcur = i;
		}
		free(v);
		return;
	}
	case SCR_PAGES:
		key_pages(t, ch);
		return;
	case SCR_EVENTS:
		switch (ch) {
		case KEY_UP: move_cur(&t->ecur, -1, t->tl.n); break;
		case KEY_DOWN: move_cur(&t->ecur, 1, t->tl.n); break;
		case KEY_PPAGE: move_cur(&t->ecur, -page, t->tl.n); break;
		case KEY_NPAGE: move_cur(&t->ecur, page, t->tl.n); break;
		case KEY_HOME: t->ecur = 0; break;
		case KEY_END: t->ecur = t->tl.n ? t->tl.n - 1 : 0; break;
		case KEY_LEFT: t->scr = SCR_PROCS; break;
		case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT:
			if (t->ecur < t->tl.n) {
				t->eseq = t->tl.ev[t->ecur].seq;
				t->dtop = 0;
				t->scr = SCR_EVENT;
			}
			break;
		}
		return;
	case SCR_EVENT:
		switch (ch) {
		case KEY_UP: move_cur(&t->dtop, -1, SIZE_MAX); break;
		case KEY_DOWN: move_cur(&t->dtop, 1, SIZE_MAX); break;
		case KEY_PPAGE: move_cur(&t->dtop, -page, SIZE_MAX); break;
		case KEY_NPAGE: move_cur(&t->dtop, page, SIZE_MAX); break;
		case KEY_HOME: t->dtop = 0; break;
		case KEY_LEFT: t->scr = SCR_EVENTS; break;
		}
		return;
	}
}

/* ------------------------------------------------------------------ */

static void init_colors(struct tui *t)
{
	const char *nc = getenv("NO_COLOR");

	t->color = false;
	if (t->o->color == PA_COLOR_NEVER || !has_colors())
		return;
	if (t->o->color == PA_COLOR_AUTO && nc && *nc)
		return;
	if (start_color() != OK)
		return;
	use_default_colors();
	for (int st = 0; st < PA_ST__N; st++)
		init_pair(PAIR_STATE(st), glyphs[st].color, -1);
	init_pair(PAIR_TITLE, COLOR_CYAN, -1);
	t->color = true;
}

static void tui_free(struct tui *t)
{
	stop_trace(t);
	pa_tl_free(&t->tl);
	if (t->have_cur)
		pa_report_free(&t->cur);
	if (t->have_prev)
		pa_report_free(&t->prev);
	free(t->w);
	free(t->gone);
	free(t->reaped);
	free(t->pages);
	free(t->ppages);
}

int pa_tui_run(struct pa_session *s)
{
	struct tui t = { .s = s, .o = s->opt, .sigfd = -1 };
	SCREEN *scr;
	const char *cs;
	int rc = PA_EXIT_OK;
	size_t ntraced;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		pa_error("--tui needs a terminal: standard input and output must be a tty "
			 "(without one, use the report, --watch or --json)");
		return PA_EXIT_ERROR;
	}
	s->opt->children = true;	/* the view follows forks */
	/* no screen shows USS or PSS: no map counts where pagemap's bit 56
	 * tells shared from sole (after fork, a kernel read per page less) */
	s->mapcount = false;
	t.interval = s->opt->interval > 0 ? s->opt->interval : 1.0;
	if (pa_source_capture(s->src)) {
		const struct pa_snap_capture *c = pa_source_capture(s->src);
		time_t tt = (time_t)(c->time_ns / 1000000000u);
		const char *name = strrchr(s->opt->load, '/');
		char when[64];

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&tt));
		t.snapshot = true;
		name = name ? name + 1 : s->opt->load;
		snprintf(t.snap_title[0], sizeof(t.snap_title[0]), "snapshot %.96s, %s on %.64s", name,
			 when, c->host[0] ? c->host : "?");
		snprintf(t.snap_title[1], sizeof(t.snap_title[1]), "snapshot %.96s, %s", name, when);
		snprintf(t.snap_title[2], sizeof(t.snap_title[2]), "%.96s", name);
	}
	t.group = 0;
	/* LC_CTYPE only: numbers keep the C locale's format */
	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	t.utf8 = cs && !strcmp(cs, "UTF-8");

	if (s->opt->trace_fork) {
		rc = start_trace(&t);
		if (rc) {
			tui_free(&t);
			return rc;
		}
	} else if (s->opt->command && start_command(&t) < 0) {
		return PA_EXIT_ERROR;
	}
	/* The first sample before the screen is set up: a process that
	 * cannot be read is an error on the terminal, not a blank view. */
	sample(&t);
	if (!t.have_cur && !s->opt->command) {
		for (size_t i = 0; i < s->opt->npids; i++) {
			char msg[256];

			pa_explain_open_error(s, s->opt->pids[i], ESRCH, msg, sizeof(msg));
			pa_error("%s", msg);
		}
		tui_free(&t);
		return PA_EXIT_ERROR;
	}
	if (t.have_cur && !s->opt->command) {
		size_t nerr = 0;

		for (size_t i = 0; i < t.cur.nprocs; i++)
			if (t.cur.procs[i].err && t.cur.procs[i].err != ESRCH &&
			    t.cur.procs[i].err != ENOENT) {
				pa_error("%s", t.cur.procs[i].errmsg);
				nerr++;
			}
		if (nerr == t.cur.nprocs) {
			tui_free(&t);
			return PA_EXIT_ERROR;
		}
	}
	if (t.have_cur && t.cur.nprocs)
		t.sel_pid = t.cur.procs[0].pid;
	t.next_sample = pa_now() + t.interval;

	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		pa_error("cannot set up the terminal '%s' (check TERM)",
			 getenv("TERM") ? getenv("TERM") : "");
		tui_free(&t);
		return PA_EXIT_ERROR;
	}
	curses_active = true;
	atexit(tui_atexit);
	cbreak();		/* ^C still raises SIGINT: run.c's handler */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	init_colors(&t);
	t.dirty = true;

	while (!t.quit && !pa_stop_flag) {
		double now, wait;
		int ch;

		tui_trace_poll(&t);
		now = pa_now();
		if (!t.paused && !t.snapshot && now >= t.next_sample) {
			sample(&t);
			t.next_sample += t.interval;
			if (t.next_sample < now)	/* a slow sample: no catching up */
				t.next_sample = now + t.interval;
		} else if (t.need_pages && t.scr == SCR_PAGES) {
			sample_pages(&t);
		}
		if (t.dirty)
			draw(&t);
		if (t.need_pages && t.scr == SCR_PAGES)
			wait = 0;
		else if (t.paused || t.snapshot)
			wait = 0.25;
		else
			wait = t.next_sample - pa_now();
		/* wake up at least 4 times a second to see pa_stop_flag */
		if (wait > 0.25)
			wait = 0.25;
		if (wait < 0)
			wait = 0;
		if (t.sigfd >= 0) {
			/* keys or a stop of a traced process, whichever first */
			struct pollfd pf[2] = { { STDIN_FILENO, POLLIN, 0 }, { t.sigfd, POLLIN, 0 } };
			struct signalfd_siginfo si;

			poll(pf, 2, (int)(wait * 1000));
			while (read(t.sigfd, &si, sizeof(si)) > 0)
				;
			timeout(0);
		} else {
			timeout((int)(wait * 1000));
		}
		ch = getch();
		while (ch != ERR) {
			key(&t, ch);
			t.dirty = true;
			if (t.quit)
				break;
			timeout(0);
			ch = getch();	/* drain typed-ahead keys before drawing */
		}
	}
	/* the command's processes run on, untraced (none is left held) */
	ntraced = stop_trace(&t);
	endwin();
	curses_active = false;
	delscreen(scr);
	/* Ended by SIGINT (Ctrl-C), SIGTERM or SIGHUP rather than q: 128 + the
	 * signal number, as shells and other interactive tools report it. */
	if (!t.quit && pa_stop_signal > 0)
		rc = 128 + pa_stop_signal;
	if (ntraced)
		fprintf(stderr, "%s: no longer tracing %s%zu process%s, which keep%s "
			"running\n", pa_progname, s->opt->command ? "the command's " : "", ntraced,
			ntraced == 1 ? "" : "es", ntraced == 1 ? "s" : "");
	else if (t.cmd_pid && !is_gone(&t, t.cmd_pid) && kill(t.cmd_pid, 0) == 0)
		fprintf(stderr, "%s: the command (PID %d) is still running\n", pa_progname,
			(int)t.cmd_pid);
	tui_free(&t);
	return rc;
}

#endif /* HAVE_NCURSES */
