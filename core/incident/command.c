#include "command.h"

#include <stdio.h>
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

/* The length of a matcher word at s (name, = != =~ or !~, a value that
 * may be quoted with spaces in it), or 0 when s is not one. */
static size_t matcher_len(const char *s)
{
	const char *p = s;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' || (p > s && *p >= '0' && *p <= '9'))
		p++;
	if (p == s || !(*p == '=' || (*p == '!' && (p[1] == '=' || p[1] == '~'))))
		return 0;
	bool quoted = false;
	for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
		if (*p == '\\' && quoted && p[1])
			p++;
		else if (*p == '"')
			quoted = !quoted;
	}
	return (size_t)(p - s);
}

/* silence MATCHER... DURATION REASON | silence extend ID DURATION REASON |
 * silence expire ID REASON */
static int c_silence(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	int64_t d = 0;
	if (strncmp(rest, "extend ", 7) == 0 || strncmp(rest, "expire ", 7) == 0) {
		bool extend = rest[1] == 'x' && rest[2] == 't';
		next_word(&rest);
		const char *id = next_word(&rest), *dur = extend ? next_word(&rest) : "";
		if (!id || !dur || (extend && !timefmt_parse_duration(dur, &d)) || !*rest)
			return -2;
		return extend ? incident_silence_extend(inc, id, d, rest, me, err)
			      : incident_silence_expire(inc, id, rest, me, err);
	}
	char *start = rest;
	size_t n;
	while ((n = matcher_len(rest)) > 0) {
		rest += n;
		while (*rest == ' ' || *rest == '\t')
			rest++;
	}
	if (rest == start || !*rest)
		return -2;
	rest[-1] = '\0';
	const char *dur = next_word(&rest);
	if (!dur || !timefmt_parse_duration(dur, &d) || !*rest)
		return -2;
	return incident_silence_create(inc, NULL, start, d, rest, me, err);
}

/* alerts MATCHER... | alerts config */
static int c_alerts(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	(void)me;
	if (!*rest)
		return -2;
	return incident_set_alerts_filter(inc, strcmp(rest, "config") == 0 ? NULL : rest, err);
}

/* pin SERVICE | unpin SERVICE */
static int pin_words(struct incident *inc, char *rest, bool on, const struct actor *me, struct error *err)
{
	const char *service = next_word(&rest);
	if (!service || *rest)
		return -2;
	return incident_pin(inc, service, on, me, err);
}

static int c_pin(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	return pin_words(inc, rest, true, me, err);
}

static int c_unpin(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	return pin_words(inc, rest, false, me, err);
}

/* The verbs, in the order the help line lists them: a run that returns
 * -2 was given the wrong words, and "NAME SYNOPSIS (HELP)" is the answer. */
static const struct command_verb {
	const char *name, *alias, *synopsis, *help;
	int (*run)(struct incident *inc, char *rest, const struct actor *me, struct error *err);
} verbs[] = {
	{ "declare", NULL, "SEV TITLE", "SEV0..SEV3; when unsure, the higher", c_declare },
	{ "sev", "severity", "SEV [REASON]", "lowering needs a reason", c_sev },
	{ "role", NULL, "ROLE [WHO]", "commander, deputy, scribe or comms; no WHO: you", c_role },
	{ "resolve", NULL, "REASON", NULL, c_resolve },
	{ "timecheck", NULL, "on [10m]|off", "the interval 1m at least", c_timecheck },
	{ "every", NULL, "30m", "how often stakeholder updates are due", c_every },
	{ "note", NULL, "TEXT", NULL, c_note },
	{ "update", NULL, "TEXT", NULL, c_update },
	{ "rollback", NULL, "ENDPOINT REASON", "to its last known-good", c_rollback },
	{ "weight", NULL, "ENDPOINT D=P... REASON", "the percents add up to 100", c_weight },
	{ "tick", NULL, "RUNBOOK STEP", NULL, c_tick },
	{ "pin", NULL, "SERVICE", "its SLOs first in SLO BURN, on every console", c_pin },
	{ "unpin", NULL, "SERVICE", NULL, c_unpin },
	{ "alerts", NULL, "MATCHER...|config", "this console's alert filter; config: the config's again", c_alerts },
	{ "silence", NULL, "MATCHER... DURATION REASON, extend ID DURATION REASON, expire ID REASON",
	  "Alertmanager matchers such as alertname=\"X\"", c_silence },
};

#define N_VERBS (sizeof verbs / sizeof verbs[0])

void command_help(char *buf, size_t size)
{
	size_t len = 0;
	*buf = '\0';
	for (size_t i = 0; i < N_VERBS && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s %s", i ? " | " : "", verbs[i].name,
					verbs[i].synopsis);
}

static int run(struct incident *inc, char *rest, const struct actor *me, struct error *err)
{
	char help[512];
	const char *verb = next_word(&rest);
	for (size_t i = 0; verb && i < N_VERBS; i++) {
		const struct command_verb *v = &verbs[i];
		if (strcmp(verb, v->name) != 0 && !(v->alias && strcmp(verb, v->alias) == 0))
			continue;
		int rc = v->run(inc, rest, me, err);
		if (rc != -2)
			return rc;
		return error_usage(err, "%s %s%s%s%s", v->name, v->synopsis, v->help ? " (" : "", v->help ? v->help : "",
				   v->help ? ")" : "");
	}
	command_help(help, sizeof help);
	if (!verb)
		return error_usage(err, "type a command: %s", help);
	return error_usage(err, "unknown command '%s': %s", verb, help);
}

int incident_command(struct incident *inc, const char *line, const struct actor *actor, struct error *err)
{
	char *copy = xstrdup(line);
	int rc = run(inc, copy, actor, err);
	free(copy);
	return rc;
}
