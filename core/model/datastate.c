#include "datastate.h"

#include <stdio.h>

bool data_too_old(int64_t at_ms, int64_t every_ms, int64_t now)
{
	return at_ms == 0 || now - at_ms > 2 * every_ms;
}

bool data_stale(const struct data_state *d, int64_t now)
{
	return d->live && !d->idle && data_too_old(d->at_ms, d->refresh_ms, now);
}

void data_age(const struct data_state *d, int64_t now, char *buf, size_t size)
{
	if (!d->at_ms) {
		snprintf(buf, size, "-");
		return;
	}
	int64_t s = (now - d->at_ms) / 1000;
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, size, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, size, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
}
