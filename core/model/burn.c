#include "burn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numeric.h"
#include "timefmt.h"
#include "xalloc.h"

const int64_t burn_window_ms[BURN_NWINDOWS] = {
	[BURN_5M] = 5 * MS_PER_MIN,
	[BURN_30M] = 30 * MS_PER_MIN,
	[BURN_1H] = MS_PER_HOUR,
	[BURN_2H] = 2 * MS_PER_HOUR,
	[BURN_6H] = 6 * MS_PER_HOUR,
	[BURN_1D] = MS_PER_DAY,
	[BURN_3D] = 3 * MS_PER_DAY,
};

const char *const burn_window_name[BURN_NWINDOWS] = {
	[BURN_5M] = "5m", [BURN_30M] = "30m", [BURN_1H] = "1h", [BURN_2H] = "2h",
	[BURN_6H] = "6h", [BURN_1D] = "1d",   [BURN_3D] = "3d",
};

/* As in the Workbook (ch. 5): 2% and 5% of the budget burnt page, 10% files
 * a ticket. */
const struct burn_tier burn_tiers[BURN_NTIERS] = {
	{ .severity = "page", .long_window = BURN_1H, .short_window = BURN_5M, .budget_fraction = 0.02 },
	{ .severity = "page", .long_window = BURN_6H, .short_window = BURN_30M, .budget_fraction = 0.05 },
	{ .severity = "ticket", .long_window = BURN_1D, .short_window = BURN_2H, .budget_fraction = 0.10 },
	{ .severity = "ticket", .long_window = BURN_3D, .short_window = BURN_6H, .budget_fraction = 0.10 },
};

/* What is in force before the first segment: no traffic at all. */
static const struct event_segment seg_none;

static bool seg_same_rates(const struct event_segment *a, const struct event_segment *b)
{
	return a->total_per_s == b->total_per_s && a->bad_ratio == b->bad_ratio;
}

/* Index of the first segment starting at or after t (n if none). */
static size_t seg_lower(const struct event_series *s, int64_t t)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->segs[mid].start_ms < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the segment in force at t, or -1 before the first one. */
static ptrdiff_t seg_at(const struct event_series *s, int64_t t)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->segs[mid].start_ms <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ptrdiff_t)lo - 1;
}

/* Through double so that the spans of open-ended ranges cannot overflow;
 * epoch milliseconds stay exact far below 2^53. */
static double span_s(int64_t from_ms, int64_t to_ms)
{
	return ((double)to_ms - (double)from_ms) / 1000.0;
}

static void seg_insert(struct event_series *s, size_t i, struct event_segment seg)
{
	xgrow(&s->segs, &s->cap, s->n + 1, sizeof(*s->segs));
	memmove(&s->segs[i + 1], &s->segs[i], (s->n - i) * sizeof(*s->segs));
	s->segs[i] = seg;
	s->n++;
}

static void seg_apply(struct event_segment *seg, double total_per_s, double bad_ratio)
{
	if (total_per_s >= 0)
		seg->total_per_s = total_per_s;
	if (bad_ratio >= 0)
		seg->bad_ratio = bad_ratio;
}

/* Recomputes the prefix sums from segment `from` on. A set leaves the
 * segments before its range alone, so their sums stand, and appending in
 * time order stays cheap. */
static void series_cum_rebuild(struct event_series *s, size_t from)
{
	xgrow(&s->cum, &s->cum_cap, s->n, sizeof(*s->cum));
	if (s->n && from == 0)
		s->cum[0] = (struct event_cum){ 0, 0 };
	for (size_t i = from ? from : 1; i < s->n; i++) {
		const struct event_segment *prev = &s->segs[i - 1];
		double total = prev->total_per_s * span_s(prev->start_ms, s->segs[i].start_ms);

		s->cum[i].total = s->cum[i - 1].total + total;
		s->cum[i].bad = s->cum[i - 1].bad + total * prev->bad_ratio;
	}
	s->cum_n = s->n;
}

void event_series_free(struct event_series *s)
{
	free(s->segs);
	free(s->cum);
	memset(s, 0, sizeof(*s));
}

