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

/* This runbook's ticks, sorted by step, to look each step item up in:
 * a 4 MiB runbook has 20,000 of them. */
struct tick_index {
	const struct step_tick **v;
	size_t n;
};

static int tick_order(const void *a, const void *b)
{
	const struct step_tick *x = *(const struct step_tick *const *)a, *y = *(const struct step_tick *const *)b;
	return strcmp(x->step, y->step);
}

static struct tick_index ticks_of(const struct incident *inc, const struct runbook *rb)
{
	struct tick_index t = { xcalloc(inc->n_ticks + 1, sizeof *t.v), 0 };
	for (size_t i = 0; i < inc->n_ticks; i++)
		if (strcmp(inc->ticks[i].runbook, rb->name) == 0)
			t.v[t.n++] = &inc->ticks[i];
	qsort(t.v, t.n, sizeof *t.v, tick_order);
	return t;
}

static const struct step_tick *tick_find(const struct tick_index *t, const char *step)
{
	struct step_tick key = { .step = (char *)step };
	const struct step_tick *k = &key, **found = bsearch(&k, t->v, t->n, sizeof *t->v, tick_order);
	return found ? *found : NULL;
}

/* Who ticked which step, as one string: all of the ticks the layout
 * depends on (the journal's order aside), cheap to compare each frame. */
static char *ticks_key(const struct tick_index *t)
{
	size_t len = 1;
	for (size_t i = 0; i < t->n; i++)
		len += strlen(t->v[i]->step) + strlen(t->v[i]->by) + 2 * 24;
	char *key = xmalloc(len), *at = key;
	*at = '\0';
	for (size_t i = 0; i < t->n; i++)
		at += sprintf(at, "%zu:%s%zu:%s", strlen(t->v[i]->step), t->v[i]->step, strlen(t->v[i]->by), t->v[i]->by);
	return key;
}

/* Who ticked step item i (its rows the last laid out): after the text
 * of its last row, or on a row of its own when that one goes on or has
 * no room. */
static void item_who(struct runbook_layout *l, const struct tick_index *ticks, size_t i, int right)
{
	const struct runbook_block *b = &l->rb->blocks[i];
	const struct step_tick *t = b->step >= 0 ? tick_find(ticks, l->rb->steps[b->step].id) : NULL;
	if (!t)
		return;
	struct row *last = &l->rows[l->n - 1];
	int after = last->x + text_width(last->text, last->len);
	if (last->more || after + 2 + (int)strlen(t->by) + 9 > right)
		last = row_add(l, ROW_ITEM, i, last->x);
	last->who = true;
}

/* "[ ] 3. " before a step, "- " or "3. " before any other item. */
static void layout_item(struct runbook_layout *l, const struct tick_index *ticks, size_t i, int right)
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
	item_who(l, ticks, i, right);
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

static void layout_block(struct runbook_layout *l, const struct tick_index *ticks, size_t i, int right)
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
		layout_item(l, ticks, i, right);
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

static void layout_build(struct runbook_layout *l, const struct tick_index *ticks, const struct runbook *rb,
			 int cols)
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
	for (size_t i = 0; i < rb->n_blocks; i++) {
		l->widths[i] = NULL;
		if (rb->blocks[i].kind == RUNBOOK_HEADING && l->n)
			row_add(l, ROW_BLANK, i, 1);
		l->first[i] = l->n;
		layout_block(l, ticks, i, cols - 1);
		l->last[i] = l->n - 1; /* first - 1 when it has no rows */
	}
}

/* Only who ticked what changed: the rows again from the old ones, none
 * wrapped again (wrapping is what takes the time), each step's who
 * dropped and put back as its tick now says. */
static void layout_retick(struct runbook_layout *l, const struct tick_index *ticks)
{
	struct row *old = l->rows;
	size_t k = 0;
	l->rows = NULL;
	l->cap = 0;
	/* a step has one item: a row of its own for each tick at most */
	xgrow(&l->rows, &l->cap, l->n + ticks->n + 1, sizeof *l->rows);
	l->n = 0;
	for (size_t i = 0; i < l->n_blocks; i++) {
		size_t f = l->first[i], e = l->last[i];
		bool none = e + 1 == f;
		for (; k < f; k++) /* the blank row above a heading */
			l->rows[l->n++] = old[k];
		l->first[i] = l->n;
		for (; !none && k <= e; k++) {
			if (old[k].who && !old[k].text)
				continue; /* who, on a row of its own */
			old[k].who = false;
			l->rows[l->n++] = old[k];
		}
		if (l->rb->blocks[i].kind == RUNBOOK_ITEM && !none)
			item_who(l, ticks, i, l->cols - 1);
		l->last[i] = l->n - 1;
	}
	free(old);
}

const struct runbook_layout *runbook_layout(struct runbook_layout **cache, const struct incident *inc,
					    const struct runbook *rb, int cols)
{
	if (!*cache)
		*cache = xcalloc(1, sizeof **cache);
	struct runbook_layout *l = *cache;
	struct tick_index ticks = ticks_of(inc, rb);
	char *key = ticks_key(&ticks);
	bool same = l->rb == rb && l->n_blocks == rb->n_blocks && l->cols == cols && l->ticks;
	if (same && strcmp(l->ticks, key) == 0) {
		free(key);
	} else {
		if (same)
			layout_retick(l, &ticks);
		else
			layout_build(l, &ticks, rb, cols);
		free(l->ticks);
		l->ticks = key;
		l->done = incident_runbook_done(inc, rb);
	}
	free(ticks.v);
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
