/* The incident as one JSON document: what `cmdr status --json` and the
 * headless drill print, and what scripts and tests rely on. */
#ifndef CMDR_STATUS_H
#define CMDR_STATUS_H
#include <cjson/cJSON.h>

#include "incident.h"

cJSON *status_json(const struct incident *inc);

/* What the engines said about endpoint at this moment, compact, for the
 * journal's record of a traffic change (the postmortem's "signals at the
 * decisive moments"): {"burn": [{"slo", "rates", "firing", "stale"}],
 * "canary": [{"deployment", "verdict", "windows": [...]}]}. */
cJSON *status_evidence_json(const struct incident *inc, const char *endpoint);

#endif
