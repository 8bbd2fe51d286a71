/* `cmdr rollback ENDPOINT [--to DEPLOYMENT] --reason TEXT [--yes]`: the
 * same audited action as the console's `r`, from a shell. Role checks,
 * refusals, the two-person rule and verification are core's. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "incident.h"
#include "live.h"

static int rollback(struct incident *inc, const struct cli_options *o)
{
	if (o->n_args != 1) {
		fprintf(stderr, "cmdr rollback: name one endpoint: cmdr rollback ENDPOINT --reason TEXT\n");
		return EXIT_USAGE;
	}
	if (!o->reason || !*o->reason) {
		fprintf(stderr, "cmdr rollback: a reason is required (--reason TEXT)\n");
		return EXIT_USAGE;
	}
	const char *endpoint = o->args[0];
	if (!o->yes) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "cmdr rollback: not a terminal to confirm on; add --yes\n");
			return EXIT_USAGE;
		}
		fprintf(stderr, "Roll back %s to %s? [y/N] ", endpoint, o->to ? o->to : "its last known-good");
		char answer[16] = "";
		if (!fgets(answer, sizeof answer, stdin) || (answer[0] != 'y' && answer[0] != 'Y')) {
			fprintf(stderr, "cmdr rollback: not confirmed; nothing changed\n");
			return EXIT_CHECK;
		}
	}
	struct error err;
	/* Live: what the endpoint serves now, from its target, first. */
	if (inc->live && live_snapshot(inc, 30000, &err) != 0)
		fprintf(stderr, "cmdr rollback: %s\n", err.msg);
	int rc = incident_rollback(inc, endpoint, o->to, o->reason, &inc->actor, &err);
	if (rc < 0) {
		fprintf(stderr, "cmdr rollback: %s\n", err.msg);
		return strstr(err.msg, "rollback failed") == err.msg ? EXIT_EXTERNAL : EXIT_CHECK;
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
	fprintf(stderr, "cmdr rollback: %s\n", inc->last_action.text);
	return EXIT_EXTERNAL;
}

int cmd_rollback(const struct cli_options *o)
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
		rc = rollback(&inc, o);
		cli_finish_notify(&inc, CLI_NOTIFY_WAIT_MS, since, "cmdr rollback");
	}
	incident_free(&inc);
	config_free(&cfg);
	return rc;
}
