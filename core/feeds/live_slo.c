/* A live SLO's refresh round: one count per window and the period from
 * its source, checked for counts no source should give, then its burn;
 * and the sparkline's range query. */
#include "live.h"
#include "live_impl.h"

#include <math.h>
#include <stdlib.h>

#include "prom.h"
#include "xalloc.h"

/* ---- SLOs -------------------------------------------------------------- */

/* Counts no source should give: a negative count, or more bad (or good)
 * events than events. A burn worked out from them is nonsense (errors
 * -1000 of 100: burn -9999.99, budget 10000.99), so the round is bad data
 * naming the series. Counters read through increase() over separate series
 * are extrapolated separately, so in a total outage the bad count can top
 * the total by a little: up to 1% over is read as all bad. */
static bool slo_counts_bad(struct live_slo *ls)
{
	bool kql = ls->cfg->query != NULL;
	bool by_good = ls->cfg->good_query || (kql && !isnan(ls->good[0]));
	const char *total_name = kql ? "column total" : "total_query";
	const char *part_name = kql ? (by_good ? "column good" : "column bad") : by_good ? "good_query" : "error_query";
	for (int k = 0; k <= BURN_NWINDOWS; k++) {
		const char *win = k < BURN_NWINDOWS ? burn_window_name[k] : "the period";
		double total = ls->w[k].total, *part = by_good ? &ls->good[k] : &ls->w[k].bad;
		const char *neg = total < 0 ? total_name : *part < 0 ? part_name : NULL;
		if (neg) {
			live_set_error(ls->error, sizeof ls->error, ls->src->cfg->name,
				  "bad data: %s gave %g events over %s; a count cannot be negative", neg,
				  total < 0 ? total : *part, win);
			return true;
		}
		if (*part > total * 1.01) {
			live_set_error(ls->error, sizeof ls->error, ls->src->cfg->name,
				  "bad data: %s gave %g events over %s, more than the %g of %s", part_name, *part, win,
				  total, total_name);
			return true;
		}
		if (*part > total)
			*part = total;
	}
	return false;
}

static void slo_finish(struct live *l, struct live_slo *ls)
{
	struct incident *inc = l->inc;
	struct incident_slo *s = &inc->slos[ls->idx];
	if (!ls->failed && slo_counts_bad(ls))
		ls->failed = true;
	if (ls->failed) {
		live_report(l, &s->data, ls->error);
		return;
	}
	if (ls->cfg->good_query || (ls->cfg->query && !isnan(ls->good[0]))) {
		for (int k = 0; k <= BURN_NWINDOWS; k++)
			ls->w[k].bad = ls->w[k].total - ls->good[k];
	}
	incident_slo_counts(inc, ls->idx, ls->w, &ls->w[BURN_NWINDOWS]);
	s->data.at_ms = ls->round_at;
	live_clear_error(l, &s->data);
}

void live_slo_response(struct live *l, struct live_req *r, const struct http_response *resp)
{
	struct live_slo *ls = &l->slos[r->i];
	int k = r->sub / 2, which = r->sub % 2;
	struct error err;
	double v = NAN;
	int rc = -1;
	if (resp->status == 0)
		error_set(&err, "%s", resp->error);
	else if (ls->cfg->query) {
		/* KQL: one query per window gives total and bad (or good). */
		rc = live_parse_number(ls->src, resp, "total", &v, &err);
		if (rc == 0) {
			ls->w[k].total = v;
			bool good = false;
			rc = live_parse_number(ls->src, resp, "bad", &v, &err);
			if (rc != 0) {
				rc = live_parse_number(ls->src, resp, "good", &v, &err);
				good = rc == 0;
				if (rc != 0)
					error_set(&err, "the query's result has neither a \"bad\" nor a \"good\" column");
			}
			if (good)
				ls->good[k] = v;
			else
				ls->w[k].bad = v;
		}
	} else {
		rc = live_parse_number(ls->src, resp, NULL, &v, &err);
		if (rc == 0) {
			if (which == 1)
				ls->w[k].total = v;
			else if (ls->cfg->good_query)
				ls->good[k] = v;
			else
				ls->w[k].bad = v;
		}
	}
	if (rc != 0 && !ls->failed) {
		ls->failed = true;
		live_set_error(ls->error, sizeof ls->error, ls->src->cfg->name, "%s", err.msg);
	}
	if (--ls->pending == 0)
		slo_finish(l, ls);
}

