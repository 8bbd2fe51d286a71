#include "drill.h"
#include "drill_alerts.h"

#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "xalloc.h"

static void drill_build_world(struct drill *d, struct incident *inc, struct scenario *sc)
{
	for (size_t i = 0; i < sc->n_endpoints; i++) {
		const struct scenario_endpoint *se = &sc->endpoints[i];
		struct endpoint *ep = model_add_endpoint(&inc->model, se->name);
		struct traffic_split split;
		traffic_split_init(&split);
		for (size_t k = 0; k < se->n_deployments; k++) {
			const struct scenario_deployment *sd = &se->deployments[k];
			endpoint_add_deployment(ep, sd->name, sd->state, sd->created_ms);
			traffic_split_set(&split, sd->name, sd->traffic);
		}
		endpoint_apply_split(ep, &split);
		traffic_split_free(&split);
	}
	/* The SLOs and canary specs move into the incident; the scenario keeps
	 * only the schedule. */
	static const struct data_state simulated = { 0 };
	for (size_t i = 0; i < sc->n_slos; i++) {
		struct scenario_slo *ss = &sc->slos[i];
		ss->spec.ratio_only = ss->origin != NULL;
		size_t idx = incident_add_slo(inc, &ss->spec, ss->endpoint, &ss->events, &simulated);
		inc->slos[idx].service = ss->service;
		inc->slos[idx].origin = ss->origin;
		inc->slos[idx].lacks = ss->lacks;
		ss->endpoint = ss->service = NULL;
	}
	d->first_canary = inc->n_canaries;
	for (size_t i = 0; i < sc->n_canaries; i++)
		incident_add_canary(inc, &sc->canaries[i].spec, &simulated);
}

int drill_load(struct incident *inc, const char *path, struct error *err)
{
	if (inc->journal.entries > 0)
		return error_set(err, "%s already holds %llu entries; a drill needs a fresh incident directory (-i DIR)",
				 inc->journal.path, (unsigned long long)inc->journal.entries);
	struct drill *d = xcalloc(1, sizeof *d);
	if (scenario_load(path, &d->scenario, err) != 0) {
		free(d);
		return -1;
	}
	struct scenario *sc = &d->scenario;
	d->next_window = xcalloc(sc->n_canaries ? sc->n_canaries : 1, sizeof *d->next_window);
	d->base.ops = &drill_ops;
	d->inc = inc;
	incident_add_feed(inc, &d->base);
	inc->drill_name = sc->name;
	inc->drill_title = sc->title;
	inc->mode = MODE_DRILL;
	clock_init_manual(&inc->clock, sc->start_ms);
	inc->now = sc->start_ms;
	drill_build_world(d, inc, sc);
	drill_alerts_attach(inc, sc);
	inc->target = target_sim_new(&inc->model, sc->target_delay_ms);

	struct actor who;
	char when[32];
	actor_from_env(&who, inc->actor.as_name, inc->actor.role, inc->actor.readonly);
	timefmt_iso(inc->now, when, sizeof when);
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "time", when);
	timefmt_iso(clock_wall_ms(), when, sizeof when);
	cJSON_AddStringToObject(e, "wall", when);
	cJSON_AddStringToObject(e, "drill", sc->name);
	cJSON_AddItemToObject(e, "actor", actor_to_json(&who));
	cJSON_AddStringToObject(e, "role", role_name(who.role));
	cJSON_AddStringToObject(e, "action", "drill_start");
	cJSON_AddStringToObject(e, "target", sc->path);
	cJSON_AddStringToObject(e, "reason", sc->title);
	/* What the scorecard holds the people to travels with the journal. */
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	timefmt_iso(sc->expect.onset_ms, when, sizeof when);
	cJSON_AddStringToObject(params, "onset", when);
	cJSON *expect = cJSON_AddObjectToObject(params, "expect");
	for (int k = 0; k < EXPECT_N; k++)
		if (sc->expect.within_ms[k] >= 0) {
			char dur[32];
			snprintf(dur, sizeof dur, "%llds", (long long)(sc->expect.within_ms[k] / 1000));
			cJSON_AddStringToObject(expect, expect_names[k], dur);
		}
	cJSON_AddStringToObject(e, "outcome", "started");
	int rc = journal_append(&inc->journal, e, err);
	cJSON_Delete(e);
	actor_free(&who);
	if (rc == 0)
		incident_advance(inc, inc->now);
	return rc;
}

static void drill_free(struct feed *f)
{
	struct drill *d = (struct drill *)f;
	scenario_free(&d->scenario);
	free(d->next_window);
	free(d);
}

static int64_t drill_next_due(const struct feed *f)
{
	const struct drill *d = (const struct drill *)f;
	int64_t due = d->next_event < d->scenario.n_events ? d->scenario.events[d->next_event].at_ms : INT64_MAX;
	for (size_t i = 0; i < d->scenario.n_canaries; i++) {
		const struct scenario_canary *sc = &d->scenario.canaries[i];
		if (d->next_window[i] < sc->n_windows && sc->windows[d->next_window[i]].at_ms < due)
			due = sc->windows[d->next_window[i]].at_ms;
	}
	return due;
}

