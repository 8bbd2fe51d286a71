/* Redaction: secrets in reasons, error messages and URLs never survive. */
#include "check.h"
#include "redact.h"

static char *r;

static const char *red(const char *s)
{
	free(r);
	r = redact_text(s);
	return r;
}

static void test_builtin_patterns(void)
{
	CHECK_STR(red("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefgh"),
		  "Authorization: Bearer [REDACTED]");
	CHECK_STR(red("GET https://ops:hunter2@prom.example.net/api failed"),
		  "GET https://ops:[REDACTED]@prom.example.net/api failed");
	CHECK_STR(red("password=hunter2 and api_key: \"abc123def\""),
		  "password=[REDACTED] and api_key: \"[REDACTED]\"");
	CHECK_STR(red("?sv=2022&sig=AbCdEf%2BgH&se=1"), "?sv=2022&sig=[REDACTED]&se=1");
	CHECK_STR(red("key AKIAIOSFODNN7EXAMPLE used"), "key [REDACTED] used");
	CHECK_STR(red("token ghp_0123456789abcdefghijABCDEFGHIJ012345"), "token [REDACTED]");
	CHECK_STR(red("ping alice.smith@example.com now"), "ping [email] now");
}

static void test_plain_text_untouched(void)
{
	const char *plain = "canary gate on d-1428: multi_hop groundedness 2.66 < 2.85 (n=11)";
	CHECK_STR(red(plain), plain);
	CHECK(!redact_needed(plain));
	CHECK(redact_needed("password: x"));
	CHECK_STR(red(""), "");
}

static void test_invalid_utf8_still_redacted(void)
{
	CHECK_STR(red("\xff password=hunter2 \xfe"), "\xff password=[REDACTED] \xfe");
}

static void test_json_tree(void)
{
	cJSON *o = cJSON_Parse("{\"reason\":\"token=s3cr3t\",\"params\":{\"url\":\"https://a:b@c.io/x\"},"
			       "\"list\":[\"bearer abcdefghijk\"],\"n\":3}");
	redact_json(o);
	char *text = cJSON_PrintUnformatted(o);
	CHECK_STR(text, "{\"reason\":\"token=[REDACTED]\",\"params\":{\"url\":\"https://a:[REDACTED]@c.io/x\"},"
			"\"list\":[\"bearer [REDACTED]\"],\"n\":3}");
	cJSON_free(text);
	cJSON_Delete(o);
}

static void test_added_pattern(void)
{
	struct error err;
	CHECK(redact_add_pattern("(", "x", &err) == -1);
	CHECK(strstr(err.msg, "offset 1") != NULL);
	CHECK(redact_add_pattern("\\bcust-[0-9]{6}\\b", "[customer]", &err) == 0);
	CHECK_STR(red("ticket for cust-123456"), "ticket for [customer]");
}

int main(void)
{
	RUN(test_builtin_patterns);
	RUN(test_plain_text_untouched);
	RUN(test_invalid_utf8_still_redacted);
	RUN(test_json_tree);
	RUN(test_added_pattern);
	free(r);
	return CHECK_EXIT();
}
