/* Plays a scenario (core/readers/scenario.h) inside an incident: builds the world
 * from it, then releases its scheduled events and canary windows as the
 * simulated clock passes them. The traffic target is simulated and lands
 * changes in the same world after the scenario's delay. */
#ifndef CMDR_DRILL_H
#define CMDR_DRILL_H
#include <stdint.h>

#include "error.h"
#include "feed.h"
#include "incident.h"
#include "scenario.h"

struct drill {
	struct feed base;
	struct incident *inc;
	struct scenario scenario;
	size_t next_event;
	size_t *next_window; /* per canary */
	size_t first_canary; /* the scenario's canaries in inc->canaries */
};

extern const struct feed_ops drill_ops;

/* Loads path into inc (which must have been opened on an empty journal)
 * as its feed: mode drill, manual clock at the scenario's start,
 * simulated target. Journals the drill's start. */
int drill_load(struct incident *inc, const char *path, struct error *err);
/* The drill inc plays, or NULL when it is live. */
struct drill *drill_of(const struct incident *inc);

#endif
