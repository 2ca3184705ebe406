// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Text output: page-types' table and listings (byte-compatible) and the
 * per-VMA exclusivity report.  Reads struct pa_report only.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fields.h"
#include "procs.h"

static uint64_t pages2mb(const struct pa_report *r, uint64_t pages)
{
	return (pages * (uint64_t)r->page_size) >> 20;
}

/* page-types show_summary() format, rows sorted by flags value. */
void pa_print_flag_table(FILE *out, const struct pa_report *r)
{
	char sym[80], names[2048];

	fputs("             flags\tpage-count       MB  symbolic-flags\t\t\tlong-symbolic-flags\n", out);
	for (size_t i = 0; i < r->nflagstats; i++) {
		const struct pa_flagstat *f = &r->flagstats[i];

		pa_flags_symbolic(&r->ftab, f->flags, sym, sizeof(sym));
		pa_flags_longname(&r->ftab, f->flags, names, sizeof(names));
		fprintf(out, "0x%016llx\t%10llu %8llu  %s\t%s\n", (unsigned long long)f->flags,
			(unsigned long long)f->pages, (unsigned long long)pages2mb(r, f->pages), sym,
			names);
	}
	fprintf(out, "             total\t%10llu %8llu\n", (unsigned long long)r->total_pages,
		(unsigned long long)pages2mb(r, r->total_pages));
}

void pa_print_describe(FILE *out, const struct pa_flagtab *t, uint64_t flags)
{
	char sym[80], names[2048];

	pa_flags_symbolic(t, flags, sym, sizeof(sym));
	pa_flags_longname(t, flags, names, sizeof(names));
	fprintf(out, "0x%016llx\t%s\t%s\n", (unsigned long long)flags, sym, names);
}

void pa_print_file_header(FILE *out, const char *name, const struct stat *st, long page_size)
{
	char atime[64], mtime[64];
	time_t now = time(NULL);
	struct tm tm;

	fprintf(out, "%s\tInode: %llu\tSize: %llu (%llu pages)\n", name,
		(unsigned long long)st->st_ino, (unsigned long long)st->st_size,
		(unsigned long long)((st->st_size + page_size - 1) / page_size));
	strftime(mtime, sizeof(mtime), "%a %b %e %H:%M:%S %Y", localtime_r(&st->st_mtime, &tm));
	strftime(atime, sizeof(atime), "%a %b %e %H:%M:%S %Y", localtime_r(&st->st_atime, &tm));
	fprintf(out, "Modify: %s (%lld seconds ago)\nAccess: %s (%lld seconds ago)\n", mtime,
		(long long)(now - st->st_mtime), atime, (long long)(now - st->st_atime));
}

/* ------------------------------------------------------------------ */
/* -l / -L listings in page-types' format                              */

static void text_begin(struct pa_listing *l)
{
	const struct pa_options *o = l->opt;

	if (o->npids)
		fputs("voffset\t", l->out);
	if (o->file)
		fputs("foffset\t", l->out);
	if (o->list_cgroup)
		fputs("cgroup\t", l->out);
	if (o->list_mapcnt)
		fputs("map-cnt\t", l->out);
	fputs(o->list == 1 ? "offset\tlen\tflags\n" : "offset\tflags\n", l->out);
}

static void text_entry(struct pa_listing *l, const struct pa_list_entry *e)
{
	const struct pa_options *o = l->opt;
	char sym[80];

	if (o->npids || o->file)
		fprintf(l->out, "%llx\t", (unsigned long long)e->voffset);
	if (o->list_cgroup)
		fprintf(l->out, "@%llu\t", (unsigned long long)e->cgroup);
	if (o->list_mapcnt)
		fprintf(l->out, "%llu\t", (unsigned long long)e->mapcnt);
	pa_flags_symbolic(l->ftab, e->flags, sym, sizeof(sym));
	if (o->list == 1)
		fprintf(l->out, "%llx\t%llx\t%s\n", (unsigned long long)e->offset,
			(unsigned long long)e->count, sym);
	else
		fprintf(l->out, "%llx\t%s\n", (unsigned long long)e->offset, sym);
}

static void text_end(struct pa_listing *l)
{
	(void)l;
}

void pa_listing_text(struct pa_listing *l, const struct pa_options *o, const struct pa_flagtab *t,
		     FILE *out)
{
	*l = (struct pa_listing){ .begin = text_begin, .entry = text_entry, .end = text_end,
				  .opt = o, .ftab = t, .out = out };
}

