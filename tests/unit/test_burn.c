#include <math.h>
#include <stdint.h>
#include <time.h>

#include "burn.h"
#include "check.h"
#include "timefmt.h"

#define S MS_PER_S
#define MIN MS_PER_MIN
#define HOUR MS_PER_HOUR
#define DAY MS_PER_DAY

/* Far enough from 0 that every window, the 30d period included, lies after
 * the start of any baseline the tests set from 0. */
#define T0 (40 * DAY)

static struct slo_spec slo(double objective, int64_t period_ms, double min_events)
{
	return (struct slo_spec){ .name = "api", .objective = objective, .period_ms = period_ms,
				  .min_events = min_events };
}

static void count(const struct event_series *s, int64_t from, int64_t to, double *bad,
		  double *total)
{
	event_series_count(s, from, to, bad, total);
}

static void test_windows_and_tiers(void)
{
	CHECK(burn_window_ms[BURN_5M] == 5 * MIN);
	CHECK(burn_window_ms[BURN_30M] == 30 * MIN);
	CHECK(burn_window_ms[BURN_1H] == HOUR);
	CHECK(burn_window_ms[BURN_2H] == 2 * HOUR);
	CHECK(burn_window_ms[BURN_6H] == 6 * HOUR);
	CHECK(burn_window_ms[BURN_1D] == DAY);
	CHECK(burn_window_ms[BURN_3D] == 3 * DAY);
	CHECK_STR(burn_window_name[BURN_5M], "5m");
	CHECK_STR(burn_window_name[BURN_30M], "30m");
	CHECK_STR(burn_window_name[BURN_1H], "1h");
	CHECK_STR(burn_window_name[BURN_2H], "2h");
	CHECK_STR(burn_window_name[BURN_6H], "6h");
	CHECK_STR(burn_window_name[BURN_1D], "1d");
	CHECK_STR(burn_window_name[BURN_3D], "3d");

	CHECK_STR(burn_tiers[0].severity, "page");
	CHECK(burn_tiers[0].long_window == BURN_1H && burn_tiers[0].short_window == BURN_5M);
	CHECK_STR(burn_tiers[1].severity, "page");
	CHECK(burn_tiers[1].long_window == BURN_6H && burn_tiers[1].short_window == BURN_30M);
	CHECK_STR(burn_tiers[2].severity, "ticket");
	CHECK(burn_tiers[2].long_window == BURN_1D && burn_tiers[2].short_window == BURN_2H);
	CHECK_STR(burn_tiers[3].severity, "ticket");
	CHECK(burn_tiers[3].long_window == BURN_3D && burn_tiers[3].short_window == BURN_6H);
}

static void test_factors_30d(void)
{
	CHECK_NEAR(burn_factor(&burn_tiers[0], 30 * DAY), 14.4, 1e-9);
	CHECK_NEAR(burn_factor(&burn_tiers[1], 30 * DAY), 6, 1e-9);
	CHECK_NEAR(burn_factor(&burn_tiers[2], 30 * DAY), 3, 1e-9);
	CHECK_NEAR(burn_factor(&burn_tiers[3], 30 * DAY), 1, 1e-9);
}

static void test_factors_7d(void)
{
	/* The same shares of a budget that is 7/30 as long. */
	CHECK_NEAR(burn_factor(&burn_tiers[0], 7 * DAY), 14.4 * 7 / 30, 1e-9);
	CHECK_NEAR(burn_factor(&burn_tiers[0], 7 * DAY), 3.36, 1e-9);
	CHECK_NEAR(burn_factor(&burn_tiers[1], 7 * DAY), 1.4, 1e-9);
	CHECK_NEAR(burn_factor(&burn_tiers[2], 7 * DAY), 0.7, 1e-9);
	CHECK_NEAR(burn_factor(&burn_tiers[3], 7 * DAY), 0.7 / 3, 1e-9);

	struct slo_spec spec = slo(0.999, 7 * DAY, 0);
	struct burn_counts w[BURN_NWINDOWS] = { { .bad = 0 } }, period = { .bad = 0, .total = 1000 };
	struct burn_result r;
	burn_evaluate(&spec, w, &period, &r);
	CHECK_NEAR(r.alerts[0].factor, 3.36, 1e-9);
	CHECK_NEAR(r.alerts[3].factor, 0.7 / 3, 1e-9);
}

/* Workbook ch. 5: at 99.9% over 30 days, burn 1 spends the whole budget in
 * 30 days, burn 10 in 3 days, burn 1000 in 43.2 minutes. */
