/* A drill scenario's events (core/readers/scenario.h): what happens when,
 * read by their type's keys, then checked in time order. */
#include <stdlib.h>
#include <string.h>

#include "scenario_impl.h"
#include "xalloc.h"

#define DEFAULT_TARGET_TEXT "simulated target: 503 Service Unavailable"

static void read_traffic(struct config_check *c, const cJSON *v, void *value)
{
	int total = 0;
	if (!cJSON_IsObject(v)) {
		config_problem_got(c, v, "an object of deployment: percent");
		return;
	}
	for (const cJSON *d = v->child; d && !config_stopped(c); d = d->next) {
		size_t old = jsonmsg_path_key(&c->path, d->string);
		const cJSON *e = v->child;
		while (e != d && strcmp(e->string, d->string) != 0)
			e = e->next;
		if (e != d)
			config_problem(c, "duplicate key (each deployment may appear once)");
		else if (!cJSON_IsNumber(d) || !config_in_range(d->valuedouble, &(struct config_range)RANGE_PERCENT))
			config_problem_got(c, d, PERCENT);
		else
			traffic_split_set(value, d->string, (int)d->valuedouble);
		total += config_stopped(c) ? 0 : (int)d->valuedouble;
		jsonmsg_path_pop(&c->path, old);
	}
	if (!config_stopped(c) && total != 100)
		config_problem(c, "expected percentages summing to 100, got %d", total);
}

static void free_traffic(void *value)
{
	traffic_split_free(value);
}

static void check_at(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	scenario_time_in_run(c, config_value_of(key, obj), *(int64_t *)((char *)base + key->at));
}

static void check_mode(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	const struct scenario_event *ev = base;
	if (strcmp(ev->mode, "reject") != 0 && strcmp(ev->mode, "ignore") != 0)
		config_problem_got(c, config_value_of(key, obj), "\"reject\" or \"ignore\"");
}

/* "text" is narration on every kind; a note is nothing else, and a
 * failing target returns it as its error. A burst names an SLO. */
static void check_event(struct config_check *c, const cJSON *obj, void *base)
{
	struct scenario_event *ev = base;
	if (ev->type == SCENARIO_TARGET_FAIL && !ev->text)
		ev->text = xstrdup(DEFAULT_TARGET_TEXT);
	if (!config_has(obj, "bad_ratio"))
		ev->bad_ratio = -1;
	if (!config_has(obj, "total_per_s"))
		ev->total_per_s = -1;
	if (ev->type == SCENARIO_BURST && !scenario_find_slo(scenario_parser_of(c)->s, ev->slo))
		config_problem_got_at(c, obj, "slo", "the name of an SLO in $.slos");
}

static const char *const event_type_name[] = { "note",	"deploy",      "traffic",       "state",
					       "burst", "target_fail", "target_recover" };

#define EVENT(field) offsetof(struct scenario_event, field)
#define KIND(x) BIT(SCENARIO_##x)

