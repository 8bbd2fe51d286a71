/* The PostgreSQL store (core/journal/journal_store.h): one row per line in
 * cmdr_journal (incident, seq, off, line), the line byte for byte what the
 * file store would write, so the chain and its checks in journal.c are the
 * same on both. Appends run in one transaction under a transaction-level
 * advisory lock: read the rows after the last one seen, insert seq = head
 * + 1 with the previous hash, NOTIFY, COMMIT. A writer that bypassed the
 * lock (two rows for one seq) gets unique_violation and re-reads,
 * re-chains and retries (journal_append). The endpoint and policy locks
 * are session-level advisory locks: a dead console's lock goes with its
 * connection. Nothing here ever UPDATEs or DELETEs a row: cmdr's role
 * needs INSERT and SELECT only (README "Several jump boxes").
 *
 * A console follows without blocking: journal_pg_watch puts the
 * connection in non-blocking mode and LISTENs; reads at the tail are
 * served from rows fetched asynchronously when a NOTIFY arrives (or every
 * few seconds), and a lost connection is re-made asynchronously, while
 * the screen shows "journal: offline 12s". Commands (and a console's
 * appends) wait, at most the timeout, for their answer. */
#include "journal.h"
#include "journal_pg.h"
#include "journal_store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "clock.h"
#include "redact.h"
#include "xalloc.h"

#define PG_TIMEOUT_MS 5000
/* A follower asks even without a NOTIFY this often (one lost across a
 * reconnect is caught up this way), and re-connects no faster. */
#define PG_POLL_MS 5000
#define PG_RETRY_MS 1000

static char *pg_dsn;
/* A connection journal_pg_present made, kept for the journal_pg_open
 * that follows it: a connection costs a backend's start and SCRAM's
 * round trips, as much as the rest of a note. */
static PGconn *pg_spare;
static int64_t pg_timeout_ms = PG_TIMEOUT_MS;

struct pg_lock {
	int id;
	PGconn *conn; /* holds the lock for as long as it lives */
};

struct pg_state {
	PGconn *conn;
	char *incident;
	bool in_tx;   /* BEGIN sent and the writers' lock held */
	bool watched; /* a console: the tail is read without blocking */
	/* Whole lines from cache_off on, as the file store would hold them;
	 * cache_seq: the last one's seq (0: none yet). */
	char *cache;
	size_t cache_len, cache_cap;
	off_t cache_off;
	uint64_t cache_seq;
	/* The follower's asynchronous work. */
	enum { PG_IDLE, PG_LISTENING, PG_FETCHING } busy;
	off_t fetch_from;
	bool want_fetch;
	bool connecting;
	int64_t next_poll_ms, next_try_ms;
	int64_t down_since_ms; /* 0: connected */
	char *down_why;
	struct pg_lock *locks;
	size_t n_locks;
	int next_lock_id;
	bool conflict; /* the last failure was unique_violation */
	short connect_wants; /* what a connection being made waits for */
};

static struct pg_state *state(const struct journal *j)
{
	return j->store_state;
}

void journal_pg_set_dsn(const char *dsn)
{
	PQfinish(pg_spare);
	pg_spare = NULL;
	free(pg_dsn);
	pg_dsn = dsn ? xstrdup(dsn) : NULL;
	/* The password inside it is a secret of its own: a server (or a
	 * proxy) that echoes it back never gets it onto the screen. */
	PQconninfoOption *opts = dsn ? PQconninfoParse(dsn, NULL) : NULL;
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val)
			redact_add_secret(o->val);
	PQconninfoFree(opts);
}

void journal_pg_set_timeout(int64_t ms)
{
	pg_timeout_ms = ms > 0 ? ms : PG_TIMEOUT_MS;
}

bool journal_is_pg(const char *where)
{
	return where && strncmp(where, JOURNAL_PG_PREFIX, strlen(JOURNAL_PG_PREFIX)) == 0;
}

/* libpq's message, one line, without its "ERROR:  " and trailing newline;
 * a message never carries the DSN (libpq does not put passwords in them). */
static const char *pg_msg(const PGconn *c, const PGresult *r, char *buf, size_t size)
{
	/* The primary message alone: the rest (LINE 1: ..., a caret) is
	 * for psql's user, not a one-line error. */
	const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!m || !*m)
		m = c ? PQerrorMessage(c) : "no connection";
	if (strncmp(m, "ERROR:  ", 8) == 0)
		m += 8;
	snprintf(buf, size, "%s", m);
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = *(p + 1) ? ' ' : '\0';
	size_t n = strlen(buf);
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return buf;
}

/* What to do about a failure, by SQLSTATE: the table missing, the grants. */
static const char *pg_fix(const PGresult *r)
{
	const char *code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (!code)
		return "";
	if (strcmp(code, "42P01") == 0)
		return " (create it: cmdr journal schema | psql; README \"Several jump boxes\")";
	if (strcmp(code, "42501") == 0)
		return " (cmdr's role needs SELECT and INSERT on cmdr_journal)";
	if (strcmp(code, "25006") == 0)
		return " (the database takes no writes: a standby, or default_transaction_read_only)";
	return "";
}

