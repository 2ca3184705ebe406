// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the /proc/PID/maps parser (src/maps.c) and for the page
 * classification (src/classify.c) on synthetic pagemap/kpageflags values.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "page-anon.h"

static void test_line_anon(void **state)
{
	struct pa_vma v;

	(void)state;
	assert_int_equal(pa_maps_parse_line("7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n", &v), 0);
	assert_int_equal(v.start, 0x7f0000000000ULL);
	assert_int_equal(v.end, 0x7f0000021000ULL);
	assert_string_equal(v.perms, "rw-p");
	assert_int_equal(v.offset, 0);
	assert_int_equal(v.inode, 0);
	assert_string_equal(v.name, "");
	assert_true(pa_vma_is_anon_private(&v));
	free(v.name);
}

static void test_line_names(void **state)
{
	struct pa_vma v;

	(void)state;
	/* padding before the name is dropped, the name is kept verbatim */
	assert_int_equal(pa_maps_parse_line("55d0c1a00000-55d0c1a21000 rw-p 00000000 00:00 0"
					    "                          [heap]", &v), 0);
	assert_string_equal(v.name, "[heap]");
	free(v.name);
	assert_int_equal(pa_maps_parse_line("7f1000000000-7f1000004000 r-xp 0001a000 fe:01 123456"
					    "   /opt/my lib/lib foo.so (deleted)\n", &v), 0);
	assert_string_equal(v.name, "/opt/my lib/lib foo.so (deleted)");
	assert_int_equal(v.offset, 0x1a000);
	assert_int_equal(v.dev_major, 0xfe);
	assert_int_equal(v.dev_minor, 1);
	assert_int_equal(v.inode, 123456);
	assert_false(pa_vma_is_anon_private(&v));
	free(v.name);
	/* five-digit minor numbers and a name with trailing spaces */
	assert_int_equal(pa_maps_parse_line("1000-2000 rw-s 00000000 00:1234a 77 /dev/shm/x  ", &v), 0);
	assert_int_equal(v.dev_minor, 0x1234a);
	assert_string_equal(v.name, "/dev/shm/x  ");
	free(v.name);
	assert_int_equal(pa_maps_parse_line("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
					    "                  [vsyscall]", &v), 0);
	assert_true(pa_vma_is_special(&v));
	free(v.name);
}

static void test_line_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"garbage",
		"1000 rw-p 00000000 00:00 0",		/* no end */
		"2000-1000 rw-p 00000000 00:00 0",	/* end before start */
		"1000-1000 rw-p 00000000 00:00 0",	/* empty */
		"1000-2000 rwzp 00000000 00:00 0",	/* bad permission */
		"1000-2000 rw-q 00000000 00:00 0",
		"1000-2000 rw-p 0000zz00 00:00 0",
		"1000-2000 rw-p 00000000 0000 0",	/* no ':' */
		"1000-2000 rw-p 00000000 00:00 x",	/* no inode */
		"1000-2000 rw-p 00000000 00:00",
		"10000000000000000-20000000000000000 rw-p 0 00:00 0",	/* overflow */
	};
	struct pa_vma v;

	(void)state;
	for (size_t i = 0; i < PA_ARRAY_SIZE(bad); i++) {
		if (pa_maps_parse_line(bad[i], &v) == 0)
			fail_msg("accepted bad maps line '%s'", bad[i]);
	}
}

static void test_whole_file(void **state)
{
	/* more VMAs than page-types' limit of 10240 */
	size_t n = 12000, len = n * 64, off = 0, bad = 0;
	char *buf = malloc(len);
	struct pa_maps m = { 0 };
	FILE *f;

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, len - off, "%zx-%zx rw-p 00000000 00:00 0 \n",
					(i + 1) * 0x2000, (i + 1) * 0x2000 + 0x1000);
	f = fmemopen(buf, off, "r");
	assert_non_null(f);
	assert_int_equal(pa_maps_parse(f, &m, &bad), 0);
	fclose(f);
	assert_int_equal(m.n, n);
	assert_int_equal(m.v[n - 1].start, n * 0x2000);
	pa_maps_free(&m);
	assert_int_equal(m.n, 0);

	/* a bad line is reported with its number */
	snprintf(buf, len, "1000-2000 rw-p 00000000 00:00 0\nnot a maps line\n");
	f = fmemopen(buf, strlen(buf), "r");
	assert_int_equal(pa_maps_parse(f, &m, &bad), -1);
	assert_int_equal(bad, 2);
	fclose(f);
	pa_maps_free(&m);
	free(buf);
}

