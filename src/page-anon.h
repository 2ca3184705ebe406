/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * page-anon: private header shared by all modules.
 *
 * Data flows collect -> analyse -> present:
 *   source.c   reads the kernel's files about processes and pages (or a
 *              sysroot, or a snapshot) behind struct pa_source: the
 *              reports never open /proc or /sys themselves.  What must
 *              act on the live system whatever the source does: caps.c
 *              (/proc/self/status, only when built without libcap),
 *              freeze.c (/proc/PID/stat and task/, /proc/PID/cgroup,
 *              /proc/self/mountinfo, the cgroup v2 freezer files),
 *              outfile.c (/proc/self/fd, to name its temporary file),
 *              snapshot_save.c (/proc/self/cmdline for the capture's
 *              header),
 *              and flagscan.c's -i (page_idle/bitmap, opened for
 *              writing).
 *   walk.c     walks VMAs/PFNs in batches and hands struct pa_page_batch
 *              to a consumer.
 *   classify.c turns one page into a state (anon_exclusive, ...).
 *   session.c  one per invocation: source, flag table, filters, pins
 *              (session.h); collect.c fills struct pa_report per sample
 *              (collect.h).
 *   report.c   struct pa_report, the one structure every output (text,
 *              JSON, TUI, --all, Prometheus) consumes; fields.c is the
 *              table of its columns and counters (fields.h).  Page
 *              listings (-l/-L) are streamed through struct pa_listing
 *              instead of being kept.
 *   run.c      dispatches the modes.  Calls are meant to go one way:
 *              run -> outputs, flagscan, tui -> collect -> session ->
 *              walk -> source (--all: run -> its outputs -> fleet's
 *              column table; run -> fleet -> collect; --trace-fork:
 *              run or tui drives tracefork's loop, tracefork -> collect
 *              and -> tracefork_out for its text and NDJSON, and the TUI
 *              gets each event through a hook into its timeline, which
 *              reads the event's readings only).  Snapshots: the
 *              format and reader (snapshot.c) stand beside source.c, so
 *              session.c can open them for --load; the save side
 *              (snapshot_save.c) sits above collect.c and session.c.
 *
 * Ownership: "owned" fields are freed by the structure's *_free function,
 * "borrowed" fields point into something that outlives the structure.
 */
#ifndef PAGE_ANON_H
#define PAGE_ANON_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct stat;
struct pa_session;
struct pa_pinned;

#define PA_SCHEMA_VERSION 1

/* Exit status table (documented in --help and page-anon(8)). */
enum pa_exit {
	PA_EXIT_OK = 0,
	PA_EXIT_ERROR = 1,	/* runtime error */
	PA_EXIT_USAGE = 2,	/* bad command line */
	PA_EXIT_PARTIAL = 3,	/* partial result: process gone, PFNs hidden */
	PA_EXIT_FINDINGS = 4,	/* --check: the kernel broke one of its rules */
};

#define PA_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------
 * Kernel ABI: pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst)
 */
#define PM_PFRAME_BITS		55
#define PM_PFRAME_MASK		((1ULL << PM_PFRAME_BITS) - 1)
#define PM_PFRAME(x)		((x) & PM_PFRAME_MASK)
#define PM_SWAP_TYPE_BITS	5	/* MAX_SWAPFILES_SHIFT */
#define PM_SWAP_TYPE(x)		((x) & ((1ULL << PM_SWAP_TYPE_BITS) - 1))
#define PM_SWAP_OFFSET(x)	(((x) & PM_PFRAME_MASK) >> PM_SWAP_TYPE_BITS)
#define PM_SOFT_DIRTY		(1ULL << 55)
#define PM_MMAP_EXCLUSIVE	(1ULL << 56)	/* mapped exactly once (4.2+) */
#define PM_UFFD_WP		(1ULL << 57)	/* uffd-wp protected (5.13+) */
#define PM_GUARD_REGION		(1ULL << 58)	/* MADV_GUARD_INSTALL (6.15+) */
#define PM_FILE			(1ULL << 61)	/* file page or shared anon */
#define PM_SWAP			(1ULL << 62)	/* any non-present, non-none PTE */
#define PM_PRESENT		(1ULL << 63)

/* ---------------------------------------------------------------------
 * Flag bits.  0-26 and 32-42 are kernel kpageflags bits
 * (include/uapi/linux/kernel-page-flags.h, include/linux/kernel-page-flags.h);
 * 47-51 are page-types' expansions of overloaded bits; 40 and 61-63 are
 * page-types' copies of pagemap bits; 57 and 58 are page-anon's own
 * positions for the pagemap uffd-wp and guard bits (same numbers as in the
 * pagemap entry).  None of 47-63 is kernel ABI.
 */
