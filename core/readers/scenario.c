/* Drill scenarios (core/readers/scenario.h), read by the same typed key
 * tables and checker as the config (core/readers/config_check.h), with the
 * scenario's rules: the first problem refuses the file, and times are
 * relative to its start. */
#include "scenario.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "scenario_impl.h"
#include "readfile.h"
#include "timefmt.h"
#include "xalloc.h"

#define SCENARIO_MAX_BYTES (16L << 20)

/* ---- times and names ---------------------------------------------------- */

#define EXPECT_ISO "an ISO 8601 UTC time, e.g. \"2024-09-13T17:02:00Z\""

static void read_start(struct config_check *c, const cJSON *v, void *value)
{
	if (!cJSON_IsString(v) || !timefmt_parse_iso(v->valuestring, value))
		config_problem_got(c, v, EXPECT_ISO);
}

void scenario_read_time(struct config_check *c, const cJSON *v, void *value)
{
	if (!cJSON_IsString(v) || !timefmt_parse_at(v->valuestring, scenario_parser_of(c)->s->start_ms, value))
		config_problem_got(c, v, EXPECT_TIME);
}

/* Checks a time already read from v (the path is at it) against a bound;
 * the message shows the value as written, and the bound like the drill's
 * clock: "17:14:03" on the start's day, the full ISO form otherwise. */
void scenario_time_bound(struct config_check *c, const cJSON *v, bool ok, const char *what, int64_t bound)
{
	if (ok || config_stopped(c))
		return;
	int64_t start = scenario_parser_of(c)->s->start_ms;
	char when[32], expected[96];
	if (bound / MS_PER_DAY == start / MS_PER_DAY && bound >= 0 && start >= 0)
		timefmt_hms(bound, when, sizeof when);
	else
		timefmt_iso(bound, when, sizeof when);
	snprintf(expected, sizeof expected, "a time %s (%s)", what, when);
	config_problem_got(c, v, expected);
}

/* The same for obj[key], from obj's path. */
void scenario_time_bound_at(struct config_check *c, const cJSON *obj, const char *key, bool ok, const char *what,
			  int64_t bound)
{
	size_t old = jsonmsg_path_key(&c->path, key);
	scenario_time_bound(c, cJSON_GetObjectItemCaseSensitive(obj, key), ok, what, bound);
	jsonmsg_path_pop(&c->path, old);
}

/* Events and canary windows happen while the drill runs. */
void scenario_time_in_run(struct config_check *c, const cJSON *v, int64_t t)
{
	const struct scenario *s = scenario_parser_of(c)->s;
	scenario_time_bound(c, v, t >= s->start_ms, "at or after start", s->start_ms);
	scenario_time_bound(c, v, s->end_ms < 0 || t <= s->end_ms, "at or before end", s->end_ms);
}

/* ---- lookups ----------------------------------------------------------- */

static struct scenario_endpoint *scenario_find_endpoint(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->n_endpoints; i++)
		if (s->endpoints[i].name && strcmp(s->endpoints[i].name, name) == 0)
			return &s->endpoints[i];
	return NULL;
}

struct scenario_slo *scenario_find_slo(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->n_slos; i++)
		if (s->slos[i].spec.name && strcmp(s->slos[i].spec.name, name) == 0)
			return &s->slos[i];
	return NULL;
}

const struct known_deployment *scenario_find_known(const struct scenario_parser *p, const char *endpoint,
						 const char *deployment)
{
	for (size_t i = 0; i < p->n_known; i++)
		if (strcmp(p->known[i].endpoint, endpoint) == 0 && strcmp(p->known[i].deployment, deployment) == 0)
			return &p->known[i];
	return NULL;
}

void scenario_add_known(struct scenario_parser *p, const char *endpoint, const char *deployment, int64_t since)
{
	xgrow(&p->known, &p->cap_known, p->n_known + 1, sizeof *p->known);
	p->known[p->n_known++] = (struct known_deployment){ endpoint, deployment, since };
}

