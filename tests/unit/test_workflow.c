/* The commander's workflow (core/model/workflow.c) and the timeline
 * (core/model/timeline.c): state from journal lines, the update clock, time
 * checks, and the lines a person reads. */
#include <stdint.h>

#include "check.h"
#include "pattern.h"
#include "timeline.h"
#include "workflow.h"

#define T0 1726247643000LL /* 2024-09-13T17:14:03Z */
#define MIN 60000LL

static cJSON *entry(const char *json)
{
	cJSON *e = cJSON_Parse(json);
	if (!e)
		abort();
	return e;
}

static bool apply(struct workflow *w, const char *json, int64_t at)
{
	cJSON *e = entry(json);
	bool changed = workflow_apply(w, e, at);
	cJSON_Delete(e);
	return changed;
}

static void test_names(void)
{
	int s = -1;
	CHECK(sev_parse("SEV0", &s) && s == 0);
	CHECK(sev_parse("sev3", &s) && s == 3);
	CHECK(sev_parse("2", &s) && s == 2);
	CHECK(!sev_parse("SEV4", &s));
	CHECK(!sev_parse("SEV12", &s));
	CHECK(!sev_parse("", &s));
	CHECK(!sev_parse(NULL, &s));
	CHECK_STR(sev_name(1), "SEV1");
	CHECK_STR(sev_name(SEV_UNSET), "-");
	enum duty d;
	CHECK(duty_parse("ic", &d) && d == DUTY_COMMANDER);
	CHECK(duty_parse("scribe", &d) && d == DUTY_SCRIBE);
	CHECK(!duty_parse("observer", &d));
}

static void test_apply(void)
{
	struct workflow w;
	workflow_init(&w);
	CHECK(apply(&w, "{\"action\":\"declare\",\"outcome\":\"declared\",\"actor\":{\"user\":\"root\",\"as\":\"alice\"},"
			"\"params\":{\"title\":\"Chat ungrounded\",\"severity\":\"SEV2\"}}", T0));
	CHECK_STR(w.title, "Chat ungrounded");
	CHECK(w.severity == 2 && w.declared_at == T0);
	CHECK_STR(w.declared_by, "alice");
	/* A refusal changes nothing. */
	CHECK(!apply(&w, "{\"action\":\"severity\",\"outcome\":\"refused\",\"actor\":{\"user\":\"bob\"},"
			 "\"params\":{\"severity\":\"SEV3\"}}", T0));
	CHECK(w.severity == 2);
	CHECK(apply(&w, "{\"action\":\"severity\",\"outcome\":\"set\",\"actor\":{\"user\":\"bob\"},"
			"\"params\":{\"severity\":\"SEV1\",\"from\":\"SEV2\"}}", T0 + MIN));
	CHECK(w.severity == 1);
	CHECK(apply(&w, "{\"action\":\"role\",\"outcome\":\"assigned\",\"actor\":{\"user\":\"bob\"},"
			"\"params\":{\"role\":\"deputy\",\"person\":\"carol\"}}", T0));
	CHECK_STR(w.holder[DUTY_DEPUTY], "carol");
	CHECK(w.holder[DUTY_COMMANDER] == NULL);
	CHECK(apply(&w, "{\"action\":\"note\",\"outcome\":\"noted\",\"actor\":{\"user\":\"bob\"},"
			"\"params\":{\"text\":\"x\"}}", T0));
	CHECK(w.n_notes == 1);
	/* Malformed lines change nothing and do not crash. */
	CHECK(!apply(&w, "{\"action\":\"declare\",\"outcome\":\"declared\",\"actor\":{\"user\":\"x\"},"
			 "\"params\":{\"title\":\"t\",\"severity\":\"SEV9\"}}", T0));
	CHECK(!apply(&w, "{\"action\":\"role\",\"outcome\":\"assigned\",\"actor\":{}}", T0));
	CHECK(!apply(&w, "[1,2]", T0));
	CHECK(!apply(&w, "{\"action\":\"role\",\"outcome\":\"assigned\",\"actor\":{\"user\":\"b\"},"
			 "\"params\":{\"role\":\"king\",\"person\":\"b\"}}", T0));
	CHECK(apply(&w, "{\"action\":\"resolve\",\"outcome\":\"resolved\",\"actor\":{\"user\":\"bob\"},"
			"\"reason\":\"back to baseline\"}", T0 + 90 * MIN));
	CHECK(w.resolved_at == T0 + 90 * MIN);
	CHECK_STR(w.resolution, "back to baseline");
	workflow_free(&w);
}

static void test_update_clock(void)
{
	struct workflow w;
	workflow_init(&w);
	int64_t due;
	CHECK(workflow_update_state(&w, T0, &due) == UPDATE_NONE);
	apply(&w, "{\"action\":\"declare\",\"outcome\":\"declared\",\"actor\":{\"user\":\"a\"},"
		  "\"params\":{\"title\":\"t\",\"severity\":\"SEV1\"}}", T0);
	CHECK(workflow_update_state(&w, T0 + 24 * MIN, &due) == UPDATE_OK);
	CHECK(due == T0 + 30 * MIN);
	CHECK(workflow_update_state(&w, T0 + 25 * MIN, &due) == UPDATE_WARN);
	CHECK(workflow_update_state(&w, T0 + 30 * MIN - 1, &due) == UPDATE_WARN);
	CHECK(workflow_update_state(&w, T0 + 30 * MIN, &due) == UPDATE_ALARM);
	/* An update resets the clock. */
	apply(&w, "{\"action\":\"update\",\"outcome\":\"posted\",\"actor\":{\"user\":\"a\"},"
		  "\"params\":{\"text\":\"rolled back\"}}", T0 + 32 * MIN);
	CHECK(workflow_update_state(&w, T0 + 33 * MIN, &due) == UPDATE_OK);
	CHECK(due == T0 + 62 * MIN);
	CHECK(w.n_updates == 1);
	/* A shorter interval warns a sixth of it before. */
	apply(&w, "{\"action\":\"update_every\",\"outcome\":\"set\",\"actor\":{\"user\":\"a\"},"
		  "\"params\":{\"every\":\"600s\"}}", T0 + 33 * MIN);
	CHECK(workflow_update_state(&w, T0 + 40 * MIN, &due) == UPDATE_OK);
	CHECK(workflow_update_state(&w, T0 + 41 * MIN, &due) == UPDATE_WARN);
	CHECK(due == T0 + 42 * MIN);
	apply(&w, "{\"action\":\"resolve\",\"outcome\":\"resolved\",\"actor\":{\"user\":\"a\"},\"reason\":\"r\"}",
	      T0 + 50 * MIN);
	CHECK(workflow_update_state(&w, T0 + 50 * MIN, &due) == UPDATE_NONE);
	workflow_free(&w);
}