enum pa_kpf {
	KPF_LOCKED = 0, KPF_ERROR = 1, KPF_REFERENCED = 2, KPF_UPTODATE = 3,
	KPF_DIRTY = 4, KPF_LRU = 5, KPF_ACTIVE = 6, KPF_SLAB = 7,
	KPF_WRITEBACK = 8, KPF_RECLAIM = 9, KPF_BUDDY = 10, KPF_MMAP = 11,
	KPF_ANON = 12, KPF_SWAPCACHE = 13, KPF_SWAPBACKED = 14,
	KPF_COMPOUND_HEAD = 15, KPF_COMPOUND_TAIL = 16, KPF_HUGE = 17,
	KPF_UNEVICTABLE = 18, KPF_HWPOISON = 19, KPF_NOPAGE = 20, KPF_KSM = 21,
	KPF_THP = 22, KPF_OFFLINE = 23, KPF_ZERO_PAGE = 24, KPF_IDLE = 25,
	KPF_PGTABLE = 26,
	KPF_RESERVED = 32, KPF_MLOCKED = 33,
	KPF_OWNER_2 = 34,	/* MAPPEDTODISK before 6.12; anon: PG_anon_exclusive (5.19+) */
	KPF_PRIVATE = 35, KPF_PRIVATE_2 = 36, KPF_OWNER_PRIVATE = 37,
	KPF_ARCH = 38, KPF_UNCACHED = 39, KPF_SOFTDIRTY = 40, KPF_ARCH_2 = 41,
	KPF_ARCH_3 = 42,
	/* synthetic */
	KPF_ANON_EXCLUSIVE = 47, KPF_READAHEAD = 48, KPF_SLOB_FREE = 49,
	KPF_SLUB_FROZEN = 50, KPF_SLUB_DEBUG = 51,
	KPF_UFFD_WP = 57, KPF_GUARD = 58,
	KPF_FILE = 61, KPF_SWAP = 62, KPF_MMAP_EXCLUSIVE = 63,
};
#define PA_BIT(name)		(1ULL << KPF_##name)
#define PA_BITS_COMPOUND	(PA_BIT(COMPOUND_HEAD) | PA_BIT(COMPOUND_TAIL))
#define PA_HACKERS_BITS		(0xffffULL << 32)
#define PA_OVERLOADED_BITS	(0xffffULL << 48)
#define PA_ALL_BITS		(~0ULL)

/* Kernel version, as "major.minor.patch" (decoding depends on it). */
struct pa_kver {
	int major, minor, patch;
};
#define PA_KVER(a, b) ((a) * 1000 + (b))	/* for comparisons */
int pa_kver_parse(const char *release, struct pa_kver *out);
int pa_kver_code(const struct pa_kver *v);	/* PA_KVER(major, minor) */

enum pa_bit_kind {
	PA_BIT_NONE = 0,	/* not known for this kernel */
	PA_BIT_KERNEL,		/* kernel bit 0-31 */
	PA_BIT_HACKER,		/* kernel bit 32+ ("raw mode" bit) */
	PA_BIT_OVERLOADED,	/* page-types expansion (47-51) */
	PA_BIT_PAGEMAP,		/* copied from a pagemap entry */
};

struct pa_flagdef {
	char letter;		/* '\0' if the bit is unknown */
	const char *name;	/* borrowed, static */
	enum pa_bit_kind kind;
	bool compat;		/* part of page-types' table for this kernel */
	const char *help;	/* one line: what the bit means today */
};

/* Flag table resolved for one kernel version. */
struct pa_flagtab {
	struct pa_kver kver;
	struct pa_flagdef bit[64];
	bool extended;		/* also set/print page-anon's own bits 57, 58, 42 */
};

/* v NULL: the newest kernel the table knows (t->kver stays 0.0.0). */
void pa_flagtab_init(struct pa_flagtab *t, const struct pa_kver *v, bool extended);
/* page-types -r expansion of overloaded bits plus the pagemap bits. */
uint64_t pa_flags_expand(const struct pa_flagtab *t, uint64_t kflags, uint64_t pme);
/* page-types default mode: hide hacker bits and non-hugetlb compound bits. */
uint64_t pa_flags_well_known(uint64_t kflags);
/* Positional letters of every table bit (e.g. "___U_lA____Ma_b___..."). */
void pa_flags_symbolic(const struct pa_flagtab *t, uint64_t flags, char *buf, size_t len);
/* Comma list of long names; unknown set bits as "bitNN". */
void pa_flags_longname(const struct pa_flagtab *t, uint64_t flags, char *buf, size_t len);
/* Bits set in flags that the table does not know. */
uint64_t pa_flags_unknown(const struct pa_flagtab *t, uint64_t flags);
/* Bit has a position in the strings: compat, or page-anon's own bit when
 * t->extended.  Iterate bit[] with this to list what the output shows. */
bool pa_flagtab_has(const struct pa_flagtab *t, unsigned int bit);

/* ---------------------------------------------------------------------
 * Parsers for command-line specs (parse.c).  All return 0 on success or -1
 * with a message in err (size errlen) naming the bad part of the input.
 */
struct pa_addr_range {
	uint64_t start;		/* pages */
	uint64_t count;		/* pages; UINT64_MAX - start for "to the end" */
};
struct pa_bits_filter {
	uint64_t mask;
	uint64_t bits;		/* PA_ALL_BITS: (flags & mask) != 0 */
};
int pa_parse_u64(const char *s, uint64_t *out);	/* 0x.., 0.., decimal; strict */
int pa_parse_pid(const char *s, pid_t *out);
int pa_parse_addr_spec(const char *s, struct pa_addr_range *out, char *err, size_t errlen);
int pa_parse_flag_names(const struct pa_flagtab *t, const char *s, bool with_negated,
			uint64_t *out, char *err, size_t errlen);
int pa_parse_bits_spec(const struct pa_flagtab *t, const char *s,
		       struct pa_bits_filter *out, char *err, size_t errlen);
bool pa_bits_match(const struct pa_bits_filter *f, size_t n, uint64_t flags);

/* ---------------------------------------------------------------------
 * /proc/PID/maps (maps.c)
 */
struct pa_vma {
	uint64_t start, end;	/* bytes, [start, end) */
	char perms[5];		/* "rw-p" */
	uint64_t offset;
	unsigned int dev_major, dev_minor;
	uint64_t inode;
	char *name;		/* owned, "" when anonymous; verbatim */
};
struct pa_maps {
	struct pa_vma *v;	/* owned */
	size_t n, cap;
};
/* Parse one line (without or with trailing newline) into vma; name owned. */
int pa_maps_parse_line(const char *line, struct pa_vma *vma);
/* Parse a whole maps stream.  On a bad line returns -1 with *bad_line
 * (1-based) set. */
