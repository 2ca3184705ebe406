// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_flags: flag decoding (flags.c) on arbitrary 64-bit kpageflags and
 * pagemap values for several kernel versions.  Input: 8 bytes kflags,
 * 8 bytes pagemap entry, 1 selector byte (kernel version, extended, output
 * buffer size), little endian, zero-padded when short.
 * Invariants: strings stay inside their buffers and are NUL-terminated,
 * truncated strings are prefixes of the full ones, the symbolic string
 * has one character per table bit, long names parse back to the same
 * flags, expansion keeps the pagemap bits.
 */
#include "config.h"

#include <string.h>

#include "page-anon.h"
#include "fuzz.h"
#include "kvers.h"

#define CANARY 0x5a
#define BIG 4096

static uint64_t get64(const uint8_t *d, size_t size, size_t off)
{
	uint64_t v = 0;

	for (size_t i = 0; i < 8; i++)
		if (off + i < size)
			v |= (uint64_t)d[off + i] << (8 * i);
	return v;
}

static unsigned int popcount64(uint64_t v)
{
	return (unsigned int)__builtin_popcountll(v);
}

static void check_canary(const char *buf, size_t len, size_t total)
{
	for (size_t i = len; i < total; i++)
		FUZZ_CHECK((unsigned char)buf[i] == CANARY);
}

static void check_strings(const struct pa_flagtab *t, uint64_t flags, size_t small)
{
	static char full[BIG + 16], part[BIG + 16];
	uint64_t known = 0, unknown = pa_flags_unknown(t, flags), back;
	unsigned int nbits = 0, items = 0;
	char err[256];
	size_t n;

	for (unsigned int i = 0; i < 64; i++)
		if (pa_flagtab_has(t, i)) {
			known |= 1ULL << i;
			nbits++;
		}
	FUZZ_CHECK(unknown == (flags & ~known));

	/* symbolic: one letter or '_' per table bit */
	memset(full, CANARY, sizeof(full));
	pa_flags_symbolic(t, flags, full, BIG);
	check_canary(full, BIG, sizeof(full));
	FUZZ_CHECK(strlen(full) == nbits);
	for (unsigned int i = 0, j = 0; i < 64; i++) {
		if (!pa_flagtab_has(t, i))
			continue;
		FUZZ_CHECK(full[j] == ((flags >> i) & 1 ? t->bit[i].letter : '_'));
		j++;
	}
	memset(part, CANARY, sizeof(part));
	pa_flags_symbolic(t, flags, part, small);
	check_canary(part, small, sizeof(part));
	if (small) {
		n = strlen(part);
		FUZZ_CHECK(n < small && n == (nbits < small - 1 ? nbits : small - 1));
		FUZZ_CHECK(!strncmp(part, full, n));
	}

	/* long names: known names then bitNN, comma separated */
	memset(full, CANARY, sizeof(full));
	pa_flags_longname(t, flags, full, BIG);
	check_canary(full, BIG, sizeof(full));
	n = strlen(full);
	FUZZ_CHECK(n < BIG);
	if (n) {
		items = 1;
		for (size_t i = 0; i < n; i++)
			items += full[i] == ',';
	}
	FUZZ_CHECK(items == popcount64(flags & known) + popcount64(unknown));
	FUZZ_CHECK(!n == !flags);
	if (flags) {
		FUZZ_CHECK(pa_parse_flag_names(t, full, false, &back, err, sizeof(err)) == 0);
		FUZZ_CHECK(back == flags);
	}
	memset(part, CANARY, sizeof(part));
	pa_flags_longname(t, flags, part, small);
	check_canary(part, small, sizeof(part));
	if (small) {
		FUZZ_CHECK(strlen(part) < small);
		FUZZ_CHECK(!strncmp(part, full, strlen(part)));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t smalls[] = { 0, 1, 2, 3, 10, 27, 64, 65, 100, 300 };
	uint64_t kf = get64(data, size, 0), pme = get64(data, size, 8);
	unsigned int sel = size > 16 ? data[16] : 0;
	const struct pa_flagtab *t = fuzz_flagtab(sel & 0x0f, sel & 0x10);
	size_t small = smalls[(sel >> 5) % PA_ARRAY_SIZE(smalls)];
	uint64_t e, wk;
	char hbuf[32];
	FILE *null;

	e = pa_flags_expand(t, kf, pme);
	/* pagemap bits are copied in (page-types' -r mode) */
	if (pme & PM_FILE)
		FUZZ_CHECK(e & PA_BIT(FILE));
	if (pme & PM_SWAP)
		FUZZ_CHECK(e & PA_BIT(SWAP));
	if (pme & PM_MMAP_EXCLUSIVE)
		FUZZ_CHECK(e & PA_BIT(MMAP_EXCLUSIVE));
	if (pme & PM_SOFT_DIRTY)
		FUZZ_CHECK(e & PA_BIT(SOFTDIRTY));
	if (t->extended && (pme & PM_UFFD_WP))
		FUZZ_CHECK(e & PA_BIT(UFFD_WP));
	/* kernel bits 0-26 other than the overloaded ones pass unchanged */
	{
		uint64_t plain = 0x7ffffffULL & ~(PA_BIT(ACTIVE) | PA_BIT(ERROR) | PA_BIT(RECLAIM));

		FUZZ_CHECK((e & plain) == (kf & plain));
	}
	/* Expanding a value the kernel produced (bits 47-63 clear) with a
	 * zero pagemap entry only moves bits: the count stays. */
	if (!(kf >> 47) && !pme)
		FUZZ_CHECK(popcount64(e) == popcount64(kf));

	wk = pa_flags_well_known(kf);
	FUZZ_CHECK(!(wk & PA_HACKERS_BITS));
	FUZZ_CHECK((wk & ~PA_HACKERS_BITS) == (kf & ~PA_HACKERS_BITS & ~PA_BITS_COMPOUND) ||
		   (kf & PA_BIT(HUGE)));
	if ((kf & PA_BITS_COMPOUND) && !(kf & PA_BIT(HUGE)))
		FUZZ_CHECK(!(wk & PA_BITS_COMPOUND));

	check_strings(t, kf, small);
	check_strings(t, e, small);
	check_strings(t, wk, small);

	/* Outputs of one flag value (page-anon -d). */
	null = fopen("/dev/null", "w");
	if (null) {
		struct pa_options o = { .json = PA_JSON_PRETTY };

		pa_print_describe(null, t, kf);
		pa_json_describe(null, t, e, &o);
		fclose(null);
	}

	memset(hbuf, CANARY, sizeof(hbuf));
	pa_human_size(kf, hbuf, small < sizeof(hbuf) - 4 ? small : 16);
	check_canary(hbuf, small < sizeof(hbuf) - 4 ? small : 16, sizeof(hbuf));
	if (small)
		FUZZ_CHECK(memchr(hbuf, '\0', small < sizeof(hbuf) - 4 ? small : 16));
	return 0;
}
