/* The evidence a traffic change is journaled with (core/incident/evidence.c). */
#ifndef CMDR_EVIDENCE_H
#define CMDR_EVIDENCE_H
#include <stdint.h>

#include <cjson/cJSON.h>

#include "incident.h"

/* What the engines said about endpoint at this moment, compact, for the
 * journal's record of a traffic change (the postmortem's "signals at the
 * decisive moments"): {"burn": [{"slo", "rates", "firing", "stale"}],
 * "canary": [{"deployment", "verdict", "judge", compare: "baseline",
 * "alpha", "windows": [...]}]}. */
cJSON *evidence_json(const struct incident *inc, const char *endpoint);
/* compare: the baseline c is held against (its latest window's, else the
 * one named; null when none is known) and alpha, added to o. */
void evidence_add_baseline(cJSON *o, const struct canary *c);

/* A canary window of c: its span, what decided it, the verdict. The
 * threshold judge: the decisive check's class, metric, value, threshold,
 * n. The compare judge: the decisive metric's comparison (as
 * evidence_compare_json, its verdict as "metric_verdict"), and "beside"
 * {verdict, consecutive_failures}, the threshold rule's window verdict
 * and count when it runs beside. */
cJSON *evidence_window_json(const struct canary *c, const struct canary_window *w);
/* compare: metric k of window w: class, metric, metric_verdict (nodata,
 * thin, pass, fail), canary {mean, n}, baseline {deployment, mean, n},
 * diff, interval [lo, hi], lr and bar (likelihood ratios; null when not
 * known or beyond a double), rule (the reason in words), seen (the
 * canary gave a sample of it in this window; the figures are the evidence
 * so far), explanation (the line the pane shows), all as
 * evidence_compare_text. */
cJSON *evidence_compare_json(const struct canary *c, const struct canary_window *w, size_t k);
/* compare: metric k of window w as shown: the judge's verdict, rule and
 * line (canary_compare_text), except that a metric the canary gave no
 * sample of in w, and that has not failed, is no data in w ("the canary
 * gave no sample in this window"; its figures are the evidence so far). */
enum compare_verdict evidence_compare_verdict(const struct canary_window *w, size_t k);
const char *evidence_compare_rule(const struct canary_window *w, size_t k);
char *evidence_compare_text(const struct canary *c, const struct canary_window *w, size_t k);
/* One check of a window: class, metric, value, threshold, n, verdict. */
cJSON *evidence_check_json(const struct canary_check *c);

/* A time as ISO 8601 UTC with milliseconds; a number, or null for NaN
 * and infinities ("no data"). */
void json_add_time(cJSON *o, const char *key, int64_t ms);
void json_add_number(cJSON *o, const char *key, double v);

#endif
