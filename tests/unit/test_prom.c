/* The Prometheus API client pieces: URLs, placeholders, durations, and
 * responses as Prometheus 2.42 sends them (bodies captured from the real
 * server the integration test starts), errors included. */
#include "check.h"

#include <math.h>

#include "prom.h"

#define JSON "application/json"

static struct prom_result r;
static struct error err;

static int parse(long status, const char *ct, const char *body)
{
	return prom_parse(status, ct, body, strlen(body), &r, &err);
}

static void test_urls(void)
{
	char *u = prom_query_url("http://127.0.0.1:9090/", "sum(rate(x{a=\"b c\"}[5m]))", 1767484800123);
	CHECK_STR(u, "http://127.0.0.1:9090/api/v1/query?query=sum%28rate%28x%7Ba%3D%22b%20c%22%7D%5B5m%5D%29%29"
		     "&time=1767484800.123");
	free(u);
	u = prom_query_url("https://mimir.example/prometheus", "up", 5);
	CHECK_STR(u, "https://mimir.example/prometheus/api/v1/query?query=up&time=0.005");
	free(u);
	u = prom_range_url("http://h", "up", 0, 45 * 60000, 5 * 60000, &err);
	CHECK_STR(u, "http://h/api/v1/query_range?query=up&start=0.000&end=2700.000&step=300.000");
	free(u);
	/* 11,000 points is the server's limit; one more is refused here. */
	u = prom_range_url("http://h", "up", 0, 10999000, 1000, &err);
	CHECK(u != NULL);
	free(u);
	CHECK(prom_range_url("http://h", "up", 0, 11000000, 1000, &err) == NULL);
	CHECK_STR(err.msg, "a range query of 11001 points is over Prometheus's limit of 11000");
	CHECK(prom_range_url("http://h", "up", 10, 0, 1000, &err) == NULL);
	CHECK(prom_range_url("http://h", "up", 0, 10, 0, &err) == NULL);
}

static void test_expand(void)
{
	const char *names[] = { "window", "deployment" };
	const char *values[] = { "5m", "d-1428" };
	char *q = prom_expand("sum(increase(x{d=\"{{deployment}}\"}[{{window}}])) / {{window}}", names, values, 2, &err);
	CHECK_STR(q, "sum(increase(x{d=\"d-1428\"}[5m])) / 5m");
	free(q);
	q = prom_expand("no placeholders", names, values, 2, &err);
	CHECK_STR(q, "no placeholders");
	free(q);
	CHECK(prom_expand("x[{{windw}}]", names, values, 2, &err) == NULL);
	CHECK_STR(err.msg, "unknown placeholder {{windw}} in a query");
	CHECK(prom_expand("x[{{window]", names, values, 2, &err) == NULL);
	CHECK_STR(err.msg, "\"{{\" without \"}}\" in a query");
}

static void test_duration(void)
{
	char b[32];
	prom_duration(5 * 60000, b, sizeof b);
	CHECK_STR(b, "5m");
	prom_duration(3600000, b, sizeof b);
	CHECK_STR(b, "1h");
	prom_duration(86400000, b, sizeof b);
	CHECK_STR(b, "1d");
	prom_duration(3 * 86400000LL, b, sizeof b);
	CHECK_STR(b, "3d");
	prom_duration(30 * 86400000LL, b, sizeof b);
	CHECK_STR(b, "30d");
	prom_duration(28 * 86400000LL, b, sizeof b);
	CHECK_STR(b, "4w");
	prom_duration(90000, b, sizeof b);
	CHECK_STR(b, "90s");
	prom_duration(1500, b, sizeof b);
	CHECK_STR(b, "1500ms");
}

