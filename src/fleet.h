/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Columns of the --all table (fleet.c), shared by its text and JSON
 * outputs and by --sort/-o.  A row is a process or a group.
 */
#ifndef PA_FLEET_H
#define PA_FLEET_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

struct pa_report;
struct pa_proc_report;
struct pa_group;
struct pa_all_report;

enum pa_all_col {
	PA_AC_PID, PA_AC_PPID, PA_AC_USER, PA_AC_COMMAND, PA_AC_CGROUP, PA_AC_UNIT,
	PA_AC_PROCS, PA_AC_RSS, PA_AC_USS, PA_AC_PSS, PA_AC_EXCLUSIVE, PA_AC_SHARED,
	PA_AC_SOLE, PA_AC_KSM, PA_AC_ZERO, PA_AC_FILE, PA_AC_SWAPPED, PA_AC_SPECIAL,
	PA_AC_UNKNOWN, PA_AC__N
};

struct pa_all_coldef {
	const char *name;	/* -o/--sort name */
	const char *head;	/* text heading */
	const char *help;
	bool text;		/* a string column */
	bool group;		/* shown for groups too */
};
extern const struct pa_all_coldef pa_all_cols[PA_AC__N];

/* A row: one process (p) or one group (g). */
struct pa_all_row {
	const struct pa_proc_report *p;
	const struct pa_group *g;
};
int pa_all_col_lookup(const char *name);	/* -1: unknown */
/* -o LIST (or +LIST: the defaults and LIST) into cols; 0 or -1 with err. */
int pa_all_cols_parse(const char *spec, bool groups, int *cols, size_t max, size_t *n,
		      char *err, size_t errlen);
/* Numeric value of a column, in bytes for sizes (0 for string columns). */
uint64_t pa_all_value(const struct pa_report *r, const struct pa_all_row *row, int col);
/* String value ("" for numeric columns). */
const char *pa_all_string(const struct pa_all_row *row, int col);
const char *pa_group_label(const struct pa_all_report *a);	/* "comm", "user", ... */

#endif /* PA_FLEET_H */
