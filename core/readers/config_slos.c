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

/* Reads a name that must be unique among the first n of an array's
 * elements (name_at gives each one's name, NULL when it has none). */
char *config_want_unique_name(struct config_check *c, const cJSON *v, const char *what, const char *section,
			      const char *(*name_at)(const struct config *, size_t), const struct config *cfg,
			      size_t n)
{
	char expected[64];
	snprintf(expected, sizeof expected, "the %s's name", what);
	char *name = config_want_string(c, v, expected);
	for (size_t j = 0; name && j < n; j++) {
		const char *other = name_at(cfg, j);
		if (other && config_key_is(other, name)) {
			char q[64];
			config_quote(name, q, sizeof q);
			config_problem(c, "%s is already the name of $.%s[%zu] (each %s needs its own)", q, section, j,
				       what);
			free(name);
			return NULL;
		}
	}
	return name;
}

static const char *slo_name_at(const struct config *cfg, size_t i)
{
	return cfg->slos[i].name;
}

static char *want_promql(struct config_check *c, const cJSON *v)
{
	if (cJSON_IsString(v) && strstr(v->valuestring, "{{window}}"))
		return xstrdup(v->valuestring);
	config_problem_got(c, v, "a PromQL query containing {{window}}");
	return NULL;
}

static void read_page(struct config_check *c, const cJSON *v, struct config_slo *slo)
{
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

struct slo_read {
	struct config *cfg;
	size_t at;
};

static void read_slo_value(struct config_check *c, const cJSON *v, void *into)
{
	struct slo_read *r = into;
	struct config_slo *slo = &r->cfg->slos[r->at];
	const char *k = v->string;
	if (config_key_is(k, "name")) {
		slo->name = config_want_unique_name(c, v, "SLO", "slos", slo_name_at, r->cfg, r->at);
	} else if (config_key_is(k, "source")) {
		slo->source = config_want_string(c, v, "the name of a source in $.sources");
	} else if (config_key_is(k, "endpoint")) {
		slo->endpoint = config_want_string(c, v, "an endpoint's name");
	} else if (config_key_is(k, "objective")) {
		if (cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 1)
			slo->objective = v->valuedouble;
		else
			config_problem_got(c, v, "an objective between 0 and 1 (e.g. 0.999)");
	} else if (config_key_is(k, "period")) {
		config_want_duration(c, v, 1, &slo->period_ms);
	} else if (config_key_is(k, "min_events")) {
		if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= 0)
			slo->min_events = v->valuedouble;
		else
			config_problem_got(c, v, "a number of events >= 0");
	} else if (config_key_is(k, "total_query")) {
		slo->total_query = want_promql(c, v);
	} else if (config_key_is(k, "error_query")) {
		slo->error_query = want_promql(c, v);
	} else if (config_key_is(k, "good_query")) {
		slo->good_query = want_promql(c, v);
	} else if (config_key_is(k, "query")) {
		slo->query = config_want_string(c, v, "a KQL query");
	} else if (config_key_is(k, "page")) {
		read_page(c, v, slo);
	}
}

static void read_slo(struct config_check *c, const cJSON *v, struct config *cfg, size_t at)
{
	static const struct config_field fields[] = {
		{ "name", read_slo_value },	    { "source", read_slo_value },      { "endpoint", read_slo_value },
		{ "objective", read_slo_value },   { "period", read_slo_value },      { "min_events", read_slo_value },
		{ "total_query", read_slo_value }, { "error_query", read_slo_value }, { "good_query", read_slo_value },
		{ "query", read_slo_value },	    { "page", read_slo_value },	      { NULL, NULL },
	};
	cfg->slos[at].period_ms = SLO_PERIOD_MS;
	if (!config_want_object(c, v))
		return;
	struct slo_read r = { cfg, at };
	config_read_fields(c, v, fields, &r);
	if (!config_has(v, "name"))
		config_missing(c, "name", "the SLO's name");
	if (!config_has(v, "source"))
		config_missing(c, "source", "the name of a source in $.sources");
	if (!config_has(v, "objective"))
		config_missing(c, "objective", "an objective between 0 and 1, e.g. 0.999");
}

void config_read_slos(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	if (!config_want_array(c, v))
		return;
	/* One entry per element, so that $.slos[i] is cfg->slos[i] for the
	 * checks across sections. */
	cfg->n_slos = (size_t)cJSON_GetArraySize(v);
	cfg->slos = xcalloc(cfg->n_slos, sizeof *cfg->slos);
	size_t i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		read_slo(c, e, cfg, i);
		jsonmsg_path_pop(&c->path, old);
	}
}

/* ---- canaries ------------------------------------------------------------ */

struct threshold_read {
	struct canary_threshold t;
	bool has_min;
};

static void read_threshold_value(struct config_check *c, const cJSON *v, void *into)
{
	struct threshold_read *r = into;
	if (config_key_is(v->string, "class")) {
		r->t.class_name = config_want_string(c, v, "a class name");
	} else if (config_key_is(v->string, "metric")) {
		if (cJSON_IsString(v) && (config_key_is(v->valuestring, "class") || config_key_is(v->valuestring, "n")))
			config_problem_got(c, v, "a metric name other than \"class\" and \"n\" (columns of their own)");
		else
			r->t.metric = config_want_string(c, v, "a metric name");
	} else if (config_key_is(v->string, "min")) {
		if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
			r->t.min = v->valuedouble;
			r->has_min = true;
		} else {
			config_problem_got(c, v, "a number (the least value that passes)");
		}
	}
}

