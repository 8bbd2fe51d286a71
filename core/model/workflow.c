#include "workflow.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonmsg.h"
#include "timefmt.h"
#include "xalloc.h"

static const char *const sev_names[] = { "SEV0", "SEV1", "SEV2", "SEV3" };
static const char *const duty_names[DUTY_N] = { "commander", "deputy", "scribe", "comms" };

const char *sev_name(int sev)
{
	return sev >= 0 && sev <= SEV_MAX ? sev_names[sev] : "-";
}

bool sev_parse(const char *s, int *out)
{
	if (!s)
		return false;
	if (strncasecmp(s, "sev", 3) == 0)
		s += 3;
	if (s[0] < '0' || s[0] > '0' + SEV_MAX || s[1])
		return false;
	*out = s[0] - '0';
	return true;
}

const char *duty_name(enum duty d)
{
	return duty_names[d];
}

bool duty_parse(const char *s, enum duty *out)
{
	for (int d = 0; s && d < DUTY_N; d++)
		if (strcmp(s, duty_names[d]) == 0 || (d == DUTY_COMMANDER && strcmp(s, "ic") == 0)) {
			*out = (enum duty)d;
			return true;
		}
	return false;
}

void workflow_init(struct workflow *w)
{
	memset(w, 0, sizeof *w);
	w->severity = SEV_UNSET;
	w->update_every_ms = WORKFLOW_UPDATE_EVERY_MS;
}

void workflow_free(struct workflow *w)
{
	free(w->title);
	free(w->declared_by);
	free(w->resolved_by);
	free(w->resolution);
	free(w->last_update);
	free(w->last_update_by);
	free(w->pd_dedup_key);
	for (int d = 0; d < DUTY_N; d++)
		free(w->holder[d]);
	workflow_init(w);
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

static bool is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

/* The person an entry's actor stands for: the --as name, else the user. */
static const char *entry_person(const cJSON *e)
{
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
	const char *as = jsonmsg_str(actor, "as");
	return as ? as : jsonmsg_str(actor, "user");
}

bool workflow_apply(struct workflow *w, const cJSON *e, int64_t at)
{
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(e, "params");
	const char *who = entry_person(e);
	if (!action || !outcome || !who)
		return false;
	int sev;
	enum duty d;
	if (is(action, "declare") && is(outcome, "declared") && sev_parse(jsonmsg_str(params, "severity"), &sev) &&
	    jsonmsg_str(params, "title")) {
		set_str(&w->title, jsonmsg_str(params, "title"));
		w->severity = sev;
		w->declared_at = at;
		set_str(&w->declared_by, who);
		w->resolved_at = 0;
		return true;
	}
	if (is(action, "severity") && is(outcome, "set") && sev_parse(jsonmsg_str(params, "severity"), &sev)) {
		w->severity = sev;
		return true;
	}
	if (is(action, "resolve") && is(outcome, "resolved")) {
		w->resolved_at = at;
		set_str(&w->resolved_by, who);
		set_str(&w->resolution, jsonmsg_str(e, "reason"));
		return true;
	}
	if (is(action, "role") && is(outcome, "assigned") && duty_parse(jsonmsg_str(params, "role"), &d)) {
		set_str(&w->holder[d], jsonmsg_str(params, "person"));
		return true;
	}
	if (is(action, "update") && is(outcome, "posted")) {
		w->last_update_at = at;
		set_str(&w->last_update, jsonmsg_str(params, "text"));
		set_str(&w->last_update_by, who);
		w->n_updates++;
		return true;
	}
	if (is(action, "note") && is(outcome, "noted")) {
		w->n_notes++;
		return true;
	}
	if (is(action, "timecheck") && (is(outcome, "on") || is(outcome, "off"))) {
		int64_t every = WORKFLOW_TIMECHECK_EVERY_MS;
		const char *s = jsonmsg_str(params, "every");
		if (s && !timefmt_parse_duration(s, &every))
			every = WORKFLOW_TIMECHECK_EVERY_MS;
		w->timecheck_every_ms = is(outcome, "on") && every > 0 ? every : 0;
		return true;
	}
	if (is(action, "notify") && is(jsonmsg_str(e, "target"), "pagerduty") && is(outcome, "sent") &&
	    jsonmsg_str(params, "dedup_key") && !w->pd_dedup_key) {
		set_str(&w->pd_dedup_key, jsonmsg_str(params, "dedup_key"));
		return true;
	}
	if (is(action, "update_every") && is(outcome, "set")) {
		int64_t every;
		const char *s = jsonmsg_str(params, "every");
		if (s && timefmt_parse_duration(s, &every) && every > 0)
			w->update_every_ms = every;
		return true;
	}
	return false;
}

enum update_state workflow_update_state(const struct workflow *w, int64_t now, int64_t *due_at)
{
	*due_at = 0;
	if (!w->declared_at || w->resolved_at)
		return UPDATE_NONE;
	int64_t from = w->last_update_at > w->declared_at ? w->last_update_at : w->declared_at;
	*due_at = from + w->update_every_ms;
	int64_t warn = w->update_every_ms / 6 < WORKFLOW_UPDATE_WARN_MS ? w->update_every_ms / 6
									: WORKFLOW_UPDATE_WARN_MS;
	if (now >= *due_at)
		return UPDATE_ALARM;
	return now >= *due_at - warn ? UPDATE_WARN : UPDATE_OK;
}

const char *update_state_name(enum update_state s)
{
	static const char *const names[] = { "none", "ok", "warn", "alarm" };
	return names[s];
}

int64_t workflow_timecheck(const struct workflow *w, int64_t now)
{
	if (!w->timecheck_every_ms || !w->declared_at || w->resolved_at || now < w->declared_at)
		return 0;
	int64_t since = now - w->declared_at;
	int64_t k = since / w->timecheck_every_ms;
	if (k == 0 || since - k * w->timecheck_every_ms >= WORKFLOW_TIMECHECK_SHOW_MS)
		return 0;
	return k * w->timecheck_every_ms;
}
