/* The evidence a traffic change is journaled with (core/incident/evidence.c). */
#ifndef CMDR_EVIDENCE_H
#define CMDR_EVIDENCE_H
#include <stdint.h>

#include <cjson/cJSON.h>

#include "incident.h"

/* What the engines said about endpoint at this moment, compact, for the
 * journal's record of a traffic change (the postmortem's "signals at the
 * decisive moments"): {"burn": [{"slo", "rates", "firing", "stale"}],
 * "canary": [{"deployment", "verdict", "windows": [...]}]}. */
cJSON *evidence_json(const struct incident *inc, const char *endpoint);

/* A canary window: its span, the check that decided it, the verdict. */
cJSON *evidence_window_json(const struct canary_window *w);
/* One check of a window: class, metric, value, threshold, n, verdict. */
cJSON *evidence_check_json(const struct canary_check *c);

/* A time as ISO 8601 UTC with milliseconds; a number, or null for NaN
 * and infinities ("no data"). */
void json_add_time(cJSON *o, const char *key, int64_t ms);
void json_add_number(cJSON *o, const char *key, double v);

#endif
