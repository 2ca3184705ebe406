// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * JSON output (schema_version 1; schemas in tests/schema/).  Rules:
 * snake_case keys, integer counts, 64-bit addresses, PFNs and flag words
 * as "0x..." strings (JSON numbers are doubles), one document per line in
 * compact mode.  One cJSON root per document, deleted once.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "fields.h"
#include "json_out.h"
#include "procs.h"

void pa_json_add_hex(cJSON *o, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	cJSON_AddStringToObject(o, key, buf);
}

void pa_json_add_u64(cJSON *o, const char *key, uint64_t v)
{
	cJSON_AddNumberToObject(o, key, (double)v);
}

bool pa_json_printed;

int pa_json_print(FILE *out, cJSON *root, bool pretty)
{
	char *s = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
	int r = 0;

	pa_json_printed = true;
	if (!s) {
		pa_error("out of memory while formatting JSON");
		r = -1;
	} else {
		fputs(s, out);
		fputc('\n', out);
		cJSON_free(s);
	}
	cJSON_Delete(root);
	return r;
}

int pa_json_emit(FILE *out, cJSON *root, const struct pa_options *o)
{
	return pa_json_print(out, root, o->json == PA_JSON_PRETTY);
}

static cJSON *counts_json(const struct pa_counts *c)
{
	cJSON *o = cJSON_CreateObject(), *ur = cJSON_CreateObject();

	for (int i = 0; i < PA_F__N; i++)
		if (pa_fields[i].kind == PA_FIELD_PAGES && pa_fields[i].json)
			pa_json_add_u64(pa_fields[i].flags & PA_FIELD_REASON ? ur : o, pa_fields[i].json,
				pa_field_count(c, i));
	cJSON_AddItemToObject(o, "unknown_reasons", ur);
	return o;
}

static cJSON *tristate(enum pa_tristate t)
{
	return t == PA_UNTESTED ? cJSON_CreateNull() : cJSON_CreateBool(t == PA_YES);
}

cJSON *pa_json_kinfo(const struct pa_kinfo *k)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "anon_exclusive_bit", k->anon_exclusive_bit);
	cJSON_AddBoolToObject(o, "folio_flags", k->folio_flags);
	cJSON_AddItemToObject(o, "pagemap_scan", tristate(k->pagemap_scan));
	pa_json_add_hex(o, "scan_categories", k->scan_categories);
	cJSON_AddItemToObject(o, "ksm_flag_bug", tristate(k->ksm_flag_bug));
	cJSON_AddItemToObject(o, "nopage_reported", tristate(k->nopage_reported));
	if (k->zero_pfn)
		pa_json_add_hex(o, "zero_pfn", k->zero_pfn);
	else
		cJSON_AddNullToObject(o, "zero_pfn");
	cJSON_AddStringToObject(o, "kpagecount", pa_mapcount_name(k->mapcount));
	cJSON_AddStringToObject(o, "kpagecount_how", k->mapcount_how);
	cJSON_AddBoolToObject(o, "selftest_ran", k->selftest_ran);
	if (*k->note)
		cJSON_AddStringToObject(o, "note", k->note);
	return o;
}

static cJSON *header(const struct pa_report *r, const char *type)
{
	cJSON *root = cJSON_CreateObject();

	pa_json_add_u64(root, "schema_version", PA_SCHEMA_VERSION);
	cJSON_AddStringToObject(root, "type", type);
	cJSON_AddStringToObject(root, "kernel", r->kernel);
	pa_json_add_u64(root, "page_size", (uint64_t)r->page_size);
	return root;
}

/* --watch: signed differences of the counts since the previous sample. */
static cJSON *changes_json(const struct pa_counts *now, const struct pa_counts *was)
{
	cJSON *o = cJSON_CreateObject();

	for (int i = 0; i < PA_F__N; i++)
		if (pa_fields[i].kind == PA_FIELD_PAGES && pa_fields[i].json &&
		    !(pa_fields[i].flags & PA_FIELD_REASON))
			cJSON_AddNumberToObject(o, pa_fields[i].json,
						(double)(int64_t)(pa_field_count(now, i) -
								  pa_field_count(was, i)));
	return o;
}

