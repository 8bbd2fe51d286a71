/* The `?` help screen, generated from the key table so it cannot drift. */
#include "ui.h"

static void help_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const char *why;
	bool may = actor_may_mutate(&ui->inc->actor, &why);
	draw_box(ui, w, rows, cols, "Keys (any key closes)");
	/* Two columns when one does not hold every key. */
	int shown = 0;
	for (size_t i = 0; i < n_key_bindings; i++)
		shown += key_bindings[i].label != NULL;
	int per_col = rows - 2, n_cols = shown > per_col ? 2 : 1;
	int width = (cols - 2) / n_cols;
	for (size_t i = 0, k = 0; i < n_key_bindings && (int)k < per_col * n_cols; i++) {
		const struct key_binding *b = &key_bindings[i];
		if (!b->label)
			continue; /* told under another key */
		int y = 1 + (int)k % per_col, x = 1 + (int)k / per_col * width;
		k++;
		bool off = (b->mutating && !may) || (b->drill_only && ui->inc->mode != MODE_DRILL);
		attr_t attr = off ? A_DIM : A_NORMAL;
		draw_text(w, y, x + 1, 6, b->label, attr | A_BOLD, COL_NONE);
		draw_textf(w, y, x + 7, width - 8, attr, COL_NONE, "%s%s%s", b->help,
			   b->drill_only ? " (drill)" : "", b->mutating && !may ? " (not allowed here)" : "");
	}
}

int dialog_any_key_closes(struct ui *ui, int key, bool wide)
{
	(void)key;
	(void)wide;
	ui->dialog = NULL;
	return UI_HANDLED | UI_REDRAW;
}

const struct dialog_class dialog_help = {
	.name = "help",
	.draw = help_draw,
	.key = dialog_any_key_closes,
	.rows = 24,
	.cols = 80,
};
