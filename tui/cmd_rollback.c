/* `cmdr rollback ENDPOINT [--to DEPLOYMENT] --reason TEXT [--yes]`: the
 * same audited action as the console's `r`, from a shell; and `cmdr weight
 * ENDPOINT NAME=PERCENT... --reason TEXT [--yes]`, any split (a canary
 * ramp), as the same kind of action. Role checks, refusals, the
 * two-person rule and verification are core's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "incident.h"
#include "cmdread.h"
#include "live.h"

/* The split NAME=PERCENT arguments give, or -1 after a usage message. */
static int split_of(const struct cli_options *o, struct traffic_split *split)
{
	char *line = cli_join_args(o, 1);
	struct target_view v = { 0 };
	struct error err;
	int bad = o->n_args < 2 || cmdread_parse(line, strlen(line), &v, &err) != 0;
	free(line);
	if (bad) {
		(void)err;
		fprintf(stderr, "cmdr weight: usage: cmdr weight ENDPOINT NAME=PERCENT... --reason TEXT (whole percents that add up to 100)\n");
		target_view_free(&v);
		return -1;
	}
	target_view_split(&v, split);
	target_view_free(&v);
	return 0;
}

static int change(struct incident *inc, const struct cli_options *o, bool weight)
{
	const char *who = weight ? "cmdr weight" : "cmdr rollback";
	if (!weight && o->n_args != 1) {
		fprintf(stderr, "cmdr rollback: name one endpoint: cmdr rollback ENDPOINT --reason TEXT\n");
		return EXIT_USAGE;
	}
	if (!o->reason || !*o->reason) {
		fprintf(stderr, "%s: a reason is required (--reason TEXT)\n", who);
		return EXIT_USAGE;
	}
	struct traffic_split split;
	traffic_split_init(&split);
	if (weight && split_of(o, &split) != 0)
		return EXIT_USAGE;
	const char *endpoint = o->args[0];
	char *asked = weight ? traffic_split_format(&split) : NULL;
	int usage = EXIT_OK;
	if (!o->yes) {
		char answer[16] = "";
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "%s: not a terminal to confirm on; add --yes\n", who);
			usage = EXIT_USAGE;
		} else {
			if (weight)
				fprintf(stderr, "Set %s to %s? [y/N] ", endpoint, asked);
			else
				fprintf(stderr, "Roll back %s to %s? [y/N] ", endpoint, o->to ? o->to : "its last known-good");
			if (!fgets(answer, sizeof answer, stdin) || (answer[0] != 'y' && answer[0] != 'Y')) {
				fprintf(stderr, "%s: not confirmed; nothing changed\n", who);
				usage = EXIT_CHECK;
			}
		}
	}
	free(asked);
	if (usage != EXIT_OK) {
		traffic_split_free(&split);
		return usage;
	}
	struct error err;
	/* Live: what the endpoint serves now, from its target, first. */
	if (inc->live && live_snapshot(inc, 30000, &err) != 0)
		fprintf(stderr, "%s: %s\n", who, err.msg);
	int rc = weight ? incident_set_weight(inc, endpoint, &split, o->reason, &inc->actor, &err)
			: incident_rollback(inc, endpoint, o->to, o->reason, &inc->actor, &err);
	traffic_split_free(&split);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		bool failed = strstr(err.msg, "rollback failed") == err.msg || strstr(err.msg, "set_weight failed") == err.msg;
		return failed ? EXIT_EXTERNAL : EXIT_CHECK;
	}
	if (rc > 0) {
		printf("%s\n", err.msg);
		return EXIT_OK;
	}
	/* Wait for the read-back, as the console does, then report it. */
	while (incident_job_in_flight(inc, endpoint)) {
		int64_t due = incident_next_due(inc);
		int64_t now = clock_now(&inc->clock);
		int64_t wait = due > now ? due - now : 0;
		incident_wait(inc, NULL, 0, wait > 1000 ? 1000 : (int)wait);
		incident_advance(inc, clock_now(&inc->clock));
	}
	const struct action_job *job = &inc->jobs[inc->n_jobs - 1];
	if (job->state == ACTION_VERIFIED) {
		printf("%s\n", inc->last_action.text);
		return EXIT_OK;
	}
	/* Not done: an error, on stderr like every other. */
	fprintf(stderr, "%s: %s\n", who, inc->last_action.text);
	return EXIT_EXTERNAL;
}

static int traffic_command(const struct cli_options *o, bool weight)
{
	struct config cfg;
	struct actor me;
	if (cli_setup(o, "cmdr rollback", o->readonly, &cfg, &me) != EXIT_OK)
		return EXIT_CHECK;
	struct incident inc;
	struct error err;
	if (incident_open(&inc, cli_incident_dir(o, &cfg), &me, &err) != 0) {
		fprintf(stderr, "cmdr rollback: %s\n", err.msg);
		config_free(&cfg);
		return EXIT_CHECK;
	}
	inc.governance = cfg.governance;
	int rc = EXIT_CHECK;
	/* The sources too when they can pre-approve (emergency criteria). */
	unsigned what = LIVE_TARGETS | (cfg.governance.two_person ? LIVE_SOURCES : 0);
	if (incident_repair_journal(&inc, &err) < 0)
		fprintf(stderr, "cmdr rollback: %s\n", err.msg);
	else if (cli_attach_live(&inc, &cfg, what, "cmdr rollback") == EXIT_OK) {
		uint64_t since = inc.journal.entries;
		cli_attach_notify(&inc, &cfg);
		rc = change(&inc, o, weight);
		cli_finish_notify(&inc, CLI_NOTIFY_WAIT_MS, since, weight ? "cmdr weight" : "cmdr rollback");
	}
	incident_free(&inc);
	config_free(&cfg);
	return rc;
}

int cmd_rollback(const struct cli_options *o)
{
	return traffic_command(o, false);
}

int cmd_weight(const struct cli_options *o)
{
	return traffic_command(o, true);
}
