#include "runbook_doc.h"
#include "runbook_impl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "xalloc.h"

void doc_init(struct runbook_doc *d, struct runbook *rb)
{
	memset(d, 0, sizeof *d);
	d->rb = rb;
	d->table_block = -1;
	d->line_block = -1;
}

static struct runbook_block *block_add(struct runbook_doc *d, enum runbook_block_kind kind, int line, int depth)
{
	struct runbook *rb = d->rb;
	xgrow(&rb->blocks, &d->cap_blocks, rb->n_blocks + 1, sizeof *rb->blocks);
	struct runbook_block *b = &rb->blocks[rb->n_blocks++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	b->line = line;
	b->depth = depth;
	b->step = -1;
	b->item = -1;
	b->text = xstrdup("");
	return b;
}

size_t doc_item(struct runbook_doc *d, int depth, int number, int line)
{
	struct runbook_block *b = block_add(d, RUNBOOK_ITEM, line, depth);
	b->number = number;
	return d->rb->n_blocks - 1;
}

void doc_item_done(struct runbook_doc *d, size_t block, const char *text, bool task, bool done, int line)
{
	struct runbook_block *b = &d->rb->blocks[block];
	free(b->text);
	b->text = xstrdup(text);
	b->task = task;
	b->done = done;
	b->line = line;
}

void doc_heading(struct runbook_doc *d, const char *title, int level, int line, int depth)
{
	struct runbook_block *b = block_add(d, RUNBOOK_HEADING, line, depth);
	free(b->text);
	b->text = xstrdup(title);
	b->level = level;
}

void doc_code(struct runbook_doc *d, const struct runbook_code *code, long item, int depth)
{
	struct runbook_block *b = block_add(d, RUNBOOK_CODE, code->line, depth);
	b->item = item;
	b->code.info = xstrdup(code->info);
	b->code.text = xstrdup(code->text);
	b->code.line = code->line;
}

void doc_rule(struct runbook_doc *d, int line, int depth)
{
	block_add(d, RUNBOOK_RULE, line, depth);
}

static void cell_done(struct runbook_doc *d)
{
	d->in_cell = false;
	if (d->table_block < 0 || !d->rb->blocks[d->table_block].n_rows)
		return;
	struct runbook_block *b = &d->rb->blocks[d->table_block];
	struct runbook_row *row = &b->rows[b->n_rows - 1];
	char *cell = xstrdup(d->cell ? d->cell : "");
	runbook_trim(cell);
	row->cells = xrealloc(row->cells, (row->n_cells + 1) * sizeof *row->cells);
	row->cells[row->n_cells++] = cell;
}

static void paragraph_done(struct runbook_doc *d, int depth, int last_line)
{
	d->in_para = false;
	char *text = xstrdup(d->para ? d->para : "");
	runbook_trim(text);
	if (!*text) { /* HTML alone, a comment: nothing to show */
		free(text);
		return;
	}
	struct runbook_block *b = block_add(d, d->quotes ? RUNBOOK_QUOTE : RUNBOOK_PARAGRAPH,
					    d->para_line > 0 ? d->para_line : last_line, depth);
	free(b->text);
	b->text = text;
}

void doc_enter(struct runbook_doc *d, MD_BLOCKTYPE type, int depth)
{
	switch (type) {
	case MD_BLOCK_QUOTE:
		d->quotes++;
		break;
	case MD_BLOCK_TABLE:
		block_add(d, RUNBOOK_TABLE, -1, depth);
		d->table_block = (long)d->rb->n_blocks - 1;
		d->line_block = d->table_block;
		break;
	case MD_BLOCK_TR:
		if (d->table_block >= 0) {
			struct runbook_block *b = &d->rb->blocks[d->table_block];
			b->rows = xrealloc(b->rows, (b->n_rows + 1) * sizeof *b->rows);
			memset(&b->rows[b->n_rows++], 0, sizeof *b->rows);
		}
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		d->in_cell = true;
		d->cell_len = 0;
		if (d->cell)
			d->cell[0] = '\0';
		break;
	default:
		break;
	}
}

void doc_leave(struct runbook_doc *d, MD_BLOCKTYPE type, int depth, int last_line)
{
	switch (type) {
	case MD_BLOCK_QUOTE:
		d->quotes--;
		break;
	case MD_BLOCK_TABLE:
		d->table_block = -1;
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		cell_done(d);
		break;
	case MD_BLOCK_P:
		if (d->in_para)
			paragraph_done(d, depth, last_line);
		break;
	default:
		break;
	}
}

void doc_paragraph(struct runbook_doc *d)
{
	d->in_para = true;
	d->para_line = -1;
	d->para_len = 0;
	if (d->para)
		d->para[0] = '\0';
}

void doc_line(struct runbook_doc *d, int line)
{
	if (d->in_para && d->para_line < 0)
		d->para_line = line;
	if (d->line_block >= 0) {
		d->rb->blocks[d->line_block].line = line;
		d->line_block = -1;
	}
}

bool doc_text(struct runbook_doc *d, const char *text, size_t n)
{
	if (d->in_cell)
		runbook_append(&d->cell, &d->cell_len, &d->cell_cap, text, n);
	else if (d->in_para)
		runbook_append(&d->para, &d->para_len, &d->para_cap, text, n);
	else
		return false;
	return true;
}

void doc_finish(struct runbook_doc *d, int last_line)
{
	struct runbook *rb = d->rb;
	for (size_t i = 0; i < rb->n_blocks; i++) {
		struct runbook_block *b = &rb->blocks[i];
		if (b->kind == RUNBOOK_CODE && b->item >= 0)
			b->step = rb->blocks[b->item].step;
		if (b->line < 1) /* a table of empty cells: its text never came */
			b->line = last_line > 0 ? last_line : 1;
	}
	free(d->para);
	free(d->cell);
	d->para = d->cell = NULL;
}

void doc_free_blocks(struct runbook *rb)
{
	for (size_t i = 0; i < rb->n_blocks; i++) {
		struct runbook_block *b = &rb->blocks[i];
		free(b->text);
		runbook_code_free(&b->code);
		for (size_t k = 0; k < b->n_rows; k++) {
			for (size_t c = 0; c < b->rows[k].n_cells; c++)
				free(b->rows[k].cells[c]);
			free(b->rows[k].cells);
		}
		free(b->rows);
	}
	free(rb->blocks);
}

int doc_rule_line(const char *base, size_t len, const size_t *line_starts, size_t n_lines, int from)
{
	for (size_t l = (size_t)from; l < n_lines; l++) {
		const char *p = base + line_starts[l];
		const char *end = l + 1 < n_lines ? base + line_starts[l + 1] : base + len;
		char mark = 0;
		int n = 0;
		bool other = false;
		for (; p < end && *p != '\n' && *p != '\r'; p++) {
			if (*p == ' ' || *p == '\t' || *p == '>')
				continue;
			if (!mark && strchr("-*_", *p))
				mark = *p;
			if (*p == mark)
				n++;
			else
				other = true;
		}
		if (!other && n >= 3)
			return (int)l + 1;
	}
	return from + 1;
}

static const char *const kind_names[] = {
	[RUNBOOK_HEADING] = "heading", [RUNBOOK_PARAGRAPH] = "paragraph", [RUNBOOK_ITEM] = "item",
	[RUNBOOK_TABLE] = "table",     [RUNBOOK_CODE] = "code",           [RUNBOOK_QUOTE] = "quote",
	[RUNBOOK_RULE] = "rule",
};

static cJSON *rows_json(const struct runbook_block *b)
{
	cJSON *rows = cJSON_CreateArray();
	for (size_t k = 0; k < b->n_rows; k++) {
		cJSON *row = cJSON_CreateArray();
		for (size_t c = 0; c < b->rows[k].n_cells; c++)
			cJSON_AddItemToArray(row, cJSON_CreateString(b->rows[k].cells[c]));
		cJSON_AddItemToArray(rows, row);
	}
	return rows;
}

static cJSON *block_json(const struct runbook_block *b)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", kind_names[b->kind]);
	cJSON_AddNumberToObject(o, "line", b->line);
	cJSON_AddNumberToObject(o, "depth", b->depth);
	switch (b->kind) {
	case RUNBOOK_HEADING:
		cJSON_AddNumberToObject(o, "level", b->level);
		/* fall through */
	case RUNBOOK_PARAGRAPH:
	case RUNBOOK_QUOTE:
		cJSON_AddStringToObject(o, "text", b->text);
		break;
	case RUNBOOK_ITEM:
		cJSON_AddStringToObject(o, "text", b->text);
		cJSON_AddBoolToObject(o, "task", b->task);
		cJSON_AddBoolToObject(o, "done", b->done);
		cJSON_AddNumberToObject(o, "number", b->number);
		break;
	case RUNBOOK_TABLE:
		cJSON_AddItemToObject(o, "rows", rows_json(b));
		break;
	case RUNBOOK_CODE:
		cJSON_AddStringToObject(o, "info", b->code.info);
		cJSON_AddStringToObject(o, "text", b->code.text);
		break;
	case RUNBOOK_RULE:
		break;
	}
	if (b->kind == RUNBOOK_ITEM || b->kind == RUNBOOK_CODE) {
		if (b->step >= 0)
			cJSON_AddNumberToObject(o, "step", (double)b->step);
		else
			cJSON_AddNullToObject(o, "step");
	}
	return o;
}

