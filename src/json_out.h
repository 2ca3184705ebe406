/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every JSON output shares (output_json.c): numbers and documents
 * by the rules of page-anon(8), JSON OUTPUT.  For the writers of the
 * report, --all (output_all.c) and --check (check_out.c).
 */
#ifndef PA_JSON_OUT_H
#define PA_JSON_OUT_H

#include <stdint.h>
#include <stdio.h>

struct cJSON;
struct pa_options;

/* A count: a JSON integer (cJSON keeps doubles, exact up to 2^53). */
void pa_json_add_u64(struct cJSON *o, const char *key, uint64_t v);
/* An address, PFN or flag word: a "0x..." string. */
void pa_json_add_hex(struct cJSON *o, const char *key, uint64_t v);
/* pa_json_print() (page-anon.h) with --json's choice: pretty with
 * --json=pretty, else on one line; root is deleted; 0, or -1 when out of
 * memory. */
int pa_json_emit(FILE *out, struct cJSON *root, const struct pa_options *o);

#endif /* PA_JSON_OUT_H */
