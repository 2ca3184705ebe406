// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flag table: letters, names and meanings of kpageflags bits and of
 * page-types' synthetic bits, resolved for one kernel version.
 *
 * Compatibility target is the kernel's tools/mm/page-types.c: for the bits
 * marked "compat", pa_flags_symbolic() produces exactly page-types'
 * symbolic-flags column for the same kernel, and pa_flags_expand() is
 * page-types' expand_overloaded_flags() (its -r mode).  Unlike page-types,
 * unknown bits never abort: they are reported as "bitNN".
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "page-anon.h"

/* Version windows: a definition applies when since <= kver < until. */
#define KV_ALWAYS	0
#define KV_FOREVER	(1 << 30)

struct flag_src {
	unsigned char bit;
	char letter;
	const char *name;
	enum pa_bit_kind kind;
	int since, until;	/* PA_KVER() codes */
	bool own;		/* page-anon's own bit: not in page-types */
	const char *help;
};

static const struct flag_src flag_src[] = {
	{ KPF_LOCKED, 'L', "locked", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "folio is locked (I/O or a state change in progress)" },
	/* PG_error was removed in 6.12; the uapi header says "Now unused". */
	{ KPF_ERROR, 'E', "error", PA_BIT_KERNEL, KV_ALWAYS, PA_KVER(6, 12), false,
	  "I/O error on the folio" },
	{ KPF_ERROR, 'E', "error", PA_BIT_KERNEL, PA_KVER(6, 12), KV_FOREVER, false,
	  "unused since 6.12 (PG_error removed): never set" },
	{ KPF_REFERENCED, 'R', "referenced", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "recently referenced (reclaim and DAMON change it at any time)" },
	{ KPF_UPTODATE, 'U', "uptodate", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "folio content is valid" },
	{ KPF_DIRTY, 'D', "dirty", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "folio content differs from its backing store" },
	{ KPF_LRU, 'l', "lru", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "on an LRU list (new pages may lack it until a per-CPU batch drains)" },
	{ KPF_ACTIVE, 'A', "active", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "on the active LRU list (on slab pages: pfmemalloc, see slub_frozen)" },
	{ KPF_SLAB, 'S', "slab", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "slab allocator page" },
	{ KPF_WRITEBACK, 'W', "writeback", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "being written back" },
	{ KPF_RECLAIM, 'I', "reclaim", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "to be reclaimed after writeback (same bit as PG_readahead)" },
	{ KPF_BUDDY, 'B', "buddy", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "free memory: first page of a free buddy block" },
	{ KPF_MMAP, 'M', "mmap", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "mapped by a page table (per folio since 6.17)" },
	{ KPF_ANON, 'a', "anonymous", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "anonymous memory (KSM pages included)" },
	{ KPF_SWAPCACHE, 's', "swapcache", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "in the swap cache" },
	{ KPF_SWAPBACKED, 'b', "swapbacked", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "backed by swap or RAM: anonymous or shmem (MADV_FREE pages lose it)" },
	{ KPF_COMPOUND_HEAD, 'H', "compound_head", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "first page of a large folio (THP, mTHP, hugetlb, slab, ...)" },
	{ KPF_COMPOUND_TAIL, 'T', "compound_tail", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "non-first page of a large folio" },
	{ KPF_HUGE, 'G', "huge", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "hugetlbfs page" },
	{ KPF_UNEVICTABLE, 'u', "unevictable", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "on the unevictable list (mlock, ramfs, SHM_LOCK)" },
	{ KPF_HWPOISON, 'X', "hwpoison", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "hardware memory error (needs CONFIG_MEMORY_FAILURE)" },
	/*
	 * Since the kpage_read() refactor (about 6.16) fs/proc/page.c writes
	 * 0 for PFNs without an online memmap instead of KPF_NOPAGE.
	 */
	{ KPF_NOPAGE, 'n', "nopage", PA_BIT_KERNEL, KV_ALWAYS, PA_KVER(6, 16), false,
	  "no memory map at this PFN (memory hole)" },
	{ KPF_NOPAGE, 'n', "nopage", PA_BIT_KERNEL, PA_KVER(6, 16), KV_FOREVER, false,
	  "memory hole; not reported since about 6.16 (holes read as 0)" },
	{ KPF_KSM, 'x', "ksm", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "KSM merged page (6.10 until a 2026 fix: set on every anonymous page)" },
	{ KPF_THP, 't', "thp", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "transparent huge page or mTHP (or the huge zero folio)" },
	{ KPF_OFFLINE, 'o', "offline", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "logically offline (balloon, virtio-mem); was BALLOON before 5.0" },
	{ KPF_ZERO_PAGE, 'z', "zero_page", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "the shared zero page or the huge zero folio" },
	{ KPF_IDLE, 'i', "idle_page", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "not accessed since marked idle (page_idle bitmap, DAMON)" },
	{ KPF_PGTABLE, 'g', "pgtable", PA_BIT_KERNEL, KV_ALWAYS, KV_FOREVER, false,
	  "page table page" },

	/* Kernel hacking bits (include/linux/kernel-page-flags.h, not uapi). */
	{ KPF_RESERVED, 'r', "reserved", PA_BIT_HACKER, KV_ALWAYS, KV_FOREVER, false,
	  "PG_reserved: not managed by the page allocator" },
	{ KPF_MLOCKED, 'm', "mlocked", PA_BIT_HACKER, KV_ALWAYS, KV_FOREVER, false,
	  "PG_mlocked: mlock()ed" },
	/*
	 * Bit 34: PG_mappedtodisk; since 5.19 (commit 78fbe906cc90) the same
	 * page flag is PG_anon_exclusive on anonymous pages.  Renamed
	 * PG_owner_2 / KPF_OWNER_2 in 6.12 (commit 02e1960aafac); the exported
	 * bit number did not change.
	 */
	{ KPF_OWNER_2, 'd', "mappedtodisk", PA_BIT_HACKER, KV_ALWAYS, PA_KVER(5, 19), false,
	  "PG_mappedtodisk: file page has blocks on disk" },
	{ KPF_OWNER_2, 'd', "mappedtodisk", PA_BIT_HACKER, PA_KVER(5, 19), PA_KVER(6, 12), false,
	  "PG_mappedtodisk; PG_anon_exclusive on anonymous pages" },
	{ KPF_OWNER_2, 'd', "owner_2", PA_BIT_HACKER, PA_KVER(6, 12), KV_FOREVER, false,
	  "PG_owner_2: PG_anon_exclusive on anonymous pages, owner's use otherwise" },
	{ KPF_PRIVATE, 'P', "private", PA_BIT_HACKER, KV_ALWAYS, KV_FOREVER, false,
	  "PG_private: filesystem private data (buffer heads) attached" },
	{ KPF_PRIVATE_2, 'p', "private_2", PA_BIT_HACKER, KV_ALWAYS, KV_FOREVER, false,
	  "PG_private_2: fscache write in progress" },
	{ KPF_OWNER_PRIVATE, 'O', "owner_private", PA_BIT_HACKER, KV_ALWAYS, KV_FOREVER, false,
	  "PG_owner_priv_1: PG_swapcache on anon/shmem, PG_checked on some filesystems" },
	{ KPF_ARCH, 'h', "arch", PA_BIT_HACKER, KV_ALWAYS, KV_FOREVER, false,
	  "PG_arch_1: architecture use (e.g. D-cache clean)" },
	/*
	 * "x86: remove PG_uncached" (7a87225ae2c6, merged for 6.12) took
	 * KPF_UNCACHED out of include/linux/kernel-page-flags.h and
	 * "c:uncached" out of page-types' table (KPF_UNCACHED stays defined
	 * there as "unused"): page-types of 6.12 and later prints 43
	 * positions, earlier ones 44 (45 before SLOB left in 6.4).  The
	 * rename to owner_2 (02e1960aafac) came in the same merge window.
	 */
	{ KPF_UNCACHED, 'c', "uncached", PA_BIT_HACKER, KV_ALWAYS, PA_KVER(6, 12), false,
	  "PG_uncached: page mapped uncached" },
	/* The kernel never sets bit 40: page-types copies pagemap bit 55. */
	{ KPF_SOFTDIRTY, 'f', "softdirty", PA_BIT_PAGEMAP, KV_ALWAYS, KV_FOREVER, false,
	  "written since soft-dirty was cleared (pagemap bit 55)" },
	{ KPF_ARCH_2, 'H', "arch_2", PA_BIT_HACKER, KV_ALWAYS, KV_FOREVER, false,
	  "PG_arch_2: architecture use (arm64 MTE tags)" },
	/* KPF_ARCH_3 (6.1, arm64 MTE) is missing from page-types' table. */
	{ KPF_ARCH_3, 'H', "arch_3", PA_BIT_HACKER, KV_ALWAYS, KV_FOREVER, true,
	  "PG_arch_3: architecture use (arm64 MTE, 6.1+)" },

	/* page-types' expansions of overloaded bits (raw mode). */
	{ KPF_ANON_EXCLUSIVE, 'd', "anon_exclusive", PA_BIT_OVERLOADED,
	  PA_KVER(5, 19), KV_FOREVER, false,
	  "PG_anon_exclusive: anonymous page exclusive to this mapping (bit 34)" },
	{ KPF_READAHEAD, 'I', "readahead", PA_BIT_OVERLOADED, KV_ALWAYS, KV_FOREVER, false,
	  "readahead marker: PG_reclaim without writeback" },
	/* PG_slob_free went away with SLOB in 6.4. */
	{ KPF_SLOB_FREE, 'P', "slob_free", PA_BIT_OVERLOADED, KV_ALWAYS, PA_KVER(6, 4), false,
	  "SLOB page with free space (PG_private on a slab page)" },
	/*
	 * SLUB stopped using PG_active for "frozen" in 2011; since 3.6
	 * PG_active on a slab page means pfmemalloc.  PG_slub_debug was
	 * removed in 2010 and PG_error itself in 6.12.
	 */
	{ KPF_SLUB_FROZEN, 'A', "slub_frozen", PA_BIT_OVERLOADED, KV_ALWAYS, KV_FOREVER, false,
	  "stale label: PG_active on a slab page = pfmemalloc since 3.6" },
	{ KPF_SLUB_DEBUG, 'E', "slub_debug", PA_BIT_OVERLOADED, KV_ALWAYS, PA_KVER(6, 12), false,
	  "stale label: PG_error on a slab page" },
	{ KPF_SLUB_DEBUG, 'E', "slub_debug", PA_BIT_OVERLOADED, PA_KVER(6, 12), KV_FOREVER, false,
	  "stale label: cannot be set since 6.12 (PG_error never set)" },

	/* Copies of pagemap entry bits. */
	{ KPF_UFFD_WP, 'y', "uffd_wp", PA_BIT_PAGEMAP, KV_ALWAYS, KV_FOREVER, true,
	  "userfaultfd write-protected (pagemap bit 57)" },
	{ KPF_GUARD, 'q', "guard", PA_BIT_PAGEMAP, KV_ALWAYS, KV_FOREVER, true,
	  "MADV_GUARD_INSTALL guard region (pagemap bit 58, 6.15+)" },
	{ KPF_FILE, 'F', "file", PA_BIT_PAGEMAP, KV_ALWAYS, KV_FOREVER, false,
	  "file page or shared anonymous memory (pagemap bit 61)" },
	{ KPF_SWAP, 'w', "swap", PA_BIT_PAGEMAP, KV_ALWAYS, KV_FOREVER, false,
	  "swapped out or other non-present entry (pagemap bit 62)" },
	{ KPF_MMAP_EXCLUSIVE, '1', "mmap_exclusive", PA_BIT_PAGEMAP, KV_ALWAYS, KV_FOREVER, false,
	  "mapped exactly once (pagemap bit 56); not PG_anon_exclusive" },
};

