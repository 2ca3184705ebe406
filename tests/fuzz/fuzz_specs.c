// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_specs: the command-line spec parsers (parse.c, -o columns,
 * kernel release strings).  Input: one selector byte (flag table kernel
 * version, extended bits, error buffer size), then the spec text.
 * Invariants: accepted numbers are what the text says, accepted address
 * ranges have count >= 1 and do not wrap, flag lists with "~name" ignored
 * are subsets of those with them, error messages stay inside the error
 * buffer and are NUL-terminated.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "page-anon.h"
#include "fuzz.h"
#include "kvers.h"

#define CANARY 0xa5

/* Error buffer of errlen bytes followed by canary bytes. */
struct errbuf {
	char buf[512 + 16];
	size_t len;
};

static void err_init(struct errbuf *e, size_t len)
{
	memset(e->buf, CANARY, sizeof(e->buf));
	e->len = len;
	if (len)
		e->buf[0] = '\0';
}

static void err_check(const struct errbuf *e, bool failed)
{
	for (size_t i = e->len; i < sizeof(e->buf); i++)
		FUZZ_CHECK((unsigned char)e->buf[i] == CANARY);
	if (failed && e->len) {
		FUZZ_CHECK(memchr(e->buf, '\0', e->len) != NULL);
		/* A rejected spec always says why (if there is room). */
		FUZZ_CHECK(e->len == 1 || e->buf[0] != '\0');
	}
}

static bool is_number_text(const char *s)
{
	if (!*s || *s < '0' || *s > '9')
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdefABCDEFxX", *s))
			return false;
	return true;
}

static void fuzz_u64(const char *s)
{
	uint64_t v;
	pid_t pid;

	if (pa_parse_u64(s, &v) == 0) {
		char again[32];

		FUZZ_CHECK(is_number_text(s));
		/* Plain decimal without leading zeros prints back the same. */
		if (s[0] != '0' && strspn(s, "0123456789") == strlen(s)) {
			snprintf(again, sizeof(again), "%llu", (unsigned long long)v);
			FUZZ_CHECK(!strcmp(again, s));
		}
	}
	if (pa_parse_pid(s, &pid) == 0) {
		FUZZ_CHECK(pid >= 1 && pid <= INT_MAX);
		FUZZ_CHECK(pa_parse_u64(s, &v) == 0 && v == (uint64_t)pid);
	}
}

static void fuzz_addr(const char *s, size_t errlen)
{
	struct pa_addr_range r = { 0, 0 };
	struct errbuf e;
	int ret;

	err_init(&e, errlen);
	ret = pa_parse_addr_spec(s, &r, e.buf, e.len);
	err_check(&e, ret < 0);
	if (ret == 0) {
		FUZZ_CHECK(r.count >= 1);
		/* The range ends inside 64 bits; "N" for N = 2^64-1 is one
		 * page whose end is 2^64 (the walks clamp it). */
		FUZZ_CHECK(r.count <= UINT64_MAX - r.start ||
			   (r.start == UINT64_MAX && r.count == 1));
	}
}

static void fuzz_flags(const struct pa_flagtab *t, const char *s, size_t errlen)
{
	struct pa_bits_filter f;
	struct errbuf e;
	uint64_t with = 0, without = 0, known = 0;
	int r1, r2, r3;

	for (unsigned int i = 0; i < 64; i++)
		if (t->bit[i].kind != PA_BIT_NONE)
			known |= 1ULL << i;

	err_init(&e, errlen);
	r1 = pa_parse_flag_names(t, s, true, &with, e.buf, e.len);
	err_check(&e, r1 < 0);
	err_init(&e, errlen);
	r2 = pa_parse_flag_names(t, s, false, &without, e.buf, e.len);
	err_check(&e, r2 < 0);
	FUZZ_CHECK((r1 == 0) == (r2 == 0));
	if (r1 == 0)
		FUZZ_CHECK((without & ~with) == 0);

	err_init(&e, errlen);
	r3 = pa_parse_bits_spec(t, s, &f, e.buf, e.len);
	err_check(&e, r3 < 0);
	if (r3 == 0) {
		/* "a,~b": bits are the non-negated part of mask */
		if (strchr(s, '~') && !strchr(s, '='))
			FUZZ_CHECK((f.bits & ~f.mask) == 0);
		if (f.bits == PA_ALL_BITS && s[0] != '=')
			FUZZ_CHECK(pa_bits_match(&f, 1, f.mask) == (f.mask != 0));
		(void)pa_bits_match(&f, 1, 0);
		(void)pa_bits_match(&f, 1, PA_ALL_BITS);
		(void)pa_bits_match(&f, 1, known);
	}
}

static void fuzz_kver(const char *s)
{
	struct pa_kver v;
	struct pa_flagtab t;
	struct pa_kinfo k;

	if (pa_kver_parse(s, &v) < 0)
		return;
	FUZZ_CHECK(v.major >= 0 && v.minor >= 0 && v.minor <= 999 && v.patch >= 0);
	FUZZ_CHECK(s[0] >= '0' && s[0] <= '9');
	FUZZ_CHECK(pa_kver_code(&v) == PA_KVER(v.major, v.minor));
	pa_flagtab_init(&t, &v, true);
	pa_kinfo_from_version(&k, &v);
	for (unsigned int i = 0; i < 64; i++) {
		const struct pa_flagdef *d = &t.bit[i];

		if (d->kind == PA_BIT_NONE)
			continue;
		FUZZ_CHECK(d->letter && d->name && d->help);
		FUZZ_CHECK(pa_flagtab_has(&t, i));
	}
	FUZZ_CHECK(!pa_flagtab_has(&t, 64));
}

static void fuzz_columns(const char *s, size_t errlen)
{
	int cols[64];
	size_t n = 0;
	struct errbuf e;
	int r;

	err_init(&e, errlen);
	r = pa_columns_parse(s, cols, PA_ARRAY_SIZE(cols), &n, e.buf, e.len);
	err_check(&e, r < 0);
	if (r == 0) {
		FUZZ_CHECK(n >= 1 && n <= PA_ARRAY_SIZE(cols));
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(cols[i] >= 0);
	}
	(void)pa_column_lookup(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t errlens[] = { 256, 0, 1, 2, 8, 17, 40, 512 };
	unsigned int sel = size ? data[0] : 0;
	const struct pa_flagtab *t = fuzz_flagtab(sel & 0x0f, sel & 0x10);
	size_t errlen = errlens[(sel >> 5) & 7];
	char *s;

	if (size)
		data++, size--;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	fuzz_u64(s);
	fuzz_addr(s, errlen);
	fuzz_flags(t, s, errlen);
	fuzz_kver(s);
	fuzz_columns(s, errlen);
	/* The NULL-argument contracts. */
	if (!size) {
		struct pa_addr_range r;
		uint64_t v;

		FUZZ_CHECK(pa_parse_u64(NULL, &v) < 0);
		FUZZ_CHECK(pa_parse_addr_spec(NULL, &r, NULL, 0) < 0);
		FUZZ_CHECK(pa_kver_parse(NULL, &(struct pa_kver){ 0 }) < 0);
	}
	free(s);
	return 0;
}
