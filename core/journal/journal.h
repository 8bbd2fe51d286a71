/* The incident journal: DIR/journal.jsonl, append-only JSON Lines, both the
 * audit trail and the shared state of an incident. Each line carries a
 * sequence number and the SHA-256 of the previous line's bytes ("prev"), so
 * edits and deletions are detectable. Appends are whole lines written under
 * an exclusive flock and fsynced, safe across processes. */
#ifndef CMDR_JOURNAL_H
#define CMDR_JOURNAL_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "error.h"

#define JOURNAL_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
/* The longest line handed to a reader, and the longest entry appended.
 * A longer line (cmdr never writes one) is still hashed whole, so the
 * chain stays checked, but no reader holds it: memory stays bounded
 * whatever the file holds. */
#define JOURNAL_LINE_MAX (1u << 20)

struct journal_store_ops;

struct journal {
	char *dir;  /* the incident directory; NULL when opened by path */
	char *path; /* the journal, as messages name it */
	/* Where the lines are kept (core/journal/journal_store.h); NULL: not open. */
	const struct journal_store_ops *store;
	void *store_state;
	/* Set once the journal under this process stopped being the one it
	 * follows (moved, replaced, rewritten): what happened, what to do. From then
	 * on journal_sync fails with it and journal_append refuses. */
	char *broken, *broken_fix;
	/* Opened only to read: journal_append refuses, nothing is repaired.
	 * readonly_errno: why journal_open could not open it to write
	 * (EACCES, EROFS), 0 when journal_open_readonly was asked. */
	bool readonly;
	int readonly_errno;
	off_t offset;     /* bytes of whole lines seen so far */
	off_t last_start; /* where the last of them starts (offset: none) */
	uint64_t entries; /* whole lines seen so far */
	char head[65];    /* SHA-256 (hex) of the last whole line, or genesis */
	int torn;         /* the file ends in a partial line */
	/* head follows every line as it is read, for a reader that looks at
	 * it from on_line (journal_scan); else the first read of a journal
	 * hashes only its last line, the one head names. */
	bool hash_lines;
	/* Called for each whole line journal_sync reads (lines this process
	 * appended are not read back). */
	void (*on_line)(void *ctx, const char *line, size_t len);
	void *on_line_ctx;
	/* Called instead of on_line for a line over JOURNAL_LINE_MAX, with
	 * its first JOURNAL_LINE_MAX bytes and its whole length (optional). */
	void (*on_long_line)(void *ctx, const char *prefix, size_t prefix_len, uint64_t len);
	/* Lines over JOURNAL_LINE_MAX seen so far; the last one's line number
	 * (from 1) and length. */
	uint64_t n_long, long_line, long_len;
	/* Called after each successful journal_append with the entry as
	 * written (seq, prev, redacted), so a follower sees its own lines
	 * too. */
	void (*on_append)(void *ctx, const cJSON *entry);
	void *on_append_ctx;
	/* Called by journal_append under the writers' lock, once every other
	 * writer's lines are read and before the entry is written: it may add
	 * to the entry, or refuse it (-1 with err; nothing is written). What
	 * it decides cannot be raced by another writer. Optional. */
	int (*on_stamp)(void *ctx, cJSON *entry, struct error *err);
	void *on_stamp_ctx;
};

/* A position in the chain: the whole lines up to offset, the last of
 * which starts at last_start, says seq entries and hashes to head; and
 * the lines over JOURNAL_LINE_MAX among them. What a checkpoint is kept
 * for (core/journal/journal_checkpoint.c). */
struct journal_mark {
	off_t offset, last_start;
	uint64_t entries;
	char head[65];
	uint64_t n_long, long_line, long_len;
};

/* Creates dir (one level) and the journal file when missing, and reads
 * what is already there; when this user cannot write them (a read-only
 * mount, a group that may only read), opens them read-only (j->readonly)
 * rather than fail. Links inside dir are never followed and a directory
 * others could swap files in is refused (core/io/incdir.h says which). */
int journal_open(struct journal *j, const char *dir, struct error *err);
/* The same, only to read: never creates the directory or the journal. */
int journal_open_readonly(struct journal *j, const char *dir, struct error *err);
/* Opens as journal_open (writing) or journal_open_readonly does, but reads
 * nothing: j stands before the first line, for journal_follow or
 * journal_follow_from to read. */
int journal_open_unread(struct journal *j, const char *dir, bool writing, struct error *err);
void journal_close(struct journal *j);
/* Whether the incident at where (a directory, or postgres:NAME) holds a
 * journal: true too when that cannot be told (opening it will say why). */
bool journal_present(const char *where);
/* Catches up with lines other processes appended, each of which must
 * continue the chain held (seq and prev), in a file no shorter than what
 * was read. Fails, and marks the journal broken, when one does not, or
 * when DIR/journal.jsonl is no longer the file opened. */
