// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Start-up self-tests of the running kernel (doc/kernel-notes.md 2.4): facts
 * that the version number does not tell because fixes were backported or
 * regressions slipped in.  They touch only page-anon's own memory.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "page-anon.h"

void pa_kinfo_from_version(struct pa_kinfo *k, const struct pa_kver *v)
{
	int code = pa_kver_code(v);

	memset(k, 0, sizeof(*k));
	k->kver = *v;
	/* PG_anon_exclusive: 5.19 (6c287605fd56), exported as bit 34. */
	k->anon_exclusive_bit = code >= PA_KVER(5, 19);
	/* "proc: rewrite stable_page_flags()" (dee3d0bef2b0, 6.10): flags
	 * are read from the folio, tails report the head's bits. */
	k->folio_flags = code >= PA_KVER(6, 10);
	/* PAGEMAP_SCAN: 6.7 (52526ca7fdb9).  Probed when live. */
	k->pagemap_scan = code >= PA_KVER(6, 7) ? PA_UNTESTED : PA_NO;
	/* CONFIG_NO_PAGE_MAPCOUNT came with 6.15 ("mm: MM owner tracking
	 * for large folios (!hugetlb) + CONFIG_NO_PAGE_MAPCOUNT"): before it
	 * kpagecount is page_mapcount() or folio_precise_page_mapcount(),
	 * exact per page.  From 6.15 on the config decides (detect_mapcount). */
	if (code < PA_KVER(6, 15)) {
		k->mapcount = PA_MAPCOUNT_PAGE;
		snprintf(k->mapcount_how, sizeof(k->mapcount_how), "kernel before 6.15");
	}
}

/*
 * CONFIG_PAGE_MAPCOUNT / CONFIG_NO_PAGE_MAPCOUNT from a plain-text kernel
 * config below the root (boot/config-RELEASE, as Debian installs it).
 */
static void mapcount_from_config(struct pa_source *s, struct pa_kinfo *k)
{
	char path[4096], line[256];
	FILE *f;

	if (pa_source_path(s, path, sizeof(path), "boot/config-%s", s->release) < 0)
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strcmp(line, "CONFIG_NO_PAGE_MAPCOUNT=y\n")) {
			k->mapcount = PA_MAPCOUNT_AVERAGE;
			break;
		}
		if (!strcmp(line, "CONFIG_PAGE_MAPCOUNT=y\n"))
			k->mapcount = PA_MAPCOUNT_PAGE;
	}
	fclose(f);
	if (k->mapcount != PA_MAPCOUNT_UNKNOWN)
		snprintf(k->mapcount_how, sizeof(k->mapcount_how), "kernel config %s",
			 k->mapcount == PA_MAPCOUNT_PAGE ? "CONFIG_PAGE_MAPCOUNT" :
			 "CONFIG_NO_PAGE_MAPCOUNT");
}

#define PROBE_PMD	(2UL << 20)

/*
 * Probe on the live kernel: fault a large folio into page-anon's own
 * memory (MADV_HUGEPAGE: a PMD THP, or an mTHP of an enabled size), zap the
 * second half of it with MADV_DONTNEED and read kpagecount of a zapped
 * page while the folio still exists (it waits on the deferred split
 * queue).  Exact per-page mapcount reads 0 there; the rounded folio
 * average of CONFIG_NO_PAGE_MAPCOUNT reads at least 1, because the folio
 * is still mapped (fs/proc/page.c, folio_average_page_mapcount()).
 * Inconclusive (no large folio, folio split meanwhile) leaves it unknown.
 */
