/* A live canary's windows: each closed window (plus its lag) queried per
 * metric, the answers gathered into a class x metric table, judged by
 * the canary's gate. A compare canary's queries run twice a window, for
 * the canary and for its baseline, each into its own table. */
#include "live.h"
#include "live_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "xalloc.h"

/* ---- canaries ---------------------------------------------------------- */

bool live_safe_name(const char *s)
{
	if (!*s || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') || ('0' <= *s && *s <= '9') ||
		      strchr("._:-", *s)))
			return false;
	return true;
}

void live_table_clear(struct live_canary_table *t)
{
	for (size_t i = 0; i < t->n_rows; i++)
		free(t->classes[i]);
	free(t->classes);
	free(t->v);
	memset(t, 0, sizeof *t);
}

static size_t table_row(struct live_canary_table *t, const char *cls)
{
	for (size_t i = 0; i < t->n_rows; i++)
		if (strcmp(t->classes[i], cls) == 0)
			return i;
	xgrow(&t->classes, &t->cap_rows, t->n_rows + 1, sizeof *t->classes);
	t->classes[t->n_rows] = xstrdup(cls);
	t->v = xrealloc(t->v, (t->n_rows + 1) * t->n_cols * sizeof *t->v);
	for (size_t c = 0; c < t->n_cols; c++)
		t->v[t->n_rows * t->n_cols + c] = NAN;
	return t->n_rows++;
}

int live_canary_col(const struct live_canary *lc, const char *name)
{
	for (size_t i = 0; i < lc->n_cols; i++)
		if (strcmp(lc->cols[i], name) == 0)
			return (int)i;
	return -1;
}

/* Only the classes a threshold names are judged: the others are not kept,
 * so an answer of thousands of classes costs no table (table_row is a
 * linear search: quadratic over thousands of rows). */
static bool class_judged(const struct live_canary *lc, const char *cls)
{
	for (size_t i = 0; i < lc->cfg->n_thresholds; i++)
		if (strcmp(lc->cfg->thresholds[i].class_name, cls) == 0)
			return true;
	return false;
}

struct fill {
	struct live_canary *lc;
	struct live_canary_table *t;
	int col; /* the query's own metric, for an engine whose rows name none */
};

static void fill_row(void *ctx, const char *cls, const char *column, double v)
{
	struct fill *f = ctx;
	struct live_canary_table *t = f->t;
	int col = column ? live_canary_col(f->lc, column) : f->col;
	if (col < 0 || !class_judged(f->lc, cls))
		return;
	size_t row = table_row(t, cls); /* may move t->v */
	t->v[row * t->n_cols + (size_t)col] = v;
}

static int canary_fill(struct live_canary *lc, bool base, int col, const struct http_response *resp,
		       struct error *err)
{
	struct fill f = { lc, base ? &lc->base_table : &lc->table, col };
	return live_engine(lc->src->cfg)->rows(resp, fill_row, &f, err);
}

/* The observations a table holds, one per threshold and class row with
 * a finite value and n >= 1; sd where the source gave a finite one >= 0.
 * obs has room for n_thresholds. */
static size_t table_obs(const struct live_canary *lc, const struct live_canary_table *t, const struct canary_spec *spec,
			struct canary_obs *obs)
{
	size_t n = 0;
	int ncol = live_canary_col(lc, "n"), sdcol = live_canary_col(lc, "sd");
	for (size_t i = 0; i < spec->n_thresholds; i++) {
		const struct canary_threshold *th = &spec->thresholds[i];
		int col = live_canary_col(lc, th->metric);
		for (size_t row = 0; col >= 0 && row < t->n_rows; row++) {
			if (strcmp(t->classes[row], th->class_name) != 0)
				continue;
			const double *r = &t->v[row * t->n_cols];
			double v = r[col], cnt = ncol >= 0 ? r[ncol] : NAN, sd = sdcol >= 0 ? r[sdcol] : NAN;
			if (!isfinite(v) || !isfinite(cnt) || cnt < 1)
				continue;
			obs[n++] = (struct canary_obs){ .class_name = th->class_name, .metric = th->metric, .value = v,
							.n = cnt > 1e9 ? 1000000000 : (int)cnt, .sd = sd,
							.has_sd = isfinite(sd) && sd >= 0 };
		}
	}
	return n;
}

