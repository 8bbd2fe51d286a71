/* The message pieces both JSON parsers share: quoting, paths, syntax
 * errors. The parsers' own tests check whole messages; these pin the
 * edges (cuts, tiny buffers, the two newline styles). */
#include <cjson/cJSON.h>

#include "check.h"
#include "jsonmsg.h"

static void test_quote(void)
{
	char buf[96];
	jsonmsg_quote("a\"b\\c\x1b\xc3\xa9", 40, JSONMSG_NEWLINE_HEX, buf, sizeof buf);
	CHECK_STR(buf, "\"a\\\"b\\\\c\\x1b\\xc3\\xa9\"");
	jsonmsg_quote("a\nb", 40, JSONMSG_NEWLINE_HEX, buf, sizeof buf);
	CHECK_STR(buf, "\"a\\x0ab\"");
	jsonmsg_quote("a\nb", 40, JSONMSG_NEWLINE_N, buf, sizeof buf);
	CHECK_STR(buf, "\"a\\nb\"");
	jsonmsg_quote("abcdefgh", 4, JSONMSG_NEWLINE_N, buf, sizeof buf);
	CHECK_STR(buf, "\"abcd...\"");
	/* Cut to fit the buffer, still closed. */
	jsonmsg_quote("abcdefgh", 40, JSONMSG_NEWLINE_N, buf, 8);
	CHECK_STR(buf, "\"abcde\"");
	jsonmsg_quote("abcdefgh", 40, JSONMSG_NEWLINE_N, buf, 7);
	CHECK_STR(buf, "");
}

static void test_describe(void)
{
	char buf[96];
	cJSON *v = cJSON_Parse("[\"x\\ny\", 1.5, true, false, null, [], {}]");
	static const char *const want[] = { "\"x\\x0ay\"", "1.5", "true", "false", "null", "an array",
					    "an object" };
	int i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		jsonmsg_describe(e, JSONMSG_NEWLINE_HEX, buf, sizeof buf);
		CHECK_STR(buf, want[i]);
	}
	CHECK(i == 7);
	jsonmsg_describe(v->child, JSONMSG_NEWLINE_N, buf, sizeof buf);
	CHECK_STR(buf, "\"x\\ny\"");
	jsonmsg_describe(NULL, JSONMSG_NEWLINE_N, buf, sizeof buf);
	CHECK_STR(buf, "nothing");
	cJSON_Delete(v);
}

static void test_path(void)
{
	struct jsonmsg_path path;
	jsonmsg_path_init(&path, JSONMSG_NEWLINE_N);
	CHECK_STR(path.text, "$");
	size_t top = jsonmsg_path_key(&path, "canaries");
	jsonmsg_path_index(&path, 0);
	size_t mid = jsonmsg_path_key(&path, "windows");
	jsonmsg_path_index(&path, 2);
	jsonmsg_path_key(&path, "at");
	CHECK_STR(path.text, "$.canaries[0].windows[2].at");
	jsonmsg_path_pop(&path, mid);
	jsonmsg_path_key(&path, "d-1428");
	CHECK_STR(path.text, "$.canaries[0][\"d-1428\"]");
	jsonmsg_path_pop(&path, top);
	CHECK_STR(path.text, "$");
	jsonmsg_path_key(&path, "a\nb");
	CHECK_STR(path.text, "$[\"a\\nb\"]");

	jsonmsg_path_init(&path, JSONMSG_NEWLINE_HEX);
	jsonmsg_path_key(&path, "roles");
	jsonmsg_path_key(&path, "a b\n");
	CHECK_STR(path.text, "$.roles[\"a b\\x0a\"]");
	/* Identifiers of 40 characters or more are quoted and cut. */
	jsonmsg_path_init(&path, JSONMSG_NEWLINE_HEX);
	jsonmsg_path_key(&path, "abcdefghijabcdefghijabcdefghijabcdefghij_");
	CHECK_STR(path.text, "$[\"abcdefghijabcdefghijabcdefghijabcdefghij...\"]");

	/* A path too long for its buffer is cut, never overrun. */
	jsonmsg_path_init(&path, JSONMSG_NEWLINE_N);
	for (size_t i = 0; i < 100; i++)
		jsonmsg_path_index(&path, 1000000 + i);
	CHECK(path.len == sizeof path.text - 1);
	CHECK(strlen(path.text) == path.len);
}