/* --- classification (doc/kernel-notes.md section 6) --- */

#define PRESENT (1ULL << 63)
#define SWAP (1ULL << 62)
#define KF_ANON_EXCL (PA_BIT(ANON) | PA_BIT(OWNER_2) | PA_BIT(MMAP))
#define KF_ANON (PA_BIT(ANON) | PA_BIT(MMAP))

static void kinfo(struct pa_kinfo *k, int major, int minor)
{
	struct pa_kver v = { major, minor, 0 };

	pa_kinfo_from_version(k, &v);
	k->pagemap_scan = PA_NO;
	k->kpagecount_ok = true;
	if (k->mapcount == PA_MAPCOUNT_UNKNOWN)	/* 6.15+: as on the test machine */
		k->mapcount = PA_MAPCOUNT_PAGE;
}

static enum pa_unknown_reason why(const struct pa_kinfo *k, uint64_t pme, uint64_t kf,
				  uint64_t kc, unsigned pg)
{
	enum pa_unknown_reason r = PA_UR__N;

	assert_int_equal(pa_classify_why(k, pme, kf, kc, pg, &r), PA_ST_UNKNOWN);
	return r;
}

static void test_classify_small(void **state)
{
	struct pa_kinfo k;
	unsigned pg = PA_PG_HAVE_KPAGE;

	(void)state;
	kinfo(&k, 6, 18);
	assert_int_equal(pa_classify(&k, 0, 0, 0, 0), PA_ST_NONE);
	assert_int_equal(pa_classify(&k, PRESENT | 5, KF_ANON_EXCL, 1, pg), PA_ST_ANON_EXCLUSIVE);
	assert_int_equal(pa_classify(&k, PRESENT | 5, KF_ANON, 2, pg), PA_ST_ANON_SHARED);
	assert_int_equal(pa_classify(&k, PRESENT | 5, KF_ANON, 1, pg), PA_ST_ANON_SOLE);
	assert_int_equal(pa_classify(&k, PRESENT | 5, KF_ANON | PA_BIT(KSM), 2, pg), PA_ST_KSM);
	assert_int_equal(pa_classify(&k, PRESENT | 5, PA_BIT(ZERO_PAGE) | PA_BIT(RESERVED), 0, pg),
			 PA_ST_ZERO);
	/* huge zero page: THP + ZERO_PAGE, PM_FILE set, still "zero" */
	assert_int_equal(pa_classify(&k, PRESENT | PM_FILE | 5,
				     PA_BIT(ZERO_PAGE) | PA_BIT(THP) | PA_BIT(COMPOUND_HEAD), 0, pg),
			 PA_ST_ZERO);
	assert_int_equal(pa_classify(&k, PRESENT | PM_FILE | 5, PA_BIT(MMAP) | PA_BIT(SWAPBACKED), 1, pg),
			 PA_ST_FILE);
	/* PFN hidden, or kpageflags not read */
	assert_int_equal(pa_classify(&k, PRESENT, 0, 0, 0), PA_ST_UNKNOWN);
	assert_int_equal(pa_classify(&k, PRESENT | 5, KF_ANON_EXCL, 1, 0), PA_ST_UNKNOWN);
	/* the KPF_KSM bug makes the flag meaningless */
	k.ksm_flag_bug = PA_YES;
	assert_int_equal(pa_classify(&k, PRESENT | 5, KF_ANON_EXCL | PA_BIT(KSM), 1, pg),
			 PA_ST_ANON_EXCLUSIVE);
}