static void canary_finish(struct live *l, struct live_canary *lc, int64_t start, int64_t end)
{
	struct incident *inc = l->inc;
	struct incident_canary *ic = &inc->canaries[lc->idx];
	const struct canary_spec *spec = &ic->canary.spec;
	struct canary_obs *obs = xcalloc(spec->n_thresholds + 1, sizeof *obs);
	struct canary_obs *base = xcalloc(spec->n_thresholds + 1, sizeof *base);
	/* A source that failed gives no observation: the window is
	 * inconclusive, never a pass or a fail; so is a compare window whose
	 * baseline could not be read. */
	size_t n = lc->failed ? 0 : table_obs(lc, &lc->table, spec, obs);
	size_t nb = lc->failed || lc->base_failed ? 0 : table_obs(lc, &lc->base_table, spec, base);
	incident_canary_window(inc, lc->idx, start, end, obs, n, base, nb);
	free(obs);
	free(base);
	if (lc->failed) {
		live_report(l->inc, &ic->data, lc->error);
	} else if (lc->base_failed) {
		live_report(l->inc, &ic->data, lc->base_error);
	} else {
		ic->data.at_ms = end;
		live_clear_error(l->inc, &ic->data);
	}
	live_table_clear(&lc->table);
	live_table_clear(&lc->base_table);
}

void live_canary_response(struct live *l, struct live_req *r, const struct http_response *resp)
{
	struct live_canary *lc = &l->canaries[r->i];
	struct error err;
	int rc = -1;
	if (resp->status == 0)
		error_set(&err, "%s", resp->error);
	else
		rc = canary_fill(lc, r->base, r->sub < 0 ? 0 : r->sub, resp, &err);
	bool *failed = r->base ? &lc->base_failed : &lc->failed;
	if (rc != 0 && !*failed) {
		*failed = true;
		if (r->base)
			live_set_error(lc->base_error, sizeof lc->base_error, lc->src->cfg->name,
				       "the baseline's read: %s", err.msg);
		else
			live_set_error(lc->error, sizeof lc->error, lc->src->cfg->name, "%s", err.msg);
	}
	if (--lc->pending == 0)
		canary_finish(l, lc, r->start_ms, r->end_ms);
}

/* The deployment under watch: the configured one, else the endpoint's
 * canary as its target reports it. NULL when there is none. */
const char *live_canary_deployment(const struct live *l, const struct live_canary *lc)
{
	if (lc->cfg->deployment)
		return lc->cfg->deployment;
	const struct endpoint *ep = model_find_endpoint(&l->inc->model, lc->cfg->endpoint);
	const struct deployment *d = ep ? endpoint_canary(ep) : NULL;
	return d ? d->name : NULL;
}

/* Before a canary takes traffic, the one deployment of its endpoint that
 * is not the last known-good is the one it waits for: named, not "?". */
static void canary_name(struct live *l, const struct live_canary *lc)
{
	struct incident_canary *ic = &l->inc->canaries[lc->idx];
	const struct endpoint *ep = model_find_endpoint(&l->inc->model, lc->cfg->endpoint);
	if (lc->cfg->deployment || ic->started || !ep || !ep->last_known_good)
		return;
	const char *only = NULL;
	for (size_t k = 0; k < ep->n_deployments; k++) {
		if (strcmp(ep->deployments[k]->name, ep->last_known_good) == 0)
			continue;
		if (only)
			return;
		only = ep->deployments[k]->name;
	}
	if (only && strcmp(ic->canary.spec.deployment, only) != 0) {
		free(ic->canary.spec.deployment);
		ic->canary.spec.deployment = xstrdup(only);
		l->inc->generation++;
	}
}

