/* Scenario parsing: the drills in drills/ parse and say what seed 004 says,
 * every field's default, and every kind of error names the file, the JSON
 * path (or line:column) and what was expected. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "burn.h"
#include "canary.h"
#include "check.h"
#include "scenario.h"
#include "timefmt.h"

#define T0913 1726185600000LL /* 2024-09-13T00:00:00Z */
#define AT(h, m, s) (T0913 + (h) * MS_PER_HOUR + (m) * MS_PER_MIN + (s) * MS_PER_S)

/* Scenarios in tests are written with single quotes, then turned into
 * JSON; none of them needs a real apostrophe. */
static char *json(const char *text)
{
	static char buf[8192];
	size_t n = strlen(text);
	if (n >= sizeof buf)
		abort();
	for (size_t i = 0; i <= n; i++)
		buf[i] = text[i] == '\'' ? '"' : text[i];
	return buf;
}

#define HEAD "'title':'t','start':'2024-09-13T17:02:00Z'"
#define EP "'endpoints':[{'name':'ep','deployments':[{'name':'d-1','traffic':100}]}]"
#define SLO "'slos':[{'name':'avail','objective':0.999}]"

static int parse(const char *text, struct scenario *s, struct error *err)
{
	const char *j = json(text);
	return scenario_parse(j, strlen(j), "t/x.json", s, err);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Parses a broken scenario and checks that it fails with a message that
 * starts with `prefix` (single quotes there become double quotes too), and
 * leaves nothing behind: the leak checker sees every error path. */
static void expect_error_at(const char *text, const char *prefix, int line)
{
	struct scenario s;
	struct error err = { 0 };
	/* json() reuses one buffer, and parse() needs it next. */
	static char want[8192];
	const char *j = json(prefix);
	memcpy(want, j, strlen(j) + 1);
	int rc = parse(text, &s, &err);
	if (rc != -1 || !starts_with(err.msg, want)) {
		printf("#   line %d: rc %d, message\n#     %s\n#   expected prefix\n#     %s\n", line,
		       rc, err.msg, want);
		check_current_failures++;
	}
	if (strchr(err.msg, '\n')) {
		printf("#   line %d: message is not one line: %s\n", line, err.msg);
		check_current_failures++;
	}
	CHECK(s.title == NULL && s.n_events == 0 && s.events == NULL);
	if (rc == 0)
		scenario_free(&s);
}
#define expect_error(text, prefix) expect_error_at(text, prefix, __LINE__)

static const char *drills_dir(void)
{
	static char dir[4096];
	const char *tests = getenv("TESTS_DIR");
	if (!tests || !*tests)
		return "drills";
	snprintf(dir, sizeof dir, "%s/../drills", tests);
	return dir;
}

static int load_drill(const char *name, struct scenario *s)
{
	char path[4200];
	struct error err = { 0 };
	snprintf(path, sizeof path, "%s/%s", drills_dir(), name);
	int rc = scenario_load(path, s, &err);
	if (rc != 0)
		printf("#   %s\n", err.msg);
	return rc;
}

static const struct scenario_event *find_event(const struct scenario *s,
					       enum scenario_event_type type, size_t nth)
{
	for (size_t i = 0; i < s->n_events; i++)
		if (s->events[i].type == type && nth-- == 0)
			return &s->events[i];
	return NULL;
}

static const struct scenario_obs *find_obs(const struct scenario_canary_window *w,
					   const char *cls, const char *metric)
{
	for (size_t i = 0; i < w->n_obs; i++)
		if (!strcmp(w->obs[i].class_name, cls) && !strcmp(w->obs[i].metric, metric))
			return &w->obs[i];
	return NULL;
}

static bool events_sorted(const struct scenario *s)
{
	for (size_t i = 1; i < s->n_events; i++)
		if (s->events[i].at_ms < s->events[i - 1].at_ms)
			return false;
	return true;
}

/* Plays a scenario canary's windows through the canary engine, as the drill
 * does, and returns the index of the window that gave the verdict (or -1). */
static long play_canary(struct scenario_canary *sc, struct canary *c)
{
	canary_init(c, &sc->spec);
	for (size_t i = 0; i < sc->n_windows; i++) {
		const struct scenario_canary_window *w = &sc->windows[i];
		struct canary_obs obs[16];
		for (size_t k = 0; k < w->n_obs && k < 16; k++)
			obs[k] = (struct canary_obs){ w->obs[k].class_name, w->obs[k].metric,
						      w->obs[k].value, w->obs[k].n, 0, false };
		canary_add_window(c, w->at_ms - c->spec.window_ms, w->at_ms, obs, w->n_obs);
		if (c->verdict != CANARY_WATCHING)
			return (long)i;
	}
	return -1;
}

/* ---- the drills -------------------------------------------------------- */

static void test_drill_friday_1714(void)
{
	struct scenario s;
	if (load_drill("friday-1714.json", &s) != 0) {
		CHECK(!"friday-1714.json parses");
		return;
	}
	CHECK_STR(s.name, "friday-1714");
	CHECK(s.start_ms == AT(17, 2, 0));
	CHECK(s.end_ms == AT(17, 20, 0));
	CHECK_NEAR(s.speed, 10, 0);
	CHECK(s.target_delay_ms == 3 * MS_PER_S);

	/* Friday. */
	CHECK((s.start_ms / MS_PER_DAY + 4) % 7 == 5);

	CHECK(s.n_endpoints == 1);
	CHECK_STR(s.endpoints[0].name, "support-assistant-prod");
	CHECK(s.endpoints[0].n_deployments == 1);
	CHECK_STR(s.endpoints[0].deployments[0].name, "d-1427");
	CHECK(s.endpoints[0].deployments[0].traffic == 100);
	CHECK(s.endpoints[0].deployments[0].created_ms < s.start_ms - MS_PER_DAY);

	CHECK(events_sorted(&s));
	const struct scenario_event *ev = find_event(&s, SCENARIO_NOTE, 0);
	CHECK(ev && ev->at_ms == AT(17, 2, 11) && strstr(ev->text, "PR #1428 merged"));
	ev = find_event(&s, SCENARIO_DEPLOY, 0);
	CHECK(ev && ev->at_ms == AT(17, 11, 28));
	CHECK(ev && !strcmp(ev->deployment, "d-1428") && !strcmp(ev->endpoint, "support-assistant-prod"));
	ev = find_event(&s, SCENARIO_TRAFFIC, 0);
	CHECK(ev && ev->at_ms == AT(17, 11, 32));
	CHECK(ev && traffic_split_get(&ev->traffic, "d-1427") == 90);
	CHECK(ev && traffic_split_get(&ev->traffic, "d-1428") == 10);
	/* The rollback is cmdr's to make, not the scenario's. */
	for (size_t i = 0; i < s.n_events; i++)
		CHECK(s.events[i].type != SCENARIO_TRAFFIC || s.events[i].at_ms < AT(17, 14, 3));
	bool gate_note = false, watcher_note = false;
	for (size_t i = 0; i < s.n_events; i++) {
		if (s.events[i].type != SCENARIO_NOTE)
			continue;
		gate_note |= s.events[i].at_ms == AT(17, 9, 15) && strstr(s.events[i].text, "gate.py exited 0");
		watcher_note |= s.events[i].at_ms == AT(17, 11, 32) && strstr(s.events[i].text, "60s windows");
	}
	CHECK(gate_note && watcher_note);

	CHECK(s.n_canaries == 1);
	struct scenario_canary *sc = &s.canaries[0];
	CHECK_STR(sc->spec.deployment, "d-1428");
	CHECK(sc->spec.min_samples == 3 && sc->spec.failure_limit == 3);
	CHECK(sc->spec.on_failure == ON_FAILURE_ROLLBACK);
	CHECK(sc->spec.window_ms == 60 * MS_PER_S);
	CHECK(sc->spec.n_thresholds == 9);
	CHECK(sc->n_windows == 3);
	static const int64_t at[3] = { AT(17, 12, 32), AT(17, 13, 32), AT(17, 14, 3) };
	static const double g[3] = { 2.78, 2.71, 2.66 };
	static const int n[3] = { 4, 7, 11 };
	for (size_t i = 0; i < 3 && i < sc->n_windows; i++) {
		const struct scenario_obs *o = find_obs(&sc->windows[i], "multi_hop", "groundedness");
		CHECK(sc->windows[i].at_ms == at[i]);
		CHECK(o && o->n == n[i]);
		CHECK_NEAR(o ? o->value : 0, g[i], 1e-9);
	}

	/* Played through the gate, the third window gives the rollback, and
	 * for seed 004's reason. */
	struct canary c;
	CHECK(play_canary(sc, &c) == 2);
	CHECK(c.verdict == CANARY_ROLLBACK);
	char *why = canary_verdict_reason(&c);
	if (!strstr(why, "multi_hop groundedness 2.66 < 2.85 (n=11)")) {
		printf("#   reason: %s\n", why);
		check_current_failures++;
	}
	free(why);
	canary_free(&c);

	/* The SLOs stay quiet: a quality regression, not an outage. */
	CHECK(s.n_slos >= 1);
	for (size_t i = 0; i < s.n_slos; i++) {
		struct burn_result r;
		burn_evaluate_series(&s.slos[i].spec, &s.slos[i].events, AT(17, 14, 3), 0, &r);
		for (size_t t = 0; t < BURN_NTIERS; t++)
			CHECK(!r.alerts[t].firing);
		CHECK(!isnan(r.budget_remaining) && r.budget_remaining > 0.5);
	}
	scenario_free(&s);
}

static void test_drill_error_burst(void)
{
	struct scenario s;
	if (load_drill("error-burst.json", &s) != 0) {
		CHECK(!"error-burst.json parses");
		return;
	}
	CHECK_STR(s.name, "error-burst");
	CHECK(s.n_canaries == 0);
	CHECK(s.n_endpoints == 1 && s.endpoints[0].n_deployments == 1);
	CHECK(find_event(&s, SCENARIO_DEPLOY, 0) == NULL && find_event(&s, SCENARIO_TRAFFIC, 0) == NULL);
	CHECK(s.description && strstr(s.description, "wrong answer"));
	const struct scenario_event *b = find_event(&s, SCENARIO_BURST, 0);
	CHECK(b != NULL);
	CHECK(s.n_slos == 1);
	if (!b || s.n_slos != 1) {
		scenario_free(&s);
		return;
	}
	CHECK(b->duration_ms == 10 * MS_PER_MIN);
	CHECK_NEAR(b->bad_ratio, 0.15, 1e-12);
	const struct scenario_slo *slo = &s.slos[0];
	CHECK_NEAR(slo->spec.objective, 0.999, 1e-12);
	CHECK(slo->spec.period_ms == 30 * MS_PER_DAY);

	/* The burst was applied to the SLO's history at parse time. */
	double bad, total;
	event_series_count(&slo->events, b->at_ms, b->at_ms + b->duration_ms, &bad, &total);
	CHECK_NEAR(bad / total, 0.15, 1e-9);
	CHECK_NEAR(total, 20.0 * 600, 1e-6);

	/* Quiet before, the fast page tier fires during, the slow one never. */
	struct burn_result r;
	burn_evaluate_series(&slo->spec, &slo->events, b->at_ms, 0, &r);
	for (size_t t = 0; t < BURN_NTIERS; t++)
		CHECK(!r.alerts[t].firing);
	burn_evaluate_series(&slo->spec, &slo->events, b->at_ms + 9 * MS_PER_MIN, 0, &r);
	CHECK(r.alerts[0].firing);
	CHECK(!r.alerts[1].firing);
	scenario_free(&s);
}

static void test_drill_refusal_spike(void)
{
	struct scenario s;
	if (load_drill("refusal-spike.json", &s) != 0) {
		CHECK(!"refusal-spike.json parses");
		return;
	}
	CHECK(s.n_canaries == 1);
	const struct scenario_event *fail = find_event(&s, SCENARIO_TARGET_FAIL, 0);
	const struct scenario_event *recover = find_event(&s, SCENARIO_TARGET_RECOVER, 0);
	const struct scenario_event *shift = find_event(&s, SCENARIO_TRAFFIC, 0);
	CHECK(fail && recover && shift);
	if (!fail || !recover || !shift || s.n_canaries != 1) {
		scenario_free(&s);
		return;
	}
	CHECK(traffic_split_get(&shift->traffic, s.canaries[0].spec.deployment) == 10);
	CHECK_STR(fail->mode, "reject");

	/* The target breaks shortly before the verdict and recovers a couple
	 * of minutes after it, so the automatic rollback fails. */
	struct canary c;
	long v = play_canary(&s.canaries[0], &c);
	CHECK(v >= 0 && c.verdict == CANARY_ROLLBACK);
	int64_t verdict_at = v >= 0 ? s.canaries[0].windows[v].at_ms : 0;
	CHECK(fail->at_ms < verdict_at && verdict_at - fail->at_ms <= 2 * MS_PER_MIN);
	CHECK(recover->at_ms - verdict_at >= MS_PER_MIN && recover->at_ms - verdict_at <= 5 * MS_PER_MIN);
	canary_free(&c);

	/* The guardrail SLO pages while the rollback is blocked. */
	bool guardrail = false;
	for (size_t i = 0; i < s.n_slos; i++) {
		if (!strstr(s.slos[i].spec.name, "guardrail"))
			continue;
		guardrail = true;
		struct burn_result r;
		burn_evaluate_series(&s.slos[i].spec, &s.slos[i].events, shift->at_ms, 0, &r);
		CHECK(!r.alerts[0].firing && !r.alerts[1].firing);
		burn_evaluate_series(&s.slos[i].spec, &s.slos[i].events, recover->at_ms, 0, &r);
		CHECK(r.alerts[0].firing);
	}
	CHECK(guardrail);
	scenario_free(&s);
}

/* ---- the format -------------------------------------------------------- */

static void test_minimal_and_defaults(void)
{
	struct scenario s;
	struct error err = { 0 };
	CHECK(parse("{" HEAD "}", &s, &err) == 0);
	CHECK_STR(s.title, "t");
	CHECK_STR(s.path, "t/x.json");
	CHECK_STR(s.name, "x");
	CHECK(s.description == NULL);
	CHECK(s.start_ms == AT(17, 2, 0));
	CHECK(s.end_ms == -1);
	CHECK_NEAR(s.speed, 1, 0);
	CHECK(s.target_delay_ms == 3 * MS_PER_S);
	CHECK(s.n_endpoints == 0 && s.n_slos == 0 && s.n_canaries == 0 && s.n_events == 0);
	scenario_free(&s);

	CHECK(parse("{" HEAD ",'target':{},'endpoints':[{'name':'ep','deployments':[{'name':'d-1',"
		    "'traffic':100}]},{'name':'empty'}],"
		    "'slos':[{'name':'avail','objective':0.999}],"
		    "'canaries':[{'endpoint':'ep','deployment':'d-1','thresholds':[{'class':'c',"
		    "'metric':'m','min':1}]}],"
		    "'events':[{'at':'17:03','type':'deploy','endpoint':'ep','deployment':'d-2'},"
		    "{'at':'17:04','type':'target_fail','mode':'ignore'}]}",
		    &s, &err) == 0);
	if (err.msg[0])
		printf("#   %s\n", err.msg);
	CHECK_STR(s.endpoints[0].deployments[0].state, "Succeeded");
	CHECK(s.endpoints[0].deployments[0].created_ms == s.start_ms);
	CHECK(s.endpoints[1].n_deployments == 0);
	CHECK(s.slos[0].spec.period_ms == 30 * MS_PER_DAY);
	CHECK_NEAR(s.slos[0].spec.min_events, 10, 0);
	CHECK(s.slos[0].endpoint == NULL && s.slos[0].events.n == 0);
	CHECK(s.canaries[0].spec.window_ms == 60 * MS_PER_S);
	CHECK(s.canaries[0].spec.min_samples == 3 && s.canaries[0].spec.failure_limit == 3);
	CHECK(s.canaries[0].spec.on_failure == ON_FAILURE_ROLLBACK);
	CHECK(s.canaries[0].n_windows == 0);
	CHECK_STR(s.events[0].state, "Succeeded");
	CHECK(s.events[0].text == NULL);
	CHECK_STR(s.events[1].mode, "ignore");
	CHECK_STR(s.events[1].text, "simulated target: 503 Service Unavailable");
	scenario_free(&s);
}

static void test_names(void)
{
	static const struct {
		const char *path, *name;
	} cases[] = {
		{ "drills/friday-1714.json", "friday-1714" },
		{ "/abs/dir/a.b.json", "a.b" },
		{ "plain.json", "plain" },
		{ "no-extension", "no-extension" },
		{ ".json", ".json" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct scenario s;
		const char *j = json("{" HEAD "}");
		CHECK(scenario_parse(j, strlen(j), cases[i].path, &s, NULL) == 0);
		CHECK_STR(s.name, cases[i].name);
		scenario_free(&s);
	}
}

static void test_times_and_events(void)
{
	struct scenario s;
	struct error err = { 0 };
	int rc = parse("{" HEAD ",'end':'+18m','speed':0.25,'target':{'delay':'500ms'}," EP ","
		       "'events':["
		       "{'at':'+10m','type':'note','text':'third'},"
		       "{'at':'17:05','type':'note','text':'first'},"
		       "{'at':'2024-09-13T17:12:00.250Z','type':'state','endpoint':'ep',"
		       "'deployment':'d-2','state':'Failed'},"
		       "{'at':'17:05:00','type':'note','text':'second, same time, later in file'},"
		       "{'at':'17:11:00','type':'deploy','endpoint':'ep','deployment':'d-2',"
		       "'state':'Creating','text':'capacity 2'},"
		       "{'at':'17:11:30','type':'traffic','endpoint':'ep','traffic':{'d-1':90,'d-2':10}},"
		       "{'at':'17:20:00','type':'target_recover'}"
		       "]}",
		       &s, &err);
	CHECK(rc == 0);
	if (rc != 0) {
		printf("#   %s\n", err.msg);
		return;
	}
	CHECK(s.end_ms == AT(17, 20, 0));
	CHECK_NEAR(s.speed, 0.25, 0);
	CHECK(s.target_delay_ms == 500);
	CHECK(s.n_events == 7);
	CHECK(events_sorted(&s));
	CHECK_STR(s.events[0].text, "first");
	CHECK_STR(s.events[1].text, "second, same time, later in file");
	CHECK(s.events[2].type == SCENARIO_DEPLOY && s.events[2].at_ms == AT(17, 11, 0));
	CHECK_STR(s.events[2].state, "Creating");
	CHECK_STR(s.events[2].text, "capacity 2");
	CHECK(s.events[3].type == SCENARIO_TRAFFIC);
	CHECK(traffic_split_total(&s.events[3].traffic) == 100);
	CHECK_STR(s.events[4].text, "third");
	CHECK(s.events[4].at_ms == AT(17, 12, 0));
	CHECK(s.events[5].type == SCENARIO_STATE && s.events[5].at_ms == AT(17, 12, 0) + 250);
	CHECK_STR(s.events[5].state, "Failed");
	CHECK(s.events[6].type == SCENARIO_TARGET_RECOVER);
	for (size_t i = 0; i < s.n_events; i++)
		if (s.events[i].type != SCENARIO_BURST)
			CHECK(s.events[i].total_per_s < 0 && s.events[i].bad_ratio < 0);
	scenario_free(&s);
}

static void test_slo_events_and_bursts(void)
{
	struct scenario s;
	struct error err = { 0 };
	int rc = parse("{" HEAD "," EP ",'slos':[{'name':'avail','objective':0.999,'period':'7d',"
		       "'min_events':100,'endpoint':'ep','events':["
		       "{'at':'-30d','total_per_s':20,'bad_ratio':0.001},"
		       "{'at':'16:00','until':'16:30','bad_ratio':0.5},"
		       "{'at':'16:30','total_per_s':10}"
		       "]}],'events':["
		       "{'at':'17:10','type':'burst','slo':'avail','bad_ratio':0.2,'duration':'10m'},"
		       "{'at':'17:30','type':'burst','slo':'avail','bad_ratio':0.1,'duration':'1m',"
		       "'total_per_s':40}"
		       "]}",
		       &s, &err);
	CHECK(rc == 0);
	if (rc != 0) {
		printf("#   %s\n", err.msg);
		return;
	}
	const struct scenario_slo *slo = &s.slos[0];
	CHECK(slo->spec.period_ms == 7 * MS_PER_DAY);
	CHECK_NEAR(slo->spec.min_events, 100, 0);
	CHECK_STR(slo->endpoint, "ep");
	double bad, total;
	/* Omitted fields keep what was there: 16:00-16:30 keeps 20/s. */
	event_series_count(&slo->events, AT(16, 0, 0), AT(16, 30, 0), &bad, &total);
	CHECK_NEAR(total, 20.0 * 1800, 1e-6);
	CHECK_NEAR(bad, 0.5 * 20 * 1800, 1e-6);
	/* From 16:30 the rate is 10/s and the ratio back to 0.001. */
	event_series_count(&slo->events, AT(16, 30, 0), AT(17, 0, 0), &bad, &total);
	CHECK_NEAR(total, 10.0 * 1800, 1e-6);
	CHECK_NEAR(bad, 0.001 * 10 * 1800, 1e-6);
	/* Bursts: the first keeps the rate, the second sets it. */
	event_series_count(&slo->events, AT(17, 10, 0), AT(17, 20, 0), &bad, &total);
	CHECK_NEAR(total, 10.0 * 600, 1e-6);
	CHECK_NEAR(bad, 0.2 * 10 * 600, 1e-6);
	event_series_count(&slo->events, AT(17, 20, 0), AT(17, 30, 0), &bad, &total);
	CHECK_NEAR(bad, 0.001 * 10 * 600, 1e-6);
	event_series_count(&slo->events, AT(17, 30, 0), AT(17, 31, 0), &bad, &total);
	CHECK_NEAR(total, 40.0 * 60, 1e-6);
	CHECK_NEAR(bad, 0.1 * 40 * 60, 1e-6);
	event_series_count(&slo->events, AT(17, 31, 0), AT(17, 32, 0), &bad, &total);
	CHECK_NEAR(total, 10.0 * 60, 1e-6);

	const struct scenario_event *b = find_event(&s, SCENARIO_BURST, 0);
	CHECK(b && b->total_per_s < 0 && b->duration_ms == 10 * MS_PER_MIN);
	CHECK_STR(b ? b->slo : NULL, "avail");
	b = find_event(&s, SCENARIO_BURST, 1);
	CHECK_NEAR(b ? b->total_per_s : 0, 40, 0);
	scenario_free(&s);
}

/* A drill's SLO may stand for one discovered from recording rules: its
 * service, origin ("discovered") and the windows its rules lack. */
static void test_slo_service_origin_lacks(void)
{
	struct scenario s;
	struct error err = { 0 };
	int rc = parse("{" HEAD ",'slos':[{'name':'a','objective':0.999,'service':'chat','discovered':'pyrra',"
		       "'lacks':['3d','period','5m']},{'name':'b','objective':0.9}]}",
		       &s, &err);
	CHECK(rc == 0);
	if (rc != 0) {
		printf("#   %s\n", err.msg);
		return;
	}
	CHECK_STR(s.slos[0].service, "chat");
	CHECK_STR(s.slos[0].origin, "pyrra");
	CHECK(s.slos[0].lacks == (1u << BURN_3D | 1u << BURN_NWINDOWS | 1u << BURN_5M));
	CHECK(s.slos[1].service == NULL && s.slos[1].origin == NULL && s.slos[1].lacks == 0);
	scenario_free(&s);
	expect_error("{" HEAD ",'slos':[{'name':'a','objective':0.9,'lacks':['4d']}]}",
		     "t/x.json: $.slos[0].lacks[0]: expected a window: 5m, 30m, 1h, 2h, 6h, 1d, 3d or period, got '4d'");
	expect_error("{" HEAD ",'slos':[{'name':'a','objective':0.9,'lacks':['3d','3d']}]}",
		     "t/x.json: $.slos[0].lacks[1]: expected each at most once, got '3d'");
	expect_error("{" HEAD ",'slos':[{'name':'a','objective':0.9,'lacks':'3d'}]}",
		     "t/x.json: $.slos[0].lacks: expected an array");
	expect_error("{" HEAD ",'slos':[{'name':'a','objective':0.9,'discovered':'prometheus'}]}",
		     "t/x.json: $.slos[0].discovered: expected");
}

static void test_canary_windows(void)
{
	struct scenario s;
	struct error err = { 0 };
	int rc = parse("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-2',"
		       "'window':'30s','min_samples':5,'failure_limit':2,'on_failure':'page',"
		       "'thresholds':[{'class':'multi_hop','metric':'groundedness','min':2.85},"
		       "{'class':'ambiguous','metric':'refusal_rate','min':0.85}],"
		       "'windows':[{'at':'17:12:00','observations':[{'class':'multi_hop',"
		       "'metric':'groundedness','value':2.5,'n':0}]},"
		       "{'at':'17:12:30','start':'17:12:05'},"
		       "{'at':'17:13:00','observations':[{'class':'ambiguous','metric':'refusal_rate',"
		       "'value':0.9,'n':6},{'class':'multi_hop','metric':'groundedness','value':2.7,"
		       "'n':5}]}]}],"
		       "'events':[{'at':'17:11','type':'deploy','endpoint':'ep','deployment':'d-2'}]}",
		       &s, &err);
	CHECK(rc == 0);
	if (rc != 0) {
		printf("#   %s\n", err.msg);
		return;
	}
	const struct scenario_canary *c = &s.canaries[0];
	CHECK(c->spec.window_ms == 30 * MS_PER_S);
	CHECK(c->spec.min_samples == 5 && c->spec.failure_limit == 2);
	CHECK(c->spec.on_failure == ON_FAILURE_PAGE);
	CHECK_STR(c->spec.thresholds[1].class_name, "ambiguous");
	CHECK_NEAR(c->spec.thresholds[0].min, 2.85, 0);
	CHECK(c->n_windows == 3);
	CHECK(c->windows[0].start_ms == -1 && c->windows[0].n_obs == 1);
	CHECK(c->windows[1].start_ms == AT(17, 12, 5) && c->windows[1].n_obs == 0);
	CHECK(c->windows[2].n_obs == 2 && c->windows[2].obs[1].n == 5);
	CHECK_NEAR(c->windows[2].obs[1].value, 2.7, 0);
	scenario_free(&s);
}

/* ---- errors ------------------------------------------------------------ */

static void test_error_syntax(void)
{
	expect_error("{\n  'title': 't',\n  'start': 5,,\n}", "t/x.json:3:14: JSON syntax error");
	expect_error("{'title': tru}", "t/x.json:1:11: JSON syntax error near 'tru}'");
	expect_error("{'a':1,}", "t/x.json:1:8: JSON syntax error");
	expect_error("{} x", "t/x.json:1:4: JSON syntax error near 'x'");
	expect_error("{}{}", "t/x.json:1:3: JSON syntax error");
	expect_error("", "t/x.json:1:1: JSON syntax error: unexpected end of input");
	expect_error("   \n ", "t/x.json:");
	/* Columns count characters, not bytes. */
	expect_error("{'\xc3\xa9\xc3\xa9': x}", "t/x.json:1:8: JSON syntax error near 'x}'");
}

static void test_error_structure(void)
{
	expect_error("[]", "t/x.json: $: expected an object, got an array");
	expect_error("{'start':'2024-09-13T17:02:00Z'}",
		     "t/x.json: $.title: required key missing (expected a string)");
	expect_error("{'title':'t'}", "t/x.json: $.start: required key missing (expected an ISO 8601");
	expect_error("{'title':5,'start':'2024-09-13T17:02:00Z'}",
		     "t/x.json: $.title: expected a non-empty string, got 5");
	expect_error("{'title':'','start':'2024-09-13T17:02:00Z'}",
		     "t/x.json: $.title: expected a non-empty string, got ''");
	expect_error("{" HEAD ",'titel':'t'}",
		     "t/x.json: $.titel: unknown key (expected one of: title, description, start,");
	expect_error("{" HEAD ",'we ird':1}", "t/x.json: $['we ird']: unknown key");
	expect_error("{" HEAD ",'title':'again'}",
		     "t/x.json: $.title: duplicate key (each key may appear once)");
	expect_error("{" HEAD ",'speed':'fast'}",
		     "t/x.json: $.speed: expected a number from 0.25 to 1024, got 'fast'");
	expect_error("{" HEAD ",'speed':2048}",
		     "t/x.json: $.speed: expected a number from 0.25 to 1024, got 2048");
	expect_error("{" HEAD ",'speed':1e999}", "t/x.json: $.speed: expected a number");
	expect_error("{" HEAD ",'target':{'delay':'3s','lag':1}}",
		     "t/x.json: $.target.lag: unknown key (expected one of: delay)");
	expect_error("{" HEAD ",'target':[]}", "t/x.json: $.target: expected an object, got an array");
	expect_error("{" HEAD ",'endpoints':{}}",
		     "t/x.json: $.endpoints: expected an array, got an object");
	expect_error("{" HEAD ",'endpoints':[3]}",
		     "t/x.json: $.endpoints[0]: expected an object, got 3");
	expect_error("{" HEAD ",'slos':[{'name':'a','objective':1}]}",
		     "t/x.json: $.slos[0].objective: expected a number between 0 and 1");
	expect_error("{" HEAD ",'slos':[{'name':'a'}]}",
		     "t/x.json: $.slos[0].objective: required key missing (expected a number");
	expect_error("{" HEAD ",'slos':[{'name':'a','objective':0.9,'events':[{'at':'-1d'}]}]}",
		     "t/x.json: $.slos[0].events[0]: expected total_per_s or bad_ratio");
	expect_error("{" HEAD ",'slos':[{'name':'a','objective':0.9,'events':[{'at':'-1d',"
		     "'bad_ratio':1.5}]}]}",
		     "t/x.json: $.slos[0].events[0].bad_ratio: expected a number from 0 to 1, got 1.5");
	expect_error("{" HEAD ",'slos':[{'name':'a','objective':0.9,'events':[{'at':'-1d',"
		     "'total_per_s':-2}]}]}",
		     "t/x.json: $.slos[0].events[0].total_per_s: expected a number >= 0, got -2");
	expect_error("{" HEAD ",'slos':[{'name':'a','objective':0.9},{'name':'a','objective':0.9}]}",
		     "t/x.json: $.slos[1].name: expected an SLO name not used before, got 'a'");
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-1',"
		     "'min_sample':5,'thresholds':[{'class':'c','metric':'m','min':1}]}]}",
		     "t/x.json: $.canaries[0].min_sample: unknown key (expected one of: endpoint,");
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-1',"
		     "'min_samples':0,'thresholds':[{'class':'c','metric':'m','min':1}]}]}",
		     "t/x.json: $.canaries[0].min_samples: expected an integer from 1 to 1000000, got 0");
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-1',"
		     "'on_failure':'panic','thresholds':[{'class':'c','metric':'m','min':1}]}]}",
		     "t/x.json: $.canaries[0].on_failure: expected 'rollback' or 'page', got 'panic'");
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-1',"
		     "'thresholds':[]}]}",
		     "t/x.json: $.canaries[0].thresholds: expected a non-empty array, got an array");
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-1'}]}",
		     "t/x.json: $.canaries[0].thresholds: required key missing (expected an array)");
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-1',"
		     "'thresholds':[{'class':'c','metric':'m','min':1},{'class':'c','metric':'m',"
		     "'min':2}]}]}",
		     "t/x.json: $.canaries[0].thresholds[1]: expected one threshold per class and metric, "
		     "got a second for class 'c', metric 'm'");
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-1',"
		     "'thresholds':[{'class':'c','metric':'m','min':1}],'windows':[{'at':'17:03',"
		     "'observations':[{'class':'cc','metric':'m','value':1,'n':3}]}]}]}",
		     "t/x.json: $.canaries[0].windows[0].observations[0]: expected a class and metric "
		     "named in thresholds, got class 'cc', metric 'm'");
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-1',"
		     "'thresholds':[{'class':'c','metric':'m','min':1}],'windows':[{'at':'17:03',"
		     "'observations':[{'class':'c','metric':'m','value':1,'n':2.5}]}]}]}",
		     "t/x.json: $.canaries[0].windows[0].observations[0].n: expected an integer >= 0, "
		     "got 2.5");
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-1',"
		     "'thresholds':[{'class':'c','metric':'m','min':1}],'windows':[{'at':'17:03',"
		     "'observations':[{'class':'c','metric':'m','value':1,'n':2},"
		     "{'class':'c','metric':'m','value':1,'n':3}]}]}]}",
		     "t/x.json: $.canaries[0].windows[0].observations[1]: expected one observation "
		     "per class and metric, got a second for class 'c', metric 'm'");
	expect_error("{" HEAD ",'events':[{'at':'17:03','type':'notes','text':'x'}]}",
		     "t/x.json: $.events[0].type: expected one of note, deploy, traffic, state, burst, "
		     "target_fail, target_recover, got 'notes'");
	expect_error("{" HEAD ",'events':[{'at':'17:03','text':'x'}]}",
		     "t/x.json: $.events[0].type: required key missing");
	expect_error("{" HEAD ",'events':[{'at':'17:03','type':'note'}]}",
		     "t/x.json: $.events[0].text: required key missing (expected a string)");
	/* A key that belongs to another event type is still unknown here. */
	expect_error("{" HEAD ",'events':[{'at':'17:03','type':'note','text':'x','endpoint':'ep'}]}",
		     "t/x.json: $.events[0].endpoint: unknown key (expected one of: at, type, text)");
	expect_error("{" HEAD ",'events':[{'at':'17:03','type':'target_fail','mode':'crash'}]}",
		     "t/x.json: $.events[0].mode: expected 'reject' or 'ignore', got 'crash'");
}

