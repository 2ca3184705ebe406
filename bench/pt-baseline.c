// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pt-baseline: an independent reimplementation of the page walk done by the
 * kernel's tools/mm/page-types (the classic algorithm), used as the speed
 * baseline by `make bench` and as a reference flags table by the tests.
 *
 * The algorithm is kept deliberately the same as page-types':
 *   - with -p PID: every VMA of /proc/PID/maps is walked; its pagemap is read
 *     in batches of 64 Ki entries; for every present page with a PFN the
 *     flags are read with ONE 8-byte pread of /proc/kpageflags (and with -M
 *     one more 8-byte pread of /proc/kpagecount); swapped entries are counted
 *     with flags 0 plus the pagemap bits;
 *   - without -p: /proc/kpageflags is read from PFN 0 in sequential batches
 *     of 64 Ki entries until it ends (every PFN is counted, holes included).
 * Flags are those of page-types: raw mode (-r) expands the overloaded bits
 * and adds the pagemap bits, the default hides the kernel-hacking bits and
 * the compound bits of non-hugetlb pages.  The name table is the one of
 * page-types since 6.12 (bit 34 is owner_2, bit 39 has no name).
 *
 * Differences from page-types, all on purpose: summary rows are sorted by
 * flags value (page-types prints them in hash order), -M reads kpagecount
 * also without -l (page-types only opens it for -l -M), set bits without a
 * name are reported as "bitNN" in the long names instead of aborting, and
 * there is no limit on the number of VMAs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst) */
#define PM_PFRAME_MASK		((1ULL << 55) - 1)
#define PM_SOFT_DIRTY		(1ULL << 55)
#define PM_MMAP_EXCLUSIVE	(1ULL << 56)
#define PM_FILE			(1ULL << 61)
#define PM_SWAP			(1ULL << 62)
#define PM_PRESENT		(1ULL << 63)

/* kpageflags bits (include/uapi/linux/kernel-page-flags.h) and the
 * synthetic bits page-types puts in free slots (not kernel ABI). */
#define B_ERROR			1
#define B_ACTIVE		6
#define B_SLAB			7
#define B_WRITEBACK		8
#define B_RECLAIM		9
#define B_ANON			12
#define B_COMPOUND_HEAD		15
#define B_COMPOUND_TAIL		16
#define B_HUGE			17
#define B_OWNER_2		34	/* PG_anon_exclusive on anon pages (5.19+) */
#define B_SOFTDIRTY		40
#define B_ANON_EXCLUSIVE	47
#define B_READAHEAD		48
#define B_SLUB_FROZEN		50
#define B_SLUB_DEBUG		51
#define B_FILE			61
#define B_SWAP			62
#define B_MMAP_EXCLUSIVE	63
#define BIT(b)			(1ULL << (b))
#define HACKERS_BITS		(0xffffULL << 32)
#define COMPOUND_BITS		(BIT(B_COMPOUND_HEAD) | BIT(B_COMPOUND_TAIL))

#define BATCH			(64 << 10)	/* entries per pagemap/kpageflags read */

/* "letter:name" per bit, as in page-types since 6.12 (c:uncached dropped). */
static const char *const flag_names[64] = {
	[0] = "L:locked",		[1] = "E:error",
	[2] = "R:referenced",		[3] = "U:uptodate",
	[4] = "D:dirty",		[5] = "l:lru",
	[6] = "A:active",		[7] = "S:slab",
	[8] = "W:writeback",		[9] = "I:reclaim",
	[10] = "B:buddy",		[11] = "M:mmap",
	[12] = "a:anonymous",		[13] = "s:swapcache",
	[14] = "b:swapbacked",		[15] = "H:compound_head",
	[16] = "T:compound_tail",	[17] = "G:huge",
	[18] = "u:unevictable",		[19] = "X:hwpoison",
	[20] = "n:nopage",		[21] = "x:ksm",
	[22] = "t:thp",			[23] = "o:offline",
	[24] = "z:zero_page",		[25] = "i:idle_page",
	[26] = "g:pgtable",
	[32] = "r:reserved",		[33] = "m:mlocked",
	[34] = "d:owner_2",		[35] = "P:private",
	[36] = "p:private_2",		[37] = "O:owner_private",
	[38] = "h:arch",		[40] = "f:softdirty",
	[41] = "H:arch_2",
	[47] = "d:anon_exclusive",	[48] = "I:readahead",
	[50] = "A:slub_frozen",		[51] = "E:slub_debug",
	[61] = "F:file",		[62] = "w:swap",
	[63] = "1:mmap_exclusive",
};

