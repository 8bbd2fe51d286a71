/* What can only be checked once every section of the config is read: the
 * names one section gives another (an SLO's or canary's source and
 * endpoint), and the queries a source's type calls for. */
#include "config.h"
#include "config_live_impl.h"

#include <stdio.h>
#include <string.h>

/* ---- across sections ------------------------------------------------------ */

/* The type of $.sources[name] as the file gives it: -1 when there is no
 * such source or its type is not one (reported where it is). */
static int source_type_of(const cJSON *root, const char *name, bool *exists)
{
	const cJSON *sources = cJSON_GetObjectItemCaseSensitive(root, "sources");
	const cJSON *s = cJSON_IsObject(sources) && !config_is_comment(name)
				 ? cJSON_GetObjectItemCaseSensitive(sources, name)
				 : NULL;
	*exists = s != NULL;
	return cJSON_IsObject(s) ? config_peek_type(s, &config_source_table) : -1;
}

/* The name of a section's entry: its key, or its "name" value; NULL when
 * it has none worth listing. */
static const char *entry_name(const cJSON *e, bool keys)
{
	const char *name = keys ? e->string : NULL;
	if (!keys) {
		const cJSON *nm = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "name") : NULL;
		name = cJSON_IsString(nm) ? nm->valuestring : NULL;
	}
	return name && name[0] && !config_is_comment(name) ? name : NULL;
}

/* `("a", "b")`, the names of the keys or elements of a section, each once. */
static void section_names(const struct config_check *c, const cJSON *section, bool keys, char *buf, size_t size)
{
	snprintf(buf, size, "(");
	int n = 0;
	for (const cJSON *e = section ? section->child : NULL; e; e = e->next) {
		const char *name = entry_name(e, keys);
		const cJSON *d = section->child;
		while (d != e && !(name && entry_name(d, keys) && config_key_is(entry_name(d, keys), name)))
			d = d->next;
		if (!name || d != e)
			continue;
		char q[64];
		size_t len = strlen(buf);
		config_quote(c, name, q, sizeof q);
		if (len + strlen(q) + 8 >= size) {
			snprintf(buf + len, size - len, ", ...");
			break;
		}
		snprintf(buf + len, size - len, "%s%s", n++ ? ", " : "", q);
	}
	size_t len = strlen(buf);
	snprintf(buf + len, size - len, n ? ")" : "there are none)");
}

/* Checks the source named by $.SECTION[i].source; returns its type, or -1
 * when it is not a source (reported) or its type is not known. */
static int check_source_ref(struct config_check *c, const char *name)
{
	if (!name)
		return -1;
	bool exists;
	int type = source_type_of(c->root, name, &exists);
	const cJSON *sources = cJSON_GetObjectItemCaseSensitive(c->root, "sources");
	if (!exists && (!sources || cJSON_IsObject(sources))) {
		char names[200], q[64];
		section_names(c, sources, true, names, sizeof names);
		config_quote(c, name, q, sizeof q);
		config_problem_at(c, "source", "expected a source named in $.sources %s, got %s", names, q);
	}
	return type;
}

static void check_endpoint_ref(struct config_check *c, const char *name)
{
	const cJSON *endpoints = cJSON_GetObjectItemCaseSensitive(c->root, "endpoints");
	if (!name || !cJSON_IsArray(endpoints) || !endpoints->child)
		return;
	for (const cJSON *e = endpoints->child; e; e = e->next) {
		const cJSON *nm = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "name") : NULL;
		if (cJSON_IsString(nm) && config_key_is(nm->valuestring, name))
			return;
	}
	char names[200], q[64];
	section_names(c, endpoints, false, names, sizeof names);
	config_quote(c, name, q, sizeof q);
	config_problem_at(c, "endpoint", "expected an endpoint named in $.endpoints %s, got %s", names, q);
}

static const char *article(int source_type)
{
	return source_type == SOURCE_APP_INSIGHTS || source_type == SOURCE_ALERTMANAGER ? "an" : "a";
}

/* An alertmanager source gives alerts, never counts; false when the
 * entry names one (reported). */
static bool counts_source(struct config_check *c, int type, const char *source)
{
	if (type != SOURCE_ALERTMANAGER)
		return true;
	char q[64];
	config_quote(c, source, q, sizeof q);
	config_problem_at(c, "source", "source %s is alertmanager: it gives alerts, not metrics (name a prometheus, "
				       "log_analytics or app_insights source)", q);
	return false;
}

/* "$.slos[0].query: not for a prometheus source ("prom" takes ...)" */
static void wrong_kind(struct config_check *c, const char *key, int type, const char *source, const char *takes)
{
	char q[64];
	config_quote(c, source, q, sizeof q);
	config_problem_at(c, key, "not for %s %s source (%s takes %s)", article(type), source_type_name[type], q, takes);
}

#define SLO_PROMQL "total_query with error_query or good_query"
#define SLO_KQL "a KQL \"query\""

/* Judged by the keys the file has (here and below), so that a value with
 * a problem of its own is not also called missing. */
