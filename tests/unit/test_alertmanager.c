/* Alertmanager's API v2 pieces: URLs, the alerts answer as 0.25 sends it
 * (captured from the real server tests/cli/alertmanager.sh starts), its
 * refusals, hostile answers, silence bodies, and label matchers. */
#include "check.h"

#include "alertmanager.h"
#include "xalloc.h"

#define JSON "application/json"

static struct alert_set set;
static struct error err;

/* Two alerts on service chat: a page with a sloth_slo label, and a ticket
 * the page inhibits. */
static const char captured[] =
	"[{\"annotations\":{\"summary\":\"chat burns its budget 14x\"},\"endsAt\":\"2026-12-04T09:28:46.471Z"
	"\",\"fingerprint\":\"5086a9c4ab5b3eb6\",\"receivers\":[{\"name\":\"none\"}],\"startsAt\":\"2026-12-04T09"
	":23:46.000Z\",\"status\":{\"inhibitedBy\":[],\"silencedBy\":[],\"state\":\"active\"},\"updatedAt\":\"202"
	"6-12-04T09:23:46.471Z\",\"labels\":{\"alertname\":\"ChatErrorBudgetBurn\",\"service\":\"chat\",\"sever"
	"ity\":\"page\",\"sloth_slo\":\"chat-availability\"}},{\"annotations\":{\"summary\":\"p99 high\"},\"endsA"
	"t\":\"2026-12-04T09:28:46.471Z\",\"fingerprint\":\"721cf7e0d746c410\",\"receivers\":[{\"name\":\"none\""
	"}],\"startsAt\":\"2026-12-04T09:23:46.471Z\",\"status\":{\"inhibitedBy\":[\"5086a9c4ab5b3eb6\"],\"sil"
	"encedBy\":[],\"state\":\"suppressed\"},\"updatedAt\":\"2026-12-04T09:23:46.471Z\",\"labels\":{\"alertn"
	"ame\":\"ChatLatency\",\"service\":\"chat\",\"severity\":\"ticket\"}}]";

static int parse(long status, const char *ct, const char *body)
{
	return am_parse_alerts(status, ct, body, strlen(body), &set, &err);
}

static const char *fails(long status, const char *ct, const char *body)
{
	if (parse(status, ct, body) == 0) {
		alert_set_free(&set);
		return "(parsed)";
	}
	CHECK(set.n == 0 && set.alerts == NULL);
	return err.msg;
}

static void test_urls(void)
{
	char *f[] = { "service=\"chat\"", "severity=~\"page|critical\"" };
	char *u = am_alerts_url("http://am:9093/", f, 2);
	CHECK_STR(u, "http://am:9093/api/v2/alerts?active=true&silenced=true&inhibited=true"
		     "&filter=service%3D%22chat%22&filter=severity%3D~%22page%7Ccritical%22");
	free(u);
	u = am_silences_url("https://h/am");
	CHECK_STR(u, "https://h/am/api/v2/silences");
	free(u);
	u = am_silence_url("http://h", "cabe4741-8bb2-4aeb-b9ad-e93b59aa3ac5");
	CHECK_STR(u, "http://h/api/v2/silence/cabe4741-8bb2-4aeb-b9ad-e93b59aa3ac5");
	free(u);
}

static void test_captured(void)
{
	CHECK(parse(200, JSON, captured) == 0);
	CHECK(set.n == 2 && set.left_out == 0 && set.labels_left_out == 0);
	const struct alert *a = &set.alerts[0], *b = &set.alerts[1];
	CHECK_STR(alert_label(a, "alertname"), "ChatErrorBudgetBurn");
	CHECK_STR(alert_slo(a), "chat-availability");
	CHECK_STR(a->summary, "chat burns its budget 14x");
	CHECK_STR(alert_state_name(a), "active");
	CHECK(a->starts_ms == 1796376226000LL);
	CHECK_STR(alert_state_name(b), "inhibited");
	CHECK(b->n_inhibited_by == 1 && strcmp(b->inhibited_by[0], "5086a9c4ab5b3eb6") == 0);
	CHECK(alert_slo(b) == NULL);
	alert_set_free(&set);
}