int pa_maps_parse(FILE *f, struct pa_maps *m, size_t *bad_line);
void pa_maps_free(struct pa_maps *m);
bool pa_vma_is_anon_private(const struct pa_vma *v);	/* no file, private */
bool pa_vma_is_special(const struct pa_vma *v);		/* [vsyscall], [vvar], ... */

/* ---------------------------------------------------------------------
 * Data source (source.c).  Every read of a system file goes through here
 * so another source (a fixture tree via --sysroot, later a snapshot) can
 * stand in for the live kernel.
 */
enum pa_kfile { PA_KPAGEFLAGS, PA_KPAGECOUNT, PA_KPAGECGROUP, PA_KFILE__N };

/* PAGEMAP_SCAN categories (include/uapi/linux/fs.h, 6.7+) */
#define PA_PAGE_IS_WPALLOWED	(1ULL << 0)
#define PA_PAGE_IS_WRITTEN	(1ULL << 1)
#define PA_PAGE_IS_FILE		(1ULL << 2)
#define PA_PAGE_IS_PRESENT	(1ULL << 3)
#define PA_PAGE_IS_SWAPPED	(1ULL << 4)
#define PA_PAGE_IS_PFNZERO	(1ULL << 5)
#define PA_PAGE_IS_HUGE		(1ULL << 6)
#define PA_PAGE_IS_SOFT_DIRTY	(1ULL << 7)
#define PA_PAGE_IS_GUARD	(1ULL << 8)

struct pa_region {		/* struct page_region */
	uint64_t start, end, categories;
};

struct pa_source;
struct pa_target;		/* one opened process */
struct pa_pfncache;

struct pa_source_ops {
	/* Per-PFN u64 files.  Returns entries read (short at the end of the
	 * file, 0 past it) or -errno. */
	ssize_t (*read_pfn)(struct pa_source *s, enum pa_kfile f, uint64_t *buf,
			    uint64_t pfn, size_t n);
	bool (*has_kfile)(struct pa_source *s, enum pa_kfile f);
	/* Processes.  open returns 0 or -errno (ENOENT/ESRCH: no such
	 * process, EACCES/EPERM: not allowed). */
	int (*open_target)(struct pa_source *s, pid_t pid, struct pa_target **out);
	void (*close_target)(struct pa_target *t);
	int (*read_maps)(struct pa_target *t, struct pa_maps *m);
	/* entries read (0: process gone or past task_size) or -errno */
	ssize_t (*read_pagemap)(struct pa_target *t, uint64_t *buf, uint64_t vpn, size_t n);
	/* PAGEMAP_SCAN: number of regions, or -ENOTTY/-EINVAL when not
	 * supported, other -errno on failure.  *walk_end set on success. */
	int (*scan)(struct pa_target *t, uint64_t start, uint64_t end, uint64_t anyof,
		    uint64_t ret_mask, struct pa_region *vec, size_t vlen, uint64_t *walk_end);
	void (*destroy)(struct pa_source *s);
	/* Optional (NULL: the files below root): small text files such as
	 * "proc/PID/stat", children of a process, opening the kpage* files
	 * (mask of 1 << enum pa_kfile; -errno of the first one missing). */
	int (*read_text)(const struct pa_source *s, const char *rel, char *buf, size_t len);
	int (*children)(const struct pa_source *s, pid_t pid, pid_t **pids, size_t *n, size_t *cap);
	int (*open_kfiles)(struct pa_source *s, unsigned mask);
	/* Optional (NULL: the numeric entries of root/proc): every PID,
	 * ascending, into *pids (owned by the caller); how many or -errno. */
	ssize_t (*pids)(const struct pa_source *s, pid_t **pids);
	/* Optional (NULL: root/proc/PID/fd and fdinfo, pinned.c): add the
	 * io_uring registered buffers of pid to out (struct pa_pinned,
	 * pinned.h); how many ranges or -errno. */
	int (*pinned)(const struct pa_source *s, pid_t pid, struct pa_pinned *out);
};

struct pa_source {
	const struct pa_source_ops *ops;
	char *root;		/* owned; "" for the live system */
	char *kpageflags_path;	/* owned; -F override or NULL */
	char release[128];	/* kernel release of the data */
	long page_size;
	int fd[PA_KFILE__N];	/* -1 when not open */
	int kfile_errno[PA_KFILE__N];	/* why a file could not be opened */
	/* An -F file that is not a regular file with data (a device, a
	 * size-0 file) is read up to this PFN only: the end of this
	 * machine's memory; 0 for no limit. */
	uint64_t kpageflags_end;
	/* Kernel facts recorded with the data (a snapshot), used instead of
	 * the self-tests; NULL for a live system or a sysroot. */
	const struct pa_kinfo *kinfo;
	void *priv;		/* the source's own data */
};

struct pa_target {
	struct pa_source *src;	/* borrowed */
	pid_t pid;
	int pagemap_fd;
	int pidfd;		/* -1 if pidfd_open is not available */
	char comm[64];
	bool gone;		/* process exited while we looked at it */
	bool pfn_hidden;	/* pagemap shows present pages with PFN 0 */
};

/* With file capabilities: may process pid of the live system be read
 * (caps.c pa_privs_judge_target())?  0, -ESRCH when it is gone, or
 * -EACCES with the reason in why. */
int pa_source_may_read(const struct pa_source *s, pid_t pid, char *why, size_t len);

/* Create the procfs source under root ("" or NULL for "/").  kpageflags
 * overrides the kpageflags file (-F).  Returns NULL with errno set. */