static void mapcount_probe(struct pa_source *s, struct pa_kinfo *k)
{
	long ps = s->page_size;
	size_t len = 2 * PROBE_PMD, n = 0, npm = PROBE_PMD / (size_t)ps;
	struct pa_target *t = NULL;
	uint64_t *pme = NULL, *kfs = NULL, pfn0, kf[2], kc[2];
	unsigned char *map, *p;
	ssize_t got;

	if (ps != 4096 || !s->ops->has_kfile(s, PA_KPAGECOUNT))
		return;
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return;
	p = (unsigned char *)(((uintptr_t)map + PROBE_PMD - 1) & ~(uintptr_t)(PROBE_PMD - 1));
	pme = calloc(npm, sizeof(*pme));
	kfs = calloc(npm, sizeof(*kfs));
	if (!pme || !kfs || madvise(p, PROBE_PMD, MADV_HUGEPAGE) < 0)
		goto out;
	p[0] = 1;
	if (s->ops->open_target(s, getpid(), &t) < 0 ||
	    s->ops->read_pagemap(t, pme, (uint64_t)(uintptr_t)p / (uint64_t)ps, npm) != (ssize_t)npm)
		goto out;
	pfn0 = PM_PFRAME(pme[0]);
	if (!(pme[0] & PM_PRESENT) || !pfn0 ||
	    s->ops->read_pfn(s, PA_KPAGEFLAGS, kf, pfn0, 1) != 1 ||
	    (kf[0] & (PA_BIT(COMPOUND_HEAD) | PA_BIT(THP) | PA_BIT(ANON))) !=
	    (PA_BIT(COMPOUND_HEAD) | PA_BIT(THP) | PA_BIT(ANON)))
		goto out;
	/* The folio's pages: present, consecutive PFNs, compound tails (their
	 * flags in one read: 511 reads of one word cost 0.15-0.5 ms). */
	for (n = 1; n < npm && (pme[n] & PM_PRESENT) && PM_PFRAME(pme[n]) == pfn0 + n; n++)
		;
	got = n > 1 ? s->ops->read_pfn(s, PA_KPAGEFLAGS, kfs, pfn0 + 1, n - 1) : 0;
	if (got < 0)
		goto out;
	for (size_t i = 0; i < n - 1; i++)
		if ((ssize_t)i >= got || !(kfs[i] & PA_BIT(COMPOUND_TAIL))) {
			n = i + 1;
			break;
		}
	if (n < 2 || madvise(p + n / 2 * (size_t)ps, (n - n / 2) * (size_t)ps, MADV_DONTNEED) < 0)
		goto out;
	/* Read the counts, then check the folio is still the same one. */
	if (s->ops->read_pfn(s, PA_KPAGECOUNT, &kc[0], pfn0, 1) != 1 ||
	    s->ops->read_pfn(s, PA_KPAGECOUNT, &kc[1], pfn0 + n - 1, 1) != 1 ||
	    s->ops->read_pfn(s, PA_KPAGEFLAGS, &kf[0], pfn0, 1) != 1 ||
	    s->ops->read_pfn(s, PA_KPAGEFLAGS, &kf[1], pfn0 + n - 1, 1) != 1 ||
	    !(kf[0] & PA_BIT(COMPOUND_HEAD)) || !(kf[0] & PA_BIT(ANON)) ||
	    !(kf[1] & PA_BIT(COMPOUND_TAIL)) || kc[0] != 1)
		goto out;
	k->mapcount = kc[1] == 0 ? PA_MAPCOUNT_PAGE : PA_MAPCOUNT_AVERAGE;
	snprintf(k->mapcount_how, sizeof(k->mapcount_how), "probe with a %zu KiB folio",
		 n * (size_t)ps / 1024);
out:
	if (t)
		s->ops->close_target(t);
	free(pme);
	free(kfs);
	munmap(map, len);
}

/* Whether kpagecount is exact per page: version, probe, config. */
static void detect_mapcount(struct pa_source *s, struct pa_kinfo *k)
{
	k->kpagecount_ok = s->ops->has_kfile(s, PA_KPAGECOUNT);
	if (k->mapcount != PA_MAPCOUNT_UNKNOWN)
		return;
	if (!*s->root && s->ops->has_kfile(s, PA_KPAGEFLAGS))
		mapcount_probe(s, k);
	if (k->mapcount == PA_MAPCOUNT_UNKNOWN)
		mapcount_from_config(s, k);
	if (k->mapcount == PA_MAPCOUNT_UNKNOWN)
		snprintf(k->mapcount_how, sizeof(k->mapcount_how),
			 "not found out (no large folio to probe, no boot/config-%.40s)",
			 s->release);
}

/* A PFN in a memory hole: an absent memory block below the last one,
 * from the names in the directory (one getdents, not a read per block). */
static int find_hole_pfn(struct pa_source *s, uint64_t *pfn)
{
	char buf[64], path[4096];
	unsigned long long bs;
	unsigned long max = 0, n;
	uint8_t *seen = NULL;
	size_t cap = 0;
	struct dirent *de;
	int r = -1;
	DIR *d;

	if (pa_source_read_text(s, "sys/devices/system/memory/block_size_bytes", buf, sizeof(buf)) <= 0)
		return -1;
	bs = strtoull(buf, NULL, 16);
	if (!bs || pa_source_path(s, path, sizeof(path), "sys/devices/system/memory") < 0)
		return -1;
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "memory", 6) || de->d_name[6] < '0' || de->d_name[6] > '9')
			continue;
		n = strtoul(de->d_name + 6, NULL, 10);
		if (n >= (1UL << 24))	/* 2^24 blocks of 128 MiB: 2 PiB */
			continue;
		if (n >= cap * 8) {
			size_t c = cap ? cap : 64;

			while (n >= c * 8)
				c *= 2;
			seen = pa_xrealloc(seen, c, 1);
			memset(seen + cap, 0, c - cap);
			cap = c;
		}
		seen[n / 8] |= (uint8_t)(1u << (n % 8));
		if (n > max)
			max = n;
	}
	closedir(d);
	for (n = 0; n < max; n++)
		if (!(seen[n / 8] & (1u << (n % 8)))) {
			*pfn = n * bs / (unsigned long long)s->page_size;
			r = 0;
			break;
		}
	free(seen);
	return r;
}

