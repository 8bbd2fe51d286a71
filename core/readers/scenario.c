#include "scenario.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "jsonmsg.h"
#include "timefmt.h"
#include "readfile.h"
#include "xalloc.h"

#define SCENARIO_MAX_BYTES (16L << 20)
#define DEFAULT_TARGET_TEXT "simulated target: 503 Service Unavailable"

/* A deployment that exists on an endpoint from `since` on: the scenario's
 * own, or one a "deploy" event creates. References are checked against
 * these in time order, so an event can only name what exists by then. */
struct known_deployment {
	const char *endpoint, *deployment; /* borrowed from the scenario */
	int64_t since;
};

/* Messages name the JSON path of the offending value, so the parser keeps
 * the path of whatever it is reading and every failure can point at it. */
struct parser {
	const char *file;
	struct error *err;
	struct scenario *s;
	int64_t start_ms;
	struct jsonmsg_path path;
	struct known_deployment *known;
	size_t n_known, cap_known;
};

/* ---- messages ---------------------------------------------------------- */

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	char what[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	error_set(p->err, "%s: %s: %s", p->file, p->path.text, what);
	return -1;
}

static int fail_got(struct parser *p, const cJSON *v, const char *expected)
{
	char got[96];
	jsonmsg_describe(v, JSONMSG_NEWLINE_N, got, sizeof got);
	return fail(p, "expected %s, got %s", expected, got);
}

/* Times in messages read like the drill's clock: "17:14:03" on the start's
 * day, the full ISO form otherwise. */
static void fmt_time(const struct parser *p, int64_t ms, char *buf, size_t size)
{
	if (ms / MS_PER_DAY == p->start_ms / MS_PER_DAY && ms >= 0 && p->start_ms >= 0)
		timefmt_hms(ms, buf, size);
	else
		timefmt_iso(ms, buf, size);
}

/* ---- typed fields ------------------------------------------------------ */

/* Unknown keys are errors: a misspelt "min_sample" must not quietly leave a
 * gate at its default. Duplicates are too, since cJSON would keep both and
 * we would read only the first. */
static int check_keys(struct parser *p, const cJSON *obj, const char *const *keys)
{
	for (const cJSON *c = obj->child; c; c = c->next) {
		size_t i;
		for (i = 0; keys[i]; i++)
			if (strcmp(c->string, keys[i]) == 0)
				break;
		size_t old = jsonmsg_path_key(&p->path, c->string);
		if (!keys[i]) {
			char list[256] = "";
			for (i = 0; keys[i]; i++) {
				size_t len = strlen(list);
				snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", keys[i]);
			}
			return fail(p, "unknown key (expected one of: %s)", list);
		}
		for (const cJSON *d = obj->child; d != c; d = d->next)
			if (strcmp(d->string, c->string) == 0)
				return fail(p, "duplicate key (each key may appear once)");
		jsonmsg_path_pop(&p->path, old);
	}
	return 0;
}

static int expect_object(struct parser *p, const cJSON *v)
{
	return cJSON_IsObject(v) ? 0 : fail_got(p, v, "an object");
}

/* Absent optional arrays read as empty (*out NULL). */
static int get_array(struct parser *p, const cJSON *obj, const char *key, bool required,
		     const cJSON **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t old = jsonmsg_path_key(&p->path, key);
	*out = NULL;
	if (!v && required)
		return fail(p, "required key missing (expected an array)");
	if (v && !cJSON_IsArray(v))
		return fail_got(p, v, "an array");
	jsonmsg_path_pop(&p->path, old);
	*out = v;
	return 0;
}

/* A non-empty string. When absent and not required, *out is a copy of
 * dflt (or NULL). */
static int get_string(struct parser *p, const cJSON *obj, const char *key, bool required,
		      const char *dflt, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t old = jsonmsg_path_key(&p->path, key);
	if (!v) {
		if (required)
			return fail(p, "required key missing (expected a string)");
		*out = dflt ? xstrdup(dflt) : NULL;
	} else if (!cJSON_IsString(v) || !v->valuestring[0]) {
		return fail_got(p, v, "a non-empty string");
	} else {
		*out = xstrdup(v->valuestring);
	}
	jsonmsg_path_pop(&p->path, old);
	return 0;
}

struct num_range {
	double lo, hi;
	bool lo_open, hi_open, integer;
	const char *expected;
};

static const struct num_range range_any = { -HUGE_VAL, HUGE_VAL, false, false, false, "a number" };
static const struct num_range range_nonneg = { 0, HUGE_VAL, false, false, false, "a number >= 0" };
static const struct num_range range_ratio = { 0, 1, false, false, false,
					      "a number from 0 to 1" };
static const struct num_range range_objective = { 0, 1, true, true, false,
						  "a number between 0 and 1, e.g. 0.999" };
static const struct num_range range_speed = { CLOCK_SPEED_MIN, CLOCK_SPEED_MAX, false, false,
					      false, "a number from 0.25 to 1024" };
static const struct num_range range_percent = { 0, 100, false, false, true,
						"an integer from 0 to 100" };
static const struct num_range range_count = { 1, 1000000, false, false, true,
					      "an integer from 1 to 1000000" };
static const struct num_range range_samples = { 0, INT_MAX, false, false, true,
						"an integer >= 0" };

static bool in_range(double x, const struct num_range *r)
{
	if (!isfinite(x))
		return false;
	if (r->lo_open ? x <= r->lo : x < r->lo)
		return false;
	if (r->hi_open ? x >= r->hi : x > r->hi)
		return false;
	return !r->integer || x == floor(x);
}

