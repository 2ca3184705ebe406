// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the field table (src/fields.c): it covers every counter
 * of struct pa_counts exactly once, its names and keys are unique, and
 * the consumers that only need the table (pa_counts_add, -o parsing,
 * sorting) follow it.
 */
#include "config.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "page-anon.h"
#include "fleet.h"

#define NSLOTS (sizeof(struct pa_counts) / sizeof(uint64_t))

static void test_counts_covered(void **state)
{
	unsigned used[NSLOTS] = { 0 };

	(void)state;
	/* struct pa_counts is nothing but uint64_t counters */
	assert_int_equal(sizeof(struct pa_counts) % sizeof(uint64_t), 0);
	for (int i = 0; i < PA_F__N; i++) {
		const struct pa_field *f = &pa_fields[i];

		if (f->kind != PA_FIELD_PAGES)
			continue;
		assert_int_equal(f->fmt, PA_FMT_PAGES);
		assert_int_equal(f->offset % sizeof(uint64_t), 0);
		assert_true(f->offset / sizeof(uint64_t) < NSLOTS);
		assert_true(f->json || (f->flags & PA_FIELD_HIDDEN));
		used[f->offset / sizeof(uint64_t)]++;
	}
	for (size_t k = 0; k < NSLOTS; k++)
		if (used[k] != 1)
			fail_msg("counter %zu of struct pa_counts is in the field table %u times", k,
				 used[k]);
	/* the states keep their names as JSON keys */
	for (int st = 0; st < PA_ST__N; st++) {
		bool found = false;

		for (int i = 0; i < PA_F__N; i++)
			if (pa_fields[i].kind == PA_FIELD_PAGES &&
			    pa_fields[i].offset == offsetof(struct pa_counts, state) + st * sizeof(uint64_t)) {
				assert_string_equal(pa_fields[i].json, pa_state_name((enum pa_state)st));
				found = true;
			}
		assert_true(found);
	}
}

static void test_names_unique(void **state)
{
	(void)state;
	for (int i = 0; i < PA_F__N; i++) {
		const struct pa_field *f = &pa_fields[i];

		assert_non_null(f->name);
		assert_non_null(f->header);
		assert_non_null(f->help);
		assert_int_equal(pa_field_lookup(f->name), f->flags & PA_FIELD_HIDDEN ? -1 : i);
		/* self-explaining headers: the name a user gives -o */
		for (size_t k = 0; k <= strlen(f->name); k++)
			assert_int_equal(f->header[k], toupper((unsigned char)f->name[k]));
		for (int j = 0; j < i; j++) {
			assert_string_not_equal(f->name, pa_fields[j].name);
			assert_string_not_equal(f->header, pa_fields[j].header);
			if (f->json && pa_fields[j].json)
				assert_string_not_equal(f->json, pa_fields[j].json);
		}
	}
	assert_int_equal(pa_field_lookup("nonesuch"), -1);
	/* the variable-width name is the last column */
	for (int i = PA_F_NAME + 1; i < PA_F__N; i++)
		assert_true(pa_fields[i].flags & PA_FIELD_HIDDEN);
	for (int i = 0; i <= PA_F_NAME; i++)
		assert_false(pa_fields[i].flags & PA_FIELD_HIDDEN);
	assert_true(pa_fields[PA_F_NAME].flags & PA_FIELD_LEFT);
}

static void test_counts_add(void **state)
{
	struct pa_counts a, b;
	uint64_t va[NSLOTS], vb[NSLOTS];

	(void)state;
	for (size_t k = 0; k < NSLOTS; k++) {
		va[k] = 1000 + k;
		vb[k] = 7 * k + 1;
	}
	memcpy(&a, va, sizeof(a));
	memcpy(&b, vb, sizeof(b));
	pa_counts_add(&a, &b);
	memcpy(va, &a, sizeof(a));
	for (size_t k = 0; k < NSLOTS; k++)
		assert_int_equal(va[k], 1000 + k + 7 * k + 1);
	for (int i = 0; i < PA_F__N; i++)
		if (pa_fields[i].kind == PA_FIELD_PAGES)
			assert_int_equal(pa_field_count(&a, i),
					 va[pa_fields[i].offset / sizeof(uint64_t)]);
	assert_int_equal(pa_field_count(&a, PA_F_START), 0);
	/* fractional counters: PSS in 1/65536 pages, bytes rounded down */
	assert_int_equal(pa_field_bytes(PA_F_RSS, 3, 4096), 3 * 4096);
	assert_int_equal(pa_field_bytes(PA_F_PSS, 3ULL << 16 | 1ULL << 15, 4096), 3 * 4096 + 2048);
	a.pss_q16 = (5ULL << 16) / 3;	/* 5/3 pages */
	assert_int_equal(pa_field_bytes(PA_F_PSS, pa_field_count(&a, PA_F_PSS), 4096),
			 pa_pss_bytes(&a, 4096));
}