static void test_classify_nonpresent(void **state)
{
	struct pa_kinfo k;

	(void)state;
	kinfo(&k, 6, 18);
	assert_int_equal(pa_classify(&k, SWAP | (1 << 5) | 0, 0, 0, 0), PA_ST_SWAPPED);
	assert_int_equal(pa_classify(&k, SWAP | (7 << 5) | 3, 0, 0, 0), PA_ST_SWAPPED);
	assert_int_equal(pa_classify(&k, SWAP | PM_GUARD_REGION | (4 << 5) | 31, 0, 0, 0), PA_ST_SPECIAL);
	assert_int_equal(pa_classify(&k, SWAP | PM_UFFD_WP | (1 << 5) | 31, 0, 0, 0), PA_ST_SPECIAL);
	assert_int_equal(pa_classify(&k, SWAP | (0x1234 << 5) | 28, 0, 0, 0), PA_ST_SPECIAL);
	/* hidden swap field with the uffd-wp bit: a marker */
	assert_int_equal(pa_classify(&k, SWAP | PM_UFFD_WP, 0, 0, 0), PA_ST_SPECIAL);
}

static void test_classify_large_folios(void **state)
{
	const uint64_t head = KF_ANON_EXCL | PA_BIT(THP) | PA_BIT(COMPOUND_HEAD);
	const uint64_t tail618 = KF_ANON_EXCL | PA_BIT(THP) | PA_BIT(COMPOUND_TAIL);
	const uint64_t tail66 = KF_ANON | PA_BIT(THP) | PA_BIT(COMPOUND_TAIL);
	unsigned pg = PA_PG_HAVE_KPAGE;
	struct pa_kinfo k;

	(void)state;
	/* 6.10+: tails report the head's bit: exact only when PMD-mapped */
	kinfo(&k, 6, 18);
	assert_int_equal(pa_classify(&k, PRESENT | 9, head, 1, pg), PA_ST_ANON_EXCLUSIVE);
	assert_int_equal(pa_classify(&k, PRESENT | 9, tail618, 1, pg), PA_ST_UNKNOWN);
	assert_int_equal(pa_classify(&k, PRESENT | 9, tail618, 1, pg | PA_PG_PMD_MAPPED),
			 PA_ST_ANON_EXCLUSIVE);
	/* hugetlb tails: the head's bit is the right answer */
	assert_int_equal(pa_classify(&k, PRESENT | 9, tail618 | PA_BIT(HUGE), 1, pg),
			 PA_ST_ANON_EXCLUSIVE);
	/* 5.19-6.9: per-page flags; PMD-mapped tails need the head */
	kinfo(&k, 6, 6);
	assert_int_equal(pa_classify(&k, PRESENT | 9, tail66, 1, pg | PA_PG_PMD_MAPPED), PA_ST_UNKNOWN);
	assert_int_equal(pa_classify(&k, PRESENT | 9, tail66, 1,
				     pg | PA_PG_PMD_MAPPED | PA_PG_HEAD_KNOWN | PA_PG_HEAD_EXCL),
			 PA_ST_ANON_EXCLUSIVE);
	assert_int_equal(pa_classify(&k, PRESENT | 9, tail66, 2,
				     pg | PA_PG_PMD_MAPPED | PA_PG_HEAD_KNOWN), PA_ST_ANON_SHARED);
	/* without PAGEMAP_SCAN a clear tail bit is ambiguous if the head has it */
	assert_int_equal(pa_classify(&k, PRESENT | 9, tail66, 1,
				     pg | PA_PG_HEAD_KNOWN | PA_PG_HEAD_EXCL), PA_ST_UNKNOWN);
	/* PTE-mapped tail with its own bit (per page before 6.10): exact */
	assert_int_equal(pa_classify(&k, PRESENT | 9, tail66 | PA_BIT(OWNER_2), 1, pg),
			 PA_ST_ANON_EXCLUSIVE);
	/* before 5.19 nothing says exclusive */
	kinfo(&k, 5, 15);
	assert_int_equal(why(&k, PRESENT | 5, KF_ANON_EXCL, 1, pg), PA_UR_NO_EXCLUSIVE_BIT);
	assert_int_equal(pa_classify(&k, PRESENT | 5, KF_ANON_EXCL, 1, pg), PA_ST_UNKNOWN);
	assert_int_equal(pa_classify(&k, PRESENT | 5, KF_ANON, 3, pg), PA_ST_ANON_SHARED);
}

