/* One SLO whole (Enter in SLO BURN): its service, endpoint and origin,
 * and for each window the burn, the events it counts, how long ago it was
 * read and what is wrong with it (thin, stale, no data, or a window its
 * rules do not record); then the budget and the four tiers. Live, each
 * window is read on its own cadence: this is where a 3d burn read an hour
 * ago says so. Any key closes it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "timefmt.h"
#include "ui.h"

void dialog_slo_open(struct ui *ui)
{
	if (ui->slo_sel < ui->inc->n_slos)
		ui->dialog = &dialog_slo;
}

/* "20s ago", "never read", or "simulated" for a drill's figures. */
static void read_text(const struct incident *inc, const struct incident_slo *s, int64_t at, char *buf,
		      size_t size)
{
	if (!s->data.live) {
		snprintf(buf, size, "simulated");
		return;
	}
	if (!at) {
		snprintf(buf, size, "never read");
		return;
	}
	char age[16];
	slo_reading_age(inc->now - at, age, sizeof age);
	snprintf(buf, size, "%s ago", age);
}

static void count_text(double v, char *buf, size_t size)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, v < 1e9 ? "%.0f" : "%.3g", v);
}

static int draw_window(struct ui *ui, WINDOW *w, int y, int cols, const struct incident_slo *s, int k)
{
	const struct incident *inc = ui->inc;
	const struct burn_window_stat *ws = &s->result.windows[k];
	char burn[16] = "", events[64] = "", read[32] = "", bad[24], total[24];
	const char *state = "";
	int color = COL_NONE;
	if (slo_lacks(s, k)) {
		snprintf(burn, sizeof burn, "lacks");
		state = "its rules do not record this window";
	} else {
		read_text(inc, s, ws->at_ms, read, sizeof read);
		if (ws->stale) {
			snprintf(burn, sizeof burn, "STALE");
			state = "read too long ago: not used";
			color = COL_RED;
		} else if (ws->no_data) {
			snprintf(burn, sizeof burn, "n/d");
			state = "no data";
		} else {
			snprintf(burn, sizeof burn, isfinite(ws->burn) ? "%.2f" : "-", ws->burn);
			count_text(ws->bad, bad, sizeof bad);
			count_text(ws->total, total, sizeof total);
			snprintf(events, sizeof events, "%s / %s", bad, total);
			if (ws->thin)
				state = "thin: too few events to page on";
		}
	}
	draw_textf(w, y, 2, 9, A_BOLD, COL_NONE, "%s", burn_window_name[k]);
	draw_textf(w, y, 9, 8, ui_color(ui, color) | (color ? A_BOLD : 0), color, "%7s", burn);
	if (!*events && !*read)
		return draw_text(w, y, 18, cols - 20, state, A_DIM, COL_NONE);
	draw_text(w, y, 18, 22, events, A_NORMAL, COL_NONE);
	draw_text(w, y, 41, 12, read, A_NORMAL, COL_NONE);
	return draw_text(w, y, 54, cols - 56, state, A_DIM, COL_NONE);
}

