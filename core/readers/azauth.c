#include "azauth.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apimsg.h"
#include "aztoken.h"
#include "clock.h"
#include "config.h"
#include "http.h"
#include "loop.h"
#include "proc.h"
#include "xalloc.h"

#define AZ_TIMEOUT_MS 60000
#define TOKEN_OUTPUT_MAX (64 * 1024)
/* A token that still has this long to live is used while its successor
 * is fetched, rather than making the caller wait. */
#define STILL_GOOD_MS 10000
/* After a failed refresh in the background, the next one waits this
 * long: not an az run per request while the identity provider is down. */
#define REFRESH_HOLD_OFF_MS 30000

struct azauth_waiter {
	uint64_t id;
	azauth_fn done;
	void *arg;
};

struct azauth {
	const struct config_auth *cfg;
	struct loop *loop;
	struct azauth_options opt;
	char *audience;
	char *secret; /* the bearer token, or the client secret */
	struct aztoken token;
	struct azauth_waiter *waiters;
	size_t n_waiters, cap_waiters;
	uint64_t next_id;
	bool fetching;
	int64_t refresh_not_before; /* monotonic; background refreshes only */
	bool http_out;
	struct proc *proc;
	int fds[2];
	int n_fds;
	uint64_t timer; /* 0: none */
};

static bool is_azure(enum auth_type t)
{
	return t == AUTH_AZURE_CLI || t == AUTH_CLIENT_CREDENTIALS || t == AUTH_MANAGED_IDENTITY;
}

struct azauth *azauth_new(const struct config_auth *cfg, const char *default_audience, struct loop *loop,
			  const struct azauth_options *opt, const char *where, struct error *err)
{
	if (cfg->type == AUTH_BASIC || cfg->type == AUTH_API_KEY) {
		error_set(err, "%s: this auth type gives no bearer token; use bearer, azure_cli, client_credentials "
			       "or managed_identity", where);
		return NULL;
	}
	char *secret = NULL;
	if (cfg->type == AUTH_BEARER || cfg->type == AUTH_CLIENT_CREDENTIALS) {
		if (!(secret = config_secret_read(&cfg->secret, where, err)))
			return NULL;
	}
	struct azauth *a = xcalloc(1, sizeof *a);
	a->cfg = cfg;
	a->loop = loop;
	if (opt)
		a->opt = *opt;
	a->audience = xstrdup(cfg->audience ? cfg->audience : default_audience);
	a->secret = secret;
	return a;
}

/* ---- the end of a fetch ---------------------------------------------------- */

/* Every waiter hears, in order; one that asks again from its callback
 * joins a new list (and a new fetch). */
static void finish(struct azauth *a, const char *error)
{
	a->fetching = false;
	if (error)
		a->refresh_not_before = clock_monotonic_ms() + REFRESH_HOLD_OFF_MS;
	struct azauth_waiter *w = a->waiters;
	size_t n = a->n_waiters;
	a->waiters = NULL;
	a->n_waiters = a->cap_waiters = 0;
	struct error why;
	if (error)
		apimsg_error_set(&why, "%s", error);
	for (size_t i = 0; i < n; i++)
		w[i].done(w[i].arg, error ? NULL : a->token.access_token, error ? why.msg : NULL);
	free(w);
}

static void got_token(struct azauth *a, struct aztoken *t)
{
	aztoken_adopt(&a->token, t);
	finish(a, NULL);
}

/* ---- az account get-access-token --------------------------------------------- */

static void az_name(const struct azauth *a, char *buf, size_t size)
{
	const struct config_auth *c = a->cfg;
	if (c->n_command >= 3)
		snprintf(buf, size, "%s %s %s", c->command[0], c->command[1], c->command[2]);
	else if (c->n_command)
		snprintf(buf, size, "%s", c->command[0]);
	else
		snprintf(buf, size, "az account get-access-token");
}

static void az_unwatch(struct azauth *a)
{
	for (int i = 0; i < a->n_fds; i++)
		loop_unwatch(a->loop, a->fds[i]);
	a->n_fds = 0;
	if (a->timer)
		loop_cancel(a->loop, a->timer);
	a->timer = 0;
}

static void az_step(struct azauth *a);

static void on_az_fd(void *arg, int fd, short revents)
{
	(void)fd;
	(void)revents;
	az_step(arg);
}

static void on_az_timer(void *arg)
{
	struct azauth *a = arg;
	a->timer = 0;
	az_step(a);
}

/* The loop wakes for the child's output and for its deadlines. */
static void az_watch(struct azauth *a)
{
	az_unwatch(a);
	a->n_fds = proc_fds(a->proc, a->fds);
	for (int i = 0; i < a->n_fds; i++)
		loop_watch(a->loop, a->fds[i], POLLIN, on_az_fd, a);
	int64_t due = proc_next_due(a->proc);
	if (due != INT64_MAX)
		a->timer = loop_timer(a->loop, due, on_az_timer, a);
}

static void az_done(struct azauth *a)
{
	char name[160], why[sizeof ((struct error *)0)->msg];
	size_t len;
	const char *out = proc_stdout(a->proc, &len);
	struct aztoken t = { 0 };
	struct error err;
	az_name(a, name, sizeof name);
	if (proc_timed_out(a->proc)) {
		snprintf(why, sizeof why, "%s gave no answer within %d s", name, AZ_TIMEOUT_MS / 1000);
	} else if (proc_exit_status(a->proc) != 0) {
		const char *e = proc_stderr(a->proc, NULL);
		int n = (int)strcspn(e, "\n");
		apimsg_error_set(&err, "%s exited with %d: %.*s", name, proc_exit_status(a->proc), n > 200 ? 200 : n,
				 n ? e : "(no message)");
		snprintf(why, sizeof why, "%s", err.msg);
	} else if (aztoken_parse_cli(out, len, &t, &err) != 0) {
		snprintf(why, sizeof why, "%s", err.msg);
	} else {
		proc_free(a->proc);
		a->proc = NULL;
		got_token(a, &t);
		return;
	}
	proc_free(a->proc);
	a->proc = NULL;
	finish(a, why);
}