/* ------------------------------------------------------------------ */
/* The per-VMA report                                                   */

void pa_columns_help(FILE *out)
{
	fputs("Available columns (-o, --sort):\n", out);
	for (int i = 0; i < PA_F__N; i++)
		if (!(pa_fields[i].flags & PA_FIELD_HIDDEN))
			fprintf(out, " %10s  %s\n", pa_fields[i].name, pa_fields[i].help);
}

/* A size: bytes with --bytes, else human units; "0" for nothing. */
static void fmt_bytes(char *buf, size_t len, uint64_t b, bool bytes)
{
	if (bytes)
		snprintf(buf, len, "%llu", (unsigned long long)b);
	else if (!b)
		snprintf(buf, len, "0");
	else
		pa_human_size(b, buf, len);
}

static void fmt_pages(char *buf, size_t len, uint64_t pages, const struct pa_report *r, bool bytes)
{
	fmt_bytes(buf, len, pages * (uint64_t)r->page_size, bytes);
}

static void cell(char *buf, size_t len, const struct pa_vma_report *v, int col,
		 const struct pa_report *r, bool bytes)
{
	const struct pa_field *f = &pa_fields[col];
	const char *s;

	switch (f->fmt) {
	case PA_FMT_HEX:
		snprintf(buf, len, "%llx", (unsigned long long)pa_field_value(v, col, r->page_size));
		break;
	case PA_FMT_DEC:
		snprintf(buf, len, "%llu", (unsigned long long)pa_field_value(v, col, r->page_size));
		break;
	case PA_FMT_PAGES:	/* PSS: pages << frac_bits (pa_field_bytes()) */
		fmt_bytes(buf, len, pa_field_bytes(col, pa_field_value(v, col, r->page_size),
						   r->page_size), bytes);
		break;
	case PA_FMT_DEV:
	case PA_FMT_TEXT:
		s = pa_field_text(v, col, buf, len);
		if (col == PA_F_NAME && !*s)
			s = "[anon]";
		if (s != buf)
			snprintf(buf, len, "%s", s);
		break;
	}
}

/* --color: always and never are final; auto means a terminal, NO_COLOR
 * unset or empty (no-color.org) and a TERM that is not "dumb". */
bool pa_use_color(const struct pa_options *o, FILE *out)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (o->json || o->color == PA_COLOR_NEVER)
		return false;
	if (o->color == PA_COLOR_ALWAYS)
		return true;
	return isatty(fileno(out)) && !(nc && *nc) && !(term && !strcmp(term, "dumb"));
}

static int term_width(FILE *out)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");

	if (!isatty(fileno(out)))
		return 0;
	if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return c ? atoi(c) : 80;
}

static void print_size_pct(FILE *out, const char *label, uint64_t pages, uint64_t of,
			   const struct pa_report *r, const struct pa_options *o, int64_t delta)
{
	char buf[32];

	fmt_pages(buf, sizeof(buf), pages, r, o->bytes);
	fprintf(out, "  %s %s", label, buf);
	if (of && pages)
		fprintf(out, " (%.0f%%)", 100.0 * (double)pages / (double)of);
	if (delta) {
		fmt_pages(buf, sizeof(buf), (uint64_t)(delta < 0 ? -delta : delta), r, o->bytes);
		fprintf(out, " [%c%s]", delta < 0 ? '-' : '+', buf);
	}
}

static const struct pa_proc_report *find_prev(const struct pa_report *prev, pid_t pid)
{
	if (!prev)
		return NULL;
	for (size_t i = 0; i < prev->nprocs; i++)
		if (prev->procs[i].pid == pid)
			return &prev->procs[i];
	return NULL;
}