struct pa_source *pa_source_procfs(const char *root, const char *kpageflags);
/* Build "<root>/<rel>" into buf. */
int pa_source_path(const struct pa_source *s, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Open kpage* files (those in the mask, bit per enum pa_kfile).  Returns
 * -errno of the first one that failed. */
int pa_source_open_kfiles(struct pa_source *s, unsigned mask);
/* The path of a kpage* file (the -F file for kpageflags if given). */
const char *pa_source_kfile_path(const struct pa_source *s, enum pa_kfile f, char *buf, size_t len);
/* Read a small text file below the root (e.g. "proc/123/comm"). */
int pa_source_read_text(const struct pa_source *s, const char *rel, char *buf, size_t len);
/* Children (from /proc/PID/task/TID/children) appended to *pids. */
int pa_source_children(const struct pa_source *s, pid_t pid, pid_t **pids, size_t *n, size_t *cap);
/* Every PID of /proc (its numeric entries), ascending, into *pids (owned
 * by the caller).  Returns how many, or -errno. */
ssize_t pa_source_pids(const struct pa_source *s, pid_t **pids);
void pa_source_free(struct pa_source *s);
/* pidfd_open(2) (5.3+): fd or -errno.  pa_pidfd_alive: 1 while the
 * process exists (also as a zombie), 0 once it has exited, or -errno. */
int pa_pidfd_open(pid_t pid);
int pa_pidfd_alive(int pidfd);

/* ---------------------------------------------------------------------
 * Kernel facts found by self-tests (selftest.c), reported with --verbose
 * and in JSON.
 */
enum pa_tristate { PA_UNTESTED = 0, PA_NO, PA_YES };
enum pa_mapcount {
	PA_MAPCOUNT_UNKNOWN = 0,	/* not found out: treated as an average */
	PA_MAPCOUNT_PAGE,		/* exact per page (CONFIG_PAGE_MAPCOUNT, < 6.15) */
	PA_MAPCOUNT_AVERAGE,		/* per-folio average (CONFIG_NO_PAGE_MAPCOUNT) */
};
const char *pa_mapcount_name(enum pa_mapcount m);	/* "per_page", ... */
struct pa_kinfo {
	struct pa_kver kver;
	bool anon_exclusive_bit;	/* kernel >= 5.19 */
	bool folio_flags;		/* kernel >= 6.10: tails report head's bits */
	enum pa_tristate ksm_flag_bug;	/* KPF_KSM set on every anon page */
	enum pa_tristate nopage_reported; /* KPF_NOPAGE set for memory holes */
	enum pa_tristate pagemap_scan;	/* PAGEMAP_SCAN ioctl works */
	uint64_t scan_categories;	/* accepted category bits */
	uint64_t zero_pfn;		/* PFN of the zero page, 0 unknown */
	/* What /proc/kpagecount holds for a page of a large folio
	 * (classify.c): the page's exact mapcount, or (6.15+ with
	 * CONFIG_NO_PAGE_MAPCOUNT) the folio's rounded average. */
	enum pa_mapcount mapcount;
	char mapcount_how[128];		/* how that was found out */
	bool kpagecount_ok;		/* kpagecount could be opened */
	bool selftest_ran;
	char note[256];			/* why a test could not run */
};
void pa_kinfo_from_version(struct pa_kinfo *k, const struct pa_kver *v);
/* Run the start-up self-tests on the live kernel (no-op on a sysroot). */
void pa_selftest(struct pa_source *s, struct pa_kinfo *k);

/* ---------------------------------------------------------------------
 * Page states (classify.c), doc/kernel-notes.md section 6.
 */
enum pa_state {
	PA_ST_NONE = -1,	/* not populated: not counted */
	PA_ST_ANON_EXCLUSIVE = 0,
	PA_ST_ANON_SHARED,
	PA_ST_ANON_SOLE,
	PA_ST_KSM,
	PA_ST_ZERO,
	PA_ST_FILE,
	PA_ST_SWAPPED,
	PA_ST_SPECIAL,
	PA_ST_UNKNOWN,
	PA_ST__N
};
const char *pa_state_name(enum pa_state st);	/* "anon_exclusive", ... */

/* Why a page is PA_ST_UNKNOWN (JSON "unknown_reasons", hint lines). */
enum pa_unknown_reason {
	PA_UR_PFN_HIDDEN = 0,	/* pagemap PFN 0 (no CAP_SYS_ADMIN), bit 56
				 * clear: mapped more than once, or the
				 * zero page */
	PA_UR_PFN_HIDDEN_ONCE,	/* PFN hidden, bit 56: mapped once */
	PA_UR_KPAGE_UNREADABLE,	/* kpageflags or kpagecount not read */
	PA_UR_NO_EXCLUSIVE_BIT,	/* kernel < 5.19, page mapped once */
	PA_UR_TAIL_MAPPED_ONCE,	/* tail of a PTE-mapped large folio, mapped
				 * once: private, but its own bit is not
				 * exported (6.10+) */
	PA_UR_MAPCOUNT_AVERAGE,	/* large folio, kpagecount not exact */
	PA_UR_HEAD_NOT_SEEN,	/* 5.19-6.9: huge page tail, head not read */
	PA_UR__N
};
const char *pa_unknown_reason_name(enum pa_unknown_reason r);	/* "kpage_unreadable", ... */
/* One sentence: what it means and what would help. */
const char *pa_unknown_reason_hint(enum pa_unknown_reason r);

/* Extra per-page facts the walk knows besides pme/kflags/kcount. */
#define PA_PG_PMD_MAPPED	0x01	/* PAGEMAP_SCAN said PAGE_IS_HUGE */
#define PA_PG_HAVE_KPAGE	0x02	/* kflags/kcount were read */
#define PA_PG_HEAD_EXCL		0x04	/* head page of the folio has bit 34 */
#define PA_PG_HEAD_KNOWN	0x08	/* PA_PG_HEAD_EXCL is meaningful */
#define PA_PG_FOLIO		0x10	/* read once for a PMD-mapped folio (walk.c) */
#define PA_PG_PINNED		0x20	/* in a registered (pinned) buffer (pinned.h) */

/* Page counters: every member is a uint64_t with an entry in the field
 * table (fields.h says how to add one). */
struct pa_counts {
	uint64_t state[PA_ST__N];
	uint64_t present, anon, thp, hugetlb, mmap_exclusive, uffd_wp, guard;
	/* present pages in registered (pinned) buffers (pinned.h); counted
	 * by the collector, which knows the ranges, not by pa_counts_page() */
	uint64_t pinned;
	/* Resident set as smaps counts it (classify.c): rss pages, uss the
	 * ones mapped once, pss_q16 the sum of 1/mapcount in 1/65536 pages
	 * (each page rounded down).  Need the walk's count_mapped. */
	uint64_t rss, uss, pss_q16;
	uint64_t unknown[PA_UR__N];	/* state[PA_ST_UNKNOWN] by reason */
};
/* The reason with most unknown pages; PA_UR__N when there are none. */
enum pa_unknown_reason pa_counts_main_unknown(const struct pa_counts *c);
/* The hint line under a report: unknown pages above 5 % of the populated
 * ones, their main reason and what would help.  false (buf "") if none. */
bool pa_unknown_hint(const struct pa_counts *c, char *buf, size_t len);
#define PA_PSS_SHIFT 16
/* PSS in bytes, rounded down */
static inline uint64_t pa_pss_bytes(const struct pa_counts *c, long page_size)
{
	uint64_t ps = (uint64_t)page_size;

	return (c->pss_q16 >> PA_PSS_SHIFT) * ps +
	       (((c->pss_q16 & ((1ULL << PA_PSS_SHIFT) - 1)) * ps) >> PA_PSS_SHIFT);
}
/* dst += src, every counter of the field table (fields.c). */
void pa_counts_add(struct pa_counts *dst, const struct pa_counts *src);
uint64_t pa_counts_populated(const struct pa_counts *c);

enum pa_state pa_classify(const struct pa_kinfo *k, uint64_t pme, uint64_t kflags,
			  uint64_t kcount, unsigned pgflags);
/* Same, and for PA_ST_UNKNOWN the reason in *why (why may be NULL). */
enum pa_state pa_classify_why(const struct pa_kinfo *k, uint64_t pme, uint64_t kflags,
			      uint64_t kcount, unsigned pgflags, enum pa_unknown_reason *why);
/* kpagecount of this page is its exact mapcount. */
bool pa_mapcount_exact(const struct pa_kinfo *k, uint64_t kflags);
/* Count one page (state + the side counts). */
void pa_counts_page(struct pa_counts *c, const struct pa_kinfo *k, uint64_t pme,
		    uint64_t kflags, uint64_t kcount, unsigned pgflags, enum pa_state st);
/*
 * What pa_classify_why() and pa_counts_page() read of a page: the
 * kpageflags bits below, kpagecount, the pgflags and pa_pme_key() of the
 * pagemap entry.  Pages equal in all four are classified and counted alike,
 * so a run of them can be counted at once (collect.c).
 */
#define PA_CLASSIFY_KFLAGS	(PA_BIT(ZERO_PAGE) | PA_BIT(ANON) | PA_BIT(KSM) | PA_BIT(OWNER_2) | \
				 PA_BITS_COMPOUND | PA_BIT(THP) | PA_BIT(HUGE))
