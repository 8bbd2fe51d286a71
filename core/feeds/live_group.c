/* SLOs read together. On a Prometheus source with "batch" on (the
 * default), SLOs whose bad (or good) and total queries are both of the
 * shape core/readers/prom_shape.h reads, differ only in the value of one
 * label (the same value in both queries, and not a "__" label), count the
 * same kind of events and have the same period, form a batch: each window
 * is one query for all of them, `sum by (label)`, and each SLO takes the
 * series of its value, or no data where there is none, as its own query
 * would have given. An SLO that could join several batches joins the
 * largest. Every other SLO is a group of one and asks its own queries.
 *
 * When Prometheus refuses a batch for what it is (400 or 422: the query;
 * 414, 431: its size), the batch splits for good: its SLOs ask the
 * refused query's window with their own queries at once, and every window
 * so from then on. A batch that fails otherwise (no answer, a timeout,
 * 503) fails that window for every member, as their own queries would. */
#include "live.h"
#include "live_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "prom_shape.h"
#include "xalloc.h"

/* ---- planning ------------------------------------------------------------ */

/* One way an SLO could be read in a batch: the key every member shares,
 * and its value of the label. */
struct candidate {
	char *key;
	size_t slo, part_eq, total_eq;
	size_t count; /* SLOs with the same key */
};

struct plan {
	struct prom_shape (*shapes)[2]; /* per SLO: bad or good, total */
	bool *shaped;
	struct candidate *cands;
	size_t n_cands;
	size_t *chosen; /* per SLO: a candidate, or n_cands for none */
};

static int by_key(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : x->slo < y->slo ? -1 : x->slo > y->slo;
}

static bool may_batch(const struct live_slo *ls)
{
	const struct config_source *c = ls->src->cfg;
	return c->type == SOURCE_PROMETHEUS && c->batch && !ls->cfg->query;
}

/* The SLO's two queries, with {{window}} kept and its endpoint in. */
static bool read_shapes(struct live *l, size_t i, struct prom_shape out[2])
{
	const struct live_slo *ls = &l->slos[i];
	const struct config_slo *c = ls->cfg;
	const char *tmpl[2] = { c->error_query ? c->error_query : c->good_query, c->total_query };
	bool ok = true;
	for (int q = 0; q < 2; q++) {
		struct error err;
		char *text = live_expand(tmpl[q], "{{window}}", l->inc->slos[ls->idx].endpoint, NULL, &err);
		memset(&out[q], 0, sizeof out[q]);
		ok = ok && text && prom_shape_read(text, &out[q]);
		free(text);
	}
	if (!ok) {
		prom_shape_free(&out[0]);
		prom_shape_free(&out[1]);
	}
	return ok;
}

static void add_candidates(struct live *l, struct plan *p, size_t i)
{
	const struct live_slo *ls = &l->slos[i];
	const struct prom_shape *part = &p->shapes[i][0], *total = &p->shapes[i][1];
	for (size_t a = 0; a < part->n_eqs; a++) {
		const struct prom_eq *e = &part->eqs[a];
		for (size_t b = 0; b < total->n_eqs && strncmp(e->label, "__", 2) != 0; b++) {
			const struct prom_eq *t = &total->eqs[b];
			if (strcmp(e->label, t->label) != 0 || strcmp(e->value, t->value) != 0)
				continue;
			char *kp = prom_shape_key(part, a), *kt = prom_shape_key(total, b);
			p->cands = xrealloc(p->cands, (p->n_cands + 1) * sizeof *p->cands);
			p->cands[p->n_cands++] = (struct candidate){
				.key = xasprintf("%td\n%d\n%lld\n%s\n%s\n%s", ls->src - l->sources, ls->cfg->good_query != NULL,
						 (long long)ls->cfg->period_ms, e->label, kp, kt),
				.slo = i, .part_eq = a, .total_eq = b,
			};
			free(kp);
			free(kt);
		}
	}
}

