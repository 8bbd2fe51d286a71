/* The HTTP client's queue: at most HTTP_MAX_PER_SERVER transfers run at
 * once per server (the rest wait with no curl handle), every request is
 * answered in the end, a queued request can be cancelled, and a queued
 * request's time limit counts from when it was asked for. Connections are
 * kept and reused across rounds of requests, and compression is asked for
 * only when wanted. The server is a small thread-per-connection one in
 * this file that counts the requests it holds at once, the connections it
 * accepted and the requests that asked for an encoding. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "http.h"

static int listen_fd = -1, port;
static atomic_int in_flight, max_in_flight, served, accepted, asked_encoding;
static atomic_int hold_ms; /* how long the server holds each request; < 0: never answers */

static void *serve_one(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[4096];
	size_t have = 0;
	for (;;) {
		ssize_t got = read(fd, buf + have, sizeof buf - 1 - have);
		if (got <= 0)
			break;
		have += (size_t)got;
		buf[have] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		*end = '\0';
		if (strcasestr(buf, "\r\nAccept-Encoding:"))
			atomic_fetch_add(&asked_encoding, 1);
		*end = '\r';
		int now = atomic_fetch_add(&in_flight, 1) + 1;
		for (int m = atomic_load(&max_in_flight); now > m && !atomic_compare_exchange_weak(&max_in_flight, &m, now);)
			;
		int hold = atomic_load(&hold_ms);
		if (hold < 0) {
			while (read(fd, buf, sizeof buf) > 0) /* until the client gives up */
				;
			atomic_fetch_sub(&in_flight, 1);
			break;
		}
		usleep((useconds_t)hold * 1000);
		atomic_fetch_sub(&in_flight, 1);
		atomic_fetch_add(&served, 1);
		static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
		if (write(fd, answer, sizeof answer - 1) < 0)
			break;
		size_t used = (size_t)(end + 4 - buf);
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	close(fd);
	return NULL;
}

static void *accept_loop(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			return NULL;
		atomic_fetch_add(&accepted, 1);
		pthread_t th;
		pthread_create(&th, NULL, serve_one, (void *)(intptr_t)fd);
		pthread_detach(th);
	}
}

static void server_start(void)
{
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	if (bind(listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(listen_fd, 128) != 0 ||
	    getsockname(listen_fd, (struct sockaddr *)&a, &len) != 0)
		abort();
	port = ntohs(a.sin_port);
	pthread_t th;
	pthread_create(&th, NULL, accept_loop, NULL);
	pthread_detach(th);
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
	snprintf(url, sizeof url, "http://127.0.0.1:%d/q", port);
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
	snprintf(url, sizeof url, "http://127.0.0.1:%d/q", port);
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
	atomic_store(&accepted, 0);
	struct http_client *c = http_client_new();
	struct answer a[12] = { 0 };
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hang", port);
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
	CHECK(atomic_load(&accepted) <= HTTP_MAX_PER_SERVER);
	CHECK(atomic_load(&accepted) >= 1);
	http_client_free(c);
}

/* Three rounds of forty requests, as three refreshes: the connections of
 * the first serve the others, and never more than six are open. */
static void connections_are_kept_across_rounds(void)
{
	atomic_store(&hold_ms, 5);
	atomic_store(&accepted, 0);
	struct http_client *c = http_client_new();
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/q", port);
	for (int round = 0; round < 3; round++) {
		struct answer a[N] = { 0 };
		for (int i = 0; i < N; i++)
			http_start(c, &(struct http_request){ .url = url, .timeout_ms = 30000 }, on_done, &a[i]);
		wait_all(c, 60000);
		for (int i = 0; i < N; i++)
			CHECK(a[i].status == 200);
	}
	CHECK(atomic_load(&accepted) <= HTTP_MAX_PER_SERVER);
	CHECK(atomic_load(&accepted) >= 1);
	http_client_free(c);
}

/* A request for a small answer asks for no encoding; others take any. */
static void compression_only_when_asked(void)
{
	atomic_store(&hold_ms, 0);
	struct http_client *c = http_client_new();
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/q", port);
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
	server_start();
	RUN(forty_requests_six_at_a_time);
	RUN(queued_requests_can_be_cancelled);
	RUN(a_queued_request_time_counts_from_the_ask);
	RUN(connections_are_kept_across_rounds);
	RUN(compression_only_when_asked);
	return CHECK_EXIT();
}
