/* The config's SLOs (objective, period, queries, page tiers) and canary
 * gates (window, thresholds by class and metric, queries). */
#include "config.h"
#include "config_live_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "xalloc.h"

/* ---- SLOs ---------------------------------------------------------------- */

void config_check_unique_name(struct config_check *c, const void *element, size_t size, const char *what,
			      const char *section)
{
	/* The element's first field is its name; those before it in the array
	 * are the first c->index ones. */
	const char *name = *(char *const *)element, *first = (const char *)element - c->index * size;
	for (size_t j = 0; j < c->index; j++) {
		const char *other = *(char *const *)(first + j * size);
		if (other && config_key_is(other, name)) {
			char q[64];
			config_quote(c, name, q, sizeof q);
			config_problem(c, "%s is already the name of $.%s[%zu] (each %s needs its own)", q, section, j,
				       what);
			return;
		}
	}
}

static void check_slo_name(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	(void)key, (void)obj;
	config_check_unique_name(c, base, sizeof(struct config_slo), "SLO", "slos");
}

#define PROMQL "a PromQL query containing {{window}}"

static void check_promql(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	(void)base;
	const cJSON *v = config_value_of(key, obj);
	if (!strstr(v->valuestring, "{{window}}"))
		config_problem_got(c, v, PROMQL);
}

static void read_page(struct config_check *c, const cJSON *v, void *value)
{
	struct config_slo *slo = value;
	const char *names[BURN_NTIERS];
	char list[64];
	for (int t = 0; t < BURN_NTIERS; t++)
		names[t] = burn_window_name[burn_tiers[t].long_window];
	config_name_list(names, BURN_NTIERS, BIT(BURN_NTIERS) - 1, true, " or ", list, sizeof list);
	if (!cJSON_IsArray(v)) {
		char expected[128];
		snprintf(expected, sizeof expected, "an array of the tiers that page, from %s", list);
		config_problem_got(c, v, expected);
		return;
	}
	size_t i = 0;
	slo->page_tiers_set = true;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		int t = config_lookup(e, names, BURN_NTIERS);
		if (t < 0) {
			char expected[96];
			snprintf(expected, sizeof expected, "one of %s (a tier's long window)", list);
			config_problem_got(c, e, expected);
		} else if (slo->page_tiers & BIT(t)) {
			config_problem(c, "\"%s\" is already in the list", names[t]);
		} else {
			slo->page_tiers |= BIT(t);
		}
		jsonmsg_path_pop(&c->path, old);
	}
}

#define SLO(field) offsetof(struct config_slo, field)
#define SOURCE_NAME "the name of a source in $.sources"

static const struct config_key slo_keys[] = {
	{ "name", CONFIG_STRING, SLO(name), .required = CONFIG_ALWAYS, .expected = "the SLO's name",
	  .check = check_slo_name, .doc = "its name, unique among the SLOs" },
	{ "source", CONFIG_STRING, SLO(source), .required = CONFIG_ALWAYS, .expected = SOURCE_NAME,
	  .doc = "the source it is read from" },
	{ "endpoint", CONFIG_STRING, SLO(endpoint), .expected = "an endpoint's name",
	  .doc = "the endpoint it watches" },
	{ "service", CONFIG_STRING, SLO(service), .expected = "a service's name",
	  .doc = "the service it belongs to (`:pin` puts a service's SLOs first)" },
	{ "objective", CONFIG_NUMBER, SLO(objective), .required = CONFIG_ALWAYS,
	  .range = { 0, 1, .lo_open = true, .hi_open = true }, .expected = "an objective between 0 and 1 (e.g. 0.999)",
	  .missing = "an objective between 0 and 1, e.g. 0.999", .doc = "the share of good events" },
	{ "period", CONFIG_DURATION, SLO(period_ms), .range.lo = 1, .def = "30d", .doc = "the SLO's period" },
	{ "min_events", CONFIG_NUMBER, SLO(min_events), .range = { .lo = 0, .hi = HUGE_VAL }, .def = "0",
	  .expected = "a number of events >= 0", .doc = "a window with fewer events cannot page" },
	{ "total_query", CONFIG_STRING, SLO(total_query), .expected = PROMQL, .check = check_promql,
	  .doc = "prometheus: the events in {{window}}" },
	{ "error_query", CONFIG_STRING, SLO(error_query), .expected = PROMQL, .check = check_promql,
	  .doc = "prometheus: the bad events in {{window}} (or good_query)" },
	{ "good_query", CONFIG_STRING, SLO(good_query), .expected = PROMQL, .check = check_promql,
	  .doc = "prometheus: the good events in {{window}} (or error_query)" },
	{ "query", CONFIG_STRING, SLO(query), .expected = "a KQL query",
	  .doc = "Azure: KQL giving one row with columns total and bad or good, run over each window" },
	{ "page", CONFIG_CUSTOM, 0, .read = read_page, .expected = "an array of long windows: 1h, 6h, 1d or 3d",
	  .doc = "the tiers that page, by long window (default: each tier's own severity)" },
	{ 0 },
};

