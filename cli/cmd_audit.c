/* `cmdr audit verify` and `cmdr audit show`: the journal as evidence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "journal.h"
#include "xalloc.h"

int cmd_audit(const struct cli_options *o)
{
	const char *sub = o->n_args > 0 ? o->args[0] : NULL;
	if (!sub || (strcmp(sub, "verify") != 0 && strcmp(sub, "show") != 0) || o->n_args > 2) {
		cli_usage("audit");
		return EXIT_USAGE;
	}
	/* An auditor reads the journal where the config keeps incidents;
	 * nothing here acts, so no identity is asked for. */
	struct config cfg;
	config_defaults(&cfg);
	if (o->n_args < 2 && cli_load_config(o, "cmdr audit", &cfg) != EXIT_OK)
		return EXIT_CHECK;
	char *path = o->n_args == 2 ? xstrdup(o->args[1])
				    : xasprintf("%s/journal.jsonl", cli_incident_dir(o, &cfg));
	config_free(&cfg);
	struct error err;
	int rc = EXIT_OK;
	if (strcmp(sub, "show") == 0) {
		if (audit_show(path, o->json, stdout, &err) != 0) {
			fprintf(stderr, "cmdr audit show: %s\n", err.msg);
			rc = EXIT_CHECK;
		}
		free(path);
		return rc;
	}
	if (o->head && (strlen(o->head) != 64 || strspn(o->head, "0123456789abcdef") != 64)) {
		fprintf(stderr, "cmdr audit verify: --head takes 64 lowercase hex digits (a SHA-256), not '%s'\n", o->head);
		free(path);
		return EXIT_USAGE;
	}
	struct audit_result r;
	if (audit_verify(path, o->head, &r, &err) != 0) {
		fprintf(stderr, "cmdr audit verify: %s\n", err.msg);
		free(path);
		return EXIT_CHECK;
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
