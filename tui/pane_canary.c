/* The canary pane: the window strip of the selected canary (value,
 * threshold and n of the check that decided each window, and its verdict),
 * the consecutive-failure count and what the policy will do next. A
 * compare canary shows its judge and baseline in the title, per window the
 * metric that decided against the baseline (both means, the difference,
 * the canary's n) and the threshold rule's verdict beside it, then the
 * latest window's deciding metric in full and what the threshold rule
 * beside it would have done. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "timefmt.h"
#include "ui.h"

static int verdict_color(enum window_verdict v)
{
	return v == WINDOW_FAIL ? COL_RED : v == WINDOW_PASS ? COL_GREEN : COL_WARN;
}

static const struct action_job *policy_job(const struct incident *inc, const char *endpoint)
{
	for (size_t i = inc->n_jobs; i-- > 0;)
		if (inc->jobs[i].actor.role == ROLE_POLICY && strcmp(inc->jobs[i].endpoint, endpoint) == 0)
			return &inc->jobs[i];
	return NULL;
}

/* The policy's next step, in words. */
static void next_step(const struct incident *inc, const struct incident_canary *ic, char *buf, size_t size,
		      int *color)
{
	const struct canary *c = &ic->canary;
	const struct endpoint *ep = model_find_endpoint(&inc->model, c->spec.endpoint);
	const char *lkg = ep && ep->last_known_good ? ep->last_known_good : "?";
	const char *act = c->spec.on_failure == ON_FAILURE_ROLLBACK ? "automatic rollback to" : "page, no rollback;";
	int left = c->spec.failure_limit - c->consecutive_failures;
	*color = COL_NONE;
	if (!ic->started) {
		snprintf(buf, size, "waiting for traffic on %s", c->spec.deployment);
		return;
	}
	/* Out of traffic: nothing more is judged. The policy's own rollback
	 * says so itself, below. */
	if (ic->stopped && !(c->verdict == CANARY_ROLLBACK && policy_job(inc, c->spec.endpoint))) {
		snprintf(buf, size, "stopped: %s has no traffic%s", c->spec.deployment,
			 c->verdict == CANARY_PAGE	   ? " (after the page verdict)"
			 : c->verdict == CANARY_ROLLBACK ? " (after the rollback verdict)"
							  : "");
		return;
	}
	switch (c->verdict) {
	case CANARY_WATCHING:
		if (c->spec.judge == JUDGE_COMPARE) {
			snprintf(buf, size, "next: a metric shown below the baseline (alpha %g) -> %s %s", c->spec.alpha,
				 act, c->spec.on_failure == ON_FAILURE_ROLLBACK ? lkg : "humans decide");
			return;
		}
		snprintf(buf, size, "next: %d more failed window%s -> %s %s", left, left == 1 ? "" : "s", act,
			 c->spec.on_failure == ON_FAILURE_ROLLBACK ? lkg : "humans decide");
		*color = c->consecutive_failures ? COL_WARN : COL_NONE;
		return;
	case CANARY_ROLLBACK: {
		const struct action_job *job = policy_job(inc, c->spec.endpoint);
		char at[16] = "";
		if (job) {
			timefmt_hms(job->started_ms, at, sizeof at);
			snprintf(buf, size, "ROLLBACK issued by policy at %s: %s", at, action_state_name(job->state));
			*color = job->state == ACTION_VERIFIED ? COL_GREEN
				 : job->state == ACTION_VERIFYING ? COL_WARN
								  : COL_RED;
		} else {
			snprintf(buf, size, "ROLLBACK verdict; the policy could not act (see status line)");
			*color = COL_RED;
		}
		return;
	}
	case CANARY_PAGE:
		if (c->spec.judge == JUDGE_COMPARE)
			snprintf(buf, size, "PAGE: a metric below the baseline; policy is page only");
		else
			snprintf(buf, size, "PAGE: gate failed %d windows; policy is page only", c->spec.failure_limit);
		*color = COL_RED;
		return;
	case CANARY_STOPPED:
		snprintf(buf, size, "stopped: %s has no traffic", c->spec.deployment);
		return;
	}
}

