// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The field table: every column of the per-VMA report and every page
 * counter, with what each output needs to know about it (fields.h says
 * how to add one).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"

#define VMA(fmt_)		.kind = PA_FIELD_VMA, .fmt = PA_FMT_##fmt_
#define PAGES(member)		.kind = PA_FIELD_PAGES, .fmt = PA_FMT_PAGES, .offset = PA_COUNT(member)

const struct pa_field pa_fields[PA_F__N] = {
	[PA_F_START] = { "start", "START", "start", "first address of the VMA", VMA(HEX),
			 .flags = PA_FIELD_DEFAULT },
	[PA_F_END] = { "end", "END", "end", "end address of the VMA", VMA(HEX) },
	[PA_F_SIZE] = { "size", "SIZE", NULL, "virtual size of the VMA", VMA(PAGES) },
	[PA_F_PERMS] = { "perms", "PERMS", "perms", "permissions (r, w, x, p private / s shared)",
			 VMA(TEXT), .flags = PA_FIELD_DEFAULT | PA_FIELD_LEFT },
	[PA_F_OFFSET] = { "offset", "OFFSET", "offset", "file offset", VMA(HEX) },
	[PA_F_DEV] = { "dev", "DEV", "dev", "device major:minor", VMA(DEV) },
	[PA_F_INODE] = { "inode", "INODE", "inode", "inode of the mapped file", VMA(DEC) },
	[PA_F_RSS] = { "rss", "RSS", "present", "present pages (zero-page mappings included)",
		       PAGES(present),
		       .flags = PA_FIELD_DEFAULT },
	[PA_F_ANON] = { "anon", "ANON", "anon", "present anonymous pages (with KSM)", PAGES(anon) },
	[PA_F_EXCL] = { "excl", "EXCL", "anon_exclusive", "anon_exclusive: a write needs no copy",
			PAGES(state[PA_ST_ANON_EXCLUSIVE]), .flags = PA_FIELD_DEFAULT,
			.color = "\033[32m",	/* green: no copy on write */
			.alias = "exclusive" },
	[PA_F_SHARED] = { "shared", "SHARED", "anon_shared",
			  "anon_shared: mapped more than once, a write copies",
			  PAGES(state[PA_ST_ANON_SHARED]), .flags = PA_FIELD_DEFAULT,
			  .color = "\033[33m" },	/* yellow: copies on write */
	[PA_F_SOLE] = { "sole", "SOLE", "anon_sole", "anon_sole: mapped once, not marked exclusive",
			PAGES(state[PA_ST_ANON_SOLE]), .flags = PA_FIELD_DEFAULT,
			.color = "\033[36m" },
	[PA_F_KSM] = { "ksm", "KSM", "ksm", "merged by KSM", PAGES(state[PA_ST_KSM]),
		       .flags = PA_FIELD_DEFAULT, .color = "\033[35m" },
	[PA_F_ZERO] = { "zero", "ZERO", "zero", "zero page or huge zero page",
			PAGES(state[PA_ST_ZERO]), .flags = PA_FIELD_DEFAULT, .color = "\033[34m" },
	[PA_F_FILE] = { "file", "FILE", "file", "file, shmem or MAP_SHARED anonymous pages",
			PAGES(state[PA_ST_FILE]) },
	[PA_F_SWAP] = { "swap", "SWAP", "swapped", "swapped out", PAGES(state[PA_ST_SWAPPED]),
			.flags = PA_FIELD_DEFAULT, .color = "\033[31m", .alias = "swapped" },
	[PA_F_SPECIAL] = { "special", "SPECIAL", "special",
			   "migration, guard, uffd-wp marker, device entries",
			   PAGES(state[PA_ST_SPECIAL]) },
	[PA_F_UNKNOWN] = { "unknown", "UNKNOWN", "unknown", "exclusivity not knowable (see page-anon(8))",
			   PAGES(state[PA_ST_UNKNOWN]), .flags = PA_FIELD_DEFAULT,
			   .color = "\033[2m" },
	[PA_F_THP] = { "thp", "THP", "thp", "pages in transparent huge or mTHP folios", PAGES(thp) },
	[PA_F_HUGETLB] = { "hugetlb", "HUGETLB", "hugetlb", "hugetlbfs pages", PAGES(hugetlb) },
	[PA_F_MMAP_EXCL] = { "mmap_excl", "MMAP_EXCL", "mmap_exclusive",
			     "mapped exactly once (pagemap bit 56)", PAGES(mmap_exclusive) },
	[PA_F_UFFD_WP] = { "uffd_wp", "UFFD_WP", "uffd_wp", "userfaultfd write-protected",
			   PAGES(uffd_wp) },
	[PA_F_GUARD] = { "guard", "GUARD", "guard", "guard region entries", PAGES(guard) },
	/* smaps' Private and Pss, zero pages left out (classify.c) */
	[PA_F_USS] = { "uss", "USS", "uss", "resident pages mapped once (kpagecount 1)",
		       PAGES(uss), .flags = PA_FIELD_MAPCOUNT },
	[PA_F_PSS] = { "pss", "PSS", "pss_q16",
		       "resident pages, each divided by its kpagecount",
		       PAGES(pss_q16), .frac_bits = PA_PSS_SHIFT, .metric = "pss",
		       .flags = PA_FIELD_MAPCOUNT },
	[PA_F_PINNED] = { "pinned", "PINNED", "pinned",
			  "pages in io_uring registered buffers (pinned: copied at fork)",
			  PAGES(pinned), .flags = PA_FIELD_NOT_ALL },	/* io_uring: -p only */
	[PA_F_NAME] = { "name", "NAME", "name", "mapped file or [heap], [stack], ...", VMA(TEXT),
			.flags = PA_FIELD_DEFAULT | PA_FIELD_LEFT },
	/* --all's RSS (JSON rss_bytes, page_anon_rss_bytes): smem's */
	[PA_F_SMAPS_RSS] = { "smaps_rss", "SMAPS_RSS", NULL,
			     "resident pages as smaps counts them (zero pages excluded)",
			     PAGES(rss), .flags = PA_FIELD_HIDDEN, .metric = "rss" },
#define PROC(id_, name_, header_, json_, help_, fmt_, flags_) \
	[id_] = { name_, header_, json_, help_, .kind = PA_FIELD_PROC, .fmt = PA_FMT_##fmt_, \
		  .flags = PA_FIELD_HIDDEN | (flags_) }
	PROC(PA_F_PID, "pid", "PID", "pid", "process ID", DEC, PA_FIELD_PER_PROC),
	PROC(PA_F_PPID, "ppid", "PPID", "ppid", "parent process ID", DEC, PA_FIELD_PER_PROC),
	PROC(PA_F_USER, "user", "USER", "user", "effective user", TEXT,
	     PA_FIELD_PER_PROC | PA_FIELD_LEFT),
	PROC(PA_F_COMMAND, "command", "COMMAND", "command", "command name (/proc/PID/comm)", TEXT,
	     PA_FIELD_PER_PROC | PA_FIELD_LEFT),
	PROC(PA_F_CGROUP, "cgroup", "CGROUP", "cgroup", "cgroup v2 path", TEXT,
	     PA_FIELD_PER_PROC | PA_FIELD_LEFT),
	PROC(PA_F_UNIT, "unit", "UNIT", "unit", "systemd unit from the cgroup path", TEXT,
	     PA_FIELD_PER_PROC | PA_FIELD_LEFT),
	PROC(PA_F_PROCS, "procs", "PROCS", "processes", "processes in the row (a group's count)",
	     DEC, 0),
#undef PROC
#define REASON(id_, name_, header_, help_, ur_) \
	[id_] = { name_, header_, name_, help_, PAGES(unknown[ur_]), \
		  .flags = PA_FIELD_HIDDEN | PA_FIELD_REASON }
	REASON(PA_F_UR_PFN_HIDDEN, "pfn_hidden_mapped_more", "PFN_HIDDEN_MAPPED_MORE",
	       "unknown: PFN hidden (no CAP_SYS_ADMIN), mapped more than once or zero page",
	       PA_UR_PFN_HIDDEN),
	REASON(PA_F_UR_PFN_ONCE, "pfn_hidden_mapped_once", "PFN_HIDDEN_MAPPED_ONCE",
	       "unknown: PFN hidden (no CAP_SYS_ADMIN), mapped once (pagemap bit 56)",
	       PA_UR_PFN_HIDDEN_ONCE),
	REASON(PA_F_UR_KPAGE, "kpage_unreadable", "KPAGE_UNREADABLE",
	       "unknown: kpageflags or kpagecount not read",
	       PA_UR_KPAGE_UNREADABLE),
	REASON(PA_F_UR_NO_EXCL_BIT, "no_exclusive_bit", "NO_EXCLUSIVE_BIT",
	       "unknown: mapped once, kernel before 5.19", PA_UR_NO_EXCLUSIVE_BIT),
	REASON(PA_F_UR_TAIL_ONCE, "large_folio_tail_mapped_once", "LARGE_FOLIO_TAIL_MAPPED_ONCE",
	       "unknown: PTE-mapped large-folio tail mapped once (private, bit not exported)",
	       PA_UR_TAIL_MAPPED_ONCE),
	REASON(PA_F_UR_MAPCOUNT, "mapcount_not_exact", "MAPCOUNT_NOT_EXACT",
	       "unknown: large-folio page, kpagecount a folio average", PA_UR_MAPCOUNT_AVERAGE),
	REASON(PA_F_UR_HEAD, "huge_page_head_not_read", "HUGE_PAGE_HEAD_NOT_READ",
	       "unknown: huge-page tail, head page not read (5.19-6.9)", PA_UR_HEAD_NOT_SEEN),
#undef REASON
};

