/* `cmdr journal schema | push | export`: setting up a PostgreSQL journal,
 * moving an incident directory's journal into it, and taking one out as
 * JSON Lines that verify with the same head. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "journal.h"
#include "journal_pg.h"
#include "xalloc.h"

int cmd_journal_schema(struct cli_run *r)
{
	(void)r;
	fputs(journal_pg_schema, stdout);
	return EXIT_OK;
}

/* Verifies where's chain: its result, or -1 with the exit status in *rc
 * after one line on stderr. */
static int verified(const char *who, const char *path, struct audit_result *a, int *rc)
{
	struct error err;
	if (audit_verify(path, NULL, a, &err) != 0) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		*rc = cli_exit_status(&err);
		return -1;
	}
	if (!a->intact) {
		fprintf(stderr, "%s: %s: BROKEN at seq %llu: %s\n", who, path, (unsigned long long)a->bad_seq, a->why);
		*rc = EXIT_CHECK;
		return -1;
	}
	return 0;
}

int cmd_journal_push(struct cli_run *r)
{
	const char *who = "cmdr journal push";
	const char *dir = r->o->args[0], *where = r->o->args[1];
	if (journal_is_pg(dir) || !journal_is_pg(where)) {
		fprintf(stderr, "%s: give an incident directory, then postgres:NAME\n", who);
		return EXIT_USAGE;
	}
	int rc = cli_journal_setup(where, &r->cfg, who);
	if (rc != EXIT_OK)
		return rc;
	char *file = cli_journal_path(dir);
	struct audit_result from, to;
	struct error err;
	if (verified(who, file, &from, &rc) != 0)
		goto out;
	if (from.n_long) {
		fprintf(stderr, "%s: %s:%llu: a line over the %u MiB limit cannot be pushed\n", who, file,
			(unsigned long long)from.long_line, JOURNAL_LINE_MAX >> 20);
		rc = EXIT_CHECK;
		goto out;
	}
	if (journal_pg_push(file, where, &err) != 0) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		rc = cli_exit_status(&err);
		goto out;
	}
	if (verified(who, where, &to, &rc) != 0)
		goto out;
	if (to.entries != from.entries || strcmp(to.head, from.head) != 0) {
		fprintf(stderr, "%s: %s holds %llu entries, head %s, where %s has %llu, head %s\n", who, where,
			(unsigned long long)to.entries, to.head, file, (unsigned long long)from.entries, from.head);
		rc = EXIT_CHECK;
		goto out;
	}
	printf("%s: %llu entries pushed to %s, head %s (verified on both sides)\n", file,
	       (unsigned long long)to.entries, where, to.head);
	rc = EXIT_OK;
out:
	free(file);
	return rc;
}

struct export {
	FILE *out;
	bool failed;
};

static void export_line(void *ctx, const char *line, size_t len)
{
	struct export *x = ctx;
	if (fwrite(line, 1, len, x->out) != len || fputc('\n', x->out) == EOF)
		x->failed = true;
}

static void export_long_line(void *ctx, const char *prefix, size_t prefix_len, uint64_t len)
{
	(void)prefix;
	(void)prefix_len;
	(void)len;
	((struct export *)ctx)->failed = true;
}

int cmd_journal_export(struct cli_run *r)
{
	const char *who = "cmdr journal export";
	const char *where = r->o->n_args ? r->o->args[0] : cli_incident_dir(r->o, &r->cfg);
	int rc = cli_journal_setup(where, &r->cfg, who);
	if (rc != EXIT_OK)
		return rc;
	char *path = cli_journal_path(where);
	struct journal j;
	struct error err;
	struct export x = { stdout, false };
	if (journal_scan(&j, path, export_line, export_long_line, &x, &err) != 0) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		rc = cli_exit_status(&err);
	} else if (x.failed || fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: %s: %s; the export is incomplete\n", who, path,
			j.n_long ? "a line over the line limit cannot be exported" : "cannot write the output");
		rc = EXIT_CHECK;
	} else {
		fprintf(stderr, "%s: %llu entries, head %s%s\n", path, (unsigned long long)j.entries, j.head,
			j.torn ? " (a partial last line was left out)" : "");
	}
	journal_close(&j);
	free(path);
	return rc;
}
