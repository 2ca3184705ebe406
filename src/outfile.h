/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --output-file (outfile.c): standard output goes to a new file that
 * replaces FILE only once the output is complete.
 */
#ifndef PA_OUTFILE_H
#define PA_OUTFILE_H

/* Point standard output at a temporary file next to FILE (or at FILE
 * itself for a device or FIFO).  0, or an exit code after a message. */
int pa_outfile_open(const char *file);
/* The run ended with status rc: on success (0 or partial) put the output
 * in place as FILE, otherwise throw it away.  Returns the final status
 * (1 when the output could not be written). */
int pa_outfile_commit(const char *file, int rc);

#endif