static void test_exhaustion_workbook(void)
{
	CHECK(burn_time_to_exhaustion(30 * DAY, 1, 1) == 30 * DAY);
	CHECK(burn_time_to_exhaustion(30 * DAY, 1, 10) == 3 * DAY);
	CHECK(burn_time_to_exhaustion(30 * DAY, 1, 1000) == 43 * MIN + 12 * S);
	CHECK(burn_time_to_exhaustion(30 * DAY, 0.5, 10) == 36 * HOUR);
	CHECK(burn_time_to_exhaustion(30 * DAY, 1, 0) == -1);
	CHECK(burn_time_to_exhaustion(30 * DAY, 1, -3) == -1);
	CHECK(burn_time_to_exhaustion(30 * DAY, 1, NAN) == -1);
	CHECK(burn_time_to_exhaustion(30 * DAY, NAN, 2) == -1);
	CHECK(burn_time_to_exhaustion(30 * DAY, 0, 2) == 0);
	CHECK(burn_time_to_exhaustion(30 * DAY, -0.5, 2) == 0);
	/* Spent is spent, even when nothing burns now. */
	CHECK(burn_time_to_exhaustion(30 * DAY, -0.5, 0) == 0);

	/* The same through the evaluation: error ratios 0.1%, 1%, 100%. */
	struct slo_spec spec = slo(0.999, 30 * DAY, 0);
	struct burn_counts period = { .bad = 0, .total = 1e9 };
	const double bad[] = { 1, 10, 1000 };
	const int64_t want[] = { 30 * DAY, 3 * DAY, 43 * MIN + 12 * S };
	for (int i = 0; i < 3; i++) {
		struct burn_counts w[BURN_NWINDOWS] = { { .bad = 0 } };
		struct burn_result r;
		w[BURN_1H] = (struct burn_counts){ .bad = bad[i], .total = 1000 };
		burn_evaluate(&spec, w, &period, &r);
		CHECK_NEAR(r.windows[BURN_1H].burn, bad[i], 1e-9 * bad[i]);
		CHECK_NEAR(r.budget_remaining, 1, 1e-12);
		CHECK_NEAR((double)r.exhaustion_ms, (double)want[i], 1);
	}
}

/* 10 req/s, no errors, then 15% errors for 10 minutes at 99.9%. The 1h burn
 * is 2.5 per minute of errors, so it reaches 14.4 at 5.76 min (5m window:
 * 150 by then); it fires at the first 10 s step after that, 5m50s. Once the
 * errors stop the 5m burn falls below 14.4 when fewer than 28.8 s of errors
 * are left in it, so it clears at 14m40s, 4m40s after they stop. */
static void test_workbook_incident(void)
{
	struct slo_spec spec = slo(0.999, 30 * DAY, 10);
	struct event_series s = { 0 };
	const int64_t start = T0;

	event_series_set(&s, 0, INT64_MAX, 10, 0);
	event_series_set(&s, start, start + 10 * MIN, -1, 0.15);

	int64_t first_fire = -1, cleared = -1;
	bool fired_6h = false, fired_ticket = false, gap = false;
	struct burn_result r;
	for (int64_t now = start - 10 * MIN; now <= start + 70 * MIN; now += 10 * S) {
		burn_evaluate_series(&spec, &s, now, 0, &r);
		bool firing = r.alerts[0].firing;
		if (firing && first_fire < 0) {
			first_fire = now - start;
			CHECK_NEAR(r.windows[BURN_1H].burn, 2.5 * 350 / 60.0, 1e-6);
			CHECK(r.windows[BURN_5M].burn >= 14.4);
		}
		if (!firing && first_fire >= 0 && cleared < 0)
			cleared = now - start;
		if (firing && cleared >= 0)
			gap = true;
		fired_6h |= r.alerts[1].firing;
		fired_ticket |= r.alerts[2].firing || r.alerts[3].firing;
		CHECK(r.alerts[0].reachable && !r.alerts[0].thin);
	}
	CHECK(first_fire == 5 * MIN + 50 * S);
	CHECK(first_fire >= 5 * MIN && first_fire <= 6 * MIN);
	CHECK(cleared == 14 * MIN + 40 * S);
	CHECK(cleared - 10 * MIN >= 4 * MIN && cleared - 10 * MIN <= 5 * MIN);
	CHECK(!gap);
	/* 10 minutes at 150x is 4.2x over 6h and about 1x over a day: no more. */
	CHECK(!fired_6h);
	CHECK(!fired_ticket);

	/* An hour after, the 1h window still holds all of it. */
	burn_evaluate_series(&spec, &s, start + 60 * MIN, 0, &r);
	CHECK_NEAR(r.windows[BURN_1H].burn, 25, 1e-6);
	CHECK_NEAR(r.windows[BURN_5M].burn, 0, 1e-12);
	/* 900 bad of 30 days at 10/s, against a budget of 0.1%. */
	double spent = 900 / (10.0 * 30 * 86400) / 0.001;
	CHECK_NEAR(r.budget_remaining, 1 - spent, 1e-9);
	CHECK_NEAR((double)r.exhaustion_ms, 30.0 * DAY * (1 - spent) / 25, 1);
	event_series_free(&s);
}

