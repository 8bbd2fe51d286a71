#include "live.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azauth.h"
#include "azmon.h"
#include "feed.h"
#include "clock.h"
#include "http.h"
#include "loop.h"
#include "proc.h"
#include "prom.h"
#include "sanitize.h"
#include "timefmt.h"
#include "xalloc.h"

/* After a token could not be had, queries fail with that reason for
 * this long before the next try: not a fetch per query while the identity
 * provider is down. */
#define TOKEN_HOLD_OFF_MS 30000
#define HISTORY_STEP_MS (5 * 60 * 1000)

struct live_source {
	const struct config_source *cfg;
	char **headers; /* "Name: value" lines, auth included once known */
	size_t n_headers;
	char *password;       /* basic auth */
	/* Azure tokens (azauth): had before the first request and again
	 * before they expire; a round waits for its token. */
	struct azauth *auth;
	char *token;
	bool token_pending;
	int64_t token_retry_ms; /* after a failure, not before this */
	char token_error[512];
	int64_t next_round;
};

/* One column of a canary's result table. */
struct live_canary_table {
	char **classes;
	size_t n_rows, cap_rows;
	double *v; /* n_rows x n_cols, NaN where absent */
	size_t n_cols;
};

struct live_slo {
	size_t idx; /* in inc->slos */
	const struct config_slo *cfg;
	struct live_source *src;
	int pending;
	bool failed;
	char error[512];
	int64_t round_at;
	struct burn_counts w[BURN_NWINDOWS + 1]; /* the last one is the period */
	double good[BURN_NWINDOWS + 1];
	bool history_pending;
};

struct live_canary {
	size_t idx; /* in inc->canaries */
	const struct config_canary *cfg;
	struct live_source *src;
	char **cols;       /* the table's columns: metrics, then "n" */
	size_t n_cols;
	int64_t next_end;  /* the end of the next window to judge */
	int pending;
	bool failed;
	char error[512];
	struct live_canary_table table;
};

#define ENDPOINT_REFRESH_MS 10000

struct live {
	struct feed base;
	struct incident *inc;
	const struct config *cfg;
	struct http_client *http; /* the incident loop's */
	struct live_source *sources;
	size_t n_sources;
	struct live_slo *slos;
	size_t n_slos;
	struct live_canary *canaries;
	size_t n_canaries;
	struct live_req *reqs; /* in flight: cancelled and freed with the engine */
	struct live_check *checks; /* live_check's queries */
	size_t n_checks;
};

/* One query of `cmdr config check --online`. */
struct live_check {
	char *what;      /* "slo NAME error_query" */
	char *query;     /* expanded */
	size_t src;
	bool one_number; /* an SLO window's count: several series is an error */
	int64_t start_ms, end_ms;
	bool sent, answered, no_data;
	char error[512];
};

enum req_kind { REQ_SLO, REQ_HISTORY, REQ_CANARY, REQ_CHECK };

struct live_req {
	struct live *l;
	enum req_kind kind;
	size_t i;  /* slo, canary or source index */
	int sub;   /* SLO: window*2 + (0 bad/good, 1 total); canary: column, -1 for KQL */
	int64_t start_ms, end_ms;
	struct live_req *prev, *next;
};

/* ---- sources ----------------------------------------------------------- */

static const char *default_audience(const struct config_source *s)
{
	return s->type == SOURCE_APP_INSIGHTS ? "https://api.applicationinsights.io" : "https://api.loganalytics.io";
}

static void add_header(struct live_source *s, char *line)
{
	s->headers = xrealloc(s->headers, (s->n_headers + 1) * sizeof *s->headers);
	s->headers[s->n_headers++] = line;
}

