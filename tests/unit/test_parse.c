// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the command-line spec parsers (src/parse.c): numbers,
 * PIDs, page-types' addr-spec, flag names and bits-spec, and the filter;
 * and the /proc/PID/stat parser (src/session.c).
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "page-anon.h"

static struct pa_flagtab t618, t612, t611, t603, t604, t515;

static int setup(void **state)
{
	static const struct {
		struct pa_flagtab *t;
		int major, minor;
	} v[] = {
		{ &t618, 6, 18 }, { &t612, 6, 12 }, { &t611, 6, 11 },
		{ &t603, 6, 3 }, { &t604, 6, 4 }, { &t515, 5, 15 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PA_ARRAY_SIZE(v); i++) {
		struct pa_kver k = { v[i].major, v[i].minor, 0 };

		pa_flagtab_init(v[i].t, &k, false);
	}
	return 0;
}

/* ---- numbers ------------------------------------------------------------- */

static void test_u64(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
		{ "0", 0 }, { "10", 10 }, { "0x10", 16 }, { "0X1f", 31 }, { "010", 8 },
		{ "00", 0 }, { "18446744073709551615", UINT64_MAX },
		{ "0xffffffffffffffff", UINT64_MAX },
	};
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "0x", "08", "0x1g", "1k", "abc",
		"18446744073709551616", "0x10000000000000000", "1,2", "\t5",
	};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < PA_ARRAY_SIZE(ok); i++) {
		v = 12345;
		if (pa_parse_u64(ok[i].s, &v))
			fail_msg("'%s' rejected", ok[i].s);
		assert_int_equal(v, ok[i].v);
	}
	for (i = 0; i < PA_ARRAY_SIZE(bad); i++) {
		v = 12345;
		if (pa_parse_u64(bad[i], &v) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(v, 12345);
	}
	assert_int_equal(pa_parse_u64(NULL, &v), -1);
}

static void test_pid(void **state)
{
	static const char *const bad[] = {
		"", "0", "-1", "2147483648", "99999999999999999999", "1x", " 1", "+1",
	};
	pid_t pid;
	size_t i;

	(void)state;
	assert_int_equal(pa_parse_pid("1", &pid), 0);
	assert_int_equal(pid, 1);
	assert_int_equal(pa_parse_pid("4194304", &pid), 0);	/* PID_MAX_LIMIT */
	assert_int_equal(pid, 4194304);
	assert_int_equal(pa_parse_pid("2147483647", &pid), 0);
	assert_int_equal(pid, INT_MAX);
	assert_int_equal(pa_parse_pid("0x10", &pid), 0);
	assert_int_equal(pid, 16);
	for (i = 0; i < PA_ARRAY_SIZE(bad); i++) {
		if (pa_parse_pid(bad[i], &pid) != -1)
			fail_msg("pid '%s' accepted", bad[i]);
	}
}

/* ---- addr-spec ----------------------------------------------------------- */

static void test_addr_accept(void **state)
{
	static const struct {
		const char *s;
		uint64_t start, count;
	} ok[] = {
		{ "5", 5, 1 },
		{ "0", 0, 1 },
		{ "5+3", 5, 3 },
		{ "5,8", 5, 3 },
		{ "5,6", 5, 1 },
		{ "5,", 5, UINT64_MAX - 5 },
		{ "5+", 5, UINT64_MAX - 5 },
		{ "0,", 0, UINT64_MAX },
		{ ",8", 0, 8 },
		{ "+8", 0, 8 },
		{ "0x10,0x20", 16, 16 },
		{ "0x7f0000000+0x10", 0x7f0000000ULL, 16 },
		{ "010+010", 8, 8 },
		{ "1+18446744073709551614", 1, UINT64_MAX - 1 },
		{ "0,18446744073709551615", 0, UINT64_MAX },
	};
	struct pa_addr_range r;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < PA_ARRAY_SIZE(ok); i++) {
		err[0] = '\0';
		if (pa_parse_addr_spec(ok[i].s, &r, err, sizeof(err)))
			fail_msg("'%s' rejected: %s", ok[i].s, err);
		if (r.start != ok[i].start || r.count != ok[i].count)
			fail_msg("'%s': start %#llx count %#llx", ok[i].s,
				 (unsigned long long)r.start, (unsigned long long)r.count);
	}
}