const struct config_table config_slo_table = { .keys = slo_keys };

/* ---- canaries ------------------------------------------------------------ */

static void check_metric(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	const struct canary_threshold *t = base;
	if (config_key_is(t->metric, "class") || config_key_is(t->metric, "n") || config_key_is(t->metric, "sd"))
		config_problem_got(c, config_value_of(key, obj),
				   "a metric name other than \"class\", \"n\" and \"sd\" (columns of their own)");
}

#define THRESHOLD(field) offsetof(struct canary_threshold, field)

static const struct config_key threshold_keys[] = {
	{ "class", CONFIG_STRING, THRESHOLD(class_name), .required = CONFIG_ALWAYS, .expected = "a class name",
	  .doc = "the class of requests" },
	{ "metric", CONFIG_STRING, THRESHOLD(metric), .required = CONFIG_ALWAYS, .expected = "a metric name",
	  .check = check_metric, .doc = "the metric, a column of the result" },
	{ "min", CONFIG_NUMBER, THRESHOLD(min), .range = { .lo = -HUGE_VAL, .hi = HUGE_VAL },
	  .expected = "a number (the least value that passes)",
	  .doc = "the least value that passes (required by the threshold judge)" },
	{ 0 },
};

static const struct config_table threshold_table = { .keys = threshold_keys };

#define THRESHOLDS "a non-empty array of {\"class\", \"metric\", \"min\"}"

/* A threshold with a problem is left out, so that the checks across
 * sections judge the queries by whole thresholds only. */
static void read_thresholds(struct config_check *c, const cJSON *v, void *value)
{
	struct config_canary *k = value;
	if (!cJSON_IsArray(v) || !v->child) {
		if (cJSON_IsArray(v))
			config_problem(c, "expected %s, got an empty array", THRESHOLDS);
		else
			config_problem_got(c, v, THRESHOLDS);
		return;
	}
	k->thresholds = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *k->thresholds);
	size_t i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i), before = c->problems->n;
		struct canary_threshold t = { NULL, NULL, NAN };
		config_read(c, e, &threshold_table, &t);
		bool whole = c->problems->n == before;
		for (size_t j = 0; whole && j < k->n_thresholds; j++) {
			if (config_key_is(k->thresholds[j].class_name, t.class_name) &&
			    config_key_is(k->thresholds[j].metric, t.metric)) {
				char qc[64], qm[64];
				config_quote(c, t.class_name, qc, sizeof qc);
				config_quote(c, t.metric, qm, sizeof qm);
				config_problem(c, "expected one threshold per class and metric, got a second for class %s, "
						  "metric %s",
					       qc, qm);
				whole = false;
			}
		}
		if (whole)
			k->thresholds[k->n_thresholds++] = t;
		else
			config_free_table(&threshold_table, &t);
		jsonmsg_path_pop(&c->path, old);
	}
}

static void free_thresholds(void *value)
{
	struct config_canary *k = value;
	for (size_t j = 0; j < k->n_thresholds; j++)
		config_free_table(&threshold_table, &k->thresholds[j]);
	free(k->thresholds);
}

static void read_canary_query(struct config_check *c, const cJSON *q, void *into)
{
	struct config_canary *k = into;
	char *query = config_want_string(c, q, "a PromQL query giving series labelled class");
	if (query)
		k->queries[k->n_queries++] = (struct config_canary_query){ xstrdup(q->string), query };
}

static void read_canary_queries(struct config_check *c, const cJSON *v, void *value)
{
	struct config_canary *k = value;
	if (!config_want_object(c, v))
		return;
	k->queries = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *k->queries);
	config_each_key(c, v, "a column name", read_canary_query, k);
}

static void free_canary_queries(void *value)
{
	struct config_canary *k = value;
	config_free_pairs(k->queries, k->n_queries);
}

static const char *const on_failure_name[] = { [ON_FAILURE_ROLLBACK] = "rollback", [ON_FAILURE_PAGE] = "page" };
static const char *const judge_name[] = { [JUDGE_THRESHOLD] = "threshold", [JUDGE_COMPARE] = "compare" };

#define CANARY(field) offsetof(struct config_canary, field)
#define COUNT(lo) { lo, 2147483647.0, .whole = true }

