#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apimsg.h"
#include "clock.h"
#include "http.h"
#include "jsonmsg.h"
#include "loop.h"
#include "retry.h"
#include "timefmt.h"
#include "xalloc.h"

static const char *const service_names[NOTIFY_N] = { "pagerduty", "slack", "teams" };

const char *notify_service_name(enum notify_service s)
{
	return service_names[s];
}

static bool is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

/* ---- what a line announces ------------------------------------------------ */

static const char *pd_severity(int sev)
{
	return sev <= 1 ? "critical" : sev == 2 ? "error" : "warning";
}

bool notify_plan_for(const cJSON *e, const struct workflow *w, struct notify_plan *p)
{
	memset(p, 0, sizeof *p);
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome"), *target = jsonmsg_str(e, "target");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(e, "params");
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
	const char *who = jsonmsg_str(actor, "as") ? jsonmsg_str(actor, "as") : or_dash(jsonmsg_str(actor, "user"));
	const char *reason = jsonmsg_str(e, "reason");
	if (!action || !outcome)
		return false;
	if (w->title)
		snprintf(p->title, sizeof p->title, "%s %s", sev_name(w->severity), w->title);
	else
		snprintf(p->title, sizeof p->title, "no incident declared");
	p->chat = true;
	if (is(action, "declare") && is(outcome, "declared")) {
		p->pd_event = "trigger";
		snprintf(p->text, sizeof p->text, "Declared %s by %s", p->title, who);
	} else if (is(action, "severity") && is(outcome, "set")) {
		p->pd_event = "trigger"; /* the same dedup key: PagerDuty updates the alert */
		snprintf(p->text, sizeof p->text, "Severity %s -> %s by %s%s%s", or_dash(jsonmsg_str(params, "from")),
			 or_dash(jsonmsg_str(params, "severity")), who, reason ? ": " : "", reason ? reason : "");
	} else if (is(action, "role") && is(outcome, "assigned")) {
		if (is(jsonmsg_str(params, "role"), "commander"))
			p->pd_event = "acknowledge";
		snprintf(p->text, sizeof p->text, "%s is now %s (set by %s)", or_dash(jsonmsg_str(params, "person")),
			 or_dash(jsonmsg_str(params, "role")), who);
	} else if (is(action, "update") && is(outcome, "posted")) {
		snprintf(p->text, sizeof p->text, "Status update from %s: %s", who, or_dash(jsonmsg_str(params, "text")));
	} else if (is(action, "resolve") && is(outcome, "resolved")) {
		p->pd_event = "resolve";
		snprintf(p->text, sizeof p->text, "Resolved by %s after %s: %s", who, or_dash(jsonmsg_str(params, "duration")),
			 or_dash(reason));
	} else if ((is(action, "rollback") || is(action, "promote") || is(action, "set_weight")) &&
		   (is(outcome, "verified") || is(outcome, "failed") || is(outcome, "unverified"))) {
		p->pd_event = "change";
		const char *traffic = jsonmsg_str(e, "traffic"), *detail = jsonmsg_str(e, "detail");
		snprintf(p->text, sizeof p->text, "%s of %s %s (%s, by %s)%s%s%s%s", action, or_dash(target), outcome,
			 traffic ? traffic : "traffic unknown", who, reason ? ": " : "", reason ? reason : "",
			 detail ? "; " : "", detail ? detail : "");
	} else {
		return false;
	}
	if (is(p->pd_event, "trigger"))
		p->pd_severity = pd_severity(w->severity < 0 ? 1 : w->severity);
	return true;
}

/* ---- bodies ---------------------------------------------------------------- */

static char *print(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		abort();
	char *copy = xstrdup(s);
	cJSON_free(s);
	return copy;
}

static cJSON *details(const struct notify_plan *p, const char *head)
{
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "incident", p->title);
	cJSON_AddStringToObject(d, "what", p->text);
	cJSON_AddStringToObject(d, "journal_head", head);
	return d;
}