static void test_firing_at_factor(void)
{
	/* Exactly at the factor fires: the comparison is >=. At 75% over 7
	 * days, 840 bad of 1000 is a burn of exactly the factor, 3.36. */
	struct slo_spec spec = slo(0.75, 7 * DAY, 0);
	struct burn_counts w[BURN_NWINDOWS], period = { .bad = 0, .total = 1e6 };
	struct burn_result r;
	for (int i = 0; i < BURN_NWINDOWS; i++)
		w[i] = (struct burn_counts){ .bad = 0, .total = 1000 };
	w[BURN_1H] = (struct burn_counts){ .bad = 840, .total = 1000 };
	w[BURN_5M] = (struct burn_counts){ .bad = 840, .total = 1000 };
	burn_evaluate(&spec, w, &period, &r);
	CHECK(r.windows[BURN_1H].burn == r.alerts[0].factor);
	CHECK(r.alerts[0].firing);

	w[BURN_5M] = (struct burn_counts){ .bad = 839, .total = 1000 };
	burn_evaluate(&spec, w, &period, &r);
	CHECK(!r.alerts[0].firing);
	CHECK(!r.alerts[0].thin);
}

static void test_unreachable_tier(void)
{
	/* At 93% every request failing is a burn of 14.29: below 14.4. */
	struct slo_spec spec = slo(0.93, 30 * DAY, 0);
	struct burn_counts w[BURN_NWINDOWS], period = { .bad = 1000, .total = 1000 };
	struct burn_result r;
	for (int i = 0; i < BURN_NWINDOWS; i++)
		w[i] = (struct burn_counts){ .bad = 1000, .total = 1000 };
	burn_evaluate(&spec, w, &period, &r);
	CHECK_NEAR(r.windows[BURN_1H].burn, 1 / 0.07, 1e-9);
	CHECK(!r.alerts[0].reachable);
	CHECK(!r.alerts[0].firing);
	CHECK(r.alerts[1].reachable && r.alerts[1].firing);
	CHECK(r.alerts[2].reachable && r.alerts[2].firing);
	CHECK(r.alerts[3].reachable && r.alerts[3].firing);

	/* At 95% the ceiling is 20, and total failure pages. */
	spec.objective = 0.95;
	burn_evaluate(&spec, w, &period, &r);
	CHECK(r.alerts[0].reachable);
	CHECK(r.alerts[0].firing);

	/* The edge: 1/14.4 is 0.06944, so 0.9305 cannot reach it and 0.9306 can. */
	spec.objective = 0.9305;
	burn_evaluate(&spec, w, &period, &r);
	CHECK(!r.alerts[0].reachable);
	spec.objective = 0.9306;
	burn_evaluate(&spec, w, &period, &r);
	CHECK(r.alerts[0].reachable);

	/* A factor equal to the ceiling is reachable: total failure meets it,
	 * and >= fires. At 75% over 200h the 1h tier's factor is exactly 4. */
	spec.objective = 0.75;
	spec.period_ms = 200 * HOUR;
	burn_evaluate(&spec, w, &period, &r);
	CHECK(r.alerts[0].factor == 4);
	CHECK(r.alerts[0].reachable);
	CHECK(r.alerts[0].firing);
}

static void test_thin_one_failure(void)
{
	/* One request in the last day, and it failed. */
	struct slo_spec spec = slo(0.999, 30 * DAY, 10);
	struct event_series s = { 0 };
	struct burn_result r;

	event_series_set(&s, T0 - S, T0, 1, 1);
	burn_evaluate_series(&spec, &s, T0, 0, &r);
	for (int i = 0; i < BURN_NWINDOWS; i++) {
		CHECK_NEAR(r.windows[i].total, 1, 1e-9);
		CHECK_NEAR(r.windows[i].burn, 1000, 1e-6);
		CHECK(r.windows[i].thin);
	}
	for (int k = 0; k < BURN_NTIERS; k++) {
		CHECK(r.alerts[k].thin);
		CHECK(!r.alerts[k].firing);
	}

	/* The same with no floor pages at once. */
	spec.min_events = 0;
	burn_evaluate_series(&spec, &s, T0, 0, &r);
	CHECK(!r.alerts[0].thin);
	CHECK(r.alerts[0].firing);
	event_series_free(&s);
}