void live_canary_start(struct live *l, size_t i, int64_t now)
{
	struct live_canary *lc = &l->canaries[i];
	const struct config_canary *c = lc->cfg;
	struct incident_canary *ic = &l->inc->canaries[lc->idx];
	canary_name(l, lc);
	if (lc->pending || now < lc->next_end + c->lag_ms)
		return;
	const char *dep = live_canary_deployment(l, lc);
	if (!dep || ic->stopped)
		return;
	if (strcmp(ic->canary.spec.deployment, dep) != 0) {
		free(ic->canary.spec.deployment);
		ic->canary.spec.deployment = xstrdup(dep);
	}
	/* In traffic, or its traffic unknown (no target reads it): judged. */
	const struct endpoint *ep = model_find_endpoint(&l->inc->model, c->endpoint);
	const struct deployment *d = ep ? endpoint_find_deployment(ep, dep) : NULL;
	if (d && d->traffic == 0)
		return;
	ic->started = true;
	ic->data.idle = false;
	const char *why;
	size_t si = (size_t)(lc->src - l->sources);
	if (!live_source_ready(l, si, &why)) {
		if (!why)
			return; /* the token is on its way */
	}
	/* Far behind (the console was suspended, the source hung): judge
	 * the last few windows, not every one missed. */
	int64_t behind = (now - c->lag_ms - lc->next_end) / c->window_ms;
	if (behind > c->failure_limit)
		lc->next_end += (behind - c->failure_limit) * c->window_ms;
	int64_t end = lc->next_end, start = end - c->window_ms;
	lc->next_end += c->window_ms;
	lc->failed = lc->base_failed = false;
	live_table_clear(&lc->table);
	live_table_clear(&lc->base_table);
	lc->table.n_cols = lc->base_table.n_cols = lc->n_cols;
	if (why || !live_safe_name(dep)) {
		lc->failed = true;
		if (why)
			snprintf(lc->error, sizeof lc->error, "%s", why);
		else
			live_set_error(lc->error, sizeof lc->error, lc->src->cfg->name,
				  "deployment name %s", LIVE_UNSAFE_NAME);
		canary_finish(l, lc, start, end);
		return;
	}
	char window[32];
	prom_duration(c->window_ms, window, sizeof window);
	/* compare: the baseline, read the same way; none known, a name not
	 * safe in a query, or the canary itself (a named baseline the target
	 * now calls the canary: no difference, never a fail) leaves its
	 * window without a baseline (inconclusive). */
	const char *base = c->judge == JUDGE_COMPARE ? incident_canary_baseline(l->inc, lc->idx) : NULL;
	const char *no_base = !base ? "no baseline: the endpoint has no other deployment with traffic; name one as \"baseline\""
			      : !live_safe_name(base) ? "the baseline's name is " LIVE_UNSAFE_NAME
			      : strcmp(base, dep) == 0 ? "the baseline is the canary itself; name another as \"baseline\""
						       : NULL;
	if (c->judge == JUDGE_COMPARE && no_base) {
		lc->base_failed = true;
		live_set_error(lc->base_error, sizeof lc->base_error, lc->src->cfg->name, "%s", no_base);
		base = NULL;
	}
	size_t nq = c->query ? 1 : c->n_queries;
	lc->pending = (int)nq * (base ? 2 : 1);
	for (int side = 0; side < (base ? 2 : 1); side++) {
		for (size_t q = 0; q < nq; q++) {
			const char *tmpl = c->query ? c->query : c->queries[q].query;
			struct live_req *r = xcalloc(1, sizeof *r);
			*r = (struct live_req){ .l = l, .kind = REQ_CANARY, .i = i,
						.sub = c->query ? -1 : live_canary_col(lc, c->queries[q].column),
						.start_ms = start, .end_ms = end, .base = side == 1 };
			struct error err;
			char *text = live_expand(tmpl, window, c->endpoint, side ? base : dep, &err);
			if (!text) {
				live_fail_request(r, err.msg);
				continue;
			}
			live_send_query(lc->src, r, text, 0);
			free(text);
		}
	}
}
