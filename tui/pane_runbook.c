/* The runbook pane: the runbooks found, the suggested one first with the
 * signal that matched; or one runbook as a checklist: sections, steps with
 * their nesting, who ticked each and when, and a progress bar. Space ticks
 * (unticking asks why), Enter shows a step whole, Esc goes back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "ui.h"
#include "xalloc.h"

static size_t done_steps(const struct incident *inc, const struct runbook *rb)
{
	size_t n = 0;
	for (size_t i = 0; i < rb->n_steps; i++)
		n += incident_tick_of(inc, rb->name, rb->steps[i].id) != NULL;
	return n;
}

/* The list's order: the suggested runbook first, then those in progress
 * (a console that reconnects finds the one in use), then the rest, each
 * by name. */
static size_t list_index(const struct incident *inc, int suggested, size_t pos)
{
	size_t at = 0;
	if (suggested >= 0 && at++ == pos)
		return (size_t)suggested;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < inc->n_runbooks; i++) {
			bool busy = done_steps(inc, &inc->runbooks[i]) > 0;
			if ((int)i == suggested || busy != (pass == 0))
				continue;
			if (at++ == pos)
				return i;
		}
	return pos;
}

static void draw_list(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const struct incident *inc = ui->inc;
	char *why = NULL;
	int suggested = incident_suggested_runbook(inc, &why);
	char title[96];
	if (inc->runbooks_left_out)
		snprintf(title, sizeof title, "RUNBOOKS  first %zu; %zu more left out", inc->n_runbooks,
			 inc->runbooks_left_out);
	else
		snprintf(title, sizeof title, "RUNBOOKS");
	draw_title(ui, w, cols, title, ui->focus == PANE_RUNBOOK, "Enter open", true);
	if (inc->n_runbooks == 0) {
		draw_text(w, 1, 1, cols - 2, "no runbooks found (./runbooks, the installed runbooks)", A_DIM, COL_NONE);
		free(why);
		return;
	}
	if (ui->rb_sel >= inc->n_runbooks)
		ui->rb_sel = 0;
	int y = 1;
	if (suggested >= 0 && y < rows) {
		/* Whole, on two rows when one will not hold it and the pane
		 * has rows to spare. */
		/* The name is in the list below; the reason is here only. */
		char name[64];
		char *line = xasprintf("suggested: %s (%s)", fit_name(inc->runbooks[suggested].name, 24, name, sizeof name),
				       why);
		y = draw_wrapped(ui, w, y, rows > 6 ? y + 2 : y + 1, 1, cols - 2, line, A_BOLD | ui_color(ui, COL_WARN),
				 COL_WARN);
		free(line);
	}
	size_t first = ui->rb_sel >= (size_t)(rows - y) ? ui->rb_sel - (size_t)(rows - y) + 1 : 0;
	for (size_t pos = first; pos < inc->n_runbooks && y < rows; pos++, y++) {
		size_t i = list_index(inc, suggested, pos);
		const struct runbook *rb = &inc->runbooks[i];
		bool sel = ui->focus == PANE_RUNBOOK && pos == ui->rb_sel;
		char name[64];
		draw_textf(w, y, 1, cols - 2, sel ? A_REVERSE : A_NORMAL, COL_NONE, "%s%-22s %3zu/%-3zu %s",
			   (int)i == suggested ? "*" : " ", fit_name(rb->name, 22, name, sizeof name),
			   done_steps(inc, rb), rb->n_steps, rb->title);
	}
	free(why);
}

