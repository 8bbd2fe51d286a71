/* timefmt: formatting and the strict parsers scenarios and the CLI use. */
#include <stdint.h>

#include "check.h"
#include "timefmt.h"

/* 2024-09-13T17:14:03Z, the third failed canary window of seed 004. */
#define T_1714 1726247643000LL
#define DAY_0913 1726185600000LL /* 2024-09-13T00:00:00Z */

static const char *iso(int64_t ms)
{
	static char buf[32];
	timefmt_iso(ms, buf, sizeof buf);
	return buf;
}

static const char *dur(int64_t ms)
{
	static char buf[32];
	timefmt_duration(ms, buf, sizeof buf);
	return buf;
}

static void test_iso_format(void)
{
	CHECK_STR(iso(T_1714), "2024-09-13T17:14:03.000Z");
	CHECK_STR(iso(T_1714 + 7), "2024-09-13T17:14:03.007Z");
	CHECK_STR(iso(0), "1970-01-01T00:00:00.000Z");
	/* Before the epoch the milliseconds still count forward. */
	CHECK_STR(iso(-1), "1969-12-31T23:59:59.999Z");
	CHECK_STR(iso(951782400000LL), "2000-02-29T00:00:00.000Z");

	char small[11];
	timefmt_iso(T_1714, small, sizeof small);
	CHECK_STR(small, "2024-09-13");
}

static void test_hms_format(void)
{
	char buf[9];
	timefmt_hms(T_1714, buf, sizeof buf);
	CHECK_STR(buf, "17:14:03");
	timefmt_hms(DAY_0913, buf, sizeof buf);
	CHECK_STR(buf, "00:00:00");
	timefmt_hms(-1000, buf, sizeof buf);
	CHECK_STR(buf, "23:59:59");
}

static void test_duration_format(void)
{
	CHECK_STR(dur(0), "0s");
	CHECK_STR(dur(45 * MS_PER_S), "45s");
	CHECK_STR(dur(43 * MS_PER_MIN), "43m");
	CHECK_STR(dur(5 * MS_PER_MIN + 30 * MS_PER_S), "5m30s");
	CHECK_STR(dur(12 * MS_PER_HOUR + 5 * MS_PER_MIN), "12h05m");
	CHECK_STR(dur(12 * MS_PER_HOUR + 5 * MS_PER_MIN + 59 * MS_PER_S), "12h05m");
	CHECK_STR(dur(6 * MS_PER_HOUR), "6h");
	CHECK_STR(dur(3 * MS_PER_DAY), "3d");
	CHECK_STR(dur(3 * MS_PER_DAY + 4 * MS_PER_HOUR), "3d04h");
	CHECK_STR(dur(30 * MS_PER_DAY + 59 * MS_PER_MIN), "30d");
	CHECK_STR(dur(250), "250ms");
	CHECK_STR(dur(1999), "1s");
	CHECK_STR(dur(-43 * MS_PER_MIN), "-43m");
	CHECK_STR(dur(-250), "-250ms");
	/* The most negative value has no positive twin; it must not trap. */
	CHECK(dur(INT64_MIN)[0] == '-');
	CHECK(dur(INT64_MAX)[0] != '-');
}

static void test_parse_iso(void)
{
	int64_t t = 0;
	CHECK(timefmt_parse_iso("2024-09-13T17:14:03Z", &t) && t == T_1714);
	CHECK(timefmt_parse_iso("2024-09-13T17:14:03.000Z", &t) && t == T_1714);
	CHECK(timefmt_parse_iso("2024-09-13T17:14:03+00:00", &t) && t == T_1714);
	CHECK(timefmt_parse_iso("2024-09-13T17:14:03.5Z", &t) && t == T_1714 + 500);
	CHECK(timefmt_parse_iso("2024-09-13T17:14:03.123456+00:00", &t) && t == T_1714 + 123);
	CHECK(timefmt_parse_iso("2024-02-29T00:00:00Z", &t));
	CHECK(timefmt_parse_iso("1969-12-31T23:59:59Z", &t) && t == -1000);

	/* Round trip through the formatter. */
	CHECK(timefmt_parse_iso(iso(T_1714 + 42), &t) && t == T_1714 + 42);

	static const char *const bad[] = {
		"",
		"2024-09-13",
		"2024-09-13T17:14:03",       /* no zone: local time is never meant */
		"2024-09-13T17:14:03+02:00", /* UTC only */
		"2024-09-13 17:14:03Z",
		"2024-09-13t17:14:03z",
		"2024-9-13T17:14:03Z",
		"2024-09-13T17:14Z",
		"2024-13-13T17:14:03Z",
		"2024-00-13T17:14:03Z",
		"2024-09-31T17:14:03Z",
		"2023-02-29T00:00:00Z",
		"2024-09-00T17:14:03Z",
		"2024-09-13T24:00:00Z",
		"2024-09-13T17:60:03Z",
		"2024-09-13T17:14:60Z",
		"2024-09-13T17:14:03.Z",
		"2024-09-13T17:14:03.1234567890Z",
		"2024-09-13T17:14:03Zjunk",
		" 2024-09-13T17:14:03Z",
		"+024-09-13T17:14:03Z",
		"2024-09-13T1x:14:03Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t = 12345;
		if (timefmt_parse_iso(bad[i], &t))
			printf("#   accepted \"%s\"\n", bad[i]);
		CHECK(t == 12345);
	}
}

