/* The commander's workflow from a shell: `cmdr declare`, `severity`,
 * `role`, `note`, `update`, `resolve`, `timecheck`. Each is the same core
 * action as the console's key, journaled on the incident every console
 * follows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "incident.h"
#include "timefmt.h"
#include "xalloc.h"

/* The positional arguments from `from` on, joined by spaces (a note need
 * not be quoted). */
static char *join_args(const struct cli_options *o, int from)
{
	size_t len = 1;
	for (int i = from; i < o->n_args; i++)
		len += strlen(o->args[i]) + 1;
	char *s = xcalloc(1, len);
	for (int i = from; i < o->n_args; i++) {
		if (i > from)
			strcat(s, " ");
		strcat(s, o->args[i]);
	}
	return s;
}

static int usage(const char *command, const char *text)
{
	fprintf(stderr, "cmdr %s: usage: cmdr %s\n", command, text);
	return EXIT_USAGE;
}

static int run(struct incident *inc, const char *command, const struct cli_options *o)
{
	struct error err;
	const struct actor *me = &inc->actor;
	int rc = 0;
	char *text = join_args(o, 0);
	int sev;
	enum duty duty;
	int64_t every = 0;
	/* What the action journals comes next; notify lines may follow it. */
	uint64_t seq = inc->journal.entries + 1;
	if (strcmp(command, "declare") == 0) {
		if (!o->n_args || !o->severity)
			rc = usage(command, "declare TITLE --severity SEV0|SEV1|SEV2|SEV3 (when unsure, the higher)");
		else if (!sev_parse(o->severity, &sev))
			rc = usage(command, "declare TITLE --severity SEV0|SEV1|SEV2|SEV3");
		else
			rc = incident_declare(inc, text, sev, me, &err);
	} else if (strcmp(command, "severity") == 0) {
		if (o->n_args != 1 || !sev_parse(o->args[0], &sev))
			rc = usage(command, "severity SEV0|SEV1|SEV2|SEV3 [--reason TEXT] (lowering needs a reason)");
		else
			rc = incident_set_severity(inc, sev, o->reason, me, &err);
	} else if (strcmp(command, "role") == 0) {
		if (o->n_args < 1 || o->n_args > 2 || !duty_parse(o->args[0], &duty))
			rc = usage(command, "role commander|deputy|scribe|comms [PERSON] (no PERSON: you claim it)");
		else
			rc = incident_assign_role(inc, duty, o->n_args == 2 ? o->args[1] : NULL, me, &err);
	} else if (strcmp(command, "note") == 0) {
		rc = o->n_args ? incident_note(inc, text, me, &err) : usage(command, "note TEXT");
	} else if (strcmp(command, "update") == 0) {
		rc = o->n_args ? incident_post_update(inc, text, me, &err) : usage(command, "update TEXT");
	} else if (strcmp(command, "resolve") == 0) {
		rc = o->reason && !o->n_args ? incident_resolve(inc, o->reason, me, &err)
					      : usage(command, "resolve --reason TEXT");
	} else if (strcmp(command, "timecheck") == 0) {
		bool on = o->n_args >= 1 && strcmp(o->args[0], "on") == 0;
		bool off = o->n_args == 1 && strcmp(o->args[0], "off") == 0;
		every = WORKFLOW_TIMECHECK_EVERY_MS;
		if ((!on && !off) || (on && o->n_args > 2) ||
		    (on && o->n_args == 2 && (!timefmt_parse_duration(o->args[1], &every) || every < 60000)))
			rc = usage(command, "timecheck on [EVERY, at least 1m; default 10m] | off");
		else
			rc = incident_set_timecheck(inc, on ? every : 0, me, &err);
	}
	free(text);
	if (rc == EXIT_USAGE)
		return rc;
	if (rc != 0) {
		fprintf(stderr, "cmdr %s: %s\n", command, err.msg);
		return EXIT_CHECK;
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
	if (incident_open(&inc, cli_incident_dir(o, &cfg), &me, &err) != 0) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
	} else {
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