static void test_addr_reject(void **state)
{
	static const struct {
		const char *s;
		const char *msg;	/* part of the error message */
	} bad[] = {
		{ "", "empty" },
		{ ",", "no page number" },
		{ "+", "no page number" },
		{ "8,5", "below start" },
		{ "5,5", "no pages" },
		{ "5+0", "no pages" },
		{ ",0", "no pages" },
		{ "abc", "invalid address range 'abc'" },
		{ "5+x", "invalid" },
		{ "x,5", "invalid" },
		{ "1,2,3", "invalid" },
		{ "1+2+3", "invalid" },
		{ "-1", "invalid" },
		{ "5,-1", "invalid" },
		{ " 5", "invalid" },
		{ "99999999999999999999", "too large" },
		{ "18446744073709551615+1", "overflows" },
		{ "2+18446744073709551614", "overflows" },
	};
	struct pa_addr_range r = { 7, 7 };
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < PA_ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		if (pa_parse_addr_spec(bad[i].s, &r, err, sizeof(err)) != -1)
			fail_msg("'%s' accepted", bad[i].s);
		if (!strstr(err, bad[i].msg))
			fail_msg("'%s': error '%s' lacks '%s'", bad[i].s, err, bad[i].msg);
	}
	assert_int_equal(r.start, 7);
	assert_int_equal(r.count, 7);
	/* a NULL or zero-size err buffer is allowed */
	assert_int_equal(pa_parse_addr_spec("x", &r, NULL, 0), -1);
}

/* ---- flag names ---------------------------------------------------------- */

static void names_ok(const struct pa_flagtab *t, const char *s, bool neg, uint64_t want)
{
	char err[256] = "";
	uint64_t v = 0xdead;

	if (pa_parse_flag_names(t, s, neg, &v, err, sizeof(err)))
		fail_msg("flag names '%s' rejected: %s", s, err);
	if (v != want)
		fail_msg("flag names '%s': %#llx, want %#llx", s, (unsigned long long)v,
			 (unsigned long long)want);
}

static void names_bad(const struct pa_flagtab *t, const char *s, const char *msg)
{
	char err[256] = "";
	uint64_t v = 0xdead;

	if (pa_parse_flag_names(t, s, true, &v, err, sizeof(err)) != -1)
		fail_msg("flag names '%s' accepted: %#llx", s, (unsigned long long)v);
	if (!strstr(err, msg))
		fail_msg("flag names '%s': error '%s' lacks '%s'", s, err, msg);
	assert_int_equal(v, 0xdead);
}

static void test_names_exact_prefix(void **state)
{
	(void)state;
	names_ok(&t618, "anonymous", false, PA_BIT(ANON));
	names_ok(&t618, "anon", false, PA_BIT(ANON));		/* prefix */
	names_ok(&t618, "a", false, PA_BIT(ACTIVE));		/* first in bit order */
	names_ok(&t618, "swap", false, PA_BIT(SWAP));		/* exact beats swapcache */
	names_ok(&t618, "swapc", false, PA_BIT(SWAPCACHE));
	names_ok(&t618, "mmap", false, PA_BIT(MMAP));
	names_ok(&t618, "mmap_", false, PA_BIT(MMAP_EXCLUSIVE));
	names_ok(&t618, "file", false, PA_BIT(FILE));
	names_ok(&t618, "huge", false, PA_BIT(HUGE));
	names_ok(&t618, "arch", false, PA_BIT(ARCH));
	names_ok(&t618, "arch_2", false, PA_BIT(ARCH_2));
	names_ok(&t618, "owner", false, PA_BIT(OWNER_2));
	names_ok(&t618, "owner_p", false, PA_BIT(OWNER_PRIVATE));
	names_ok(&t618, "private", false, PA_BIT(PRIVATE));
	names_ok(&t618, "anon_exclusive", false, PA_BIT(ANON_EXCLUSIVE));
	names_ok(&t618, "zero_page", false, PA_BIT(ZERO_PAGE));
	names_ok(&t618, "idle_page", false, PA_BIT(IDLE));
	names_ok(&t618, "mmap_exclusive", false, PA_BIT(MMAP_EXCLUSIVE));
	/* "compound" and its prefixes are both compound bits, as page-types */
	names_ok(&t618, "compound", false, PA_BITS_COMPOUND);
	names_ok(&t618, "comp", false, PA_BITS_COMPOUND);
	names_ok(&t618, "compound_head", false, PA_BIT(COMPOUND_HEAD));
	names_ok(&t618, "compound_t", false, PA_BIT(COMPOUND_TAIL));
}