static void test_error_times(void)
{
	/* The example from the format's documentation, to the letter. */
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-1',"
		     "'thresholds':[{'class':'c','metric':'m','min':1}],"
		     "'windows':[{'at':'17:03'},{'at':'17:04'},{'at':'17:1x'}]}]}",
		     "t/x.json: $.canaries[0].windows[2].at: expected a time (ISO 8601, HH:MM:SS or "
		     "+/-offset), got '17:1x'");
	expect_error("{'title':'t','start':'2024-09-13 17:02:00'}",
		     "t/x.json: $.start: expected an ISO 8601 UTC time, e.g. '2024-09-13T17:02:00Z', "
		     "got '2024-09-13 17:02:00'");
	/* start has no day to be relative to. */
	expect_error("{'title':'t','start':'17:02:00'}", "t/x.json: $.start: expected an ISO 8601");
	expect_error("{" HEAD ",'end':'16:00'}",
		     "t/x.json: $.end: expected a time after start (17:02:00), got '16:00'");
	expect_error("{" HEAD ",'end':1726247643000}",
		     "t/x.json: $.end: expected a time (ISO 8601, HH:MM:SS or +/-offset), got "
		     "1726247643000");
	expect_error("{" HEAD ",'events':[{'at':'16:59:59','type':'note','text':'x'}]}",
		     "t/x.json: $.events[0].at: expected a time at or after start (17:02:00), got "
		     "'16:59:59'");
	expect_error("{" HEAD ",'end':'+10m','events':[{'at':'+11m','type':'note','text':'x'}]}",
		     "t/x.json: $.events[0].at: expected a time at or before end (17:12:00), got '+11m'");
	expect_error("{" HEAD ",'slos':[{'name':'a','objective':0.9,'events':[{'at':'-1d',"
		     "'until':'-2d','bad_ratio':0}]}]}",
		     "t/x.json: $.slos[0].events[0].until: expected a time after at");
	/* Control characters from the file are escaped, never echoed. */
	expect_error("{" HEAD ",'end':'\\u001b[31m'}",
		     "t/x.json: $.end: expected a time (ISO 8601, HH:MM:SS or +/-offset), got "
		     "'\\x1b[31m'");
	expect_error("{" HEAD ",'endpoints':[{'name':'ep','deployments':[{'name':'d',"
		     "'traffic':100,'created':'17:05'}]}]}",
		     "t/x.json: $.endpoints[0].deployments[0].created: expected a time at or before "
		     "start (17:02:00), got '17:05'");
}

