/* A drill scenario's canary gates (core/readers/scenario.h): thresholds by
 * class and metric, and the windows the drill judges, with what was
 * observed in each. */
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "scenario_impl.h"

#define RANGE_COUNT { 1, 1000000, false, false, true }

/* "expected WHAT class "c", metric "m"", both quoted as they came. */
static void problem_pair(struct config_check *c, const char *what, const char *class_name, const char *metric)
{
	char qc[64], qm[64];
	config_quote(c, class_name, qc, sizeof qc);
	config_quote(c, metric, qm, sizeof qm);
	config_problem(c, "expected %s class %s, metric %s", what, qc, qm);
}

/* Whether one of n elements (size bytes each, from first) has this class
 * and metric: thresholds and observations both begin with the two. */
static bool has_pair(const void *first, size_t n, size_t size, const char *class_name, const char *metric)
{
	_Static_assert(offsetof(struct canary_threshold, metric) == sizeof(char *) &&
			       offsetof(struct scenario_obs, metric) == sizeof(char *),
		       "a threshold and an observation begin with class_name and metric");
	for (size_t i = 0; i < n; i++) {
		char *const *e = (const void *)((const char *)first + i * size);
		if (strcmp(e[0], class_name) == 0 && strcmp(e[1], metric) == 0)
			return true;
	}
	return false;
}

static void check_threshold(struct config_check *c, const cJSON *obj, void *base)
{
	struct canary_threshold *t = base;
	if (!config_has(obj, "min")) {
		t->min = NAN;
		if (scenario_parser_of(c)->canary->spec.judge == JUDGE_THRESHOLD)
			config_problem(c, "expected \"min\" (the threshold judge needs one per metric), got none");
	}
	if (has_pair(t - c->index, c->index, sizeof *t, t->class_name, t->metric))
		problem_pair(c, "one threshold per class and metric, got a second for", t->class_name, t->metric);
}

#define THRESHOLD(field) offsetof(struct canary_threshold, field)

static const struct config_key threshold_keys[] = {
	{ "class", CONFIG_STRING, THRESHOLD(class_name), STRING, .required = CONFIG_ALWAYS, .doc = "the class" },
	{ "metric", CONFIG_STRING, THRESHOLD(metric), STRING, .required = CONFIG_ALWAYS, .doc = "the metric" },
	{ "min", CONFIG_NUMBER, THRESHOLD(min), .range = RANGE_ANY, .expected = "a number",
	  .doc = "the least value that passes (required by the threshold judge)" },
	{ 0 },
};

static const struct config_table threshold_table = { .keys = threshold_keys, .check = check_threshold };

/* An observation must match a threshold: a misspelt class would otherwise
 * never be checked and the window would look thin, not failed. */
static void check_obs(struct config_check *c, const cJSON *obj, void *base)
{
	struct scenario_obs *o = base;
	const struct canary_spec *spec = &scenario_parser_of(c)->canary->spec;
	o->has_sd = config_has(obj, "sd");
	if (!has_pair(spec->thresholds, spec->n_thresholds, sizeof *spec->thresholds, o->class_name, o->metric))
		problem_pair(c, "a class and metric named in thresholds, got", o->class_name, o->metric);
	else if (has_pair(o - c->index, c->index, sizeof *o, o->class_name, o->metric))
		problem_pair(c, "one observation per class and metric, got a second for", o->class_name, o->metric);
}

#define OBS(field) offsetof(struct scenario_obs, field)

static const struct config_key obs_keys[] = {
	{ "class", CONFIG_STRING, OBS(class_name), STRING, .required = CONFIG_ALWAYS, .doc = "the class" },
	{ "metric", CONFIG_STRING, OBS(metric), STRING, .required = CONFIG_ALWAYS, .doc = "the metric" },
	{ "value", CONFIG_NUMBER, OBS(value), .range = RANGE_ANY, .expected = "a number", .required = CONFIG_ALWAYS,
	  .doc = "its value in the window" },
	{ "n", CONFIG_INT, OBS(n), .range = { 0, INT_MAX, false, false, true }, .expected = "an integer >= 0",
	  .required = CONFIG_ALWAYS, .doc = "the samples behind it" },
	{ "sd", CONFIG_NUMBER, OBS(sd), .range = { 0, HUGE_VAL, false, false, false }, .expected = "a number >= 0",
	  .doc = "the samples' standard deviation (compare judge; without it the spread is read off the windows)" },
	{ 0 },
};

static const struct config_table obs_table = { .keys = obs_keys, .check = check_obs };

static void check_window(struct config_check *c, const cJSON *obj, void *base)
{
	struct scenario_canary_window *w = base;
	const struct scenario_canary_window *previous = c->index > 0 ? w - 1 : NULL;
	if (!config_has(obj, "start"))
		w->start_ms = -1;
	size_t old = jsonmsg_path_key(&c->path, "at");
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(obj, "at");
	scenario_time_in_run(c, at, w->at_ms);
	if (previous)
		scenario_time_bound(c, at, w->at_ms > previous->at_ms, "after the previous window", previous->at_ms);
	scenario_time_bound(c, at, w->at_ms > scenario_parser_of(c)->not_before, "after the canary deployment exists",
		   scenario_parser_of(c)->not_before);
	jsonmsg_path_pop(&c->path, old);
	if (config_has(obj, "start"))
		scenario_time_bound_at(c, obj, "start", w->start_ms < w->at_ms, "before at", w->at_ms);
}

#define WINDOW(field) offsetof(struct scenario_canary_window, field)