static int source_init(struct live_source *s, const struct config_source *cfg, const char *file,
		       struct loop *loop, struct error *err)
{
	memset(s, 0, sizeof *s);
	s->cfg = cfg;
	char where[128];
	snprintf(where, sizeof where, "%s: $.sources.%s.auth", file, cfg->name);
	for (size_t i = 0; i < cfg->n_headers; i++)
		add_header(s, xasprintf("%s: %s", cfg->headers[i].name, cfg->headers[i].value));
	char *secret = NULL;
	switch (cfg->auth.type) {
	case AUTH_NONE:
		break;
	case AUTH_BEARER:
	case AUTH_API_KEY:
		if (!(secret = config_secret_read(&cfg->auth.secret, where, err)))
			return -1;
		add_header(s, cfg->auth.type == AUTH_BEARER ? xasprintf("Authorization: Bearer %s", secret)
							   : xasprintf("x-api-key: %s", secret));
		free(secret);
		break;
	case AUTH_BASIC:
		if (!(s->password = config_secret_read(&cfg->auth.secret, where, err)))
			return -1;
		break;
	case AUTH_CLIENT_CREDENTIALS:
	case AUTH_AZURE_CLI:
	case AUTH_MANAGED_IDENTITY: {
		struct azauth_options opt = { .timeout_ms = cfg->timeout_ms, .ca_file = cfg->ca_file,
					      .insecure = !cfg->tls_verify };
		if (!(s->auth = azauth_new(&cfg->auth, default_audience(cfg), loop, &opt, where, err)))
			return -1;
		break;
	}
	}
	return 0;
}

static void source_free(struct live_source *s)
{
	for (size_t i = 0; i < s->n_headers; i++)
		free(s->headers[i]);
	free(s->headers);
	free(s->password);
	azauth_free(s->auth);
	free(s->token);
}

/* The request every source query shares: headers, auth, limits. The
 * token header is built per request, so a refreshed token is used at once. */
static void source_request(const struct live_source *s, struct http_request *req, const char **lines,
			   char **token_line)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n_headers; i++)
		lines[n++] = s->headers[i];
	*token_line = NULL;
	if (s->token) {
		*token_line = xasprintf("Authorization: Bearer %s", s->token);
		lines[n++] = *token_line;
	}
	req->headers = lines;
	req->n_headers = n;
	req->timeout_ms = s->cfg->timeout_ms;
	req->max_bytes = (size_t)s->cfg->max_bytes;
	req->ca_file = s->cfg->ca_file;
	req->insecure = !s->cfg->tls_verify;
	if (s->cfg->auth.type == AUTH_BASIC) {
		req->user = s->cfg->auth.user;
		req->password = s->password;
	}
}

/* ---- messages ---------------------------------------------------------- */

