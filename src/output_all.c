// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --all outputs: the process (or group) table and its JSON form.  Both
 * read struct pa_report (r->procs, r->all) only.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "page-anon.h"
#include "fleet.h"
#include "json_out.h"
#include "procs.h"

static void size_str(const struct pa_options *o, uint64_t bytes, char *buf, size_t len)
{
	if (o->bytes)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		pa_human_size(bytes, buf, len);
}

/* Width of a column: at least its header; the last text column is not
 * padded. */
static int col_width(int c, bool last)
{
	const struct pa_field *f = &pa_fields[c];
	int w = (int)strlen(f->header), min;

	if (f->fmt == PA_FMT_TEXT) {
		if (last)
			return 0;
		min = c == PA_F_COMMAND ? 16 : c == PA_F_USER ? 10 : 24;
	} else {
		min = f->kind == PA_FIELD_PROC ? 7 : 8;
	}
	return w > min ? w : min;
}

/*
 * One line of the table: the header (row NULL), a process or group row,
 * or a sum (label: "TOTAL", "(other)") in the process table, whose label
 * goes in the first text column (else PID's) and which has no PID.  key: the group's
 * name, in front (grouped tables).
 */
static void print_line(FILE *out, const struct pa_report *r, const struct pa_options *o,
		       const int *cols, size_t ncols, const struct pa_all_row *row, const char *key,
		       const char *label)
{
	size_t at = ncols;	/* the label's column: the first text one, else PID's */

	for (size_t i = 0; label && i < ncols && at == ncols; i++)
		if (pa_fields[cols[i]].fmt == PA_FMT_TEXT)
			at = i;
	for (size_t i = 0; label && i < ncols && at == ncols; i++)
		if (pa_fields[cols[i]].flags & PA_FIELD_PER_PROC)
			at = i;
	if (key)
		fprintf(out, "%-24s ", key);
	for (size_t i = 0; i < ncols; i++) {
		int c = cols[i], w = col_width(c, i + 1 == ncols);
		const struct pa_field *f = &pa_fields[c];
		char buf[64];
		const char *s = buf;

		if (!row) {
			s = f->header;
		} else if (label && (f->flags & PA_FIELD_PER_PROC)) {
			s = i == at ? label : "";
		} else if (f->fmt == PA_FMT_TEXT) {
			s = pa_all_string(row, c);
		} else if (f->kind == PA_FIELD_PROC) {
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)pa_all_raw(row, c));
		} else {
			size_str(o, pa_all_value(r, row, c), buf, sizeof(buf));
		}
		fprintf(out, "%s%*s", i ? " " : "", f->flags & PA_FIELD_LEFT ? -w : w, s);
	}
	fputc('\n', out);
}

/* The totals and the rest beyond --top are printed as groups. */
static void print_sum(FILE *out, const struct pa_report *r, const struct pa_options *o,
		      const int *cols, size_t ncols, const char *label, const struct pa_group *g,
		      bool grouped)
{
	struct pa_all_row row = { .g = g };

	print_line(out, r, o, cols, ncols, &row, grouped ? label : NULL, grouped ? NULL : label);
}

void pa_print_all(FILE *out, const struct pa_report *r, const struct pa_options *o)
{
	const struct pa_all_report *a = r->all;
	bool grouped = a->group_by != PA_GROUP_NONE;
	int cols[PA_F__N * 2];
	size_t ncols;
	char err[128], key[32];
	struct pa_group total = { .nprocs = a->nread, .c = a->totals };

	if (pa_all_cols_parse(o->columns, grouped, cols, PA_ARRAY_SIZE(cols), &ncols, err,
			      sizeof(err)) < 0)
		ncols = 0;	/* checked before the scan */
	snprintf(key, sizeof(key), "%s", pa_group_label(a));
	for (char *k = key; *k; k++)
		*k = (char)(*k >= 'a' && *k <= 'z' ? *k - 'a' + 'A' : *k);
	print_line(out, r, o, cols, ncols, NULL, grouped ? key : NULL, NULL);
	if (grouped) {
		for (size_t i = 0; i < a->ngroups; i++) {
			struct pa_all_row row = { .g = &a->groups[i] };

			print_line(out, r, o, cols, ncols, &row, a->groups[i].key, NULL);
		}
	} else {
		for (size_t i = 0; i < r->nprocs; i++) {
			struct pa_all_row row = { .p = &r->procs[i] };

			print_line(out, r, o, cols, ncols, &row, NULL, NULL);
		}
	}
	if (a->other.nprocs)
		print_sum(out, r, o, cols, ncols, "(other)", &a->other, grouped);
	print_sum(out, r, o, cols, ncols, "TOTAL", &total, grouped);
	fprintf(out, "%zu processes read; skipped: %zu kernel threads, %zu exited, "
		"%zu unreadable%s\n", a->nread, a->skipped[PA_SKIP_KTHREAD],
		a->skipped[PA_SKIP_EXITED], a->skipped[PA_SKIP_UNREADABLE],
		a->truncated ? "; stopped by --max-seconds" : "");
	if (a->truncated)
		fprintf(out, "%zu processes not read (--max-seconds)\n", a->skipped[PA_SKIP_BUDGET]);
}