static void test_error_durations(void)
{
	expect_error("{" HEAD ",'slos':[{'name':'a','objective':0.9,'period':'30 days'}]}",
		     "t/x.json: $.slos[0].period: expected a duration (a whole number and ms, s, m, "
		     "h or d, e.g. '60s'), got '30 days'");
	expect_error("{" HEAD ",'slos':[{'name':'a','objective':0.9,'period':30}]}",
		     "t/x.json: $.slos[0].period: expected a duration");
	expect_error("{" HEAD ",'slos':[{'name':'a','objective':0.9,'period':'0d'}]}",
		     "t/x.json: $.slos[0].period: expected a duration above zero, got '0d'");
	expect_error("{" HEAD ",'target':{'delay':'-3s'}}",
		     "t/x.json: $.target.delay: expected a duration");
	expect_error("{" HEAD ",'target':{'delay':'99999999999999999999s'}}",
		     "t/x.json: $.target.delay: expected a duration");
	expect_error("{" HEAD "," SLO ",'events':[{'at':'17:03','type':'burst','slo':'avail',"
		     "'bad_ratio':0.1,'duration':'1.5m'}]}",
		     "t/x.json: $.events[0].duration: expected a duration");
	expect_error("{" HEAD "," SLO ",'events':[{'at':'17:03','type':'burst','slo':'avail',"
		     "'bad_ratio':0.1}]}",
		     "t/x.json: $.events[0].duration: required key missing (expected a duration");
}

