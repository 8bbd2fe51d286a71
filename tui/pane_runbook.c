/* The runbook pane: the runbooks found, the suggested one first with the
 * signal that matched; or one runbook whole, as GitHub shows it: headings,
 * paragraphs, tables, code, and its steps as a checklist with who ticked
 * each and when, and a progress bar. j/k select a step or a code block,
 * PgUp/PgDn scroll, Space ticks (unticking asks why), Enter shows the
 * selection whole, c copies the selected code, Esc goes back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "runbook_layout.h"
#include "timefmt.h"
#include "ui.h"
#include "xalloc.h"

/* Each runbook's ticked steps, counted once for a frame of the list. */
static size_t *list_done(const struct incident *inc)
{
	size_t *done = xcalloc(inc->n_runbooks + 1, sizeof *done);
	for (size_t i = 0; i < inc->n_runbooks; i++)
		done[i] = incident_runbook_done(inc, &inc->runbooks[i]);
	return done;
}

/* The list's order: the suggested runbook first, then those in progress
 * (a console that reconnects finds the one in use), then the rest, each
 * by name. */
static size_t list_index(const struct incident *inc, const size_t *done, int suggested, size_t pos)
{
	size_t at = 0;
	if (suggested >= 0 && at++ == pos)
		return (size_t)suggested;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < inc->n_runbooks; i++) {
			bool busy = done[i] > 0;
			if ((int)i == suggested || busy != (pass == 0))
				continue;
			if (at++ == pos)
				return i;
		}
	return pos;
}

/* "RUNBOOKS", what the caps left out, and how many files loading refused
 * and how many warnings it gave (! lists them), the keys on the right.
 * The counts stay whole: the left-out note shortens first, then the keys. */
static void draw_list_title(struct ui *ui, WINDOW *w, int cols)
{
	const struct incident *inc = ui->inc;
	bool any = inc->n_runbook_problems > 0, focused = ui->focus == PANE_RUNBOOK;
	char count[64], head[96], title[192];
	runbook_problem_count(ui, count, sizeof count);
	const char *hint = any ? "! problems  Enter open" : "Enter open";
	int width = 0;
	for (int shorter = 0; shorter < 3; shorter++) {
		if (shorter == 2)
			hint = any ? "!  Enter" : "Enter";
		if (!inc->runbooks_left_out)
			snprintf(head, sizeof head, "RUNBOOKS");
		else if (shorter == 0)
			snprintf(head, sizeof head, "RUNBOOKS  first %zu; %zu more left out", inc->n_runbooks,
				 inc->runbooks_left_out);
		else
			snprintf(head, sizeof head, "RUNBOOKS  %zu more left out", inc->runbooks_left_out);
		snprintf(title, sizeof title, "%s%s%s", head, *count ? "  " : "", count);
		width = (int)mbstowcs(NULL, title, 0);
		if (width <= cols - (int)strlen(hint) - 3)
			break;
	}
	draw_title(ui, w, cols, title, focused, hint, true);
	if (*count && width <= cols - (int)strlen(hint) - 3)
		draw_problem_count(ui, w, 0, 1 + (int)strlen(head) + 2, focused ? A_REVERSE | A_BOLD : A_BOLD);
}

