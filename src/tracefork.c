// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --trace-fork: exclusivity at the exact moment of each fork.
 *
 * How the command is run (ptrace(2), seccomp(2); kernel/ptrace.c,
 * kernel/fork.c, kernel/seccomp.c, include/linux/ptrace.h):
 *
 * - The child installs a seccomp filter that returns SECCOMP_RET_TRACE for
 *   fork, vfork, clone without CLONE_THREAD, and clone3, then stops itself
 *   with SIGSTOP; page-anon seizes it (PTRACE_SEIZE with the FORK, VFORK,
 *   CLONE, EXEC, EXIT and SECCOMP options) and sends SIGCONT, and the
 *   child execs the command.  No instruction of the command runs
 *   untraced, and new processes are traced from their creation on
 *   (auto-attached, no security-module check).
 * - At PTRACE_EVENT_SECCOMP (fork entry, before the system call runs)
 *   the parent is read: "before".  At PTRACE_EVENT_FORK/VFORK/CLONE the
 *   child exists with its copy-on-write page tables and will stop before
 *   its first instruction; page-anon waits for that stop, reads parent
 *   and child ("after"), and resumes both.  Exec and exit stops read the
 *   process once.  Nothing else stops: other system calls run at full
 *   speed.
 * - Threads are traced (the filter is inherited, and without a tracer a
 *   RET_TRACE system call fails with ENOSYS) but their creation makes no
 *   event unless --trace-threads.  Clone of a thread is let through by
 *   the filter itself; clone3 passes its flags by pointer, so its entry
 *   stops and the flags are read from the tracee.
 * - Signals are passed on at signal-delivery stops, group stops are kept
 *   with PTRACE_LISTEN, exit statuses are passed through: the command
 *   runs as it would without page-anon.
 *
 * Consequences that cannot be helped: a filter cannot be removed, so a
 * process of the command left untraced (page-anon killed with SIGKILL,
 * or told three times to stop) gets ENOSYS from later forks.  Without
 * CAP_SYS_ADMIN the filter needs PR_SET_NO_NEW_PRIVS, which turns
 * set-user-ID bits into no-ops for the command's whole tree.
 *
 * -p PID attaches to every thread of a running process instead and
 * detaches from everything on SIGINT/SIGTERM/SIGHUP, leaving it running.
 * No filter can be added to a running process: the first fork's entry
 * (or, with --syscall-stops or in the live view, every fork's) is found
 * at system-call stops (PTRACE_SYSCALL), later forks only after the copy.
 * --syscall-stops does the same for a command instead of the filter.
 *
 * Signals of page-anon are blocked and taken with sigwaitinfo() between
 * stops (SIGCHLD says a tracee stopped), so no stop is ever left pending
 * and no read of /proc is interrupted.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "page-anon.h"
#include "collect.h"
#include "pinned.h"
#include "session.h"
#include "snapshot_save.h"
#include "tracefork.h"

#ifndef CLONE_THREAD
#define CLONE_THREAD 0x00010000
#endif
#ifndef SI_KERNEL
#define SI_KERNEL 0x80
#endif

/* ------------------------------------------------------------------ */
/* Readings                                                             */

struct snap_ctx {
	struct pa_session *s;
	struct pa_tf_snap *sn;
	const struct pa_maps *maps;
	const struct pa_pinned *pins;
};

static int snap_batch(void *ctx, const struct pa_page_batch *b)
{
	struct snap_ctx *c = ctx;
	struct pa_tf_snap *sn = c->sn;
	struct pa_proc_report *p = &sn->rep.procs[0];
	struct pa_vma_report *vr;
	long ps = c->s->src->page_size;

	if (!b->vma || b->vma < c->maps->v || b->vma >= c->maps->v + c->maps->n)
		return -EINVAL;
	vr = &p->vmas[b->vma - c->maps->v];
	for (size_t i = 0; i < b->n; i++) {
		uint64_t kc = b->kcount ? b->kcount[i] : 0;
		enum pa_state st = pa_classify(&c->s->kinfo, b->pme[i], b->kflags[i], kc,
					       b->pgflags[i]);
		struct pa_tf_page *pg;
		bool pin;

		if (st == PA_ST_NONE)
			continue;
		pa_counts_page(&vr->c, &c->s->kinfo, b->pme[i], b->kflags[i], kc, b->pgflags[i], st);
		pin = c->pins->n && (b->pme[i] & PM_PRESENT) &&
		      pa_pinned_covers(c->pins, b->index[i] * (uint64_t)ps, (uint64_t)ps);
		if (pin) {
			vr->c.pinned++;
			sn->pinned++;
		}
		if (sn->npg == sn->cap) {
			sn->cap = sn->cap ? 2 * sn->cap : 4096;
			sn->pg = pa_xrealloc(sn->pg, sn->cap, sizeof(*sn->pg));
		}
		pg = &sn->pg[sn->npg++];
		pg->vpn = b->index[i];
		pg->pfn = b->pfn[i];
		pg->state = (int8_t)st;
		pg->pinned = pin;
	}
	return 0;
}

void pa_tf_snap_free(struct pa_tf_snap *sn)
{
	if (!sn)
		return;
	pa_report_free(&sn->rep);
	free(sn->pg);
	free(sn);
}

/* Read process pid (its memory, per-VMA counts and every populated page). */
static struct pa_tf_snap *snap_read(struct pa_session *s, pid_t pid, double t)
{
	struct pa_options *o = s->opt;
	struct pa_walk_opts wo = {
		.need_kflags = true,
		.need_count = true,
		.threads = o->threads,
		.scan = o->scan,
	};
	struct pa_tf_snap *sn = pa_xrealloc(NULL, 1, sizeof(*sn));
	struct pa_target *tg = NULL;
	struct pa_maps maps = { 0 };
	struct pa_pinned pins = { 0 };
	struct snap_ctx c = { .s = s, .sn = sn, .maps = &maps, .pins = &pins };
	struct pa_proc_report *p;
	int ret;

	memset(sn, 0, sizeof(*sn));
	sn->pid = pid;
	sn->t = t;
	pa_report_init(&sn->rep);
	snprintf(sn->rep.kernel, sizeof(sn->rep.kernel), "%s", s->src->release);
	sn->rep.page_size = s->src->page_size;
	sn->rep.kinfo = s->kinfo;
	sn->rep.ftab = s->ftab;
	sn->rep.timestamp = t;
	p = pa_report_add_proc(&sn->rep, pid);
	ret = s->src->ops->open_target(s->src, pid, &tg);
	if (ret < 0) {
		p->err = -ret;
		pa_explain_open_error(s, pid, -ret, p->errmsg, sizeof(p->errmsg));
		goto out;
	}
	ret = s->src->ops->read_maps(tg, &maps);
	if (ret < 0) {
		p->err = -ret;
		pa_explain_open_error(s, pid, -ret, p->errmsg, sizeof(p->errmsg));
		goto out;
	}
	snprintf(p->comm, sizeof(p->comm), "%s", tg->comm);
	pa_pinned_read(s->src, pid, &pins);
	p->vm_pin_kb = pa_pinned_vmpin_kb(s->src, pid);
	sn->vm_pin_kb = p->vm_pin_kb;
	p->nvmas_total = maps.n;
	p->vmas = pa_xrealloc(NULL, maps.n ? maps.n : 1, sizeof(*p->vmas));
	memset(p->vmas, 0, (maps.n ? maps.n : 1) * sizeof(*p->vmas));
	ret = pa_walk_target(tg, &maps, &s->kinfo, &wo, snap_batch, &c, &p->stats);
	if (tg->gone || p->stats.partial) {
		p->partial = true;
		snprintf(p->errmsg, sizeof(p->errmsg), "process %d exited during the reading",
			 (int)pid);
	} else if (ret < 0) {
		p->err = -ret;
		snprintf(p->errmsg, sizeof(p->errmsg), "process %d: %s", (int)pid, strerror(-ret));
	} else if (tg->pfn_hidden) {
		p->partial = true;
		snprintf(p->errmsg, sizeof(p->errmsg), "/proc/%d/pagemap: PFNs hidden "
			 "(CAP_SYS_ADMIN missing): exclusivity unknown; run as root", (int)pid);
	} else {
		sn->ok = true;
	}
	pa_collect_move_vmas(p, &maps);
out:
	if (p->err || p->partial)
		sn->rep.partial = true;
	pa_pinned_free(&pins);
	pa_maps_free(&maps);
	if (tg)
		s->src->ops->close_target(tg);
	return sn;
}

/* Pages that moved from one state to another between two readings
 * (merged by virtual page, both in address order). */
static void side_transitions(struct pa_tf_side *d, const struct pa_tf_snap *b,
			     const struct pa_tf_snap *a)
{
	size_t i = 0, j = 0;

	memset(d->trans, 0, sizeof(d->trans));
	d->have_trans = b && a && b->ok && a->ok;
	if (!d->have_trans)
		return;
	while (i < b->npg || j < a->npg) {
		if (j >= a->npg || (i < b->npg && b->pg[i].vpn < a->pg[j].vpn)) {
			d->trans[b->pg[i].state][PA_TF_NONE]++;
			i++;
		} else if (i >= b->npg || a->pg[j].vpn < b->pg[i].vpn) {
			d->trans[PA_TF_NONE][a->pg[j].state]++;
			j++;
		} else {
			d->trans[b->pg[i].state][a->pg[j].state]++;
			i++;
			j++;
		}
	}
}

/* Child pages exclusive on a page frame other than the parent's at the
 * same address: the child got a page of its own at fork, before its first
 * instruction.  That is a copy made at fork (mm/memory.c
 * copy_present_page(): pages that may be pinned for DMA; for a pinned
 * THP, copy_huge_pmd() splits the parent's PMD and the copy goes page by
 * page, mm/huge_memory.c), or a page written by the child before its first
 * stop (the CLONE_CHILD_SETTID word).  The parent's side is not required
 * to read exclusive: after the split, tails of its still-large folio are
 * "unknown" (doc/kernel-notes.md 3.3). */
static void side_copied(struct pa_tf_side *d, const struct pa_tf_snap *parent,
			const struct pa_tf_snap *child)
{
	size_t i = 0, j = 0;

	d->copied = d->copied_pinned = 0;
	if (!parent || !child || !parent->ok || !child->ok)
		return;
	while (i < parent->npg && j < child->npg) {
		const struct pa_tf_page *p = &parent->pg[i], *c = &child->pg[j];

		if (p->vpn < c->vpn) {
			i++;
		} else if (c->vpn < p->vpn) {
			j++;
		} else {
			if (c->state == PA_ST_ANON_EXCLUSIVE && p->pfn && c->pfn && p->pfn != c->pfn) {
				d->copied++;
				if (p->pinned)
					d->copied_pinned++;
			}
			i++;
			j++;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Tracees                                                              */

struct task {
	pid_t tid, tgid;
	bool stopped;		/* in a ptrace-stop page-anon has not resumed */
	int sig;		/* signal to pass on when resumed */
	bool first_stop;	/* a new task's first stop has been seen */
	bool thread;		/* a thread, not a process */
	bool initial;		/* the command before its exec: the first
				 * PTRACE_EVENT_STOP is the seize trap */
	bool exit_seen;		/* the exit event was reported */
	bool listening;		/* in group-stop (PTRACE_LISTEN) */
	bool held;		/* step mode: kept at its fork stop */
	char comm[64];
	struct pa_tf_snap *before;	/* reading at fork entry */
	struct pa_tf_snap *last;	/* latest reading (processes only) */
};


struct pa_tracer {
	struct pa_session *s;
	struct pa_options *o;
	struct task **t;	/* owned, each owned */
	size_t n, cap;
	double t0;
	uint64_t seq;
	pid_t cmd;		/* the command (command mode), 0 if attached */
	int cmd_status;		/* wait status of the command; -1 running */
	bool attached;		/* -p mode */
	bool filtered;		/* the seccomp filter is on the tracees */
	bool out_closed;	/* stdout gone (EPIPE): keep tracing quietly */
	struct pa_snap_writer *save;	/* --save: one capture per stop */
	size_t ncaptures;
	bool save_failed;
	pa_tf_event_fn hook;	/* TUI: called for each event */
	void *hook_ctx;
	bool sysentry;		/* resume with PTRACE_SYSCALL: fork entries
				 * are found at system-call-entry stops */
	bool sysentry_once;	/* ... until the first one has been read */
	bool hold;		/* step mode: hold both sides of each fork */
	size_t nheld;
	bool quiet;		/* no output (the TUI draws the events) */
	sigset_t child_mask;	/* the command's signal mask */
	int child_fd[3];	/* the command's stdin, stdout, stderr; -1:
				 * page-anon's */
	bool own_pgrp;		/* the command in a process group of its own */
};
#define tracer pa_tracer

static struct task *task_find(struct tracer *tr, pid_t tid)
{
	for (size_t i = 0; i < tr->n; i++)
		if (tr->t[i]->tid == tid)
			return tr->t[i];
	return NULL;
}

static struct task *task_add(struct tracer *tr, pid_t tid)
{
	struct task *t = pa_xrealloc(NULL, 1, sizeof(*t));

	if (tr->n == tr->cap) {
		tr->cap = tr->cap ? 2 * tr->cap : 16;
		tr->t = pa_xrealloc(tr->t, tr->cap, sizeof(*tr->t));
	}
	memset(t, 0, sizeof(*t));
	t->tid = t->tgid = tid;
	tr->t[tr->n++] = t;
	return t;
}

static void task_del(struct tracer *tr, struct task *t)
{
	if (t->held)
		tr->nheld--;
	for (size_t i = 0; i < tr->n; i++)
		if (tr->t[i] == t) {
			tr->t[i] = tr->t[--tr->n];
			break;
		}
	pa_tf_snap_free(t->before);
	pa_tf_snap_free(t->last);
	free(t);
}

/* Thread group of a task from /proc/TID/status ("Tgid:"), 0 if unknown. */
static pid_t read_tgid(struct pa_session *s, pid_t tid)
{
	char rel[64], buf[4096], *q;

	snprintf(rel, sizeof(rel), "proc/%d/status", (int)tid);
	if (pa_source_read_text(s->src, rel, buf, sizeof(buf)) <= 0)
		return 0;
	q = strstr(buf, "\nTgid:");
	return q ? (pid_t)atoi(q + 6) : 0;
}

/* --save: one capture of the processes of a stop, labelled like the
 * event ("fork 1234 entry", "fork 1234 -> 1240", "exit 1240", ...). */
static void save_capture(struct tracer *tr, const char *label, const pid_t *pids, size_t n)
{
	struct pa_snap_capture c;
	char err[1024];
	size_t skipped;

	if (!tr->save || tr->save_failed)
		return;
	if (pa_snap_capture(tr->s, pids, n, label, &c, &skipped) < 0 || !c.nprocs) {
		pa_snap_capture_free(&c);
		return;		/* gone already: nothing to keep */
	}
	if (pa_snap_writer_add(tr->save, &c, err, sizeof(err)) < 0) {
		pa_error("%s; tracing goes on without saving", err);
		tr->save_failed = true;
	} else {
		tr->ncaptures++;
	}
	pa_snap_capture_free(&c);
}

/* Resume a task from the stop page-anon holds it in: to its next stop
 * of interest, or to its next system call entry or exit (sysentry). */
static void task_resume(struct tracer *tr, struct task *t)
{
	if (!t->stopped || t->held)
		return;
	t->stopped = false;
	if (ptrace(tr->sysentry ? PTRACE_SYSCALL : PTRACE_CONT, t->tid, 0L, (long)t->sig) < 0 &&
	    errno != ESRCH)
		pa_warn("cannot resume process %d: %s", (int)t->tid, strerror(errno));
	t->sig = 0;
}

static double now(struct tracer *tr)
{
	return pa_now() - tr->t0;
}

static void emit(struct tracer *tr, struct pa_tf_event *e)
{
	e->seq = ++tr->seq;
	if (tr->hook)
		tr->hook(tr->hook_ctx, e);
	if (tr->out_closed || tr->quiet)
		return;
	errno = 0;
	if (tr->o->json)
		pa_tf_print_json(stdout, e, tr->o);
	else
		pa_tf_print_text(stdout, e, tr->o);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		/* the reader went away: the command goes on, quietly */
		tr->out_closed = true;
		if (errno != EPIPE)
			pa_warn("write error on the output: %s; tracing goes on without output",
				strerror(errno ? errno : EIO));
	}
}

static void side_init(struct pa_tf_side *d, const char *role, pid_t pid, const char *comm)
{
	memset(d, 0, sizeof(*d));
	d->role = role;
	d->pid = pid;
	snprintf(d->comm, sizeof(d->comm), "%s", comm);
}

/* The process entry (thread group leader) of a task, or the task. */
static struct task *proc_of(struct tracer *tr, struct task *t)
{
	struct task *l = t->tgid != t->tid ? task_find(tr, t->tgid) : NULL;

	return l ? l : t;
}

static void set_last(struct task *p, struct pa_tf_snap *sn)
{
	if (p->last != sn)
		pa_tf_snap_free(p->last);
	p->last = sn;
	if (sn && sn->rep.nprocs && sn->rep.procs[0].comm[0])
		snprintf(p->comm, sizeof(p->comm), "%s", sn->rep.procs[0].comm);
}

/* A reading of one process as an event (start, exec, exit). */
static void event_single(struct tracer *tr, struct task *p, enum pa_tf_kind kind, int status,
			 bool transitions)
{
	struct pa_tf_event e = { .kind = kind, .pid = p->tgid, .status = status, .nside = 1 };
	struct pa_tf_snap *sn;

	e.t = now(tr);
	sn = snap_read(tr->s, p->tgid, e.t);
	if (tr->save) {
		char label[64];

		snprintf(label, sizeof(label), "%s %d", pa_tf_kind_name(kind), (int)p->tgid);
		save_capture(tr, label, &p->tgid, 1);
	}
	if (sn->rep.procs[0].comm[0])
		snprintf(p->comm, sizeof(p->comm), "%s", sn->rep.procs[0].comm);
	side_init(&e.side[0], "process", p->tgid, p->comm);
	e.side[0].before = transitions ? p->last : NULL;
	e.side[0].after = sn;
	if (transitions)
		side_transitions(&e.side[0], p->last, sn);
	emit(tr, &e);
	if (kind == PA_TF_EXIT) {
		pa_tf_snap_free(sn);
		set_last(p, NULL);
	} else {
		set_last(p, sn);
	}
}

/* ------------------------------------------------------------------ */
/* Stops                                                                */

static long geteventmsg(pid_t tid)
{
	unsigned long msg = 0;

	if (ptrace(PTRACE_GETEVENTMSG, tid, 0L, &msg) < 0)
		return -1;
	return (long)msg;
}

/* clone3's flags: the first u64 of struct clone_args in the tracee. */
static bool clone3_is_thread(pid_t tid, uint64_t args_ptr)
{
	uint64_t flags = 0;
	struct iovec local = { &flags, sizeof(flags) };
	struct iovec remote = { (void *)(uintptr_t)args_ptr, sizeof(flags) };

	if (process_vm_readv(tid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof(flags))
		return false;
	return flags & CLONE_THREAD;
}

/* SECCOMP_RET_DATA of the filter's rules (GETEVENTMSG at the stop). */
enum { TF_DATA_FORK = 1, TF_DATA_VFORK, TF_DATA_CLONE, TF_DATA_CLONE3 };

/* The kind of a system call that creates a task (TF_DATA_*), 0 for any
 * other: the numbers bpf_build() puts in the filter. */
static int fork_syscall(uint32_t arch, uint64_t nr)
{
	int fork = -1, vfork = -1, clone = -1;

	switch (arch) {
#if defined(__x86_64__)
	case AUDIT_ARCH_X86_64:
		nr &= ~(uint64_t)0x40000000;	/* x32 */
		fork = 57, vfork = 58, clone = 56;
		break;
#endif
#if defined(__x86_64__) || defined(__i386__)
	case AUDIT_ARCH_I386:
		fork = 2, vfork = 190, clone = 120;
		break;
#endif
#if defined(__aarch64__)
	case AUDIT_ARCH_AARCH64:
		clone = 220;
		break;
#endif
	default:
		return 0;
	}
	if (nr == 435)
		return TF_DATA_CLONE3;
	if ((int64_t)nr == fork)
		return TF_DATA_FORK;
	if ((int64_t)nr == vfork)
		return TF_DATA_VFORK;
	if ((int64_t)nr == clone)
		return TF_DATA_CLONE;
	return 0;
}

/* A process is about to fork (kind TF_DATA_*, arg0 the system call's
 * first argument); read it as it is: "before". */
static void fork_entry(struct tracer *tr, struct task *t, int kind, uint64_t arg0)
{
	if (!tr->o->trace_threads &&
	    ((kind == TF_DATA_CLONE3 && clone3_is_thread(t->tid, arg0)) ||
	     (kind == TF_DATA_CLONE && (arg0 & CLONE_THREAD))))
		return;		/* a thread: no reading */
	pa_tf_snap_free(t->before);
	t->before = snap_read(tr->s, t->tgid, now(tr));
	if (tr->save) {
		char label[64];

		snprintf(label, sizeof(label), "fork %d entry", (int)t->tgid);
		save_capture(tr, label, &t->tgid, 1);
	}
	/* -p: system-call stops only until the first fork's entry */
	if (tr->sysentry_once)
		tr->sysentry = tr->sysentry_once = false;
}

/* PTRACE_EVENT_SECCOMP: the filter stopped a fork at its entry. */
static void on_seccomp_stop(struct tracer *tr, struct task *t)
{
	long data = geteventmsg(t->tid);
	uint64_t arg0 = 0;

	if (data == TF_DATA_CLONE3) {
		struct __ptrace_syscall_info info;

		memset(&info, 0, sizeof(info));
		if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info) > 0 &&
		    info.op == PTRACE_SYSCALL_INFO_SECCOMP)
			arg0 = info.seccomp.args[0];
		else
			return;
	}
	if (data > 0)
		fork_entry(tr, t, (int)data, arg0);
}

/* A system-call stop (sysentry, PTRACE_O_TRACESYSGOOD): at the entry of
 * a fork, read the parent. */
static void on_syscall_stop(struct tracer *tr, struct task *t)
{
	struct __ptrace_syscall_info info;
	int kind;

	memset(&info, 0, sizeof(info));
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(info), &info) <= 0 ||
	    info.op != PTRACE_SYSCALL_INFO_ENTRY)
		return;
	kind = fork_syscall(info.arch, info.entry.nr);
	if (kind)
		fork_entry(tr, t, kind, info.entry.args[0]);
}

