// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_sysroot: the binary and text files page-anon reads from a captured
 * tree (--sysroot), through the real session, walk, report and outputs.
 *
 * Input: a 4-byte option word (little endian, FO_* below), then sections
 * separated by "\n--\n":
 *   0  proc/PID/maps
 *   1  pagemap entries (u64 blob), cut into one piece per VMA and written
 *      at the offset the VMA implies (start / page_size * 8), like a real
 *      proc/PID/pagemap; the file is sparse
 *   2  proc/kpageflags (u64 blob; also the -F file)
 *   3  proc/kpagecount (u64 blob; also proc/kpagecgroup when asked for)
 *   4  proc/sys/kernel/osrelease
 *   5  option lines: "a ADDR-SPEC", "b BITS-SPEC", "s SORT", "o COLUMNS"
 *   6  page_size
 *   7  proc/PID/stat
 *   8  proc/PID/comm
 * A missing section is a missing file.  The tree lives in a private
 * directory under $TMPDIR, removed at exit.  stdout goes to /dev/null and
 * the program's own messages too (PA_FUZZ_VERBOSE=1 keeps them); sanitizer
 * reports still go to file descriptor 2.
 *
 * Invariants: no crash or leak; a direct walk (pa_walk_target with a
 * checking callback) sees exactly the pagemap entries of the file and the
 * kpageflags/kpagecount entries of the blobs at their PFNs; the report's
 * counts add up and equal the direct walk's; the flags table's pages add
 * up to the pages walked.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "page-anon.h"
#include "fuzz.h"

/* Option word bits. */
#define FO_RAW		(1u << 0)
#define FO_LIST		(3u << 1)	/* 0, 1 (-l), 2 (-L), 3 (-l) */
#define FO_MAPCNT	(1u << 3)
#define FO_LISTCG	(1u << 4)
#define FO_JSON		(1u << 5)
#define FO_PRETTY	(1u << 6)
#define FO_NOSUMMARY	(1u << 7)
#define FO_EXTENDED	(1u << 8)
#define FO_PFNWALK	(1u << 9)	/* no -p: walk kpageflags */
#define FO_KPF_FILE	(1u << 10)	/* -F FILE instead of proc/kpageflags */
#define FO_PID2		(1u << 11)	/* second PID: same files */
#define FO_PID_GONE	(1u << 12)	/* second PID: no such process */
#define FO_ALL_VMAS	(1u << 13)
#define FO_CGROUP	(1u << 14)	/* -c @N, N from the option word */
#define FO_KPCG		(1u << 15)	/* proc/kpagecgroup exists */
#define FO_IDLE		(1u << 16)	/* -i: writes the sysroot's bitmap */
#define FO_NO_KPC	(1u << 17)	/* proc/kpagecount missing */
#define FO_SCAN_NEVER	(1u << 18)
#define FO_CG_SHIFT	24		/* bits 24-31: the cgroup inode */

#define SEP		"\n--\n"
#define NSECT		9
#define PID_A		42
#define PID_B		43	/* symlink to PID_A */
#define PID_GONE	44
/* Pages the walks may visit per input: keeps executions fast. */
#define MAX_WALK_PAGES	(1u << 15)
#define MAX_SPECS	8

struct sect {
	const uint8_t *p;
	size_t len;
	bool present;
};

/* base is short enough that the paths below it always fit */
static char base[PATH_MAX - 64], root[PATH_MAX], kpf_alt[PATH_MAX];
static FILE *devnull;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void cleanup(void)
{
	if (*base)
		nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void path_of(char *buf, size_t len, const char *rel)
{
	int n = snprintf(buf, len, "%s/%s", root, rel);

	FUZZ_CHECK(n > 0 && (size_t)n < len);
}

static void mkdir_rel(const char *rel)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), rel);
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		perror(p);
		abort();
	}
}

