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

enum pa_state pa_classify(const struct pa_kinfo *k, uint64_t pme, uint64_t kf,
			  uint64_t kc, unsigned pg)
{
	bool x, tail, hugetlb;

	if (!(pme & PM_PRESENT))
		return (pme & PM_SWAP) ? classify_nonpresent(pme) : PA_ST_NONE;
	/* PFN hidden (opener lacked CAP_SYS_ADMIN) or kpage* unreadable. */
	if (PM_PFRAME(pme) == 0 || !(pg & PA_PG_HAVE_KPAGE))
		return PA_ST_UNKNOWN;
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

	if (!k->anon_exclusive_bit)
		/* Before 5.19 there is no PG_anon_exclusive: only "mapped
		 * more than once" is certain. */
		return kc >= 2 ? PA_ST_ANON_SHARED : PA_ST_UNKNOWN;

	tail = kf & PA_BIT(COMPOUND_TAIL);
	hugetlb = kf & PA_BIT(HUGE);
	if (k->folio_flags) {
		/* 6.10+ (dee3d0bef2b0): kpageflags reads the folio's flags,
		 * so every subpage reports the head's bit 34.  That is the
		 * right answer for hugetlb and PMD-mapped THP (exclusivity
		 * is tracked on the head), but not for the tails of a
		 * PTE-mapped large folio, which track it per subpage. */
		if (tail && !hugetlb && !(pg & PA_PG_PMD_MAPPED))
			return PA_ST_UNKNOWN;
		x = kf & PA_BIT(OWNER_2);
	} else {
		/* 5.19-6.9: page flags per page.  Hugetlb and PMD-mapped THP
		 * keep the bit on the head only: read the head's. */
		if (tail && (hugetlb || (pg & PA_PG_PMD_MAPPED))) {
			if (!(pg & PA_PG_HEAD_KNOWN))
				return PA_ST_UNKNOWN;
			x = pg & PA_PG_HEAD_EXCL;
		} else if (tail && !(kf & PA_BIT(OWNER_2)) && !(k->pagemap_scan == PA_YES)) {
			/* Without PAGEMAP_SCAN a clear bit on a THP tail may
			 * mean "PMD-mapped, ask the head" or "not exclusive". */
			if (!(pg & PA_PG_HEAD_KNOWN) || (pg & PA_PG_HEAD_EXCL))
				return PA_ST_UNKNOWN;
			x = false;
		} else {
			x = kf & PA_BIT(OWNER_2);
		}
	}
	if (x)
		return PA_ST_ANON_EXCLUSIVE;
	return kc >= 2 ? PA_ST_ANON_SHARED : PA_ST_ANON_SOLE;
}

void pa_counts_page(struct pa_counts *c, const struct pa_kinfo *k, uint64_t pme,
		    uint64_t kf, uint64_t kc, unsigned pg, enum pa_state st)
{
	(void)k;
	if (st >= 0 && st < PA_ST__N)
		c->state[st]++;
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

uint64_t pa_counts_populated(const struct pa_counts *c)
{
	uint64_t n = 0;

	for (int i = 0; i < PA_ST__N; i++)
		n += c->state[i];
	return n;
}