static void test_refusals(void)
{
	CHECK_STR(fails(400, JSON, "\"matcher value contains unescaped double quote: \\\"chat\""),
		  "HTTP 400: matcher value contains unescaped double quote: \"chat");
	CHECK_STR(fails(422, JSON, "{\"code\":601,\"message\":\"silenceID in path must be of type uuid\"}"),
		  "HTTP 422: silenceID in path must be of type uuid");
	CHECK_STR(fails(502, "text/html", "<html>\n<b>Bad gateway</b>"), "HTTP 502: <html> <b>Bad gateway</b>");
	CHECK_STR(fails(200, "text/html", "[]"), "expected application/json, got text/html");
	CHECK_STR(fails(200, JSON, "[{]"), "invalid JSON at byte 2 (of 3)");
}

static void test_wrong_types(void)
{
	CHECK_STR(fails(200, JSON, "{\"alerts\":[]}"), "unexpected response: $ is not an array of alerts");
	CHECK_STR(fails(200, JSON, "[7]"), "unexpected response: $[0] is not an object");
	CHECK_STR(fails(200, JSON, "[{\"labels\":[],\"status\":{\"state\":\"active\"}}]"),
		  "unexpected response: $[0].labels is missing or not an object");
	CHECK_STR(fails(200, JSON, "[{\"labels\":{\"a\":1},\"status\":{\"state\":\"active\"}}]"),
		  "unexpected response: $[0].labels.a is not a string");
	CHECK_STR(fails(200, JSON, "[{\"labels\":{},\"status\":{\"state\":3}}]"),
		  "unexpected response: $[0].status.state is missing or not a string");
	CHECK_STR(fails(200, JSON, "[{\"labels\":{},\"status\":{\"state\":\"active\",\"silencedBy\":{}}}]"),
		  "unexpected response: $[0].status.silencedBy is not an array");
	CHECK_STR(fails(200, JSON, "[{\"labels\":{},\"status\":{\"state\":\"active\"},\"annotations\":{\"summary\":[]}}]"),
		  "unexpected response: $[0].annotations.summary is not a string");
	/* A bad start time is an unknown age, not a refusal. */
	CHECK(parse(200, JSON, "[{\"labels\":{},\"status\":{\"state\":\"x\"},\"startsAt\":\"yesterday\"}]") == 0);
	CHECK(set.n == 1 && set.alerts[0].starts_ms == 0 && set.alerts[0].state == ALERT_UNPROCESSED);
	alert_set_free(&set);
}

/* 10,000 alerts of 100 labels each: the first ALERT_MAX_KEPT are kept,
 * each with ALERT_MAX_LABELS labels, and the rest counted. */
static void test_hostile_sizes(void)
{
	size_t cap = 1 << 20, len = 0;
	char *body = xmalloc(cap);
	body[len++] = '[';
	for (int i = 0; i < 10000; i++) {
		xgrow(&body, &cap, len + 4096, 1);
		len += (size_t)sprintf(body + len, "%s{\"labels\":{", i ? "," : "");
		for (int k = 0; k < 100; k++)
			len += (size_t)sprintf(body + len, "%s\"l%d\":\"v%d\"", k ? "," : "", k, i);
		len += (size_t)sprintf(body + len, "},\"status\":{\"state\":\"active\"}}");
	}
	body[len++] = ']';
	CHECK(am_parse_alerts(200, JSON, body, len, &set, &err) == 0);
	CHECK(set.n == ALERT_MAX_KEPT && set.left_out == 10000 - ALERT_MAX_KEPT);
	CHECK(set.alerts[0].n_labels == ALERT_MAX_LABELS);
	CHECK(set.labels_left_out == (size_t)ALERT_MAX_KEPT * (100 - ALERT_MAX_LABELS));
	alert_set_free(&set);
	free(body);
}