static void init(void)
{
	static bool done;
	const char *tmp = getenv("TMPDIR");
	char p[PATH_MAX];

	if (done)
		return;
	done = true;
	snprintf(base, sizeof(base), "%s/pa-fuzz-sysroot.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(base)) {
		perror(base);
		abort();
	}
	atexit(cleanup);
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(kpf_alt, sizeof(kpf_alt), "%s/kpageflags-file", base);
	if (mkdir(root, 0755) < 0) {
		perror(root);
		abort();
	}
	mkdir_rel("proc");
	mkdir_rel("proc/42");
	mkdir_rel("proc/sys");
	mkdir_rel("proc/sys/kernel");
	mkdir_rel("sys");
	mkdir_rel("sys/kernel");
	mkdir_rel("sys/kernel/mm");
	mkdir_rel("sys/kernel/mm/page_idle");
	path_of(p, sizeof(p), "proc/43");
	if (symlink("42", p) < 0) {
		perror(p);
		abort();
	}
	if (!freopen("/dev/null", "w", stdout))
		abort();
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	/* page-anon's messages go through the stderr stream; the
	 * sanitizers write to descriptor 2 directly. */
	if (!getenv("PA_FUZZ_VERBOSE"))
		stderr = devnull;
}

/* Write a file (absolute path), or remove it when the section is absent. */
static void put_abs(const char *path, const struct sect *s)
{
	int fd;

	unlink(path);
	if (!s->present)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FUZZ_CHECK(fd >= 0);
	if (s->len)
		FUZZ_CHECK(write(fd, s->p, s->len) == (ssize_t)s->len);
	close(fd);
}

static void put(const char *rel, const struct sect *s)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), rel);
	put_abs(p, s);
}

static void split(const uint8_t *d, size_t size, struct sect *sec)
{
	size_t n = 0;

	memset(sec, 0, NSECT * sizeof(*sec));
	while (n < NSECT) {
		const uint8_t *e = memmem(d, size, SEP, strlen(SEP));

		sec[n].p = d;
		sec[n].present = true;
		if (!e) {
			sec[n].len = size;
			break;
		}
		sec[n].len = (size_t)(e - d);
		size -= sec[n].len + strlen(SEP);
		d = e + strlen(SEP);
		n++;
	}
}

static uint64_t blob_at(const struct sect *s, uint64_t i)
{
	uint64_t v = 0;

	if (!s->present || i >= s->len / 8)
		return 0;
	memcpy(&v, s->p + i * 8, 8);
	return v;
}

/* Pages the walk visits for one VMA (walk.c pa_walk_target). */
static uint64_t vma_pages(const struct pa_vma *v, uint64_t ps)
{
	uint64_t vs = v->start / ps, ve = v->end / ps;

	if (pa_vma_is_special(v) || ve <= vs)
		return 0;
	return ve - vs;
}

/*
 * Write the pagemap file: piece i of the blob at the entries of VMA i.
 * Returns false when the walk would visit too many pages.
 */
static bool make_pagemap(const struct sect *maps, const struct sect *pm, uint64_t ps)
{
	char path[PATH_MAX];
	struct pa_maps m = { 0 };
	uint64_t total = 0;
	size_t used = 0;
	bool ok = true;
	FILE *f;
	int fd;

	path_of(path, sizeof(path), "proc/42/pagemap");
	unlink(path);
	if (!pm->present)
		return true;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FUZZ_CHECK(fd >= 0);
	f = maps->present && maps->len ? fmemopen((void *)maps->p, maps->len, "r") : NULL;
	if (!f || pa_maps_parse(f, &m, NULL) < 0 || !ps) {
		/* No usable maps: the blob from offset 0. */
		if (pm->len)
			FUZZ_CHECK(pwrite(fd, pm->p, pm->len, 0) == (ssize_t)pm->len);
		goto out;
	}
	for (size_t i = 0; i < m.n; i++) {
		uint64_t n = vma_pages(&m.v[i], ps), vs = m.v[i].start / ps;
		size_t bytes;

		if (n > MAX_WALK_PAGES - total) {
			ok = false;
			break;
		}
		total += n;
		bytes = (size_t)n * 8;
		if (bytes > pm->len - used)
			bytes = pm->len - used;
		if (!bytes || vs > (uint64_t)INT64_MAX / 8 - n)
			continue;
		/* EFBIG past the file system's limit: the walk then sees EOF. */
		if (pwrite(fd, pm->p + used, bytes, (off_t)(vs * 8)) == (ssize_t)bytes)
			used += bytes;
	}
out:
	if (f)
		fclose(f);
	pa_maps_free(&m);
	close(fd);
	return ok;
}