char *notify_pd_event_body(const char *routing_key, const struct notify_plan *p, const char *dedup_key,
			   const char *source, const char *timestamp, const char *head)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "routing_key", routing_key);
	cJSON_AddStringToObject(o, "event_action", p->pd_event);
	cJSON_AddStringToObject(o, "dedup_key", dedup_key);
	if (is(p->pd_event, "trigger")) {
		cJSON *pl = cJSON_AddObjectToObject(o, "payload");
		/* PagerDuty takes at most 1024 characters of summary. */
		char summary[1024];
		snprintf(summary, sizeof summary, "%s", p->title);
		cJSON_AddStringToObject(pl, "summary", summary);
		cJSON_AddStringToObject(pl, "source", source);
		cJSON_AddStringToObject(pl, "severity", p->pd_severity);
		cJSON_AddStringToObject(pl, "timestamp", timestamp);
		cJSON_AddStringToObject(pl, "component", "cmdr");
		cJSON_AddItemToObject(pl, "custom_details", details(p, head));
	}
	cJSON_AddStringToObject(o, "client", "cmdr");
	return print(o);
}

char *notify_pd_change_body(const char *routing_key, const struct notify_plan *p, const char *source,
			    const char *timestamp, const char *head)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "routing_key", routing_key);
	cJSON *pl = cJSON_AddObjectToObject(o, "payload");
	cJSON_AddStringToObject(pl, "summary", p->text);
	cJSON_AddStringToObject(pl, "timestamp", timestamp);
	cJSON_AddStringToObject(pl, "source", source);
	cJSON_AddItemToObject(pl, "custom_details", details(p, head));
	return print(o);
}

char *notify_slack_body(const struct notify_plan *p, const char *head)
{
	cJSON *o = cJSON_CreateObject();
	char text[1024];
	snprintf(text, sizeof text, "[%s] %s (journal head %s)", p->title, p->text, head);
	cJSON_AddStringToObject(o, "text", text);
	return print(o);
}

char *notify_teams_body(const struct notify_plan *p, const char *head)
{
	cJSON *card = cJSON_CreateObject();
	cJSON_AddStringToObject(card, "$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
	cJSON_AddStringToObject(card, "type", "AdaptiveCard");
	cJSON_AddStringToObject(card, "version", "1.4");
	cJSON *body = cJSON_AddArrayToObject(card, "body");
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "type", "TextBlock");
	cJSON_AddStringToObject(t, "text", p->title);
	cJSON_AddStringToObject(t, "weight", "Bolder");
	cJSON_AddStringToObject(t, "size", "Medium");
	cJSON_AddBoolToObject(t, "wrap", true);
	cJSON_AddItemToArray(body, t);
	t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "type", "TextBlock");
	cJSON_AddStringToObject(t, "text", p->text);
	cJSON_AddBoolToObject(t, "wrap", true);
	cJSON_AddItemToArray(body, t);
	cJSON *facts = cJSON_CreateObject();
	cJSON_AddStringToObject(facts, "type", "FactSet");
	cJSON *list = cJSON_AddArrayToObject(facts, "facts");
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "title", "Journal head");
	cJSON_AddStringToObject(f, "value", head);
	cJSON_AddItemToArray(list, f);
	cJSON_AddItemToArray(body, facts);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "message");
	cJSON *atts = cJSON_AddArrayToObject(o, "attachments");
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "contentType", "application/vnd.microsoft.card.adaptive");
	cJSON_AddNullToObject(a, "contentUrl");
	cJSON_AddItemToObject(a, "content", card);
	cJSON_AddItemToArray(atts, a);
	return print(o);
}

/* ---- answers --------------------------------------------------------------- */

