/* SLO burn rates and the multiwindow, multi-burn-rate alert tiers of the
 * Google SRE Workbook (ch. 5), scaled to the SLO's period. Counts come
 * either from an event history (drills: piecewise-constant rates) or from a
 * metrics engine that computed each window itself (live sources). */
#ifndef CMDR_BURN_H
#define CMDR_BURN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum burn_window { BURN_5M, BURN_30M, BURN_1H, BURN_2H, BURN_6H, BURN_1D, BURN_3D, BURN_NWINDOWS };
extern const int64_t burn_window_ms[BURN_NWINDOWS];
extern const char *const burn_window_name[BURN_NWINDOWS]; /* "5m", "30m", ... */

/* The tiers, defined (as Sloth does) by the share of the period's error
 * budget burnt within the long window, so that they scale to any period:
 * factor = budget_fraction * period / long_window. At 30d this gives the
 * Workbook's 14.4, 6, 3 and 1. */
enum { BURN_NTIERS = 4 };
struct burn_tier {
	const char *severity; /* "page" or "ticket" */
	enum burn_window long_window, short_window;
	double budget_fraction;
};
extern const struct burn_tier burn_tiers[BURN_NTIERS];

struct slo_spec {
	char *name;
	double objective;   /* e.g. 0.999 */
	int64_t period_ms;  /* e.g. 30 days */
	double min_events;  /* a window with fewer total events is "thin" */
	/* Which tiers page (bit k: burn_tiers[k]); when not set, each tier's
	 * own severity. */
	unsigned page_tiers;
	bool page_tiers_set;
	/* Its source gives each window's error ratio, not counts (rules
	 * discovered from Sloth or Pyrra): counts come as bad = the ratio,
	 * total = 1, and the result's bad and total are NaN, never shown as
	 * if they were events. */
	bool ratio_only;
};

/* Event history as piecewise-constant rates; before the first segment the
 * rate is zero. Segments are kept sorted by start. */
struct event_segment {
	int64_t start_ms;
	double total_per_s;
	double bad_ratio; /* share of events that are bad, 0..1 */
};
/* Events before a segment's start, counted from the first segment. */
struct event_cum {
	double total, bad;
};
struct event_series {
	struct event_segment *segs;
	size_t n, cap;
	/* Private to burn.c: prefix sums kept by event_series_set, because
	 * counts are hot and sets rare. Changing segs any other way leaves
	 * cum_n != n, and the series is then counted by walking it. */
	struct event_cum *cum;
	size_t cum_n, cum_cap;
};

void event_series_free(struct event_series *s);
/* From from_ms until until_ms (INT64_MAX: open-ended) the rates become
 * total_per_s and bad_ratio; a negative value keeps what was there. */
void event_series_set(struct event_series *s, int64_t from_ms, int64_t until_ms,
		      double total_per_s, double bad_ratio);
/* Events in [from_ms, to_ms): total and bad counts. */
void event_series_count(const struct event_series *s, int64_t from_ms, int64_t to_ms,
			double *bad, double *total);

/* A window's counts, and when they were read: live sources read long
 * windows less often than short ones (core/feeds/live_slo.c), so each
 * window's figure is for its own moment. */
struct burn_counts {
	double bad, total;
	int64_t at_ms; /* the moment the counts are for */
	bool stale;    /* read longer ago than its cadence allows: no data */
};

struct burn_window_stat {
	double bad, total;
	double error_ratio; /* NaN when total is 0 */
	double burn;        /* error_ratio / (1 - objective); NaN when no events */
	bool thin;          /* total < min_events: cannot page on this window */
	bool no_data;       /* the source had no value (NaN counts) or it is stale: never read as 0 */
	bool stale;
	int64_t at_ms;      /* the moment of its reading */
};

struct burn_alert {
	const struct burn_tier *tier;
	const char *severity; /* "page" or "ticket", after the SLO's page_tiers */
	double factor;   /* scaled to the period */
	bool reachable;  /* false when factor > 1/(1-objective): can never fire */
	bool thin;       /* long or short window lacks events, so not firing */
	bool no_data;    /* long or short window has no data, so not firing */
	bool firing;     /* both windows above factor, neither thin */
	int64_t at_ms;   /* the older of its two windows' readings */
};

struct burn_result {
	struct burn_window_stat windows[BURN_NWINDOWS];
	struct burn_alert alerts[BURN_NTIERS];
	double budget_remaining; /* share of the period's budget left (may go
				    below 0); NaN when the period had no events */
	int64_t exhaustion_ms;   /* at the current (1h) burn: -1 never, 0 spent */
	int64_t budget_at_ms;    /* the period's reading */
	int64_t exhaustion_at_ms; /* the older of the period's and the 1h reading */
};

double burn_factor(const struct burn_tier *tier, int64_t period_ms);
/* How near the SLO is to firing, for ranking SLOs against each other: for
 * each tier that can be judged (reachable, neither window thin nor without
 * data), the lower of its two windows' burn over the tier's factor (1: at
 * its threshold; a firing tier is 1 or more); the highest of these, or -1
 * when no tier can be judged. A window without events counts as 0. */
double burn_nearness(const struct burn_result *r);
/* Time until a budget_remaining share of the period's budget is spent at
 * `burn`: period * budget_remaining / burn; -1 when burn <= 0 or NaN,
 * 0 when nothing remains. */
int64_t burn_time_to_exhaustion(int64_t period_ms, double budget_remaining, double burn);

/* Counts may be NaN where a source had no data; stale counts are read
 * as none. */
void burn_evaluate(const struct slo_spec *spec, const struct burn_counts windows[BURN_NWINDOWS],
		   const struct burn_counts *period, struct burn_result *out);
/* lacks: windows (bit k; bit BURN_NWINDOWS the period) read as no data. */
void burn_evaluate_series(const struct slo_spec *spec, const struct event_series *s, int64_t now, unsigned lacks,
			  struct burn_result *out);
/* The 5m burn at n points ending at now, step_ms apart (oldest first);
 * NaN where there were no events. */
void burn_history(const struct slo_spec *spec, const struct event_series *s, int64_t now,
		  int64_t step_ms, size_t n, double *out);

#endif