static void pg_went_down(struct journal *j, const char *why)
{
	struct pg_state *s = state(j);
	if (!s->down_since_ms)
		s->down_since_ms = clock_monotonic_ms();
	free(s->down_why);
	s->down_why = xstrdup(why);
	if (s->conn)
		PQfinish(s->conn);
	s->conn = NULL;
	s->connecting = false;
	s->busy = PG_IDLE;
	s->in_tx = false;
	s->next_try_ms = clock_monotonic_ms() + PG_RETRY_MS;
}

static void pg_came_up(struct journal *j)
{
	struct pg_state *s = state(j);
	s->down_since_ms = 0;
	free(s->down_why);
	s->down_why = NULL;
}

static char *app_name(void)
{
	char host[256] = "?";
	gethostname(host, sizeof host - 1);
	const char *user = getenv("USER");
	return xasprintf("cmdr %s@%s pid %ld", user && *user ? user : "?", host, (long)getpid());
}

/* A connection to pg_dsn named app (application_name, what pg_stat_activity
 * and a refused lock show): made and waited for, at most the timeout; or
 * begun for PQconnectPoll to drive, without connect_timeout, as before:
 * the caller keeps the deadline. In libpq a later keyword wins, so the
 * DSN may set the timeout and the name, never the encoding. */
static PGconn *pg_conn_new(const char *app, bool wait)
{
	char timeout[32];
	snprintf(timeout, sizeof timeout, "%" PRId64, (pg_timeout_ms + 999) / 1000);
	const char *keys[] = { "connect_timeout", "application_name", "dbname", "client_encoding", NULL };
	const char *vals[] = { timeout, app, pg_dsn, "UTF8", NULL };
	if (!wait)
		return PQconnectStartParams(keys + 1, vals + 1, 1);
	return PQconnectdbParams(keys, vals, 1);
}

/* Connects, waiting at most the connect timeout. */
static int pg_connect(struct journal *j, struct error *err)
{
	struct pg_state *s = state(j);
	if (!pg_dsn)
		return error_set(err, "%s: no PostgreSQL DSN: set the config's journal.dsn_file or journal.dsn_env",
				 j->path);
	if (pg_spare) {
		s->conn = pg_spare;
		pg_spare = NULL;
		if (PQstatus(s->conn) == CONNECTION_OK) {
			pg_came_up(j);
			return 0;
		}
		PQfinish(s->conn);
	}
	char *app = app_name();
	s->conn = pg_conn_new(app, true);
	free(app);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		char m[400];
		error_external(err, "%s: cannot connect to PostgreSQL: %s", j->path, pg_msg(s->conn, NULL, m, sizeof m));
		pg_went_down(j, err->msg);
		return -1;
	}
	pg_came_up(j);
	return 0;
}

/* Waits (at most the timeout) for the socket to be readable. */
static bool pg_wait_readable(PGconn *c, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - clock_monotonic_ms();
		if (left <= 0)
			return false;
		struct pollfd p = { .fd = PQsocket(c), .events = POLLIN };
		int n = poll(&p, 1, (int)left);
		if (n > 0)
			return true;
		if (n < 0 && errno != EINTR)
			return false;
	}
}

/* The results of the query sent, waited for; the last one is kept. NULL
 * with *timed_out when the server did not answer in time. */
static PGresult *pg_collect(PGconn *c, bool *timed_out)
{
	int64_t deadline = clock_monotonic_ms() + pg_timeout_ms;
	PGresult *last = NULL;
	*timed_out = false;
	for (;;) {
		while (PQisBusy(c)) {
			if (!pg_wait_readable(c, deadline)) {
				*timed_out = true;
				PQclear(last);
				return NULL;
			}
			if (!PQconsumeInput(c))
				break;
		}
		PGresult *r = PQgetResult(c);
		if (!r)
			return last;
		if (last && PQresultStatus(last) != PGRES_COMMAND_OK && PQresultStatus(last) != PGRES_TUPLES_OK) {
			PQclear(r);
			continue;
		}
		PQclear(last);
		last = r;
	}
}

/* Waits out a follower's query in flight, keeping its rows. */
static void pg_settle(struct journal *j);

/* Runs sql with params and waits for it; the result (PGRES_COMMAND_OK or
 * PGRES_TUPLES_OK) or NULL with err. A broken connection is made again
 * once (only outside a transaction: inside, what it held is gone). */