static void drill_play_event(struct incident *inc, const struct scenario_event *ev)
{
	struct endpoint *ep = ev->endpoint ? model_find_endpoint(&inc->model, ev->endpoint) : NULL;
	struct incident_event *say = &inc->narration;
	char *s;
	switch (ev->type) {
	case SCENARIO_NOTE:
		incident_set_event(say, ev->at_ms, false, "%s", ev->text);
		break;
	case SCENARIO_DEPLOY:
		if (ep && !endpoint_find_deployment(ep, ev->deployment))
			endpoint_add_deployment(ep, ev->deployment, ev->state, ev->at_ms);
		incident_set_event(say, ev->at_ms, false, "%s created on %s%s%s", ev->deployment,
				   ev->endpoint, ev->text ? ": " : "", ev->text ? ev->text : "");
		break;
	case SCENARIO_TRAFFIC:
		if (ep)
			endpoint_apply_split(ep, &ev->traffic);
		s = traffic_split_format(&ev->traffic);
		incident_set_event(say, ev->at_ms, false, "traffic shifted on %s: %s", ev->endpoint, s);
		free(s);
		break;
	case SCENARIO_STATE: {
		struct deployment *dep = ep ? endpoint_find_deployment(ep, ev->deployment) : NULL;
		if (dep)
			endpoint_set_state(dep, ev->state);
		incident_set_event(say, ev->at_ms, false, "%s is %s", ev->deployment, ev->state);
		break;
	}
	case SCENARIO_BURST: {
		char dur[16];
		timefmt_duration(ev->duration_ms, dur, sizeof dur);
		incident_set_event(say, ev->at_ms, false, "%s: %.1f%% bad for %s", ev->slo,
				   ev->bad_ratio * 100, dur);
		break;
	}
	case SCENARIO_TARGET_FAIL:
		target_sim_set_mode(inc->target,
				    strcmp(ev->mode, "ignore") == 0 ? TARGET_SIM_IGNORE : TARGET_SIM_REJECT,
				    ev->text);
		incident_set_event(say, ev->at_ms, false, "(drill) traffic target now fails: %s", ev->mode);
		break;
	case SCENARIO_TARGET_RECOVER:
		target_sim_set_mode(inc->target, TARGET_SIM_OK, NULL);
		incident_set_event(say, ev->at_ms, false, "(drill) traffic target works again");
		break;
	}
	inc->generation++;
}

static struct canary_obs *canary_obs_of(const struct scenario_obs *o, size_t n)
{
	struct canary_obs *obs = xcalloc(n ? n : 1, sizeof *obs);
	for (size_t k = 0; k < n; k++)
		obs[k] = (struct canary_obs){ .class_name = o[k].class_name, .metric = o[k].metric,
					      .value = o[k].value, .n = o[k].n, .sd = o[k].sd, .has_sd = o[k].has_sd };
	return obs;
}

static void drill_play_window(struct drill *d, size_t i)
{
	struct incident *inc = d->inc;
	const struct scenario_canary *sc = &d->scenario.canaries[i];
	const struct scenario_canary_window *w = &sc->windows[d->next_window[i]++];
	size_t at = d->first_canary + i;
	struct canary *c = &inc->canaries[at].canary;
	/* A canary taken out of traffic has nothing left to judge. */
	if (inc->canaries[at].stopped)
		return;
	int64_t start = w->start_ms;
	if (start < 0) {
		start = w->at_ms - c->spec.window_ms;
		if (c->n_windows) {
			int64_t prev_end = c->windows[c->n_windows - 1].end_ms;
			if (prev_end > start && prev_end < w->at_ms)
				start = prev_end;
		}
	}
	struct canary_obs *obs = canary_obs_of(w->obs, w->n_obs), *base = canary_obs_of(w->base, w->n_base);
	incident_canary_window(inc, at, start, w->at_ms, obs, w->n_obs, base, w->n_base);
	free(obs);
	free(base);
}

static void drill_run_due(struct feed *f, int64_t now)
{
	struct drill *d = (struct drill *)f;
	struct scenario *sc = &d->scenario;
	while (d->next_event < sc->n_events && sc->events[d->next_event].at_ms <= now)
		drill_play_event(d->inc, &sc->events[d->next_event++]);
	for (size_t i = 0; i < sc->n_canaries; i++)
		while (d->next_window[i] < sc->canaries[i].n_windows &&
		       sc->canaries[i].windows[d->next_window[i]].at_ms <= now)
			drill_play_window(d, i);
}

const struct feed_ops drill_ops = {
	.name = "drill",
	.next_due = drill_next_due,
	.run_due = drill_run_due,
	.free = drill_free,
};

struct drill *drill_of(const struct incident *inc)
{
	return (struct drill *)incident_feed(inc, &drill_ops);
}
