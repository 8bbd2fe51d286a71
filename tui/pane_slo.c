/* The SLO pane: each SLO's burn rate over the seven windows, a sparkline of
 * recent 5m burn, the error budget left with the time to exhaustion, and
 * the four alert tiers with their state spelled out (never colour alone).
 * Worst first (core/incident/slo_order.h), pinned services above all; as
 * many as fit, the rest counted on the last row. Focused, j/k select and
 * scroll, / filters, Enter shows one SLO's readings (tui/dialog_slo.c). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "slo_order.h"
#include "timefmt.h"
#include "ui.h"
#include "xalloc.h"

enum { SPARK_N = INCIDENT_HISTORY_N };

/* The burn columns start this far from the right edge, 6 columns each. */
#define BURN_X(cols) ((cols) - 43)

bool slo_lacks(const struct incident_slo *s, int window)
{
	return (s->lacks >> window) & 1u;
}

void slo_reading_age(int64_t age_ms, char *buf, size_t size)
{
	long long s = age_ms > 0 ? age_ms / 1000 : 0;
	/* In steps that change seldom: an idle screen sends few bytes. */
	if (s < 60)
		snprintf(buf, size, "%llds", s / 10 * 10);
	else if (s < 3600)
		snprintf(buf, size, "%lldm", s / 60);
	else if (s < 10 * 3600)
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s / 60 % 60);
	else if (s < 48 * 3600)
		snprintf(buf, size, "%lldh", s / 3600);
	else
		snprintf(buf, size, "%lldd", s / 86400);
}

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

/* A tier over a window the SLO's rules do not record can never fire: it
 * lacks, which is not the same as a failed read (n/d). */
static const char *tier_state(const struct incident_slo *s, const struct burn_alert *a)
{
	if (!a->reachable)
		return "n/a";
	if (a->firing)
		return "FIRE";
	if (slo_lacks(s, a->tier->long_window) || slo_lacks(s, a->tier->short_window))
		return "lacks";
	if (a->no_data)
		return "n/d";
	if (a->thin)
		return "thin";
	return "ok";
}

static void draw_tiers(struct ui *ui, WINDOW *w, int y, int x, int cols, const struct incident_slo *s, bool stale);

/* The name's column: a pinned service's mark, the service (unless the
 * name starts with it), the name shortened in its middle, the objective
 * whole, and where the SLO was discovered if there is room. */
static void draw_label(struct ui *ui, WINDOW *w, int y, int width, const struct incident_slo *s, bool selected)
{
	char period[16], objective[48], name[160], service[64];
	timefmt_duration(s->spec.period_ms, period, sizeof period);
	int olen = snprintf(objective, sizeof objective, " %g%%/%s", s->spec.objective * 100, period);
	bool pinned = incident_pinned(ui->inc, s->service);
	const char *svc = s->service && strncmp(s->spec.name, s->service, strlen(s->service)) != 0 ? s->service : NULL;
	int room = width - olen - (pinned ? 1 : 0);
	/* The origin goes first when the name would be cut for it. */
	int origin = s->origin ? (int)strlen(s->origin) + 1 : 0;
	int slen = svc ? (int)strlen(svc) + 1 : 0, nlen = (int)strlen(s->spec.name);
	if (origin && slen + nlen > room - origin)
		origin = 0;
	room -= origin;
	/* The service takes at most a third of what is left. */
	int sroom = slen > room / 3 ? room / 3 : slen;
	attr_t sel = selected ? A_REVERSE : 0;
	int x = 1;
	if (pinned)
		x += draw_text(w, y, x, 1, "^", A_BOLD | sel, COL_NONE);
	if (svc && sroom > 2) {
		fit_name(svc, sroom - 1, service, sizeof service);
		x += draw_textf(w, y, x, sroom, sel, COL_NONE, "%s/", service);
	}
	int nroom = width + 1 - x - olen - origin;
	x += draw_text(w, y, x, nroom, fit_name(s->spec.name, nroom, name, sizeof name), A_BOLD | sel, COL_NONE);
	x += draw_text(w, y, x, width + 1 - x, objective, A_BOLD | sel, COL_NONE);
	if (origin)
		draw_textf(w, y, x, width + 1 - x, A_DIM, COL_NONE, " %s", s->origin);
}

