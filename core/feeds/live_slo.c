/* A live SLO's readings: each window's counts (and the period's), read on
 * the window's own cadence, checked for counts no source should give and
 * kept with the moment they are for; then its burn, where a reading older
 * than its cadence allows counts as no data. And the sparkline's range
 * query. Its group (live_group.c) says when a round starts and whether
 * its queries go out alone or batched with others'. */
#include "live.h"
#include "live_impl.h"

#include <math.h>
#include <stdlib.h>

#include "prom.h"
#include "xalloc.h"

/* ---- cadence ----------------------------------------------------------- */

int64_t live_window_ms(const struct live *l, const struct live_slo *ls, int k)
{
	return k < BURN_NWINDOWS ? burn_window_ms[k] : l->inc->slos[ls->idx].spec.period_ms;
}

/* The shortest window (5m) is read every refresh: the SLO's age and its
 * STALE mark are that reading's. A longer one is read again after 1/N of
 * its length (window_cadence N, 60 by default), and never more often
 * than the refresh: a reading that old
 * still shares 59/60 of its events with one taken now, and a tier over a
 * long window fires at most 1/60 of that window late. With a 30 s refresh
 * the 5m and 30m windows are read every refresh, 1h every minute, 6h
 * every 6 minutes, 3d every 72 minutes, a 30d period every 12 hours. */
int64_t live_window_every(const struct live *l, const struct live_slo *ls, int k)
{
	const struct config_source *c = ls->src->cfg;
	int64_t every = k > 0 && c->window_cadence > 0 ? live_window_ms(l, ls, k) / c->window_cadence : 0;
	return every > c->refresh_ms ? every : c->refresh_ms;
}

/* Due in the round nearest its time: rounds drift by a few milliseconds. */
bool live_window_due(const struct live *l, const struct live_slo *ls, int k, int64_t now)
{
	(void)l;
	if (ls->found && (ls->found->gone || (ls->found->lacks & (1u << k))))
		return false; /* its rules have no such window, or it is gone */
	return now + ls->src->cfg->refresh_ms / 2 >= ls->due_ms[k];
}

/* ---- answers ----------------------------------------------------------- */

/* Counts no source should give: a negative count, or more bad (or good)
 * events than events. A burn worked out from them is nonsense (errors
 * -1000 of 100: burn -9999.99, budget 10000.99), so the window's reading
 * is bad data naming the series. Counters read through increase() over
 * separate series are extrapolated separately, so in a total outage the
 * bad count can top the total by a little: up to 1% over is read as all
 * bad. */
/* An error ratio no rule should give: below 0 or above 1 (up to 1%
 * over is read as 1, as counts are). */
static bool ratio_sane(struct live_slo *ls, int k)
{
	double *v = &ls->got[k].bad;
	bool sane = !(*v < 0) && !(*v > 1.01);
	if (!sane && !ls->failed)
		live_set_error(ls->error, sizeof ls->error, ls->src->cfg->name,
			       "bad data: %s gave an error ratio of %g for %s; a ratio is between 0 and 1",
			       ls->found->metric[k], *v, ls->cfg->name);
	ls->failed |= !sane;
	if (sane && *v > 1)
		*v = 1;
	return sane;
}

static bool window_sane(struct live_slo *ls, int k)
{
	if (ls->found)
		return ratio_sane(ls, k);
	bool kql = ls->cfg->query != NULL;
	bool by_good = ls->cfg->good_query || (kql && !isnan(ls->good[k]));
	const char *total_name = kql ? "column total" : "total_query";
	const char *part_name = kql ? (by_good ? "column good" : "column bad") : by_good ? "good_query" : "error_query";
	const char *win = k < BURN_NWINDOWS ? burn_window_name[k] : "the period";
	double total = ls->got[k].total, *part = by_good ? &ls->good[k] : &ls->got[k].bad;
	const char *neg = total < 0 ? total_name : *part < 0 ? part_name : NULL;
	const char *src = ls->src->cfg->name;
	bool sane = !neg && !(*part > total * 1.01);
	if (!sane && !ls->failed && neg)
		live_set_error(ls->error, sizeof ls->error, src, "bad data: %s gave %g events over %s; a count cannot be negative",
			       neg, total < 0 ? total : *part, win);
	else if (!sane && !ls->failed)
		live_set_error(ls->error, sizeof ls->error, src, "bad data: %s gave %g events over %s, more than the %g of %s",
			       part_name, *part, win, total, total_name);
	ls->failed |= !sane;
	if (sane && *part > total)
		*part = total;
	return sane;
}