static void draw_list(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const struct incident *inc = ui->inc;
	char *why = NULL;
	int suggested = incident_suggested_runbook(inc, &why);
	draw_list_title(ui, w, cols);
	if (inc->n_runbooks == 0) {
		draw_text(w, 1, 1, cols - 2,
			  inc->n_runbook_problems ? "no runbook could be loaded: ! says why"
						  : "no runbooks found (./runbooks, the installed runbooks)",
			  A_DIM, COL_NONE);
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
	size_t *done = list_done(inc);
	for (size_t pos = first; pos < inc->n_runbooks && y < rows; pos++, y++) {
		size_t i = list_index(inc, done, suggested, pos);
		const struct runbook *rb = &inc->runbooks[i];
		bool sel = ui->focus == PANE_RUNBOOK && pos == ui->rb_sel;
		char name[64];
		draw_textf(w, y, 1, cols - 2, sel ? A_REVERSE : A_NORMAL, COL_NONE, "%s%-22s %3zu/%-3zu %s",
			   (int)i == suggested ? "*" : " ", fit_name(rb->name, 22, name, sizeof name),
			   done[i], rb->n_steps, rb->title);
	}
	free(done);
	free(why);
}

static bool selectable(const struct runbook_block *b)
{
	return (b->kind == RUNBOOK_ITEM && b->step >= 0) || b->kind == RUNBOOK_CODE;
}

/* Any of the block's rows on screen. */
static bool block_shown(const struct ui *ui, const struct runbook_layout *l, size_t i)
{
	return i < l->n_blocks && l->first[i] <= l->last[i] && l->first[i] < ui->rb_scroll + (size_t)ui->rb_rows &&
	       l->last[i] >= ui->rb_scroll;
}

/* Tabs as spaces (to the next multiple of 8), so a code line is as
 * wide on screen as it is counted. */
static char *untab(const char *text, size_t len)
{
	size_t tabs = 0;
	for (size_t i = 0; i < len; i++)
		tabs += text[i] == '\t';
	char *out = xmalloc(len + tabs * 8 + 1);
	size_t o = 0, col = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\t') {
			do
				out[o++] = ' ';
			while (++col % 8);
			continue;
		}
		out[o++] = text[i];
		col += ((unsigned char)text[i] & 0xc0) != 0x80;
	}
	out[o] = '\0';
	return out;
}

