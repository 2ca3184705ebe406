// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * page-anon: command line.  This file only turns argv into struct
 * pa_options and calls pa_run(); nothing else reads argv.
 */
#include "config.h"

#include <argp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "page-anon.h"

const char *argp_program_version = PACKAGE_NAME " " PACKAGE_VERSION;
/* No argp_program_bug_address: there is no public bug tracker to name. */

enum {
	OPT_FLAGS = 0x100, OPT_JSON, OPT_BYTES, OPT_ALL_VMAS, OPT_SORT, OPT_CHILDREN,
	OPT_TUI, OPT_INTERVAL, OPT_COLOR, OPT_FREEZE, OPT_SYSROOT, OPT_KERNEL,
	OPT_EXTENDED, OPT_THREADS, OPT_SCAN, OPT_PER_PAGE, OPT_REPORT, OPT_OUTPUT_FILE, OPT_COMMAND_LOG,
	OPT_ALL, OPT_GROUP_BY, OPT_TOP, OPT_PROMETHEUS, OPT_MAX_SECONDS,
	OPT_SAVE, OPT_LOAD, OPT_DIFF, OPT_APPEND, OPT_PAGE_CGROUPS,
	OPT_TRACE_FORK, OPT_TRACE_THREADS, OPT_SYSCALL_STOPS,
	OPT_CHECK,
};

static const char doc[] =
	"Show which anonymous pages of a process are exclusive to it and which are "
	"shared after fork, merged by KSM, mapped from the zero page or swapped."
	"\v"
	"With -p, the default output is the per-VMA exclusivity report; --flags "
	"prints the page-types compatible flags table instead.  Without -p and -f "
	"the whole of /proc/kpageflags is walked, as page-types does.\n"
	"\n"
	"Page states: anon_exclusive (a write needs no copy), anon_shared (mapped "
	"more than once, a write copies), anon_sole (mapped once but not marked "
	"exclusive), ksm, zero, file (file, shmem, MAP_SHARED anonymous), swapped, "
	"special (migration, guard, uffd-wp marker, device) and unknown.\n"
	"\n"
	"addr-spec (unit: pages):  N  one page;  N+M  pages N to N+M-1;  N,M  pages N "
	"to M-1;  N,  N to the end;  ,M  0 to M-1.\n"
	"bits-spec:  bit1,bit2  (flags & (bit1|bit2)) != 0;  bit1,bit2=bit1  "
	"(flags & (bit1|bit2)) == bit1;  bit1,~bit2  (flags & (bit1|bit2)) == bit1;  "
	"=bit1,bit2  flags == (bit1|bit2).  Flags are names (see -d and page-anon(8)) "
	"or numbers such as 0x10.\n"
	"\n"
	"The hwpoison options of page-types (-X, -x) are left out on purpose: "
	"page-anon never changes page state.\n"
	"\n"
	"Without --freeze the target keeps running: each page is read "
	"consistently, but different pages (and VMAs) are read at different "
	"moments; pages mapped or unmapped meanwhile may be missed or counted "
	"in their old state.\n"
	"\n"
	"Exit status: 0 success; 1 runtime error; 2 usage error; 3 partial result "
	"(a process exited during the scan, PFNs were hidden, a process could "
	"not be read, or the scan was interrupted).  With --watch: 3 if any "
	"sample was partial or a watched process exited, else 0; --watch ends "
	"when every watched process has exited.  With --trace-fork -- COMMAND: the "
	"command's exit status (killed by a signal: page-anon ends by the same "
	"signal).  With --check: 4 when the kernel "
	"broke one of its rules on any page (a finding), else as above.  A closed output pipe ends "
	"page-anon quietly by SIGPIPE (status 141 in the shell).\n"
	"\n"
	"PFNs in /proc/PID/pagemap and the /proc/kpage* files need CAP_SYS_ADMIN "
	"and CAP_DAC_READ_SEARCH (another user's process: CAP_SYS_PTRACE): run as "
	"root, or install with 'setcap cap_sys_admin,cap_dac_read_search,"
	"cap_sys_ptrace+ep'.  With file capabilities page-anon reads only the "
	"processes its user could read with ptrace without them, raises them only "
	"to open /proc files and never opens -F, -f, -c, --sysroot or "
	"--output-file paths with them.";

