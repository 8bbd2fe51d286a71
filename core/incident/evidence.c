/* What the engines said about an endpoint at the moment of a traffic
 * change, for the journal: the burn of its SLOs and the windows that
 * decided its canaries. Shared with cmdr status, which shows the same
 * windows in full. */
#include "evidence.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numeric.h"
#include "timefmt.h"
#include "xalloc.h"

void json_add_time(cJSON *o, const char *key, int64_t ms)
{
	char buf[32];
	timefmt_iso(ms, buf, sizeof buf);
	cJSON_AddStringToObject(o, key, buf);
}

/* NaN and infinities are "no data", which JSON spells null. */
void json_add_number(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

/* A window: its span, the check that decided it, the verdict. */
static void add_check(cJSON *o, const struct canary_check *c)
{
	cJSON_AddStringToObject(o, "class", c->class_name);
	cJSON_AddStringToObject(o, "metric", c->metric);
	json_add_number(o, "value", c->value);
	cJSON_AddNumberToObject(o, "threshold", c->threshold);
	cJSON_AddNumberToObject(o, "n", c->n);
}

cJSON *evidence_check_json(const struct canary_check *c)
{
	cJSON *o = cJSON_CreateObject();
	add_check(o, c);
	cJSON_AddStringToObject(o, "verdict", window_verdict_name(c->verdict));
	return o;
}

/* Four decimals: what a person reads, not float noise. */
static double round4(double v)
{
	return isfinite(v) ? numeric_round(v * 1e4) / 1e4 : v;
}

static cJSON *number_or_null(double v)
{
	return isfinite(v) ? cJSON_CreateNumber(round4(v)) : cJSON_CreateNull();
}

/* The judge's verdict of a metric is on the evidence so far. One the
 * canary gave no sample of in this window, and that has not failed on
 * that evidence, says nothing of this window: it is shown as no data, and
 * why, never as the pass of earlier windows. */
static bool unseen(const struct canary_compare *m)
{
	return !m->seen && m->verdict != COMPARE_FAIL && m->verdict != COMPARE_NODATA;
}

static const char no_sample[] = "the canary gave no sample in this window";

enum compare_verdict evidence_compare_verdict(const struct canary_window *w, size_t k)
{
	return unseen(&w->cmp[k]) ? COMPARE_NODATA : w->cmp[k].verdict;
}

const char *evidence_compare_rule(const struct canary_window *w, size_t k)
{
	return unseen(&w->cmp[k]) ? no_sample : w->cmp[k].why;
}

char *evidence_compare_text(const struct canary *c, const struct canary_window *w, size_t k)
{
	char *text = canary_compare_text(c, w, k);
	if (!unseen(&w->cmp[k]))
		return text;
	/* "class metric 2.94 (n=8) vs ...": the figures are the evidence so far. */
	const struct canary_threshold *t = &c->spec.thresholds[k];
	size_t cl = strlen(t->class_name), ml = strlen(t->metric);
	const char *rest = text;
	if (strncmp(text, t->class_name, cl) == 0 && text[cl] == ' ' && strncmp(text + cl + 1, t->metric, ml) == 0 &&
	    text[cl + 1 + ml] == ' ')
		rest = text + cl + ml + 2;
	char *s = xasprintf("%s %s: %s; so far %s", t->class_name, t->metric, no_sample, rest);
	free(text);
	return s;
}

static void add_compare(cJSON *o, const struct canary *c, const struct canary_window *w, size_t k)
{
	const struct canary_compare *m = &w->cmp[k];
	cJSON_AddStringToObject(o, "class", c->spec.thresholds[k].class_name);
	cJSON_AddStringToObject(o, "metric", c->spec.thresholds[k].metric);
	cJSON_AddStringToObject(o, "metric_verdict", compare_verdict_name(evidence_compare_verdict(w, k)));
	cJSON *cj = cJSON_AddObjectToObject(o, "canary");
	json_add_number(cj, "mean", round4(m->canary_mean));
	cJSON_AddNumberToObject(cj, "n", (double)m->canary_n);
	cJSON *bj = cJSON_AddObjectToObject(o, "baseline");
	if (w->baseline)
		cJSON_AddStringToObject(bj, "deployment", w->baseline);
	else
		cJSON_AddNullToObject(bj, "deployment");
	json_add_number(bj, "mean", round4(m->base_mean));
	cJSON_AddNumberToObject(bj, "n", (double)m->base_n);
	json_add_number(o, "diff", round4(m->diff));
	cJSON *iv = cJSON_AddArrayToObject(o, "interval");
	cJSON_AddItemToArray(iv, number_or_null(m->diff - m->half));
	cJSON_AddItemToArray(iv, number_or_null(m->diff + m->half));
	json_add_number(o, "lr", round4(exp(m->log_lr)));
	json_add_number(o, "bar", round4(exp(m->log_bound)));
	cJSON_AddStringToObject(o, "rule", evidence_compare_rule(w, k));
	cJSON_AddBoolToObject(o, "seen", m->seen);
	char *text = evidence_compare_text(c, w, k);
	cJSON_AddStringToObject(o, "explanation", text);
	free(text);
}

cJSON *evidence_compare_json(const struct canary *c, const struct canary_window *w, size_t k)
{
	cJSON *o = cJSON_CreateObject();
	add_compare(o, c, w, k);
	return o;
}

cJSON *evidence_window_json(const struct canary *c, const struct canary_window *w)
{
	cJSON *wj = cJSON_CreateObject();
	json_add_time(wj, "start", w->start_ms);
	json_add_time(wj, "end", w->end_ms);
	if (w->cmp && c->spec.n_thresholds)
		add_compare(wj, c, w, w->decisive);
	else if (w->n_checks)
		add_check(wj, &w->checks[w->decisive]);
	cJSON_AddStringToObject(wj, "verdict", window_verdict_name(w->verdict));
	/* The threshold rule's verdict and count sit apart from the judge's,
	 * so that neither is read as the other. */
	if (w->cmp && c->beside) {
		cJSON *bj = cJSON_AddObjectToObject(wj, "beside");
		cJSON_AddStringToObject(bj, "verdict", window_verdict_name(w->beside));
		cJSON_AddNumberToObject(bj, "consecutive_failures", w->consecutive_failures);
	}
	return wj;
}

void evidence_add_baseline(cJSON *o, const struct canary *c)
{
	const char *base = c->n_windows ? c->windows[c->n_windows - 1].baseline : c->spec.baseline;
	if (base)
		cJSON_AddStringToObject(o, "baseline", base);
	else
		cJSON_AddNullToObject(o, "baseline");
	cJSON_AddNumberToObject(o, "alpha", c->spec.alpha);
}

cJSON *evidence_json(const struct incident *inc, const char *endpoint)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *burn = cJSON_AddArrayToObject(o, "burn");
	for (size_t i = 0; i < inc->n_slos; i++) {
		const struct incident_slo *s = &inc->slos[i];
		if (s->endpoint && strcmp(s->endpoint, endpoint) != 0)
			continue;
		cJSON *b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "slo", s->spec.name);
		cJSON *rates = cJSON_AddObjectToObject(b, "rates");
		/* Four decimals: what a person reads, not float noise. */
		for (int w = 0; w < BURN_NWINDOWS; w++)
			json_add_number(rates, burn_window_name[w], numeric_round(s->result.windows[w].burn * 1e4) / 1e4);
		cJSON *firing = cJSON_AddArrayToObject(b, "firing");
		for (int k = 0; k < BURN_NTIERS; k++) {
			const struct burn_alert *a = &s->result.alerts[k];
			if (!a->firing)
				continue;
			char tier[48];
			snprintf(tier, sizeof tier, "%s %s/%s x%g", a->severity, burn_window_name[a->tier->long_window],
				 burn_window_name[a->tier->short_window], a->factor);
			cJSON_AddItemToArray(firing, cJSON_CreateString(tier));
		}
		cJSON_AddBoolToObject(b, "stale", data_stale(&s->data, inc->now));
		cJSON_AddItemToArray(burn, b);
	}
	cJSON *canaries = cJSON_AddArrayToObject(o, "canary");
	for (size_t i = 0; i < inc->n_canaries; i++) {
		const struct canary *c = &inc->canaries[i].canary;
		if (strcmp(c->spec.endpoint, endpoint) != 0)
			continue;
		cJSON *cj = cJSON_CreateObject();
		cJSON_AddStringToObject(cj, "deployment", c->spec.deployment);
		cJSON_AddStringToObject(cj, "verdict", canary_verdict_name(c->verdict));
		cJSON_AddStringToObject(cj, "judge", canary_judge_name(c->spec.judge));
		if (c->spec.judge == JUDGE_COMPARE)
			evidence_add_baseline(cj, c);
		cJSON *wins = cJSON_AddArrayToObject(cj, "windows");
		/* The windows that decided: at most the last failure_limit + 1. */
		size_t keep = (size_t)c->spec.failure_limit + 1;
		for (size_t k = c->n_windows > keep ? c->n_windows - keep : 0; k < c->n_windows; k++) {
			cJSON_AddItemToArray(wins, evidence_window_json(c, &c->windows[k]));
		}
		cJSON_AddItemToArray(canaries, cj);
	}
	return o;
}