/* Windows an SLO's rules lack are never read, whatever the history: no
 * data, and a tier over one cannot fire; the rest as usual. */
static void test_series_lacks(void)
{
	struct slo_spec spec = slo(0.999, 30 * DAY, 10);
	struct event_series s = { 0 };
	struct burn_result r;
	event_series_set(&s, 0, INT64_MAX, 10, 0.05);
	burn_evaluate_series(&spec, &s, T0, 1u << BURN_3D | 1u << BURN_NWINDOWS, &r);
	CHECK(isnan(r.windows[BURN_3D].total) && isnan(r.windows[BURN_3D].bad));
	CHECK_NEAR(r.windows[BURN_6H].total, 10.0 * 6 * 3600, 1e-6);
	CHECK(r.windows[BURN_3D].no_data && !r.windows[BURN_1D].no_data);
	CHECK(r.alerts[0].firing && r.alerts[1].firing && r.alerts[2].firing);
	CHECK(!r.alerts[3].firing && r.alerts[3].no_data); /* 3d/6h */
	CHECK(isnan(r.budget_remaining));
	event_series_free(&s);
}

static void test_thin_short_window(void)
{
	/* A busy hour but a quiet last 5 minutes: the short window alone makes
	 * the tier thin. */
	struct slo_spec spec = slo(0.999, 30 * DAY, 10);
	struct burn_counts w[BURN_NWINDOWS], period = { .bad = 500, .total = 100000 };
	struct burn_result r;
	for (int i = 0; i < BURN_NWINDOWS; i++)
		w[i] = (struct burn_counts){ .bad = 500, .total = 10000 };
	w[BURN_5M] = (struct burn_counts){ .bad = 5, .total = 5 };
	burn_evaluate(&spec, w, &period, &r);
	CHECK(r.windows[BURN_5M].thin);
	CHECK(!r.windows[BURN_1H].thin);
	CHECK(r.alerts[0].thin && !r.alerts[0].firing);
	CHECK(!r.alerts[1].thin && r.alerts[1].firing);

	/* And the long one alone. */
	w[BURN_5M] = (struct burn_counts){ .bad = 500, .total = 10000 };
	w[BURN_1H] = (struct burn_counts){ .bad = 9, .total = 9 };
	burn_evaluate(&spec, w, &period, &r);
	CHECK(r.alerts[0].thin && !r.alerts[0].firing);
}

static void test_budget_remaining(void)
{
	struct slo_spec spec = slo(0.999, 30 * DAY, 0);
	struct event_series s = { 0 };
	struct burn_result r;

	/* No events at all: nothing is known. */
	burn_evaluate_series(&spec, &s, T0, 0, &r);
	CHECK(isnan(r.budget_remaining));
	CHECK(r.exhaustion_ms == -1);
	for (int i = 0; i < BURN_NWINDOWS; i++) {
		CHECK(r.windows[i].total == 0);
		CHECK(isnan(r.windows[i].error_ratio));
		CHECK(isnan(r.windows[i].burn));
		CHECK(!r.windows[i].thin);
	}
	for (int k = 0; k < BURN_NTIERS; k++)
		CHECK(!r.alerts[k].firing);

	/* Half the budget's error ratio all period: half left, burning at
	 * 0.5, so the rest lasts another 30 days. */
	event_series_set(&s, 0, INT64_MAX, 10, 0.0005);
	burn_evaluate_series(&spec, &s, T0, 0, &r);
	CHECK_NEAR(r.budget_remaining, 0.5, 1e-9);
	CHECK_NEAR(r.windows[BURN_1H].burn, 0.5, 1e-9);
	CHECK_NEAR((double)r.exhaustion_ms, 30.0 * DAY, 1);

	/* Twice the budget's ratio: overspent, below zero, already exhausted. */
	event_series_set(&s, 0, INT64_MAX, -1, 0.002);
	burn_evaluate_series(&spec, &s, T0, 0, &r);
	CHECK_NEAR(r.budget_remaining, -1, 1e-9);
	CHECK(r.exhaustion_ms == 0);

	/* Only the period counts: errors older than it are forgiven. */
	event_series_set(&s, T0 - 30 * DAY, INT64_MAX, -1, 0);
	burn_evaluate_series(&spec, &s, T0, 0, &r);
	CHECK_NEAR(r.budget_remaining, 1, 1e-12);
	CHECK(r.exhaustion_ms == -1);
	event_series_free(&s);
}