static void test_timecheck(void)
{
	struct workflow w;
	workflow_init(&w);
	apply(&w, "{\"action\":\"declare\",\"outcome\":\"declared\",\"actor\":{\"user\":\"a\"},"
		  "\"params\":{\"title\":\"t\",\"severity\":\"SEV1\"}}", T0);
	CHECK(workflow_timecheck(&w, T0 + 10 * MIN) == 0); /* off */
	apply(&w, "{\"action\":\"timecheck\",\"outcome\":\"on\",\"actor\":{\"user\":\"a\"},\"params\":{\"every\":\"600s\"}}",
	      T0);
	CHECK(workflow_timecheck(&w, T0 + 5 * MIN) == 0);
	CHECK(workflow_timecheck(&w, T0 + 10 * MIN) == 10 * MIN);
	CHECK(workflow_timecheck(&w, T0 + 10 * MIN + 59999) == 10 * MIN);
	CHECK(workflow_timecheck(&w, T0 + 11 * MIN) == 0);
	CHECK(workflow_timecheck(&w, T0 + 40 * MIN + 1) == 40 * MIN);
	apply(&w, "{\"action\":\"timecheck\",\"outcome\":\"off\",\"actor\":{\"user\":\"a\"}}", T0);
	CHECK(workflow_timecheck(&w, T0 + 40 * MIN) == 0);
	workflow_free(&w);
}

static void test_timeline_lines(void)
{
	cJSON *e = entry("{\"seq\":3,\"action\":\"rollback\",\"target\":\"chat\",\"outcome\":\"verified\","
			 "\"actor\":{\"user\":\"policy\"},\"role\":\"policy\",\"traffic\":\"d-1427=100 d-1428=0\","
			 "\"reason\":\"canary gate\"}");
	char *s = timeline_describe(e);
	CHECK_STR(s, "rollback chat: verified (d-1427=100 d-1428=0)");
	free(s);
	cJSON_Delete(e);
	e = entry("{\"action\":\"note\",\"outcome\":\"noted\",\"actor\":{\"user\":\"a\"},"
		  "\"params\":{\"text\":\"line one\\nline two \\u001b[31mred\"}}");
	s = timeline_describe(e);
	CHECK_STR(s, "note: line one?line two ?[31mred");
	free(s);
	cJSON_Delete(e);
	e = entry("{\"action\":\"rollback\",\"target\":\"chat\",\"outcome\":\"refused\",\"actor\":{\"user\":\"a\"},"
		  "\"detail\":\"observers cannot change anything\"}");
	s = timeline_describe(e);
	CHECK_STR(s, "rollback chat refused: observers cannot change anything");
	free(s);
	cJSON_Delete(e);
	/* Whatever shape a line has, it describes without crashing. */
	e = entry("{\"action\":7,\"params\":[1]}");
	s = timeline_describe(e);
	CHECK(s != NULL);
	free(s);
	cJSON_Delete(e);
}

static void test_timeline_ring_and_filter(void)
{
	struct timeline t;
	timeline_init(&t, 3);
	for (int i = 1; i <= 5; i++) {
		char json[160];
		snprintf(json, sizeof json,
			 "{\"seq\":%d,\"action\":\"note\",\"outcome\":\"noted\",\"actor\":{\"user\":\"u%d\"},"
			 "\"params\":{\"text\":\"note %d\"}}", i, i, i);
		cJSON *e = entry(json);
		timeline_add(&t, e, T0 + i);
		cJSON_Delete(e);
	}
	CHECK(t.n == 3 && t.total == 5);
	CHECK(timeline_at(&t, 0)->seq == 3);
	CHECK(timeline_at(&t, 2)->seq == 5);
	CHECK(timeline_at(&t, 3) == NULL);
	struct error err;
	struct pattern *f = pattern_new("NOTE [45]", &err);
	CHECK(f != NULL);
	CHECK(!timeline_filter_match(f, timeline_at(&t, 0)));
	CHECK(timeline_filter_match(f, timeline_at(&t, 1)));
	CHECK(timeline_filter_match(NULL, timeline_at(&t, 0)));
	pattern_free(f);
	f = pattern_new("u(3", &err);
	CHECK(f == NULL);
	CHECK_STR(err.msg, "filter: missing closing parenthesis at 3");
	timeline_free(&t);
}

int main(void)
{
	RUN(test_names);
	RUN(test_apply);
	RUN(test_update_clock);
	RUN(test_timecheck);
	RUN(test_timeline_lines);
	RUN(test_timeline_ring_and_filter);
	return CHECK_EXIT();
}
