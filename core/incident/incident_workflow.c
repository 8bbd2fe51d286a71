/* The commander's workflow as core actions: declare, severity, roles,
 * notes, stakeholder updates, time checks, resolve. Each checks the actor,
 * refuses (journaled) what cannot be, and journals the change; the state
 * changes when the line is absorbed (core/incident/incident.c), exactly as another
 * console's line would change it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident.h"
#include "incident_impl.h"
#include "timefmt.h"
#include "xalloc.h"

#define INCIDENT_TARGET "incident"

/* Appends e (taking it) and reports a journal failure as the action's. */
static int refuse(struct incident *inc, const struct actor *actor, const char *action, const char *target,
		  const char *reason, const char *why, struct error *err)
{
	incident_journal_refusal(inc, actor, action, target, reason, why);
	return error_set(err, "%s refused: %s", action, why);
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n')
			return false;
	return true;
}

/* The checks every workflow action starts with: may this actor act, is
 * the text there, and is the incident in the state the action needs
 * (declared: 1 must be, 0 must not be, -1 either). */
static int check(struct incident *inc, const struct actor *actor, const char *action, const char *target,
		 const char *reason, const char *text, const char *text_name, int declared, struct error *err)
{
	if (incident_may_act(inc, actor, action, target, reason, err) != 0)
		return -1;
	const struct workflow *w = &inc->workflow;
	char why[256];
	if (text_name && blank(text)) {
		snprintf(why, sizeof why, "%s is required", text_name);
		return refuse(inc, actor, action, target, reason, why, err);
	}
	if (declared == 1 && !w->declared_at)
		return refuse(inc, actor, action, target, reason, "no incident is declared here yet", err);
	if (declared == 1 && w->resolved_at)
		return refuse(inc, actor, action, target, reason, "the incident is resolved", err);
	if (declared == 0 && w->declared_at && !w->resolved_at) {
		snprintf(why, sizeof why, "already declared: %s %s", sev_name(w->severity), w->title);
		return refuse(inc, actor, action, target, reason, why, err);
	}
	return 0;
}

int incident_declare(struct incident *inc, const char *title, int severity, const struct actor *actor,
		     struct error *err)
{
	if (check(inc, actor, "declare", INCIDENT_TARGET, NULL, title, "a title", 0, err) != 0)
		return -1;
	cJSON *e = incident_journal_entry(inc, actor, "declare", INCIDENT_TARGET, NULL);
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddStringToObject(params, "title", title);
	cJSON_AddStringToObject(params, "severity", sev_name(severity));
	cJSON_AddStringToObject(e, "outcome", "declared");
	return incident_record_or_fail(inc, e, "declare", err);
}

int incident_set_severity(struct incident *inc, int severity, const char *reason, const struct actor *actor,
			  struct error *err)
{
	const char *r = blank(reason) ? NULL : reason;
	if (check(inc, actor, "severity", INCIDENT_TARGET, r, NULL, NULL, 1, err) != 0)
		return -1;
	int from = inc->workflow.severity;
	if (severity == from) {
		char why[64];
		snprintf(why, sizeof why, "the severity is already %s", sev_name(from));
		return refuse(inc, actor, "severity", INCIDENT_TARGET, r, why, err);
	}
	if (severity > from && !r)
		return refuse(inc, actor, "severity", INCIDENT_TARGET, r,
			      "lowering the severity needs a reason (when unsure, keep the higher)", err);
	cJSON *e = incident_journal_entry(inc, actor, "severity", INCIDENT_TARGET, r);
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddStringToObject(params, "severity", sev_name(severity));
	cJSON_AddStringToObject(params, "from", sev_name(from));
	cJSON_AddStringToObject(e, "outcome", "set");
	return incident_record_or_fail(inc, e, "severity", err);
}

int incident_resolve(struct incident *inc, const char *reason, const struct actor *actor, struct error *err)
{
	if (check(inc, actor, "resolve", INCIDENT_TARGET, reason, reason, "a reason", 1, err) != 0)
		return -1;
	cJSON *e = incident_journal_entry(inc, actor, "resolve", INCIDENT_TARGET, reason);
	char dur[32];
	timefmt_duration(inc->now - inc->workflow.declared_at, dur, sizeof dur);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(e, "params"), "duration", dur);
	cJSON_AddStringToObject(e, "outcome", "resolved");
	return incident_record_or_fail(inc, e, "resolve", err);
}

int incident_assign_role(struct incident *inc, enum duty duty, const char *person, const struct actor *actor,
			 struct error *err)
{
	char target[32];
	snprintf(target, sizeof target, "role:%s", duty_name(duty));
	const char *who = person && !blank(person) ? person : actor_person(actor);
	if (check(inc, actor, "role", target, NULL, NULL, NULL, -1, err) != 0)
		return -1;
	const char *holder = inc->workflow.holder[duty];
	if (holder && strcmp(holder, who) == 0) {
		char why[128];
		snprintf(why, sizeof why, "%s already holds %s", who, duty_name(duty));
		return refuse(inc, actor, "role", target, NULL, why, err);
	}
	cJSON *e = incident_journal_entry(inc, actor, "role", target, NULL);
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddStringToObject(params, "role", duty_name(duty));
	cJSON_AddStringToObject(params, "person", who);
	if (holder)
		cJSON_AddStringToObject(params, "from", holder);
	cJSON_AddStringToObject(e, "outcome", "assigned");
	return incident_record_or_fail(inc, e, "role", err);
}

/* A note or an update: free text on the timeline. */
static int post_text(struct incident *inc, const char *action, const char *outcome, const char *text,
		     int declared, const struct actor *actor, struct error *err)
{
	if (check(inc, actor, action, INCIDENT_TARGET, NULL, text, "the text", declared, err) != 0)
		return -1;
	cJSON *e = incident_journal_entry(inc, actor, action, INCIDENT_TARGET, NULL);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(e, "params"), "text", text);
	cJSON_AddStringToObject(e, "outcome", outcome);
	return incident_record_or_fail(inc, e, action, err);
}

int incident_note(struct incident *inc, const char *text, const struct actor *actor, struct error *err)
{
	return post_text(inc, "note", "noted", text, -1, actor, err);
}

int incident_post_update(struct incident *inc, const char *text, const struct actor *actor, struct error *err)
{
	return post_text(inc, "update", "posted", text, 1, actor, err);
}

static int set_every(struct incident *inc, const char *action, const char *outcome, int64_t every,
		     const struct actor *actor, struct error *err)
{
	if (check(inc, actor, action, INCIDENT_TARGET, NULL, NULL, NULL, -1, err) != 0)
		return -1;
	cJSON *e = incident_journal_entry(inc, actor, action, INCIDENT_TARGET, NULL);
	if (every > 0) {
		char d[32];
		snprintf(d, sizeof d, "%llds", (long long)(every / 1000));
		cJSON_AddStringToObject(cJSON_AddObjectToObject(e, "params"), "every", d);
	}
	cJSON_AddStringToObject(e, "outcome", outcome);
	return incident_record_or_fail(inc, e, action, err);
}

int incident_set_timecheck(struct incident *inc, int64_t every, const struct actor *actor, struct error *err)
{
	return set_every(inc, "timecheck", every > 0 ? "on" : "off", every, actor, err);
}

int incident_set_update_every(struct incident *inc, int64_t every, const struct actor *actor, struct error *err)
{
	if (every < 60000)
		return error_set(err, "the update interval must be at least 1m");
	return set_every(inc, "update_every", "set", every, actor, err);
}
