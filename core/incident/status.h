/* The incident as one JSON document: what `cmdr status --json` and the
 * headless drill print, and what scripts and tests rely on. */
#ifndef CMDR_STATUS_H
#define CMDR_STATUS_H
#include <cjson/cJSON.h>

#include "incident.h"

cJSON *status_json(const struct incident *inc);

#endif