static void test_error_traffic(void)
{
	expect_error("{" HEAD ",'endpoints':[{'name':'ep','deployments':[{'name':'a','traffic':90},"
		     "{'name':'b','traffic':0}]}]}",
		     "t/x.json: $.endpoints[0].deployments: expected traffic percentages summing to "
		     "100, got 90");
	expect_error("{" HEAD ",'endpoints':[{'name':'ep','deployments':[{'name':'a','traffic':101}]}]}",
		     "t/x.json: $.endpoints[0].deployments[0].traffic: expected an integer from 0 to "
		     "100, got 101");
	expect_error("{" HEAD ",'endpoints':[{'name':'ep','deployments':[{'name':'a','traffic':99.5},"
		     "{'name':'b','traffic':0.5}]}]}",
		     "t/x.json: $.endpoints[0].deployments[0].traffic: expected an integer from 0 to "
		     "100, got 99.5");
	expect_error("{" HEAD ",'endpoints':[{'name':'ep','deployments':[{'name':'a','traffic':50},"
		     "{'name':'a','traffic':50}]}]}",
		     "t/x.json: $.endpoints[0].deployments[1].name: expected a deployment name not "
		     "used before on this endpoint, got 'a'");
	expect_error("{" HEAD ",'endpoints':[{'name':'ep'},{'name':'ep'}]}",
		     "t/x.json: $.endpoints[1].name: expected an endpoint name not used before, got 'ep'");
	expect_error("{" HEAD "," EP ",'events':[{'at':'17:03','type':'traffic','endpoint':'ep',"
		     "'traffic':{'d-1':95}}]}",
		     "t/x.json: $.events[0].traffic: expected percentages summing to 100, got 95");
	expect_error("{" HEAD "," EP ",'events':[{'at':'17:03','type':'traffic','endpoint':'ep',"
		     "'traffic':{}}]}",
		     "t/x.json: $.events[0].traffic: expected percentages summing to 100, got 0");
	expect_error("{" HEAD "," EP ",'events':[{'at':'17:03','type':'traffic','endpoint':'ep',"
		     "'traffic':{'d-1':'90'}}]}",
		     "t/x.json: $.events[0].traffic['d-1']: expected an integer from 0 to 100, got '90'");
	expect_error("{" HEAD "," EP ",'events':[{'at':'17:03','type':'traffic','endpoint':'ep',"
		     "'traffic':{'d-1':50,'d-1':50}}]}",
		     "t/x.json: $.events[0].traffic['d-1']: duplicate key");
	expect_error("{" HEAD "," EP ",'events':[{'at':'17:03','type':'traffic','endpoint':'ep',"
		     "'traffic':[100]}]}",
		     "t/x.json: $.events[0].traffic: expected an object of deployment: percent, got an "
		     "array");
}

