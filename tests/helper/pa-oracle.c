// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pa-oracle: an independent, deliberately plain reader used by the live
 * tests to check page-anon.  It shares no code with page-anon.
 *
 * Usage: pa-oracle PID START END		(hex or decimal byte addresses)
 *
 * Reads /proc/PID/pagemap for [START, END), and /proc/kpageflags and
 * /proc/kpagecount for every present PFN, one pread per page, and prints
 * "key value" lines: the number of pages in each state and the side counts,
 * and USS (pages mapped once) and PSS (in 1/65536 pages) from kpagecount.
 * Must run as root (PFNs are hidden without CAP_SYS_ADMIN).
 *
 * Classification, in this order (doc/kernel-notes.md section 6):
 *	not present, no bit 62		not counted
 *	bit 58 (guard region, 6.15+)	special
 *	bit 62, real swap type		swapped
 *	bit 62, other type		special (migration, device, PTE marker)
 *	present, PFN 0			unknown (PFN hidden)
 *	KPF_ZERO_PAGE			zero
 *	!KPF_ANON			file (file, shmem, MAP_SHARED anon)
 *	KPF_KSM				ksm
 *	kpagecount >= 2, count exact	anon_shared (mapped twice: not
 *					exclusive, whatever bit 34 says)
 *	compound tail, not hugetlb, not PMD-mapped, kernel >= 6.10
 *					unknown (kpageflags reports the
 *					folio head's bit 34 since 6.10,
 *					commit dee3d0bef2b0)
 *	bit 34 (PG_anon_exclusive, 5.19+) anon_exclusive
 *	count not exact			unknown
 *	otherwise			anon_sole
 * The count is exact for small pages and hugetlb, and for every page on
 * kernels before 6.15 or built with CONFIG_PAGE_MAPCOUNT (read from
 * /boot/config-RELEASE or, through gzip, /proc/config.gz); with
 * CONFIG_NO_PAGE_MAPCOUNT it is a folio average for large folios.
 *
 * pinned: present pages inside a buffer listed under "UserBufs:" in
 * /proc/PID/fdinfo/N of an io_uring descriptor, counted only when
 * /proc/PID/status shows VmPin above 0 (a child that inherited the ring
 * does not hold the pins).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_MMAP_EXCL	(1ULL << 56)
#define PM_FILE		(1ULL << 61)
#define PM_UFFD_WP	(1ULL << 57)
#define PM_GUARD	(1ULL << 58)
#define PM_SWAP		(1ULL << 62)
#define PM_PRESENT	(1ULL << 63)

/* include/uapi/linux/kernel-page-flags.h; 34 from include/linux/kernel-page-flags.h */
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_ANON		12
#define KPF_HUGE		17
#define KPF_KSM			21
#define KPF_THP			22
#define KPF_ZERO_PAGE		24
#define KPF_OWNER_2		34	/* PG_anon_exclusive on anon pages */
#define F(kf, bit)		(((kf) >> (bit)) & 1)

/*
 * A real swap entry has a small type (the index of a swap device).  The
 * special entries (device-private/exclusive, migration, hwpoison, PTE
 * markers) use the top types of the 5-bit field: MAX_SWAPFILES is 32 minus
 * at most 8 of them (include/linux/swap.h), so types below 24 are swap
 * devices on every configuration.
 */
#define SWAP_TYPE(pme)		((pme) & 0x1f)
#define REAL_SWAP_TYPES		24

/* PAGEMAP_SCAN (include/uapi/linux/fs.h, 6.7+); not in older headers. */
struct oracle_page_region {
	uint64_t start, end, categories;
};
struct oracle_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define ORACLE_PAGEMAP_SCAN	_IOWR('f', 16, struct oracle_pm_scan_arg)
#define ORACLE_PAGE_IS_PRESENT	(1ULL << 3)
#define ORACLE_PAGE_IS_HUGE	(1ULL << 6)

static const char *const keys[] = {
	"present", "anon", "anon_exclusive", "anon_shared", "anon_sole", "ksm",
	"zero", "file", "swapped", "special", "unknown", "thp", "hugetlb",
	"mmap_exclusive", "uffd_wp", "guard", "uss", "pss_q16", "pinned",
	/* why the unknown pages are unknown (JSON pages.unknown_reasons) */
	"unknown_reasons.pfn_hidden_mapped_more", "unknown_reasons.pfn_hidden_mapped_once",
	"unknown_reasons.kpage_unreadable",
	"unknown_reasons.no_exclusive_bit", "unknown_reasons.large_folio_tail_mapped_once",
	"unknown_reasons.mapcount_not_exact", "unknown_reasons.huge_page_head_not_read",
};
enum {
	K_PRESENT, K_ANON, K_EXCL, K_SHARED, K_SOLE, K_KSM, K_ZERO, K_FILE,
	K_SWAPPED, K_SPECIAL, K_UNKNOWN, K_THP, K_HUGETLB, K_MMAP_EXCL, K_UFFD_WP,
	K_GUARD, K_USS, K_PSS_Q16, K_PINNED, K_UR_PFN, K_UR_PFN_ONCE, K_UR_KPAGE, K_UR_NOEXCL,
	K_UR_TAIL, K_UR_MAPCOUNT, K_UR_HEAD, K__N
};

