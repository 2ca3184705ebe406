/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --diff (diff.c): page state transitions between two moments, per
 * process and VMA, from two snapshots or a snapshot and the live system.
 */
#ifndef PA_DIFF_H
#define PA_DIFF_H

#include "page-anon.h"

/* The pages of one process at one moment, in address order. */
struct pa_diff_pages {
	pid_t pid, ppid;
	char comm[64];
	struct pa_maps maps;	/* owned */
	size_t n, cap;
	uint64_t *vpn, *pfn;	/* owned; pfn 0 when not present */
	int8_t *state;		/* owned: enum pa_state */
	int err;		/* could not be read */
};

/* Transition counts: [from + 1][to + 1][pfn changed], from/to PA_ST_NONE
 * (-1) for "no page". */
#define PA_DIFF_NST (PA_ST__N + 1)
struct pa_diff_counts {
	uint64_t t[PA_DIFF_NST][PA_DIFF_NST][2];
};

/* Compute the transitions of one process (old may be NULL: a new process;
 * new may be NULL: a gone one).  Entries: the new VMAs, then old VMAs
 * with pages outside every new VMA; see page-anon(8) DIFF. */
struct pa_diff_vma {
	struct pa_vma vma;	/* borrowed from old or new maps */
	const char *match;	/* "same", "changed", "new", "gone" */
	uint64_t old_start, old_end;	/* for "changed": the old VMAs it overlaps */
	struct pa_diff_counts c;
	bool changed;		/* some page changed state or PFN */
};
struct pa_diff_proc {
	pid_t pid;
	const char *status;	/* "both", "new", "gone" */
	pid_t compared_with;	/* a new process compared with its parent's old pages */
	char comm[64];
	struct pa_diff_vma *vmas;	/* owned */
	size_t nvmas;
	struct pa_diff_counts total;
	bool changed;
};
void pa_diff_process(const struct pa_diff_pages *old, const struct pa_diff_pages *new,
		     long page_size, struct pa_diff_proc *out);
void pa_diff_proc_free(struct pa_diff_proc *p);
void pa_diff_pages_free(struct pa_diff_pages *p);

/* --diff OLD [NEW | -p PID]: returns an exit code. */
int pa_run_diff(struct pa_options *o);

#endif /* PA_DIFF_H */
