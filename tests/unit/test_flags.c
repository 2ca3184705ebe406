// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the flag table (src/flags.c): kernel version parsing, the
 * table per kernel version compared with page-types' table for the same
 * kernel, the -r expansion, default-mode hiding and the strings.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "page-anon.h"

static void tab(struct pa_flagtab *t, int major, int minor, bool extended)
{
	struct pa_kver v = { major, minor, 0 };

	pa_flagtab_init(t, &v, extended);
}

static const char *sym(const struct pa_flagtab *t, uint64_t flags)
{
	static char buf[128];

	pa_flags_symbolic(t, flags, buf, sizeof(buf));
	return buf;
}

static const char *lng(const struct pa_flagtab *t, uint64_t flags)
{
	static char buf[1024];

	pa_flags_longname(t, flags, buf, sizeof(buf));
	return buf;
}

/* ---- kernel versions --------------------------------------------------- */

static void test_kver_accept(void **state)
{
	static const struct {
		const char *s;
		int major, minor, patch;
	} ok[] = {
		{ "6.18.44-fc-v769", 6, 18, 44 },
		{ "6.12", 6, 12, 0 },
		{ "5.19.0-rc1", 5, 19, 0 },
		{ "6.1.0-13-amd64", 6, 1, 0 },
		{ "6.12-rc3", 6, 12, 0 },
		{ "4.19.325", 4, 19, 325 },
		{ "6.8.0", 6, 8, 0 },
	};
	struct pa_kver v;
	size_t i;

	(void)state;
	for (i = 0; i < PA_ARRAY_SIZE(ok); i++) {
		memset(&v, 0x55, sizeof(v));
		assert_int_equal(pa_kver_parse(ok[i].s, &v), 0);
		assert_int_equal(v.major, ok[i].major);
		assert_int_equal(v.minor, ok[i].minor);
		assert_int_equal(v.patch, ok[i].patch);
	}
	assert_int_equal(pa_kver_parse("6.18.44", &v), 0);
	assert_int_equal(pa_kver_code(&v), PA_KVER(6, 18));
	assert_true(pa_kver_code(&v) > PA_KVER(6, 9));
	assert_true(pa_kver_code(&v) < PA_KVER(7, 0));
}

static void test_kver_reject(void **state)
{
	static const char *const bad[] = {
		"", "abc", "6", "6.x", "6.", ".12", " 6.12", "-6.12", "v6.12", "6..12",
		"6.1000", "99999999999.1",
	};
	struct pa_kver v;
	size_t i;

	(void)state;
	for (i = 0; i < PA_ARRAY_SIZE(bad); i++) {
		if (pa_kver_parse(bad[i], &v) != -1)
			fail_msg("kernel release '%s' accepted", bad[i]);
	}
	assert_int_equal(pa_kver_parse(NULL, &v), -1);
}

/* ---- the table per kernel version ---------------------------------------- */

/*
 * Letters of page-types' table for each kernel (its page_flag_names[] in bit
 * order): bits 0-26, 32-39, 40-41, 47-51, 61-63.
 */
#define L_KERNEL	"LERUDlASWIBMasbHTGuXnxtozig"

static const struct {
	int major, minor;
	const char *letters;		/* symbolic string of ~0 */
	const char *name34;
	bool uncached, anon_excl, slob;
} versions[] = {
	{ 5, 15, L_KERNEL "rmdPpOhc" "fH" "IPAE" "Fw1", "mappedtodisk", true, false, true },
	{ 5, 19, L_KERNEL "rmdPpOhc" "fH" "dIPAE" "Fw1", "mappedtodisk", true, true, true },
	{ 6, 3, L_KERNEL "rmdPpOhc" "fH" "dIPAE" "Fw1", "mappedtodisk", true, true, true },
	{ 6, 4, L_KERNEL "rmdPpOhc" "fH" "dIAE" "Fw1", "mappedtodisk", true, true, false },
	{ 6, 11, L_KERNEL "rmdPpOhc" "fH" "dIAE" "Fw1", "mappedtodisk", true, true, false },
	{ 6, 12, L_KERNEL "rmdPpOh" "fH" "dIAE" "Fw1", "owner_2", false, true, false },
	{ 6, 13, L_KERNEL "rmdPpOh" "fH" "dIAE" "Fw1", "owner_2", false, true, false },
	{ 6, 18, L_KERNEL "rmdPpOh" "fH" "dIAE" "Fw1", "owner_2", false, true, false },
};

