/* The live feed (core/incident/feed.h): attaches a config's sources, SLOs,
 * canaries and targets to an incident, steps them, and takes a complete
 * reading for `cmdr status`. */
#include "live.h"
#include "live_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "xalloc.h"

/* ---- the engine -------------------------------------------------------- */

static struct live_source *find_source(struct live *l, const char *name)
{
	for (size_t i = 0; i < l->n_sources; i++)
		if (strcmp(l->sources[i].cfg->name, name) == 0)
			return &l->sources[i];
	return NULL;
}

static void live_feed_free(struct feed *f);
static void live_step(struct feed *f, int64_t now);

static const struct feed_ops live_ops = {
	.name = "live",
	.step = live_step,
	.free = live_feed_free,
};

static struct live *live_new(struct incident *inc, const struct config *cfg)
{
	struct live *l = xcalloc(1, sizeof *l);
	l->base.ops = &live_ops;
	l->inc = inc;
	l->cfg = cfg;
	l->http = loop_http(inc->loop);
	return l;
}

struct live *live_of(const struct incident *inc)
{
	return (struct live *)incident_feed(inc, &live_ops);
}

bool live_attached(const struct incident *inc)
{
	return live_of(inc) != NULL;
}

static int attach_sources(struct incident *inc, const struct config *cfg, struct error *err)
{
	struct live *l = live_new(inc, cfg);
	const char *file = cfg->path ? cfg->path : "<config>";
	l->sources = xcalloc(cfg->n_sources + 1, sizeof *l->sources);
	l->disc = xcalloc(cfg->n_sources + 1, sizeof *l->disc);
	for (size_t i = 0; i < cfg->n_sources; i++, l->n_sources++) {
		if (live_source_init(&l->sources[i], &cfg->sources[i], file, inc->loop, err) != 0) {
			live_source_free(&l->sources[i]);
			live_free(l);
			return -1;
		}
	}
	for (size_t i = 0; i < cfg->n_endpoints; i++)
		if (!model_find_endpoint(&inc->model, cfg->endpoints[i].name))
			model_add_endpoint(&inc->model, cfg->endpoints[i].name);
	int64_t now = inc->now;
	l->http = loop_http(inc->loop);
	l->slos = xcalloc(cfg->n_slos + 1, sizeof *l->slos);
	for (size_t i = 0; i < cfg->n_slos; i++) {
		const struct config_slo *c = &cfg->slos[i];
		struct slo_spec spec = { .name = xstrdup(c->name), .objective = c->objective,
					 .period_ms = c->period_ms, .min_events = c->min_events,
					 .page_tiers = c->page_tiers, .page_tiers_set = c->page_tiers_set };
		struct live_source *src = find_source(l, c->source);
		struct data_state data = { .live = true, .refresh_ms = src->cfg->refresh_ms };
		size_t idx = incident_add_slo(inc, &spec, c->endpoint ? xstrdup(c->endpoint) : NULL, NULL, &data);
		inc->slos[idx].service = c->service ? xstrdup(c->service) : NULL;
		l->slos[i] = (struct live_slo){ .idx = idx, .cfg = c, .src = src };
		/* The SLO's age is its 5m window's, read every refresh or so. */
		inc->slos[idx].data.refresh_ms = live_window_every(l, &l->slos[i], 0);
	}
	l->n_slos = cfg->n_slos;
	live_groups_plan(l);
	l->canaries = xcalloc(cfg->n_canaries + 1, sizeof *l->canaries);
	for (size_t i = 0; i < cfg->n_canaries; i++) {
		const struct config_canary *c = &cfg->canaries[i];
		struct canary_spec spec = {
			.endpoint = xstrdup(c->endpoint),
			.deployment = xstrdup(c->deployment ? c->deployment : "?"),
			.window_ms = c->window_ms, .min_samples = c->min_samples,
			.failure_limit = c->failure_limit, .on_failure = c->on_failure,
			.thresholds = xcalloc(c->n_thresholds + 1, sizeof *spec.thresholds),
			.n_thresholds = c->n_thresholds, .judge = c->judge,
			.baseline = c->baseline ? xstrdup(c->baseline) : NULL, .alpha = c->alpha, .effect = c->effect,
		};
		for (size_t k = 0; k < c->n_thresholds; k++)
			spec.thresholds[k] = (struct canary_threshold){ xstrdup(c->thresholds[k].class_name),
									xstrdup(c->thresholds[k].metric),
									c->thresholds[k].min };
		struct data_state data = { .live = true, .refresh_ms = c->window_ms };
		struct live_canary *lc = &l->canaries[i];
		*lc = (struct live_canary){ .idx = incident_add_canary(inc, &spec, &data), .cfg = c,
					    .src = find_source(l, c->source) };
		/* Columns: every metric the thresholds name, then the sample
		 * count and their standard deviation (if the source gives it). */
		lc->cols = xcalloc(c->n_thresholds + 3, sizeof *lc->cols);
		for (size_t k = 0; k < c->n_thresholds; k++)
			if (live_canary_col(lc, c->thresholds[k].metric) < 0)
				lc->cols[lc->n_cols++] = c->thresholds[k].metric;
		lc->cols[lc->n_cols++] = "n";
		lc->cols[lc->n_cols++] = "sd";
		/* Windows are aligned to the epoch, so every console on the
		 * incident judges the same ones; the last failure_limit that
		 * have closed are judged at once. */
		int64_t last = (now - c->lag_ms) / c->window_ms * c->window_ms;
		lc->next_end = last - (int64_t)(c->failure_limit - 1) * c->window_ms;
	}
	l->n_canaries = cfg->n_canaries;
	incident_add_feed(inc, &l->base);
	return 0;
}