/* Wait for the first stop of a new task (it comes before its first
 * instruction).  Returns false if it died first. */
static bool wait_first_stop(struct task *c)
{
	int st;

	while (!c->first_stop) {
		pid_t w = waitpid(c->tid, &st, __WALL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return false;
		if (!WIFSTOPPED(st))
			continue;
		c->first_stop = true;
		c->stopped = true;
		if ((st >> 16) == 0 && WSTOPSIG(st) != (SIGTRAP | 0x80))
			c->sig = WSTOPSIG(st);	/* a signal came first: pass it on */
	}
	return true;
}

static void on_fork_event(struct tracer *tr, struct task *t, int ev)
{
	long msg = geteventmsg(t->tid);
	struct pa_tf_event e = { .kind = PA_TF_FORK, .pid = t->tgid, .nside = 2, .status = -1 };
	struct task *c, *pp;
	struct pa_tf_snap *pa, *ca;
	pid_t tgid;

	e.syscall = ev == PTRACE_EVENT_VFORK ? "vfork" : ev == PTRACE_EVENT_CLONE ? "clone" : "fork";
	if (msg <= 0) {
		task_resume(tr, t);
		return;
	}
	e.child = (pid_t)msg;
	c = task_find(tr, e.child);
	if (!c)
		c = task_add(tr, e.child);
	if (!wait_first_stop(c)) {
		task_del(tr, c);	/* killed before its first instruction */
		pa_tf_snap_free(t->before);
		t->before = NULL;
		task_resume(tr, t);
		return;
	}
	tgid = ev == PTRACE_EVENT_CLONE ? read_tgid(tr->s, c->tid) : c->tid;
	if (tgid && tgid != c->tid) {
		/* a thread (clone with CLONE_THREAD) */
		c->thread = true;
		c->tgid = t->tgid;
		if (!tr->o->trace_threads) {
			task_resume(tr, c);
			task_resume(tr, t);
			return;
		}
		e.syscall = "clone (thread)";
	}
	pp = proc_of(tr, t);
	e.t = now(tr);
	e.entry_stop = t->before != NULL;
	pa = snap_read(tr->s, t->tgid, e.t);
	ca = c->thread ? NULL : snap_read(tr->s, c->tid, e.t);
	if (tr->save) {
		char label[64];
		pid_t both[2] = { t->tgid, c->tid };

		snprintf(label, sizeof(label), "%s %d -> %d", e.syscall, (int)t->tgid, (int)c->tid);
		save_capture(tr, label, both, c->thread ? 1 : 2);
	}
	if (pa->rep.procs[0].comm[0])
		snprintf(pp->comm, sizeof(pp->comm), "%s", pa->rep.procs[0].comm);
	snprintf(c->comm, sizeof(c->comm), "%s", pp->comm);
	side_init(&e.side[0], "parent", t->tgid, pp->comm);
	e.side[0].before = t->before ? t->before : NULL;
	e.side[0].after = pa;
	side_transitions(&e.side[0], t->before, pa);
	side_init(&e.side[1], c->thread ? "thread" : "child", c->tid, c->comm);
	e.side[1].before = t->before;
	e.side[1].after = ca;
	if (ca) {
		side_transitions(&e.side[1], t->before, ca);
		side_copied(&e.side[1], pa, ca);
	}
	emit(tr, &e);
	pa_tf_snap_free(t->before);
	t->before = NULL;
	set_last(pp, pa);
	if (ca)
		set_last(c, ca);
	if (tr->hold && !c->thread) {
		/* step mode: both stay at this stop until pa_tracer_release() */
		c->held = t->held = true;
		tr->nheld += 2;
		return;
	}
	task_resume(tr, c);
	task_resume(tr, t);
}

static void on_exec(struct tracer *tr, struct task *t)
{
	long former = geteventmsg(t->tid);
	struct task *f;

	/* A thread that execs takes the leader's TID (ptrace(2)). */
	if (former > 0 && (pid_t)former != t->tid && (f = task_find(tr, (pid_t)former)))
		task_del(tr, f);
	t->thread = false;
	t->tgid = t->tid;
	t->initial = false;
	event_single(tr, t, tr->seq == 0 && t->tid == tr->cmd ? PA_TF_START : PA_TF_EXEC, -1, false);
	task_resume(tr, t);
}

static void on_exit_event(struct tracer *tr, struct task *t)
{
	long status = geteventmsg(t->tid);

	if (!t->thread && t->tid == t->tgid && !t->exit_seen) {
		t->exit_seen = true;
		event_single(tr, t, PA_TF_EXIT, (int)status, true);
	}
	task_resume(tr, t);
}

/* A task ended (reaped by waitpid). */
static void on_gone(struct tracer *tr, struct task *t, int st)
{
	if (t->tid == tr->cmd)
		tr->cmd_status = st;
	if (!t->thread && t->tid == t->tgid && !t->exit_seen) {
		/* no exit stop (SIGKILL): say how it ended, without a reading */
		struct pa_tf_event e = { .kind = PA_TF_EXIT, .pid = t->tid, .status = st, .nside = 1 };

		e.t = now(tr);
		side_init(&e.side[0], "process", t->tid, t->comm);
		emit(tr, &e);
	}
	task_del(tr, t);
}

static bool is_stop_sig(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void handle(struct tracer *tr, pid_t w, int st)
{
	struct task *t = task_find(tr, w);
	int sig, ev;

	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		if (t)
			on_gone(tr, t, st);
		else if (w == tr->cmd)
			tr->cmd_status = st;
		return;
	}
	if (!WIFSTOPPED(st))
		return;
	if (!t) {
		/* A new task whose parent's fork event is still to come: the
		 * child is woken (wake_up_new_task(), kernel/fork.c) before
		 * the parent reports, so its first stop can come first.  Hold
		 * it until the event is handled. */
		t = task_add(tr, w);
		t->first_stop = true;
		t->stopped = true;
		if ((st >> 16) == 0 && WSTOPSIG(st) != (SIGTRAP | 0x80))
			t->sig = WSTOPSIG(st);
		return;
	}
	t->stopped = true;
	sig = WSTOPSIG(st);
	ev = st >> 16;
	switch (ev) {
	case PTRACE_EVENT_SECCOMP:
		on_seccomp_stop(tr, t);
		task_resume(tr, t);
		break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		on_fork_event(tr, t, ev);
		break;
	case PTRACE_EVENT_EXEC:
		on_exec(tr, t);
		break;
	case PTRACE_EVENT_EXIT:
		on_exit_event(tr, t);
		break;
	case PTRACE_EVENT_STOP:
		if (is_stop_sig(sig) && !t->initial) {
			/* group-stop: stay stopped until SIGCONT */
			t->stopped = false;
			t->listening = true;
			if (ptrace(PTRACE_LISTEN, w, 0L, 0L) < 0 && errno != ESRCH)
				pa_warn("process %d: PTRACE_LISTEN: %s", (int)w, strerror(errno));
			break;
		}
		t->initial = false;
		t->listening = false;
		if (!t->first_stop) {
			/* the first stop of a task whose fork event came first
			 * but which was not waited for (should not happen) */
			t->first_stop = true;
		}
		task_resume(tr, t);
		break;
	case 0:
		if (sig == (SIGTRAP | 0x80)) {
			/* system-call stop (only with sysentry) */
			on_syscall_stop(tr, t);
			task_resume(tr, t);
			break;
		}
		/* signal-delivery-stop: pass the signal on */
		t->sig = sig;
		task_resume(tr, t);
		break;
	default:
		task_resume(tr, t);
	}
}

/* ------------------------------------------------------------------ */
/* Letting go                                                           */

/*
 * Detach from every task and leave it running (a task in group-stop stays
 * stopped, as it would be without page-anon).  Running tasks are
 * interrupted first: only a stopped tracee can be detached.  Tasks
 * created meanwhile (a fork event at the interrupt) are detached too.
 */
static void detach_all(struct tracer *tr)
{
	int st;

	for (size_t i = 0; i < tr->n; i++)
		if (!tr->t[i]->stopped)
			ptrace(PTRACE_INTERRUPT, tr->t[i]->tid, 0L, 0L);
	while (tr->n) {
		pid_t w;
		struct task *t;

		for (size_t i = 0; i < tr->n;) {
			t = tr->t[i];
			if (!t->stopped) {
				i++;
				continue;
			}
			if (ptrace(PTRACE_DETACH, t->tid, 0L, (long)t->sig) < 0 && errno != ESRCH)
				pa_warn("cannot detach from process %d: %s", (int)t->tid,
					strerror(errno));
			task_del(tr, t);
		}
		if (!tr->n)
			break;
		w = waitpid(-1, &st, __WALL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;	/* ECHILD: nothing left */
		}
		t = task_find(tr, w);
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (w == tr->cmd)
				tr->cmd_status = st;
			if (t)
				task_del(tr, t);
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		if (!t)
			t = task_add(tr, w);
		t->stopped = true;
		t->first_stop = true;
		/* a signal-delivery-stop's signal is passed on, nothing else */
		t->sig = (st >> 16) == 0 && WSTOPSIG(st) != (SIGTRAP | 0x80) ? WSTOPSIG(st) : 0;
		switch (st >> 16) {
		case PTRACE_EVENT_FORK:
		case PTRACE_EVENT_VFORK:
		case PTRACE_EVENT_CLONE: {
			long msg = geteventmsg(w);

			if (msg > 0 && !task_find(tr, (pid_t)msg)) {
				struct task *c = task_add(tr, (pid_t)msg);

				wait_first_stop(c);
				if (!c->first_stop)
					task_del(tr, c);
			}
			break;
		}
		}
	}
}

/* ------------------------------------------------------------------ */
/* Starting                                                             */

/* The filter: RET_TRACE for the system calls that create processes. */
#define STMT(c, k) ((struct sock_filter)BPF_STMT((c), (k)))
#define LD_W(off) STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JUMP(c, k, t, f) ((struct sock_filter)BPF_JUMP((c), (k), (t), (f)))
#define JEQ(k, t, f) JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(k) STMT(BPF_RET | BPF_K, (k))
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG0_LO offsetof(struct seccomp_data, args[0])
#else
#define ARG0_LO (offsetof(struct seccomp_data, args[0]) + 4)
#endif

/* One ABI: nr_fork/nr_vfork -1 when the ABI has none.  Appends to f. */
static size_t bpf_abi(struct sock_filter *f, size_t n, int nr_fork, int nr_vfork, int nr_clone,
		      int nr_clone3, bool threads, uint32_t nr_mask)
{
	f[n++] = LD_W(offsetof(struct seccomp_data, nr));
	if (nr_mask)
		f[n++] = STMT(BPF_ALU | BPF_AND | BPF_K, nr_mask);
	f[n++] = JEQ((uint32_t)(nr_fork >= 0 ? nr_fork : 0x7fffffff), 0, 1);
	f[n++] = RET(SECCOMP_RET_TRACE | TF_DATA_FORK);
	f[n++] = JEQ((uint32_t)(nr_vfork >= 0 ? nr_vfork : 0x7fffffff), 0, 1);
	f[n++] = RET(SECCOMP_RET_TRACE | TF_DATA_VFORK);
	f[n++] = JEQ((uint32_t)nr_clone3, 0, 1);
	f[n++] = RET(SECCOMP_RET_TRACE | TF_DATA_CLONE3);
	f[n++] = JEQ((uint32_t)nr_clone, 0, 1 + (threads ? 0 : 2));
	if (!threads) {
		f[n++] = LD_W(ARG0_LO);
		f[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 1, 0);
	}
	f[n++] = RET(SECCOMP_RET_TRACE | TF_DATA_CLONE);
	f[n++] = RET(SECCOMP_RET_ALLOW);
	return n;
}

/* Build the program; returns its length, 0 if the architecture is not
 * known (then forks are seen after the copy only). */
static size_t bpf_build(struct sock_filter *f, bool threads)
{
	size_t n = 0;

#if defined(__x86_64__)
	size_t j, blk;

	f[n++] = LD_W(offsetof(struct seccomp_data, arch));
	j = n++;
	blk = n;
	/* x86_64 and x32 (nr | __X32_SYSCALL_BIT): clone 56, fork 57,
	 * vfork 58, clone3 435 in both (asm/unistd_64.h, unistd_x32.h) */
	n = bpf_abi(f, n, 57, 58, 56, 435, threads, ~0x40000000u);
	f[j] = JEQ(AUDIT_ARCH_X86_64, 0, (uint8_t)(n - blk));
	f[n++] = JEQ(AUDIT_ARCH_I386, 1, 0);
	f[n++] = RET(SECCOMP_RET_ALLOW);
	/* i386 (asm/unistd_32.h): fork 2, vfork 190, clone 120, clone3 435 */
	n = bpf_abi(f, n, 2, 190, 120, 435, threads, 0);
#elif defined(__i386__)
	f[n++] = LD_W(offsetof(struct seccomp_data, arch));
	f[n++] = JEQ(AUDIT_ARCH_I386, 1, 0);
	f[n++] = RET(SECCOMP_RET_ALLOW);
	n = bpf_abi(f, n, 2, 190, 120, 435, threads, 0);
#elif defined(__aarch64__)
	/* asm-generic/unistd.h: clone 220, clone3 435, no fork/vfork */
	f[n++] = LD_W(offsetof(struct seccomp_data, arch));
	f[n++] = JEQ(AUDIT_ARCH_AARCH64, 1, 0);
	f[n++] = RET(SECCOMP_RET_ALLOW);
	n = bpf_abi(f, n, -1, -1, 220, 435, threads, 0);
#else
	(void)f;
	(void)threads;
	(void)bpf_abi;
#endif
	return n;
}

#define TF_OPTIONS (PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | \
		    PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT)

