/* Private to the scenario's readers (core/readers/scenario*.c): what their
 * key tables share: the parser's state, times relative to the start, and
 * the names one section gives another. */
#ifndef CMDR_SCENARIO_IMPL_H
#define CMDR_SCENARIO_IMPL_H
#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "config_check.h"
#include "scenario.h"

/* A deployment that exists on an endpoint from `since` on: the scenario's
 * own, or one a "deploy" event creates. References are checked against
 * these in time order, so an event can only name what exists by then. */
struct known_deployment {
	const char *endpoint, *deployment; /* borrowed from the scenario */
	int64_t since;
};

/* What the tables' functions need beyond the object they read (c->ctx). */
struct scenario_parser {
	struct scenario *s;
	struct known_deployment *known;
	size_t n_known, cap_known;
	const struct scenario_canary *canary; /* the one being read */
	int64_t not_before;                   /* its deployment exists from then on */
};

static inline struct scenario_parser *scenario_parser_of(const struct config_check *c)
{
	return c->ctx;
}

/* The scenario's wording of what a value should be. */
#define EXPECT_TIME "a time (ISO 8601, HH:MM:SS or +/-offset)"
#define EXPECT_DURATION "a duration (a whole number and ms, s, m, h or d, e.g. \"60s\")"
#define STRING .expected = "a non-empty string", .missing = "a string"
#define TIME(at) CONFIG_CUSTOM, at, .read = scenario_read_time, .expected = EXPECT_TIME
#define DURATION(at) CONFIG_DURATION, at, .expected = EXPECT_DURATION
#define RANGE_ANY { -HUGE_VAL, HUGE_VAL, false, false, false }
#define RANGE_NONNEG { 0, HUGE_VAL, false, false, false }
#define RANGE_RATIO { 0, 1, false, false, false }
#define RANGE_PERCENT { 0, 100, false, false, true }
#define PERCENT "an integer from 0 to 100"

/* Times are relative to the scenario's start: "HH:MM:SS" on its day,
 * "+5m"/"-30d" from it. */
void scenario_read_time(struct config_check *c, const cJSON *v, void *value);
/* Checks a time already read from v (the path is at it) against a bound;
 * the message shows the value as written. */
void scenario_time_bound(struct config_check *c, const cJSON *v, bool ok, const char *what, int64_t bound);
/* The same for obj[key], from obj's path. */
void scenario_time_bound_at(struct config_check *c, const cJSON *obj, const char *key, bool ok, const char *what,
			    int64_t bound);
/* Events and canary windows happen while the drill runs. */
void scenario_time_in_run(struct config_check *c, const cJSON *v, int64_t t);

struct scenario_slo *scenario_find_slo(const struct scenario *s, const char *name);
const struct known_deployment *scenario_find_known(const struct scenario_parser *p, const char *endpoint,
						   const char *deployment);
void scenario_add_known(struct scenario_parser *p, const char *endpoint, const char *deployment, int64_t since);
/* A key check: the key of obj names an endpoint of the scenario's. */
void scenario_check_endpoint_ref(struct config_check *c, const struct config_key *key, const cJSON *obj,
				 void *base);

/* scenario_events.c, scenario_canaries.c */
extern const struct config_table scenario_event_table, scenario_canary_table;
/* scenario_alerts.c */
extern const struct config_table scenario_alert_table;
/* Once every event is read: checked in time order, and kept so. */
void scenario_check_events(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base);

#endif