static void test_names_versions(void **state)
{
	(void)state;
	names_ok(&t611, "mappedtodisk", false, PA_BIT(OWNER_2));
	names_bad(&t618, "mappedtodisk", "unknown flag name 'mappedtodisk'");
	names_ok(&t618, "owner_2", false, PA_BIT(OWNER_2));
	names_bad(&t611, "owner_2", "unknown flag name");
	names_ok(&t611, "uncached", false, PA_BIT(UNCACHED));
	names_bad(&t612, "uncached", "unknown flag name");
	names_bad(&t618, "uncached", "unknown flag name");
	names_ok(&t603, "slob_free", false, PA_BIT(SLOB_FREE));
	names_bad(&t604, "slob_free", "unknown flag name");
	/* "slob" is no longer a prefix of anything: slub_* do not match */
	names_bad(&t604, "slob", "unknown flag name");
	names_ok(&t604, "sl", false, PA_BIT(SLAB));
	names_bad(&t515, "anon_exclusive", "unknown flag name");
	/* "anon_" matches nothing before 5.19 */
	names_bad(&t515, "anon_", "unknown flag name");
	names_ok(&t618, "anon_", false, PA_BIT(ANON_EXCLUSIVE));
}

static void test_names_own_and_numbers(void **state)
{
	(void)state;
	/* page-anon's own bits are accepted even without --extended */
	names_ok(&t618, "uffd_wp", false, PA_BIT(UFFD_WP));
	names_ok(&t618, "guard", false, PA_BIT(GUARD));
	names_ok(&t618, "arch_3", false, PA_BIT(ARCH_3));
	names_ok(&t515, "uffd_wp,guard", false, PA_BIT(UFFD_WP) | PA_BIT(GUARD));
	names_ok(&t618, "bit0", false, 1);
	names_ok(&t618, "bit42", false, 1ULL << 42);
	names_ok(&t618, "bit63", false, 1ULL << 63);
	names_ok(&t618, "bit39", false, PA_BIT(UNCACHED));	/* not in the 6.18 table */
	names_bad(&t618, "bit64", "unknown flag name 'bit64'");
	names_bad(&t618, "bit", "unknown flag name");
	names_bad(&t618, "bit07", "unknown flag name");
	names_bad(&t618, "bit1x", "unknown flag name");
	/* numbers */
	names_ok(&t618, "0x10", false, 0x10);
	names_ok(&t618, "0x10,anon", false, 0x10 | PA_BIT(ANON));
	names_ok(&t618, "1", false, 1);
	names_ok(&t618, "0", false, 0);
	names_ok(&t618, "0x8000000000000000", false, 1ULL << 63);
	names_bad(&t618, "0x", "invalid flag number '0x'");
	names_bad(&t618, "12ab", "invalid flag number");
	names_bad(&t618, "0x10000000000000000", "invalid flag number");
}

static void test_names_lists(void **state)
{
	(void)state;
	names_ok(&t618, "anon,lru,mmap", false,
		 PA_BIT(ANON) | PA_BIT(LRU) | PA_BIT(MMAP));
	names_ok(&t618, "anon,~lru", false, PA_BIT(ANON));
	names_ok(&t618, "anon,~lru", true, PA_BIT(ANON) | PA_BIT(LRU));
	names_ok(&t618, "~anon", false, 0);
	names_ok(&t618, "~anon", true, PA_BIT(ANON));
	names_ok(&t618, "anon,anon", false, PA_BIT(ANON));
	names_bad(&t618, "foo", "unknown flag name 'foo'");
	names_bad(&t618, "anon,foo,lru", "unknown flag name 'foo'");
	names_bad(&t618, "~foo", "unknown flag name 'foo'");
	names_bad(&t618, "", "empty");
	names_bad(&t618, "anon,", "empty flag name");
	names_bad(&t618, ",anon", "empty flag name");
	names_bad(&t618, "anon,,lru", "empty flag name");
	names_bad(&t618, "~", "after '~'");
	names_bad(&t618, "anon,~", "after '~'");
	names_bad(&t618, "Anon", "unknown flag name");		/* case matters */
	names_bad(&t618, " anon", "unknown flag name");
	names_bad(&t618, "anon=lru", "unknown flag name 'anon=lru'");
	names_bad(&t618, "~~anon", "unknown flag name '~anon'");
}