/* Why the kernel refused to trace pid (EPERM): Yama, capabilities. */
static void explain_ptrace_error(struct pa_session *s, pid_t pid, int err, bool own_child)
{
	char buf[64] = "";
	int scope = -1;

	if (pa_source_read_text(s->src, "proc/sys/kernel/yama/ptrace_scope", buf, sizeof(buf)) > 0)
		scope = atoi(buf);
	if (err == ESRCH) {
		pa_error("process %d: no such process", (int)pid);
		return;
	}
	if (err != EPERM) {
		pa_error("cannot trace process %d: %s", (int)pid, strerror(err));
		return;
	}
	if (!own_child) {
		pid_t tracer = 0;
		char rel[64], st[4096], *q;

		snprintf(rel, sizeof(rel), "proc/%d/status", (int)pid);
		if (pa_source_read_text(s->src, rel, st, sizeof(st)) > 0 &&
		    (q = strstr(st, "\nTracerPid:")))
			tracer = (pid_t)atoi(q + 11);
		if (tracer) {
			pa_error("cannot trace process %d: it is already traced by process %d "
				 "(a debugger or strace); only one tracer at a time", (int)pid,
				 (int)tracer);
			return;
		}
	}
	if (scope == 3)
		pa_error("cannot trace process %d: %s: kernel.yama.ptrace_scope is 3 (no tracing "
			 "at all, until reboot); --trace-fork cannot work on this system",
			 (int)pid, strerror(err));
	else if (scope == 2 && !s->privs.have_ptrace)
		pa_error("cannot trace process %d: %s: kernel.yama.ptrace_scope is 2 (only "
			 "CAP_SYS_PTRACE may trace); run as root", (int)pid, strerror(err));
	else if (scope == 1 && !s->privs.have_ptrace && !own_child)
		pa_error("cannot trace process %d: %s: kernel.yama.ptrace_scope is 1 (only "
			 "descendants may be traced without CAP_SYS_PTRACE); run as root, start "
			 "the program under page-anon --trace-fork -- COMMAND, or lower the "
			 "setting with 'sysctl kernel.yama.ptrace_scope=0'", (int)pid, strerror(err));
	else if (s->privs.have_ptrace)
		pa_error("cannot trace process %d: %s although CAP_SYS_PTRACE is held (a kernel "
			 "thread, or a security module refuses it)", (int)pid, strerror(err));
	else
		pa_error("cannot trace process %d: %s (a process of another user, one that "
			 "changed its credentials, or a non-dumpable one: tracing it needs "
			 "CAP_SYS_PTRACE; run as root)", (int)pid, strerror(err));
}

