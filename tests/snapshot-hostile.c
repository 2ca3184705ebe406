// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hostile snapshot payloads with valid checksums and compression: every
 * one must be refused by the reader with the expected reason, without a
 * crash or an allocation sized by the hostile counts (run under ASan in
 * CI).  With a directory argument, also writes each file there as
 * NAME.pas (seeds for the fuzz corpus).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page-anon.h"
#include "snapshot.h"

struct b {
	uint8_t d[8192];
	size_t n;
};

static void v(struct b *b, uint64_t x)
{
	while (x >= 0x80) {
		b->d[b->n++] = (uint8_t)(x | 0x80);
		x >>= 7;
	}
	b->d[b->n++] = (uint8_t)x;
}

static void str(struct b *b, const char *s)
{
	v(b, strlen(s));
	memcpy(b->d + b->n, s, strlen(s));
	b->n += strlen(s);
}

static void raw(struct b *b, const void *p, size_t n)
{
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void sec(struct b *out, uint32_t tag, const struct b *body, uint64_t len)
{
	uint8_t h[16] = { 0 };

	for (int i = 0; i < 4; i++)
		h[i] = (uint8_t)(tag >> (8 * i));
	for (int i = 0; i < 8; i++)
		h[8 + i] = (uint8_t)(len >> (8 * i));
	raw(out, h, 16);
	raw(out, body->d, body->n);
}

/* INFO with page size ps and nprocs processes. */
static void info(struct b *out, uint64_t ps, uint64_t nprocs)
{
	struct b i = { .n = 0 };
	uint64_t f[16] = { ps, 1, 1, 6, 18, 0, 1, 1, 1, 1, 2, 0x1ff, 0, 1, 3, nprocs };

	for (int k = 0; k < 16; k++)
		v(&i, f[k]);
	str(&i, "6.18.0");
	str(&i, "host");
	str(&i, "page-anon");
	str(&i, "test");
	str(&i, "");
	sec(out, PA_SNAP_SEC_INFO, &i, i.n);
}

/* The kpagecgroup column's values (zigzag deltas) of proc(). */
static uint64_t cgroup_delta;

/* A process with the given maps and pages (vpn deltas, pme high bits,
 * pfn zigzag deltas); kpage columns 0 but kpagecgroup (cgroup_delta). */
static void proc(struct b *out, uint64_t pid, const char *maps, uint64_t n, const uint64_t *dv,
		 const uint64_t *hi, const uint64_t *lo, size_t have)
{
	struct b p = { .n = 0 };

	v(&p, pid);
	v(&p, 1);
	v(&p, 'S');
	str(&p, "x");
	v(&p, 0);
	str(&p, "/");
	str(&p, maps);
	v(&p, n);
	for (size_t k = 0; k < have; k++)
		v(&p, dv[k]);
	for (size_t k = 0; k < have; k++)
		v(&p, hi[k]);
	for (size_t k = 0; k < have; k++)
		v(&p, lo[k]);
	for (size_t k = 0; k < have; k++)
		v(&p, 0);
	for (int c = 0; c < 3; c++)
		for (size_t k = 0; k < have; k++)
			v(&p, c == 2 ? cgroup_delta : 0);
	sec(out, PA_SNAP_SEC_PROC, &p, p.n);
}

/* The pinned memory of pid: VmPin kb, n ranges given as gap/length pairs. */
static void pinned(struct b *out, uint64_t pid, uint64_t kb, uint64_t n, const uint64_t *gl, size_t have)
{
	struct b q = { .n = 0 };

	v(&q, pid);
	v(&q, kb);
	v(&q, n);
	for (size_t k = 0; k < 2 * have; k++)
		v(&q, gl[k]);
	sec(out, PA_SNAP_SEC_PINNED, &q, q.n);
}

static int failures;

static void expect(const char *name, const struct b *payload, const char *want, const char *dir)
{
	struct pa_snap_capture c;
	uint8_t *f;
	size_t len, count;
	char err[1024];
	int r;

	if (pa_snap_wrap(payload->d, payload->n, &f, &len) < 0) {
		printf("FAIL: %s: cannot build\n", name);
		failures++;
		return;
	}
	r = pa_snap_read_mem(f, len, 1, 64u << 20, &c, &count, err, sizeof(err));
	if (r == 0) {
		printf("FAIL: %s: accepted\n", name);
		pa_snap_capture_free(&c);
		failures++;
	} else if (want && !strstr(err, want)) {
		printf("FAIL: %s: '%s' lacks '%s'\n", name, err, want);
		failures++;
	} else {
		printf("ok: %s: %s\n", name, err);
	}
	if (dir) {
		char path[4096];
		FILE *o;

		snprintf(path, sizeof(path), "%s/%s.pas", dir, name);
		o = fopen(path, "wb");
		if (o) {
			fwrite(f, 1, len, o);
			fclose(o);
		}
	}
	free(f);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : NULL;
	const char *m1 = "1000-3000 rw-p 00000000 00:00 0 \n";
	uint64_t one[2] = { 1, 1 }, present[2] = { 0x100, 0x100 }, pfn[2] = { 2, 2 };
	struct b p;

	/* a sound capture first: the cases below differ in one thing */
	p.n = 0;
	info(&p, 4096, 1);
	proc(&p, 7, m1, 2, one, present, pfn, 2);
	{
		struct pa_snap_capture c;
		uint8_t *f;
		size_t len, count;
		char err[256];

		if (pa_snap_wrap(p.d, p.n, &f, &len) < 0 ||
		    pa_snap_read_mem(f, len, 1, 64u << 20, &c, &count, err, sizeof(err)) < 0) {
			printf("FAIL: the sound capture is refused\n");
			return 1;
		}
		if (c.nprocs != 1 || c.procs[0].n != 2 || c.procs[0].vpn[1] != 2 ||
		    PM_PFRAME(c.procs[0].pme[1]) != 2) {
			printf("FAIL: the sound capture reads back wrong\n");
			return 1;
		}
		pa_snap_capture_free(&c);
		free(f);
	}

	/* pinned memory (revision 1.2) reads back */
	p.n = 0;
	info(&p, 4096, 1);
	proc(&p, 7, m1, 2, one, present, pfn, 2);
	{
		uint64_t gl[4] = { 0x1000, 0x2000, 0x1000, 0x800 };
		struct pa_snap_capture c;
		uint8_t *f;
		size_t len, count;
		char err[256];

		pinned(&p, 7, 12, 2, gl, 2);
		if (pa_snap_wrap(p.d, p.n, &f, &len) < 0 ||
		    pa_snap_read_mem(f, len, 1, 64u << 20, &c, &count, err, sizeof(err)) < 0) {
			printf("FAIL: the capture with pinned memory is refused: %s\n", err);
			return 1;
		}
		if (c.procs[0].vm_pin_kb != 12 || c.procs[0].pins.n != 2 ||
		    c.procs[0].pins.r[0].start != 0x1000 || c.procs[0].pins.r[0].end != 0x3000 ||
		    c.procs[0].pins.r[1].start != 0x4000 || c.procs[0].pins.r[1].end != 0x4800) {
			printf("FAIL: pinned memory reads back wrong\n");
			return 1;
		}
		printf("ok: pinned memory reads back\n");
		if (dir) {	/* a sound seed for the fuzz corpus */
			char path[4096];
			FILE *o;

			snprintf(path, sizeof(path), "%s/pinned.pas", dir);
			o = fopen(path, "wb");
			if (o) {
				fwrite(f, 1, len, o);
				fclose(o);
			}
		}
		pa_snap_capture_free(&c);
		free(f);
	}

	p.n = 0;
	info(&p, 4096, 1);
	proc(&p, 7, m1, 2, one, present, pfn, 2);
	pinned(&p, 8, 4, 0, NULL, 0);
	expect("pinned-unknown-pid", &p, "not in the capture", dir);

	p.n = 0;
	info(&p, 4096, 1);
	proc(&p, 7, m1, 2, one, present, pfn, 2);
	pinned(&p, 7, 4, 0, NULL, 0);
	pinned(&p, 7, 4, 0, NULL, 0);
	expect("pinned-twice", &p, "recorded twice", dir);

	p.n = 0;
	info(&p, 4096, 1);
	proc(&p, 7, m1, 2, one, present, pfn, 2);
	pinned(&p, 7, 4, 1ULL << 40, NULL, 0);
	expect("pinned-huge-count", &p, "larger than the data", dir);

	p.n = 0;
	info(&p, 4096, 1);
	proc(&p, 7, m1, 2, one, present, pfn, 2);
	{
		uint64_t gl[4] = { 0x1000, 0x1000, UINT64_MAX - 0x1000, 0x1000 };

		pinned(&p, 7, 4, 2, gl, 2);
	}
	expect("pinned-range-wraps", &p, "out of range", dir);

	p.n = 0;
	info(&p, 4096, 1);
	proc(&p, 7, m1, 2, one, present, pfn, 2);
	{
		uint64_t gl[2] = { 0x1000, 0 };

		pinned(&p, 7, 4, 1, gl, 1);
	}
	expect("pinned-empty-range", &p, "empty", dir);

	/* kpagecgroup values where the capture information says none were
	 * read (kpage files 3) */
	p.n = 0;
	info(&p, 4096, 1);
	cgroup_delta = 2;
	proc(&p, 7, m1, 2, one, present, pfn, 2);
	cgroup_delta = 0;
	expect("kpagecgroup-not-announced", &p, "capture without kpagecgroup", dir);

	p.n = 0;
	info(&p, 4096, 1ULL << 40);
	expect("huge-nprocs", &p, "process count larger than the data", dir);

	p.n = 0;
	info(&p, 4096, 1);
	proc(&p, 7, m1, 1ULL << 50, one, present, pfn, 2);
	expect("huge-npages", &p, "page count larger than the data", dir);

	p.n = 0;
	info(&p, 4096, 1);
	proc(&p, 7, "1000-3000 rw-p 00000000 00:00 0 \n2000-4000 rw-p 00000000 00:00 0 \n",
	     2, one, present, pfn, 2);
	expect("overlapping-vmas", &p, "overlapping", dir);

	p.n = 0;
	info(&p, 4096, 1);
	{
		uint64_t big[2] = { 2, (1ULL << 49) * 2 };

		proc(&p, 7, m1, 2, one, present, big, 2);
	}
	expect("pfn-out-of-range", &p, "out of range", dir);

	p.n = 0;
	info(&p, 4096, 1);
	{
		uint64_t far[2] = { 1, 100 };

		proc(&p, 7, m1, 2, far, present, pfn, 2);
	}
	expect("page-outside-vmas", &p, "outside its VMAs", dir);

	p.n = 0;
	info(&p, 4096, 1);
	{
		uint64_t zero[2] = { 1, 0 };

		proc(&p, 7, m1, 2, zero, present, pfn, 2);
	}
	expect("pages-not-increasing", &p, "not increasing", dir);

	p.n = 0;
	info(&p, 4096, 2);
	proc(&p, 7, m1, 2, one, present, pfn, 2);
	proc(&p, 7, m1, 2, one, present, pfn, 2);
	expect("pid-twice", &p, "recorded twice", dir);

	p.n = 0;
	info(&p, 3000, 1);
	expect("bad-page-size", &p, "invalid page size", dir);

	p.n = 0;
	info(&p, 4096, 1);
	{
		uint64_t none[2] = { 0, 0 };

		proc(&p, 7, m1, 2, one, none, pfn, 2);
	}
	expect("unpopulated-page", &p, "neither present nor swapped", dir);

	p.n = 0;
	info(&p, 4096, 1);
	proc(&p, 7, m1, 2, one, present, pfn, 1);
	expect("truncated-columns", &p, "larger than the data", dir);

	p.n = 0;
	info(&p, 4096, 1);
	{
		struct b q = { .n = 0 };

		for (int k = 0; k < 11; k++)
			q.d[q.n++] = 0xff;
		sec(&p, PA_SNAP_SEC_PROC, &q, q.n);
	}
	expect("varint-overflow", &p, "invalid or truncated", dir);

	p.n = 0;
	info(&p, 4096, 2);
	proc(&p, 7, m1, 2, one, present, pfn, 2);
	expect("missing-process", &p, "1 of 2 processes", dir);

	p.n = 0;
	proc(&p, 7, m1, 2, one, present, pfn, 2);
	expect("no-info", &p, "before the capture information", dir);

	p.n = 0;
	info(&p, 4096, 1);
	{
		struct b q = { .n = 0 };

		v(&q, 1);
		sec(&p, PA_SNAP_SEC_PROC, &q, 1ULL << 60);
	}
	expect("section-too-long", &p, "section longer", dir);

	p.n = 0;
	info(&p, 4096, 1);
	proc(&p, 7, "1000-3000 rw-p 00000000 00:00 0 \nnot a maps line\n", 2, one, present, pfn, 2);
	expect("bad-maps-line", &p, "unexpected format", dir);

	p.n = 0;
	info(&p, 4096, 0);
	p.d[p.n++] = 1;
	expect("trailing-byte", &p, "section header truncated", dir);

	/* a bomb: more uncompressed bytes than the limit */
	{
		size_t big = (64u << 20) + 1;
		uint8_t *z = calloc(1, big), *f;
		struct pa_snap_capture c;
		size_t len, count;
		char err[256];

		if (!z || pa_snap_wrap(z, big, &f, &len) < 0) {
			printf("FAIL: bomb: cannot build\n");
			return 1;
		}
		if (pa_snap_read_mem(f, len, 1, 64u << 20, &c, &count, err, sizeof(err)) == 0 ||
		    !strstr(err, "more than the limit")) {
			printf("FAIL: bomb of %zu bytes in %zu: '%s'\n", big, len, err);
			failures++;
		} else {
			printf("ok: bomb (%zu bytes in %zu): %s\n", big, len, err);
		}
		free(z);
		free(f);
	}
	return failures ? 1 : 0;
}