static int draw_verdict(struct ui *ui, WINDOW *w, int y, int x, int cols, enum window_verdict v, const char *thin)
{
	int vc = verdict_color(v);
	return draw_text(w, y, x, cols - x - 1, v == WINDOW_FAIL ? "FAIL" : v == WINDOW_PASS ? "pass" : thin,
		  ui_color(ui, vc) | (v == WINDOW_FAIL ? A_BOLD : 0), vc);
}

static void threshold_row(struct ui *ui, WINDOW *w, int y, int x, int cols, const struct canary *c,
			  const struct canary_window *win)
{
	char value[16] = "-";
	const struct canary_check *k = win->n_checks ? &win->checks[win->decisive] : NULL;
	if (k && isfinite(k->value))
		snprintf(value, sizeof value, "%.2f", k->value);
	if (k) {
		x += draw_textf(w, y, x, 11, A_NORMAL, COL_NONE, "%-10s ", k->class_name);
		x += draw_textf(w, y, x, 20, A_NORMAL, COL_NONE, "%-20s ", k->metric);
		x += draw_textf(w, y, x, 24, A_NORMAL, COL_NONE, "%6s %-2s %5.2f %4d  ", value,
				k->verdict == WINDOW_FAIL ? "<" : ">=", k->threshold, k->n);
	}
	/* Inconclusive: too few samples ("thin"), or none at all because
	 * the source had no data or failed ("no data"). */
	x += draw_verdict(ui, w, y, x, cols, win->verdict, k && k->n > 0 ? "thin" : "no data");
	if (win->verdict == WINDOW_FAIL && win->consecutive_failures <= c->spec.failure_limit)
		draw_textf(w, y, x, cols - x - 1, A_NORMAL, COL_NONE, " %d/%d", win->consecutive_failures,
			   c->spec.failure_limit);
	else if (win->verdict == WINDOW_FAIL)
		draw_textf(w, y, x, cols - x - 1, A_NORMAL, COL_NONE, " %d", win->consecutive_failures);
}

static void mean_text(double v, char *buf, size_t size)
{
	if (isfinite(v))
		snprintf(buf, size, "%.2f", v);
	else
		snprintf(buf, size, "-");
}

/* The metric column of a compare canary: narrower on a narrow terminal,
 * so that the threshold rule beside still fits in 80 columns. */
static int metric_width(int cols)
{
	return cols >= 100 ? 20 : 12;
}

static void compare_row(struct ui *ui, WINDOW *w, int y, int x, int cols, const struct canary *c,
			const struct canary_window *win)
{
	const struct canary_compare *k = &win->cmp[win->decisive];
	const struct canary_threshold *t = &c->spec.thresholds[win->decisive];
	char cm[16], bm[16], diff[16];
	mean_text(k->canary_mean, cm, sizeof cm);
	mean_text(k->base_mean, bm, sizeof bm);
	if (isfinite(k->diff))
		snprintf(diff, sizeof diff, "%+.2f", k->diff);
	else
		snprintf(diff, sizeof diff, "-");
	char buf[64];
	int mw = metric_width(cols);
	const char *metric = fit_name(t->metric, mw, buf, sizeof buf);
	x += draw_textf(w, y, x, 11, A_NORMAL, COL_NONE, "%-10s ", t->class_name);
	x += draw_textf(w, y, x, mw + 1, A_NORMAL, COL_NONE, "%-*s ", mw, metric);
	x += draw_textf(w, y, x, 23, A_NORMAL, COL_NONE, "%5s %5s %5s %4ld ", cm, bm, diff, k->canary_n);
	int xv = x;
	x += draw_verdict(ui, w, y, x, cols, win->verdict,
			  evidence_compare_verdict(win, win->decisive) == COMPARE_THIN ? "thin" : "no data");
	x = xv + 8;
	if (!c->beside || x >= cols - 1)
		return;
	if (win->beside == WINDOW_FAIL && win->consecutive_failures <= c->spec.failure_limit)
		draw_textf(w, y, x, cols - x - 1, A_NORMAL, COL_WARN, "fail %d/%d", win->consecutive_failures,
			   c->spec.failure_limit);
	else if (win->beside == WINDOW_FAIL)
		draw_textf(w, y, x, cols - x - 1, A_NORMAL, COL_WARN, "fail %d", win->consecutive_failures);
	else
		draw_text(w, y, x, cols - x - 1, window_verdict_name(win->beside), A_DIM, COL_NONE);
}