static void test_series_override_restore(void)
{
	struct event_series s = { 0 };
	double bad, total;

	event_series_set(&s, 0, INT64_MAX, 10, 0);
	event_series_set(&s, 100 * S, 200 * S, 20, 0.5);
	CHECK(s.n == 3);
	count(&s, 0, 100 * S, &bad, &total);
	CHECK_NEAR(total, 1000, 1e-9);
	CHECK_NEAR(bad, 0, 1e-9);
	count(&s, 100 * S, 200 * S, &bad, &total);
	CHECK_NEAR(total, 2000, 1e-9);
	CHECK_NEAR(bad, 1000, 1e-9);
	count(&s, 200 * S, 300 * S, &bad, &total);
	CHECK_NEAR(total, 1000, 1e-9);
	CHECK_NEAR(bad, 0, 1e-9);
	/* Partial segments at both ends. */
	count(&s, 50 * S, 250 * S, &bad, &total);
	CHECK_NEAR(total, 500 + 2000 + 500, 1e-9);
	CHECK_NEAR(bad, 1000, 1e-9);
	count(&s, 120 * S, 130 * S, &bad, &total);
	CHECK_NEAR(total, 200, 1e-9);
	CHECK_NEAR(bad, 100, 1e-9);
	/* Empty and reversed ranges count nothing. */
	count(&s, 150 * S, 150 * S, &bad, &total);
	CHECK(total == 0 && bad == 0);
	count(&s, 160 * S, 150 * S, &bad, &total);
	CHECK(total == 0 && bad == 0);

	/* Setting what is already there changes nothing, not even n. */
	event_series_set(&s, 20 * S, 40 * S, 10, 0);
	CHECK(s.n == 3);
	/* Restoring the baseline over the override merges it away. */
	event_series_set(&s, 100 * S, 200 * S, 10, 0);
	CHECK(s.n == 1);
	count(&s, 0, 300 * S, &bad, &total);
	CHECK_NEAR(total, 3000, 1e-9);
	CHECK_NEAR(bad, 0, 1e-9);

	/* An open-ended set replaces everything after it. */
	event_series_set(&s, 100 * S, 200 * S, 20, 0.5);
	event_series_set(&s, 150 * S, INT64_MAX, 1, 0);
	CHECK(s.n == 3);
	count(&s, 100 * S, 300 * S, &bad, &total);
	CHECK_NEAR(total, 1000 + 150, 1e-9);
	CHECK_NEAR(bad, 500, 1e-9);
	event_series_free(&s);
	CHECK(s.n == 0 && s.segs == NULL);
}

static void test_series_keep_negative(void)
{
	struct event_series s = { 0 };
	double bad, total;

	event_series_set(&s, 0, INT64_MAX, 10, 0);
	event_series_set(&s, 100 * S, 200 * S, 20, 0.5);
	/* A burst that changes only the bad ratio keeps each range's traffic. */
	event_series_set(&s, 150 * S, 250 * S, -1, 0.9);
	count(&s, 150 * S, 200 * S, &bad, &total);
	CHECK_NEAR(total, 1000, 1e-9);
	CHECK_NEAR(bad, 900, 1e-9);
	count(&s, 200 * S, 250 * S, &bad, &total);
	CHECK_NEAR(total, 500, 1e-9);
	CHECK_NEAR(bad, 450, 1e-9);
	/* Afterwards the baseline resumes. */
	count(&s, 250 * S, 300 * S, &bad, &total);
	CHECK_NEAR(total, 500, 1e-9);
	CHECK_NEAR(bad, 0, 1e-9);
	count(&s, 100 * S, 150 * S, &bad, &total);
	CHECK_NEAR(total, 1000, 1e-9);
	CHECK_NEAR(bad, 500, 1e-9);

	/* And one that changes only the traffic keeps the ratios. */
	event_series_set(&s, 0, INT64_MAX, 4, -1);
	count(&s, 100 * S, 150 * S, &bad, &total);
	CHECK_NEAR(total, 200, 1e-9);
	CHECK_NEAR(bad, 100, 1e-9);
	count(&s, 150 * S, 250 * S, &bad, &total);
	CHECK_NEAR(total, 400, 1e-9);
	CHECK_NEAR(bad, 360, 1e-9);
	count(&s, 0, 100 * S, &bad, &total);
	CHECK_NEAR(total, 400, 1e-9);
	CHECK_NEAR(bad, 0, 1e-9);
	/* Both negative: nothing changes. */
	size_t n = s.n;
	event_series_set(&s, 0, INT64_MAX, -1, -1);
	CHECK(s.n == n);
	count(&s, 0, 300 * S, &bad, &total);
	CHECK_NEAR(total, 1200, 1e-9);
	event_series_free(&s);
}