static int get_number(struct parser *p, const cJSON *obj, const char *key, bool required,
		      double dflt, const struct num_range *r, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t old = jsonmsg_path_key(&p->path, key);
	if (!v) {
		if (required)
			return fail(p, "required key missing (expected %s)", r->expected);
		*out = dflt;
	} else if (!cJSON_IsNumber(v) || !in_range(v->valuedouble, r)) {
		return fail_got(p, v, r->expected);
	} else {
		*out = v->valuedouble;
	}
	jsonmsg_path_pop(&p->path, old);
	return 0;
}

static int get_int(struct parser *p, const cJSON *obj, const char *key, bool required, int dflt,
		   const struct num_range *r, int *out)
{
	double d = dflt;
	if (get_number(p, obj, key, required, dflt, r, &d) < 0)
		return -1;
	*out = (int)d;
	return 0;
}

#define EXPECT_TIME "a time (ISO 8601, HH:MM:SS or +/-offset)"
#define EXPECT_DURATION "a duration (a whole number and ms, s, m, h or d, e.g. \"60s\")"

/* Times are relative to the scenario's start: "HH:MM:SS" on its day,
 * "+5m"/"-30d" from it. */
static int get_time(struct parser *p, const cJSON *obj, const char *key, bool required,
		    int64_t dflt, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t old = jsonmsg_path_key(&p->path, key);
	if (!v) {
		if (required)
			return fail(p, "required key missing (expected %s)", EXPECT_TIME);
		*out = dflt;
	} else if (!cJSON_IsString(v) || !timefmt_parse_at(v->valuestring, p->start_ms, out)) {
		return fail_got(p, v, EXPECT_TIME);
	}
	jsonmsg_path_pop(&p->path, old);
	return 0;
}

static int get_duration(struct parser *p, const cJSON *obj, const char *key, bool required,
			int64_t dflt, bool positive, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t old = jsonmsg_path_key(&p->path, key);
	if (!v) {
		if (required)
			return fail(p, "required key missing (expected %s)", EXPECT_DURATION);
		*out = dflt;
	} else if (!cJSON_IsString(v) || !timefmt_parse_duration(v->valuestring, out)) {
		return fail_got(p, v, EXPECT_DURATION);
	} else if (positive && *out == 0) {
		return fail_got(p, v, "a duration above zero");
	}
	jsonmsg_path_pop(&p->path, old);
	return 0;
}

/* Checks a time already read from obj[key] against a bound; the message
 * shows the value as written. */
static int time_bound(struct parser *p, const cJSON *obj, const char *key, bool ok,
		      const char *what, int64_t bound)
{
	if (ok)
		return 0;
	char when[32], expected[96];
	fmt_time(p, bound, when, sizeof when);
	snprintf(expected, sizeof expected, "a time %s (%s)", what, when);
	jsonmsg_path_key(&p->path, key);
	return fail_got(p, cJSON_GetObjectItemCaseSensitive(obj, key), expected);
}

/* Events and canary windows happen while the drill runs. */
static int time_in_run(struct parser *p, const cJSON *obj, const char *key, int64_t t)
{
	if (time_bound(p, obj, key, t >= p->start_ms, "at or after start", p->start_ms) < 0)
		return -1;
	return time_bound(p, obj, key, p->s->end_ms < 0 || t <= p->s->end_ms, "at or before end",
			  p->s->end_ms);
}

/* ---- lookups ----------------------------------------------------------- */

static struct scenario_endpoint *find_endpoint(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->n_endpoints; i++)
		if (s->endpoints[i].name && strcmp(s->endpoints[i].name, name) == 0)
			return &s->endpoints[i];
	return NULL;
}

static struct scenario_slo *find_slo(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->n_slos; i++)
		if (s->slos[i].spec.name && strcmp(s->slos[i].spec.name, name) == 0)
			return &s->slos[i];
	return NULL;
}

static const struct known_deployment *find_known(const struct parser *p, const char *endpoint,
						 const char *deployment)
{
	for (size_t i = 0; i < p->n_known; i++)
		if (strcmp(p->known[i].endpoint, endpoint) == 0 &&
		    strcmp(p->known[i].deployment, deployment) == 0)
			return &p->known[i];
	return NULL;
}

static void add_known(struct parser *p, const char *endpoint, const char *deployment,
		      int64_t since)
{
	xgrow(&p->known, &p->cap_known, p->n_known + 1, sizeof *p->known);
	p->known[p->n_known++] = (struct known_deployment){ endpoint, deployment, since };
}

/* Reads obj[key] (already known to be a string) and checks it names an
 * endpoint. */
static int check_endpoint_ref(struct parser *p, const cJSON *obj, const char *key,
			      const char *name)
{
	if (find_endpoint(p->s, name))
		return 0;
	jsonmsg_path_key(&p->path, key);
	return fail_got(p, cJSON_GetObjectItemCaseSensitive(obj, key),
			"the name of an endpoint in $.endpoints");
}

/* ---- sections ---------------------------------------------------------- */

static const char *const deployment_keys[] = { "name", "traffic", "state", "created", NULL };
static const char *const endpoint_keys[] = { "name", "deployments", NULL };