static void print_proc(FILE *out, const struct pa_report *r, const struct pa_proc_report *p,
		       const struct pa_options *o, const int *colv, size_t ncols,
		       const struct pa_report *prev)
{
	const struct pa_proc_report *pp = find_prev(prev, p->pid);
	const struct pa_counts *t = &p->totals;
	uint64_t anon_total = t->state[PA_ST_ANON_EXCLUSIVE] + t->state[PA_ST_ANON_SHARED] +
			      t->state[PA_ST_ANON_SOLE];
	size_t width[PA_F__N] = { 0 };
	int tw = term_width(out);
	bool color = pa_use_color(o, out);
	size_t shown = 0;
	char buf[4096];

#define D(field) (pp ? (int64_t)(t->field) - (int64_t)(pp->totals.field) : 0)
	fprintf(out, "PID %d (%s)", (int)p->pid, p->comm);
	if (p->ppid)
		fprintf(out, " ppid %d", (int)p->ppid);
	if (p->info && p->info->uid_known)
		fprintf(out, " user %s", p->info->user);
	fprintf(out, "  kernel %s\n", r->kernel);
	if (p->err && !p->nvmas) {
		fprintf(out, "  not available: %s\n\n", p->errmsg);
		return;
	}
	print_size_pct(out, "resident", t->present, 0, r, o, D(present));
	print_size_pct(out, "anonymous", t->anon, t->present, r, o, D(anon));
	print_size_pct(out, "swapped", t->state[PA_ST_SWAPPED], 0, r, o, D(state[PA_ST_SWAPPED]));
	fputc('\n', out);
	if (r->unprivileged) {
		/* pagemap bit 56 of the pages that are not file pages: the
		 * unknown reasons of the reduced view */
		print_size_pct(out, "mapped once", t->unknown[PA_UR_PFN_HIDDEN_ONCE], 0, r, o,
			       D(unknown[PA_UR_PFN_HIDDEN_ONCE]));
		print_size_pct(out, "more than once or zero page", t->unknown[PA_UR_PFN_HIDDEN], 0,
			       r, o, D(unknown[PA_UR_PFN_HIDDEN]));
		fputc('\n', out);
	}
	print_size_pct(out, "exclusive", t->state[PA_ST_ANON_EXCLUSIVE], anon_total, r, o,
		       D(state[PA_ST_ANON_EXCLUSIVE]));
	print_size_pct(out, "shared", t->state[PA_ST_ANON_SHARED], anon_total, r, o,
		       D(state[PA_ST_ANON_SHARED]));
	print_size_pct(out, "sole", t->state[PA_ST_ANON_SOLE], anon_total, r, o,
		       D(state[PA_ST_ANON_SOLE]));
	fputc('\n', out);
	print_size_pct(out, "ksm", t->state[PA_ST_KSM], 0, r, o, D(state[PA_ST_KSM]));
	print_size_pct(out, "zero", t->state[PA_ST_ZERO], 0, r, o, D(state[PA_ST_ZERO]));
	print_size_pct(out, "file", t->state[PA_ST_FILE], 0, r, o, D(state[PA_ST_FILE]));
	print_size_pct(out, "thp", t->thp, 0, r, o, D(thp));
	print_size_pct(out, "unknown", t->state[PA_ST_UNKNOWN], 0, r, o, D(state[PA_ST_UNKNOWN]));
	if (t->state[PA_ST_SPECIAL] || t->hugetlb)
		print_size_pct(out, "special", t->state[PA_ST_SPECIAL], 0, r, o, D(state[PA_ST_SPECIAL]));
	if (t->hugetlb)
		print_size_pct(out, "hugetlb", t->hugetlb, 0, r, o, D(hugetlb));
	fputc('\n', out);
	if (p->vm_pin_kb || t->pinned) {
		/* pinned for DMA: copied for the child at fork, never shared */
		print_size_pct(out, "VmPin", p->vm_pin_kb * 1024 / (uint64_t)r->page_size, 0, r, o, 0);
		print_size_pct(out, "pinned buffers", t->pinned, 0, r, o, D(pinned));
		fputc('\n', out);
	}
#undef D
	if (p->partial)
		fprintf(out, "  partial: %s\n", p->errmsg);

	/* column widths */
	for (size_t c = 0; c < ncols; c++)
		width[colv[c]] = strlen(pa_fields[colv[c]].header);
	for (size_t i = 0; i < p->nvmas; i++)
		for (size_t c = 0; c < ncols && (o->all_vmas || pa_vma_has_anon(&p->vmas[i])); c++) {
			size_t l;

			if (colv[c] == PA_F_NAME && c + 1 == ncols)
				continue;	/* the last column is not padded */
			cell(buf, sizeof(buf), &p->vmas[i], colv[c], r, o->bytes);
			l = strlen(buf);
			if (l > width[colv[c]])
				width[colv[c]] = l;
		}
	fputs(color ? "\033[1m" : "", out);
	for (size_t c = 0; c < ncols; c++) {
		const struct pa_field *f = &pa_fields[colv[c]];

		if ((f->flags & PA_FIELD_LEFT) && c + 1 == ncols)
			fprintf(out, "%s%s", c ? " " : "", f->header);
		else
			fprintf(out, "%s%*s", c ? " " : "", (f->flags & PA_FIELD_LEFT) ?
				-(int)width[colv[c]] : (int)width[colv[c]], f->header);
	}
	fputs(color ? "\033[0m\n" : "\n", out);
	for (size_t i = 0; i < p->nvmas; i++) {
		int used = 0;

		if (!o->all_vmas && !pa_vma_has_anon(&p->vmas[i]))
			continue;
		shown++;
		for (size_t c = 0; c < ncols; c++) {
			const struct pa_field *f = &pa_fields[colv[c]];
			int w = (int)width[colv[c]];

			cell(buf, sizeof(buf), &p->vmas[i], colv[c], r, o->bytes);
			if (colv[c] == PA_F_NAME && c + 1 == ncols) {
				/* last column on a terminal: cut to the width */
				int room = tw ? tw - used - (c ? 1 : 0) : 0;

				if (tw && room > 3 && (int)strlen(buf) > room) {
					size_t l = strlen(buf);

					memmove(buf + 3, buf + l - (size_t)(room - 3), (size_t)(room - 3) + 1);
					memcpy(buf, "...", 3);
				}
				used += fprintf(out, "%s%s", c ? " " : "", buf);
				continue;
			}
			if ((f->flags & PA_FIELD_LEFT) && c + 1 == ncols) {
				used += fprintf(out, "%s%s", c ? " " : "", buf);
				continue;
			}
			if (color && f->color && strcmp(buf, "0")) {
				int pad = w - (int)strlen(buf);

				used += fprintf(out, "%s%*s%s%s\033[0m", c ? " " : "", pad > 0 ? pad : 0,
						"", f->color, buf) -
					(int)strlen(f->color) - 4;
				continue;
			}
			used += fprintf(out, "%s%*s", c ? " " : "", (f->flags & PA_FIELD_LEFT) ? -w : w,
					buf);
		}
		fputc('\n', out);
	}
	if (shown < p->nvmas_total && !o->all_vmas)
		fprintf(out, "(%zu of %zu VMAs shown: the others have no anonymous pages; --all-vmas "
			"shows them)\n", shown, p->nvmas_total);
	if (pa_unknown_hint(t, buf, sizeof(buf)))
		fprintf(out, "note: %s\n", buf);
	fputc('\n', out);
}