/* The key of obj names an endpoint of the scenario's. */
void scenario_check_endpoint_ref(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	const cJSON *v = config_value_of(key, obj);
	(void)base;
	if (!scenario_find_endpoint(scenario_parser_of(c)->s, v->valuestring))
		config_problem_got(c, v, "the name of an endpoint in $.endpoints");
}

/* ---- endpoints --------------------------------------------------------- */

static void check_deployment(struct config_check *c, const cJSON *obj, void *base)
{
	struct scenario_deployment *d = base;
	int64_t start = scenario_parser_of(c)->s->start_ms;
	if (!config_has(obj, "created"))
		d->created_ms = start;
	scenario_time_bound_at(c, obj, "created", d->created_ms <= start, "at or before start", start);
	for (const struct scenario_deployment *other = d - c->index; other < d && !config_stopped(c); other++)
		if (strcmp(other->name, d->name) == 0)
			config_problem_got_at(c, obj, "name", "a deployment name not used before on this endpoint");
}

#define DEPLOYMENT(field) offsetof(struct scenario_deployment, field)

static const struct config_key deployment_keys[] = {
	{ "name", CONFIG_STRING, DEPLOYMENT(name), STRING, .required = CONFIG_ALWAYS, .doc = "its name" },
	{ "traffic", CONFIG_INT, DEPLOYMENT(traffic), .range = RANGE_PERCENT, .expected = PERCENT,
	  .required = CONFIG_ALWAYS, .doc = "its share of the traffic at start" },
	{ "state", CONFIG_STRING, DEPLOYMENT(state), STRING, .def = "Succeeded", .doc = "its provisioning state" },
	{ "created", TIME(DEPLOYMENT(created_ms)), .doc = "when it was created (default: start)" },
	{ 0 },
};

static const struct config_table deployment_table = { .keys = deployment_keys, .check = check_deployment };

static void check_endpoint(struct config_check *c, const cJSON *obj, void *base)
{
	const struct scenario_endpoint *ep = base;
	for (const struct scenario_endpoint *other = ep - c->index; other < ep && !config_stopped(c); other++)
		if (strcmp(other->name, ep->name) == 0)
			config_problem_got_at(c, obj, "name", "an endpoint name not used before");
}

static void check_split(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	const struct scenario_endpoint *ep = base;
	int total = 0;
	(void)key, (void)obj;
	for (size_t i = 0; i < ep->n_deployments; i++)
		total += ep->deployments[i].traffic;
	if (ep->n_deployments > 0 && total != 100)
		config_problem(c, "expected traffic percentages summing to 100, got %d", total);
}

#define ENDPOINT(field) offsetof(struct scenario_endpoint, field)

static const struct config_key endpoint_keys[] = {
	{ "name", CONFIG_STRING, ENDPOINT(name), STRING, .required = CONFIG_ALWAYS, .doc = "its name" },
	{ "deployments", CONFIG_ARRAY, ENDPOINT(deployments), .count_at = ENDPOINT(n_deployments),
	  .size = sizeof(struct scenario_deployment), .table = &deployment_table, .check = check_split,
	  .doc = "its deployments at start" },
	{ 0 },
};

static const struct config_table endpoint_table = { .keys = endpoint_keys, .check = check_endpoint };

/* ---- SLOs -------------------------------------------------------------- */

/* A change of an SLO's event rates, from at until until. */
struct slo_event {
	int64_t at, until;
	double total_per_s, bad_ratio; /* < 0: unchanged */
};

static void check_slo_event(struct config_check *c, const cJSON *obj, void *base)
{
	const struct slo_event *e = base;
	scenario_time_bound_at(c, obj, "until", e->until > e->at, "after at", e->at);
	if (!config_stopped(c) && e->total_per_s < 0 && e->bad_ratio < 0)
		config_problem(c, "expected total_per_s or bad_ratio (or both), got neither");
}

#define SLO_EVENT(field) offsetof(struct slo_event, field)