static int pd_response(long status, const char *body, size_t len, char **dedup_key, struct error *err)
{
	size_t at;
	cJSON *o = apimsg_json_parse(body, len, &at);
	int rc;
	if (status == 202 && o && is(jsonmsg_str(o, "status"), "success")) {
		const char *k = jsonmsg_str(o, "dedup_key");
		if (k && dedup_key)
			*dedup_key = xstrdup(k);
		rc = 0;
	} else if (status == 400 && o) {
		/* {"status":"invalid event","message":"Event object is invalid","errors":[...]} */
		const cJSON *errors = cJSON_GetObjectItemCaseSensitive(o, "errors");
		const char *first = cJSON_IsArray(errors) ? cJSON_GetStringValue(cJSON_GetArrayItem(errors, 0)) : NULL;
		rc = apimsg_error_set(err, "PagerDuty: %s: %s%s%s", or_dash(jsonmsg_str(o, "status")),
				      or_dash(jsonmsg_str(o, "message")), first ? ": " : "", first ? first : "");
	} else if (retry_worth(status)) {
		apimsg_error_set(err, "PagerDuty: HTTP %ld%s", status, status == 429 ? " (rate limited)" : "");
		rc = 1;
	} else {
		char ex[APIMSG_EXCERPT_MAX + 8];
		apimsg_excerpt(body, len, ex, sizeof ex);
		rc = apimsg_error_set(err, "PagerDuty: HTTP %ld: %s", status, ex);
	}
	cJSON_Delete(o);
	return rc;
}

int notify_response(enum notify_service s, long status, const char *body, size_t len, char **dedup_key,
		    struct error *err)
{
	if (s == NOTIFY_PAGERDUTY)
		return pd_response(status, body, len, dedup_key, err);
	const char *name = s == NOTIFY_SLACK ? "Slack" : "Teams";
	/* Slack answers 200 "ok"; a Teams workflow 202 (or 200), no body. */
	if (status == 200 || (s == NOTIFY_TEAMS && status == 202))
		return 0;
	char ex[APIMSG_EXCERPT_MAX + 8];
	apimsg_excerpt(body, len, ex, sizeof ex);
	/* Teams' errors are JSON ({"error":{"code","message"}}); Slack's a
	 * word (invalid_payload, no_service, channel_is_archived). */
	size_t at;
	cJSON *o = s == NOTIFY_TEAMS ? apimsg_json_parse(body, len, &at) : NULL;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
	if (jsonmsg_str(e, "message"))
		snprintf(ex, sizeof ex, "%s", jsonmsg_str(e, "message"));
	cJSON_Delete(o);
	if (retry_worth(status)) {
		apimsg_error_set(err, "%s: HTTP %ld%s: %s", name, status, status == 429 ? " (rate limited)" : "", ex);
		return 1;
	}
	return apimsg_error_set(err, "%s: HTTP %ld: %s", name, status, ex);
}

/* ---- the sender ------------------------------------------------------------ */

struct message {
	struct notifier *n;
	enum notify_service svc;
	char *event; /* "trigger", "change", "message", ... */
	uint64_t about;
	char *url, *body;
	int attempt;
	int64_t deadline;
	uint64_t timer; /* 0: none armed */
	bool in_flight;  /* a transfer will call back */
	bool reported;   /* given up on while in flight: dropped when it answers */
	char last_error[512];
};

struct notifier {
	const struct config_notify *cfg;
	struct loop *loop;
	char *drill_sink;
	notify_done_fn done;
	void *arg;
	struct message **msgs;
	size_t n, cap;
};

struct notifier *notifier_new(const struct config_notify *cfg, struct loop *loop, const char *drill_sink,
			      notify_done_fn done, void *arg)
{
	struct notifier *n = xcalloc(1, sizeof *n);
	n->cfg = cfg;
	n->loop = loop;
	n->drill_sink = drill_sink ? xstrdup(drill_sink) : NULL;
	n->done = done;
	n->arg = arg;
	return n;
}

static void message_free(struct message *m)
{
	free(m->event);
	free(m->url);
	free(m->body);
	free(m);
}

static void forget(struct message *m)
{
	struct notifier *n = m->n;
	for (size_t i = 0; i < n->n; i++)
		if (n->msgs[i] == m) {
			n->msgs[i] = n->msgs[--n->n];
			break;
		}
	message_free(m);
}

/* Reports m and forgets it, unless a transfer still holds it. */
static void finish(struct message *m, const char *error, const char *dedup_key)
{
	struct notifier *n = m->n;
	m->reported = true;
	n->done(n->arg, m->svc, m->event, m->about, error, dedup_key);
	if (!m->in_flight)
		forget(m);
}

static void attempt(struct message *m);

static void on_retry(void *arg)
{
	struct message *m = arg;
	m->timer = 0;
	attempt(m);
}

