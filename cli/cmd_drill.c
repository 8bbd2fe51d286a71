/* `cmdr drill --headless`: a scenario on a simulated clock as fast as the
 * machine allows, what a script says people do on the way, then the
 * status JSON. The drill in the console is tui/cmd_console.c's. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "command.h"
#include "drill.h"
#include "drill_script.h"
#include "readfile.h"
#include "status.h"
#include "timefmt.h"
#include "xalloc.h"

static int load_script(const char *path, int64_t start_ms, struct drill_script *out)
{
	char *text;
	size_t len;
	struct error err;
	if (readfile_all(path, 1 << 20, &text, &len, &err) != 0) {
		fprintf(stderr, "cmdr drill: %s: %s\n", path, err.msg);
		return -1;
	}
	int rc = drill_script_parse(text, len, path, start_ms, out, &err);
	free(text);
	if (rc != 0)
		fprintf(stderr, "cmdr drill: %s\n", err.msg);
	return rc;
}

int cmd_drill_headless(struct cli_run *r)
{
	struct incident *inc = &r->inc;
	const struct cli_options *o = r->o;
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
