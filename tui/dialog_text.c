/* One line of text: a note (`n`), a stakeholder update (`u`), a command
 * (`:`, the workflow's verbs as `cmdr` takes them), the timeline's or SLO
 * BURN's filter (`/`) or text to find in the open runbook (`/` there). Enter runs it through core; an error stays in the dialog
 * with the text, so nothing typed is lost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "pattern.h"
#include "ui.h"
#include "xalloc.h"

static const char *const prompt_of[] = {
	[TEXT_NOTE] = "note:",
	[TEXT_UPDATE] = "update:",
	[TEXT_COMMAND] = ":",
	[TEXT_FILTER] = "filter /",
	[TEXT_FIND] = "find /",
	[TEXT_SLO_FILTER] = "filter /",
};

void dialog_text_open(struct ui *ui, enum text_kind kind)
{
	struct text_form *f = &ui->text;
	memset(f, 0, sizeof *f);
	f->kind = kind;
	if (kind == TEXT_FILTER)
		snprintf(f->text, sizeof f->text, "%s", ui->tl_pattern);
	if (kind == TEXT_FIND)
		snprintf(f->text, sizeof f->text, "%s", ui->rb_find);
	if (kind == TEXT_SLO_FILTER)
		snprintf(f->text, sizeof f->text, "%s", ui->slo_pattern);
	ui->dialog = &dialog_text;
}

static void text_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	struct text_form *f = &ui->text;
	static const char *const title[] = {
		[TEXT_NOTE] = "Note on the timeline",
		[TEXT_UPDATE] = "Stakeholder update (resets the update clock)",
		[TEXT_COMMAND] = "Command",
		[TEXT_FILTER] = "Filter the timeline (PCRE2, any case)",
		[TEXT_FIND] = "Find in the runbook (any case)",
		[TEXT_SLO_FILTER] = "Filter the SLOs by name, service or endpoint (PCRE2, any case)",
	};
	draw_box(ui, w, rows, cols, title[f->kind]);
	draw_input(w, 2, cols, prompt_of[f->kind], f->text, true);
	if (*f->error)
		draw_text(w, 3, 2, cols - 4, f->error, A_BOLD | ui_color(ui, COL_RED), COL_RED);
	else if (f->kind == TEXT_COMMAND) {
		char help[512];
		command_help(help, sizeof help);
		draw_text(w, 3, 2, cols - 4, help, A_DIM, COL_NONE);
	}
	else if (f->kind == TEXT_FILTER || f->kind == TEXT_SLO_FILTER)
		draw_text(w, 3, 2, cols - 4, "empty: show everything", A_DIM, COL_NONE);
	else if (f->kind == TEXT_FIND)
		draw_text(w, 3, 2, cols - 4, "Enter again: the next place", A_DIM, COL_NONE);
	draw_text(w, rows - 2, 2, cols - 4, "Enter run   Esc cancel   C-u clear", A_DIM, COL_NONE);
}

static int text_run(struct ui *ui)
{
	struct text_form *f = &ui->text;
	struct incident *inc = ui->inc;
	struct error err;
	int rc;
	if (f->kind == TEXT_FILTER || f->kind == TEXT_SLO_FILTER) {
		struct pattern *flt = NULL;
		if (*f->text && !(flt = pattern_new(f->text, &err))) {
			snprintf(f->error, sizeof f->error, "%s", err.msg);
			return UI_HANDLED | UI_REDRAW;
		}
		ui->dialog = NULL;
		if (f->kind == TEXT_SLO_FILTER) {
			slo_filter_set(ui, flt, f->text);
			return UI_HANDLED | UI_REDRAW;
		}
		pattern_free(ui->tl_filter);
		ui->tl_filter = flt;
		snprintf(ui->tl_pattern, sizeof ui->tl_pattern, "%s", f->text);
		ui->tl_scroll = 0;
		ui->dialog = NULL;
		return UI_HANDLED | UI_REDRAW;
	}
	if (f->kind == TEXT_FIND) {
		ui->dialog = NULL;
		if (strncmp(ui->rb_find, f->text, sizeof ui->rb_find - 1) != 0)
			ui->rb_found = -1; /* other text: from the screen's top */
		snprintf(ui->rb_find, sizeof ui->rb_find, "%.*s", (int)sizeof ui->rb_find - 1, f->text);
		runbook_find_next(ui);
		return UI_HANDLED | UI_REDRAW;
	}
	uint64_t seq = inc->journal.entries + 1;
	char *line = xstrdup(f->text);
	if (f->kind == TEXT_NOTE)
		rc = incident_note(inc, line, &inc->actor, &err);
	else if (f->kind == TEXT_UPDATE)
		rc = incident_post_update(inc, line, &inc->actor, &err);
	else
		rc = incident_command(inc, line, &inc->actor, &err);
	free(line);
	if (rc < 0) {
		snprintf(f->error, sizeof f->error, "%s", err.msg);
		return UI_HANDLED | UI_REDRAW;
	}
	if (rc > 0) { /* a rollback waits for a second person */
		ui_say(ui, false, "%s", err.msg);
		ui->dialog = NULL;
		return UI_HANDLED | UI_REDRAW;
	}
	const struct timeline_entry *e = timeline_find(&inc->timeline, seq);
	if (e)
		ui_say(ui, false, "%s", e->what);
	ui->dialog = NULL;
	return UI_HANDLED | UI_REDRAW;
}

static int text_key(struct ui *ui, int key, bool wide)
{
	struct text_form *f = &ui->text;
	if (wide && key == 27) {
		ui->dialog = NULL;
		return UI_HANDLED | UI_REDRAW;
	}
	if ((wide && (key == '\n' || key == '\r')) || (!wide && key == KEY_ENTER))
		return text_run(ui);
	*f->error = '\0';
	if ((!wide && key == KEY_BACKSPACE) || (wide && (key == 127 || key == 8)))
		input_backspace(f->text);
	else if (wide && key == 21) /* Ctrl-U */
		f->text[0] = '\0';
	else if (wide && key >= 32)
		input_append(f->text, sizeof f->text, (wchar_t)key);
	return UI_HANDLED | UI_REDRAW;
}

const struct dialog_class dialog_text = {
	.name = "text",
	.draw = text_draw,
	.key = text_key,
	.rows = 6,
	.cols = 78,
};
