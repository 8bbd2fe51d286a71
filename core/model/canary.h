/* The canary gate. Two judges:
 *
 * threshold, as in seed 004's gate.py and canary_watcher.py: each window's
 * per-class metrics are checked against per-class thresholds; a window
 * with too few samples is inconclusive, not failed; N consecutive failed
 * windows give the verdict "rollback"; a passing window resets the count.
 *
 * compare: each metric of the canary against the same metric of the
 * baseline deployment over the same windows, the evidence accumulated
 * window by window and judged by an always-valid sequential test
 * (core/model/msprt.h), so it may decide at any window while keeping the
 * chance of a false alarm over the whole canary below alpha. When every
 * entry also has a minimum, the threshold rule is run beside it, for
 * comparison only.
 *
 * Every window keeps what it saw, so the verdict can say why. */
#ifndef CMDR_CANARY_H
#define CMDR_CANARY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum window_verdict { WINDOW_PASS, WINDOW_INCONCLUSIVE, WINDOW_FAIL };
enum canary_verdict { CANARY_WATCHING, CANARY_ROLLBACK, CANARY_PAGE, CANARY_STOPPED };
enum canary_on_failure { ON_FAILURE_ROLLBACK, ON_FAILURE_PAGE };
enum canary_judge { JUDGE_THRESHOLD, JUDGE_COMPARE };

/* One metric of one class the gate watches. For both judges a lower value
 * is the worse one. */
struct canary_threshold {
	char *class_name;
	char *metric;
	double min; /* the observed value must be >= min; NaN: none (compare only) */
};

struct canary_spec {
	char *endpoint;
	char *deployment;  /* the canary deployment under watch */
	int64_t window_ms; /* default 60 s */
	int min_samples;   /* n below this: the check is inconclusive */
	int failure_limit; /* consecutive failed windows before the verdict, default 3 */
	enum canary_on_failure on_failure;
	struct canary_threshold *thresholds;
	size_t n_thresholds;
	enum canary_judge judge;
	/* compare: the deployment the canary is held against; NULL: the
	 * caller names it (the one with the most traffic) per window. */
	char *baseline;
	double alpha;  /* compare: false-alarm bound over the whole canary, default 0.01 */
	double effect; /* compare: the relative change the test is tuned to, default 0.05 */
};

/* One metric of one class as observed in one window: the mean of n
 * samples, and their standard deviation when the source gives it. */
struct canary_obs {
	const char *class_name;
	const char *metric;
	double value;
	int n;
	double sd;
	bool has_sd;
};

enum compare_verdict { COMPARE_NODATA, COMPARE_THIN, COMPARE_PASS, COMPARE_FAIL };

/* compare: one metric judged on everything seen up to a window. */
struct canary_compare {
	enum compare_verdict verdict;
	double canary_mean, base_mean; /* NaN: no sample yet */
	long canary_n, base_n;         /* samples so far, both sides */
	double diff, half;             /* canary - baseline, interval diff +- half; NaN: not known */
	double log_lr, log_bound;      /* the test's log likelihood ratio and the bar it must reach */
	bool seen;                     /* the canary gave a sample of it in this window */
	char *why;                     /* the rule that decided, in words */
};

/* compare: the evidence kept per metric across windows, per side. */
struct canary_arm {
	double n, s1, s2, within; /* samples, sum, sum of n*mean^2, sum of (n-1)*sd^2 */
	int windows;
	bool sd_all; /* every window gave a standard deviation */
};

struct canary_check {
	char *class_name;
	char *metric;
	double value;     /* NaN when the window had no sample for it */
	double threshold;
	int n;
	enum window_verdict verdict;
};

struct canary_window {
	int64_t start_ms, end_ms;
	enum window_verdict verdict;
	/* One check per threshold, in spec order. */
	struct canary_check *checks;
	size_t n_checks;
	/* The check that decided the verdict: the worst failing one (lowest
	 * value/threshold), else the thin one, else the closest pass. */
	size_t decisive;
	int consecutive_failures; /* the count after this window */
	/* compare: one per threshold, in spec order; decisive indexes these,
	 * and checks/consecutive_failures are the threshold rule beside it
	 * (checks is empty when it does not run). */
	struct canary_compare *cmp;
	const char *baseline; /* the baseline this window was held against (the canary's copy) */
	enum window_verdict beside; /* the threshold rule's window verdict */
};

struct canary {
	struct canary_spec spec;
	struct canary_window *windows;
	size_t n_windows, cap_windows;
	int consecutive_failures;
	enum canary_verdict verdict;
	size_t verdict_window; /* index of the window that gave the verdict */
	/* compare */
	struct canary_arm (*arms)[2]; /* per threshold: [0] canary, [1] baseline */
	char **baselines;             /* every baseline named, owned */
	size_t n_baselines;
	bool beside;                          /* the threshold rule runs beside */
	enum canary_verdict beside_verdict;   /* what it would have done */
	size_t beside_window;
};

/* Takes ownership of spec's allocations. */
void canary_init(struct canary *c, struct canary_spec *spec);
void canary_free(struct canary *c);
void canary_spec_free(struct canary_spec *spec);

/* Judges one window. A check with n == 0 (no sample) is ignored; with
 * 0 < n < min_samples it is inconclusive. The window fails if any
 * conclusive check fails, else is inconclusive if any check is thin, else
 * passes (and is inconclusive when no check had samples at all).
 * Fail: count + 1; pass: count = 0; inconclusive: count unchanged. Reaching
 * failure_limit sets the verdict (rollback or page) once; windows after a
 * verdict are still recorded. Returns the recorded window. */
const struct canary_window *canary_add_window(struct canary *c, int64_t start_ms, int64_t end_ms,
					      const struct canary_obs *obs, size_t n_obs);
/* The same with the baseline's observations of the same window (compare;
 * the threshold judge ignores them). baseline names the deployment they
 * came from (NULL: spec.baseline). A metric the canary or the baseline
 * gave no sample for adds nothing to the evidence: the sides are only
 * compared over the same windows. Compare's verdict is given at the first
 * window where a metric fails the test. */
const struct canary_window *canary_add_window_vs(struct canary *c, int64_t start_ms, int64_t end_ms,
						 const struct canary_obs *obs, size_t n_obs, const char *baseline,
						 const struct canary_obs *base, size_t n_base);
/* Stops watching (e.g. the canary got 0% traffic): verdict becomes STOPPED
 * unless a rollback/page verdict was already given. */
void canary_stop(struct canary *c);
/* Back in traffic after a stop: watched again (a verdict given stays). */
void canary_resume(struct canary *c);

/* "multi_hop groundedness 2.66 < 2.85 (n=11), 3 consecutive failed windows" */
char *canary_verdict_reason(const struct canary *c);
/* compare: "multi_hop groundedness 2.72 (n=11) vs d-1427 2.95 (n=99):
 * -0.23 +- 0.17, below the baseline (LR 1430 >= 900)" */
char *canary_compare_text(const struct canary *c, const struct canary_window *w, size_t k);
const char *window_verdict_name(enum window_verdict v);   /* pass, inconclusive, fail */
const char *compare_verdict_name(enum compare_verdict v); /* nodata, thin, pass, fail */
const char *canary_judge_name(enum canary_judge j);       /* threshold, compare */
const char *canary_verdict_name(enum canary_verdict v);   /* watching, rollback, page, stopped */

#endif