static const struct config_key window_keys[] = {
	{ "at", TIME(WINDOW(at_ms)), .required = CONFIG_ALWAYS, .doc = "when the window closes and is judged" },
	{ "start", TIME(WINDOW(start_ms)), .doc = "when it opens (default: the previous window's end)" },
	{ "observations", CONFIG_ARRAY, WINDOW(obs), .count_at = WINDOW(n_obs), .size = sizeof(struct scenario_obs),
	  .table = &obs_table, .doc = "what was observed, per class and metric" },
	{ "baseline", CONFIG_ARRAY, WINDOW(base), .count_at = WINDOW(n_base), .size = sizeof(struct scenario_obs),
	  .table = &obs_table, .doc = "what the baseline deployment showed in the same window (compare judge)" },
	{ 0 },
};

static const struct config_table window_table = { .keys = window_keys, .check = check_window };

static void check_thresholds(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	(void)base;
	const cJSON *v = config_value_of(key, obj);
	if (!v->child)
		config_problem_got(c, v, "a non-empty array");
}

/* The canary watches a deployment that exists, by then or later, and is
 * held against another. Its thresholds and windows are read after this. */
static void check_canary(struct config_check *c, const cJSON *obj, void *base)
{
	struct scenario_parser *p = scenario_parser_of(c);
	const struct scenario_canary *k = base;
	const struct known_deployment *known = scenario_find_known(p, k->spec.endpoint, k->spec.deployment);
	if (!known) {
		config_problem_got_at(c, obj, "deployment", "a deployment of this endpoint (in $.endpoints or a deploy event)");
		return;
	}
	if (k->spec.baseline && !scenario_find_known(p, k->spec.endpoint, k->spec.baseline))
		config_problem_got_at(c, obj, "baseline", "a deployment of this endpoint (in $.endpoints or a deploy event)");
	else if (k->spec.baseline && strcmp(k->spec.baseline, k->spec.deployment) == 0)
		config_problem_got_at(c, obj, "baseline", "a deployment other than the canary");
	p->canary = k;
	p->not_before = known->since;
}

/* A string first, as the scenario has always read it. */
static void read_on_failure(struct config_check *c, const cJSON *v, void *value)
{
	static const char *const names[] = { [ON_FAILURE_ROLLBACK] = "rollback", [ON_FAILURE_PAGE] = "page" };
	int i = config_lookup(v, names, 2);
	if (!cJSON_IsString(v) || !v->valuestring[0])
		config_problem_got(c, v, "a non-empty string");
	else if (i < 0)
		config_problem_got(c, v, "\"rollback\" or \"page\"");
	else
		*(enum canary_on_failure *)value = (enum canary_on_failure)i;
}

static const char *const judge_name[] = { [JUDGE_THRESHOLD] = "threshold", [JUDGE_COMPARE] = "compare" };

#define CANARY(field) offsetof(struct scenario_canary, field)

static const struct config_key canary_keys[] = {
	{ "endpoint", CONFIG_STRING, CANARY(spec.endpoint), STRING, .required = CONFIG_ALWAYS,
	  .check = scenario_check_endpoint_ref, .doc = "the endpoint" },
	{ "deployment", CONFIG_STRING, CANARY(spec.deployment), STRING, .required = CONFIG_ALWAYS,
	  .doc = "the canary deployment" },
	{ "window", DURATION(CANARY(spec.window_ms)), .range.lo = 1, .def = "60s", .doc = "one window" },
	{ "min_samples", CONFIG_INT, CANARY(spec.min_samples), .range = RANGE_COUNT,
	  .expected = "an integer from 1 to 1000000", .def = "3", .doc = "fewer samples: inconclusive" },
	{ "failure_limit", CONFIG_INT, CANARY(spec.failure_limit), .range = RANGE_COUNT,
	  .expected = "an integer from 1 to 1000000", .def = "3", .doc = "consecutive failed windows to a verdict" },
	{ "on_failure", CONFIG_CUSTOM, CANARY(spec.on_failure), .read = read_on_failure,
	  .expected = "rollback or page", .doc = "the verdict: rollback (the default) or page" },
	{ "thresholds", CONFIG_ARRAY, CANARY(spec.thresholds), .count_at = CANARY(spec.n_thresholds),
	  .size = sizeof(struct canary_threshold), .table = &threshold_table, .required = CONFIG_ALWAYS,
	  .missing = "an array", .check = check_thresholds, .doc = "the gate" },
	{ "judge", CONFIG_ENUM, CANARY(spec.judge), .names = judge_name, .n_names = 2, .def = "threshold",
	  .doc = "threshold (fixed minimums, failure_limit windows) or compare (against the baseline)" },
	{ "baseline", CONFIG_STRING, CANARY(spec.baseline), STRING,
	  .doc = "compare: the deployment held against (default: the one with the most traffic)" },
	{ "alpha", CONFIG_NUMBER, CANARY(spec.alpha), .range = { 0, 0.5, true, false, false },
	  .expected = "a number above 0, at most 0.5", .def = "0.01",
	  .doc = "compare: the chance of a false alarm over the whole canary, at most" },
	{ "effect", CONFIG_NUMBER, CANARY(spec.effect), .range = { 0, 1, true, false, false },
	  .expected = "a number above 0, at most 1", .def = "0.05",
	  .doc = "compare: the relative change the test is tuned to catch soonest" },
	{ "windows", CONFIG_ARRAY, CANARY(windows), .count_at = CANARY(n_windows),
	  .size = sizeof(struct scenario_canary_window), .table = &window_table, .doc = "the windows, in order" },
	{ 0 },
};

const struct config_table scenario_canary_table = { .keys = canary_keys, .check = check_canary };