static void set_error(char *buf, size_t size, const char *source, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void set_error(char *buf, size_t size, const char *source, const char *fmt, ...)
{
	char raw[512], clean[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	sanitize_text(raw, clean, sizeof clean);
	snprintf(buf, size, "source %.64s: %.400s", source, clean);
}

/* A failure reaches the status line when it is new, not every refresh. */
static void report(struct live *l, struct data_state *d, const char *error)
{
	struct incident *inc = l->inc;
	bool is_new = strcmp(d->error, error) != 0;
	snprintf(d->error, sizeof d->error, "%s", error);
	d->error_ms = inc->now;
	if (is_new) {
		incident_set_event(&inc->narration, inc->now, true, "%s", error);
		inc->generation++;
	}
}

static void clear_error(struct live *l, struct data_state *d)
{
	if (*d->error) {
		incident_error_cleared(l->inc, d->error);
		*d->error = '\0';
		l->inc->generation++;
	}
}

/* ---- tokens ------------------------------------------------------------ */

static void on_auth(void *arg, const char *token, const char *error)
{
	struct live_source *s = arg;
	s->token_pending = false;
	free(s->token);
	s->token = token ? xstrdup(token) : NULL;
	if (error) {
		set_error(s->token_error, sizeof s->token_error, s->cfg->name, "token: %s", error);
		s->token_retry_ms = clock_monotonic_ms() + TOKEN_HOLD_OFF_MS;
	} else {
		*s->token_error = '\0';
	}
}

/* Whether the source can send now; asks for a token when it has none
 * fresh. A source whose token cannot be had fails its queries with that
 * reason; one waiting for its token (why NULL) starts its round when the
 * token lands. */
static bool source_ready(struct live *l, size_t i, const char **why)
{
	struct live_source *s = &l->sources[i];
	*why = NULL;
	if (!s->auth)
		return true;
	bool held_off = *s->token_error && clock_monotonic_ms() < s->token_retry_ms;
	if (!s->token_pending && !held_off) {
		s->token_pending = true;
		azauth_get(s->auth, on_auth, s); /* may answer at once */
	}
	if (s->token_pending)
		return false;
	if (*s->token_error)
		*why = s->token_error;
	return !*s->token_error;
}

/* A request that has answered (or never went out) leaves the in-flight list. */
static void req_done(struct live_req *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else if (r->l->reqs == r)
		r->l->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	free(r);
}

/* Every request goes out through here, so that live_free can cancel it. */
static void req_start(struct live_req *r, const struct http_request *req, http_done_fn done)
{
	r->next = r->l->reqs;
	if (r->l->reqs)
		r->l->reqs->prev = r;
	r->l->reqs = r;
	http_start(r->l->http, req, done, r);
}

/* ---- queries ----------------------------------------------------------- */

static char *expand(const char *tmpl, const char *window, const char *endpoint, const char *deployment,
		    struct error *err)
{
	const char *names[] = { "window", "endpoint", "deployment" };
	const char *values[] = { window, endpoint ? endpoint : "", deployment ? deployment : "" };
	return prom_expand(tmpl, names, values, 3, err);
}

static void on_response(void *arg, const struct http_response *resp);

/* A query that could not even be sent fails as a transfer would. */
static void fail_request(struct live_req *r, const char *why)
{
	struct http_response fail = { 0 };
	snprintf(fail.error, sizeof fail.error, "%s", why);
	on_response(r, &fail);
}

/* Sends one query of the source: an instant PromQL query at end_ms (or a
 * range query when step_ms > 0), or KQL over [start_ms, end_ms). */
static void send_query(struct live_source *s, struct live_req *r, const char *query,
		       int64_t step_ms)
{
	const struct config_source *c = s->cfg;
	struct http_request req = { 0 };
	const char *lines[40];
	char *token_line, *url, *body = NULL;
	struct error err;
	source_request(s, &req, lines, &token_line);
	if (c->type == SOURCE_PROMETHEUS) {
		url = step_ms > 0 ? prom_range_url(c->url, query, r->start_ms, r->end_ms, step_ms, &err)
				  : prom_query_url(c->url, query, r->end_ms);
		if (!url) {
			free(token_line);
			fail_request(r, err.msg);
			return;
		}
	} else {
		url = azmon_query_url(c->type == SOURCE_APP_INSIGHTS, c->url ? c->url : default_audience(c),
				      c->type == SOURCE_APP_INSIGHTS ? c->app : c->workspace);
		body = azmon_query_body(query, r->start_ms, r->end_ms);
		lines[req.n_headers++] = "Content-Type: application/json";
		req.body = body;
		req.body_len = strlen(body);
	}
	req.url = url;
	req_start(r, &req, on_response);
	free(url);
	free(body);
	free(token_line);
}

/* A single number from a query's answer: NaN when there was none (empty
 * result, NaN or Inf): no data is never 0. Several series are an error: the
 * query was meant to be aggregated to one number, and which of them to
 * believe is not cmdr's guess. */
static int parse_number(const struct live_source *s, const struct http_response *resp, const char *column,
			double *out, struct error *err)
{
	*out = NAN;
	if (s->cfg->type == SOURCE_PROMETHEUS) {
		struct prom_result pr;
		if (prom_parse(resp->status, resp->content_type, resp->body, resp->len, &pr, err) != 0)
			return -1;
		if (pr.n_series > 1) {
			size_t n = pr.n_series;
			prom_result_free(&pr);
			return error_set(err, "the query gave %zu series, not one number: aggregate it (sum, max ...)", n);
		}
		double v;
		if (prom_single_value(&pr, &v) && isfinite(v))
			*out = v;
		prom_result_free(&pr);
		return 0;
	}
	struct kql_result kr;
	if (azmon_parse(resp->status, resp->content_type, resp->body, resp->len, &kr, err) != 0)
		return -1;
	if (kr.n_tables > 0 && kr.tables[0].n_rows > 0) {
		const struct kql_table *t = &kr.tables[0];
		int col = kql_column(t, column);
		double v;
		if (col < 0) {
			kql_result_free(&kr);
			return error_set(err, "the query's result has no column \"%s\"", column);
		}
		if (kql_cell_number(&t->cells[col], &v) && isfinite(v))
			*out = v;
	}
	kql_result_free(&kr);
	return 0;
}

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
			set_error(ls->error, sizeof ls->error, ls->src->cfg->name,
				  "bad data: %s gave %g events over %s; a count cannot be negative", neg,
				  total < 0 ? total : *part, win);
			return true;
		}
		if (*part > total * 1.01) {
			set_error(ls->error, sizeof ls->error, ls->src->cfg->name,
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
		report(l, &s->data, ls->error);
		return;
	}
	if (ls->cfg->good_query || (ls->cfg->query && !isnan(ls->good[0]))) {
		for (int k = 0; k <= BURN_NWINDOWS; k++)
			ls->w[k].bad = ls->w[k].total - ls->good[k];
	}
	incident_slo_counts(inc, ls->idx, ls->w, &ls->w[BURN_NWINDOWS]);
	s->data.at_ms = ls->round_at;
	clear_error(l, &s->data);
}

static void slo_response(struct live *l, struct live_req *r, const struct http_response *resp)
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
		rc = parse_number(ls->src, resp, "total", &v, &err);
		if (rc == 0) {
			ls->w[k].total = v;
			bool good = false;
			rc = parse_number(ls->src, resp, "bad", &v, &err);
			if (rc != 0) {
				rc = parse_number(ls->src, resp, "good", &v, &err);
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
		rc = parse_number(ls->src, resp, NULL, &v, &err);
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
		set_error(ls->error, sizeof ls->error, ls->src->cfg->name, "%s", err.msg);
	}
	if (--ls->pending == 0)
		slo_finish(l, ls);
}

static int64_t slo_window_ms(const struct live *l, const struct live_slo *ls, int k)
{
	return k < BURN_NWINDOWS ? burn_window_ms[k] : l->inc->slos[ls->idx].spec.period_ms;
}

static void history_response(struct live *l, struct live_req *r, const struct http_response *resp)
{
	struct live_slo *ls = &l->slos[r->i];
	struct incident_slo *s = &l->inc->slos[ls->idx];
	ls->history_pending = false;
	struct prom_result pr;
	struct error err;
	if (resp->status == 0 || prom_parse(resp->status, resp->content_type, resp->body, resp->len, &pr, &err) != 0)
		return; /* the sparkline keeps its last shape; the windows report errors */
	for (int i = 0; i < INCIDENT_HISTORY_N; i++)
		s->history[i] = NAN;
	if (pr.n_series == 1) {
		const struct prom_series *ser = &pr.series[0];
		for (size_t p = 0; p < ser->n_points; p++) {
			int64_t back = (r->end_ms - ser->t_ms[p]) / HISTORY_STEP_MS;
			if (back < 0 || back >= INCIDENT_HISTORY_N || !isfinite(ser->v[p]))
				continue;
			s->history[INCIDENT_HISTORY_N - 1 - back] = ser->v[p] / (1 - s->spec.objective);
		}
	}
	s->has_history = true;
	l->inc->generation++;
	prom_result_free(&pr);
}

static void slo_start(struct live *l, size_t i, int64_t now)
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
			char *q = expand(tmpl, window, endpoint, NULL, &err);
			if (!q) {
				fail_request(r, err.msg);
				continue;
			}
			send_query(s, r, q, 0);
			free(q);
		}
	}
	/* The sparkline: the 5m error ratio at the last ten 5-minute marks,
	 * in one range query (Prometheus only). */
	if (s->cfg->type == SOURCE_PROMETHEUS && !ls->history_pending) {
		struct error err;
		const char *ratio = c->error_query ? c->error_query : c->good_query;
		char *e = expand(ratio, "5m", endpoint, NULL, &err);
		char *t = expand(c->total_query, "5m", endpoint, NULL, &err);
		if (e && t) {
			char *q = c->error_query ? xasprintf("(%s) / (%s)", e, t) : xasprintf("1 - (%s) / (%s)", e, t);
			int64_t end = now / HISTORY_STEP_MS * HISTORY_STEP_MS;
			struct live_req *r = xcalloc(1, sizeof *r);
			*r = (struct live_req){ .l = l, .kind = REQ_HISTORY, .i = i,
						.start_ms = end - (INCIDENT_HISTORY_N - 1) * HISTORY_STEP_MS, .end_ms = end };
			ls->history_pending = true;
			send_query(s, r, q, HISTORY_STEP_MS);
			free(q);
		}
		free(e);
		free(t);
	}
}