static const struct config_key slo_event_keys[] = {
	{ "at", TIME(SLO_EVENT(at)), .required = CONFIG_ALWAYS, .doc = "from when" },
	{ "until", TIME(SLO_EVENT(until)), .doc = "until when (default: for good)" },
	{ "total_per_s", CONFIG_NUMBER, SLO_EVENT(total_per_s), .range = RANGE_NONNEG, .expected = "a number >= 0",
	  .doc = "events a second" },
	{ "bad_ratio", CONFIG_NUMBER, SLO_EVENT(bad_ratio), .range = RANGE_RATIO, .expected = "a number from 0 to 1",
	  .doc = "the share of them that is bad" },
	{ 0 },
};

static const struct config_table slo_event_table = { .keys = slo_event_keys, .check = check_slo_event };

static void read_slo_events(struct config_check *c, const cJSON *v, void *value)
{
	if (!config_want_array(c, v))
		return;
	size_t i = 0;
	for (const cJSON *e = v->child; e && !config_stopped(c); e = e->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		struct slo_event ev = { 0, INT64_MAX, -1, -1 };
		config_read(c, e, &slo_event_table, &ev);
		if (!config_stopped(c))
			event_series_set(value, ev.at, ev.until, ev.total_per_s, ev.bad_ratio);
		jsonmsg_path_pop(&c->path, old);
	}
}

/* "discovered": "sloth" or "pyrra". */
static void read_discovered(struct config_check *c, const cJSON *v, void *value)
{
	static const char *const kinds[] = { "sloth", "pyrra" };
	const char **origin = value;
	for (size_t i = 0; i < 2; i++)
		if (cJSON_IsString(v) && strcmp(v->valuestring, kinds[i]) == 0)
			*origin = kinds[i];
	if (!*origin)
		config_problem_got(c, v, "\"sloth\" or \"pyrra\"");
}

/* "lacks": ["3d", "period"]: windows by name (bit BURN_NWINDOWS: the period). */
static void read_lacks(struct config_check *c, const cJSON *v, void *value)
{
	const char *names[BURN_NWINDOWS + 1];
	for (int k = 0; k < BURN_NWINDOWS; k++)
		names[k] = burn_window_name[k];
	names[BURN_NWINDOWS] = "period";
	*(unsigned *)value = config_want_flags(c, v, names, BURN_NWINDOWS + 1,
						"a window: 5m, 30m, 1h, 2h, 6h, 1d, 3d or period");
}

static void free_slo_events(void *value)
{
	event_series_free(value);
}

static void check_slo(struct config_check *c, const cJSON *obj, void *base)
{
	const struct scenario_slo *slo = base;
	if (scenario_find_slo(scenario_parser_of(c)->s, slo->spec.name) != slo)
		config_problem_got_at(c, obj, "name", "an SLO name not used before");
	else if (slo->endpoint && !scenario_find_endpoint(scenario_parser_of(c)->s, slo->endpoint))
		config_problem_got_at(c, obj, "endpoint", "the name of an endpoint in $.endpoints");
}

#define SLO(field) offsetof(struct scenario_slo, field)

static const struct config_key slo_keys[] = {
	{ "name", CONFIG_STRING, SLO(spec.name), STRING, .required = CONFIG_ALWAYS, .doc = "its name" },
	{ "objective", CONFIG_NUMBER, SLO(spec.objective), .range = { 0, 1, true, true, false },
	  .expected = "a number between 0 and 1, e.g. 0.999", .required = CONFIG_ALWAYS, .doc = "its objective" },
	{ "period", DURATION(SLO(spec.period_ms)), .range.lo = 1, .def = "30d", .doc = "its period" },
	{ "min_events", CONFIG_NUMBER, SLO(spec.min_events), .range = RANGE_NONNEG, .expected = "a number >= 0",
	  .def = "10", .doc = "a window with fewer events cannot page" },
	{ "endpoint", CONFIG_STRING, SLO(endpoint), STRING, .doc = "the endpoint it watches" },
	{ "service", CONFIG_STRING, SLO(service), STRING, .doc = "the service it belongs to" },
	{ "discovered", CONFIG_CUSTOM, SLO(origin), .read = read_discovered, .expected = "\"sloth\" or \"pyrra\"",
	  .doc = "shown as if discovered from Sloth's or Pyrra's rules: no event counts, as a live console shows them" },
	{ "lacks", CONFIG_CUSTOM, SLO(lacks), .read = read_lacks, .expected = "an array of windows",
	  .doc = "windows its rules would not record (5m ... 3d, period): no data, as a live console shows them" },
	{ "events", CONFIG_CUSTOM, SLO(events), .read = read_slo_events, .free = free_slo_events,
	  .table = &slo_event_table, .doc = "its event rates over time" },
	{ 0 },
};

