/* Where a journal's lines are kept. core/journal/journal.c holds the chain (seq,
 * prev, hashing, following, the checks on append); a store only keeps
 * bytes: whole lines, each ending in '\n', that grow only at the end,
 * readable from any offset, with one writer at a time: a flock'd file in
 * the incident directory (core/journal/journal_file.c), or rows in
 * PostgreSQL (core/journal/journal_pg.c) for an incident named
 * postgres:NAME. */
#ifndef CMDR_JOURNAL_STORE_H
#define CMDR_JOURNAL_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct journal;

#define JOURNAL_STORE_CONFLICT (-2)

struct journal_store_ops {
	const char *name;
	/* Closes what open gave j->store_state. */
	void (*close)(struct journal *j);
	/* 0 while what was opened is still the journal of j->dir; else -1
	 * and why (moved, replaced). */
	int (*check)(struct journal *j, char *why, size_t size);
	/* The bytes stored so far (-1: unknown). */
	off_t (*size)(struct journal *j);
	/* Up to len bytes from offset: how many, 0 at the end, -1 with err. */
	ssize_t (*read)(struct journal *j, off_t offset, void *buf, size_t len, struct error *err);
	/* The writers' exclusion, held across a catch-up and a write; waits
	 * through signals. */
	int (*lock)(struct journal *j, struct error *err);
	void (*unlock)(struct journal *j);
	/* len bytes added durably at the end (j->offset); on failure none of
	 * them stay. JOURNAL_STORE_CONFLICT: a writer that did not take the
	 * lock took that place first (nothing written; the caller re-reads
	 * and re-chains). */
	int (*write)(struct journal *j, const char *bytes, size_t len, struct error *err);
	/* The bytes from j->offset to the end (a torn tail) kept aside
	 * durably, then cut off; *side names where they went. Under lock. */
	int (*set_aside)(struct journal *j, size_t len, char **side, struct error *err);
	/* Where a checkpoint (core/journal/journal_checkpoint.c) is kept:
	 * optional, both. checkpoint_read gives the bytes kept for this
	 * journal and this user (caller frees; *len says how many), or NULL
	 * when there are none that only this user could have written.
	 * checkpoint_write replaces them whole or not at all, and fails
	 * quietly: it is a cache. */
	char *(*checkpoint_read)(struct journal *j, size_t *len);
	void (*checkpoint_write)(struct journal *j, const char *bytes, size_t len);
};

/* A checkpoint file name in directory dfd: its bytes when it is a regular
 * file of this user's that nobody else may write, with one link (NULL:
 * none fit); and written whole under a temporary name, then renamed. */
char *checkpoint_file_read(int dfd, const char *name, size_t *len);
void checkpoint_file_write(int dfd, const char *name, const char *bytes, size_t len);

/* The file store: DIR/journal.jsonl, opened to append when this user
 * may write it, else (or when writing is false) only to read; sets
 * j->store, j->path, j->readonly and j->readonly_errno. */
int journal_file_open(struct journal *j, const char *dir, bool writing, struct error *err);
/* The file at path, only to read (cmdr audit): no directory. */
int journal_file_open_path(struct journal *j, const char *path, struct error *err);

#endif
