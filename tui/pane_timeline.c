/* The timeline pane: the journal as a person reads it (time, who, what,
 * why), newest at the bottom, with the incident's title, severity and role
 * holders in its title. Shares the runbook pane's place (`t` swaps them);
 * `/` filters with a PCRE2 pattern, j/k scroll back in time. */
#include <stdio.h>
#include <string.h>

#include "timefmt.h"
#include "ui.h"

static void title_text(const struct incident *inc, char *buf, size_t size)
{
	const struct workflow *w = &inc->workflow;
	if (!w->declared_at) {
		snprintf(buf, size, "TIMELINE  (no incident declared: \":declare SEV1 title\")");
		return;
	}
	int n = snprintf(buf, size, "TIMELINE  %s%s %s", w->resolved_at ? "RESOLVED " : "", sev_name(w->severity),
			 w->title);
	for (int d = 0; d < DUTY_N && n > 0 && (size_t)n < size; d++)
		if (w->holder[d])
			n += snprintf(buf + n, size - (size_t)n, "  %s:%s", d == DUTY_COMMANDER ? "IC" : duty_name(d),
				      w->holder[d]);
}

/* The kept entries that pass the filter, newest last, into idx. */
static size_t visible(const struct ui *ui, size_t *idx, size_t max)
{
	const struct timeline *t = &ui->inc->timeline;
	size_t n = 0;
	for (size_t i = t->n; i-- > 0 && n < max;)
		if (timeline_filter_match(ui->tl_filter, timeline_at(t, i)))
			idx[n++] = i;
	/* Collected newest first; the pane shows oldest first. */
	for (size_t a = 0, b = n ? n - 1 : 0; a < b; a++, b--) {
		size_t x = idx[a];
		idx[a] = idx[b];
		idx[b] = x;
	}
	return n;
}

static void timeline_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const struct incident *inc = ui->inc;
	char title[256];
	title_text(inc, title, sizeof title);
	draw_title(ui, w, cols, title, ui->focus == PANE_RUNBOOK, "/ filter  t runbook", true);
	int lines = rows - 1 - (*ui->tl_pattern ? 1 : 0);
	if (lines <= 0)
		return;
	size_t want = (size_t)lines + ui->tl_scroll;
	size_t idx[512];
	if (want > sizeof idx / sizeof idx[0])
		want = sizeof idx / sizeof idx[0];
	size_t n = visible(ui, idx, want);
	if (*ui->tl_pattern)
		draw_textf(w, rows - 1, 1, cols - 2, A_DIM, COL_NONE, "filter /%s/: %zu shown%s", ui->tl_pattern, n,
			   n == want ? " or more" : "");
	if (n == 0) {
		draw_text(w, 1, 1, cols - 2, *ui->tl_pattern ? "nothing matches" : "the journal is empty", A_DIM,
			  COL_NONE);
		return;
	}
	if (ui->tl_scroll > n - 1)
		ui->tl_scroll = n - 1;
	size_t end = n - ui->tl_scroll; /* one past the newest shown */
	size_t start = end > (size_t)lines ? end - (size_t)lines : 0;
	for (size_t k = start, y = 1; k < end; k++, y++) {
		const struct timeline_entry *e = timeline_at(&inc->timeline, idx[k]);
		char when[16];
		timefmt_hms(e->at_ms, when, sizeof when);
		int x = 1 + draw_text(w, (int)y, 1, 8, when, A_DIM, COL_NONE);
		/* A fixed column for who, so that what they did lines up. */
		draw_text(w, (int)y, x + 1, 8, e->who, A_BOLD, COL_NONE);
		x += 9;
		int c = e->failed ? COL_RED : COL_NONE;
		x += 1 + draw_text(w, (int)y, x + 1, cols - x - 2, e->what, ui_color(ui, c), c);
		if (e->why && x < cols - 6)
			draw_textf(w, (int)y, x + 1, cols - x - 2, A_DIM, COL_NONE, "- %s", e->why);
	}
}

static int timeline_key(struct ui *ui, int key)
{
	if (key == 'k' || key == KEY_UP) {
		ui->tl_scroll++;
		return UI_HANDLED | UI_REDRAW;
	}
	if (key == 'j' || key == KEY_DOWN) {
		if (ui->tl_scroll)
			ui->tl_scroll--;
		return UI_HANDLED | UI_REDRAW;
	}
	if (key == '/') {
		dialog_text_open(ui, TEXT_FILTER);
		return UI_HANDLED | UI_REDRAW;
	}
	return 0;
}

const struct pane_class pane_timeline = {
	.name = "timeline",
	.draw = timeline_draw,
	.key = timeline_key,
	.min_rows = 3,
};