int pa_kver_parse(const char *release, struct pa_kver *out)
{
	long num[3] = { 0, 0, 0 };
	const char *p = release;
	int i;

	if (!release)
		return -1;
	/* "major.minor" is required, ".patch" optional, the rest ignored. */
	for (i = 0; i < 3; i++) {
		if (*p < '0' || *p > '9') {
			if (i < 2)
				return -1;
			break;
		}
		while (*p >= '0' && *p <= '9') {
			num[i] = num[i] * 10 + (*p - '0');
			if (num[i] > 99999)
				return -1;
			p++;
		}
		if (i < 2 && *p != '.') {
			if (i == 0)
				return -1;
			break;
		}
		if (i < 2 && *p == '.')
			p++;
	}
	/* PA_KVER() packs the minor number into three decimal digits. */
	if (num[1] > 999)
		return -1;
	out->major = (int)num[0];
	out->minor = (int)num[1];
	out->patch = (int)num[2];
	return 0;
}

int pa_kver_code(const struct pa_kver *v)
{
	return PA_KVER(v->major, v->minor);
}

void pa_flagtab_init(struct pa_flagtab *t, const struct pa_kver *v, bool extended)
{
	int code;
	size_t i;

	memset(t, 0, sizeof(*t));
	/* Without a version assume the newest kernel we know about. */
	if (v) {
		t->kver = *v;
		code = pa_kver_code(v);
	} else {
		code = KV_FOREVER - 1;
	}
	t->extended = extended;

	for (i = 0; i < PA_ARRAY_SIZE(flag_src); i++) {
		const struct flag_src *s = &flag_src[i];
		struct pa_flagdef *d = &t->bit[s->bit];

		if (code < s->since || code >= s->until)
			continue;
		d->letter = s->letter;
		d->name = s->name;
		d->kind = s->kind;
		d->compat = !s->own;
		d->help = s->help;
	}
}