static void test_error_references(void)
{
	expect_error("{" HEAD "," EP ",'slos':[{'name':'a','objective':0.9,'endpoint':'epp'}]}",
		     "t/x.json: $.slos[0].endpoint: expected the name of an endpoint in $.endpoints, "
		     "got 'epp'");
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'nope','deployment':'d-1',"
		     "'thresholds':[{'class':'c','metric':'m','min':1}]}]}",
		     "t/x.json: $.canaries[0].endpoint: expected the name of an endpoint in "
		     "$.endpoints, got 'nope'");
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-9',"
		     "'thresholds':[{'class':'c','metric':'m','min':1}]}]}",
		     "t/x.json: $.canaries[0].deployment: expected a deployment of this endpoint (in "
		     "$.endpoints or a deploy event), got 'd-9'");
	expect_error("{" HEAD "," EP ",'events':[{'at':'17:03','type':'state','endpoint':'x',"
		     "'deployment':'d-1','state':'Failed'}]}",
		     "t/x.json: $.events[0].endpoint: expected the name of an endpoint in $.endpoints, "
		     "got 'x'");
	expect_error("{" HEAD "," SLO ",'events':[{'at':'17:03','type':'burst','slo':'availability',"
		     "'bad_ratio':0.1,'duration':'5m'}]}",
		     "t/x.json: $.events[0].slo: expected the name of an SLO in $.slos, got "
		     "'availability'");
	expect_error("{" HEAD "," EP ",'events':[{'at':'17:03','type':'state','endpoint':'ep',"
		     "'deployment':'d-2','state':'Failed'}]}",
		     "t/x.json: $.events[0].deployment: expected a deployment of this endpoint that "
		     "exists by then, got 'd-2'");
	/* Deployed later than it is used: the order of time counts, not of the
	 * file. */
	expect_error("{" HEAD "," EP ",'events':["
		     "{'at':'17:06','type':'deploy','endpoint':'ep','deployment':'d-2'},"
		     "{'at':'17:05','type':'traffic','endpoint':'ep','traffic':{'d-1':90,'d-2':10}}]}",
		     "t/x.json: $.events[1].traffic['d-2']: expected a deployment of this endpoint "
		     "that exists by then, got 'd-2'");
	expect_error("{" HEAD "," EP ",'events':["
		     "{'at':'17:06','type':'deploy','endpoint':'ep','deployment':'d-1'}]}",
		     "t/x.json: $.events[0].deployment: expected a new deployment name (this one "
		     "already exists), got 'd-1'");
	/* A window judged before its canary exists. */
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-2',"
		     "'thresholds':[{'class':'c','metric':'m','min':1}],'windows':[{'at':'17:05'}]}],"
		     "'events':[{'at':'17:06','type':'deploy','endpoint':'ep','deployment':'d-2'}]}",
		     "t/x.json: $.canaries[0].windows[0].at: expected a time after the canary "
		     "deployment exists (17:06:00), got '17:05'");

	/* And the valid orders parse. */
	struct scenario s;
	struct error err = { 0 };
	CHECK(parse("{" HEAD "," EP ",'events':["
		    "{'at':'17:05','type':'traffic','endpoint':'ep','traffic':{'d-1':90,'d-2':10}},"
		    "{'at':'17:04','type':'deploy','endpoint':'ep','deployment':'d-2'}]}",
		    &s, &err) == 0);
	if (err.msg[0])
		printf("#   %s\n", err.msg);
	CHECK(s.n_events == 2 && s.events[0].type == SCENARIO_DEPLOY);
	scenario_free(&s);
}

