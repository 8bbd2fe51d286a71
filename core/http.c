#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "xalloc.h"

#define HTTP_DEFAULT_TIMEOUT_MS 10000
#define HTTP_DEFAULT_MAX_BYTES (8u << 20)
#define HTTP_MAX_HEADERS 64

struct http_transfer {
	CURL *easy;
	struct curl_slist *headers;
	char *body_copy;
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
	CURLM *multi;
	struct http_transfer *transfers;
	size_t pending;
};

struct http_client *http_client_new(void)
{
	struct http_client *c = xcalloc(1, sizeof *c);
	c->multi = curl_multi_init();
	if (!c->multi)
		abort();
	/* Fifty SLOs refresh at once: reuse a few connections per server
	 * rather than opening hundreds. */
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 6L);
	return c;
}

static void transfer_free(struct http_transfer *t)
{
	curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t->body_copy);
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
		curl_multi_remove_handle(c->multi, t->easy);
		transfer_free(t);
	}
	curl_multi_cleanup(c->multi);
	free(c);
}

void http_cancel(struct http_client *c, void *arg)
{
	for (struct http_transfer **p = &c->transfers; *p;) {
		struct http_transfer *t = *p;
		if (t->arg != arg) {
			p = &t->next;
			continue;
		}
		*p = t->next;
		c->pending--;
		curl_multi_remove_handle(c->multi, t->easy);
		transfer_free(t);
	}
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

static void finish(struct http_client *c, struct http_transfer *t, CURLcode code)
{
	struct http_response *r = &t->resp;
	r->elapsed_ms = clock_monotonic_ms() - t->started_ms;
	if (code == CURLE_OK) {
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r->status);
		char *ct = NULL;
		curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ct);
		r->content_type = ct;
	} else {
		r->status = 0;
		if (t->too_large)
			snprintf(r->error, sizeof r->error, "response larger than %zu bytes (the limit); not read",
				 t->max_bytes);
		else if (code == CURLE_OPERATION_TIMEDOUT)
			snprintf(r->error, sizeof r->error, "no answer within %.3g s", (double)r->elapsed_ms / 1000);
		else
			snprintf(r->error, sizeof r->error, "%s", *t->errbuf ? t->errbuf : curl_easy_strerror(code));
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
	transfer_free(t);
}

void http_start(struct http_client *c, const struct http_request *req, http_done_fn done, void *arg)
{
	struct http_transfer *t = xcalloc(1, sizeof *t);
	t->done = done;
	t->arg = arg;
	t->started_ms = clock_monotonic_ms();
	t->max_bytes = req->max_bytes ? req->max_bytes : HTTP_DEFAULT_MAX_BYTES;
	t->easy = curl_easy_init();
	if (!t->easy)
		abort();
	CURL *e = t->easy;
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "cmdr/" CMDR_VERSION);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(req->timeout_ms > 0 ? req->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS));
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	if (req->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, req->ca_file);
	if (req->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (req->user) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, req->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, req->password ? req->password : "");
	}
	for (size_t i = 0; i < req->n_headers; i++)
		t->headers = curl_slist_append(t->headers, req->headers[i]);
	if (req->body) {
		t->body_copy = xmalloc(req->body_len + 1);
		memcpy(t->body_copy, req->body, req->body_len);
		t->body_copy[req->body_len] = '\0';
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body_copy);
		/* No "Expect: 100-continue" round trip for small bodies. */
		t->headers = curl_slist_append(t->headers, "Expect:");
	}
	if (req->method && strcmp(req->method, req->body ? "POST" : "GET") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	if (t->headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	t->next = c->transfers;
	c->transfers = t;
	c->pending++;
	CURLMcode mc = curl_multi_add_handle(c->multi, e);
	if (mc != CURLM_OK) {
		snprintf(t->errbuf, sizeof t->errbuf, "cannot start the request: %s", curl_multi_strerror(mc));
		finish(c, t, CURLE_FAILED_INIT);
	}
}

void http_client_wait(struct http_client *c, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms)
{
	int numfds = 0;
	curl_multi_poll(c->multi, extra, n_extra, timeout_ms < 0 ? 0 : timeout_ms, &numfds);
}

void http_client_run(struct http_client *c)
{
	int running = 0;
	curl_multi_perform(c->multi, &running);
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(c->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct http_transfer *t = NULL;
		CURL *e = msg->easy_handle;
		CURLcode code = msg->data.result;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&t);
		curl_multi_remove_handle(c->multi, e);
		finish(c, t, code);
	}
}