struct cJSON *runbook_blocks_json(const struct runbook *rb)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < rb->n_blocks; i++)
		cJSON_AddItemToArray(arr, block_json(&rb->blocks[i]));
	return arr;
}

/* needle in text, ASCII letters in either case (other bytes as they are:
 * UTF-8 stays whole). */
static bool has(const char *text, const char *needle)
{
	return text && strcasestr(text, needle) != NULL;
}

static bool block_has(const struct runbook_block *b, const char *needle)
{
	if (has(b->text, needle) || has(b->code.info, needle) || has(b->code.text, needle))
		return true;
	for (size_t r = 0; r < b->n_rows; r++)
		for (size_t c = 0; c < b->rows[r].n_cells; c++)
			if (has(b->rows[r].cells[c], needle))
				return true;
	return false;
}

long runbook_find(const struct runbook *rb, const char *needle, long from, int dir)
{
	if (!needle || !*needle || rb->n_blocks == 0)
		return -1;
	long n = (long)rb->n_blocks;
	if (from < 0 || from >= n)
		from = dir > 0 ? n - 1 : 0;
	for (long k = 1; k <= n; k++) {
		long i = ((from + (dir > 0 ? k : -k)) % n + n) % n;
		if (block_has(&rb->blocks[i], needle))
			return i;
	}
	return -1;
}