const int pa_all_default[] = {
	PA_F_PID, PA_F_USER, PA_F_COMMAND, PA_F_SMAPS_RSS, PA_F_USS, PA_F_PSS, PA_F_EXCL,
	PA_F_SHARED, PA_F_SOLE, PA_F_KSM, PA_F_ZERO, PA_F_SWAP, PA_F_UNKNOWN, -1
};

static bool named(int id, const char *name)
{
	return !strcmp(pa_fields[id].name, name) ||
	       (pa_fields[id].alias && !strcmp(pa_fields[id].alias, name));
}

int pa_field_lookup(const char *name)
{
	for (int i = 0; i < PA_F__N; i++)
		if (!(pa_fields[i].flags & PA_FIELD_HIDDEN) && named(i, name))
			return i;
	return -1;
}

bool pa_field_is_all(int id)
{
	const struct pa_field *f = &pa_fields[id];

	if (f->kind == PA_FIELD_PROC)
		return true;
	return f->kind == PA_FIELD_PAGES && !(f->flags & (PA_FIELD_REASON | PA_FIELD_NOT_ALL));
}

int pa_field_lookup_all(const char *name)
{
	for (int i = 0; i < PA_F__N; i++)
		if (pa_field_is_all(i) && named(i, name))
			return i;
	return -1;
}