static void commit(struct live *l, struct live_slo *ls, int k)
{
	bool by_good = ls->cfg->good_query || (ls->cfg->query && !isnan(ls->good[k]));
	double total = ls->got[k].total;
	ls->w[k] = (struct burn_counts){ .bad = by_good ? total - ls->good[k] : ls->got[k].bad, .total = total,
					 .at_ms = ls->round_at };
	ls->due_ms[k] = ls->round_at + live_window_every(l, ls, k);
}

/* The burn from every window's last reading; those read longer ago than
 * their cadence allows (twice it, as for any data: data_too_old) are no
 * data. The SLO's own time is its 5m window's, read every refresh. */
static void evaluate(struct live *l, struct live_slo *ls)
{
	struct incident *inc = l->inc;
	struct burn_counts c[BURN_NWINDOWS + 1];
	for (int k = 0; k <= BURN_NWINDOWS; k++) {
		c[k] = ls->w[k];
		if (!c[k].at_ms)
			c[k].bad = c[k].total = NAN;
		else
			c[k].stale = data_too_old(c[k].at_ms, live_window_every(l, ls, k), inc->now);
	}
	incident_slo_counts(inc, ls->idx, c, &c[BURN_NWINDOWS]);
	inc->slos[ls->idx].data.at_ms = ls->w[0].at_ms;
}

/* Every window asked for has answered: those that read well are kept. */
static void slo_finish(struct live *l, struct live_slo *ls)
{
	struct data_state *d = &l->inc->slos[ls->idx].data;
	for (int k = 0; k <= BURN_NWINDOWS; k++)
		if (ls->asked[k] && !ls->window_failed[k] && window_sane(ls, k))
			commit(l, ls, k);
	evaluate(l, ls);
	if (ls->failed)
		live_report(l->inc, d, ls->error);
	else
		live_clear_error(l->inc, d);
}

static void answered(struct live *l, struct live_slo *ls)
{
	if (--ls->pending == 0)
		slo_finish(l, ls);
}

void live_slo_take(struct live *l, size_t i, int k, int which, double v)
{
	struct live_slo *ls = &l->slos[i];
	if (which == 1)
		ls->got[k].total = v;
	else if (ls->cfg->good_query)
		ls->good[k] = v;
	else
		ls->got[k].bad = v;
	answered(l, ls);
}

void live_slo_fail(struct live *l, size_t i, int k, const char *why)
{
	struct live_slo *ls = &l->slos[i];
	ls->window_failed[k] = true;
	if (!ls->failed)
		live_set_error(ls->error, sizeof ls->error, ls->src->cfg->name, "%s", why);
	ls->failed = true;
	answered(l, ls);
}

/* KQL: one query per window gives total and bad (or good). */
static int kql_counts(struct live_slo *ls, int k, const struct http_response *resp, struct error *err)
{
	double v;
	if (live_parse_number(ls->src, resp, "total", &v, err) != 0)
		return -1;
	ls->got[k].total = v;
	if (live_parse_number(ls->src, resp, "bad", &v, err) == 0) {
		ls->got[k].bad = v;
		return 0;
	}
	if (live_parse_number(ls->src, resp, "good", &v, err) == 0) {
		ls->good[k] = v;
		return 0;
	}
	return error_set(err, "the query's result has neither a \"bad\" nor a \"good\" column");
}

void live_slo_response(struct live *l, struct live_req *r, const struct http_response *resp)
{
	struct live_slo *ls = &l->slos[r->i];
	int k = r->sub / 2, which = r->sub % 2;
	struct error err;
	double v = NAN;
	if (resp->status == 0)
		live_slo_fail(l, r->i, k, resp->error);
	else if (ls->cfg->query && kql_counts(ls, k, resp, &err) == 0)
		answered(l, ls);
	else if (ls->cfg->query)
		live_slo_fail(l, r->i, k, err.msg);
	else if (live_parse_number(ls->src, resp, NULL, &v, &err) == 0)
		live_slo_take(l, r->i, k, which, v);
	else
		live_slo_fail(l, r->i, k, err.msg);
}

/* ---- the sparkline ------------------------------------------------------- */

void live_slo_set_history(struct live *l, size_t i, int64_t end_ms, const int64_t *t, const double *v, size_t n)
{
	struct incident_slo *s = &l->inc->slos[l->slos[i].idx];
	for (int p = 0; p < INCIDENT_HISTORY_N; p++)
		s->history[p] = NAN;
	for (size_t p = 0; p < n; p++) {
		int64_t back = (end_ms - t[p]) / HISTORY_STEP_MS;
		if (back < 0 || back >= INCIDENT_HISTORY_N || !isfinite(v[p]))
			continue;
		s->history[INCIDENT_HISTORY_N - 1 - back] = v[p] / (1 - s->spec.objective);
	}
	s->has_history = true;
	l->inc->generation++;
}