/* ------------------------------------------------------------------ */


/* Every counter of --all in bytes (the field table): the page states in
 * "state_bytes" by their names, the others as "<metric>_bytes". */
static void add_sizes(cJSON *o, const struct pa_report *r, const struct pa_counts *c)
{
	cJSON *st = cJSON_CreateObject();
	char key[64];

	for (int i = 0; i < PA_F__N; i++) {
		uint64_t b;

		if (!pa_field_is_all(i) || pa_fields[i].kind != PA_FIELD_PAGES)
			continue;
		b = pa_field_bytes(i, pa_field_count(c, i), r->page_size);
		if (pa_field_state(i) >= 0) {
			pa_json_add_u64(st, pa_fields[i].json, b);
			continue;
		}
		snprintf(key, sizeof(key), "%s_bytes", pa_field_metric(i));
		pa_json_add_u64(o, key, b);
	}
	cJSON_AddItemToObject(o, "state_bytes", st);
}

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *group_json(const struct pa_report *r, const struct pa_group *g)
{
	cJSON *o = cJSON_CreateObject();

	if (g->key)
		cJSON_AddStringToObject(o, "key", g->key);
	pa_json_add_u64(o, "processes", g->nprocs);
	add_sizes(o, r, &g->c);
	return o;
}

int pa_json_all(FILE *out, const struct pa_report *r, const struct pa_options *o)
{
	const struct pa_all_report *a = r->all;
	cJSON *root = cJSON_CreateObject(), *procs, *scan, *skipped, *groups;
	struct pa_group total = { .nprocs = a->nread, .c = a->totals };

	pa_json_add_u64(root, "schema_version", PA_SCHEMA_VERSION);
	cJSON_AddStringToObject(root, "type", "processes");
	cJSON_AddStringToObject(root, "kernel", r->kernel);
	pa_json_add_u64(root, "page_size", (uint64_t)r->page_size);
	cJSON_AddNumberToObject(root, "timestamp", r->timestamp);
	cJSON_AddBoolToObject(root, "partial", r->partial);
	scan = cJSON_AddObjectToObject(root, "scan");
	cJSON_AddNumberToObject(scan, "duration_seconds", a->duration);
	cJSON_AddBoolToObject(scan, "truncated", a->truncated);
	pa_json_add_u64(scan, "processes_read", a->nread);
	skipped = cJSON_AddObjectToObject(scan, "processes_skipped");
	for (int k = 0; k < PA_SKIP__N; k++)
		pa_json_add_u64(skipped, pa_skip_name((enum pa_skip)k), a->skipped[k]);
	pa_json_add_u64(scan, "pfns_read", a->pfns_read);
	pa_json_add_u64(scan, "pfn_cache_lookups", a->cache_lookups);
	pa_json_add_u64(scan, "pfn_cache_hits", a->cache_hits);
	procs = cJSON_AddArrayToObject(root, "processes");
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct pa_proc_report *p = &r->procs[i];
		const struct pa_procinfo *in = p->info;
		cJSON *po = cJSON_CreateObject();

		pa_json_add_u64(po, "pid", (uint64_t)p->pid);
		pa_json_add_u64(po, "ppid", (uint64_t)p->ppid);
		cJSON_AddStringToObject(po, "command", p->comm);
		if (in && in->uid_known)
			pa_json_add_u64(po, "uid", in->uid);
		else
			cJSON_AddNullToObject(po, "uid");
		add_str_or_null(po, "user", in ? in->user : NULL);
		add_str_or_null(po, "cgroup", in ? in->cgroup : NULL);
		add_str_or_null(po, "unit", in ? in->unit : NULL);
		cJSON_AddBoolToObject(po, "partial", p->partial);
		add_sizes(po, r, &p->totals);
		cJSON_AddItemToArray(procs, po);
	}
	if (pa_group_by_name(a->group_by))
		cJSON_AddStringToObject(root, "group_by", pa_group_by_name(a->group_by));
	else
		cJSON_AddNullToObject(root, "group_by");
	groups = cJSON_AddArrayToObject(root, "groups");
	for (size_t i = 0; i < a->ngroups; i++)
		cJSON_AddItemToArray(groups, group_json(r, &a->groups[i]));
	cJSON_AddItemToObject(root, "other", group_json(r, &a->other));
	cJSON_AddItemToObject(root, "totals", group_json(r, &total));
	return pa_json_emit(out, root, o);
}