uint64_t pa_pme_key(const struct pa_kinfo *k, uint64_t pme);

/* ---------------------------------------------------------------------
 * The walk (walk.c).
 */
struct pa_page_batch {
	const struct pa_vma *vma;	/* borrowed; NULL for PFN and file walks */
	size_t n;
	const uint64_t *index;	/* virtual page number (PID walk), PFN (PFN
				 * walk) or file page offset (file walk) */
	const uint64_t *pme;	/* pagemap entries; all 0 for a PFN walk */
	const uint64_t *pfn;	/* 0 when not present or hidden */
	const uint64_t *kflags;	/* raw kpageflags, 0 when not read */
	const uint64_t *kcount;	/* NULL unless asked for */
	const uint64_t *kcgroup;	/* NULL unless asked for */
	const uint8_t *pgflags;	/* PA_PG_* */
	/* NULL: every entry is one page.  Else entry i stands for npages[i]
	 * pages: virtual pages index[i].., PFNs pfn[i].., pagemap entries
	 * pme[i] + k (the same bits, the PFN counting up), and the same
	 * kflags, kcount, kcgroup and pgflags.  Only for walks that asked
	 * for it (pa_walk_opts.runs). */
	const uint32_t *npages;
};

typedef int (*pa_batch_fn)(void *ctx, const struct pa_page_batch *b);

struct pa_walk_opts {
	bool need_count;	/* read kpagecount: for the pages whose state
				 * depends on it (anonymous, not
				 * PG_anon_exclusive; for a small page pagemap
				 * bit 56 answers: 1, or 2 for "two or more"),
				 * 0 for the others ... */
	bool count_all;		/* ... or for every page (listings) ... */
	bool count_not_excl;	/* ... but small PG_anon_exclusive pages,
				 * mapped exactly once (snapshots) */
	bool need_cgroup;	/* read kpagecgroup */
	bool need_kflags;	/* read kpageflags (false: pagemap only) */
	bool count_mapped;	/* also kpagecount of every page that may be
				 * mapped more than once (for USS/PSS): all
				 * but small pages with PM_MMAP_EXCLUSIVE */
	struct pa_pfncache *cache;	/* borrowed, NULL: none (pfncache.h);
					 * needs count_mapped, not need_cgroup */
	bool runs;		/* the callback takes batches with npages */
	bool per_page;		/* read every page on its own (--per-page) */
	int threads;		/* 0: automatic */
	enum { PA_SCAN_AUTO, PA_SCAN_NEVER, PA_SCAN_ALWAYS } scan;
	const struct pa_addr_range *ranges;	/* borrowed; NULL = all */
	size_t nranges;
	volatile sig_atomic_t *stop;	/* borrowed; set by a signal handler */
};