/* ---- canaries ---------------------------------------------------------- */

static bool safe_name(const char *s)
{
	if (!*s || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') || ('0' <= *s && *s <= '9') ||
		      strchr("._:-", *s)))
			return false;
	return true;
}

static void table_clear(struct live_canary_table *t)
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

static int canary_col(const struct live_canary *lc, const char *name)
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

static int canary_fill(struct live_canary *lc, int col, const struct http_response *resp, struct error *err)
{
	struct live_canary_table *t = &lc->table;
	if (lc->src->cfg->type == SOURCE_PROMETHEUS) {
		struct prom_result pr;
		if (prom_parse(resp->status, resp->content_type, resp->body, resp->len, &pr, err) != 0)
			return -1;
		for (size_t i = 0; i < pr.n_series; i++) {
			const struct prom_series *s = &pr.series[i];
			const char *cls = prom_label(s, "class");
			if (!cls || s->n_points == 0 || !class_judged(lc, cls))
				continue;
			size_t row = table_row(t, cls); /* may move t->v */
			t->v[row * t->n_cols + (size_t)col] = s->v[s->n_points - 1];
		}
		prom_result_free(&pr);
		return 0;
	}
	struct kql_result kr;
	if (azmon_parse(resp->status, resp->content_type, resp->body, resp->len, &kr, err) != 0)
		return -1;
	int rc = 0;
	if (kr.n_tables > 0) {
		const struct kql_table *kt = &kr.tables[0];
		int ccls = kql_column(kt, "class");
		if (ccls < 0) {
			rc = error_set(err, "the canary query's result has no column \"class\"");
		} else {
			for (size_t row = 0; row < kt->n_rows; row++) {
				const struct kql_cell *cells = &kt->cells[row * kt->n_cols];
				if (cells[ccls].type != KQL_STRING || !class_judged(lc, cells[ccls].str))
					continue;
				size_t tr = table_row(t, cells[ccls].str);
				for (size_t c = 0; c < lc->n_cols; c++) {
					int kc = kql_column(kt, lc->cols[c]);
					double v;
					if (kc >= 0 && kql_cell_number(&cells[kc], &v))
						t->v[tr * t->n_cols + c] = v;
				}
			}
		}
	}
	kql_result_free(&kr);
	return rc;
}

