/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Snapshots, the format and the reader (snapshot.c): a capture of the page
 * state of some processes, held in one compressed, checksummed file
 * (written by snapshot_save.h) and read back as another data source
 * (--load), so every mode runs on it without root and without /proc.
 * The file format is documented in page-anon(8), section SNAPSHOT FILE
 * FORMAT; a file holds one or more captures, one after the
 * other ("FILE@N" picks the Nth, from 1).
 */
#ifndef PA_SNAPSHOT_H
#define PA_SNAPSHOT_H

#include "page-anon.h"
#include "pinned.h"

#define PA_SNAP_VERSION		1	/* the format version this code writes */
#define PA_SNAP_MAGIC		"\x89PASNAP\n"	/* 8 bytes, the file header */
#define PA_SNAP_REC_MAGIC	"CAPT"
#define PA_SNAP_HDR_SIZE	16
#define PA_SNAP_REC_SIZE	32
/* A capture decompresses to at most this many bytes (about 250 million
 * populated pages); the fuzz harness asks for less. */
#define PA_SNAP_MAX_RAW		(4ULL << 30)

/* Section tags of a capture's payload. */
enum {
	PA_SNAP_SEC_INFO = 1,
	PA_SNAP_SEC_PROC = 2,
	PA_SNAP_SEC_MAPCOUNT = 3,	/* what kpagecount holds (revision 1.1) */
	PA_SNAP_SEC_PINNED = 4,		/* a process's pinned memory (revision 1.2) */
};

/* One process of a capture: its maps and its populated pages (present or
 * swapped), in address order, with the kpage* words of their PFNs. */
struct pa_snap_proc {
	pid_t pid, ppid;
	char state;		/* /proc/PID/stat state letter */
	char comm[64];
	uid_t uid;		/* effective UID */
	char cgroup[512];	/* cgroup v2 path, "" unknown */
	struct pa_maps maps;	/* owned */
	size_t n, cap;
	uint64_t *vpn;		/* virtual page numbers, strictly increasing */
	uint64_t *pme;		/* pagemap entries */
	uint64_t *kflags, *kcount, *kcgroup;	/* 0 when not present/read */
	uint8_t *pg;		/* PA_PG_PMD_MAPPED or 0 */
	/* Pinned memory (revision 1.2; 0 and none in older captures):
	 * VmPin of /proc/PID/status and the io_uring registered buffers
	 * (pinned.h), sorted and merged. */
	uint64_t vm_pin_kb;
	struct pa_pinned pins;	/* owned */
};

struct pa_snap_capture {
	char label[256];	/* e.g. "save", "fork 1234" */
	char host[256];
	char release[128];	/* kernel release */
	char cmdline[1024];	/* page-anon's command line at capture */
	uint64_t time_ns;	/* CLOCK_REALTIME at the start of the capture */
	uint64_t took_us;	/* how long the capture took */
	long page_size;
	struct pa_kinfo kinfo;	/* the decoder's kernel facts at capture */
	unsigned kfiles;	/* 1 << enum pa_kfile: the files that were read */
	struct pa_snap_proc *procs;	/* owned */
	size_t nprocs, procs_cap;
};

void pa_snap_capture_free(struct pa_snap_capture *c);

/* Encode one capture's payload (uncompressed), and decode it back with
 * every check a hostile file needs.  decode returns 0 or -1 with a reason
 * in err. */
int pa_snap_encode(const struct pa_snap_capture *c, uint8_t **out, size_t *len);
int pa_snap_decode(const uint8_t *p, size_t len, struct pa_snap_capture *c, char *err, size_t errlen);

/* A whole one-capture file around a raw payload (tests, fuzz seeds). */
int pa_snap_wrap(const uint8_t *raw, size_t rlen, uint8_t **out, size_t *olen);

/* Read capture number index (1-based; 0: the first) of a file held in
 * memory.  *count gets the number of captures (when the file is sound up
 * to the one asked for).  max_raw bounds a capture's uncompressed size.
 * Returns 0 or -1 with a reason in err. */
int pa_snap_read_mem(const uint8_t *data, size_t len, size_t index, uint64_t max_raw,
		     struct pa_snap_capture *c, size_t *count, char *err, size_t errlen);
/* The same for a file; "FILE@N" picks capture N when FILE@N is not itself
 * a file.  Messages name the file. */
int pa_snap_read_file(const char *spec, struct pa_snap_capture *c, size_t *index, size_t *count,
		      char *err, size_t errlen);

/* The snapshot data source: takes ownership of the capture. */
struct pa_source *pa_source_snapshot(struct pa_snap_capture *c, const char *name);
/* The capture behind a snapshot source, NULL for another source. */
const struct pa_snap_capture *pa_source_capture(const struct pa_source *s);

/* The pieces the writer (snapshot_save.c) assembles a file from. */

/* A growing byte buffer. */
struct pa_snap_buf {
	uint8_t *p;
	size_t n, cap;
};
/* Room for n more bytes at b->p + b->n (b->n is not advanced). */
uint8_t *pa_snap_buf_room(struct pa_snap_buf *b, size_t n);
/* A section: begin returns the offset of its length field, end fills it. */
size_t pa_snap_sec_begin(struct pa_snap_buf *b, uint32_t tag);
void pa_snap_sec_end(struct pa_snap_buf *b, size_t lenpos);
/* The information sections of a capture of nprocs processes. */
void pa_snap_encode_info(struct pa_snap_buf *b, const struct pa_snap_capture *c, size_t nprocs);
/* Everything of a process section before its pages. */
void pa_snap_encode_proc_head(struct pa_snap_buf *b, const struct pa_snap_proc *p);
/* The pinned-memory section of a process, after its process section
 * (nothing when it has no pinned memory). */
void pa_snap_encode_pinned(struct pa_snap_buf *b, const struct pa_snap_proc *p);
/* The running values a process's page columns are differences to. */
struct pa_snap_delta {
	uint64_t vpn, low, kf, cg;
};
/* One block of k pages of a process section. */
void pa_snap_encode_block(struct pa_snap_buf *b, struct pa_snap_delta *d, size_t k,
			  const uint64_t *vpn, const uint64_t *pme, const uint8_t *pg,
			  const uint64_t *kf, const uint64_t *kc, const uint64_t *kcg);
/* The 16-byte file header of this version. */
void pa_snap_file_header(uint8_t *hdr);
/* A record (header and zstd frame) of the payload a then b, in *out;
 * returns its size, 0 on failure (reason in err). */
struct ZSTD_CCtx_s;
size_t pa_snap_record(struct ZSTD_CCtx_s *cctx, const uint8_t *a, size_t alen, const uint8_t *b,
		      size_t blen, uint8_t **out, char *err, size_t errlen);
/* The arrays of a process: room for n pages; a new process of c. */
void pa_snap_proc_reserve(struct pa_snap_proc *p, size_t n);
struct pa_snap_proc *pa_snap_add_proc(struct pa_snap_capture *c);
void pa_snap_proc_free(struct pa_snap_proc *p);
/* p, with a hint that [p, p + len) be backed by huge pages. */
void *pa_snap_huge_hint(void *p, size_t len);
/* The message into err (errlen bytes); returns -1.  Reader and writer
 * report through an err buffer: ERR(...) in both. */
int pa_snap_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* PA_SNAPSHOT_H */