static void test_expect(void)
{
	struct scenario s;
	struct error err = { 0 };
	CHECK(parse("{" HEAD "}", &s, &err) == 0);
	CHECK(s.expect.onset_ms == s.start_ms);
	for (int k = 0; k < EXPECT_N; k++)
		CHECK(s.expect.within_ms[k] == -1);
	scenario_free(&s);
	CHECK(parse("{" HEAD ",'expect':{'onset':'17:11:32','detect':'90s','verify':'4m'}}", &s, &err) == 0);
	CHECK(s.expect.onset_ms == AT(17, 11, 32));
	CHECK(s.expect.within_ms[EXPECT_DETECT] == 90 * MS_PER_S);
	CHECK(s.expect.within_ms[EXPECT_VERIFY] == 240 * MS_PER_S);
	CHECK(s.expect.within_ms[EXPECT_DECIDE] == -1);
	scenario_free(&s);
	expect_error("{" HEAD ",'expect':{'detect':'soon'}}", "t/x.json: $.expect.detect: expected a duration");
	expect_error("{" HEAD ",'expect':{'onset':'16:00:00'}}", "t/x.json: $.expect.onset: expected a time at or after start");
	expect_error("{" HEAD ",'expect':{'detcet':'1m'}}", "t/x.json: $.expect.detcet: unknown key");
	expect_error("{" HEAD ",'expect':{'verify':'0s'}}", "t/x.json: $.expect.verify: expected a duration above zero");
}

