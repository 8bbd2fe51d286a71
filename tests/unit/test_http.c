/* The HTTP client's queue: at most HTTP_MAX_PER_SERVER transfers run at
 * once per server (the rest wait with no curl handle), every request is
 * answered in the end, a queued request can be cancelled, and a queued
 * request's time limit counts from when it was asked for. Connections are
 * kept and reused across rounds of requests, and compression is asked for
 * only when wanted. The server (stub_server.h) holds each request a
 * while, counting the requests it holds at once, those it answered and
 * those that asked for an encoding. */
#include <stdatomic.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "http.h"
#include "stub_server.h"

static struct stub_server server;
static atomic_int in_flight, max_in_flight, served, asked_encoding;
static atomic_int hold_ms; /* how long the server holds each request; < 0: never answers */

static int hold_and_answer(void *arg, const char *head, char *body, size_t size)
{
	(void)arg;
	if (strcasestr(head, "\r\nAccept-Encoding:"))
		atomic_fetch_add(&asked_encoding, 1);
	int now = atomic_fetch_add(&in_flight, 1) + 1;
	for (int m = atomic_load(&max_in_flight); now > m && !atomic_compare_exchange_weak(&max_in_flight, &m, now);)
		;
	int hold = atomic_load(&hold_ms);
	if (hold >= 0)
		usleep((useconds_t)hold * 1000);
	atomic_fetch_sub(&in_flight, 1);
	if (hold < 0)
		return STUB_SERVER_SILENT;
	atomic_fetch_add(&served, 1);
	snprintf(body, size, "ok");
	return 200;
}

struct answer {
	int done;
	long status;
	char body[16];
	char error[512];
};

static void on_done(void *arg, const struct http_response *r)
{
	struct answer *a = arg;
	a->done++;
	a->status = r->status;
	snprintf(a->body, sizeof a->body, "%s", r->body);
	snprintf(a->error, sizeof a->error, "%s", r->error);
}

static void wait_all(struct http_client *c, int64_t limit_ms)
{
	int64_t until = clock_monotonic_ms() + limit_ms;
	while (http_client_pending(c) && clock_monotonic_ms() < until) {
		http_client_wait(c, NULL, 0, 50);
		http_client_run(c);
	}
}

#define N 40

static void forty_requests_six_at_a_time(void)
{
	atomic_store(&hold_ms, 20);
	atomic_store(&max_in_flight, 0);
	atomic_store(&served, 0);
	struct http_client *c = http_client_new();
	struct answer a[N] = { 0 };
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/q", server.port);
	for (int i = 0; i < N; i++)
		http_start(c, &(struct http_request){ .url = url, .timeout_ms = 30000 }, on_done, &a[i]);
	CHECK(http_client_pending(c) == N);
	wait_all(c, 60000);
	CHECK(http_client_pending(c) == 0);
	for (int i = 0; i < N; i++) {
		CHECK(a[i].done == 1);
		CHECK(a[i].status == 200);
		CHECK_STR(a[i].body, "ok");
	}
	CHECK(atomic_load(&served) == N);
	/* never more than six at once, and more than one */
	CHECK(atomic_load(&max_in_flight) <= 6);
	CHECK(atomic_load(&max_in_flight) >= 2);
	http_client_free(c);
}

static void queued_requests_can_be_cancelled(void)
{
	atomic_store(&hold_ms, 20);
	struct http_client *c = http_client_new();
	struct answer kept[6] = { 0 }, dropped[10] = { 0 };
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/q", server.port);
	for (int i = 0; i < 6; i++)
		http_start(c, &(struct http_request){ .url = url }, on_done, &kept[i]);
	for (int i = 0; i < 10; i++)
		http_start(c, &(struct http_request){ .url = url }, on_done, dropped); /* all queued */
	CHECK(http_client_pending(c) == 16);
	http_cancel(c, dropped);
	CHECK(http_client_pending(c) == 6);
	wait_all(c, 30000);
	CHECK(dropped[0].done == 0);
	for (int i = 0; i < 6; i++)
		CHECK(kept[i].status == 200);
	/* freeing a client with queued requests leaves nothing behind (ASan) */
	for (int i = 0; i < 10; i++)
		http_start(c, &(struct http_request){ .url = url }, on_done, dropped);
	http_client_free(c);
	CHECK(dropped[0].done == 0);
}

/* Twelve requests to a server that never answers, 1 s each: the six
 * queued ones have used their second waiting, so they give up without
 * connecting rather than run a second round (which a loaded machine
 * could also take for one: no time is checked). */
static void a_queued_request_time_counts_from_the_ask(void)
{
	atomic_store(&hold_ms, -1);
	atomic_store(&server.accepted, 0);
	struct http_client *c = http_client_new();
	struct answer a[12] = { 0 };
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hang", server.port);
	for (int i = 0; i < 12; i++)
		http_start(c, &(struct http_request){ .url = url, .timeout_ms = 1000 }, on_done, &a[i]);
	wait_all(c, 30000);
	for (int i = 0; i < 12; i++) {
		CHECK(a[i].done == 1);
		CHECK(a[i].status == 0);
		CHECK(strstr(a[i].error, "no answer within") != NULL);
	}
	/* the six that never ran never connected (the server's accepting
	 * thread may still be behind: at most six, and some) */
	CHECK(atomic_load(&server.accepted) <= HTTP_MAX_PER_SERVER);
	CHECK(atomic_load(&server.accepted) >= 1);
	http_client_free(c);
}

/* Three rounds of forty requests, as three refreshes: the connections of
 * the first serve the others, and never more than six are open. */
static void connections_are_kept_across_rounds(void)
{
	atomic_store(&hold_ms, 5);
	atomic_store(&server.accepted, 0);
	struct http_client *c = http_client_new();
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/q", server.port);
	for (int round = 0; round < 3; round++) {
		struct answer a[N] = { 0 };
		for (int i = 0; i < N; i++)
			http_start(c, &(struct http_request){ .url = url, .timeout_ms = 30000 }, on_done, &a[i]);
		wait_all(c, 60000);
		for (int i = 0; i < N; i++)
			CHECK(a[i].status == 200);
	}
	CHECK(atomic_load(&server.accepted) <= HTTP_MAX_PER_SERVER);
	CHECK(atomic_load(&server.accepted) >= 1);
	http_client_free(c);
}

/* A request for a small answer asks for no encoding; others take any. */
static void compression_only_when_asked(void)
{
	atomic_store(&hold_ms, 0);
	struct http_client *c = http_client_new();
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/q", server.port);
	struct answer a = { 0 };
	atomic_store(&asked_encoding, 0);
	http_start(c, &(struct http_request){ .url = url, .identity = true }, on_done, &a);
	wait_all(c, 30000);
	CHECK(a.status == 200);
	CHECK(atomic_load(&asked_encoding) == 0);
	http_start(c, &(struct http_request){ .url = url }, on_done, &a);
	wait_all(c, 30000);
	CHECK(a.status == 200);
	CHECK(atomic_load(&asked_encoding) == 1);
	http_client_free(c);
}

int main(void)
{
	stub_server_start(&server, hold_and_answer, NULL);
	RUN(forty_requests_six_at_a_time);
	RUN(queued_requests_can_be_cancelled);
	RUN(a_queued_request_time_counts_from_the_ask);
	RUN(connections_are_kept_across_rounds);
	RUN(compression_only_when_asked);
	return CHECK_EXIT();
}