static const struct config_key canary_keys[] = {
	{ "endpoint", CONFIG_STRING, CANARY(endpoint), .required = CONFIG_ALWAYS, .expected = "an endpoint's name",
	  .missing = "the name of the endpoint whose canary this gates", .doc = "the endpoint whose canary it gates" },
	{ "deployment", CONFIG_STRING, CANARY(deployment), .expected = "a deployment's name",
	  .doc = "the canary deployment (default: the canary its target reports)" },
	{ "source", CONFIG_STRING, CANARY(source), .required = CONFIG_ALWAYS, .expected = SOURCE_NAME,
	  .doc = "the source it is read from" },
	{ "window", CONFIG_DURATION, CANARY(window_ms), .range.lo = 1, .def = "60s", .doc = "one window" },
	{ "lag", CONFIG_DURATION, CANARY(lag_ms), .def = "0s",
	  .doc = "how long after a window closes it is read (ingestion delay)" },
	{ "min_samples", CONFIG_INT, CANARY(min_samples), .range = COUNT(1), .def = "1",
	  .expected = "a whole number >= 1", .doc = "fewer samples in a window: inconclusive" },
	{ "failure_limit", CONFIG_INT, CANARY(failure_limit), .range = COUNT(1), .def = "3",
	  .expected = "a whole number >= 1", .doc = "consecutive failed windows before the verdict" },
	{ "on_failure", CONFIG_ENUM, CANARY(on_failure), .names = on_failure_name, .n_names = 2, .def = "rollback",
	  .doc = "the verdict: roll back, or page" },
	{ "judge", CONFIG_ENUM, CANARY(judge), .names = judge_name, .n_names = 2, .def = "threshold",
	  .expected = "\"threshold\" or \"compare\"",
	  .doc = "threshold (fixed minimums, failure_limit windows) or compare (against the baseline)" },
	{ "baseline", CONFIG_STRING, CANARY(baseline), .expected = "a deployment's name",
	  .doc = "compare: the deployment held against (default: the other one with the most traffic)" },
	{ "alpha", CONFIG_NUMBER, CANARY(alpha), .range = { 0, 0.5, true, false, false }, .def = "0.01",
	  .expected = "a number above 0, at most 0.5", .doc = "compare: the chance of a false alarm over the whole canary, at most" },
	{ "effect", CONFIG_NUMBER, CANARY(effect), .range = { 0, 1, true, false, false }, .def = "0.05",
	  .expected = "a number above 0, at most 1", .doc = "compare: the relative change the test is tuned to catch soonest" },
	{ "thresholds", CONFIG_CUSTOM, 0, .read = read_thresholds, .free = free_thresholds, .table = &threshold_table,
	  .required = CONFIG_ALWAYS, .expected = THRESHOLDS, .doc = "the gate, per class and metric" },
	{ "query", CONFIG_STRING, CANARY(query), .expected = "a KQL query",
	  .doc = "Azure: KQL giving a row per class with the columns class, each metric, n and optionally sd" },
	{ "queries", CONFIG_CUSTOM, 0, .read = read_canary_queries, .free = free_canary_queries,
	  .expected = "an object of columns to PromQL queries",
	  .doc = "prometheus: a query per column (n, each metric, optionally sd) giving series labelled class" },
	{ 0 },
};

/* The threshold judge needs a minimum for every metric (the keys are read
 * in the file's order, so this is checked once all are); a judge that is
 * not one ("Compare") is its own problem, not one per metric besides. A
 * canary held against itself would never show a difference: never fail. */
static void check_canary(struct config_check *c, const cJSON *obj, void *base)
{
	const struct config_canary *k = base;
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(obj, "thresholds");
	const cJSON *judge = cJSON_GetObjectItemCaseSensitive(obj, "judge");
	if (k->baseline && k->deployment && strcmp(k->baseline, k->deployment) == 0)
		config_problem_got_at(c, obj, "baseline", "a deployment other than the canary");
	if (k->judge != JUDGE_THRESHOLD || (judge && config_lookup(judge, judge_name, 2) < 0) || !cJSON_IsArray(ts))
		return;
	size_t i = 0;
	for (const cJSON *e = ts->child; e; e = e->next, i++) {
		if (!cJSON_IsObject(e) || config_has(e, "min"))
			continue;
		size_t old = jsonmsg_path_key(&c->path, "thresholds"), old2 = jsonmsg_path_index(&c->path, i);
		config_problem(c, "required key missing (expected \"min\": the threshold judge needs one per metric; "
				  "\"judge\": \"compare\" does not)");
		jsonmsg_path_pop(&c->path, old2);
		jsonmsg_path_pop(&c->path, old);
	}
}

const struct config_table config_canary_table = { .keys = canary_keys, .check = check_canary };