int journal_sync(struct journal *j, struct error *err);
/* Reads the journal at path, read-only and never creating it, through
 * on_line (and on_long_line, optional), as journal_follow would: *j tells
 * what was seen (entries, head, torn, long lines) and is closed again. */
int journal_scan(struct journal *j, const char *path, void (*on_line)(void *ctx, const char *line, size_t len),
		 void (*on_long_line)(void *ctx, const char *prefix, size_t prefix_len, uint64_t len), void *ctx,
		 struct error *err);
/* Sets the line callback and reads the whole journal again through it, so
 * the caller sees the history, then every line appended from elsewhere. */
int journal_follow(struct journal *j, void (*on_line)(void *ctx, const char *line, size_t len), void *ctx,
		   struct error *err);
/* What j has read to, as a mark. */
void journal_mark_of(const struct journal *j, struct journal_mark *m);
/* Whether the journal still holds mark: a whole line ends at its offset,
 * starts at its last_start, says its seq and hashes to its head. Reads
 * that one line. 1 yes, 0 no, -1 with err when it cannot be read. */
int journal_holds(struct journal *j, const struct journal_mark *m, struct error *err);
/* As journal_follow, from mark on rather than from the start: when the
 * journal holds mark, j takes it as what was seen and reads the lines
 * after it through on_line, each of which must continue the chain.
 * Returns 1, leaving j unbroken, when the journal does not hold the mark
 * or a line after it does not chain: the caller reads the whole journal
 * (journal_follow) instead, having dropped what it kept at the mark. */
int journal_follow_from(struct journal *j, const struct journal_mark *m,
			void (*on_line)(void *ctx, const char *line, size_t len), void *ctx, struct error *err);
/* Calls on_line for the whole lines before offset, newest first, at most
 * JOURNAL_LINE_MAX bytes each (longer ones are skipped), until it returns
 * false or the start is reached. For a reader that kept state at a mark
 * and wants the lines before it back (a console's timeline). */
int journal_lines_before(struct journal *j, off_t offset, bool (*on_line)(void *ctx, const char *line, size_t len),
			 void *ctx, struct error *err);
/* A checkpoint: state a reader kept at j's mark (a cJSON object, taken),
 * saved where the store keeps it, for journal_checkpoint_load to give
 * back to a later reader of the same journal. Best effort: it is a cache,
 * and a store that cannot keep it (read-only, a full disk) keeps none. */
void journal_checkpoint_save(struct journal *j, cJSON *state);
/* The state of the checkpoint the store kept for this journal, and its
 * mark, when it is whole (its checksum holds) and the journal holds the
 * mark (journal_holds): else NULL, and the caller reads the journal from
 * the start. The caller deletes it. */
cJSON *journal_checkpoint_load(struct journal *j, struct journal_mark *m);
/* Adds "seq" and "prev" to entry, then appends it as one line. On success
 * the entry holds its seq. Refuses to append after a torn line, and an
 * entry longer than JOURNAL_LINE_MAX. */
int journal_append(struct journal *j, cJSON *entry, struct error *err);
/* A crash can leave a partial last line. This moves those bytes to a side
 * file next to the journal (DIR/journal.torn-OFFSET) and truncates the
 * journal to its last whole line, under the lock; *side and *bytes say
 * what was set aside (*side NULL: nothing was torn). The caller records
 * it with a journal line: the repair is never silent. */
int journal_set_aside_torn(struct journal *j, char **side, size_t *bytes, struct error *err);
/* The change lock on endpoint, and the canary policy's lock, across every
 * process on the incident: flocks in DIR/locks (core/io/lock.h) for a
 * directory, session-level advisory locks for postgres:NAME (so across
 * hosts). A handle (>= 0), or -1 with err naming the holder. */
int journal_lock_endpoint(struct journal *j, const char *endpoint, const char *holder, struct error *err);
int journal_lock_policy(struct journal *j, const char *holder, struct error *err);
/* Whether some process holds endpoint's lock now. */
bool journal_endpoint_busy(struct journal *j, const char *endpoint);
/* Whether lock is still held: a PostgreSQL session that was cut lost it. */
bool journal_lock_held(const struct journal *j, int lock);
/* Lets go of a lock (-1: none). Before journal_close. */
void journal_unlock(struct journal *j, int lock);
/* A console's follower of a PostgreSQL journal: the socket to poll for
 * other hosts' lines (-1: none, or a file journal), the tail read from
 * then on without waiting. How long the store has been out of reach
 * (0: it answers, or a file). */
int journal_watch_fd(struct journal *j, short *events);
int64_t journal_offline_ms(const struct journal *j);
/* SHA-256 of data as 64 hex chars + NUL. */
void journal_hash(const void *data, size_t len, char out[65]);

#endif