static void check_slo(struct config_check *c, const struct config_slo *slo, const cJSON *json)
{
	int type = check_source_ref(c, slo->source);
	check_endpoint_ref(c, slo->endpoint);
	if (type < 0 || !counts_source(c, type, slo->source))
		return;
	char q[64];
	config_quote(c, slo->source, q, sizeof q);
	if (type == SOURCE_PROMETHEUS) {
		if (config_has(json, "query"))
			wrong_kind(c, "query", type, slo->source, SLO_PROMQL);
		if (!config_has(json, "total_query"))
			config_problem_at(c, "total_query", "required key missing (source %s is prometheus: " SLO_PROMQL ")", q);
		if (!config_has(json, "error_query") && !config_has(json, "good_query"))
			config_problem(c, "required key missing: error_query or good_query (source %s is prometheus)",
				       q);
		else if (config_has(json, "error_query") && config_has(json, "good_query"))
			config_problem_at(c, "good_query", "give error_query or good_query, not both");
		return;
	}
	static const char *const promql[] = { "total_query", "error_query", "good_query" };
	for (size_t i = 0; i < 3; i++)
		if (config_has(json, promql[i]))
			wrong_kind(c, promql[i], type, slo->source, SLO_KQL);
	if (!config_has(json, "query"))
		config_problem_at(c, "query",
			   "required key missing (source %s is %s: a KQL query giving columns total and bad or good)",
			   q, source_type_name[type]);
}

static bool canary_has_metric(const struct config_canary *k, const char *metric)
{
	for (size_t i = 0; i < k->n_thresholds; i++)
		if (config_key_is(k->thresholds[i].metric, metric))
			return true;
	return false;
}

/* Whether threshold i is the first to name its metric. */
static bool first_metric(const struct config_canary *k, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (config_key_is(k->thresholds[j].metric, k->thresholds[i].metric))
			return false;
	return true;
}

/* PromQL: one query per column of the result table, "n" and each metric
 * of the thresholds; judged by the keys the file has, and only when every
 * threshold was read. */
static void check_canary_columns(struct config_check *c, const struct config_canary *k, const cJSON *json)
{
	const cJSON *th = cJSON_GetObjectItemCaseSensitive(json, "thresholds");
	const cJSON *queries = cJSON_GetObjectItemCaseSensitive(json, "queries");
	if (!cJSON_IsObject(queries) || !cJSON_IsArray(th) || k->n_thresholds == 0 ||
	    (size_t)cJSON_GetArraySize(th) != k->n_thresholds)
		return;
	char metrics[200] = "";
	for (size_t i = 0; i < k->n_thresholds; i++) {
		if (first_metric(k, i)) {
			char q[64];
			size_t len = strlen(metrics);
			config_quote(c, k->thresholds[i].metric, q, sizeof q);
			snprintf(metrics + len, sizeof metrics - len, "%s%s", len ? ", " : "", q);
		}
	}
	size_t old = jsonmsg_path_key(&c->path, "queries");
	for (const cJSON *q = queries->child; q; q = q->next) {
		if (config_is_comment(q->string) || !q->string[0] || config_key_is(q->string, "n") ||
		    config_key_is(q->string, "sd") || canary_has_metric(k, q->string))
			continue;
		size_t o = jsonmsg_path_key(&c->path, q->string);
		config_problem(c, "not a column of the result (expected \"n\", \"sd\" or a metric named in thresholds: %s)",
			       metrics);
		jsonmsg_path_pop(&c->path, o);
	}
	if (!config_has(queries, "n"))
		config_problem(c, "no query for column \"n\" (the samples per class in the window)");
	for (size_t i = 0; i < k->n_thresholds; i++) {
		const char *m = k->thresholds[i].metric;
		if (first_metric(k, i) && !config_has(queries, m)) {
			char q[64];
			config_quote(c, m, q, sizeof q);
			config_problem(c, "no query for metric %s (named in thresholds)", q);
		}
	}
	jsonmsg_path_pop(&c->path, old);
}

static void check_canary(struct config_check *c, const struct config_canary *k, const cJSON *json)
{
	int type = check_source_ref(c, k->source);
	check_endpoint_ref(c, k->endpoint);
	if (type < 0 || !counts_source(c, type, k->source))
		return;
	char q[64];
	config_quote(c, k->source, q, sizeof q);
	if (type == SOURCE_PROMETHEUS) {
		if (config_has(json, "query"))
			wrong_kind(c, "query", type, k->source, "\"queries\": a PromQL query per column");
		if (!config_has(json, "queries"))
			config_problem_at(c, "queries",
				   "required key missing (source %s is prometheus: a PromQL query per column, "
				   "\"n\" and each metric)",
				   q);
		else
			check_canary_columns(c, k, json);
		return;
	}
	if (config_has(json, "queries"))
		wrong_kind(c, "queries", type, k->source, "a KQL \"query\"");
	if (!config_has(json, "query"))
		config_problem_at(c, "query",
			   "required key missing (source %s is %s: a KQL query giving columns class, each metric "
			   "and n)",
			   q, source_type_name[type]);
}

void config_check_live(struct config_check *c, const struct config *cfg)
{
	const cJSON *slos = cJSON_GetObjectItemCaseSensitive(c->root, "slos");
	const cJSON *canaries = cJSON_GetObjectItemCaseSensitive(c->root, "canaries");
	size_t old = jsonmsg_path_key(&c->path, "slos");
	size_t i = 0;
	for (const cJSON *e = cJSON_IsArray(slos) ? slos->child : NULL; e; e = e->next, i++) {
		size_t o = jsonmsg_path_index(&c->path, i);
		if (cJSON_IsObject(e) && i < cfg->n_slos)
			check_slo(c, &cfg->slos[i], e);
		jsonmsg_path_pop(&c->path, o);
	}
	jsonmsg_path_pop(&c->path, old);
	old = jsonmsg_path_key(&c->path, "canaries");
	i = 0;
	for (const cJSON *e = cJSON_IsArray(canaries) ? canaries->child : NULL; e; e = e->next, i++) {
		size_t o = jsonmsg_path_index(&c->path, i);
		if (cJSON_IsObject(e) && i < cfg->n_canaries)
			check_canary(c, &cfg->canaries[i], e);
		jsonmsg_path_pop(&c->path, o);
	}
	jsonmsg_path_pop(&c->path, old);
}
