/* A drill's alerts (the scenario's "alerts") as a feed of their own, and
 * its silences simulated: they mute the scenario's alerts on the drill's
 * clock, and nothing is sent anywhere. */
#ifndef CMDR_DRILL_ALERTS_H
#define CMDR_DRILL_ALERTS_H
#include "incident.h"
#include "scenario.h"

/* Copies the scenario's alerts into a feed on inc (none: no feed), and
 * makes it the incident's silencer. */
void drill_alerts_attach(struct incident *inc, const struct scenario *sc);

#endif
