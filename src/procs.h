/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every process of the system (procs.c): the list of PIDs and, per
 * process, what identifies it to a person or a monitoring system (command,
 * user, cgroup, systemd unit).  Reads /proc through struct pa_source only,
 * so it works on a captured tree as well as on the live system.  Used by
 * --all and by anything else that walks every process.
 */
#ifndef PA_PROCS_H
#define PA_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pa_source;

struct pa_procinfo {
	pid_t pid, ppid;
	uid_t uid;		/* effective UID, as ps(1) shows it ... */
	bool uid_known;		/* ... if /proc/PID/status could be read */
	char comm[64];		/* /proc/PID/comm */
	char user[64];		/* user name, or the UID when it has none; "" unknown */
	char cgroup[512];	/* cgroup v2 path ("/system.slice/x.service"), "" unknown */
	char unit[256];		/* systemd unit from the cgroup path, "" none */
};

enum pa_procinfo_status {
	PA_PROC_USER = 0,	/* a user process: info filled */
	PA_PROC_KTHREAD = 1,	/* a kernel thread (PF_KTHREAD): no user memory */
	PA_PROC_GONE = 2,	/* no such process (any more), or a zombie */
};

/* What pid is.  Returns enum pa_procinfo_status; info is filled for
 * PA_PROC_USER (and partly for the others). */
int pa_procinfo_read(const struct pa_source *s, pid_t pid, struct pa_procinfo *info);

/* systemd's unit of a cgroup path (cg_path_get_unit(): the first
 * component below the slices), "" when the path names no unit. */
void pa_cgroup_unit(const char *path, char *buf, size_t len);

#endif /* PA_PROCS_H */
