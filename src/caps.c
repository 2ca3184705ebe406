// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Privileges.  The kernel checks CAP_SYS_ADMIN (in the initial user
 * namespace) against whoever opened /proc/PID/pagemap, at open time,
 * since 4.2 (fs/proc/task_mmu.c pagemap_open()/pagemap_read()); the
 * PTRACE_MODE_READ check for another user's process is also done at open
 * (mm_access()); /proc/kpage* are root-only 0400 files.  So an fd opened
 * with privileges keeps working after they are gone.
 *
 * Privilege model when installed with file capabilities
 * (setcap cap_sys_admin,cap_dac_read_search,cap_sys_ptrace+ep) and run by
 * an ordinary user:
 *   1. pa_privs_init(), the first thing main() does, records what the
 *      process was given and clears the effective set at once; the
 *      capabilities stay only in the permitted set.  Nothing (argument
 *      parsing, the environment, user-supplied paths: -F, -f, -c,
 *      --sysroot, --output-file) ever runs with an effective capability.
 *   2. source.c raises them (pa_privs_raise()) only around the open() of
 *      live /proc files (pagemap, maps, kpage*), and lowers them again.
 *   3. Once no new /proc file will be opened (single report, flags table
 *      without -p, -f), pa_privs_drop() clears the permitted set too and
 *      sets no_new_privs, before the output is formatted.  --watch,
 *      --tui and -p with the flags table open pagemap files later, so
 *      they keep the permitted set (effective still empty) until exit.
 * Running as root is not changed: root can read anything anyway.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifdef HAVE_LIBCAP
#include <sys/capability.h>
#endif

#include "page-anon.h"

static struct pa_privs start_privs;
static bool privs_known;
static bool dropped;		/* permitted cleared too */

#ifdef HAVE_LIBCAP
static bool lowered;		/* file caps: effective cleared, permitted kept */
/* The capabilities page-anon can use (doc/kernel-notes.md 1.2, 1.3). */
static const cap_value_t useful_caps[] = {
	CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_DAC_OVERRIDE,
};

static bool cap_has(cap_t caps, cap_value_t c, cap_flag_t set)
{
	cap_flag_value_t v;

	return cap_get_flag(caps, c, set, &v) == 0 && v == CAP_SET;
}

static bool any_cap(cap_t caps, cap_flag_t set)
{
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		if (cap_has(caps, c, set))
			return true;
	return false;
}
#endif

void pa_privs_init(void)
{
	struct pa_privs *p = &start_privs;

	if (privs_known)
		return;
	privs_known = true;
	memset(p, 0, sizeof(*p));
	p->is_root = geteuid() == 0;
	/* setuid root would open user paths as root: not supported. */
	if (geteuid() != getuid() || getegid() != getgid()) {
		pa_error("page-anon must not run setuid or setgid: run it as root, or install it "
			 "with file capabilities (see page-anon(8) CAPABILITIES)");
		exit(PA_EXIT_ERROR);
	}
#ifdef HAVE_LIBCAP
	cap_t caps = cap_get_proc();

	if (!caps) {
		/* Cannot tell whether capabilities must be lowered. */
		if (getuid() != 0) {
			pa_error("cannot read the process capabilities: %s", strerror(errno));
			exit(PA_EXIT_ERROR);
		}
		return;
	}
	/* What we may use: the permitted set (the effective set of a file-
	 * capable binary equals it at exec, but is cleared below). */
	p->have_sys_admin = cap_has(caps, CAP_SYS_ADMIN, CAP_PERMITTED);
	p->have_ptrace = cap_has(caps, CAP_SYS_PTRACE, CAP_PERMITTED);
	p->have_dac_read = cap_has(caps, CAP_DAC_READ_SEARCH, CAP_PERMITTED) ||
			   cap_has(caps, CAP_DAC_OVERRIDE, CAP_PERMITTED);
	p->file_caps = !p->is_root && getuid() != 0 && any_cap(caps, CAP_PERMITTED);
	if (p->file_caps && any_cap(caps, CAP_EFFECTIVE)) {
		cap_clear_flag(caps, CAP_EFFECTIVE);
		cap_clear_flag(caps, CAP_INHERITABLE);
		if (cap_set_proc(caps) < 0) {
			/* never go on with the capabilities effective */
			pa_error("cannot clear the effective capabilities: %s", strerror(errno));
			exit(PA_EXIT_ERROR);
		}
		lowered = true;
	} else if (p->file_caps) {
		lowered = true;
	}
	cap_free(caps);
#else
	/* Without libcap page-anon cannot lower or drop capabilities, so it
	 * must not run with file capabilities at all: it would open user
	 * paths with them.  The kernel shows the sets in /proc/self/status
	 * (CapPrm, hexadecimal). */
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long long prm = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapPrm: %llx", &prm) == 1)
			break;
	if (f)
		fclose(f);
	if (prm && getuid() != 0 && !p->is_root) {
		pa_error("this page-anon was built without libcap and cannot drop the file "
			 "capabilities it runs with: run it as root, or rebuild it with libcap");
		exit(PA_EXIT_ERROR);
	}
	p->have_sys_admin = p->have_ptrace = p->have_dac_read = p->is_root;
#endif
}

void pa_privs_get(struct pa_privs *p)
{
	pa_privs_init();
	*p = start_privs;
}

