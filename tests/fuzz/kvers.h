/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel versions whose flag tables the harnesses use: the boundaries
 * where the table changes (5.19 anon_exclusive, 6.4 SLOB gone, 6.10 folio
 * flags, 6.12 PG_error/owner_2/uncached gone, 6.13, 6.16 nopage) plus the
 * version-less "newest" table (NULL).
 */
#ifndef PA_FUZZ_KVERS_H
#define PA_FUZZ_KVERS_H

#include "page-anon.h"

static const struct pa_kver fuzz_kvers[] = {
	{ 4, 19, 0 }, { 5, 4, 0 }, { 5, 18, 19 }, { 5, 19, 0 }, { 6, 1, 0 },
	{ 6, 3, 0 }, { 6, 4, 0 }, { 6, 6, 0 }, { 6, 9, 0 }, { 6, 10, 0 },
	{ 6, 11, 0 }, { 6, 12, 0 }, { 6, 13, 0 }, { 6, 16, 0 }, { 6, 18, 0 },
};
#define FUZZ_NKVERS (PA_ARRAY_SIZE(fuzz_kvers) + 1)	/* last: NULL */

/* Table i of FUZZ_NKVERS (extended or not), built once. */
static inline const struct pa_flagtab *fuzz_flagtab(unsigned int i, bool extended)
{
	static struct pa_flagtab tabs[2][FUZZ_NKVERS];
	static bool done;

	if (!done) {
		for (unsigned int e = 0; e < 2; e++)
			for (unsigned int k = 0; k < FUZZ_NKVERS; k++)
				pa_flagtab_init(&tabs[e][k],
						k < PA_ARRAY_SIZE(fuzz_kvers) ? &fuzz_kvers[k] : NULL,
						e);
		done = true;
	}
	return &tabs[extended][i % FUZZ_NKVERS];
}

#endif /* PA_FUZZ_KVERS_H */