static int64_t slo_window_ms(const struct live *l, const struct live_slo *ls, int k)
{
	return k < BURN_NWINDOWS ? burn_window_ms[k] : l->inc->slos[ls->idx].spec.period_ms;
}

void live_history_response(struct live *l, struct live_req *r, const struct http_response *resp)
{
	struct live_slo *ls = &l->slos[r->i];
	struct incident_slo *s = &l->inc->slos[ls->idx];
	ls->history_pending = false;
	int64_t *t;
	double *v;
	size_t n;
	struct error err;
	if (resp->status == 0 || live_engine(ls->src->cfg)->range(resp, &t, &v, &n, &err) != 0)
		return; /* the sparkline keeps its last shape; the windows report errors */
	for (int i = 0; i < INCIDENT_HISTORY_N; i++)
		s->history[i] = NAN;
	for (size_t p = 0; p < n; p++) {
		int64_t back = (r->end_ms - t[p]) / HISTORY_STEP_MS;
		if (back < 0 || back >= INCIDENT_HISTORY_N || !isfinite(v[p]))
			continue;
		s->history[INCIDENT_HISTORY_N - 1 - back] = v[p] / (1 - s->spec.objective);
	}
	free(t);
	free(v);
	s->has_history = true;
	l->inc->generation++;
}

void live_slo_start(struct live *l, size_t i, int64_t now)
{
	struct live_slo *ls = &l->slos[i];
	const struct config_slo *c = ls->cfg;
	struct live_source *s = ls->src;
	if (ls->pending)
		return; /* the last round is still out: no pile-up behind a hung server */
	ls->failed = false;
	ls->round_at = now;
	for (int k = 0; k <= BURN_NWINDOWS; k++) {
		ls->w[k].bad = ls->w[k].total = NAN;
		ls->good[k] = NAN;
	}
	const char *endpoint = l->inc->slos[ls->idx].endpoint;
	int per_window = c->query ? 1 : 2;
	ls->pending = (BURN_NWINDOWS + 1) * per_window;
	for (int k = 0; k <= BURN_NWINDOWS; k++) {
		int64_t win = slo_window_ms(l, ls, k);
		char window[32];
		prom_duration(win, window, sizeof window);
		for (int which = 0; which < per_window; which++) {
			const char *tmpl = c->query ? c->query
					   : which == 1 ? c->total_query
					   : c->error_query ? c->error_query
							    : c->good_query;
			struct live_req *r = xcalloc(1, sizeof *r);
			*r = (struct live_req){ .l = l, .kind = REQ_SLO, .i = i, .sub = k * 2 + which,
						.start_ms = now - win, .end_ms = now };
			struct error err;
			char *q = live_expand(tmpl, window, endpoint, NULL, &err);
			if (!q) {
				live_fail_request(r, err.msg);
				continue;
			}
			live_send_query(s, r, q, 0);
			free(q);
		}
	}
	/* The sparkline: the 5m error ratio at the last ten 5-minute marks,
	 * in one range query (Prometheus only). */
	if (live_engine(s->cfg)->range && !ls->history_pending) {
		struct error err;
		const char *ratio = c->error_query ? c->error_query : c->good_query;
		char *e = live_expand(ratio, "5m", endpoint, NULL, &err);
		char *t = live_expand(c->total_query, "5m", endpoint, NULL, &err);
		if (e && t) {
			char *q = c->error_query ? xasprintf("(%s) / (%s)", e, t) : xasprintf("1 - (%s) / (%s)", e, t);
			int64_t end = now / HISTORY_STEP_MS * HISTORY_STEP_MS;
			struct live_req *r = xcalloc(1, sizeof *r);
			*r = (struct live_req){ .l = l, .kind = REQ_HISTORY, .i = i,
						.start_ms = end - (INCIDENT_HISTORY_N - 1) * HISTORY_STEP_MS, .end_ms = end };
			ls->history_pending = true;
			live_send_query(s, r, q, HISTORY_STEP_MS);
			free(q);
		}
		free(e);
		free(t);
	}
}