/* ------------------------------------------------------------------ */
/* Direct walk with a checking callback                                */

struct check_ctx {
	const struct pa_maps *maps;
	const struct sect *kpf, *kpc;
	int pm_fd;
	uint64_t ps;
	bool need_count, ranges;
	bool infer;		/* small pages: kcount from pagemap bit 56 */
	bool excl_bit;		/* kinfo.anon_exclusive_bit */
	const struct pa_vma *last_vma;
	uint64_t last_idx;
	uint64_t *pm;		/* CHUNK entries read back from the file */
	uint64_t entries, present, listed;
};

#define WALK_CHUNK (64 * 1024)	/* walk.c CHUNK: a batch spans at most this */

static int check_batch(void *ctx, const struct pa_page_batch *b)
{
	struct check_ctx *c = ctx;
	uint64_t first, span;
	ssize_t got;

	FUZZ_CHECK(b->vma >= c->maps->v && b->vma < c->maps->v + c->maps->n);
	FUZZ_CHECK(b->n >= 1 && b->n <= WALK_CHUNK);
	first = b->index[0];
	span = b->index[b->n - 1] - first + 1;
	FUZZ_CHECK(b->index[b->n - 1] >= first && span <= WALK_CHUNK);
	got = pread(c->pm_fd, c->pm, (size_t)span * 8, (off_t)(first * 8));
	FUZZ_CHECK(got == (ssize_t)(span * 8));
	for (size_t i = 0; i < b->n; i++) {
		uint64_t idx = b->index[i], e = c->pm[idx - first], pfn;

		/* in address order (per -a range), inside the VMA */
		if (i || (b->vma == c->last_vma && !c->ranges))
			FUZZ_CHECK(idx > c->last_idx);
		c->last_idx = idx;
		FUZZ_CHECK(idx >= b->vma->start / c->ps && idx < b->vma->end / c->ps);
		/* the entry of the file, populated */
		FUZZ_CHECK(b->pme[i] == e);
		FUZZ_CHECK(e & (PM_PRESENT | PM_SWAP));
		pfn = (e & PM_PRESENT) ? PM_PFRAME(e) : 0;
		FUZZ_CHECK(b->pfn[i] == pfn);
		if (pfn) {
			FUZZ_CHECK(b->pgflags[i] & PA_PG_HAVE_KPAGE);
			FUZZ_CHECK(b->kflags[i] == blob_at(c->kpf, pfn));
			/* the walk reads kpagecount only where the report's
			 * state depends on it (walk.c count_needed()): there it
			 * must be exact, elsewhere exact or 0; for a small page
			 * pagemap's bit 56 answers instead: 1, or 2 for "two or
			 * more" (walk.c count_from_pagemap()) */
			if (b->kcount && c->need_count) {
				uint64_t kf = b->kflags[i];
				bool needed = (kf & PA_BIT(ANON)) &&
					      (!(kf & PA_BIT(OWNER_2)) || !c->excl_bit ||
					       (kf & PA_BIT(COMPOUND_TAIL)));

				if (needed && c->infer && !(kf & PA_BITS_COMPOUND))
					FUZZ_CHECK(b->kcount[i] == ((e & PM_MMAP_EXCLUSIVE) ? 1 : 2));
				else if (needed || b->kcount[i])
					FUZZ_CHECK(b->kcount[i] == blob_at(c->kpc, pfn));
			}
		} else {
			FUZZ_CHECK(!(b->pgflags[i] & PA_PG_HAVE_KPAGE));
			FUZZ_CHECK(b->kflags[i] == 0);
		}
		c->entries++;
		if (e & PM_PRESENT)
			c->present++;
		/* what the flags walk lists: a PFN, or a swap entry */
		if (pfn || (e & PM_SWAP))
			c->listed++;
	}
	c->last_vma = b->vma;
	return 0;
}

