/* The Azure ML managed online endpoint target, through ARM. A read is the
 * endpoint's GET and its deployments list (every page); a change is a
 * read-modify-write PUT of the endpoint (PATCH cannot change traffic),
 * refused while the endpoint is already being changed, then the
 * long-running operation followed (Azure-AsyncOperation, or Location) and
 * the endpoint read until its provisioningState is Succeeded. Each
 * request is retried on 429, 5xx and lost connections within the target's
 * timeout; the whole change within its operation_timeout. */
#include "target.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apimsg.h"
#include "azauth.h"
#include "aztoken.h"
#include "azureml.h"
#include "clock.h"
#include "config.h"
#include "http.h"
#include "loop.h"
#include "retry.h"
#include "timefmt.h"
#include "xalloc.h"

/* Polls without a Retry-After: 1 s, then doubling up to 10 s. */
#define POLL_FIRST_MS 1000
#define POLL_MAX_MS 10000
/* A Retry-After beyond this is not believed. */
#define POLL_RETRY_AFTER_MAX_S 120
#define RESPONSE_MAX (8u << 20)

enum azml_step {
	STEP_GET_ENDPOINT,
	STEP_GET_DEPLOYMENTS,
	STEP_PUT,
	STEP_POLL_ASYNC,
	STEP_POLL_LOCATION,
	STEP_POLL_ENDPOINT,
};

struct azml_target;

/* One read or one change in flight. */
struct azml_job {
	struct azml_target *t;
	struct azml_job *next;
	bool apply;
	target_read_fn read_done;
	target_apply_fn apply_done;
	void *arg;
	struct traffic_split want;
	enum azml_step step;
	/* The request being made, and its tries. */
	const char *method;
	char *url;
	char *body;
	int attempt;
	int64_t request_deadline; /* monotonic */
	/* What the waits are. */
	uint64_t timer;
	uint64_t auth_handle;
	bool http_out;
	int64_t op_deadline; /* monotonic: the change as a whole */
	int polls;
	int pages;
	/* What has been read. */
	char *endpoint_json;
	size_t endpoint_len;
	struct azureml_endpoint ep;
	bool have_ep;
	struct azureml_deployments deps;
};

struct azml_target {
	struct target base;
	const struct config_target *cfg;
	char *remote;  /* the endpoint's name in Azure ML */
	char *endpoint_url, *deployments_url;
	char *origin;  /* scheme://host[:port] of arm_url: the token goes nowhere else */
	struct loop *loop;
	struct azauth *auth;
	struct azml_job *jobs;
};

/* ---- jobs ------------------------------------------------------------------- */

static void job_free(struct azml_job *j)
{
	struct azml_target *t = j->t;
	if (j->auth_handle)
		azauth_cancel(t->auth, j->auth_handle);
	if (j->http_out)
		http_cancel(loop_http(t->loop), j);
	if (j->timer)
		loop_cancel(t->loop, j->timer);
	free(j->url);
	free(j->body);
	free(j->endpoint_json);
	traffic_split_free(&j->want);
	if (j->have_ep)
		azureml_endpoint_free(&j->ep);
	azureml_deployments_free(&j->deps);
	free(j);
}

static void job_unlink(struct azml_job *j)
{
	for (struct azml_job **p = &j->t->jobs; *p; p = &(*p)->next) {
		if (*p == j) {
			*p = j->next;
			return;
		}
	}
}

/* The end of a job: its one callback, then it is gone. */
static void job_fail(struct azml_job *j, const char *why)
{
	job_unlink(j);
	if (j->apply)
		j->apply_done(j->arg, why, NULL);
	else
		j->read_done(j->arg, why, NULL);
	job_free(j);
}