static void canary_finish(struct live *l, struct live_canary *lc, int64_t start, int64_t end)
{
	struct incident *inc = l->inc;
	struct incident_canary *ic = &inc->canaries[lc->idx];
	const struct canary_spec *spec = &ic->canary.spec;
	struct canary_obs *obs = xcalloc(spec->n_thresholds + 1, sizeof *obs);
	size_t n = 0;
	int ncol = canary_col(lc, "n");
	/* A source that failed gives no observation: the window is
	 * inconclusive, never a pass or a fail. */
	for (size_t i = 0; !lc->failed && i < spec->n_thresholds; i++) {
		const struct canary_threshold *th = &spec->thresholds[i];
		int col = canary_col(lc, th->metric);
		for (size_t row = 0; col >= 0 && row < lc->table.n_rows; row++) {
			if (strcmp(lc->table.classes[row], th->class_name) != 0)
				continue;
			double v = lc->table.v[row * lc->table.n_cols + (size_t)col];
			double cnt = ncol >= 0 ? lc->table.v[row * lc->table.n_cols + (size_t)ncol] : NAN;
			if (!isfinite(v) || !isfinite(cnt) || cnt < 1)
				continue;
			obs[n++] = (struct canary_obs){ .class_name = th->class_name, .metric = th->metric,
							.value = v, .n = cnt > 1e9 ? 1000000000 : (int)cnt };
		}
	}
	incident_canary_window(inc, lc->idx, start, end, obs, n);
	free(obs);
	if (lc->failed) {
		report(l, &ic->data, lc->error);
	} else {
		ic->data.at_ms = end;
		clear_error(l, &ic->data);
	}
	table_clear(&lc->table);
}