static void test_vector(void)
{
	CHECK(parse(200, JSON,
		    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
		    "{\"metric\":{\"class\":\"multi_hop\",\"deployment\":\"d-2\"},\"value\":[1767484980.5,\"2.78\"]},"
		    "{\"metric\":{\"class\":\"factual\"},\"value\":[1767484980.5,\"2.95\"]}]}}") == 0);
	CHECK(r.type == PROM_VECTOR);
	CHECK(r.n_series == 2);
	CHECK_STR(prom_label(&r.series[0], "class"), "multi_hop");
	CHECK(prom_label(&r.series[0], "job") == NULL);
	CHECK_NEAR(r.series[0].v[0], 2.78, 1e-12);
	CHECK(r.series[0].t_ms[0] == 1767484980500);
	double v;
	CHECK(!prom_single_value(&r, &v)); /* two series: not one number */
	CHECK(r.warnings == NULL);
	prom_result_free(&r);

	CHECK(parse(200, "application/json; charset=utf-8",
		    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
		    "\"value\":[1,\"3618\"]}]},\"warnings\":[\"a\",\"b\"]}") == 0);
	CHECK(prom_single_value(&r, &v) && v == 3618);
	CHECK_STR(r.warnings, "a; b");
	prom_result_free(&r);

	/* Empty: no data, never 0. */
	CHECK(parse(200, JSON, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}") == 0);
	CHECK(!prom_single_value(&r, &v));
	prom_result_free(&r);
}

static void test_special_values(void)
{
	const char *cases[] = { "NaN", "+Inf", "-Inf" };
	for (int i = 0; i < 3; i++) {
		char body[256];
		snprintf(body, sizeof body,
			 "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"%s\"]}}", cases[i]);
		CHECK(parse(200, JSON, body) == 0);
		double v = 0;
		CHECK(prom_single_value(&r, &v));
		CHECK(!isfinite(v));
		CHECK(i != 2 || v < 0);
		prom_result_free(&r);
	}
}

static void test_matrix(void)
{
	CHECK(parse(200, JSON,
		    "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
		    "\"values\":[[0,\"0.001\"],[300,\"0.2\"],[600,\"NaN\"]]}]}}") == 0);
	CHECK(r.type == PROM_MATRIX && r.n_series == 1 && r.series[0].n_points == 3);
	CHECK(r.series[0].t_ms[1] == 300000);
	CHECK_NEAR(r.series[0].v[1], 0.2, 1e-12);
	CHECK(isnan(r.series[0].v[2]));
	double v;
	CHECK(!prom_single_value(&r, &v));
	prom_result_free(&r);
}

/* err.msg after a parse that must fail. */
static const char *fails(long status, const char *ct, const char *body)
{
	if (parse(status, ct, body) == 0) {
		prom_result_free(&r);
		return "(parsed)";
	}
	return err.msg;
}

static void test_errors(void)
{
	/* Prometheus 2.42's own words, with 400 and 422. */
	CHECK_STR(fails(400, JSON,
			"{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:22: parse error: unclosed left "
			"parenthesis\"}"),
		  "Prometheus bad_data: 1:22: parse error: unclosed left parenthesis");
	CHECK_STR(fails(422, JSON,
			"{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"query processing would load too "
			"many samples into memory in query execution\"}"),
		  "Prometheus execution: query processing would load too many samples into memory in query "
		  "execution");
	CHECK_STR(fails(503, JSON, "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"TSDB not ready\"}"),
		  "Prometheus unavailable: TSDB not ready");
	/* A terminal escape in the message does not survive. */
	const char *m = fails(400, JSON, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"a\\u001b]0;x\\u0007b\"}");
	CHECK(strchr(m, 0x1b) == NULL && strchr(m, 0x07) == NULL);
	CHECK_STR(fails(502, "text/html", "<html>Bad Gateway</html>"), "HTTP 502: <html>Bad Gateway</html>");
	CHECK_STR(fails(500, NULL, ""), "HTTP 500: (empty body)");
	CHECK_STR(fails(200, "text/html", "<html>login</html>"), "expected application/json, got text/html");
	CHECK_STR(fails(200, JSON, "{\"status\":\"success\",\"data\":{\"resultType\":\"vec"),
		  "invalid JSON at byte 42 (of 45)");
	CHECK_STR(fails(200, JSON, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":{\"a\":1}}}"),
		  "unexpected response: $.data.result is not an array");
	CHECK_STR(fails(200, JSON,
			"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
			"\"value\":[1,\"1\"]},{\"metric\":{},\"value\":[1]}]}}"),
		  "unexpected response: $.data.result[1].value is not a [time, value] pair");
	CHECK_STR(fails(200, JSON,
			"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
			"\"value\":[1,\"lots\"]}]}}"),
		  "unexpected response: $.data.result[0].value has a value that is not a number");
	CHECK_STR(fails(200, JSON, "{\"data\":{}}"), "unexpected response: $.status is not \"success\"");
	CHECK_STR(fails(200, JSON, "{\"status\":\"success\"}"), "unexpected response: $.data is missing or not an object");
	CHECK_STR(fails(200, JSON, "{\"status\":\"success\",\"data\":{\"resultType\":\"histogram\",\"result\":[]}}"),
		  "unexpected response: $.data.resultType is not vector, matrix, scalar or string");
	CHECK_STR(fails(200, JSON, "[1,2]"), "unexpected response: $.status is not \"success\"");
}

int main(void)
{
	RUN(test_urls);
	RUN(test_expand);
	RUN(test_duration);
	RUN(test_vector);
	RUN(test_special_values);
	RUN(test_matrix);
	RUN(test_errors);
	return check_total_failed ? 1 : 0;
}
