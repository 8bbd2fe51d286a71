/* The open runbook's rows for the RUNBOOK pane, kept between frames
 * (see runbook_layout.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "runbook_layout.h"
#include "ui.h"
#include "xalloc.h"

static struct row *row_add(struct runbook_layout *l, enum row_kind kind, size_t block, int x)
{
	xgrow(&l->rows, &l->cap, l->n + 1, sizeof *l->rows);
	struct row *r = &l->rows[l->n++];
	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->block = block;
	r->x = x;
	return r;
}

/* Rows for text wrapped at spaces into [x, right), each wrapped one
 * marked. */
static void rows_wrapped(struct runbook_layout *l, enum row_kind kind, size_t block, int x, int right,
			 const char *text)
{
	int width = right - x;
	if (width < 2)
		width = 2;
	const char *p = text;
	do {
		bool more;
		size_t take = wrap_row(p, width, &more);
		struct row *r = row_add(l, kind, block, x);
		r->text = p;
		r->len = take;
		r->more = more;
		p += take;
		if (!more && *p == '\n')
			p++;
	} while (*p);
}

/* Where a block's content starts: under the text of the items it is in. */
static int content_x(int depth)
{
	return depth ? 4 + 2 * depth : 1;
}

static int text_width(const char *s, size_t len)
{
	char *t = xasprintf("%.*s", (int)len, s);
	wchar_t wide[1024];
	size_t n = mbstowcs(wide, t, sizeof wide / sizeof wide[0] - 1);
	free(t);
	if (n == (size_t)-1)
		return (int)len;
	wide[n] = L'\0';
	int w = wcswidth(wide, n);
	return w < 0 ? (int)n : w;
}

/* A table's columns: as wide as their widest cell, the widest given up
 * first until the table fits; cells cut then end in the cut mark. */
static int *table_widths(const struct runbook_block *b, int room)
{
	size_t n = 0;
	for (size_t r = 0; r < b->n_rows; r++)
		if (b->rows[r].n_cells > n)
			n = b->rows[r].n_cells;
	int *w = xcalloc(n + 1, sizeof *w);
	w[n] = -1; /* the end */
	for (size_t r = 0; r < b->n_rows; r++)
		for (size_t c = 0; c < b->rows[r].n_cells; c++) {
			int cw = text_width(b->rows[r].cells[c], strlen(b->rows[r].cells[c]));
			if (cw > w[c])
				w[c] = cw;
		}
	for (;;) {
		int total = n ? 3 * (int)(n - 1) : 0;
		size_t widest = 0;
		for (size_t c = 0; c < n; c++) {
			total += w[c];
			if (w[c] > w[widest])
				widest = c;
		}
		if (total <= room || n == 0 || w[widest] <= 3)
			break;
		w[widest]--;
	}
	return w;
}

/* "[ ] 3. " before a step, "- " or "3. " before any other item; who
 * ticked a step follows its text, or has a row of its own. */
static void layout_item(struct runbook_layout *l, const struct incident *inc, size_t i, int right)
{
	const struct runbook_block *b = &l->rb->blocks[i];
	int ix = 2 + b->depth * 2;
	char num[24] = "";
	if (b->number)
		snprintf(num, sizeof num, "%d. ", b->number);
	int prefix = (b->step >= 0 ? 4 : b->number ? 0 : 2) + (int)strlen(num);
	size_t from = l->n;
	rows_wrapped(l, ROW_ITEM, i, ix + prefix, right, b->text);
	l->rows[from].first = true;
	const struct step_tick *t = b->step >= 0 ? incident_tick_of(inc, l->rb->name, l->rb->steps[b->step].id) : NULL;
	if (!t)
		return;
	struct row *last = &l->rows[l->n - 1];
	int after = last->x + text_width(last->text, last->len);
	if (last->more || after + 2 + (int)strlen(t->by) + 9 > right)
		last = row_add(l, ROW_ITEM, i, ix + prefix);
	last->who = true;
}

static void layout_table(struct runbook_layout *l, size_t i, int x, int right)
{
	const struct runbook_block *b = &l->rb->blocks[i];
	l->widths[i] = table_widths(b, right - x);
	for (size_t r = 0; r < b->n_rows; r++) {
		row_add(l, ROW_TABLE, i, x)->table_row = r;
		if (r == 0 && b->n_rows > 1)
			row_add(l, ROW_TABLE_RULE, i, x);
	}
}

/* Each line whole or cut with the mark, never wrapped: a wrapped
 * command reads as two. */
static void layout_code(struct runbook_layout *l, size_t i, int x)
{
	row_add(l, ROW_CODE_HEAD, i, x);
	for (const char *p = l->rb->blocks[i].code.text; *p;) {
		size_t len = strcspn(p, "\n");
		struct row *r = row_add(l, ROW_CODE, i, x + 2);
		r->text = p;
		r->len = len;
		p += len + (p[len] == '\n');
	}
	row_add(l, ROW_CODE_END, i, x);
}