/* One definition: mapped twice by exact count is anon_shared (issue: a
 * THP split by COW in the child was "unknown" in the totals but "shared" in
 * the sharing matrix). */
static void test_classify_mapcount(void **state)
{
	const uint64_t head = KF_ANON | PA_BIT(THP) | PA_BIT(COMPOUND_HEAD);
	const uint64_t tail = KF_ANON | PA_BIT(THP) | PA_BIT(COMPOUND_TAIL);
	unsigned pg = PA_PG_HAVE_KPAGE;
	struct pa_kinfo k;

	(void)state;
	kinfo(&k, 6, 18);
	k.mapcount = PA_MAPCOUNT_PAGE;
	/* PTE-mapped tail: bit 34 is the head's, the count is the page's */
	assert_int_equal(pa_classify(&k, PRESENT | 9, tail, 2, pg), PA_ST_ANON_SHARED);
	assert_int_equal(pa_classify(&k, PRESENT | 9, tail | PA_BIT(OWNER_2), 2, pg), PA_ST_ANON_SHARED);
	assert_int_equal(why(&k, PRESENT | 9, tail | PA_BIT(OWNER_2), 1, pg), PA_UR_TAIL_MAPPED_ONCE);
	assert_int_equal(why(&k, PRESENT | 9, tail, 1, pg), PA_UR_TAIL_MAPPED_ONCE);
	/* mapped twice is never exclusive, whatever bit 34 says */
	assert_int_equal(pa_classify(&k, PRESENT | 9, tail | PA_BIT(OWNER_2), 2, pg | PA_PG_PMD_MAPPED),
			 PA_ST_ANON_SHARED);
	assert_int_equal(pa_classify(&k, PRESENT | 9, KF_ANON_EXCL, 2, pg), PA_ST_ANON_SHARED);
	assert_int_equal(pa_classify(&k, PRESENT | 9, head, 1, pg), PA_ST_ANON_SOLE);

	/* CONFIG_NO_PAGE_MAPCOUNT: large-folio counts prove nothing */
	k.mapcount = PA_MAPCOUNT_AVERAGE;
	assert_int_equal(why(&k, PRESENT | 9, tail, 2, pg), PA_UR_MAPCOUNT_AVERAGE);
	assert_int_equal(why(&k, PRESENT | 9, tail, 1, pg), PA_UR_MAPCOUNT_AVERAGE);
	assert_int_equal(why(&k, PRESENT | 9, head, 2, pg), PA_UR_MAPCOUNT_AVERAGE);
	assert_int_equal(pa_classify(&k, PRESENT | 9, head | PA_BIT(OWNER_2), 1, pg),
			 PA_ST_ANON_EXCLUSIVE);
	/* small pages and hugetlb stay exact */
	assert_int_equal(pa_classify(&k, PRESENT | 9, KF_ANON, 2, pg), PA_ST_ANON_SHARED);
	assert_int_equal(pa_classify(&k, PRESENT | 9, KF_ANON, 1, pg), PA_ST_ANON_SOLE);
	assert_int_equal(pa_classify(&k, PRESENT | 9, tail | PA_BIT(HUGE), 2, pg), PA_ST_ANON_SHARED);
	k.mapcount = PA_MAPCOUNT_UNKNOWN;
	assert_int_equal(why(&k, PRESENT | 9, tail, 2, pg), PA_UR_MAPCOUNT_AVERAGE);

	/* kpagecount unreadable: not exclusive means nothing more */
	k.mapcount = PA_MAPCOUNT_PAGE;
	k.kpagecount_ok = false;
	assert_int_equal(why(&k, PRESENT | 9, KF_ANON, 0, pg), PA_UR_KPAGE_UNREADABLE);
	assert_int_equal(pa_classify(&k, PRESENT | 9, KF_ANON_EXCL, 0, pg), PA_ST_ANON_EXCLUSIVE);
	/* hidden PFN, kpage* not read */
	assert_int_equal(why(&k, PRESENT, 0, 0, 0), PA_UR_PFN_HIDDEN);
	/* the reduced view: bit 56 and bit 61 are visible without PFNs */
	assert_int_equal(why(&k, PRESENT | PM_MMAP_EXCLUSIVE, 0, 0, 0), PA_UR_PFN_HIDDEN_ONCE);
	assert_int_equal(pa_classify(&k, PRESENT | PM_FILE, 0, 0, 0), PA_ST_FILE);
	assert_int_equal(why(&k, PRESENT | 9, 0, 0, 0), PA_UR_KPAGE_UNREADABLE);
}