static int parse_deployment(struct parser *p, const cJSON *v, struct scenario_endpoint *ep,
			    size_t i)
{
	struct scenario_deployment *d = &ep->deployments[i];
	if (expect_object(p, v) < 0 || check_keys(p, v, deployment_keys) < 0)
		return -1;
	if (get_string(p, v, "name", true, NULL, &d->name) < 0 ||
	    get_int(p, v, "traffic", true, 0, &range_percent, &d->traffic) < 0 ||
	    get_string(p, v, "state", false, "Succeeded", &d->state) < 0 ||
	    get_time(p, v, "created", false, p->start_ms, &d->created_ms) < 0)
		return -1;
	if (time_bound(p, v, "created", d->created_ms <= p->start_ms, "at or before start",
		       p->start_ms) < 0)
		return -1;
	for (size_t j = 0; j < i; j++) {
		if (strcmp(ep->deployments[j].name, d->name) == 0) {
			jsonmsg_path_key(&p->path, "name");
			return fail_got(p, cJSON_GetObjectItemCaseSensitive(v, "name"),
					"a deployment name not used before on this endpoint");
		}
	}
	return 0;
}

static int parse_endpoint(struct parser *p, const cJSON *v, size_t i)
{
	struct scenario_endpoint *ep = &p->s->endpoints[i];
	const cJSON *deps;
	if (expect_object(p, v) < 0 || check_keys(p, v, endpoint_keys) < 0)
		return -1;
	if (get_string(p, v, "name", true, NULL, &ep->name) < 0 ||
	    get_array(p, v, "deployments", false, &deps) < 0)
		return -1;
	for (size_t j = 0; j < i; j++) {
		if (strcmp(p->s->endpoints[j].name, ep->name) == 0) {
			jsonmsg_path_key(&p->path, "name");
			return fail_got(p, cJSON_GetObjectItemCaseSensitive(v, "name"),
					"an endpoint name not used before");
		}
	}

	size_t n = (size_t)cJSON_GetArraySize(deps);
	ep->deployments = xcalloc(n, sizeof *ep->deployments);
	ep->n_deployments = n;
	size_t old = jsonmsg_path_key(&p->path, "deployments");
	const cJSON *d;
	size_t j = 0;
	int total = 0;
	cJSON_ArrayForEach(d, deps) {
		size_t o = jsonmsg_path_index(&p->path, j);
		if (parse_deployment(p, d, ep, j) < 0)
			return -1;
		total += ep->deployments[j].traffic;
		jsonmsg_path_pop(&p->path, o);
		j++;
	}
	if (n > 0 && total != 100)
		return fail(p, "expected traffic percentages summing to 100, got %d", total);
	jsonmsg_path_pop(&p->path, old);
	return 0;
}

static const char *const slo_keys[] = { "name",	    "objective", "period", "min_events",
					"endpoint", "events",	 NULL };
static const char *const slo_event_keys[] = { "at", "until", "total_per_s", "bad_ratio", NULL };

static int parse_slo_event(struct parser *p, const cJSON *v, struct scenario_slo *slo)
{
	int64_t at = 0, until = INT64_MAX;
	double total = -1, bad = -1;
	if (expect_object(p, v) < 0 || check_keys(p, v, slo_event_keys) < 0)
		return -1;
	if (get_time(p, v, "at", true, 0, &at) < 0 ||
	    get_time(p, v, "until", false, INT64_MAX, &until) < 0 ||
	    get_number(p, v, "total_per_s", false, -1, &range_nonneg, &total) < 0 ||
	    get_number(p, v, "bad_ratio", false, -1, &range_ratio, &bad) < 0)
		return -1;
	if (time_bound(p, v, "until", until > at, "after at", at) < 0)
		return -1;
	if (total < 0 && bad < 0)
		return fail(p, "expected total_per_s or bad_ratio (or both), got neither");
	event_series_set(&slo->events, at, until, total, bad);
	return 0;
}

static int parse_slo(struct parser *p, const cJSON *v, size_t i)
{
	struct scenario_slo *slo = &p->s->slos[i];
	const cJSON *events, *e;
	if (expect_object(p, v) < 0 || check_keys(p, v, slo_keys) < 0)
		return -1;
	if (get_string(p, v, "name", true, NULL, &slo->spec.name) < 0 ||
	    get_number(p, v, "objective", true, 0, &range_objective, &slo->spec.objective) < 0 ||
	    get_duration(p, v, "period", false, 30 * MS_PER_DAY, true, &slo->spec.period_ms) < 0 ||
	    get_number(p, v, "min_events", false, 10, &range_nonneg, &slo->spec.min_events) < 0 ||
	    get_string(p, v, "endpoint", false, NULL, &slo->endpoint) < 0 ||
	    get_array(p, v, "events", false, &events) < 0)
		return -1;
	if (find_slo(p->s, slo->spec.name) != slo) {
		jsonmsg_path_key(&p->path, "name");
		return fail_got(p, cJSON_GetObjectItemCaseSensitive(v, "name"),
				"an SLO name not used before");
	}
	if (slo->endpoint && check_endpoint_ref(p, v, "endpoint", slo->endpoint) < 0)
		return -1;

	size_t old = jsonmsg_path_key(&p->path, "events"), j = 0;
	cJSON_ArrayForEach(e, events) {
		size_t o = jsonmsg_path_index(&p->path, j++);
		if (parse_slo_event(p, e, slo) < 0)
			return -1;
		jsonmsg_path_pop(&p->path, o);
	}
	jsonmsg_path_pop(&p->path, old);
	return 0;
}

/* ---- scenario events --------------------------------------------------- */

static const char *const note_keys[] = { "at", "type", "text", NULL };
static const char *const deploy_keys[] = { "at", "type", "text", "endpoint", "deployment", "state",
					   NULL };
static const char *const traffic_keys[] = { "at", "type", "text", "endpoint", "traffic", NULL };
static const char *const state_keys[] = { "at",		"type",	 "text", "endpoint",
					  "deployment", "state", NULL };
static const char *const burst_keys[] = { "at",	      "type",	  "text",	 "slo",
					  "bad_ratio", "duration", "total_per_s", NULL };