static void child_exec(struct tracer *tr, char **argv, bool use_filter)
{
	struct sock_filter f[64];
	struct sock_fprog prog = { 0 };
	size_t n = use_filter ? bpf_build(f, tr->o->trace_threads) : 0;
	int errfd, err;

	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &tr->child_mask, NULL);
	if (tr->own_pgrp)
		setpgid(0, 0);
	/* page-anon's stderr stays for the errors below */
	errfd = tr->child_fd[2] >= 0 ? fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3) : -1;
	for (int fd = 0; fd < 3; fd++)
		if (tr->child_fd[fd] >= 0 && dup2(tr->child_fd[fd], fd) < 0)
			_exit(126);
	if (errfd >= 0)
		dup2(errfd, STDERR_FILENO);
	if (n) {
		prog.len = (unsigned short)n;
		prog.filter = f;
		/* Without CAP_SYS_ADMIN a filter needs no_new_privs. */
		if (!tr->s->privs.have_sys_admin && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
			pa_error("prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
			_exit(126);
		}
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 &&
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
			pa_error("cannot install the seccomp filter that stops forks: %s "
				 "(kernel without CONFIG_SECCOMP_FILTER?)", strerror(errno));
			_exit(126);
		}
	}
	if (errfd >= 0)
		dup2(tr->child_fd[2], STDERR_FILENO);
	kill(getpid(), SIGSTOP);
	execvp(argv[0], argv);
	err = errno;
	if (errfd >= 0)
		dup2(errfd, STDERR_FILENO);
	errno = err;
	pa_error("%s: %s", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static int start_command(struct tracer *tr)
{
	char **argv = tr->o->command;
	pid_t pid;
	int st;
	bool use_filter;
	struct sock_filter probe[64];

	use_filter = !tr->sysentry && bpf_build(probe, false) > 0;
	if (!use_filter && !tr->sysentry)
		pa_warn("no seccomp filter for this architecture: forks are seen after the copy "
			"only (no 'before' readings)");
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		pa_error("fork: %s", strerror(errno));
		return PA_EXIT_ERROR;
	}
	if (pid == 0)
		child_exec(tr, argv, use_filter);
	while (waitpid(pid, &st, WUNTRACED) < 0)
		if (errno != EINTR) {
			pa_error("waitpid: %s", strerror(errno));
			return PA_EXIT_ERROR;
		}
	if (!WIFSTOPPED(st))	/* the filter could not be set: explained */
		return WIFEXITED(st) ? WEXITSTATUS(st) : PA_EXIT_ERROR;
	if (ptrace(PTRACE_SEIZE, pid, 0L, (long)(TF_OPTIONS |
		   (use_filter ? PTRACE_O_TRACESECCOMP : 0) |
		   (tr->sysentry ? PTRACE_O_TRACESYSGOOD : 0))) < 0) {
		int err = errno;

		explain_ptrace_error(tr->s, pid, err, true);
		/* our own child, before its exec: the command never ran */
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return PA_EXIT_ERROR;
	}
	tr->cmd = pid;
	tr->filtered = use_filter;
	struct task *t = task_add(tr, pid);

	t->initial = true;
	t->first_stop = true;
	snprintf(t->comm, sizeof(t->comm), "%s", argv[0]);
	kill(pid, SIGCONT);
	return 0;
}