struct pa_walk_stats {
	uint64_t vmas, pagemap_entries, pfns_read, preads, scan_calls;
	uint64_t cache_hits;	/* pages whose kpage* words came from the cache */
	bool partial;		/* process exited or vanished mid-walk */
	bool pfn_hidden;	/* PFNs read as 0 */
	int err;		/* first errno that stopped the walk */
	char errpath[256];
};

/* Walk one process.  The callback gets batches in address order; a
 * non-zero return stops the walk and is returned. */
int pa_walk_target(struct pa_target *t, const struct pa_maps *maps,
		   const struct pa_kinfo *k, const struct pa_walk_opts *o,
		   pa_batch_fn fn, void *ctx, struct pa_walk_stats *st);
/* Walk PFNs (no -p): kpageflags (and kpagecount/cgroup) in big runs. */
int pa_walk_pfns(struct pa_source *s, const struct pa_walk_opts *o,
		 pa_batch_fn fn, void *ctx, struct pa_walk_stats *st);
/* The walk's kpage* reader for n PFNs (0: not present): kflags, and
 * kcount (if not NULL) of every present page; sets PA_PG_HAVE_KPAGE in
 * pgflags for the pages read.  0 or -errno. */
int pa_walk_read_kpages(struct pa_source *s, const uint64_t *pfn, size_t n,
			uint64_t *kflags, uint64_t *kcount, uint8_t *pgflags);

/* ---------------------------------------------------------------------
 * Options (filled by main.c, read by everything else).
 */
enum pa_mode { PA_MODE_AUTO = 0, PA_MODE_REPORT, PA_MODE_FLAGS };
enum pa_json { PA_JSON_OFF = 0, PA_JSON_COMPACT, PA_JSON_PRETTY };
enum pa_color { PA_COLOR_AUTO = 0, PA_COLOR_ALWAYS, PA_COLOR_NEVER };

struct pa_options {
	pid_t *pids;		/* owned */
	size_t npids, pids_cap;
	bool children;

	struct pa_addr_range *ranges;	/* owned */
	size_t nranges, ranges_cap;
	char **bits_specs;	/* borrowed from argv; parsed after the kernel
				 * version is known */
	size_t nbits_specs, bits_specs_cap;
	const char *describe;	/* borrowed */

	bool raw;
	int list;		/* 0, 1 (-l ranges), 2 (-L each) */
	bool list_cgroup, list_mapcnt, no_summary;
	const char *cgroup_arg;	/* borrowed: path or @inode */
	const char *kpageflags_file;	/* borrowed */
	const char *file;	/* borrowed: -f page-cache walk */
	bool mark_idle;

	const char *sysroot;	/* borrowed */
	const char *kernel;	/* borrowed: --kernel override */
	bool extended;		/* page-anon's own bits in flag output */

	enum pa_mode mode;
	enum pa_json json;
	enum pa_color color;
	bool bytes;		/* raw byte counts instead of human sizes */
	bool all_vmas;		/* also VMAs without anonymous pages */
	const char *sort;	/* borrowed: column name, "-name" descending */
	const char *columns;	/* borrowed: comma list */
	double watch;		/* seconds; 0 = once */
	bool tui;
	char **command;		/* borrowed: argv after "--" */
	const char *command_log;	/* borrowed: --tui command's stdout and
					 * stderr go here; NULL: /dev/null */
	bool verbose;
	bool trace_fork;	/* --trace-fork (tracefork.c) */
	bool trace_threads;	/* --trace-threads: threads make events too */
	bool syscall_stops;	/* --syscall-stops: fork entries found at system-call
				 * stops (PTRACE_SYSCALL), not by a seccomp filter */
	bool check;		/* --check: kernel invariant audit */
	bool freeze;
	const char *output_file;	/* borrowed: --output-file */
	bool all;		/* --all: every user process (fleet.c) */
	int group_by;		/* enum pa_group_by */
	size_t top;		/* --top N rows or groups, 0: all */
	bool prometheus;	/* --prometheus text exposition */
	double max_seconds;	/* --max-seconds budget of --all, 0: none */
	const char *save;	/* borrowed: --save FILE */
	bool append;		/* --append: add a capture to FILE */
	bool page_cgroups;	/* --page-cgroups: --save records kpagecgroup */
	const char *load;	/* borrowed: --load FILE[@N] */
	const char *diff_old, *diff_new;	/* borrowed: --diff OLD [NEW] */
	int threads;
	int scan;		/* enum PA_SCAN_* */
	bool per_page;		/* --per-page: no per-folio reads */
	double interval;	/* TUI refresh */
};

void pa_options_free(struct pa_options *o);
/* The run function: everything after option parsing.  Returns an exit code. */
int pa_run(struct pa_options *o);

/* ---------------------------------------------------------------------
 * Report (report.c): the one structure all outputs consume.
 */
struct pa_flagstat {
	uint64_t flags;		/* expanded or well-known flags */
	uint64_t pages;
};

struct pa_vma_report {
	struct pa_vma vma;	/* owned copy (name owned) */
	struct pa_counts c;
	uint64_t rss_pages;	/* present pages */
};

struct pa_procinfo;

struct pa_proc_report {
	pid_t pid, ppid;
	char comm[64];
	struct pa_procinfo *info;	/* owned: user, cgroup, unit (procs.h); NULL if not read */
	struct pa_counts totals;
	struct pa_vma_report *vmas;	/* owned */
	size_t nvmas;
	size_t nvmas_total;	/* before filtering out empty ones */
	uint64_t vm_pin_kb;	/* VmPin of /proc/PID/status (pinned.h) */
	/* pages of this process's anon_shared/anon_sole pages also mapped by
	 * process j (index into report->procs), by PFN */
	uint64_t *shared_with;	/* owned, nprocs entries, NULL if 1 process */
	uint8_t *pfn_bitmap;	/* owned: PFNs of shared anon pages, NULL when unused */
	size_t bitmap_bytes;	/* multiple of 8 */
	bool partial;
	int err;		/* errno if the process could not be read */
	char errmsg[640];
	struct pa_walk_stats stats;
};