/* io_uring registered buffers of a process with pinned memory. */
static uint64_t bufs[256][2];	/* [start, end) */
static size_t nbufs;

static void read_bufs(const char *pid)
{
	char path[512], line[512];
	unsigned long long kb = 0;
	struct dirent *de;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %llu", &kb) == 1)
			break;
	fclose(f);
	if (!kb)
		return;
	snprintf(path, sizeof(path), "/proc/%s/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		bool in_bufs = false;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned long long addr, len;
			unsigned idx;

			if (!strncmp(line, "UserBufs:", 9)) {
				in_bufs = true;
				continue;
			}
			if (!in_bufs)
				continue;
			if (sscanf(line, " %u: 0x%llx/%llu", &idx, &addr, &len) == 3) {
				if (nbufs < 256) {
					bufs[nbufs][0] = addr;
					bufs[nbufs][1] = addr + len;
					nbufs++;
				}
			} else if (!strstr(line, "<none>")) {
				in_bufs = false;
			}
		}
		fclose(f);
	}
	closedir(d);
}

static bool in_bufs(uint64_t addr, uint64_t len)
{
	for (size_t i = 0; i < nbufs; i++)
		if (addr < bufs[i][1] && addr + len > bufs[i][0])
			return true;
	return false;
}

static void die(const char *what)
{
	fprintf(stderr, "pa-oracle: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t read_u64(int fd, uint64_t index, const char *what)
{
	uint64_t v = 0;
	ssize_t n = pread(fd, &v, sizeof(v), (off_t)(index * sizeof(v)));

	if (n < 0)
		die(what);
	return n == sizeof(v) ? v : 0;
}

static uint64_t parse_addr(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "pa-oracle: bad address '%s'\n", s);
		exit(2);
	}
	return v;
}

/* Kernel >= 6.10? */
static bool folio_flags_kernel(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return true;
	return major > 6 || (major == 6 && minor >= 10);
}

/* kpagecount exact per page for large folios too? */
static bool mapcount_exact_kernel(void)
{
	struct utsname u;
	int major = 0, minor = 0;
	bool exact = false, boot;
	char cmd[512], line[256];
	FILE *f;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	if (major < 6 || (major == 6 && minor < 15))
		return true;
	snprintf(cmd, sizeof(cmd), "/boot/config-%s", u.release);
	f = fopen(cmd, "r");
	boot = f != NULL;
	if (!f)
		f = popen("gzip -dc /proc/config.gz 2>/dev/null", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "CONFIG_PAGE_MAPCOUNT=y\n"))
			exact = true;
	if (boot)
		fclose(f);
	else
		pclose(f);
	return exact;
}

/* Mark the pages of [start, end) that PAGEMAP_SCAN reports as PAGE_IS_HUGE
 * (PMD-mapped THP or hugetlb).  Returns false if the ioctl is missing. */
static bool scan_huge(int pm_fd, uint64_t start, uint64_t end, long psize, bool *huge)
{
	struct oracle_page_region vec[64];
	struct oracle_pm_scan_arg arg;
	uint64_t pos = start;

	while (pos < end) {
		int n;

		memset(&arg, 0, sizeof(arg));
		arg.size = sizeof(arg);
		arg.start = pos;
		arg.end = end;
		arg.vec = (uintptr_t)vec;
		arg.vec_len = 64;
		arg.category_mask = ORACLE_PAGE_IS_HUGE;
		arg.category_anyof_mask = ORACLE_PAGE_IS_PRESENT;
		arg.return_mask = ORACLE_PAGE_IS_HUGE;
		n = ioctl(pm_fd, ORACLE_PAGEMAP_SCAN, &arg);
		if (n < 0) {
			if (errno == ENOTTY || errno == EINVAL)
				return false;
			die("PAGEMAP_SCAN");
		}
		for (int i = 0; i < n; i++)
			for (uint64_t a = vec[i].start; a < vec[i].end; a += (uint64_t)psize)
				huge[(a - start) / (uint64_t)psize] = true;
		if (arg.walk_end <= pos)
			break;
		pos = arg.walk_end;
	}
	return true;
}

