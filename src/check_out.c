// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --check output: text and JSON (tests/schema/check.schema.json), both
 * read from struct pa_report (r->check).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "json_out.h"

static const char *mapcount_words(const struct pa_kinfo *k)
{
	switch (k->mapcount) {
	case PA_MAPCOUNT_PAGE: return "exact per page";
	case PA_MAPCOUNT_AVERAGE: return "a per-folio average for large folios";
	default: return "not known to be exact for large folios";
	}
}

void pa_print_check(FILE *out, const struct pa_report *r)
{
	const struct pa_check_result *c = r->check;
	size_t nok = 0;

	if (!c)
		return;
	for (size_t i = 0; i < c->nprocs; i++)
		if (!c->procs[i].err)
			nok++;
	fprintf(out, "Kernel invariant check, kernel %s: kpagecount %s (%s)\n", r->kernel,
		mapcount_words(&r->kinfo), r->kinfo.mapcount_how);
	if (c->nfindings) {
		fprintf(out, "%-8s %-16s %-14s %-10s %-18s %-18s %5s  %s\n", "PID", "COMM", "ADDRESS",
			"PFN", "KPAGEFLAGS", "PAGEMAP", "COUNT", "RULE");
		for (size_t i = 0; i < c->nfindings; i++) {
			const struct pa_finding *f = &c->findings[i];

			fprintf(out, "%-8d %-16.16s 0x%-12llx 0x%-8llx 0x%016llx 0x%016llx %5llu  %s",
				(int)f->pid, f->comm, (unsigned long long)f->vaddr,
				(unsigned long long)f->pfn, (unsigned long long)f->kflags,
				(unsigned long long)f->pme, (unsigned long long)f->kcount,
				pa_check_rule_name(f->rule));
			if (f->rule == PA_CR_EXCL_TWO_PROCESSES)
				fprintf(out, " (also pid %d)", (int)f->other_pid);
			fputc('\n', out);
		}
		fputs("Rules broken:\n", out);
		for (int i = 0; i < PA_CR__N; i++)
			if (c->by_rule[i])
				fprintf(out, "  %-27s %llu  %s\n", pa_check_rule_name((enum pa_check_rule)i),
					(unsigned long long)c->by_rule[i],
					pa_check_rule_text((enum pa_check_rule)i));
	}
	fprintf(out, "%zu of %zu processes checked, %llu present pages: %zu finding%s, "
		"%llu candidate%s dismissed after re-reading%s\n", nok, c->nprocs,
		(unsigned long long)c->pages_checked, c->nfindings, c->nfindings == 1 ? "" : "s",
		(unsigned long long)c->dismissed, c->dismissed == 1 ? "" : "s",
		r->partial ? " (partial: see the messages above)" : "");
}


int pa_json_check(FILE *out, const struct pa_report *r, const struct pa_options *o)
{
	const struct pa_check_result *c = r->check;
	cJSON *root = cJSON_CreateObject(), *a, *rules;

	cJSON_AddNumberToObject(root, "schema_version", PA_SCHEMA_VERSION);
	cJSON_AddStringToObject(root, "type", "check");
	cJSON_AddStringToObject(root, "kernel", r->kernel);
	cJSON_AddNumberToObject(root, "page_size", (double)r->page_size);
	cJSON_AddItemToObject(root, "kernel_checks", pa_json_kinfo(&r->kinfo));
	cJSON_AddBoolToObject(root, "partial", r->partial);
	cJSON_AddNumberToObject(root, "pages_checked", c ? (double)c->pages_checked : 0);
	cJSON_AddNumberToObject(root, "dismissed", c ? (double)c->dismissed : 0);
	a = cJSON_AddArrayToObject(root, "processes");
	for (size_t i = 0; c && i < c->nprocs; i++) {
		const struct pa_check_proc *p = &c->procs[i];
		cJSON *po = cJSON_CreateObject();

		cJSON_AddNumberToObject(po, "pid", p->pid);
		if (p->comm[0])
			cJSON_AddStringToObject(po, "comm", p->comm);
		else
			cJSON_AddNullToObject(po, "comm");
		cJSON_AddBoolToObject(po, "checked", !p->err);
		cJSON_AddBoolToObject(po, "partial", p->partial || p->err);
		if (p->errmsg[0])
			cJSON_AddStringToObject(po, "error", p->errmsg);
		cJSON_AddItemToArray(a, po);
	}
	a = cJSON_AddArrayToObject(root, "findings");
	for (size_t i = 0; c && i < c->nfindings; i++) {
		const struct pa_finding *f = &c->findings[i];
		cJSON *fo = cJSON_CreateObject();

		cJSON_AddNumberToObject(fo, "pid", f->pid);
		cJSON_AddStringToObject(fo, "comm", f->comm);
		pa_json_add_hex(fo, "address", f->vaddr);
		pa_json_add_hex(fo, "pfn", f->pfn);
		pa_json_add_hex(fo, "kpageflags", f->kflags);
		pa_json_add_hex(fo, "pagemap", f->pme);
		cJSON_AddNumberToObject(fo, "kpagecount", (double)f->kcount);
		cJSON_AddStringToObject(fo, "rule", pa_check_rule_name(f->rule));
		cJSON_AddStringToObject(fo, "description", pa_check_rule_text(f->rule));
		if (f->rule == PA_CR_EXCL_TWO_PROCESSES)
			cJSON_AddNumberToObject(fo, "other_pid", f->other_pid);
		cJSON_AddItemToArray(a, fo);
	}
	rules = cJSON_AddObjectToObject(root, "findings_by_rule");
	for (int i = 0; i < PA_CR__N; i++)
		cJSON_AddNumberToObject(rules, pa_check_rule_name((enum pa_check_rule)i),
					c ? (double)c->by_rule[i] : 0);
	return pa_json_emit(out, root, o);
}
