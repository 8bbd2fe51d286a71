/* Text from outside is made safe to draw: no escape, control or invalid
 * UTF-8 byte survives; valid UTF-8 does. */
#include "check.h"
#include "sanitize.h"

static const char *clean(const char *s)
{
	static char buf[256];
	sanitize_text(s, buf, sizeof buf);
	return buf;
}

static void test_plain_and_utf8_kept(void)
{
	CHECK_STR(clean("d-1428 multi_hop"), "d-1428 multi_hop");
	CHECK_STR(clean("caf\xc3\xa9 \xe2\x96\x81 \xf0\x9f\x94\xa5"), "caf\xc3\xa9 \xe2\x96\x81 \xf0\x9f\x94\xa5");
}

static void test_escapes_removed(void)
{
	/* CSI, OSC 52 (clipboard) and a title change. */
	CHECK_STR(clean("\x1b[2J\x1b]52;c;aGk=\x07x\x1b]0;pwned\x07"), "?[2J?]52;c;aGk=?x?]0;pwned?");
	CHECK_STR(clean("a\rb\nc\td\x7f"), "a?b?c?d?");
}

static void test_c1_and_invalid(void)
{
	/* U+009B is CSI on some terminals; a lone \x9b is not UTF-8 at all. */
	CHECK_STR(clean("\xc2\x9b" "31m"), "??31m");
	CHECK_STR(clean("\x9b" "31m"), "?31m");
	CHECK_STR(clean("\xc0\xaf"), "??");             /* overlong */
	CHECK_STR(clean("\xed\xa0\x80"), "???");        /* surrogate */
	CHECK_STR(clean("\xe2\x96"), "??");             /* truncated */
}

static void test_never_splits(void)
{
	char buf[6];
	/* "ab" and a 3-byte character fit in 6 bytes with the NUL, not in 5. */
	sanitize_text("ab\xe2\x96\x81", buf, 6);
	CHECK_STR(buf, "ab\xe2\x96\x81");
	sanitize_text("ab\xe2\x96\x81", buf, 5);
	CHECK_STR(buf, "ab");
	CHECK(sanitize_text("x", buf, 0) == 0);
}

static void test_bidi_removed(void)
{
	/* U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LRI, U+200F RLM, U+061C ALM. */
	CHECK_STR(clean("a\xe2\x80\xae" "txt.exe"), "a?txt.exe");
	CHECK_STR(clean("\xe2\x81\xa6x\xe2\x80\x8fy\xd8\x9cz"), "?x?y?z");
	/* Neighbours that are ordinary: U+2010 HYPHEN, U+2070 SUPERSCRIPT ZERO. */
	CHECK_STR(clean("\xe2\x80\x90\xe2\x81\xb0"), "\xe2\x80\x90\xe2\x81\xb0");
}

static void test_lines(void)
{
	char buf[64];
	const char in[] = "a\nb\tc\x1b[2J\0d\xc2\x9b\xe2\x80\xae";
	CHECK(sanitize_lines(in, sizeof in - 1, buf, sizeof buf) == 14);
	CHECK_STR(buf, "a\nb\tc?[2J?d???");
}

static void test_json_tree(void)
{
	cJSON *o = cJSON_Parse("{\"t\": \"T\\u001b]0;PWNED\\u0007 \\u009b2J \\u202e ok\\nnext\", \"n\": 1,"
			       " \"a\": [\"x\\u0085\"], \"k\\u001b\": \"v\"}");
	sanitize_json(o);
	char *text = cJSON_PrintUnformatted(o);
	CHECK_STR(text, "{\"t\":\"T?]0;PWNED? ??2J ? ok\\nnext\",\"n\":1,\"a\":[\"x??\"],\"k?\":\"v\"}");
	cJSON_free(text);
	cJSON_Delete(o);
}

int main(void)
{
	RUN(test_plain_and_utf8_kept);
	RUN(test_escapes_removed);
	RUN(test_c1_and_invalid);
	RUN(test_never_splits);
	RUN(test_bidi_removed);
	RUN(test_lines);
	RUN(test_json_tree);
	return CHECK_EXIT();
}