static PGresult *pg_run(struct journal *j, const char *what, const char *sql, int n, const char *const *params,
			struct error *err)
{
	struct pg_state *s = state(j);
	s->conflict = false;
	pg_settle(j);
	for (int attempt = 0;; attempt++) {
		if (s->watched && (!s->conn || s->connecting))
			/* A console never waits on a database that is away: its
			 * follower re-connects in the background. */
			return error_external(err, "%s: %s: journal offline %llds (%s)", j->path, what,
					      (long long)(journal_pg_offline_ms(j) / 1000),
					      s->down_why ? s->down_why : "no connection"),
			       NULL;
		if (!s->conn && pg_connect(j, err) != 0)
			return NULL;
		if (s->watched)
			PQsetnonblocking(s->conn, 0);
		bool timed_out = false;
		PGresult *r = NULL;
		if (PQsendQueryParams(s->conn, sql, n, NULL, params, NULL, NULL, 0))
			r = pg_collect(s->conn, &timed_out);
		if (s->watched && s->conn)
			PQsetnonblocking(s->conn, 1);
		ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			pg_came_up(j);
			return r;
		}
		char m[400];
		if (timed_out) {
			error_external(err, "%s: %s: PostgreSQL did not answer within %" PRId64 " ms", j->path, what,
				  pg_timeout_ms);
			pg_went_down(j, err->msg);
			return NULL;
		}
		if (PQstatus(s->conn) == CONNECTION_BAD) {
			bool was_tx = s->in_tx;
			error_external(err, "%s: %s: lost the connection to PostgreSQL: %s", j->path, what,
				  pg_msg(s->conn, r, m, sizeof m));
			PQclear(r);
			pg_went_down(j, err->msg);
			if (attempt == 0 && !was_tx)
				continue;
			return NULL;
		}
		error_external(err, "%s: %s: %s%s", j->path, what, pg_msg(s->conn, r, m, sizeof m), pg_fix(r));
		/* Kept for pg_write to tell a conflict from a failure. */
		const char *code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
		s->conflict = code && strcmp(code, "23505") == 0;
		PQclear(r);
		return NULL;
	}
}

/* ---- the cache of whole lines ------------------------------------------ */

/* Rows (seq, line) from a query, made the cache from byte at on: the
 * stream is the lines in seq order, whatever else a row says, so a row
 * changed behind cmdr's back shows as a broken chain (audit verify names
 * it), never as a gap in what is read. */
static void cache_take(struct pg_state *s, PGresult *r, off_t at)
{
	int rows = PQntuples(r);
	s->cache_len = 0;
	s->cache_off = at;
	for (int i = 0; i < rows; i++) {
		size_t len = (size_t)PQgetlength(r, i, 1);
		xgrow(&s->cache, &s->cache_cap, s->cache_len + len + 1, 1);
		memcpy(s->cache + s->cache_len, PQgetvalue(r, i, 1), len);
		s->cache[s->cache_len + len] = '\n';
		s->cache_len += len + 1;
		s->cache_seq = strtoull(PQgetvalue(r, i, 0), NULL, 10);
	}
}

static off_t cache_end(const struct pg_state *s)
{
	return s->cache_off + (off_t)s->cache_len;
}

/* Each read asks for a range of seq, not for "the next N": a range is
 * read through the primary key whatever the planner knows of the table
 * (a table just filled, never analyzed, would otherwise be sorted whole
 * for each batch). */
#define PG_BATCH "256"
/* The lines after the cache's last (by seq), from its end on. */
static const char after_sql[] = "SELECT seq, line FROM cmdr_journal WHERE incident = $1 AND seq > $2 "
				"AND seq <= $2::bigint + " PG_BATCH " ORDER BY seq";
/* Where the lines go on after seq $2, past a gap (rows removed behind
 * cmdr's back: audit verify must still see what follows). */
static const char next_sql[] = "SELECT min(seq) - 1 FROM cmdr_journal WHERE incident = $1 AND seq > $2";
/* The line holding byte $2 and those after it, from where it starts. */
static const char at_sql[] =
	"WITH s AS (SELECT coalesce((SELECT seq FROM cmdr_journal WHERE incident = $1 AND off <= $2 "
	"ORDER BY incident, off DESC LIMIT 1), 1) AS first) "
	"SELECT c.seq, c.line, c.off FROM cmdr_journal c, s WHERE c.incident = $1 AND c.seq >= s.first "
	"AND c.seq < s.first + " PG_BATCH " ORDER BY c.seq";

/* The lines around offset, waited for. */
static int cache_fetch(struct journal *j, off_t offset, struct error *err)
{
	struct pg_state *s = state(j);
	char arg[32];
	bool after = offset == cache_end(s);
	if (after)
		snprintf(arg, sizeof arg, "%llu", (unsigned long long)s->cache_seq);
	else
		snprintf(arg, sizeof arg, "%lld", (long long)offset);
	const char *params[] = { s->incident, arg };
	PGresult *r = pg_run(j, "cannot read journal", after ? after_sql : at_sql, 2, params, err);
	if (r && after && PQntuples(r) == 0) {
		/* Nothing in the range: the end, or a gap to go past. */
		PQclear(r);
		r = pg_run(j, "cannot read journal", next_sql, 2, params, err);
		if (!r)
			return -1;
		bool end = PQgetisnull(r, 0, 0);
		snprintf(arg, sizeof arg, "%s", end ? "" : PQgetvalue(r, 0, 0));
		PQclear(r);
		if (end) {
			s->cache_off = offset;
			s->cache_len = 0;
			return 0;
		}
		r = pg_run(j, "cannot read journal", after_sql, 2, params, err);
	}
	if (!r)
		return -1;
	if (after || PQntuples(r) == 0) {
		cache_take(s, r, offset);
	} else {
		uint64_t seq_before = s->cache_seq;
		cache_take(s, r, (off_t)strtoll(PQgetvalue(r, 0, 2), NULL, 10));
		if (!PQntuples(r))
			s->cache_seq = seq_before;
	}
	PQclear(r);
	return 0;
}

static bool cache_has(const struct pg_state *s, off_t offset)
{
	return s->cache_len && offset >= s->cache_off && offset < cache_end(s);
}

