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

/* By value: what cmdr loaded, wherever a service echoes it, in any form. */
static void test_secret_values(void)
{
	CHECK_STR(red("credential s3cr3tT0k3nValue123 rejected"), "credential s3cr3tT0k3nValue123 rejected");
	redact_add_secret("s3cr3tT0k3nValue123");
	CHECK(redact_needed("credential s3cr3tT0k3nValue123 rejected"));
	CHECK_STR(red("credential s3cr3tT0k3nValue123 rejected, s3cr3tT0k3nValue123!"),
		  "credential [REDACTED] rejected, [REDACTED]!");
	/* URL-encoded, as a form or query string carries it. */
	redact_add_secret("p@ss/w0rd+x");
	CHECK_STR(red("client_id=a&cs=p%40ss%2Fw0rd%2Bx&x"), "client_id=a&cs=[REDACTED]&x");
	/* A webhook URL, whole or its path alone. */
	redact_add_secret("https://hooks.slack.com/services/T0001/B0002/XyZsecretPath");
	CHECK_STR(red("POST https://hooks.slack.com/services/T0001/B0002/XyZsecretPath: 404"), "POST [REDACTED]: 404");
	CHECK_STR(red("no_service at /services/T0001/B0002/XyZsecretPath"), "no_service at [REDACTED]");
	/* Short values would blank ordinary words: not registered. */
	redact_add_secret("admin");
	CHECK_STR(red("admin panel"), "admin panel");
	/* redact_secrets leaves the patterns alone. */
	char *only = redact_secrets("ops@example.com s3cr3tT0k3nValue123");
	CHECK_STR(only, "ops@example.com [REDACTED]");
	free(only);
}

int main(void)
{
	RUN(test_builtin_patterns);
	RUN(test_plain_text_untouched);
	RUN(test_invalid_utf8_still_redacted);
	RUN(test_json_tree);
	RUN(test_added_pattern);
	RUN(test_secret_values);
	free(r);
	return CHECK_EXIT();
}