/* -p: seize every thread, until no new one appears (ptrace(2)). */
static int attach(struct tracer *tr, pid_t pid)
{
	char path[4096];
	bool added = true;
	struct task *lead;

	tr->attached = true;
	/* No filter can be added to a running process: the first fork
	 * after attaching is found at its system-call entry, so that it has
	 * a "before" too; then only fork, exec and exit stop (each system
	 * call stopping twice costs about as much again as the program's
	 * own work on a system-call-heavy one), unless every fork's entry
	 * was asked for (--syscall-stops, the live view). */
	tr->sysentry_once = !tr->sysentry;
	tr->sysentry = true;
	pa_source_path(tr->s->src, path, sizeof(path), "proc/%d/task", (int)pid);
	while (added) {
		DIR *d = opendir(path);
		struct dirent *de;

		added = false;
		if (!d) {
			if (!tr->n) {
				explain_ptrace_error(tr->s, pid, errno == ENOENT ? ESRCH : errno, false);
				return PA_EXIT_ERROR;
			}
			break;
		}
		while ((de = readdir(d))) {
			pid_t tid;
			struct task *t;

			if (pa_parse_pid(de->d_name, &tid) < 0 || task_find(tr, tid))
				continue;
			if (ptrace(PTRACE_SEIZE, tid, 0L,
				   (long)(TF_OPTIONS | PTRACE_O_TRACESYSGOOD)) < 0) {
				int err = errno;

				if (err == ESRCH)	/* a thread that just ended */
					continue;
				closedir(d);
				if (tr->n) {
					detach_all(tr);
				}
				explain_ptrace_error(tr->s, pid, err, false);
				return PA_EXIT_ERROR;
			}
			t = task_add(tr, tid);
			t->tgid = pid;
			t->thread = tid != pid;
			t->first_stop = true;
			added = true;
			/* a stop, to be resumed with PTRACE_SYSCALL (an
			 * interrupted system call is restarted) */
			ptrace(PTRACE_INTERRUPT, tid, 0L, 0L);
		}
		closedir(d);
	}
	lead = task_find(tr, pid);
	if (!lead) {
		detach_all(tr);
		explain_ptrace_error(tr->s, pid, ESRCH, false);
		return PA_EXIT_ERROR;
	}
	event_single(tr, lead, PA_TF_START, -1, false);
	return 0;
}