static void read_thresholds(struct config_check *c, const cJSON *v, struct config_canary *k)
{
	static const struct config_field fields[] = {
		{ "class", read_threshold_value },
		{ "metric", read_threshold_value },
		{ "min", read_threshold_value },
		{ NULL, NULL },
	};
	const char *expected = "a non-empty array of {\"class\", \"metric\", \"min\"}";
	if (!cJSON_IsArray(v) || !v->child) {
		if (cJSON_IsArray(v))
			config_problem(c, "expected %s, got an empty array", expected);
		else
			config_problem_got(c, v, expected);
		return;
	}
	k->thresholds = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *k->thresholds);
	size_t i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		struct threshold_read r = { { NULL, NULL, 0 }, false };
		if (config_want_object(c, e)) {
			config_read_fields(c, e, fields, &r);
			if (!config_has(e, "class"))
				config_missing(c, "class", "a class name");
			if (!config_has(e, "metric"))
				config_missing(c, "metric", "a metric name");
			if (!config_has(e, "min"))
				config_missing(c, "min", "a number, the least value that passes");
		}
		bool complete = r.t.class_name && r.t.metric && r.has_min;
		for (size_t j = 0; complete && j < k->n_thresholds; j++) {
			if (config_key_is(k->thresholds[j].class_name, r.t.class_name) && config_key_is(k->thresholds[j].metric, r.t.metric)) {
				char qc[64], qm[64];
				config_quote(r.t.class_name, qc, sizeof qc);
				config_quote(r.t.metric, qm, sizeof qm);
				config_problem(c, "expected one threshold per class and metric, got a second for class %s, "
						  "metric %s",
					       qc, qm);
				complete = false;
			}
		}
		if (complete) {
			k->thresholds[k->n_thresholds++] = r.t;
		} else {
			free(r.t.class_name);
			free(r.t.metric);
		}
		jsonmsg_path_pop(&c->path, old);
	}
}

static void read_canary_queries(struct config_check *c, const cJSON *v, struct config_canary *k)
{
	if (!config_want_object(c, v))
		return;
	k->queries = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *k->queries);
	for (const cJSON *q = v->child; q; q = q->next) {
		if (config_is_comment(q->string))
			continue;
		size_t old = jsonmsg_path_key(&c->path, q->string);
		if (!q->string[0]) {
			config_problem(c, "expected a column name as the key, got \"\"");
		} else if (!config_duplicate(c, v, q)) {
			char *query = config_want_string(c, q, "a PromQL query giving series labelled class");
			if (query)
				k->queries[k->n_queries++] = (struct config_canary_query){ xstrdup(q->string), query };
		}
		jsonmsg_path_pop(&c->path, old);
	}
}

static void read_canary_value(struct config_check *c, const cJSON *v, void *into)
{
	struct config_canary *k = into;
	const char *key = v->string;
	if (config_key_is(key, "endpoint")) {
		k->endpoint = config_want_string(c, v, "an endpoint's name");
	} else if (config_key_is(key, "deployment")) {
		k->deployment = config_want_string(c, v, "a deployment's name");
	} else if (config_key_is(key, "source")) {
		k->source = config_want_string(c, v, "the name of a source in $.sources");
	} else if (config_key_is(key, "window")) {
		config_want_duration(c, v, 1, &k->window_ms);
	} else if (config_key_is(key, "lag")) {
		config_want_duration(c, v, 0, &k->lag_ms);
	} else if (config_key_is(key, "min_samples")) {
		config_want_count(c, v, &k->min_samples);
	} else if (config_key_is(key, "failure_limit")) {
		config_want_count(c, v, &k->failure_limit);
	} else if (config_key_is(key, "on_failure")) {
		if (cJSON_IsString(v) && config_key_is(v->valuestring, "rollback"))
			k->on_failure = ON_FAILURE_ROLLBACK;
		else if (cJSON_IsString(v) && config_key_is(v->valuestring, "page"))
			k->on_failure = ON_FAILURE_PAGE;
		else
			config_problem_got(c, v, "\"rollback\" or \"page\"");
	} else if (config_key_is(key, "thresholds")) {
		read_thresholds(c, v, k);
	} else if (config_key_is(key, "query")) {
		k->query = config_want_string(c, v, "a KQL query");
	} else if (config_key_is(key, "queries")) {
		read_canary_queries(c, v, k);
	}
}

static void read_canary(struct config_check *c, const cJSON *v, struct config_canary *k)
{
	static const struct config_field fields[] = {
		{ "endpoint", read_canary_value },   { "deployment", read_canary_value },
		{ "source", read_canary_value },     { "window", read_canary_value },
		{ "lag", read_canary_value },	     { "min_samples", read_canary_value },
		{ "failure_limit", read_canary_value }, { "on_failure", read_canary_value },
		{ "thresholds", read_canary_value }, { "query", read_canary_value },
		{ "queries", read_canary_value },    { NULL, NULL },
	};
	k->window_ms = CANARY_WINDOW_MS;
	k->min_samples = 1;
	k->failure_limit = 3;
	k->on_failure = ON_FAILURE_ROLLBACK;
	if (!config_want_object(c, v))
		return;
	config_read_fields(c, v, fields, k);
	if (!config_has(v, "endpoint"))
		config_missing(c, "endpoint", "the name of the endpoint whose canary this gates");
	if (!config_has(v, "source"))
		config_missing(c, "source", "the name of a source in $.sources");
	if (!config_has(v, "thresholds"))
		config_missing(c, "thresholds", "a non-empty array of {\"class\", \"metric\", \"min\"}");
}

void config_read_canaries(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	if (!config_want_array(c, v))
		return;
	cfg->n_canaries = (size_t)cJSON_GetArraySize(v);
	cfg->canaries = xcalloc(cfg->n_canaries, sizeof *cfg->canaries);
	size_t i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		read_canary(c, e, &cfg->canaries[i]);
		jsonmsg_path_pop(&c->path, old);
	}
}
