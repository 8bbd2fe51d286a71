/* When to try again after a failure that may pass (HTTP 429 and 5xx, a
 * refused or dropped connection): the server's Retry-After when it gave
 * one, else exponential backoff with jitter; never past the deadline. No
 * retry for an answer that cannot change (any other 4xx). */
#ifndef CMDR_RETRY_H
#define CMDR_RETRY_H
#include <stdbool.h>
#include <stdint.h>

/* Whether an HTTP status (0: no response) is worth another try. */
bool retry_worth(long http_status);
/* The delay before attempt number `attempt` (1 for the first retry):
 * Retry-After (seconds, or an HTTP date) when given and sane, else
 * 500 ms * 2^(attempt-1) capped at 8 s, with up to 20% jitter. -1 when the
 * retry would start after deadline_ms (monotonic), or after 6 attempts. */
int64_t retry_delay_ms(int attempt, const char *retry_after, int64_t now_ms, int64_t deadline_ms);

#endif