/* Each SLO's candidate with the most SLOs behind it (the first of equals). */
static void choose(struct live *l, struct plan *p)
{
	if (p->n_cands)
		qsort(p->cands, p->n_cands, sizeof *p->cands, by_key);
	for (size_t a = 0, b; a < p->n_cands; a = b) {
		for (b = a; b < p->n_cands && strcmp(p->cands[a].key, p->cands[b].key) == 0; b++)
			;
		for (size_t k = a; k < b; k++)
			p->cands[k].count = b - a;
	}
	p->chosen = xcalloc(l->n_slos + 1, sizeof *p->chosen);
	for (size_t i = 0; i < l->n_slos; i++)
		p->chosen[i] = p->n_cands;
	for (size_t k = 0; k < p->n_cands; k++) {
		size_t *c = &p->chosen[p->cands[k].slo];
		if (*c == p->n_cands || p->cands[k].count > p->cands[*c].count)
			*c = k;
	}
}

/* The pointer lasts until the next live_group_new. */
struct live_group *live_group_new(struct live *l, struct live_source *src)
{
	if (l->n_groups == l->cap_groups) {
		l->cap_groups = l->cap_groups ? l->cap_groups * 2 : 16;
		l->groups = xrealloc(l->groups, l->cap_groups * sizeof *l->groups);
	}
	struct live_group *g = &l->groups[l->n_groups++];
	*g = (struct live_group){ .src = src };
	return g;
}

void live_group_add(struct live *l, struct live_group *g, size_t i, const char *value)
{
	g->slos = xrealloc(g->slos, (g->n_slos + 1) * sizeof *g->slos);
	g->slos[g->n_slos] = i;
	if (value) {
		g->values = xrealloc(g->values, (g->n_slos + 1) * sizeof *g->values);
		g->values[g->n_slos] = xstrdup(value);
	}
	g->n_slos++;
	l->slos[i].group = (size_t)(g - l->groups);
}

struct member {
	char *value;
	size_t slo;
};

static int by_value(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	return strcmp(x->value, y->value);
}

/* Members in value order, so that an answer's series find theirs by
 * bisection, and the batch's regex lists each value once. */
void live_group_sort(struct live_group *g)
{
	struct member *m = xcalloc(g->n_slos, sizeof *m);
	for (size_t j = 0; j < g->n_slos; j++)
		m[j] = (struct member){ g->values[j], g->slos[j] };
	qsort(m, g->n_slos, sizeof *m, by_value);
	for (size_t j = 0; j < g->n_slos; j++) {
		g->values[j] = m[j].value;
		g->slos[j] = m[j].slo;
	}
	free(m);
}

/* The batch of the candidates [a, b) (one key) that their SLOs chose. */
static void make_batch(struct live *l, struct plan *p, size_t a, size_t b, bool *placed)
{
	struct live_group *g = NULL;
	const struct candidate *first = NULL;
	for (size_t k = a; k < b; k++) {
		const struct candidate *c = &p->cands[k];
		if (p->chosen[c->slo] != k)
			continue;
		if (!g) {
			g = live_group_new(l, l->slos[c->slo].src);
			first = c;
		}
		live_group_add(l, g, c->slo, p->shapes[c->slo][0].eqs[c->part_eq].value);
		placed[c->slo] = true;
	}
	live_group_sort(g);
	g->label = xstrdup(p->shapes[first->slo][0].eqs[first->part_eq].label);
	const char *const *values = (const char *const *)g->values;
	g->query[0] = prom_shape_batch(&p->shapes[first->slo][0], first->part_eq, values, g->n_slos);
	g->query[1] = prom_shape_batch(&p->shapes[first->slo][1], first->total_eq, values, g->n_slos);
}

/* The batches, from the candidates in key order: a key that fewer than
 * two SLOs chose is no batch. */
static void make_batches(struct live *l, struct plan *p, bool *placed)
{
	for (size_t a = 0, b; a < p->n_cands; a = b) {
		size_t n = 0;
		for (b = a; b < p->n_cands && strcmp(p->cands[a].key, p->cands[b].key) == 0; b++)
			n += p->chosen[p->cands[b].slo] == b;
		if (n >= 2)
			make_batch(l, p, a, b, placed);
	}
}

