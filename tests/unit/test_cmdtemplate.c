/* The command target's argv templates (core/readers/cmdtemplate.c): values never
 * split or join arguments; {traffic} is one argument per deployment. */
#include "check.h"
#include "cmdtemplate.h"

static size_t argc_of(char **argv)
{
	size_t n = 0;
	while (argv && argv[n])
		n++;
	return n;
}

static void split_of(struct traffic_split *s)
{
	traffic_split_init(s);
	traffic_split_set(s, "d-1427", 100);
	traffic_split_set(s, "d-1428", 0);
}

static void apply_expands(void)
{
	const char *tmpl[] = { "az", "ml", "online-endpoint", "update", "-n", "{endpoint}", "--traffic", "{traffic}",
			       "--to={to}", "{endpoint}/{to}" };
	struct traffic_split s;
	split_of(&s);
	struct error err = { 0 };
	char **argv = cmdtemplate_expand(tmpl, 10, "chat", &s, &err);
	CHECK(argv != NULL);
	CHECK(argc_of(argv) == 11);
	if (argc_of(argv) == 11) {
		CHECK_STR(argv[0], "az");
		CHECK_STR(argv[5], "chat");
		CHECK_STR(argv[7], "d-1427=100");
		CHECK_STR(argv[8], "d-1428=0");
		CHECK_STR(argv[9], "--to=d-1427");
		CHECK_STR(argv[10], "chat/d-1427");
	}
	cmdtemplate_free(argv);
	traffic_split_free(&s);
}

static void values_stay_one_argument(void)
{
	const char *tmpl[] = { "tool", "{endpoint}", "x {endpoint} y" };
	struct error err = { 0 };
	/* Spaces, quotes, a shell's favourites: data, one argument each. */
	const char *nasty = "a b; rm -rf / \"$(id)\" '*'\n{to}";
	char **argv = cmdtemplate_expand(tmpl, 3, nasty, NULL, &err);
	CHECK(argc_of(argv) == 3);
	if (argc_of(argv) == 3) {
		CHECK_STR(argv[1], nasty);
		CHECK(strncmp(argv[2], "x a b;", 6) == 0);
		/* A placeholder inside a value is not expanded again. */
		CHECK(strstr(argv[2], "{to} y") != NULL);
	}
	cmdtemplate_free(argv);
}

static void to_is_the_most_traffic(void)
{
	struct traffic_split s;
	traffic_split_init(&s);
	CHECK_STR(cmdtemplate_to(&s), "");
	CHECK_STR(cmdtemplate_to(NULL), "");
	traffic_split_set(&s, "a", 10);
	traffic_split_set(&s, "b", 90);
	traffic_split_set(&s, "c", 90);
	CHECK_STR(cmdtemplate_to(&s), "b");
	traffic_split_free(&s);
}

static void other_braces_are_text(void)
{
	const char *tmpl[] = { "jq", "{x: .y}", "{}", "{Endpoint}", "{", "}" };
	size_t bad = 99;
	struct error err = { 0 };
	CHECK(cmdtemplate_check(tmpl, 6, true, &bad, &err) == 0);
	char **argv = cmdtemplate_expand(tmpl, 6, "chat", NULL, &err);
	CHECK(argc_of(argv) == 6);
	if (argc_of(argv) == 6)
		CHECK_STR(argv[1], "{x: .y}");
	cmdtemplate_free(argv);
}

static void problems_are_reported(void)
{
	size_t bad = 99;
	struct error err = { 0 };
	const char *unknown[] = { "tool", "--ep={endpiont}" };
	CHECK(cmdtemplate_check(unknown, 2, true, &bad, &err) == -1);
	CHECK(bad == 1);
	CHECK_STR(err.msg, "unknown placeholder {endpiont} (an apply command knows {endpoint}, {to} and {traffic})");

	const char *joined[] = { "tool", "--traffic={traffic}" };
	CHECK(cmdtemplate_check(joined, 2, true, &bad, &err) == -1);
	CHECK(bad == 1);
	CHECK(strstr(err.msg, "{traffic} must be an argument on its own") == err.msg);

	/* A read command applies nothing: {to} and {traffic} mean nothing there. */
	const char *read[] = { "tool", "{endpoint}", "{to}" };
	CHECK(cmdtemplate_check(read, 3, false, &bad, &err) == -1);
	CHECK(bad == 2);
	CHECK_STR(err.msg, "unknown placeholder {to} (a read command knows {endpoint})");
	CHECK(cmdtemplate_check(read, 2, false, &bad, &err) == 0);

	struct traffic_split s;
	split_of(&s);
	char **argv = cmdtemplate_expand(joined, 2, "chat", &s, &err);
	CHECK(argv == NULL);
	CHECK(strncmp(err.msg, "argument 1: {traffic}", 21) == 0);
	traffic_split_free(&s);
}

int main(void)
{
	RUN(apply_expands);
	RUN(values_stay_one_argument);
	RUN(to_is_the_most_traffic);
	RUN(other_braces_are_text);
	RUN(problems_are_reported);
	return CHECK_EXIT();
}
