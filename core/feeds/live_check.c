/* `cmdr config check --online`: every SLO and canary query run once
 * against its source, each failure named with its engine's message. */
#include "live.h"
#include "live_impl.h"


#include "prom.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

/* ---- sources ----------------------------------------------------------- */

void live_check_response(struct live *l, struct live_req *r, const struct http_response *resp)
{
	struct live_check *c = &l->checks[r->i];
	const struct live_source *s = &l->sources[c->src];
	struct error err;
	c->answered = true;
	if (resp->status == 0) {
		live_set_error(c->error, sizeof c->error, s->cfg->name, "%s", resp->error);
		return;
	}
	if (live_engine(s->cfg)->check(resp, c->one_number, &c->no_data, &err) != 0)
		live_set_error(c->error, sizeof c->error, s->cfg->name, "%s", err.msg);
}

/* ---- cmdr config check --online ------------------------------------------ */

static void check_add(struct live *l, const struct live_source *src, const char *what, const char *tmpl,
		      const char *window, int64_t window_ms, const char *endpoint, const char *deployment,
		      bool one_number, int64_t now)
{
	l->checks = xrealloc(l->checks, (l->n_checks + 1) * sizeof *l->checks);
	struct live_check *c = &l->checks[l->n_checks++];
	*c = (struct live_check){ .what = xstrdup(what), .src = (size_t)(src - l->sources),
				  .one_number = one_number, .start_ms = now - window_ms, .end_ms = now };
	struct error err;
	/* A name the console would refuse to put in a query is refused here
	 * too, with its words. */
	if (deployment && !live_safe_name(deployment)) {
		c->sent = c->answered = true;
		live_set_error(c->error, sizeof c->error, src->cfg->name, "deployment name %s", LIVE_UNSAFE_NAME);
		return;
	}
	c->query = live_expand(tmpl, window, endpoint, deployment, &err);
	if (!c->query) {
		c->sent = c->answered = true;
		snprintf(c->error, sizeof c->error, "%s", err.msg);
	}
}

/* Every query of the config, with the window the console would use first:
 * an SLO's 5m, a canary's own window. */
static void check_collect(struct live *l, int64_t now)
{
	char what[400];
	for (size_t i = 0; i < l->n_slos; i++) {
		const struct config_slo *c = l->slos[i].cfg;
		const char *names[] = { "error_query", "good_query", "total_query", "query" };
		const char *queries[] = { c->error_query, c->good_query, c->total_query, c->query };
		for (int k = 0; k < 4; k++) {
			if (!queries[k])
				continue;
			snprintf(what, sizeof what, "slo \"%s\" %s", c->name, names[k]);
			check_add(l, l->slos[i].src, what, queries[k], "5m", 300000, c->endpoint, NULL, k < 3, now);
		}
	}
	for (size_t i = 0; i < l->n_canaries; i++) {
		const struct live_canary *lc = &l->canaries[i];
		const struct config_canary *c = lc->cfg;
		char window[32];
		prom_duration(c->window_ms, window, sizeof window);
		/* Without a deployment in the config, a name that matches
		 * nothing: the query is still parsed and run. A compare canary's
		 * named baseline is read too (one found by traffic is not known
		 * here, and the canary's reads already parsed its queries). */
		const char *deps[2] = { c->deployment ? c->deployment : "cmdr-config-check",
					c->judge == JUDGE_COMPARE ? c->baseline : NULL };
		size_t nq = c->query ? 1 : c->n_queries;
		for (int side = 0; side < 2 && deps[side]; side++) {
			for (size_t q = 0; q < nq; q++) {
				snprintf(what, sizeof what, "canary %s %s%s", c->endpoint,
					 c->query ? "query" : c->queries[q].column, side ? " (the baseline's read)" : "");
				check_add(l, lc->src, what, c->query ? c->query : c->queries[q].query, window,
					  c->window_ms, c->endpoint, deps[side], false, now);
			}
		}
	}
}

static bool check_send(struct live *l)
{
	bool waiting = false;
	for (size_t i = 0; i < l->n_checks; i++) {
		struct live_check *c = &l->checks[i];
		waiting |= !c->answered;
		if (c->sent)
			continue;
		const char *why;
		if (!live_source_ready(l, c->src, &why)) {
			if (why) {
				c->sent = c->answered = true;
				snprintf(c->error, sizeof c->error, "%s", why);
			}
			continue;
		}
		c->sent = true;
		struct live_req *r = xcalloc(1, sizeof *r);
		*r = (struct live_req){ .l = l, .kind = REQ_CHECK, .i = i, .start_ms = c->start_ms, .end_ms = c->end_ms };
		live_send_query(&l->sources[c->src], r, c->query, 0);
	}
	return waiting;
}

size_t live_check(struct incident *inc, int64_t timeout_ms, live_check_fn report_fn, void *ctx)
{
	struct live *l = live_of(inc);
	if (!l)
		return 0;
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	/* The discovered SLOs first: their queries are the discovery's. */
	live_discover_step(l, inc->now);
	while (live_discover_busy(l) && clock_monotonic_ms() < deadline) {
		incident_wait(inc, NULL, 0, 200);
		live_discover_step(l, inc->now);
	}
	size_t failed = 0;
	for (size_t si = 0; si < l->n_sources; si++) {
		const struct live_discover *d = &l->disc[si];
		char what[200];
		snprintf(what, sizeof what, "source \"%s\" discovery", l->sources[si].cfg->name);
		if (d->out || *d->error) {
			report_fn(ctx, what, *d->error ? d->error : "no answer in time", false);
			failed++;
		}
	}
	check_collect(l, inc->now);
	while (check_send(l) && clock_monotonic_ms() < deadline)
		incident_wait(inc, NULL, 0, 200);
	for (size_t i = 0; i < l->n_checks; i++) {
		const struct live_check *c = &l->checks[i];
		const char *error = !c->answered ? "no answer in time" : *c->error ? c->error : NULL;
		failed += error != NULL;
		report_fn(ctx, c->what, error, c->answered && c->no_data);
	}
	return failed;
}

void live_discovered(const struct incident *inc, void (*line)(void *ctx, const char *text), void *ctx)
{
	const struct live *l = live_of(inc);
	for (size_t si = 0; l && si < l->n_sources; si++) {
		const struct slo_rules *r = &l->disc[si].found;
		for (size_t i = 0; i < r->n; i++) {
			const struct slo_rules_slo *s = &r->slos[i];
			char head[400], lacks[120] = "", period[32] = "?";
			snprintf(head, sizeof head, "%s: %s SLO \"%s\"%s%s%s", l->sources[si].cfg->name,
				 slo_rules_kind_name[s->kind], s->name, s->service ? " (service " : "",
				 s->service ? s->service : "", s->service ? ")" : "");
			if (s->skip) {
				char *text = xasprintf("%s: not shown: %s", head, s->skip);
				line(ctx, text);
				free(text);
				continue;
			}
			for (int k = 0; k <= BURN_NWINDOWS; k++)
				if (s->lacks & (1u << k))
					snprintf(lacks + strlen(lacks), sizeof lacks - strlen(lacks), "%s%s",
						 *lacks ? ", " : ", lacks ", k < BURN_NWINDOWS ? burn_window_name[k] : "period");
			timefmt_duration(s->period_ms, period, sizeof period);
			char *text = xasprintf("%s: objective %g over %s%s", head, s->objective, period, lacks);
			line(ctx, text);
			free(text);
		}
	}
}
