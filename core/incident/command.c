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

static int c_declare(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	int sev;
	const char *s = next_word(&rest);
	if (!s || !sev_parse(s, &sev) || !*rest)
		return -2;
	return incident_declare(inc, rest, sev, me, err);
}

static int c_sev(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	int sev;
	const char *s = next_word(&rest);
	if (!s || !sev_parse(s, &sev))
		return -2;
	return incident_set_severity(inc, sev, rest, me, err);
}

static int c_role(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	enum duty duty;
	const char *r = next_word(&rest), *who = next_word(&rest);
	if (!r || !duty_parse(r, &duty) || *rest)
		return -2;
	return incident_assign_role(inc, duty, who, me, err);
}

static int c_resolve(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	return incident_resolve(inc, rest, me, err);
}

static int c_note(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	return incident_note(inc, rest, me, err);
}

static int c_update(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	return incident_post_update(inc, rest, me, err);
}

static int c_timecheck(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	const char *s = next_word(&rest), *e = next_word(&rest);
	int64_t every = WORKFLOW_TIMECHECK_EVERY_MS;
	bool on = s && strcmp(s, "on") == 0;
	if (!s || (!on && strcmp(s, "off") != 0) || (e && (!on || !timefmt_parse_duration(e, &every))) ||
	    every < 60000 || *rest)
		return -2;
	return incident_set_timecheck(inc, on ? every : 0, me, err);
}

static int c_every(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	int64_t every;
	const char *s = next_word(&rest);
	if (!s || !timefmt_parse_duration(s, &every) || *rest)
		return -2;
	return incident_set_update_every(inc, every, me, err);
}

static int c_rollback(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	const char *ep = next_word(&rest);
	if (!ep || !*rest)
		return -2;
	return incident_rollback(inc, ep, NULL, rest, me, err);
}

static int c_weight(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	const char *ep = next_word(&rest);
	/* NAME=PERCENT words, then the reason. */
	char *pairs = xstrdup("");
	while (*rest && strchr(rest, '=') && strchr(rest, '=') < rest + strcspn(rest, " \t")) {
		char *w = next_word(&rest), *joined = xasprintf("%s %s", pairs, w);
		free(pairs);
		pairs = joined;
	}
	int rc = -2;
	struct target_view v = { 0 };
	if (ep && *pairs && *rest && (rc = cmdread_parse(pairs, strlen(pairs), &v, err)) == 0) {
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

static int c_tick(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	const char *rb = next_word(&rest), *step = next_word(&rest);
	if (!rb || !step || *rest)
		return -2;
	return incident_tick(inc, rb, step, true, NULL, me, err);
}

/* The verbs: a run that returns -2 was given the wrong words, and its
 * usage is the answer. COMMAND_HELP lists the same verbs. */
static const struct {
	const char *name, *alias, *usage;
	int (*run)(struct incident *inc, char *rest, const struct actor *me, struct error *err);
} verbs[] = {
	{ "declare", NULL, "declare SEV0..SEV3 TITLE (when unsure, the higher)", c_declare },
	{ "sev", "severity", "sev SEV0..SEV3 [REASON] (lowering needs a reason)", c_sev },
	{ "role", NULL, "role commander|deputy|scribe|comms [WHO] (no WHO: you)", c_role },
	{ "resolve", NULL, "resolve REASON", c_resolve },
	{ "note", NULL, "note TEXT", c_note },
	{ "update", NULL, "update TEXT", c_update },
	{ "timecheck", NULL, "timecheck on [EVERY, at least 1m] | off", c_timecheck },
	{ "every", NULL, "every DURATION: how often stakeholder updates are due (30m)", c_every },
	{ "rollback", NULL, "rollback ENDPOINT REASON (to its last known-good)", c_rollback },
	{ "weight", NULL, "weight ENDPOINT NAME=PERCENT... REASON (the percents add up to 100)", c_weight },
	{ "tick", NULL, "tick RUNBOOK STEP", c_tick },
};

static int run(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	const char *verb = next_word(&rest);
	if (!verb)
		return error_set(err, "type a command: %s", COMMAND_HELP);
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (strcmp(verb, verbs[i].name) != 0 && !(verbs[i].alias && strcmp(verb, verbs[i].alias) == 0))
			continue;
		int rc = verbs[i].run(inc, rest, me, err);
		return rc == -2 ? error_set(err, "%s", verbs[i].usage) : rc;
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