static void test_counts(void **state)
{
	struct pa_counts c = { 0 }, d = { 0 };
	struct pa_kinfo k;

	(void)state;
	kinfo(&k, 6, 18);
	pa_counts_page(&c, &k, PRESENT | PM_MMAP_EXCLUSIVE | 5, KF_ANON_EXCL | PA_BIT(THP), 1,
		       PA_PG_HAVE_KPAGE, PA_ST_ANON_EXCLUSIVE);
	pa_counts_page(&c, &k, SWAP | PM_GUARD_REGION | 31, 0, 0, 0, PA_ST_SPECIAL);
	assert_int_equal(c.present, 1);
	assert_int_equal(c.anon, 1);
	assert_int_equal(c.thp, 1);
	assert_int_equal(c.mmap_exclusive, 1);
	assert_int_equal(c.guard, 1);
	assert_int_equal(c.state[PA_ST_ANON_EXCLUSIVE], 1);
	assert_int_equal(c.state[PA_ST_SPECIAL], 1);
	assert_int_equal(pa_counts_populated(&c), 2);
	/* unknown pages are counted by reason */
	pa_counts_page(&c, &k, PRESENT, 0, 0, 0, PA_ST_UNKNOWN);
	pa_counts_page(&c, &k, PRESENT | 7, KF_ANON | PA_BIT(THP) | PA_BIT(COMPOUND_TAIL), 1,
		       PA_PG_HAVE_KPAGE, PA_ST_UNKNOWN);
	assert_int_equal(c.unknown[PA_UR_PFN_HIDDEN], 1);
	assert_int_equal(c.unknown[PA_UR_TAIL_MAPPED_ONCE], 1);
	assert_int_equal(pa_counts_main_unknown(&c), PA_UR_PFN_HIDDEN);
	c.unknown[PA_UR_PFN_HIDDEN] = c.unknown[PA_UR_TAIL_MAPPED_ONCE] = 0;
	c.state[PA_ST_UNKNOWN] = 0;
	c.present -= 2;
	c.anon -= 1;
	c.thp -= 1;
	pa_counts_add(&d, &c);
	pa_counts_add(&d, &c);
	assert_int_equal(d.present, 2);
	assert_int_equal(pa_counts_populated(&d), 4);
	assert_string_equal(pa_state_name(PA_ST_ANON_SOLE), "anon_sole");
	assert_string_equal(pa_state_name(PA_ST_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_anon),
		cmocka_unit_test(test_line_names),
		cmocka_unit_test(test_line_rejects),
		cmocka_unit_test(test_whole_file),
		cmocka_unit_test(test_classify_small),
		cmocka_unit_test(test_classify_nonpresent),
		cmocka_unit_test(test_classify_large_folios),
		cmocka_unit_test(test_classify_mapcount),
		cmocka_unit_test(test_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