void live_groups_plan(struct live *l)
{
	struct plan p = { .shapes = xcalloc(l->n_slos + 1, sizeof *p.shapes),
			  .shaped = xcalloc(l->n_slos + 1, sizeof *p.shaped) };
	for (size_t i = 0; i < l->n_slos; i++)
		if (may_batch(&l->slos[i]) && (p.shaped[i] = read_shapes(l, i, p.shapes[i])))
			add_candidates(l, &p, i);
	choose(l, &p);
	bool *placed = xcalloc(l->n_slos + 1, sizeof *placed);
	make_batches(l, &p, placed);
	for (size_t i = 0; i < l->n_slos; i++)
		if (!placed[i])
			live_group_add(l, live_group_new(l, l->slos[i].src), i, NULL);
	l->n_config_groups = l->n_groups;
	for (size_t i = 0; i < l->n_slos; i++) {
		prom_shape_free(&p.shapes[i][0]);
		prom_shape_free(&p.shapes[i][1]);
	}
	for (size_t k = 0; k < p.n_cands; k++)
		free(p.cands[k].key);
	free(p.cands);
	free(p.chosen);
	free(p.shapes);
	free(p.shaped);
	free(placed);
}

void live_groups_truncate(struct live *l, size_t n)
{
	for (size_t i = n; i < l->n_groups; i++) {
		struct live_group *g = &l->groups[i];
		for (size_t j = 0; g->values && j < g->n_slos; j++)
			free(g->values[j]);
		free(g->values);
		free(g->slos);
		free(g->label);
		free(g->query[0]);
		free(g->query[1]);
		for (int k = 0; k <= BURN_NWINDOWS; k++)
			free(g->ratio_query[k]);
	}
	if (n < l->n_groups)
		l->n_groups = n;
}

void live_groups_free(struct live *l)
{
	live_groups_truncate(l, 0);
	free(l->groups);
}

/* ---- rounds -------------------------------------------------------------- */

/* What Prometheus says of the batch itself: the query (400 bad_data, 422
 * execution) or its size (414, 431). Its members' own queries may pass. */
static bool refused(const struct http_response *resp)
{
	return resp->status == 400 || resp->status == 414 || resp->status == 422 || resp->status == 431;
}

/* A batch of discovered SLOs: one complete query per window gives
 * every member's error ratio (live_discover.c). */
static bool is_ratio(const struct live_group *g)
{
	return g->ratio_query[0] != NULL;
}

static bool busy(const struct live *l, const struct live_group *g)
{
	if (g->pending)
		return true;
	for (size_t j = 0; j < g->n_slos; j++)
		if (l->slos[g->slos[j]].pending)
			return true;
	return false;
}

static void send_batch(struct live *l, size_t gi, int k, int which)
{
	struct live_group *g = &l->groups[gi];
	const struct live_slo *first = &l->slos[g->slos[0]];
	int64_t win = live_window_ms(l, first, k), now = first->round_at;
	char window[32];
	prom_duration(win, window, sizeof window);
	struct live_req *r = live_req_new(l, REQ_BATCH, gi, k * 2 + which, now - win, now);
	g->pending++;
	struct error err;
	char *q = is_ratio(g) ? xstrdup(g->ratio_query[k]) : live_expand(g->query[which], window, NULL, NULL, &err);
	if (!q) {
		live_fail_request(r, err.msg);
		return;
	}
	live_send_query(g->src, r, q, 0);
	free(q);
}

/* The sparkline's range query for every member at once: each series is
 * one member's 5m ratio, as its own query would give it. */
static void send_batch_history(struct live *l, size_t gi)
{
	struct live_group *g = &l->groups[gi];
	if (g->history_pending)
		return;
	const struct live_slo *first = &l->slos[g->slos[0]];
	struct error err;
	char *e = is_ratio(g) ? NULL : live_expand(g->query[0], "5m", NULL, NULL, &err);
	char *t = is_ratio(g) ? NULL : live_expand(g->query[1], "5m", NULL, NULL, &err);
	if (is_ratio(g) || (e && t)) {
		char *q = is_ratio(g)		     ? xstrdup(g->ratio_query[0])
			  : first->cfg->error_query ? xasprintf("(%s) / (%s)", e, t)
						    : xasprintf("1 - (%s) / (%s)", e, t);
		int64_t end = first->round_at / HISTORY_STEP_MS * HISTORY_STEP_MS;
		struct live_req *r = live_req_new(l, REQ_BATCH_HISTORY, gi, 0,
						  end - (INCIDENT_HISTORY_N - 1) * HISTORY_STEP_MS, end);
		g->history_pending = true;
		live_send_query(g->src, r, q, HISTORY_STEP_MS);
		free(q);
	}
	free(e);
	free(t);
}