bool pa_flagtab_has(const struct pa_flagtab *t, unsigned int bit)
{
	const struct pa_flagdef *d;

	if (bit >= 64)
		return false;
	d = &t->bit[bit];
	if (d->kind == PA_BIT_NONE)
		return false;
	return d->compat || t->extended;
}

/*
 * Move a set bit "from" to "to".  Toggling both, as page-types does, gives
 * the same result for every value the kernel can produce (it never sets
 * bits 47-51) and keeps the output identical to page-types otherwise.
 */
static uint64_t move_bit(uint64_t flags, unsigned int from, unsigned int to)
{
	return flags ^ ((1ULL << from) | (1ULL << to));
}

uint64_t pa_flags_expand(const struct pa_flagtab *t, uint64_t kflags, uint64_t pme)
{
	uint64_t f = kflags;

	/*
	 * 5.19+: PG_anon_exclusive reuses PG_mappedtodisk (bit 34, later
	 * PG_owner_2) on anonymous pages (commit 78fbe906cc90).  Before 5.19
	 * bit 34 on an anonymous page is plain PG_mappedtodisk.
	 */
	if (t->bit[KPF_ANON_EXCLUSIVE].kind != PA_BIT_NONE &&
	    (f & PA_BIT(ANON)) && (f & PA_BIT(OWNER_2)))
		f = move_bit(f, KPF_OWNER_2, KPF_ANON_EXCLUSIVE);

	/* Slab allocators reuse page flags on their own pages. */
	if (f & PA_BIT(SLAB)) {
		/* SLOB kept its free list flag in PG_private until 6.4. */
		if (t->bit[KPF_SLOB_FREE].kind != PA_BIT_NONE && (f & PA_BIT(PRIVATE)))
			f = move_bit(f, KPF_PRIVATE, KPF_SLOB_FREE);
		if (f & PA_BIT(ACTIVE))
			f = move_bit(f, KPF_ACTIVE, KPF_SLUB_FROZEN);
		if (f & PA_BIT(ERROR))
			f = move_bit(f, KPF_ERROR, KPF_SLUB_DEBUG);
	}

	/* PG_readahead is PG_reclaim used on pages not under writeback. */
	if ((f & (PA_BIT(RECLAIM) | PA_BIT(WRITEBACK))) == PA_BIT(RECLAIM))
		f = move_bit(f, KPF_RECLAIM, KPF_READAHEAD);

	if (pme & PM_SOFT_DIRTY)
		f |= PA_BIT(SOFTDIRTY);
	if (pme & PM_FILE)
		f |= PA_BIT(FILE);
	if (pme & PM_SWAP)
		f |= PA_BIT(SWAP);
	if (pme & PM_MMAP_EXCLUSIVE)
		f |= PA_BIT(MMAP_EXCLUSIVE);
	if (t->extended) {
		if (pme & PM_UFFD_WP)
			f |= PA_BIT(UFFD_WP);
		if (pme & PM_GUARD_REGION)
			f |= PA_BIT(GUARD);
	}
	return f;
}