static const char *prog = "pt-baseline";
static bool opt_raw, opt_no_summary, opt_mapcnt;
static pid_t opt_pid;
static long page_size;
static int pagemap_fd = -1, kpageflags_fd = -1, kpagecount_fd = -1;
static char pagemap_path[64];
static const char *kpageflags_path = "/proc/kpageflags";
static const char *kpagecount_path = "/proc/kpagecount";
static uint64_t unknown_seen;

struct range {
	uint64_t start, count;	/* pages */
};
static struct range *ranges;
static size_t nranges, ranges_cap;

struct vma {
	uint64_t start, end;	/* pages */
};
static struct vma *vmas;
static size_t nvmas, vmas_cap;

/* Open-addressing hash of flags value -> page count; grows at 50% load. */
struct slot {
	uint64_t flags, pages;
	bool used;
};
static struct slot *tab;
static size_t tab_size, tab_used;
static uint64_t total_pages;

static void __attribute__((noreturn, format(printf, 1, 2))) fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILURE);
}

static void *xrealloc(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		fatal("out of memory");
	p = realloc(p, n * size);
	if (!p)
		fatal("out of memory");
	return p;
}

static size_t hash_index(uint64_t flags, size_t size)
{
	flags ^= flags >> 33;
	flags *= 0xff51afd7ed558ccdULL;
	flags ^= flags >> 33;
	return (size_t)flags & (size - 1);
}

static void tab_grow(void)
{
	struct slot *old = tab;
	size_t old_size = tab_size, i;

	tab_size = tab_size ? 2 * tab_size : 1024;
	tab = calloc(tab_size, sizeof(*tab));
	if (!tab)
		fatal("out of memory");
	for (i = 0; i < old_size; i++) {
		size_t k;

		if (!old[i].used)
			continue;
		for (k = hash_index(old[i].flags, tab_size); tab[k].used; k = (k + 1) & (tab_size - 1))
			;
		tab[k] = old[i];
	}
	free(old);
}

static void count_flags(uint64_t flags, uint64_t pages)
{
	size_t k;

	if (2 * (tab_used + 1) > tab_size)
		tab_grow();
	for (k = hash_index(flags, tab_size); tab[k].used; k = (k + 1) & (tab_size - 1)) {
		if (tab[k].flags == flags) {
			tab[k].pages += pages;
			total_pages += pages;
			return;
		}
	}
	tab[k].used = true;
	tab[k].flags = flags;
	tab[k].pages = pages;
	tab_used++;
	total_pages += pages;
}

/* page-types' expand_overloaded_flags(): raw mode only. */
static uint64_t expand_flags(uint64_t f, uint64_t pme)
{
	/* Anonymous pages use PG_owner_2 (ex PG_mappedtodisk) for
	 * PG_anon_exclusive since 5.19 (mm/page-flags.h). */
	if ((f & BIT(B_ANON)) && (f & BIT(B_OWNER_2)))
		f ^= BIT(B_OWNER_2) | BIT(B_ANON_EXCLUSIVE);
	if (f & BIT(B_SLAB)) {
		if (f & BIT(B_ACTIVE))
			f ^= BIT(B_ACTIVE) | BIT(B_SLUB_FROZEN);
		if (f & BIT(B_ERROR))
			f ^= BIT(B_ERROR) | BIT(B_SLUB_DEBUG);
	}
	/* PG_readahead is PG_reclaim outside writeback. */
	if ((f & (BIT(B_RECLAIM) | BIT(B_WRITEBACK))) == BIT(B_RECLAIM))
		f ^= BIT(B_RECLAIM) | BIT(B_READAHEAD);
	if (pme & PM_SOFT_DIRTY)
		f |= BIT(B_SOFTDIRTY);
	if (pme & PM_FILE)
		f |= BIT(B_FILE);
	if (pme & PM_SWAP)
		f |= BIT(B_SWAP);
	if (pme & PM_MMAP_EXCLUSIVE)
		f |= BIT(B_MMAP_EXCLUSIVE);
	return f;
}

/* page-types' well_known_flags(): the default mode. */
static uint64_t well_known(uint64_t f)
{
	f &= ~HACKERS_BITS;
	if ((f & COMPOUND_BITS) && !(f & BIT(B_HUGE)))
		f &= ~COMPOUND_BITS;
	return f;
}

static uint64_t page_flags(uint64_t kflags, uint64_t pme)
{
	return opt_raw ? expand_flags(kflags, pme) : well_known(kflags);
}

