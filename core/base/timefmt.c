#include "timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Durations above this are refused: no scenario or CLI needs more than a
 * few years, and the cap keeps `time + duration` far from int64 overflow
 * for every time parse_iso can return (years 0000..9999). */
#define DURATION_MAX_MS (100000 * MS_PER_DAY)

/* Floor division, so times before 1970 still split into a day (or second)
 * and a non-negative remainder. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

static bool split_time(int64_t ms, struct tm *tm, int *millis)
{
	int64_t secs = floor_div(ms, MS_PER_S);
	time_t t = (time_t)secs;
	*millis = (int)(ms - secs * MS_PER_S);
	return gmtime_r(&t, tm) != NULL;
}

void timefmt_iso(int64_t ms, char *buf, size_t size)
{
	struct tm tm;
	int millis;
	if (!split_time(ms, &tm, &millis)) {
		snprintf(buf, size, "(invalid time)");
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

void timefmt_hms(int64_t ms, char *buf, size_t size)
{
	int64_t in_day = ms - floor_div(ms, MS_PER_DAY) * MS_PER_DAY;
	int secs = (int)(in_day / MS_PER_S);
	snprintf(buf, size, "%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
}

void timefmt_duration(int64_t ms, char *buf, size_t size)
{
	/* Unsigned, so that INT64_MIN has a magnitude too. */
	uint64_t mag = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
	const char *sign = ms < 0 ? "-" : "";
	uint64_t secs = mag / 1000, mins = secs / 60, hours = mins / 60, days = hours / 24;

	/* Two units at most, the smaller one zero-padded and dropped when
	 * zero: a pane has room for "12h05m", not "12h05m33s". */
	if (mag == 0)
		snprintf(buf, size, "0s");
	else if (secs == 0)
		snprintf(buf, size, "%s%llums", sign, (unsigned long long)mag);
	else if (days > 0 && hours % 24)
		snprintf(buf, size, "%s%llud%02lluh", sign, (unsigned long long)days,
			 (unsigned long long)(hours % 24));
	else if (days > 0)
		snprintf(buf, size, "%s%llud", sign, (unsigned long long)days);
	else if (hours > 0 && mins % 60)
		snprintf(buf, size, "%s%lluh%02llum", sign, (unsigned long long)hours,
			 (unsigned long long)(mins % 60));
	else if (hours > 0)
		snprintf(buf, size, "%s%lluh", sign, (unsigned long long)hours);
	else if (mins > 0 && secs % 60)
		snprintf(buf, size, "%s%llum%02llus", sign, (unsigned long long)mins,
			 (unsigned long long)(secs % 60));
	else if (mins > 0)
		snprintf(buf, size, "%s%llum", sign, (unsigned long long)mins);
	else
		snprintf(buf, size, "%s%llus", sign, (unsigned long long)secs);
}

/* Exactly n ASCII digits (no sign, no space: strtol would accept both). */
static bool digits(const char **s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*s)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*s += n;
	*out = v;
	return true;
}

static bool expect(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* "HH:MM:SS" (need_secs) or "HH:MM[:SS]" into seconds of the day. */
static bool parse_clock(const char **s, bool need_secs, int64_t *secs)
{
	int h, m, sec = 0;
	if (!digits(s, 2, &h) || !expect(s, ':') || !digits(s, 2, &m))
		return false;
	if (need_secs || **s == ':') {
		if (!expect(s, ':') || !digits(s, 2, &sec))
			return false;
	}
	/* No leap second: timegm would fold 60 into the next minute. */
	if (h > 23 || m > 59 || sec > 59)
		return false;
	*secs = (int64_t)h * 3600 + m * 60 + sec;
	return true;
}

bool timefmt_parse_iso(const char *s, int64_t *out)
{
	int y, mo, d;
	int64_t secs, millis = 0;
	if (!digits(&s, 4, &y) || !expect(&s, '-') || !digits(&s, 2, &mo) || !expect(&s, '-') ||
	    !digits(&s, 2, &d) || !expect(&s, 'T') || !parse_clock(&s, true, &secs))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return false;
	if (*s == '.') {
		/* Python writes microseconds, JavaScript milliseconds: take any
		 * 1..9 digits and keep milliseconds. */
		s++;
		int n = 0;
		int64_t scale = 100;
		while (*s >= '0' && *s <= '9' && n < 9) {
			millis += (*s - '0') * scale;
			scale /= 10;
			s++;
			n++;
		}
		if (n == 0)
			return false;
	}
	if (strcmp(s, "Z") != 0 && strcmp(s, "+00:00") != 0)
		return false;

	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	/* Midnight is a multiple of a day, so -1 can only mean failure. */
	time_t day = timegm(&tm);
	if (day == (time_t)-1)
		return false;
	*out = ((int64_t)day + secs) * MS_PER_S + millis;
	return true;
}

bool timefmt_parse_duration(const char *s, int64_t *out)
{
	uint64_t n = 0;
	const char *p = s;
	while (*p >= '0' && *p <= '9') {
		n = n * 10 + (uint64_t)(*p - '0');
		/* Checked per digit, so the accumulator itself cannot wrap. */
		if (n > (uint64_t)DURATION_MAX_MS)
			return false;
		p++;
	}
	if (p == s)
		return false;

	int64_t unit;
	if (strcmp(p, "ms") == 0)
		unit = 1;
	else if (strcmp(p, "s") == 0)
		unit = MS_PER_S;
	else if (strcmp(p, "m") == 0)
		unit = MS_PER_MIN;
	else if (strcmp(p, "h") == 0)
		unit = MS_PER_HOUR;
	else if (strcmp(p, "d") == 0)
		unit = MS_PER_DAY;
	else
		return false;
	if (n > (uint64_t)(DURATION_MAX_MS / unit))
		return false;
	*out = (int64_t)n * unit;
	return true;
}

bool timefmt_parse_at(const char *s, int64_t base_ms, int64_t *out)
{
	if (s[0] == '+' || s[0] == '-') {
		int64_t d;
		if (!timefmt_parse_duration(s + 1, &d))
			return false;
		/* d is capped far below INT64_MAX; only an extreme base can
		 * overflow. */
		if (s[0] == '+' ? base_ms > INT64_MAX - d : base_ms < INT64_MIN + d)
			return false;
		*out = s[0] == '+' ? base_ms + d : base_ms - d;
		return true;
	}
	/* "HH:MM" is five characters; anything with a date is longer and has
	 * a '-' after the year. */
	if (strlen(s) > 8)
		return timefmt_parse_iso(s, out);

	int64_t secs;
	if (!parse_clock(&s, false, &secs) || *s != '\0')
		return false;
	/* Keeps the day arithmetic below clear of overflow. */
	if (base_ms > INT64_MAX / 2 || base_ms < INT64_MIN / 2)
		return false;
	*out = floor_div(base_ms, MS_PER_DAY) * MS_PER_DAY + secs * MS_PER_S;
	return true;
}
