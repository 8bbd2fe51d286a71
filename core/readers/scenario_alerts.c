/* A drill scenario's alerts: what Alertmanager would hold, each firing
 * from `at` until `until` (or the end), with its labels and summary. The
 * drill shows them as a live console shows an alertmanager source's, and
 * simulates silences against them (core/feeds/drill_alerts.c). */
#include <stdlib.h>
#include <string.h>

#include "scenario_impl.h"
#include "xalloc.h"

/* An object of label names to strings, with an alertname. */
static void read_labels(struct config_check *c, const cJSON *v, void *value)
{
	struct scenario_alert *a = value;
	if (!config_want_object(c, v))
		return;
	size_t n = (size_t)cJSON_GetArraySize(v);
	if (n > ALERT_MAX_LABELS) {
		config_problem_got(c, v, "at most 64 labels");
		return;
	}
	a->names = xcalloc(n + 1, sizeof *a->names);
	a->values = xcalloc(n + 1, sizeof *a->values);
	bool named = false;
	for (const cJSON *l = v->child; l; l = l->next) {
		size_t old = jsonmsg_path_key(&c->path, l->string);
		if (!cJSON_IsString(l)) {
			config_problem_got(c, l, "a string");
		} else {
			a->names[a->n_labels] = xstrdup(l->string);
			a->values[a->n_labels++] = xstrdup(l->valuestring);
			named |= strcmp(l->string, "alertname") == 0;
		}
		jsonmsg_path_pop(&c->path, old);
	}
	if (!named)
		config_problem_got(c, v, "labels with an alertname");
}

static void free_labels(void *value)
{
	struct scenario_alert *a = value;
	for (size_t i = 0; i < a->n_labels; i++) {
		free(a->names[i]);
		free(a->values[i]);
	}
	free(a->names);
	free(a->values);
}

static void check_until(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	const struct scenario_alert *a = base;
	scenario_time_bound(c, config_value_of(key, obj), a->until_ms > a->at_ms, "after at", a->at_ms);
}

#define ALERT(field) offsetof(struct scenario_alert, field)

static const struct config_key alert_keys[] = {
	{ "at", TIME(ALERT(at_ms)), .required = CONFIG_ALWAYS, .doc = "when it starts firing" },
	{ "until", TIME(ALERT(until_ms)), .check = check_until, .doc = "when it stops (default: never)" },
	{ "labels", CONFIG_CUSTOM, 0, .read = read_labels, .free = free_labels, .required = CONFIG_ALWAYS,
	  .expected = "an object of label names to strings, with an alertname",
	  .doc = "its labels: alertname, severity, sloth_slo or slo, ..." },
	{ "summary", CONFIG_STRING, ALERT(summary), STRING, .doc = "the summary annotation" },
	{ 0 },
};

const struct config_table scenario_alert_table = { .keys = alert_keys };
