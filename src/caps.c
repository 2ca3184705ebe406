// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Privileges.  The kernel checks CAP_SYS_ADMIN (in the initial user
 * namespace) against whoever opened /proc/PID/pagemap, at open time,
 * since 4.2; /proc/kpage* are root-only 0400 files.  So page-anon opens
 * everything privileged first and can then drop every capability.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifdef HAVE_LIBCAP
#include <sys/capability.h>
#endif

#include "page-anon.h"

void pa_privs_get(struct pa_privs *p)
{
	memset(p, 0, sizeof(*p));
	p->is_root = geteuid() == 0;
#ifdef HAVE_LIBCAP
	cap_t caps = cap_get_proc();

	if (caps) {
		cap_flag_value_t v;

		if (cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v) == 0)
			p->have_sys_admin = v == CAP_SET;
		if (cap_get_flag(caps, CAP_SYS_PTRACE, CAP_EFFECTIVE, &v) == 0)
			p->have_ptrace = v == CAP_SET;
		if (cap_get_flag(caps, CAP_DAC_READ_SEARCH, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET)
			p->have_dac_read = true;
		if (cap_get_flag(caps, CAP_DAC_OVERRIDE, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET)
			p->have_dac_read = true;
		cap_free(caps);
	}
	p->file_caps = !p->is_root && (p->have_sys_admin || p->have_dac_read || p->have_ptrace);
#else
	/* Without libcap all that can be told is whether we are root. */
	p->have_sys_admin = p->have_ptrace = p->have_dac_read = p->is_root;
#endif
}

int pa_privs_drop(void)
{
#ifdef HAVE_LIBCAP
	cap_t none = cap_init();
	int r = 0;

	if (!none)
		return -errno;
	if (cap_set_proc(none) < 0 && errno != EPERM)
		r = -errno;
	cap_free(none);
	if (r)
		return r;
#endif
	/* Also keeps a setuid-less but file-capable binary from regaining
	 * privileges through anything it might execute (--tui -- COMMAND
	 * starts the command before this point). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}
