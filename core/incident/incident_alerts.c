/* The incident's alerts: what each alertmanager source (or a drill's
 * scenario) says is firing for it, kept whole per reading, and how
 * `cmdr status --json` shows them. */
#include "incident.h"
#include "incident_impl.h"

#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "jsonmsg.h"
#include "status.h"
#include "xalloc.h"

size_t incident_add_alerts(struct incident *inc, const char *source, const struct data_state *data)
{
	inc->alerts = xrealloc(inc->alerts, (inc->n_alerts + 1) * sizeof *inc->alerts);
	inc->alerts[inc->n_alerts] = (struct incident_alerts){ .source = xstrdup(source), .data = *data };
	return inc->n_alerts++;
}

void incident_set_alerts(struct incident *inc, size_t i, struct alert_set *set, int64_t at_ms)
{
	struct incident_alerts *a = &inc->alerts[i];
	alert_set_free(&a->set);
	a->set = *set;
	memset(set, 0, sizeof *set);
	alert_set_sort(&a->set);
	a->data.at_ms = at_ms;
	inc->generation++;
	silences_expiry_check(inc);
}

void incident_alerts_free(struct incident *inc)
{
	for (size_t i = 0; i < inc->n_alerts; i++) {
		free(inc->alerts[i].source);
		alert_set_free(&inc->alerts[i].set);
	}
	free(inc->alerts);
	inc->alerts = NULL;
	inc->n_alerts = 0;
}

/* ---- status ------------------------------------------------------------ */

static bool slo_known(const struct incident *inc, const char *name)
{
	for (size_t i = 0; name && i < inc->n_slos; i++)
		if (strcmp(inc->slos[i].spec.name, name) == 0)
			return true;
	return false;
}

/* Sloth's alerts carry sloth_id (a discovered SLO's name), sloth_slo and
 * sloth_service; Pyrra's, slo. The first that names an SLO of the
 * incident, else what the labels say. */
const char *incident_alert_slo(const struct incident *inc, const struct alert *a)
{
	static const char *const labels[] = { "sloth_id", "sloth_slo", "slo" };
	for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
		if (slo_known(inc, alert_label(a, labels[i])))
			return alert_label(a, labels[i]);
	return alert_slo(a);
}

static cJSON *alert_json(const struct incident *inc, const struct alert *a)
{
	cJSON *o = cJSON_CreateObject();
	const char *sev = alert_label(a, "severity"), *slo = incident_alert_slo(inc, a);
	cJSON_AddItemToObject(o, "severity", sev ? cJSON_CreateString(sev) : cJSON_CreateNull());
	cJSON_AddStringToObject(o, "state", alert_state_name(a));
	cJSON_AddItemToObject(o, "summary", a->summary ? cJSON_CreateString(a->summary) : cJSON_CreateNull());
	if (a->starts_ms) {
		json_add_time(o, "starts_at", a->starts_ms);
		cJSON_AddNumberToObject(o, "age_s", (double)((inc->now - a->starts_ms) / 1000));
	} else {
		cJSON_AddNullToObject(o, "starts_at");
		cJSON_AddNullToObject(o, "age_s");
	}
	cJSON_AddItemToObject(o, "slo", slo ? cJSON_CreateString(slo) : cJSON_CreateNull());
	cJSON_AddBoolToObject(o, "slo_known", slo_known(inc, slo));
	cJSON_AddItemToObject(o, "silenced_by", jsonmsg_strings(a->silenced_by, a->n_silenced_by));
	cJSON_AddItemToObject(o, "inhibited_by", jsonmsg_strings(a->inhibited_by, a->n_inhibited_by));
	cJSON *labels = cJSON_AddObjectToObject(o, "labels");
	for (size_t i = 0; i < a->n_labels; i++)
		cJSON_AddStringToObject(labels, a->names[i], a->values[i]);
	if (a->fingerprint)
		cJSON_AddStringToObject(o, "fingerprint", a->fingerprint);
	return o;
}

/* The set is sorted by alertname: a group is a run of one name. */
static cJSON *groups_json(const struct incident *inc, const struct alert_set *set)
{
	cJSON *groups = cJSON_CreateArray(), *list = NULL;
	const char *name = NULL;
	for (size_t i = 0; i < set->n; i++) {
		const char *n = alert_label(&set->alerts[i], "alertname");
		if (!list || strcmp(n ? n : "", name ? name : "") != 0) {
			cJSON *g = cJSON_CreateObject();
			cJSON_AddItemToObject(g, "alertname", n ? cJSON_CreateString(n) : cJSON_CreateNull());
			list = cJSON_AddArrayToObject(g, "alerts");
			cJSON_AddItemToArray(groups, g);
			name = n;
		}
		cJSON_AddItemToArray(list, alert_json(inc, &set->alerts[i]));
	}
	return groups;
}

cJSON *status_alerts_json(const struct incident *inc)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < inc->n_alerts; i++) {
		const struct incident_alerts *a = &inc->alerts[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "source", a->source);
		status_add_data(o, &a->data, inc->now);
		cJSON_AddNumberToObject(o, "count", (double)a->set.n);
		cJSON_AddNumberToObject(o, "left_out", (double)a->set.left_out);
		cJSON_AddNumberToObject(o, "labels_left_out", (double)a->set.labels_left_out);
		cJSON_AddItemToObject(o, "groups", groups_json(inc, &a->set));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

cJSON *status_silences_json(const struct incident *inc)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < inc->n_silences; i++) {
		const struct incident_silence *s = &inc->silences[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", s->id);
		cJSON_AddStringToObject(o, "source", s->source);
		cJSON_AddStringToObject(o, "by", s->by);
		cJSON_AddStringToObject(o, "reason", s->reason);
		cJSON_AddStringToObject(o, "matchers", s->matchers);
		json_add_time(o, "starts", s->starts_ms);
		json_add_time(o, "ends", s->ends_ms);
		bool over = s->expired || s->ends_ms <= inc->now;
		cJSON_AddBoolToObject(o, "active", !over);
		cJSON_AddNumberToObject(o, "left_s", over ? 0 : (double)((s->ends_ms - inc->now) / 1000));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}