struct pa_check_result;		/* check.h */

struct pa_report {
	char kernel[128];
	long page_size;
	struct pa_kinfo kinfo;
	struct pa_flagtab ftab;
	bool raw;		/* flag table values are -r expanded */

	struct pa_proc_report *procs;	/* owned */
	size_t nprocs, procs_cap;

	/* flags table (page-types compatible), sorted by flags value */
	struct pa_flagstat *flagstats;	/* owned */
	size_t nflagstats, flagstats_cap;
	uint64_t total_pages;
	uint64_t unknown_bits;	/* union of unknown bits seen */

	struct pa_all_report *all;	/* owned: --all scan, NULL otherwise */
	struct pa_check_result *check;	/* owned: --check results, else NULL */
	bool check_all;		/* --check --all: vanished processes are dropped */
	bool unprivileged;	/* live, without CAP_SYS_ADMIN: PFNs hidden, the
				 * reduced view (JSON "privileged": false) */
	uint64_t sample;	/* --watch sample number, from 1 */
	double timestamp;	/* CLOCK_REALTIME seconds of the sample */
	bool partial;
};

/* --all (fleet.c): one row per process in procs (no VMAs kept), and
 * groups of them for --group-by and --prometheus. */
enum pa_group_by { PA_GROUP_NONE = 0, PA_GROUP_COMM, PA_GROUP_USER, PA_GROUP_CGROUP,
		   PA_GROUP_UNIT };
struct pa_group {
	char *key;		/* owned: command, user, cgroup path or unit */
	size_t nprocs;
	struct pa_counts c;
};
enum pa_skip { PA_SKIP_KTHREAD, PA_SKIP_EXITED, PA_SKIP_UNREADABLE, PA_SKIP_BUDGET, PA_SKIP__N };
struct pa_all_report {
	enum pa_group_by group_by;
	size_t skipped[PA_SKIP__N];	/* processes not in procs, by reason */
	double duration;		/* seconds the scan took */
	bool truncated;			/* --max-seconds ended the scan early */
	struct pa_group *groups;	/* owned; sorted, at most --top */
	size_t ngroups;
	struct pa_group other;		/* rows or groups beyond --top (key NULL) */
	struct pa_counts totals;	/* of every process read */
	size_t nread;			/* processes read (also those beyond --top) */
	uint64_t pfns_read, cache_lookups, cache_hits;
	size_t cache_peak;		/* entries */
};
const char *pa_skip_name(enum pa_skip k);	/* "kernel_thread", ... */
const char *pa_group_by_name(enum pa_group_by g);	/* "comm", ...; NULL for none */
/* --all: walk every user process into r; returns an exit code. */
struct pa_session;
int pa_collect_all(struct pa_session *s, struct pa_report *r);
/* --all after the session is prepared: checks -o/--sort, opens the kpage
 * files and collects into r (r->all stays NULL for "-o help", which it
 * prints); returns an exit code.  The outputs below are run.c's to call. */
int pa_run_all(struct pa_session *s, struct pa_report *r);
/* --all outputs */
void pa_print_all(FILE *out, const struct pa_report *r, const struct pa_options *o);
int pa_json_all(FILE *out, const struct pa_report *r, const struct pa_options *o);
int pa_prometheus_write(FILE *out, const struct pa_report *r, const struct pa_options *o);

void pa_report_init(struct pa_report *r);
void pa_report_free(struct pa_report *r);
/* Add pages to the row of flags; the rows stay sorted by flags value. */
void pa_report_add_flags(struct pa_report *r, uint64_t flags, uint64_t pages);
struct pa_proc_report *pa_report_add_proc(struct pa_report *r, pid_t pid);
void pa_report_compute_sharing(struct pa_report *r);
/* The VMA holds anonymous (or swapped, zero, unknown, special) pages: the
 * text report and the live view show only those unless --all-vmas. */
bool pa_vma_has_anon(const struct pa_vma_report *v);

/* ---------------------------------------------------------------------
 * Page listings (-l/-L), streamed: one struct per listed range or page.
 */
struct pa_list_entry {
	uint64_t voffset;	/* page index in the address space / file */
	uint64_t offset;	/* PFN or swap offset */
	uint64_t count;		/* pages in the range (1 for -L) */
	uint64_t flags;
	uint64_t cgroup, mapcnt;
};

struct pa_listing {
	void (*begin)(struct pa_listing *l);
	void (*entry)(struct pa_listing *l, const struct pa_list_entry *e);
	void (*end)(struct pa_listing *l);
	const struct pa_options *opt;	/* borrowed */
	const struct pa_flagtab *ftab;	/* borrowed */
	pid_t pid;			/* 0 when not a PID walk */
	long page_size;
	FILE *out;
	void *priv;
};
void pa_listing_text(struct pa_listing *l, const struct pa_options *o,
		     const struct pa_flagtab *t, FILE *out);
void pa_listing_json(struct pa_listing *l, const struct pa_options *o,
		     const struct pa_flagtab *t, FILE *out);

/* ---------------------------------------------------------------------
 * Output (output_text.c, output_json.c): consumers of struct pa_report.
 */
void pa_print_flag_table(FILE *out, const struct pa_report *r);
void pa_print_report(FILE *out, const struct pa_report *r, const struct pa_options *o,
		     const struct pa_report *prev);