/* ---- bits-spec and the filter -------------------------------------------- */

static struct pa_bits_filter bits_ok(const char *s)
{
	struct pa_bits_filter f = { 0, 0 };
	char err[256] = "";

	if (pa_parse_bits_spec(&t618, s, &f, err, sizeof(err)))
		fail_msg("bits spec '%s' rejected: %s", s, err);
	return f;
}

static void test_bits_spec_forms(void **state)
{
	const uint64_t anon = PA_BIT(ANON), lru = PA_BIT(LRU);
	struct pa_bits_filter f;

	(void)state;
	/* bit1,bit2: (flags & (bit1|bit2)) != 0 */
	f = bits_ok("anon,lru");
	assert_int_equal(f.mask, anon | lru);
	assert_int_equal(f.bits, PA_ALL_BITS);
	assert_true(pa_bits_match(&f, 1, anon));
	assert_true(pa_bits_match(&f, 1, lru | PA_BIT(MMAP)));
	assert_false(pa_bits_match(&f, 1, PA_BIT(MMAP)));

	/* bit1,bit2=bit1: (flags & (bit1|bit2)) == bit1 */
	f = bits_ok("anon,lru=anon");
	assert_int_equal(f.mask, anon | lru);
	assert_int_equal(f.bits, anon);
	assert_true(pa_bits_match(&f, 1, anon | PA_BIT(MMAP)));
	assert_false(pa_bits_match(&f, 1, anon | lru));

	/* bit1,~bit2: same as above */
	f = bits_ok("anon,~lru");
	assert_int_equal(f.mask, anon | lru);
	assert_int_equal(f.bits, anon);
	assert_true(pa_bits_match(&f, 1, anon));
	assert_false(pa_bits_match(&f, 1, anon | lru));
	assert_false(pa_bits_match(&f, 1, 0));

	/* =bit1,bit2: flags == (bit1|bit2) */
	f = bits_ok("=anon,lru");
	assert_int_equal(f.mask, PA_ALL_BITS);
	assert_int_equal(f.bits, anon | lru);
	assert_true(pa_bits_match(&f, 1, anon | lru));
	assert_false(pa_bits_match(&f, 1, anon | lru | PA_BIT(MMAP)));

	/* ~bit alone: bit clear */
	f = bits_ok("~anon");
	assert_int_equal(f.mask, anon);
	assert_int_equal(f.bits, 0);
	assert_true(pa_bits_match(&f, 1, lru));
	assert_false(pa_bits_match(&f, 1, anon));

	/* page-types also accepts an empty right side: "anon=" is "~anon" */
	f = bits_ok("anon=");
	assert_int_equal(f.mask, anon);
	assert_int_equal(f.bits, 0);
	f = bits_ok("=");
	assert_int_equal(f.mask, PA_ALL_BITS);
	assert_int_equal(f.bits, 0);
	assert_true(pa_bits_match(&f, 1, 0));
	assert_false(pa_bits_match(&f, 1, 1));

	/* numbers and synthetic bits */
	f = bits_ok("0x1000,anon_exclusive=0x1000,anon_exclusive");
	assert_int_equal(f.mask, anon | PA_BIT(ANON_EXCLUSIVE));
	assert_int_equal(f.bits, f.mask);
	f = bits_ok("compound");
	assert_int_equal(f.mask, PA_BITS_COMPOUND);
}

