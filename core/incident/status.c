#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "redact.h"
#include "sanitize.h"
#include "timefmt.h"
#include "xalloc.h"

void status_add_data(cJSON *o, const struct data_state *d, int64_t now)
{
	if (!d->live)
		return;
	cJSON *dj = cJSON_AddObjectToObject(o, "data");
	if (d->at_ms) {
		json_add_time(dj, "at", d->at_ms);
		cJSON_AddNumberToObject(dj, "age_s", (double)((now - d->at_ms) / 1000));
	} else {
		cJSON_AddNullToObject(dj, "at");
		cJSON_AddNullToObject(dj, "age_s");
	}
	cJSON_AddBoolToObject(dj, "stale", data_stale(d, now));
	if (*d->error)
		cJSON_AddStringToObject(dj, "error", d->error);
	else
		cJSON_AddNullToObject(dj, "error");
}

static cJSON *endpoints_json(const struct incident *inc)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < inc->model.n_endpoints; i++) {
		const struct endpoint *ep = inc->model.endpoints[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", ep->name);
		if (ep->last_known_good)
			cJSON_AddStringToObject(o, "last_known_good", ep->last_known_good);
		else
			cJSON_AddNullToObject(o, "last_known_good");
		for (size_t k = 0; k < inc->n_targets; k++) {
			const struct incident_target *it = &inc->targets[k];
			if (strcmp(it->endpoint, ep->name) != 0)
				continue;
			cJSON_AddStringToObject(o, "target", it->target->ops->name);
			status_add_data(o, &it->data, inc->now);
		}
		cJSON *deps = cJSON_AddArrayToObject(o, "deployments");
		for (size_t k = 0; k < ep->n_deployments; k++) {
			const struct deployment *d = ep->deployments[k];
			cJSON *dj = cJSON_CreateObject();
			cJSON_AddStringToObject(dj, "name", d->name);
			cJSON_AddNumberToObject(dj, "traffic", d->traffic);
			cJSON_AddStringToObject(dj, "state", d->state);
			/* Unknown (a target that does not say) is null, not 1970. */
			if (d->created_ms)
				json_add_time(dj, "created", d->created_ms);
			else
				cJSON_AddNullToObject(dj, "created");
			cJSON_AddBoolToObject(dj, "last_known_good",
					      ep->last_known_good && strcmp(ep->last_known_good, d->name) == 0);
			cJSON_AddItemToArray(deps, dj);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* When each live figure's readings were taken: long windows are read
 * less often than short ones, so a window carries its own time, and what
 * is worked out from several readings the time of the oldest. */
static void add_at(cJSON *o, const char *key, int64_t ms)
{
	if (ms)
		json_add_time(o, key, ms);
	else
		cJSON_AddNullToObject(o, key);
}

static void add_reading_times(cJSON *o, const struct incident_slo *s, cJSON *events, cJSON *alerts)
{
	const struct burn_result *r = &s->result;
	if (!s->data.live)
		return;
	for (int w = 0; w < BURN_NWINDOWS; w++) {
		cJSON *ev = cJSON_GetObjectItem(events, burn_window_name[w]);
		add_at(ev, "at", r->windows[w].at_ms);
		cJSON_AddBoolToObject(ev, "stale", r->windows[w].stale);
	}
	for (int k = 0; k < BURN_NTIERS; k++)
		add_at(cJSON_GetArrayItem(alerts, k), "at", r->alerts[k].at_ms);
	add_at(o, "budget_at", r->budget_at_ms);
	add_at(o, "exhaustion_at", r->exhaustion_at_ms);
}

static cJSON *slos_json(const struct incident *inc)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < inc->n_slos; i++) {
		const struct incident_slo *s = &inc->slos[i];
		const struct burn_result *r = &s->result;
		char buf[16];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", s->spec.name);
		if (s->endpoint)
			cJSON_AddStringToObject(o, "endpoint", s->endpoint);
		if (s->service)
			cJSON_AddStringToObject(o, "service", s->service);
		if (s->origin)
			cJSON_AddStringToObject(o, "discovered", s->origin);
		if (s->lacks) {
			cJSON *lacks = cJSON_AddArrayToObject(o, "lacks");
			for (int w = 0; w <= BURN_NWINDOWS; w++)
				if (s->lacks & (1u << w))
					cJSON_AddItemToArray(lacks, cJSON_CreateString(w < BURN_NWINDOWS ? burn_window_name[w] : "period"));
		}
		cJSON_AddNumberToObject(o, "objective", s->spec.objective);
		timefmt_duration(s->spec.period_ms, buf, sizeof buf);
		cJSON_AddStringToObject(o, "period", buf);
		cJSON *burn = cJSON_AddObjectToObject(o, "burn_rates");
		cJSON *events = cJSON_AddObjectToObject(o, "events");
		for (int w = 0; w < BURN_NWINDOWS; w++) {
			json_add_number(burn, burn_window_name[w], r->windows[w].burn);
			cJSON *ev = cJSON_AddObjectToObject(events, burn_window_name[w]);
			json_add_number(ev, "total", r->windows[w].total);
			json_add_number(ev, "bad", r->windows[w].bad);
			cJSON_AddBoolToObject(ev, "thin", r->windows[w].thin);
			cJSON_AddBoolToObject(ev, "no_data", r->windows[w].no_data);
		}
		json_add_number(o, "budget_remaining", r->budget_remaining);
		if (r->exhaustion_ms >= 0) {
			cJSON_AddNumberToObject(o, "exhaustion_s", (double)(r->exhaustion_ms / 1000));
		} else {
			cJSON_AddNullToObject(o, "exhaustion_s");
		}
		cJSON *alerts = cJSON_AddArrayToObject(o, "alerts");
		for (int k = 0; k < BURN_NTIERS; k++) {
			const struct burn_alert *a = &r->alerts[k];
			cJSON *aj = cJSON_CreateObject();
			cJSON_AddStringToObject(aj, "severity", a->severity);
			cJSON_AddStringToObject(aj, "long", burn_window_name[a->tier->long_window]);
			cJSON_AddStringToObject(aj, "short", burn_window_name[a->tier->short_window]);
			cJSON_AddNumberToObject(aj, "factor", a->factor);
			cJSON_AddBoolToObject(aj, "reachable", a->reachable);
			cJSON_AddBoolToObject(aj, "thin", a->thin);
			cJSON_AddBoolToObject(aj, "no_data", a->no_data);
			cJSON_AddBoolToObject(aj, "firing", a->firing);
			cJSON_AddItemToArray(alerts, aj);
		}
		add_reading_times(o, s, events, alerts);
		if (s->has_history) {
			cJSON *h = cJSON_AddArrayToObject(o, "history_5m");
			for (int k = 0; k < INCIDENT_HISTORY_N; k++)
				cJSON_AddItemToArray(h, isfinite(s->history[k]) ? cJSON_CreateNumber(s->history[k])
										 : cJSON_CreateNull());
		}
		status_add_data(o, &s->data, inc->now);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* A compare canary's judge, its bound, and what the threshold rule
 * beside it would have done (and when). */
static void compare_json(cJSON *o, const struct canary *c)
{
	cJSON_AddStringToObject(o, "judge", "compare");
	evidence_add_baseline(o, c);
	cJSON_AddNumberToObject(o, "effect", c->spec.effect);
	if (!c->beside)
		return;
	bool given = c->beside_verdict == CANARY_ROLLBACK || c->beside_verdict == CANARY_PAGE;
	cJSON_AddStringToObject(o, "beside_verdict", given ? canary_verdict_name(c->beside_verdict) : "watching");
	if (given)
		json_add_time(o, "beside_at", c->windows[c->beside_window].end_ms);
	else
		cJSON_AddNullToObject(o, "beside_at");
	cJSON_AddNumberToObject(o, "beside_consecutive_failures", c->consecutive_failures);
}

/* Every check of a window: a threshold canary's own, a compare canary's
 * threshold rule beside it. */
static void add_checks(cJSON *o, const struct canary_window *w)
{
	cJSON *checks = cJSON_AddArrayToObject(o, "checks");
	for (size_t m = 0; m < w->n_checks; m++)
		cJSON_AddItemToArray(checks, evidence_check_json(&w->checks[m]));
}

/* compare: every metric against the baseline; the rule beside, apart. */
static void compare_window_json(cJSON *wj, const struct canary *c, const struct canary_window *w)
{
	cJSON *cmp = cJSON_AddArrayToObject(wj, "compare");
	for (size_t m = 0; w->cmp && m < c->spec.n_thresholds; m++)
		cJSON_AddItemToArray(cmp, evidence_compare_json(c, w, m));
	cJSON *beside = cJSON_GetObjectItemCaseSensitive(wj, "beside");
	if (beside)
		add_checks(beside, w);
}

static cJSON *canaries_json(const struct incident *inc)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < inc->n_canaries; i++) {
		const struct incident_canary *ic = &inc->canaries[i];
		const struct canary *c = &ic->canary;
		bool compare = c->spec.judge == JUDGE_COMPARE;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "endpoint", c->spec.endpoint);
		cJSON_AddStringToObject(o, "deployment", c->spec.deployment);
		cJSON_AddStringToObject(o, "verdict",
					ic->started ? canary_verdict_name(c->verdict) : "waiting");
		cJSON_AddBoolToObject(o, "stopped", ic->stopped);
		/* A compare canary's count is the threshold rule's beside it:
		 * given as that, never as the judge's. */
		if (!compare)
			cJSON_AddNumberToObject(o, "consecutive_failures", c->consecutive_failures);
		cJSON_AddNumberToObject(o, "failure_limit", c->spec.failure_limit);
		cJSON_AddStringToObject(o, "on_failure",
					c->spec.on_failure == ON_FAILURE_ROLLBACK ? "rollback" : "page");
		char *why = canary_verdict_reason(c);
		cJSON_AddStringToObject(o, "reason", why);
		free(why);
		if (compare)
			compare_json(o, c);
		status_add_data(o, &ic->data, inc->now);
		cJSON *wins = cJSON_AddArrayToObject(o, "windows");
		for (size_t k = 0; k < c->n_windows; k++) {
			const struct canary_window *w = &c->windows[k];
			cJSON *wj = evidence_window_json(c, w);
			if (compare) {
				compare_window_json(wj, c, w);
			} else {
				cJSON_AddNumberToObject(wj, "consecutive_failures", w->consecutive_failures);
				add_checks(wj, w);
			}
			cJSON_AddItemToArray(wins, wj);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *requests_json(const struct incident *inc)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < inc->n_requests; i++) {
		const struct approval_request *r = &inc->requests[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "seq", (double)r->seq);
		cJSON_AddStringToObject(o, "action", r->kind);
		cJSON_AddStringToObject(o, "endpoint", r->endpoint);
		cJSON_AddStringToObject(o, "to", r->to);
		if (*r->traffic)
			cJSON_AddStringToObject(o, "traffic", r->traffic);
		cJSON_AddStringToObject(o, "requester", r->requester);
		cJSON_AddStringToObject(o, "reason", r->reason);
		/* Past its expiry an open request is expired, whether or not a
		 * console has written so yet. */
		cJSON_AddStringToObject(o, "state", request_state_name(incident_request_state(inc, r)));
		if (r->approver)
			cJSON_AddStringToObject(o, "approver", r->approver);
		if (r->expires_ms != INT64_MAX)
			json_add_time(o, "expires", r->expires_ms);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *doubts_json(const struct incident *inc)
{
	cJSON *arr = cJSON_CreateArray();
	const struct doubt *d[64];
	size_t n = incident_in_doubt(inc, d, 64);
	for (size_t i = 0; i < n && i < 64; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "seq", (double)d[i]->seq);
		cJSON_AddStringToObject(o, "action", d[i]->kind);
		cJSON_AddStringToObject(o, "endpoint", d[i]->endpoint);
		cJSON_AddStringToObject(o, "by", d[i]->by);
		json_add_time(o, "at", d[i]->at_ms);
		cJSON_AddStringToObject(o, "asked", d[i]->traffic);
		char text[512];
		incident_doubt_text(inc, d[i], text, sizeof text);
		cJSON_AddStringToObject(o, "text", text);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *actions_json(const struct incident *inc)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < inc->n_jobs; i++) {
		const struct action_job *job = &inc->jobs[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "seq", (double)job->intent_seq);
		cJSON_AddStringToObject(o, "action", job->kind);
		cJSON_AddStringToObject(o, "endpoint", job->endpoint);
		char *s = traffic_split_format(&job->want);
		cJSON_AddStringToObject(o, "traffic", s);
		free(s);
		cJSON_AddStringToObject(o, "actor", job->actor.as_name ? job->actor.as_name : job->actor.user);
		cJSON_AddStringToObject(o, "role", role_name(job->actor.role));
		cJSON_AddStringToObject(o, "reason", job->reason);
		json_add_time(o, "started", job->started_ms);
		cJSON_AddStringToObject(o, "outcome", action_state_name(job->state));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* A moment that may not have come: null until it has. */
static void add_when(cJSON *o, const char *key, int64_t ms)
{
	if (ms)
		json_add_time(o, key, ms);
	else
		cJSON_AddNullToObject(o, key);
}

/* The declaration, roles and the stakeholder-update clock. */
static cJSON *workflow_json(const struct incident *inc)
{
	const struct workflow *w = &inc->workflow;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "declared", w->declared_at != 0);
	if (w->title)
		cJSON_AddStringToObject(o, "title", w->title);
	else
		cJSON_AddNullToObject(o, "title");
	if (w->severity == SEV_UNSET)
		cJSON_AddNullToObject(o, "severity");
	else
		cJSON_AddStringToObject(o, "severity", sev_name(w->severity));
	add_when(o, "declared_at", w->declared_at);
	if (w->declared_by)
		cJSON_AddStringToObject(o, "declared_by", w->declared_by);
	add_when(o, "resolved_at", w->resolved_at);
	if (w->resolution)
		cJSON_AddStringToObject(o, "resolution", w->resolution);
	cJSON *roles = cJSON_AddObjectToObject(o, "roles");
	for (int d = 0; d < DUTY_N; d++)
		if (w->holder[d])
			cJSON_AddStringToObject(roles, duty_name((enum duty)d), w->holder[d]);
		else
			cJSON_AddNullToObject(roles, duty_name((enum duty)d));
	cJSON *u = cJSON_AddObjectToObject(o, "update");
	int64_t due;
	enum update_state st = workflow_update_state(w, inc->now, &due);
	cJSON_AddStringToObject(u, "state", update_state_name(st));
	add_when(u, "due_at", st == UPDATE_NONE ? 0 : due);
	cJSON_AddNumberToObject(u, "every_s", (double)(w->update_every_ms / 1000));
	cJSON_AddNumberToObject(u, "posted", w->n_updates);
	add_when(u, "last_at", w->last_update_at);
	cJSON *tc = cJSON_AddObjectToObject(o, "timecheck");
	cJSON_AddBoolToObject(tc, "on", w->timecheck_every_ms > 0);
	if (w->timecheck_every_ms)
		cJSON_AddNumberToObject(tc, "every_s", (double)(w->timecheck_every_ms / 1000));
	int64_t tcheck = workflow_timecheck(w, inc->now);
	if (tcheck)
		cJSON_AddNumberToObject(tc, "showing_s", (double)(tcheck / 1000));
	cJSON_AddNumberToObject(o, "notes", w->n_notes);
	return o;
}

cJSON *status_json(const struct incident *inc)
{
	cJSON *o = cJSON_CreateObject();
	json_add_time(o, "clock", inc->now);
	cJSON_AddStringToObject(o, "mode", inc->mode == MODE_DRILL ? "drill" : "live");
	if (inc->drill_name) {
		cJSON *d = cJSON_AddObjectToObject(o, "drill");
		cJSON_AddStringToObject(d, "scenario", inc->drill_name);
		cJSON_AddStringToObject(d, "title", inc->drill_title);
		cJSON_AddNumberToObject(d, "speed", inc->clock.speed);
		cJSON_AddBoolToObject(d, "paused", inc->clock.paused);
		cJSON_AddItemToObject(d, "scorecard", scorecard_json(&inc->scorecard, inc->now));
	}
	cJSON_AddItemToObject(o, "incident", workflow_json(inc));
	cJSON_AddItemToObject(o, "endpoints", endpoints_json(inc));
	cJSON_AddItemToObject(o, "slos", slos_json(inc));
	cJSON_AddItemToObject(o, "canaries", canaries_json(inc));
	cJSON_AddItemToObject(o, "alerts", status_alerts_json(inc));
	cJSON_AddItemToObject(o, "silences", status_silences_json(inc));
	cJSON_AddItemToObject(o, "actions", actions_json(inc));
	cJSON_AddItemToObject(o, "requests", requests_json(inc));
	cJSON_AddItemToObject(o, "in_doubt", doubts_json(inc));
	cJSON *rbs = cJSON_AddArrayToObject(o, "runbooks");
	char *why = NULL;
	int suggested = incident_suggested_runbook(inc, &why);
	for (size_t i = 0; i < inc->n_runbooks; i++) {
		const struct runbook *rb = &inc->runbooks[i];
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", rb->name);
		cJSON_AddStringToObject(r, "title", rb->title);
		cJSON_AddNumberToObject(r, "steps", (double)rb->n_steps);
		size_t done = 0;
		cJSON *ticks = cJSON_AddArrayToObject(r, "ticked");
		for (size_t k = 0; k < rb->n_steps; k++) {
			const struct step_tick *t = incident_tick_of(inc, rb->name, rb->steps[k].id);
			if (!t)
				continue;
			done++;
			cJSON *tj = cJSON_CreateObject();
			cJSON_AddStringToObject(tj, "step", t->step);
			cJSON_AddStringToObject(tj, "by", t->by);
			json_add_time(tj, "at", t->at_ms);
			cJSON_AddItemToArray(ticks, tj);
		}
		cJSON_AddNumberToObject(r, "done", (double)done);
		cJSON_AddBoolToObject(r, "suggested", (int)i == suggested);
		if ((int)i == suggested)
			cJSON_AddStringToObject(r, "why", why);
		cJSON_AddItemToArray(rbs, r);
	}
	free(why);
	cJSON *rps = cJSON_AddArrayToObject(o, "runbook_problems");
	for (size_t i = 0; i < inc->n_runbook_problems; i++)
		cJSON_AddItemToArray(rps, cJSON_CreateString(inc->runbook_problems[i].text));
	cJSON *pins = cJSON_AddArrayToObject(o, "pinned");
	for (size_t i = 0; i < inc->pins.n; i++)
		cJSON_AddItemToArray(pins, cJSON_CreateString(inc->pins.pins[i].service));
	cJSON *fz = cJSON_AddObjectToObject(o, "freeze");
	cJSON_AddBoolToObject(fz, "on", inc->frozen);
	if (inc->freeze_by) {
		cJSON_AddStringToObject(fz, "by", inc->freeze_by);
		cJSON_AddStringToObject(fz, "reason", inc->freeze_reason);
		json_add_time(fz, "since", inc->freeze_at);
	}
	cJSON *j = cJSON_AddObjectToObject(o, "journal");
	if (inc->journal.path)
		cJSON_AddStringToObject(j, "path", inc->journal.path);
	else
		cJSON_AddNullToObject(j, "path");
	cJSON_AddNumberToObject(j, "entries", (double)inc->journal.entries);
	cJSON_AddStringToObject(j, "head", inc->journal.head);
	cJSON_AddBoolToObject(j, "torn", inc->journal.torn);
	/* A line over JOURNAL_LINE_MAX was not read: the state lacks it. */
	if (inc->journal.n_long) {
		cJSON *l = cJSON_AddObjectToObject(j, "long_line");
		cJSON_AddNumberToObject(l, "line", (double)inc->journal.long_line);
		cJSON_AddNumberToObject(l, "bytes", (double)inc->journal.long_len);
		cJSON_AddNumberToObject(l, "count", (double)inc->journal.n_long);
	}
	redact_json(o);
	sanitize_json(o);
	return o;
}