/* ---- the follower's asynchronous work ----------------------------------- */

static void pg_async_result(struct journal *j)
{
	struct pg_state *s = state(j);
	PGresult *r;
	bool failed = false;
	struct error err;
	char m[400];
	while ((r = PQgetResult(s->conn))) {
		ExecStatusType st = PQresultStatus(r);
		if (s->busy == PG_FETCHING && st == PGRES_TUPLES_OK) {
			/* Nothing new keeps what is there; a whole batch
			 * means more may follow: asked for at once. */
			if (PQntuples(r) && s->fetch_from == cache_end(s))
				cache_take(s, r, s->fetch_from);
			if (PQntuples(r) == atoi(PG_BATCH))
				s->want_fetch = true;
		} else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			snprintf(err.msg, sizeof err.msg, "%s: %s", j->path, pg_msg(s->conn, r, m, sizeof m));
			failed = true;
		}
		PQclear(r);
	}
	if (s->busy == PG_FETCHING && failed)
		s->want_fetch = true;
	s->busy = PG_IDLE;
	if (failed && PQstatus(s->conn) == CONNECTION_BAD)
		pg_went_down(j, err.msg);
}

static void pg_notified(struct journal *j)
{
	struct pg_state *s = state(j);
	size_t n = strlen(s->incident);
	for (PGnotify *nf; (nf = PQnotifies(s->conn)); PQfreemem(nf))
		if (strncmp(nf->extra, s->incident, n) == 0 && nf->extra[n] == ' ')
			s->want_fetch = true;
}

/* A connection begun without waiting, driven by each pump. */
static void pg_connect_step(struct journal *j)
{
	struct pg_state *s = state(j);
	int64_t now = clock_monotonic_ms();
	if (!s->connecting) {
		if (now < s->next_try_ms || !pg_dsn)
			return;
		char *app = app_name();
		s->conn = pg_conn_new(app, false);
		free(app);
		if (!s->conn || PQstatus(s->conn) == CONNECTION_BAD) {
			char m[400];
			pg_went_down(j, pg_msg(s->conn, NULL, m, sizeof m));
			return;
		}
		s->connecting = true;
		s->next_try_ms = now + pg_timeout_ms;
	}
	PostgresPollingStatusType st = PQconnectPoll(s->conn);
	s->connect_wants = st == PGRES_POLLING_WRITING ? POLLOUT : POLLIN;
	if (st == PGRES_POLLING_OK) {
		s->connecting = false;
		PQsetnonblocking(s->conn, 1);
		pg_came_up(j);
		if (PQsendQuery(s->conn, "LISTEN cmdr_journal"))
			s->busy = PG_LISTENING;
		/* What was appended while it was away. */
		s->want_fetch = true;
	} else if (st == PGRES_POLLING_FAILED || now > s->next_try_ms) {
		char m[400];
		pg_went_down(j, st == PGRES_POLLING_FAILED ? pg_msg(s->conn, NULL, m, sizeof m)
							   : "PostgreSQL did not answer in time");
	}
}

/* Everything the follower can do now without waiting. */
static void pg_pump(struct journal *j, off_t tail)
{
	struct pg_state *s = state(j);
	if (!s->conn || s->connecting) {
		pg_connect_step(j);
		if (!s->conn || s->connecting)
			return;
	}
	if (!PQconsumeInput(s->conn)) {
		char m[400];
		pg_went_down(j, pg_msg(s->conn, NULL, m, sizeof m));
		return;
	}
	if (s->busy != PG_IDLE && !PQisBusy(s->conn))
		pg_async_result(j);
	if (!s->conn)
		return;
	pg_notified(j);
	int64_t now = clock_monotonic_ms();
	if (now >= s->next_poll_ms)
		s->want_fetch = true;
	if (s->busy == PG_IDLE && s->want_fetch && !s->in_tx && tail == cache_end(s)) {
		char after[32];
		s->fetch_from = tail;
		snprintf(after, sizeof after, "%llu", (unsigned long long)s->cache_seq);
		const char *params[] = { s->incident, after };
		if (PQsendQueryParams(s->conn, after_sql, 2, NULL, params, NULL, NULL, 0)) {
			s->busy = PG_FETCHING;
			s->want_fetch = false;
			s->next_poll_ms = now + PG_POLL_MS;
		}
	}
}

static void pg_settle(struct journal *j)
{
	struct pg_state *s = state(j);
	if (!s->conn || (s->connecting && s->watched))
		return;
	if (s->connecting) {
		/* Not worth finishing: a blocking connect follows. */
		PQfinish(s->conn);
		s->conn = NULL;
		s->connecting = false;
		return;
	}
	if (s->busy == PG_IDLE)
		return;
	PQsetnonblocking(s->conn, 0);
	int64_t deadline = clock_monotonic_ms() + pg_timeout_ms;
	while (PQisBusy(s->conn))
		if (!pg_wait_readable(s->conn, deadline) || !PQconsumeInput(s->conn)) {
			pg_went_down(j, "PostgreSQL did not answer in time");
			return;
		}
	pg_async_result(j);
	if (s->conn)
		PQsetnonblocking(s->conn, 1);
}

/* ---- the store's operations ----------------------------------------------- */