void pa_selftest(struct pa_source *s, struct pa_kinfo *k)
{
	long ps = s->page_size;
	struct pa_target *t = NULL;
	uint64_t pme[2], kf = 0, hole;
	unsigned char *p;
	int r;

	if (s->kinfo) {		/* recorded with the data (a snapshot) */
		*k = *s->kinfo;
		/* The snapshot does not record what kpagecount holds: known
		 * from the version before 6.15, else treated as not exact. */
		if (k->mapcount == PA_MAPCOUNT_UNKNOWN && pa_kver_code(&k->kver) < PA_KVER(6, 15)) {
			k->mapcount = PA_MAPCOUNT_PAGE;
			snprintf(k->mapcount_how, sizeof(k->mapcount_how), "kernel before 6.15");
		} else if (k->mapcount == PA_MAPCOUNT_UNKNOWN) {
			snprintf(k->mapcount_how, sizeof(k->mapcount_how),
				 "not recorded in the snapshot");
		}
		k->kpagecount_ok = s->ops->has_kfile(s, PA_KPAGECOUNT);
		return;
	}
	detect_mapcount(s, k);
	if (*s->root) {
		snprintf(k->note, sizeof(k->note), "not run: data from a sysroot");
		if (k->pagemap_scan == PA_UNTESTED)
			k->pagemap_scan = PA_NO;	/* files do not support the ioctl */
		return;
	}
	if (!s->ops->has_kfile(s, PA_KPAGEFLAGS)) {
		snprintf(k->note, sizeof(k->note), "not run: /proc/kpageflags not readable");
		return;
	}
	p = mmap(NULL, (size_t)ps * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		snprintf(k->note, sizeof(k->note), "not run: mmap: %s", strerror(errno));
		return;
	}
	madvise(p, (size_t)ps * 2, MADV_NOHUGEPAGE);
	p[0] = 1;			/* fresh exclusive anon page */
	(void)*(volatile unsigned char *)(p + ps);	/* zero page */
	r = s->ops->open_target(s, getpid(), &t);
	if (r < 0) {
		snprintf(k->note, sizeof(k->note), "not run: /proc/self/pagemap: %s", strerror(-r));
		goto out;
	}
	if (s->ops->read_pagemap(t, pme, (uint64_t)(uintptr_t)p / (uint64_t)ps, 2) != 2 ||
	    !PM_PFRAME(pme[0])) {
		snprintf(k->note, sizeof(k->note), "not run: PFNs hidden in pagemap");
		goto probe_scan;
	}
	k->selftest_ran = true;
	if (s->ops->read_pfn(s, PA_KPAGEFLAGS, &kf, PM_PFRAME(pme[0]), 1) == 1) {
		/* KPF_KSM on a page that KSM never saw: the 6.10 regression
		 * fixed by 81401cebfc15 (2026, Cc: stable). */
		k->ksm_flag_bug = (kf & PA_BIT(KSM)) ? PA_YES : PA_NO;
	}
	if ((pme[1] & PM_PRESENT) && PM_PFRAME(pme[1])) {
		uint64_t zf = 0;

		if (s->ops->read_pfn(s, PA_KPAGEFLAGS, &zf, PM_PFRAME(pme[1]), 1) == 1 &&
		    (zf & PA_BIT(ZERO_PAGE)))
			k->zero_pfn = PM_PFRAME(pme[1]);
	}
	/* KPF_NOPAGE for memory holes is not reported since the 2025
	 * kpage_read() refactor (about 6.16): holes read as 0. */
	if (find_hole_pfn(s, &hole) == 0) {
		uint64_t hf = 0;

		if (s->ops->read_pfn(s, PA_KPAGEFLAGS, &hf, hole, 1) == 1)
			k->nopage_reported = (hf & PA_BIT(NOPAGE)) ? PA_YES : PA_NO;
	}
probe_scan:
	if (k->pagemap_scan != PA_NO) {
		struct pa_region vec[4];
		uint64_t walk_end;

		r = s->ops->scan(t, (uint64_t)(uintptr_t)p, (uint64_t)(uintptr_t)p + 2 * (uint64_t)ps,
				 PA_PAGE_IS_PRESENT, PA_PAGE_IS_PRESENT, vec, 4, &walk_end);
		k->pagemap_scan = r >= 0 ? PA_YES : PA_NO;
		/* Unknown category bits are rejected with EINVAL. */
		for (int bit = 0; r >= 0 && bit < 16; bit++)
			if (s->ops->scan(t, (uint64_t)(uintptr_t)p, (uint64_t)(uintptr_t)p + (uint64_t)ps,
					 0, 1ULL << bit, vec, 4, &walk_end) >= 0)
				k->scan_categories |= 1ULL << bit;
	}
out:
	if (t)
		s->ops->close_target(t);
	munmap(p, (size_t)ps * 2);
}