static void draw_slo(struct ui *ui, WINDOW *w, int y, int cols, const struct incident_slo *s, bool selected)
{
	const struct burn_result *r = &s->result;
	/* Stale figures stay on screen, dimmed and marked, never as current. */
	bool stale = data_stale(&s->data, ui->inc->now);
	char buf[32];
	if (selected)
		draw_text(w, y, 0, 1, ">", A_BOLD | A_REVERSE, COL_NONE);
	draw_label(ui, w, y, cols - 44, s, selected);
	int x = BURN_X(cols);
	double page_at = burn_factor(&burn_tiers[1], s->spec.period_ms);
	for (int k = 0; k < BURN_NWINDOWS; k++, x += 6) {
		const struct burn_window_stat *ws = &r->windows[k];
		/* A window its rules do not record says so; one read too
		 * long ago says STALE (the SLO's own STALE covers them all). */
		if (slo_lacks(s, k)) {
			draw_text(w, y, x, 6, "lacks ", A_DIM, COL_NONE);
			continue;
		}
		if (ws->stale && !stale) {
			draw_text(w, y, x, 6, "STALE ", ui_color(ui, COL_RED) | A_BOLD, COL_RED);
			continue;
		}
		format_burn(ws, buf, sizeof buf);
		/* A window that lacks events shows its figure dimmed with '~'. */
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
		snprintf(buf, sizeof buf, "%s", slo_lacks(s, BURN_NWINDOWS) ? "lacks" : "n/d");
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
	draw_tiers(ui, w, y, x, cols, s, stale);
}

/* The four tiers, in as much room as there is. What fires is never what
 * gets cut: first the tiers that do not fire go, then the labels lose
 * their short window ("P1h FIRE"). */
static void draw_tiers(struct ui *ui, WINDOW *w, int y, int x, int cols, const struct incident_slo *s, bool stale)
{
	const struct burn_result *r = &s->result;
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
				 short_window ? burn_window_name[a->tier->short_window] : "", tier_state(s, a));
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

void slo_filter_set(struct ui *ui, struct pattern *p, const char *text)
{
	pattern_free(ui->slo_filter);
	ui->slo_filter = p;
	snprintf(ui->slo_pattern, sizeof ui->slo_pattern, "%s", p && text ? text : "");
	ui->slo_top = 0;
}

/* The pane's order, kept from the last frame so that it is stable, with
 * SLOs that came since at its end; then sorted again. */
static void order_sync(struct ui *ui)
{
	const struct incident *inc = ui->inc;
	if (ui->slo_order_n < inc->n_slos) {
		ui->slo_order = xrealloc(ui->slo_order, inc->n_slos * sizeof *ui->slo_order);
		for (size_t i = ui->slo_order_n; i < inc->n_slos; i++)
			ui->slo_order[i] = i;
		ui->slo_order_n = inc->n_slos;
	}
	slo_order(inc, ui->slo_order, ui->slo_order_n);
}

size_t slo_visible(const struct ui *ui, size_t *vis)
{
	size_t n = 0;
	for (size_t i = 0; i < ui->slo_order_n; i++) {
		size_t k = ui->slo_order[i];
		if (slo_matches(ui->slo_filter, &ui->inc->slos[k]))
			vis[n++] = k;
	}
	return n;
}

/* Live, long windows are read less often than the 5m one: a row under
 * the window names says how long ago each window's oldest reading among
 * the SLOs shown was taken, where it differs from the 5m one. Only when
 * some SLO's readings differ so. */
static bool ages_differ(const struct incident *inc, const size_t *vis, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct incident_slo *s = &inc->slos[vis[i]];
		const struct burn_window_stat *w = s->result.windows;
		char first[16], age[16];
		if (!s->data.live || !w[0].at_ms)
			continue;
		slo_reading_age(inc->now - w[0].at_ms, first, sizeof first);
		for (int k = 1; k < BURN_NWINDOWS; k++) {
			if (!w[k].at_ms || slo_lacks(s, k))
				continue;
			slo_reading_age(inc->now - w[k].at_ms, age, sizeof age);
			if (strcmp(age, first) != 0)
				return true;
		}
	}
	return false;
}

static void draw_ages(struct ui *ui, WINDOW *w, int y, int cols, const size_t *shown, size_t n)
{
	const struct incident *inc = ui->inc;
	draw_text(w, y, 1, cols - 44, "read ago (the oldest shown)", A_DIM, COL_NONE);
	char first[16] = "";
	for (int k = 0, x = BURN_X(cols); k < BURN_NWINDOWS; k++, x += 6) {
		int64_t oldest = 0;
		for (size_t i = 0; i < n; i++) {
			const struct incident_slo *s = &inc->slos[shown[i]];
			int64_t at = s->result.windows[k].at_ms;
			if (s->data.live && at && !slo_lacks(s, k) && (!oldest || at < oldest))
				oldest = at;
		}
		if (!oldest)
			continue;
		char age[16];
		slo_reading_age(inc->now - oldest, age, sizeof age);
		if (k == 0)
			snprintf(first, sizeof first, "%s", age);
		else if (strcmp(age, first) == 0)
			continue;
		draw_textf(w, y, x, 6, A_DIM, COL_NONE, "%5s ", age);
	}
}

/* The last row when not every SLO is on screen or a filter is set: how
 * many more, above and below, and how to see them. */