static int attach_targets(struct incident *inc, const struct config *cfg, struct error *err)
{
	size_t n = 0;
	for (size_t i = 0; i < cfg->n_endpoints; i++)
		n += cfg->endpoints[i].has_target;
	inc->targets = xcalloc(n + 1, sizeof *inc->targets);
	for (size_t i = 0; i < cfg->n_endpoints; i++) {
		const struct config_endpoint *ep = &cfg->endpoints[i];
		if (!model_find_endpoint(&inc->model, ep->name))
			model_add_endpoint(&inc->model, ep->name);
		if (!ep->has_target)
			continue;
		struct target *t = target_from_config(&ep->target, ep->name, inc->loop,
						      cfg->path ? cfg->path : "<config>", err);
		if (!t)
			return -1;
		inc->targets[inc->n_targets++] = (struct incident_target){
			.inc = inc, .endpoint = xstrdup(ep->name), .target = t,
			.data = { .live = true, .refresh_ms = ENDPOINT_REFRESH_MS },
		};
	}
	return 0;
}

int live_attach(struct incident *inc, const struct config *cfg, unsigned what, struct error *err)
{
	if ((what & LIVE_TARGETS) && attach_targets(inc, cfg, err) != 0)
		return -1;
	if (what & LIVE_SOURCES)
		return attach_sources(inc, cfg, err);
	/* Targets alone still need the engine that reads them. */
	incident_add_feed(inc, &live_new(inc, cfg)->base);
	return 0;
}

void live_free(struct live *l)
{
	while (l->reqs) {
		http_cancel(l->http, l->reqs);
		live_req_done(l->reqs);
	}
	for (size_t i = 0; i < l->n_checks; i++) {
		free(l->checks[i].what);
		free(l->checks[i].query);
	}
	free(l->checks);
	for (size_t i = 0; i < l->n_sources; i++)
		live_source_free(&l->sources[i]);
	free(l->sources);
	live_groups_free(l);
	live_discover_free(l);
	free(l->slos);
	for (size_t i = 0; i < l->n_canaries; i++) {
		live_table_clear(&l->canaries[i].table);
		live_table_clear(&l->canaries[i].base_table);
		free(l->canaries[i].cols);
	}
	free(l->canaries);
	free(l);
}

static void live_feed_free(struct feed *f)
{
	live_free((struct live *)f);
}

/* What each endpoint's target serves, every ENDPOINT_REFRESH_MS: the
 * endpoints pane and the rollback's "from" come from here. */
static void on_endpoint_read(void *arg, const char *error, const struct target_view *view)
{
	struct incident_target *it = arg;
	struct incident *inc = it->inc;
	it->reading = false;
	if (view) {
		incident_apply_view(inc, it->endpoint, view);
	} else {
		char was[sizeof it->data.error];
		snprintf(was, sizeof was, "%s", it->data.error);
		snprintf(it->data.error, sizeof it->data.error, "target %s: %s", it->endpoint, error);
		bool is_new = strcmp(was, it->data.error) != 0;
		int64_t now = clock_now(&inc->clock);
		it->data.error_ms = now > inc->now ? now : inc->now;
		if (is_new) {
			incident_set_event(&inc->narration, inc->now, true, "%s", it->data.error);
			inc->generation++;
		}
	}
}