static void test_series_before_first(void)
{
	struct event_series s = { 0 };
	double bad = -1, total = -1;

	count(&s, 0, 1000 * S, &bad, &total);
	CHECK(bad == 0 && total == 0);

	/* A bounded set on an empty series: zero before and after it. */
	event_series_set(&s, 100 * S, 200 * S, 10, 0.1);
	CHECK(s.n == 2);
	count(&s, 0, 100 * S, &bad, &total);
	CHECK(total == 0 && bad == 0);
	count(&s, 0, 1000 * S, &bad, &total);
	CHECK_NEAR(total, 1000, 1e-9);
	CHECK_NEAR(bad, 100, 1e-9);
	count(&s, 200 * S, 1000 * S, &bad, &total);
	CHECK(total == 0 && bad == 0);

	/* Out of order: an earlier set lands before, sorted. */
	event_series_set(&s, 10 * S, 20 * S, 5, 0);
	CHECK(s.n == 4);
	for (size_t i = 1; i < s.n; i++)
		CHECK(s.segs[i - 1].start_ms < s.segs[i].start_ms);
	count(&s, 0, 1000 * S, &bad, &total);
	CHECK_NEAR(total, 1050, 1e-9);

	/* Keeping the traffic where there is none leaves none, but the ratio
	 * set there is kept for a later traffic change. */
	event_series_free(&s);
	event_series_set(&s, 0, INT64_MAX, -1, 0.2);
	count(&s, 0, 1000 * S, &bad, &total);
	CHECK(total == 0 && bad == 0);
	event_series_set(&s, 0, INT64_MAX, 10, -1);
	count(&s, 0, 100 * S, &bad, &total);
	CHECK_NEAR(total, 1000, 1e-9);
	CHECK_NEAR(bad, 200, 1e-9);

	/* from >= until sets nothing. */
	size_t n = s.n;
	event_series_set(&s, 50 * S, 50 * S, 99, 1);
	event_series_set(&s, 60 * S, 50 * S, 99, 1);
	CHECK(s.n == n);
	count(&s, 0, 100 * S, &bad, &total);
	CHECK_NEAR(total, 1000, 1e-9);
	event_series_free(&s);
}

static void test_series_walk_matches_prefix(void)
{
	/* A series whose segments were edited behind event_series_set's back
	 * must still count right: it is walked instead. */
	struct event_series s = { 0 }, copy = { 0 };

	event_series_set(&s, 0, INT64_MAX, 10, 0.01);
	for (int i = 0; i < 50; i++)
		event_series_set(&s, i * 7 * S, i * 7 * S + 3 * S, i % 5, i % 3 * 0.25);
	copy.segs = s.segs;
	copy.n = s.n;
	copy.cap = s.cap;
	for (int64_t a = -10 * S; a < 400 * S; a += 13 * S) {
		for (int64_t b = a; b < 420 * S; b += 29 * S) {
			double b1, t1, b2, t2;
			count(&s, a, b, &b1, &t1);
			count(&copy, a, b, &b2, &t2);
			CHECK_NEAR(t1, t2, 1e-9);
			CHECK_NEAR(b1, b2, 1e-9);
		}
	}
	event_series_free(&s);
}

/* Random sets against a model holding the rates of each second, which is
 * easy to get right. */
