// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every counter of the field table reaches every output that its flags
 * promise: the text report (-o), the JSON report, the --all table (-o),
 * --all's JSON and the Prometheus families.  A report is made up with a
 * different value in each counter; each output is rendered to memory and
 * read back.  A counter added to pa_fields[] that an output forgets makes
 * this test fail.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "page-anon.h"
#include "fleet.h"

#define PS 4096

/* A distinct value for each counter: pages (PSS: pages << frac_bits). */
static uint64_t value_of(int id)
{
	return (uint64_t)(id + 1) * 10 << pa_fields[id].frac_bits;
}

static uint64_t bytes_of(int id)
{
	return pa_field_bytes(id, value_of(id), PS);
}

static void fill(struct pa_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < PA_F__N; i++) {
		uint64_t v = value_of(i);

		if (pa_fields[i].kind == PA_FIELD_PAGES)
			memcpy((char *)c + pa_fields[i].offset, &v, sizeof(v));
	}
}

static void make_report(struct pa_report *r, enum pa_group_by g)
{
	struct pa_proc_report *p;

	pa_report_init(r);
	r->page_size = PS;
	snprintf(r->kernel, sizeof(r->kernel), "6.18.0-test");
	p = pa_report_add_proc(r, 42);
	snprintf(p->comm, sizeof(p->comm), "app");
	fill(&p->totals);
	p->vmas = calloc(1, sizeof(*p->vmas));
	p->nvmas = p->nvmas_total = 1;
	p->vmas[0].vma.start = 0x1000;
	p->vmas[0].vma.end = 0x1000 + 4096 * (uint64_t)PS;
	strcpy(p->vmas[0].vma.perms, "rw-p");
	p->vmas[0].vma.name = strdup("[heap]");
	fill(&p->vmas[0].c);
	r->all = calloc(1, sizeof(*r->all));
	r->all->group_by = g;
	r->all->nread = 1;
	fill(&r->all->totals);
	if (g != PA_GROUP_NONE) {
		r->all->groups = calloc(1, sizeof(*r->all->groups));
		r->all->ngroups = 1;
		r->all->groups[0].key = strdup("app");
		r->all->groups[0].nprocs = 1;
		fill(&r->all->groups[0].c);
	}
}

/* "a,b,c" of the names of the fields that keep(i) */
static char *names(bool (*keep)(int))
{
	static char buf[4096];

	buf[0] = 0;
	for (int i = 0; i < PA_F__N; i++)
		if (keep(i)) {
			if (*buf)
				strcat(buf, ",");
			strcat(buf, pa_fields[i].name);
		}
	return buf;
}

static bool report_col(int i)
{
	return !(pa_fields[i].flags & PA_FIELD_HIDDEN);
}

static bool all_col(int i)
{
	return pa_field_is_all(i);
}

/* Does a counter promise to be in the --all outputs?  Every counter but
 * the unknown reasons (a breakdown shown by the report) and those --all
 * does not compute. */
static bool counter_in_all(int i)
{
	return pa_fields[i].kind == PA_FIELD_PAGES &&
	       !(pa_fields[i].flags & (PA_FIELD_REASON | PA_FIELD_NOT_ALL));
}

/* Split the lines of a table: the header line (whose first word is
 * first) and the line after it, into words. */
static size_t words(char *line, char **w, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *t = strtok_r(line, " \n", &save); t && n < max;
	     t = strtok_r(NULL, " \n", &save))
		w[n++] = t;
	return n;
}

static void table(char *text, const char *first, char **head, size_t *nh, char **row, size_t *nr)
{
	char *l = text, *next = NULL;

	for (; l && *l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = 0;
		while (*l == ' ')
			l++;
		if (!strncmp(l, first, strlen(first)) && l[strlen(first)] == ' ')
			break;
	}
	assert_non_null(l);
	assert_non_null(next);
	*strchr(next, '\n') = 0;
	*nh = words(l, head, 128);
	*nr = words(next, row, 128);
}

