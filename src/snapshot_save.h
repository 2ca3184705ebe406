/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Snapshots, the save side (snapshot_save.c): capture processes through
 * the session's live source and write captures to a file (--save, and
 * --trace-fork --save).  The format is snapshot.h's.
 *
 * Layering: run.c, tracefork.c -> snapshot_save.c -> {collect.c,
 * session.c, snapshot.c}.
 */
#ifndef PA_SNAPSHOT_SAVE_H
#define PA_SNAPSHOT_SAVE_H

#include "page-anon.h"
#include "snapshot.h"

struct pa_session;

/* Capture processes pids through the session's (live) source with the
 * walk the report uses.  Processes that cannot be read are left out with a
 * warning (*skipped counts them).  Returns 0 or -errno. */
int pa_snap_capture(struct pa_session *s, const pid_t *pids, size_t npids, const char *label,
		    struct pa_snap_capture *out, size_t *skipped);

/* Writer: a temporary file next to path, renamed over it by commit.  With
 * append, the captures already in path are kept (copied first). */
struct pa_snap_writer;
struct pa_snap_writer *pa_snap_writer_open(const char *path, bool append, char *err, size_t errlen);
int pa_snap_writer_add(struct pa_snap_writer *w, const struct pa_snap_capture *c,
		       char *err, size_t errlen);
/* Bytes written so far (headers included). */
uint64_t pa_snap_writer_size(const struct pa_snap_writer *w);
int pa_snap_writer_commit(struct pa_snap_writer *w, char *err, size_t errlen);
void pa_snap_writer_abort(struct pa_snap_writer *w);

/* --save: capture the session's processes and write the file. */
int pa_snap_save(struct pa_session *s);

#endif /* PA_SNAPSHOT_SAVE_H */