static void on_answer(void *arg, const struct http_response *r)
{
	struct message *m = arg;
	struct error err;
	char *dedup = NULL;
	int rc;
	m->in_flight = false;
	if (m->reported) {
		forget(m);
		return;
	}
	if (r->status == 0) {
		apimsg_error_set(&err, "%s: %s", notify_service_name(m->svc), r->error);
		rc = 1;
	} else {
		rc = notify_response(m->svc, r->status, r->body, r->len, &dedup, &err);
	}
	if (rc == 0) {
		finish(m, NULL, dedup);
		free(dedup);
		return;
	}
	if (rc < 0) {
		finish(m, err.msg, NULL);
		return;
	}
	snprintf(m->last_error, sizeof m->last_error, "%s", err.msg);
	int64_t now = clock_monotonic_ms();
	int64_t delay = retry_delay_ms(++m->attempt, http_response_header(r, "Retry-After"), now, m->deadline);
	if (delay < 0) {
		char why[700];
		snprintf(why, sizeof why, "%s (gave up after %d tries)", m->last_error, m->attempt);
		finish(m, why, NULL);
		return;
	}
	m->timer = loop_timer(m->n->loop, now + delay, on_retry, m);
}

static void attempt(struct message *m)
{
	const char *headers[] = { "Content-Type: application/json" };
	const struct config_notify_service *svc = m->svc == NOTIFY_PAGERDUTY ? &m->n->cfg->pagerduty
						  : m->svc == NOTIFY_SLACK   ? &m->n->cfg->slack
									     : &m->n->cfg->teams;
	struct http_request req = {
		.method = "POST",
		.url = m->url,
		.headers = headers,
		.n_headers = 1,
		.body = m->body,
		.body_len = strlen(m->body),
		.timeout_ms = svc->timeout_ms,
		.max_bytes = 64 * 1024,
	};
	m->in_flight = true;
	http_start(loop_http(m->n->loop), &req, on_answer, m);
}

