/* Plays a scenario (core/scenario.h) inside an incident: builds the world
 * from it, then releases its scheduled events and canary windows as the
 * simulated clock passes them. The traffic target is simulated and lands
 * changes in the same world after the scenario's delay. */
#ifndef CMDR_DRILL_H
#define CMDR_DRILL_H
#include <stdint.h>

#include "error.h"
#include "incident.h"
#include "scenario.h"

struct drill {
	struct scenario scenario;
	size_t next_event;
	size_t *next_window; /* per canary */
};

/* Loads path into inc (which must have been opened on an empty journal):
 * mode drill, manual clock at the scenario's start, simulated target.
 * Journals the drill's start. */
int drill_load(struct incident *inc, const char *path, struct error *err);
/* The next scheduled event or canary window (INT64_MAX: none). */
int64_t drill_next_due(const struct incident *inc);
/* Releases everything scheduled at or before now. */
void drill_run_due(struct incident *inc, int64_t now);
void drill_free(struct drill *d);

#endif
