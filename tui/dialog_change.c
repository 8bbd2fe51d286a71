/* The change dialog, for the three actions that change the world from the
 * console: a rollback (preselects the last known-good), a promotion
 * (preselects the canary), and the change freeze. It shows the exact
 * traffic change, asks for a reason (for a rollback, prefilled from the
 * canary verdict or the firing page) and hands the request to core. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui.h"
#include "xalloc.h"

static const char *const kind_name[] = {
	[CHANGE_ROLLBACK] = "rollback",
	[CHANGE_PROMOTE] = "promote",
	[CHANGE_FREEZE] = "freeze",
	[CHANGE_UNTICK] = "untick",
};

static struct endpoint *form_endpoint(struct ui *ui)
{
	return ui->change.endpoint ? model_find_endpoint(&ui->inc->model, ui->change.endpoint) : NULL;
}

static void form_close(struct ui *ui)
{
	free(ui->change.endpoint);
	memset(&ui->change, 0, sizeof ui->change);
	ui->dialog = NULL;
}

void dialog_change_open(struct ui *ui, enum change_kind kind)
{
	struct incident *inc = ui->inc;
	const char *name = kind_name[kind];
	struct error err;
	if (kind == CHANGE_UNTICK) {
		form_close(ui);
		ui->change.kind = kind;
		ui->change.editing = true;
		ui->dialog = &dialog_change;
		return;
	}
	if (kind == CHANGE_FREEZE) {
		const char *action = inc->frozen ? "unfreeze" : "freeze";
		if (incident_may_act(inc, &inc->actor, action, "incident", NULL, &err) != 0) {
			ui_say(ui, true, "%s", err.msg);
			return;
		}
		form_close(ui);
		ui->change.kind = kind;
		ui->change.editing = true;
		ui->dialog = &dialog_change;
		return;
	}
	if (inc->model.n_endpoints == 0) {
		ui_say(ui, true, "%s: no endpoint in this incident", name);
		return;
	}
	const struct endpoint *ep = inc->model.endpoints[ui->sel_endpoint % inc->model.n_endpoints];
	if (incident_may_act(inc, &inc->actor, name, ep->name, NULL, &err) != 0) {
		ui_say(ui, true, "%s", err.msg);
		return;
	}
	if (kind == CHANGE_PROMOTE && inc->frozen) {
		/* Core refuses it and journals the attempt; no point asking why. */
		incident_promote(inc, ep->name, NULL, NULL, &inc->actor, &err);
		ui_say(ui, true, "%s", err.msg);
		return;
	}
	if (incident_job_in_flight(inc, ep->name)) {
		ui_say(ui, true, "%s refused: a change to %s is still being verified", name, ep->name);
		return;
	}
	if (ep->n_deployments < 2) {
		ui_say(ui, true, "%s: %s has only one deployment", name, ep->name);
		return;
	}
	if (kind == CHANGE_PROMOTE && !endpoint_canary(ep)) {
		ui_say(ui, true, "promote: %s has no canary taking traffic", ep->name);
		return;
	}
	form_close(ui);
	/* What it serves, read for this decision rather than remembered. */
	incident_read_target(inc, ep->name);
	ui->change.kind = kind;
	ui->change.endpoint = xstrdup(ep->name);
	for (size_t i = 0; kind == CHANGE_PROMOTE && i < ep->n_deployments; i++)
		if (ep->deployments[i] == endpoint_canary(ep))
			ui->change.to_index = i;
	for (size_t i = 0; kind == CHANGE_ROLLBACK && i < ep->n_deployments; i++)
		if (ep->last_known_good && strcmp(ep->deployments[i]->name, ep->last_known_good) == 0)
			ui->change.to_index = i;
	char *reason = kind == CHANGE_ROLLBACK ? incident_suggested_reason(inc, ep->name) : NULL;
	if (reason) {
		snprintf(ui->change.reason, sizeof ui->change.reason, "%s", reason);
		free(reason);
	} else {
		ui->change.editing = true;
	}
	ui->dialog = &dialog_change;
}

static void draw_reason(struct ui *ui, WINDOW *w, int y, int cols)
{
	struct change_form *f = &ui->change;
	draw_input(w, y, cols, "reason:", f->reason, f->editing && f->field == 0);
	if (f->kind != CHANGE_FREEZE && f->kind != CHANGE_UNTICK)
		draw_input(w, y + 1, cols, "ordered by:", *f->ordered_by || (f->editing && f->field == 1)
							       ? f->ordered_by : "(you; Tab to name who ordered it)",
			   f->editing && f->field == 1);
}