/* Returns false when the walk did not finish (EOF, errors). */
static bool direct_walk(struct pa_session *s, const struct pa_options *o,
			const struct sect *sec, struct check_ctx *c)
{
	struct pa_walk_opts wo = {
		.need_kflags = true,
		.need_count = s->src->ops->has_kfile(s->src, PA_KPAGECOUNT),
		.scan = o->scan,
		.ranges = o->ranges,
		.nranges = o->nranges,
	};
	struct pa_walk_stats st = { 0 };
	struct pa_target *t = NULL;
	struct pa_maps maps = { 0 };
	char path[PATH_MAX];
	bool ok = false;
	int r;

	memset(c, 0, sizeof(*c));
	if (s->src->ops->open_target(s->src, PID_A, &t) < 0)
		return false;
	if (s->src->ops->read_maps(t, &maps) < 0)
		goto out;
	path_of(path, sizeof(path), "proc/42/pagemap");
	c->pm_fd = open(path, O_RDONLY | O_CLOEXEC);
	FUZZ_CHECK(c->pm_fd >= 0);
	c->pm = malloc(WALK_CHUNK * sizeof(uint64_t));
	FUZZ_CHECK(c->pm != NULL);
	c->maps = &maps;
	c->kpf = &sec[2];
	c->kpc = &sec[3];
	c->ps = (uint64_t)s->src->page_size;
	c->need_count = wo.need_count;
	c->infer = pa_kver_code(&s->kinfo.kver) >= PA_KVER(4, 2);
	c->excl_bit = s->kinfo.anon_exclusive_bit;
	c->ranges = o->nranges != 0;
	r = pa_walk_target(t, &maps, &s->kinfo, &wo, check_batch, c, &st);
	ok = r == 0 && !st.partial && !t->gone;
	if (r == 0)
		FUZZ_CHECK(st.pagemap_entries >= c->entries);
	free(c->pm);
	c->pm = NULL;
	close(c->pm_fd);
out:
	pa_maps_free(&maps);
	s->src->ops->close_target(t);
	return ok;
}

/* ------------------------------------------------------------------ */

static void check_counts(const struct pa_counts *c)
{
	uint64_t pop = pa_counts_populated(c);

	FUZZ_CHECK(c->present <= pop);
	FUZZ_CHECK(c->anon <= c->present && c->thp <= c->present);
	FUZZ_CHECK(c->hugetlb <= c->present && c->mmap_exclusive <= c->present);
	FUZZ_CHECK(c->state[PA_ST_SWAPPED] <= pop - c->present);
	FUZZ_CHECK(c->uffd_wp <= pop && c->guard <= pop);
}

static void check_report(const struct pa_report *r, const struct pa_options *o, bool exact,
			 const struct check_ctx *walk)
{
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct pa_proc_report *p = &r->procs[i];
		struct pa_counts sum = { 0 };

		check_counts(&p->totals);
		FUZZ_CHECK(p->nvmas <= p->nvmas_total);
		for (size_t j = 0; j < p->nvmas; j++) {
			const struct pa_vma_report *v = &p->vmas[j];

			check_counts(&v->c);
			FUZZ_CHECK(v->rss_pages == v->c.present);
			FUZZ_CHECK(pa_counts_populated(&v->c) <=
				   vma_pages(&v->vma, (uint64_t)r->page_size));
			pa_counts_add(&sum, &v->c);
		}
		for (int k = 0; k < PA_ST__N; k++) {
			FUZZ_CHECK(sum.state[k] <= p->totals.state[k]);
			if (o->all_vmas && !p->err)
				FUZZ_CHECK(sum.state[k] == p->totals.state[k]);
		}
		FUZZ_CHECK(sum.present <= p->totals.present);
		if (exact && !p->err && (p->pid == PID_A || p->pid == PID_B)) {
			FUZZ_CHECK(pa_counts_populated(&p->totals) == walk->entries);
			FUZZ_CHECK(p->totals.present == walk->present);
		}
	}
}

