/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The --all table (fleet.c): its columns are fields of the one field
 * table (fields.h: pa_field_is_all()), shared by its text, JSON and
 * Prometheus outputs and by --sort/-o.  A row is a process or a group.
 */
#ifndef PA_FLEET_H
#define PA_FLEET_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "fields.h"

struct pa_report;
struct pa_proc_report;
struct pa_group;
struct pa_all_report;

/* A row: one process (p) or one group (g). */
struct pa_all_row {
	const struct pa_proc_report *p;
	const struct pa_group *g;
};
/* -o LIST (or +LIST: the defaults and LIST) into field ids; 0 or -1
 * with err. */
int pa_all_cols_parse(const char *spec, bool groups, int *cols, size_t max, size_t *n,
		      char *err, size_t errlen);
/* Numeric value of a column, in bytes for counters (0 for string
 * columns); raw: the counter as kept (PSS in 1/65536 pages), for sorting. */
uint64_t pa_all_value(const struct pa_report *r, const struct pa_all_row *row, int col);
uint64_t pa_all_raw(const struct pa_all_row *row, int col);
const struct pa_counts *pa_all_counts(const struct pa_all_row *row);
/* String value ("" for numeric columns). */
const char *pa_all_string(const struct pa_all_row *row, int col);
const char *pa_group_label(const struct pa_all_report *a);	/* "comm", "user", ... */

#endif /* PA_FLEET_H */