uint64_t pa_flags_well_known(uint64_t kflags)
{
	/* Bits 32-47 are "subject to change" kernel hacking bits. */
	kflags &= ~PA_HACKERS_BITS;
	/* THP and other large folios look like small pages; hugetlb does not. */
	if ((kflags & PA_BITS_COMPOUND) && !(kflags & PA_BIT(HUGE)))
		kflags &= ~PA_BITS_COMPOUND;
	return kflags;
}

void pa_flags_symbolic(const struct pa_flagtab *t, uint64_t flags, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	if (!len)
		return;
	for (i = 0; i < 64 && n + 1 < len; i++) {
		if (!pa_flagtab_has(t, i))
			continue;
		buf[n++] = (flags >> i) & 1 ? t->bit[i].letter : '_';
	}
	buf[n] = '\0';
}

/* Append to buf like snprintf, keeping *n at most len - 1. */
static void append(char *buf, size_t len, size_t *n, const char *sep, const char *s,
		   int num)
{
	int r;

	if (*n + 1 >= len)
		return;
	if (s)
		r = snprintf(buf + *n, len - *n, "%s%s", sep, s);
	else
		r = snprintf(buf + *n, len - *n, "%sbit%d", sep, num);
	if (r < 0)
		return;
	*n += (size_t)r;
	if (*n >= len)
		*n = len - 1;
}

void pa_flags_longname(const struct pa_flagtab *t, uint64_t flags, char *buf, size_t len)
{
	uint64_t unknown = pa_flags_unknown(t, flags);
	size_t n = 0;
	unsigned int i;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; i < 64; i++) {
		if (!((flags >> i) & 1) || !pa_flagtab_has(t, i))
			continue;
		append(buf, len, &n, n ? "," : "", t->bit[i].name, 0);
	}
	for (i = 0; i < 64; i++) {
		if ((unknown >> i) & 1)
			append(buf, len, &n, n ? "," : "", NULL, (int)i);
	}
}

uint64_t pa_flags_unknown(const struct pa_flagtab *t, uint64_t flags)
{
	uint64_t known = 0;
	unsigned int i;

	for (i = 0; i < 64; i++)
		if (pa_flagtab_has(t, i))
			known |= 1ULL << i;
	return flags & ~known;
}
