// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Page states of private anonymous memory, following the decision
 * procedure of doc/kernel-notes.md section 6.  Never guess "exclusive": when
 * the kernel's answer is unreliable the page is "unknown".
 */
#include "config.h"

#include "page-anon.h"

static const char *const state_names[PA_ST__N] = {
	[PA_ST_ANON_EXCLUSIVE] = "anon_exclusive",
	[PA_ST_ANON_SHARED] = "anon_shared",
	[PA_ST_ANON_SOLE] = "anon_sole",
	[PA_ST_KSM] = "ksm",
	[PA_ST_ZERO] = "zero",
	[PA_ST_FILE] = "file",
	[PA_ST_SWAPPED] = "swapped",
	[PA_ST_SPECIAL] = "special",
	[PA_ST_UNKNOWN] = "unknown",
};

const char *pa_state_name(enum pa_state st)
{
	if (st < 0 || st >= PA_ST__N)
		return "none";
	return state_names[st];
}

/*
 * Swap types at or above this are not real swap devices but special
 * entries (migration, device-private/exclusive, hwpoison, PTE markers):
 * MAX_SWAPFILES is 32 minus the special types the config enables
 * (include/linux/swap.h): 23 on 5.14-6.14 kernels with DEVICE_PRIVATE and
 * MEMORY_FAILURE, up to 25 on others.  Markers use the last type (31 on
 * the 6.18 kernel, doc/kernel-notes.md 1.5).  Taking 23 misreads only the 24th
 * and 25th swap area of a machine that has that many.
 */
#define PA_FIRST_SPECIAL_SWAP_TYPE 23

static enum pa_state classify_nonpresent(uint64_t pme)
{
	if (pme & PM_GUARD_REGION)
		return PA_ST_SPECIAL;
	/* Without CAP_SYS_ADMIN the type/offset field reads 0, so a real
	 * swap entry cannot be told from a marker except by bit 57. */
	if (PM_SWAP_TYPE(pme) >= PA_FIRST_SPECIAL_SWAP_TYPE)
		return PA_ST_SPECIAL;
	if (PM_PFRAME(pme) == 0 && (pme & PM_UFFD_WP))
		return PA_ST_SPECIAL;
	return PA_ST_SWAPPED;
}

static const char *const reason_names[PA_UR__N] = {
	[PA_UR_PFN_HIDDEN] = "pfn_hidden_mapped_more",
	[PA_UR_PFN_HIDDEN_ONCE] = "pfn_hidden_mapped_once",
	[PA_UR_KPAGE_UNREADABLE] = "kpage_unreadable",
	[PA_UR_NO_EXCLUSIVE_BIT] = "no_exclusive_bit",
	[PA_UR_TAIL_MAPPED_ONCE] = "large_folio_tail_mapped_once",
	[PA_UR_MAPCOUNT_AVERAGE] = "mapcount_not_exact",
	[PA_UR_HEAD_NOT_SEEN] = "huge_page_head_not_read",
};

static const char *const reason_hints[PA_UR__N] = {
	[PA_UR_PFN_HIDDEN] =
		"PFNs are hidden without CAP_SYS_ADMIN and pagemap says mapped more than once "
		"(shared, or the zero page): run as root to tell",
	[PA_UR_PFN_HIDDEN_ONCE] =
		"PFNs are hidden without CAP_SYS_ADMIN; pagemap says mapped once (private to this "
		"process, exclusive or not): run as root to tell",
	[PA_UR_KPAGE_UNREADABLE] =
		"/proc/kpageflags or /proc/kpagecount could not be read: cannot tell; run as root",
	[PA_UR_NO_EXCLUSIVE_BIT] =
		"mapped once, but kernels before 5.19 have no PG_anon_exclusive: private or "
		"waiting for reuse; a 5.19+ kernel tells",
	[PA_UR_TAIL_MAPPED_ONCE] =
		"tails of PTE-mapped large folios (mTHP, split THP) mapped once: private to this "
		"process, but since 6.10 the kernel exports only the folio head's exclusive bit; "
		"disabling mTHP sizes (or THP) for the workload makes pages small and exact",
	[PA_UR_MAPCOUNT_AVERAGE] =
		"pages of large folios on a kernel whose /proc/kpagecount is a per-folio average "
		"(CONFIG_NO_PAGE_MAPCOUNT) or could not be checked: mapped once or shared cannot "
		"be told apart; a kernel with CONFIG_PAGE_MAPCOUNT tells",
	[PA_UR_HEAD_NOT_SEEN] =
		"huge-page tails on kernels 5.19-6.9, which keep the exclusive bit on the head page "
		"only: the head was outside the walked range (-a), or without PAGEMAP_SCAN the "
		"mapping (PMD or PTE) could not be told",
};