/* A drill's message: appended to the sink, never sent. */
static void to_sink(struct notifier *n, enum notify_service s, const char *event, uint64_t about, const char *body)
{
	cJSON *line = cJSON_CreateObject();
	char when[32];
	timefmt_iso(clock_wall_ms(), when, sizeof when);
	cJSON_AddStringToObject(line, "wall", when);
	cJSON_AddStringToObject(line, "service", notify_service_name(s));
	cJSON_AddStringToObject(line, "event", event);
	cJSON_AddNumberToObject(line, "about", (double)about);
	cJSON *b = cJSON_Parse(body);
	cJSON_AddItemToObject(line, "body", b ? b : cJSON_CreateNull());
	char *text = print(line);
	char err_text[300] = "";
	/* It sits in the incident directory by default: never through a
	 * link someone else put there, never into anything but a file. */
	int fd = open(n->drill_sink, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	struct stat st;
	int e = fd < 0 ? errno : fstat(fd, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? EINVAL : 0;
	size_t len = strlen(text);
	text[len] = '\n'; /* replaces the NUL; written by length */
	if (e || write(fd, text, len + 1) != (ssize_t)(len + 1))
		snprintf(err_text, sizeof err_text, "drill sink %s: cannot write: %s", n->drill_sink,
			 e == ELOOP ? "it is a symbolic link" : e == EINVAL ? "not a regular file" : strerror(e ? e : errno));
	if (fd >= 0)
		close(fd);
	free(text);
	n->done(n->arg, s, event, about, *err_text ? err_text : NULL, NULL);
}

static void queue(struct notifier *n, enum notify_service s, const char *event, uint64_t about, char *url,
		  char *body)
{
	if (n->drill_sink) {
		to_sink(n, s, event, about, body);
		free(url);
		free(body);
		return;
	}
	struct message *m = xcalloc(1, sizeof *m);
	m->n = n;
	m->svc = s;
	m->event = xstrdup(event);
	m->about = about;
	m->url = url;
	m->body = body;
	m->deadline = clock_monotonic_ms() + NOTIFY_DEADLINE_MS;
	xgrow(&n->msgs, &n->cap, n->n + 1, sizeof *n->msgs);
	n->msgs[n->n++] = m;
	attempt(m);
}

/* The service's secret, or NULL with the failure reported. In a drill no
 * secret is read. */
static char *secret_of(struct notifier *n, enum notify_service s, const struct config_notify_service *svc,
		       const char *event, uint64_t about)
{
	if (n->drill_sink)
		return xstrdup("(drill: not read)");
	char where[48];
	snprintf(where, sizeof where, "notify.%s", notify_service_name(s));
	struct error err;
	char *v = config_secret_read(&svc->secret, where, &err);
	if (!v)
		n->done(n->arg, s, event, about, err.msg, NULL);
	return v;
}

void notifier_send(struct notifier *n, const cJSON *entry, const struct workflow *w, const char *head_now)
{
	struct notify_plan p;
	if (!notify_plan_for(entry, w, &p))
		return;
	/* Each report is journaled, which moves the head: every message
	 * carries the head just after the line it announces. */
	char head[65];
	snprintf(head, sizeof head, "%s", head_now);
	uint64_t about = jsonmsg_uint(entry, "seq", UINT64_MAX);
	const char *when = jsonmsg_str(entry, "time") ? jsonmsg_str(entry, "time") : "";
	const char *source = n->cfg->source ? n->cfg->source : "cmdr";
	const struct config_notify_service *pd = &n->cfg->pagerduty;
	if (pd->on && p.pd_event) {
		char dedup[80];
		if (w->pd_dedup_key)
			snprintf(dedup, sizeof dedup, "%s", w->pd_dedup_key);
		else
			snprintf(dedup, sizeof dedup, "cmdr-%.32s", head); /* the declaration's own line */
		bool first = is(p.pd_event, "trigger") && !w->pd_dedup_key;
		if (!is(p.pd_event, "change") && !first && !w->pd_dedup_key) {
			n->done(n->arg, NOTIFY_PAGERDUTY, p.pd_event, about,
				"PagerDuty: no alert to update: the trigger was never delivered", NULL);
		} else {
			char *key = secret_of(n, NOTIFY_PAGERDUTY, pd, p.pd_event, about);
			if (key) {
				bool change = is(p.pd_event, "change");
				char *body = change ? notify_pd_change_body(key, &p, source, when, head)
						    : notify_pd_event_body(key, &p, dedup, source, when, head);
				char *url = xasprintf("%s%s", pd->url, change ? "/v2/change/enqueue" : "/v2/enqueue");
				free(key);
				queue(n, NOTIFY_PAGERDUTY, p.pd_event, about, url, body);
			}
		}
	}
	const struct config_notify_service *chat[] = { [NOTIFY_SLACK] = &n->cfg->slack,
						       [NOTIFY_TEAMS] = &n->cfg->teams };
	for (int s = NOTIFY_SLACK; s <= NOTIFY_TEAMS && p.chat; s++) {
		if (!chat[s]->on)
			continue;
		char *url = secret_of(n, (enum notify_service)s, chat[s], "message", about);
		if (!url)
			continue;
		char *body = s == NOTIFY_SLACK ? notify_slack_body(&p, head) : notify_teams_body(&p, head);
		queue(n, (enum notify_service)s, "message", about, url, body);
	}
}

size_t notifier_pending(const struct notifier *n)
{
	size_t k = 0;
	for (size_t i = 0; n && i < n->n; i++)
		k += !n->msgs[i]->reported;
	return k;
}

void notifier_abandon(struct notifier *n, const char *why)
{
	for (size_t i = n ? n->n : 0; i-- > 0;) {
		struct message *m = n->msgs[i];
		if (m->reported)
			continue;
		if (m->timer)
			loop_cancel(n->loop, m->timer);
		m->timer = 0;
		char text[800];
		snprintf(text, sizeof text, "%s%s%s", why, *m->last_error ? "; last: " : "", m->last_error);
		finish(m, text, NULL);
	}
}

void notifier_free(struct notifier *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (n->msgs[i]->timer)
			loop_cancel(n->loop, n->msgs[i]->timer);
		if (n->msgs[i]->in_flight)
			http_cancel(loop_http(n->loop), n->msgs[i]);
		message_free(n->msgs[i]);
	}
	free(n->msgs);
	free(n->drill_sink);
	free(n);
}