static const struct config_table slo_table = { .keys = slo_keys, .check = check_slo };

/* ---- top level --------------------------------------------------------- */

const char *const expect_names[EXPECT_N] = { "detect", "acknowledge", "decide", "rollback", "verify" };

static void check_onset(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	const struct scenario_expect *e = base;
	int64_t start = scenario_parser_of(c)->s->start_ms;
	scenario_time_bound(c, config_value_of(key, obj), e->onset_ms >= start, "at or after start", start);
}

#define EXPECT(field) offsetof(struct scenario_expect, field)
#define WITHIN(k, name, what) \
	{ name, DURATION(EXPECT(within_ms[k])), .range.lo = 1, .doc = "how soon after onset " what }

static const struct config_key expect_keys[] = {
	{ "onset", TIME(EXPECT(onset_ms)), .check = check_onset, .doc = "when the trouble starts (default: start)" },
	WITHIN(EXPECT_DETECT, "detect", "it is first signalled"),
	WITHIN(EXPECT_ACKNOWLEDGE, "acknowledge", "it is declared"),
	WITHIN(EXPECT_DECIDE, "decide", "a traffic change is asked for"),
	WITHIN(EXPECT_ROLLBACK, "rollback", "one is carried out"),
	WITHIN(EXPECT_VERIFY, "verify", "one is verified"),
	{ 0 },
};

static const struct config_table expect_table = { .keys = expect_keys };

static const struct config_key target_keys[] = {
	{ "delay", DURATION(0), .def = "3s", .doc = "how long a change takes to land" },
	{ 0 },
};

static const struct config_table target_table = { .keys = target_keys };

static void check_end(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	const struct scenario *s = base;
	scenario_time_bound(c, config_value_of(key, obj), s->end_ms > s->start_ms, "after start", s->start_ms);
}

#define SCENARIO(field) offsetof(struct scenario, field)

static const struct config_key scenario_keys[] = {
	{ "title", CONFIG_STRING, SCENARIO(title), STRING, .required = CONFIG_ALWAYS, .doc = "what is rehearsed" },
	{ "description", CONFIG_STRING, SCENARIO(description), STRING, .doc = "more of it" },
	{ "start", CONFIG_CUSTOM, SCENARIO(start_ms), .read = read_start, .expected = EXPECT_ISO,
	  .required = CONFIG_ALWAYS, .doc = "the simulated clock's start" },
	{ "end", TIME(SCENARIO(end_ms)), .check = check_end, .doc = "when the drill ends (default: never)" },
	{ "speed", CONFIG_NUMBER, SCENARIO(speed), .range = { CLOCK_SPEED_MIN, CLOCK_SPEED_MAX, false, false, false },
	  .expected = "a number from 0.25 to 1024", .def = "1", .doc = "the console's clock speed" },
	{ "target", CONFIG_OBJECT, SCENARIO(target_delay_ms), .table = &target_table, .def = "{}",
	  .doc = "the simulated traffic target" },
	{ "endpoints", CONFIG_ARRAY, SCENARIO(endpoints), .count_at = SCENARIO(n_endpoints),
	  .size = sizeof(struct scenario_endpoint), .table = &endpoint_table, .doc = "the endpoints" },
	{ "slos", CONFIG_ARRAY, SCENARIO(slos), .count_at = SCENARIO(n_slos), .size = sizeof(struct scenario_slo),
	  .table = &slo_table, .doc = "the SLOs and their event rates" },
	{ "canaries", CONFIG_ARRAY, SCENARIO(canaries), .count_at = SCENARIO(n_canaries),
	  .size = sizeof(struct scenario_canary), .table = &scenario_canary_table, .doc = "the canary gates and their windows" },
	{ "events", CONFIG_ARRAY, SCENARIO(events), .count_at = SCENARIO(n_events),
	  .size = sizeof(struct scenario_event), .table = &scenario_event_table, .check = scenario_check_events,
	  .doc = "what happens, and when" },
	{ "alerts", CONFIG_ARRAY, SCENARIO(alerts), .count_at = SCENARIO(n_alerts),
	  .size = sizeof(struct scenario_alert), .table = &scenario_alert_table,
	  .doc = "what Alertmanager would hold: alerts firing from at until until" },
	{ "expect", CONFIG_OBJECT, SCENARIO(expect), .table = &expect_table,
	  .doc = "how soon the people should act, for the scorecard" },
	{ 0 },
};