void event_series_set(struct event_series *s, int64_t from_ms, int64_t until_ms,
		      double total_per_s, double bad_ratio)
{
	if (from_ms >= until_ms)
		return;
	/* Above 1 there would be more bad events than events, and burns above
	 * the ceiling that reachability is judged by. */
	if (bad_ratio > 1)
		bad_ratio = 1;
	/* NaN means "keep", like a negative value: nothing is known about it. */
	if (isnan(total_per_s))
		total_per_s = -1;
	if (isnan(bad_ratio))
		bad_ratio = -1;

	bool cum_fresh = s->cum && s->cum_n == s->n;
	size_t lo = seg_lower(s, from_ms);
	size_t hi = until_ms == INT64_MAX ? s->n : seg_lower(s, until_ms);

	/* A breakpoint at until holding what was in force there, so that the
	 * earlier rates resume after the override. */
	if (until_ms != INT64_MAX && (hi == s->n || s->segs[hi].start_ms != until_ms)) {
		struct event_segment resume = hi ? s->segs[hi - 1] : seg_none;
		resume.start_ms = until_ms;
		seg_insert(s, hi, resume);
	}
	/* And one at from, so that a "keep" value has something to keep. */
	if (lo == s->n || s->segs[lo].start_ms != from_ms) {
		struct event_segment here = lo ? s->segs[lo - 1] : seg_none;
		here.start_ms = from_ms;
		seg_insert(s, lo, here);
		hi++;
	}
	/* Now [lo, hi) is exactly the segments inside [from, until). */
	for (size_t i = lo; i < hi; i++)
		seg_apply(&s->segs[i], total_per_s, bad_ratio);

	/* Merging keeps counts cheap and the series small however often a
	 * drill re-sets the same rates. Only the changed range and its edges
	 * can have produced equal neighbours. */
	size_t end = hi + 2 < s->n ? hi + 2 : s->n;
	size_t w = lo;
	for (size_t r = lo; r < end; r++) {
		const struct event_segment *prev = w ? &s->segs[w - 1] : &seg_none;
		if (!seg_same_rates(prev, &s->segs[r]))
			s->segs[w++] = s->segs[r];
	}
	memmove(&s->segs[w], &s->segs[end], (s->n - end) * sizeof(*s->segs));
	s->n -= end - w;

	series_cum_rebuild(s, cum_fresh ? lo : 0);
}

static void seg_count(const struct event_segment *seg, int64_t from_ms, int64_t to_ms,
		      double *bad, double *total)
{
	double n = seg->total_per_s * span_s(from_ms, to_ms);

	*total += n;
	*bad += n * seg->bad_ratio;
}

/* For a series whose segs were changed behind event_series_set's back. */
static void series_count_walk(const struct event_series *s, int64_t from_ms, int64_t to_ms,
			      double *bad, double *total)
{
	for (size_t i = 0; i < s->n; i++) {
		int64_t a = s->segs[i].start_ms;
		int64_t b = i + 1 < s->n ? s->segs[i + 1].start_ms : INT64_MAX;

		if (a < from_ms)
			a = from_ms;
		if (b > to_ms)
			b = to_ms;
		if (a < b)
			seg_count(&s->segs[i], a, b, bad, total);
	}
}

void event_series_count(const struct event_series *s, int64_t from_ms, int64_t to_ms,
			double *bad, double *total)
{
	double b = 0, t = 0;

	if (from_ms < to_ms && s->n) {
		if (s->cum && s->cum_n == s->n) {
			ptrdiff_t i = seg_at(s, from_ms), j = seg_at(s, to_ms);

			/* The partial segments at both ends are integrated
			 * directly rather than as a difference of prefix sums,
			 * which would lose short windows to rounding late in a
			 * long history. */
			if (j < 0) {
				/* wholly before the first segment */
			} else if (i == j) {
				seg_count(&s->segs[i], from_ms, to_ms, &b, &t);
			} else {
				size_t first = (size_t)(i + 1);

				if (i >= 0)
					seg_count(&s->segs[i], from_ms, s->segs[first].start_ms, &b, &t);
				t += s->cum[j].total - s->cum[first].total;
				b += s->cum[j].bad - s->cum[first].bad;
				seg_count(&s->segs[j], s->segs[j].start_ms, to_ms, &b, &t);
			}
		} else {
			series_count_walk(s, from_ms, to_ms, &b, &t);
		}
	}
	/* Rounding in the prefix sums must not show as negative traffic. */
	if (bad)
		*bad = b > 0 ? b : 0;
	if (total)
		*total = t > 0 ? t : 0;
}

double burn_factor(const struct burn_tier *tier, int64_t period_ms)
{
	return tier->budget_fraction * (double)period_ms / (double)burn_window_ms[tier->long_window];
}

int64_t burn_time_to_exhaustion(int64_t period_ms, double budget_remaining, double burn)
{
	/* A budget already spent stays spent whatever the current burn. */
	if (budget_remaining <= 0)
		return 0;
	if (!(burn > 0) || isnan(budget_remaining))
		return -1;
	double ms = numeric_round((double)period_ms * budget_remaining / burn);
	/* A tiny burn would overflow the cast; that far away is "never" in
	 * all but name, but it is still a finite time. */
	if (!(ms < 9.2e18))
		return INT64_MAX;
	return (int64_t)ms;
}

