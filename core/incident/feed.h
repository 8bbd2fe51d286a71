/* A feed brings the world into an incident: a drill's scenario (core/
 * drill.c), a live config's metric sources (core/feeds/live.c), and whatever
 * comes next. The incident knows a feed only by these ops, in the shape of
 * a target's (core/targets/target.h); adding a feed adds files, nothing else.
 *
 * What a feed hands over: its SLOs and canaries move in through
 * incident_add_slo and incident_add_canary, which return their index; the
 * feed then keeps the result, data state and history of those it added
 * up to date by that index (inc->slos[i], inc->canaries[i]; canary
 * windows through incident_canary_window), and reports endpoint readings
 * through incident_apply_view. It never resizes or reorders the
 * incident's arrays. */
#ifndef CMDR_FEED_H
#define CMDR_FEED_H
#include <stdint.h>

struct feed;

struct feed_ops {
	const char *name; /* "drill", "live" */
	/* Scheduled work on the incident's clock: when it is next due
	 * (INT64_MAX: nothing), and running what is due at t. NULL: the
	 * feed has none. */
	int64_t (*next_due)(const struct feed *f);
	void (*run_due)(struct feed *f, int64_t t);
	/* Once per incident_advance, after the scheduled work: what the
	 * feed paces by itself (refresh rounds, requests). NULL: none. */
	void (*step)(struct feed *f, int64_t now);
	/* Called with the incident's loop still alive: cancels what is in
	 * flight, calls nobody back. */
	void (*free)(struct feed *f);
};

struct feed {
	const struct feed_ops *ops;
};

#endif