int pa_field_state(int id)
{
	size_t first = PA_COUNT(state), end = first + sizeof(((struct pa_counts *)0)->state);

	if (pa_fields[id].kind != PA_FIELD_PAGES || pa_fields[id].offset < first ||
	    pa_fields[id].offset >= end)
		return -1;
	return (int)((pa_fields[id].offset - first) / sizeof(uint64_t));
}

const char *pa_field_metric(int id)
{
	return pa_fields[id].metric ? pa_fields[id].metric : pa_fields[id].json;
}

uint64_t pa_field_count(const struct pa_counts *c, int id)
{
	uint64_t v;

	if (id < 0 || id >= PA_F__N || pa_fields[id].kind != PA_FIELD_PAGES)
		return 0;
	memcpy(&v, (const char *)c + pa_fields[id].offset, sizeof(v));
	return v;
}

uint64_t pa_field_value(const struct pa_vma_report *v, int id, long page_size)
{
	switch (id) {
	case PA_F_START: return v->vma.start;
	case PA_F_END: return v->vma.end;
	case PA_F_SIZE: return (v->vma.end - v->vma.start) / (uint64_t)page_size;
	case PA_F_OFFSET: return v->vma.offset;
	case PA_F_DEV: return (uint64_t)v->vma.dev_major << 32 | v->vma.dev_minor;
	case PA_F_INODE: return v->vma.inode;
	default: return pa_field_count(&v->c, id);
	}
}

