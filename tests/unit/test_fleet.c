// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of --all's pieces: systemd units from cgroup paths and the
 * PFN cache (procs.c, pfncache.c). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "page-anon.h"
#include "pfncache.h"
#include "procs.h"

static void unit_of(const char *path, const char *want)
{
	char buf[256];

	pa_cgroup_unit(path, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_cgroup_unit(void **state)
{
	(void)state;
	unit_of("/system.slice/nginx.service", "nginx.service");
	unit_of("/system.slice/docker-0123.scope", "docker-0123.scope");
	unit_of("/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope", "user@1000.service");
	unit_of("/user.slice/user-1000.slice/session-3.scope", "session-3.scope");
	unit_of("/init.scope", "init.scope");
	unit_of("/system.slice/postgresql@15-main.service/sub", "postgresql@15-main.service");
	unit_of("/system.slice", "");
	unit_of("/", "");
	unit_of("", "");
	unit_of("/process_api/6c95f8c3", "");
	unit_of("/machine.slice/libpod-abc.scope/container", "libpod-abc.scope");
}

/* One lookup/insert round for a single PFN. */
static int round1(struct pa_pfncache *c, uint64_t pfn, uint64_t *kf, uint64_t *kc)
{
	uint8_t want = 1, hit;
	uint64_t f = 0, n = 0;

	pa_pfncache_lookup(c, &pfn, &want, 1, &f, &n, &hit);
	if (hit) {
		*kf = f;
		*kc = n;
		return 1;
	}
	pa_pfncache_insert(c, &pfn, &want, &hit, 1, kf, kc);
	return 0;
}

static void test_pfncache_mappings(void **state)
{
	struct pa_pfncache *c = pa_pfncache_new(0);
	struct pa_pfncache_stats st;
	uint64_t kf = 0x1234, kc = 3, f, n;

	(void)state;
	/* a page mapped 3 times: read once, found twice, then gone */
	assert_int_equal(round1(c, 42, &kf, &kc), 0);
	f = 0, n = 0;
	assert_int_equal(round1(c, 42, &f, &n), 1);
	assert_int_equal(f, 0x1234);
	assert_int_equal(n, 3);
	assert_int_equal(round1(c, 42, &f, &n), 1);
	pa_pfncache_stats(c, &st);
	assert_int_equal(st.entries, 0);
	/* the zero page (count 0) stays */
	kf = 1u << 24, kc = 0;
	assert_int_equal(round1(c, 7, &kf, &kc), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(round1(c, 7, &f, &n), 1);
	/* mapped once: not kept */
	kc = 1;
	assert_int_equal(round1(c, 9, &kf, &kc), 0);
	assert_int_equal(round1(c, 9, &kf, &kc), 0);
	pa_pfncache_stats(c, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.hits, 102);
	pa_pfncache_free(c);
}

/* Many entries over many leaves, half of them leaving: the others must
 * still be found, and emptied leaves freed. */
static void test_pfncache_many(void **state)
{
	enum { N = 100000 };
	struct pa_pfncache *c = pa_pfncache_new(0);
	static uint64_t pfn[N], kf[N], kc[N], f[N], n[N];
	static uint8_t want[N], hit[N];
	struct pa_pfncache_stats st;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		pfn[i] = 1 + i * 3;	/* over many leaves */
		kf[i] = i;
		kc[i] = 2;
		want[i] = 1;
	}
	assert_int_equal(pa_pfncache_lookup(c, pfn, want, N, f, n, hit), 0);
	pa_pfncache_insert(c, pfn, want, hit, N, kf, kc);
	/* every other one is met a second time: it leaves */
	for (size_t i = 0; i < N; i++)
		want[i] = i % 2;
	assert_int_equal(pa_pfncache_lookup(c, pfn, want, N, f, n, hit), N / 2);
	for (size_t i = 1; i < N; i += 2)
		assert_int_equal(f[i], i);
	pa_pfncache_stats(c, &st);
	assert_int_equal(st.entries, N / 2);
	for (size_t i = 0; i < N; i++)
		want[i] = 1;
	assert_int_equal(pa_pfncache_lookup(c, pfn, want, N, f, n, hit), N / 2);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(hit[i], i % 2 == 0);
		if (hit[i])
			assert_int_equal(f[i], i);
	}
	pa_pfncache_stats(c, &st);
	assert_int_equal(st.entries, 0);
	pa_pfncache_free(c);
}

/* At its size limit the cache refuses entries instead of growing. */
static void test_pfncache_limit(void **state)
{
	enum { N = 20000 };
	struct pa_pfncache *c = pa_pfncache_new(9 * 8192);
	static uint64_t pfn[N], kf[N], kc[N];
	static uint8_t want[N], hit[N];
	struct pa_pfncache_stats st;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		pfn[i] = i + 1;
		kc[i] = 5;
		want[i] = 1;
	}
	pa_pfncache_insert(c, pfn, want, hit, N, kf, kc);
	pa_pfncache_stats(c, &st);
	/* 8 leaves of 512 PFNs (a leaf is a little more than 8 KiB), the
	 * first without PFN 0 */
	assert_int_equal(st.entries, 8 * 512 - 1);
	assert_true(st.full > 0);
	assert_int_equal(st.entries + st.full, N);
	pa_pfncache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_unit),
		cmocka_unit_test(test_pfncache_mappings),
		cmocka_unit_test(test_pfncache_many),
		cmocka_unit_test(test_pfncache_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