static void test_table_versions(void **state)
{
	struct pa_flagtab t;
	size_t i;

	(void)state;
	for (i = 0; i < PA_ARRAY_SIZE(versions); i++) {
		const char *s;

		tab(&t, versions[i].major, versions[i].minor, false);
		s = sym(&t, PA_ALL_BITS);
		if (strcmp(s, versions[i].letters))
			fail_msg("%d.%d: letters '%s', want '%s'", versions[i].major,
				 versions[i].minor, s, versions[i].letters);
		assert_int_equal(strlen(sym(&t, 0)), strlen(versions[i].letters));
		assert_string_equal(t.bit[34].name, versions[i].name34);
		assert_true(t.bit[34].compat);
		assert_int_equal(t.bit[39].compat, versions[i].uncached);
		assert_int_equal(t.bit[47].compat, versions[i].anon_excl);
		assert_int_equal(t.bit[49].compat, versions[i].slob);
		assert_int_equal(pa_flagtab_has(&t, 39), versions[i].uncached);
		/* page-anon's own bits are never compat and hidden here */
		assert_false(t.bit[42].compat);
		assert_false(t.bit[57].compat);
		assert_false(t.bit[58].compat);
		assert_false(pa_flagtab_has(&t, 42));
		assert_false(pa_flagtab_has(&t, 57));
		assert_false(pa_flagtab_has(&t, 58));
	}
}

static void test_table_lengths(void **state)
{
	struct pa_flagtab t;

	(void)state;
	/* 27 kernel + 7 hacker + softdirty, arch_2 + 4 overloaded + 3 pagemap */
	tab(&t, 6, 18, false);
	assert_int_equal(strlen(sym(&t, 0x828)), 43);
	tab(&t, 6, 12, false);		/* uncached gone with 7a87225ae2c6 */
	assert_int_equal(strlen(sym(&t, 0x828)), 43);
	tab(&t, 6, 11, false);		/* + uncached: c at bit 39 */
	assert_int_equal(strlen(sym(&t, 0x828)), 44);
	assert_string_equal(sym(&t, 1ULL << 39),
			    "___________________________" "_______c" "__" "____" "___");
	tab(&t, 6, 3, false);		/* + uncached + slob_free */
	assert_int_equal(strlen(sym(&t, 0x828)), 45);
	tab(&t, 5, 15, false);		/* + uncached + slob_free - anon_exclusive */
	assert_int_equal(strlen(sym(&t, 0x828)), 44);
	tab(&t, 6, 18, true);		/* + arch_3, uffd_wp, guard */
	assert_int_equal(strlen(sym(&t, 0x828)), 46);
	assert_string_equal(sym(&t, PA_ALL_BITS),
			    L_KERNEL "rmdPpOh" "fHH" "dIAE" "yq" "Fw1");
	pa_flagtab_init(&t, NULL, false);	/* newest */
	assert_int_equal(strlen(sym(&t, 0)), 43);
}