uint64_t pa_field_bytes(int id, uint64_t value, long page_size)
{
	unsigned fb = id >= 0 && id < PA_F__N ? pa_fields[id].frac_bits : 0;
	uint64_t ps = (uint64_t)page_size;

	if (!fb)
		return value * ps;
	return (value >> fb) * ps + (((value & ((1ULL << fb) - 1)) * ps) >> fb);
}

const char *pa_field_text(const struct pa_vma_report *v, int id, char *buf, size_t len)
{
	switch (id) {
	case PA_F_PERMS:
		return v->vma.perms;
	case PA_F_NAME:
		return v->vma.name ? v->vma.name : "";
	case PA_F_DEV:
		snprintf(buf, len, "%02x:%02x", v->vma.dev_major, v->vma.dev_minor);
		return buf;
	default:
		return "";
	}
}

int pa_field_cmp_vma(const struct pa_vma_report *a, const struct pa_vma_report *b, int id,
		     long page_size)
{
	int c;

	if (pa_fields[id].fmt == PA_FMT_TEXT) {
		c = strcmp(pa_field_text(a, id, NULL, 0), pa_field_text(b, id, NULL, 0));
		c = (c > 0) - (c < 0);
	} else {
		uint64_t x = pa_field_value(a, id, page_size), y = pa_field_value(b, id, page_size);

		c = (x > y) - (x < y);
	}
	if (!c)	/* stable: then by address */
		c = (a->vma.start > b->vma.start) - (a->vma.start < b->vma.start);
	return c;
}

/* ------------------------------------------------------------------ */
/* Consumers that only need the table                                  */

int pa_column_lookup(const char *name)
{
	return pa_field_lookup(name);
}

uint64_t pa_vma_sort_key(const struct pa_vma_report *v, int col, long page_size)
{
	return pa_field_value(v, col, page_size);
}

/* Parse -o: "a,b,c" or "+a,b" (added to the defaults, before the name,
 * which stays the last column). */
int pa_columns_parse(const char *spec, int *out, size_t max, size_t *n, char *err, size_t errlen)
{
	char *copy, *tok, *save = NULL;
	const char *p = spec;
	bool add = spec && *spec == '+', named = false;

	*n = 0;
	if (!spec || add) {
		for (int i = 0; i < PA_F__N; i++)
			if ((pa_fields[i].flags & PA_FIELD_DEFAULT) && *n < max &&
			    (i != PA_F_NAME || !spec))
				out[(*n)++] = i;
		if (!spec)
			return 0;
		p++;
	}
	copy = pa_xstrdup(p);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int c = pa_field_lookup(tok);

		if (c < 0) {
			snprintf(err, errlen, "unknown column '%s' (-o help lists them)", tok);
			free(copy);
			return -1;
		}
		named |= c == PA_F_NAME;
		if (*n < max)
			out[(*n)++] = c;
	}
	free(copy);
	if (add && !named && *n < max)
		out[(*n)++] = PA_F_NAME;
	if (!*n) {
		snprintf(err, errlen, "no columns given");
		return -1;
	}
	return 0;
}

bool pa_columns_need_mapcount(const char *columns, const char *sort)
{
	int colv[PA_F__N];
	size_t n;
	char err[128];

	if (sort) {
		int c = pa_field_lookup(sort + (*sort == '-'));

		if (c < 0 || (pa_fields[c].flags & PA_FIELD_MAPCOUNT))
			return true;
	}
	if (pa_columns_parse(columns, colv, PA_ARRAY_SIZE(colv), &n, err, sizeof(err)) < 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (pa_fields[colv[i]].flags & PA_FIELD_MAPCOUNT)
			return true;
	return false;
}

void pa_counts_add(struct pa_counts *dst, const struct pa_counts *src)
{
	for (int i = 0; i < PA_F__N; i++) {
		uint64_t a, b;

		if (pa_fields[i].kind != PA_FIELD_PAGES)
			continue;
		memcpy(&a, (char *)dst + pa_fields[i].offset, sizeof(a));
		memcpy(&b, (const char *)src + pa_fields[i].offset, sizeof(b));
		a += b;
		memcpy((char *)dst + pa_fields[i].offset, &a, sizeof(a));
	}
}