/* Reads n u64 entries at index; returns entries read (0 at the end). */
static size_t read_u64(int fd, const char *path, uint64_t *buf, uint64_t index, size_t n)
{
	ssize_t r;

	if (index > (uint64_t)INT64_MAX / 8)
		return 0;
	do
		r = pread(fd, buf, n * 8, (off_t)(index * 8));
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		/* A process that exits while we read it: treat as the end. */
		if (fd == pagemap_fd && (errno == ESRCH || errno == EIO))
			return 0;
		fatal("%s: read at entry %" PRIu64 ": %s", path, index, strerror(errno));
	}
	if (r % 8)
		fatal("%s: partial read of %zd bytes at entry %" PRIu64, path, r, index);
	return (size_t)r / 8;
}

static void walk_pfns(uint64_t start, uint64_t count)
{
	static uint64_t kf[BATCH], kc[BATCH];
	uint64_t pfn = start;

	while (count) {
		size_t want = count < BATCH ? (size_t)count : BATCH, n, i;

		n = read_u64(kpageflags_fd, kpageflags_path, kf, pfn, want);
		if (!n)
			break;
		if (opt_mapcnt && read_u64(kpagecount_fd, kpagecount_path, kc, pfn, n) != n)
			fatal("%s: shorter than %s at PFN %" PRIu64, kpagecount_path,
			      kpageflags_path, pfn);
		for (i = 0; i < n; i++)
			count_flags(page_flags(kf[i], 0), 1);
		pfn += n;
		count -= n;
	}
}

static void walk_vma(uint64_t vpn, uint64_t count)
{
	static uint64_t pm[BATCH];

	while (count) {
		size_t want = count < BATCH ? (size_t)count : BATCH, n, i;

		n = read_u64(pagemap_fd, pagemap_path, pm, vpn, want);
		if (!n)
			break;
		for (i = 0; i < n; i++) {
			uint64_t e = pm[i], pfn, kf, kc;

			pfn = (e & PM_PRESENT) ? (e & PM_PFRAME_MASK) : 0;
			if (pfn) {
				/* one pread per page, as page-types does */
				if (read_u64(kpageflags_fd, kpageflags_path, &kf, pfn, 1) == 1) {
					if (opt_mapcnt &&
					    read_u64(kpagecount_fd, kpagecount_path, &kc, pfn, 1) != 1)
						fatal("%s: no entry for PFN %" PRIu64,
						      kpagecount_path, pfn);
					count_flags(page_flags(kf, e), 1);
				}
			}
			if (e & PM_SWAP)
				count_flags(page_flags(0, e), 1);
		}
		vpn += n;
		count -= n;
	}
}

static void read_maps(void)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)opt_pid);
	f = fopen(path, "re");
	if (!f)
		fatal("%s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		unsigned long long s, e;

		if (sscanf(line, "%llx-%llx ", &s, &e) != 2) {
			fprintf(stderr, "%s: %s: unexpected line: %s", prog, path, line);
			continue;
		}
		if (nvmas == vmas_cap) {
			vmas_cap = vmas_cap ? 2 * vmas_cap : 64;
			vmas = xrealloc(vmas, vmas_cap, sizeof(*vmas));
		}
		vmas[nvmas].start = s / (uint64_t)page_size;
		vmas[nvmas].end = e / (uint64_t)page_size;
		nvmas++;
	}
	if (ferror(f))
		fatal("%s: read error", path);
	free(line);
	fclose(f);
}

/* page-types' walk_task(): the part of every VMA inside [index, index+count). */
static void walk_task(uint64_t index, uint64_t count)
{
	uint64_t end = count > UINT64_MAX - index ? UINT64_MAX : index + count;
	size_t i;

	for (i = 0; i < nvmas; i++) {
		uint64_t s = vmas[i].start > index ? vmas[i].start : index;
		uint64_t e = vmas[i].end < end ? vmas[i].end : end;

		if (s < e)
			walk_vma(s, e - s);
	}
}

static void flag_symbolic(uint64_t flags, char *buf)
{
	int i, j = 0;

	for (i = 0; i < 64; i++) {
		if (!flag_names[i])
			continue;
		buf[j++] = (flags >> i) & 1 ? flag_names[i][0] : '_';
	}
	buf[j] = '\0';
}

static void flag_longname(uint64_t flags, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < 64 && n < len; i++) {
		if (!((flags >> i) & 1))
			continue;
		if (flag_names[i])
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", flag_names[i] + 2);
		else
			n += (size_t)snprintf(buf + n, len - n, "%sbit%d", n ? "," : "", i);
	}
}

static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return x->flags < y->flags ? -1 : x->flags > y->flags;
}

static unsigned long pages2mb(uint64_t pages)
{
	return (unsigned long)((pages * (uint64_t)page_size) >> 20);
}

