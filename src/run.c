// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The run function: mode dispatch (describe, columns, flags table, report,
 * TUI), the --watch loops, and --output-file.  The session (session.c)
 * and collection (collect.c) do the reading.
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
#include "collect.h"
#include "session.h"
#include "diff.h"
#include "snapshot.h"
#include "tracefork.h"

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
		struct pa_pin *pin = pa_session_pin(s, s->opt->pids[i]);

		if (!pin || !pa_pin_dead(pin))
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

	if (o->diff_old) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		return pa_run_diff(o);
	}
	rc = pa_session_prepare(&s, o);
	if (rc)
		goto out;
	if (o->all) {
		rc = pa_run_all(&s);	/* fleet.c */
		goto out;
	}
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

	if (o->trace_fork && !o->tui) {
		rc = pa_session_open_kfiles(&s, 1u << PA_KPAGEFLAGS | 1u << PA_KPAGECOUNT);
		if (o->save)	/* kpagecgroup for the snapshots, when the kernel has it */
			pa_source_open_kfiles(s.src, 1u << PA_KPAGECGROUP);
		if (!rc) {
			pa_selftest(s.src, &s.kinfo);
			rc = pa_tracefork_run(&s);
		}
		goto out;
	}
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
	if (o->save) {
		rc = pa_session_open_kfiles(&s, 1u << PA_KPAGEFLAGS | 1u << PA_KPAGECOUNT);
		if (rc)
			goto out;
		/* kpagecgroup when the kernel has it */
		pa_source_open_kfiles(s.src, 1u << PA_KPAGECGROUP);
		pa_selftest(s.src, &s.kinfo);
		rc = pa_snap_save(&s);
		goto out;
	}
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