static const struct config_key event_keys[] = {
	{ "at", TIME(EVENT(at_ms)), .required = CONFIG_ALWAYS, .check = check_at, .doc = "when it happens" },
	{ "type", CONFIG_ENUM, EVENT(type), .names = event_type_name, .n_names = 7, .required = CONFIG_ALWAYS,
	  .expected = "one of note, deploy, traffic, state, burst, target_fail, target_recover",
	  .missing = "an event type", .doc = "what happens" },
	{ "text", CONFIG_STRING, EVENT(text), STRING, .required = KIND(NOTE), .doc = "narration" },
	{ "endpoint", CONFIG_STRING, EVENT(endpoint), STRING, .types = KIND(DEPLOY) | KIND(TRAFFIC) | KIND(STATE),
	  .required = KIND(DEPLOY) | KIND(TRAFFIC) | KIND(STATE), .check = scenario_check_endpoint_ref, .doc = "the endpoint" },
	{ "deployment", CONFIG_STRING, EVENT(deployment), STRING, .types = KIND(DEPLOY) | KIND(STATE),
	  .required = KIND(DEPLOY) | KIND(STATE), .doc = "the deployment" },
	{ "state", CONFIG_STRING, EVENT(state), STRING, .types = KIND(DEPLOY) | KIND(STATE), .required = KIND(STATE),
	  .def = "Succeeded", .doc = "its provisioning state" },
	{ "traffic", CONFIG_CUSTOM, EVENT(traffic), .read = read_traffic, .free = free_traffic, .types = KIND(TRAFFIC),
	  .required = KIND(TRAFFIC), .expected = "an object of deployment: percent", .doc = "the new split" },
	{ "slo", CONFIG_STRING, EVENT(slo), STRING, .types = KIND(BURST), .required = KIND(BURST), .doc = "the SLO" },
	{ "bad_ratio", CONFIG_NUMBER, EVENT(bad_ratio), .types = KIND(BURST), .required = KIND(BURST),
	  .range = RANGE_RATIO, .expected = "a number from 0 to 1", .doc = "the share of bad events" },
	{ "duration", DURATION(EVENT(duration_ms)), .types = KIND(BURST), .required = KIND(BURST), .range.lo = 1,
	  .doc = "how long it lasts" },
	{ "total_per_s", CONFIG_NUMBER, EVENT(total_per_s), .types = KIND(BURST), .range = RANGE_NONNEG,
	  .expected = "a number >= 0", .doc = "events a second (default: unchanged)" },
	{ "mode", CONFIG_STRING, EVENT(mode), STRING, .types = KIND(TARGET_FAIL), .required = KIND(TARGET_FAIL),
	  .check = check_mode, .doc = "reject (changes refused) or ignore (accepted, never applied)" },
	{ 0 },
};

const struct config_table scenario_event_table = {
	.keys = event_keys, .types = event_type_name, .n_types = 7, .check = check_event,
};

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

/* An event in time order: a deployment must exist (in $.endpoints or
 * through an earlier "deploy") before it is named. Bursts are applied to
 * their SLO's history here, after the SLO's own events. */
static void check_in_time(struct config_check *c, const cJSON *v, const struct scenario_event *ev)
{
	struct scenario_parser *p = scenario_parser_of(c);
	switch (ev->type) {
	case SCENARIO_DEPLOY:
		if (scenario_find_known(p, ev->endpoint, ev->deployment))
			config_problem_got_at(c, v, "deployment", "a new deployment name (this one already exists)");
		else
			scenario_add_known(p, ev->endpoint, ev->deployment, ev->at_ms);
		break;
	case SCENARIO_STATE:
		if (!scenario_find_known(p, ev->endpoint, ev->deployment))
			config_problem_got_at(c, v, "deployment", "a deployment of this endpoint that exists by then");
		break;
	case SCENARIO_TRAFFIC:
		for (size_t i = 0; i < ev->traffic.n && !config_stopped(c); i++) {
			const char *dep = ev->traffic.entries[i].deployment;
			if (scenario_find_known(p, ev->endpoint, dep))
				continue;
			char q[64];
			config_quote(c, dep, q, sizeof q);
			size_t old = jsonmsg_path_key(&c->path, "traffic");
			config_problem_at(c, dep, "expected a deployment of this endpoint that exists by then, got %s", q);
			jsonmsg_path_pop(&c->path, old);
		}
		break;
	case SCENARIO_BURST:
		event_series_set(&scenario_find_slo(p->s, ev->slo)->events, ev->at_ms, ev->at_ms + ev->duration_ms,
				 ev->total_per_s, ev->bad_ratio);
		break;
	default:
		break;
	}
}

void scenario_check_events(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	struct scenario *s = base;
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key->name), *v;
	size_t n = s->n_events, i = 0;
	size_t *order = xcalloc(n, sizeof *order), *tmp = xcalloc(n, sizeof *tmp);
	const cJSON **items = xcalloc(n, sizeof *items);
	cJSON_ArrayForEach(v, arr) {
		order[i] = i;
		items[i++] = v;
	}
	sort_order(s->events, order, tmp, n);
	for (i = 0; i < n && !config_stopped(c); i++) {
		size_t old = jsonmsg_path_index(&c->path, order[i]);
		check_in_time(c, items[order[i]], &s->events[order[i]]);
		jsonmsg_path_pop(&c->path, old);
	}
	struct scenario_event *sorted = xcalloc(n, sizeof *sorted);
	for (i = 0; i < n; i++)
		sorted[i] = s->events[order[i]];
	free(s->events);
	s->events = sorted;
	free(order);
	free(tmp);
	free(items);
}