static void az_step(struct azauth *a)
{
	if (!proc_step(a->proc, clock_monotonic_ms())) {
		az_watch(a);
		return;
	}
	az_unwatch(a);
	az_done(a);
}

static void az_start(struct azauth *a)
{
	const struct config_auth *c = a->cfg;
	const char *def[] = { "az", "account", "get-access-token", "--resource", a->audience, "--output", "json", NULL };
	const char **argv = def;
	const char **own = NULL;
	if (c->n_command) {
		own = xcalloc(c->n_command + 1, sizeof *own);
		for (size_t k = 0; k < c->n_command; k++)
			own[k] = c->command[k];
		argv = own;
	}
	struct error err;
	a->proc = proc_start(argv, AZ_TIMEOUT_MS, TOKEN_OUTPUT_MAX, &err);
	free(own);
	if (!a->proc) {
		finish(a, err.msg);
		return;
	}
	az_watch(a);
}

/* ---- Entra ID and IMDS -------------------------------------------------------- */

static void on_token_response(void *arg, const struct http_response *resp)
{
	struct azauth *a = arg;
	a->http_out = false;
	struct aztoken t = { 0 };
	struct error err;
	if (resp->status == 0)
		apimsg_error_set(&err, "%s", resp->error);
	else if (aztoken_parse_oauth(resp->status, resp->body, resp->len, clock_wall_ms(), &t, &err) == 0) {
		got_token(a, &t);
		return;
	}
	finish(a, err.msg);
}

static void http_fetch(struct azauth *a)
{
	const struct config_auth *c = a->cfg;
	struct http_request req = { .timeout_ms = a->opt.timeout_ms, .ca_file = a->opt.ca_file,
				    .insecure = a->opt.insecure, .max_bytes = TOKEN_OUTPUT_MAX };
	char *url, *body = NULL;
	const char *lines[1];
	if (c->type == AUTH_CLIENT_CREDENTIALS) {
		url = aztoken_client_credentials_url(c->authority ? c->authority : AZTOKEN_AUTHORITY, c->tenant);
		body = aztoken_client_credentials_body(c->client_id, a->secret, a->audience);
		lines[0] = "Content-Type: application/x-www-form-urlencoded";
		req.body = body;
		req.body_len = strlen(body);
	} else {
		url = aztoken_imds_url(c->imds ? c->imds : AZTOKEN_IMDS, a->audience, c->client_id);
		lines[0] = "Metadata: true";
	}
	req.url = url;
	req.headers = lines;
	req.n_headers = 1;
	a->http_out = true;
	http_start(loop_http(a->loop), &req, on_token_response, a);
	free(url);
	if (body) {
		/* The secret does not linger in freed memory. */
		memset(body, 0, strlen(body));
		free(body);
	}
}

static void fetch(struct azauth *a)
{
	a->fetching = true;
	if (a->cfg->type == AUTH_AZURE_CLI)
		az_start(a);
	else
		http_fetch(a);
}

/* ---- asking ------------------------------------------------------------------- */

uint64_t azauth_get(struct azauth *a, azauth_fn done, void *arg)
{
	if (!is_azure(a->cfg->type)) {
		done(arg, a->cfg->type == AUTH_BEARER ? a->secret : NULL, NULL);
		return 0;
	}
	int64_t now = clock_wall_ms();
	if (!aztoken_needs_refresh(&a->token, now)) {
		done(arg, a->token.access_token, NULL);
		return 0;
	}
	if (a->token.access_token && a->token.expires_at_ms > now + STILL_GOOD_MS) {
		if (!a->fetching && clock_monotonic_ms() >= a->refresh_not_before)
			fetch(a);
		/* The fetch may have ended at once and replaced the token. */
		if (a->token.access_token) {
			done(arg, a->token.access_token, NULL);
			return 0;
		}
	}
	uint64_t id = ++a->next_id;
	xgrow(&a->waiters, &a->cap_waiters, a->n_waiters + 1, sizeof *a->waiters);
	a->waiters[a->n_waiters++] = (struct azauth_waiter){ id, done, arg };
	if (!a->fetching)
		fetch(a);
	/* A fetch that failed at once (no az on PATH) has called back. */
	for (size_t i = 0; i < a->n_waiters; i++)
		if (a->waiters[i].id == id)
			return id;
	return 0;
}

void azauth_cancel(struct azauth *a, uint64_t handle)
{
	for (size_t i = 0; i < a->n_waiters; i++) {
		if (a->waiters[i].id == handle) {
			memmove(&a->waiters[i], &a->waiters[i + 1], (a->n_waiters - i - 1) * sizeof *a->waiters);
			a->n_waiters--;
			return;
		}
	}
}

void azauth_free(struct azauth *a)
{
	if (!a)
		return;
	if (a->proc) {
		az_unwatch(a);
		proc_free(a->proc);
	}
	if (a->http_out)
		http_cancel(loop_http(a->loop), a);
	free(a->waiters);
	aztoken_free(&a->token);
	if (a->secret) {
		memset(a->secret, 0, strlen(a->secret));
		free(a->secret);
	}
	free(a->audience);
	free(a);
}