static void test_bits_spec_reject(void **state)
{
	static const struct {
		const char *s, *msg;
	} bad[] = {
		{ "", "empty bits spec" },
		{ "foo", "unknown flag name 'foo'" },
		{ "anon,foo=anon", "unknown flag name 'foo'" },
		{ "anon=foo", "unknown flag name 'foo'" },
		{ "=foo", "unknown flag name 'foo'" },
		{ "anon,~foo", "unknown flag name 'foo'" },
		{ "a=b=c", "more than one '='" },
		{ "anon,,lru", "empty flag name" },
		{ "=anon,", "empty flag name" },
		{ "~", "after '~'" },
	};
	struct pa_bits_filter f = { 1, 2 };
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < PA_ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		if (pa_parse_bits_spec(&t618, bad[i].s, &f, err, sizeof(err)) != -1)
			fail_msg("bits spec '%s' accepted", bad[i].s);
		if (!strstr(err, bad[i].msg))
			fail_msg("bits spec '%s': error '%s' lacks '%s'", bad[i].s, err,
				 bad[i].msg);
	}
	assert_int_equal(f.mask, 1);
	assert_int_equal(f.bits, 2);
}

static void test_bits_match_all(void **state)
{
	struct pa_bits_filter f[2];

	(void)state;
	/* no filters: everything matches */
	assert_true(pa_bits_match(NULL, 0, 0));
	assert_true(pa_bits_match(NULL, 0, PA_ALL_BITS));
	f[0] = bits_ok("anon");
	f[1] = bits_ok("~ksm");
	assert_true(pa_bits_match(f, 2, PA_BIT(ANON)));
	assert_false(pa_bits_match(f, 2, PA_BIT(ANON) | PA_BIT(KSM)));
	assert_false(pa_bits_match(f, 2, PA_BIT(FILE)));
	/* a raw-mode filter on an expanded word */
	f[0] = bits_ok("anon_exclusive,mmap_exclusive");
	assert_true(pa_bits_match(f, 1, PA_BIT(MMAP_EXCLUSIVE)));
	assert_false(pa_bits_match(f, 1, PA_BIT(OWNER_2)));
}

/* ---- /proc/PID/stat ------------------------------------------------------- */

static void test_proc_stat(void **state)
{
	struct pa_proc_stat st;
	/* a kernel thread as 6.18 writes it: 52 fields, tpgid -1 */
	static const char kthread[] =
		"2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 3 0 0 20 0 1 0 14 0 0 "
		"18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 0 1 0 0 0 0 0 0 0 "
		"0 0 0 0 0\n";
	/* comm with spaces and ')' */
	static const char odd[] = "4242 (a) b (c)) Z 17 4242 4242 34816 4242 4194560 0 0 0 0 0 "
		"0 0 0 20 0 1 0 987654 0";

	(void)state;
	assert_int_equal(pa_proc_stat_parse(kthread, &st), 0);
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 0);
	assert_true(st.flags & PA_PF_KTHREAD);
	assert_int_equal(st.starttime, 14);
	assert_int_equal(st.nfields, 22);

	assert_int_equal(pa_proc_stat_parse(odd, &st), 0);
	assert_int_equal(st.state, 'Z');
	assert_int_equal(st.ppid, 17);
	assert_int_equal(st.flags, 4194560);
	assert_false(st.flags & PA_PF_KTHREAD);
	assert_int_equal(st.starttime, 987654);

	/* cut short: what is there is kept, the rest reads 0 */
	assert_int_equal(pa_proc_stat_parse("9 (x) R 1 9", &st), 0);
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, 1);
	assert_int_equal(st.nfields, 5);
	assert_int_equal(st.flags, 0);
	assert_int_equal(st.starttime, 0);

	/* not a stat line */
	assert_int_equal(pa_proc_stat_parse("", &st), -1);
	assert_int_equal(pa_proc_stat_parse("9 (x)", &st), -1);
	assert_int_equal(pa_proc_stat_parse("9 x R 1", &st), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_pid),
		cmocka_unit_test(test_addr_accept),
		cmocka_unit_test(test_addr_reject),
		cmocka_unit_test(test_names_exact_prefix),
		cmocka_unit_test(test_names_versions),
		cmocka_unit_test(test_names_own_and_numbers),
		cmocka_unit_test(test_names_lists),
		cmocka_unit_test(test_bits_spec_forms),
		cmocka_unit_test(test_bits_spec_reject),
		cmocka_unit_test(test_bits_match_all),
		cmocka_unit_test(test_proc_stat),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
