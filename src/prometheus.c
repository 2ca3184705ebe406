// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --prometheus: the Prometheus text exposition format (version 0.0.4) of
 * an --all report, for node_exporter's textfile collector or any scraper
 * that reads files.  Conventions: one "page_anon_" prefix, base units
 * (_bytes, _seconds), "# HELP" and "# TYPE" before every family, all
 * samples of a family together, no timestamps (the textfile collector
 * refuses files with them), and no PID or address labels: series are per
 * group (command name by default, or --group-by), at most --top of them
 * plus one "other" group holding the rest.
 */
#include "config.h"

#include "page-anon.h"
#include "fleet.h"

/* Label values escape backslash, double quote and newline. */
static void put_label(FILE *out, const char *name, const char *v)
{
	fprintf(out, "%s=\"", name);
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", out);
		else if (*v == '"')
			fputs("\\\"", out);
		else if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
	fputc('"', out);
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample_u64(FILE *out, const char *name, const char *label, const char *value,
		       const char *state, uint64_t v)
{
	fputs(name, out);
	if (label || state) {
		fputc('{', out);
		if (label)
			put_label(out, label, value);
		if (label && state)
			fputc(',', out);
		if (state)
			put_label(out, "state", state);
		fputc('}', out);
	}
	fprintf(out, " %llu\n", (unsigned long long)v);
}

/* Every group, then "other" when --top left some out. */
static void per_group(FILE *out, const struct pa_report *r, const char *name,
		      uint64_t (*get)(const struct pa_report *, const struct pa_group *, int), int arg,
		      const char *state)
{
	const struct pa_all_report *a = r->all;
	const char *label = pa_group_label(a);

	for (size_t i = 0; i < a->ngroups; i++)
		sample_u64(out, name, label, a->groups[i].key, state, get(r, &a->groups[i], arg));
	if (a->other.nprocs)
		sample_u64(out, name, label, "other", state, get(r, &a->other, arg));
}

static uint64_t get_state(const struct pa_report *r, const struct pa_group *g, int st)
{
	return g->c.state[st] * (uint64_t)r->page_size;
}

static uint64_t get_col(const struct pa_report *r, const struct pa_group *g, int col)
{
	struct pa_all_row row = { .g = g };

	return pa_all_value(r, &row, col);
}

static uint64_t get_procs(const struct pa_report *r, const struct pa_group *g, int unused)
{
	(void)r;
	(void)unused;
	return g->nprocs;
}

int pa_prometheus_write(FILE *out, const struct pa_report *r, const struct pa_options *o)
{
	const struct pa_all_report *a = r->all;
	struct pa_group total = { .nprocs = a->nread, .c = a->totals };
	static const struct {
		int col;
		const char *name, *help;
	} sizes[] = {
		{ PA_AC_RSS, "rss_bytes", "Resident memory (as smaps counts it: zero pages excluded)" },
		{ PA_AC_USS, "uss_bytes", "Resident memory mapped only once (kpagecount 1)" },
		{ PA_AC_PSS, "pss_bytes", "Proportional set size: each resident page divided by its kpagecount" },
	};
	char name[128], help[256];

	(void)o;
	family(out, "page_anon_build_info", "gauge",
	       "page-anon version and the kernel release it read; always 1");
	fputs("page_anon_build_info{", out);
	put_label(out, "version", PACKAGE_VERSION);
	fputc(',', out);
	put_label(out, "kernel", r->kernel);
	fputs("} 1\n", out);

	family(out, "page_anon_scan_duration_seconds", "gauge", "Time the last scan of every process took");
	fprintf(out, "page_anon_scan_duration_seconds %.6f\n", a->duration);
	family(out, "page_anon_scan_truncated", "gauge",
	       "1 when --max-seconds stopped the last scan before every process was read");
	fprintf(out, "page_anon_scan_truncated %d\n", a->truncated ? 1 : 0);
	family(out, "page_anon_scan_pfns_read", "gauge",
	       "kpageflags/kpagecount words read by the last scan (pages shared by several processes are read once)");
	fprintf(out, "page_anon_scan_pfns_read %llu\n", (unsigned long long)a->pfns_read);
	family(out, "page_anon_processes_read", "gauge", "Processes read by the last scan");
	fprintf(out, "page_anon_processes_read %zu\n", a->nread);
	family(out, "page_anon_processes_skipped", "gauge",
	       "Processes not read by the last scan, by reason (kernel_thread, exited, unreadable, budget)");
	for (int k = 0; k < PA_SKIP__N; k++) {
		fputs("page_anon_processes_skipped{", out);
		put_label(out, "reason", pa_skip_name((enum pa_skip)k));
		fprintf(out, "} %zu\n", a->skipped[k]);
	}

	snprintf(help, sizeof(help), "Processes per %s (the rest beyond --top in %s=\"other\")",
		 pa_group_label(a), pa_group_label(a));
	family(out, "page_anon_group_processes", "gauge", help);
	per_group(out, r, "page_anon_group_processes", get_procs, 0, NULL);
	snprintf(help, sizeof(help), "Bytes of the pages of each %s's processes, by page state",
		 pa_group_label(a));
	family(out, "page_anon_state_bytes", "gauge", help);
	for (int st = 0; st < PA_ST__N; st++)
		per_group(out, r, "page_anon_state_bytes", get_state, st, pa_state_name((enum pa_state)st));
	for (size_t i = 0; i < PA_ARRAY_SIZE(sizes); i++) {
		snprintf(name, sizeof(name), "page_anon_%s", sizes[i].name);
		snprintf(help, sizeof(help), "%s, per %s", sizes[i].help, pa_group_label(a));
		family(out, name, "gauge", help);
		per_group(out, r, name, get_col, sizes[i].col, NULL);
	}

	family(out, "page_anon_total_state_bytes", "gauge",
	       "Bytes of the pages of every process read, by page state");
	for (int st = 0; st < PA_ST__N; st++)
		sample_u64(out, "page_anon_total_state_bytes", NULL, NULL,
			   pa_state_name((enum pa_state)st), get_state(r, &total, st));
	for (size_t i = 0; i < PA_ARRAY_SIZE(sizes); i++) {
		snprintf(name, sizeof(name), "page_anon_total_%s", sizes[i].name);
		snprintf(help, sizeof(help), "%s, of every process read", sizes[i].help);
		family(out, name, "gauge", help);
		sample_u64(out, name, NULL, NULL, NULL, get_col(r, &total, sizes[i].col));
	}
	return 0;
}
