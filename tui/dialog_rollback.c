/* The rollback dialog: preselects the last known-good deployment, shows the
 * exact traffic change, asks for a reason (prefilled from the canary verdict
 * or the firing page), and hands the request to core's rollback action. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui.h"
#include "xalloc.h"

static struct endpoint *form_endpoint(struct ui *ui)
{
	return ui->rollback.endpoint ? model_find_endpoint(&ui->inc->model, ui->rollback.endpoint) : NULL;
}

static void form_close(struct ui *ui)
{
	free(ui->rollback.endpoint);
	memset(&ui->rollback, 0, sizeof ui->rollback);
	ui->dialog = NULL;
}

void dialog_rollback_open(struct ui *ui)
{
	struct incident *inc = ui->inc;
	if (inc->model.n_endpoints == 0) {
		ui_say(ui, true, "rollback: no endpoint in this incident");
		return;
	}
	const struct endpoint *ep = inc->model.endpoints[ui->sel_endpoint % inc->model.n_endpoints];
	struct error err;
	if (incident_may_act(inc, &inc->actor, "rollback", ep->name, NULL, &err) != 0) {
		ui_say(ui, true, "%s", err.msg);
		return;
	}
	if (incident_job_in_flight(inc, ep->name)) {
		ui_say(ui, true, "rollback refused: a change to %s is still being verified", ep->name);
		return;
	}
	if (ep->n_deployments < 2) {
		ui_say(ui, true, "rollback: %s has only one deployment, nothing to roll back to", ep->name);
		return;
	}
	form_close(ui);
	ui->rollback.endpoint = xstrdup(ep->name);
	for (size_t i = 0; i < ep->n_deployments; i++)
		if (ep->last_known_good && strcmp(ep->deployments[i]->name, ep->last_known_good) == 0)
			ui->rollback.to_index = i;
	char *reason = incident_suggested_reason(inc, ep->name);
	if (reason) {
		snprintf(ui->rollback.reason, sizeof ui->rollback.reason, "%s", reason);
		free(reason);
	} else {
		ui->rollback.editing = true;
	}
	ui->dialog = &dialog_rollback;
}

static void rollback_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	struct rollback_form *f = &ui->rollback;
	const struct endpoint *ep = form_endpoint(ui);
	char title[128];
	snprintf(title, sizeof title, "Roll back %s", f->endpoint ? f->endpoint : "?");
	draw_box(ui, w, rows, cols, title);
	if (!ep) {
		draw_text(w, 2, 2, cols - 4, "the endpoint is gone", A_NORMAL, COL_RED);
		return;
	}
	const struct deployment *to = ep->deployments[f->to_index];
	bool lkg = ep->last_known_good && strcmp(ep->last_known_good, to->name) == 0;
	int x = 2 + draw_text(w, 2, 2, 10, "to:", A_BOLD, COL_NONE);
	draw_textf(w, 2, 11, cols - 13, A_NORMAL, COL_NONE, "%s%s   (up/down: another deployment)", to->name,
		   lkg ? " (last known-good)" : "");
	(void)x;
	struct traffic_split from, want;
	traffic_split_init(&from);
	traffic_split_init(&want);
	endpoint_current_split(ep, &from);
	endpoint_rollback_split(ep, to->name, &want);
	char *fs = traffic_split_format(&from), *ws = traffic_split_format(&want);
	draw_text(w, 3, 2, 9, "traffic:", A_BOLD, COL_NONE);
	draw_textf(w, 3, 11, cols - 13, A_NORMAL, COL_NONE, "%s", fs);
	draw_textf(w, 4, 11, cols - 13, A_BOLD, COL_NONE, "%s %s", ui->ascii ? "->" : "\u2192", ws);
	free(fs);
	free(ws);
	traffic_split_free(&from);
	traffic_split_free(&want);
	draw_text(w, 5, 2, 9, "reason:", A_BOLD, COL_NONE);
	/* Long reasons show their end while typing, their start otherwise. */
	const char *shown = f->reason;
	size_t width = (size_t)(cols - 14);
	if (f->editing && strlen(shown) > width) {
		shown += strlen(shown) - width;
		while ((*shown & 0xc0) == 0x80)
			shown++;
	}
	int used = draw_text(w, 5, 11, cols - 13, shown, f->editing ? A_UNDERLINE : A_NORMAL, COL_NONE);
	if (f->editing)
		draw_text(w, 5, 11 + used, 1, "_", A_BLINK, COL_NONE);
	if (*f->error)
		draw_text(w, 6, 2, cols - 4, f->error, ui_color(ui, COL_RED) | A_BOLD, COL_RED);
	draw_text(w, rows - 2, 2, cols - 4,
		  f->editing ? "type the reason   Enter confirm   Ctrl-U clear   Esc cancel"
			     : "Enter/y confirm   e edit reason   Esc/n cancel",
		  A_BOLD, COL_NONE);
}

static int rollback_confirm(struct ui *ui)
{
	struct rollback_form *f = &ui->rollback;
	const struct endpoint *ep = form_endpoint(ui);
	if (!ep) {
		form_close(ui);
		return UI_HANDLED | UI_REDRAW;
	}
	if (!*f->reason) {
		snprintf(f->error, sizeof f->error, "a reason is required");
		f->editing = true;
		return UI_HANDLED | UI_REDRAW;
	}
	char *name = xstrdup(f->endpoint);
	char *to = xstrdup(ep->deployments[f->to_index]->name);
	struct error err;
	int rc = incident_rollback(ui->inc, name, to, f->reason, &ui->inc->actor, &err);
	form_close(ui);
	if (rc != 0)
		ui_say(ui, rc < 0, "%s", err.msg);
	else
		ui_say(ui, false, "rollback of %s to %s issued; verifying", name, to);
	free(name);
	free(to);
	return UI_HANDLED | UI_REDRAW;
}

static void reason_backspace(char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		n--;
		if ((s[n] & 0xc0) != 0x80)
			break;
	}
	s[n] = '\0';
}

static void reason_append(char *s, size_t size, wchar_t wc)
{
	char mb[MB_LEN_MAX + 1];
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t len = wcrtomb(mb, wc, &st);
	size_t have = strlen(s);
	if (len == (size_t)-1 || have + len >= size)
		return;
	memcpy(s + have, mb, len);
	s[have + len] = '\0';
}

static int rollback_key(struct ui *ui, int key, bool wide)
{
	struct rollback_form *f = &ui->rollback;
	const struct endpoint *ep = form_endpoint(ui);
	if (wide && key == 27)
		return form_close(ui), UI_HANDLED | UI_REDRAW;
	if ((wide && (key == '\n' || key == '\r')) || (!wide && key == KEY_ENTER))
		return rollback_confirm(ui);
	if (f->editing) {
		*f->error = '\0';
		if ((!wide && key == KEY_BACKSPACE) || (wide && (key == 127 || key == 8)))
			reason_backspace(f->reason);
		else if (wide && key == 21) /* Ctrl-U */
			f->reason[0] = '\0';
		else if (wide && key >= 32)
			reason_append(f->reason, sizeof f->reason, (wchar_t)key);
		return UI_HANDLED | UI_REDRAW;
	}
	if (wide && key == 'y')
		return rollback_confirm(ui);
	if (wide && key == 'n')
		return form_close(ui), UI_HANDLED | UI_REDRAW;
	if (wide && key == 'e') {
		f->editing = true;
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

const struct dialog_class dialog_rollback = {
	.name = "rollback",
	.draw = rollback_draw,
	.key = rollback_key,
	.rows = 10,
	.cols = 76,
};