/* The attributes of a VMA (the fields with a JSON key), then its pages. */
static cJSON *vma_json(const struct pa_vma_report *v, long page_size)
{
	cJSON *vo = cJSON_CreateObject();
	char buf[64];

	for (int i = 0; i < PA_F__N; i++) {
		const struct pa_field *f = &pa_fields[i];

		if (f->kind != PA_FIELD_VMA || !f->json)
			continue;
		switch (f->fmt) {
		case PA_FMT_HEX:
			pa_json_add_hex(vo, f->json, pa_field_value(v, i, page_size));
			break;
		case PA_FMT_DEC:
		case PA_FMT_PAGES:
			pa_json_add_u64(vo, f->json, pa_field_value(v, i, page_size));
			break;
		case PA_FMT_DEV:
		case PA_FMT_TEXT:
			cJSON_AddStringToObject(vo, f->json, pa_field_text(v, i, buf, sizeof(buf)));
			break;
		}
	}
	cJSON_AddItemToObject(vo, "pages", counts_json(&v->c));
	return vo;
}

int pa_json_report(FILE *out, const struct pa_report *r, const struct pa_options *o)
{
	return pa_json_report_watch(out, r, o, NULL);
}

int pa_json_report_watch(FILE *out, const struct pa_report *r, const struct pa_options *o,
			 const struct pa_report *prev)
{
	cJSON *root = header(r, "report"), *procs;

	cJSON_AddItemToObject(root, "kernel_checks", pa_json_kinfo(&r->kinfo));
	if (o->watch > 0)
		pa_json_add_u64(root, "sample", r->sample);
	/* every report, not only --watch samples: when it was taken */
	cJSON_AddNumberToObject(root, "timestamp", r->timestamp);
	cJSON_AddBoolToObject(root, "partial", r->partial);
	/* false: the reduced view (page-anon(8) PRIVILEGES) */
	cJSON_AddBoolToObject(root, "privileged", !r->unprivileged);
	procs = cJSON_AddArrayToObject(root, "processes");
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct pa_proc_report *p = &r->procs[i];
		cJSON *po = cJSON_CreateObject(), *vmas;

		pa_json_add_u64(po, "pid", (uint64_t)p->pid);
		if (p->ppid)
			pa_json_add_u64(po, "ppid", (uint64_t)p->ppid);
		/* A process that could not be read: its comm when known,
		 * "partial", and null counts - not zeros, which would read as
		 * "nothing there". */
		if (p->comm[0])
			cJSON_AddStringToObject(po, "comm", p->comm);
		else
			cJSON_AddNullToObject(po, "comm");
		if (p->info && p->info->uid_known) {
			pa_json_add_u64(po, "uid", p->info->uid);
			cJSON_AddStringToObject(po, "user", p->info->user);
		}
		pa_json_add_u64(po, "vm_pin_kb", p->vm_pin_kb);
		cJSON_AddBoolToObject(po, "partial", p->partial || p->err);
		if (p->errmsg[0])
			cJSON_AddStringToObject(po, "error", p->errmsg);
		if (p->err)
			cJSON_AddNullToObject(po, "totals");
		else
			cJSON_AddItemToObject(po, "totals", counts_json(&p->totals));
		for (size_t k = 0; prev && !p->err && k < prev->nprocs; k++)
			if (prev->procs[k].pid == p->pid && !prev->procs[k].err) {
				cJSON_AddItemToObject(po, "changes",
						      changes_json(&p->totals, &prev->procs[k].totals));
				break;
			}
		if (p->err)
			cJSON_AddNullToObject(po, "vmas_total");
		else
			pa_json_add_u64(po, "vmas_total", p->nvmas_total);
		vmas = cJSON_AddArrayToObject(po, "vmas");
		for (size_t j = 0; j < p->nvmas; j++) {
			cJSON *vo = vma_json(&p->vmas[j], r->page_size);

			cJSON_AddItemToArray(vmas, vo);
		}
		if (p->shared_with) {
			cJSON *sw = cJSON_AddArrayToObject(po, "shared_with");

			for (size_t j = 0; j < r->nprocs; j++) {
				cJSON *e;

				if (j == i)
					continue;
				e = cJSON_CreateObject();
				pa_json_add_u64(e, "pid", (uint64_t)r->procs[j].pid);
				pa_json_add_u64(e, "anon_shared", p->shared_with[j]);
				cJSON_AddItemToArray(sw, e);
			}
		}
		cJSON_AddItemToArray(procs, po);
	}
	return pa_json_emit(out, root, o);
}

