// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The run function: opens the data source, runs the walks the options ask
 * for, fills struct pa_report and hands it to an output.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "page-anon.h"

volatile int pa_stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	pa_stop_flag = 1;
}

void pa_options_free(struct pa_options *o)
{
	free(o->pids);
	free(o->ranges);
	free(o->bits_specs);
	memset(o, 0, sizeof(*o));
}

/* ------------------------------------------------------------------ */

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
static int session_prepare(struct pa_session *s, struct pa_options *o)
{
	struct pa_kver v;
	char err[256];

	memset(s, 0, sizeof(*s));
	s->opt = o;
	s->src = pa_source_procfs(o->sysroot, o->kpageflags_file);
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

		if (!(mask & (1u << f)) || s->src->fd[f] >= 0)
			continue;
		path = pa_session_kfile_path(s, (enum pa_kfile)f, buf, sizeof(buf));
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
	int r = session_prepare(s, o);

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

#define PF_KTHREAD 0x00200000	/* include/linux/sched.h */

/* State letter and flags from /proc/PID/stat ("pid (comm) S ppid pgrp
 * session tty tpgid flags ..."); comm may contain spaces and ')'. */
static int proc_state(const struct pa_session *s, pid_t pid, char *state, unsigned long *flags)
{
	char rel[64], buf[1024], *q;

	snprintf(rel, sizeof(rel), "proc/%d/stat", (int)pid);
	if (pa_source_read_text(s->src, rel, buf, sizeof(buf)) <= 0)
		return -1;
	q = strrchr(buf, ')');
	if (!q || q[1] != ' ' || !q[2])
		return -1;
	*state = q[2];
	*flags = 0;
	if (sscanf(q + 3, " %*d %*d %*d %*d %*d %lu", flags) != 1)
		return -1;
	return 0;
}

/* Explain a failure to open a process. */
void pa_explain_open_error(const struct pa_session *s, pid_t pid, int err, char *buf, size_t len)
{
	char state = 0;
	unsigned long flags = 0;

	switch (err) {
	case ENOENT:
	case ESRCH:
		/* 6.18: open() of a kernel thread's or zombie's pagemap fails
		 * with ESRCH (no mm); a reaped process gives ENOENT. */
		if (proc_state(s, pid, &state, &flags) == 0 && (flags & PF_KTHREAD))
			snprintf(buf, len, "process %d is a kernel thread: it has no user memory",
				 (int)pid);
		else if (state == 'Z' || state == 'X')
			snprintf(buf, len, "process %d is a zombie (exited, not yet reaped): "
				 "its memory is gone", (int)pid);
		else if (state)
			snprintf(buf, len, "process %d: its memory is gone (exiting)", (int)pid);
		else
			snprintf(buf, len, "process %d: no such process", (int)pid);
		break;
	case EACCES:
	case EPERM:
		if (*s->src->root)
			snprintf(buf, len, "%s/proc/%d/pagemap: %s", s->src->root, (int)pid,
				 strerror(err));
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
static struct pa_pin *session_pin(struct pa_session *s, pid_t pid)
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
static bool pin_dead(struct pa_pin *pin)
{
	if (pin && !pin->gone && pin->pidfd >= 0 && pa_pidfd_alive(pin->pidfd) == 0)
		pin->gone = true;
	return pin && pin->gone;
}

/* ------------------------------------------------------------------ */
/* Exclusivity report                                                  */

/*
 * Consistency model.  Without --freeze the target keeps running while it
 * is scanned.  The VMA list is read once (/proc/PID/maps) at the start;
 * each VMA's pagemap is then read in chunks (the kernel takes the mmap
 * lock per PMD-sized step, so entries of different chunks are not one
 * snapshot: kernel-abi.md 1.8), and kpageflags/kpagecount are read after
 * the pagemap entries of a chunk.  So:
 *   - every page is counted at most once and in exactly one state, from
 *     one pagemap entry, so per VMA every state count <= present +
 *     swapped (populated), and no count is ever negative;
 *   - a VMA unmapped during the scan reads as holes (its pages are not
 *     counted); a VMA mapped after the maps read is missed; a page
 *     populated, unmapped, swapped or COW-broken meanwhile is counted in
 *     the state of the moment its entry was read;
 *   - a PFN freed and reused between the pagemap and the kpageflags read
 *     may be classified from the new page's flags (a few pages at most,
 *     and only with the target changing its memory).
 * --freeze stops the target for the scan (freeze.c), which removes all of
 * this except for changes made by the kernel itself (reclaim, KSM,
 * khugepaged) or by other processes sharing the pages.  A target that
 * exits mid-scan makes the report partial (exit status 3), with the VMAs
 * read so far.
 */

struct report_ctx {
	struct pa_session *s;
	struct pa_proc_report *p;
	const struct pa_maps *maps;
	bool bitmap;
};

static void bitmap_set(struct pa_proc_report *p, uint64_t pfn)
{
	size_t byte = (size_t)(pfn / 8);

	if (byte >= p->bitmap_bytes) {
		size_t n = p->bitmap_bytes ? p->bitmap_bytes : 4096;

		while (n <= byte)
			n *= 2;
		p->pfn_bitmap = pa_xrealloc(p->pfn_bitmap, n, 1);
		memset(p->pfn_bitmap + p->bitmap_bytes, 0, n - p->bitmap_bytes);
		p->bitmap_bytes = n;
	}
	p->pfn_bitmap[byte] |= (uint8_t)(1u << (pfn % 8));
}

static int report_batch(void *ctx, const struct pa_page_batch *b)
{
	struct report_ctx *c = ctx;
	struct pa_session *s = c->s;
	struct pa_vma_report *vr;

	/* b->vma points into c->maps->v; p->vmas is indexed the same way. */
	if (!b->vma || b->vma < c->maps->v || b->vma >= c->maps->v + c->maps->n)
		return -EINVAL;
	vr = &c->p->vmas[b->vma - c->maps->v];
	for (size_t i = 0; i < b->n; i++) {
		uint64_t pme = b->pme[i], kf = b->kflags[i];
		uint64_t kc = b->kcount ? b->kcount[i] : 0;
		unsigned pg = b->pgflags[i];
		enum pa_state st;

		if (s->nfilters || s->cgroup_filter) {
			uint64_t flags = pa_flags_expand(&s->ftab, b->pfn[i] ? kf : 0, pme);

			if (s->nfilters && !pa_bits_match(s->filters, s->nfilters, flags))
				continue;
			if (s->cgroup_filter && (!b->kcgroup || b->kcgroup[i] != s->cgroup))
				continue;
		}
		st = pa_classify(&s->kinfo, pme, kf, kc, pg);
		if (st == PA_ST_NONE)
			continue;
		pa_counts_page(&vr->c, &s->kinfo, pme, kf, kc, pg, st);
		/* The sharing picture counts every anonymous page mapped more
		 * than once, also the tails of PTE-mapped large folios whose
		 * exclusivity is "unknown" (kernel-abi.md 8.2: kc >= 2 means
		 * another mapping exists). */
		if (c->bitmap && b->pfn[i] && (kf & PA_BIT(ANON)) && !(kf & PA_BIT(KSM)) && kc >= 2 &&
		    (st == PA_ST_ANON_SHARED || st == PA_ST_UNKNOWN))
			bitmap_set(c->p, b->pfn[i]);
	}
	return 0;
}

static bool vma_has_anon(const struct pa_vma_report *v)
{
	return v->c.anon || v->c.state[PA_ST_SWAPPED] || v->c.state[PA_ST_ZERO] ||
	       v->c.state[PA_ST_UNKNOWN] || v->c.state[PA_ST_SPECIAL];
}

static void read_ppid(struct pa_session *s, struct pa_proc_report *p)
{
	char rel[64], buf[1024], *q;

	snprintf(rel, sizeof(rel), "proc/%d/stat", (int)p->pid);
	if (pa_source_read_text(s->src, rel, buf, sizeof(buf)) <= 0)
		return;
	/* "pid (comm) state ppid": comm may contain spaces and ')' */
	q = strrchr(buf, ')');
	if (q && q[1] == ' ' && q[2] && q[3] == ' ')
		p->ppid = (pid_t)atoi(q + 4);
}

/* --sort COLUMN / -COLUMN; "name" sorts by name, others numerically. */
static int sort_col;
static bool sort_desc;
static long sort_ps;

static int cmp_vma(const void *a, const void *b)
{
	const struct pa_vma_report *x = a, *y = b;
	int c;

	if (sort_col == pa_column_lookup("name") || sort_col == pa_column_lookup("perms")) {
		c = sort_col == pa_column_lookup("name") ? strcmp(x->vma.name, y->vma.name) :
			strcmp(x->vma.perms, y->vma.perms);
	} else {
		uint64_t kx = pa_vma_sort_key(x, sort_col, sort_ps);
		uint64_t ky = pa_vma_sort_key(y, sort_col, sort_ps);

		c = (kx > ky) - (kx < ky);
	}
	if (!c)	/* stable: then by address */
		c = (x->vma.start > y->vma.start) - (x->vma.start < y->vma.start);
	return sort_desc ? -c : c;
}

static void sort_vmas(struct pa_session *s, struct pa_proc_report *p)
{
	const char *spec = s->opt->sort;

	if (!spec || !p->nvmas)
		return;
	sort_desc = *spec == '-';
	sort_col = pa_column_lookup(spec + sort_desc);
	sort_ps = s->src->page_size;
	if (sort_col >= 0)
		qsort(p->vmas, p->nvmas, sizeof(*p->vmas), cmp_vma);
}

static void collect_one(struct pa_session *s, struct pa_proc_report *p, bool bitmap,
			struct pa_pin *pin)
{
	struct pa_options *o = s->opt;
	struct pa_walk_opts wo = {
		.need_kflags = true,
		.need_count = true,
		.need_cgroup = s->cgroup_filter,
		.threads = o->threads,
		.scan = o->scan,
		.ranges = o->ranges,
		.nranges = o->nranges,
		.stop = &pa_stop_flag,
	};
	struct pa_target *t = NULL;
	struct pa_maps maps = { 0 };
	struct report_ctx c = { .s = s, .p = p, .maps = &maps, .bitmap = bitmap };
	int ret;

	if (pin_dead(pin)) {
		p->err = ESRCH;
		snprintf(p->errmsg, sizeof(p->errmsg), pin->absent ? "process %d: no such process" :
			 "process %d has exited", (int)p->pid);
		goto out;
	}
	ret = s->src->ops->open_target(s->src, p->pid, &t);
	/* The pagemap just opened belongs to the pinned process only if that
	 * is still alive now (a PID is not reused before its reaping). */
	if (pin_dead(pin)) {
		p->err = ESRCH;
		snprintf(p->errmsg, sizeof(p->errmsg), "process %d has exited", (int)p->pid);
		goto out;
	}
	if (ret < 0) {
		p->err = -ret;
		pa_explain_open_error(s, p->pid, -ret, p->errmsg, sizeof(p->errmsg));
		goto out;
	}
	ret = s->src->ops->read_maps(t, &maps);
	if (ret < 0) {
		p->err = -ret;
		if (ret == -ESRCH || ret == -ENOENT)
			pa_explain_open_error(s, p->pid, -ret, p->errmsg, sizeof(p->errmsg));
		else
			snprintf(p->errmsg, sizeof(p->errmsg), "%s/proc/%d/maps: %s", s->src->root,
				 (int)p->pid, ret == -EINVAL ? "unexpected format" : strerror(-ret));
		goto out;
	}
	snprintf(p->comm, sizeof(p->comm), "%s", t->comm);
	read_ppid(s, p);
	p->nvmas_total = maps.n;
	p->vmas = pa_xrealloc(NULL, maps.n ? maps.n : 1, sizeof(*p->vmas));
	memset(p->vmas, 0, (maps.n ? maps.n : 1) * sizeof(*p->vmas));
	ret = pa_walk_target(t, &maps, &s->kinfo, &wo, report_batch, &c, &p->stats);
	if ((t->gone || p->stats.partial) && *s->src->root) {
		p->partial = true;
		snprintf(p->errmsg, sizeof(p->errmsg), "%s/proc/%d/pagemap: ends before the last VMA "
			 "of maps (incomplete capture): the result is partial", s->src->root, (int)p->pid);
	} else if (t->gone || p->stats.partial) {
		p->partial = true;
		pin_dead(pin);
		snprintf(p->errmsg, sizeof(p->errmsg), "process %d exited during the scan: the result "
			 "is partial", (int)p->pid);
	} else if (ret == -EINTR) {
		p->partial = true;
		snprintf(p->errmsg, sizeof(p->errmsg), "interrupted");
	} else if (ret < 0) {
		p->err = -ret;
		if (p->stats.errpath[0])	/* a kpage* file failed, not the process */
			snprintf(p->errmsg, sizeof(p->errmsg), "%s: %s (while reading process %d)",
				 p->stats.errpath, strerror(-ret), (int)p->pid);
		else
			snprintf(p->errmsg, sizeof(p->errmsg), "process %d: %s", (int)p->pid,
				 strerror(-ret));
	}
	if (t->pfn_hidden) {
		p->partial = true;
		snprintf(p->errmsg, sizeof(p->errmsg),
			 "/proc/%d/pagemap: PFNs hidden (CAP_SYS_ADMIN missing): exclusivity unknown; "
			 "run as root", (int)p->pid);
	}
	/* Move the VMAs into the report, dropping those without anonymous
	 * pages unless --all-vmas. */
	size_t n = 0;

	for (size_t i = 0; i < maps.n; i++) {
		struct pa_vma_report *v = &p->vmas[i];

		pa_counts_add(&p->totals, &v->c);
		if (!o->all_vmas && !vma_has_anon(v))
			continue;
		p->vmas[n] = *v;
		p->vmas[n].vma = maps.v[i];
		p->vmas[n].vma.name = maps.v[i].name;
		maps.v[i].name = NULL;
		p->vmas[n].rss_pages = p->vmas[n].c.present;
		n++;
	}
	p->nvmas = n;
	sort_vmas(s, p);
out:
	pa_maps_free(&maps);
	if (t)
		s->src->ops->close_target(t);
}

int pa_collect(struct pa_session *s, const pid_t *pids, size_t npids, struct pa_report *r)
{
	struct timespec ts;
	int rc = PA_EXIT_OK;
	size_t nerr = 0;

	snprintf(r->kernel, sizeof(r->kernel), "%s", s->src->release);
	r->page_size = s->src->page_size;
	r->kinfo = s->kinfo;
	r->ftab = s->ftab;
	clock_gettime(CLOCK_REALTIME, &ts);
	r->timestamp = ts.tv_sec + ts.tv_nsec / 1e9;
	for (size_t i = 0; i < npids; i++) {
		struct pa_proc_report *p = pa_report_add_proc(r, pids[i]);

		collect_one(s, p, npids > 1, session_pin(s, pids[i]));
		if (p->err)
			nerr++;
		if (p->partial || p->err)
			r->partial = true;
	}
	pa_report_compute_sharing(r);
	if (npids && nerr == npids)
		rc = PA_EXIT_ERROR;
	else if (r->partial || pa_stop_flag)
		rc = PA_EXIT_PARTIAL;
	return rc;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int pa_expand_children(struct pa_session *s, const pid_t *pids, size_t n, pid_t **out, size_t *nout)
{
	size_t cap = n + 16, m = 0;
	pid_t *v = pa_xrealloc(NULL, cap, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[m++] = pids[i];
	if (s->opt->children) {
		/* breadth first: children of every PID found so far, each
		 * once (a captured tree may even list a cycle) */
		pid_t *kids = NULL;
		size_t nk, kcap = 0;

		for (size_t i = 0; i < m; i++) {
			nk = 0;
			pa_source_children(s->src, v[i], &kids, &nk, &kcap);
			for (size_t k = 0; k < nk; k++) {
				bool seen = false;

				for (size_t j = 0; j < m && !seen; j++)
					seen = v[j] == kids[k];
				if (seen)
					continue;
				if (m == cap) {
					cap *= 2;
					v = pa_xrealloc(v, cap, sizeof(*v));
				}
				v[m++] = kids[k];
			}
		}
		free(kids);
	}
	/* keep the order given on the command line, drop duplicates */
	size_t k = 0;

	for (size_t i = 0; i < m; i++) {
		bool dup = false;

		for (size_t j = 0; j < k && !dup; j++)
			dup = v[j] == v[i];
		if (!dup)
			v[k++] = v[i];
	}
	if (k > n)
		qsort(v + n, k - n, sizeof(*v), cmp_pid);
	*out = v;
	*nout = k;
	return 0;
}

static void print_verbose(const struct pa_session *s)
{
	const struct pa_kinfo *k = &s->kinfo;
	static const char *const tri[] = { "not tested", "no", "yes" };

	fprintf(stderr, "kernel %s: anon_exclusive bit %s; flags read per %s; "
		"PAGEMAP_SCAN %s (categories 0x%llx); KPF_KSM bug %s; KPF_NOPAGE reported %s; "
		"zero page PFN 0x%llx%s%s\n",
		s->src->release, k->anon_exclusive_bit ? "yes" : "no (before 5.19)",
		k->folio_flags ? "folio (6.10+)" : "page", tri[k->pagemap_scan],
		(unsigned long long)k->scan_categories, tri[k->ksm_flag_bug],
		tri[k->nopage_reported], (unsigned long long)k->zero_pfn,
		*k->note ? "; self-tests " : "", k->note);
}

static void print_stats(const struct pa_report *r)
{
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct pa_walk_stats *st = &r->procs[i].stats;

		fprintf(stderr, "pid %d: %llu VMAs walked, %llu pagemap entries, %llu PFNs read in %llu "
			"preads, %llu PAGEMAP_SCAN calls\n", (int)r->procs[i].pid,
			(unsigned long long)st->vmas, (unsigned long long)st->pagemap_entries,
			(unsigned long long)st->pfns_read, (unsigned long long)st->preads,
			(unsigned long long)st->scan_calls);
	}
}

/* --watch ends when every process named with -p has exited. */
static bool all_watched_gone(struct pa_session *s)
{
	for (size_t i = 0; i < s->opt->npids; i++) {
		struct pa_pin *pin = session_pin(s, s->opt->pids[i]);

		if (!pin || !pin_dead(pin))
			return false;
	}
	return true;
}

/*
 * Exit status: without --watch the status of the one sample.  With
 * --watch: 1 if the first sample could read no process at all; otherwise
 * 3 if any sample was partial or a watched process exited, else 0.  A
 * process that exits is reported as exited and dropped; --watch goes on
 * while any process named with -p remains.
 */
static int run_report(struct pa_session *s)
{
	struct pa_options *o = s->opt;
	struct pa_report prev, cur;
	bool have_prev = false;
	int rc = PA_EXIT_OK, final = PA_EXIT_OK;
	uint64_t sample = 0;
	double next = pa_now();

	pa_report_init(&prev);
	for (;;) {
		pid_t *pids;
		size_t npids;

		pa_report_init(&cur);
		pa_expand_children(s, o->pids, o->npids, &pids, &npids);
		if (o->freeze)
			pa_freeze(s->src, pids, npids);
		rc = pa_collect(s, pids, npids, &cur);
		if (o->freeze)
			pa_thaw();
		free(pids);
		/* No /proc file is opened after the only sample: give up
		 * file capabilities before formatting (caps.c). */
		if (o->watch <= 0)
			pa_privs_drop();
		cur.sample = ++sample;
		if (o->watch <= 0 || (sample == 1 && rc == PA_EXIT_ERROR))
			final = rc;
		else if (rc != PA_EXIT_OK)
			final = PA_EXIT_PARTIAL;
		for (size_t i = 0; i < cur.nprocs; i++)
			if (cur.procs[i].errmsg[0])
				(cur.procs[i].err ? pa_error : pa_warn)("%s", cur.procs[i].errmsg);
		if (o->verbose)
			print_stats(&cur);
		if (o->json)
			pa_json_report_watch(stdout, &cur, o, have_prev ? &prev : NULL);
		else if (rc == PA_EXIT_ERROR && sample == 1) {
			/* nothing could be read: the reasons are on stderr, no
			 * empty report on stdout */
		} else {
			if (o->watch > 0 && isatty(STDOUT_FILENO))
				fputs("\033[H\033[2J", stdout);
			pa_print_report(stdout, &cur, o, have_prev ? &prev : NULL);
		}
		fflush(stdout);
		if (o->watch <= 0 || pa_stop_flag || (sample == 1 && rc == PA_EXIT_ERROR))
			break;
		if (all_watched_gone(s)) {
			pa_warn("every watched process has exited");
			final = PA_EXIT_PARTIAL;
			break;
		}
		pa_report_free(&prev);
		prev = cur;
		have_prev = true;
		pa_report_init(&cur);
		/* Sleep until the next tick; a signal ends the loop. */
		next += o->watch;
		while (!pa_stop_flag) {
			double left = next - pa_now();
			struct timespec ts;

			if (left <= 0)
				break;
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
			nanosleep(&ts, NULL);
		}
		if (pa_stop_flag)
			break;
	}
	pa_report_free(&cur);
	pa_report_free(&prev);
	return final;
}

/* ------------------------------------------------------------------ */

static bool wants_flags_table(const struct pa_options *o)
{
	if (o->mode == PA_MODE_FLAGS)
		return true;
	if (o->mode == PA_MODE_REPORT)
		return false;
	/* page-types options imply page-types output */
	return !o->npids || o->list || o->no_summary || o->raw || o->list_cgroup ||
	       o->list_mapcnt || o->mark_idle || o->nbits_specs || o->cgroup_arg;
}

static int run(struct pa_options *o)
{
	struct pa_session s;
	struct pa_report r;
	struct sigaction sa = { .sa_handler = on_signal };
	int rc;

	rc = session_prepare(&s, o);
	if (rc)
		goto out;
	if (o->describe) {
		uint64_t flags;
		char err[256];

		if (pa_parse_flag_names(&s.ftab, o->describe, false, &flags, err, sizeof(err)) < 0) {
			rc = pa_usage_error("invalid flags '%s': %s", o->describe, err);
			goto out;
		}
		pa_privs_drop();
		if (o->json)
			pa_json_describe(stdout, &s.ftab, flags, o);
		else
			pa_print_describe(stdout, &s.ftab, flags);
		rc = PA_EXIT_OK;
		goto out;
	}
	if (o->columns && !strcmp(o->columns, "help")) {
		pa_columns_help(stdout);
		rc = PA_EXIT_OK;
		goto out;
	}
	if (o->columns) {
		int colv[64];
		size_t n;
		char err[128];

		if (pa_columns_parse(o->columns, colv, PA_ARRAY_SIZE(colv), &n, err, sizeof(err)) < 0) {
			rc = pa_usage_error("invalid -o/--output '%s': %s", o->columns, err);
			goto out;
		}
	}
	if (o->sort && pa_column_lookup(o->sort + (*o->sort == '-')) < 0) {
		rc = pa_usage_error("invalid --sort '%s': unknown column (-o help lists them)", o->sort);
		goto out;
	}
	if (o->mode == PA_MODE_REPORT && !o->npids) {
		rc = pa_usage_error("--report needs -p PID");
		goto out;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (o->tui) {
		rc = pa_session_open_kfiles(&s, 1u << PA_KPAGEFLAGS | 1u << PA_KPAGECOUNT |
					    (s.cgroup_filter ? 1u << PA_KPAGECGROUP : 0));
		if (!rc) {
			pa_selftest(s.src, &s.kinfo);
			rc = pa_tui_run(&s);
		}
		goto out;
	}
	rc = pa_session_open_kfiles(&s, 1u << PA_KPAGEFLAGS |
				 (o->npids && !wants_flags_table(o) ? 1u << PA_KPAGECOUNT : 0) |
				 (o->list_mapcnt ? 1u << PA_KPAGECOUNT : 0) |
				 (s.cgroup_filter && o->npids ? 1u << PA_KPAGECGROUP : 0));
	if (rc)
		goto out;
	if (o->npids && !s.privs.have_sys_admin && !*s.src->root)
		pa_warn("CAP_SYS_ADMIN is missing: /proc/PID/pagemap hides PFNs, so page flags "
			"and exclusivity cannot be read; run as root");
	pa_selftest(s.src, &s.kinfo);
	if (o->verbose)
		print_verbose(&s);
	if (o->scan == PA_SCAN_ALWAYS && s.kinfo.pagemap_scan != PA_YES && (o->npids || o->tui)) {
		pa_error("--scan=always: the PAGEMAP_SCAN ioctl is not available (Linux 6.7 or later, "
			 "not on a captured tree); use --scan=auto");
		rc = PA_EXIT_ERROR;
		goto out;
	}

	pa_report_init(&r);
	snprintf(r.kernel, sizeof(r.kernel), "%s", s.src->release);
	r.page_size = s.src->page_size;
	r.kinfo = s.kinfo;
	r.ftab = s.ftab;
	if (!o->npids && !o->file && o->watch <= 0) {
		/* The PFN walk opens nothing more (kpagecgroup is opened here
		 * when needed): give up file capabilities before walking. */
		if (s.cgroup_filter || (o->list && o->list_cgroup))
			rc = pa_session_open_kfiles(&s, 1u << PA_KPAGECGROUP);
		if (rc)
			goto out_report;
		pa_privs_drop();
	}
	if (o->file || wants_flags_table(o)) {
		if (o->watch > 0) {
			/* repeated flags tables */
			for (;;) {
				if (o->freeze)
					pa_freeze(s.src, o->pids, o->npids);
				rc = pa_run_flags(&s, &r);
				if (o->freeze)
					pa_thaw();
				fflush(stdout);
				if (pa_stop_flag)
					break;
				pa_report_free(&r);
				pa_report_init(&r);
				r.kinfo = s.kinfo;
				r.ftab = s.ftab;
				r.page_size = s.src->page_size;
				snprintf(r.kernel, sizeof(r.kernel), "%s", s.src->release);
				for (double end = pa_now() + o->watch; !pa_stop_flag && pa_now() < end;)
					usleep(20000);
				if (pa_stop_flag)
					break;
			}
			rc = rc == PA_EXIT_PARTIAL ? PA_EXIT_OK : rc;
		} else {
			if (o->freeze)
				pa_freeze(s.src, o->pids, o->npids);
			rc = pa_run_flags(&s, &r);
			if (o->freeze)
				pa_thaw();
		}
	} else {
		rc = run_report(&s);
	}
out_report:
	pa_report_free(&r);
out:
	pa_session_close(&s);
	return rc;
}

/* ------------------------------------------------------------------ */
/* --output-file: write to a temporary file in the same directory and   */
/* rename it over FILE only when the output is complete.                */

static char *out_tmp;		/* owned: temporary name, NULL when none */

static void output_discard(void)
{
	if (!out_tmp)
		return;
	/* Whatever is still buffered is thrown away with the file. */
	__fpurge(stdout);
	unlink(out_tmp);
	free(out_tmp);
	out_tmp = NULL;
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
}

static int output_open(const char *file)
{
	char *d, *b, *real = NULL;
	const char *dir, *base;
	struct stat st;
	size_t len;
	mode_t mask;
	int fd, err;

	/* Follow a symbolic link only where the kernel's protected_symlinks
	 * would (fs/namei.c may_follow_link()): not a link owned by someone
	 * else in a sticky world-writable directory, such as /tmp, where it
	 * could point root's output at any file. */
	if (lstat(file, &st) == 0 && S_ISLNK(st.st_mode)) {
		struct stat ds;
		char *pd = pa_xstrdup(file);
		bool ok = stat(dirname(pd), &ds) == 0 &&
			  (!(ds.st_mode & S_ISVTX) || !(ds.st_mode & S_IWOTH) ||
			   st.st_uid == geteuid() || st.st_uid == ds.st_uid);

		free(pd);
		if (!ok) {
			pa_error("%s: a symbolic link of another user in a sticky world-writable "
				 "directory: not followed", file);
			return PA_EXIT_ERROR;
		}
	}
	if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
		pa_error("%s: is a directory", file);
		return PA_EXIT_ERROR;
	}
	if (stat(file, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* A device or FIFO is written in place: renaming over it would
		 * replace the node itself. */
		fd = open(file, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
			pa_error("%s: %s", file, strerror(errno));
			return PA_EXIT_ERROR;
		}
		close(fd);
		return 0;
	}
	/* Replace the target of a symbolic link, not the link. */
	real = realpath(file, NULL);
	d = pa_xstrdup(real ? real : file);
	b = pa_xstrdup(real ? real : file);
	free(real);
	dir = dirname(d);
	base = basename(b);
	len = strlen(dir) + strlen(base) + 16;
	out_tmp = pa_xrealloc(NULL, len, 1);
	snprintf(out_tmp, len, "%s/.%s.XXXXXX", dir, base);
	fd = mkostemp(out_tmp, O_CLOEXEC);
	free(d);
	free(b);
	if (fd < 0) {
		err = errno;
		pa_error("%s: cannot create a temporary file in its directory: %s", file,
			 strerror(err));
		free(out_tmp);
		out_tmp = NULL;
		return PA_EXIT_ERROR;
	}
	/* mkstemp creates 0600; give the file the mode a plain creat()
	 * would (0666 less the umask). */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	fflush(stdout);
	if (dup2(fd, STDOUT_FILENO) < 0) {
		err = errno;
		close(fd);
		pa_error("%s: %s", file, strerror(err));
		output_discard();
		return PA_EXIT_ERROR;
	}
	close(fd);
	/* ulimit -f: fail the write with EFBIG instead of dying. */
	signal(SIGXFSZ, SIG_IGN);
	atexit(output_discard);
	return 0;
}

static int output_commit(const char *file, int rc)
{
	int err = errno;
	size_t len;

	if (!out_tmp)
		return rc;
	if (rc != PA_EXIT_OK && rc != PA_EXIT_PARTIAL) {
		output_discard();
		return rc;
	}
	if (ferror(stdout) || fflush(stdout) != 0 || fsync(STDOUT_FILENO) < 0) {
		if (errno && errno != EINVAL)
			err = errno;
		pa_error("%s: write error: %s; the file was not written", file,
			 strerror(err ? err : EIO));
		output_discard();
		return PA_EXIT_ERROR;
	}
	len = strlen(out_tmp);
	/* the final name is the temporary one without "/." and ".XXXXXX" */
	char *final = pa_xstrdup(out_tmp), *slash = strrchr(final, '/');

	final[len - 7] = '\0';
	memmove(slash + 1, slash + 2, strlen(slash + 2) + 1);
	if (rename(out_tmp, final) < 0) {
		free(final);
		pa_error("%s: cannot rename %s to it: %s", file, out_tmp, strerror(errno));
		output_discard();
		return PA_EXIT_ERROR;
	}
	free(final);
	free(out_tmp);
	out_tmp = NULL;
	return rc;
}

int pa_run(struct pa_options *o)
{
	int rc;

	if (o->output_file) {
		rc = output_open(o->output_file);
		if (rc)
			return rc;
	}
	rc = run(o);
	return output_commit(o->output_file, rc);
}
