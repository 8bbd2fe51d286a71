/* The incident as one JSON document: what `cmdr status --json` and the
 * headless drill print, and what scripts and tests rely on. */
#ifndef CMDR_STATUS_H
#define CMDR_STATUS_H
#include <cjson/cJSON.h>

#include "incident.h"

cJSON *status_json(const struct incident *inc);
/* How fresh live data is, as "data": {at, age_s, stale, error}; nothing
 * for a drill's scenario data. */
void status_add_data(cJSON *o, const struct data_state *d, int64_t now);
/* Each source's alerts, grouped by alertname (incident_alerts.c). */
cJSON *status_alerts_json(const struct incident *inc);
/* The silences made during the incident, with the time each has left. */
cJSON *status_silences_json(const struct incident *inc);

#endif