static void draw_foot(struct ui *ui, WINDOW *w, int y, int cols, size_t n, size_t top, size_t shown)
{
	const char *sep = ui->ascii ? " - " : " \u00b7 ";
	bool focused = ui->focus == PANE_SLO;
	char text[768];
	int len = 0;
	if (*ui->slo_pattern)
		len += snprintf(text + len, sizeof text - (size_t)len, "/%s/ %zu of %zu SLOs%s", ui->slo_pattern, n,
				ui->inc->n_slos, sep);
	if (top)
		len += snprintf(text + len, sizeof text - (size_t)len, "%zu above%s", top, sep);
	if (top + shown < n)
		len += snprintf(text + len, sizeof text - (size_t)len, "+%zu more%s", n - top - shown, sep);
	if (*ui->slo_pattern)
		snprintf(text + len, sizeof text - (size_t)len, "%s", focused ? "Esc clears" : "Tab here: Esc clears");
	else if (focused)
		snprintf(text + len, sizeof text - (size_t)len, "j/k PgDn scroll%s/ filter", sep);
	else
		snprintf(text + len, sizeof text - (size_t)len, "Tab here: j/k scroll, / filter");
	draw_text(w, y, 1, cols - 2, text, A_DIM, COL_NONE);
}

/* The selected SLO's place among the n visible, or n. */
static size_t place_of(const struct ui *ui, const size_t *vis, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (vis[i] == ui->slo_sel)
			return i;
	return n;
}

static void slo_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const struct incident *inc = ui->inc;
	bool focused = ui->focus == PANE_SLO;
	draw_title(ui, w, cols, "SLO BURN", focused, NULL, true);
	for (int k = 0, x = BURN_X(cols); k < BURN_NWINDOWS; k++, x += 6)
		draw_textf(w, 0, x, 6, focused ? A_REVERSE | A_BOLD : A_BOLD, ui->color ? COL_TITLE : COL_NONE, "%5s ",
			   burn_window_name[k]);
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
	order_sync(ui);
	size_t *vis = xmalloc(inc->n_slos * sizeof *vis);
	size_t n = slo_visible(ui, vis);
	int y = 1;
	bool ages = ages_differ(inc, vis, n);
	int room = rows - 1 - (ages ? 1 : 0);
	bool foot = *ui->slo_pattern || n > (size_t)(room / 2);
	if (foot)
		room--;
	size_t per = room > 1 ? (size_t)room / 2 : 0;
	ui->slo_page = (int)per;
	/* Focused: a selected SLO, kept in view as the order changes. */
	size_t top = 0, at = place_of(ui, vis, n);
	if (focused && n) {
		if (at == n)
			ui->slo_sel = vis[at = 0];
		top = ui->slo_top;
		if (at < top)
			top = at;
		if (per && at >= top + per)
			top = at + 1 - per;
		if (top + per > n)
			top = n > per ? n - per : 0;
		ui->slo_top = top;
	}
	size_t shown = n - top < per ? n - top : per;
	if (ages) {
		draw_ages(ui, w, y, cols, vis + top, shown);
		y++;
	}
	if (n == 0)
		draw_textf(w, y, 1, cols - 2, A_DIM, COL_NONE, "no SLO matches /%s/", ui->slo_pattern);
	for (size_t i = top; i < top + shown; i++, y += 2)
		draw_slo(ui, w, y, cols, &inc->slos[vis[i]], focused && vis[i] == ui->slo_sel);
	if (foot)
		draw_foot(ui, w, rows - 1, cols, n, top, shown);
	free(vis);
}

static int slo_key(struct ui *ui, int key)
{
	const struct incident *inc = ui->inc;
	if (key == '/') {
		dialog_text_open(ui, TEXT_SLO_FILTER);
		return UI_HANDLED | UI_REDRAW;
	}
	if (key == 27 && *ui->slo_pattern) {
		slo_filter_set(ui, NULL, NULL);
		return UI_HANDLED | UI_REDRAW;
	}
	if (!inc->n_slos || ui->slo_order_n != inc->n_slos)
		return 0;
	size_t *vis = xmalloc(inc->n_slos * sizeof *vis);
	size_t n = slo_visible(ui, vis), at = place_of(ui, vis, n), page = ui->slo_page > 1 ? (size_t)ui->slo_page : 1;
	int flags = UI_HANDLED | UI_REDRAW;
	if (at == n)
		at = 0;
	if (n == 0)
		flags = 0;
	else if (key == 'j' || key == KEY_DOWN)
		at = at + 1 < n ? at + 1 : at;
	else if (key == 'k' || key == KEY_UP)
		at = at ? at - 1 : 0;
	else if (key == KEY_NPAGE) {
		at = at + page < n ? at + page : n - 1;
		ui->slo_top += page;
	} else if (key == KEY_PPAGE) {
		at = at > page ? at - page : 0;
		ui->slo_top = ui->slo_top > page ? ui->slo_top - page : 0;
	} else if (key == KEY_HOME)
		at = 0;
	else if (key == KEY_END)
		at = n - 1;
	else if (key == '\r' || key == '\n' || key == KEY_ENTER) {
		ui->slo_sel = vis[at];
		dialog_slo_open(ui);
	} else
		flags = 0;
	if (flags)
		ui->slo_sel = vis[at];
	free(vis);
	return flags;
}

const struct pane_class pane_slo = {
	.name = "slo",
	.draw = slo_draw,
	.key = slo_key,
	.min_rows = 3,
};