static void change_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	struct change_form *f = &ui->change;
	const struct incident *inc = ui->inc;
	char title[160];
	if (f->kind == CHANGE_UNTICK) {
		const struct runbook *rb = ui->rb_index < inc->n_runbooks ? &inc->runbooks[ui->rb_index] : NULL;
		draw_box(ui, w, rows, cols, "Untick a runbook step");
		if (rb && ui->rb_step < rb->n_steps)
			draw_textf(w, 2, 2, cols - 4, A_NORMAL, COL_NONE, "step: %s", rb->steps[ui->rb_step].text);
		draw_reason(ui, w, 4, cols);
		goto footer;
	}
	if (f->kind == CHANGE_FREEZE) {
		draw_box(ui, w, rows, cols, inc->frozen ? "Lift the change freeze" : "Change freeze");
		draw_text(w, 2, 2, cols - 4,
			  inc->frozen ? "Promotions will be allowed again."
				      : "While it is on, promotions are refused; rollbacks still go through.",
			  A_NORMAL, COL_NONE);
		draw_reason(ui, w, 4, cols);
		goto footer;
	}
	const struct endpoint *ep = form_endpoint(ui);
	snprintf(title, sizeof title, "%s %s", f->kind == CHANGE_ROLLBACK ? "Roll back" : "Promote on",
		 f->endpoint ? f->endpoint : "?");
	draw_box(ui, w, rows, cols, title);
	if (!ep) {
		draw_text(w, 2, 2, cols - 4, "the endpoint is gone", A_NORMAL, COL_RED);
		return;
	}
	const struct deployment *to = ep->deployments[f->to_index];
	bool lkg = ep->last_known_good && strcmp(ep->last_known_good, to->name) == 0;
	draw_text(w, 2, 2, 10, "to:", A_BOLD, COL_NONE);
	draw_textf(w, 2, 11, cols - 13, A_NORMAL, COL_NONE, "%s%s   (up/down: another deployment)", to->name,
		   lkg ? " (last known-good)" : "");
	struct traffic_split from, want;
	traffic_split_init(&from);
	traffic_split_init(&want);
	endpoint_current_split(ep, &from);
	endpoint_rollback_split(ep, to->name, &want);
	char *fs = traffic_split_format(&from), *ws = traffic_split_format(&want);
	draw_text(w, 3, 2, 9, "traffic:", A_BOLD, COL_NONE);
	const char *unread;
	enum split_basis basis = incident_split_basis(ui->inc, ep->name, &unread);
	const struct incident_target *it = incident_target_state(ui->inc, ep->name);
	char age[16] = "";
	if (it)
		data_age(&it->data, inc->now, age, sizeof age);
	if (basis == SPLIT_UNREADABLE)
		draw_textf(w, 3, 11, cols - 13, ui_color(ui, COL_RED) | A_BOLD, COL_RED,
			   "cannot read the current split: %s", unread);
	else if (basis == SPLIT_OLD)
		draw_textf(w, 3, 11, cols - 13, ui_color(ui, COL_WARN), COL_WARN, "%s as read %s ago; reading it again", fs,
			   age);
	else
		draw_textf(w, 3, 11, cols - 13, A_NORMAL, COL_NONE, "%s%s%s%s", fs, it ? " (read " : "", it ? age : "",
			   it ? " ago)" : "");
	draw_textf(w, 4, 11, cols - 13, A_BOLD, COL_NONE, "%s %s", ui->ascii ? "->" : "\u2192", ws);
	free(fs);
	free(ws);
	traffic_split_free(&from);
	traffic_split_free(&want);
	draw_reason(ui, w, 5, cols);
footer:
	if (*f->error)
		draw_text(w, 7, 2, cols - 4, f->error, ui_color(ui, COL_RED) | A_BOLD, COL_RED);
	draw_text(w, rows - 2, 2, cols - 4,
		  f->editing ? "type   Tab next field   Enter confirm   Ctrl-U clear   Esc cancel"
			     : "Enter/y confirm   e edit reason   Esc/n cancel",
		  A_BOLD, COL_NONE);
}