static char *render_text(void (*fn)(FILE *, const struct pa_report *, const struct pa_options *),
			 const struct pa_report *r, const struct pa_options *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, r, o);
	fclose(f);
	return buf;
}

static void print_report(FILE *f, const struct pa_report *r, const struct pa_options *o)
{
	pa_print_report(f, r, o, NULL);
}

static void json_report(FILE *f, const struct pa_report *r, const struct pa_options *o)
{
	pa_json_report(f, r, o);
}

static void json_all(FILE *f, const struct pa_report *r, const struct pa_options *o)
{
	pa_json_all(f, r, o);
}

static void prometheus(FILE *f, const struct pa_report *r, const struct pa_options *o)
{
	pa_prometheus_write(f, r, o);
}

/* A table printed with -o naming every field that keep() takes, in the
 * table's order and with --bytes: each has its header and a counter its
 * value in the first row. */
static void check_table(const char *what, char *text, bool (*keep)(int))
{
	char *head[128], *row[128];
	size_t nh = 0, nr = 0, k = 0;

	for (int i = 0; i < PA_F__N; i++)
		if (keep(i)) {
			table(text, pa_fields[i].header, head, &nh, row, &nr);
			break;
		}
	assert_int_equal(nh, nr);
	for (int i = 0; i < PA_F__N; i++) {
		char want[32];

		if (!keep(i))
			continue;
		assert_true(k < nh);
		assert_string_equal(head[k], pa_fields[i].header);
		snprintf(want, sizeof(want), "%llu", (unsigned long long)bytes_of(i));
		if (i == PA_F_PID)
			snprintf(want, sizeof(want), "42");
		if (i == PA_F_COMMAND)
			snprintf(want, sizeof(want), "app");
		if ((pa_fields[i].kind == PA_FIELD_PAGES || i == PA_F_PID || i == PA_F_COMMAND) &&
		    strcmp(row[k], want))
			fail_msg("%s: column %s shows %s, not %s", what, pa_fields[i].name, row[k], want);
		k++;
	}
}

/* The text report: a column for every counter that is not hidden, with
 * its header and its value. */
static void test_report_text(void **state)
{
	struct pa_report r;
	struct pa_options o = { .bytes = true, .color = PA_COLOR_NEVER };
	char *text;

	(void)state;
	make_report(&r, PA_GROUP_NONE);
	o.columns = names(report_col);
	text = render_text(print_report, &r, &o);
	check_table("text report", text, report_col);
	free(text);
	pa_report_free(&r);
}

/* The JSON report: every counter with a JSON key in the totals and the
 * VMA's pages (the unknown reasons in their object), in pages. */
static void test_report_json(void **state)
{
	struct pa_report r;
	struct pa_options o = { .json = PA_JSON_COMPACT };
	char *text;
	cJSON *root, *p;

	(void)state;
	make_report(&r, PA_GROUP_NONE);
	text = render_text(json_report, &r, &o);
	root = cJSON_Parse(text);
	assert_non_null(root);
	p = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "processes"), 0);
	for (int i = 0; i < PA_F__N; i++) {
		const struct pa_field *f = &pa_fields[i];
		cJSON *objs[2] = { cJSON_GetObjectItem(p, "totals"),
				   cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "vmas"), 0),
						       "pages") };

		if (f->kind != PA_FIELD_PAGES)
			continue;
		/* only a hidden counter may lack a JSON key */
		if (!f->json) {
			assert_true(f->flags & PA_FIELD_HIDDEN);
			continue;
		}
		for (int j = 0; j < 2; j++) {
			cJSON *o2 = f->flags & PA_FIELD_REASON ?
				cJSON_GetObjectItem(objs[j], "unknown_reasons") : objs[j];
			cJSON *v = cJSON_GetObjectItem(o2, f->json);

			if (!cJSON_IsNumber(v))
				fail_msg("JSON report: no key %s for %s", f->json, f->name);
			assert_true(v->valuedouble == (double)value_of(i));
		}
	}
	cJSON_Delete(root);
	free(text);
	pa_report_free(&r);
}