static void print_sharing(FILE *out, const struct pa_report *r, const struct pa_options *o)
{
	char buf[32];

	fputs("Shared anonymous pages by PFN (row's anon_shared pages also mapped by column):\n", out);
	fprintf(out, "%10s", "PID");
	for (size_t j = 0; j < r->nprocs; j++)
		fprintf(out, " %10d", (int)r->procs[j].pid);
	fputc('\n', out);
	for (size_t i = 0; i < r->nprocs; i++) {
		fprintf(out, "%10d", (int)r->procs[i].pid);
		for (size_t j = 0; j < r->nprocs; j++) {
			if (i == j || !r->procs[i].shared_with) {
				fprintf(out, " %10s", "-");
				continue;
			}
			fmt_pages(buf, sizeof(buf), r->procs[i].shared_with[j], r, o->bytes);
			fprintf(out, " %10s", buf);
		}
		fputc('\n', out);
	}
}

void pa_print_report(FILE *out, const struct pa_report *r, const struct pa_options *o,
		     const struct pa_report *prev)
{
	int colv[64];
	size_t ncols;
	char err[128];

	if (pa_columns_parse(o->columns, colv, PA_ARRAY_SIZE(colv), &ncols, err, sizeof(err)) < 0)
		return;		/* validated before the walk */
	if (o->watch > 0)
		fprintf(out, "sample %llu, every %gs\n", (unsigned long long)r->sample, o->watch);
	if (r->unprivileged)
		fputs("Reduced view (no CAP_SYS_ADMIN): the kernel hides PFNs and page flags, so "
		      "exclusivity is unknown (pfn_hidden_*); shown are present, mapped once (pagemap "
		      "bit 56) or more, swapped and file pages.  As root: exclusive, shared, sole, "
		      "KSM, zero and THP pages.\n\n", out);
	for (size_t i = 0; i < r->nprocs; i++)
		print_proc(out, r, &r->procs[i], o, colv, ncols, prev);
	if (r->nprocs > 1)
		print_sharing(out, r, o);
}
