/* Notifications (core/incident/notify.c): what each journal line announces, the
 * exact request bodies, and how each service's answers are read. */
#include "check.h"
#include "notify.h"

static struct workflow declared(void)
{
	struct workflow w;
	workflow_init(&w);
	w.title = strdup("Chat answers ungrounded");
	w.severity = 1;
	w.declared_at = 1;
	return w;
}

static bool plan(const char *json, const struct workflow *w, struct notify_plan *p)
{
	cJSON *e = cJSON_Parse(json);
	bool r = notify_plan_for(e, w, p);
	cJSON_Delete(e);
	return r;
}

static void test_plans(void)
{
	struct workflow w = declared();
	struct notify_plan p;
	CHECK(plan("{\"action\":\"declare\",\"outcome\":\"declared\",\"actor\":{\"user\":\"root\",\"as\":\"alice\"}}", &w, &p));
	CHECK_STR(p.pd_event, "trigger");
	CHECK_STR(p.pd_severity, "critical");
	CHECK_STR(p.title, "SEV1 Chat answers ungrounded");
	CHECK_STR(p.text, "Declared SEV1 Chat answers ungrounded by alice");
	CHECK(plan("{\"action\":\"role\",\"outcome\":\"assigned\",\"actor\":{\"user\":\"bob\"},"
		   "\"params\":{\"role\":\"commander\",\"person\":\"alice\"}}", &w, &p));
	CHECK_STR(p.pd_event, "acknowledge");
	CHECK_STR(p.text, "alice is now commander (set by bob)");
	CHECK(plan("{\"action\":\"role\",\"outcome\":\"assigned\",\"actor\":{\"user\":\"bob\"},"
		   "\"params\":{\"role\":\"scribe\",\"person\":\"carol\"}}", &w, &p));
	CHECK(p.pd_event == NULL && p.chat);
	CHECK(plan("{\"action\":\"rollback\",\"target\":\"chat\",\"outcome\":\"failed\",\"actor\":{\"user\":\"policy\"},"
		   "\"traffic\":\"a=90 b=10\",\"reason\":\"gate\",\"detail\":\"HAProxy down\"}", &w, &p));
	CHECK_STR(p.pd_event, "change");
	CHECK_STR(p.text, "rollback of chat failed (a=90 b=10, by policy): gate; HAProxy down");
	/* Not announced: intents, refusals, notes, ticks, notify lines. */
	CHECK(!plan("{\"action\":\"rollback\",\"outcome\":\"intent\",\"actor\":{\"user\":\"a\"}}", &w, &p));
	CHECK(!plan("{\"action\":\"declare\",\"outcome\":\"refused\",\"actor\":{\"user\":\"a\"}}", &w, &p));
	CHECK(!plan("{\"action\":\"note\",\"outcome\":\"noted\",\"actor\":{\"user\":\"a\"}}", &w, &p));
	CHECK(!plan("{\"action\":\"notify\",\"outcome\":\"failed\",\"actor\":{\"user\":\"a\"}}", &w, &p));
	CHECK(!plan("{}", &w, &p));
	w.severity = 3;
	CHECK(plan("{\"action\":\"severity\",\"outcome\":\"set\",\"actor\":{\"user\":\"a\"},\"reason\":\"internal only\","
		   "\"params\":{\"severity\":\"SEV3\",\"from\":\"SEV1\"}}", &w, &p));
	CHECK_STR(p.pd_severity, "warning");
	CHECK_STR(p.text, "Severity SEV1 -> SEV3 by a: internal only");
	workflow_free(&w);
}

