/* The approval dialog: a second person reviews another person's pending
 * traffic change (two-person rule) and approves it; core checks and
 * records it. */
#include <stdio.h>
#include <string.h>

#include "timefmt.h"
#include "ui.h"

static const struct approval_request *shown_request(const struct ui *ui)
{
	for (size_t i = 0; i < ui->inc->n_requests; i++)
		if (ui->inc->requests[i].seq == ui->approve_seq)
			return &ui->inc->requests[i];
	return NULL;
}

void dialog_approve_open(struct ui *ui)
{
	const struct approval_request *r = incident_request_to_approve(ui->inc, &ui->inc->actor);
	struct error err;
	if (incident_may_act(ui->inc, &ui->inc->actor, "approve", r ? r->endpoint : NULL, NULL, &err) != 0) {
		ui_say(ui, true, "%s", err.msg);
		return;
	}
	if (!r) {
		ui_say(ui, false, "no rollback is waiting for your approval");
		return;
	}
	ui->approve_seq = r->seq;
	ui->dialog = &dialog_approve;
}

static void approve_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const struct approval_request *r = shown_request(ui);
	draw_box(ui, w, rows, cols, "Approve a rollback (two-person rule)");
	if (!r) {
		draw_text(w, 2, 2, cols - 4, "the request is gone", A_NORMAL, COL_NONE);
		return;
	}
	char expires[16] = "-";
	if (r->expires_ms != INT64_MAX)
		timefmt_hms(r->expires_ms, expires, sizeof expires);
	draw_textf(w, 2, 2, cols - 4, A_NORMAL, COL_NONE, "asked by:  %s (journal seq %llu)", r->requester,
		   (unsigned long long)r->seq);
	if (strcmp(r->kind, "rollback") == 0) {
		draw_textf(w, 3, 2, cols - 4, A_BOLD, COL_NONE, "rollback:  %s %s %s", r->endpoint,
			   ui->ascii ? "->" : "\u2192", r->to);
	} else {
		char what[256];
		incident_request_describe(r, what, sizeof what);
		draw_textf(w, 3, 2, cols - 4, A_BOLD, COL_NONE, "change:    %s", what);
	}
	draw_textf(w, 4, 2, cols - 4, A_NORMAL, COL_NONE, "reason:    %s", r->reason);
	draw_textf(w, 5, 2, cols - 4, A_NORMAL, COL_NONE, "expires:   %s (%s's clock)", expires, r->requester);
	draw_text(w, rows - 2, 2, cols - 4, "Enter/y approve   Esc/n cancel", A_BOLD, COL_NONE);
}

static int approve_key(struct ui *ui, int key, bool wide)
{
	if ((wide && (key == 'y' || key == '\n' || key == '\r')) || (!wide && key == KEY_ENTER)) {
		struct error err;
		uint64_t seq = ui->approve_seq;
		ui->dialog = NULL;
		if (incident_approve(ui->inc, seq, &ui->inc->actor, &err) != 0)
			ui_say(ui, true, "%s", err.msg);
		else
			ui_say(ui, false, "approved; the process that asked carries it out, or it expires");
		return UI_HANDLED | UI_REDRAW;
	}
	if (wide && (key == 27 || key == 'n')) {
		ui->dialog = NULL;
		return UI_HANDLED | UI_REDRAW;
	}
	return UI_HANDLED;
}

const struct dialog_class dialog_approve = {
	.name = "approve",
	.draw = approve_draw,
	.key = approve_key,
	.rows = 9,
	.cols = 76,
};