int pa_privs_raise(void)
{
#ifdef HAVE_LIBCAP
	cap_t caps;
	int r = 0;

	if (!lowered || dropped)
		return 0;
	caps = cap_get_proc();
	if (!caps)
		return -errno;
	for (size_t i = 0; i < PA_ARRAY_SIZE(useful_caps); i++)
		if (cap_has(caps, useful_caps[i], CAP_PERMITTED))
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &useful_caps[i], CAP_SET);
	if (cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	return r;
#else
	return 0;
#endif
}

void pa_privs_lower(void)
{
#ifdef HAVE_LIBCAP
	cap_t caps;

	if (!lowered || dropped)
		return;
	caps = cap_get_proc();
	if (!caps || cap_clear_flag(caps, CAP_EFFECTIVE) < 0 || cap_set_proc(caps) < 0) {
		/* never go on with the capabilities effective */
		pa_error("cannot clear the effective capabilities: %s", strerror(errno));
		exit(PA_EXIT_ERROR);
	}
	cap_free(caps);
#endif
}

int pa_privs_drop(void)
{
	int saved = errno;

	pa_privs_init();
#ifdef HAVE_LIBCAP
	if (start_privs.file_caps && !dropped) {
		cap_t none = cap_init();
		int r = 0;

		if (!none)
			return -errno;
		if (cap_set_proc(none) < 0)
			r = -errno;
		cap_free(none);
		if (r)
			return r;
		dropped = true;
	}
#endif
	/* Also keeps a file-capable binary from regaining privileges through
	 * anything it might execute (--tui -- COMMAND starts the command
	 * before this point). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	errno = saved;
	return 0;
}

bool pa_privs_dropped(void)
{
	return dropped;
}

/*
 * With file capabilities the kernel checks the opener's capabilities, so
 * CAP_SYS_PTRACE (and, on 6.18, CAP_SYS_ADMIN with CAP_DAC_READ_SEARCH
 * alone) would let any user who can run page-anon read every process.
 * page-anon therefore reads only the processes the user running it could
 * read without them: the test of __ptrace_may_access() in kernel/ptrace.c
 * for PTRACE_MODE_READ_REALCREDS, done with the real UID and GID and no
 * capabilities:
 *   - the target's real, effective and saved UIDs all equal our real UID,
 *     and its real, effective and saved GIDs our real GID;
 *   - the target is dumpable (get_dumpable() == SUID_DUMP_USER): procfs
 *     then gives its files (not the /proc/PID directory) the owner of
 *     the target's effective UID and GID, and root otherwise
 *     (fs/proc/base.c task_dump_owner());
 *   - its permitted capabilities are a subset of ours, and a user without
 *     capabilities has none (security/commoncap.c cap_ptrace_access_check()).
 * source.c reads /proc/PID/status and the owner of /proc/PID/pagemap,
 * before the pagemap or maps file is opened and again after the pagemap
 * open, so a process that executes a setuid program meanwhile is refused
 * too; this function only judges.  Security modules (Yama applies only to attaching) and
 * hidepid= may refuse more: /proc/PID/status must be readable with the
 * user's own rights.
 */
static int status_ids(const char *buf, const char *key, unsigned long v[3])
{
	const char *p = strstr(buf, key);

	if (!p || sscanf(p + strlen(key), " %lu %lu %lu", &v[0], &v[1], &v[2]) != 3)
		return -1;
	return 0;
}

bool pa_privs_check_targets(void)
{
	pa_privs_init();
	return start_privs.file_caps && !dropped;
}

int pa_privs_judge_target(pid_t pid, const char *status, uid_t owner, gid_t group, char *why,
			  size_t len)
{
	unsigned long uid[3], gid[3], ruid = getuid(), rgid = getgid();
	unsigned long long prm = 0;
	const char *p;
	size_t n;

	if (!pa_privs_check_targets() || pid == getpid())
		return 0;	/* root, a plain user (the kernel decides), or itself */
	if (status_ids(status, "\nUid:", uid) < 0 || status_ids(status, "\nGid:", gid) < 0 ||
	    !(p = strstr(status, "\nCapPrm:")) || sscanf(p + 8, " %llx", &prm) != 1) {
		snprintf(why, len, "/proc/%d/status: unexpected format", (int)pid);
		return -EACCES;
	}
	if (uid[0] != ruid || uid[1] != ruid || uid[2] != ruid)
		snprintf(why, len, "process %d runs as UID %lu (real, effective, saved: %lu, %lu, %lu), "
			 "not as your UID %lu", (int)pid, uid[1], uid[0], uid[1], uid[2], ruid);
	else if (gid[0] != rgid || gid[1] != rgid || gid[2] != rgid)
		snprintf(why, len, "process %d runs with GIDs %lu, %lu, %lu (real, effective, saved), "
			 "not your GID %lu (a setgid program?)", (int)pid, gid[0], gid[1], gid[2], rgid);
	else if (owner != (uid_t)ruid || group != (gid_t)rgid)
		snprintf(why, len, "process %d is not dumpable (a setuid or setgid program, or "
			 "prctl(PR_SET_DUMPABLE, 0))", (int)pid);
	else if (prm)
		snprintf(why, len, "process %d holds capabilities (CapPrm %llx) that you do not",
			 (int)pid, prm);
	else
		return 0;
	/* the common tail: who may read what */
	n = strlen(why);
	snprintf(why + n, len - n, ": not read (page-anon runs with file capabilities and "
		 "reads only the processes you could trace yourself; run it as root to read this "
		 "one, see page-anon(8) CAPABILITIES)");
	return -EACCES;
}