static void test_series_random_vs_model(void)
{
	enum { CELLS = 120 };
	double rate[CELLS], ratio[CELLS];
	struct event_series s = { 0 };
	uint32_t seed = 12345;
	int failures = 0;

	for (int i = 0; i < CELLS; i++)
		rate[i] = ratio[i] = 0;
	for (int round = 0; round < 400 && failures < 5; round++) {
		seed = seed * 1664525u + 1013904223u;
		int from = (int)(seed >> 8) % CELLS;
		seed = seed * 1664525u + 1013904223u;
		int until = from + 1 + (int)(seed >> 8) % (CELLS - from);
		seed = seed * 1664525u + 1013904223u;
		bool open = (seed >> 20) % 5 == 0;
		double total = (seed >> 8) % 4 == 0 ? -1 : (double)((seed >> 12) % 4);
		double ratio_new = (seed >> 16) % 4 == 0 ? -1 : (double)((seed >> 24) % 3) / 2;

		if (open)
			until = CELLS;
		event_series_set(&s, from * S, open ? INT64_MAX : until * S, total, ratio_new);
		for (int i = from; i < until; i++) {
			if (total >= 0)
				rate[i] = total;
			if (ratio_new >= 0)
				ratio[i] = ratio_new;
		}

		/* Kept small: sorted, and no neighbours with the same rates. */
		for (size_t i = 0; i < s.n; i++) {
			const struct event_segment *p = &s.segs[i];
			if (i == 0) {
				CHECK(p->total_per_s != 0 || p->bad_ratio != 0);
				continue;
			}
			CHECK(s.segs[i - 1].start_ms < p->start_ms);
			CHECK(s.segs[i - 1].total_per_s != p->total_per_s ||
			      s.segs[i - 1].bad_ratio != p->bad_ratio);
		}
		for (int a = 0; a < CELLS; a += 7) {
			for (int b = a; b <= CELLS; b += 5) {
				double want_t = 0, want_b = 0, bad, tot;
				for (int i = a; i < b; i++) {
					want_t += rate[i];
					want_b += rate[i] * ratio[i];
				}
				count(&s, a * S, b * S, &bad, &tot);
				if (fabs(tot - want_t) > 1e-9 || fabs(bad - want_b) > 1e-9) {
					printf("#   round %d [%d, %d): %g/%g, want %g/%g\n", round, a, b,
					       bad, tot, want_b, want_t);
					failures++;
				}
			}
		}
	}
	CHECK(failures == 0);
	event_series_free(&s);
}

static void test_burn_history(void)
{
	struct slo_spec spec = slo(0.999, 30 * DAY, 0);
	struct event_series s = { 0 };
	const int64_t start = T0;
	double h[25];

	event_series_set(&s, start - HOUR, INT64_MAX, 10, 0);
	event_series_set(&s, start, start + 10 * MIN, -1, 0.15);
	/* Minutes -4 .. 20 around the start of the errors. */
	burn_history(&spec, &s, start + 20 * MIN, MIN, 25, h);
	CHECK_NEAR(h[0], 0, 1e-9);
	CHECK_NEAR(h[4], 0, 1e-9);
	CHECK_NEAR(h[5], 30, 1e-6);
	CHECK_NEAR(h[6], 60, 1e-6);
	for (int i = 9; i <= 14; i++)
		CHECK_NEAR(h[i], 150, 1e-6);
	CHECK_NEAR(h[16], 90, 1e-6);
	for (int i = 19; i < 25; i++)
		CHECK_NEAR(h[i], 0, 1e-9);

	/* The last point is the 5m burn of an evaluation at now. */
	struct burn_result r;
	burn_history(&spec, &s, start + 7 * MIN, MIN, 3, h);
	burn_evaluate_series(&spec, &s, start + 7 * MIN, 0, &r);
	CHECK_NEAR(h[2], r.windows[BURN_5M].burn, 1e-12);
	CHECK_NEAR(h[0], 150, 1e-6);

	/* Before traffic began there is no burn to show. */
	burn_history(&spec, &s, start - HOUR + 2 * MIN, MIN, 5, h);
	CHECK(isnan(h[0]));
	CHECK(isnan(h[1]));
	CHECK(isnan(h[2]));
	CHECK_NEAR(h[3], 0, 1e-12);
	CHECK_NEAR(h[4], 0, 1e-12);
	event_series_free(&s);
}

static void test_large_series(void)
{
	/* A month of 10-second segments (a long, busy drill): counts over it
	 * stay exact. How fast they are is measured by `make bench`, not
	 * asserted here. */
	struct slo_spec spec = slo(0.999, 30 * DAY, 10);
	struct event_series s = { 0 };
	const int64_t nseg = 30 * DAY / (10 * S);

	for (int64_t i = 0; i < nseg; i++)
		event_series_set(&s, i * 10 * S, INT64_MAX, 10 + (double)(i % 7), (double)(i % 3) * 0.001);
	CHECK((int64_t)s.n == nseg);

	/* The last hour is the last 360 segments. */
	double want_total = 0, want_bad = 0;
	for (int64_t i = nseg - 360; i < nseg; i++) {
		double total = (10 + (double)(i % 7)) * 10;
		want_total += total;
		want_bad += total * (double)(i % 3) * 0.001;
	}
	struct burn_result r;
	burn_evaluate_series(&spec, &s, 30 * DAY, 0, &r);
	CHECK_NEAR(r.windows[BURN_1H].total, want_total, 1e-6 * want_total);
	CHECK_NEAR(r.windows[BURN_1H].bad, want_bad, 1e-6 * want_bad);
	event_series_free(&s);
}