int pa_json_flag_table(FILE *out, const struct pa_report *r, const struct pa_options *o)
{
	cJSON *root = header(r, "flags"), *rows;
	char sym[80], names[2048];

	cJSON_AddBoolToObject(root, "raw", r->raw);
	cJSON_AddBoolToObject(root, "partial", r->partial);
	rows = cJSON_AddArrayToObject(root, "flags");
	for (size_t i = 0; i < r->nflagstats; i++) {
		const struct pa_flagstat *f = &r->flagstats[i];
		cJSON *ro = cJSON_CreateObject(), *arr;

		pa_json_add_hex(ro, "flags", f->flags);
		pa_json_add_u64(ro, "pages", f->pages);
		pa_json_add_u64(ro, "bytes", f->pages * (uint64_t)r->page_size);
		pa_flags_symbolic(&r->ftab, f->flags, sym, sizeof(sym));
		cJSON_AddStringToObject(ro, "symbolic", sym);
		pa_flags_longname(&r->ftab, f->flags, names, sizeof(names));
		arr = cJSON_AddArrayToObject(ro, "names");
		for (char *save = NULL, *tok = strtok_r(names, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
		cJSON_AddItemToArray(rows, ro);
	}
	pa_json_add_u64(root, "total_pages", r->total_pages);
	pa_json_add_u64(root, "total_bytes", r->total_pages * (uint64_t)r->page_size);
	return pa_json_emit(out, root, o);
}

int pa_json_describe(FILE *out, const struct pa_flagtab *t, uint64_t flags, const struct pa_options *o)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char sym[80], names[2048];

	pa_json_add_u64(root, "schema_version", PA_SCHEMA_VERSION);
	cJSON_AddStringToObject(root, "type", "describe");
	pa_json_add_hex(root, "flags", flags);
	pa_flags_symbolic(t, flags, sym, sizeof(sym));
	cJSON_AddStringToObject(root, "symbolic", sym);
	pa_flags_longname(t, flags, names, sizeof(names));
	arr = cJSON_AddArrayToObject(root, "bits");
	for (int bit = 0; bit < 64; bit++) {
		cJSON *b;

		if (!(flags >> bit & 1))
			continue;
		b = cJSON_CreateObject();
		pa_json_add_u64(b, "bit", (uint64_t)bit);
		if (t->bit[bit].letter) {
			char letter[2] = { t->bit[bit].letter, 0 };

			cJSON_AddStringToObject(b, "name", t->bit[bit].name);
			cJSON_AddStringToObject(b, "letter", letter);
			if (t->bit[bit].help)
				cJSON_AddStringToObject(b, "description", t->bit[bit].help);
		} else {
			char name[16];

			snprintf(name, sizeof(name), "bit%d", bit);
			cJSON_AddStringToObject(b, "name", name);
		}
		cJSON_AddItemToArray(arr, b);
	}
	return pa_json_emit(out, root, o);
}

/* -l/-L as one JSON object per line (NDJSON). */
static void json_begin(struct pa_listing *l)
{
	(void)l;
}

static void json_entry(struct pa_listing *l, const struct pa_list_entry *e)
{
	const struct pa_options *o = l->opt;
	cJSON *root = cJSON_CreateObject();
	char sym[80];

	pa_json_add_u64(root, "schema_version", PA_SCHEMA_VERSION);
	cJSON_AddStringToObject(root, "type", "page");
	if (o->npids) {
		pa_json_add_u64(root, "pid", (uint64_t)l->pid);
		pa_json_add_hex(root, "vaddr", e->voffset * (uint64_t)l->page_size);
	}
	if (o->npids || o->file)
		pa_json_add_hex(root, o->file ? "foffset" : "voffset", e->voffset);
	pa_json_add_hex(root, "offset", e->offset);
	pa_json_add_u64(root, "count", e->count);
	pa_json_add_hex(root, "flags", e->flags);
	pa_flags_symbolic(l->ftab, e->flags, sym, sizeof(sym));
	cJSON_AddStringToObject(root, "symbolic", sym);
	if (o->list_cgroup)
		pa_json_add_u64(root, "cgroup", e->cgroup);
	if (o->list_mapcnt)
		pa_json_add_u64(root, "mapcnt", e->mapcnt);
	pa_json_emit(l->out, root, o);
}

static void json_end(struct pa_listing *l)
{
	(void)l;
}

void pa_listing_json(struct pa_listing *l, const struct pa_options *o, const struct pa_flagtab *t,
		     FILE *out)
{
	*l = (struct pa_listing){ .begin = json_begin, .entry = json_entry, .end = json_end,
				  .opt = o, .ftab = t, .out = out };
}

/* The one rule for errors with --json: a run that ends with status 1 and
 * printed no document prints this one, with the last error message, so
 * that stdout always carries JSON unless the command line was wrong (2). */
int pa_json_error(FILE *out, const struct pa_options *o)
{
	cJSON *root = cJSON_CreateObject();

	pa_json_add_u64(root, "schema_version", PA_SCHEMA_VERSION);
	cJSON_AddStringToObject(root, "type", "error");
	cJSON_AddStringToObject(root, "error", *pa_last_error ? pa_last_error : "failed");
	pa_json_add_u64(root, "exit_status", PA_EXIT_ERROR);
	return pa_json_emit(out, root, o);
}
