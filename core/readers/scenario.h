/* Drill scenarios: a JSON file describing a world on a simulated clock
 * (endpoints, SLO event rates, canary windows, scheduled events). Parsing
 * only; core/feeds/drill.c plays a parsed scenario. The format is documented in
 * drills/README.md. A malformed file is refused with one line naming the
 * file and the JSON path (or line:column for a syntax error). */
#ifndef CMDR_SCENARIO_H
#define CMDR_SCENARIO_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "burn.h"
#include "alert.h"
#include "canary.h"
#include "error.h"
#include "model.h"

enum scenario_event_type {
	SCENARIO_NOTE,          /* text: narration shown on the status line */
	SCENARIO_DEPLOY,        /* endpoint, deployment: created with 0% traffic, state "Succeeded" */
	SCENARIO_TRAFFIC,       /* endpoint, traffic: a traffic shift made outside cmdr */
	SCENARIO_STATE,         /* endpoint, deployment, state: provisioning state changes */
	SCENARIO_BURST,         /* slo, bad_ratio, duration, total_per_s (<0: unchanged);
				   already applied to the SLO's events at parse time, kept
				   here for narration */
	SCENARIO_TARGET_FAIL,   /* mode: "reject" (changes refused with `text` as the
				   error) or "ignore" (accepted, never applied) */
	SCENARIO_TARGET_RECOVER /* the simulated target works again */
};

struct scenario_event {
	int64_t at_ms;
	enum scenario_event_type type;
	char *endpoint, *deployment, *state, *slo, *mode, *text;
	struct traffic_split traffic;
	double bad_ratio, total_per_s;
	int64_t duration_ms;
};

struct scenario_deployment {
	char *name;
	int traffic;
	char *state;
	int64_t created_ms;
};

struct scenario_endpoint {
	char *name;
	struct scenario_deployment *deployments;
	size_t n_deployments;
};

/* An alert as Alertmanager would hold it, firing from at_ms until
 * until_ms (0: to the end). */
struct scenario_alert {
	char **names, **values; /* labels */
	size_t n_labels;
	int64_t at_ms, until_ms;
	char *summary;
};

struct scenario_slo {
	struct slo_spec spec;
	char *endpoint; /* optional: the endpoint this SLO watches */
	char *service;  /* optional: the service it belongs to */
	/* As if discovered from Sloth's or Pyrra's rules ("sloth", "pyrra";
	 * NULL: not), and the windows those rules would lack (bit k: burn
	 * window k, bit BURN_NWINDOWS: the period). */
	const char *origin;
	unsigned lacks;
	struct event_series events;
};

struct scenario_obs {
	char *class_name, *metric;
	double value;
	int n;
	double sd;
	bool has_sd;
};

struct scenario_canary_window {
	int64_t at_ms;    /* when the window closes and is judged */
	int64_t start_ms; /* -1: the previous window's end, or at - window */
	struct scenario_obs *obs;
	size_t n_obs;
	struct scenario_obs *base; /* the baseline's, for the compare judge */
	size_t n_base;
};

struct scenario_canary {
	struct canary_spec spec;
	struct scenario_canary_window *windows;
	size_t n_windows;
};

/* What a drill's scorecard holds the people to, from the onset of the
 * trouble: detect (the first signal), acknowledge (declared or a commander
 * named), decide (the first traffic change asked for), roll back (the
 * first one carried out) and verify (the first verified). */
enum { EXPECT_DETECT, EXPECT_ACKNOWLEDGE, EXPECT_DECIDE, EXPECT_ROLLBACK, EXPECT_VERIFY, EXPECT_N };
extern const char *const expect_names[EXPECT_N]; /* "detect", ... as in the scenario */

struct scenario_expect {
	int64_t onset_ms;            /* default: the scenario's start */
	int64_t within_ms[EXPECT_N]; /* -1: no expectation */
};

struct scenario {
	char *path;
	char *name;  /* file name without directory and ".json" */
	char *title;
	char *description;
	int64_t start_ms;
	int64_t end_ms;          /* -1 when open-ended */
	double speed;            /* default console speed, 1 when absent */
	int64_t target_delay_ms; /* simulated target: delay before a change lands */
	struct scenario_endpoint *endpoints;
	size_t n_endpoints;
	struct scenario_slo *slos;
	size_t n_slos;
	struct scenario_canary *canaries;
	size_t n_canaries;
	struct scenario_event *events; /* sorted by at_ms, stable */
	size_t n_events;
	struct scenario_alert *alerts;
	size_t n_alerts;
	struct scenario_expect expect;
};

/* Reads and parses path. Files over 16 MiB are refused. */
int scenario_load(const char *path, struct scenario *out, struct error *err);
/* Parses text; `path` is used for messages and the name. On failure *out
 * holds nothing that needs freeing. */
int scenario_parse(const char *text, size_t len, const char *path, struct scenario *out,
		   struct error *err);
void scenario_free(struct scenario *s);
/* Every scenario key, one line each (`cmdr config keys --scenario`). */
void scenario_print_keys(FILE *out);

#endif