static void read_endpoints(struct incident *inc, int64_t now)
{
	for (size_t i = 0; i < inc->n_targets; i++) {
		struct incident_target *it = &inc->targets[i];
		/* A target that cannot be read (a command target without a
		 * read command) shows no traffic. */
		if (it->reading || now < it->next_read_ms || !it->target->ops->read)
			continue;
		it->reading = true;
		it->next_read_ms = now + ENDPOINT_REFRESH_MS;
		it->target->ops->read(it->target, it->endpoint, now, on_endpoint_read, it);
	}
}

static void live_step(struct feed *f, int64_t now)
{
	struct live *l = (struct live *)f;
	read_endpoints(l->inc, now);
	live_discover_step(l, now);
	for (size_t i = 0; i < l->n_sources; i++) {
		struct live_source *s = &l->sources[i];
		if (now < s->next_round)
			continue;
		const char *why;
		bool ready = live_source_ready(l, i, &why);
		if (!ready && !why)
			continue; /* a token is on its way: the round starts when it lands */
		s->next_round = now + s->cfg->refresh_ms;
		for (size_t g = 0; g < l->n_groups; g++) {
			if (l->groups[g].src != s)
				continue;
			if (ready)
				live_group_start(l, g, now);
			for (size_t j = 0; !ready && j < l->groups[g].n_slos; j++)
				live_report(l->inc, &l->inc->slos[l->slos[l->groups[g].slos[j]].idx].data, why);
		}
	}
	for (size_t i = 0; i < l->n_canaries; i++)
		live_canary_start(l, i, now);
}

static bool busy(const struct live *l)
{
	if (loop_busy(l->inc->loop))
		return true;
	for (size_t i = 0; i < l->inc->n_targets; i++)
		if (l->inc->targets[i].reading)
			return true;
	for (size_t i = 0; i < l->n_sources; i++)
		if (l->sources[i].token_pending)
			return true;
	return live_discover_busy(l);
}

int live_snapshot(struct incident *inc, int64_t timeout_ms, struct error *err)
{
	struct live *l = live_of(inc);
	if (!l)
		return 0;
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	for (;;) {
		live_step(&l->base, inc->now);
		bool windows_due = false;
		for (size_t i = 0; i < l->n_canaries; i++) {
			const struct live_canary *lc = &l->canaries[i];
			if (lc->pending || (inc->now >= lc->next_end + lc->cfg->lag_ms && live_canary_deployment(l, lc)))
				windows_due = true;
		}
		/* Done when nothing is out and every SLO has an answer or an error. */
		bool slo_due = false;
		for (size_t i = 0; i < l->n_slos; i++) {
			const struct data_state *d = &inc->slos[l->slos[i].idx].data;
			if (l->slos[i].pending || (!d->at_ms && !*d->error))
				slo_due = true;
		}
		for (size_t i = 0; i < inc->n_targets; i++) {
			const struct data_state *d = &inc->targets[i].data;
			if (!d->at_ms && !*d->error && inc->targets[i].target->ops->read)
				slo_due = true;
		}
		if (!busy(l) && !windows_due && !slo_due)
			break;
		int64_t left = deadline - clock_monotonic_ms();
		if (left <= 0)
			break;
		incident_wait(inc, NULL, 0, left > 200 ? 200 : (int)left);
	}
	if (live_discover_error(l))
		return error_set(err, "%s", live_discover_error(l));
	for (size_t i = 0; i < l->n_slos; i++) {
		const struct data_state *d = &inc->slos[l->slos[i].idx].data;
		if (l->slos[i].found && l->slos[i].found->gone)
			continue; /* its error says it is gone; the rest are read */
		if (*d->error)
			return error_set(err, "%s", d->error);
		if (!d->at_ms)
			return error_set(err, "SLO %s: no answer within %lld ms", inc->slos[l->slos[i].idx].spec.name,
					 (long long)timeout_ms);
	}
	for (size_t i = 0; i < l->n_canaries; i++) {
		const struct data_state *d = &inc->canaries[l->canaries[i].idx].data;
		if (*d->error)
			return error_set(err, "%s", d->error);
	}
	for (size_t i = 0; i < inc->n_targets; i++) {
		const struct data_state *d = &inc->targets[i].data;
		if (*d->error)
			return error_set(err, "%s", d->error);
		if (!d->at_ms && inc->targets[i].target->ops->read)
			return error_set(err, "target %s: no answer within %lld ms", inc->targets[i].endpoint,
					 (long long)timeout_ms);
	}
	return 0;
}
