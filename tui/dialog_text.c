/* One line of text: a note (`n`), a stakeholder update (`u`), a command
 * (`:`, the workflow's verbs as `cmdr` takes them) or the timeline's
 * filter (`/`). Enter runs it through core; an error stays in the dialog
 * with the text, so nothing typed is lost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "ui.h"
#include "xalloc.h"

static const char *const prompt_of[] = {
	[TEXT_NOTE] = "note:",
	[TEXT_UPDATE] = "update:",
	[TEXT_COMMAND] = ":",
	[TEXT_FILTER] = "filter /",
};

void dialog_text_open(struct ui *ui, enum text_kind kind)
{
	struct text_form *f = &ui->text;
	memset(f, 0, sizeof *f);
	f->kind = kind;
	if (kind == TEXT_FILTER)
		snprintf(f->text, sizeof f->text, "%s", ui->tl_pattern);
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
	};
	draw_box(ui, w, rows, cols, title[f->kind]);
	draw_input(w, 2, cols, prompt_of[f->kind], f->text, true);
	if (*f->error)
		draw_text(w, 3, 2, cols - 4, f->error, A_BOLD | ui_color(ui, COL_RED), COL_RED);
	else if (f->kind == TEXT_COMMAND)
		draw_text(w, 3, 2, cols - 4,
			  "declare SEV TITLE | sev SEV [REASON] | role ROLE [WHO] | resolve REASON |"
			  " timecheck on [10m]|off | every 30m | note TEXT | update TEXT",
			  A_DIM, COL_NONE);
	else if (f->kind == TEXT_FILTER)
		draw_text(w, 3, 2, cols - 4, "empty: show everything", A_DIM, COL_NONE);
	draw_text(w, rows - 2, 2, cols - 4, "Enter run   Esc cancel   C-u clear", A_DIM, COL_NONE);
}

/* The next word of *s (NUL-terminated in place), or NULL; *s moves past
 * it and the spaces after. */
static char *next_word(char **s)
{
	while (**s == ' ')
		(*s)++;
	if (!**s)
		return NULL;
	char *w = *s;
	while (**s && **s != ' ')
		(*s)++;
	if (**s)
		*(*s)++ = '\0';
	while (**s == ' ')
		(*s)++;
	return w;
}

static int run_command(struct ui *ui, char *line, struct error *err)
{
	struct incident *inc = ui->inc;
	const struct actor *me = &inc->actor;
	char *rest = line;
	const char *verb = next_word(&rest);
	int sev;
	enum duty duty;
	int64_t every;
	if (!verb)
		return error_set(err, "type a command");
	if (strcmp(verb, "declare") == 0) {
		const char *s = next_word(&rest);
		if (!s || !sev_parse(s, &sev) || !*rest)
			return error_set(err, "declare SEV0..SEV3 TITLE (when unsure, the higher)");
		return incident_declare(inc, rest, sev, me, err);
	}
	if (strcmp(verb, "sev") == 0 || strcmp(verb, "severity") == 0) {
		const char *s = next_word(&rest);
		if (!s || !sev_parse(s, &sev))
			return error_set(err, "sev SEV0..SEV3 [REASON] (lowering needs a reason)");
		return incident_set_severity(inc, sev, rest, me, err);
	}
	if (strcmp(verb, "role") == 0) {
		const char *r = next_word(&rest), *who = next_word(&rest);
		if (!r || !duty_parse(r, &duty) || *rest)
			return error_set(err, "role commander|deputy|scribe|comms [WHO] (no WHO: you)");
		return incident_assign_role(inc, duty, who, me, err);
	}
	if (strcmp(verb, "resolve") == 0)
		return incident_resolve(inc, rest, me, err);
	if (strcmp(verb, "note") == 0)
		return incident_note(inc, rest, me, err);
	if (strcmp(verb, "update") == 0)
		return incident_post_update(inc, rest, me, err);
	if (strcmp(verb, "timecheck") == 0) {
		const char *s = next_word(&rest), *e = next_word(&rest);
		every = WORKFLOW_TIMECHECK_EVERY_MS;
		bool on = s && strcmp(s, "on") == 0;
		if (!s || (!on && strcmp(s, "off") != 0) || (e && (!on || !timefmt_parse_duration(e, &every))) ||
		    every < 60000 || *rest)
			return error_set(err, "timecheck on [EVERY, at least 1m] | off");
		return incident_set_timecheck(inc, on ? every : 0, me, err);
	}
	if (strcmp(verb, "every") == 0) {
		const char *s = next_word(&rest);
		if (!s || !timefmt_parse_duration(s, &every) || *rest)
			return error_set(err, "every DURATION: how often stakeholder updates are due (30m)");
		return incident_set_update_every(inc, every, me, err);
	}
	return error_set(err, "unknown command '%s'", verb);
}

static int text_run(struct ui *ui)
{
	struct text_form *f = &ui->text;
	struct incident *inc = ui->inc;
	struct error err;
	int rc;
	if (f->kind == TEXT_FILTER) {
		struct timeline_filter *flt = NULL;
		if (*f->text && !(flt = timeline_filter_new(f->text, &err))) {
			snprintf(f->error, sizeof f->error, "%s", err.msg);
			return UI_HANDLED | UI_REDRAW;
		}
		timeline_filter_free(ui->tl_filter);
		ui->tl_filter = flt;
		snprintf(ui->tl_pattern, sizeof ui->tl_pattern, "%s", f->text);
		ui->tl_scroll = 0;
		ui->dialog = NULL;
		return UI_HANDLED | UI_REDRAW;
	}
	uint64_t seq = inc->journal.entries + 1;
	char *line = xstrdup(f->text);
	if (f->kind == TEXT_NOTE)
		rc = incident_note(inc, line, &inc->actor, &err);
	else if (f->kind == TEXT_UPDATE)
		rc = incident_post_update(inc, line, &inc->actor, &err);
	else
		rc = run_command(ui, line, &err);
	free(line);
	if (rc != 0) {
		snprintf(f->error, sizeof f->error, "%s", err.msg);
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