const char *pa_unknown_reason_name(enum pa_unknown_reason r)
{
	return r < PA_UR__N ? reason_names[r] : "none";
}

const char *pa_unknown_reason_hint(enum pa_unknown_reason r)
{
	return r < PA_UR__N ? reason_hints[r] : "";
}

const char *pa_mapcount_name(enum pa_mapcount m)
{
	switch (m) {
	case PA_MAPCOUNT_PAGE: return "per_page";
	case PA_MAPCOUNT_AVERAGE: return "folio_average";
	default: return "unknown";
	}
}

/*
 * /proc/kpagecount is the page's exact mapcount (PTE mappings of the page
 * plus PMD/PUD mappings of its folio) for small folios and hugetlb on every
 * kernel, and for every page before 6.15 and on 6.15+ kernels with
 * CONFIG_PAGE_MAPCOUNT (fs/proc/page.c, folio_precise_page_mapcount()).
 * With CONFIG_NO_PAGE_MAPCOUNT (6.15+) a page of a large non-hugetlb folio
 * reads the folio's average mapcount per page, rounded, at least 1 while
 * any page is mapped (folio_average_page_mapcount()).  doc/kernel-notes.md 4.
 */
bool pa_mapcount_exact(const struct pa_kinfo *k, uint64_t kf)
{
	if (!(kf & (PA_BITS_COMPOUND | PA_BIT(THP))) || (kf & PA_BIT(HUGE)))
		return true;
	return k->mapcount == PA_MAPCOUNT_PAGE;
}

static enum pa_state unknown(enum pa_unknown_reason r, enum pa_unknown_reason *why)
{
	if (why)
		*why = r;
	return PA_ST_UNKNOWN;
}

/*
 * The one definition every output uses (page-anon(8) STATES):
 *
 *   anon_shared     anonymous, not KSM, and mapped two or more times by
 *                   exact mapcount: it cannot be exclusive, whatever bit 34
 *                   says;
 *   anon_exclusive  PG_anon_exclusive where the kernel exports it for this
 *                   very page;
 *   anon_sole       mapped once, bit exported and clear;
 *   unknown         anything else, with a reason.
 *
 * kpagecount is read for every anonymous page whose bit 34 is clear or
 * whose bit is not its own (walk.c count_needed()); for a small page with
 * bit 34 set it is not read (the kernel clears the bit before a second
 * mapping can exist: fork, KSM, swap-out), and --check verifies exactly
 * that by reading it anyway.
 */