static void show_summary(void)
{
	struct slot *rows = xrealloc(NULL, tab_used ? tab_used : 1, sizeof(*rows));
	char sym[65], lng[1024];
	size_t i, n = 0;

	for (i = 0; i < tab_size; i++)
		if (tab[i].used)
			rows[n++] = tab[i];
	qsort(rows, n, sizeof(*rows), cmp_slot);

	printf("             flags\tpage-count       MB  symbolic-flags\t\t\tlong-symbolic-flags\n");
	for (i = 0; i < n; i++) {
		int b;

		for (b = 0; b < 64; b++)
			if (((rows[i].flags >> b) & 1) && !flag_names[b])
				unknown_seen |= 1ULL << b;
		flag_symbolic(rows[i].flags, sym);
		flag_longname(rows[i].flags, lng, sizeof(lng));
		printf("0x%016llx\t%10lu %8lu  %s\t%s\n", (unsigned long long)rows[i].flags,
		       (unsigned long)rows[i].pages, pages2mb(rows[i].pages), sym, lng);
	}
	printf("             total\t%10lu %8lu\n", (unsigned long)total_pages, pages2mb(total_pages));
	free(rows);
	for (i = 0; i < 64; i++)
		if ((unknown_seen >> i) & 1)
			fprintf(stderr, "%s: warning: flag bit %zu has no name in the page-types table\n",
				prog, i);
}

static uint64_t parse_num(const char *s, const char *what)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-')
		fatal("invalid %s '%s'", what, s);
	return v;
}

/* page-types' addr-spec, in pages: N, N+M, N,M, N, and ,M */
static void add_range(const char *arg)
{
	char *copy = strdup(arg), *p;
	uint64_t start, count;

	if (!copy)
		fatal("out of memory");
	p = strpbrk(copy, ",+");
	if (!p) {
		start = parse_num(copy, "address");
		count = 1;
	} else {
		char sep = *p;

		*p++ = '\0';
		start = *copy ? parse_num(copy, "address") : 0;
		if (!*p) {
			count = UINT64_MAX - start;
		} else {
			count = parse_num(p, "address");
			if (sep == ',') {
				if (count < start)
					fatal("invalid range '%s'", arg);
				count -= start;
			}
		}
	}
	free(copy);
	if (nranges == ranges_cap) {
		ranges_cap = ranges_cap ? 2 * ranges_cap : 8;
		ranges = xrealloc(ranges, ranges_cap, sizeof(*ranges));
	}
	ranges[nranges].start = start;
	ranges[nranges].count = count;
	nranges++;
}

static int open_or_die(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fatal("%s: %s", path, strerror(errno));
	return fd;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [-p PID] [-r] [-N] [-M] [-a ADDR-SPEC]...\n"
		"The page-types page walk (one kpageflags pread per present page).\n"
		"  -p PID   walk the VMAs of process PID (default: all PFNs)\n"
		"  -r       raw mode: expand overloaded bits, add pagemap bits\n"
		"  -N       do not print the summary table\n"
		"  -M       also read /proc/kpagecount (one pread per page)\n"
		"  -a SPEC  walk only pages N, N+COUNT, N,END, N, or ,END\n"
		"Summary rows are sorted by flags value.\n", prog);
}

int main(int argc, char **argv)
{
	size_t i;
	int c;

	page_size = sysconf(_SC_PAGESIZE);
	while ((c = getopt(argc, argv, "p:rNMa:h")) != -1) {
		switch (c) {
		case 'p': {
			uint64_t v = parse_num(optarg, "PID");

			if (!v || v > INT_MAX)
				fatal("invalid PID '%s'", optarg);
			opt_pid = (pid_t)v;
			break;
		}
		case 'r':
			opt_raw = true;
			break;
		case 'N':
			opt_no_summary = true;
			break;
		case 'M':
			opt_mapcnt = true;
			break;
		case 'a':
			add_range(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		usage(stderr);
		return 2;
	}

	if (opt_pid) {
		snprintf(pagemap_path, sizeof(pagemap_path), "/proc/%d/pagemap", (int)opt_pid);
		pagemap_fd = open_or_die(pagemap_path);
		read_maps();
	}
	kpageflags_fd = open_or_die(kpageflags_path);
	if (opt_mapcnt)
		kpagecount_fd = open_or_die(kpagecount_path);
	if (!nranges)
		add_range("0,");

	for (i = 0; i < nranges; i++) {
		if (opt_pid)
			walk_task(ranges[i].start, ranges[i].count);
		else
			walk_pfns(ranges[i].start, ranges[i].count);
	}

	if (!opt_no_summary)
		show_summary();
	if (fflush(stdout) || ferror(stdout))
		fatal("write error on standard output");
	return 0;
}