void pa_print_describe(FILE *out, const struct pa_flagtab *t, uint64_t flags);
int pa_json_report(FILE *out, const struct pa_report *r, const struct pa_options *o);
/* Set once any JSON document has been printed. */
extern bool pa_json_printed;
/* Print one JSON document (indented when pretty, else on one line) and a
 * newline, then delete root; sets pa_json_printed.  -1 when out of memory
 * (said on stderr). */
struct cJSON;
int pa_json_print(FILE *out, struct cJSON *root, bool pretty);
/* --json, exit status 1 and no document printed: an "error" document. */
int pa_json_error(FILE *out, const struct pa_options *o);
/* --watch: also "changes" of each process's totals since prev (or NULL). */
int pa_json_report_watch(FILE *out, const struct pa_report *r, const struct pa_options *o,
			 const struct pa_report *prev);
int pa_json_flag_table(FILE *out, const struct pa_report *r, const struct pa_options *o);
int pa_json_describe(FILE *out, const struct pa_flagtab *t, uint64_t flags,
		     const struct pa_options *o);
void pa_print_file_header(FILE *out, const char *name, const struct stat *st, long page_size);
/* Report columns (-o, --sort): the field table (fields.c); ids are enum
 * pa_field_id. */
int pa_column_lookup(const char *name);	/* -1 if unknown */
void pa_columns_help(FILE *out);	/* output_text.c */
int pa_columns_parse(const char *spec, int *out, size_t max, size_t *n, char *err, size_t errlen);
uint64_t pa_vma_sort_key(const struct pa_vma_report *v, int col, long page_size);
/* Whether to colour text output on out (--color, NO_COLOR, TERM). */
bool pa_use_color(const struct pa_options *o, FILE *out);
/* Human size: "4.0K", "12M", "1.5G" (binary units). */
void pa_human_size(uint64_t bytes, char *buf, size_t len);

/* ---------------------------------------------------------------------
 * Privileges (caps.c).
 */
struct pa_privs {
	bool have_sys_admin;	/* effective CAP_SYS_ADMIN (PFNs in pagemap) */
	bool have_ptrace;	/* effective CAP_SYS_PTRACE (other users) */
	bool have_dac_read;	/* CAP_DAC_READ_SEARCH/DAC_OVERRIDE (kpage* 0400) */
	bool is_root;
	bool file_caps;		/* running with file capabilities, not as root */
};
/* First thing in main(): record the starting privileges (the permitted
 * set) and, with file capabilities, clear the effective set (caps.c). */
void pa_privs_init(void);
void pa_privs_get(struct pa_privs *p);
/* Around the open() of a live /proc file only (source.c): put the useful
 * permitted capabilities into the effective set, and clear it again.
 * No-ops unless running with file capabilities. */
int pa_privs_raise(void);
void pa_privs_lower(void);
/* No more /proc opens will be needed: drop every capability (file
 * capabilities; root is unchanged) and set no_new_privs; 0 or -errno. */
int pa_privs_drop(void);
bool pa_privs_dropped(void);
/* Running with file capabilities (not dropped yet): processes must pass
 * pa_privs_judge_target() before their /proc files are opened. */
bool pa_privs_check_targets(void);
/* Could the user running page-anon read process pid without its file
 * capabilities (PTRACE_MODE_READ_REALCREDS, no capabilities)?  status is
 * the text of /proc/PID/status, owner and group those of a /proc/PID file
 * (root when the process is not dumpable).  0, or -EACCES with the reason
 * and what to do in why.  Always 0 for root and without file capabilities
 * (the kernel decides). */
int pa_privs_judge_target(pid_t pid, const char *status, uid_t owner, gid_t group, char *why,
			  size_t len);

/* ---------------------------------------------------------------------
 * Errors and small utilities (util.c).
 */
extern const char *pa_progname;
void pa_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pa_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The text of the last pa_error() message (for the JSON error document). */
extern char pa_last_error[512];
/* Print "page-anon: msg" and "Try `page-anon --help'..." and return
 * PA_EXIT_USAGE. */
int pa_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *pa_xrealloc(void *p, size_t n, size_t size);	/* aborts on OOM */
char *pa_xstrdup(const char *s);
double pa_now(void);		/* CLOCK_MONOTONIC seconds */
/* fd moved above standard error (page-anon may start with standard
 * output closed), close-on-exec; fd itself when it is above already;
 * -1 with errno on failure (fd is closed then). */
int pa_fd_above_stderr(int fd);
/* Flush stdout at exit: quiet on EPIPE, error exit otherwise. */
/* Flush standard output: 0, or the errno of its first failed write
 * (kept; pa_stdout_error() returns it, 0 if none).  --watch stops at the
 * first failure instead of writing on forever. */
int pa_stdout_flush(void);
int pa_stdout_error(void);
void pa_close_stdout_atexit(void);

/* page-types compatible walk (flagscan.c): flags table and listings. */
int pa_run_flags(struct pa_session *s, struct pa_report *r);

/* -f: page-cache walk of a file or directory tree (filewalk.c); index is
 * the page offset in the file.  *top gets the stat of path. */
int pa_walk_file(struct pa_source *s, const char *path, const struct pa_walk_opts *o,
		 pa_batch_fn fn, void *ctx, struct pa_walk_stats *st, struct stat *top);

/* --freeze (freeze.c): stop the live processes pids (SIGSTOP through a
 * pidfd, or the cgroup v2 freezer when a process is alone in its cgroup)
 * until pa_thaw(); returns how many were stopped.  pa_thaw() resumes
 * every process page-anon stopped; it is also run at exit. */
int pa_freeze(const struct pa_source *s, const pid_t *pids, size_t n);
void pa_thaw(void);

/* TUI (tui.c); returns an exit code. */
int pa_tui_run(struct pa_session *s);

/* Modules with their own headers; this one stays the umbrella. */
#include "session.h"
#include "collect.h"
#include "fields.h"

#endif /* PAGE_ANON_H */
