/* The selection of the open runbook whole, in a dialog as large as the
 * screen: a step's text and its code blocks, or a code block alone.
 * Prose wraps at spaces and code where it must, each wrapped row marked;
 * j/k and PgUp/PgDn scroll; `c` copies the first code block on screen
 * exactly (OSC 52, where the terminal allows it); the code is shown
 * plain for selecting either way. Any other key closes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"
#include "xalloc.h"

struct dlg_row {
	const char *text; /* a slice of the step's text or a code block's */
	size_t len;
	bool more;
	long code;  /* the code block (block index) this row shows, or -1 */
	bool head;  /* the code block's first row: its info string */
	bool prose;
};

static struct {
	struct dlg_row *rows;
	size_t n, cap;
	int vis;
} shown;

static const struct runbook *open_runbook(const struct ui *ui)
{
	return ui->rb_index < ui->inc->n_runbooks ? &ui->inc->runbooks[ui->rb_index] : NULL;
}

static struct dlg_row *dlg_add(long code)
{
	xgrow(&shown.rows, &shown.cap, shown.n + 1, sizeof *shown.rows);
	struct dlg_row *r = &shown.rows[shown.n++];
	memset(r, 0, sizeof *r);
	r->code = code;
	return r;
}

static void dlg_wrap(const char *text, int width, long code, bool prose)
{
	const char *p = text;
	while (*p) {
		bool more;
		size_t take = wrap_row(p, width, &more);
		struct dlg_row *r = dlg_add(code);
		r->text = p;
		r->len = take;
		r->more = more;
		r->prose = prose;
		p += take;
		if (!more && *p == '\n')
			p++;
	}
}

static void add_code(const struct runbook *rb, size_t i, int width)
{
	dlg_add((long)i)->head = true;
	dlg_wrap(rb->blocks[i].code.text, width - 2, (long)i, false); /* code sits 2 columns in */
}

/* The rows: the selected step (its text, then every code block inside
 * it), or the selected code block alone. */
static void dlg_layout(const struct ui *ui, int width)
{
	shown.n = 0;
	const struct runbook *rb = open_runbook(ui);
	if (!rb || ui->rb_block >= rb->n_blocks)
		return;
	const struct runbook_block *b = &rb->blocks[ui->rb_block];
	if (b->kind == RUNBOOK_CODE && b->step < 0) {
		add_code(rb, ui->rb_block, width);
		return;
	}
	long item = b->kind == RUNBOOK_CODE ? b->item : (long)ui->rb_block;
	if (item < 0 || rb->blocks[item].kind != RUNBOOK_ITEM)
		return;
	dlg_wrap(rb->blocks[item].text, width, -1, true);
	for (size_t i = (size_t)item + 1; i < rb->n_blocks; i++)
		if (rb->blocks[i].kind == RUNBOOK_CODE && rb->blocks[i].item == item)
			add_code(rb, i, width);
}

static void step_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	int width = cols - 4; /* from column 2 to the frame, a column clear */
	dlg_layout(ui, width > 2 ? width : 2);
	shown.vis = rows - 2;
	scroll_clamp(&ui->step_scroll, shown.n, shown.vis);
	char title[160];
	const struct runbook *rb = open_runbook(ui);
	const char *what = rb && ui->rb_block < rb->n_blocks && rb->blocks[ui->rb_block].kind == RUNBOOK_CODE &&
				   rb->blocks[ui->rb_block].step < 0
			   ? "Runbook code"
			   : "Runbook step";
	if (shown.n > (size_t)shown.vis)
		snprintf(title, sizeof title, "%s, rows %zu-%zu of %zu (j/k PgUp/PgDn scroll, c copy code, Esc)", what,
			 ui->step_scroll + 1, ui->step_scroll + (size_t)shown.vis, shown.n);
	else
		snprintf(title, sizeof title, "%s (c copy code, any other key closes)", what);
	draw_box(ui, w, rows, cols, title);
	if (!rb)
		return;
	for (int y = 1; y < rows - 1 && ui->step_scroll + (size_t)(y - 1) < shown.n; y++) {
		const struct dlg_row *r = &shown.rows[ui->step_scroll + (size_t)(y - 1)];
		if (r->head) {
			const char *info = rb->blocks[r->code].code.info;
			draw_textf(w, y, 2, width, A_DIM, COL_NONE, "``` %s", *info ? info : "code");
			continue;
		}
		char *line = xasprintf("%.*s", (int)r->len, r->text);
		for (char *c = line; *c; c++)
			if (*c == '\t')
				*c = ' ';
		int x = r->prose ? 2 : 4, room = width - (x - 2) - (r->more ? 1 : 0);
		if (room < 1)
			room = 1;
		int used = draw_text(w, y, x, room, line, r->prose ? A_BOLD : ui_color(ui, COL_ACCENT),
				     r->prose ? COL_NONE : COL_ACCENT);
		free(line);
		if (r->more)
			draw_text(w, y, x + used < 2 + width - 1 ? x + used : 2 + width - 1, 1, wrap_mark(ui), A_DIM,
				  COL_NONE);
	}
}

static int step_key(struct ui *ui, int key, bool wide)
{
	int flags = scroll_key(&ui->step_scroll, shown.n, shown.vis, key, wide);
	if (flags)
		return flags;
	const struct runbook *rb = open_runbook(ui);
	if (wide && key == 'c' && rb) {
		/* the first code block on screen, else the one the screen is in */
		long code = -1;
		for (size_t i = ui->step_scroll; i < shown.n && i < ui->step_scroll + (size_t)shown.vis && code < 0; i++)
			if (shown.rows[i].head)
				code = shown.rows[i].code;
		for (size_t i = ui->step_scroll + 1; code < 0 && i-- > 0;)
			if (i < shown.n && shown.rows[i].code >= 0)
				code = shown.rows[i].code;
		if (code < 0) {
			ui_say(ui, true, "no code block in this step");
			return UI_HANDLED | UI_REDRAW;
		}
		copy_osc52(rb->blocks[code].code.text);
		ui_say(ui, false, "code (line %d) copied with OSC 52 where the terminal allows it; it is also shown to select",
		       rb->blocks[code].line);
		return UI_HANDLED | UI_REDRAW;
	}
	ui->dialog = NULL;
	return UI_HANDLED | UI_REDRAW;
}

const struct dialog_class dialog_step = {
	.name = "step",
	.draw = step_draw,
	.key = step_key,
	.rows = 0, /* the screen's, less a margin */
	.cols = 0,
};