static void slo_dialog_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const struct incident *inc = ui->inc;
	draw_box(ui, w, rows, cols, "SLO (any key closes)");
	if (ui->slo_sel >= inc->n_slos)
		return;
	const struct incident_slo *s = &inc->slos[ui->slo_sel];
	const struct burn_result *r = &s->result;
	char period[16];
	timefmt_duration(s->spec.period_ms, period, sizeof period);
	int x = 2 + draw_text(w, 1, 2, cols - 24, s->spec.name, A_BOLD, COL_NONE);
	draw_textf(w, 1, x, cols - 2 - x, A_NORMAL, COL_NONE, " %g%% over %s", s->spec.objective * 100, period);
	x = 2 + draw_textf(w, 2, 2, cols - 4, A_NORMAL, COL_NONE, "service %s%s", s->service ? s->service : "-",
			   incident_pinned(inc, s->service) ? " (pinned)" : "");
	x += draw_textf(w, 2, x, cols - 2 - x, A_NORMAL, COL_NONE, "   endpoint %s", s->endpoint ? s->endpoint : "-");
	draw_textf(w, 2, x, cols - 2 - x, A_DIM, COL_NONE, "   %s%s", s->origin ? "discovered from " : "",
		   s->origin ? s->origin : inc->mode == MODE_DRILL ? "from the scenario" : "from the config");
	if (*s->data.error)
		draw_text(w, 3, 2, cols - 4, s->data.error, ui_color(ui, COL_RED) | A_BOLD, COL_RED);
	draw_text(w, 4, 2, 7, "window", A_BOLD, COL_NONE);
	draw_text(w, 4, 12, 4, "burn", A_BOLD, COL_NONE);
	draw_text(w, 4, 18, 22, "bad / total events", A_BOLD, COL_NONE);
	draw_text(w, 4, 41, 12, "read", A_BOLD, COL_NONE);
	int y = 5;
	for (int k = 0; k < BURN_NWINDOWS && y < rows - 1; k++, y++)
		draw_window(ui, w, y, cols, s, k);
	if (y >= rows - 1)
		return;
	/* The budget: the period's own reading. */
	char budget[64], read[32], exh[32] = "never exhausted";
	if (slo_lacks(s, BURN_NWINDOWS))
		snprintf(budget, sizeof budget, "budget lacks: its rules do not record the period");
	else if (isfinite(r->budget_remaining))
		snprintf(budget, sizeof budget, "budget %.1f%% left", r->budget_remaining * 100);
	else
		snprintf(budget, sizeof budget, "budget n/d");
	char in[16];
	timefmt_duration(r->exhaustion_ms, in, sizeof in);
	if (r->exhaustion_ms == 0)
		snprintf(exh, sizeof exh, "spent");
	else if (r->exhaustion_ms > 0)
		snprintf(exh, sizeof exh, "exhausted in %s", in);
	read_text(inc, s, r->budget_at_ms, read, sizeof read);
	draw_text(w, y, 2, 7, "period", A_BOLD, COL_NONE);
	if (slo_lacks(s, BURN_NWINDOWS)) {
		draw_text(w, y, 11, cols - 13, budget, A_DIM, COL_NONE);
	} else {
		draw_text(w, y, 11, 29, budget, A_NORMAL, COL_NONE);
		draw_text(w, y, 41, 12, read, A_NORMAL, COL_NONE);
	}
	if (isfinite(r->budget_remaining))
		draw_text(w, y, 54, cols - 56, exh, A_DIM, COL_NONE);
	y += 2;
	for (int k = 0; k < BURN_NTIERS && y < rows - 1; k++, y++) {
		const struct burn_alert *a = &r->alerts[k];
		bool lacks = slo_lacks(s, a->tier->long_window) || slo_lacks(s, a->tier->short_window);
		const char *state = !a->reachable ? "n/a: cannot fire at this objective"
				    : a->firing	  ? "FIRE"
				    : lacks	  ? "lacks a window: cannot fire"
				    : a->no_data  ? "n/d"
				    : a->thin	  ? "thin"
						  : "ok";
		int color = a->firing ? COL_RED : COL_NONE;
		draw_textf(w, y, 2, cols - 4, A_NORMAL, COL_NONE, "%-6s %c%s/%s over %.1fx", a->severity,
			   strcmp(a->severity, "page") == 0 ? 'P' : 'T', burn_window_name[a->tier->long_window],
			   burn_window_name[a->tier->short_window], a->factor);
		draw_text(w, y, 30, cols - 32, state, ui_color(ui, color) | (a->firing ? A_BOLD | A_REVERSE : 0), color);
	}
}

const struct dialog_class dialog_slo = {
	.name = "slo",
	.draw = slo_dialog_draw,
	.key = dialog_any_key_closes,
	.rows = 20,
	.cols = 78,
};