/* ------------------------------------------------------------------ */

/* --save: the file is written (renamed into place) once tracing ends. */
static void save_commit(struct tracer *tr)
{
	char err[1024];

	if (!tr->save)
		return;
	if (!tr->ncaptures) {
		pa_error("%s: no process could be captured; nothing written", tr->o->save);
		pa_snap_writer_abort(tr->save);
	} else if (pa_snap_writer_commit(tr->save, err, sizeof(err)) < 0) {
		pa_error("%s", err);
	} else {
		fprintf(stderr, "%s: saved %zu captures (one per stop) to %s\n", pa_progname,
			tr->ncaptures, tr->o->save);
	}
	tr->save = NULL;
}

static int wait_status_exit(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st)) {
		int sig = WTERMSIG(st);
		struct rlimit nocore = { 0, 0 };
		sigset_t one;

		/* End the way the command did (the shell shows the same
		 * status), without a core dump of page-anon. */
		fflush(stdout);
		fflush(stderr);
		setrlimit(RLIMIT_CORE, &nocore);
		signal(sig, SIG_DFL);
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		raise(sig);
		return 128 + sig;
	}
	return PA_EXIT_ERROR;
}

int pa_tracer_start(struct pa_session *s, const struct pa_tf_start *so, struct pa_tracer **out)
{
	struct tracer *tr = pa_xrealloc(NULL, 1, sizeof(*tr));
	int rc;

	memset(tr, 0, sizeof(*tr));
	tr->s = s;
	tr->o = s->opt;
	tr->cmd_status = -1;
	tr->hook = so->hook;
	tr->hook_ctx = so->hook_ctx;
	tr->quiet = so->quiet;
	tr->sysentry = so->syscall_entries || s->opt->syscall_stops;
	tr->own_pgrp = so->own_pgrp;
	for (int fd = 0; fd < 3; fd++)
		tr->child_fd[fd] = so->fd[fd];
	if (so->sigmask)
		tr->child_mask = *so->sigmask;
	else
		sigprocmask(SIG_SETMASK, NULL, &tr->child_mask);
	tr->t0 = pa_now();
	*out = NULL;
	if (s->opt->save) {
		char err[1024];

		tr->save = pa_snap_writer_open(s->opt->save, s->opt->append, err, sizeof(err));
		if (!tr->save) {
			pa_error("%s", err);
			free(tr);
			return PA_EXIT_ERROR;
		}
	}
	rc = s->opt->command ? start_command(tr) : attach(tr, s->opt->pids[0]);
	if (rc) {
		pa_tracer_end(tr);
		return rc;
	}
	*out = tr;
	return 0;
}

