/* The open runbook laid out for the RUNBOOK pane: its blocks as rows for
 * the pane's width (prose wrapped at spaces, tables fitted, code lines
 * whole). Wrapping a 4 MiB runbook takes tens of milliseconds, so the
 * rows are kept between frames and built again only when the runbook,
 * the width or who ticked which of its steps changes. */
#ifndef CMDR_RUNBOOK_LAYOUT_H
#define CMDR_RUNBOOK_LAYOUT_H
#include <stdbool.h>
#include <stddef.h>

#include "incident.h"

enum row_kind { ROW_BLANK, ROW_HEADING, ROW_TEXT, ROW_QUOTE, ROW_ITEM, ROW_TABLE, ROW_TABLE_RULE, ROW_CODE_HEAD,
		ROW_CODE, ROW_CODE_END, ROW_RULE };

struct row {
	enum row_kind kind;
	size_t block;
	const char *text; /* a slice of the block's text */
	size_t len;
	bool more;  /* wrapped: the row ends in the mark */
	bool first; /* an item's first row: its box or bullet */
	bool who;   /* an item's last row: who ticked it follows */
	size_t table_row;
	int x;
};

struct runbook_layout {
	const struct runbook *rb;
	int cols;
	char *ticks; /* the ticks it was laid out with (ticks_key) */
	size_t done; /* steps ticked */
	struct row *rows;
	size_t n, cap;
	size_t *first, *last; /* per block: its rows (first > last: none) */
	size_t n_blocks, cap_blocks;
	int **widths; /* per table block: its columns' widths, -1 after the last */
};

/* rb laid out for cols columns, in *cache: as kept when nothing it
 * depends on changed, else built again. */
const struct runbook_layout *runbook_layout(struct runbook_layout **cache, const struct incident *inc,
					    const struct runbook *rb, int cols);
void runbook_layout_free(struct runbook_layout *l);

#endif