static void test_error_unsorted_windows(void)
{
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-1',"
		     "'thresholds':[{'class':'c','metric':'m','min':1}],"
		     "'windows':[{'at':'17:12:32'},{'at':'17:13:32'},{'at':'17:13:00'}]}]}",
		     "t/x.json: $.canaries[0].windows[2].at: expected a time after the previous "
		     "window (17:13:32), got '17:13:00'");
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-1',"
		     "'thresholds':[{'class':'c','metric':'m','min':1}],"
		     "'windows':[{'at':'17:12:32'},{'at':'17:12:32'}]}]}",
		     "t/x.json: $.canaries[0].windows[1].at: expected a time after the previous");
	expect_error("{" HEAD "," EP ",'canaries':[{'endpoint':'ep','deployment':'d-1',"
		     "'thresholds':[{'class':'c','metric':'m','min':1}],"
		     "'windows':[{'at':'17:12:32','start':'17:12:40'}]}]}",
		     "t/x.json: $.canaries[0].windows[0].start: expected a time before at (17:12:32), "
		     "got '17:12:40'");
}

static char tmpdir[64];

static void test_load(void)
{
	struct scenario s;
	struct error err = { 0 };
	char path[128];

	snprintf(path, sizeof path, "%s/missing.json", tmpdir);
	CHECK(scenario_load(path, &s, &err) == -1);
	char want[256];
	snprintf(want, sizeof want, "%s: cannot read: %s", path, strerror(ENOENT));
	CHECK_STR(err.msg, want);

	CHECK(scenario_load(tmpdir, &s, &err) == -1);
	snprintf(want, sizeof want, "%s: cannot read: %s", tmpdir, strerror(EISDIR));
	CHECK_STR(err.msg, want);

	/* Sparse, so the test costs no disk. */
	snprintf(path, sizeof path, "%s/huge.json", tmpdir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && ftruncate(fd, (16 << 20) + 1) == 0);
	close(fd);
	CHECK(scenario_load(path, &s, &err) == -1);
	snprintf(want, sizeof want, "%s: too large (16777217 bytes, limit 16 MiB)", path);
	CHECK_STR(err.msg, want);
	unlink(path);

	snprintf(path, sizeof path, "%s/my-drill.json", tmpdir);
	FILE *f = fopen(path, "w");
	fputs(json("{" HEAD ",'events':[{'at':'17:03','type':'note','text':'hi'}]}\n"), f);
	fclose(f);
	CHECK(scenario_load(path, &s, &err) == 0);
	CHECK_STR(s.name, "my-drill");
	CHECK_STR(s.path, path);
	CHECK(s.n_events == 1);
	scenario_free(&s);

	f = fopen(path, "w");
	fputs("{\n\t\"title\": \"t\"\n\t\"start\": 1\n}\n", f);
	fclose(f);
	CHECK(scenario_load(path, &s, &err) == -1);
	snprintf(want, sizeof want, "%s:3:2: JSON syntax error", path);
	CHECK(starts_with(err.msg, want));
	if (!starts_with(err.msg, want))
		printf("#   %s\n", err.msg);
	unlink(path);
}

