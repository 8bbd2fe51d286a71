/* `cmdr audit verify` and `cmdr audit show`: the journal as evidence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "journal.h"
#include "journal_pg.h"
#include "xalloc.h"

/* The journal to read: JOURNAL, else the incident directory's. An
 * auditor reads it where the config keeps incidents; nothing here acts,
 * so no identity is asked for. NULL after a usage or config error, with
 * its exit status in *rc. */
static char *journal_path(const struct cli_options *o, const char *who, int *rc)
{
	if (o->n_args > 1) {
		cli_usage("audit");
		*rc = EXIT_USAGE;
		return NULL;
	}
	/* A file named is read as it is; postgres:NAME needs the config's DSN. */
	if (o->n_args == 1 && !journal_is_pg(o->args[0]))
		return xstrdup(o->args[0]);
	struct config cfg;
	if ((*rc = cli_load_config(o, who, &cfg)) != EXIT_OK)
		return NULL;
	const char *where = o->n_args == 1 ? o->args[0] : cli_incident_dir(o, &cfg);
	char *path = cli_journal_setup(where, &cfg, who) == EXIT_OK ? cli_journal_path(where) : NULL;
	if (!path)
		*rc = EXIT_CHECK;
	config_free(&cfg);
	return path;
}

int cmd_audit_show(struct cli_run *r)
{
	int rc = EXIT_OK;
	char *path = journal_path(r->o, "cmdr audit", &rc);
	struct error err;
	if (path && audit_show(path, r->o->json, stdout, &err) != 0) {
		fprintf(stderr, "cmdr audit show: %s\n", err.msg);
		rc = cli_exit_status(&err);
	}
	free(path);
	return rc;
}

int cmd_audit_verify(struct cli_run *run)
{
	const struct cli_options *o = run->o;
	int rc = EXIT_OK;
	char *path = journal_path(o, "cmdr audit", &rc);
	if (!path)
		return rc;
	struct error err;
	if (o->head && (strlen(o->head) != 64 || strspn(o->head, "0123456789abcdef") != 64)) {
		fprintf(stderr, "cmdr audit verify: --head takes 64 lowercase hex digits (a SHA-256), not '%s'\n", o->head);
		free(path);
		return EXIT_USAGE;
	}
	struct audit_result r;
	if (audit_verify(path, o->head, &r, &err) != 0) {
		fprintf(stderr, "cmdr audit verify: %s\n", err.msg);
		free(path);
		return cli_exit_status(&err);
	}
	if (r.intact && o->head && r.head_seq && r.head_seq < r.entries) {
		printf("%s: intact, %llu entries, head %s (the published head is entry %llu's)\n", path,
		       (unsigned long long)r.entries, r.head, (unsigned long long)r.head_seq);
	} else if (r.intact) {
		printf("%s: intact, %llu entries, head %s%s\n", path, (unsigned long long)r.entries, r.head,
		       o->head ? " (matches the published head)" : "");
	} else {
		printf("%s: BROKEN at seq %llu: %s\n", path, (unsigned long long)r.bad_seq, r.why);
		rc = EXIT_CHECK;
	}
	/* Chained and checked, but no console, status or postmortem reads it:
	 * a check failed. */
	if (r.n_long) {
		fprintf(stderr, "cmdr audit verify: %s:%llu: entry of %llu bytes is over the %u MiB line limit; cmdr does not read it (%llu such line%s)\n",
			path, (unsigned long long)r.long_line, (unsigned long long)r.long_bytes, JOURNAL_LINE_MAX >> 20,
			(unsigned long long)r.n_long, r.n_long == 1 ? "" : "s");
		rc = EXIT_CHECK;
	}
	free(path);
	return rc;
}
