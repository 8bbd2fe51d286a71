/* The commander's workflow from a shell: `cmdr declare`, `severity`,
 * `role`, `note`, `update`, `resolve`, `timecheck`. Each is the same core
 * action as the console's key, journaled on the incident every console
 * follows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "incident.h"
#include "command.h"
#include "xalloc.h"

/* The command line as a `:` line ("declare SEV1 title", "sev SEV3
 * reason", "resolve reason"), or NULL after a usage message. */
static char *as_line(const char *command, const struct cli_options *o)
{
	char *args = cli_join_args(o, 0);
	char *line = NULL;
	int sev;
	if (strcmp(command, "declare") == 0) {
		if (o->n_args && o->severity && sev_parse(o->severity, &sev))
			line = xasprintf("declare %s %s", sev_name(sev), args);
	} else if (strcmp(command, "severity") == 0) {
		if (o->n_args == 1 && sev_parse(o->args[0], &sev))
			line = xasprintf("sev %s %s", sev_name(sev), o->reason ? o->reason : "");
	} else if (strcmp(command, "resolve") == 0) {
		if (o->reason && !o->n_args)
			line = xasprintf("resolve %s", o->reason);
	} else if (o->n_args) {
		line = xasprintf("%s %s", command, args);
	}
	if (!line)
		cli_usage(command);
	free(args);
	return line;
}

static int run(struct incident *inc, const char *command, const struct cli_options *o)
{
	char *line = as_line(command, o);
	if (!line)
		return EXIT_USAGE;
	/* What the action journals comes next; notify lines may follow it. */
	uint64_t seq = inc->journal.entries + 1;
	struct error err;
	int rc = incident_command(inc, line, &inc->actor, &err);
	free(line);
	if (rc != 0) {
		fprintf(stderr, "cmdr %s: %s\n", command, err.msg);
		return cli_exit_status(&err);
	}
	const struct timeline_entry *last = timeline_find(&inc->timeline, seq);
	if (last)
		printf("%s\n", last->what);
	return EXIT_OK;
}

int cmd_workflow(const char *command, const struct cli_options *o)
{
	char who[32];
	snprintf(who, sizeof who, "cmdr %s", command);
	struct config cfg;
	struct actor me;
	if (cli_setup(o, who, o->readonly, &cfg, &me) != EXIT_OK)
		return EXIT_CHECK;
	struct incident inc;
	struct error err;
	int rc = EXIT_CHECK;
	if (cli_open(o, who, &cfg, cli_incident_dir(o, &cfg), false, &me, &inc) == EXIT_OK) {
		if (incident_repair_journal(&inc, &err) < 0)
			fprintf(stderr, "%s: %s\n", who, err.msg);
		else {
			uint64_t since = inc.journal.entries;
			cli_attach_notify(&inc, &cfg);
			rc = run(&inc, command, o);
			cli_finish_notify(&inc, CLI_NOTIFY_WAIT_MS, since, who);
		}
		incident_free(&inc);
	}
	config_free(&cfg);
	return rc;
}
