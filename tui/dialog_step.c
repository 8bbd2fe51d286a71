/* A runbook step whole: its text, and its code blocks verbatim. `c`
 * copies the first code block to the terminal's clipboard with OSC 52
 * (when the terminal allows it); the code is shown plain for selecting
 * either way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ui.h"
#include "xalloc.h"

static const struct runbook_step *shown_step(const struct ui *ui)
{
	if (ui->rb_index >= ui->inc->n_runbooks)
		return NULL;
	const struct runbook *rb = &ui->inc->runbooks[ui->rb_index];
	return ui->rb_step < rb->n_steps ? &rb->steps[ui->rb_step] : NULL;
}

static void step_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const struct runbook_step *s = shown_step(ui);
	draw_box(ui, w, rows, cols, "Runbook step (c copy code, any other key closes)");
	if (!s)
		return;
	int y = draw_wrapped(ui, w, 1, rows - 1, 2, cols - 4, s->text, A_BOLD, COL_NONE);
	for (size_t i = 0; i < s->n_codes && y < rows - 1; i++) {
		draw_textf(w, y++, 2, cols - 4, A_DIM, COL_NONE, "--- %s", *s->codes[i].info ? s->codes[i].info : "code");
		y = draw_wrapped(ui, w, y, rows - 1, 4, cols - 6, s->codes[i].text, ui_color(ui, COL_ACCENT), COL_ACCENT);
	}
}

/* OSC 52: the terminal puts base64 text on its clipboard. Terminals that
 * do not allow it ignore the sequence. */
static void copy_osc52(const char *text)
{
	size_t len = strlen(text);
	unsigned char *b64 = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)text, (int)len);
	printf("\033]52;c;%s\a", b64);
	fflush(stdout);
	free(b64);
}

static int step_key(struct ui *ui, int key, bool wide)
{
	const struct runbook_step *s = shown_step(ui);
	if (wide && key == 'c' && s && s->n_codes) {
		copy_osc52(s->codes[0].text);
		ui_say(ui, false, "code copied with OSC 52 where the terminal allows it; it is also shown to select");
		return UI_HANDLED | UI_REDRAW;
	}
	ui->dialog = NULL;
	return UI_HANDLED | UI_REDRAW;
}

const struct dialog_class dialog_step = {
	.name = "step",
	.draw = step_draw,
	.key = step_key,
	.rows = 16,
	.cols = 78,
};