static void test_table_names_kinds(void **state)
{
	static const struct {
		int bit;
		const char *name;
		enum pa_bit_kind kind;
	} want[] = {
		{ 0, "locked", PA_BIT_KERNEL }, { 12, "anonymous", PA_BIT_KERNEL },
		{ 20, "nopage", PA_BIT_KERNEL }, { 24, "zero_page", PA_BIT_KERNEL },
		{ 25, "idle_page", PA_BIT_KERNEL }, { 26, "pgtable", PA_BIT_KERNEL },
		{ 32, "reserved", PA_BIT_HACKER }, { 33, "mlocked", PA_BIT_HACKER },
		{ 34, "owner_2", PA_BIT_HACKER }, { 37, "owner_private", PA_BIT_HACKER },
		{ 40, "softdirty", PA_BIT_PAGEMAP }, { 41, "arch_2", PA_BIT_HACKER },
		{ 42, "arch_3", PA_BIT_HACKER }, { 47, "anon_exclusive", PA_BIT_OVERLOADED },
		{ 48, "readahead", PA_BIT_OVERLOADED }, { 50, "slub_frozen", PA_BIT_OVERLOADED },
		{ 51, "slub_debug", PA_BIT_OVERLOADED }, { 57, "uffd_wp", PA_BIT_PAGEMAP },
		{ 58, "guard", PA_BIT_PAGEMAP }, { 61, "file", PA_BIT_PAGEMAP },
		{ 62, "swap", PA_BIT_PAGEMAP }, { 63, "mmap_exclusive", PA_BIT_PAGEMAP },
	};
	struct pa_flagtab t;
	size_t i;
	int b;

	(void)state;
	tab(&t, 6, 18, false);
	for (i = 0; i < PA_ARRAY_SIZE(want); i++) {
		assert_non_null(t.bit[want[i].bit].name);
		assert_string_equal(t.bit[want[i].bit].name, want[i].name);
		assert_int_equal(t.bit[want[i].bit].kind, want[i].kind);
	}
	assert_int_equal(t.bit[42].letter, 'H');
	assert_int_equal(t.bit[57].letter, 'y');
	assert_int_equal(t.bit[58].letter, 'q');
	/* unknown bits on 6.18 */
	for (b = 27; b < 32; b++)
		assert_int_equal(t.bit[b].kind, PA_BIT_NONE);
	assert_int_equal(t.bit[39].kind, PA_BIT_NONE);
	assert_int_equal(t.bit[39].letter, '\0');
	assert_int_equal(t.bit[49].kind, PA_BIT_NONE);
	for (b = 43; b < 47; b++)
		assert_int_equal(t.bit[b].kind, PA_BIT_NONE);
	/* every known bit has a letter, a name and one line of help */
	for (b = 0; b < 64; b++) {
		if (t.bit[b].kind == PA_BIT_NONE)
			continue;
		assert_true(t.bit[b].letter != '\0');
		assert_non_null(t.bit[b].name);
		assert_non_null(t.bit[b].help);
		assert_null(strchr(t.bit[b].help, '\n'));
	}
	/* the stale labels say so */
	assert_non_null(strstr(t.bit[50].help, "pfmemalloc"));
	assert_non_null(strstr(t.bit[51].help, "6.12"));
	assert_non_null(strstr(t.bit[1].help, "6.12"));
	assert_non_null(strstr(t.bit[20].help, "6.16"));
	assert_non_null(strstr(t.bit[34].help, "anon_exclusive"));
	assert_non_null(strstr(t.bit[63].help, "not PG_anon_exclusive"));
	tab(&t, 6, 11, false);
	assert_string_equal(t.bit[34].name, "mappedtodisk");
	assert_null(strstr(t.bit[20].help, "6.16"));
	tab(&t, 5, 15, false);
	assert_int_equal(t.bit[47].kind, PA_BIT_NONE);
}

/* ---- expansion ----------------------------------------------------------- */

#define ANON_PAGE	(PA_BIT(UPTODATE) | PA_BIT(LRU) | PA_BIT(MMAP) | \
			 PA_BIT(ANON) | PA_BIT(SWAPBACKED))

static void test_expand_anon_exclusive(void **state)
{
	struct pa_flagtab t;
	uint64_t f;

	(void)state;
	tab(&t, 6, 18, false);
	f = pa_flags_expand(&t, ANON_PAGE | PA_BIT(OWNER_2), PM_PRESENT | PM_MMAP_EXCLUSIVE);
	assert_int_equal(f, ANON_PAGE | PA_BIT(ANON_EXCLUSIVE) | PA_BIT(MMAP_EXCLUSIVE));
	assert_string_equal(sym(&t, f),
			    "___U_l_____Ma_b____________" "_______" "__" "d___" "__1");
	assert_string_equal(lng(&t, f),
			    "uptodate,lru,mmap,anonymous,swapbacked,anon_exclusive,mmap_exclusive");

	/* file page: bit 34 stays */
	f = pa_flags_expand(&t, PA_BIT(UPTODATE) | PA_BIT(OWNER_2), PM_PRESENT | PM_FILE);
	assert_int_equal(f, PA_BIT(UPTODATE) | PA_BIT(OWNER_2) | PA_BIT(FILE));
	assert_string_equal(lng(&t, f), "uptodate,owner_2,file");

	tab(&t, 5, 19, false);
	f = pa_flags_expand(&t, ANON_PAGE | PA_BIT(OWNER_2), 0);
	assert_int_equal(f, ANON_PAGE | PA_BIT(ANON_EXCLUSIVE));

	/* before 5.19 bit 34 is plain PG_mappedtodisk */
	tab(&t, 5, 15, false);
	f = pa_flags_expand(&t, ANON_PAGE | PA_BIT(OWNER_2), 0);
	assert_int_equal(f, ANON_PAGE | PA_BIT(OWNER_2));
	assert_string_equal(lng(&t, f),
			    "uptodate,lru,mmap,anonymous,swapbacked,mappedtodisk");
	assert_int_equal(pa_flags_unknown(&t, f), 0);
}

