/* Scripted drill runs (core/readers/drill_script.c): steps, times, "as NAME", and
 * a clear FILE:LINE message for each kind of bad line. */
#include <string.h>

#include "check.h"
#include "drill_script.h"

#define START 1726246920000LL /* 2024-09-13T17:02:00Z */

static const char *parse_err(const char *text)
{
	static struct error err;
	struct drill_script s;
	if (drill_script_parse(text, strlen(text), "x.script", START, &s, &err) == 0) {
		drill_script_free(&s);
		return "(parsed)";
	}
	return err.msg;
}

static void test_steps(void)
{
	const char *text = "# a comment\n\n17:05:00 declare SEV1 title with  spaces\r\n"
			   "  +4m as bob   role deputy  \n17:06:00 note x\n";
	struct drill_script s;
	struct error err;
	CHECK(drill_script_parse(text, strlen(text), "x.script", START, &s, &err) == 0);
	CHECK(s.n == 3);
	CHECK(s.steps[0].at_ms == START + 3 * 60000 && s.steps[0].as == NULL && s.steps[0].line == 3);
	CHECK_STR(s.steps[0].command, "declare SEV1 title with  spaces");
	CHECK(s.steps[1].at_ms == START + 4 * 60000);
	CHECK_STR(s.steps[1].as, "bob");
	CHECK_STR(s.steps[1].command, "role deputy");
	CHECK(s.steps[2].line == 5);
	drill_script_free(&s);
}

static void test_errors(void)
{
	CHECK_STR(parse_err("soon note x\n"),
		  "x.script:1: expected a time on the scenario's day (HH:MM:SS or +5m) (got 'soon')");
	CHECK_STR(parse_err("17:00:00 note x\n"),
		  "x.script:1: expected a time on the scenario's day (HH:MM:SS or +5m) (got '17:00:00')");
	CHECK_STR(parse_err("17:06:00 note a\n17:05:00 note b\n"), "x.script:2: steps must be in time order");
	CHECK_STR(parse_err("17:06:00 as\n"), "x.script:1: \"as\" needs a name");
	CHECK_STR(parse_err("17:06:00 as bob\n"), "x.script:1: a command is missing after the time");
	CHECK_STR(parse_err("17:06:00\n"), "x.script:1: a command is missing after the time");
	CHECK_STR(parse_err("17:06:00 note \xff\n"), "x.script:1: not a line of UTF-8 text");
}

int main(void)
{
	RUN(test_steps);
	RUN(test_errors);
	return CHECK_EXIT();
}
