/* The live feed's sources: their headers and auth (tokens from azauth),
 * the requests every query shares, and the two engines' query URLs and
 * answers (PromQL over Prometheus' HTTP API, KQL over Azure Monitor's). */
#include "live.h"
#include "live_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "sanitize.h"
#include "xalloc.h"

/* ---- sources ----------------------------------------------------------- */

const char *live_default_audience(const struct config_source *s)
{
	return s->type == SOURCE_APP_INSIGHTS ? "https://api.applicationinsights.io" : "https://api.loganalytics.io";
}

static void add_header(struct live_source *s, char *line)
{
	s->headers = xrealloc(s->headers, (s->n_headers + 1) * sizeof *s->headers);
	s->headers[s->n_headers++] = line;
}

int live_source_init(struct live_source *s, const struct config_source *cfg, const char *file,
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
		if (!(s->auth = azauth_new(&cfg->auth, live_default_audience(cfg), loop, &opt, where, err)))
			return -1;
		break;
	}
	}
	return 0;
}

void live_source_free(struct live_source *s)
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
void live_source_request(const struct live_source *s, struct http_request *req, const char **lines,
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

void live_set_error(char *buf, size_t size, const char *source, const char *fmt, ...)
{
	char raw[512], clean[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	sanitize_text(raw, clean, sizeof clean);
	snprintf(buf, size, "source %.64s: %.400s", source, clean);
}

/* A failure reaches the event line when it is new, not every refresh.
 * The alertmanager feed's too (live_alerts.c). */
void live_report(struct incident *inc, struct data_state *d, const char *error)
{
	bool is_new = strcmp(d->error, error) != 0;
	snprintf(d->error, sizeof d->error, "%s", error);
	d->error_ms = inc->now;
	if (is_new) {
		incident_set_event(&inc->narration, inc->now, true, "%s", error);
		inc->generation++;
	}
}

void live_clear_error(struct incident *inc, struct data_state *d)
{
	if (*d->error) {
		incident_error_cleared(inc, d->error);
		*d->error = '\0';
		inc->generation++;
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
		live_set_error(s->token_error, sizeof s->token_error, s->cfg->name, "token: %s", error);
		s->token_retry_ms = clock_monotonic_ms() + TOKEN_HOLD_OFF_MS;
	} else {
		*s->token_error = '\0';
	}
}

/* Whether the source can send now; asks for a token when it has none
 * fresh. A source whose token cannot be had fails its queries with that
 * reason; one waiting for its token (why NULL) starts its round when the
 * token lands. */
bool live_source_ready(struct live *l, size_t i, const char **why)
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
void live_req_done(struct live_req *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else if (r->l->reqs == r)
		r->l->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	free(r);
}

struct live_req *live_req_new(struct live *l, enum req_kind kind, size_t i, int sub, int64_t start_ms,
			      int64_t end_ms)
{
	struct live_req *r = xcalloc(1, sizeof *r);
	*r = (struct live_req){ .l = l, .kind = kind, .i = i, .sub = sub, .start_ms = start_ms, .end_ms = end_ms };
	return r;
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

char *live_expand(const char *tmpl, const char *window, const char *endpoint, const char *deployment,
		    struct error *err)
{
	const char *names[] = { "window", "endpoint", "deployment" };
	const char *values[] = { window, endpoint ? endpoint : "", deployment ? deployment : "" };
	return prom_expand(tmpl, names, values, 3, err);
}

static void on_response(void *arg, const struct http_response *resp);

/* A query that could not even be sent fails as a transfer would. */
void live_fail_request(struct live_req *r, const char *why)
{
	struct http_response fail = { 0 };
	snprintf(fail.error, sizeof fail.error, "%s", why);
	on_response(r, &fail);
}

/* Sends one query of the source: an instant PromQL query at end_ms (or a
 * range query when step_ms > 0), or KQL over [start_ms, end_ms). */
void live_send_query(struct live_source *s, struct live_req *r, const char *query, int64_t step_ms)
{
	struct http_request req = { 0 };
	const char *lines[40];
	char *token_line, *body;
	struct error err;
	const struct live_engine *engine = live_engine(s->cfg);
	char *url = engine->url(s->cfg, query, r->start_ms, r->end_ms, step_ms, &body, &err);
	if (!url) {
		live_fail_request(r, err.msg);
		return;
	}
	live_source_request(s, &req, lines, &token_line);
	req.identity = engine->small_answers && r->kind != REQ_BATCH && r->kind != REQ_BATCH_HISTORY;
	char content_type[64];
	if (body) {
		snprintf(content_type, sizeof content_type, "Content-Type: %s", engine->body_type);
		lines[req.n_headers++] = content_type;
		req.body = body;
		req.body_len = strlen(body);
	}
	req.url = url;
	req_start(r, &req, on_response);
	free(url);
	free(body);
	free(token_line);
}

const char *live_prom_result(const struct http_response *resp, struct prom_result *pr, struct error *err)
{
	if (resp->status == 0)
		return resp->error;
	if (prom_parse(resp->status, resp->content_type, resp->body, resp->len, pr, err) != 0)
		return err->msg;
	return NULL;
}

void live_send_get(struct live_source *s, struct live_req *r, const char *url)
{
	struct http_request req = { 0 };
	const char *lines[40];
	char *token_line;
	live_source_request(s, &req, lines, &token_line);
	req.url = url;
	req_start(r, &req, on_response);
	free(token_line);
}

/* A single number from a query's answer: NaN when there was none (empty
 * result, NaN or Inf): no data is never 0. */
int live_parse_number(const struct live_source *s, const struct http_response *resp, const char *column,
		      double *out, struct error *err)
{
	*out = NAN;
	return live_engine(s->cfg)->number(resp, column, out, err);
}

static void on_response(void *arg, const struct http_response *resp)
{
	struct live_req *r = arg;
	switch (r->kind) {
	case REQ_SLO:
		live_slo_response(r->l, r, resp);
		break;
	case REQ_HISTORY:
		live_history_response(r->l, r, resp);
		break;
	case REQ_BATCH:
		live_batch_response(r->l, r, resp);
		break;
	case REQ_BATCH_HISTORY:
		live_batch_history_response(r->l, r, resp);
		break;
	case REQ_CANARY:
		live_canary_response(r->l, r, resp);
		break;
	case REQ_CHECK:
		live_check_response(r->l, r, resp);
		break;
	case REQ_DISCOVER:
		live_discover_response(r->l, r, resp);
		break;
	}
	live_req_done(r);
}
