/* A command target's read output (core/readers/cmdread.c): the forms it takes,
 * and clear, safe messages for everything else. */
#include "check.h"
#include "cmdread.h"

static int parse(const char *text, struct target_view *v, struct error *err)
{
	return cmdread_parse(text, strlen(text), v, err);
}

static void pairs(void)
{
	struct target_view v;
	struct error err = { 0 };
	CHECK(parse("d-1427=90 d-1428=10\n", &v, &err) == 0);
	CHECK(v.n == 2);
	if (v.n == 2) {
		CHECK_STR(v.deployments[0].name, "d-1427");
		CHECK(v.deployments[0].traffic == 90);
		CHECK_STR(v.deployments[1].name, "d-1428");
		CHECK(v.deployments[1].traffic == 10);
	}
	target_view_free(&v);
	CHECK(parse("\n  blue=0\r\n\tgreen=100\n", &v, &err) == 0);
	CHECK(v.n == 2 && v.deployments[1].traffic == 100);
	target_view_free(&v);
}

static void json_objects(void)
{
	struct target_view v;
	struct error err = { 0 };
	CHECK(parse("{\"d-1427\": 100, \"d-1428\": 0}", &v, &err) == 0);
	CHECK(v.n == 2 && v.deployments[0].traffic == 100 && v.state == NULL);
	target_view_free(&v);
	/* az ml online-endpoint show -o json, as it prints it. */
	const char *az = "{\n  \"auth_mode\": \"key\",\n  \"mirror_traffic\": {},\n  \"name\": \"chat\",\n"
			 "  \"provisioning_state\": \"Succeeded\",\n  \"tags\": {\"team\": \"ml\"},\n"
			 "  \"traffic\": {\n    \"d-1427\": 95,\n    \"d-1428\": 5\n  }\n}\n";
	CHECK(parse(az, &v, &err) == 0);
	CHECK(v.n == 2 && v.deployments[1].traffic == 5);
	CHECK_STR(v.state, "Succeeded");
	target_view_free(&v);
	/* A new endpoint serves nothing yet. */
	CHECK(parse("{\"traffic\": {}}", &v, &err) == 0);
	CHECK(v.n == 0);
	target_view_free(&v);
}

static void bad_output(void)
{
	struct target_view v;
	struct error err = { 0 };
	CHECK(parse("", &v, &err) == -1);
	CHECK(strstr(err.msg, "read command printed nothing") == err.msg);
	CHECK(v.n == 0 && v.deployments == NULL);
	CHECK(parse("hello world \033[31m red\n", &v, &err) == -1);
	CHECK_STR(err.msg, "read command printed \"hello world ?[31m red\" (expected name=percent pairs or a JSON "
			   "object of name to percent)");
	CHECK(parse("a=50 b=150", &v, &err) == -1);
	CHECK_STR(err.msg, "read command printed \"b=150\": a percent is a whole number from 0 to 100");
	CHECK(parse("a=50 b=-1", &v, &err) == -1);
	CHECK(parse("a=50 =50", &v, &err) == -1);
	CHECK(parse("a=50 a=50", &v, &err) == -1);
	CHECK_STR(err.msg, "read command output names deployment \"a\" twice");
	CHECK(parse("a=50 b=30", &v, &err) == -1);
	CHECK_STR(err.msg, "read command printed traffic adding up to 80%, not 100%");
	CHECK(parse("{\"a\": 50.5, \"b\": 49.5}", &v, &err) == -1);
	CHECK(strstr(err.msg, "a bad percent") != NULL);
	CHECK(parse("{\"a\": \"100\"}", &v, &err) == -1);
	CHECK(parse("{\"traffic\": [1]}", &v, &err) == -1);
	CHECK(parse("{\"a\": 100", &v, &err) == -1);
	CHECK(strstr(err.msg, "no JSON object") != NULL);
	CHECK(parse("{\"a b\": 100}", &v, &err) == -1);
	CHECK(parse("{\"a\\u0007\": 100}", &v, &err) == -1);
	CHECK(parse("\xff\xfe=100", &v, &err) == -1);
	CHECK(parse("a=100\0b=0", &v, &err) == 0); /* strlen: stops at the NUL */
	target_view_free(&v);
	CHECK(cmdread_parse("a=100\0b=0", 9, &v, &err) == -1);
}

static void secrets_are_not_quoted(void)
{
	struct target_view v;
	struct error err = { 0 };
	CHECK(parse("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc\n", &v, &err) == -1);
	CHECK(strstr(err.msg, "eyJ") == NULL);
	CHECK(strstr(err.msg, "[REDACTED]") != NULL);
	CHECK(parse("password=hunter2", &v, &err) == -1);
	CHECK(strstr(err.msg, "hunter2") == NULL);
}

static void long_output_is_cut(void)
{
	char big[4096];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	struct target_view v;
	struct error err = { 0 };
	CHECK(parse(big, &v, &err) == -1);
	CHECK(strlen(err.msg) < 200);
	CHECK(strstr(err.msg, "xxx...\"") != NULL);
}

int main(void)
{
	RUN(pairs);
	RUN(json_objects);
	RUN(bad_output);
	RUN(secrets_are_not_quoted);
	RUN(long_output_is_cut);
	return CHECK_EXIT();
}
