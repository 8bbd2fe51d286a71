/* Private to the runbook reader (core/readers/runbook*.c): the document
 * model, rb->blocks in reading order, built by runbook.c's md4c pass
 * beside the steps. runbook.c tells what it meets; these keep the
 * blocks. */
#ifndef CMDR_RUNBOOK_DOC_H
#define CMDR_RUNBOOK_DOC_H
#include <md4c.h>

#include "runbook.h"

struct runbook_doc {
	struct runbook *rb;
	size_t cap_blocks;
	bool in_para; /* a paragraph (or quoted one) being read into para */
	char *para;
	size_t para_len, para_cap;
	int para_line; /* its first text's, -1 before */
	int quotes;    /* block quotes open */
	bool in_cell;  /* a table cell being read into cell */
	char *cell;
	size_t cell_len, cell_cap;
	long table_block; /* the table being read, or -1 */
	long line_block;  /* a block whose line is its first text's, or -1 */
};

void doc_init(struct runbook_doc *d, struct runbook *rb);
/* A list item opens: returns its block's index. */
size_t doc_item(struct runbook_doc *d, int depth, int number, int line);
/* The item's text is known at its end. */
void doc_item_done(struct runbook_doc *d, size_t block, const char *text, bool task, bool done, int line);
void doc_heading(struct runbook_doc *d, const char *title, int level, int line, int depth);
/* A code block ended; item: the list item's block it is in, or -1. */
void doc_code(struct runbook_doc *d, const struct runbook_code *code, long item, int depth);
void doc_rule(struct runbook_doc *d, int line, int depth);
/* The other blocks: quotes, tables, rows, cells. */
void doc_enter(struct runbook_doc *d, MD_BLOCKTYPE type, int depth);
void doc_leave(struct runbook_doc *d, MD_BLOCKTYPE type, int depth, int last_line);
/* A paragraph that is not a list item's own text starts. */
void doc_paragraph(struct runbook_doc *d);
/* Text at line (from 1) arrives. */
void doc_line(struct runbook_doc *d, int line);
/* True when a paragraph or cell took the text. */
bool doc_text(struct runbook_doc *d, const char *text, size_t n);
/* The parse is over: code blocks learn their step; buffers go. */
void doc_finish(struct runbook_doc *d, int last_line);
void doc_free_blocks(struct runbook *rb);
/* The blocks as JSON, for lint --json: kind, line, depth and what the
 * kind holds (text, level, task, number, rows, info, step). */
struct cJSON *runbook_blocks_json(const struct runbook *rb);
/* A thematic break has no text to tell its line: the first line from
 * index from on that reads as one (three or more of -, * or _). */
int doc_rule_line(const char *base, size_t len, const size_t *line_starts, size_t n_lines, int from);

/* runbook.c */
void runbook_append(char **buf, size_t *len, size_t *cap, const char *text, size_t n);
void runbook_code_free(struct runbook_code *c);

#endif
