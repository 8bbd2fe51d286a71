/* The PostgreSQL store of a journal (core/journal/journal_pg.c): an
 * incident named postgres:NAME keeps its lines as rows of cmdr_journal,
 * the DSN coming from the config (journal.dsn_file or journal.dsn_env). */
#ifndef CMDR_JOURNAL_PG_H
#define CMDR_JOURNAL_PG_H
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define JOURNAL_PG_PREFIX "postgres:"

struct journal;

/* The DSN (a secret: never printed) for every postgres: incident this
 * process opens; NULL: none. And how long any one answer is waited for
 * (0: 5 s). */
void journal_pg_set_dsn(const char *dsn);
void journal_pg_set_timeout(int64_t ms);
/* Whether an incident's place ("-i") names a PostgreSQL incident. */
bool journal_is_pg(const char *where);
/* Whether postgres:NAME has a line (true when that cannot be told). */
bool journal_pg_present(const char *where);
/* Opens postgres:NAME (where) as j's store, to write when writing. */
int journal_pg_open(struct journal *j, const char *where, bool writing, struct error *err);
/* A console's follower: from now on the tail is read without waiting,
 * from rows fetched when a NOTIFY arrives. Does what can be done now,
 * and returns the socket to poll and *events for it (-1: none now, e.g.
 * between two tries to reconnect). */
int journal_pg_watch(struct journal *j, short *events);
/* How long the database has been out of reach (0: it answers). */
int64_t journal_pg_offline_ms(const struct journal *j);
/* Session-level advisory locks on NAME within the incident, across
 * hosts, each on a connection of its own named "HOLDER on HOST": an id,
 * or -1 with err "BUSY: HOLDER on HOST" when another session holds it. */
int journal_pg_lock_take(struct journal *j, const char *name, const char *holder, const char *busy,
			 struct error *err);
bool journal_pg_lock_busy(struct journal *j, const char *name);
void journal_pg_lock_release(struct journal *j, int id);
/* Whether lock id is still held (a lost connection loses it). */
bool journal_pg_lock_held(const struct journal *j, int id);
/* What cmdr config check --online says of a PostgreSQL journal: how many
 * entries postgres:NAME holds, and what the role may do to the table. */
struct journal_pg_probe {
	uint64_t entries;
	bool may_insert, may_update, may_delete;
};
int journal_pg_probe(const char *where, struct journal_pg_probe *out, struct error *err);
/* The SQL that makes cmdr_journal (cmdr journal schema). */
extern const char journal_pg_schema[];
/* Copies the file journal at file into the empty incident postgres:NAME
 * (where), in one transaction: all of its lines or none. The caller
 * verifies both chains. */
int journal_pg_push(const char *file, const char *where, struct error *err);

#endif
