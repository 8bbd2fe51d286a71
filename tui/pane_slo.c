/* The SLO pane: each SLO's burn rate over the seven windows, a sparkline of
 * recent 5m burn, the error budget left with the time to exhaustion, and
 * the four alert tiers with their state spelled out (never colour alone). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "timefmt.h"
#include "ui.h"

enum { SPARK_N = INCIDENT_HISTORY_N };

static void format_burn(const struct burn_window_stat *ws, char *buf, size_t size)
{
	double burn = ws->burn;
	if (ws->no_data)
		snprintf(buf, size, "n/d");
	else if (!isfinite(burn))
		snprintf(buf, size, "-");
	else if (burn >= 1000)
		snprintf(buf, size, "%.0f", burn);
	else
		snprintf(buf, size, "%.1f", burn);
}

static int tier_color(const struct burn_alert *a)
{
	if (!a->reachable)
		return COL_NONE;
	if (a->firing)
		return COL_RED;
	if (a->thin || a->no_data)
		return COL_WARN;
	return COL_GREEN;
}

static const char *tier_state(const struct burn_alert *a)
{
	if (!a->reachable)
		return "n/a";
	if (a->firing)
		return "FIRE";
	if (a->no_data)
		return "n/d";
	if (a->thin)
		return "thin";
	return "ok";
}

static void draw_tiers(struct ui *ui, WINDOW *w, int y, int x, int cols, const struct burn_result *r, bool stale);

static void draw_slo(struct ui *ui, WINDOW *w, int y, int cols, const struct incident_slo *s)
{
	const struct burn_result *r = &s->result;
	/* Stale figures stay on screen, dimmed and marked, never as current. */
	bool stale = data_stale(&s->data, ui->inc->now);
	char period[16], buf[32];
	timefmt_duration(s->spec.period_ms, period, sizeof period);
	char label[256], objective[48], name[160];
	/* The objective stays; a long name shortens in its middle. */
	int len = snprintf(objective, sizeof objective, " %g%%/%s", s->spec.objective * 100, period);
	snprintf(label, sizeof label, "%s%s", fit_name(s->spec.name, cols - 44 - len, name, sizeof name), objective);
	draw_text(w, y, 1, cols - 44, label, A_BOLD, COL_NONE);
	int x = cols - 43;
	for (int k = 0; k < BURN_NWINDOWS; k++, x += 6) {
		const struct burn_window_stat *ws = &r->windows[k];
		format_burn(ws, buf, sizeof buf);
		/* A window that lacks events shows its figure dimmed with '~'. */
		double page_at = burn_factor(&burn_tiers[1], s->spec.period_ms);
		int color = ws->burn >= page_at ? COL_RED : ws->burn >= 1 ? COL_WARN : COL_NONE;
		attr_t attr = ws->thin || stale ? A_DIM : A_NORMAL;
		if (stale)
			color = COL_NONE;
		draw_textf(w, y, x, 6, attr | ui_color(ui, color), color, "%5s%s", buf, ws->thin ? "~" : " ");
	}

	double max = 1;
	for (int i = 0; i < INCIDENT_HISTORY_N; i++)
		if (s->history[i] > max)
			max = s->history[i];
	y++;
	wmove(w, y, 1);
	if (stale || !s->has_history)
		draw_text(w, y, 2, SPARK_N, stale ? "STALE" : "", ui_color(ui, COL_RED) | A_BOLD, COL_RED);
	else
		draw_sparkline(ui, w, y, 2, s->history, SPARK_N, max, COL_ACCENT);
	x = 3 + SPARK_N;
	/* A failing source with nothing current to show: the SLO's own row
	 * says what is wrong, in the engine's words. */
	if (*s->data.error && (stale || !s->data.at_ms)) {
		draw_text(w, y, x, cols - 1 - x, s->data.error, ui_color(ui, COL_RED) | A_BOLD, COL_RED);
		return;
	}
	bool known = isfinite(r->budget_remaining);
	if (known)
		snprintf(buf, sizeof buf, "%.1f%%", r->budget_remaining * 100);
	else
		snprintf(buf, sizeof buf, "n/d");
	int bcolor = !known			  ? COL_NONE
		     : r->budget_remaining < 0.25 ? COL_RED
		     : r->budget_remaining < 0.5  ? COL_WARN
						  : COL_GREEN;
	x += draw_text(w, y, x, cols - x, "budget ", A_NORMAL, COL_NONE);
	x += draw_text(w, y, x, cols - x, buf, ui_color(ui, bcolor), bcolor);
	/* No data is no reassurance: not "never". */
	char exh[16] = "never";
	if (!known)
		snprintf(exh, sizeof exh, "n/d");
	else if (r->exhaustion_ms == 0)
		snprintf(exh, sizeof exh, "spent");
	else if (r->exhaustion_ms > 0)
		timefmt_duration(r->exhaustion_ms, exh, sizeof exh);
	x += draw_textf(w, y, x, cols - x, A_NORMAL, COL_NONE, " exh %s ", exh);
	draw_tiers(ui, w, y, x, cols, r, stale);
}