static int change_confirm(struct ui *ui)
{
	struct change_form *f = &ui->change;
	struct incident *inc = ui->inc;
	const struct endpoint *ep = form_endpoint(ui);
	if (f->kind != CHANGE_FREEZE && f->kind != CHANGE_UNTICK && !ep) {
		form_close(ui);
		return UI_HANDLED | UI_REDRAW;
	}
	if (!*f->reason) {
		snprintf(f->error, sizeof f->error, "a reason is required");
		f->editing = true;
		f->field = 0;
		return UI_HANDLED | UI_REDRAW;
	}
	enum change_kind kind = f->kind;
	struct actor who;
	actor_copy(&who, &inc->actor);
	if (*f->ordered_by)
		who.ordered_by = xstrdup(f->ordered_by);
	char *reason = xstrdup(f->reason);
	char *name = f->endpoint ? xstrdup(f->endpoint) : NULL;
	char *to = ep ? xstrdup(ep->deployments[f->to_index]->name) : NULL;
	form_close(ui);
	struct error err;
	int rc;
	if (kind == CHANGE_UNTICK && ui->rb_index < inc->n_runbooks && ui->rb_step < inc->runbooks[ui->rb_index].n_steps)
		rc = incident_tick(inc, inc->runbooks[ui->rb_index].name, inc->runbooks[ui->rb_index].steps[ui->rb_step].id,
				   false, reason, &who, &err);
	else if (kind == CHANGE_UNTICK)
		rc = error_set(&err, "the step is gone");
	else if (kind == CHANGE_FREEZE)
		rc = incident_set_freeze(inc, !inc->frozen, reason, &who, &err);
	else if (kind == CHANGE_PROMOTE)
		rc = incident_promote(inc, name, to, reason, &who, &err);
	else
		rc = incident_rollback(inc, name, to, reason, &who, &err);
	actor_free(&who);
	if (rc != 0)
		ui_say(ui, rc < 0, "%s", err.msg);
	else if (kind == CHANGE_FREEZE)
		ui_say(ui, false, "change freeze %s", inc->frozen ? "on" : "lifted");
	else if (kind == CHANGE_UNTICK)
		ui_say(ui, false, "step unticked");
	else
		ui_say(ui, false, "%s of %s to %s issued; verifying", kind_name[kind], name, to);
	free(reason);
	free(name);
	free(to);
	return UI_HANDLED | UI_REDRAW;
}

static int change_key(struct ui *ui, int key, bool wide)
{
	struct change_form *f = &ui->change;
	const struct endpoint *ep = form_endpoint(ui);
	if (wide && key == 27)
		return form_close(ui), UI_HANDLED | UI_REDRAW;
	if ((wide && (key == '\n' || key == '\r')) || (!wide && key == KEY_ENTER))
		return change_confirm(ui);
	if (wide && key == '\t' && f->kind != CHANGE_FREEZE && f->kind != CHANGE_UNTICK) {
		f->editing = true;
		f->field = !f->field;
		return UI_HANDLED | UI_REDRAW;
	}
	if (f->editing) {
		char *text = f->field ? f->ordered_by : f->reason;
		size_t size = f->field ? sizeof f->ordered_by : sizeof f->reason;
		*f->error = '\0';
		if ((!wide && key == KEY_BACKSPACE) || (wide && (key == 127 || key == 8)))
			input_backspace(text);
		else if (wide && key == 21) /* Ctrl-U */
			text[0] = '\0';
		else if (wide && key >= 32)
			input_append(text, size, (wchar_t)key);
		return UI_HANDLED | UI_REDRAW;
	}
	if (wide && key == 'y')
		return change_confirm(ui);
	if (wide && key == 'n')
		return form_close(ui), UI_HANDLED | UI_REDRAW;
	if (wide && key == 'e') {
		f->editing = true;
		f->field = 0;
		return UI_HANDLED | UI_REDRAW;
	}
	if (ep && ((!wide && key == KEY_DOWN) || (wide && key == 'j'))) {
		f->to_index = (f->to_index + 1) % ep->n_deployments;
		return UI_HANDLED | UI_REDRAW;
	}
	if (ep && ((!wide && key == KEY_UP) || (wide && key == 'k'))) {
		f->to_index = (f->to_index + ep->n_deployments - 1) % ep->n_deployments;
		return UI_HANDLED | UI_REDRAW;
	}
	return UI_HANDLED;
}

const struct dialog_class dialog_change = {
	.name = "change",
	.draw = change_draw,
	.key = change_key,
	.rows = 10,
	.cols = 76,
};