static const char *const target_fail_keys[] = { "at", "type", "text", "mode", NULL };
static const char *const target_recover_keys[] = { "at", "type", "text", NULL };

static const struct event_kind {
	const char *name;
	enum scenario_event_type type;
	const char *const *keys;
} event_kinds[] = {
	{ "note", SCENARIO_NOTE, note_keys },
	{ "deploy", SCENARIO_DEPLOY, deploy_keys },
	{ "traffic", SCENARIO_TRAFFIC, traffic_keys },
	{ "state", SCENARIO_STATE, state_keys },
	{ "burst", SCENARIO_BURST, burst_keys },
	{ "target_fail", SCENARIO_TARGET_FAIL, target_fail_keys },
	{ "target_recover", SCENARIO_TARGET_RECOVER, target_recover_keys },
};
#define N_EVENT_KINDS (sizeof event_kinds / sizeof event_kinds[0])

static int parse_traffic(struct parser *p, const cJSON *obj, struct scenario_event *ev)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "traffic"), *c;
	size_t old = jsonmsg_path_key(&p->path, "traffic");
	int total = 0;
	if (!t)
		return fail(p, "required key missing (expected an object of deployment: percent)");
	if (!cJSON_IsObject(t))
		return fail_got(p, t, "an object of deployment: percent");
	cJSON_ArrayForEach(c, t) {
		size_t o = jsonmsg_path_key(&p->path, c->string);
		for (const cJSON *d = t->child; d != c; d = d->next)
			if (strcmp(d->string, c->string) == 0)
				return fail(p, "duplicate key (each deployment may appear once)");
		if (!cJSON_IsNumber(c) || !in_range(c->valuedouble, &range_percent))
			return fail_got(p, c, range_percent.expected);
		traffic_split_set(&ev->traffic, c->string, (int)c->valuedouble);
		total += (int)c->valuedouble;
		jsonmsg_path_pop(&p->path, o);
	}
	if (total != 100)
		return fail(p, "expected percentages summing to 100, got %d", total);
	jsonmsg_path_pop(&p->path, old);
	return 0;
}

static int parse_event(struct parser *p, const cJSON *v, struct scenario_event *ev)
{
	const cJSON *type;
	const struct event_kind *kind = NULL;
	ev->bad_ratio = -1;
	ev->total_per_s = -1;
	if (expect_object(p, v) < 0)
		return -1;

	type = cJSON_GetObjectItemCaseSensitive(v, "type");
	size_t old = jsonmsg_path_key(&p->path, "type");
	if (!type)
		return fail(p, "required key missing (expected an event type)");
	for (size_t i = 0; i < N_EVENT_KINDS && cJSON_IsString(type); i++)
		if (strcmp(type->valuestring, event_kinds[i].name) == 0)
			kind = &event_kinds[i];
	if (!kind)
		return fail_got(p, type,
				"one of note, deploy, traffic, state, burst, target_fail, "
				"target_recover");
	jsonmsg_path_pop(&p->path, old);
	ev->type = kind->type;

	if (check_keys(p, v, kind->keys) < 0 || get_time(p, v, "at", true, 0, &ev->at_ms) < 0 ||
	    time_in_run(p, v, "at", ev->at_ms) < 0)
		return -1;
	/* "text" is narration on every kind; a note is nothing else, and a
	 * failing target returns it as its error. */
	if (get_string(p, v, "text", kind->type == SCENARIO_NOTE,
		       kind->type == SCENARIO_TARGET_FAIL ? DEFAULT_TARGET_TEXT : NULL, &ev->text) < 0)
		return -1;

	switch (kind->type) {
	case SCENARIO_NOTE:
	case SCENARIO_TARGET_RECOVER:
		return 0;
	case SCENARIO_DEPLOY:
	case SCENARIO_STATE:
		if (get_string(p, v, "endpoint", true, NULL, &ev->endpoint) < 0 ||
		    get_string(p, v, "deployment", true, NULL, &ev->deployment) < 0 ||
		    get_string(p, v, "state", kind->type == SCENARIO_STATE, "Succeeded",
			       &ev->state) < 0)
			return -1;
		return check_endpoint_ref(p, v, "endpoint", ev->endpoint);
	case SCENARIO_TRAFFIC:
		if (get_string(p, v, "endpoint", true, NULL, &ev->endpoint) < 0 ||
		    check_endpoint_ref(p, v, "endpoint", ev->endpoint) < 0)
			return -1;
		return parse_traffic(p, v, ev);
	case SCENARIO_BURST:
		if (get_string(p, v, "slo", true, NULL, &ev->slo) < 0 ||
		    get_number(p, v, "bad_ratio", true, 0, &range_ratio, &ev->bad_ratio) < 0 ||
		    get_duration(p, v, "duration", true, 0, true, &ev->duration_ms) < 0 ||
		    get_number(p, v, "total_per_s", false, -1, &range_nonneg, &ev->total_per_s) < 0)
			return -1;
		if (!find_slo(p->s, ev->slo)) {
			jsonmsg_path_key(&p->path, "slo");
			return fail_got(p, cJSON_GetObjectItemCaseSensitive(v, "slo"),
					"the name of an SLO in $.slos");
		}
		return 0;
	case SCENARIO_TARGET_FAIL:
		if (get_string(p, v, "mode", true, NULL, &ev->mode) < 0)
			return -1;
		if (strcmp(ev->mode, "reject") != 0 && strcmp(ev->mode, "ignore") != 0) {
			jsonmsg_path_key(&p->path, "mode");
			return fail_got(p, cJSON_GetObjectItemCaseSensitive(v, "mode"),
					"\"reject\" or \"ignore\"");
		}
		return 0;
	}
	return 0;
}