static void test_expand_slab(void **state)
{
	const uint64_t slab = PA_BIT(SLAB) | PA_BIT(ACTIVE) | PA_BIT(ERROR) | PA_BIT(PRIVATE);
	struct pa_flagtab t;

	(void)state;
	tab(&t, 6, 3, false);
	assert_int_equal(pa_flags_expand(&t, slab, 0),
			 PA_BIT(SLAB) | PA_BIT(SLOB_FREE) | PA_BIT(SLUB_FROZEN) |
			 PA_BIT(SLUB_DEBUG));
	tab(&t, 6, 4, false);
	assert_int_equal(pa_flags_expand(&t, slab, 0),
			 PA_BIT(SLAB) | PA_BIT(PRIVATE) | PA_BIT(SLUB_FROZEN) |
			 PA_BIT(SLUB_DEBUG));
	tab(&t, 6, 18, false);
	assert_int_equal(pa_flags_expand(&t, slab, 0),
			 PA_BIT(SLAB) | PA_BIT(PRIVATE) | PA_BIT(SLUB_FROZEN) |
			 PA_BIT(SLUB_DEBUG));
	/* not a slab page: nothing moves */
	assert_int_equal(pa_flags_expand(&t, PA_BIT(ACTIVE) | PA_BIT(ERROR), 0),
			 PA_BIT(ACTIVE) | PA_BIT(ERROR));
}

static void test_expand_readahead_pagemap(void **state)
{
	struct pa_flagtab t;

	(void)state;
	tab(&t, 6, 18, false);
	assert_int_equal(pa_flags_expand(&t, PA_BIT(RECLAIM), 0), PA_BIT(READAHEAD));
	assert_int_equal(pa_flags_expand(&t, PA_BIT(RECLAIM) | PA_BIT(WRITEBACK), 0),
			 PA_BIT(RECLAIM) | PA_BIT(WRITEBACK));
	assert_int_equal(pa_flags_expand(&t, 0, PM_SOFT_DIRTY), PA_BIT(SOFTDIRTY));
	assert_int_equal(pa_flags_expand(&t, 0, PM_FILE), PA_BIT(FILE));
	assert_int_equal(pa_flags_expand(&t, 0, PM_SWAP | 0x1234), PA_BIT(SWAP));
	assert_int_equal(pa_flags_expand(&t, 0, PM_MMAP_EXCLUSIVE), PA_BIT(MMAP_EXCLUSIVE));
	assert_int_equal(pa_flags_expand(&t, 0, PM_PRESENT | 0xabcdef), 0);
	/* uffd-wp and guard only in extended mode */
	assert_int_equal(pa_flags_expand(&t, 0, PM_UFFD_WP | PM_GUARD_REGION), 0);
	tab(&t, 6, 18, true);
	assert_int_equal(pa_flags_expand(&t, 0, PM_UFFD_WP), PA_BIT(UFFD_WP));
	assert_int_equal(pa_flags_expand(&t, 0, PM_GUARD_REGION), PA_BIT(GUARD));
	assert_string_equal(sym(&t, PA_BIT(UFFD_WP) | PA_BIT(SWAP)),
			    "___________________________" "_______" "___" "____" "y_" "_w_");
	assert_string_equal(lng(&t, PA_BIT(UFFD_WP) | PA_BIT(GUARD)), "uffd_wp,guard");
}

static void test_well_known(void **state)
{
	(void)state;
	assert_int_equal(pa_flags_well_known(ANON_PAGE | PA_BIT(OWNER_2) | PA_BIT(MLOCKED)),
			 ANON_PAGE);
	/* THP: compound bits hidden; hugetlb: kept */
	assert_int_equal(pa_flags_well_known(ANON_PAGE | PA_BIT(COMPOUND_HEAD) | PA_BIT(THP)),
			 ANON_PAGE | PA_BIT(THP));
	assert_int_equal(pa_flags_well_known(PA_BIT(COMPOUND_TAIL) | PA_BIT(HUGE)),
			 PA_BIT(COMPOUND_TAIL) | PA_BIT(HUGE));
	/* bits 32-47 only; 48+ would only come from expansion */
	assert_int_equal(pa_flags_well_known(PA_HACKERS_BITS | PA_BIT(FILE)), PA_BIT(FILE));
}

/* ---- strings and unknown bits --------------------------------------------- */