static void test_parse_duration(void)
{
	int64_t d = 0;
	CHECK(timefmt_parse_duration("250ms", &d) && d == 250);
	CHECK(timefmt_parse_duration("60s", &d) && d == 60 * MS_PER_S);
	CHECK(timefmt_parse_duration("5m", &d) && d == 5 * MS_PER_MIN);
	CHECK(timefmt_parse_duration("6h", &d) && d == 6 * MS_PER_HOUR);
	CHECK(timefmt_parse_duration("30d", &d) && d == 30 * MS_PER_DAY);
	CHECK(timefmt_parse_duration("0s", &d) && d == 0);

	static const char *const bad[] = {
		"", "5", "m", "-5m", "+5m", "5 m", "5min", "1.5h", "5M", "5mss", " 5m", "5m ",
		"99999999999999999999999d", "18446744073709551617ms", "9223372036854775807ms",
		"200000d",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		d = 12345;
		if (timefmt_parse_duration(bad[i], &d))
			printf("#   accepted \"%s\"\n", bad[i]);
		CHECK(d == 12345);
	}
	/* The cap is generous: a century is fine. */
	CHECK(timefmt_parse_duration("36525d", &d) && d == 36525 * MS_PER_DAY);
}

static void test_parse_at(void)
{
	int64_t t = 0, base = DAY_0913 + 17 * MS_PER_HOUR + 2 * MS_PER_MIN; /* 17:02:00 */
	CHECK(timefmt_parse_at("17:14:03", base, &t) && t == T_1714);
	CHECK(timefmt_parse_at("17:14", base, &t) && t == T_1714 - 3000);
	/* Clock times are on base's day, even when earlier than base. */
	CHECK(timefmt_parse_at("00:00:00", base, &t) && t == DAY_0913);
	CHECK(timefmt_parse_at("+5m", base, &t) && t == base + 5 * MS_PER_MIN);
	CHECK(timefmt_parse_at("-30d", base, &t) && t == base - 30 * MS_PER_DAY);
	CHECK(timefmt_parse_at("+0s", base, &t) && t == base);
	CHECK(timefmt_parse_at("2024-09-13T17:14:03Z", 0, &t) && t == T_1714);
	/* Before 1970 the day still starts at midnight. */
	CHECK(timefmt_parse_at("12:00", -MS_PER_HOUR, &t) && t == -12 * MS_PER_HOUR);

	static const char *const bad[] = {
		"", "17:1x", "17:14:03Z", "17", "7:14", "24:00", "17:14:3", "17:14:03.5", "5m",
		"+", "+-5m", "++5m", "+5", "2024-09-13", "17:14:03 ", "now",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t = 12345;
		if (timefmt_parse_at(bad[i], base, &t))
			printf("#   accepted \"%s\"\n", bad[i]);
		CHECK(t == 12345);
	}
	CHECK(!timefmt_parse_at("+1d", INT64_MAX - 5, &t));
	CHECK(!timefmt_parse_at("-1d", INT64_MIN + 5, &t));
	CHECK(!timefmt_parse_at("12:00", INT64_MAX, &t));
}

int main(void)
{
	RUN(test_iso_format);
	RUN(test_hms_format);
	RUN(test_duration_format);
	RUN(test_parse_iso);
	RUN(test_parse_duration);
	RUN(test_parse_at);
	return CHECK_EXIT();
}
