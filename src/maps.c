// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/PID/maps parser.  Format (fs/proc/task_mmu.c show_map_vma()):
 *   start-end perms offset major:minor inode [padding name]
 * The name is taken verbatim after the padding: it may contain spaces and
 * ends with " (deleted)" for unlinked files.  No limit on the number of
 * lines (page-types stops at 10240 VMAs).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "page-anon.h"

static int hexfield(const char **p, char stop, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0;

	for (;; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (v >> 60)
			return -1;	/* overflow */
		v = v << 4 | (uint64_t)d;
		digits++;
	}
	if (!digits || *s != stop)
		return -1;
	*out = v;
	*p = s + 1;
	return 0;
}

int pa_maps_parse_line(const char *line, struct pa_vma *vma)
{
	const char *p = line;
	uint64_t start, end, off, maj, min, ino = 0;
	size_t len;
	int digits = 0;

	memset(vma, 0, sizeof(*vma));
	if (hexfield(&p, '-', &start) || hexfield(&p, ' ', &end) || end <= start)
		return -1;
	for (int i = 0; i < 4; i++) {
		if (!p[i] || p[i] == ' ' || p[i] == '\n')
			return -1;
		vma->perms[i] = p[i];
	}
	if (!strchr("r-", vma->perms[0]) || !strchr("w-", vma->perms[1]) ||
	    !strchr("x-", vma->perms[2]) || !strchr("ps", vma->perms[3]))
		return -1;
	p += 4;
	if (*p++ != ' ')
		return -1;
	if (hexfield(&p, ' ', &off) || hexfield(&p, ':', &maj) || hexfield(&p, ' ', &min))
		return -1;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (ino > (UINT64_MAX - 9) / 10)
			return -1;
		ino = ino * 10 + (uint64_t)(*p - '0');
	}
	if (!digits || (*p && *p != ' ' && *p != '\n'))
		return -1;
	while (*p == ' ')
		p++;
	len = strlen(p);
	if (len && p[len - 1] == '\n')
		len--;
	if (maj > 0xfff || min > 0xfffff)
		return -1;
	vma->start = start;
	vma->end = end;
	vma->offset = off;
	vma->dev_major = (unsigned int)maj;
	vma->dev_minor = (unsigned int)min;
	vma->inode = ino;
	vma->name = malloc(len + 1);
	if (!vma->name)
		return -1;
	memcpy(vma->name, p, len);
	vma->name[len] = '\0';
	return 0;
}

int pa_maps_parse(FILE *f, struct pa_maps *m, size_t *bad_line)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, f)) > 0) {
		struct pa_vma v;

		lineno++;
		if (pa_maps_parse_line(line, &v) < 0) {
			if (bad_line)
				*bad_line = lineno;
			free(line);
			errno = EINVAL;
			return -1;
		}
		if (m->n == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 64;
			m->v = pa_xrealloc(m->v, m->cap, sizeof(*m->v));
		}
		m->v[m->n++] = v;
	}
	free(line);
	if (ferror(f)) {
		if (bad_line)
			*bad_line = 0;
		return -1;
	}
	return 0;
}

void pa_maps_free(struct pa_maps *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].name);
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

bool pa_vma_is_anon_private(const struct pa_vma *v)
{
	return v->perms[3] == 'p' && v->inode == 0;
}

bool pa_vma_is_special(const struct pa_vma *v)
{
	/* The gate VMA ([vsyscall] on x86-64) lies above task_size: pagemap
	 * reads return 0 bytes there (doc/kernel-notes.md 1.4), so it is not
	 * walked.  Every other VMA is, as page-types does. */
	return !strcmp(v->name, "[vsyscall]") || v->start >= (1ULL << 63);
}
