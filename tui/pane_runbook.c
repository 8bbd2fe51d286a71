/* The runbook pane. Runbook checklists are their own piece of work (md4c
 * parsing, ticks journaled); until they exist the pane says so plainly. */
#include "ui.h"

static void runbook_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	draw_title(ui, w, cols, "RUNBOOK", ui->focus == PANE_RUNBOOK, NULL, true);
	if (rows > 1)
		draw_text(w, 1, 1, cols - 2,
			  "No runbook checklists in this version of cmdr yet; keep yours open beside it.",
			  A_DIM, COL_NONE);
}

const struct pane_class pane_runbook = {
	.name = "runbook",
	.draw = runbook_draw,
	.key = NULL,
	.min_rows = 2,
};