static void check_flagstats(const struct pa_report *r)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < r->nflagstats; i++) {
		if (i)
			FUZZ_CHECK(r->flagstats[i - 1].flags < r->flagstats[i].flags);
		FUZZ_CHECK(r->flagstats[i].pages > 0);
		sum += r->flagstats[i].pages;
	}
	FUZZ_CHECK(sum == r->total_pages);
}

/* Pages of [0, n) the -a ranges select (overlapping ranges count twice). */
static uint64_t pfns_in_ranges(const struct pa_options *o, uint64_t n)
{
	uint64_t total = 0;

	if (!o->nranges)
		return n;
	for (size_t i = 0; i < o->nranges; i++) {
		uint64_t s = o->ranges[i].start, e;

		e = o->ranges[i].count > UINT64_MAX - s ? UINT64_MAX : s + o->ranges[i].count;
		if (e > n)
			e = n;
		if (s < e)
			total += e - s;
	}
	return total;
}

static void report_prepare(struct pa_report *r, const struct pa_session *s)
{
	pa_report_init(r);
	snprintf(r->kernel, sizeof(r->kernel), "%s", s->src->release);
	r->page_size = s->src->page_size;
	r->kinfo = s->kinfo;
	r->ftab = s->ftab;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sect sec[NSECT], kpc_copy;
	struct pa_options o = { 0 };
	struct pa_addr_range ranges[MAX_SPECS];
	char *bits[MAX_SPECS], *spec_text = NULL, cgroup[32], path[PATH_MAX];
	pid_t pids[2] = { PID_A, 0 };
	struct pa_session s;
	struct pa_report r;
	struct pa_source *probe;
	struct check_ctx walk = { 0 };
	uint32_t opt = 0;
	bool walked = false, filters;
	long ps;
	int rc;

	init();
	for (size_t i = 0; i < 4 && i < size; i++)
		opt |= (uint32_t)data[i] << (8 * i);
	data += size < 4 ? size : 4;
	size -= size < 4 ? size : 4;
	split(data, size, sec);

	/* The text files, then the page size the program will use. */
	put("proc/42/maps", &sec[0]);
	put("proc/sys/kernel/osrelease", &sec[4]);
	put("page_size", &sec[6]);
	put("proc/42/stat", &sec[7]);
	put("proc/42/comm", &sec[8]);
	if (opt & FO_KPF_FILE) {
		put_abs(kpf_alt, &sec[2]);
		put("proc/kpageflags", &(struct sect){ 0 });
	} else {
		put("proc/kpageflags", &sec[2]);
	}
	kpc_copy = sec[3];
	if (opt & FO_NO_KPC)
		kpc_copy.present = false;
	put("proc/kpagecount", &kpc_copy);
	kpc_copy.present = sec[3].present && (opt & FO_KPCG);
	put("proc/kpagecgroup", &kpc_copy);
	put("sys/kernel/mm/page_idle/bitmap", &(struct sect){ .present = true });

	/* An invalid page_size (regressions/fuzz_sysroot/page-size-zero
	 * once divided by zero) is refused by the source: nothing to walk. */
	probe = pa_source_procfs(root, NULL);
	if (!probe)
		return 0;
	ps = probe->page_size;
	FUZZ_CHECK(ps >= 4096 && !(ps & (ps - 1)));
	pa_source_free(probe);
	if (!make_pagemap(&sec[0], &sec[1], ps > 0 ? (uint64_t)ps : 0))
		return 0;

	/* Options. */
	o.sysroot = root;
	o.raw = opt & FO_RAW;
	o.list = (int)((opt & FO_LIST) >> 1) == 2 ? 2 : !!(opt & FO_LIST);
	o.list_mapcnt = opt & FO_MAPCNT;
	o.list_cgroup = opt & FO_LISTCG;
	o.json = opt & FO_JSON ? (opt & FO_PRETTY ? PA_JSON_PRETTY : PA_JSON_COMPACT) : PA_JSON_OFF;
	o.no_summary = opt & FO_NOSUMMARY;
	o.extended = opt & FO_EXTENDED;
	o.all_vmas = opt & FO_ALL_VMAS;
	o.scan = opt & FO_SCAN_NEVER ? PA_SCAN_NEVER : PA_SCAN_AUTO;
	o.mark_idle = opt & FO_IDLE;
	if (opt & FO_KPF_FILE)
		o.kpageflags_file = kpf_alt;
	if (opt & FO_CGROUP) {
		snprintf(cgroup, sizeof(cgroup), "@%u", opt >> FO_CG_SHIFT);
		o.cgroup_arg = cgroup;
	}
	o.pids = pids;
	if (!(opt & FO_PFNWALK)) {
		o.npids = 1;
		if (opt & (FO_PID2 | FO_PID_GONE))
			pids[o.npids++] = opt & FO_PID2 ? PID_B : PID_GONE;
	}
	o.ranges = ranges;
	o.bits_specs = bits;
	if (sec[5].present) {
		char *line, *save = NULL;

		spec_text = strndup((const char *)sec[5].p, sec[5].len);
		FUZZ_CHECK(spec_text != NULL);
		for (line = strtok_r(spec_text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char err[128];

			if (!line[0] || line[1] != ' ')
				continue;
			switch (line[0]) {
			case 'a':
				if (o.nranges < MAX_SPECS &&
				    !pa_parse_addr_spec(line + 2, &ranges[o.nranges], err, sizeof(err)))
					o.nranges++;
				break;
			case 'b':
				if (o.nbits_specs < MAX_SPECS)
					bits[o.nbits_specs++] = line + 2;
				break;
			case 's':
				o.sort = line + 2;
				break;
			case 'o':
				o.columns = line + 2;
				break;
			}
		}
	}
	filters = o.nbits_specs || o.cgroup_arg;

	rc = pa_session_open(&s, &o);
	if (rc == 0) {
		FUZZ_CHECK(s.src->page_size == ps);
		if (o.npids) {
			walked = direct_walk(&s, &o, sec, &walk);
			report_prepare(&r, &s);
			rc = pa_collect(&s, o.pids, o.npids, &r);
			FUZZ_CHECK(rc == PA_EXIT_OK || rc == PA_EXIT_PARTIAL || rc == PA_EXIT_ERROR);
			FUZZ_CHECK(r.nprocs == o.npids);
			check_report(&r, &o, walked && !filters, &walk);
			if (o.json)
				pa_json_report(stdout, &r, &o);
			else
				pa_print_report(stdout, &r, &o, &r);
			pa_report_free(&r);
		}
		report_prepare(&r, &s);
		rc = pa_run_flags(&s, &r);
		FUZZ_CHECK(rc >= PA_EXIT_OK && rc <= PA_EXIT_PARTIAL);
		check_flagstats(&r);
		if (!filters && rc == PA_EXIT_OK) {
			if (!o.npids)
				FUZZ_CHECK(r.total_pages == pfns_in_ranges(&o, sec[2].len / 8));
			else if (walked)
				FUZZ_CHECK(r.total_pages ==
					   walk.listed * (o.npids == 2 && pids[1] == PID_B ? 2 : 1));
		}
		pa_report_free(&r);
	}
	pa_session_close(&s);
	free(spec_text);
	/* The idle bitmap may have grown (sparse) from PFN offsets. */
	path_of(path, sizeof(path), "sys/kernel/mm/page_idle/bitmap");
	unlink(path);
	return 0;
}