static void test_columns_parse(void **state)
{
	int col[64];
	size_t n, ndef;
	char err[128];

	(void)state;
	assert_int_equal(pa_columns_parse(NULL, col, 64, &ndef, err, sizeof(err)), 0);
	assert_int_equal(col[0], PA_F_START);
	assert_int_equal(col[ndef - 1], PA_F_NAME);
	for (size_t i = 0; i < ndef; i++)
		assert_true(pa_fields[col[i]].flags & PA_FIELD_DEFAULT);
	assert_int_equal(pa_columns_parse("rss,name", col, 64, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(col[0], PA_F_RSS);
	assert_int_equal(col[1], PA_F_NAME);
	assert_int_equal(pa_columns_parse("rss,bogus", col, 64, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bogus"));
	assert_int_equal(pa_columns_parse("", col, 64, &n, err, sizeof(err)), -1);
	/* +list: added before the name, which stays the last column */
	assert_int_equal(pa_columns_parse("+thp,mmap_excl", col, 64, &n, err, sizeof(err)), 0);
	assert_int_equal(n, ndef + 2);
	assert_int_equal(col[ndef - 1], PA_F_THP);
	assert_int_equal(col[ndef], PA_F_MMAP_EXCL);
	assert_int_equal(col[ndef + 1], PA_F_NAME);
	assert_int_equal(pa_columns_parse("+", col, 64, &n, err, sizeof(err)), 0);
	assert_int_equal(n, ndef);
	assert_int_equal(col[n - 1], PA_F_NAME);
	/* named explicitly: where the user put it */
	assert_int_equal(pa_columns_parse("+name,thp", col, 64, &n, err, sizeof(err)), 0);
	assert_int_equal(n, ndef + 1);
	assert_int_equal(col[ndef - 1], PA_F_NAME);
	assert_int_equal(col[ndef], PA_F_THP);
}

/* Map counts are read for the text report only when USS or PSS shows. */
static void test_need_mapcount(void **state)
{
	(void)state;
	assert_false(pa_columns_need_mapcount(NULL, NULL));
	assert_false(pa_columns_need_mapcount("+thp,mmap_excl", "-excl"));
	assert_false(pa_columns_need_mapcount("start,rss,name", NULL));
	assert_true(pa_columns_need_mapcount("+uss", NULL));
	assert_true(pa_columns_need_mapcount("start,pss,name", NULL));
	assert_true(pa_columns_need_mapcount(NULL, "-pss"));
	assert_true(pa_columns_need_mapcount(NULL, "uss"));
	/* what does not parse is refused later; never guess "not needed" */
	assert_true(pa_columns_need_mapcount("nosuchcolumn", NULL));
	assert_true(pa_columns_need_mapcount(NULL, "nosuchcolumn"));
	/* every field that needs them is one of the two */
	for (int i = 0; i < PA_F__N; i++)
		if (pa_fields[i].flags & PA_FIELD_MAPCOUNT)
			assert_true(i == PA_F_USS || i == PA_F_PSS);
}

static void test_cmp_vma(void **state)
{
	struct pa_vma_report a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.vma.start = 0x1000, a.vma.end = 0x5000, a.vma.name = (char *)"[heap]";
	b.vma.start = 0x9000, b.vma.end = 0xa000, b.vma.name = (char *)"";
	a.c.state[PA_ST_ANON_SHARED] = 1;
	b.c.state[PA_ST_ANON_SHARED] = 3;
	strcpy(a.vma.perms, "rw-p");
	strcpy(b.vma.perms, "r--p");
	assert_int_equal(pa_field_cmp_vma(&a, &b, PA_F_START, 4096), -1);
	assert_int_equal(pa_field_cmp_vma(&a, &b, PA_F_SIZE, 4096), 1);	/* 4 > 1 pages */
	assert_int_equal(pa_field_value(&a, PA_F_SIZE, 4096), 4);
	assert_int_equal(pa_field_cmp_vma(&a, &b, PA_F_SHARED, 4096), -1);
	assert_int_equal(pa_field_cmp_vma(&a, &b, PA_F_NAME, 4096), 1);	/* "" first */
	assert_int_equal(pa_field_cmp_vma(&a, &b, PA_F_PERMS, 4096), 1);	/* "r--p" first */
	assert_int_equal(pa_field_cmp_vma(&a, &a, PA_F_RSS, 4096), 0);
}

/* --all's columns are fields of the table under the report's names; the
 * former --all names stay accepted (-o, --sort). */
static void test_all_columns(void **state)
{
	int col[64];
	size_t n, ndef;
	char err[128];

	(void)state;
	for (int i = 0; i < PA_F__N; i++) {
		const struct pa_field *f = &pa_fields[i];

		if (pa_field_is_all(i))
			assert_int_equal(pa_field_lookup_all(f->name), i);
		if (!f->alias)
			continue;
		/* an alias is no other field's name or alias */
		for (int j = 0; j < PA_F__N; j++) {
			assert_string_not_equal(f->alias, pa_fields[j].name);
			if (j != i && pa_fields[j].alias)
				assert_string_not_equal(f->alias, pa_fields[j].alias);
		}
	}
	assert_int_equal(pa_field_lookup_all("exclusive"), PA_F_EXCL);
	assert_int_equal(pa_field_lookup_all("excl"), PA_F_EXCL);
	assert_int_equal(pa_field_lookup_all("swapped"), PA_F_SWAP);
	assert_int_equal(pa_field_lookup_all("swap"), PA_F_SWAP);
	assert_int_equal(pa_field_lookup("exclusive"), PA_F_EXCL);
	assert_int_equal(pa_field_lookup_all("rss"), PA_F_RSS);
	assert_int_equal(pa_field_lookup_all("smaps_rss"), PA_F_SMAPS_RSS);
	assert_int_equal(pa_field_lookup_all("pid"), PA_F_PID);
	assert_int_equal(pa_field_lookup("pid"), -1);	/* not a VMA column */
	assert_int_equal(pa_field_lookup_all("start"), -1);
	assert_int_equal(pa_field_lookup_all("pinned"), -1);	/* -p only */
	assert_int_equal(pa_field_lookup_all(pa_fields[PA_F_UR_MAPCOUNT].name), -1);
	assert_int_equal(pa_field_state(PA_F_EXCL), PA_ST_ANON_EXCLUSIVE);
	assert_int_equal(pa_field_state(PA_F_UNKNOWN), PA_ST_UNKNOWN);
	assert_int_equal(pa_field_state(PA_F_USS), -1);
	assert_int_equal(pa_field_state(PA_F_PID), -1);
	assert_string_equal(pa_field_metric(PA_F_SMAPS_RSS), "rss");
	assert_string_equal(pa_field_metric(PA_F_PSS), "pss");
	assert_string_equal(pa_field_metric(PA_F_USS), "uss");

	/* defaults: processes, and groups (procs, no per-process column) */
	assert_int_equal(pa_all_cols_parse(NULL, false, col, 64, &ndef, err, sizeof(err)), 0);
	assert_int_equal(col[0], PA_F_PID);
	assert_int_equal(col[3], PA_F_SMAPS_RSS);
	assert_int_equal(col[ndef - 1], PA_F_UNKNOWN);
	assert_int_equal(pa_all_cols_parse(NULL, true, col, 64, &n, err, sizeof(err)), 0);
	assert_int_equal(col[0], PA_F_PROCS);
	assert_int_equal(n, ndef + 1 - 3);
	for (size_t i = 0; i < n; i++)
		assert_false(pa_fields[col[i]].flags & PA_FIELD_PER_PROC);
	/* new names and the former ones */
	assert_int_equal(pa_all_cols_parse("pid,exclusive,excl,swapped,swap,thp", false, col, 64, &n,
					   err, sizeof(err)), 0);
	assert_int_equal(n, 6);
	assert_int_equal(col[1], PA_F_EXCL);
	assert_int_equal(col[2], PA_F_EXCL);
	assert_int_equal(col[3], PA_F_SWAP);
	assert_int_equal(col[4], PA_F_SWAP);
	assert_int_equal(col[5], PA_F_THP);
	assert_int_equal(pa_all_cols_parse("+anon", false, col, 64, &n, err, sizeof(err)), 0);
	assert_int_equal(n, ndef + 1);
	assert_int_equal(col[ndef], PA_F_ANON);
	assert_int_equal(pa_all_cols_parse("pid,start", false, col, 64, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "start"));
	assert_int_equal(pa_all_cols_parse("user", true, col, 64, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "per process"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_covered),
		cmocka_unit_test(test_names_unique),
		cmocka_unit_test(test_counts_add),
		cmocka_unit_test(test_columns_parse),
		cmocka_unit_test(test_cmp_vma),
		cmocka_unit_test(test_need_mapcount),
		cmocka_unit_test(test_all_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
