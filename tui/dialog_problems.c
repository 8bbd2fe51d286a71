/* What loading the runbooks found (`!`): each refusal, each warning and
 * what a cap left out, as `cmdr runbook lint` says it, one after
 * another as FILE:LINE, severity and message, in a dialog as large
 * as the screen. A long path shortens in its middle; a long message
 * wraps, each wrapped row marked. j/k and PgUp/PgDn scroll a list that
 * does not fit; any other key closes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "ui.h"

#define SEVERITY_W 8 /* "left out" */

static struct {
	size_t n; /* rows, as last drawn */
	int vis;
} shown;

void dialog_problems_open(struct ui *ui)
{
	ui->problems_scroll = 0;
	ui->dialog = &dialog_problems;
}

/* The count's parts: "2 refused", "5 warnings" ("" for none), and what
 * goes between them. */
static const char *count_parts(const struct ui *ui, char *refused, char *warnings, size_t size)
{
	size_t r = ui->inc->runbooks_refused, w = ui->inc->runbook_warnings;
	*refused = *warnings = '\0';
	if (r)
		snprintf(refused, size, "%zu refused", r);
	if (w)
		snprintf(warnings, size, "%zu warning%s", w, w == 1 ? "" : "s");
	return !r || !w ? "" : ui->ascii ? ", " : " \u00b7 ";
}

const char *runbook_problem_count(const struct ui *ui, char *out, size_t size)
{
	char refused[32], warnings[32];
	const char *between = count_parts(ui, refused, warnings, sizeof refused);
	snprintf(out, size, "%s%s%s", refused, between, warnings);
	return out;
}

void draw_problem_count(struct ui *ui, WINDOW *w, int y, int x, attr_t attr)
{
	char refused[32], warnings[32];
	const char *between = count_parts(ui, refused, warnings, sizeof refused);
	x += draw_text(w, y, x, 32, refused, attr | ui_color(ui, COL_RED), COL_RED);
	x += draw_text(w, y, x, 3, between, attr, COL_NONE);
	draw_text(w, y, x, 32, warnings, attr | ui_color(ui, COL_WARN), COL_WARN);
}

static const char *severity_word(enum runbook_load_kind kind, int *color)
{
	*color = kind == RUNBOOK_LOAD_ERROR ? COL_RED : kind == RUNBOOK_LOAD_WARNING ? COL_WARN : COL_NONE;
	return kind == RUNBOOK_LOAD_ERROR ? "error" : kind == RUNBOOK_LOAD_WARNING ? "warning" : "left out";
}

/* FILE:LINE in width columns: the line number whole, the path cut in its
 * middle when it must be. */
static const char *where(const struct runbook_load_problem *p, int width, char *out, size_t size)
{
	char line[24] = "", path[512];
	if (p->line > 0)
		snprintf(line, sizeof line, ":%d", p->line);
	snprintf(out, size, "%s%s", fit_name(p->file, width - (int)strlen(line), path, sizeof path), line);
	return out;
}

/* Where the parts of a problem go: FILE:LINE, the severity and the
 * message in columns; or, where that leaves the message too narrow (80
 * columns), the severity and FILE:LINE with the message on the rows
 * below. */
struct columns {
	int where_x, where_w, severity_x, msg_x, msg_w;
	bool stacked;
};

static struct columns columns_for(const struct incident *inc, int width)
{
	struct columns c = { 0 };
	int longest = 0;
	for (size_t i = 0; i < inc->n_runbook_problems; i++) {
		const struct runbook_load_problem *p = &inc->runbook_problems[i];
		size_t chars = mbstowcs(NULL, p->file, 0);
		int len = (int)(chars == (size_t)-1 ? strlen(p->file) : chars) +
			  (p->line > 0 ? snprintf(NULL, 0, ":%d", p->line) : 0);
		if (len > longest)
			longest = len;
	}
	int cap = width * 2 / 5;
	c.where_x = 2;
	c.where_w = longest < cap ? longest : cap;
	c.severity_x = c.where_x + c.where_w + 2;
	c.msg_x = c.severity_x + SEVERITY_W + 2;
	c.msg_w = 2 + width - c.msg_x;
	if (c.msg_w < 48) {
		/* the severity, FILE:LINE; the message below */
		c.stacked = true;
		c.severity_x = 2;
		c.where_x = 2 + SEVERITY_W + 2;
		c.where_w = width - SEVERITY_W - 2;
		c.msg_x = 6;
		c.msg_w = width - 4;
	}
	return c;
}

