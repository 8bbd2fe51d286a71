#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "curlfn.h"
#include "xalloc.h"

#define HTTP_DEFAULT_TIMEOUT_MS 10000
#define HTTP_DEFAULT_MAX_BYTES (8u << 20)
#define HTTP_MAX_HEADERS 64
/* Transfers running at once per server (HTTP_MAX_PER_SERVER, http.h). The
 * rest wait in order, with no curl handle and no buffers: each running
 * transfer holds some 20 KB of libcurl's buffers. Six is also what a
 * browser opens per server. libcurl keeps the connections in its multi
 * handle's cache when a transfer's handle goes, for the next one; it is
 * sized for a few servers' worth (sources, targets, notifiers), so that
 * none is closed between refreshes for want of room. */
#define HTTP_IDLE_CONNECTIONS (4 * HTTP_MAX_PER_SERVER)

/* A request waits in the queue as copies of what it asked for; its curl
 * handle is made when it starts running. */
struct http_transfer {
	CURL *easy; /* NULL while queued */
	struct curl_slist *headers;
	char *url, *method, *body_copy, *ca_file, *user, *password;
	size_t body_len, origin_len;
	bool has_body, insecure, identity;
	int64_t timeout_ms;
	http_done_fn done;
	void *arg;
	struct http_response resp;
	size_t cap, max_bytes;
	bool too_large;
	int64_t started_ms;
	char errbuf[CURL_ERROR_SIZE];
	struct http_transfer *next;
};

struct http_client {
	CURLM *multi; /* NULL when libcurl could not be loaded (load_error) */
	struct error load_error;
	struct http_transfer *transfers; /* running */
	struct http_transfer *queue, **queue_tail; /* waiting, oldest first */
	size_t pending; /* both */
};

struct http_client *http_client_new(void)
{
	struct http_client *c = xcalloc(1, sizeof *c);
	c->queue_tail = &c->queue;
	if (curlfn_load(&c->load_error) != 0)
		return c;
	c->multi = curlfn.multi_init();
	if (!c->multi)
		abort();
	/* The cache would otherwise shrink to four per transfer in flight,
	 * closing connections whenever a refresh ends. The host cap holds
	 * even for a connection that a timed-out transfer left closing. */
	curlfn.multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)HTTP_IDLE_CONNECTIONS);
	curlfn.multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)HTTP_MAX_PER_SERVER);
	return c;
}

static void transfer_free(struct http_transfer *t)
{
	if (t->easy)
		curlfn.easy_cleanup(t->easy);
	if (t->headers)
		curlfn.slist_free_all(t->headers);
	free(t->url);
	free(t->method);
	free(t->body_copy);
	free(t->ca_file);
	free(t->user);
	free(t->password);
	free(t->resp.body);
	for (size_t i = 0; i < t->resp.n_headers; i++) {
		free(t->resp.headers[i].name);
		free(t->resp.headers[i].value);
	}
	free(t->resp.headers);
	free(t);
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	for (struct http_transfer *t = c->transfers, *next; t; t = next) {
		next = t->next;
		curlfn.multi_remove_handle(c->multi, t->easy);
		transfer_free(t);
	}
	for (struct http_transfer *t = c->queue, *next; t; t = next) {
		next = t->next;
		transfer_free(t);
	}
	if (c->multi)
		curlfn.multi_cleanup(c->multi);
	free(c);
}

static void queue_fix_tail(struct http_client *c)
{
	c->queue_tail = &c->queue;
	while (*c->queue_tail)
		c->queue_tail = &(*c->queue_tail)->next;
}

static void activate(struct http_client *c);
static void start_next(struct http_client *c, const struct http_transfer *done);

void http_cancel(struct http_client *c, void *arg)
{
	bool freed = false;
	for (int queued = 0; queued < 2; queued++) {
		for (struct http_transfer **p = queued ? &c->queue : &c->transfers; *p;) {
			struct http_transfer *t = *p;
			if (t->arg != arg) {
				p = &t->next;
				continue;
			}
			*p = t->next;
			c->pending--;
			if (t->easy)
				curlfn.multi_remove_handle(c->multi, t->easy);
			transfer_free(t);
			freed = true;
		}
	}
	queue_fix_tail(c);
	if (freed)
		activate(c);
}

size_t http_client_pending(const struct http_client *c)
{
	return c ? c->pending : 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct http_transfer *t = arg;
	size_t len = size * n;
	if (t->resp.len + len > t->max_bytes) {
		t->too_large = true;
		return 0; /* curl stops the transfer with CURLE_WRITE_ERROR */
	}
	if (t->resp.len + len + 1 > t->cap) {
		size_t want = t->cap ? t->cap : 4096;
		while (want < t->resp.len + len + 1)
			want *= 2;
		t->resp.body = xrealloc(t->resp.body, want);
		t->cap = want;
	}
	memcpy(t->resp.body + t->resp.len, data, len);
	t->resp.len += len;
	t->resp.body[t->resp.len] = '\0';
	return len;
}