static void draw_row(struct ui *ui, WINDOW *w, int y, int cols, const struct runbook_layout *l, const struct row *r)
{
	const struct runbook *rb = l->rb;
	const struct runbook_block *b = &rb->blocks[r->block];
	bool sel = ui->focus == PANE_RUNBOOK && r->block == ui->rb_block && selectable(b);
	int right = cols - 1, room = right - r->x;
	char *text = r->text ? untab(r->text, r->len) : NULL;
	int used = 0; /* by the text: the wrap mark follows it */
	switch (r->kind) {
	case ROW_BLANK:
		break;
	case ROW_HEADING:
		used = draw_text(w, y, r->x, room, text, A_BOLD | (b->level <= 2 ? A_UNDERLINE : 0), COL_NONE);
		break;
	case ROW_TEXT:
		used = draw_text(w, y, r->x, room, text, A_NORMAL, COL_NONE);
		break;
	case ROW_QUOTE:
		draw_text(w, y, r->x - 2, 2, ui->ascii ? "|" : "\u2502", A_DIM, COL_NONE);
		used = draw_text(w, y, r->x, room, text, A_DIM, COL_NONE);
		break;
	case ROW_ITEM: {
		const struct step_tick *t =
			b->step >= 0 ? incident_tick_of(ui->inc, rb->name, rb->steps[b->step].id) : NULL;
		attr_t attr = (sel ? A_REVERSE : A_NORMAL) | (t ? A_DIM : 0);
		if (r->first) {
			int ix = 2 + b->depth * 2;
			char num[24] = "";
			if (b->number)
				snprintf(num, sizeof num, "%d. ", b->number);
			if (b->step >= 0)
				draw_textf(w, y, ix, r->x - ix, sel ? A_REVERSE : A_NORMAL, COL_NONE, "[%s] %s",
					   t ? "x" : " ", num);
			else
				draw_textf(w, y, ix, r->x - ix, A_NORMAL, COL_NONE, "%s", *num ? num : "- ");
		}
		used = text ? draw_text(w, y, r->x, room, text, attr, COL_NONE) : 0;
		if (t && r->who) {
			char at[16], who[96];
			timefmt_hms(t->at_ms, at, sizeof at);
			snprintf(who, sizeof who, "  %s %s", t->by, at);
			draw_text(w, y, r->x + used, room - used, who, ui_color(ui, COL_GREEN), COL_GREEN);
		}
		break;
	}
	case ROW_TABLE:
	case ROW_TABLE_RULE: {
		const int *widths = l->widths[r->block];
		const struct runbook_row *tr = r->kind == ROW_TABLE ? &b->rows[r->table_row] : NULL;
		int x = r->x;
		for (size_t c = 0; widths && widths[c] >= 0; c++) {
			if (c > 0) {
				const char *sep = tr ? (ui->ascii ? " | " : " \u2502 ") : (ui->ascii ? "-+-" : "\u2500\u253c\u2500");
				if (x + 3 > right) {
					/* columns left that do not fit: say so */
					draw_text(w, y, right - 1, 1, ui->ascii ? "~" : "\u2026", A_DIM, COL_NONE);
					break;
				}
				draw_text(w, y, x, 3, sep, A_DIM, COL_NONE);
				x += 3;
			}
			int cw = widths[c] < right - x ? widths[c] : right - x;
			if (tr && c < tr->n_cells)
				draw_text(w, y, x, cw, tr->cells[c], r->table_row == 0 ? A_BOLD : A_NORMAL, COL_NONE);
			else if (!tr)
				for (int k = 0; k < cw; k++)
					draw_text(w, y, x + k, 1, ui->ascii ? "-" : "\u2500", A_DIM, COL_NONE);
			x += cw;
		}
		break;
	}
	case ROW_CODE_HEAD: {
		const char *info = *b->code.info ? b->code.info : "code";
		if (sel)
			draw_textf(w, y, r->x, room, A_REVERSE, COL_NONE, "``` %s  (c copies, Enter shows whole)", info);
		else
			draw_textf(w, y, r->x, room, A_DIM, COL_NONE, "``` %s", info);
		break;
	}
	case ROW_CODE:
		draw_text(w, y, r->x, room, text, ui_color(ui, COL_ACCENT), COL_ACCENT);
		break;
	case ROW_CODE_END:
		draw_text(w, y, r->x, room, "```", sel ? A_REVERSE : A_DIM, COL_NONE);
		break;
	case ROW_RULE:
		for (int k = 0; k < room && k < 40; k++)
			draw_text(w, y, r->x + k, 1, ui->ascii ? "-" : "\u2500", A_DIM, COL_NONE);
		break;
	}
	if (r->more)
		draw_text(w, y, r->x + used < right - 1 ? r->x + used : right - 1, 1, wrap_mark(ui), A_DIM, COL_NONE);
	free(text);
}

/* The selection: a step's item or a code block, kept in view while
 * following it; else (after PgDn) the first one shown. */
static void settle_selection(struct ui *ui, const struct runbook_layout *l)
{
	const struct runbook *rb = l->rb;
	size_t vis = (size_t)ui->rb_rows;
	size_t max = l->n > vis ? l->n - vis : 0;
	bool valid = ui->rb_block < rb->n_blocks && selectable(&rb->blocks[ui->rb_block]);
	if (valid && ui->rb_follow) {
		size_t f = l->first[ui->rb_block], e = l->last[ui->rb_block];
		/* the heading above a step's section comes with it */
		if (f > 0 && l->rows[f - 1].kind == ROW_HEADING)
			f--;
		if (e >= ui->rb_scroll + vis)
			ui->rb_scroll = e + 1 - vis;
		if (f < ui->rb_scroll || e - f + 1 > vis)
			ui->rb_scroll = f;
	}
	if (ui->rb_scroll > max)
		ui->rb_scroll = max;
	if (!valid || (!ui->rb_follow && !block_shown(ui, l, ui->rb_block))) {
		for (size_t i = 0; i < rb->n_blocks; i++)
			if (selectable(&rb->blocks[i]) && (block_shown(ui, l, i) || !valid)) {
				ui->rb_block = i;
				valid = true;
				if (block_shown(ui, l, i))
					break;
			}
	}
	ui->rb_step = valid ? (size_t)rb->blocks[ui->rb_block].step : rb->n_steps;
	if (ui->rb_step > rb->n_steps)
		ui->rb_step = rb->n_steps; /* code outside any step */
}