/* Every prefix of a valid scenario is refused cleanly: the error paths
 * cut at every point free what they built. */
static void test_truncations(void)
{
	struct scenario s;
	char path[4200];
	snprintf(path, sizeof path, "%s/friday-1714.json", drills_dir());
	FILE *f = fopen(path, "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	for (size_t len = 0; len + 2 < n; len += 7) {
		struct error err = { 0 };
		CHECK(scenario_parse(buf, len, path, &s, &err) == -1);
		CHECK(s.title == NULL);
	}
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/cmdr-test-scenario.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_drill_friday_1714);
	RUN(test_drill_error_burst);
	RUN(test_drill_refusal_spike);
	RUN(test_minimal_and_defaults);
	RUN(test_names);
	RUN(test_times_and_events);
	RUN(test_slo_events_and_bursts);
	RUN(test_slo_service_origin_lacks);
	RUN(test_canary_windows);
	RUN(test_error_syntax);
	RUN(test_error_structure);
	RUN(test_error_times);
	RUN(test_error_durations);
	RUN(test_error_traffic);
	RUN(test_error_references);
	RUN(test_error_unsorted_windows);
	RUN(test_expect);
	RUN(test_load);
	RUN(test_truncations);
	rmdir(tmpdir);
	return CHECK_EXIT();
}
