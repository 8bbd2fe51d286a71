/* The order SLO BURN shows an incident's SLOs in, worst first, and the
 * console's `/` filter over them. The order is kept by the caller from one
 * reading to the next: nearly equal SLOs keep the places they had, so rows
 * do not trade places at every refresh. */
#ifndef CMDR_SLO_ORDER_H
#define CMDR_SLO_ORDER_H
#include <stdbool.h>
#include <stddef.h>

#include "incident.h"

/* Where an SLO stands, best first in the order: a page tier fires, a
 * ticket tier fires, quiet (some window has data), no data at all (every
 * window without data: not read yet, stale, failing, or lacked). */
enum slo_standing { SLO_PAGES, SLO_TICKETS, SLO_QUIET, SLO_NO_DATA };
enum slo_standing slo_standing_of(const struct incident_slo *s);

/* Sorts order (n indices into inc->slos, each at most once) worst first:
 * the SLOs of pinned services above all; then by standing; then by how
 * near a tier is to firing (burn_nearness), counted in steps about a tenth
 * apart. Stable: SLOs equal on all three keep the order they had in
 * order, which is how the caller keeps rows from jumping. */
void slo_order(const struct incident *inc, size_t *order, size_t n);

struct pattern;
/* The SLO's name, service or endpoint matches p; everything matches a
 * NULL p. */
bool slo_matches(const struct pattern *p, const struct incident_slo *s);

#endif
