// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pinned memory: VmPin and io_uring registered buffers (pinned.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pinned.h"

uint64_t pa_pinned_vmpin_kb(const struct pa_source *s, pid_t pid)
{
	char rel[64], buf[4096], *q;

	snprintf(rel, sizeof(rel), "proc/%d/status", (int)pid);
	if (pa_source_read_text(s, rel, buf, sizeof(buf)) <= 0)
		return 0;
	q = strstr(buf, "\nVmPin:");
	return q ? strtoull(q + 7, NULL, 10) : 0;
}

static void add_range(struct pa_pinned *p, uint64_t start, uint64_t end)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 8;
		p->r = pa_xrealloc(p->r, p->cap, sizeof(*p->r));
	}
	p->r[p->n++] = (struct pa_pinned_range){ start, end };
}

/*
 * io_uring/fdinfo.c (6.x): "UserBufs:\t%u" and then one line per buffer,
 * "%5u: 0x%llx/%u" (address/length), or "%5u: <none>" for an empty slot.
 */
int pa_pinned_parse_fdinfo(const char *text, struct pa_pinned *out)
{
	const char *q = strstr(text, "UserBufs:");
	int added = 0;

	if (!q || (q != text && q[-1] != '\n'))
		return 0;
	q = strchr(q, '\n');
	while (q && *++q) {
		unsigned long long addr, len;
		unsigned idx;
		const char *eol = strchr(q, '\n');
		int used = 0;

		if (sscanf(q, " %u: 0x%llx/%llu%n", &idx, &addr, &len, &used) == 3 && used &&
		    (q[used] == '\n' || q[used] == '\0')) {
			if (len && addr + len > addr) {
				add_range(out, addr, addr + len);
				added++;
			}
		} else if (sscanf(q, " %u: %n", &idx, &used) != 1 || !used || q[used] != '<') {
			break;	/* the next section */
		}
		q = eol;
	}
	return added;
}

static int cmp_range(const void *a, const void *b)
{
	const struct pa_pinned_range *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

void pa_pinned_sort(struct pa_pinned *p)
{
	size_t k = 0;

	if (!p->n)
		return;
	qsort(p->r, p->n, sizeof(*p->r), cmp_range);
	for (size_t i = 1; i < p->n; i++) {
		if (p->r[i].start <= p->r[k].end) {
			if (p->r[i].end > p->r[k].end)
				p->r[k].end = p->r[i].end;
		} else {
			p->r[++k] = p->r[i];
		}
	}
	p->n = k + 1;
}

int pa_pinned_read(const struct pa_source *s, pid_t pid, struct pa_pinned *out)
{
	char path[4096], link[256], rel[512];
	static char text[64 * 1024];
	struct dirent *de;
	DIR *d;

	out->n = 0;
	if (!pa_pinned_vmpin_kb(s, pid))
		return 0;
	if (s->ops->pinned) {	/* a snapshot: the ranges it recorded */
		int r = s->ops->pinned(s, pid, out);

		if (r < 0)
			return r;
		pa_pinned_sort(out);
		return (int)out->n;
	}
	if (pa_source_path(s, path, sizeof(path), "proc/%d/fd", (int)pid) < 0)
		return -ENAMETOOLONG;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char fdpath[4096 + 300];
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, de->d_name);
		n = readlink(fdpath, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		/* anon_inode:[io_uring] */
		if (!strstr(link, "io_uring"))
			continue;
		snprintf(rel, sizeof(rel), "proc/%d/fdinfo/%s", (int)pid, de->d_name);
		if (pa_source_read_text(s, rel, text, sizeof(text)) > 0)
			pa_pinned_parse_fdinfo(text, out);
	}
	closedir(d);
	pa_pinned_sort(out);
	return (int)out->n;
}

bool pa_pinned_covers(const struct pa_pinned *p, uint64_t addr, uint64_t len)
{
	size_t lo = 0, hi = p->n;

	/* the first range that ends after addr (merged ranges: ends sorted) */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (p->r[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->n && p->r[lo].start < addr + len;
}

void pa_pinned_free(struct pa_pinned *p)
{
	free(p->r);
	memset(p, 0, sizeof(*p));
}
