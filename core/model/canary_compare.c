/* The compare judge (core/model/canary.h): each metric of the canary
 * against the baseline over the same windows, decided by the mixture
 * SPRT of core/model/msprt.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canary.h"
#include "canary_impl.h"
#include "msprt.h"
#include "xalloc.h"

/* Without a standard deviation from the source, the spread is read off
 * the window means themselves (n * var(mean) estimates sigma^2): that
 * needs this many degrees of freedom over both sides, 5 windows each. */
#define MIN_DF_BETWEEN 8
/* The test takes sigma^2 at its upper 90% confidence limit, SS over the
 * 10% quantile of chi-square with df degrees of freedom, not the plug-in
 * SS / df: an estimate from few samples is as likely too low as too high,
 * and one too low would raise false alarms. */

static bool obs_valid(const struct canary_obs *o)
{
	return o->n > 0 && isfinite(o->value) && (!o->has_sd || (isfinite(o->sd) && o->sd >= 0));
}

static const struct canary_obs *find_obs(const struct canary_threshold *t, const struct canary_obs *obs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(obs[i].class_name, t->class_name) == 0 && strcmp(obs[i].metric, t->metric) == 0 &&
		    obs_valid(&obs[i]))
			return &obs[i];
	return NULL;
}

static void arm_add(struct canary_arm *a, const struct canary_obs *o)
{
	double n = o->n;
	if (a->windows == 0)
		a->sd_all = true;
	a->n += n;
	a->s1 += n * o->value;
	a->s2 += n * o->value * o->value;
	if (o->has_sd)
		a->within += (n - 1) * o->sd * o->sd;
	else
		a->sd_all = false;
	a->windows++;
}

/* The sum of squares about the side's mean and its degrees of freedom:
 * within and between windows when every window gave its spread, else
 * between windows only. */
static double arm_ss(const struct canary_arm *a, double *df)
{
	double between = a->s2 - a->s1 * a->s1 / a->n;
	if (between < 0)
		between = 0; /* rounding */
	if (a->sd_all) {
		*df = a->n - 1;
		return between + a->within;
	}
	*df = a->windows - 1;
	return between;
}

static void judge_metric(const struct canary *c, struct canary_compare *k, const struct canary_arm *arm)
{
	const struct canary_spec *spec = &c->spec;
	const struct canary_arm *ca = &arm[0], *ba = &arm[1];
	k->diff = k->half = k->log_lr = k->log_bound = NAN;
	k->canary_mean = ca->n > 0 ? ca->s1 / ca->n : NAN;
	k->base_mean = ba->n > 0 ? ba->s1 / ba->n : NAN;
	k->canary_n = (long)ca->n;
	k->base_n = (long)ba->n;
	if (ca->n <= 0) {
		k->verdict = COMPARE_NODATA;
		k->why = xstrdup("no window with both canary and baseline samples yet");
		return;
	}
	k->diff = k->canary_mean - k->base_mean;
	if (ca->n < spec->min_samples) {
		k->verdict = COMPARE_THIN;
		k->why = xasprintf("%ld canary samples so far, fewer than min_samples %d", k->canary_n,
				   spec->min_samples);
		return;
	}
	double df_c, df_b;
	double ss = arm_ss(ca, &df_c) + arm_ss(ba, &df_b);
	double df = df_c + df_b;
	bool sd_all = ca->sd_all && ba->sd_all;
	if (df < (sd_all ? 2 : MIN_DF_BETWEEN)) {
		k->verdict = COMPARE_THIN;
		k->why = sd_all ? xstrdup("too few samples to know the spread")
				: xasprintf("spread not known yet: no sd from the source, so it is read off the "
					    "window means (%d of %d windows)",
					    ca->windows < ba->windows ? ca->windows : ba->windows, MIN_DF_BETWEEN / 2 + 1);
		return;
	}
	if (!isfinite(k->diff) || !isfinite(ss)) {
		k->verdict = COMPARE_THIN;
		k->why = xstrdup("the values are too large to compare");
		return;
	}
	double m = (double)spec->n_thresholds;
	double alpha = spec->alpha / (m > 0 ? m : 1);
	double sigma2 = ss / chisq_quantile(df, 0.10);
	double var = sigma2 * (1.0 / ca->n + 1.0 / ba->n);
	double tau = spec->effect * fabs(k->base_mean);
	if (!(tau > 0))
		tau = spec->effect * sqrt(sigma2);
	k->log_bound = log(1.0 / alpha);
	if (var == 0 || tau == 0) {
		/* No spread at all: the difference is exact. */
		k->half = 0;
		k->log_lr = k->diff != 0 ? HUGE_VAL : 0;
	} else {
		k->log_lr = msprt_log_lr(k->diff, var, tau * tau);
		k->half = msprt_halfwidth(var, tau * tau, alpha);
	}
	if (isnan(k->log_lr) || isnan(k->half)) {
		k->verdict = COMPARE_THIN;
		k->log_lr = k->half = NAN;
		k->why = xstrdup("the values are too large to compare");
		return;
	}
	if (k->log_lr >= k->log_bound && k->diff < 0) {
		k->verdict = COMPARE_FAIL;
		k->why = xstrdup("below the baseline");
	} else {
		k->verdict = COMPARE_PASS;
		k->why = xstrdup(k->log_lr >= k->log_bound ? "above the baseline" : "no difference shown");
	}
}