/* Keeps the headers of the last response (a 100 Continue or a proxy's
 * answer comes first), trimmed, for Retry-After, Location and friends. */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct http_transfer *t = arg;
	size_t len = size * n;
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		for (size_t i = 0; i < t->resp.n_headers; i++) {
			free(t->resp.headers[i].name);
			free(t->resp.headers[i].value);
		}
		t->resp.n_headers = 0;
		return len;
	}
	const char *colon = memchr(data, ':', len);
	if (!colon || t->resp.n_headers >= HTTP_MAX_HEADERS)
		return len;
	const char *v = colon + 1, *end = data + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	if (!t->resp.headers)
		t->resp.headers = xcalloc(HTTP_MAX_HEADERS, sizeof *t->resp.headers);
	struct http_header *h = &t->resp.headers[t->resp.n_headers++];
	h->name = xstrndup(data, (size_t)(colon - data));
	h->value = xstrndup(v, (size_t)(end - v));
	return len;
}

const char *http_response_header(const struct http_response *r, const char *name)
{
	for (size_t i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

/* Fills in t's response, takes it off the running list and calls back. */
static void answer(struct http_client *c, struct http_transfer *t, CURLcode code)
{
	struct http_response *r = &t->resp;
	r->elapsed_ms = clock_monotonic_ms() - t->started_ms;
	if (code == CURLE_OK) {
		curlfn.easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r->status);
		char *ct = NULL;
		curlfn.easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ct);
		r->content_type = ct;
	} else {
		r->status = 0;
		if (t->too_large)
			snprintf(r->error, sizeof r->error, "response larger than %zu bytes (the limit); not read",
				 t->max_bytes);
		else if (code == CURLE_OPERATION_TIMEDOUT)
			snprintf(r->error, sizeof r->error, "no answer within %.3g s", (double)r->elapsed_ms / 1000);
		else
			snprintf(r->error, sizeof r->error, "%s", *t->errbuf ? t->errbuf : curlfn.easy_strerror(code));
	}
	if (!r->body) {
		r->body = xstrdup("");
		r->len = 0;
	}
	/* Unlink first: the callback may start new requests. */
	for (struct http_transfer **p = &c->transfers; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	c->pending--;
	t->done(t->arg, r);
}

static void finish(struct http_client *c, struct http_transfer *t, CURLcode code)
{
	answer(c, t, code);
	start_next(c, t);
	transfer_free(t);
}

/* Whether a queued transfer has spent its time limit waiting, or all but
 * a tenth of it (at most 100 ms): it then fails without a connection, as
 * running it for the few milliseconds left would only send the request
 * and close the connection before any server could answer. */
static bool spent(const struct http_transfer *t)
{
	int64_t margin = t->timeout_ms / 10 < 100 ? t->timeout_ms / 10 : 100;
	return clock_monotonic_ms() - t->started_ms >= t->timeout_ms - margin;
}

/* The length of "scheme://host:port" at the start of url. */
static size_t origin_len(const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

static bool same_server(const struct http_transfer *a, const struct http_transfer *b);

static size_t running_for(const struct http_client *c, const struct http_transfer *q)
{
	size_t n = 0;
	for (const struct http_transfer *t = c->transfers; t; t = t->next)
		n += same_server(t, q);
	return n;
}

/* Makes t's curl handle and hands it to the multi handle. Its time limit
 * counts from http_start: what it spent queued is spent. */
static void run(struct http_client *c, struct http_transfer *t)
{
	t->easy = curlfn.easy_init();
	if (!t->easy)
		abort();
	CURL *e = t->easy;
	int64_t left = t->timeout_ms - (clock_monotonic_ms() - t->started_ms); /* > 0: see spent */
	curlfn.easy_setopt(e, CURLOPT_URL, t->url);
	curlfn.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curlfn.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curlfn.easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curlfn.easy_setopt(e, CURLOPT_USERAGENT, "cmdr/" CMDR_VERSION);
	/* "": every encoding this libcurl can decode. NULL: none asked for. */
	curlfn.easy_setopt(e, CURLOPT_ACCEPT_ENCODING, t->identity ? NULL : "");
	curlfn.easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curlfn.easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(left > 0 ? left : 1));
	curlfn.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curlfn.easy_setopt(e, CURLOPT_WRITEDATA, t);
	curlfn.easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curlfn.easy_setopt(e, CURLOPT_HEADERDATA, t);
	curlfn.easy_setopt(e, CURLOPT_PRIVATE, t);
	if (t->ca_file)
		curlfn.easy_setopt(e, CURLOPT_CAINFO, t->ca_file);
	if (t->insecure) {
		curlfn.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curlfn.easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (t->user) {
		curlfn.easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curlfn.easy_setopt(e, CURLOPT_USERNAME, t->user);
		curlfn.easy_setopt(e, CURLOPT_PASSWORD, t->password ? t->password : "");
	}
	if (t->has_body) {
		curlfn.easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
		curlfn.easy_setopt(e, CURLOPT_POSTFIELDS, t->body_copy);
	}
	if (t->method)
		curlfn.easy_setopt(e, CURLOPT_CUSTOMREQUEST, t->method);
	if (t->headers)
		curlfn.easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	t->next = c->transfers;
	c->transfers = t;
	CURLMcode mc = curlfn.multi_add_handle(c->multi, e);
	if (mc != CURLM_OK) {
		snprintf(t->errbuf, sizeof t->errbuf, "cannot start the request: %s", curlfn.multi_strerror(mc));
		finish(c, t, CURLE_FAILED_INIT);
	}
}

static bool same_server(const struct http_transfer *a, const struct http_transfer *b)
{
	return a->origin_len == b->origin_len && memcmp(a->url, b->url, a->origin_len) == 0;
}

static void unqueue(struct http_client *c, struct http_transfer **p)
{
	struct http_transfer *t = *p;
	*p = t->next;
	if (c->queue_tail == &t->next)
		c->queue_tail = p;
	t->next = NULL;
}

/* The oldest queued transfer to t's server, or NULL. */
static struct http_transfer **queued_for(struct http_client *c, const struct http_transfer *t)
{
	for (struct http_transfer **p = &c->queue; *p; p = &(*p)->next)
		if (same_server(*p, t))
			return p;
	return NULL;
}

/* Starts the oldest queued transfer to done's server, now it has room;
 * those whose time ran out in the queue fail on the way. A callback may
 * change the queue, so each turn looks again. */
static void start_next(struct http_client *c, const struct http_transfer *done)
{
	struct http_transfer **p;
	while (running_for(c, done) < HTTP_MAX_PER_SERVER && (p = queued_for(c, done))) {
		struct http_transfer *t = *p;
		unqueue(c, p);
		if (!spent(t)) {
			run(c, t);
			return;
		}
		answer(c, t, CURLE_OPERATION_TIMEDOUT);
		transfer_free(t);
	}
}

/* Starts every queued transfer whose server has room, oldest first. */
static void activate(struct http_client *c)
{
	for (struct http_transfer **p = &c->queue; *p;) {
		struct http_transfer *t = *p;
		if (running_for(c, t) >= HTTP_MAX_PER_SERVER) {
			p = &t->next;
			continue;
		}
		unqueue(c, p);
		if (spent(t)) {
			answer(c, t, CURLE_OPERATION_TIMEDOUT);
			transfer_free(t);
		} else {
			run(c, t);
		}
		p = &c->queue; /* a callback may have changed the queue */
	}
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void http_start(struct http_client *c, const struct http_request *req, http_done_fn done, void *arg)
{
	if (!c->multi) {
		/* No libcurl: the request fails as a transfer would. */
		struct http_response fail = { .body = (char *)"" };
		snprintf(fail.error, sizeof fail.error, "%s", c->load_error.msg);
		done(arg, &fail);
		return;
	}
	struct http_transfer *t = xcalloc(1, sizeof *t);
	t->done = done;
	t->arg = arg;
	t->started_ms = clock_monotonic_ms();
	t->max_bytes = req->max_bytes ? req->max_bytes : HTTP_DEFAULT_MAX_BYTES;
	t->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS;
	t->url = xstrdup(req->url);
	t->origin_len = origin_len(t->url);
	t->ca_file = dup_or_null(req->ca_file);
	t->insecure = req->insecure;
	t->identity = req->identity;
	t->user = dup_or_null(req->user);
	t->password = dup_or_null(req->password);
	for (size_t i = 0; i < req->n_headers; i++)
		t->headers = curlfn.slist_append(t->headers, req->headers[i]);
	if (req->body) {
		t->has_body = true;
		t->body_len = req->body_len;
		t->body_copy = xmalloc(req->body_len + 1);
		memcpy(t->body_copy, req->body, req->body_len);
		t->body_copy[req->body_len] = '\0';
		/* No "Expect: 100-continue" round trip for small bodies. */
		t->headers = curlfn.slist_append(t->headers, "Expect:");
	}
	if (req->method && strcmp(req->method, req->body ? "POST" : "GET") != 0)
		t->method = xstrdup(req->method);
	c->pending++;
	if (running_for(c, t) < HTTP_MAX_PER_SERVER) {
		run(c, t);
	} else {
		*c->queue_tail = t;
		c->queue_tail = &t->next;
	}
}

void http_client_wait(struct http_client *c, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms)
{
	int numfds = 0;
	if (!c->multi)
		return;
	curlfn.multi_poll(c->multi, extra, n_extra, timeout_ms < 0 ? 0 : timeout_ms, &numfds);
}

void http_client_run(struct http_client *c)
{
	int running = 0;
	if (!c->multi)
		return;
	curlfn.multi_perform(c->multi, &running);
	CURLMsg *msg;
	int left;
	while ((msg = curlfn.multi_info_read(c->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct http_transfer *t = NULL;
		CURL *e = msg->easy_handle;
		CURLcode code = msg->data.result;
		curlfn.easy_getinfo(e, CURLINFO_PRIVATE, (char **)&t);
		curlfn.multi_remove_handle(c->multi, e);
		finish(c, t, code);
	}
}