static double burn_of(const struct slo_spec *spec, double bad, double total)
{
	if (!(total > 0))
		return NAN;
	return bad / total / (1 - spec->objective);
}

static int64_t older(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

void burn_evaluate(const struct slo_spec *spec, const struct burn_counts windows[BURN_NWINDOWS],
		   const struct burn_counts *period, struct burn_result *out)
{
	memset(out, 0, sizeof(*out));
	for (int w = 0; w < BURN_NWINDOWS; w++) {
		struct burn_window_stat *st = &out->windows[w];

		st->stale = windows[w].stale;
		st->at_ms = windows[w].at_ms;
		st->bad = st->stale ? NAN : windows[w].bad;
		st->total = st->stale ? NAN : windows[w].total;
		st->error_ratio = st->total > 0 ? st->bad / st->total : NAN;
		st->burn = burn_of(spec, st->bad, st->total);
		st->no_data = isnan(st->total) || isnan(st->bad);
		st->thin = !st->no_data && st->total < spec->min_events;
		if (spec->ratio_only)
			st->bad = st->total = NAN;
	}

	/* The highest burn possible is every event failing; computed as a burn
	 * is, so that a tier exactly at it counts as reachable and can fire. */
	double max_burn = burn_of(spec, 1, 1);
	for (int k = 0; k < BURN_NTIERS; k++) {
		struct burn_alert *a = &out->alerts[k];
		const struct burn_window_stat *lw = &out->windows[burn_tiers[k].long_window];
		const struct burn_window_stat *sw = &out->windows[burn_tiers[k].short_window];

		a->tier = &burn_tiers[k];
		a->severity = !spec->page_tiers_set ? a->tier->severity
			      : spec->page_tiers & (1u << k) ? "page"
							     : "ticket";
		a->factor = burn_factor(a->tier, spec->period_ms);
		a->reachable = a->factor <= max_burn;
		a->thin = lw->thin || sw->thin;
		a->no_data = lw->no_data || sw->no_data;
		/* >= as in the Workbook's and Sloth's rules; a NaN burn (no
		 * events) compares false and so never fires. */
		a->firing = a->reachable && !a->thin && !a->no_data && lw->burn >= a->factor &&
			    sw->burn >= a->factor;
		a->at_ms = older(lw->at_ms, sw->at_ms);
	}

	out->budget_remaining = period->total > 0 && !period->stale ? 1 - burn_of(spec, period->bad, period->total)
								    : NAN;
	out->exhaustion_ms = burn_time_to_exhaustion(spec->period_ms, out->budget_remaining,
						     out->windows[BURN_1H].burn);
	out->budget_at_ms = period->at_ms;
	out->exhaustion_at_ms = older(period->at_ms, out->windows[BURN_1H].at_ms);
}

double burn_nearness(const struct burn_result *r)
{
	double best = -1;
	for (int k = 0; k < BURN_NTIERS; k++) {
		const struct burn_alert *a = &r->alerts[k];
		if (!a->reachable || a->thin || a->no_data)
			continue;
		double lb = r->windows[a->tier->long_window].burn, sb = r->windows[a->tier->short_window].burn;
		double lower = lb < sb ? lb : sb;
		/* NaN (no events) compares false: nothing burns. */
		double near = lower > 0 ? lower / a->factor : 0;
		if (near > best)
			best = near;
	}
	return best;
}

void burn_evaluate_series(const struct slo_spec *spec, const struct event_series *s, int64_t now, unsigned lacks,
			  struct burn_result *out)
{
	struct burn_counts windows[BURN_NWINDOWS], period = { .at_ms = now };

	for (int w = 0; w < BURN_NWINDOWS; w++) {
		windows[w] = (struct burn_counts){ .at_ms = now };
		event_series_count(s, now - burn_window_ms[w], now, &windows[w].bad, &windows[w].total);
		if (lacks & (1u << w))
			windows[w].bad = windows[w].total = NAN;
	}
	event_series_count(s, now - spec->period_ms, now, &period.bad, &period.total);
	if (lacks & (1u << BURN_NWINDOWS))
		period.bad = period.total = NAN;
	burn_evaluate(spec, windows, &period, out);
}

void burn_history(const struct slo_spec *spec, const struct event_series *s, int64_t now,
		  int64_t step_ms, size_t n, double *out)
{
	for (size_t i = 0; i < n; i++) {
		int64_t t = now - (int64_t)(n - 1 - i) * step_ms;
		double bad, total;

		event_series_count(s, t - burn_window_ms[BURN_5M], t, &bad, &total);
		out[i] = burn_of(spec, bad, total);
	}
}
