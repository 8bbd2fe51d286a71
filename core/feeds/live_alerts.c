/* The alertmanager feed (core/feeds/live_alerts.h). It shares the live
 * sources' headers and auth and their error reporting (live_source.c) but
 * is a feed of its own: it asks for no metrics and writes only
 * inc->alerts. */
#include "live_alerts.h"
#include "live_impl.h"

#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertmanager.h"
#include "loop.h"
#include "xalloc.h"

struct am_source {
	struct alerts_feed *f;
	struct live_source src;
	size_t idx; /* in inc->alerts */
	bool pending;
	unsigned sent_gen; /* the :alerts filter it was sent with */
	int64_t sent_at, next_round;
};

/* A silence sent: answered once through done, or cancelled with the feed. */
struct am_call {
	struct alerts_feed *f;
	struct am_source *s;
	const char *id; /* expire: the silence */
	silence_done_fn done;
	void *arg;
	struct am_call *prev, *next;
};

struct alerts_feed {
	struct feed base;
	struct silencer silencer; /* the incident's, while the feed lives */
	struct incident *inc;
	struct http_client *http;
	struct am_source *sources;
	size_t n;
	struct am_call *calls;
	unsigned filter_gen; /* of inc->alerts_filter, as last sent */
};

static void alerts_step(struct feed *f, int64_t now);
static void alerts_free(struct feed *f);

static const struct feed_ops alerts_ops = {
	.name = "alertmanager",
	.step = alerts_step,
	.free = alerts_free,
};

static void call_done(struct am_call *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		c->f->calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free((char *)c->id);
	free(c);
}

static void alerts_free(struct feed *f)
{
	struct alerts_feed *af = (struct alerts_feed *)f;
	while (af->calls) {
		http_cancel(af->http, af->calls);
		call_done(af->calls);
	}
	if (af->inc->silencer == &af->silencer)
		af->inc->silencer = NULL;
	for (size_t i = 0; i < af->n; i++) {
		http_cancel(af->http, &af->sources[i]);
		live_source_free(&af->sources[i].src);
	}
	free(af->sources);
	free(af);
}

/* ---- silences ----------------------------------------------------------- */

static struct alerts_feed *feed_of(struct silencer *s)
{
	return (struct alerts_feed *)((char *)s - offsetof(struct alerts_feed, silencer));
}

/* The incident names only sources this feed gave it (inc->alerts). */
static struct am_source *find_source(struct alerts_feed *af, const char *name)
{
	for (size_t i = 0; i < af->n; i++)
		if (strcmp(af->sources[i].src.cfg->name, name) == 0)
			return &af->sources[i];
	abort();
}

static void on_silence(void *arg, const struct http_response *resp)
{
	struct am_call *c = arg;
	struct error err;
	char msg[512], *id = NULL;
	int rc = resp->status == 0 ? error_set(&err, "%s", resp->error)
		 : c->id	   ? am_parse_expire(resp->status, resp->body, resp->len, &err)
				   : am_parse_silence_id(resp->status, resp->content_type, resp->body, resp->len, &id, &err);
	if (rc != 0)
		live_set_error(msg, sizeof msg, c->s->src.cfg->name, "%s", err.msg);
	silence_done_fn done = c->done;
	void *done_arg = c->arg;
	char *expired = c->id ? xstrdup(c->id) : NULL;
	call_done(c);
	done(done_arg, rc ? NULL : id ? id : expired, rc ? msg : NULL);
	free(id);
	free(expired);
}

/* Sends one silence request of source `name` (POST with a body, or DELETE). */
static void silence_send(struct silencer *sl, const char *name, const char *method, char *url, const char *body,
			 const char *id, silence_done_fn done, void *arg)
{
	struct alerts_feed *af = feed_of(sl);
	struct am_source *s = find_source(af, name);
	struct am_call *c = xcalloc(1, sizeof *c);
	*c = (struct am_call){ .f = af, .s = s, .id = id ? xstrdup(id) : NULL, .done = done, .arg = arg,
			       .next = af->calls };
	if (af->calls)
		af->calls->prev = c;
	af->calls = c;
	const char **lines = xcalloc(s->src.n_headers + 3, sizeof *lines);
	char *token_line;
	struct http_request req = { .method = method };
	live_source_request(&s->src, &req, lines, &token_line);
	if (body) {
		lines[req.n_headers++] = "Content-Type: application/json";
		req.body = body;
		req.body_len = strlen(body);
	}
	req.url = url;
	http_start(af->http, &req, on_silence, c);
	free(url);
	free(token_line);
	free(lines);
}

static void silence_put(struct silencer *sl, const char *name, const struct am_silence *body, silence_done_fn done,
			void *arg)
{
	char *text = am_silence_body(body);
	silence_send(sl, name, "POST", am_silences_url(find_source(feed_of(sl), name)->src.cfg->url), text, NULL,
		     done, arg);
	free(text);
}