static void test_bodies(void)
{
	struct workflow w = declared();
	struct notify_plan p;
	plan("{\"action\":\"declare\",\"outcome\":\"declared\",\"actor\":{\"user\":\"alice\"}}", &w, &p);
	char *b = notify_pd_event_body("KEY", &p, "cmdr-abc", "jump-1", "2024-09-13T17:14:03.000Z", "HEAD");
	CHECK_STR(b, "{\"routing_key\":\"KEY\",\"event_action\":\"trigger\",\"dedup_key\":\"cmdr-abc\",\"payload\":"
		     "{\"summary\":\"SEV1 Chat answers ungrounded\",\"source\":\"jump-1\",\"severity\":\"critical\","
		     "\"timestamp\":\"2024-09-13T17:14:03.000Z\",\"component\":\"cmdr\",\"custom_details\":"
		     "{\"incident\":\"SEV1 Chat answers ungrounded\",\"what\":\"Declared SEV1 Chat answers ungrounded by alice\","
		     "\"journal_head\":\"HEAD\"}},\"client\":\"cmdr\"}");
	free(b);
	b = notify_slack_body(&p, "HEAD");
	CHECK_STR(b, "{\"text\":\"[SEV1 Chat answers ungrounded] Declared SEV1 Chat answers ungrounded by alice "
		     "(journal head HEAD)\"}");
	free(b);
	b = notify_pd_change_body("KEY", &p, "cmdr", "T", "HEAD");
	CHECK_STR(b, "{\"routing_key\":\"KEY\",\"payload\":{\"summary\":\"Declared SEV1 Chat answers ungrounded by alice\","
		     "\"timestamp\":\"T\",\"source\":\"cmdr\",\"custom_details\":{\"incident\":\"SEV1 Chat answers ungrounded\","
		     "\"what\":\"Declared SEV1 Chat answers ungrounded by alice\",\"journal_head\":\"HEAD\"}}}");
	free(b);
	b = notify_teams_body(&p, "HEAD");
	CHECK(strstr(b, "\"contentType\":\"application/vnd.microsoft.card.adaptive\",\"contentUrl\":null") != NULL);
	CHECK(strstr(b, "{\"title\":\"Journal head\",\"value\":\"HEAD\"}") != NULL);
	free(b);
	workflow_free(&w);
}

static void test_answers(void)
{
	struct error err;
	char *dedup = NULL;
	const char *ok = "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"k1\"}";
	CHECK(notify_response(NOTIFY_PAGERDUTY, 202, ok, strlen(ok), &dedup, &err) == 0);
	CHECK_STR(dedup, "k1");
	free(dedup);
	const char *bad = "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":[\"x\"]}";
	CHECK(notify_response(NOTIFY_PAGERDUTY, 400, bad, strlen(bad), NULL, &err) == -1);
	CHECK_STR(err.msg, "PagerDuty: invalid event: Event object is invalid: x");
	CHECK(notify_response(NOTIFY_PAGERDUTY, 429, "", 0, NULL, &err) == 1);
	CHECK_STR(err.msg, "PagerDuty: HTTP 429 (rate limited)");
	CHECK(notify_response(NOTIFY_PAGERDUTY, 503, "<html>", 6, NULL, &err) == 1);
	/* A 202 that is not PagerDuty's shape is not a delivery. */
	CHECK(notify_response(NOTIFY_PAGERDUTY, 202, "ok", 2, NULL, &err) == -1);
	CHECK(notify_response(NOTIFY_SLACK, 200, "ok", 2, NULL, &err) == 0);
	CHECK(notify_response(NOTIFY_SLACK, 400, "invalid_payload", 15, NULL, &err) == -1);
	CHECK_STR(err.msg, "Slack: HTTP 400: invalid_payload");
	CHECK(notify_response(NOTIFY_SLACK, 410, "channel_is_archived", 19, NULL, &err) == -1);
	CHECK(notify_response(NOTIFY_TEAMS, 202, "", 0, NULL, &err) == 0);
	const char *terr = "{\"error\":{\"code\":\"x\",\"message\":\"bad \\u001b[2J card\"}}";
	CHECK(notify_response(NOTIFY_TEAMS, 400, terr, strlen(terr), NULL, &err) == -1);
	CHECK_STR(err.msg, "Teams: HTTP 400: bad ?[2J card");
	CHECK(notify_response(NOTIFY_TEAMS, 429, "", 0, NULL, &err) == 1);
}

int main(void)
{
	RUN(test_plans);
	RUN(test_bodies);
	RUN(test_answers);
	return CHECK_EXIT();
}
