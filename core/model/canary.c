#include "canary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "canary_impl.h"
#include "xalloc.h"

#define CANARY_DEFAULT_WINDOW_MS 60000
#define CANARY_DEFAULT_FAILURE_LIMIT 3
#define CANARY_DEFAULT_MIN_SAMPLES 1
#define CANARY_DEFAULT_ALPHA 0.01
#define CANARY_DEFAULT_EFFECT 0.05

void canary_init(struct canary *c, struct canary_spec *spec)
{
	memset(c, 0, sizeof *c);
	c->spec = *spec;
	/* The canary owns the allocations now; clearing the caller's copy
	 * makes a stray canary_spec_free on it harmless instead of a double
	 * free. */
	memset(spec, 0, sizeof *spec);
	if (c->spec.window_ms <= 0)
		c->spec.window_ms = CANARY_DEFAULT_WINDOW_MS;
	if (c->spec.failure_limit <= 0)
		c->spec.failure_limit = CANARY_DEFAULT_FAILURE_LIMIT;
	if (c->spec.min_samples <= 0)
		c->spec.min_samples = CANARY_DEFAULT_MIN_SAMPLES;
	if (!(c->spec.alpha > 0 && c->spec.alpha < 1))
		c->spec.alpha = CANARY_DEFAULT_ALPHA;
	if (!(c->spec.effect > 0))
		c->spec.effect = CANARY_DEFAULT_EFFECT;
	c->verdict = CANARY_WATCHING;
	c->beside_verdict = CANARY_WATCHING;
	if (c->spec.judge == JUDGE_COMPARE) {
		c->arms = xcalloc(c->spec.n_thresholds ? c->spec.n_thresholds : 1, sizeof *c->arms);
		c->beside = c->spec.n_thresholds > 0;
		for (size_t i = 0; i < c->spec.n_thresholds; i++)
			if (isnan(c->spec.thresholds[i].min))
				c->beside = false;
	}
}

void canary_spec_free(struct canary_spec *spec)
{
	free(spec->endpoint);
	free(spec->deployment);
	for (size_t i = 0; i < spec->n_thresholds; i++) {
		free(spec->thresholds[i].class_name);
		free(spec->thresholds[i].metric);
	}
	free(spec->thresholds);
	free(spec->baseline);
	memset(spec, 0, sizeof *spec);
}

static void canary_window_free(struct canary_window *w, size_t n_thresholds)
{
	for (size_t i = 0; i < w->n_checks; i++) {
		free(w->checks[i].class_name);
		free(w->checks[i].metric);
	}
	free(w->checks);
	canary_compare_free(w, n_thresholds);
}

void canary_free(struct canary *c)
{
	for (size_t i = 0; i < c->n_windows; i++)
		canary_window_free(&c->windows[i], c->spec.n_thresholds);
	free(c->windows);
	free(c->arms);
	for (size_t i = 0; i < c->n_baselines; i++)
		free(c->baselines[i]);
	free(c->baselines);
	canary_spec_free(&c->spec);
	memset(c, 0, sizeof *c);
}

/* A NaN value carries no information, so an observation with one counts as
 * no sample rather than as a failure that would read "nan < 2.85". */
static const struct canary_obs *canary_find_obs(const struct canary_threshold *t,
						const struct canary_obs *obs, size_t n_obs)
{
	for (size_t i = 0; i < n_obs; i++) {
		if (strcmp(obs[i].class_name, t->class_name) == 0 &&
		    strcmp(obs[i].metric, t->metric) == 0 && obs[i].n > 0 && !isnan(obs[i].value))
			return &obs[i];
	}
	return NULL;
}

/* How comfortably a value clears its threshold, 1.0 at the boundary. A
 * ratio lets checks on different scales (a 0..3 rubric, a 0..1 rate) be
 * ranked against each other; it only means that for positive thresholds,
 * so others fall back to 1 + the difference, which keeps the boundary at 1
 * and the order by value. */
static double canary_margin(const struct canary_check *k)
{
	if (k->threshold > 0)
		return k->value / k->threshold;
	return 1.0 + (k->value - k->threshold);
}