bool pa_tracer_poll(struct pa_tracer *tr)
{
	int st;
	pid_t w;

	while ((w = waitpid(-1, &st, __WALL | WNOHANG)) > 0)
		handle(tr, w, st);
	if (w < 0 && errno == ECHILD)
		return false;
	return tr->n || (!tr->attached && tr->cmd_status == -1);
}

void pa_tracer_hold_forks(struct pa_tracer *tr, bool on)
{
	tr->hold = on;
}

size_t pa_tracer_held(const struct pa_tracer *tr, pid_t *pids, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < tr->n; i++)
		if (tr->t[i]->held && k < max)
			pids[k++] = tr->t[i]->tgid;
	return tr->nheld;
}

void pa_tracer_release(struct pa_tracer *tr)
{
	for (size_t i = 0; i < tr->n; i++)
		if (tr->t[i]->held) {
			tr->t[i]->held = false;
			task_resume(tr, tr->t[i]);
		}
	tr->nheld = 0;
}

size_t pa_tracer_procs(const struct pa_tracer *tr, pid_t *pids, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < tr->n; i++)
		if (!tr->t[i]->thread && tr->t[i]->tid == tr->t[i]->tgid) {
			if (k < max)
				pids[k] = tr->t[i]->tid;
			k++;
		}
	return k;
}

