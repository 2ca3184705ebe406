// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parsers for command-line specs, in page-types' syntax (-a addr-spec,
 * -b bits-spec, -d flag names) but strict: garbage, unknown names and
 * overflow are errors instead of silently becoming 0.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "page-anon.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Number in [s, e): 0x hex, leading-0 octal or decimal (strtoull base 0),
 * no sign, no blanks, nothing left over.
 */
static int parse_u64_span(const char *s, const char *e, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s >= e || !is_digit(*s)) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -1;
	if (end != e) {
		errno = EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

int pa_parse_u64(const char *s, uint64_t *out)
{
	if (!s) {
		errno = EINVAL;
		return -1;
	}
	return parse_u64_span(s, s + strlen(s), out);
}

int pa_parse_pid(const char *s, pid_t *out)
{
	uint64_t v;

	if (pa_parse_u64(s, &v))
		return -1;
	/* pid_max is at most 2^22 (PID_MAX_LIMIT), well below INT_MAX. */
	if (v < 1 || v > INT_MAX) {
		errno = ERANGE;
		return -1;
	}
	*out = (pid_t)v;
	return 0;
}

/*
 * page-types' addr-spec, in pages:
 *   N     one page         N+M  M pages from N     N,M  pages N .. M-1
 *   N,    N to the end     ,M   pages 0 .. M-1     (N+ and +M likewise)
 */
int pa_parse_addr_spec(const char *s, struct pa_addr_range *out, char *err, size_t errlen)
{
	const char *end, *p;
	uint64_t n = 0, m;

	if (!s || !*s) {
		set_err(err, errlen, "empty address range");
		return -1;
	}
	end = s + strlen(s);
	p = strchr(s, ',');
	if (!p)
		p = strchr(s, '+');

	if (!p) {
		if (parse_u64_span(s, end, &n))
			goto bad_number;
		out->start = n;
		out->count = 1;
		return 0;
	}
	if (p != s && parse_u64_span(s, p, &n))
		goto bad_number;
	if (p[1] == '\0') {
		if (p == s) {
			set_err(err, errlen, "address range '%s' has no page number", s);
			return -1;
		}
		out->start = n;
		out->count = n < UINT64_MAX ? UINT64_MAX - n : 1;	/* never empty */
		return 0;
	}
	if (parse_u64_span(p + 1, end, &m))
		goto bad_number;

	if (*p == ',') {
		if (m < n) {
			set_err(err, errlen,
				"address range '%s': end %#llx is below start %#llx", s,
				(unsigned long long)m, (unsigned long long)n);
			return -1;
		}
		m -= n;
	} else if (m > UINT64_MAX - n) {
		set_err(err, errlen, "address range '%s' overflows 64 bits", s);
		return -1;
	}
	if (m == 0) {
		set_err(err, errlen, "address range '%s' contains no pages", s);
		return -1;
	}
	out->start = n;
	out->count = m;
	return 0;

bad_number:
	set_err(err, errlen, "invalid address range '%s': expected N, N+M, N,M, N, or ,M "
		"with numbers in decimal, 0x hex or 0 octal%s", s,
		errno == ERANGE ? " (number too large)" : "");
	return -1;
}

/* "bitNN", 0 <= NN <= 63. */
static int parse_bitnn(const char *s, size_t len)
{
	int v = 0;
	size_t i;

	if (len < 4 || len > 5 || strncmp(s, "bit", 3))
		return -1;
	for (i = 3; i < len; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (len == 5 && s[3] == '0')	/* no "bit05" */
		return -1;
	return v < 64 ? v : -1;
}

/*
 * One flag name or number.  Lookup order: numbers; an exact name; "bitNN";
 * a prefix of "compound" (both compound bits, as page-types); the first
 * name in bit order that the text is a prefix of (page-types' strncmp
 * rule, so "anon" is "anonymous").  The exact match comes first so "swap"
 * is bit 62 rather than "swapcache".  page-anon's own bits (arch_3,
 * uffd_wp, guard) are accepted whether or not the table is extended.
 */
static int parse_one_name(const struct pa_flagtab *t, const char *s, size_t len,
			  uint64_t *out, char *err, size_t errlen)
{
	uint64_t v;
	int i;

	if (is_digit(*s)) {
		if (parse_u64_span(s, s + len, &v)) {
			set_err(err, errlen, "invalid flag number '%.*s'", (int)len, s);
			return -1;
		}
		*out = v;
		return 0;
	}
	for (i = 0; i < 64; i++) {
		const char *name = t->bit[i].name;

		if (name && t->bit[i].kind != PA_BIT_NONE && strlen(name) == len &&
		    !strncmp(s, name, len)) {
			*out = 1ULL << i;
			return 0;
		}
	}
	i = parse_bitnn(s, len);
	if (i >= 0) {
		*out = 1ULL << i;
		return 0;
	}
	if (len <= 8 && !strncmp(s, "compound", len)) {
		*out = PA_BITS_COMPOUND;
		return 0;
	}
	for (i = 0; i < 64; i++) {
		const char *name = t->bit[i].name;

		if (name && t->bit[i].kind != PA_BIT_NONE && !strncmp(s, name, len)) {
			*out = 1ULL << i;
			return 0;
		}
	}
	set_err(err, errlen, "unknown flag name '%.*s'", (int)len, s);
	return -1;
}

/*
 * Comma list in [s, e).  "~name" entries are part of the result only when
 * with_negated (page-types' parse_flag_names(str, all)).  allow_empty
 * accepts an empty list (the right side of "bits=").
 */
static int parse_names_span(const struct pa_flagtab *t, const char *s, const char *e,
			    bool with_negated, bool allow_empty, uint64_t *out,
			    char *err, size_t errlen)
{
	uint64_t flags = 0, v;
	const char *item = s;

	if (s == e) {
		if (allow_empty) {
			*out = 0;
			return 0;
		}
		set_err(err, errlen, "empty flag list");
		return -1;
	}
	for (;;) {
		const char *comma = memchr(item, ',', (size_t)(e - item));
		const char *iend = comma ? comma : e;
		bool negated = item < iend && *item == '~';
		const char *name = negated ? item + 1 : item;

		if (name == iend) {
			set_err(err, errlen, "empty flag name%s in '%.*s'",
				negated ? " after '~'" : "", (int)(e - s), s);
			return -1;
		}
		if (parse_one_name(t, name, (size_t)(iend - name), &v, err, errlen))
			return -1;
		if (!negated || with_negated)
			flags |= v;
		if (!comma)
			break;
		item = comma + 1;
	}
	*out = flags;
	return 0;
}

int pa_parse_flag_names(const struct pa_flagtab *t, const char *s, bool with_negated,
			uint64_t *out, char *err, size_t errlen)
{
	if (!s) {
		set_err(err, errlen, "empty flag list");
		return -1;
	}
	return parse_names_span(t, s, s + strlen(s), with_negated, false, out, err, errlen);
}

/*
 * page-types' bits-spec (parse_bits_mask):
 *   bit1,bit2         (flags & (bit1|bit2)) != 0
 *   bit1,bit2=bit1    (flags & (bit1|bit2)) == bit1
 *   bit1,~bit2        (flags & (bit1|bit2)) == bit1
 *   =bit1,bit2        flags == (bit1|bit2)
 */
int pa_parse_bits_spec(const struct pa_flagtab *t, const char *s,
		       struct pa_bits_filter *out, char *err, size_t errlen)
{
	const char *eq, *end;
	uint64_t mask, bits;

	if (!s || !*s) {
		set_err(err, errlen, "empty bits spec");
		return -1;
	}
	end = s + strlen(s);
	eq = strchr(s, '=');
	if (eq && strchr(eq + 1, '=')) {
		set_err(err, errlen, "bits spec '%s' has more than one '='", s);
		return -1;
	}
	if (eq == s) {
		mask = PA_ALL_BITS;
		if (parse_names_span(t, eq + 1, end, false, true, &bits, err, errlen))
			return -1;
	} else if (eq) {
		if (parse_names_span(t, s, eq, false, false, &mask, err, errlen) ||
		    parse_names_span(t, eq + 1, end, false, true, &bits, err, errlen))
			return -1;
	} else if (strchr(s, '~')) {
		if (parse_names_span(t, s, end, true, false, &mask, err, errlen) ||
		    parse_names_span(t, s, end, false, false, &bits, err, errlen))
			return -1;
	} else {
		if (parse_names_span(t, s, end, false, false, &mask, err, errlen))
			return -1;
		bits = PA_ALL_BITS;
	}
	out->mask = mask;
	out->bits = bits;
	return 0;
}

/* page-types' bit_mask_ok(): every filter must match. */
bool pa_bits_match(const struct pa_bits_filter *f, size_t n, uint64_t flags)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i].bits == PA_ALL_BITS) {
			if (!(flags & f[i].mask))
				return false;
		} else if ((flags & f[i].mask) != f[i].bits) {
			return false;
		}
	}
	return true;
}