/* The four tiers, in as much room as there is. What fires is never what
 * gets cut: first the tiers that do not fire go, then the labels lose
 * their short window ("P1h FIRE"). */
static void draw_tiers(struct ui *ui, WINDOW *w, int y, int x, int cols, const struct burn_result *r, bool stale)
{
	for (int pass = 0; pass < 3; pass++) {
		bool quiet_too = pass == 0, short_window = pass < 2;
		int need = 0;
		char tok[BURN_NTIERS][48];
		for (int k = 0; k < BURN_NTIERS; k++) {
			const struct burn_alert *a = &r->alerts[k];
			bool page = strcmp(a->severity, "page") == 0;
			*tok[k] = '\0';
			if (!quiet_too && !a->firing)
				continue;
			snprintf(tok[k], sizeof tok[k], " %c%s%s%s %s", page ? 'P' : 'T',
				 burn_window_name[a->tier->long_window], short_window ? "/" : "",
				 short_window ? burn_window_name[a->tier->short_window] : "", tier_state(a));
			need += (int)strlen(tok[k]);
		}
		if (need > cols - 1 - x && pass < 2)
			continue;
		for (int k = 0; k < BURN_NTIERS && x < cols - 1; k++) {
			const struct burn_alert *a = &r->alerts[k];
			if (!*tok[k])
				continue;
			int color = tier_color(a);
			attr_t attr = ui_color(ui, color) | (a->firing ? A_BOLD | A_REVERSE : 0) |
				      (!a->reachable || stale ? A_DIM : 0);
			x += draw_text(w, y, x, cols - 1 - x, tok[k], attr, color);
		}
		return;
	}
}

static void slo_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const struct incident *inc = ui->inc;
	draw_title(ui, w, cols, "SLO BURN", ui->focus == PANE_SLO, NULL, true);
	{
		int x = cols - 43;
		for (int k = 0; k < BURN_NWINDOWS; k++, x += 6)
			draw_textf(w, 0, x, 6, ui->focus == PANE_SLO ? A_REVERSE | A_BOLD : A_BOLD,
				   ui->color ? COL_TITLE : COL_NONE, "%5s ", burn_window_name[k]);
	}
	int alert_rows = alerts_section_rows(ui, rows);
	if (alert_rows)
		alerts_section_draw(ui, w, rows - alert_rows, alert_rows, cols);
	rows -= alert_rows;
	if (inc->n_slos == 0) {
		if (!alert_rows)
			draw_text(w, 1, 1, cols - 2, "no SLOs in this incident", A_DIM, COL_NONE);
		return;
	}
	/* The title carries the oldest data on the pane, and its failure. */
	const struct data_state *oldest = NULL;
	for (size_t i = 0; i < inc->n_slos; i++) {
		const struct data_state *d = &inc->slos[i].data;
		if (d->live && (!oldest || d->at_ms < oldest->at_ms))
			oldest = d;
	}
	if (oldest) {
		int used = draw_data_state(ui, w, 0, cols - 44, oldest, inc->now);
		if (*oldest->error && cols - 44 - used > 12)
			draw_text(w, 0, 10, cols - 44 - used - 11, oldest->error, ui_color(ui, COL_RED), COL_RED);
	}
	int y = 1;
	for (size_t i = 0; i < inc->n_slos && y + 1 < rows; i++, y += 2)
		draw_slo(ui, w, y, cols, &inc->slos[i]);
	if (y < rows && inc->n_slos > (size_t)((rows - 1) / 2))
		draw_textf(w, rows - 1, 1, cols - 2, A_DIM, COL_NONE, "+%zu more SLOs",
			   inc->n_slos - (size_t)((rows - 1) / 2));
}

const struct pane_class pane_slo = {
	.name = "slo",
	.draw = slo_draw,
	.key = NULL,
	.min_rows = 3,
};
