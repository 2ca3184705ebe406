// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The session: data source, kernel version and flag table, filters,
 * kpage* files, pins, and the explanations of why a process cannot be
 * read (session.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "session.h"
#include "snapshot.h"

volatile sig_atomic_t pa_stop_flag;
volatile sig_atomic_t pa_stop_signal;

static int parse_cgroup(struct pa_session *s, const char *arg)
{
	struct stat st;

	if (arg[0] == '@') {
		if (pa_parse_u64(arg + 1, &s->cgroup) < 0)
			return pa_usage_error("invalid cgroup inode '%s': expected @NUMBER", arg);
	} else {
		if (stat(arg, &st) < 0) {
			pa_error("%s: %s (expected a memory cgroup directory or @INODE)", arg,
				 strerror(errno));
			return PA_EXIT_USAGE;
		}
		if (!S_ISDIR(st.st_mode))
			return pa_usage_error("%s: not a directory (expected a memory cgroup directory)", arg);
		s->cgroup = st.st_ino;
	}
	s->cgroup_filter = true;
	return 0;
}

/* Everything that does not need privileges or /proc: kernel version,
 * flag table, -b specs, -c.  Returns 0 or an exit code. */
int pa_session_prepare(struct pa_session *s, struct pa_options *o)
{
	struct pa_kver v;
	char err[256];

	memset(s, 0, sizeof(*s));
	s->opt = o;
	s->mapcount = true;
	if (o->load) {
		struct pa_snap_capture c;
		size_t index, count;
		char why[1024];

		if (pa_snap_read_file(o->load, &c, &index, &count, why, sizeof(why)) < 0) {
			pa_error("%s", why);
			return PA_EXIT_ERROR;
		}
		s->src = pa_source_snapshot(&c, o->load);
		/* Without -p: every process of the capture, in its order. */
		if (s->src && !o->npids) {
			const struct pa_snap_capture *sc = pa_source_capture(s->src);

			o->pids = pa_xrealloc(o->pids, sc->nprocs + 1, sizeof(*o->pids));
			o->pids_cap = sc->nprocs + 1;
			for (size_t i = 0; i < sc->nprocs; i++)
				o->pids[o->npids++] = sc->procs[i].pid;
		}
		if (s->src && o->verbose) {
			const struct pa_snap_capture *sc = pa_source_capture(s->src);
			time_t tt = (time_t)(sc->time_ns / 1000000000u);
			char when[64];

			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", localtime(&tt));
			fprintf(stderr, "%s: capture %zu of %zu (%s), taken %s on %s, kernel %s, by '%s'\n",
				o->load, index, count, sc->label, when, sc->host, sc->release, sc->cmdline);
		}
	} else {
		s->src = pa_source_procfs(o->sysroot, o->kpageflags_file);
	}
	if (!s->src) {
		if (errno != EINVAL)	/* EINVAL was explained already */
			pa_error("cannot set up the data source: %s", strerror(errno));
		return PA_EXIT_ERROR;
	}
	if (o->sysroot) {
		struct stat st;

		if (stat(o->sysroot, &st) < 0 || !S_ISDIR(st.st_mode))
			return pa_usage_error("--sysroot %s: not a directory", o->sysroot);
	}
	if (o->kernel) {
		if (pa_kver_parse(o->kernel, &v) < 0)
			return pa_usage_error("invalid kernel version '%s'", o->kernel);
		snprintf(s->src->release, sizeof(s->src->release), "%s", o->kernel);
	} else if (pa_kver_parse(s->src->release, &v) < 0) {
		pa_warn("cannot tell the kernel version from '%s'; decoding as 6.18 (use --kernel)",
			s->src->release);
		v = (struct pa_kver){ 6, 18, 0 };
	}
	pa_flagtab_init(&s->ftab, &v, o->extended);
	pa_kinfo_from_version(&s->kinfo, &v);
	for (size_t i = 0; i < o->nbits_specs; i++) {
		s->filters = pa_xrealloc(s->filters, s->nfilters + 1, sizeof(*s->filters));
		if (pa_parse_bits_spec(&s->ftab, o->bits_specs[i], &s->filters[s->nfilters], err,
				       sizeof(err)) < 0)
			return pa_usage_error("invalid bits spec '%s': %s", o->bits_specs[i], err);
		s->nfilters++;
	}
	if (o->cgroup_arg) {
		int r = parse_cgroup(s, o->cgroup_arg);

		if (r)
			return r;
	}
	pa_privs_get(&s->privs);
	return 0;
}

const char *pa_session_kfile_path(const struct pa_session *s, enum pa_kfile f, char *buf, size_t len)
{
	return pa_source_kfile_path(s->src, f, buf, len);
}

/* Open the kpage* files; errors say what to do. */
int pa_session_open_kfiles(struct pa_session *s, unsigned mask)
{
	char buf[4096];
	const char *path;

	pa_source_open_kfiles(s->src, mask);
	for (int f = 0; f < PA_KFILE__N; f++) {
		int e = s->src->kfile_errno[f];

		if (!(mask & (1u << f)) || s->src->ops->has_kfile(s->src, (enum pa_kfile)f))
			continue;
		path = pa_session_kfile_path(s, (enum pa_kfile)f, buf, sizeof(buf));
		if (f == PA_KPAGECGROUP && e == ENOENT && pa_source_capture(s->src)) {
			pa_error("%s: the snapshot holds no memory cgroups of pages (-c, -C): it was "
				 "saved without --page-cgroups", s->opt->load);
			return PA_EXIT_ERROR;
		}
		if (f == PA_KPAGECGROUP && e == ENOENT) {
			pa_error("%s: not available (kernel built without CONFIG_MEMCG)", path);
			return PA_EXIT_ERROR;
		}
		if (f == PA_KPAGEFLAGS && s->src->kpageflags_path && e == EISDIR)
			pa_error("%s: is a directory (-F needs a kpageflags file)", path);
		else if (e == EINVAL && (s->src->kpageflags_path || *s->src->root))
			pa_error("%s: not a regular file or character device (a FIFO or socket "
				 "cannot hold kpageflags data)", path);
		else if ((e == EACCES || e == EPERM) && !s->privs.is_root && !*s->src->root &&
			 !(f == PA_KPAGEFLAGS && s->src->kpageflags_path))
			pa_error("%s: %s (a root-only file: reading it needs CAP_DAC_READ_SEARCH%s; "
				 "run as root, or install page-anon with 'setcap cap_sys_admin,"
				 "cap_dac_read_search,cap_sys_ptrace+ep', see page-anon(8) CAPABILITIES)",
				 path, strerror(e), s->privs.have_dac_read ? ", which is held but was refused" : "");
		else
			pa_error("%s: %s", path, strerror(e));
		return PA_EXIT_ERROR;
	}
	/* A captured file (-F, --sysroot) is a plain file of u64 words. */
	for (int f = 0; f < PA_KFILE__N; f++) {
		struct stat st;

		/* (the live /proc files are regular files of size 0) */
		if (!(mask & (1u << f)) || s->src->fd[f] < 0 ||
		    (!*s->src->root && !(f == PA_KPAGEFLAGS && s->src->kpageflags_path)) ||
		    fstat(s->src->fd[f], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		path = pa_session_kfile_path(s, (enum pa_kfile)f, buf, sizeof(buf));
		if (st.st_size == 0) {
			pa_error("%s: empty file (no page data)", path);
			return PA_EXIT_ERROR;
		}
		if (st.st_size % 8) {
			pa_error("%s: size %lld is not a multiple of 8 bytes: not a %s file", path,
				 (long long)st.st_size, f == PA_KPAGEFLAGS ? "kpageflags" :
				 f == PA_KPAGECOUNT ? "kpagecount" : "kpagecgroup");
			return PA_EXIT_ERROR;
		}
	}
	return 0;
}

int pa_session_open(struct pa_session *s, struct pa_options *o)
{
	int r = pa_session_prepare(s, o);

	if (r)
		return r;
	r = pa_session_open_kfiles(s, 1u << PA_KPAGEFLAGS | 1u << PA_KPAGECOUNT);
	if (r)
		return r;
	pa_selftest(s->src, &s->kinfo);
	return 0;
}

void pa_session_close(struct pa_session *s)
{
	for (size_t i = 0; i < s->npins; i++)
		if (s->pins[i].pidfd >= 0)
			close(s->pins[i].pidfd);
	free(s->pins);
	pa_source_free(s->src);
	free(s->filters);
	memset(s, 0, sizeof(*s));
}

/* /proc/PID/stat: "pid (comm) S ppid pgrp session tty_nr tpgid flags
 * ... starttime(22) ..." (proc(5)); comm may contain spaces and ')'. */
int pa_proc_stat_parse(const char *buf, struct pa_proc_stat *st)
{
	const char *q = strrchr(buf, ')');
	char *end;

	memset(st, 0, sizeof(*st));
	if (!q || q[1] != ' ' || !q[2])
		return -1;
	st->state = q[2];
	st->nfields = 3;
	q += 3;
	while (*q && st->nfields < 22) {
		unsigned long long v;

		while (*q == ' ')
			q++;
		if (!*q || *q == '\n')
			break;
		/* (tty_nr and tpgid may be negative; they are not kept) */
		v = strtoull(q, &end, 10);
		if (end == q)
			break;
		q = end;
		switch (++st->nfields) {
		case 4:
			st->ppid = (pid_t)v;
			break;
		case 9:
			st->flags = (unsigned long)v;
			break;
		case 22:
			st->starttime = v;
			break;
		}
	}
	return 0;
}

int pa_session_proc_stat(const struct pa_session *s, pid_t pid, struct pa_proc_stat *st)
{
	char rel[64], buf[1024];

	memset(st, 0, sizeof(*st));
	snprintf(rel, sizeof(rel), "proc/%d/stat", (int)pid);
	if (pa_source_read_text(s->src, rel, buf, sizeof(buf)) <= 0)
		return -1;
	return pa_proc_stat_parse(buf, st);
}

/* Explain a failure to open a process. */
void pa_explain_open_error(const struct pa_session *s, pid_t pid, int err, char *buf, size_t len)
{
	struct pa_proc_stat ps;
	char state;

	pa_session_proc_stat(s, pid, &ps);
	state = ps.state;
	switch (err) {
	case ENOENT:
	case ESRCH:
		/* 6.18: open() of a kernel thread's or zombie's pagemap fails
		 * with ESRCH (no mm); a reaped process gives ENOENT. */
		if (ps.flags & PA_PF_KTHREAD)
			snprintf(buf, len, "process %d is a kernel thread: it has no user memory",
				 (int)pid);
		else if (state == 'Z' || state == 'X')
			snprintf(buf, len, "process %d is a zombie (exited, not yet reaped): "
				 "its memory is gone", (int)pid);
		else if (state)
			snprintf(buf, len, "process %d: its memory is gone (exiting)", (int)pid);
		else if (pa_source_capture(s->src))
			snprintf(buf, len, "process %d is not in the snapshot %s (without -p: "
				 "all of its processes)", (int)pid, s->src->root);
		else
			snprintf(buf, len, "process %d: no such process", (int)pid);
		break;
	case EACCES:
	case EPERM:
		if (*s->src->root)
			snprintf(buf, len, "%s/proc/%d/pagemap: %s", s->src->root, (int)pid,
				 strerror(err));
		else if (s->privs.file_caps && pa_source_may_read(s->src, pid, buf, len) == -EACCES)
			;	/* refused by page-anon itself: buf says why */
		else if (s->privs.have_ptrace)
			/* ptrace_may_access(): the target's permitted
			 * capabilities must be a subset of ours; LSMs (Yama,
			 * SELinux) and hidepid= may refuse too. */
			snprintf(buf, len, "/proc/%d/pagemap: %s although CAP_SYS_PTRACE is held (the "
				 "process has capabilities page-anon lacks, or a security module or "
				 "hidepid= refuses it)", (int)pid, strerror(err));
		else
			snprintf(buf, len, "/proc/%d/pagemap: %s (a process of another user: reading it "
				 "needs CAP_SYS_PTRACE; run as root, or install page-anon with 'setcap "
				 "cap_sys_admin,cap_dac_read_search,cap_sys_ptrace+ep')", (int)pid,
				 strerror(err));
		break;
	default:
		snprintf(buf, len, "%s/proc/%d/pagemap: %s", s->src->root, (int)pid, strerror(err));
	}
}

/* The pin of pid, created (pidfd taken) when first seen. */
struct pa_pin *pa_session_pin(struct pa_session *s, pid_t pid)
{
	struct pa_pin *p;

	if (*s->src->root)
		return NULL;
	for (size_t i = 0; i < s->npins; i++)
		if (s->pins[i].pid == pid)
			return &s->pins[i];
	if (s->npins == s->pins_cap) {
		s->pins_cap = s->pins_cap ? 2 * s->pins_cap : 8;
		s->pins = pa_xrealloc(s->pins, s->pins_cap, sizeof(*s->pins));
	}
	p = &s->pins[s->npins++];
	p->pid = pid;
	p->pidfd = pa_pidfd_open(pid);
	p->gone = p->absent = p->pidfd == -ESRCH;
	if (p->pidfd < 0)
		p->pidfd = -1;
	return p;
}

/* The pinned process has exited: its PID is free or names another one. */
bool pa_pin_dead(struct pa_pin *pin)
{
	if (pin && !pin->gone && pin->pidfd >= 0 && pa_pidfd_alive(pin->pidfd) == 0)
		pin->gone = true;
	return pin && pin->gone;
}