static void canary_response(struct live *l, struct live_req *r, const struct http_response *resp)
{
	struct live_canary *lc = &l->canaries[r->i];
	struct error err;
	int rc = -1;
	if (resp->status == 0)
		error_set(&err, "%s", resp->error);
	else
		rc = canary_fill(lc, r->sub < 0 ? 0 : r->sub, resp, &err);
	if (rc != 0 && !lc->failed) {
		lc->failed = true;
		set_error(lc->error, sizeof lc->error, lc->src->cfg->name, "%s", err.msg);
	}
	if (--lc->pending == 0)
		canary_finish(l, lc, r->start_ms, r->end_ms);
}

/* The deployment under watch: the configured one, else the endpoint's
 * canary as its target reports it. NULL when there is none. */
static const char *canary_deployment(const struct live *l, const struct live_canary *lc)
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

static void canary_start(struct live *l, size_t i, int64_t now)
{
	struct live_canary *lc = &l->canaries[i];
	const struct config_canary *c = lc->cfg;
	struct incident_canary *ic = &l->inc->canaries[lc->idx];
	canary_name(l, lc);
	if (lc->pending || now < lc->next_end + c->lag_ms)
		return;
	const char *dep = canary_deployment(l, lc);
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
	if (!source_ready(l, si, &why)) {
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
	lc->failed = false;
	table_clear(&lc->table);
	lc->table.n_cols = lc->n_cols;
	if (why || !safe_name(dep)) {
		lc->failed = true;
		if (why)
			snprintf(lc->error, sizeof lc->error, "%s", why);
		else
			set_error(lc->error, sizeof lc->error, lc->src->cfg->name,
				  "deployment name not safe to put in a query: only letters, digits and ._:- are");
		canary_finish(l, lc, start, end);
		return;
	}
	char window[32];
	prom_duration(c->window_ms, window, sizeof window);
	size_t nq = c->query ? 1 : c->n_queries;
	lc->pending = (int)nq;
	for (size_t q = 0; q < nq; q++) {
		const char *tmpl = c->query ? c->query : c->queries[q].query;
		struct live_req *r = xcalloc(1, sizeof *r);
		*r = (struct live_req){ .l = l, .kind = REQ_CANARY, .i = i,
					.sub = c->query ? -1 : canary_col(lc, c->queries[q].column),
					.start_ms = start, .end_ms = end };
		struct error err;
		char *text = expand(tmpl, window, c->endpoint, dep, &err);
		if (!text) {
			fail_request(r, err.msg);
			continue;
		}
		send_query(lc->src, r, text, 0);
		free(text);
	}
}

static void check_response(struct live *l, struct live_req *r, const struct http_response *resp)
{
	struct live_check *c = &l->checks[r->i];
	const struct live_source *s = &l->sources[c->src];
	struct error err;
	c->answered = true;
	if (resp->status == 0) {
		set_error(c->error, sizeof c->error, s->cfg->name, "%s", resp->error);
		return;
	}
	if (s->cfg->type == SOURCE_PROMETHEUS) {
		struct prom_result pr;
		if (prom_parse(resp->status, resp->content_type, resp->body, resp->len, &pr, &err) != 0) {
			set_error(c->error, sizeof c->error, s->cfg->name, "%s", err.msg);
			return;
		}
		c->no_data = pr.n_series == 0;
		if (c->one_number && pr.n_series > 1)
			set_error(c->error, sizeof c->error, s->cfg->name,
				  "the query gave %zu series, not one number: aggregate it (sum, max ...)", pr.n_series);
		prom_result_free(&pr);
		return;
	}
	struct kql_result kr;
	if (azmon_parse(resp->status, resp->content_type, resp->body, resp->len, &kr, &err) != 0) {
		set_error(c->error, sizeof c->error, s->cfg->name, "%s", err.msg);
		return;
	}
	c->no_data = kr.n_tables == 0 || kr.tables[0].n_rows == 0;
	kql_result_free(&kr);
}

static void on_response(void *arg, const struct http_response *resp)
{
	struct live_req *r = arg;
	switch (r->kind) {
	case REQ_SLO:
		slo_response(r->l, r, resp);
		break;
	case REQ_HISTORY:
		history_response(r->l, r, resp);
		break;
	case REQ_CANARY:
		canary_response(r->l, r, resp);
		break;
	case REQ_CHECK:
		check_response(r->l, r, resp);
		break;
	}
	req_done(r);
}

/* ---- the engine -------------------------------------------------------- */

static struct live_source *find_source(struct live *l, const char *name)
{
	for (size_t i = 0; i < l->n_sources; i++)
		if (strcmp(l->sources[i].cfg->name, name) == 0)
			return &l->sources[i];
	return NULL;
}

static void live_free(struct live *l);
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

static struct live *live_of(const struct incident *inc)
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
	for (size_t i = 0; i < cfg->n_sources; i++, l->n_sources++) {
		if (source_init(&l->sources[i], &cfg->sources[i], file, inc->loop, err) != 0) {
			source_free(&l->sources[i]);
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
		l->slos[i] = (struct live_slo){ .idx = idx, .cfg = c, .src = src };
	}
	l->n_slos = cfg->n_slos;
	l->canaries = xcalloc(cfg->n_canaries + 1, sizeof *l->canaries);
	for (size_t i = 0; i < cfg->n_canaries; i++) {
		const struct config_canary *c = &cfg->canaries[i];
		struct canary_spec spec = {
			.endpoint = xstrdup(c->endpoint),
			.deployment = xstrdup(c->deployment ? c->deployment : "?"),
			.window_ms = c->window_ms, .min_samples = c->min_samples,
			.failure_limit = c->failure_limit, .on_failure = c->on_failure,
			.thresholds = xcalloc(c->n_thresholds + 1, sizeof *spec.thresholds),
			.n_thresholds = c->n_thresholds,
		};
		for (size_t k = 0; k < c->n_thresholds; k++)
			spec.thresholds[k] = (struct canary_threshold){ xstrdup(c->thresholds[k].class_name),
									xstrdup(c->thresholds[k].metric),
									c->thresholds[k].min };
		struct data_state data = { .live = true, .refresh_ms = c->window_ms };
		struct live_canary *lc = &l->canaries[i];
		*lc = (struct live_canary){ .idx = incident_add_canary(inc, &spec, &data), .cfg = c,
					    .src = find_source(l, c->source) };
		/* Columns: every metric the thresholds name, then the sample count. */
		lc->cols = xcalloc(c->n_thresholds + 2, sizeof *lc->cols);
		for (size_t k = 0; k < c->n_thresholds; k++)
			if (canary_col(lc, c->thresholds[k].metric) < 0)
				lc->cols[lc->n_cols++] = c->thresholds[k].metric;
		lc->cols[lc->n_cols++] = "n";
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

static void live_free(struct live *l)
{
	while (l->reqs) {
		http_cancel(l->http, l->reqs);
		req_done(l->reqs);
	}
	for (size_t i = 0; i < l->n_checks; i++) {
		free(l->checks[i].what);
		free(l->checks[i].query);
	}
	free(l->checks);
	for (size_t i = 0; i < l->n_sources; i++)
		source_free(&l->sources[i]);
	free(l->sources);
	free(l->slos);
	for (size_t i = 0; i < l->n_canaries; i++) {
		table_clear(&l->canaries[i].table);
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
	for (size_t i = 0; i < l->n_sources; i++) {
		struct live_source *s = &l->sources[i];
		if (now < s->next_round)
			continue;
		const char *why;
		bool ready = source_ready(l, i, &why);
		if (!ready && !why)
			continue; /* a token is on its way: the round starts when it lands */
		s->next_round = now + s->cfg->refresh_ms;
		for (size_t k = 0; k < l->n_slos; k++) {
			if (l->slos[k].src != s)
				continue;
			if (ready)
				slo_start(l, k, now);
			else
				report(l, &l->inc->slos[l->slos[k].idx].data, why);
		}
	}
	for (size_t i = 0; i < l->n_canaries; i++)
		canary_start(l, i, now);
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
	return false;
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
			if (lc->pending || (inc->now >= lc->next_end + lc->cfg->lag_ms && canary_deployment(l, lc)))
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
	for (size_t i = 0; i < l->n_slos; i++) {
		const struct data_state *d = &inc->slos[l->slos[i].idx].data;
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
	c->query = expand(tmpl, window, endpoint, deployment, &err);
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
		 * nothing: the query is still parsed and run. */
		const char *dep = c->deployment ? c->deployment : "cmdr-config-check";
		size_t nq = c->query ? 1 : c->n_queries;
		for (size_t q = 0; q < nq; q++) {
			snprintf(what, sizeof what, "canary %s %s", c->endpoint,
				 c->query ? "query" : c->queries[q].column);
			check_add(l, lc->src, what, c->query ? c->query : c->queries[q].query, window, c->window_ms,
				  c->endpoint, dep, false, now);
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
		if (!source_ready(l, c->src, &why)) {
			if (why) {
				c->sent = c->answered = true;
				snprintf(c->error, sizeof c->error, "%s", why);
			}
			continue;
		}
		c->sent = true;
		struct live_req *r = xcalloc(1, sizeof *r);
		*r = (struct live_req){ .l = l, .kind = REQ_CHECK, .i = i, .start_ms = c->start_ms, .end_ms = c->end_ms };
		send_query(&l->sources[c->src], r, c->query, 0);
	}
	return waiting;
}

size_t live_check(struct incident *inc, int64_t timeout_ms, live_check_fn report_fn, void *ctx)
{
	struct live *l = live_of(inc);
	if (!l)
		return 0;
	check_collect(l, inc->now);
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	while (check_send(l) && clock_monotonic_ms() < deadline)
		incident_wait(inc, NULL, 0, 200);
	size_t failed = 0;
	for (size_t i = 0; i < l->n_checks; i++) {
		const struct live_check *c = &l->checks[i];
		const char *error = !c->answered ? "no answer in time" : *c->error ? c->error : NULL;
		failed += error != NULL;
		report_fn(ctx, c->what, error, c->answered && c->no_data);
	}
	return failed;
}