/* One problem's rows, from row `at` of the list: those from `from` on
 * that the window holds are drawn (w NULL: rows counted only). Returns
 * the row after them. */
static size_t problem_rows(struct ui *ui, WINDOW *w, const struct runbook_load_problem *p, size_t at, size_t from,
			   const struct columns *c)
{
	char message[1024];
	sanitize_text(p->message, message, sizeof message);
	const char *m = message;
	bool head = true;
	do {
		bool more = false;
		size_t take = head && c->stacked ? 0 : wrap_row(m, c->msg_w > 2 ? c->msg_w : 2, &more);
		int y = 1 + (int)(at - from);
		if (w && at >= from && y <= shown.vis) {
			if (head) {
				char place[600];
				int color;
				const char *word = severity_word(p->kind, &color);
				draw_text(w, y, c->where_x, c->where_w, where(p, c->where_w, place, sizeof place), A_NORMAL,
					  COL_NONE);
				draw_text(w, y, c->severity_x, SEVERITY_W, word, ui_color(ui, color) | A_BOLD, color);
			}
			char row[1024];
			snprintf(row, sizeof row, "%.*s", (int)take, m);
			int used = take ? draw_text(w, y, c->msg_x, c->msg_w - (more ? 1 : 0), row, A_NORMAL, COL_NONE) : 0;
			if (more)
				draw_text(w, y, c->msg_x + used, 1, wrap_mark(ui), A_DIM, COL_NONE);
		}
		at++;
		m += take;
		head = false;
	} while (*m);
	return at;
}

static size_t list_rows(struct ui *ui, WINDOW *w, int width)
{
	const struct incident *inc = ui->inc;
	struct columns c = columns_for(inc, width);
	size_t at = 0;
	for (size_t i = 0; i < inc->n_runbook_problems; i++)
		at = problem_rows(ui, w, &inc->runbook_problems[i], at, ui->problems_scroll, &c);
	return at;
}

static void problems_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	int width = cols - 4; /* from column 2 to the frame, a column clear */
	shown.vis = rows - 2;
	shown.n = list_rows(ui, NULL, width);
	scroll_clamp(&ui->problems_scroll, shown.n, shown.vis);
	char count[64], title[200];
	runbook_problem_count(ui, count, sizeof count);
	int len = snprintf(title, sizeof title, "Runbook problems%s%s", *count ? ": " : "", count);
	size_t last = ui->problems_scroll + (size_t)shown.vis;
	if (shown.n > (size_t)shown.vis) {
		snprintf(title + len, sizeof title - (size_t)len, ", rows %zu-%zu of %zu (j/k PgUp/PgDn, Esc)",
			 ui->problems_scroll + 1, last, shown.n);
		/* draw_box has the width less 6 for it */
		if ((int)mbstowcs(NULL, title, 0) > cols - 6)
			snprintf(title + len, sizeof title - (size_t)len, " %zu-%zu/%zu (j/k PgUp/PgDn)",
				 ui->problems_scroll + 1, last, shown.n);
	} else {
		snprintf(title + len, sizeof title - (size_t)len, " (any key closes)");
	}
	draw_box(ui, w, rows, cols, title);
	if (ui->inc->n_runbook_problems == 0)
		draw_text(w, 1, 2, width, "no problems: loading the runbooks refused nothing and warned of nothing",
			  A_DIM, COL_NONE);
	list_rows(ui, w, width);
}

static int problems_key(struct ui *ui, int key, bool wide)
{
	int flags = scroll_key(&ui->problems_scroll, shown.n, shown.vis, key, wide);
	if (flags)
		return flags;
	ui->dialog = NULL;
	return UI_HANDLED | UI_REDRAW;
}

const struct dialog_class dialog_problems = {
	.name = "problems",
	.draw = problems_draw,
	.key = problems_key,
	.rows = 0, /* the screen's, less a margin */
	.cols = 0,
};