static void pg_close(struct journal *j)
{
	struct pg_state *s = state(j);
	if (s->conn)
		PQfinish(s->conn);
	free(s->incident);
	free(s->cache);
	free(s->down_why);
	for (size_t i = 0; i < s->n_locks; i++)
		PQfinish(s->locks[i].conn);
	free(s->locks);
	free(s);
	j->store_state = NULL;
}

static int pg_check(struct journal *j, char *why, size_t size)
{
	(void)j;
	(void)why;
	(void)size;
	return 0;
}

static off_t pg_size(struct journal *j)
{
	struct pg_state *s = state(j);
	if (s->watched && !s->in_tx)
		return -1;
	const char *params[] = { s->incident };
	struct error err;
	PGresult *r = pg_run(j, "cannot read journal",
			     "SELECT off + octet_length(line) + 1 FROM cmdr_journal WHERE incident = $1 "
			     "ORDER BY seq DESC LIMIT 1",
			     1, params, &err);
	if (!r)
		return -1;
	off_t size = PQntuples(r) ? (off_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	return size;
}

static ssize_t pg_read(struct journal *j, off_t offset, void *buf, size_t len, struct error *err)
{
	struct pg_state *s = state(j);
	if (!cache_has(s, offset)) {
		if (s->watched && !s->in_tx && offset == cache_end(s)) {
			/* A console at the tail: what has arrived, never a wait. */
			pg_pump(j, offset);
			if (!cache_has(s, offset))
				return 0;
		} else {
			if (cache_fetch(j, offset, err) != 0)
				return -1;
			if (!cache_has(s, offset))
				return 0;
		}
	}
	size_t at = (size_t)(offset - s->cache_off), n = s->cache_len - at;
	if (n > len)
		n = len;
	memcpy(buf, s->cache + at, n);
	return (ssize_t)n;
}

static int pg_lock(struct journal *j, struct error *err)
{
	struct pg_state *s = state(j);
	const char *params[] = { s->incident };
	PGresult *r = pg_run(j, "cannot begin an append", "BEGIN", 0, NULL, err);
	if (!r)
		return -1;
	PQclear(r);
	s->in_tx = true;
	r = pg_run(j, "cannot lock journal",
		   "SELECT pg_advisory_xact_lock(hashtextextended('cmdr journal ' || $1, 0))", 1, params, err);
	if (!r) {
		s->in_tx = false;
		struct error ignored;
		PQclear(pg_run(j, "rollback", "ROLLBACK", 0, NULL, &ignored));
		return -1;
	}
	PQclear(r);
	return 0;
}

static void pg_unlock(struct journal *j)
{
	struct pg_state *s = state(j);
	if (!s->in_tx)
		return;
	s->in_tx = false;
	struct error ignored;
	PQclear(pg_run(j, "rollback", "ROLLBACK", 0, NULL, &ignored));
}

/* An append's row, and the word to followers that the incident has
 * lines up to seq $2 (a push sends it once, for its last). */
static const char insert_sql[] = "INSERT INTO cmdr_journal (incident, seq, off, line) VALUES ($1, $2, $3, $4)";
static const char notify_sql[] = "SELECT pg_notify('cmdr_journal', $1 || ' ' || $2)";

/* Whether the row of seq holds exactly line: an append whose COMMIT's
 * answer was lost may have landed. 1 yes, 0 no, -1 cannot tell. */
static int pg_landed(struct journal *j, const char *seq, const char *line, size_t len)
{
	const char *params[] = { state(j)->incident, seq };
	struct error ignored;
	PGresult *r = pg_run(j, "checking an append", "SELECT line FROM cmdr_journal WHERE incident = $1 AND seq = $2", 2,
			     params, &ignored);
	if (!r)
		return -1;
	int yes = PQntuples(r) == 1 && (size_t)PQgetlength(r, 0, 0) == len && memcmp(PQgetvalue(r, 0, 0), line, len) == 0;
	PQclear(r);
	return yes;
}

static int pg_write(struct journal *j, const char *bytes, size_t len, struct error *err)
{
	struct pg_state *s = state(j);
	if (!s->in_tx)
		return error_set(err, "%s: append outside the writers' lock; nothing appended", j->path);
	char seq[32], off[32];
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)j->entries + 1);
	snprintf(off, sizeof off, "%lld", (long long)j->offset);
	/* The line without its newline: a row is one line. */
	char *line = xmalloc(len);
	memcpy(line, bytes, len - 1);
	line[len - 1] = '\0';
	if (memchr(line, '\0', len - 1)) {
		free(line);
		return error_set(err, "%s: a line holding a NUL byte cannot be kept in PostgreSQL; nothing appended",
				 j->path);
	}
	const char *params[] = { s->incident, seq, off, line };
	PGresult *r = pg_run(j, "cannot append to journal", insert_sql, 4, params, err);
	int rc = s->conflict ? JOURNAL_STORE_CONFLICT : -1;
	if (r) {
		PQclear(r);
		const char *note[] = { s->incident, seq };
		r = pg_run(j, "cannot notify followers", notify_sql, 2, note, err);
	}
	if (r) {
		PQclear(r);
		s->in_tx = false;
		r = pg_run(j, "cannot commit the append", "COMMIT", 0, NULL, err);
		if (r) {
			rc = 0;
			PQclear(r);
		} else if (!s->conn) {
			/* The answer was lost, not necessarily the row. */
			struct error why = *err;
			int landed = pg_landed(j, seq, line, len - 1);
			if (landed == 1)
				rc = 0;
			else if (landed < 0)
				error_set(err, "%s; it may have landed: cmdr will see it when the database answers",
					  why.msg);
		}
	}
	free(line);
	if (rc != 0 && s->in_tx)
		pg_unlock(j);
	if (rc == 0) {
		/* This line is the tail now: the cache ends with it (and
		 * starts again past a MiB: a console writes for days). */
		if (cache_end(s) == j->offset && s->cache_len > (1u << 20)) {
			s->cache_off = j->offset;
			s->cache_len = 0;
		}
		if (cache_end(s) == j->offset) {
			xgrow(&s->cache, &s->cache_cap, s->cache_len + len, 1);
			memcpy(s->cache + s->cache_len, bytes, len);
			s->cache_len += len;
			s->cache_seq = j->entries + 1;
		}
	}
	return rc;
}

