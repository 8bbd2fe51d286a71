/* `cmdr drill`: a scenario on a simulated clock, in the console or
 * headless (as fast as the machine allows, then the status JSON). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "command.h"
#include "drill.h"
#include "drill_script.h"
#include "readfile.h"
#include "status.h"
#include "timefmt.h"
#include "ui.h"
#include "xalloc.h"

static int load_script(const char *path, int64_t start_ms, struct drill_script *out)
{
	char *text;
	size_t len;
	long long size;
	int e = 0;
	if (readfile_all(path, 1 << 20, &text, &len, &size, &e) != 0) {
		fprintf(stderr, "cmdr drill: %s: %s\n", path, e ? strerror(e) : "over 1 MiB, too large for a script");
		return -1;
	}
	struct error err;
	int rc = drill_script_parse(text, len, path, start_ms, out, &err);
	free(text);
	if (rc != 0)
		fprintf(stderr, "cmdr drill: %s\n", err.msg);
	return rc;
}

static int run_headless(struct incident *inc, const struct cli_options *o)
{
	const struct scenario *sc = &drill_of(inc)->scenario;
	int64_t until = sc->end_ms;
	if (o->until && !timefmt_parse_at(o->until, sc->start_ms, &until)) {
		fprintf(stderr, "cmdr drill: --until '%s' is not a time (HH:MM:SS, ISO 8601 or +10m)\n",
			o->until);
		return EXIT_USAGE;
	}
	if (until < 0) {
		fprintf(stderr, "cmdr drill: %s has no \"end\"; give --until TIME\n", sc->path);
		return EXIT_USAGE;
	}
	if (until < sc->start_ms) {
		char start[32];
		timefmt_iso(sc->start_ms, start, sizeof start);
		fprintf(stderr, "cmdr drill: --until %s is before the scenario starts (%s)\n", o->until, start);
		return EXIT_USAGE;
	}
	struct drill_script script = { 0 };
	if (o->script && load_script(o->script, sc->start_ms, &script) != 0)
		return EXIT_CHECK;
	int rc = EXIT_OK;
	for (size_t i = 0; i < script.n; i++) {
		const struct script_step *s = &script.steps[i];
		if (s->at_ms > until)
			break;
		incident_advance(inc, s->at_ms);
		struct actor who;
		actor_copy(&who, &inc->actor);
		struct error err;
		if (s->as) {
			/* Another person: their role is the incident's rules', not
			 * this console's. */
			free(who.as_name);
			who.as_name = xstrdup(s->as);
			if (policy_apply_identity(&inc->policy, &who, false, &err) != 0) {
				fprintf(stderr, "cmdr drill: %s:%u: %s\n", o->script, s->line, err.msg);
				rc = EXIT_CHECK;
				actor_free(&who);
				continue;
			}
		}
		if (incident_command(inc, s->command, &who, &err) < 0) {
			fprintf(stderr, "cmdr drill: %s:%u: %s\n", o->script, s->line, err.msg);
			rc = EXIT_CHECK;
		}
		actor_free(&who);
	}
	drill_script_free(&script);
	incident_advance(inc, until);
	cJSON *doc = status_json(inc);
	char *text = cJSON_Print(doc);
	puts(text);
	cJSON_free(text);
	cJSON_Delete(doc);
	return rc;
}

/* A scenario named without a path ("friday-1714") is looked up in
 * ./drills and then in the installed drills. */
static char *scenario_path(const char *arg)
{
	if (strchr(arg, '/') || access(arg, F_OK) == 0)
		return xstrdup(arg);
	const char *dirs[] = { "drills", CMDR_DATADIR "/drills" };
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char *p = xasprintf("%s/%s%s", dirs[i], arg, strstr(arg, ".json") ? "" : ".json");
		if (access(p, F_OK) == 0)
			return p;
		free(p);
	}
	return xstrdup(arg);
}

int cmd_drill(const struct cli_options *o)
{
	if (o->n_args != 1) {
		fprintf(stderr, "cmdr drill: give one scenario file, e.g. cmdr drill drills/friday-1714.json\n");
		return EXIT_USAGE;
	}
	if ((o->until || o->script) && !o->headless) {
		fprintf(stderr, "cmdr drill: --until and --script go with --headless\n");
		return EXIT_USAGE;
	}
	struct config cfg;
	struct actor me;
	if (cli_setup(o, "cmdr drill", o->readonly, &cfg, &me) != EXIT_OK)
		return EXIT_CHECK;
	char why[200];
	if (!o->headless && terminal_usable(why, sizeof why) != 0) {
		fprintf(stderr, "cmdr drill: %s; nothing was journaled\n", why);
		actor_free(&me);
		config_free(&cfg);
		return EXIT_CHECK;
	}
	struct incident inc;
	struct error err;
	if (cli_open(o, "cmdr drill", &cfg, cli_incident_dir(o, &cfg), false, &me, &inc) != EXIT_OK) {
		config_free(&cfg);
		return EXIT_CHECK;
	}
	cli_load_runbooks(&inc, &cfg, "cmdr drill");
	if (incident_repair_journal(&inc, &err) < 0) {
		fprintf(stderr, "cmdr drill: %s\n", err.msg);
		incident_free(&inc);
		config_free(&cfg);
		return EXIT_CHECK;
	}
	if (inc.last_action.failed)
		fprintf(stderr, "cmdr drill: %s\n", inc.last_action.text);
	char *path = scenario_path(o->args[0]);
	int loaded = drill_load(&inc, path, &err);
	free(path);
	if (loaded != 0) {
		fprintf(stderr, "cmdr drill: %s\n", err.msg);
		incident_free(&inc);
		config_free(&cfg);
		return EXIT_CHECK;
	}
	cli_attach_notify(&inc, &cfg);
	int rc;
	if (o->headless) {
		rc = run_headless(&inc, o);
	} else {
		double speed = o->speed > 0 ? o->speed : drill_of(&inc)->scenario.speed;
		clock_init_simulated(&inc.clock, inc.now, speed);
		rc = screen_run(&inc, o->ascii, o->color);
	}
	cli_finish_notify(&inc, CLI_NOTIFY_WAIT_MS, 0, NULL);
	incident_free(&inc);
	config_free(&cfg);
	return rc;
}