int main(int argc, char **argv)
{
	uint64_t cnt[K__N] = { 0 };
	uint64_t start, end, npages;
	long psize = sysconf(_SC_PAGESIZE);
	bool folio_flags = folio_flags_kernel();
	bool mapcount_exact = mapcount_exact_kernel();
	bool have_scan, *huge;
	int pm_fd, kf_fd, kc_fd;
	char path[64];

	if (argc != 4) {
		fprintf(stderr, "usage: pa-oracle PID START END\n");
		return 2;
	}
	start = parse_addr(argv[2]);
	end = parse_addr(argv[3]);
	if (start % (uint64_t)psize || end % (uint64_t)psize || end < start) {
		fprintf(stderr, "pa-oracle: START and END must be page aligned, START <= END\n");
		return 2;
	}
	npages = (end - start) / (uint64_t)psize;

	snprintf(path, sizeof(path), "/proc/%s/pagemap", argv[1]);
	pm_fd = open(path, O_RDONLY);
	if (pm_fd < 0)
		die(path);
	kf_fd = open("/proc/kpageflags", O_RDONLY);
	if (kf_fd < 0)
		die("/proc/kpageflags");
	kc_fd = open("/proc/kpagecount", O_RDONLY);
	if (kc_fd < 0)
		die("/proc/kpagecount");

	huge = calloc(npages ? npages : 1, sizeof(*huge));
	if (!huge)
		die("calloc");
	have_scan = scan_huge(pm_fd, start, end, psize, huge);
	read_bufs(argv[1]);

	for (uint64_t i = 0; i < npages; i++) {
		uint64_t pme = read_u64(pm_fd, start / (uint64_t)psize + i, path);
		uint64_t pfn = pme & PM_PFN_MASK, kf, kc;
		bool exact;

		if (pme & PM_UFFD_WP)
			cnt[K_UFFD_WP]++;
		if (pme & PM_GUARD)
			cnt[K_GUARD]++;
		if (!(pme & PM_PRESENT)) {
			if (pme & PM_GUARD)
				cnt[K_SPECIAL]++;
			else if (pme & PM_SWAP)
				cnt[SWAP_TYPE(pme) < REAL_SWAP_TYPES ? K_SWAPPED : K_SPECIAL]++;
			continue;
		}
		cnt[K_PRESENT]++;
		if (nbufs && in_bufs(start + i * (uint64_t)psize, (uint64_t)psize))
			cnt[K_PINNED]++;
		if (pme & PM_MMAP_EXCL)
			cnt[K_MMAP_EXCL]++;
		if (!pfn && (pme & PM_FILE)) {	/* hidden PFN, bit 61: not anonymous */
			cnt[K_FILE]++;
			continue;
		}
		if (!pfn) {
			cnt[K_UNKNOWN]++;
			cnt[pme & PM_MMAP_EXCL ? K_UR_PFN_ONCE : K_UR_PFN]++;
			continue;
		}
		kf = read_u64(kf_fd, pfn, "/proc/kpageflags");
		kc = read_u64(kc_fd, pfn, "/proc/kpagecount");
		if (F(kf, KPF_ANON))
			cnt[K_ANON]++;
		/* The huge zero folio also has KPF_THP (doc/kernel-notes.md 1.7);
		 * it is counted as zero, not as a THP. */
		if (F(kf, KPF_THP) && !F(kf, KPF_ZERO_PAGE))
			cnt[K_THP]++;
		if (F(kf, KPF_HUGE))
			cnt[K_HUGETLB]++;
		exact = mapcount_exact || F(kf, KPF_HUGE) ||
			!(F(kf, KPF_COMPOUND_HEAD) || F(kf, KPF_COMPOUND_TAIL) || F(kf, KPF_THP));

		/* USS and PSS as smaps counts them: every resident page but
		 * the zero pages, by its kpagecount (0 taken as 1); PSS in
		 * 1/65536 pages, each page's share rounded down */
		if (!F(kf, KPF_ZERO_PAGE)) {
			uint64_t mc = kc ? kc : 1;

			if (mc == 1)
				cnt[K_USS]++;
			cnt[K_PSS_Q16] += 65536 / mc;
		}

		if (F(kf, KPF_ZERO_PAGE))
			cnt[K_ZERO]++;
		else if (!F(kf, KPF_ANON))
			cnt[K_FILE]++;
		else if (F(kf, KPF_KSM))
			cnt[K_KSM]++;
		else if (exact && kc >= 2)
			cnt[K_SHARED]++;
		else if (folio_flags && F(kf, KPF_COMPOUND_TAIL) && !F(kf, KPF_HUGE) && !huge[i])
			cnt[K_UNKNOWN]++, cnt[exact ? K_UR_TAIL : K_UR_MAPCOUNT]++;
		else if (F(kf, KPF_OWNER_2))
			cnt[K_EXCL]++;
		else if (!exact)
			cnt[K_UNKNOWN]++, cnt[K_UR_MAPCOUNT]++;
		else
			cnt[K_SOLE]++;
	}

	for (int k = 0; k < K__N; k++)
		printf("%s %" PRIu64 "\n", keys[k], cnt[k]);
	if (!have_scan)
		fprintf(stderr, "pa-oracle: PAGEMAP_SCAN not available: PMD-mapped THP tails counted as unknown\n");
	free(huge);
	return 0;
}