static void canary_check_judge(struct canary_check *k, const struct canary_threshold *t,
			       const struct canary_obs *o, int min_samples)
{
	k->class_name = xstrdup(t->class_name);
	k->metric = xstrdup(t->metric);
	k->threshold = t->min;
	if (!o) {
		k->value = NAN;
		k->n = 0;
		k->verdict = WINDOW_INCONCLUSIVE;
		return;
	}
	k->value = o->value;
	k->n = o->n;
	if (o->n < min_samples)
		k->verdict = WINDOW_INCONCLUSIVE;
	else
		k->verdict = o->value >= t->min ? WINDOW_PASS : WINDOW_FAIL;
}

/* Picks the window verdict and the check to blame for it. A window where no
 * check had a sample has nothing to blame; decisive is then 0 (the first
 * check, if any), whose value is NaN. */
static void canary_window_judge(struct canary_window *w)
{
	size_t worst_fail = SIZE_MAX, worst_thin = SIZE_MAX, closest_pass = SIZE_MAX;

	for (size_t i = 0; i < w->n_checks; i++) {
		const struct canary_check *k = &w->checks[i];
		size_t *best;

		if (k->n == 0)
			continue;
		if (k->verdict == WINDOW_FAIL)
			best = &worst_fail;
		else if (k->verdict == WINDOW_INCONCLUSIVE)
			best = &worst_thin;
		else
			best = &closest_pass;
		/* Strictly lower, so ties go to the first in spec order. */
		if (*best == SIZE_MAX || canary_margin(k) < canary_margin(&w->checks[*best]))
			*best = i;
	}
	if (worst_fail != SIZE_MAX) {
		w->verdict = WINDOW_FAIL;
		w->decisive = worst_fail;
	} else if (worst_thin != SIZE_MAX) {
		w->verdict = WINDOW_INCONCLUSIVE;
		w->decisive = worst_thin;
	} else if (closest_pass != SIZE_MAX) {
		w->verdict = WINDOW_PASS;
		w->decisive = closest_pass;
	} else {
		w->verdict = WINDOW_INCONCLUSIVE;
		w->decisive = 0;
	}
}

/* The verdict is given once: a rollback already issued is not issued again
 * by the windows that keep arriving while it takes effect. */
static void canary_give(const struct canary *c, bool failed, enum canary_verdict *verdict, size_t *at)
{
	if (*verdict == CANARY_WATCHING && failed) {
		*verdict = c->spec.on_failure == ON_FAILURE_PAGE ? CANARY_PAGE : CANARY_ROLLBACK;
		*at = c->n_windows;
	}
}

const struct canary_window *canary_add_window_vs(struct canary *c, int64_t start_ms, int64_t end_ms,
						 const struct canary_obs *obs, size_t n_obs, const char *baseline,
						 const struct canary_obs *base, size_t n_base)
{
	const struct canary_spec *spec = &c->spec;
	bool compare = spec->judge == JUDGE_COMPARE;
	struct canary_window *w;

	xgrow(&c->windows, &c->cap_windows, c->n_windows + 1, sizeof *c->windows);
	w = &c->windows[c->n_windows];
	memset(w, 0, sizeof *w);
	w->start_ms = start_ms;
	w->end_ms = end_ms;
	if (!compare || c->beside) {
		w->n_checks = spec->n_thresholds;
		w->checks = xcalloc(w->n_checks, sizeof *w->checks);
		for (size_t i = 0; i < spec->n_thresholds; i++) {
			const struct canary_threshold *t = &spec->thresholds[i];

			canary_check_judge(&w->checks[i], t, canary_find_obs(t, obs, n_obs),
					   spec->min_samples);
		}
		canary_window_judge(w);

		/* A thin window says nothing either way, so it neither counts
		 * towards the limit nor breaks a run of failures. */
		if (w->verdict == WINDOW_FAIL)
			c->consecutive_failures++;
		else if (w->verdict == WINDOW_PASS)
			c->consecutive_failures = 0;
		w->consecutive_failures = c->consecutive_failures;
		w->beside = w->verdict;
	}
	if (!compare) {
		canary_give(c, c->consecutive_failures >= spec->failure_limit, &c->verdict, &c->verdict_window);
	} else {
		if (c->beside)
			canary_give(c, c->consecutive_failures >= spec->failure_limit, &c->beside_verdict,
				    &c->beside_window);
		canary_compare_window(c, w, obs, n_obs, baseline, base, n_base);
		canary_give(c, w->verdict == WINDOW_FAIL, &c->verdict, &c->verdict_window);
	}
	c->n_windows++;
	return w;
}

