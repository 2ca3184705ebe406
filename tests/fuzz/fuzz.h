/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the fuzz harnesses: the libFuzzer entry point (also called by
 * standalone.c for corpus replay) and an invariant check that aborts, so
 * libFuzzer and the sanitizers report a violated invariant like a crash.
 */
#ifndef PA_FUZZ_H
#define PA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)							\
	do {									\
		if (!(cond)) {							\
			dprintf(2, "%s:%d: invariant failed: %s\n",	\
				__FILE__, __LINE__, #cond);			\
			abort();						\
		}								\
	} while (0)

#endif /* PA_FUZZ_H */
