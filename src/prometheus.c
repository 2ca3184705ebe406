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

static uint64_t get_col(const struct pa_report *r, const struct pa_group *g, int col)
{
	struct pa_all_row row = { .g = g };

	return pa_all_value(r, &row, col);
}

/* Every group, then "other" when --top left some out: field col, with
 * the label state="..." for a page state. */
static void per_group(FILE *out, const struct pa_report *r, const char *name, int col,
		      const char *state)
{
	const struct pa_all_report *a = r->all;
	const char *label = pa_group_label(a);

	for (size_t i = 0; i < a->ngroups; i++)
		sample_u64(out, name, label, a->groups[i].key, state, get_col(r, &a->groups[i], col));
	if (a->other.nprocs)
		sample_u64(out, name, label, "other", state, get_col(r, &a->other, col));
}

/* A counter of the field table that is a family of its own (the page
 * states share page_anon_state_bytes). */
static bool own_family(int i)
{
	return pa_field_is_all(i) && pa_fields[i].kind == PA_FIELD_PAGES && pa_field_state(i) < 0;
}

int pa_prometheus_write(FILE *out, const struct pa_report *r, const struct pa_options *o)
{
	const struct pa_all_report *a = r->all;
	struct pa_group total = { .nprocs = a->nread, .c = a->totals };
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
	per_group(out, r, "page_anon_group_processes", PA_F_PROCS, NULL);
	snprintf(help, sizeof(help), "Bytes of the pages of each %s's processes, by page state",
		 pa_group_label(a));
	family(out, "page_anon_state_bytes", "gauge", help);
	for (int i = 0; i < PA_F__N; i++)
		if (pa_field_is_all(i) && pa_field_state(i) >= 0)
			per_group(out, r, "page_anon_state_bytes", i, pa_fields[i].json);
	for (int i = 0; i < PA_F__N; i++) {
		if (!own_family(i))
			continue;
		snprintf(name, sizeof(name), "page_anon_%s_bytes", pa_field_metric(i));
		snprintf(help, sizeof(help), "Bytes per %s of the pages page-anon -o %s counts: %s",
			 pa_group_label(a), pa_fields[i].name, pa_fields[i].help);
		family(out, name, "gauge", help);
		per_group(out, r, name, i, NULL);
	}

	family(out, "page_anon_total_state_bytes", "gauge",
	       "Bytes of the pages of every process read, by page state");
	for (int i = 0; i < PA_F__N; i++)
		if (pa_field_is_all(i) && pa_field_state(i) >= 0)
			sample_u64(out, "page_anon_total_state_bytes", NULL, NULL, pa_fields[i].json,
				   get_col(r, &total, i));
	for (int i = 0; i < PA_F__N; i++) {
		if (!own_family(i))
			continue;
		snprintf(name, sizeof(name), "page_anon_total_%s_bytes", pa_field_metric(i));
		snprintf(help, sizeof(help), "Bytes of every process read of the pages page-anon -o "
			 "%s counts: %s", pa_fields[i].name, pa_fields[i].help);
		family(out, name, "gauge", help);
		sample_u64(out, name, NULL, NULL, NULL, get_col(r, &total, i));
	}
	return 0;
}