/* A round for the group: the windows due for any member, for all of them. */
void live_group_start(struct live *l, size_t gi, int64_t now)
{
	struct live_group *g = &l->groups[gi];
	if (busy(l, g))
		return; /* the last round is still out: no pile-up behind a hung server */
	bool due[BURN_NWINDOWS + 1] = { false }, any = false;
	for (size_t j = 0; j < g->n_slos; j++)
		for (int k = 0; k <= BURN_NWINDOWS; k++)
			due[k] |= live_window_due(l, &l->slos[g->slos[j]], k, now);
	for (int k = 0; k <= BURN_NWINDOWS; k++)
		any |= due[k];
	if (!any)
		return;
	for (size_t j = 0; j < g->n_slos; j++)
		live_slo_begin(l, g->slos[j], now, due);
	if (!g->label || g->split) {
		for (size_t j = 0; j < g->n_slos; j++)
			live_slo_send(l, g->slos[j]);
		return;
	}
	for (int k = 0; k <= BURN_NWINDOWS; k++)
		for (int which = 0; due[k] && which < (is_ratio(g) ? 1 : 2); which++)
			send_batch(l, gi, k, which);
	send_batch_history(l, gi);
}

/* ---- answers ------------------------------------------------------------- */

/* The members whose value is v: [*from, return). */
static size_t members_of(const struct live_group *g, const char *v, size_t *from)
{
	size_t lo = 0, hi = g->n_slos;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(g->values[mid], v) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*from = lo;
	while (hi < g->n_slos && strcmp(g->values[hi], v) == 0)
		hi++;
	return hi;
}

static void split(struct live *l, struct live_group *g, int k, int which)
{
	g->split = true;
	for (size_t j = 0; j < g->n_slos; j++)
		live_slo_send_one(l, g->slos[j], k, which);
}

void live_batch_response(struct live *l, struct live_req *r, const struct http_response *resp)
{
	struct live_group *g = &l->groups[r->i];
	int k = r->sub / 2, which = r->sub % 2;
	g->pending--;
	if (refused(resp) && !is_ratio(g)) {
		split(l, g, k, which);
		return;
	}
	struct prom_result pr;
	struct error err;
	const char *why = live_prom_result(resp, &pr, &err);
	if (why) {
		for (size_t j = 0; j < g->n_slos; j++)
			if (l->slos[g->slos[j]].asked[k])
				live_slo_fail(l, g->slos[j], k, why);
		return;
	}
	double *v = xcalloc(g->n_slos + 1, sizeof *v);
	for (size_t j = 0; j < g->n_slos; j++)
		v[j] = NAN;
	for (size_t s = 0; s < pr.n_series; s++) {
		const struct prom_series *ps = &pr.series[s];
		const char *value = prom_label(ps, g->label);
		size_t j = 0, end = value && ps->n_points ? members_of(g, value, &j) : 0;
		for (; end && j < end; j++)
			v[j] = isfinite(ps->v[ps->n_points - 1]) ? ps->v[ps->n_points - 1] : NAN;
	}
	prom_result_free(&pr);
	for (size_t j = 0; j < g->n_slos; j++)
		if (l->slos[g->slos[j]].asked[k])
			live_slo_take(l, g->slos[j], k, which, v[j]);
	free(v);
}

void live_batch_history_response(struct live *l, struct live_req *r, const struct http_response *resp)
{
	struct live_group *g = &l->groups[r->i];
	g->history_pending = false;
	struct prom_result pr;
	struct error err;
	if (refused(resp)) {
		g->split = !is_ratio(g); /* the next round asks one by one */
		return;
	}
	if (resp->status == 0 || prom_parse(resp->status, resp->content_type, resp->body, resp->len, &pr, &err) != 0)
		return; /* the sparklines keep their last shape; the windows report errors */
	bool *seen = xcalloc(g->n_slos + 1, sizeof *seen);
	for (size_t s = 0; s < pr.n_series; s++) {
		const struct prom_series *ps = &pr.series[s];
		const char *value = prom_label(ps, g->label);
		size_t j = 0, end = value ? members_of(g, value, &j) : 0;
		for (; end && j < end; j++) {
			live_slo_set_history(l, g->slos[j], r->end_ms, ps->t_ms, ps->v, ps->n_points);
			seen[j] = true;
		}
	}
	for (size_t j = 0; j < g->n_slos; j++)
		if (!seen[j])
			live_slo_set_history(l, g->slos[j], r->end_ms, NULL, NULL, 0);
	prom_result_free(&pr);
	free(seen);
}