pid_t pa_tracer_command(const struct pa_tracer *tr)
{
	return tr->cmd;
}

int pa_tracer_status(const struct pa_tracer *tr)
{
	return tr->cmd_status;
}

size_t pa_tracer_detach(struct pa_tracer *tr)
{
	size_t n = 0;

	for (size_t i = 0; i < tr->n; i++)
		if (!tr->t[i]->thread && tr->t[i]->tid == tr->t[i]->tgid)
			n++;
	if (tr->n)
		detach_all(tr);
	tr->nheld = 0;
	return n;
}

void pa_tracer_end(struct pa_tracer *tr)
{
	if (!tr)
		return;
	if (tr->n)
		detach_all(tr);
	fflush(stdout);
	save_commit(tr);
	while (tr->n)
		task_del(tr, tr->t[0]);
	free(tr->t);
	if (tr->out_closed) {
		/* the reader left: nothing more to say on stdout */
		int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

		__fpurge(stdout);
		clearerr(stdout);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			close(fd);
		}
	}
	free(tr);
}

/* The command line's loop: signals of page-anon are blocked and taken
 * with sigwaitinfo() between stops (SIGCHLD says a tracee stopped). */
int pa_tracefork_run(struct pa_session *s)
{
	struct pa_tf_start so = { .fd = { -1, -1, -1 } };
	struct pa_tracer *tr;
	sigset_t sigs, old;
	int rc, nsig = 0, status;
	bool detached = false, attached;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	sigprocmask(SIG_BLOCK, &sigs, &old);
	signal(SIGPIPE, SIG_IGN);
	so.sigmask = &old;
	rc = pa_tracer_start(s, &so, &tr);
	if (rc)
		goto out;
	attached = tr->attached;
	while (pa_tracer_poll(tr)) {
		siginfo_t si;

		if (sigwaitinfo(&sigs, &si) < 0 || si.si_signo == SIGCHLD)
			continue;
		if (attached) {
			/* -p: let go of everything, leave it running */
			pa_tracer_detach(tr);
			detached = true;
			break;
		}
		/* A signal for page-anon is meant for the command: pass it on,
		 * unless it came from the terminal, which signals the whole
		 * foreground process group, the command included. */
		if (si.si_code != SI_KERNEL && tr->cmd_status == -1)
			kill(tr->cmd, si.si_signo);
		if (++nsig >= 3) {
			if (tr->filtered)
				pa_warn("signalled three times: no longer tracing; the command keeps "
					"running, but its forks now fail with ENOSYS (the seccomp filter "
					"cannot be removed; see page-anon(8))");
			else	/* --syscall-stops: nothing is left in it */
				pa_warn("signalled three times: no longer tracing; the command keeps "
					"running, untraced");
			pa_tracer_detach(tr);
			detached = true;
			rc = 128 + si.si_signo;
			break;
		}
	}
	status = tr->cmd_status;
	pa_tracer_end(tr);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return rc;
	if (detached || attached)
		return PA_EXIT_OK;
	return status == -1 ? PA_EXIT_ERROR : wait_status_exit(status);
out:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
