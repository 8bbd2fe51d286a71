/* The `?` help screen, generated from the key table so it cannot drift. */
#include "ui.h"

static void help_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const char *why;
	bool may = actor_may_mutate(&ui->inc->actor, &why);
	draw_box(ui, w, rows, cols, "Keys (any key closes)");
	int y = 1;
	for (size_t i = 0; i < n_key_bindings && y < rows - 1; i++, y++) {
		const struct key_binding *b = &key_bindings[i];
		bool off = (b->mutating && !may) || (b->drill_only && ui->inc->mode != MODE_DRILL);
		attr_t attr = off ? A_DIM : A_NORMAL;
		draw_text(w, y, 2, 10, b->label, attr | A_BOLD, COL_NONE);
		draw_textf(w, y, 13, cols - 15, attr, COL_NONE, "%s%s%s", b->help,
			   b->drill_only ? " (drill)" : "", b->mutating && !may ? " (not allowed here)" : "");
	}
}

static int help_key(struct ui *ui, int key, bool wide)
{
	(void)key;
	(void)wide;
	ui->dialog = NULL;
	return UI_HANDLED | UI_REDRAW;
}

const struct dialog_class dialog_help = {
	.name = "help",
	.draw = help_draw,
	.key = help_key,
	.rows = 18,
	.cols = 60,
};