const struct canary_window *canary_add_window(struct canary *c, int64_t start_ms, int64_t end_ms,
					      const struct canary_obs *obs, size_t n_obs)
{
	return canary_add_window_vs(c, start_ms, end_ms, obs, n_obs, NULL, NULL, 0);
}

void canary_stop(struct canary *c)
{
	if (c->verdict == CANARY_WATCHING)
		c->verdict = CANARY_STOPPED;
}

void canary_resume(struct canary *c)
{
	if (c->verdict == CANARY_STOPPED)
		c->verdict = CANARY_WATCHING;
}

static char *canary_check_failure(const struct canary_check *k)
{
	return xasprintf("%s %s %.2f < %.2f (n=%d)", k->class_name, k->metric, k->value,
			 k->threshold, k->n);
}

/* The failure behind the current count is the latest failed window: thin
 * windows after it do not reset the count, so they are skipped. */
static const struct canary_window *canary_last_failed(const struct canary *c)
{
	for (size_t i = c->n_windows; i > 0; i--) {
		if (c->windows[i - 1].verdict == WINDOW_FAIL)
			return &c->windows[i - 1];
	}
	return NULL;
}

/* compare: the decisive metric of the verdict's window, or of the latest
 * window while watching. */
static char *canary_compare_reason(const struct canary *c)
{
	const char *state = canary_verdict_name(c->verdict);
	if (c->n_windows == 0 || c->spec.n_thresholds == 0)
		return xasprintf("%s, %s", state, c->n_windows ? "no metric to judge" : "no window yet");
	bool given = c->verdict == CANARY_ROLLBACK || c->verdict == CANARY_PAGE;
	const struct canary_window *w = &c->windows[given ? c->verdict_window : c->n_windows - 1];
	char *text = canary_compare_text(c, w, w->decisive);
	char *reason = given ? xasprintf("%s (compare: sequential test, alpha %g)", text, c->spec.alpha)
			     : xasprintf("%s, %s", state, text);
	free(text);
	return reason;
}

char *canary_verdict_reason(const struct canary *c)
{
	const struct canary_window *w;
	char *check, *reason;

	if (c->spec.judge == JUDGE_COMPARE)
		return canary_compare_reason(c);
	if (c->verdict == CANARY_ROLLBACK || c->verdict == CANARY_PAGE) {
		w = &c->windows[c->verdict_window];
		check = canary_check_failure(&w->checks[w->decisive]);
		reason = xasprintf("%s, %d consecutive failed window%s", check,
				   w->consecutive_failures, w->consecutive_failures == 1 ? "" : "s");
		free(check);
		return reason;
	}

	/* Watching says nothing more than the count until something failed;
	 * a stopped canary says it stopped, then the same. */
	const char *state = canary_verdict_name(c->verdict);

	w = c->consecutive_failures > 0 ? canary_last_failed(c) : NULL;
	if (!w)
		return xasprintf("%s, %d of %d failed windows", state, c->consecutive_failures,
				 c->spec.failure_limit);
	check = canary_check_failure(&w->checks[w->decisive]);
	reason = xasprintf("%s%s%s, %d of %d failed windows",
			   c->verdict == CANARY_STOPPED ? state : "",
			   c->verdict == CANARY_STOPPED ? ", " : "", check,
			   c->consecutive_failures, c->spec.failure_limit);
	free(check);
	return reason;
}

const char *window_verdict_name(enum window_verdict v)
{
	switch (v) {
	case WINDOW_PASS:
		return "pass";
	case WINDOW_INCONCLUSIVE:
		return "inconclusive";
	case WINDOW_FAIL:
		return "fail";
	}
	abort();
}

const char *canary_verdict_name(enum canary_verdict v)
{
	switch (v) {
	case CANARY_WATCHING:
		return "watching";
	case CANARY_ROLLBACK:
		return "rollback";
	case CANARY_PAGE:
		return "page";
	case CANARY_STOPPED:
		return "stopped";
	}
	abort();
}