static const struct config_table scenario_table = { .keys = scenario_keys };

/* Sections in the order they depend on each other: the start (times are
 * relative to it), endpoints, then SLOs (which name endpoints), then
 * events (which name both and create deployments), then canaries (which
 * may watch a deployment an event creates). */
static void read_scenario(struct config_check *c, const cJSON *root, struct scenario_parser *p)
{
	static const char *const order[] = { "title", "description", "start",  "end",	 "speed",    "expect",
					     "target", "endpoints",   "slos",	"events", "canaries", "alerts", NULL };
	struct scenario *s = p->s;
	if (!config_want_object(c, root))
		return;
	config_check_keys(c, root, &scenario_table);
	for (int k = 0; k < EXPECT_N; k++)
		s->expect.within_ms[k] = -1;
	for (size_t i = 0; order[i] && !config_stopped(c); i++) {
		if (config_key_is(order[i], "expect"))
			s->expect.onset_ms = s->start_ms;
		config_read_key(c, root, &scenario_table, order[i], s);
		if (config_key_is(order[i], "endpoints"))
			for (size_t e = 0; e < s->n_endpoints && !config_stopped(c); e++)
				for (size_t d = 0; d < s->endpoints[e].n_deployments; d++)
					scenario_add_known(p, s->endpoints[e].name, s->endpoints[e].deployments[d].name, INT64_MIN);
	}
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

static void scenario_zero(struct scenario *s)
{
	memset(s, 0, sizeof *s);
	s->end_ms = -1;
}

int scenario_parse(const char *text, size_t len, const char *path, struct scenario *out, struct error *err)
{
	struct config_problems problems = { 0 };
	struct scenario_parser p = { .s = out };
	struct config_check c = { .file = path ? path : "<scenario>", .problems = &problems, .stop_at_first = true,
				  .type = -1, .ctx = &p };
	const char *end = NULL;

	scenario_zero(out);
	jsonmsg_path_init(&c.path, JSONMSG_NEWLINE_N);
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	/* cJSON stops after the first value; anything but whitespace after it
	 * is a second document or a stray brace. */
	size_t off = end ? (size_t)(end - text) : len;
	while (root && off < len && strchr(" \t\n\r", text[off]) && text[off])
		off++;
	if (!root || off < len) {
		config_problems_add(&problems, jsonmsg_syntax_error(text, len, c.file, root ? text + off : end));
	} else {
		out->path = xstrdup(c.file);
		out->name = scenario_name(c.file);
		read_scenario(&c, root, &p);
	}
	free(p.known);
	cJSON_Delete(root);
	if (problems.n == 0)
		return 0;
	error_set(err, "%s", problems.lines[0]);
	config_problems_free(&problems);
	scenario_free(out);
	return -1;
}

int scenario_load(const char *path, struct scenario *out, struct error *err)
{
	scenario_zero(out);
	char *buf;
	size_t len;
	struct error why;
	if (readfile_all(path, SCENARIO_MAX_BYTES, &buf, &len, &why) != 0)
		return error_set(err, "%s: %s", path, why.msg);
	int rc = scenario_parse(buf, len, path, out, err);
	free(buf);
	return rc;
}

void scenario_print_keys(FILE *out)
{
	config_key_list(out, &scenario_table);
}

void scenario_free(struct scenario *s)
{
	free(s->path);
	free(s->name);
	config_free_table(&scenario_table, s);
	scenario_zero(s);
}