static void draw_open(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const struct incident *inc = ui->inc;
	const struct runbook *rb = &inc->runbooks[ui->rb_index];
	const struct runbook_layout *l = runbook_layout(&ui->rb_layout, inc, rb, cols);
	size_t done = l->done;
	char title[300], name[200], count[48];
	const char *hint = "Spc tick  Enter  Esc";
	/* The name gives way to the count, the bar and the keys: it is cut
	 * in its middle, never drawn over them. */
	int len = snprintf(count, sizeof count, "  %zu/%zu", done, rb->n_steps);
	bool bar = cols > 60;
	int end = bar ? cols - 45 : cols - (int)strlen(hint) - 2;
	int name_room = end - 1 - (int)strlen("RUNBOOK ") - len;
	if (!bar && name_room < 8) {
		hint = NULL; /* the count matters more than the keys */
		end = cols - 1;
		name_room = end - 1 - (int)strlen("RUNBOOK ") - len;
	}
	if (name_room >= 3)
		snprintf(title, sizeof title, "RUNBOOK %s%s", fit_name(rb->name, name_room, name, sizeof name), count);
	else
		snprintf(title, sizeof title, "RUNBOOK%s", count);
	draw_title(ui, w, cols, title, ui->focus == PANE_RUNBOOK, hint, true);
	if (bar)
		draw_bar(ui, w, 0, cols - 44, 20, rb->n_steps ? (int)(done * 100 / rb->n_steps) : 0, COL_GREEN);
	ui->rb_rows = rows - 1;
	if (ui->rb_rows < 1)
		return;
	settle_selection(ui, l);
	if (l->n == 0) {
		draw_text(w, 1, 1, cols - 2, "an empty runbook: nothing to show", A_DIM, COL_NONE);
		return;
	}
	for (int y = 1; y < rows && ui->rb_scroll + (size_t)(y - 1) < l->n; y++)
		draw_row(ui, w, y, cols, l, &l->rows[ui->rb_scroll + (size_t)(y - 1)]);
	/* More above or below: the last column says so. */
	if (ui->rb_scroll > 0)
		draw_text(w, 1, cols - 1, 1, ui->ascii ? "^" : "\u2191", A_BOLD, COL_NONE);
	if (ui->rb_scroll + (size_t)ui->rb_rows < l->n)
		draw_text(w, rows - 1, cols - 1, 1, ui->ascii ? "v" : "\u2193", A_BOLD, COL_NONE);
}

/* The layout as last drawn, if it is the open runbook's. */
static const struct runbook_layout *drawn(const struct ui *ui, const struct runbook *rb)
{
	const struct runbook_layout *l = ui->rb_layout;
	return l && l->rb == rb && l->n_blocks == rb->n_blocks ? l : NULL;
}

static bool cells_have(const struct runbook_row *row, const char *needle)
{
	for (size_t c = 0; c < row->n_cells; c++)
		if (strcasestr(row->cells[c], needle))
			return true;
	return false;
}

/* The row of block at where needle shows: the last of its rows that
 * starts at or before the place in the text (or code), a table's row
 * with a cell holding it; else the block's first row. */
static size_t find_row(const struct runbook_layout *l, const struct runbook_block *b, size_t at, const char *needle)
{
	const char *base = strcasestr(b->text, needle) ? b->text : b->code.text;
	const char *hit = base ? strcasestr(base, needle) : NULL;
	uintptr_t from = (uintptr_t)base, to = from + (base ? strlen(base) : 0);
	size_t found = l->first[at];
	for (size_t r = l->first[at]; r <= l->last[at]; r++) {
		const struct row *row = &l->rows[r];
		uintptr_t p = (uintptr_t)row->text;
		if (b->kind == RUNBOOK_TABLE && row->kind == ROW_TABLE && cells_have(&b->rows[row->table_row], needle))
			return r;
		if (hit && row->text && p >= from && p <= to && p <= (uintptr_t)hit)
			found = r;
	}
	return found;
}

