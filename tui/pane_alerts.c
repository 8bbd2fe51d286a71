/* The ALERTS section at the foot of the SLO pane: what Alertmanager says
 * is firing for the incident, a row per alertname (how many, severity,
 * muted or not, age, the SLO it belongs to, the summary). A section, not
 * a pane: at 80x24 every pane already has its minimum, and an alert
 * reads best beside the burn of its SLO. Stale alerts stay, dimmed, under
 * a heading that says STALE. */
#include <stdio.h>
#include <string.h>

#include "timefmt.h"
#include "ui.h"

/* One alertname's run in a source's sorted set. */
struct alert_group {
	const struct alert *first;
	size_t n, active, silenced, inhibited;
	int64_t oldest_ms;
	const char *slo;
	const char *silence; /* an alert's silence id, when one mutes it */
};

/* The group starting at alerts[*at]; *at moves past it. */
static void next_group(const struct incident *inc, const struct alert_set *set, size_t *at, struct alert_group *g)
{
	const struct alert *a = &set->alerts[*at];
	const char *name = alert_label(a, "alertname");
	*g = (struct alert_group){ .first = a };
	for (; *at < set->n; (*at)++) {
		const struct alert *b = &set->alerts[*at];
		const char *n = alert_label(b, "alertname");
		if (strcmp(n ? n : "", name ? name : "") != 0)
			break;
		g->n++;
		const char *state = alert_state_name(b);
		g->active += strcmp(state, "active") == 0;
		g->silenced += strcmp(state, "silenced") == 0;
		g->inhibited += strcmp(state, "inhibited") == 0;
		if (b->starts_ms && (!g->oldest_ms || b->starts_ms < g->oldest_ms))
			g->oldest_ms = b->starts_ms;
		if (!g->slo)
			g->slo = incident_alert_slo(inc, b);
		if (!g->silence && b->n_silenced_by)
			g->silence = b->silenced_by[0];
	}
}

static size_t count_groups(const struct incident *inc)
{
	size_t n = 0;
	for (size_t i = 0; i < inc->n_alerts; i++)
		for (size_t at = 0; at < inc->alerts[i].set.n; n++) {
			struct alert_group g;
			next_group(inc, &inc->alerts[i].set, &at, &g);
		}
	return n;
}

int alerts_section_rows(const struct ui *ui, int rows)
{
	const struct incident *inc = ui->inc;
	if (!inc->n_alerts)
		return 0;
	/* The rows the SLOs leave, and at least half the pane. */
	int spare = rows - 1 - 2 * (int)inc->n_slos, half = (rows - 1) / 2;
	int cap = spare > half ? spare : half;
	int want = 1 + (int)count_groups(inc);
	return want < cap ? want : cap < 2 ? (rows > 2 ? 2 : 0) : cap;
}

/* "(1h12m left) " when a silence made during the incident mutes the
 * whole group; the columns used. */
static int draw_silence_left(struct ui *ui, WINDOW *w, int y, int x, int cols, const struct alert_group *g)
{
	const struct incident_silence *s = g->silence ? incident_silence_find(ui->inc, g->silence) : NULL;
	if (!s || g->active || s->ends_ms <= ui->inc->now)
		return 0;
	char left[16];
	timefmt_duration((s->ends_ms - ui->inc->now) / 1000 * 1000, left, sizeof left);
	return draw_textf(w, y, x, cols - 1 - x, A_DIM, COL_NONE, "(%s left) ", left);
}