/* Stable merge sort of event indices by time: scenarios list simultaneous
 * events in the order they should happen (deploy before traffic). */
static void sort_order(const struct scenario_event *ev, size_t *order, size_t *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t mid = n / 2;
	sort_order(ev, order, tmp, mid);
	sort_order(ev, order + mid, tmp, n - mid);
	size_t i = 0, j = mid, k = 0;
	while (i < mid && j < n)
		tmp[k++] = ev[order[j]].at_ms < ev[order[i]].at_ms ? order[j++] : order[i++];
	while (i < mid)
		tmp[k++] = order[i++];
	while (j < n)
		tmp[k++] = order[j++];
	memcpy(order, tmp, n * sizeof *order);
}

/* Walks the events in time order: a deployment must exist (in $.endpoints
 * or through an earlier "deploy") before an event names it. Bursts are
 * applied to their SLO's history here, after the SLO's own events. */
static int check_event(struct parser *p, const cJSON *v, const struct scenario_event *ev)
{
	switch (ev->type) {
	case SCENARIO_DEPLOY:
		if (find_known(p, ev->endpoint, ev->deployment)) {
			jsonmsg_path_key(&p->path, "deployment");
			return fail_got(p, cJSON_GetObjectItemCaseSensitive(v, "deployment"),
					"a new deployment name (this one already exists)");
		}
		add_known(p, ev->endpoint, ev->deployment, ev->at_ms);
		return 0;
	case SCENARIO_STATE:
		if (find_known(p, ev->endpoint, ev->deployment))
			return 0;
		jsonmsg_path_key(&p->path, "deployment");
		return fail_got(p, cJSON_GetObjectItemCaseSensitive(v, "deployment"),
				"a deployment of this endpoint that exists by then");
	case SCENARIO_TRAFFIC:
		for (size_t i = 0; i < ev->traffic.n; i++) {
			const char *dep = ev->traffic.entries[i].deployment;
			if (find_known(p, ev->endpoint, dep))
				continue;
			char q[64];
			jsonmsg_quote(dep, 40, JSONMSG_NEWLINE_N, q, sizeof q);
			jsonmsg_path_key(&p->path, "traffic");
			jsonmsg_path_key(&p->path, dep);
			return fail(p, "expected a deployment of this endpoint that exists by then, "
				       "got %s",
				    q);
		}
		return 0;
	case SCENARIO_BURST: {
		struct scenario_slo *slo = find_slo(p->s, ev->slo);
		event_series_set(&slo->events, ev->at_ms, ev->at_ms + ev->duration_ms,
				 ev->total_per_s, ev->bad_ratio);
		return 0;
	}
	default:
		return 0;
	}
}

static int parse_events(struct parser *p, const cJSON *arr)
{
	struct scenario *s = p->s;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	const cJSON *v;
	int rc = 0;

	s->events = xcalloc(n, sizeof *s->events);
	s->n_events = n;
	for (i = 0; i < n; i++)
		traffic_split_init(&s->events[i].traffic);

	size_t old = jsonmsg_path_key(&p->path, "events");
	i = 0;
	cJSON_ArrayForEach(v, arr) {
		size_t o = jsonmsg_path_index(&p->path, i);
		if (parse_event(p, v, &s->events[i]) < 0)
			return -1;
		jsonmsg_path_pop(&p->path, o);
		i++;
	}

	size_t *order = xcalloc(n, sizeof *order), *tmp = xcalloc(n, sizeof *tmp);
	const cJSON **items = xcalloc(n, sizeof *items);
	i = 0;
	cJSON_ArrayForEach(v, arr) {
		order[i] = i;
		items[i++] = v;
	}
	sort_order(s->events, order, tmp, n);
	for (i = 0; i < n && rc == 0; i++) {
		size_t o = jsonmsg_path_index(&p->path, order[i]);
		rc = check_event(p, items[order[i]], &s->events[order[i]]);
		if (rc == 0)
			jsonmsg_path_pop(&p->path, o);
	}
	if (rc == 0) {
		jsonmsg_path_pop(&p->path, old);
		struct scenario_event *sorted = xcalloc(n, sizeof *sorted);
		for (i = 0; i < n; i++)
			sorted[i] = s->events[order[i]];
		free(s->events);
		s->events = sorted;
	}
	free(order);
	free(tmp);
	free(items);
	return rc;
}

/* ---- canaries ---------------------------------------------------------- */

static const char *const canary_keys[] = { "endpoint",	    "deployment", "window",
					   "min_samples",   "failure_limit", "on_failure",
					   "thresholds",    "windows",	     NULL };
/* "expected WHAT class "c", metric "m"", both quoted as they came. */
static int fail_pair(struct parser *p, const char *what, const char *class_name,
		     const char *metric)
{
	char qc[64], qm[64];
	jsonmsg_quote(class_name, 40, JSONMSG_NEWLINE_N, qc, sizeof qc);
	jsonmsg_quote(metric, 40, JSONMSG_NEWLINE_N, qm, sizeof qm);
	return fail(p, "expected %s class %s, metric %s", what, qc, qm);
}

static const char *const threshold_keys[] = { "class", "metric", "min", NULL };
static const char *const window_keys[] = { "at", "start", "observations", NULL };
static const char *const obs_keys[] = { "class", "metric", "value", "n", NULL };