/* From the place last found while it is on screen, else from the top of
 * the screen; the place is scrolled to the top and selected when it is
 * a step or a code block. */
void runbook_find_next(struct ui *ui)
{
	const struct incident *inc = ui->inc;
	if (!ui->rb_open || ui->rb_index >= inc->n_runbooks || !*ui->rb_find)
		return;
	const struct runbook *rb = &inc->runbooks[ui->rb_index];
	const struct runbook_layout *l = drawn(ui, rb);
	long from = -1;
	if (l && ui->rb_found >= 0 && block_shown(ui, l, (size_t)ui->rb_found))
		from = ui->rb_found;
	for (size_t i = 0; l && from < 0 && i < rb->n_blocks; i++)
		if (l->first[i] <= l->last[i] && l->first[i] >= ui->rb_scroll)
			from = (long)i - 1;
	long at = runbook_find(rb, ui->rb_find, from, 1);
	if (at < 0) {
		ui->rb_found = -1;
		ui_say(ui, true, "\"%s\" is nowhere in %s", ui->rb_find, rb->name);
		return;
	}
	bool again = from >= 0 && at <= from;
	ui->rb_found = at;
	const struct runbook_block *b = &rb->blocks[at];
	if (selectable(b))
		ui->rb_block = (size_t)at;
	if (l && l->first[at] <= l->last[at]) {
		size_t r = find_row(l, b, (size_t)at, ui->rb_find);
		ui->rb_scroll = r > l->first[at] ? r - 1 : r; /* a row above it as context */
	}
	ui->rb_follow = false;
	ui_say(ui, false, "\"%s\" at line %d%s; / Enter: the next", ui->rb_find, b->line,
	       again ? " (from the top again)" : "");
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
			size_t *done = list_done(inc);
			ui->rb_index = list_index(inc, done, suggested, ui->rb_sel % inc->n_runbooks);
			free(done);
			ui->rb_open = true;
			ui->rb_step = 0;
			/* The first step, as the checklist always opened at;
			 * what comes before it is a PgUp away. */
			const struct runbook *rb = &inc->runbooks[ui->rb_index];
			ui->rb_block = (size_t)-1;
			for (size_t i = 0; i < rb->n_blocks && ui->rb_block == (size_t)-1; i++)
				if (rb->blocks[i].kind == RUNBOOK_ITEM && rb->blocks[i].step >= 0)
					ui->rb_block = i;
			ui->rb_scroll = 0;
			ui->rb_follow = true;
			ui->rb_found = -1;
			return UI_HANDLED | UI_REDRAW;
		}
		return keys_move(&ui->rb_sel, inc->n_runbooks, key);
	}
	const struct runbook *rb = &inc->runbooks[ui->rb_index];
	if (key == 27) {
		ui->rb_open = false;
		return UI_HANDLED | UI_REDRAW;
	}
	if (key == '/') {
		dialog_text_open(ui, TEXT_FIND);
		return UI_HANDLED | UI_REDRAW;
	}
	/* as last drawn: what is on screen */
	const struct runbook_layout *l = drawn(ui, rb);
	size_t page = ui->rb_rows > 2 ? (size_t)ui->rb_rows - 1 : 1;
	if (key == KEY_NPAGE || key == KEY_PPAGE) {
		ui->rb_follow = false;
		if (key == KEY_NPAGE)
			ui->rb_scroll += page;
		else
			ui->rb_scroll = ui->rb_scroll > page ? ui->rb_scroll - page : 0;
		return UI_HANDLED | UI_REDRAW;
	}
	bool any = false;
	for (size_t i = 0; i < rb->n_blocks && !any; i++)
		any = selectable(&rb->blocks[i]);
	if (key == 'j' || key == KEY_DOWN || key == 'k' || key == KEY_UP) {
		bool down = key == 'j' || key == KEY_DOWN;
		if (!any) { /* prose alone: the keys scroll it */
			if (down)
				ui->rb_scroll++;
			else if (ui->rb_scroll > 0)
				ui->rb_scroll--;
			return UI_HANDLED | UI_REDRAW;
		}
		size_t n = rb->n_blocks, at = ui->rb_block < n ? ui->rb_block : 0;
		if (l && !block_shown(ui, l, at)) {
			/* from what is on screen, not from a selection left behind */
			at = down ? n - 1 : 0;
			for (size_t i = 0; i < n; i++)
				if (l->first[i] >= ui->rb_scroll) {
					at = down ? (i + n - 1) % n : i;
					break;
				}
		}
		for (size_t k = 1; k <= n; k++) {
			size_t i = down ? (at + k) % n : (at + n - k) % n;
			if (selectable(&rb->blocks[i])) {
				ui->rb_block = i;
				break;
			}
		}
		ui->rb_follow = true;
		return UI_HANDLED | UI_REDRAW;
	}
	const struct runbook_block *b = ui->rb_block < rb->n_blocks ? &rb->blocks[ui->rb_block] : NULL;
	if (b && !selectable(b))
		b = NULL;
	/* Never act on a selection scrolled out of sight. */
	if (b && l && !ui->rb_follow && !block_shown(ui, l, ui->rb_block) && (key == 'c' || key == ' ' || key == '\r' || key == '\n' || key == KEY_ENTER)) {
		ui_say(ui, true, "the selection is not on screen: j/k select a step or code block");
		return UI_HANDLED | UI_REDRAW;
	}
	if (key == 'c') {
		const struct runbook_block *code = b && b->kind == RUNBOOK_CODE ? b : NULL;
		/* a step with code: its first block, as the step dialog's c */
		for (size_t i = ui->rb_block + 1; !code && b && i < rb->n_blocks && rb->blocks[i].item >= 0; i++)
			if (rb->blocks[i].kind == RUNBOOK_CODE && rb->blocks[i].item == (long)ui->rb_block)
				code = &rb->blocks[i];
		if (!code) {
			ui_say(ui, true, "no code block selected: j/k select one");
			return UI_HANDLED | UI_REDRAW;
		}
		copy_osc52(code->code.text);
		ui_say(ui, false, "code (line %d) copied with OSC 52 where the terminal allows it", code->line);
		return UI_HANDLED | UI_REDRAW;
	}
	if (key == '\r' || key == '\n' || key == KEY_ENTER) {
		if (!b)
			return UI_HANDLED;
		ui->step_scroll = 0;
		ui->dialog = &dialog_step;
		return UI_HANDLED | UI_REDRAW;
	}
	if (key == ' ') {
		if (!b || b->step < 0) {
			ui_say(ui, true, "no step selected: Space ticks the selected step");
			return UI_HANDLED | UI_REDRAW;
		}
		const struct runbook_step *s = &rb->steps[b->step];
		ui->rb_step = (size_t)b->step;
		if (incident_tick_of(inc, rb->name, s->id)) {
			dialog_change_open(ui, CHANGE_UNTICK);
			return UI_HANDLED | UI_REDRAW;
		}
		struct error err;
		if (incident_tick(inc, rb->name, s->id, true, NULL, &inc->actor, &err) != 0) {
			ui_say(ui, true, "%s", err.msg);
			return UI_HANDLED | UI_REDRAW;
		}
		/* on to the next step, as on paper */
		for (size_t i = ui->rb_block + 1; i < rb->n_blocks; i++)
			if (rb->blocks[i].kind == RUNBOOK_ITEM && rb->blocks[i].step >= 0) {
				ui->rb_block = i;
				ui->rb_follow = true;
				break;
			}
		return UI_HANDLED | UI_REDRAW;
	}
	return 0;
}

const struct pane_class pane_runbook = {
	.name = "runbook",
	.draw = runbook_draw,
	.key = runbook_key,
	.min_rows = 2,
};