enum pa_state pa_classify_why(const struct pa_kinfo *k, uint64_t pme, uint64_t kf,
			      uint64_t kc, unsigned pg, enum pa_unknown_reason *why)
{
	bool x, tail, hugetlb, exact;

	if (!(pme & PM_PRESENT))
		return (pme & PM_SWAP) ? classify_nonpresent(pme) : PA_ST_NONE;
	/* PFN hidden (opener lacked CAP_SYS_ADMIN) or kpage* unreadable. */
	if (PM_PFRAME(pme) == 0) {
		/* Bit 61 is visible without privileges: not an anonymous page
		 * (file, shmem; the huge zero page too, which only the PFN
		 * would tell apart). */
		if (pme & PM_FILE)
			return PA_ST_FILE;
		return unknown(pme & PM_MMAP_EXCLUSIVE ? PA_UR_PFN_HIDDEN_ONCE : PA_UR_PFN_HIDDEN,
			       why);
	}
	if (!(pg & PA_PG_HAVE_KPAGE))
		return unknown(PA_UR_KPAGE_UNREADABLE, why);
	/* Small and huge zero page: ZERO_PAGE (4.0+); the huge zero folio
	 * also has THP and PM_FILE set (doc/kernel-notes.md 1.7). */
	if ((kf & PA_BIT(ZERO_PAGE)) || (k->zero_pfn && PM_PFRAME(pme) == k->zero_pfn))
		return PA_ST_ZERO;
	if (!(kf & PA_BIT(ANON)))
		return PA_ST_FILE;
	/* KPF_KSM is set for every anon page on 6.10 kernels without fix
	 * 81401cebfc15; the self-test says whether it can be trusted. */
	if ((kf & PA_BIT(KSM)) && k->ksm_flag_bug != PA_YES)
		return PA_ST_KSM;

	/* kc is meaningful only if kpagecount was open (it reads 0 else). */
	exact = k->kpagecount_ok && pa_mapcount_exact(k, kf);
	/* Mapped twice: another mapping exists, so the page is not exclusive
	 * (an anonymous page that is not KSM has one address in one mm). */
	if (exact && kc >= 2)
		return PA_ST_ANON_SHARED;

	if (!k->anon_exclusive_bit)
		/* Before 5.19 there is no PG_anon_exclusive: only "mapped
		 * more than once" is certain. */
		return unknown(exact ? PA_UR_NO_EXCLUSIVE_BIT : PA_UR_KPAGE_UNREADABLE, why);

	tail = kf & PA_BIT(COMPOUND_TAIL);
	hugetlb = kf & PA_BIT(HUGE);
	if (k->folio_flags) {
		/* 6.10+ (dee3d0bef2b0): kpageflags reads the folio's flags,
		 * so every subpage reports the head's bit 34.  That is the
		 * right answer for hugetlb and PMD-mapped THP (exclusivity
		 * is tracked on the head), but not for the tails of a
		 * PTE-mapped large folio, which track it per subpage: there
		 * only an exact mapcount of 2+ (above) is certain. */
		if (tail && !hugetlb && !(pg & PA_PG_PMD_MAPPED)) {
			if (!k->kpagecount_ok)
				return unknown(PA_UR_KPAGE_UNREADABLE, why);
			return unknown(exact ? PA_UR_TAIL_MAPPED_ONCE : PA_UR_MAPCOUNT_AVERAGE, why);
		}
		x = kf & PA_BIT(OWNER_2);
	} else {
		/* 5.19-6.9: page flags per page.  Hugetlb and PMD-mapped THP
		 * keep the bit on the head only: read the head's. */
		if (tail && (hugetlb || (pg & PA_PG_PMD_MAPPED))) {
			if (!(pg & PA_PG_HEAD_KNOWN))
				return unknown(PA_UR_HEAD_NOT_SEEN, why);
			x = pg & PA_PG_HEAD_EXCL;
		} else if (tail && !(kf & PA_BIT(OWNER_2)) && !(k->pagemap_scan == PA_YES)) {
			/* Without PAGEMAP_SCAN a clear bit on a THP tail may
			 * mean "PMD-mapped, ask the head" or "not exclusive". */
			if (!(pg & PA_PG_HEAD_KNOWN) || (pg & PA_PG_HEAD_EXCL))
				return unknown(PA_UR_HEAD_NOT_SEEN, why);
			x = false;
		} else {
			x = kf & PA_BIT(OWNER_2);
		}
	}
	if (x)
		return PA_ST_ANON_EXCLUSIVE;
	/* Not exclusive: mapped once ("sole") only if the count says so. */
	if (!k->kpagecount_ok)
		return unknown(PA_UR_KPAGE_UNREADABLE, why);
	if (!exact)
		return unknown(PA_UR_MAPCOUNT_AVERAGE, why);
	return PA_ST_ANON_SOLE;
}

enum pa_state pa_classify(const struct pa_kinfo *k, uint64_t pme, uint64_t kf,
			  uint64_t kc, unsigned pg)
{
	return pa_classify_why(k, pme, kf, kc, pg, NULL);
}

