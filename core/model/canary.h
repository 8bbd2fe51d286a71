/* The canary gate, as in seed 004's gate.py and canary_watcher.py: each
 * window's per-class metrics are checked against per-class thresholds; a
 * window with too few samples is inconclusive, not failed; N consecutive
 * failed windows give the verdict "rollback"; a passing window resets the
 * count. Every window keeps what it saw, so the verdict can say why. */
#ifndef CMDR_CANARY_H
#define CMDR_CANARY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum window_verdict { WINDOW_PASS, WINDOW_INCONCLUSIVE, WINDOW_FAIL };
enum canary_verdict { CANARY_WATCHING, CANARY_ROLLBACK, CANARY_PAGE, CANARY_STOPPED };
enum canary_on_failure { ON_FAILURE_ROLLBACK, ON_FAILURE_PAGE };

struct canary_threshold {
	char *class_name;
	char *metric;
	double min; /* the observed value must be >= min */
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
};

/* One metric of one class as observed in one window. */
struct canary_obs {
	const char *class_name;
	const char *metric;
	double value;
	int n;
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
};

struct canary {
	struct canary_spec spec;
	struct canary_window *windows;
	size_t n_windows, cap_windows;
	int consecutive_failures;
	enum canary_verdict verdict;
	size_t verdict_window; /* index of the window that gave the verdict */
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
/* Stops watching (e.g. the canary got 0% traffic): verdict becomes STOPPED
 * unless a rollback/page verdict was already given. */
void canary_stop(struct canary *c);
/* Back in traffic after a stop: watched again (a verdict given stays). */
void canary_resume(struct canary *c);

/* "multi_hop groundedness 2.66 < 2.85 (n=11), 3 consecutive failed windows" */
char *canary_verdict_reason(const struct canary *c);
const char *window_verdict_name(enum window_verdict v);   /* pass, inconclusive, fail */
const char *canary_verdict_name(enum canary_verdict v);   /* watching, rollback, page, stopped */

#endif
