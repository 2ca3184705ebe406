/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --check: audit what the kernel exports against its own rules
 * (check.c collects into struct pa_report, check_out.c prints).
 */
#ifndef PA_CHECK_H
#define PA_CHECK_H

#include "page-anon.h"

struct pa_session;
struct cJSON;

enum pa_check_rule {
	PA_CR_EXCL_MAPPED_TWICE = 0,	/* bit 34 (own) and exact mapcount >= 2 */
	PA_CR_EXCL_KSM,			/* bit 34 on a KSM page */
	PA_CR_EXCL_ZERO,		/* bit 34 on the zero page */
	PA_CR_EXCL_NOT_ANON_MAPPING,	/* anon + bit 34 where pagemap says file/shared */
	PA_CR_EXCL_TWO_PROCESSES,	/* one PFN in two walked mms, bit 34 in either */
	PA_CR_BIT56_MAPCOUNT,		/* small folio: pagemap bit 56 != (kpagecount == 1) */
	PA_CR_ANON_UNMAPPED,		/* present anon page, exact mapcount 0 */
	PA_CR__N
};
const char *pa_check_rule_name(enum pa_check_rule r);
const char *pa_check_rule_text(enum pa_check_rule r);

struct pa_finding {
	pid_t pid;
	char comm[64];
	uint64_t vaddr;		/* bytes */
	uint64_t pfn, pme, kflags, kcount;	/* as re-read */
	enum pa_check_rule rule;
	pid_t other_pid;	/* PA_CR_EXCL_TWO_PROCESSES: the other mapper */
};

struct pa_check_proc {
	pid_t pid;
	char comm[64];
	bool partial;
	bool gone;		/* exited before or while it was checked */
	int err;
	char errmsg[640];
};

/* Result of --check, owned by struct pa_report (r->check). */
struct pa_check_result {
	struct pa_finding *findings;	/* owned */
	size_t nfindings, findings_cap;
	struct pa_check_proc *procs;	/* owned */
	size_t nprocs, procs_cap;
	uint64_t pages_checked;
	uint64_t dismissed;	/* candidates gone on re-reading */
	uint64_t by_rule[PA_CR__N];
};

void pa_check_result_free(struct pa_check_result *c);
/* Walk pids and fill r->check; returns PA_EXIT_FINDINGS when a finding
 * stands, else PA_EXIT_OK / PA_EXIT_PARTIAL / PA_EXIT_ERROR. */
int pa_check_collect(struct pa_session *s, const pid_t *pids, size_t npids, struct pa_report *r);
/* Outputs (consumers of struct pa_report). */
void pa_print_check(FILE *out, const struct pa_report *r);
int pa_json_check(FILE *out, const struct pa_report *r, const struct pa_options *o);
/* The kernel facts object of every JSON document (output_json.c). */
struct cJSON *pa_json_kinfo(const struct pa_kinfo *k);

#endif /* PA_CHECK_H */