static void test_key_path(void)
{
	char buf[96];
	jsonmsg_key_path("bob", JSONMSG_NEWLINE_HEX, buf, sizeof buf);
	CHECK_STR(buf, ".bob");
	jsonmsg_key_path("bob.smith", JSONMSG_NEWLINE_HEX, buf, sizeof buf);
	CHECK_STR(buf, "[\"bob.smith\"]");
	jsonmsg_key_path("*", JSONMSG_NEWLINE_HEX, buf, sizeof buf);
	CHECK_STR(buf, "[\"*\"]");
	jsonmsg_key_path("9lives", JSONMSG_NEWLINE_HEX, buf, sizeof buf);
	CHECK_STR(buf, "[\"9lives\"]");
}

static void check_syntax(const char *text, const char *at, const char *want)
{
	char *msg = jsonmsg_syntax_error(text, strlen(text), "f.json", at);
	CHECK_STR(msg, want);
	free(msg);
}

static void test_syntax_error(void)
{
	const char *t = "{\n  \"a\": tru\n}";
	check_syntax(t, strstr(t, "tru"), "f.json:2:8: JSON syntax error near \"tru\"");
	/* Stopped on the whitespace after the token: the token is reported. */
	t = "{\n  \"a\": 1,,\n}";
	check_syntax(t, strstr(t, ",\n") + 1, "f.json:2:10: JSON syntax error near \",\"");
	/* Columns count characters, not bytes. */
	t = "{\"\xc3\xa9\xc3\xa9\": x}";
	check_syntax(t, strchr(t, 'x'), "f.json:1:8: JSON syntax error near \"x}\"");
	t = "{\"a\": ";
	check_syntax(t, t + strlen(t), "f.json:1:7: JSON syntax error: unexpected end of input");
	check_syntax("", NULL, "f.json:1:1: JSON syntax error: unexpected end of input");
	check_syntax("x\x01yyyyyyyyyyyyyyyyyyyyyyyyyyy", NULL,
		     "f.json:1:1: JSON syntax error near \"x\\x01yyyyyyyyyyyyyy...\"");
}

/* Any JSON number as a seq or a count: out of range is 0, never a cast
 * the C standard leaves undefined (a fuzzed journal line found one). */
static void test_uint(void)
{
	cJSON *o = cJSON_Parse("{\"a\": 42, \"big\": 1e300, \"neg\": -5, \"frac\": 2.5, \"s\": \"7\","
			       " \"edge\": 18446744073709551616, \"max\": 2147483647}");
	CHECK(jsonmsg_uint(o, "a", UINT64_MAX) == 42);
	CHECK(jsonmsg_uint(o, "big", UINT64_MAX) == 0);
	CHECK(jsonmsg_uint(o, "neg", UINT64_MAX) == 0);
	CHECK(jsonmsg_uint(o, "frac", UINT64_MAX) == 2);
	CHECK(jsonmsg_uint(o, "s", UINT64_MAX) == 0);
	CHECK(jsonmsg_uint(o, "edge", UINT64_MAX) == 0);
	CHECK(jsonmsg_uint(o, "max", 2147483647) == 2147483647);
	CHECK(jsonmsg_uint(o, "a", 10) == 0);
	CHECK(jsonmsg_uint(o, "missing", UINT64_MAX) == 0);
	CHECK(jsonmsg_uint(NULL, "a", UINT64_MAX) == 0);
	cJSON_Delete(o);
}

static void test_strings(void)
{
	char *v[] = { "b", "a", "b" };
	cJSON *a = jsonmsg_strings(v, 3);
	char *text = cJSON_PrintUnformatted(a);
	CHECK(strcmp(text, "[\"b\",\"a\",\"b\"]") == 0);
	free(text);
	cJSON_Delete(a);
	a = jsonmsg_strings(NULL, 0); /* empty, never missing */
	CHECK(cJSON_IsArray(a) && cJSON_GetArraySize(a) == 0);
	cJSON_Delete(a);
}

int main(void)
{
	RUN(test_quote);
	RUN(test_describe);
	RUN(test_path);
	RUN(test_key_path);
	RUN(test_syntax_error);
	RUN(test_uint);
	RUN(test_strings);
	return CHECK_EXIT();
}
