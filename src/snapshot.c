// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Snapshots, the format and the reader: the file format (zstd frames
 * behind small checksummed headers, see page-anon(8) SNAPSHOT FILE
 * FORMAT) in both directions, and the snapshot data source that answers
 * the walk from the recorded pages (--load, --diff).  Capturing and
 * writing files (--save) is snapshot_save.c, which builds on this; this
 * file needs only the source, parsing and utility code.
 *
 * Reading is written for hostile files: every count is checked against
 * the bytes that are really there before anything is allocated, every
 * varint against overflow, every address against the VMAs, and a capture
 * never decompresses to more than max_raw bytes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "page-anon.h"
#include "snapshot.h"

int pa_snap_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}
#define ERR(...) pa_snap_errf(err, errlen, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* CRC-32C (Castagnoli), reflected, as in iSCSI and ext4                */

static uint32_t crc_table[256];

static void crc_init(void)
{
	if (crc_table[1])
		return;
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32c(uint32_t crc, const uint8_t *p, size_t n)
{
	crc_init();
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* ------------------------------------------------------------------ */
/* Capture structure                                                   */

void pa_snap_proc_free(struct pa_snap_proc *p)
{
	pa_maps_free(&p->maps);
	free(p->vpn);
	free(p->pme);
	free(p->kflags);
	free(p->kcount);
	free(p->kcgroup);
	free(p->pg);
	pa_pinned_free(&p->pins);
	memset(p, 0, sizeof(*p));
}

void pa_snap_capture_free(struct pa_snap_capture *c)
{
	for (size_t i = 0; i < c->nprocs; i++)
		pa_snap_proc_free(&c->procs[i]);
	free(c->procs);
	memset(c, 0, sizeof(*c));
}

/* Big arrays are filled once from start to end: with THP in "madvise"
 * mode, 2 MiB pages save most of the page faults (a 4 GiB capture has
 * about 100 MiB of them). */
void *pa_snap_huge_hint(void *p, size_t len)
{
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, e = ((uintptr_t)p + len) & ~(uintptr_t)4095;

	if (len >= (4u << 20) && e > a)
		madvise((void *)a, e - a, MADV_HUGEPAGE);
	return p;
}

/* The columns of a process for n pages; kcgroup only when cg (a capture
 * without kpagecgroup keeps it NULL: 8 bytes a page less to touch). */
static void proc_reserve(struct pa_snap_proc *p, size_t n, bool cg)
{
	if (n <= p->cap)
		return;
	p->cap = n;
	p->vpn = pa_xrealloc(p->vpn, n, sizeof(*p->vpn));
	p->pme = pa_xrealloc(p->pme, n, sizeof(*p->pme));
	p->kflags = pa_xrealloc(p->kflags, n, sizeof(*p->kflags));
	p->kcount = pa_xrealloc(p->kcount, n, sizeof(*p->kcount));
	if (cg)
		p->kcgroup = pa_xrealloc(p->kcgroup, n, sizeof(*p->kcgroup));
	p->pg = pa_xrealloc(p->pg, n, 1);
	pa_snap_huge_hint(p->vpn, n * 8);
	pa_snap_huge_hint(p->pme, n * 8);
	pa_snap_huge_hint(p->kflags, n * 8);
	pa_snap_huge_hint(p->kcount, n * 8);
	if (cg)
		pa_snap_huge_hint(p->kcgroup, n * 8);
}

void pa_snap_proc_reserve(struct pa_snap_proc *p, size_t n)
{
	proc_reserve(p, n, true);
}

struct pa_snap_proc *pa_snap_add_proc(struct pa_snap_capture *c)
{
	if (c->nprocs == c->procs_cap) {
		c->procs_cap = c->procs_cap ? 2 * c->procs_cap : 4;
		c->procs = pa_xrealloc(c->procs, c->procs_cap, sizeof(*c->procs));
	}
	memset(&c->procs[c->nprocs], 0, sizeof(c->procs[0]));
	return &c->procs[c->nprocs++];
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

uint8_t *pa_snap_buf_room(struct pa_snap_buf *b, size_t n)
{
	if (b->cap - b->n < n) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap - b->n < n)
			cap *= 2;
		b->p = pa_xrealloc(b->p, cap, 1);
		b->cap = cap;
	}
	return b->p + b->n;
}

static void put_varint(struct pa_snap_buf *b, uint64_t v)
{
	uint8_t *p = pa_snap_buf_room(b, 10);
	size_t k = 0;

	while (v >= 0x80) {
		p[k++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[k++] = (uint8_t)v;
	b->n += k;
}

static inline uint8_t *vput(uint8_t *q, uint64_t v)
{
	while (v >= 0x80) {
		*q++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*q++ = (uint8_t)v;
	return q;
}

static void put_bytes(struct pa_snap_buf *b, const void *d, size_t n)
{
	memcpy(pa_snap_buf_room(b, n), d, n);
	b->n += n;
}

static void put_str(struct pa_snap_buf *b, const char *s)
{
	size_t n = strlen(s);

	put_varint(b, n);
	put_bytes(b, s, n);
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Start a section: returns the offset of its length field. */
size_t pa_snap_sec_begin(struct pa_snap_buf *b, uint32_t tag)
{
	uint8_t *p = pa_snap_buf_room(b, 16);

	put_le32(p, tag);
	put_le32(p + 4, 0);
	put_le64(p + 8, 0);
	b->n += 16;
	return b->n - 8;
}

void pa_snap_sec_end(struct pa_snap_buf *b, size_t lenpos)
{
	put_le64(b->p + lenpos, b->n - lenpos - 8);
}

static void maps_text(struct pa_snap_buf *b, const struct pa_maps *m)
{
	struct pa_snap_buf t = { 0 };

	for (size_t i = 0; i < m->n; i++) {
		const struct pa_vma *v = &m->v[i];
		char line[256];
		int k = snprintf(line, sizeof(line), "%llx-%llx %s %08llx %02x:%02x %llu ",
				 (unsigned long long)v->start, (unsigned long long)v->end, v->perms,
				 (unsigned long long)v->offset, v->dev_major, v->dev_minor,
				 (unsigned long long)v->inode);

		put_bytes(&t, line, (size_t)k);
		put_bytes(&t, v->name, strlen(v->name));
		put_bytes(&t, "\n", 1);
	}
	put_varint(b, t.n);
	if (t.n)
		put_bytes(b, t.p, t.n);
	free(t.p);
}

void pa_snap_encode_info(struct pa_snap_buf *b, const struct pa_snap_capture *c, size_t nprocs)
{
	const struct pa_kinfo *k = &c->kinfo;
	size_t sec = pa_snap_sec_begin(b, PA_SNAP_SEC_INFO);

	put_varint(b, (uint64_t)c->page_size);
	put_varint(b, c->time_ns);
	put_varint(b, c->took_us);
	put_varint(b, (uint64_t)k->kver.major);
	put_varint(b, (uint64_t)k->kver.minor);
	put_varint(b, (uint64_t)k->kver.patch);
	put_varint(b, k->anon_exclusive_bit);
	put_varint(b, k->folio_flags);
	put_varint(b, (uint64_t)k->ksm_flag_bug);
	put_varint(b, (uint64_t)k->nopage_reported);
	put_varint(b, (uint64_t)k->pagemap_scan);
	put_varint(b, k->scan_categories);
	put_varint(b, k->zero_pfn);
	put_varint(b, k->selftest_ran);
	put_varint(b, c->kfiles);
	put_varint(b, nprocs);
	put_str(b, c->release);
	put_str(b, c->host);
	put_str(b, c->cmdline);
	put_str(b, c->label);
	put_str(b, k->note);
	pa_snap_sec_end(b, sec);

	/* Whether kpagecount was exact per page for large folios (classify.c);
	 * readers of older revisions skip the section. */
	sec = pa_snap_sec_begin(b, PA_SNAP_SEC_MAPCOUNT);
	put_varint(b, (uint64_t)k->mapcount);
	put_str(b, k->mapcount_how);
	pa_snap_sec_end(b, sec);
}

/* Everything of a process section before its pages. */
void pa_snap_encode_proc_head(struct pa_snap_buf *b, const struct pa_snap_proc *p)
{
	put_varint(b, (uint64_t)p->pid);
	put_varint(b, (uint64_t)p->ppid);
	put_varint(b, (uint64_t)(unsigned char)p->state);
	put_str(b, p->comm);
	put_varint(b, (uint64_t)p->uid);
	put_str(b, p->cgroup);
	maps_text(b, &p->maps);
}

void pa_snap_encode_pinned(struct pa_snap_buf *b, const struct pa_snap_proc *p)
{
	uint64_t end = 0;
	size_t sec;

	if (!p->vm_pin_kb && !p->pins.n)
		return;
	sec = pa_snap_sec_begin(b, PA_SNAP_SEC_PINNED);
	put_varint(b, (uint64_t)p->pid);
	put_varint(b, p->vm_pin_kb);
	put_varint(b, p->pins.n);
	for (size_t i = 0; i < p->pins.n; i++) {
		put_varint(b, p->pins.r[i].start - end);
		put_varint(b, p->pins.r[i].end - p->pins.r[i].start);
		end = p->pins.r[i].end;
	}
	pa_snap_sec_end(b, sec);
}

#define BLOCK_PAGES	65536	/* pages per block written by pa_snap_encode */

/* One block of k pages: varint k, then the 7 columns, each of which
 * compresses well on its own.  Room for the longest varints, written
 * through a plain pointer. */
void pa_snap_encode_block(struct pa_snap_buf *b, struct pa_snap_delta *d, size_t k,
			  const uint64_t *vpn, const uint64_t *pme, const uint8_t *pg,
			  const uint64_t *kf, const uint64_t *kc, const uint64_t *kcg)
{
	uint8_t *q = pa_snap_buf_room(b, k * 61 + 10), *q0 = q;

	q = vput(q, k);
	for (size_t j = 0; j < k; j++) {
		q = vput(q, vpn[j] - d->vpn);
		d->vpn = vpn[j];
	}
	for (size_t j = 0; j < k; j++)
		q = vput(q, pme[j] >> PM_PFRAME_BITS);
	for (size_t j = 0; j < k; j++) {
		uint64_t l = PM_PFRAME(pme[j]);

		q = vput(q, zigzag((int64_t)(l - d->low)));
		d->low = l;
	}
	memcpy(q, pg, k);
	q += k;
	for (size_t j = 0; j < k; j++) {
		q = vput(q, kf[j] ^ d->kf);
		d->kf = kf[j];
	}
	for (size_t j = 0; j < k; j++)
		q = vput(q, kc[j]);
	for (size_t j = 0; j < k; j++) {
		uint64_t g = kcg ? kcg[j] : 0;	/* NULL: not recorded */

		q = vput(q, zigzag((int64_t)(g - d->cg)));
		d->cg = g;
	}
	b->n += (size_t)(q - q0);
}

int pa_snap_encode(const struct pa_snap_capture *c, uint8_t **out, size_t *len)
{
	struct pa_snap_buf b = { 0 };

	pa_snap_encode_info(&b, c, c->nprocs);
	for (size_t i = 0; i < c->nprocs; i++) {
		const struct pa_snap_proc *p = &c->procs[i];
		struct pa_snap_delta d = { 0 };
		size_t sec = pa_snap_sec_begin(&b, PA_SNAP_SEC_PROC);

		pa_snap_encode_proc_head(&b, p);
		for (size_t j = 0; j < p->n; j += BLOCK_PAGES) {
			size_t k = p->n - j < BLOCK_PAGES ? p->n - j : BLOCK_PAGES;

			pa_snap_encode_block(&b, &d, k, p->vpn + j, p->pme + j, p->pg + j, p->kflags + j,
				     p->kcount + j, p->kcgroup ? p->kcgroup + j : NULL);
		}
		pa_snap_sec_end(&b, sec);
		pa_snap_encode_pinned(&b, p);
	}
	*out = b.p;
	*len = b.n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

struct rd {
	const uint8_t *p, *end;
};

static int get_varint_slow(struct rd *r, uint64_t *v)
{
	uint64_t x = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		uint8_t c;

		if (r->p >= r->end)
			return -1;
		c = *r->p++;
		if (shift == 63 && c > 1)
			return -1;	/* more than 64 bits */
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

static inline int get_varint(struct rd *r, uint64_t *v)
{
	if (r->p < r->end && !(*r->p & 0x80)) {	/* most values are small */
		*v = *r->p++;
		return 0;
	}
	return get_varint_slow(r, v);
}

static int get_str(struct rd *r, char *out, size_t outlen)
{
	uint64_t n;

	if (get_varint(r, &n) < 0 || n > (uint64_t)(r->end - r->p) || n >= outlen)
		return -1;
	memcpy(out, r->p, (size_t)n);
	out[n] = '\0';
	if (memchr(out, '\0', (size_t)n))
		return -1;
	r->p += n;
	return 0;
}

static int get_small(struct rd *r, uint64_t max, uint64_t *v)
{
	return get_varint(r, v) < 0 || *v > max ? -1 : 0;
}

static int decode_info(struct rd *r, struct pa_snap_capture *c, uint64_t *nprocs,
		       char *err, size_t errlen)
{
	struct pa_kinfo *k = &c->kinfo;
	uint64_t v[16];

	for (int i = 0; i < 16; i++)
		if (get_varint(r, &v[i]) < 0)
			return ERR("capture information truncated");
	if (v[0] < 4096 || v[0] > 262144 || (v[0] & (v[0] - 1)))
		return ERR("invalid page size %llu", (unsigned long long)v[0]);
	c->page_size = (long)v[0];
	c->time_ns = v[1];
	c->took_us = v[2];
	if (v[3] > 1000 || v[4] > 999 || v[5] > 100000)
		return ERR("invalid kernel version");
	memset(k, 0, sizeof(*k));
	k->kver = (struct pa_kver){ (int)v[3], (int)v[4], (int)v[5] };
	if (v[6] > 1 || v[7] > 1 || v[8] > PA_YES || v[9] > PA_YES || v[10] > PA_YES || v[13] > 1)
		return ERR("invalid kernel facts");
	k->anon_exclusive_bit = v[6];
	k->folio_flags = v[7];
	k->ksm_flag_bug = (enum pa_tristate)v[8];
	k->nopage_reported = (enum pa_tristate)v[9];
	k->pagemap_scan = (enum pa_tristate)v[10];
	k->scan_categories = v[11];
	k->zero_pfn = v[12];
	k->selftest_ran = v[13];
	if (v[14] >= 1u << PA_KFILE__N || !(v[14] & 1u << PA_KPAGEFLAGS))
		return ERR("invalid set of kpage files");
	c->kfiles = (unsigned)v[14];
	*nprocs = v[15];
	if (get_str(r, c->release, sizeof(c->release)) < 0 || get_str(r, c->host, sizeof(c->host)) < 0 ||
	    get_str(r, c->cmdline, sizeof(c->cmdline)) < 0 || get_str(r, c->label, sizeof(c->label)) < 0 ||
	    get_str(r, k->note, sizeof(k->note)) < 0)
		return ERR("invalid or truncated string in the capture information");
	return 0;
}

static int decode_maps(struct rd *r, struct pa_maps *m, long ps, char *err, size_t errlen)
{
	uint64_t len;
	const uint8_t *p, *end;
	char line[8192];

	if (get_varint(r, &len) < 0 || len > (uint64_t)(r->end - r->p))
		return ERR("maps truncated");
	p = r->p;
	end = p + len;
	r->p = end;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n;
		struct pa_vma v;

		if (!nl)
			return ERR("maps: last line not terminated");
		n = (size_t)(nl - p);
		if (n >= sizeof(line) || memchr(p, '\0', n))
			return ERR("maps: line %zu invalid", m->n + 1);
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;
		if (pa_maps_parse_line(line, &v) < 0)
			return ERR("maps: line %zu: unexpected format", m->n + 1);
		if (v.start >= v.end || v.start % (uint64_t)ps || v.end % (uint64_t)ps ||
		    (m->n && v.start < m->v[m->n - 1].end)) {
			free(v.name);
			return ERR("maps: line %zu: VMA empty, not page aligned, or overlapping "
				   "or below the one before", m->n + 1);
		}
		if (m->n == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 16;
			m->v = pa_xrealloc(m->v, m->cap, sizeof(*m->v));
		}
		m->v[m->n++] = v;
	}
	return 0;
}

/* Every entry column holds at least one byte per entry: 7 columns. */
#define MIN_ENTRY_BYTES 7

static int decode_proc(struct rd *r, struct pa_snap_capture *c, struct pa_snap_proc *p,
		       char *err, size_t errlen)
{
	uint64_t pid, ppid, st, n, prev = 0, low = 0, kf = 0, cg = 0, v;
	uint64_t ps = (uint64_t)c->page_size;
	bool cgroups = c->kfiles & 1u << PA_KPAGECGROUP;
	size_t vi = 0;

	if (get_small(r, INT_MAX, &pid) < 0 || !pid || get_small(r, INT_MAX, &ppid) < 0 ||
	    get_small(r, 127, &st) < 0 || get_str(r, p->comm, sizeof(p->comm)) < 0)
		return ERR("process header invalid or truncated");
	p->pid = (pid_t)pid;
	p->ppid = (pid_t)ppid;
	p->state = (char)st;
	if (get_small(r, UINT32_MAX, &v) < 0 || get_str(r, p->cgroup, sizeof(p->cgroup)) < 0)
		return ERR("process %d: user or cgroup invalid or truncated", p->pid);
	p->uid = (uid_t)v;
	for (size_t i = 0; i + 1 < c->nprocs; i++)
		if (c->procs[i].pid == p->pid)
			return ERR("process %d recorded twice", p->pid);
	if (decode_maps(r, &p->maps, c->page_size, err, errlen) < 0)
		return -1;
	/* Blocks up to the end of the section, each at least 7 bytes per
	 * page: the arrays never outgrow the data, so they are sized for it
	 * once (what is not filled is never touched, so costs nothing). */
	proc_reserve(p, (size_t)(r->end - r->p) / MIN_ENTRY_BYTES + 1, cgroups);
	while (r->p < r->end) {
		size_t base = p->n;

		if (get_varint(r, &n) < 0 || !n || n > (uint64_t)(r->end - r->p) / MIN_ENTRY_BYTES)
			return ERR("process %d: page count larger than the data", p->pid);
		if (base + n > p->cap)
			proc_reserve(p, base + n > 2 * p->cap ? base + (size_t)n : 2 * p->cap, cgroups);
		p->n = base + (size_t)n;
		for (size_t j = base; j < p->n; j++) {
			if (get_varint(r, &v) < 0 || ((j || base) && !v) || v > UINT64_MAX - prev)
				return ERR("process %d: page addresses not increasing", p->pid);
			prev += v;
			if (prev > UINT64_MAX / ps)
				return ERR("process %d: page address out of range", p->pid);
			while (vi < p->maps.n && p->maps.v[vi].end / ps <= prev)
				vi++;
			if (vi == p->maps.n || p->maps.v[vi].start / ps > prev)
				return ERR("process %d: page 0x%llx outside its VMAs", p->pid,
					   (unsigned long long)(prev * ps));
			p->vpn[j] = prev;
		}
		for (size_t j = base; j < p->n; j++) {
			if (get_varint(r, &v) < 0 || v > 0x1ff)
				return ERR("process %d: invalid pagemap flags", p->pid);
			p->pme[j] = v << PM_PFRAME_BITS;
			if (!(p->pme[j] & (PM_PRESENT | PM_SWAP)))
				return ERR("process %d: recorded page neither present nor swapped", p->pid);
		}
		for (size_t j = base; j < p->n; j++) {
			if (get_varint(r, &v) < 0)
				return ERR("process %d: page frames truncated", p->pid);
			low = (low + (uint64_t)unzigzag(v)) & PM_PFRAME_MASK;
			/* 2^48 pages are 1 EiB: no real PFN is that high. */
			if ((p->pme[j] & PM_PRESENT) && (low >> 48))
				return ERR("process %d: PFN 0x%llx out of range", p->pid,
					   (unsigned long long)low);
			p->pme[j] |= low;
		}
		if ((uint64_t)(r->end - r->p) < n)
			return ERR("process %d: page flags truncated", p->pid);
		for (size_t j = base; j < p->n; j++) {
			p->pg[j] = *r->p++;
			if (p->pg[j] & ~PA_PG_PMD_MAPPED)
				return ERR("process %d: invalid page attributes", p->pid);
		}
		for (size_t j = base; j < p->n; j++) {
			if (get_varint(r, &v) < 0)
				return ERR("process %d: kpageflags truncated", p->pid);
			kf ^= v;
			p->kflags[j] = kf;
		}
		for (size_t j = base; j < p->n; j++)
			if (get_varint(r, &p->kcount[j]) < 0)
				return ERR("process %d: kpagecount truncated", p->pid);
		for (size_t j = base; j < p->n; j++) {
			if (get_varint(r, &v) < 0)
				return ERR("process %d: kpagecgroup truncated", p->pid);
			cg += (uint64_t)unzigzag(v);
			if (cgroups)
				p->kcgroup[j] = cg;
			else if (cg)
				return ERR("process %d: kpagecgroup values in a capture without "
					   "kpagecgroup", p->pid);
		}
	}
	if (r->p != r->end)
		return ERR("process %d: %zu unexpected bytes at the end", p->pid, (size_t)(r->end - r->p));
	return 0;
}

/* A process's pinned memory: PID, VmPin, ranges (gap to the end of the
 * one before, length), in address order, not overlapping. */
static int decode_pinned(struct rd *r, struct pa_snap_capture *c, char *err, size_t errlen)
{
	uint64_t pid, kb, n, gap, len, end = 0;
	struct pa_snap_proc *p = NULL;

	if (get_small(r, INT_MAX, &pid) < 0 || get_small(r, 1ULL << 50, &kb) < 0 ||
	    get_varint(r, &n) < 0)
		return ERR("pinned memory: invalid or truncated");
	for (size_t i = 0; i < c->nprocs && !p; i++)
		if (c->procs[i].pid == (pid_t)pid)
			p = &c->procs[i];
	if (!p)
		return ERR("pinned memory of process %llu, which is not in the capture",
			   (unsigned long long)pid);
	if (p->vm_pin_kb || p->pins.n)
		return ERR("process %d: pinned memory recorded twice", p->pid);
	/* two bytes at least a range */
	if (n > (uint64_t)(r->end - r->p) / 2)
		return ERR("process %d: pinned range count larger than the data", p->pid);
	p->vm_pin_kb = kb;
	if (n) {
		p->pins.r = pa_xrealloc(NULL, (size_t)n, sizeof(*p->pins.r));
		p->pins.cap = (size_t)n;
	}
	for (uint64_t i = 0; i < n; i++) {
		if (get_varint(r, &gap) < 0 || get_varint(r, &len) < 0)
			return ERR("process %d: pinned ranges truncated", p->pid);
		if (!len || gap > UINT64_MAX - end || len > UINT64_MAX - end - gap)
			return ERR("process %d: pinned range empty or out of range", p->pid);
		end += gap;
		p->pins.r[p->pins.n++] = (struct pa_pinned_range){ end, end + len };
		end += len;
	}
	if (r->p != r->end)
		return ERR("process %d: unexpected bytes after the pinned ranges", p->pid);
	return 0;
}

int pa_snap_decode(const uint8_t *data, size_t len, struct pa_snap_capture *c, char *err, size_t errlen)
{
	struct rd r = { data, data + len };
	uint64_t nprocs = 0;
	bool info = false;

	memset(c, 0, sizeof(*c));
	while (r.p < r.end) {
		uint32_t tag;
		uint64_t slen;
		struct rd s;

		if (r.end - r.p < 16) {
			pa_snap_capture_free(c);
			return ERR("section header truncated");
		}
		tag = get_le32(r.p);
		slen = get_le64(r.p + 8);
		r.p += 16;
		if (slen > (uint64_t)(r.end - r.p)) {
			pa_snap_capture_free(c);
			return ERR("section longer than the capture");
		}
		s = (struct rd){ r.p, r.p + slen };
		r.p += slen;
		if (tag == PA_SNAP_SEC_INFO) {
			if (info || decode_info(&s, c, &nprocs, err, errlen) < 0) {
				if (info)
					ERR("capture information recorded twice");
				pa_snap_capture_free(c);
				return -1;
			}
			/* every process takes at least 16 bytes of section header */
			if (nprocs > len / 16) {
				pa_snap_capture_free(c);
				return ERR("process count larger than the data");
			}
			info = true;
		} else if (tag == PA_SNAP_SEC_MAPCOUNT && info) {
			uint64_t m;

			if (get_varint(&s, &m) < 0 || m > PA_MAPCOUNT_AVERAGE ||
			    get_str(&s, c->kinfo.mapcount_how, sizeof(c->kinfo.mapcount_how)) < 0) {
				pa_snap_capture_free(c);
				return ERR("invalid kpagecount information");
			}
			c->kinfo.mapcount = (enum pa_mapcount)m;
		} else if (tag == PA_SNAP_SEC_PROC) {
			if (!info || c->nprocs >= nprocs) {
				pa_snap_capture_free(c);
				return ERR(info ? "more processes than announced" :
					   "process data before the capture information");
			}
			if (decode_proc(&s, c, pa_snap_add_proc(c), err, errlen) < 0) {
				pa_snap_capture_free(c);
				return -1;
			}
		} else if (tag == PA_SNAP_SEC_PINNED && info) {
			if (decode_pinned(&s, c, err, errlen) < 0) {
				pa_snap_capture_free(c);
				return -1;
			}
		}
		/* other tags: sections of a later minor revision, skipped */
	}
	if (!info) {
		pa_snap_capture_free(c);
		return ERR("no capture information");
	}
	if (c->nprocs != nprocs) {
		size_t have = c->nprocs;

		pa_snap_capture_free(c);
		return ERR("%zu of %llu processes present", have, (unsigned long long)nprocs);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* File                                                                */

static int read_mem(const uint8_t *data, size_t len, size_t index, uint64_t max_raw,
		    struct pa_snap_capture *c, size_t *count, char *err, size_t errlen)
{
	size_t off = PA_SNAP_HDR_SIZE, n = 0;
	uint32_t version;

	memset(c, 0, sizeof(*c));
	*count = 0;
	if (len < 8 || memcmp(data, PA_SNAP_MAGIC, 8))
		return ERR("not a page-anon snapshot (no snapshot header)");
	if (len < PA_SNAP_HDR_SIZE)
		return ERR("truncated file header");
	version = get_le32(data + 8);
	if (version > PA_SNAP_VERSION)
		return ERR("snapshot format version %u is newer than this page-anon reads (%d): "
			   "use a newer page-anon", version, PA_SNAP_VERSION);
	if (version == 0)
		return ERR("invalid snapshot format version 0");
	if (index == 0)
		index = 1;
	while (off < len) {
		const uint8_t *h = data + off;
		uint64_t clen, rlen;
		unsigned long long fsize;

		if (len - off < PA_SNAP_REC_SIZE)
			return ERR("capture %zu: truncated header", n + 1);
		if (memcmp(h, PA_SNAP_REC_MAGIC, 4))
			return ERR("capture %zu: bad record header (damaged file)", n + 1);
		if (crc32c(0, h, 28) != get_le32(h + 28))
			return ERR("capture %zu: header checksum mismatch (damaged file)", n + 1);
		clen = get_le64(h + 8);
		rlen = get_le64(h + 16);
		if (clen > len - off - PA_SNAP_REC_SIZE)
			return ERR("capture %zu: truncated (%llu of %llu bytes)", n + 1,
				   (unsigned long long)(len - off - PA_SNAP_REC_SIZE),
				   (unsigned long long)clen);
		if (crc32c(0, h + PA_SNAP_REC_SIZE, (size_t)clen) != get_le32(h + 24))
			return ERR("capture %zu: checksum mismatch (damaged file)", n + 1);
		n++;
		off += PA_SNAP_REC_SIZE + (size_t)clen;
		if (n != index)
			continue;
		if (rlen > max_raw)
			return ERR("capture %zu: %llu bytes uncompressed, more than the limit of %llu",
				   n, (unsigned long long)rlen, (unsigned long long)max_raw);
		fsize = ZSTD_getFrameContentSize(h + PA_SNAP_REC_SIZE, (size_t)clen);
		if (fsize != rlen)
			return ERR("capture %zu: compressed data does not match its header", n);
		uint8_t *raw = pa_snap_huge_hint(malloc(rlen ? (size_t)rlen : 1), (size_t)rlen);

		if (!raw)
			return ERR("capture %zu: out of memory for %llu bytes", n, (unsigned long long)rlen);
		size_t got = ZSTD_decompress(raw, (size_t)rlen, h + PA_SNAP_REC_SIZE, (size_t)clen);

		if (ZSTD_isError(got) || got != rlen) {
			free(raw);
			return ERR("capture %zu: cannot decompress: %s", n,
				   ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short data");
		}
		char why[512];

		if (pa_snap_decode(raw, (size_t)rlen, c, why, sizeof(why)) < 0) {
			free(raw);
			return ERR("capture %zu: %s", n, why);
		}
		free(raw);
	}
	*count = n;
	if (!n)
		return ERR("no capture in the file (an empty snapshot)");
	if (index > n) {
		pa_snap_capture_free(c);
		return ERR("no capture %zu: the file holds %zu", index, n);
	}
	return 0;
}

int pa_snap_read_mem(const uint8_t *data, size_t len, size_t index, uint64_t max_raw,
		     struct pa_snap_capture *c, size_t *count, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	if (read_mem(data, len, index, max_raw, c, count, err, errlen) < 0) {
		/* also when a later capture is damaged */
		pa_snap_capture_free(c);
		return -1;
	}
	return 0;
}

/* Split "FILE@N" when FILE@N does not exist as is. */
static int split_spec(const char *spec, char *path, size_t plen, size_t *index)
{
	const char *at = strrchr(spec, '@');
	struct stat st;

	*index = 0;
	snprintf(path, plen, "%s", spec);
	if (!at || !at[1] || stat(spec, &st) == 0)
		return 0;
	uint64_t v;

	if (pa_parse_u64(at + 1, &v) < 0 || !v || v > SIZE_MAX)
		return 0;
	if ((size_t)(at - spec) >= plen)
		return -1;
	path[at - spec] = '\0';
	*index = (size_t)v;
	return 0;
}

int pa_snap_read_file(const char *spec, struct pa_snap_capture *c, size_t *index, size_t *count,
		      char *err, size_t errlen)
{
	char path[4096], why[1024];
	uint8_t *data = NULL;
	struct stat st;
	size_t len = 0;
	int fd, r;

	memset(c, 0, sizeof(*c));
	if (split_spec(spec, path, sizeof(path), index) < 0)
		return ERR("%s: name too long", spec);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ERR("%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ERR("%s: not a regular file (a snapshot is a file written by --save)", path);
	}
	if ((uint64_t)st.st_size > (SIZE_MAX >> 1)) {
		close(fd);
		return ERR("%s: too large", path);
	}
	len = (size_t)st.st_size;
	data = malloc(len ? len : 1);
	if (!data) {
		close(fd);
		return ERR("%s: out of memory for %zu bytes", path, len);
	}
	for (size_t done = 0; done < len;) {
		ssize_t k = pread(fd, data + done, len - done, (off_t)done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = k < 0 ? errno : EIO;
			free(data);
			close(fd);
			return ERR("%s: read error: %s", path, strerror(r));
		}
		done += (size_t)k;
	}
	close(fd);
	r = pa_snap_read_mem(data, len, *index, PA_SNAP_MAX_RAW, c, count, why, sizeof(why));
	free(data);
	if (r < 0)
		return ERR("%s: %s", path, why);
	if (!*index)
		*index = 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Records                                                             */

void pa_snap_file_header(uint8_t *hdr)
{
	memcpy(hdr, PA_SNAP_MAGIC, 8);
	put_le32(hdr + 8, PA_SNAP_VERSION);
	put_le32(hdr + 12, 0);
}

/* A record (header and zstd frame) for a raw payload in two parts;
 * returns its size. */
size_t pa_snap_record(struct ZSTD_CCtx_s *cctx, const uint8_t *a, size_t alen, const uint8_t *b,
		      size_t blen, uint8_t **out, char *err, size_t errlen)
{
	size_t rlen = alen + blen, bound = ZSTD_compressBound(rlen), r;
	uint8_t *rec = pa_xrealloc(NULL, PA_SNAP_REC_SIZE + bound, 1), *comp = rec + PA_SNAP_REC_SIZE;
	ZSTD_outBuffer ob = { comp, bound, 0 };
	ZSTD_inBuffer ia = { a, alen, 0 }, ib = { b, blen, 0 };

	/* Level 1: a capture is mostly columns of small repeated deltas,
	 * which it compresses well at several hundred MB/s; the content
	 * checksum checks the decompression. */
	ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
	ZSTD_CCtx_setPledgedSrcSize(cctx, rlen);
	r = ZSTD_compressStream2(cctx, &ob, &ia, ZSTD_e_continue);
	while (!ZSTD_isError(r)) {
		r = ZSTD_compressStream2(cctx, &ob, &ib, ZSTD_e_end);
		if (!r)
			break;
	}
	if (ZSTD_isError(r)) {
		free(rec);
		ERR("compression failed: %s", ZSTD_getErrorName(r));
		return 0;
	}
	memcpy(rec, PA_SNAP_REC_MAGIC, 4);
	put_le32(rec + 4, 0);
	put_le64(rec + 8, ob.pos);
	put_le64(rec + 16, rlen);
	put_le32(rec + 24, crc32c(0, comp, ob.pos));
	put_le32(rec + 28, crc32c(0, rec, 28));
	*out = rec;
	return PA_SNAP_REC_SIZE + ob.pos;
}

int pa_snap_wrap(const uint8_t *raw, size_t rlen, uint8_t **out, size_t *olen)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	uint8_t *rec, *f;
	char err[256];
	size_t n;

	if (!cctx)
		return -1;
	n = pa_snap_record(cctx, raw, rlen, NULL, 0, &rec, err, sizeof(err));
	ZSTD_freeCCtx(cctx);
	if (!n)
		return -1;
	f = pa_xrealloc(NULL, PA_SNAP_HDR_SIZE + n, 1);
	pa_snap_file_header(f);
	memcpy(f + PA_SNAP_HDR_SIZE, rec, n);
	free(rec);
	*out = f;
	*olen = PA_SNAP_HDR_SIZE + n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The snapshot source                                                 */

struct snap_src {
	struct pa_snap_capture c;
	/* Pages are numbered across the capture, process after process:
	 * page j of procs[i] is base[i] + j.  The PFN index refers to these
	 * numbers rather than copying the kpage* words. */
	size_t *base;		/* nprocs + 1 */
	/* PFN index over every process's present pages: sorted, unique
	 * (the first process in the file wins a PFN recorded twice), with
	 * the page number of each. */
	size_t npfn;
	uint64_t *pfn;
	uint32_t *ref;
	/* Dense captures: page number + 1 of every PFN up to maxpfn, 0 for
	 * none (pfn and ref unused); kept where it costs at most 64 bytes
	 * per page, and only the 4 KiB pages of it that hold a PFN of the
	 * capture are ever touched. */
	uint32_t *direct;
	uint64_t maxpfn;
};

struct snap_target {
	struct pa_target t;
	const struct pa_snap_proc *p;
};

static struct snap_src *snap_of(const struct pa_source *s)
{
	return s->priv;
}

static const struct pa_snap_proc *find_proc(const struct pa_snap_capture *c, pid_t pid)
{
	for (size_t i = 0; i < c->nprocs; i++)
		if (c->procs[i].pid == pid)
			return &c->procs[i];
	return NULL;
}

/* First index with pfn >= x. */
static size_t pfn_lower(const struct snap_src *ss, uint64_t x)
{
	size_t lo = 0, hi = ss->npfn;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ss->pfn[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The recorded word of file f for page number g; *hint is the process
 * of the last call (pages come in runs of one process). */
static inline uint64_t page_word(const struct snap_src *ss, enum pa_kfile f, size_t g, size_t *hint)
{
	const struct pa_snap_proc *p;
	size_t i = *hint;

	if (g < ss->base[i] || g >= ss->base[i + 1]) {
		size_t lo = 0, hi = ss->c.nprocs;

		/* the last process that starts at or before g (those
		 * without pages start where the next one does) */
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;

			if (ss->base[mid] <= g)
				lo = mid;
			else
				hi = mid;
		}
		*hint = i = lo;
	}
	p = &ss->c.procs[i];
	g -= ss->base[i];
	return f == PA_KPAGEFLAGS ? p->kflags[g] : f == PA_KPAGECOUNT ? p->kcount[g] :
	       p->kcgroup ? p->kcgroup[g] : 0;
}

static ssize_t snap_read_pfn(struct pa_source *s, enum pa_kfile f, uint64_t *buf,
			     uint64_t pfn, size_t n)
{
	struct snap_src *ss = snap_of(s);
	size_t k, hint = 0;

	if (!(ss->c.kfiles & 1u << f))
		return -EBADF;
	if (pfn >> 48)
		return 0;
	if (n > (1ULL << 48) - pfn)
		n = (size_t)((1ULL << 48) - pfn);
	if (ss->direct) {
		for (size_t i = 0; i < n; i++) {
			uint64_t x = pfn + i;
			uint32_t slot = x <= ss->maxpfn ? ss->direct[x] : 0;

			buf[i] = slot ? page_word(ss, f, slot - 1, &hint) : 0;
		}
		return (ssize_t)n;
	}
	k = pfn_lower(ss, pfn);
	for (size_t i = 0; i < n; i++) {
		uint64_t x = pfn + i;

		while (k < ss->npfn && ss->pfn[k] < x)
			k++;
		buf[i] = k < ss->npfn && ss->pfn[k] == x ? page_word(ss, f, ss->ref[k], &hint) : 0;
	}
	return (ssize_t)n;
}

static bool snap_has_kfile(struct pa_source *s, enum pa_kfile f)
{
	return snap_of(s)->c.kfiles & 1u << f;
}

static int snap_open_kfiles(struct pa_source *s, unsigned mask)
{
	int first = 0;

	for (int f = 0; f < PA_KFILE__N; f++)
		if ((mask & 1u << f) && !snap_has_kfile(s, (enum pa_kfile)f)) {
			s->kfile_errno[f] = ENOENT;
			if (!first)
				first = -ENOENT;
		}
	return first;
}

static int snap_open_target(struct pa_source *s, pid_t pid, struct pa_target **out)
{
	const struct pa_snap_proc *p = find_proc(&snap_of(s)->c, pid);
	struct snap_target *st;

	if (!p)
		return -ENOENT;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->t.src = s;
	st->t.pid = pid;
	st->t.pagemap_fd = -1;
	st->t.pidfd = -1;
	snprintf(st->t.comm, sizeof(st->t.comm), "%s", p->comm);
	st->p = p;
	*out = &st->t;
	return 0;
}

static void snap_close_target(struct pa_target *t)
{
	free(t);
}

static int snap_read_maps(struct pa_target *t, struct pa_maps *m)
{
	const struct pa_snap_proc *p = ((struct snap_target *)t)->p;

	m->n = 0;
	m->cap = p->maps.n ? p->maps.n : 1;
	m->v = pa_xrealloc(NULL, m->cap, sizeof(*m->v));
	for (size_t i = 0; i < p->maps.n; i++) {
		m->v[i] = p->maps.v[i];
		m->v[i].name = pa_xstrdup(p->maps.v[i].name);
	}
	m->n = p->maps.n;
	return 0;
}

/* First recorded page at or after vpn. */
static size_t vpn_lower(const struct pa_snap_proc *p, uint64_t vpn)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->vpn[mid] < vpn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static ssize_t snap_read_pagemap(struct pa_target *t, uint64_t *buf, uint64_t vpn, size_t n)
{
	const struct pa_snap_proc *p = ((struct snap_target *)t)->p;
	size_t k;

	if (n > UINT64_MAX - vpn)
		n = (size_t)(UINT64_MAX - vpn);
	memset(buf, 0, n * sizeof(*buf));
	for (k = vpn_lower(p, vpn); k < p->n && p->vpn[k] - vpn < n; k++)
		buf[p->vpn[k] - vpn] = p->pme[k];
	return (ssize_t)n;
}

/* PAGEMAP_SCAN from the recorded pages: the categories a populated page
 * had (present, swapped, file, zero PFN, PMD-mapped, soft-dirty, guard);
 * pages that were not recorded match no category, so anyof must not be 0. */
static uint64_t page_categories(const struct snap_src *ss, const struct pa_snap_proc *p, size_t k)
{
	uint64_t pme = p->pme[k], c = 0;

	if (pme & PM_PRESENT)
		c |= PA_PAGE_IS_PRESENT;
	else if (pme & PM_SWAP)
		c |= PA_PAGE_IS_SWAPPED;
	if (pme & PM_FILE)
		c |= PA_PAGE_IS_FILE;
	if ((pme & PM_PRESENT) && (p->kflags[k] & PA_BIT(ZERO_PAGE)))
		c |= PA_PAGE_IS_PFNZERO;
	if (p->pg[k] & PA_PG_PMD_MAPPED)
		c |= PA_PAGE_IS_HUGE;
	if (pme & PM_SOFT_DIRTY)
		c |= PA_PAGE_IS_SOFT_DIRTY;
	if (pme & PM_GUARD_REGION)
		c |= PA_PAGE_IS_GUARD;
	return c & ss->c.kinfo.scan_categories;
}

static int snap_scan(struct pa_target *t, uint64_t start, uint64_t end, uint64_t anyof,
		     uint64_t ret_mask, struct pa_region *vec, size_t vlen, uint64_t *walk_end)
{
	const struct pa_snap_proc *p = ((struct snap_target *)t)->p;
	const struct snap_src *ss = snap_of(t->src);
	uint64_t ps = (uint64_t)ss->c.page_size;
	size_t nv = 0;

	if (ss->c.kinfo.pagemap_scan != PA_YES)
		return -ENOTTY;
	if (!anyof || (anyof | ret_mask) & ~ss->c.kinfo.scan_categories || start % ps || !vlen)
		return -EINVAL;
	*walk_end = end;
	for (size_t k = vpn_lower(p, start / ps); k < p->n && p->vpn[k] < (end + ps - 1) / ps; k++) {
		uint64_t cat = page_categories(ss, p, k), a = p->vpn[k] * ps;

		if (!(cat & anyof))
			continue;
		cat &= ret_mask;
		if (nv && vec[nv - 1].end == a && vec[nv - 1].categories == cat) {
			vec[nv - 1].end = a + ps;
			continue;
		}
		if (nv == vlen) {
			*walk_end = a;
			break;
		}
		vec[nv++] = (struct pa_region){ a, a + ps, cat };
	}
	return (int)nv;
}

static int snap_read_text(const struct pa_source *s, const char *rel, char *buf, size_t len)
{
	const struct pa_snap_capture *c = &snap_of(s)->c;
	const struct pa_snap_proc *p;
	char what[32];
	int pid, k;

	if (sscanf(rel, "proc/%d/%31s", &pid, what) != 2 || !(p = find_proc(c, pid)))
		return -ENOENT;
	if (!strcmp(what, "comm"))
		k = snprintf(buf, len, "%s", p->comm);
	else if (!strcmp(what, "status"))
		k = snprintf(buf, len, "Name:\t%s\nPid:\t%d\nPPid:\t%d\nUid:\t%u\t%u\t%u\t%u\n"
			     "VmPin:\t%8llu kB\n",
			     p->comm, (int)p->pid, (int)p->ppid, (unsigned)p->uid, (unsigned)p->uid,
			     (unsigned)p->uid, (unsigned)p->uid, (unsigned long long)p->vm_pin_kb);
	else if (!strcmp(what, "cgroup") && p->cgroup[0])
		k = snprintf(buf, len, "0::%s\n", p->cgroup);
	else if (!strcmp(what, "stat"))
		k = snprintf(buf, len, "%d (%s) %c %d 0 0 0 0 0", (int)p->pid, p->comm,
			     p->state ? p->state : 'R', (int)p->ppid);
	else
		return -ENOENT;
	return k < 0 ? -EIO : (size_t)k >= len ? (int)len - 1 : k;
}

static int snap_children(const struct pa_source *s, pid_t pid, pid_t **pids, size_t *n, size_t *cap)
{
	const struct pa_snap_capture *c = &snap_of(s)->c;

	for (size_t i = 0; i < c->nprocs; i++) {
		if (c->procs[i].ppid != pid || c->procs[i].pid == pid)
			continue;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			*pids = pa_xrealloc(*pids, *cap, sizeof(**pids));
		}
		(*pids)[(*n)++] = c->procs[i].pid;
	}
	return 0;
}

static int snap_cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* --all on a snapshot: its processes. */
static ssize_t snap_pids(const struct pa_source *s, pid_t **pids)
{
	const struct pa_snap_capture *c = &snap_of(s)->c;

	*pids = pa_xrealloc(NULL, c->nprocs ? c->nprocs : 1, sizeof(**pids));
	for (size_t i = 0; i < c->nprocs; i++)
		(*pids)[i] = c->procs[i].pid;
	qsort(*pids, c->nprocs, sizeof(**pids), snap_cmp_pid);
	return (ssize_t)c->nprocs;
}

/* The io_uring registered buffers recorded for pid. */
static int snap_pinned(const struct pa_source *s, pid_t pid, struct pa_pinned *out)
{
	const struct pa_snap_proc *p = find_proc(&snap_of(s)->c, pid);

	if (!p)
		return -ENOENT;
	for (size_t i = 0; i < p->pins.n; i++) {
		if (out->n == out->cap) {
			out->cap = out->cap ? 2 * out->cap : 8;
			out->r = pa_xrealloc(out->r, out->cap, sizeof(*out->r));
		}
		out->r[out->n++] = p->pins.r[i];
	}
	return (int)p->pins.n;
}

static void snap_destroy(struct pa_source *s)
{
	struct snap_src *ss = snap_of(s);

	pa_snap_capture_free(&ss->c);
	free(ss->pfn);
	free(ss->ref);
	free(ss->direct);
	free(ss->base);
	free(ss);
	free(s->root);
	free(s);
}

static const struct pa_source_ops snap_ops = {
	.read_pfn = snap_read_pfn,
	.has_kfile = snap_has_kfile,
	.open_target = snap_open_target,
	.close_target = snap_close_target,
	.read_maps = snap_read_maps,
	.read_pagemap = snap_read_pagemap,
	.scan = snap_scan,
	.destroy = snap_destroy,
	.read_text = snap_read_text,
	.children = snap_children,
	.pids = snap_pids,
	.open_kfiles = snap_open_kfiles,
	.pinned = snap_pinned,
};

/* PFN index entries, radix sorted by PFN. */
struct pfn_ref {
	uint64_t pfn;
	uint32_t g;		/* page number */
};

static void build_index(struct snap_src *ss)
{
	const struct pa_snap_capture *c = &ss->c;
	struct pfn_ref *a, *b, *t;
	size_t n = 0, m = 0, total = 0;
	uint64_t max = 0;

	ss->base = pa_xrealloc(NULL, c->nprocs + 1, sizeof(*ss->base));
	for (size_t i = 0; i < c->nprocs; i++) {
		const struct pa_snap_proc *p = &c->procs[i];

		ss->base[i] = total;
		total += p->n;
		for (size_t j = 0; j < p->n; j++) {
			uint64_t pme = p->pme[j];

			if ((pme & PM_PRESENT) && PM_PFRAME(pme)) {
				n++;
				if (PM_PFRAME(pme) > max)
					max = PM_PFRAME(pme);
			}
		}
	}
	ss->base[c->nprocs] = total;
	if (total >= UINT32_MAX)	/* more than the decoder lets through */
		return;
	/* a direct table when the PFNs are dense enough; calloc'd memory
	 * stays unbacked where no PFN falls */
	if (n && max < 16 * (uint64_t)n + (1u << 20)) {
		ss->direct = calloc((size_t)max + 1, sizeof(*ss->direct));
		ss->maxpfn = max;
	}
	if (ss->direct) {
		for (size_t i = 0; i < c->nprocs; i++) {
			const struct pa_snap_proc *p = &c->procs[i];
			uint32_t g = (uint32_t)ss->base[i];

			for (size_t j = 0; j < p->n; j++, g++) {
				uint64_t pfn = PM_PFRAME(p->pme[j]);

				if (!(p->pme[j] & PM_PRESENT) || !pfn || ss->direct[pfn])
					continue;
				ss->direct[pfn] = g + 1;
				m++;
			}
		}
		ss->npfn = m;
		return;
	}
	max = 0;
	a = pa_xrealloc(NULL, n ? n : 1, sizeof(*a));
	b = pa_xrealloc(NULL, n ? n : 1, sizeof(*b));
	for (size_t i = 0; i < c->nprocs; i++) {
		const struct pa_snap_proc *p = &c->procs[i];

		for (size_t j = 0; j < p->n; j++) {
			uint64_t pme = p->pme[j];

			if (!(pme & PM_PRESENT) || !PM_PFRAME(pme))
				continue;
			a[m++] = (struct pfn_ref){ PM_PFRAME(pme), (uint32_t)(ss->base[i] + j) };
			if (PM_PFRAME(pme) > max)
				max = PM_PFRAME(pme);
		}
	}
	/* stable, so the first process keeps its place among equal PFNs */
	for (int shift = 0; shift < 64 && (max >> shift); shift += 8) {
		size_t cnt[256] = { 0 }, sum = 0;

		for (size_t i = 0; i < n; i++)
			cnt[(a[i].pfn >> shift) & 0xff]++;
		for (int d = 0; d < 256; d++) {
			size_t k = cnt[d];

			cnt[d] = sum;
			sum += k;
		}
		for (size_t i = 0; i < n; i++)
			b[cnt[(a[i].pfn >> shift) & 0xff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	free(b);
	ss->pfn = pa_xrealloc(NULL, n ? n : 1, sizeof(*ss->pfn));
	ss->ref = pa_xrealloc(NULL, n ? n : 1, sizeof(*ss->ref));
	m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && ss->pfn[m - 1] == a[i].pfn)
			continue;
		ss->pfn[m] = a[i].pfn;
		ss->ref[m] = a[i].g;
		m++;
	}
	ss->npfn = m;
	free(a);
}

struct pa_source *pa_source_snapshot(struct pa_snap_capture *c, const char *name)
{
	struct pa_source *s = calloc(1, sizeof(*s));
	struct snap_src *ss = calloc(1, sizeof(*ss));

	if (!s || !ss) {
		free(s);
		free(ss);
		pa_snap_capture_free(c);
		errno = ENOMEM;
		return NULL;
	}
	ss->c = *c;
	memset(c, 0, sizeof(*c));
	build_index(ss);
	s->ops = &snap_ops;
	s->priv = ss;
	/* Not the live system: no pidfds, no privileges, no self-tests. */
	s->root = pa_xstrdup(name && *name ? name : "snapshot");
	for (int f = 0; f < PA_KFILE__N; f++)
		s->fd[f] = -1;
	snprintf(s->release, sizeof(s->release), "%s", ss->c.release);
	s->page_size = ss->c.page_size;
	s->kinfo = &ss->c.kinfo;
	return s;
}

const struct pa_snap_capture *pa_source_capture(const struct pa_source *s)
{
	return s && s->ops == &snap_ops ? &snap_of(s)->c : NULL;
}
