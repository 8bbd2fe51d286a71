/* The consoles: `cmdr` with no command, the live console on an incident
 * directory with the config's metric sources read in the background, and
 * `cmdr drill`, a scenario on a simulated clock. cli/ sets up what their
 * verb lines ask for; these start curses on it. */
#include "cli.h"
#include "drill.h"
#include "live.h"
#include "ui.h"

int cmd_console(struct cli_run *r)
{
	struct incident *inc = &r->inc;
	/* A journal it can only read: an observer (the narration says why). */
	inc->actor.readonly = inc->actor.readonly || inc->journal.readonly;
	incident_want_policy(inc);
	if (!live_attached(inc))
		incident_set_event(&inc->narration, inc->now, false,
				   "no sources in the config; rehearse with: cmdr drill drills/friday-1714.json");
	return screen_run(inc, r->o->ascii, r->o->color);
}

int cmd_drill(struct cli_run *r)
{
	double speed = r->o->speed > 0 ? r->o->speed : drill_of(&r->inc)->scenario.speed;
	clock_init_simulated(&r->inc.clock, r->inc.now, speed);
	return screen_run(&r->inc, r->o->ascii, r->o->color);
}