static int parse_threshold(struct parser *p, const cJSON *v, struct canary_spec *spec, size_t i)
{
	struct canary_threshold *t = &spec->thresholds[i];
	if (expect_object(p, v) < 0 || check_keys(p, v, threshold_keys) < 0 ||
	    get_string(p, v, "class", true, NULL, &t->class_name) < 0 ||
	    get_string(p, v, "metric", true, NULL, &t->metric) < 0 ||
	    get_number(p, v, "min", true, 0, &range_any, &t->min) < 0)
		return -1;
	for (size_t j = 0; j < i; j++)
		if (strcmp(spec->thresholds[j].class_name, t->class_name) == 0 &&
		    strcmp(spec->thresholds[j].metric, t->metric) == 0)
			return fail_pair(p, "one threshold per class and metric, got a second for",
					 t->class_name, t->metric);
	return 0;
}

/* An observation must match a threshold: a misspelt class would otherwise
 * never be checked and the window would look thin, not failed. */
static int parse_obs(struct parser *p, const cJSON *v, const struct canary_spec *spec,
		     struct scenario_canary_window *w, size_t i)
{
	struct scenario_obs *o = &w->obs[i];
	if (expect_object(p, v) < 0 || check_keys(p, v, obs_keys) < 0 ||
	    get_string(p, v, "class", true, NULL, &o->class_name) < 0 ||
	    get_string(p, v, "metric", true, NULL, &o->metric) < 0 ||
	    get_number(p, v, "value", true, 0, &range_any, &o->value) < 0 ||
	    get_int(p, v, "n", true, 0, &range_samples, &o->n) < 0)
		return -1;
	size_t t;
	for (t = 0; t < spec->n_thresholds; t++)
		if (strcmp(spec->thresholds[t].class_name, o->class_name) == 0 &&
		    strcmp(spec->thresholds[t].metric, o->metric) == 0)
			break;
	if (t == spec->n_thresholds)
		return fail_pair(p, "a class and metric named in thresholds, got", o->class_name,
				 o->metric);
	for (size_t j = 0; j < i; j++)
		if (strcmp(w->obs[j].class_name, o->class_name) == 0 &&
		    strcmp(w->obs[j].metric, o->metric) == 0)
			return fail_pair(p, "one observation per class and metric, got a second for",
					 o->class_name, o->metric);
	return 0;
}

static int parse_window(struct parser *p, const cJSON *v, struct scenario_canary *c, size_t i,
			int64_t not_before)
{
	struct scenario_canary_window *w = &c->windows[i];
	const cJSON *obs, *o;
	if (expect_object(p, v) < 0 || check_keys(p, v, window_keys) < 0 ||
	    get_time(p, v, "at", true, 0, &w->at_ms) < 0 ||
	    get_time(p, v, "start", false, -1, &w->start_ms) < 0 ||
	    get_array(p, v, "observations", false, &obs) < 0)
		return -1;
	if (time_in_run(p, v, "at", w->at_ms) < 0)
		return -1;
	if (i > 0 && time_bound(p, v, "at", w->at_ms > c->windows[i - 1].at_ms,
				"after the previous window", c->windows[i - 1].at_ms) < 0)
		return -1;
	if (time_bound(p, v, "at", w->at_ms > not_before, "after the canary deployment exists",
		       not_before) < 0)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(v, "start") &&
	    time_bound(p, v, "start", w->start_ms < w->at_ms, "before at", w->at_ms) < 0)
		return -1;

	size_t n = (size_t)cJSON_GetArraySize(obs), j = 0;
	w->obs = xcalloc(n, sizeof *w->obs);
	w->n_obs = n;
	size_t old = jsonmsg_path_key(&p->path, "observations");
	cJSON_ArrayForEach(o, obs) {
		size_t ol = jsonmsg_path_index(&p->path, j);
		if (parse_obs(p, o, &c->spec, w, j) < 0)
			return -1;
		jsonmsg_path_pop(&p->path, ol);
		j++;
	}
	jsonmsg_path_pop(&p->path, old);
	return 0;
}

static int parse_canary(struct parser *p, const cJSON *v, size_t i)
{
	struct scenario_canary *c = &p->s->canaries[i];
	struct canary_spec *spec = &c->spec;
	const cJSON *thresholds, *windows, *e;
	char *on_failure = NULL;
	if (expect_object(p, v) < 0 || check_keys(p, v, canary_keys) < 0)
		return -1;
	if (get_string(p, v, "endpoint", true, NULL, &spec->endpoint) < 0 ||
	    check_endpoint_ref(p, v, "endpoint", spec->endpoint) < 0 ||
	    get_string(p, v, "deployment", true, NULL, &spec->deployment) < 0 ||
	    get_duration(p, v, "window", false, 60 * MS_PER_S, true, &spec->window_ms) < 0 ||
	    get_int(p, v, "min_samples", false, 3, &range_count, &spec->min_samples) < 0 ||
	    get_int(p, v, "failure_limit", false, 3, &range_count, &spec->failure_limit) < 0 ||
	    get_string(p, v, "on_failure", false, "rollback", &on_failure) < 0)
		return -1;

	bool rollback = strcmp(on_failure, "rollback") == 0, page = strcmp(on_failure, "page") == 0;
	free(on_failure);
	if (!rollback && !page) {
		jsonmsg_path_key(&p->path, "on_failure");
		return fail_got(p, cJSON_GetObjectItemCaseSensitive(v, "on_failure"),
				"\"rollback\" or \"page\"");
	}
	spec->on_failure = rollback ? ON_FAILURE_ROLLBACK : ON_FAILURE_PAGE;

	const struct known_deployment *k = find_known(p, spec->endpoint, spec->deployment);
	if (!k) {
		jsonmsg_path_key(&p->path, "deployment");
		return fail_got(p, cJSON_GetObjectItemCaseSensitive(v, "deployment"),
				"a deployment of this endpoint (in $.endpoints or a deploy event)");
	}

	if (get_array(p, v, "thresholds", true, &thresholds) < 0)
		return -1;
	size_t n = (size_t)cJSON_GetArraySize(thresholds), j = 0;
	size_t old = jsonmsg_path_key(&p->path, "thresholds");
	if (n == 0)
		return fail_got(p, thresholds, "a non-empty array");
	spec->thresholds = xcalloc(n, sizeof *spec->thresholds);
	spec->n_thresholds = n;
	cJSON_ArrayForEach(e, thresholds) {
		size_t o = jsonmsg_path_index(&p->path, j);
		if (parse_threshold(p, e, spec, j) < 0)
			return -1;
		jsonmsg_path_pop(&p->path, o);
		j++;
	}
	jsonmsg_path_pop(&p->path, old);

	if (get_array(p, v, "windows", false, &windows) < 0)
		return -1;
	n = (size_t)cJSON_GetArraySize(windows);
	c->windows = xcalloc(n, sizeof *c->windows);
	c->n_windows = n;
	old = jsonmsg_path_key(&p->path, "windows");
	j = 0;
	cJSON_ArrayForEach(e, windows) {
		size_t o = jsonmsg_path_index(&p->path, j);
		if (parse_window(p, e, c, j, k->since) < 0)
			return -1;
		jsonmsg_path_pop(&p->path, o);
		j++;
	}
	jsonmsg_path_pop(&p->path, old);
	return 0;
}