static void silence_expire(struct silencer *sl, const char *name, const char *id, silence_done_fn done, void *arg)
{
	silence_send(sl, name, "DELETE", am_silence_url(find_source(feed_of(sl), name)->src.cfg->url, id), NULL, id,
		     done, arg);
}

int live_alerts_attach(struct incident *inc, const struct config *cfg, struct error *err)
{
	size_t n = 0;
	for (size_t i = 0; i < cfg->n_sources; i++)
		n += cfg->sources[i].type == SOURCE_ALERTMANAGER;
	if (!n)
		return 0;
	struct alerts_feed *af = xcalloc(1, sizeof *af);
	*af = (struct alerts_feed){ .base.ops = &alerts_ops, .inc = inc, .http = loop_http(inc->loop),
				    .sources = xcalloc(n, sizeof *af->sources) };
	for (size_t i = 0; i < cfg->n_sources; i++) {
		const struct config_source *c = &cfg->sources[i];
		if (c->type != SOURCE_ALERTMANAGER)
			continue;
		struct am_source *s = &af->sources[af->n++];
		s->f = af;
		if (live_source_init(&s->src, c, cfg->path ? cfg->path : "<config>", inc->loop, err) != 0) {
			alerts_free(&af->base);
			return -1;
		}
		struct data_state data = { .live = true, .refresh_ms = c->refresh_ms };
		s->idx = incident_add_alerts(inc, c->name, &data);
	}
	af->silencer = (struct silencer){ .put = silence_put, .expire = silence_expire };
	inc->silencer = &af->silencer;
	incident_add_feed(inc, &af->base);
	return 0;
}

static void on_alerts(void *arg, const struct http_response *resp)
{
	struct am_source *s = arg;
	struct incident *inc = s->f->inc;
	struct data_state *d = &inc->alerts[s->idx].data;
	s->pending = false;
	if (s->sent_gen != inc->alerts_filter_gen) {
		s->next_round = inc->now; /* asked with the filter before: again */
		return;
	}
	struct alert_set set;
	struct error err;
	char msg[512];
	if (resp->status == 0) {
		live_set_error(msg, sizeof msg, s->src.cfg->name, "%s", resp->error);
		live_report(inc, d, msg);
	} else if (am_parse_alerts(resp->status, resp->content_type, resp->body, resp->len, &set, &err) != 0) {
		live_set_error(msg, sizeof msg, s->src.cfg->name, "%s", err.msg);
		live_report(inc, d, msg);
	} else {
		incident_set_alerts(inc, s->idx, &set, s->sent_at);
		live_clear_error(inc, d);
	}
}

static void send_alerts(struct am_source *s, int64_t now)
{
	const struct config_source *c = s->src.cfg;
	const char **lines = xcalloc(s->src.n_headers + 3, sizeof *lines);
	char *token_line;
	struct http_request req = { 0 };
	live_source_request(&s->src, &req, lines, &token_line);
	const struct incident *inc = s->f->inc;
	char *url = inc->n_alerts_filter ? am_alerts_url(c->url, inc->alerts_filter, inc->n_alerts_filter)
					 : am_alerts_url(c->url, c->filter, c->n_filter);
	req.url = url;
	s->pending = true;
	s->sent_gen = inc->alerts_filter_gen;
	s->sent_at = now;
	s->next_round = now + c->refresh_ms;
	http_start(s->f->http, &req, on_alerts, s);
	free(url);
	free(token_line);
	free(lines);
}

static void alerts_step(struct feed *f, int64_t now)
{
	struct alerts_feed *af = (struct alerts_feed *)f;
	/* A new :alerts filter is asked for at once. */
	if (af->filter_gen != af->inc->alerts_filter_gen) {
		af->filter_gen = af->inc->alerts_filter_gen;
		for (size_t i = 0; i < af->n; i++)
			af->sources[i].next_round = now;
	}
	for (size_t i = 0; i < af->n; i++)
		if (!af->sources[i].pending && now >= af->sources[i].next_round)
			send_alerts(&af->sources[i], now);
}

int live_alerts_snapshot(struct incident *inc, int64_t timeout_ms, struct error *err)
{
	struct alerts_feed *af = (struct alerts_feed *)incident_feed(inc, &alerts_ops);
	if (!af)
		return 0;
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	for (;;) {
		alerts_step(&af->base, inc->now);
		bool due = false;
		for (size_t i = 0; i < af->n; i++) {
			const struct data_state *d = &inc->alerts[af->sources[i].idx].data;
			due |= af->sources[i].pending || (!d->at_ms && !*d->error);
		}
		int64_t left = deadline - clock_monotonic_ms();
		if (!due || left <= 0)
			break;
		incident_wait(inc, NULL, 0, left > 200 ? 200 : (int)left);
	}
	for (size_t i = 0; i < af->n; i++) {
		const struct incident_alerts *a = &inc->alerts[af->sources[i].idx];
		if (*a->data.error)
			return error_external(err, "%s", a->data.error);
		if (!a->data.at_ms)
			return error_external(err, "source %s: no answer within %lld ms", a->source,
					      (long long)timeout_ms);
	}
	return 0;
}