/* compare: what the threshold rule beside the judge says, in one line:
 * its count, and when it would have acted if it would have. */
static void beside_line(WINDOW *w, int y, int cols, const struct canary *c)
{
	char count[64], at[16];
	if (c->consecutive_failures > c->spec.failure_limit)
		snprintf(count, sizeof count, "%d failed, limit %d", c->consecutive_failures, c->spec.failure_limit);
	else
		snprintf(count, sizeof count, "%d/%d failed", c->consecutive_failures, c->spec.failure_limit);
	if (c->beside_verdict == CANARY_ROLLBACK || c->beside_verdict == CANARY_PAGE) {
		timefmt_hms(c->windows[c->beside_window].end_ms, at, sizeof at);
		draw_textf(w, y, 1, cols - 2, A_NORMAL, COL_WARN, "threshold rule beside: would have %s at %s (%s)",
			   c->beside_verdict == CANARY_ROLLBACK ? "rolled back" : "paged", at, count);
	} else {
		draw_textf(w, y, 1, cols - 2, A_DIM, COL_NONE, "threshold rule beside: %s, no verdict", count);
	}
}

/* compare: the rows under the window strip, between it and the next
 * step: the latest window's explanation, then the threshold rule beside.
 * The strip keeps two rows; what is left goes first to a verdict the rule
 * beside would have given (the strip cannot say when), then to the rest
 * of a long explanation, then to the rule's count (the strip's last row
 * has it), these two only while the strip keeps three rows or all its
 * windows. */
struct compare_rows {
	int explain, beside;
};

static struct compare_rows compare_rows(const struct canary *c, int rows, int cols, const char *text)
{
	struct compare_rows r = { 0, 0 };
	int strip = rows - 3 - 1; /* title, column heads, next step; the explanation */
	if (strip < 2)
		return r;
	r.explain = 1;
	bool given = c->beside_verdict == CANARY_ROLLBACK || c->beside_verdict == CANARY_PAGE;
	if (c->beside && given && strip > 2) {
		r.beside = 1;
		strip--;
	}
	bool more;
	wrap_row(text, cols - 2, &more);
	bool spare = strip - 1 >= 3 || (strip > 2 && (size_t)(strip - 1) >= c->n_windows);
	if (more && spare) {
		r.explain = 2;
		strip--;
		spare = strip - 1 >= 3 || (strip > 2 && (size_t)(strip - 1) >= c->n_windows);
	}
	if (c->beside && !r.beside && spare)
		r.beside = 1;
	return r;
}