static void test_symbolic_exact(void **state)
{
	struct pa_flagtab t;

	(void)state;
	tab(&t, 6, 18, false);
	assert_string_equal(sym(&t, 0x828),
			    "___U_l_____M_______________" "_______" "__" "____" "___");
	assert_string_equal(lng(&t, 0x828), "uptodate,lru,mmap");
	assert_string_equal(lng(&t, 0), "");
	tab(&t, 6, 11, false);
	assert_string_equal(sym(&t, 0x828),
			    "___U_l_____M_______________" "________" "__" "____" "___");
	tab(&t, 6, 3, false);
	assert_string_equal(sym(&t, 0x828 | PA_BIT(SLOB_FREE) | PA_BIT(UNCACHED)),
			    "___U_l_____M_______________" "_______c" "__" "__P__" "___");
	/* zero page, as page-types shows it on 6.18 */
	tab(&t, 6, 18, false);
	assert_string_equal(sym(&t, PA_BIT(ZERO_PAGE) | PA_BIT(RESERVED) | PA_BIT(UPTODATE)),
			    "___U____________________z__" "r______" "__" "____" "___");
}

static void test_unknown_bits(void **state)
{
	struct pa_flagtab t;
	uint64_t f;

	(void)state;
	tab(&t, 6, 18, false);
	f = PA_BIT(UPTODATE) | (1ULL << 30) | PA_BIT(UNCACHED) | PA_BIT(SWAP);
	assert_int_equal(pa_flags_unknown(&t, f), (1ULL << 30) | PA_BIT(UNCACHED));
	/* never aborts; unknown bits have no position but are listed */
	assert_string_equal(sym(&t, f),
			    "___U_______________________" "_______" "__" "____" "_w_");
	assert_string_equal(lng(&t, f), "uptodate,swap,bit30,bit39");
	assert_string_equal(lng(&t, 1ULL << 42), "bit42");
	assert_string_equal(lng(&t, PA_BIT(SLOB_FREE)), "bit49");
	assert_int_equal(pa_flags_unknown(&t, PA_BIT(UFFD_WP)), PA_BIT(UFFD_WP));
	tab(&t, 6, 18, true);
	assert_string_equal(lng(&t, 1ULL << 42), "arch_3");
	assert_int_equal(pa_flags_unknown(&t, (1ULL << 42) | PA_BIT(GUARD)), 0);
	assert_int_equal(pa_flags_unknown(&t, PA_ALL_BITS),
			 (0x1fULL << 27) | PA_BIT(UNCACHED) | (0xfULL << 43) |
			 PA_BIT(SLOB_FREE) | (0x1fULL << 52) | (0x3ULL << 59));
	tab(&t, 6, 11, false);
	assert_int_equal(pa_flags_unknown(&t, PA_BIT(UNCACHED)), 0);
	tab(&t, 6, 12, false);
	assert_int_equal(pa_flags_unknown(&t, PA_BIT(UNCACHED)), PA_BIT(UNCACHED));
	tab(&t, 5, 15, false);
	assert_string_equal(lng(&t, PA_BIT(ANON_EXCLUSIVE)), "bit47");
}

static void test_truncation(void **state)
{
	struct pa_flagtab t;
	char buf[8];

	(void)state;
	tab(&t, 6, 18, false);
	memset(buf, 'x', sizeof(buf));
	pa_flags_symbolic(&t, PA_ALL_BITS, buf, sizeof(buf));
	assert_string_equal(buf, "LERUDlA");
	pa_flags_longname(&t, ANON_PAGE, buf, sizeof(buf));
	assert_string_equal(buf, "uptodat");
	pa_flags_longname(&t, 1ULL << 30, buf, 4);
	assert_string_equal(buf, "bit");
	buf[0] = 'x';
	pa_flags_symbolic(&t, 0, buf, 1);
	assert_int_equal(buf[0], '\0');
	pa_flags_symbolic(&t, 0, buf, 0);	/* must not write */
	assert_int_equal(buf[0], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kver_accept),
		cmocka_unit_test(test_kver_reject),
		cmocka_unit_test(test_table_versions),
		cmocka_unit_test(test_table_lengths),
		cmocka_unit_test(test_table_names_kinds),
		cmocka_unit_test(test_expand_anon_exclusive),
		cmocka_unit_test(test_expand_slab),
		cmocka_unit_test(test_expand_readahead_pagemap),
		cmocka_unit_test(test_well_known),
		cmocka_unit_test(test_symbolic_exact),
		cmocka_unit_test(test_unknown_bits),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
