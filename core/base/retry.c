#include "retry.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

#define RETRY_MAX_ATTEMPTS 6
#define RETRY_BASE_MS 500
#define RETRY_CAP_MS 8000

bool retry_worth(long http_status)
{
	return http_status == 0 || http_status == 429 || http_status >= 500;
}

/* Retry-After: delay-seconds, or an IMF-fixdate ("Wed, 21 Oct 2015
 * 07:28:00 GMT"); -1 when it is neither. */
static int64_t retry_after_ms(const char *v)
{
	char *end;
	long s = strtol(v, &end, 10);
	if (end != v && *end == '\0' && s >= 0)
		return (int64_t)s * 1000;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *p = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!p || *p)
		return -1;
	int64_t at = (int64_t)timegm(&tm) * 1000;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t d = at - ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	return d > 0 ? d : 0;
}

int64_t retry_delay_ms(int attempt, const char *retry_after, int64_t now_ms, int64_t deadline_ms)
{
	if (attempt < 1 || attempt > RETRY_MAX_ATTEMPTS)
		return -1;
	int64_t d = retry_after ? retry_after_ms(retry_after) : -1;
	if (d < 0) {
		d = RETRY_BASE_MS << (attempt - 1);
		if (d > RETRY_CAP_MS)
			d = RETRY_CAP_MS;
		d += (int64_t)(rand() % (int)(d / 5 + 1));
	}
	if (now_ms + d > deadline_ms)
		return -1;
	return d;
}