/* --all's table: every --all column (and so every counter --all
 * computes), with its header and value. */
static void test_all_text(void **state)
{
	struct pa_report r;
	struct pa_options o = { .bytes = true };
	char *text;

	(void)state;
	for (int i = 0; i < PA_F__N; i++)
		if (counter_in_all(i) && !pa_field_is_all(i))
			fail_msg("counter %s is not a column of --all", pa_fields[i].name);
	make_report(&r, PA_GROUP_NONE);
	o.columns = names(all_col);
	text = render_text(pa_print_all, &r, &o);
	check_table("--all", text, all_col);
	free(text);
	pa_report_free(&r);
}

/* --all's JSON: every counter in bytes, the states in state_bytes. */
static void test_all_json(void **state)
{
	struct pa_report r;
	struct pa_options o = { .json = PA_JSON_COMPACT };
	char *text;
	cJSON *root, *rows[3];

	(void)state;
	make_report(&r, PA_GROUP_COMM);
	text = render_text(json_all, &r, &o);
	root = cJSON_Parse(text);
	assert_non_null(root);
	rows[0] = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "processes"), 0);
	rows[1] = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "groups"), 0);
	rows[2] = cJSON_GetObjectItem(root, "totals");
	for (int i = 0; i < PA_F__N; i++) {
		char key[64];

		if (!counter_in_all(i))
			continue;
		for (int j = 0; j < 3; j++) {
			cJSON *v;

			assert_non_null(rows[j]);
			if (pa_field_state(i) >= 0) {
				snprintf(key, sizeof(key), "state_bytes.%s", pa_fields[i].json);
				v = cJSON_GetObjectItem(cJSON_GetObjectItem(rows[j], "state_bytes"),
							pa_fields[i].json);
			} else {
				snprintf(key, sizeof(key), "%s_bytes", pa_field_metric(i));
				v = cJSON_GetObjectItem(rows[j], key);
			}
			if (!cJSON_IsNumber(v))
				fail_msg("--all JSON: no %s for %s", key, pa_fields[i].name);
			assert_true(v->valuedouble == (double)bytes_of(i));
		}
	}
	cJSON_Delete(root);
	free(text);
	pa_report_free(&r);
}

/* Prometheus: every counter per group and in the totals. */
static void test_prometheus(void **state)
{
	struct pa_report r;
	struct pa_options o = { .prometheus = true };
	char *text, want[256];

	(void)state;
	make_report(&r, PA_GROUP_COMM);
	text = render_text(prometheus, &r, &o);
	for (int i = 0; i < PA_F__N; i++) {
		unsigned long long b = (unsigned long long)bytes_of(i);

		if (!counter_in_all(i))
			continue;
		for (int total = 0; total < 2; total++) {
			if (pa_field_state(i) >= 0 && total)
				snprintf(want, sizeof(want), "\npage_anon_total_state_bytes{state=\"%s\"} %llu\n",
					 pa_fields[i].json, b);
			else if (pa_field_state(i) >= 0)
				snprintf(want, sizeof(want),
					 "\npage_anon_state_bytes{comm=\"app\",state=\"%s\"} %llu\n",
					 pa_fields[i].json, b);
			else if (total)
				snprintf(want, sizeof(want), "\npage_anon_total_%s_bytes %llu\n",
					 pa_field_metric(i), b);
			else
				snprintf(want, sizeof(want), "\npage_anon_%s_bytes{comm=\"app\"} %llu\n",
					 pa_field_metric(i), b);
			if (!strstr(text, want))
				fail_msg("Prometheus: no line%s", want);
		}
	}
	free(text);
	pa_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_text),
		cmocka_unit_test(test_report_json),
		cmocka_unit_test(test_all_text),
		cmocka_unit_test(test_all_json),
		cmocka_unit_test(test_prometheus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
