// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who a process is: command, user, cgroup and systemd unit (procs.h).
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page-anon.h"
#include "procs.h"

/* Unit types of systemd (src/basic/unit-def.c), slices excluded. */
static bool is_unit_name(const char *s, size_t n)
{
	static const char *const suffix[] = {
		".service", ".scope", ".socket", ".mount", ".swap", ".device",
		".target", ".timer", ".path", ".automount",
	};

	for (size_t i = 0; i < PA_ARRAY_SIZE(suffix); i++) {
		size_t l = strlen(suffix[i]);

		if (n > l && !memcmp(s + n - l, suffix[i], l))
			return true;
	}
	return false;
}

void pa_cgroup_unit(const char *path, char *buf, size_t len)
{
	const char *p = path;

	/* systemd's cg_path_get_unit(): skip the slices, the next
	 * component is the unit ("/user.slice/user-1000.slice/
	 * user@1000.service/app.slice/x.scope" is user@1000.service). */
	buf[0] = '\0';
	while (*p) {
		const char *e;
		size_t n;

		while (*p == '/')
			p++;
		e = strchrnul(p, '/');
		n = (size_t)(e - p);
		if (n > 6 && !memcmp(e - 6, ".slice", 6)) {
			p = e;
			continue;
		}
		if (n && is_unit_name(p, n))
			snprintf(buf, len, "%.*s", (int)n, p);
		return;
	}
}

/* The cgroup v2 path ("0::/path").  On a v1 or hybrid system where that
 * is only "/", the name=systemd hierarchy (the unit tree), else the memory
 * controller's path. */
static void read_cgroup(const struct pa_source *s, pid_t pid, char *out, size_t len)
{
	char rel[64], buf[8192], *line, *save = NULL;
	const char *v2 = NULL, *sd = NULL, *mem = NULL;

	out[0] = '\0';
	snprintf(rel, sizeof(rel), "proc/%d/cgroup", (int)pid);
	if (pa_source_read_text(s, rel, buf, sizeof(buf)) <= 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *q;

		if (!strncmp(line, "0::", 3))
			v2 = line + 3;
		else if ((q = strstr(line, ":name=systemd:")))
			sd = q + 14;
		else if ((q = strstr(line, ":memory:")))
			mem = q + 8;
	}
	if (v2 && strcmp(v2, "/"))
		snprintf(out, len, "%s", v2);
	else if (sd && strcmp(sd, "/"))
		snprintf(out, len, "%s", sd);
	else if (mem)
		snprintf(out, len, "%s", mem);
	else if (v2 || sd)
		snprintf(out, len, "/");
}

static void user_name(const struct pa_source *s, uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	/* A captured tree comes from another machine: its UIDs do not name
	 * this machine's users. */
	if (!*s->root && getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res) {
		snprintf(buf, len, "%s", res->pw_name);
		return;
	}
	snprintf(buf, len, "%u", (unsigned)uid);
}

int pa_procinfo_read(const struct pa_source *s, pid_t pid, struct pa_procinfo *info)
{
	char rel[64], buf[4096], *q;
	bool have_stat = false;

	memset(info, 0, sizeof(*info));
	info->pid = pid;
	snprintf(rel, sizeof(rel), "proc/%d/stat", (int)pid);
	if (pa_source_read_text(s, rel, buf, sizeof(buf)) > 0) {
		struct pa_proc_stat ps;

		if (pa_proc_stat_parse(buf, &ps) < 0 || ps.nfields < 9)
			return PA_PROC_GONE;
		info->ppid = ps.ppid;
		/* comm as stat shows it, in case comm is gone already */
		q = strrchr(buf, ')');
		*q = '\0';
		snprintf(info->comm, sizeof(info->comm), "%.63s",
			 strchr(buf, '(') ? strchr(buf, '(') + 1 : "");
		if (ps.flags & PA_PF_KTHREAD)
			return PA_PROC_KTHREAD;
		if (ps.state == 'Z' || ps.state == 'X')
			return PA_PROC_GONE;	/* exited, memory gone */
		have_stat = true;
	} else if (!*s->root) {
		return PA_PROC_GONE;
	}
	/* /proc/PID/comm is not truncated at a ')' of the name; a captured
	 * tree may hold only comm, maps and pagemap */
	snprintf(rel, sizeof(rel), "proc/%d/comm", (int)pid);
	if (pa_source_read_text(s, rel, buf, sizeof(buf)) > 0)
		snprintf(info->comm, sizeof(info->comm), "%.63s", buf);
	else if (!have_stat)
		return PA_PROC_GONE;
	snprintf(rel, sizeof(rel), "proc/%d/status", (int)pid);
	if (pa_source_read_text(s, rel, buf, sizeof(buf)) > 0 && (q = strstr(buf, "\nUid:"))) {
		unsigned ruid, euid;

		if (sscanf(q + 5, "%u %u", &ruid, &euid) == 2) {
			info->uid = (uid_t)euid;
			info->uid_known = true;
		}
	}
	if (info->uid_known)
		user_name(s, info->uid, info->user, sizeof(info->user));
	read_cgroup(s, pid, info->cgroup, sizeof(info->cgroup));
	pa_cgroup_unit(info->cgroup, info->unit, sizeof(info->unit));
	return PA_PROC_USER;
}