void pa_counts_page(struct pa_counts *c, const struct pa_kinfo *k, uint64_t pme,
		    uint64_t kf, uint64_t kc, unsigned pg, enum pa_state st)
{
	if (st >= 0 && st < PA_ST__N)
		c->state[st]++;
	if (st == PA_ST_UNKNOWN) {
		enum pa_unknown_reason why = PA_UR_KPAGE_UNREADABLE;

		pa_classify_why(k, pme, kf, kc, pg, &why);
		c->unknown[why]++;
	}
	if (pme & PM_UFFD_WP)
		c->uffd_wp++;
	if (pme & PM_GUARD_REGION)
		c->guard++;
	if (!(pme & PM_PRESENT))
		return;
	c->present++;
	if (pme & PM_MMAP_EXCLUSIVE)
		c->mmap_exclusive++;
	if (!(pg & PA_PG_HAVE_KPAGE) || !PM_PFRAME(pme))
		return;
	if (kf & PA_BIT(ANON))
		c->anon++;
	if ((kf & PA_BIT(THP)) && !(kf & PA_BIT(ZERO_PAGE)))
		c->thp++;
	if (kf & PA_BIT(HUGE))
		c->hugetlb++;
	/*
	 * RSS/USS/PSS like smaps (fs/proc/task_mmu.c smaps_account()): the
	 * zero pages are not counted (vm_normal_page() skips them); the
	 * mapcount is kpagecount, read by the walk (count_mapped) for every
	 * page but small ones that pagemap calls mapped exactly once.  A
	 * count of 0 (a page the kernel does not rmap-count) is taken as 1.
	 */
	if (st == PA_ST_ZERO)
		return;
	{
		uint64_t mc = ((pme & PM_MMAP_EXCLUSIVE) && !(kf & PA_BITS_COMPOUND)) ? 1 : kc;

		if (!mc)
			mc = 1;
		c->rss++;
		if (mc == 1)
			c->uss++;
		c->pss_q16 += (1ULL << PA_PSS_SHIFT) / mc;
	}
}

/*
 * The flag bits of the entry (55-63) and what the two functions above ask
 * of its frame field: zero (PFN hidden, or a swap entry of type 0 and
 * offset 0), the zero page's PFN, and for a non-present entry the swap type.
 */
uint64_t pa_pme_key(const struct pa_kinfo *k, uint64_t pme)
{
	uint64_t f = PM_PFRAME(pme), key = pme & ~PM_PFRAME_MASK;

	if (!f)
		key |= 1;
	else if (k->zero_pfn && f == k->zero_pfn)
		key |= 2;
	if (!(pme & PM_PRESENT))
		key |= PM_SWAP_TYPE(pme) << 2;
	return key;
}

enum pa_unknown_reason pa_counts_main_unknown(const struct pa_counts *c)
{
	enum pa_unknown_reason best = PA_UR__N;
	uint64_t n = 0;

	for (int i = 0; i < PA_UR__N; i++)
		if (c->unknown[i] > n) {
			n = c->unknown[i];
			best = (enum pa_unknown_reason)i;
		}
	return best;
}

uint64_t pa_counts_populated(const struct pa_counts *c)
{
	uint64_t n = 0;

	for (int i = 0; i < PA_ST__N; i++)
		n += c->state[i];
	return n;
}

bool pa_unknown_hint(const struct pa_counts *c, char *buf, size_t len)
{
	uint64_t all = pa_counts_populated(c), unk = c->state[PA_ST_UNKNOWN];
	enum pa_unknown_reason main = pa_counts_main_unknown(c);

	/* "more than a few percent": 5 % of the populated pages */
	if (!unk || !all || unk * 20 <= all || main >= PA_UR__N) {
		if (len)
			buf[0] = '\0';
		return false;
	}
	snprintf(buf, len, "%llu of %llu pages unknown (%llu%%), %llu of them %s: %s",
		 (unsigned long long)unk, (unsigned long long)all,
		 (unsigned long long)(unk * 100 / all), (unsigned long long)c->unknown[main],
		 pa_unknown_reason_name(main), pa_unknown_reason_hint(main));
	return true;
}
