/* Live incidents: the config's sources read on their refresh intervals,
 * SLO burn computed from the counts the metrics engine returns for each
 * window, canary windows judged as they close, and the age of every piece
 * of data kept so that stale data is marked and never acted on. All
 * requests are asynchronous (core/io/http.c, core/io/proc.c): nothing here
 * blocks the console's loop. */
#ifndef CMDR_LIVE_H
#define CMDR_LIVE_H
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "http.h"
#include "incident.h"

enum { LIVE_SOURCES = 1, LIVE_TARGETS = 2 };

/* Adds the config's endpoints with their traffic targets (LIVE_TARGETS)
 * and its SLOs and canary gates (LIVE_SOURCES) to a live incident; they
 * are read from the next incident_advance on. Secrets are read now: one
 * that cannot be read (or is readable by others) fails here with its
 * message. The config must outlive the incident. */
int live_attach(struct incident *inc, const struct config *cfg, unsigned what, struct error *err);
/* Whether live_attach gave inc its live feed (core/incident/feed.h), which at each
 * incident_advance starts whatever is due: refresh rounds, canary windows
 * whose end (plus lag) has passed, target reads. */
bool live_attached(const struct incident *inc);

/* One complete reading at inc->now for `cmdr status`: every SLO window
 * and the canary windows that closed before now, waiting at most
 * timeout_ms. Returns 0 when every source answered; -1 with err naming the
 * first failure otherwise (the data states say which). */
int live_snapshot(struct incident *inc, int64_t timeout_ms, struct error *err);

/* `cmdr config check --online`: runs every SLO and canary query of the
 * attached sources once (an SLO's 5m window, a canary's own window; a
 * canary without a configured deployment is asked for one that matches
 * nothing; a compare canary's named baseline is read too, its what
 * ending " (the baseline's read)") and calls report for each: what
 * ("slo \"NAME\" total_query"), the engine's error or NULL, and whether
 * it gave no data. Waits at most timeout_ms; returns the number of
 * failures. */
typedef void (*live_check_fn)(void *ctx, const char *what, const char *error, bool no_data);
size_t live_check(struct incident *inc, int64_t timeout_ms, live_check_fn report, void *ctx);
/* After live_check: each SLO the sources' discovery found, one line each
 * ("prom: sloth SLO \"chat-availability\" (service chat): objective 0.999
 * over 30d, lacks 3d"), those not shown with the reason. */
void live_discovered(const struct incident *inc, void (*line)(void *ctx, const char *text), void *ctx);

#endif