/* How far a metric is towards failing: the log likelihood ratio over its
 * bar, signed by the direction of the difference. */
static double pressure(const struct canary_compare *k)
{
	if (!isfinite(k->log_bound) || isnan(k->log_lr))
		return -HUGE_VAL;
	double p = k->log_lr - k->log_bound;
	return k->diff < 0 ? p : -HUGE_VAL / 2;
}

static const char *baseline_copy(struct canary *c, const char *name)
{
	if (!name)
		name = c->spec.baseline;
	if (!name)
		return NULL;
	for (size_t i = 0; i < c->n_baselines; i++)
		if (strcmp(c->baselines[i], name) == 0)
			return c->baselines[i];
	c->baselines = xrealloc(c->baselines, (c->n_baselines + 1) * sizeof *c->baselines);
	return c->baselines[c->n_baselines++] = xstrdup(name);
}

void canary_compare_window(struct canary *c, struct canary_window *w, const struct canary_obs *obs, size_t n_obs,
			   const char *baseline, const struct canary_obs *base, size_t n_base)
{
	const struct canary_spec *spec = &c->spec;
	size_t fail = SIZE_MAX, thin = SIZE_MAX, pass = SIZE_MAX;

	w->baseline = baseline_copy(c, baseline);
	w->cmp = xcalloc(spec->n_thresholds ? spec->n_thresholds : 1, sizeof *w->cmp);
	for (size_t i = 0; i < spec->n_thresholds; i++) {
		const struct canary_threshold *t = &spec->thresholds[i];
		const struct canary_obs *o = find_obs(t, obs, n_obs), *b = find_obs(t, base, n_base);
		struct canary_compare *k = &w->cmp[i];
		if (o && b) {
			arm_add(&c->arms[i][0], o);
			arm_add(&c->arms[i][1], b);
		}
		judge_metric(c, k, c->arms[i]);
		k->seen = o != NULL;
		if (o && !b) {
			free(k->why);
			k->verdict = COMPARE_NODATA;
			k->why = xasprintf("the baseline %s gave no sample in this window", w->baseline ? w->baseline : "(none)");
		}
		if (k->verdict == COMPARE_FAIL) {
			if (fail == SIZE_MAX || pressure(k) > pressure(&w->cmp[fail]))
				fail = i;
		} else if (!k->seen) {
			continue;
		} else if (k->verdict != COMPARE_PASS) {
			if (thin == SIZE_MAX)
				thin = i;
		} else if (pass == SIZE_MAX || pressure(k) > pressure(&w->cmp[pass])) {
			pass = i;
		}
	}
	if (fail != SIZE_MAX) {
		w->verdict = WINDOW_FAIL;
		w->decisive = fail;
	} else if (thin != SIZE_MAX) {
		w->verdict = WINDOW_INCONCLUSIVE;
		w->decisive = thin;
	} else if (pass != SIZE_MAX) {
		w->verdict = WINDOW_PASS;
		w->decisive = pass;
	} else {
		w->verdict = WINDOW_INCONCLUSIVE;
		w->decisive = 0;
	}
}

void canary_compare_free(struct canary_window *w, size_t n)
{
	if (!w->cmp)
		return;
	for (size_t i = 0; i < n; i++)
		free(w->cmp[i].why);
	free(w->cmp);
}

static char *lr_text(double log_lr)
{
	if (isinf(log_lr))
		return xstrdup("infinite, no spread on either side,");
	if (log_lr > 700)
		return xstrdup("over 1e300");
	return xasprintf("%.3g", exp(log_lr));
}

char *canary_compare_text(const struct canary *c, const struct canary_window *w, size_t i)
{
	const struct canary_threshold *t = &c->spec.thresholds[i];
	const struct canary_compare *k = &w->cmp[i];
	const char *base = w->baseline ? w->baseline : "baseline";
	if (k->verdict == COMPARE_NODATA && k->canary_n == 0)
		return xasprintf("%s %s: %s", t->class_name, t->metric, k->why);
	if (k->verdict == COMPARE_NODATA || k->verdict == COMPARE_THIN || isnan(k->log_lr))
		return xasprintf("%s %s %.2f (n=%ld) vs %s %.2f (n=%ld): %s", t->class_name, t->metric,
				 k->canary_mean, k->canary_n, base, k->base_mean, k->base_n, k->why);
	char *lr = lr_text(k->log_lr), *bar = lr_text(k->log_bound);
	char *s = xasprintf("%s %s %.2f (n=%ld) vs %s %.2f (n=%ld): %+.2f [%+.2f, %+.2f], %s (LR %s %s %s)",
			    t->class_name, t->metric, k->canary_mean, k->canary_n, base, k->base_mean, k->base_n,
			    k->diff, k->diff - k->half, k->diff + k->half, k->why, lr,
			    k->log_lr >= k->log_bound ? ">=" : "<", bar);
	free(lr);
	free(bar);
	return s;
}

const char *compare_verdict_name(enum compare_verdict v)
{
	switch (v) {
	case COMPARE_NODATA:
		return "nodata";
	case COMPARE_THIN:
		return "thin";
	case COMPARE_PASS:
		return "pass";
	case COMPARE_FAIL:
		return "fail";
	}
	abort();
}

const char *canary_judge_name(enum canary_judge j)
{
	return j == JUDGE_COMPARE ? "compare" : "threshold";
}
