#include "scorecard.h"

#include <string.h>

#include "jsonmsg.h"
#include "timefmt.h"

void scorecard_init(struct scorecard *sc)
{
	memset(sc, 0, sizeof *sc);
	for (int k = 0; k < EXPECT_N; k++)
		sc->expect_ms[k] = -1;
	sc->update_every_ms = WORKFLOW_UPDATE_EVERY_MS;
}

static bool is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

static void first(struct scorecard *sc, int k, int64_t at)
{
	if (!sc->at_ms[k])
		sc->at_ms[k] = at;
}

static bool traffic_action(const char *action)
{
	return is(action, "rollback") || is(action, "promote") || is(action, "set_weight");
}

void scorecard_take(struct scorecard *sc, const cJSON *e, int64_t at)
{
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(e, "params");
	if (!action || !outcome)
		return;
	if (is(action, "drill_start")) {
		sc->drill = true;
		sc->onset_ms = at;
		const char *onset = jsonmsg_str(params, "onset");
		if (onset)
			timefmt_parse_iso(onset, &sc->onset_ms);
		const cJSON *ex = cJSON_GetObjectItemCaseSensitive(params, "expect");
		for (int k = 0; k < EXPECT_N; k++) {
			const char *d = jsonmsg_str(ex, expect_names[k]);
			int64_t ms;
			if (d && timefmt_parse_duration(d, &ms))
				sc->expect_ms[k] = ms;
		}
	} else if (is(action, "signal")) {
		first(sc, EXPECT_DETECT, at);
	} else if ((is(action, "declare") && is(outcome, "declared")) ||
		   (is(action, "role") && is(outcome, "assigned") && is(jsonmsg_str(params, "role"), "commander"))) {
		first(sc, EXPECT_ACKNOWLEDGE, at);
		if (is(action, "declare"))
			sc->update_due_ms = at + sc->update_every_ms;
	} else if (traffic_action(action) && (is(outcome, "intent") || is(outcome, "pending"))) {
		first(sc, EXPECT_DECIDE, at);
		if (is(outcome, "intent"))
			first(sc, EXPECT_ROLLBACK, at);
	} else if (traffic_action(action) && is(outcome, "verified")) {
		first(sc, EXPECT_VERIFY, at);
	} else if (is(action, "tick") && is(outcome, "ticked")) {
		sc->steps++;
	} else if (is(action, "untick") && is(outcome, "unticked")) {
		sc->steps--;
	} else if (is(action, "update") && is(outcome, "posted") && sc->update_due_ms) {
		if (at <= sc->update_due_ms)
			sc->updates_on_time++;
		else
			sc->updates_late++;
		sc->update_due_ms = at + sc->update_every_ms;
	} else if (is(action, "update_every") && is(outcome, "set")) {
		int64_t every;
		const char *s = jsonmsg_str(params, "every");
		if (s && timefmt_parse_duration(s, &every) && every > 0) {
			if (sc->update_due_ms)
				sc->update_due_ms += every - sc->update_every_ms;
			sc->update_every_ms = every;
		}
	} else if (is(action, "resolve") && is(outcome, "resolved")) {
		sc->ended_ms = at;
	}
}

const char *score_verdict_name(enum score_verdict v)
{
	static const char *const names[] = { "not expected", "ok", "late", "missed", "not yet" };
	return names[v];
}

enum score_verdict scorecard_measure(const struct scorecard *sc, int k, int64_t now, int64_t *took_ms)
{
	int64_t took = sc->at_ms[k] ? sc->at_ms[k] - sc->onset_ms : -1;
	*took_ms = took;
	if (sc->expect_ms[k] < 0)
		return SCORE_NOT_EXPECTED;
	if (took >= 0)
		return took <= sc->expect_ms[k] ? SCORE_OK : SCORE_LATE;
	return now - sc->onset_ms > sc->expect_ms[k] ? SCORE_MISSED : SCORE_NOT_YET;
}

bool scorecard_update_overdue(const struct scorecard *sc, int64_t now)
{
	int64_t end = sc->ended_ms ? sc->ended_ms : now;
	return sc->update_due_ms && end > sc->update_due_ms;
}

cJSON *scorecard_json(const struct scorecard *sc, int64_t now)
{
	cJSON *o = cJSON_CreateObject();
	char buf[32];
	timefmt_iso(sc->onset_ms, buf, sizeof buf);
	cJSON_AddStringToObject(o, "onset", buf);
	cJSON *m = cJSON_AddArrayToObject(o, "measures");
	for (int k = 0; k < EXPECT_N; k++) {
		int64_t took;
		enum score_verdict v = scorecard_measure(sc, k, now, &took);
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "name", expect_names[k]);
		if (took >= 0)
			cJSON_AddNumberToObject(x, "took_s", (double)took / 1000.0);
		else
			cJSON_AddNullToObject(x, "took_s");
		if (sc->expect_ms[k] >= 0)
			cJSON_AddNumberToObject(x, "expected_s", (double)sc->expect_ms[k] / 1000.0);
		else
			cJSON_AddNullToObject(x, "expected_s");
		cJSON_AddStringToObject(x, "verdict", score_verdict_name(v));
		cJSON_AddItemToArray(m, x);
	}
	cJSON_AddNumberToObject(o, "steps", sc->steps);
	cJSON *u = cJSON_AddObjectToObject(o, "updates");
	cJSON_AddNumberToObject(u, "on_time", sc->updates_on_time);
	cJSON_AddNumberToObject(u, "late", sc->updates_late);
	cJSON_AddBoolToObject(u, "overdue", scorecard_update_overdue(sc, now));
	return o;
}

static void duration(int64_t ms, char *buf, size_t size)
{
	if (ms < 0)
		snprintf(buf, size, "-");
	else
		timefmt_duration(ms, buf, size);
}

void scorecard_md(const struct scorecard *sc, int64_t now, FILE *out)
{
	char onset[32];
	timefmt_hms(sc->onset_ms, onset, sizeof onset);
	fprintf(out, "From the onset at %s UTC:\n\n| Measure | Took | Expected | |\n|---|---|---|---|\n", onset);
	for (int k = 0; k < EXPECT_N; k++) {
		char took[32], want[32];
		int64_t ms;
		enum score_verdict v = scorecard_measure(sc, k, now, &ms);
		duration(ms, took, sizeof took);
		duration(sc->expect_ms[k], want, sizeof want);
		fprintf(out, "| %s | %s | %s | %s |\n", expect_names[k], took, want, score_verdict_name(v));
	}
	fprintf(out, "\nRunbook steps done: %d. Status updates: %u on time, %u late%s.\n", sc->steps,
		sc->updates_on_time, sc->updates_late,
		scorecard_update_overdue(sc, now) ? ", and one overdue at the end" : "");
}