static const char args_doc[] = "[-- COMMAND [ARG...]]";

static struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Selecting pages (page-types compatible):", 1 },
	{ "pid", 'p', "PID[,PID...]", 0, "Walk the address space of these processes (repeatable)", 1 },
	{ "addr", 'a', "ADDR-SPEC", 0, "Walk only this range of pages (repeatable)", 1 },
	{ "bits", 'b', "BITS-SPEC", 0, "Walk only pages with these flag bits (repeatable)", 1 },
	{ "cgroup", 'c', "PATH|@INODE", 0, "Walk only pages charged to this memory cgroup", 1 },
	{ "file", 'f', "FILE|DIR", 0, "Walk the page cache of a file or directory tree", 1 },
	{ "kpageflags", 'F', "FILE", 0, "Read page flags from FILE instead of /proc/kpageflags", 1 },

	{ NULL, 0, NULL, 0, "Flags table and listings (page-types compatible):", 2 },
	{ "raw", 'r', NULL, 0, "Raw mode: kernel-hacking bits and expanded overloaded bits", 2 },
	{ "describe", 'd', "FLAGS", 0, "Describe flags (names or numbers) and exit", 2 },
	{ "list", 'l', NULL, 0, "List pages in ranges", 2 },
	{ "list-each", 'L', NULL, 0, "List pages one by one", 2 },
	{ "list-cgroup", 'C', NULL, 0, "Show the memory cgroup inode of listed pages", 2 },
	{ "list-mapcnt", 'M', NULL, 0, "Show the map count of listed pages", 2 },
	{ "no-summary", 'N', NULL, 0, "Do not print the summary table", 2 },
	{ "mark-idle", 'i', NULL, 0, "Mark the walked pages idle (writes page_idle/bitmap)", 2 },
	{ "flags", OPT_FLAGS, NULL, 0, "With -p: print the flags table instead of the per-VMA report", 2 },
	{ "extended", OPT_EXTENDED, NULL, 0, "Also show page-anon's own bits (uffd_wp, guard, arch_3) in flag output", 2 },

	{ NULL, 0, NULL, 0, "Exclusivity report:", 3 },
	{ "report", OPT_REPORT, NULL, 0, "Print the per-VMA report (the default with -p)", 3 },
	{ "children", OPT_CHILDREN, NULL, 0, "Also report every descendant of the given processes", 3 },
	{ "bytes", OPT_BYTES, NULL, 0, "Print sizes in bytes instead of human-readable units", 3 },
	{ "all-vmas", OPT_ALL_VMAS, NULL, 0, "Also list VMAs without anonymous pages", 3 },
	{ "sort", OPT_SORT, "COLUMN", 0, "Sort VMAs, or --all rows, by COLUMN (prefix '-' for descending)", 3 },
	{ "output", 'o', "LIST", 0, "Columns of the report or --all: a comma list, +LIST to add to the defaults, 'help' to list them", 3 },
	{ "watch", 'w', "SECONDS", 0, "Repeat the report every SECONDS (0.05 to 86400) until interrupted", 3 },
	{ "freeze", OPT_FREEZE, NULL, 0, "Stop the processes while scanning (cgroup freezer when alone in "
	  "their cgroup, else SIGSTOP), for an exact snapshot; always resumed; already stopped processes, "
	  "PID 1 and page-anon itself are left alone", 3 },

	{ "check", OPT_CHECK, NULL, 0, "Audit the kernel: list every page of the processes (-p, --children, --all, "
	  "--load's) "
	  "where kpageflags, kpagecount and pagemap contradict the kernel's own rules; exit status 4 "
	  "when any finding stands", 3 },

	{ NULL, 0, NULL, 0, "Output:", 4 },
	{ "json", OPT_JSON, "pretty", OPTION_ARG_OPTIONAL, "JSON output (compact; --json=pretty to indent)", 4 },
	{ "color", OPT_COLOR, "WHEN", OPTION_ARG_OPTIONAL, "Colour: auto, always or never (NO_COLOR is honoured)", 4 },
	{ "verbose", 'v', NULL, 0, "Report kernel self-test results and walk statistics", 4 },
	{ "output-file", OPT_OUTPUT_FILE, "FILE", 0, "Write the output to FILE: a temporary file in the same "
	  "directory, renamed to FILE only when complete (exit status 0 or 3); never a truncated FILE", 4 },

	{ NULL, 0, NULL, 0, "Live view:", 5 },
	{ "tui", 't', NULL, 0, "Interactive view (with -p, or -- COMMAND to start one)", 5 },
	{ "interval", OPT_INTERVAL, "SECONDS", 0, "Refresh interval of the live view (default 1; 0.05 to 86400)", 5 },
	{ "command-log", OPT_COMMAND_LOG, "FILE", 0, "Append the output of the --tui command to FILE (default: /dev/null)", 5 },

	{ NULL, 0, NULL, 0, "Fork tracing:", 5 },
	{ "trace-fork", OPT_TRACE_FORK, NULL, 0, "Run -- COMMAND (or attach to -p PID) under ptrace and read "
	  "its processes at each fork (before and after), exec and exit; one block (--json: one line) "
	  "per event; the exit status is the command's.  With --tui: the live view with "
	  "a timeline of the events (key e) and a step mode that holds the processes at each fork "
	  "(f, then c to continue)", 5 },
	{ "trace-threads", OPT_TRACE_THREADS, NULL, 0, "With --trace-fork: thread creation makes events too", 5 },
	{ "syscall-stops", OPT_SYSCALL_STOPS, NULL, 0, "With --trace-fork: find each fork's entry by "
	  "stopping at every system call instead of a seccomp filter (slower; with -p every fork, not "
	  "only the first, gets its reading before the fork)", 5 },

	{ NULL, 0, NULL, 0, "Data source:", 6 },
	{ "sysroot", OPT_SYSROOT, "DIR", 0, "Read /proc files below DIR (captured trees)", 6 },
	{ "kernel", OPT_KERNEL, "VERSION", 0, "Decode flags as kernel VERSION does (default: the running or sysroot kernel)", 6 },
	{ "threads", OPT_THREADS, "N", 0, "Threads for the page walk (default: automatic; 1 with --watch and --tui without --trace-fork)", 6 },
	{ "scan", OPT_SCAN, "auto|always|never", 0, "Use the PAGEMAP_SCAN ioctl to skip holes", 6 },
	{ "per-page", OPT_PER_PAGE, NULL, 0, "Read every page on its own: no per-folio reads of "
	  "huge pages, kpagecount also where pagemap answers (slower, same result)", 6 },

	{ NULL, 0, NULL, 0, "Every process (smem-like table, Prometheus metrics):", 7 },
	{ "all", OPT_ALL, NULL, 0, "One row per user process: the report's counters, smaps_rss, USS, PSS and the page "
	  "states (kernel threads are skipped, processes that exit meanwhile are counted)", 7 },
	{ "group-by", OPT_GROUP_BY, "KEY", 0, "With --all: sum the rows by comm, user, cgroup or unit "
	  "(systemd unit from the cgroup path)", 7 },
	{ "top", OPT_TOP, "N", 0, "With --all: only the first N rows or groups (after --sort); the rest "
	  "is summed into one 'other' row", 7 },
	{ "prometheus", OPT_PROMETHEUS, NULL, 0, "With --all: write Prometheus metrics (text exposition "
	  "format, per --group-by group, comm by default) for node_exporter's textfile collector", 7 },
	{ "max-seconds", OPT_MAX_SECONDS, "SECONDS", 0, "With --all: stop reading processes after SECONDS; "
	  "the rest is reported as skipped (exit status 3)", 7 },

	{ NULL, 0, NULL, 0, "Snapshots:", 8 },
	{ "save", OPT_SAVE, "FILE", 0, "With -p (and --children, --freeze) or --all: capture the processes' "
	  "pages into the snapshot FILE (written to a temporary file, renamed when complete); with "
	  "--trace-fork: a capture at each stop", 8 },
	{ "append", OPT_APPEND, NULL, 0, "With --save: add the capture to the captures already in FILE "
	  "(FILE@N names the Nth)", 8 },
	{ "page-cgroups", OPT_PAGE_CGROUPS, NULL, 0, "With --save: also record the memory cgroup of every "
	  "page (kpagecgroup), which -c and -C need on the snapshot; the capture takes longer", 8 },
	{ "load", OPT_LOAD, "FILE[@N]", 0, "Read a snapshot (capture N of FILE) instead of /proc: every report, "
	  "flags table and listing works on it, without root", 8 },
	{ "diff", OPT_DIFF, "OLD", 0, "Compare snapshot OLD with snapshot NEW (the next argument) or with the "
	  "live processes of -p: page state transitions per process and VMA", 8 },

	{ NULL, 'h', NULL, OPTION_HIDDEN, "Give this help list (same as --help)", -1 },
	{ NULL, 0, NULL, 0, NULL, 0 }
};

