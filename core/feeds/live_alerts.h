/* Alertmanager as a feed (core/incident/feed.h): each alertmanager source
 * of the config is asked for its alerts (GET /api/v2/alerts with the
 * source's filter) every refresh, and the incident gets them whole, with
 * how fresh they are, in inc->alerts. */
#ifndef CMDR_LIVE_ALERTS_H
#define CMDR_LIVE_ALERTS_H
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "incident.h"

/* Adds the config's alertmanager sources to a live incident (none: no
 * feed). Secrets are read now. The config must outlive the incident. */
int live_alerts_attach(struct incident *inc, const struct config *cfg, struct error *err);
/* One reading of every alertmanager source for `cmdr status`, waiting at
 * most timeout_ms: 0 when each answered, else -1 with err naming the
 * first failure. */
int live_alerts_snapshot(struct incident *inc, int64_t timeout_ms, struct error *err);

#endif