static void canary_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const struct incident *inc = ui->inc;
	if (inc->n_canaries == 0) {
		draw_title(ui, w, cols, "CANARY", ui->focus == PANE_CANARY, NULL, true);
		draw_text(w, 1, 1, cols - 2, "no canary in flight", A_DIM, COL_NONE);
		return;
	}
	if (ui->sel_canary >= inc->n_canaries)
		ui->sel_canary = 0;
	const struct incident_canary *ic = &inc->canaries[ui->sel_canary];
	const struct canary *c = &ic->canary;
	const struct endpoint *ep = model_find_endpoint(&inc->model, c->spec.endpoint);
	const struct deployment *d = ep ? endpoint_find_deployment(ep, c->spec.deployment) : NULL;
	char title[640];
	/* Windows keep being judged after the verdict, so the count can pass
	 * the limit; say so rather than print "4/3". */
	char count[160];
	if (c->spec.judge == JUDGE_COMPARE) {
		const char *base = c->n_windows ? c->windows[c->n_windows - 1].baseline : c->spec.baseline;
		snprintf(count, sizeof count, "compare vs %.64s", base ? base : "?");
	} else if (c->consecutive_failures > c->spec.failure_limit)
		snprintf(count, sizeof count, "%d failed (limit %d)", c->consecutive_failures,
			 c->spec.failure_limit);
	else
		snprintf(count, sizeof count, "%d/%d failed", c->consecutive_failures, c->spec.failure_limit);
	/* The verdict and the count are never what gets cut: the names
	 * share what is left, each shortened in its middle. */
	char tail[256];
	snprintf(tail, sizeof tail, " %d%%  %s  %s%s", d ? d->traffic : 0,
		 ic->started ? canary_verdict_name(c->verdict) : "waiting", count,
		 inc->n_canaries > 1 ? "  (j/k: next canary)" : "");
	int room = cols - 2 - (int)strlen("CANARY  ") - (int)strlen(tail) - data_state_width(&ic->data, inc->now);
	int dep_len = (int)strlen(c->spec.deployment), ep_len = (int)strlen(c->spec.endpoint);
	int dep_room = room / 2 > room - ep_len ? room / 2 : room - ep_len;
	char dep[128], ep_name[128];
	fit_name(c->spec.deployment, dep_room, dep, sizeof dep);
	fit_name(c->spec.endpoint, room - (dep_len < dep_room ? dep_len : dep_room), ep_name, sizeof ep_name);
	snprintf(title, sizeof title, "CANARY %s %s%s", dep, ep_name, tail);
	draw_title(ui, w, cols, title, ui->focus == PANE_CANARY, NULL, true);
	draw_data_state(ui, w, 0, cols - 1, &ic->data, inc->now);
	bool compare = c->spec.judge == JUDGE_COMPARE && c->spec.n_thresholds;
	if (compare) {
		char head[160];
		/* At 80 columns the rule's column has 8: the line below names it. */
		snprintf(head, sizeof head, "%-14s %-10s %-*s %5s %5s %5s %4s %-7s %s", "window", "class",
			 metric_width(cols), "metric", "canary", "base", "diff", "n", "verdict",
			 !c->beside ? "" : cols >= 100 ? "threshold rule" : "beside");
		draw_text(w, 1, 1, cols - 2, head, A_DIM, COL_NONE);
	} else {
		draw_text(w, 1, 1, cols - 2, "window         class      metric                value    gate    n  verdict",
			  A_DIM, COL_NONE);
	}
	struct compare_rows bottom = { 0, 0 };
	char *text = NULL;
	if (compare && c->n_windows) {
		const struct canary_window *last = &c->windows[c->n_windows - 1];
		text = evidence_compare_text(c, last, last->decisive);
		bottom = compare_rows(c, rows, cols, text);
	}
	int strip = rows - 3 - bottom.explain - bottom.beside;
	size_t first = c->n_windows > (size_t)strip ? c->n_windows - (size_t)strip : 0;
	int y = 2;
	if (c->n_windows == 0)
		draw_text(w, y, 1, cols - 2, "no window judged yet", A_DIM, COL_NONE);
	for (size_t i = first; i < c->n_windows && y < 2 + strip; i++, y++) {
		const struct canary_window *win = &c->windows[i];
		char from[16], to[16];
		timefmt_hms(win->start_ms, from, sizeof from);
		timefmt_hms(win->end_ms, to, sizeof to);
		int x = 1;
		x += draw_textf(w, y, x, 15, A_NORMAL, COL_NONE, "%s-%s ", from, to + 3);
		if (compare)
			compare_row(ui, w, y, x, cols, c, win);
		else
			threshold_row(ui, w, y, x, cols, c, win);
	}
	if (bottom.explain) {
		draw_wrapped(ui, w, y, y + bottom.explain, 1, cols - 2, text, A_NORMAL, COL_NONE);
		y += bottom.explain;
	}
	if (bottom.beside)
		beside_line(w, y, cols, c);
	free(text);
	char step[600];
	int color;
	next_step(inc, ic, step, sizeof step, &color);
	/* A failing source outranks the next step: its windows are
	 * inconclusive until it answers again. */
	if (*ic->data.error && data_stale(&ic->data, inc->now)) {
		snprintf(step, sizeof step, "inconclusive: %s", ic->data.error);
		color = COL_RED;
	}
	draw_text(w, rows - 1, 1, cols - 2, step, ui_color(ui, color) | A_BOLD, color);
}

static int canary_key(struct ui *ui, int key)
{
	return keys_move(&ui->sel_canary, ui->inc->n_canaries, key);
}

const struct pane_class pane_canary = {
	.name = "canary",
	.draw = canary_draw,
	.key = canary_key,
	.min_rows = 4,
};