static int pg_set_aside(struct journal *j, size_t len, char **side, struct error *err)
{
	(void)len;
	(void)side;
	/* Rows are whole: a PostgreSQL journal is never torn. */
	return error_set(err, "%s: a PostgreSQL journal has no torn tail", j->path);
}

/* The checkpoint: kept on this host, for this user, in
 * $XDG_CACHE_HOME/cmdr (else ~/.cache/cmdr), named after the server, the
 * database and the incident; checked against the chain before it is used
 * (journal_checkpoint_load), like a file journal's. -1: no place for it. */
static int checkpoint_dir(struct journal *j, char **name)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *base = xdg && *xdg == '/' ? xstrdup(xdg) : home && *home == '/' ? xasprintf("%s/.cache", home) : NULL;
	if (!base || !state(j)->conn)
		return free(base), -1;
	char *dir = xasprintf("%s/cmdr", base);
	mkdir(base, 0700);
	mkdir(dir, 0700);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	free(dir);
	free(base);
	struct stat st;
	if (dfd >= 0 && (fstat(dfd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 022))) {
		close(dfd);
		return -1;
	}
	PGconn *c = state(j)->conn;
	char *what = xasprintf("%s\n%s\n%s\n%s", PQhost(c) ? PQhost(c) : "", PQport(c) ? PQport(c) : "",
			       PQdb(c) ? PQdb(c) : "", state(j)->incident);
	char hash[65];
	journal_hash(what, strlen(what), hash);
	free(what);
	*name = xasprintf("pg-%.24s-%lu", hash, (unsigned long)geteuid());
	return dfd;
}

static char *pg_checkpoint_read(struct journal *j, size_t *len)
{
	char *name;
	int dfd = checkpoint_dir(j, &name);
	if (dfd < 0)
		return NULL;
	char *bytes = checkpoint_file_read(dfd, name, len);
	free(name);
	close(dfd);
	return bytes;
}

static void pg_checkpoint_write(struct journal *j, const char *bytes, size_t len)
{
	char *name;
	int dfd = checkpoint_dir(j, &name);
	if (dfd < 0)
		return;
	checkpoint_file_write(dfd, name, bytes, len);
	free(name);
	close(dfd);
}

static const struct journal_store_ops pg_ops = {
	.name = "postgres",
	.close = pg_close,
	.check = pg_check,
	.size = pg_size,
	.read = pg_read,
	.lock = pg_lock,
	.unlock = pg_unlock,
	.write = pg_write,
	.set_aside = pg_set_aside,
	.checkpoint_read = pg_checkpoint_read,
	.checkpoint_write = pg_checkpoint_write,
};

int journal_pg_open(struct journal *j, const char *where, bool writing, struct error *err)
{
	const char *name = where + strlen(JOURNAL_PG_PREFIX);
	struct pg_state *s = xcalloc(1, sizeof *s);
	j->store = &pg_ops;
	j->store_state = s;
	j->dir = xstrdup(where);
	j->path = xstrdup(where);
	j->readonly = !writing;
	s->incident = xstrdup(name);
	/* Far from any descriptor a file lock's handle could be. */
	s->next_lock_id = 1 << 24;
	size_t n = strlen(name);
	if (n == 0 || n > 200)
		return error_set(err, "%s: an incident name of 1 to 200 characters is needed after postgres:", where);
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == ' ' || *p == 0x7f)
			return error_set(err, "%s: the incident name holds a space or a control character", where);
	if (pg_connect(j, err) != 0)
		return -1;
	/* The table is there and this role may read it: said now, once. */
	const char *params[] = { s->incident };
	PGresult *r = pg_run(j, "cannot read journal", "SELECT count(*) FROM cmdr_journal WHERE incident = $1 AND false",
			     1, params, err);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

bool journal_pg_present(const char *where)
{
	struct journal j;
	memset(&j, 0, sizeof j);
	struct error err;
	if (journal_pg_open(&j, where, false, &err) != 0) {
		journal_close(&j);
		return true;
	}
	const char *params[] = { state(&j)->incident };
	PGresult *r = pg_run(&j, "cannot read journal", "SELECT 1 FROM cmdr_journal WHERE incident = $1 LIMIT 1", 1,
			     params, &err);
	bool there = !r || PQntuples(r) > 0;
	PQclear(r);
	if (state(&j)->conn && PQtransactionStatus(state(&j)->conn) == PQTRANS_IDLE) {
		PQfinish(pg_spare);
		pg_spare = state(&j)->conn;
		state(&j)->conn = NULL;
	}
	journal_close(&j);
	return there;
}

