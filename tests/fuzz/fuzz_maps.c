// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_maps: the /proc/PID/maps parser on arbitrary text, one line
 * (pa_maps_parse_line) and a whole stream (pa_maps_parse via fmemopen).
 * Invariants: accepted lines give start < end, valid perms, bounded
 * device numbers and a NUL-terminated name without the line's newline;
 * printing an accepted VMA the way the kernel does (show_map_vma() in
 * fs/proc/task_mmu.c) and parsing it again gives the same VMA; the
 * stream parser agrees with the line parser line by line.
 */
#include "config.h"

#include <string.h>

#include "page-anon.h"
#include "fuzz.h"

static void check_vma(const struct pa_vma *v, size_t line_len)
{
	FUZZ_CHECK(v->start < v->end);
	FUZZ_CHECK(strchr("r-", v->perms[0]) && v->perms[0]);
	FUZZ_CHECK(strchr("w-", v->perms[1]) && v->perms[1]);
	FUZZ_CHECK(strchr("x-", v->perms[2]) && v->perms[2]);
	FUZZ_CHECK(strchr("ps", v->perms[3]) && v->perms[3]);
	FUZZ_CHECK(v->perms[4] == '\0');
	FUZZ_CHECK(v->dev_major <= 0xfff && v->dev_minor <= 0xfffff);
	FUZZ_CHECK(v->name != NULL);
	FUZZ_CHECK(strlen(v->name) < line_len);
	FUZZ_CHECK(v->name[0] != ' ');
	(void)pa_vma_is_anon_private(v);
	(void)pa_vma_is_special(v);
}

static bool same_vma(const struct pa_vma *a, const struct pa_vma *b)
{
	return a->start == b->start && a->end == b->end && !strcmp(a->perms, b->perms) &&
	       a->offset == b->offset && a->dev_major == b->dev_major &&
	       a->dev_minor == b->dev_minor && a->inode == b->inode && !strcmp(a->name, b->name);
}

/* Print like show_map_vma() and parse again. */
static void check_roundtrip(const struct pa_vma *v)
{
	struct pa_vma w;
	size_t len = strlen(v->name) + 128;
	char *line = malloc(len);
	int n;

	FUZZ_CHECK(line != NULL);
	n = snprintf(line, len, "%08llx-%08llx %s %08llx %02x:%02x %llu ",
		     (unsigned long long)v->start, (unsigned long long)v->end, v->perms,
		     (unsigned long long)v->offset, v->dev_major, v->dev_minor,
		     (unsigned long long)v->inode);
	FUZZ_CHECK(n > 0 && (size_t)n < len);
	if (*v->name) {
		/* seq_pad() to column 73, then the name verbatim */
		while (n < 73 && (size_t)n + 1 < len)
			line[n++] = ' ';
		snprintf(line + n, len - (size_t)n, "%s\n", v->name);
	} else {
		snprintf(line + n, len - (size_t)n, "\n");
	}
	FUZZ_CHECK(pa_maps_parse_line(line, &w) == 0);
	FUZZ_CHECK(same_vma(v, &w));
	free(w.name);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct pa_maps m = { 0 };
	struct pa_vma v;
	size_t bad = 0, nlines = 0, i;
	const char *p;
	FILE *f;
	int r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	/* 1. The whole input as one line (up to its first NUL). */
	if (pa_maps_parse_line(text, &v) == 0) {
		check_vma(&v, strlen(text));
		free(v.name);
	}

	/* 2. The input as a maps file. */
	for (i = 0; i < size; i++)
		if (data[i] == '\n' || i + 1 == size)
			nlines++;
	f = size ? fmemopen(text, size, "r") : NULL;
	if (!f) {
		free(text);
		return 0;
	}
	r = pa_maps_parse(f, &m, &bad);
	fclose(f);
	if (r == 0) {
		FUZZ_CHECK(m.n == nlines);
		FUZZ_CHECK(m.n <= m.cap);
		/* Line by line, the line parser says the same. */
		p = text;
		for (i = 0; i < m.n; i++) {
			const char *nl = memchr(p, '\n', size - (size_t)(p - text));
			size_t len = nl ? (size_t)(nl - p) + 1 : size - (size_t)(p - text);
			char *line = strndup(p, len);
			struct pa_vma w;

			FUZZ_CHECK(line != NULL);
			check_vma(&m.v[i], len);
			FUZZ_CHECK(!strchr(m.v[i].name, '\n'));
			FUZZ_CHECK(pa_maps_parse_line(line, &w) == 0);
			FUZZ_CHECK(same_vma(&m.v[i], &w));
			check_roundtrip(&m.v[i]);
			free(w.name);
			free(line);
			p += len;
		}
	} else {
		FUZZ_CHECK(bad >= 1 && bad <= nlines);
	}
	pa_maps_free(&m);
	FUZZ_CHECK(m.v == NULL && m.n == 0 && m.cap == 0);
	free(text);
	return 0;
}
