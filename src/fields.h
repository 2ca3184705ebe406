/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The field table (fields.c): one entry per column of the per-VMA report,
 * per page counter and per column of --all, as util-linux lsfd's infos[]
 * or htop's Process_fields[].  Every output reads it: the text columns
 * (-o, --sort, -o help) of the report and of --all, the JSON "pages",
 * "totals" and "changes" objects and the VMA attributes of the JSON
 * report, --all's JSON sizes, the Prometheus families, pa_counts_add() and
 * the TUI sort keys.  A counter has one name everywhere: the report's.
 *
 * Adding a page counter:
 *   1. a uint64_t member of struct pa_counts (page-anon.h);
 *   2. its computation in pa_counts_page() (classify.c);
 *   3. an enum pa_field_id value before PA_F_NAME (after it when
 *      PA_FIELD_HIDDEN) and its entry in
 *      pa_fields[] (fields.c): name (-o/--sort), header (the name in
 *      capitals), JSON key, one line of help, PA_FIELD_PAGES with
 *      PA_COUNT(member); it is then also a column of --all, a size in
 *      its JSON ("<key>_bytes") and a Prometheus family
 *      ("page_anon_<key>_bytes") unless PA_FIELD_NOT_ALL;
 *   4. the documentation of the column and the key: the man page
 *      (--output and JSON OUTPUT), README, the column lists of the shell
 *      completions (tests/check-options.sh compares them with -o help),
 *      and the key in tests/schema/report.schema.json (and its _bytes
 *      key in tests/schema/processes.schema.json);
 *   5. its computation in the independent oracle (tests/helper/pa-oracle.c):
 *      the live tests compare every key of the JSON pages object with it.
 * tests/unit/test_fields.c checks the table against struct pa_counts and
 * that every counter reaches every output.
 */
#ifndef PA_FIELDS_H
#define PA_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "page-anon.h"

/* In output order: VMA attributes, counters, the name last (the only
 * column of variable width: the text report keeps it at the end). */
enum pa_field_id {
	PA_F_START, PA_F_END, PA_F_SIZE, PA_F_PERMS, PA_F_OFFSET, PA_F_DEV, PA_F_INODE,
	PA_F_RSS, PA_F_ANON, PA_F_EXCL, PA_F_SHARED, PA_F_SOLE, PA_F_KSM, PA_F_ZERO,
	PA_F_FILE, PA_F_SWAP, PA_F_SPECIAL, PA_F_UNKNOWN, PA_F_THP, PA_F_HUGETLB,
	PA_F_MMAP_EXCL, PA_F_UFFD_WP, PA_F_GUARD, PA_F_USS, PA_F_PSS, PA_F_PINNED,
	PA_F_NAME,
	/* hidden: summed with the others, a column of --all only */
	PA_F_SMAPS_RSS,
	/* hidden: attributes of an --all row (a process or a group) */
	PA_F_PID, PA_F_PPID, PA_F_USER, PA_F_COMMAND, PA_F_CGROUP, PA_F_UNIT, PA_F_PROCS,
	/* hidden: unknown pages by reason, JSON "unknown_reasons" */
	PA_F_UR_PFN_HIDDEN, PA_F_UR_PFN_ONCE, PA_F_UR_KPAGE, PA_F_UR_NO_EXCL_BIT, PA_F_UR_TAIL_ONCE,
	PA_F_UR_MAPCOUNT, PA_F_UR_HEAD,
	PA_F__N
};

enum pa_field_kind {
	PA_FIELD_VMA,		/* an attribute of struct pa_vma */
	PA_FIELD_PAGES,		/* a page counter of struct pa_counts */
	PA_FIELD_PROC,		/* an attribute of an --all row (fleet.c) */
};