static void layout_block(struct runbook_layout *l, const struct incident *inc, size_t i, int right)
{
	const struct runbook_block *b = &l->rb->blocks[i];
	int x = content_x(b->depth);
	switch (b->kind) {
	case RUNBOOK_HEADING:
		rows_wrapped(l, ROW_HEADING, i, 1, right, b->text);
		break;
	case RUNBOOK_PARAGRAPH:
		rows_wrapped(l, ROW_TEXT, i, x, right, b->text);
		break;
	case RUNBOOK_QUOTE:
		rows_wrapped(l, ROW_QUOTE, i, x + 2, right, b->text);
		break;
	case RUNBOOK_ITEM:
		layout_item(l, inc, i, right);
		break;
	case RUNBOOK_TABLE:
		layout_table(l, i, x, right);
		break;
	case RUNBOOK_CODE:
		layout_code(l, i, x);
		break;
	case RUNBOOK_RULE:
		row_add(l, ROW_RULE, i, x);
		break;
	}
}

static void layout_clear(struct runbook_layout *l)
{
	for (size_t i = 0; i < l->n_blocks; i++)
		free(l->widths[i]);
	free(l->ticks);
	l->ticks = NULL;
	l->n = 0;
	l->n_blocks = 0;
}

static void layout_build(struct runbook_layout *l, const struct incident *inc, const struct runbook *rb, int cols)
{
	layout_clear(l);
	l->rb = rb;
	l->cols = cols;
	if (rb->n_blocks > l->cap_blocks) {
		l->first = xrealloc(l->first, rb->n_blocks * sizeof *l->first);
		l->last = xrealloc(l->last, rb->n_blocks * sizeof *l->last);
		l->widths = xrealloc(l->widths, rb->n_blocks * sizeof *l->widths);
		l->cap_blocks = rb->n_blocks;
	}
	l->n_blocks = rb->n_blocks;
	l->done = incident_runbook_done(inc, rb);
	for (size_t i = 0; i < rb->n_blocks; i++) {
		l->widths[i] = NULL;
		if (rb->blocks[i].kind == RUNBOOK_HEADING && l->n)
			row_add(l, ROW_BLANK, i, 1);
		l->first[i] = l->n;
		layout_block(l, inc, i, cols - 1);
		l->last[i] = l->n ? l->n - 1 : 0;
		if (l->first[i] >= l->n) /* no rows */
			l->last[i] = l->first[i] - 1;
	}
}

static int tick_order(const void *a, const void *b)
{
	const struct step_tick *x = *(const struct step_tick *const *)a, *y = *(const struct step_tick *const *)b;
	return strcmp(x->step, y->step);
}

/* Who ticked which of rb's steps, as one string: all of the ticks the
 * layout depends on (the journal's order aside), and cheap to compare
 * every frame. */
static char *ticks_key(const struct incident *inc, const struct runbook *rb)
{
	const struct step_tick **mine = xcalloc(inc->n_ticks + 1, sizeof *mine);
	size_t n = 0, len = 1;
	for (size_t i = 0; i < inc->n_ticks; i++)
		if (strcmp(inc->ticks[i].runbook, rb->name) == 0) {
			mine[n++] = &inc->ticks[i];
			len += strlen(inc->ticks[i].step) + strlen(inc->ticks[i].by) + 2 * 24;
		}
	qsort(mine, n, sizeof *mine, tick_order);
	char *key = xmalloc(len), *at = key;
	for (size_t i = 0; i < n; i++)
		at += sprintf(at, "%zu:%s%zu:%s", strlen(mine[i]->step), mine[i]->step, strlen(mine[i]->by), mine[i]->by);
	*at = '\0';
	free(mine);
	return key;
}

const struct runbook_layout *runbook_layout(struct runbook_layout **cache, const struct incident *inc,
					    const struct runbook *rb, int cols)
{
	if (!*cache)
		*cache = xcalloc(1, sizeof **cache);
	struct runbook_layout *l = *cache;
	char *ticks = ticks_key(inc, rb);
	if (l->rb == rb && l->n_blocks == rb->n_blocks && l->cols == cols && l->ticks && strcmp(l->ticks, ticks) == 0) {
		free(ticks);
		return l;
	}
	layout_build(l, inc, rb, cols);
	l->ticks = ticks;
	return l;
}

void runbook_layout_free(struct runbook_layout *l)
{
	if (!l)
		return;
	layout_clear(l);
	free(l->rows);
	free(l->first);
	free(l->last);
	free(l->widths);
	free(l);
}
