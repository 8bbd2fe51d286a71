/* The burn engine's figure for `make bench`: one tick evaluates 1,000 SLOs
 * over 7 windows and the period, from counts a metrics engine returned
 * (live) and from event histories (drills). Prints key=value lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "burn.h"

#define N_SLOS 1000
#define TICKS 200

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void report(const char *name, double *t)
{
	qsort(t, TICKS, sizeof *t, cmp);
	printf("%s_p50_ms=%.3f\n%s_p99_ms=%.3f\n", name, t[TICKS / 2], name, t[TICKS * 99 / 100]);
}

int main(void)
{
	static struct slo_spec specs[N_SLOS];
	static struct burn_counts counts[N_SLOS][BURN_NWINDOWS], period[N_SLOS];
	static struct event_series series[N_SLOS];
	static struct burn_result out[N_SLOS];
	const int64_t now = 1726247643000LL;
	for (int i = 0; i < N_SLOS; i++) {
		specs[i] = (struct slo_spec){ .name = "slo", .objective = 0.999, .period_ms = 30LL * 86400000,
					      .min_events = 10 };
		for (int w = 0; w < BURN_NWINDOWS; w++)
			counts[i][w] = (struct burn_counts){ .bad = (i % 7) * (w + 1), .total = 1000.0 * (w + 1) };
		period[i] = (struct burn_counts){ .bad = 500, .total = 1e6 };
		/* A drill's history: a month of traffic, then an error burst. */
		event_series_set(&series[i], now - 30LL * 86400000, INT64_MAX, 5 + i % 3, 0.0005);
		event_series_set(&series[i], now - 20 * 60000, now - 5 * 60000, -1, 0.02 * (i % 5));
	}
	double live[TICKS], drill[TICKS];
	double sink = 0;
	for (int k = 0; k < TICKS; k++) {
		double t0 = now_ms();
		for (int i = 0; i < N_SLOS; i++)
			burn_evaluate(&specs[i], counts[i], &period[i], &out[i]);
		live[k] = now_ms() - t0;
		sink += out[k % N_SLOS].windows[0].burn;
		t0 = now_ms();
		for (int i = 0; i < N_SLOS; i++)
			burn_evaluate_series(&specs[i], &series[i], now + k * 1000, 0, &out[i]);
		drill[k] = now_ms() - t0;
		sink += out[k % N_SLOS].windows[1].burn;
	}
	printf("slos=%d\nwindows=%d\n", N_SLOS, BURN_NWINDOWS);
	report("live", live);
	report("drill", drill);
	printf("checksum=%s\n", isfinite(sink) ? "ok" : "nan");
	for (int i = 0; i < N_SLOS; i++)
		event_series_free(&series[i]);
	return 0;
}