static void draw_open(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const struct incident *inc = ui->inc;
	const struct runbook *rb = &inc->runbooks[ui->rb_index];
	size_t done = done_steps(inc, rb);
	char title[200], name[160], count[48];
	/* The name gives way to the count and the bar. */
	int len = snprintf(count, sizeof count, "  %zu/%zu", done, rb->n_steps);
	int name_room = (cols > 60 ? cols - 44 : cols - 1) - 1 - (int)strlen("RUNBOOK ") - len - 1;
	snprintf(title, sizeof title, "RUNBOOK %s%s", fit_name(rb->name, name_room, name, sizeof name), count);
	draw_title(ui, w, cols, title, ui->focus == PANE_RUNBOOK, "Spc tick  Enter  Esc", true);
	int bar = 20;
	if (cols > 60)
		draw_bar(ui, w, 0, cols - 44, bar, rb->n_steps ? (int)(done * 100 / rb->n_steps) : 0, COL_GREEN);
	if (ui->rb_step >= rb->n_steps)
		ui->rb_step = rb->n_steps ? rb->n_steps - 1 : 0;
	/* Rows: a section's title before its first step, then the steps. */
	int visible = rows - 1;
	size_t first = ui->rb_step > (size_t)visible / 2 ? ui->rb_step - (size_t)visible / 2 : 0;
	int y = 1;
	for (size_t i = first; i < rb->n_steps && y < rows; i++) {
		const struct runbook_step *s = &rb->steps[i];
		if ((i == first || rb->steps[i - 1].section != s->section) && rb->sections[s->section].level > 0) {
			draw_text(w, y++, 1, cols - 2, rb->sections[s->section].title, A_BOLD | A_UNDERLINE, COL_NONE);
			if (y >= rows)
				break;
		}
		const struct step_tick *t = incident_tick_of(inc, rb->name, s->id);
		bool sel = ui->focus == PANE_RUNBOOK && i == ui->rb_step;
		char who[96] = "";
		if (t) {
			char at[16];
			timefmt_hms(t->at_ms, at, sizeof at);
			snprintf(who, sizeof who, "  %s %s", t->by, at);
		}
		int x = 2 + s->depth * 2;
		char num[16] = "";
		if (s->number)
			snprintf(num, sizeof num, "%d. ", s->number);
		x += draw_textf(w, y, x, cols - x - 1, sel ? A_REVERSE : A_NORMAL, COL_NONE, "[%s] %s",
				t ? "x" : " ", num);
		int room = cols - x - 1 - (int)strlen(who) - (s->n_codes ? 6 : 0);
		x += draw_text(w, y, x, room, s->text, (sel ? A_REVERSE : A_NORMAL) | (t ? A_DIM : 0), COL_NONE);
		if (s->n_codes)
			x += 1 + draw_text(w, y, x + 1, 6, "{code}", ui_color(ui, COL_ACCENT), COL_ACCENT);
		if (t)
			draw_text(w, y, x, cols - x - 1, who, ui_color(ui, COL_GREEN), COL_GREEN);
		y++;
	}
}

static void runbook_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	if (ui->rb_open && ui->rb_index < ui->inc->n_runbooks)
		draw_open(ui, w, rows, cols);
	else
		draw_list(ui, w, rows, cols);
}

static int runbook_key(struct ui *ui, int key)
{
	struct incident *inc = ui->inc;
	if (inc->n_runbooks == 0)
		return 0;
	if (!ui->rb_open) {
		if (key == '\r' || key == '\n' || key == KEY_ENTER) {
			char *why = NULL;
			int suggested = incident_suggested_runbook(inc, &why);
			free(why);
			ui->rb_index = list_index(inc, suggested, ui->rb_sel % inc->n_runbooks);
			ui->rb_open = true;
			ui->rb_step = 0;
			return UI_HANDLED | UI_REDRAW;
		}
		return keys_move(&ui->rb_sel, inc->n_runbooks, key);
	}
	const struct runbook *rb = &inc->runbooks[ui->rb_index];
	if (key == 27) {
		ui->rb_open = false;
		return UI_HANDLED | UI_REDRAW;
	}
	if (rb->n_steps == 0)
		return 0;
	const struct runbook_step *s = &rb->steps[ui->rb_step % rb->n_steps];
	if (key == ' ') {
		if (incident_tick_of(inc, rb->name, s->id)) {
			dialog_change_open(ui, CHANGE_UNTICK);
			return UI_HANDLED | UI_REDRAW;
		}
		struct error err;
		if (incident_tick(inc, rb->name, s->id, true, NULL, &inc->actor, &err) != 0)
			ui_say(ui, true, "%s", err.msg);
		else if (ui->rb_step + 1 < rb->n_steps)
			ui->rb_step++; /* on to the next step, as on paper */
		return UI_HANDLED | UI_REDRAW;
	}
	if (key == '\r' || key == '\n' || key == KEY_ENTER) {
		ui->dialog = &dialog_step;
		return UI_HANDLED | UI_REDRAW;
	}
	return keys_move(&ui->rb_step, rb->n_steps, key);
}

const struct pane_class pane_runbook = {
	.name = "runbook",
	.draw = runbook_draw,
	.key = runbook_key,
	.min_rows = 2,
};
