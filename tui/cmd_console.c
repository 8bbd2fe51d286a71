/* `cmdr` with no command: the live console on an incident directory, with
 * the config's metric sources read in the background. */
#include <stdio.h>

#include "cli.h"
#include "live.h"
#include "ui.h"

int cmd_console(const struct cli_options *o)
{
	struct config cfg;
	struct actor me;
	if (cli_setup(o, "cmdr", o->readonly, &cfg, &me) != EXIT_OK)
		return EXIT_CHECK;
	char why[200];
	if (terminal_usable(why, sizeof why) != 0) {
		fprintf(stderr, "cmdr: %s; nothing was journaled\n", why);
		actor_free(&me);
		config_free(&cfg);
		return EXIT_CHECK;
	}
	struct incident inc;
	struct error err;
	if (cli_open(o, "cmdr", &cfg, cli_incident_dir(o, &cfg), false, &me, &inc) != EXIT_OK) {
		config_free(&cfg);
		return EXIT_CHECK;
	}
	/* A journal it can only read: an observer (the narration says why). */
	inc.actor.readonly = inc.actor.readonly || inc.journal.readonly;
	cli_load_runbooks(&inc, &cfg, "cmdr");
	if (incident_repair_journal(&inc, &err) < 0) {
		fprintf(stderr, "cmdr: %s\n", err.msg);
		incident_free(&inc);
		config_free(&cfg);
		return EXIT_CHECK;
	}
	if (inc.last_action.failed)
		fprintf(stderr, "cmdr: %s\n", inc.last_action.text);
	if (cli_attach_live(&inc, &cfg, LIVE_SOURCES | LIVE_TARGETS, "cmdr") != EXIT_OK) {
		incident_free(&inc);
		config_free(&cfg);
		return EXIT_CHECK;
	}
	cli_attach_notify(&inc, &cfg);
	incident_want_policy(&inc);
	if (!live_attached(&inc))
		incident_set_event(&inc.narration, inc.now, false,
				   "no sources in the config; rehearse with: cmdr drill drills/friday-1714.json");
	int rc = screen_run(&inc, o->ascii, o->color);
	cli_finish_notify(&inc, CLI_NOTIFY_WAIT_MS, 0, NULL);
	incident_free(&inc);
	config_free(&cfg);
	return rc;
}