/* ---- top level --------------------------------------------------------- */

static const char *const top_keys[] = { "title",     "description", "start",	 "end",
					"speed",     "target",	    "endpoints", "slos",
					"canaries",  "events",	    "expect",	 NULL };
const char *const expect_names[EXPECT_N] = { "detect", "acknowledge", "decide", "rollback", "verify" };
static const char *const expect_keys[] = { "onset", "detect", "acknowledge", "decide", "rollback", "verify", NULL };
static const char *const target_keys[] = { "delay", NULL };

/* A top-level section: an optional array whose elements fn parses into
 * the scenario's array, allocated (and counted, so scenario_free can
 * release it) by the caller between these two calls. */
static int section_array(struct parser *p, const cJSON *root, const char *key, const cJSON **arr,
			 size_t *n)
{
	if (get_array(p, root, key, false, arr) < 0)
		return -1;
	*n = (size_t)cJSON_GetArraySize(*arr);
	return 0;
}

static int section_each(struct parser *p, const cJSON *arr, const char *key,
			int (*fn)(struct parser *, const cJSON *, size_t))
{
	const cJSON *v;
	size_t old = jsonmsg_path_key(&p->path, key), i = 0;
	cJSON_ArrayForEach(v, arr) {
		size_t o = jsonmsg_path_index(&p->path, i);
		if (fn(p, v, i) < 0)
			return -1;
		jsonmsg_path_pop(&p->path, o);
		i++;
	}
	jsonmsg_path_pop(&p->path, old);
	return 0;
}

static int parse_header(struct parser *p, const cJSON *root)
{
	struct scenario *s = p->s;
	const cJSON *v;
	if (get_string(p, root, "title", true, NULL, &s->title) < 0 ||
	    get_string(p, root, "description", false, NULL, &s->description) < 0)
		return -1;

	v = cJSON_GetObjectItemCaseSensitive(root, "start");
	size_t old = jsonmsg_path_key(&p->path, "start");
	if (!v)
		return fail(p, "required key missing (expected an ISO 8601 UTC time, e.g. "
			       "\"2024-09-13T17:02:00Z\")");
	if (!cJSON_IsString(v) || !timefmt_parse_iso(v->valuestring, &s->start_ms))
		return fail_got(p, v, "an ISO 8601 UTC time, e.g. \"2024-09-13T17:02:00Z\"");
	jsonmsg_path_pop(&p->path, old);
	p->start_ms = s->start_ms;

	if (get_time(p, root, "end", false, -1, &s->end_ms) < 0)
		return -1;
	if (s->end_ms != -1 &&
	    time_bound(p, root, "end", s->end_ms > s->start_ms, "after start", s->start_ms) < 0)
		return -1;
	if (get_number(p, root, "speed", false, 1, &range_speed, &s->speed) < 0)
		return -1;

	s->expect.onset_ms = s->start_ms;
	for (int k = 0; k < EXPECT_N; k++)
		s->expect.within_ms[k] = -1;
	v = cJSON_GetObjectItemCaseSensitive(root, "expect");
	if (v) {
		old = jsonmsg_path_key(&p->path, "expect");
		if (expect_object(p, v) < 0 || check_keys(p, v, expect_keys) < 0 ||
		    get_time(p, v, "onset", false, s->start_ms, &s->expect.onset_ms) < 0 ||
		    time_bound(p, v, "onset", s->expect.onset_ms >= s->start_ms, "at or after start", s->start_ms) < 0)
			return -1;
		for (int k = 0; k < EXPECT_N; k++)
			if (get_duration(p, v, expect_names[k], false, -1, true, &s->expect.within_ms[k]) < 0)
				return -1;
		jsonmsg_path_pop(&p->path, old);
	}

	s->target_delay_ms = 3 * MS_PER_S;
	v = cJSON_GetObjectItemCaseSensitive(root, "target");
	if (v) {
		old = jsonmsg_path_key(&p->path, "target");
		if (expect_object(p, v) < 0 || check_keys(p, v, target_keys) < 0 ||
		    get_duration(p, v, "delay", false, 3 * MS_PER_S, false, &s->target_delay_ms) < 0)
			return -1;
		jsonmsg_path_pop(&p->path, old);
	}
	return 0;
}