static void draw_group(struct ui *ui, WINDOW *w, int y, int cols, const struct alert_group *g, bool stale)
{
	const char *name = alert_label(g->first, "alertname"), *sev = alert_label(g->first, "severity");
	/* Muted only when every alert of the group is: one that still fires
	 * makes the row fire. */
	const char *state = g->active ? "FIRING" : g->silenced ? "silenced" : g->inhibited ? "inhibited" : "pending";
	int color = stale ? COL_NONE : g->active ? COL_RED : COL_NONE;
	attr_t attr = stale || !g->active ? A_DIM : A_BOLD;
	char fitted[64], age[16] = "-", count[24] = "", slo[96] = "";
	/* Whole seconds: a fresh alert is "0s", not "112ms". */
	if (g->oldest_ms)
		timefmt_duration((ui->inc->now - g->oldest_ms) / 1000 * 1000, age, sizeof age);
	if (g->n > 1)
		snprintf(count, sizeof count, "x%zu", g->n);
	if (g->slo)
		snprintf(slo, sizeof slo, "[%s] ", g->slo);
	int x = 1;
	x += draw_textf(w, y, x, 23, attr | ui_color(ui, color), color, "%-22s ",
			fit_name(name ? name : "?", 22, fitted, sizeof fitted));
	x += draw_textf(w, y, x, 5, attr, COL_NONE, "%-4s ", count);
	x += draw_textf(w, y, x, 8, attr, COL_NONE, "%-7s ", sev ? sev : "-");
	x += draw_textf(w, y, x, 10, attr | ui_color(ui, color), color, "%-9s ", state);
	x += draw_textf(w, y, x, 7, attr, COL_NONE, "%6s ", age);
	x += draw_silence_left(ui, w, y, x, cols, g);
	x += draw_text(w, y, x, cols - 1 - x, slo, attr | ui_color(ui, COL_ACCENT), COL_ACCENT);
	draw_text(w, y, x, cols - 1 - x, g->first->summary ? g->first->summary : "", stale ? A_DIM : A_NORMAL,
		  COL_NONE);
}

/* "ALERTS 3: 1 firing, 2 muted", the oldest reading's age or STALE, and
 * the first failure. */
static void draw_heading(struct ui *ui, WINDOW *w, int y, int cols)
{
	const struct incident *inc = ui->inc;
	size_t n = 0, firing = 0, left_out = 0;
	const struct data_state *oldest = NULL;
	for (size_t i = 0; i < inc->n_alerts; i++) {
		const struct incident_alerts *a = &inc->alerts[i];
		n += a->set.n;
		left_out += a->set.left_out;
		for (size_t k = 0; k < a->set.n; k++)
			firing += a->set.alerts[k].state == ALERT_ACTIVE;
		if (!oldest || a->data.at_ms < oldest->at_ms || *a->data.error)
			oldest = &a->data;
	}
	char more[48] = "";
	if (left_out)
		snprintf(more, sizeof more, " (+%zu not kept)", left_out);
	int x = 1 + draw_textf(w, y, 1, cols - 2, A_BOLD, COL_NONE, "ALERTS %zu: %zu firing, %zu muted%s", n, firing,
			       n - firing, more);
	int used = draw_data_state(ui, w, y, cols - 1, oldest, inc->now);
	if (*oldest->error && cols - 2 - used - x > 12)
		draw_text(w, y, x + 1, cols - 2 - used - x - 1, oldest->error, ui_color(ui, COL_RED), COL_RED);
}

void alerts_section_draw(struct ui *ui, WINDOW *w, int y, int rows, int cols)
{
	const struct incident *inc = ui->inc;
	draw_heading(ui, w, y, cols);
	size_t total = count_groups(inc), shown = 0;
	int last = y + rows - 1;
	for (size_t i = 0; i < inc->n_alerts; i++) {
		const struct incident_alerts *a = &inc->alerts[i];
		bool stale = data_stale(&a->data, inc->now);
		for (size_t at = 0; at < a->set.n && y < last;) {
			struct alert_group g;
			next_group(inc, &a->set, &at, &g);
			/* The last row says how many more rather than show one. */
			if (y + 1 == last && shown + 1 < total) {
				draw_textf(w, last, 1, cols - 2, A_DIM, COL_NONE, "+%zu more alert groups", total - shown);
				return;
			}
			draw_group(ui, w, ++y, cols, &g, stale);
			shown++;
		}
	}
}