static void job_failf(struct azml_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void job_failf(struct azml_job *j, const char *fmt, ...)
{
	char raw[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	struct error err;
	apimsg_error_set(&err, "%s", raw);
	job_fail(j, err.msg);
}

static void job_applied(struct azml_job *j)
{
	job_unlink(j);
	j->apply_done(j->arg, NULL, NULL);
	job_free(j);
}

static void job_read(struct azml_job *j)
{
	struct target_view v;
	azureml_view(&j->ep, &j->deps, &v);
	job_unlink(j);
	j->read_done(j->arg, NULL, &v);
	target_view_free(&v);
	job_free(j);
}

/* ---- requests ------------------------------------------------------------------ */

static void job_issue(struct azml_job *j);
static void on_response(void *arg, const struct http_response *resp);

/* The token only ever goes to ARM itself: a status URL or next page
 * elsewhere is refused. */
static bool on_arm(const struct azml_target *t, const char *url)
{
	size_t n = strlen(t->origin);
	return strncmp(url, t->origin, n) == 0 && (url[n] == '/' || url[n] == '?' || url[n] == '\0');
}

static void on_token(void *arg, const char *token, const char *error)
{
	struct azml_job *j = arg;
	j->auth_handle = 0;
	if (error) {
		/* Not "token: ...", which the redaction takes for a secret. */
		char why[sizeof ((struct error *)0)->msg + 32];
		snprintf(why, sizeof why, "could not get a token (%s)", error);
		job_fail(j, why);
		return;
	}
	char *auth = token ? xasprintf("Authorization: Bearer %s", token) : NULL;
	const char *lines[3];
	size_t n = 0;
	lines[n++] = "Accept: application/json";
	if (auth)
		lines[n++] = auth;
	if (j->body)
		lines[n++] = "Content-Type: application/json";
	const struct config_target *cfg = j->t->cfg;
	struct http_request req = {
		.method = j->method, .url = j->url, .headers = lines, .n_headers = n,
		.body = j->body, .body_len = j->body ? strlen(j->body) : 0,
		.timeout_ms = cfg->timeout_ms, .max_bytes = RESPONSE_MAX,
	};
	j->http_out = true;
	http_start(loop_http(j->t->loop), &req, on_response, j);
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
}

/* Asks for a token, then sends; either may answer at once, so j may be
 * gone when this returns unless it says it waits. */
static void job_issue(struct azml_job *j)
{
	uint64_t h = azauth_get(j->t->auth, on_token, j);
	if (h)
		j->auth_handle = h;
}

static void on_retry_timer(void *arg)
{
	struct azml_job *j = arg;
	j->timer = 0;
	job_issue(j);
}

/* A new request: its own tries within the target's timeout. */
static void job_send(struct azml_job *j, enum azml_step step, const char *method, const char *url, char *body)
{
	j->step = step;
	j->method = method;
	free(j->url);
	j->url = xstrdup(url);
	free(j->body);
	j->body = body;
	j->attempt = 0;
	j->request_deadline = clock_monotonic_ms() + j->t->cfg->timeout_ms;
	job_issue(j);
}

static const char *step_what(enum azml_step s)
{
	switch (s) {
	case STEP_GET_ENDPOINT:
		return "reading the endpoint";
	case STEP_GET_DEPLOYMENTS:
		return "listing the deployments";
	case STEP_PUT:
		return "the endpoint's PUT";
	case STEP_POLL_ASYNC:
	case STEP_POLL_LOCATION:
		return "following the operation";
	case STEP_POLL_ENDPOINT:
		return "reading the endpoint after the change";
	}
	return "?";
}

/* An answer that will not change with another try, in words that say
 * what to do. */
static void job_http_error(struct azml_job *j, const struct http_response *resp)
{
	struct error e;
	azureml_arm_error(resp->status, resp->body, resp->len, &e);
	const char *what = step_what(j->step);
	switch (resp->status) {
	/* The advice first: a long message from the API is what gets cut. */
	case 401:
		job_failf(j, "the token was rejected; check the target's auth (%s: %s)", what, e.msg);
		break;
	case 403:
		job_failf(j, "not allowed; the identity needs write access to the endpoint (%s: %s)", what, e.msg);
		break;
	case 404:
		job_failf(j, "not found; check subscription, resource_group, workspace and endpoint in the config (%s: %s)",
			  what, e.msg);
		break;
	case 409:
		job_failf(j, "Azure ML refused the change as a conflict: %s", e.msg);
		break;
	default:
		job_failf(j, "%s failed: %s", what, e.msg);
	}
}

/* 429, 5xx and lost connections are tried again within the timeout;
 * true when a retry is on its way (or the job has failed for good). */
static bool job_retry(struct azml_job *j, const struct http_response *resp)
{
	if (!retry_worth(resp->status))
		return false;
	int64_t now = clock_monotonic_ms();
	int64_t d = retry_delay_ms(++j->attempt, http_response_header(resp, "Retry-After"), now, j->request_deadline);
	if (d >= 0) {
		j->timer = loop_timer(j->t->loop, now + d, on_retry_timer, j);
		return true;
	}
	char tries[64];
	snprintf(tries, sizeof tries, "%d tr%s", j->attempt, j->attempt == 1 ? "y" : "ies");
	if (resp->status == 0) {
		job_failf(j, "%s failed: no response: %s (%s)", step_what(j->step), resp->error, tries);
	} else {
		struct error e;
		azureml_arm_error(resp->status, resp->body, resp->len, &e);
		job_failf(j, "%s failed: %s (%s)", step_what(j->step), e.msg, tries);
	}
	return true;
}

/* ---- following the change ---------------------------------------------------------- */

static void on_poll_timer(void *arg)
{
	struct azml_job *j = arg;
	j->timer = 0;
	j->attempt = 0;
	j->request_deadline = clock_monotonic_ms() + j->t->cfg->timeout_ms;
	job_issue(j);
}

/* Retry-After in whole seconds, as ARM sends it; -1 when absent or odd. */
static int64_t retry_after_s(const struct http_response *resp)
{
	const char *v = http_response_header(resp, "Retry-After");
	if (!v || !*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 6)
		return -1;
	long s = strtol(v, NULL, 10);
	return s > POLL_RETRY_AFTER_MAX_S ? POLL_RETRY_AFTER_MAX_S : s;
}

/* Polls url again after the server's Retry-After or the next backoff,
 * unless the change's deadline has passed: then it fails, saying what it
 * last saw (state_words: "the operation was still in progress"). */
static void job_poll(struct azml_job *j, enum azml_step step, const char *url, const struct http_response *resp,
		     const char *state_words)
{
	int64_t s = resp ? retry_after_s(resp) : -1;
	int64_t d = POLL_FIRST_MS << (j->polls < 4 ? j->polls : 4);
	if (d > POLL_MAX_MS)
		d = POLL_MAX_MS;
	if (s >= 0)
		d = s * 1000;
	j->polls++;
	int64_t now = clock_monotonic_ms();
	if (now >= j->op_deadline) {
		char limit[16];
		timefmt_duration(j->t->cfg->operation_timeout_ms, limit, sizeof limit);
		job_failf(j, "the change did not finish within %s (%s); check the endpoint before trying again", limit,
			  state_words);
		return;
	}
	/* One last look at the deadline rather than none. */
	if (now + d > j->op_deadline)
		d = j->op_deadline - now;
	if (url != j->url) {
		free(j->url);
		j->url = xstrdup(url);
	}
	free(j->body);
	j->body = NULL;
	j->step = step;
	j->method = "GET";
	j->timer = loop_timer(j->t->loop, now + d, on_poll_timer, j);
}

static void after_put(struct azml_job *j, const struct http_response *resp)
{
	const char *async = http_response_header(resp, "Azure-AsyncOperation");
	const char *location = http_response_header(resp, "Location");
	const char *url = async && *async ? async : location && *location ? location : NULL;
	if (url && !on_arm(j->t, url)) {
		job_failf(j, "the change was accepted, but its operation is at a URL outside %s; not sending the "
			     "token there: check the endpoint", j->t->origin);
		return;
	}
	if (async && *async)
		job_poll(j, STEP_POLL_ASYNC, async, resp, "the operation had just been accepted");
	else if (location && *location)
		job_poll(j, STEP_POLL_LOCATION, location, resp, "the operation had just been accepted");
	else
		job_send(j, STEP_POLL_ENDPOINT, "GET", j->t->endpoint_url, NULL);
}

static void on_operation(struct azml_job *j, const struct http_response *resp)
{
	enum azureml_op_status st;
	char why[300];
	struct error err;
	if (azureml_parse_operation(resp->body, resp->len, &st, why, sizeof why, &err) != 0) {
		job_failf(j, "following the operation: %s", err.msg);
		return;
	}
	switch (st) {
	case AZUREML_OP_RUNNING:
		job_poll(j, STEP_POLL_ASYNC, j->url, resp, "the operation was still in progress");
		break;
	case AZUREML_OP_SUCCEEDED:
		j->polls = 0;
		job_send(j, STEP_POLL_ENDPOINT, "GET", j->t->endpoint_url, NULL);
		break;
	case AZUREML_OP_FAILED:
	case AZUREML_OP_CANCELED:
		job_failf(j, "the update of %s %s: %s", j->t->remote, st == AZUREML_OP_FAILED ? "failed" : "was canceled",
			  *why ? why : "(no reason given)");
		break;
	}
}

/* After the operation: the endpoint must say Succeeded too. */
static void on_endpoint_after(struct azml_job *j, const struct http_response *resp)
{
	struct azureml_endpoint ep;
	struct error err;
	if (azureml_parse_endpoint(resp->body, resp->len, &ep, &err) != 0) {
		job_failf(j, "%s: %s", step_what(j->step), err.msg);
		return;
	}
	char why[96];
	snprintf(why, sizeof why, "the endpoint was still %.60s", ep.state ? ep.state : "(no provisioningState)");
	bool done = ep.state && strcmp(ep.state, "Succeeded") == 0;
	bool failed = ep.state && (strcmp(ep.state, "Failed") == 0 || strcmp(ep.state, "Canceled") == 0);
	if (failed)
		snprintf(why, sizeof why, "%.60s", ep.state);
	azureml_endpoint_free(&ep);
	if (done)
		job_applied(j);
	else if (failed)
		job_failf(j, "after the change %s's provisioningState is %s; its deployments' states in Azure ML say why",
			  j->t->remote, why);
	else
		job_poll(j, STEP_POLL_ENDPOINT, j->t->endpoint_url, resp, why);
}

/* ---- reading ------------------------------------------------------------------------ */

static void start_put(struct azml_job *j)
{
	struct error err;
	char *body = azureml_put_body(j->endpoint_json, j->endpoint_len, &j->want, &j->deps, &err);
	if (!body) {
		job_fail(j, err.msg);
		return;
	}
	j->op_deadline = clock_monotonic_ms() + j->t->cfg->operation_timeout_ms;
	job_send(j, STEP_PUT, "PUT", j->t->endpoint_url, body);
}

static void on_endpoint(struct azml_job *j, const struct http_response *resp)
{
	struct error err;
	if (azureml_parse_endpoint(resp->body, resp->len, &j->ep, &err) != 0) {
		job_failf(j, "%s: %s", step_what(j->step), err.msg);
		return;
	}
	j->have_ep = true;
	if (j->apply && azureml_state_busy(j->ep.state)) {
		/* Two changes racing is how seed 004's deploys went wrong. */
		job_failf(j, "%s is %s: another change is in progress; not starting a second one", j->t->remote,
			  j->ep.state);
		return;
	}
	j->endpoint_json = xstrndup(resp->body, resp->len);
	j->endpoint_len = resp->len;
	job_send(j, STEP_GET_DEPLOYMENTS, "GET", j->t->deployments_url, NULL);
}

static void on_deployments(struct azml_job *j, const struct http_response *resp)
{
	struct error err;
	char *next = NULL;
	if (azureml_parse_deployments(resp->body, resp->len, &j->deps, &next, &err) != 0) {
		job_failf(j, "%s: %s", step_what(j->step), err.msg);
		return;
	}
	if (next && j->pages + 1 >= AZUREML_MAX_PAGES) {
		/* Stopping here would show a list cut short as if whole. */
		free(next);
		job_failf(j, "%s: more than %d pages (%zu deployments read); the list is not read whole", step_what(j->step),
			  AZUREML_MAX_PAGES, j->deps.n);
		return;
	}
	if (next && ++j->pages < AZUREML_MAX_PAGES) {
		if (!on_arm(j->t, next)) {
			free(next);
			job_failf(j, "%s: the next page is outside %s; not sending the token there", step_what(j->step),
				  j->t->origin);
			return;
		}
		job_send(j, STEP_GET_DEPLOYMENTS, "GET", next, NULL);
		free(next);
		return;
	}
	free(next);
	if (j->apply)
		start_put(j);
	else
		job_read(j);
}

static void on_response(void *arg, const struct http_response *resp)
{
	struct azml_job *j = arg;
	j->http_out = false;
	if (job_retry(j, resp))
		return;
	long s = resp->status;
	switch (j->step) {
	case STEP_GET_ENDPOINT:
	case STEP_GET_DEPLOYMENTS:
	case STEP_POLL_ENDPOINT:
		if (s != 200)
			break;
		if (j->step == STEP_GET_ENDPOINT)
			on_endpoint(j, resp);
		else if (j->step == STEP_GET_DEPLOYMENTS)
			on_deployments(j, resp);
		else
			on_endpoint_after(j, resp);
		return;
	case STEP_PUT:
		if (s != 200 && s != 201 && s != 202)
			break;
		after_put(j, resp);
		return;
	case STEP_POLL_ASYNC:
		if (s == 200) {
			on_operation(j, resp);
			return;
		}
		if (s == 202) {
			job_poll(j, STEP_POLL_ASYNC, j->url, resp, "the operation was still in progress");
			return;
		}
		break;
	case STEP_POLL_LOCATION:
		if (s == 202) {
			job_poll(j, STEP_POLL_LOCATION, j->url, resp, "the operation was still in progress");
			return;
		}
		if (s == 200 || s == 204) {
			j->polls = 0;
			job_send(j, STEP_POLL_ENDPOINT, "GET", j->t->endpoint_url, NULL);
			return;
		}
		break;
	}
	job_http_error(j, resp);
}

/* ---- the target ------------------------------------------------------------------------ */

static struct azml_job *job_new(struct azml_target *t)
{
	struct azml_job *j = xcalloc(1, sizeof *j);
	j->t = t;
	traffic_split_init(&j->want);
	j->next = t->jobs;
	t->jobs = j;
	return j;
}

static void azml_read(struct target *base, const char *endpoint, int64_t now, target_read_fn done, void *arg)
{
	(void)endpoint;
	(void)now;
	struct azml_target *t = (struct azml_target *)base;
	struct azml_job *j = job_new(t);
	j->read_done = done;
	j->arg = arg;
	job_send(j, STEP_GET_ENDPOINT, "GET", t->endpoint_url, NULL);
}

static void azml_apply(struct target *base, const char *endpoint, const struct traffic_split *split, int64_t now,
		       target_apply_fn done, void *arg)
{
	(void)endpoint;
	(void)now;
	struct azml_target *t = (struct azml_target *)base;
	struct azml_job *j = job_new(t);
	j->apply = true;
	j->apply_done = done;
	j->arg = arg;
	for (size_t i = 0; i < split->n; i++)
		traffic_split_set(&j->want, split->entries[i].deployment, split->entries[i].percent);
	job_send(j, STEP_GET_ENDPOINT, "GET", t->endpoint_url, NULL);
}

static void azml_free(struct target *base)
{
	struct azml_target *t = (struct azml_target *)base;
	while (t->jobs) {
		struct azml_job *j = t->jobs;
		t->jobs = j->next;
		job_free(j);
	}
	azauth_free(t->auth);
	free(t->remote);
	free(t->endpoint_url);
	free(t->deployments_url);
	free(t->origin);
	free(t);
}

static const struct target_ops target_azureml_ops = {
	.name = "azureml",
	.apply = azml_apply,
	.read = azml_read,
	.free = azml_free,
};

/* "https://host:port" of a URL: up to the first '/' after "://". */
static char *url_origin(const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	return xstrndup(url, (size_t)(p - url) + strcspn(p, "/?#"));
}

struct target *target_azureml_new(const struct config_target *cfg, const char *endpoint, struct loop *loop,
				  const char *config_path, struct error *err)
{
	char where[256];
	snprintf(where, sizeof where, "%s: the auth of endpoint %s's target", config_path, endpoint);
	struct azauth_options opt = { .timeout_ms = cfg->timeout_ms };
	struct azauth *auth = azauth_new(&cfg->auth, aztoken_default_audience(AZTOKEN_ARM), loop, &opt, where, err);
	if (!auth)
		return NULL;
	struct azml_target *t = xcalloc(1, sizeof *t);
	t->base.ops = &target_azureml_ops;
	t->cfg = cfg;
	t->loop = loop;
	t->auth = auth;
	t->remote = xstrdup(cfg->endpoint_name ? cfg->endpoint_name : endpoint);
	const char *arm = cfg->arm_url ? cfg->arm_url : "https://management.azure.com";
	struct azureml_ref ref = { arm, cfg->subscription, cfg->resource_group, cfg->workspace, t->remote,
				   cfg->api_version ? cfg->api_version : "2025-12-01" };
	t->endpoint_url = azureml_endpoint_url(&ref);
	t->deployments_url = azureml_deployments_url(&ref);
	t->origin = url_origin(arm);
	return &t->base;
}