/* Sections in dependency order: endpoints, then SLOs (which name
 * endpoints), then events (which name both and create deployments), then
 * canaries (which may watch a deployment an event creates). */
static int parse_root(struct parser *p, const cJSON *root)
{
	struct scenario *s = p->s;
	const cJSON *arr;
	size_t n;

	if (expect_object(p, root) < 0 || check_keys(p, root, top_keys) < 0 ||
	    parse_header(p, root) < 0)
		return -1;

	if (section_array(p, root, "endpoints", &arr, &n) < 0)
		return -1;
	s->endpoints = xcalloc(n, sizeof *s->endpoints);
	s->n_endpoints = n;
	if (section_each(p, arr, "endpoints", parse_endpoint) < 0)
		return -1;
	for (size_t i = 0; i < s->n_endpoints; i++)
		for (size_t j = 0; j < s->endpoints[i].n_deployments; j++)
			add_known(p, s->endpoints[i].name, s->endpoints[i].deployments[j].name,
				  INT64_MIN);

	if (section_array(p, root, "slos", &arr, &n) < 0)
		return -1;
	s->slos = xcalloc(n, sizeof *s->slos);
	s->n_slos = n;
	if (section_each(p, arr, "slos", parse_slo) < 0)
		return -1;

	if (get_array(p, root, "events", false, &arr) < 0 || parse_events(p, arr) < 0)
		return -1;

	if (section_array(p, root, "canaries", &arr, &n) < 0)
		return -1;
	s->canaries = xcalloc(n, sizeof *s->canaries);
	s->n_canaries = n;
	return section_each(p, arr, "canaries", parse_canary);
}

static int syntax_error(const char *file, const char *text, size_t len, const char *at,
			struct error *err)
{
	char *msg = jsonmsg_syntax_error(text, len, file, at);
	error_set(err, "%s", msg);
	free(msg);
	return -1;
}

static char *scenario_name(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base && base[1] ? base + 1 : path;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	char *name = xmalloc(n + 1);
	memcpy(name, base, n);
	name[n] = '\0';
	return name;
}

int scenario_parse(const char *text, size_t len, const char *path, struct scenario *out,
		   struct error *err)
{
	struct parser p = { .file = path ? path : "<scenario>", .err = err, .s = out };
	const char *end = NULL;

	memset(out, 0, sizeof *out);
	out->end_ms = -1;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!root)
		return syntax_error(p.file, text, len, end, err);
	/* cJSON stops after the first value; anything but whitespace after it
	 * is a second document or a stray brace. */
	size_t off = end ? (size_t)(end - text) : len;
	while (off < len && (text[off] == ' ' || text[off] == '\t' || text[off] == '\n' ||
			     text[off] == '\r'))
		off++;
	if (off < len) {
		cJSON_Delete(root);
		return syntax_error(p.file, text, len, text + off, err);
	}

	out->path = xstrdup(p.file);
	out->name = scenario_name(p.file);
	jsonmsg_path_init(&p.path, JSONMSG_NEWLINE_N);
	int rc = parse_root(&p, root);
	free(p.known);
	cJSON_Delete(root);
	if (rc < 0)
		scenario_free(out);
	return rc;
}

int scenario_load(const char *path, struct scenario *out, struct error *err)
{
	memset(out, 0, sizeof *out);
	out->end_ms = -1;
	char *buf;
	size_t len;
	long long size;
	int e = 0;
	switch (readfile_all(path, SCENARIO_MAX_BYTES, &buf, &len, &size, &e)) {
	case READFILE_FAILED:
		return error_set(err, "%s: cannot read: %s", path, strerror(e));
	case READFILE_TOO_LARGE:
		if (size >= 0)
			return error_set(err, "%s: too large (%lld bytes, limit 16 MiB)", path, size);
		return error_set(err, "%s: too large (over %ld bytes, limit 16 MiB)", path, (long)SCENARIO_MAX_BYTES);
	}
	int rc = scenario_parse(buf, len, path, out, err);
	free(buf);
	return rc;
}

void scenario_free(struct scenario *s)
{
	free(s->path);
	free(s->name);
	free(s->title);
	free(s->description);
	for (size_t i = 0; i < s->n_endpoints; i++) {
		struct scenario_endpoint *ep = &s->endpoints[i];
		for (size_t j = 0; j < ep->n_deployments; j++) {
			free(ep->deployments[j].name);
			free(ep->deployments[j].state);
		}
		free(ep->deployments);
		free(ep->name);
	}
	free(s->endpoints);
	for (size_t i = 0; i < s->n_slos; i++) {
		free(s->slos[i].spec.name);
		free(s->slos[i].endpoint);
		event_series_free(&s->slos[i].events);
	}
	free(s->slos);
	for (size_t i = 0; i < s->n_canaries; i++) {
		struct scenario_canary *c = &s->canaries[i];
		canary_spec_free(&c->spec);
		for (size_t j = 0; j < c->n_windows; j++) {
			for (size_t k = 0; k < c->windows[j].n_obs; k++) {
				free(c->windows[j].obs[k].class_name);
				free(c->windows[j].obs[k].metric);
			}
			free(c->windows[j].obs);
		}
		free(c->windows);
	}
	free(s->canaries);
	for (size_t i = 0; i < s->n_events; i++) {
		struct scenario_event *ev = &s->events[i];
		free(ev->endpoint);
		free(ev->deployment);
		free(ev->state);
		free(ev->slo);
		free(ev->mode);
		free(ev->text);
		traffic_split_free(&ev->traffic);
	}
	free(s->events);
	memset(s, 0, sizeof *s);
	s->end_ms = -1;
}
