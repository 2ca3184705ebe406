// SPDX-License-Identifier: GPL-2.0-or-later
/* Placeholder until the live view lands. */
#include "config.h"

#include "page-anon.h"

int pa_tui_run(struct pa_session *s)
{
	(void)s;
	pa_error("--tui is not available yet");
	return PA_EXIT_ERROR;
}
