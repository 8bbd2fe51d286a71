/* Several processes appending to one journal at once, for tests and make
 * bench: journal_writers WHERE WRITERS APPENDS [--conflict]. WHERE is an
 * incident directory or postgres:NAME (the DSN from $CMDR_TEST_DSN). Each
 * writer is a process of its own that opens the journal, appends its
 * notes through journal_append and exits. With --conflict, one process
 * instead puts a chained line straight into cmdr_journal (as a writer
 * that skips the lock would) between its catch-up and its insert, so its
 * append meets unique_violation and must re-read, re-chain and retry.
 * Prints "appended=N ms=T" (and "retried=1" for --conflict). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "journal.h"
#include "journal_pg.h"
#include "xalloc.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static cJSON *note(unsigned writer, unsigned i)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "time", "2026-12-04T17:14:06.000Z");
	cJSON *a = cJSON_AddObjectToObject(e, "actor");
	char user[32];
	snprintf(user, sizeof user, "writer%u", writer);
	cJSON_AddStringToObject(a, "user", user);
	cJSON_AddStringToObject(e, "role", "scribe");
	cJSON_AddStringToObject(e, "action", "note");
	char text[64];
	snprintf(text, sizeof text, "note %u of writer %u", i, writer);
	cJSON_AddStringToObject(e, "reason", text);
	cJSON_AddStringToObject(e, "outcome", "noted");
	return e;
}

static int writer(const char *where, unsigned w, unsigned n)
{
	struct journal j;
	struct error err;
	if (journal_open(&j, where, &err) != 0) {
		fprintf(stderr, "writer %u: %s\n", w, err.msg);
		return 1;
	}
	for (unsigned i = 0; i < n; i++) {
		cJSON *e = note(w, i);
		int rc = journal_append(&j, e, &err);
		cJSON_Delete(e);
		if (rc != 0) {
			fprintf(stderr, "writer %u, note %u: %s\n", w, i, err.msg);
			journal_close(&j);
			return 1;
		}
	}
	journal_close(&j);
	return 0;
}

struct rogue {
	PGconn *conn;
	const char *incident;
	struct journal *j;
	int stamps;
};

/* Under the writers' lock, once: the next place taken behind its back. */
static int rogue_stamp(void *ctx, cJSON *e, struct error *err)
{
	(void)e;
	(void)err;
	struct rogue *r = ctx;
	if (r->stamps++)
		return 0;
	char *line = xasprintf("{\"seq\":%llu,\"prev\":\"%s\",\"action\":\"note\",\"reason\":\"rogue\"}",
			       (unsigned long long)r->j->entries + 1, r->j->head);
	char seq[32], off[32];
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)r->j->entries + 1);
	snprintf(off, sizeof off, "%lld", (long long)r->j->offset);
	const char *params[] = { r->incident, seq, off, line };
	PGresult *res = PQexecParams(r->conn, "INSERT INTO cmdr_journal (incident, seq, off, line) VALUES ($1, $2, $3, $4)",
				     4, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fprintf(stderr, "rogue insert: %s", PQerrorMessage(r->conn));
	PQclear(res);
	free(line);
	return 0;
}

static int conflict(const char *where)
{
	struct journal j;
	struct error err;
	if (journal_open(&j, where, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	struct rogue r = { PQconnectdb(getenv("CMDR_TEST_DSN")), where + strlen(JOURNAL_PG_PREFIX), &j, 0 };
	j.on_stamp = rogue_stamp;
	j.on_stamp_ctx = &r;
	cJSON *e = note(0, 0);
	int rc = journal_append(&j, e, &err);
	cJSON_Delete(e);
	if (rc != 0)
		fprintf(stderr, "%s\n", err.msg);
	else
		printf("appended=%llu retried=%d\n", (unsigned long long)j.entries, r.stamps - 1);
	PQfinish(r.conn);
	journal_close(&j);
	return rc != 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: journal_writers WHERE WRITERS APPENDS [--conflict]\n");
		return 2;
	}
	const char *where = argv[1];
	unsigned writers = (unsigned)atoi(argv[2]), appends = (unsigned)atoi(argv[3]);
	if (getenv("CMDR_TEST_DSN"))
		journal_pg_set_dsn(getenv("CMDR_TEST_DSN"));
	if (argc > 4 && strcmp(argv[4], "--conflict") == 0)
		return conflict(where);
	double t0 = now_ms();
	for (unsigned w = 0; w < writers; w++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(writer(where, w, appends));
	}
	int failed = 0, status;
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	printf("appended=%u ms=%.0f\n", writers * appends, now_ms() - t0);
	journal_pg_set_dsn(NULL);
	return failed;
}