#define GROW(arr, n, cap) do { \
	if ((n) == (cap)) { \
		(cap) = (cap) ? 2 * (cap) : 8; \
		(arr) = pa_xrealloc((arr), (cap), sizeof(*(arr))); \
	} \
} while (0)

static int parse_seconds(const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v > 0) || v > 86400)
		return -1;
	*out = v;
	return 0;
}

/* -w/--watch, --interval and --max-seconds: the same ceiling and a
 * message that names the bounds.  The floor of the intervals keeps a tiny
 * one from turning into a busy loop; a budget only has to be above 0. */
#define INTERVAL_MIN	0.05
#define INTERVAL_MAX	86400.0

static void parse_interval(struct argp_state *state, const char *opt, const char *arg, double *out)
{
	if (parse_seconds(arg, out) < 0 || *out < INTERVAL_MIN || *out > INTERVAL_MAX)
		argp_error(state, "invalid %s '%s': expected an interval from %g to %g seconds", opt,
			   arg, INTERVAL_MIN, INTERVAL_MAX);
}

static void parse_budget(struct argp_state *state, const char *opt, const char *arg, double *out)
{
	if (parse_seconds(arg, out) < 0)
		argp_error(state, "invalid %s '%s': expected a time above 0 and up to %g seconds", opt,
			   arg, INTERVAL_MAX);
}

