/* The one event loop's registry: HTTP transfers (core/io/http.c), file
 * descriptors to watch (a runtime-API socket, a child's pipes) and timers
 * (retries, backoff, polling a long-running operation). The console waits
 * in loop_wait with stdin as an extra fd; commands wait in it until their
 * action is done. Single-threaded: every callback runs from loop_wait. */
#ifndef CMDR_LOOP_H
#define CMDR_LOOP_H
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "http.h"

struct loop;

typedef void (*loop_fd_fn)(void *arg, int fd, short revents);
typedef void (*loop_timer_fn)(void *arg);

struct loop *loop_new(void);
/* Drops watches and timers without calling them; abandons transfers. */
void loop_free(struct loop *l);
/* The loop's HTTP client, made (and libcurl loaded) on first use. */
struct http_client *loop_http(struct loop *l);

/* Calls fn when fd is ready for events (POLLIN, POLLOUT) or has failed
 * (POLLERR, POLLHUP), until loop_unwatch. One watch per fd. */
void loop_watch(struct loop *l, int fd, short events, loop_fd_fn fn, void *arg);
void loop_unwatch(struct loop *l, int fd);

/* Calls fn once at the monotonic time at_ms (clock_monotonic_ms). Returns
 * an id for loop_cancel. */
uint64_t loop_timer(struct loop *l, int64_t at_ms, loop_timer_fn fn, void *arg);
void loop_cancel(struct loop *l, uint64_t id);

/* Whether anything is in flight: transfers, watches or timers. */
bool loop_busy(const struct loop *l);

/* Waits up to timeout_ms for the extra fds (stdin; their revents are set),
 * transfers, watched fds or the next timer, then runs every callback that
 * is due. */
void loop_wait(struct loop *l, struct pollfd *extra, unsigned n_extra, int timeout_ms);

#endif