static void test_silences(void)
{
	struct alert_matcher m[2];
	CHECK(alert_matcher_parse("alertname=\"ChatLatency\"", &m[0], &err) == 0);
	CHECK(alert_matcher_parse("service=~\"ch.*\"", &m[1], &err) == 0);
	struct am_silence s = { .matchers = m, .n_matchers = 2, .starts_ms = 1796376240000LL,
				.ends_ms = 1796376240000LL + 3600000, .created_by = "ann", .comment = "noisy \"p99\"" };
	char *body = am_silence_body(&s);
	CHECK_STR(body, "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"ChatLatency\",\"isRegex\":false,"
			"\"isEqual\":true},{\"name\":\"service\",\"value\":\"ch.*\",\"isRegex\":true,\"isEqual\":true}],"
			"\"startsAt\":\"2026-12-04T09:24:00.000Z\",\"endsAt\":\"2026-12-04T10:24:00.000Z\","
			"\"createdBy\":\"ann\",\"comment\":\"noisy \\\"p99\\\"\"}");
	free(body);
	s.id = "cabe4741";
	body = am_silence_body(&s);
	CHECK(strncmp(body, "{\"id\":\"cabe4741\",\"matchers\"", 27) == 0);
	free(body);
	alert_matcher_free(&m[0]);
	alert_matcher_free(&m[1]);

	char *id;
	const char *ok = "{\"silenceID\":\"cabe4741-8bb2-4aeb-b9ad-e93b59aa3ac5\"}";
	CHECK(am_parse_silence_id(200, JSON, ok, strlen(ok), &id, &err) == 0);
	CHECK_STR(id, "cabe4741-8bb2-4aeb-b9ad-e93b59aa3ac5");
	free(id);
	const char *no = "\"Failed to create silence: start time must be before end time\"";
	CHECK(am_parse_silence_id(400, JSON, no, strlen(no), &id, &err) == -1 && id == NULL);
	CHECK_STR(err.msg, "HTTP 400: Failed to create silence: start time must be before end time");
	CHECK(am_parse_silence_id(200, JSON, "{}", 2, &id, &err) == -1);
	CHECK_STR(err.msg, "unexpected response: $.silenceID is missing or not an id");
	CHECK(am_parse_expire(200, "", 0, &err) == 0);
	CHECK(am_parse_expire(500, "oops", 4, &err) == -1);
	CHECK_STR(err.msg, "HTTP 500: oops");
}

static void test_matchers(void)
{
	struct alert_matcher m;
	char *names[] = { "alertname", "service" }, *values[] = { "ChatLatency", "chat" };
	struct alert a = { .names = names, .values = values, .n_labels = 2 };
	static const struct {
		const char *text, *formatted;
		bool hit;
	} cases[] = {
		{ "alertname=\"ChatLatency\"", "alertname=\"ChatLatency\"", true },
		{ "alertname=ChatLatency", "alertname=\"ChatLatency\"", true },
		{ "service!=\"chat\"", "service!=\"chat\"", false },
		{ "service=~\"ch\"", "service=~\"ch\"", false }, /* anchored */
		{ "service=~\"ch.*|x\"", "service=~\"ch.*|x\"", true },
		{ "service!~\"c.*\"", "service!~\"c.*\"", false },
		{ "team=\"\"", "team=\"\"", true }, /* absent is empty */
		{ "a=\"q\\\"x\"", "a=\"q\\\"x\"", false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK(alert_matcher_parse(cases[i].text, &m, &err) == 0);
		char *f = alert_matcher_format(&m);
		CHECK_STR(f, cases[i].formatted);
		CHECK(alert_matcher_match(&m, &a) == cases[i].hit);
		free(f);
		alert_matcher_free(&m);
	}
	CHECK(alert_matcher_parse("=x", &m, &err) == -1);
	CHECK(alert_matcher_parse("a<b", &m, &err) == -1);
	CHECK_STR(err.msg, "expected = != =~ or !~ after the label name in a matcher");
	CHECK(alert_matcher_parse("a=~\"[\"", &m, &err) == -1);
	CHECK(strncmp(err.msg, "bad regex in a matcher: ", 24) == 0);
}

int main(void)
{
	RUN(test_urls);
	RUN(test_captured);
	RUN(test_refusals);
	RUN(test_wrong_types);
	RUN(test_hostile_sizes);
	RUN(test_silences);
	RUN(test_matchers);
	return check_total_failed ? 1 : 0;
}
