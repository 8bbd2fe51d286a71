/* The commander's workflow from a shell: `cmdr declare`, `severity`,
 * `role`, `note`, `update`, `resolve`, `timecheck`. Each becomes the line
 * the console's `:` takes (core/incident/command.h), so each is the same
 * core action as there, journaled on the incident every console follows. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "command.h"
#include "xalloc.h"

/* Runs line (taken; NULL: the words did not fit, say the usage) as the
 * command's action. */
static int act(struct cli_run *r, char *line)
{
	if (!line) {
		cli_usage(r->verb);
		return EXIT_USAGE;
	}
	struct incident *inc = &r->inc;
	/* What the action journals comes next; notify lines may follow it. */
	uint64_t seq = inc->journal.entries + 1;
	struct error err;
	int rc = incident_command(inc, line, &inc->actor, &err);
	free(line);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", r->who, err.msg);
		return cli_exit_status(&err);
	}
	const struct timeline_entry *last = timeline_find(&inc->timeline, seq);
	if (last)
		printf("%s\n", last->what);
	return EXIT_OK;
}

int cmd_declare(struct cli_run *r)
{
	const struct cli_options *o = r->o;
	int sev;
	if (!o->n_args || !o->severity || !sev_parse(o->severity, &sev))
		return act(r, NULL);
	char *title = cli_join_args(o, 0);
	char *line = xasprintf("declare %s %s", sev_name(sev), title);
	free(title);
	return act(r, line);
}

int cmd_severity(struct cli_run *r)
{
	const struct cli_options *o = r->o;
	int sev;
	if (o->n_args != 1 || !sev_parse(o->args[0], &sev))
		return act(r, NULL);
	return act(r, xasprintf("sev %s %s", sev_name(sev), o->reason ? o->reason : ""));
}

int cmd_resolve(struct cli_run *r)
{
	if (!r->o->reason || r->o->n_args)
		return act(r, NULL);
	return act(r, xasprintf("resolve %s", r->o->reason));
}

/* role, note, update, timecheck: the same words after the same verb. */
int cmd_workflow(struct cli_run *r)
{
	if (!r->o->n_args)
		return act(r, NULL);
	char *args = cli_join_args(r->o, 0);
	char *line = xasprintf("%s %s", r->verb, args);
	free(args);
	return act(r, line);
}