int journal_pg_watch(struct journal *j, short *events)
{
	if (j->store != &pg_ops)
		return -1;
	struct pg_state *s = state(j);
	if (!s->watched) {
		s->watched = true;
		s->want_fetch = true;
		if (s->conn) {
			PQsetnonblocking(s->conn, 1);
			if (PQsendQuery(s->conn, "LISTEN cmdr_journal"))
				s->busy = PG_LISTENING;
		}
	}
	pg_pump(j, j->offset);
	*events = s->connecting ? s->connect_wants : POLLIN;
	return s->conn ? PQsocket(s->conn) : -1;
}

int64_t journal_pg_offline_ms(const struct journal *j)
{
	if (j->store != &pg_ops || !state(j)->down_since_ms)
		return 0;
	int64_t ms = clock_monotonic_ms() - state(j)->down_since_ms;
	return ms > 0 ? ms : 1;
}

/* ---- locks across hosts ---------------------------------------------------- */

/* Each lock is a connection of its own holding a session-level advisory
 * lock, named (application_name) after its holder, so that a refusal
 * elsewhere can name it, and so that it goes when its holder dies or its
 * connection is cut, whatever the journal's connection does. */

static int64_t lock_key(const struct pg_state *s, const char *name)
{
	char *what = xasprintf("cmdr lock %s %s", s->incident, name), hash[65];
	journal_hash(what, strlen(what), hash);
	free(what);
	return (int64_t)strtoull(hash + 48, NULL, 16);
}

static const char holder_sql[] =
	"SELECT coalesce(a.application_name, '') FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
	"WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
	"AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint";

int journal_pg_lock_take(struct journal *j, const char *name, const char *holder, const char *busy,
			 struct error *err)
{
	struct pg_state *s = state(j);
	if (s->watched && (!s->conn || s->connecting))
		return error_external(err, "%s: journal offline %llds: no lock can be taken (%s)", j->path,
				      (long long)(journal_pg_offline_ms(j) / 1000), s->down_why ? s->down_why : "no connection");
	if (!pg_dsn)
		return error_set(err, "%s: no PostgreSQL DSN", j->path);
	char host[128] = "?";
	gethostname(host, sizeof host - 1);
	char *app = xasprintf("%s on %s", holder, host);
	PGconn *c = pg_conn_new(app, true);
	free(app);
	char m[400], k[32];
	if (PQstatus(c) != CONNECTION_OK) {
		error_external(err, "%s: cannot take a lock: %s", j->path, pg_msg(c, NULL, m, sizeof m));
		PQfinish(c);
		return -1;
	}
	int64_t key = lock_key(s, name);
	snprintf(k, sizeof k, "%" PRId64, key);
	const char *params[] = { k };
	PGresult *r = PQexecParams(c, "SELECT pg_try_advisory_lock($1::bigint)", 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		error_external(err, "%s: cannot take a lock: %s", j->path, pg_msg(c, r, m, sizeof m));
		PQclear(r);
		PQfinish(c);
		return -1;
	}
	bool got = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!got) {
		r = PQexecParams(c, holder_sql, 1, NULL, params, NULL, NULL, 0);
		const char *who = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) && *PQgetvalue(r, 0, 0)
					  ? PQgetvalue(r, 0, 0)
					  : "a cmdr on another host (its name cannot be read)";
		error_set(err, "%s: %s", busy, who);
		PQclear(r);
		PQfinish(c);
		return -1;
	}
	s->locks = xrealloc(s->locks, (s->n_locks + 1) * sizeof *s->locks);
	s->locks[s->n_locks] = (struct pg_lock){ s->next_lock_id++, c };
	return s->locks[s->n_locks++].id;
}

bool journal_pg_lock_busy(struct journal *j, const char *name)
{
	struct pg_state *s = state(j);
	if (s->watched && (!s->conn || s->connecting))
		return true; /* cannot tell: nobody reads back on a guess */
	char k[32];
	snprintf(k, sizeof k, "%" PRId64, lock_key(s, name));
	const char *params[] = { k };
	struct error err;
	PGresult *r = pg_run(j, "lock", holder_sql, 1, params, &err);
	bool busy = !r || PQntuples(r) > 0;
	PQclear(r);
	return busy;
}

static struct pg_lock *lock_find(const struct pg_state *s, int id)
{
	for (size_t i = 0; i < s->n_locks; i++)
		if (s->locks[i].id == id)
			return &s->locks[i];
	return NULL;
}

void journal_pg_lock_release(struct journal *j, int id)
{
	struct pg_state *s = state(j);
	struct pg_lock *l = lock_find(s, id);
	if (!l)
		return;
	PQfinish(l->conn);
	*l = s->locks[--s->n_locks];
}