void live_history_response(struct live *l, struct live_req *r, const struct http_response *resp)
{
	struct live_slo *ls = &l->slos[r->i];
	ls->history_pending = false;
	int64_t *t;
	double *v;
	size_t n;
	struct error err;
	if (resp->status == 0 || live_engine(ls->src->cfg)->range(resp, &t, &v, &n, &err) != 0)
		return; /* the sparkline keeps its last shape; the windows report errors */
	live_slo_set_history(l, r->i, r->end_ms, t, v, n);
	free(t);
	free(v);
}

/* The 5m error ratio at the last ten 5-minute marks, in one range query
 * (Prometheus only). */
void live_slo_send_history(struct live *l, size_t i)
{
	struct live_slo *ls = &l->slos[i];
	const struct config_slo *c = ls->cfg;
	if (!live_engine(ls->src->cfg)->range || ls->history_pending)
		return;
	const char *endpoint = l->inc->slos[ls->idx].endpoint;
	struct error err;
	const char *ratio = c->error_query ? c->error_query : c->good_query;
	char *e = live_expand(ratio, "5m", endpoint, NULL, &err);
	char *t = live_expand(c->total_query, "5m", endpoint, NULL, &err);
	if (e && t) {
		char *q = c->error_query ? xasprintf("(%s) / (%s)", e, t) : xasprintf("1 - (%s) / (%s)", e, t);
		int64_t end = ls->round_at / HISTORY_STEP_MS * HISTORY_STEP_MS;
		struct live_req *r = live_req_new(l, REQ_HISTORY, i, 0,
						  end - (INCIDENT_HISTORY_N - 1) * HISTORY_STEP_MS, end);
		ls->history_pending = true;
		live_send_query(ls->src, r, q, HISTORY_STEP_MS);
		free(q);
	}
	free(e);
	free(t);
}

/* ---- rounds -------------------------------------------------------------- */

void live_slo_begin(struct live *l, size_t i, int64_t now, const bool due[BURN_NWINDOWS + 1])
{
	struct live_slo *ls = &l->slos[i];
	int per_window = ls->cfg->query || ls->found ? 1 : 2;
	ls->failed = false;
	*ls->error = '\0';
	ls->round_at = now;
	ls->pending = 0;
	for (int k = 0; k <= BURN_NWINDOWS; k++) {
		ls->asked[k] = due[k] && !(ls->found && (ls->found->gone || (ls->found->lacks & (1u << k))));
		ls->window_failed[k] = false;
		/* A ratio comes as bad events of 1 (burn.h: ratio_only). */
		ls->got[k] = (struct burn_counts){ .bad = NAN, .total = ls->found ? 1 : NAN };
		ls->good[k] = NAN;
		ls->pending += ls->asked[k] ? per_window : 0;
	}
}

/* One of the SLO's own queries: window k's bad (or good) events (which
 * 0) or total (1); KQL gives both at once. */
void live_slo_send_one(struct live *l, size_t i, int k, int which)
{
	struct live_slo *ls = &l->slos[i];
	const struct config_slo *c = ls->cfg;
	const char *tmpl = c->query ? c->query
			   : which == 1 ? c->total_query
			   : c->error_query ? c->error_query
					    : c->good_query;
	int64_t win = live_window_ms(l, ls, k);
	char window[32];
	prom_duration(win, window, sizeof window);
	struct live_req *r = live_req_new(l, REQ_SLO, i, k * 2 + which, ls->round_at - win, ls->round_at);
	struct error err;
	char *q = live_expand(tmpl, window, l->inc->slos[ls->idx].endpoint, NULL, &err);
	if (!q) {
		live_fail_request(r, err.msg);
		return;
	}
	live_send_query(ls->src, r, q, 0);
	free(q);
}

/* The round live_slo_begin started, with the SLO's own queries. */
void live_slo_send(struct live *l, size_t i)
{
	struct live_slo *ls = &l->slos[i];
	int per_window = ls->cfg->query ? 1 : 2;
	bool any = false;
	for (int k = 0; k <= BURN_NWINDOWS; k++) {
		for (int which = 0; ls->asked[k] && which < per_window; which++)
			live_slo_send_one(l, i, k, which);
		any |= ls->asked[k];
	}
	if (any)
		live_slo_send_history(l, i);
}