/* How a value is written (text and JSON). */
enum pa_field_fmt {
	PA_FMT_PAGES,		/* pages: a size in text (bytes with --bytes), a
				 * page count in JSON */
	PA_FMT_HEX,		/* "%llx" in text, a "0x..." string in JSON */
	PA_FMT_DEC,		/* decimal number */
	PA_FMT_DEV,		/* "major:minor" in hex; sorted as a number */
	PA_FMT_TEXT,		/* a string; sorted as text */
};

#define PA_FIELD_DEFAULT	0x1	/* one of the columns shown without -o */
#define PA_FIELD_LEFT		0x2	/* text column aligned left */
#define PA_FIELD_HIDDEN		0x4	/* a counter that is neither a column of
					 * the VMA report nor a JSON key there */
#define PA_FIELD_REASON		0x8	/* hidden; its JSON key is in the
					 * "unknown_reasons" object of the
					 * pages and totals (an unknown reason) */
#define PA_FIELD_NOT_ALL	0x10	/* a counter --all does not compute
					 * (not its column, JSON key or metric) */
#define PA_FIELD_PER_PROC	0x20	/* an --all column of processes only,
					 * not with --group-by */
#define PA_FIELD_MAPCOUNT	0x40	/* needs the exact map count of every
					 * page mapped more than once (a
					 * kpagecount read per page after fork) */

struct pa_field {
	const char *name;	/* -o, --sort, -o help */
	const char *header;	/* text column header: the name in capitals */
	const char *json;	/* JSON key; NULL: not in JSON */
	const char *help;	/* one line for -o help */
	enum pa_field_kind kind;
	enum pa_field_fmt fmt;
	size_t offset;		/* PA_FIELD_PAGES: offset in struct pa_counts */
	unsigned frac_bits;	/* PA_FIELD_PAGES: the counter holds pages << frac_bits */
	unsigned flags;		/* PA_FIELD_* */
	const char *color;	/* ANSI colour of non-zero text cells, or NULL */
	const char *alias;	/* a former --all name, still accepted by -o
				 * and --sort, or NULL */
	const char *metric;	/* --all JSON "<metric>_bytes" and Prometheus
				 * page_anon_<metric>_bytes; NULL: the JSON key */
};

#define PA_COUNT(member)	offsetof(struct pa_counts, member)

extern const struct pa_field pa_fields[PA_F__N];

/* Field id of a name or alias (not of a hidden field), or -1. */
int pa_field_lookup(const char *name);
/* Is field id a column of --all (-o, --sort, JSON, Prometheus)? */
bool pa_field_is_all(int id);
/* Field id of an --all column by name or alias, or -1. */
int pa_field_lookup_all(const char *name);
/* The page state a counter counts (state[] of struct pa_counts), or -1. */
int pa_field_state(int id);
/* The name of a counter in --all's JSON and Prometheus, before "_bytes". */
const char *pa_field_metric(int id);
/* --all's columns without -o, in order (ends with -1). */
extern const int pa_all_default[];
/* A counter's value (0 for a field that is not PA_FIELD_PAGES). */
uint64_t pa_field_count(const struct pa_counts *c, int id);
/* A VMA attribute or counter as a number (PA_FMT_TEXT fields: 0). */
uint64_t pa_field_value(const struct pa_vma_report *v, int id, long page_size);
/* A page-count value of field id (pa_field_value()) in bytes, rounded
 * down: frac_bits taken into account. */
uint64_t pa_field_bytes(int id, uint64_t value, long page_size);
/* A PA_FMT_TEXT VMA attribute ("" for the others). */
const char *pa_field_text(const struct pa_vma_report *v, int id, char *buf, size_t len);
/* Whether the columns of -o (NULL: the defaults) or the --sort column
 * (NULL: none) need exact map counts (PA_FIELD_MAPCOUNT).  A spec that
 * does not parse answers true. */
bool pa_columns_need_mapcount(const char *columns, const char *sort);
/* Order of two VMAs by a field: text or number, then by address. */
int pa_field_cmp_vma(const struct pa_vma_report *a, const struct pa_vma_report *b, int id,
		     long page_size);

#endif /* PA_FIELDS_H */