bool journal_pg_lock_held(const struct journal *j, int id)
{
	const struct pg_lock *l = lock_find(state(j), id);
	if (!l)
		return false;
	/* A cut connection shows as readable: what it says is its end. */
	struct pollfd p = { .fd = PQsocket(l->conn), .events = POLLIN };
	if (p.fd >= 0 && poll(&p, 1, 0) > 0)
		PQconsumeInput(l->conn);
	return PQstatus(l->conn) == CONNECTION_OK;
}

/* ---- set-up, migration ----------------------------------------------------- */

const char journal_pg_schema[] =
	"-- cmdr's journal in PostgreSQL (README \"Several jump boxes\"). Run as the\n"
	"-- table's owner; cmdr's own role gets SELECT and INSERT only, so that not\n"
	"-- even a stolen cmdr credential can rewrite history.\n"
	"CREATE TABLE IF NOT EXISTS cmdr_journal (\n"
	"    incident text   NOT NULL,\n"
	"    seq      bigint NOT NULL CHECK (seq > 0),\n"
	"    off      bigint NOT NULL CHECK (off >= 0),\n"
	"    line     text   NOT NULL,\n"
	"    PRIMARY KEY (incident, seq),\n"
	"    UNIQUE (incident, off)\n"
	");\n"
	"-- GRANT SELECT, INSERT ON cmdr_journal TO cmdr;\n";

struct push {
	struct journal *to;
	struct error *err;
	int rc;
	uint64_t seq;
	off_t off;
};

static void push_line(void *ctx, const char *line, size_t len)
{
	struct push *p = ctx;
	if (p->rc != 0)
		return;
	char seq[32], off[32];
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)++p->seq);
	snprintf(off, sizeof off, "%lld", (long long)p->off);
	if (memchr(line, '\0', len)) {
		p->rc = error_set(p->err, "line %llu holds a NUL byte, which PostgreSQL cannot keep; nothing pushed",
				  (unsigned long long)p->seq);
		return;
	}
	const char *params[] = { state(p->to)->incident, seq, off, line };
	PGresult *r = pg_run(p->to, "cannot push", insert_sql, 4, params, p->err);
	if (!r)
		p->rc = -1;
	PQclear(r);
	p->off += (off_t)len + 1;
}

static void push_long_line(void *ctx, const char *prefix, size_t prefix_len, uint64_t len)
{
	(void)prefix;
	(void)prefix_len;
	struct push *p = ctx;
	if (p->rc == 0)
		p->rc = error_set(p->err, "line %llu is %llu bytes, over the %u MiB line limit; nothing pushed",
				  (unsigned long long)p->seq + 1, (unsigned long long)len, JOURNAL_LINE_MAX >> 20);
	p->seq++;
}

int journal_pg_push(const char *file, const char *where, struct error *err)
{
	struct journal to;
	memset(&to, 0, sizeof to);
	if (journal_pg_open(&to, where, true, err) != 0) {
		journal_close(&to);
		return -1;
	}
	struct push p = { &to, err, 0, 0, 0 };
	int rc = pg_lock(&to, err);
	if (rc == 0) {
		off_t size = pg_size(&to);
		if (size != 0) {
			rc = error_set(err, "%s already holds %s; a push goes only into an empty incident", where,
				       size > 0 ? "lines" : "something (its size cannot be read)");
		} else {
			struct journal from;
			rc = journal_scan(&from, file, push_line, push_long_line, &p, err);
			if (rc == 0 && p.rc != 0)
				rc = -1;
			if (rc == 0 && from.torn)
				rc = error_set(err, "%s ends in a partial line; nothing pushed (cmdr audit verify %s)", file,
					       file);
			journal_close(&from);
		}
	}
	if (rc == 0) {
		char seq[32];
		snprintf(seq, sizeof seq, "%llu", (unsigned long long)p.seq);
		const char *note[] = { state(&to)->incident, seq };
		PGresult *r = pg_run(&to, "cannot notify followers", notify_sql, 2, note, err);
		if (r) {
			PQclear(r);
			state(&to)->in_tx = false;
			r = pg_run(&to, "cannot commit the push", "COMMIT", 0, NULL, err);
		}
		if (!r)
			rc = -1;
		PQclear(r);
	}
	pg_unlock(&to);
	journal_close(&to);
	return rc;
}

int journal_pg_probe(const char *where, struct journal_pg_probe *out, struct error *err)
{
	memset(out, 0, sizeof *out);
	struct journal j;
	memset(&j, 0, sizeof j);
	int rc = -1;
	if (journal_pg_open(&j, where, false, err) == 0) {
		const char *params[] = { state(&j)->incident };
		PGresult *r = pg_run(&j, "cannot read journal",
				     "SELECT (SELECT count(*) FROM cmdr_journal WHERE incident = $1), "
				     "has_table_privilege('cmdr_journal', 'INSERT'), has_table_privilege('cmdr_journal', 'UPDATE'), "
				     "has_table_privilege('cmdr_journal', 'DELETE'), has_table_privilege('cmdr_journal', 'TRUNCATE')",
				     1, params, err);
		if (r) {
			out->entries = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
			out->may_insert = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
			out->may_update = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
			out->may_delete = strcmp(PQgetvalue(r, 0, 3), "t") == 0 || strcmp(PQgetvalue(r, 0, 4), "t") == 0;
			PQclear(r);
			rc = 0;
		}
	}
	journal_close(&j);
	return rc;
}