/* The name of a file to read or write: not empty. */
static const char *file_arg(struct argp_state *state, const char *opt, const char *arg)
{
	if (!*arg)
		argp_error(state, "empty %s file name", opt);
	return arg;
}

/* A whole number from min to max. */
static uint64_t count_arg(struct argp_state *state, const char *opt, const char *arg, uint64_t min,
			  uint64_t max)
{
	uint64_t n;

	if (pa_parse_u64(arg, &n) < 0 || n < min || n > max)
		argp_error(state, "invalid %s '%s': expected a number from %llu to %llu", opt, arg,
			   (unsigned long long)min, (unsigned long long)max);
	return n;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct pa_options *o = state->input;
	char err[256];

	switch (key) {
	case 'p': {
		char *copy = pa_xstrdup(arg), *rest = copy, *tok;

		/* strsep, not strtok: "1,,2" and "1," are errors, not "1,2" */
		while ((tok = strsep(&rest, ","))) {
			pid_t pid;

			if (pa_parse_pid(tok, &pid) < 0) {
				char bad[32];

				snprintf(bad, sizeof(bad), "%s", tok);
				free(copy);
				argp_error(state, "invalid PID '%s': expected a positive number", bad);
			}
			GROW(o->pids, o->npids, o->pids_cap);
			o->pids[o->npids++] = pid;
		}
		free(copy);
		if (!o->npids)
			argp_error(state, "invalid PID list '%s'", arg);
		break;
	}
	case 'a':
		GROW(o->ranges, o->nranges, o->ranges_cap);
		if (pa_parse_addr_spec(arg, &o->ranges[o->nranges], err, sizeof(err)) < 0)
			argp_error(state, "invalid -a/--addr: %s", err);
		o->nranges++;
		break;
	case 'b':
		GROW(o->bits_specs, o->nbits_specs, o->bits_specs_cap);
		o->bits_specs[o->nbits_specs++] = arg;
		break;
	case 'c':
		if (!*arg)
			argp_error(state, "empty cgroup argument");
		o->cgroup_arg = arg;
		break;
	case 'f':
		o->file = arg;
		break;
	case 'F':
		o->kpageflags_file = arg;
		break;
	case 'r':
		o->raw = true;
		break;
	case 'd':
		o->describe = arg;
		break;
	case 'l':
		o->list = 1;
		break;
	case 'L':
		o->list = 2;
		break;
	case 'C':
		o->list_cgroup = true;
		break;
	case 'M':
		o->list_mapcnt = true;
		break;
	case 'N':
		o->no_summary = true;
		break;
	case 'i':
		o->mark_idle = true;
		break;
	case OPT_FLAGS:
		o->mode = PA_MODE_FLAGS;
		break;
	case OPT_REPORT:
		o->mode = PA_MODE_REPORT;
		break;
	case OPT_EXTENDED:
		o->extended = true;
		break;
	case OPT_CHILDREN:
		o->children = true;
		break;
	case OPT_BYTES:
		o->bytes = true;
		break;
	case OPT_ALL_VMAS:
		o->all_vmas = true;
		break;
	case OPT_SORT:
		o->sort = arg;
		break;
	case 'o':
		o->columns = arg;
		break;
	case 'w':
		parse_interval(state, "--watch", arg, &o->watch);
		break;
	case OPT_FREEZE:
		o->freeze = true;
		break;
	case OPT_OUTPUT_FILE:
		o->output_file = file_arg(state, "--output-file", arg);
		break;
	case OPT_JSON:
		if (!arg || !strcmp(arg, "compact") || !strcmp(arg, "short"))
			o->json = PA_JSON_COMPACT;
		else if (!strcmp(arg, "pretty"))
			o->json = PA_JSON_PRETTY;
		else
			argp_error(state, "invalid --json value '%s': expected 'pretty' or 'compact'", arg);
		break;
	case OPT_COLOR:
		if (!arg || !strcmp(arg, "always"))
			o->color = PA_COLOR_ALWAYS;
		else if (!strcmp(arg, "auto"))
			o->color = PA_COLOR_AUTO;
		else if (!strcmp(arg, "never"))
			o->color = PA_COLOR_NEVER;
		else
			argp_error(state, "invalid --color value '%s': expected auto, always or never", arg);
		break;
	case 'v':
		o->verbose = true;
		break;
	case 't':
		o->tui = true;
		break;
	case OPT_INTERVAL:
		parse_interval(state, "--interval", arg, &o->interval);
		break;
	case OPT_SYSROOT:
		o->sysroot = arg;
		break;
	case OPT_KERNEL: {
		struct pa_kver v;

		if (pa_kver_parse(arg, &v) < 0)
			argp_error(state, "invalid kernel version '%s': expected e.g. 6.12 or 6.18.3", arg);
		o->kernel = arg;
		break;
	}
	case OPT_THREADS:
		o->threads = (int)count_arg(state, "--threads", arg, 1, 64);
		break;
	case OPT_PER_PAGE:
		o->per_page = true;
		break;
	case OPT_SCAN:
		if (!strcmp(arg, "auto"))
			o->scan = PA_SCAN_AUTO;
		else if (!strcmp(arg, "always"))
			o->scan = PA_SCAN_ALWAYS;
		else if (!strcmp(arg, "never"))
			o->scan = PA_SCAN_NEVER;
		else
			argp_error(state, "invalid --scan '%s': expected auto, always or never", arg);
		break;
	case OPT_SAVE:
		o->save = file_arg(state, "--save", arg);
		break;
	case OPT_APPEND:
		o->append = true;
		break;
	case OPT_PAGE_CGROUPS:
		o->page_cgroups = true;
		break;
	case OPT_LOAD:
		o->load = file_arg(state, "--load", arg);
		break;
	case OPT_DIFF:
		o->diff_old = file_arg(state, "--diff", arg);
		break;
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARGS:
		o->command = state->argv + state->next;
		break;
	case ARGP_KEY_ARG:
		/* After "--" (state->quoted is the argv index that follows
		 * it) the rest is the command: ARGP_KEY_ARGS takes it. */
		if (state->quoted && state->next - 1 >= state->quoted)
			return ARGP_ERR_UNKNOWN;
		if (o->diff_old && !o->diff_new) {	/* --diff OLD NEW */
			o->diff_new = arg;
			break;
		}
		argp_error(state, "unexpected argument '%s' (a command to start goes after '--')", arg);
		break;
	case OPT_ALL:
		o->all = true;
		break;
	case OPT_GROUP_BY:
		if (!strcmp(arg, "comm") || !strcmp(arg, "command"))
			o->group_by = PA_GROUP_COMM;
		else if (!strcmp(arg, "user"))
			o->group_by = PA_GROUP_USER;
		else if (!strcmp(arg, "cgroup"))
			o->group_by = PA_GROUP_CGROUP;
		else if (!strcmp(arg, "unit"))
			o->group_by = PA_GROUP_UNIT;
		else
			argp_error(state, "invalid --group-by '%s': expected comm, user, cgroup or unit", arg);
		break;
	case OPT_TOP:
		o->top = (size_t)count_arg(state, "--top", arg, 1, 1000000);
		break;
	case OPT_PROMETHEUS:
		o->prometheus = true;
		break;
	case OPT_MAX_SECONDS:
		parse_budget(state, "--max-seconds", arg, &o->max_seconds);
		break;
	case OPT_TRACE_FORK:
		o->trace_fork = true;
		break;
	case OPT_TRACE_THREADS:
		o->trace_threads = true;
		break;
	case OPT_SYSCALL_STOPS:
		o->syscall_stops = true;
		break;
	case OPT_CHECK:
		o->check = true;
		break;
	case OPT_COMMAND_LOG:
		o->command_log = file_arg(state, "--command-log", arg);
		break;
	case ARGP_KEY_END:
		if (o->command && !o->tui && !o->trace_fork)
			argp_error(state, "a command to start is only used with --tui or --trace-fork");
		if (o->trace_threads && !o->trace_fork)
			argp_error(state, "--trace-threads needs --trace-fork");
		if (o->syscall_stops && !o->trace_fork)
			argp_error(state, "--syscall-stops needs --trace-fork");
		if (o->trace_fork && !o->command && o->npids != 1)
			argp_error(state, "--trace-fork needs -- COMMAND [ARG...] or one -p PID");
		if (o->trace_fork && o->command && o->npids)
			argp_error(state, "--trace-fork takes -- COMMAND or -p PID, not both");
		if (o->trace_fork && (o->watch > 0 || o->file || o->list || o->mode == PA_MODE_FLAGS ||
				      o->children || o->freeze || o->sysroot || o->nbits_specs ||
				      o->cgroup_arg || o->output_file || o->nranges || o->describe ||
				      o->all || o->load || o->diff_old || o->kpageflags_file))
			argp_error(state, "--trace-fork cannot be combined with --watch, -f, -l/-L, --flags, "
				   "--children, --freeze, --sysroot, -b, -c, -a, -d, -F, --all, --load, "
				   "--diff or --output-file");
		if (o->tui && !o->npids && !o->command && !o->load)
			argp_error(state, "--tui needs -p PID or -- COMMAND");
		if (o->tui && o->json)
			argp_error(state, "--tui and --json cannot be combined");
		if (o->file && o->npids)
			argp_error(state, "-f and -p cannot be combined");
		if (o->file && o->sysroot)
			argp_error(state, "-f walks the live page cache: it cannot be combined with --sysroot");
		if (o->mark_idle && o->sysroot)
			argp_error(state, "-i writes the live page_idle/bitmap: it cannot be combined with --sysroot");
		if (o->watch > 0 && (o->list || o->file || o->tui))
			argp_error(state, "--watch works with the report and flags table, not with -l/-L, -f or --tui");
		if (o->output_file && o->tui)
			argp_error(state, "--output-file cannot be used with --tui");
		/* --load without -p: every process of the capture */
		if (o->check && !o->npids && !o->all && !o->load)
			argp_error(state, "--check needs -p PID, --all or --load FILE");
		if (o->check && o->all && (o->group_by || o->top || o->prometheus || o->max_seconds > 0))
			argp_error(state, "--check --all cannot be combined with --group-by, --top, "
				   "--prometheus or --max-seconds");
		if (o->check && (o->tui || o->watch > 0 || o->list || o->file || o->describe ||
				 o->mode == PA_MODE_FLAGS || o->mode == PA_MODE_REPORT))
			argp_error(state, "--check cannot be combined with --tui, --watch, --flags, --report, "
				   "-l/-L, -f or -d");
		if (o->freeze && !o->npids && !o->tui)
			argp_error(state, "--freeze needs -p PID (or --tui)");
		if (!o->all && (o->group_by || o->top || o->prometheus || o->max_seconds > 0))
			argp_error(state, "--group-by, --top, --prometheus and --max-seconds work with --all");
		if (o->all && (o->npids || o->file || o->nranges || o->nbits_specs || o->cgroup_arg ||
			       o->tui || o->watch > 0 || o->freeze || o->list || o->mode ||
			       o->describe || o->raw || o->no_summary || o->list_cgroup ||
			       o->list_mapcnt || o->mark_idle || o->kpageflags_file))
			argp_error(state, "--all reads every process: it cannot be combined with -p, -f, -a, "
				   "-b, -c, -d, -l, -L, -r, -N, -C, -M, -i, -F, --flags, --report, --tui, "
				   "--watch or --freeze");
		if (o->prometheus && o->json)
			argp_error(state, "--prometheus and --json cannot be combined");
		if ((o->save != NULL) + (o->load != NULL) + (o->diff_old != NULL) > 1)
			argp_error(state, "--save, --load and --diff cannot be combined");
		if (o->append && !o->save)
			argp_error(state, "--append is used with --save");
		if (o->page_cgroups && !o->save)
			argp_error(state, "--page-cgroups is used with --save");
		if (o->save && !o->npids && !o->trace_fork && !o->all)
			argp_error(state, "--save needs -p PID, --all or --trace-fork");
		if (o->save && (o->tui || o->watch > 0 || (o->json && !o->trace_fork) || o->list || o->file || o->mark_idle ||
				o->output_file || o->mode || o->nbits_specs || o->cgroup_arg || o->nranges ||
				o->raw || o->describe))
			argp_error(state, "--save records whole processes: it takes only -p, --children, "
				   "--freeze and the data source options");
		if ((o->save || o->load || o->diff_old) && (o->sysroot || o->kpageflags_file))
			argp_error(state, "--save, --load and --diff cannot be combined with --sysroot or -F");
		if ((o->load || (o->diff_old && o->diff_new)) &&
		    (o->file || o->mark_idle || o->kernel || o->freeze || o->watch > 0 || o->command))
			argp_error(state, "a snapshot cannot be used with -f, -i, --kernel, --freeze, "
				   "--watch or a command");
		if (o->diff_old && !o->diff_new && !o->npids)
			argp_error(state, "--diff OLD needs NEW (a second snapshot) or -p PID (the live "
				   "processes)");
		if (o->diff_old && o->diff_new && o->npids)
			argp_error(state, "--diff OLD NEW compares two snapshots: -p cannot be added");
		if (o->diff_old && (o->tui || o->list || o->file || o->mark_idle || o->mode ||
				    o->watch > 0 || o->describe))
			argp_error(state, "--diff prints its own tables (text or --json)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = { options, parse_opt, args_doc, doc, NULL, NULL, NULL };

int main(int argc, char **argv)
{
	struct pa_options o = { .interval = 1.0 };
	int rc;

	/* Before anything else (argp reads the environment): with file
	 * capabilities, keep them in the permitted set only (caps.c). */
	pa_privs_init();
	pa_close_stdout_atexit();
	argp_err_exit_status = PA_EXIT_USAGE;
	/* getopt names the program by argv[0] in its messages: say
	 * "page-anon", as every other message does. */
	if (argc > 0)
		argv[0] = (char *)pa_progname;
	if (argp_parse(&argp, argc, argv, 0, NULL, &o))
		return PA_EXIT_USAGE;
	rc = pa_run(&o);
	if (o.json && rc == PA_EXIT_ERROR && !pa_json_printed)
		pa_json_error(stdout, &o);
	pa_options_free(&o);
	return rc;
}