/* Readings of their own times: a tier is as old as its older window, the
 * exhaustion as the older of the period and 1h; a stale reading is no
 * data, never its old figure. */
static void test_reading_times(void)
{
	struct slo_spec spec = slo(0.999, 30 * DAY, 0);
	struct burn_counts w[BURN_NWINDOWS], period = { .bad = 100, .total = 1e6, .at_ms = 1000 };
	for (int i = 0; i < BURN_NWINDOWS; i++)
		w[i] = (struct burn_counts){ .bad = 20, .total = 1000, .at_ms = 9000 - i * 1000 };
	struct burn_result r;
	burn_evaluate(&spec, w, &period, &r);
	CHECK(r.windows[BURN_3D].at_ms == 3000);
	CHECK(r.alerts[0].at_ms == 7000); /* 1h (7000) and 5m (9000) */
	CHECK(r.alerts[3].at_ms == 3000); /* 3d (3000) and 6h (5000) */
	CHECK(r.alerts[3].firing);
	CHECK(r.budget_at_ms == 1000 && r.exhaustion_at_ms == 1000);
	w[BURN_3D].stale = true;
	period.stale = true;
	burn_evaluate(&spec, w, &period, &r);
	CHECK(r.windows[BURN_3D].stale && r.windows[BURN_3D].no_data);
	CHECK(isnan(r.windows[BURN_3D].burn));
	CHECK(r.alerts[3].no_data && !r.alerts[3].firing);
	CHECK(r.alerts[2].firing);
	CHECK(isnan(r.budget_remaining));
}

/* Discovered SLOs: a source that gives ratios (bad = the ratio, total =
 * 1) burns as counts would, never shows counts, and windows its rules
 * lack are no data, as is every tier over them. */
static void test_ratio_only_and_lacks(void)
{
	struct slo_spec spec = slo(0.99, 28 * DAY, 0);
	spec.ratio_only = true;
	struct burn_counts w[BURN_NWINDOWS], period = { .bad = 0.002, .total = 1, .at_ms = T0 };
	for (int k = 0; k < BURN_NWINDOWS; k++)
		w[k] = (struct burn_counts){ .bad = 0.2, .total = 1, .at_ms = T0 };
	w[BURN_3D].bad = w[BURN_3D].total = NAN; /* Pyrra records 4d, not 3d */
	struct burn_result r;
	burn_evaluate(&spec, w, &period, &r);
	CHECK_NEAR(r.windows[BURN_5M].burn, 20, 1e-9);
	CHECK_NEAR(r.windows[BURN_5M].error_ratio, 0.2, 1e-12);
	CHECK(isnan(r.windows[BURN_5M].bad) && isnan(r.windows[BURN_5M].total));
	CHECK(!r.windows[BURN_5M].thin && !r.windows[BURN_5M].no_data);
	CHECK(r.windows[BURN_3D].no_data);
	CHECK(r.alerts[0].firing);
	CHECK(r.alerts[3].no_data && !r.alerts[3].firing); /* 3d/6h */
	CHECK_NEAR(r.budget_remaining, 0.8, 1e-9);

	/* A drill's series with the same windows lacking. */
	struct event_series s = { 0 };
	event_series_set(&s, T0 - 30 * DAY, T0, 10, 0.2);
	burn_evaluate_series(&spec, &s, T0, (1u << BURN_3D) | (1u << BURN_NWINDOWS), &r);
	CHECK(r.windows[BURN_3D].no_data);
	CHECK(!r.windows[BURN_1D].no_data);
	CHECK(isnan(r.budget_remaining));
	event_series_free(&s);
}

int main(void)
{
	RUN(test_ratio_only_and_lacks);
	RUN(test_windows_and_tiers);
	RUN(test_factors_30d);
	RUN(test_factors_7d);
	RUN(test_exhaustion_workbook);
	RUN(test_workbook_incident);
	RUN(test_firing_at_factor);
	RUN(test_unreachable_tier);
	RUN(test_thin_one_failure);
	RUN(test_series_lacks);
	RUN(test_thin_short_window);
	RUN(test_budget_remaining);
	RUN(test_reading_times);
	RUN(test_series_override_restore);
	RUN(test_series_keep_negative);
	RUN(test_series_before_first);
	RUN(test_series_walk_matches_prefix);
	RUN(test_series_random_vs_model);
	RUN(test_burn_history);
	RUN(test_large_series);
	return CHECK_EXIT();
}
