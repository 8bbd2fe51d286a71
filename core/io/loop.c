#include "loop.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xalloc.h"

#define LOOP_MAX_FDS 64

struct loop_watch {
	int fd;
	short events;
	loop_fd_fn fn;
	void *arg;
};

struct loop_timer_entry {
	uint64_t id;
	int64_t at_ms;
	loop_timer_fn fn;
	void *arg;
};

struct loop {
	struct http_client *http;
	struct loop_watch *watches;
	size_t n_watches, cap_watches;
	struct loop_timer_entry *timers;
	size_t n_timers, cap_timers;
	uint64_t next_id;
};

struct loop *loop_new(void)
{
	return xcalloc(1, sizeof(struct loop));
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	http_client_free(l->http);
	free(l->watches);
	free(l->timers);
	free(l);
}

struct http_client *loop_http(struct loop *l)
{
	/* Made (and libcurl loaded) by the first request. */
	if (!l->http)
		l->http = http_client_new();
	return l->http;
}

void loop_watch(struct loop *l, int fd, short events, loop_fd_fn fn, void *arg)
{
	for (size_t i = 0; i < l->n_watches; i++) {
		if (l->watches[i].fd == fd) {
			l->watches[i] = (struct loop_watch){ fd, events, fn, arg };
			return;
		}
	}
	xgrow(&l->watches, &l->cap_watches, l->n_watches + 1, sizeof *l->watches);
	l->watches[l->n_watches++] = (struct loop_watch){ fd, events, fn, arg };
}

void loop_unwatch(struct loop *l, int fd)
{
	for (size_t i = 0; i < l->n_watches; i++) {
		if (l->watches[i].fd == fd) {
			l->watches[i] = l->watches[--l->n_watches];
			return;
		}
	}
}

uint64_t loop_timer(struct loop *l, int64_t at_ms, loop_timer_fn fn, void *arg)
{
	xgrow(&l->timers, &l->cap_timers, l->n_timers + 1, sizeof *l->timers);
	uint64_t id = ++l->next_id;
	l->timers[l->n_timers++] = (struct loop_timer_entry){ id, at_ms, fn, arg };
	return id;
}

void loop_cancel(struct loop *l, uint64_t id)
{
	for (size_t i = 0; i < l->n_timers; i++) {
		if (l->timers[i].id == id) {
			l->timers[i] = l->timers[--l->n_timers];
			return;
		}
	}
}

bool loop_busy(const struct loop *l)
{
	return http_client_pending(l->http) || l->n_watches || l->n_timers;
}

static void run_timers(struct loop *l)
{
	int64_t now = clock_monotonic_ms();
	/* A callback may add or cancel timers: take one due timer at a time. */
	for (;;) {
		size_t due = l->n_timers;
		for (size_t i = 0; i < l->n_timers; i++)
			if (l->timers[i].at_ms <= now && (due == l->n_timers || l->timers[i].at_ms < l->timers[due].at_ms))
				due = i;
		if (due == l->n_timers)
			return;
		struct loop_timer_entry t = l->timers[due];
		l->timers[due] = l->timers[--l->n_timers];
		t.fn(t.arg);
	}
}

void loop_wait(struct loop *l, struct pollfd *extra, unsigned n_extra, int timeout_ms)
{
	int64_t now = clock_monotonic_ms();
	for (size_t i = 0; i < l->n_timers; i++) {
		int64_t d = l->timers[i].at_ms - now;
		if (d < timeout_ms)
			timeout_ms = d < 0 ? 0 : (int)d;
	}
	struct pollfd p[LOOP_MAX_FDS];
	unsigned n = 0;
	for (unsigned i = 0; i < n_extra && n < LOOP_MAX_FDS; i++)
		p[n++] = extra[i];
	for (size_t i = 0; i < l->n_watches && n < LOOP_MAX_FDS; i++)
		p[n++] = (struct pollfd){ .fd = l->watches[i].fd, .events = l->watches[i].events };
	if (l->http) {
		/* Transfers wake the loop too: libcurl waits on their sockets
		 * and ours together. */
		struct curl_waitfd w[LOOP_MAX_FDS];
		for (unsigned i = 0; i < n; i++)
			w[i] = (struct curl_waitfd){ .fd = p[i].fd,
						     .events = (short)((p[i].events & POLLIN ? CURL_WAIT_POLLIN : 0) |
								       (p[i].events & POLLOUT ? CURL_WAIT_POLLOUT : 0)) };
		http_client_wait(l->http, w, n, timeout_ms);
		http_client_run(l->http);
		/* curl_multi_poll does not say which fd woke it: ask poll. */
		timeout_ms = 0;
	}
	if (poll(p, n, timeout_ms < 0 ? 0 : timeout_ms) > 0) {
		for (unsigned i = n_extra; i < n; i++) {
			if (!p[i].revents)
				continue;
			/* The callback may unwatch (and so move) entries: find
			 * the fd again before calling. */
			for (size_t k = 0; k < l->n_watches; k++) {
				if (l->watches[k].fd == p[i].fd) {
					struct loop_watch w = l->watches[k];
					w.fn(w.arg, w.fd, p[i].revents);
					break;
				}
			}
		}
		for (unsigned i = 0; i < n_extra; i++)
			extra[i].revents = p[i].revents;
	}
	run_timers(l);
}
