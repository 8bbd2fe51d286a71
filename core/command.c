#include "command.h"

#include <stdlib.h>
#include <string.h>

#include "cmdread.h"
#include "timefmt.h"
#include "xalloc.h"

/* The next word of *s (NUL-terminated in place), or NULL; *s moves past
 * it and the spaces after. */
static char *next_word(char **s)
{
	while (**s == ' ' || **s == '\t')
		(*s)++;
	if (!**s)
		return NULL;
	char *w = *s;
	while (**s && **s != ' ' && **s != '\t')
		(*s)++;
	if (**s)
		*(*s)++ = '\0';
	while (**s == ' ' || **s == '\t')
		(*s)++;
	return w;
}

static int run(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	const char *verb = next_word(&rest);
	int sev;
	enum duty duty;
	int64_t every;
	if (!verb)
		return error_set(err, "type a command: %s", COMMAND_HELP);
	if (strcmp(verb, "declare") == 0) {
		const char *s = next_word(&rest);
		if (!s || !sev_parse(s, &sev) || !*rest)
			return error_set(err, "declare SEV0..SEV3 TITLE (when unsure, the higher)");
		return incident_declare(inc, rest, sev, me, err);
	}
	if (strcmp(verb, "sev") == 0 || strcmp(verb, "severity") == 0) {
		const char *s = next_word(&rest);
		if (!s || !sev_parse(s, &sev))
			return error_set(err, "sev SEV0..SEV3 [REASON] (lowering needs a reason)");
		return incident_set_severity(inc, sev, rest, me, err);
	}
	if (strcmp(verb, "role") == 0) {
		const char *r = next_word(&rest), *who = next_word(&rest);
		if (!r || !duty_parse(r, &duty) || *rest)
			return error_set(err, "role commander|deputy|scribe|comms [WHO] (no WHO: you)");
		return incident_assign_role(inc, duty, who, me, err);
	}
	if (strcmp(verb, "resolve") == 0)
		return incident_resolve(inc, rest, me, err);
	if (strcmp(verb, "note") == 0)
		return incident_note(inc, rest, me, err);
	if (strcmp(verb, "update") == 0)
		return incident_post_update(inc, rest, me, err);
	if (strcmp(verb, "timecheck") == 0) {
		const char *s = next_word(&rest), *e = next_word(&rest);
		every = WORKFLOW_TIMECHECK_EVERY_MS;
		bool on = s && strcmp(s, "on") == 0;
		if (!s || (!on && strcmp(s, "off") != 0) || (e && (!on || !timefmt_parse_duration(e, &every))) ||
		    every < 60000 || *rest)
			return error_set(err, "timecheck on [EVERY, at least 1m] | off");
		return incident_set_timecheck(inc, on ? every : 0, me, err);
	}
	if (strcmp(verb, "every") == 0) {
		const char *s = next_word(&rest);
		if (!s || !timefmt_parse_duration(s, &every) || *rest)
			return error_set(err, "every DURATION: how often stakeholder updates are due (30m)");
		return incident_set_update_every(inc, every, me, err);
	}
	if (strcmp(verb, "rollback") == 0) {
		const char *ep = next_word(&rest);
		if (!ep || !*rest)
			return error_set(err, "rollback ENDPOINT REASON (to its last known-good)");
		return incident_rollback(inc, ep, NULL, rest, me, err);
	}
	if (strcmp(verb, "weight") == 0) {
		const char *ep = next_word(&rest);
		/* NAME=PERCENT words, then the reason. */
		char *pairs = xstrdup("");
		while (*rest && strchr(rest, '=') && strchr(rest, '=') < rest + strcspn(rest, " \t")) {
			char *w = next_word(&rest), *joined = xasprintf("%s %s", pairs, w);
			free(pairs);
			pairs = joined;
		}
		int rc = -1;
		struct target_view v = { 0 };
		if (!ep || !*pairs || !*rest)
			error_set(err, "weight ENDPOINT NAME=PERCENT... REASON (the percents add up to 100)");
		else if (cmdread_parse(pairs, strlen(pairs), &v, err) == 0) {
			struct traffic_split split;
			traffic_split_init(&split);
			target_view_split(&v, &split);
			rc = incident_set_weight(inc, ep, &split, rest, me, err);
			traffic_split_free(&split);
		}
		target_view_free(&v);
		free(pairs);
		return rc;
	}
	if (strcmp(verb, "tick") == 0) {
		const char *rb = next_word(&rest), *step = next_word(&rest);
		if (!rb || !step || *rest)
			return error_set(err, "tick RUNBOOK STEP");
		return incident_tick(inc, rb, step, true, NULL, me, err);
	}
	return error_set(err, "unknown command '%s': %s", verb, COMMAND_HELP);
}

int incident_command(struct incident *inc, const char *line, const struct actor *actor, struct error *err)
{
	char *copy = xstrdup(line);
	int rc = run(inc, copy, actor, err);
	free(copy);
	return rc;
}
