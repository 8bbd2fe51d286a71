/* HTTP for the one event loop: requests run on libcurl's multi interface
 * and finish through callbacks, so a hung server never holds up a key.
 * The console waits in http_client_wait (stdin and child pipes ride along
 * as extra fds); one-shot commands call it until nothing is pending. */
#ifndef CMDR_HTTP_H
#define CMDR_HTTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

struct http_header {
	char *name, *value;
};

struct http_response {
	long status;        /* 0: no response (error says why) */
	char *body;         /* NUL-terminated; len excludes the NUL */
	size_t len;
	const char *content_type; /* NULL when the server sent none */
	struct http_header *headers;
	size_t n_headers;
	char error[512];    /* transport failure in words, "" when a response came */
	int64_t elapsed_ms;
};

struct http_request {
	const char *method;  /* NULL: GET, or POST when there is a body */
	const char *url;
	const char *const *headers; /* "Name: value" lines */
	size_t n_headers;
	const char *body;
	size_t body_len;
	int64_t timeout_ms;  /* the whole exchange; 0: 10 s */
	size_t max_bytes;    /* body cap; 0: 8 MiB. Over it the transfer stops with an error */
	const char *ca_file; /* NULL: the system's */
	bool insecure;       /* no TLS verification (only when configured so) */
	const char *user, *password; /* basic auth */
	/* Ask for the answer as it is (no Accept-Encoding): for small answers,
	 * which cost the server more to compress than they save (a
	 * Prometheus instant query's ~100 bytes doubled its CPU). */
	bool identity;
};

/* Connections: at most HTTP_MAX_PER_SERVER to a server (scheme, host and
 * port), kept open between requests and across refreshes, so that a
 * refresh of hundreds of queries opens a handful, not hundreds. */
#define HTTP_MAX_PER_SERVER 6

/* Called once per request, from http_client_run. resp and its strings live
 * until the callback returns. */
typedef void (*http_done_fn)(void *arg, const struct http_response *resp);

struct http_client;

struct http_client *http_client_new(void);
/* Abandons whatever is in flight without calling back. */
void http_client_free(struct http_client *c);
/* Starts a request; it completes through done (also when it fails at once). */
void http_start(struct http_client *c, const struct http_request *req, http_done_fn done, void *arg);
/* Abandons every transfer started with arg, without calling back: for an
 * owner that goes away while its requests are out. */
void http_cancel(struct http_client *c, void *arg);
size_t http_client_pending(const struct http_client *c);
/* Waits up to timeout_ms for transfers or the extra fds (curl_multi_poll). */
void http_client_wait(struct http_client *c, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms);
/* Moves transfers along and calls back those that finished. */
void http_client_run(struct http_client *c);

/* A response header's value (case-insensitive name), or NULL. */
const char *http_response_header(const struct http_response *r, const char *name);

#endif
