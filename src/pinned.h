/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pinned memory (pinned.c): pages held for DMA by the kernel on behalf of
 * a process.  The kernel keeps such pages exclusive across fork by
 * copying them for the child (mm/memory.c copy_present_page(), the
 * reason PG_anon_exclusive exists, Linux 5.19), so "exclusive after
 * fork" is normal for them.
 *
 * Two sources, both in /proc: VmPin of /proc/PID/status (mm->pinned_vm:
 * every long-term pin accounted to the process: io_uring fixed buffers,
 * RDMA memory regions, vfio mappings, ...), and the registered buffers
 * io_uring lists in /proc/PID/fdinfo/FD ("UserBufs:", io_uring/fdinfo.c),
 * the only pins whose addresses the kernel shows.  The ranges are read
 * only when VmPin is not 0: a child that inherited an io_uring descriptor
 * sees the parent's list, but its own pages are not pinned (dup_mm()
 * starts the child's pinned_vm at 0).
 */
#ifndef PA_PINNED_H
#define PA_PINNED_H

#include "page-anon.h"

struct pa_pinned_range {
	uint64_t start, end;	/* bytes, [start, end) */
};

struct pa_pinned {
	struct pa_pinned_range *r;	/* owned, sorted by start, merged */
	size_t n, cap;
};

/* VmPin of /proc/PID/status in KiB (0 when absent or unreadable). */
uint64_t pa_pinned_vmpin_kb(const struct pa_source *s, pid_t pid);
/* The io_uring registered buffers of pid (none when VmPin is 0).
 * Returns the number of ranges, or -errno. */
int pa_pinned_read(const struct pa_source *s, pid_t pid, struct pa_pinned *out);
/* Add the ranges listed in the text of one fdinfo file; returns how many. */
int pa_pinned_parse_fdinfo(const char *text, struct pa_pinned *out);
/* Sort and merge the ranges (pa_pinned_read does this). */
void pa_pinned_sort(struct pa_pinned *p);
/* Some byte of [addr, addr + len) is in a range. */
bool pa_pinned_covers(const struct pa_pinned *p, uint64_t addr, uint64_t len);
void pa_pinned_free(struct pa_pinned *p);

#endif /* PA_PINNED_H */
