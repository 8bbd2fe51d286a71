/* The one table of key bindings. Dispatch and the `?` help screen both read
 * it. Keys for moving inside a pane belong to that pane's key handler. */
#include "drill.h"
#include "ui.h"

#define CTRL(c) ((c) & 0x1f)

static int key_help(struct ui *ui)
{
	ui->dialog = &dialog_help;
	return UI_HANDLED | UI_REDRAW;
}

static int key_quit(struct ui *ui)
{
	(void)ui;
	return UI_HANDLED | UI_QUIT;
}

/* Coming to SLO BURN, the cursor starts on the worst SLO. */
static int focus_to(struct ui *ui, int pane)
{
	ui->focus = pane;
	if (pane == PANE_SLO) {
		ui->slo_sel = SIZE_MAX;
		ui->slo_top = 0;
	}
	return UI_HANDLED | UI_REDRAW | UI_LAYOUT;
}

static int key_next_pane(struct ui *ui)
{
	return focus_to(ui, (ui->focus + 1) % PANE_N);
}

static int key_prev_pane(struct ui *ui)
{
	return focus_to(ui, (ui->focus + PANE_N - 1) % PANE_N);
}

static int key_rollback(struct ui *ui)
{
	dialog_change_open(ui, CHANGE_ROLLBACK);
	return UI_HANDLED | UI_REDRAW;
}

static int key_promote(struct ui *ui)
{
	dialog_change_open(ui, CHANGE_PROMOTE);
	return UI_HANDLED | UI_REDRAW;
}

static int key_freeze(struct ui *ui)
{
	dialog_change_open(ui, CHANGE_FREEZE);
	return UI_HANDLED | UI_REDRAW;
}

static int key_approve(struct ui *ui)
{
	dialog_approve_open(ui);
	return UI_HANDLED | UI_REDRAW;
}

/* A text that would be refused at Enter is refused before it is typed:
 * the same check (and journaled refusal) as the action's own. */
static int open_text(struct ui *ui, enum text_kind kind, const char *action)
{
	struct error err;
	const char *why;
	if (action && incident_may_act(ui->inc, &ui->inc->actor, action, "incident", NULL, &err) != 0) {
		ui_say(ui, true, "%s", err.msg);
		return UI_HANDLED | UI_REDRAW;
	}
	if (!action && !actor_may_mutate(&ui->inc->actor, &why)) {
		ui_say(ui, true, "commands refused: %s", why);
		return UI_HANDLED | UI_REDRAW;
	}
	dialog_text_open(ui, kind);
	return UI_HANDLED | UI_REDRAW;
}

static int key_note(struct ui *ui)
{
	return open_text(ui, TEXT_NOTE, "note");
}

static int key_update(struct ui *ui)
{
	return open_text(ui, TEXT_UPDATE, "update");
}

static int key_command(struct ui *ui)
{
	return open_text(ui, TEXT_COMMAND, NULL);
}

static int key_timeline(struct ui *ui)
{
	ui->show_timeline = !ui->show_timeline;
	ui->focus = PANE_RUNBOOK;
	return UI_HANDLED | UI_REDRAW | UI_LAYOUT;
}

static int key_problems(struct ui *ui)
{
	dialog_problems_open(ui);
	return UI_HANDLED | UI_REDRAW;
}

static int key_redraw(struct ui *ui)
{
	(void)ui;
	return UI_HANDLED | UI_FULL;
}

static int key_pause(struct ui *ui)
{
	struct clock *c = &ui->inc->clock;
	clock_set_paused(c, !c->paused);
	return UI_HANDLED | UI_REDRAW;
}

static int key_step(struct ui *ui)
{
	clock_set_paused(&ui->inc->clock, true);
	clock_step(&ui->inc->clock, 1000);
	return UI_HANDLED | UI_REDRAW;
}

static int key_next_event(struct ui *ui)
{
	const struct drill *d = drill_of(ui->inc);
	int64_t t = d ? drill_ops.next_due(&d->base) : INT64_MAX;
	int64_t now = clock_now(&ui->inc->clock);
	if (t == INT64_MAX) {
		ui_say(ui, false, "no scenario event left");
		return UI_HANDLED | UI_REDRAW;
	}
	if (t > now)
		clock_step(&ui->inc->clock, t - now);
	return UI_HANDLED | UI_REDRAW;
}

static int key_scorecard(struct ui *ui)
{
	ui->dialog = &dialog_scorecard;
	return UI_HANDLED | UI_REDRAW;
}

static int key_faster(struct ui *ui)
{
	clock_set_speed(&ui->inc->clock, ui->inc->clock.speed * 2);
	return UI_HANDLED | UI_REDRAW;
}

static int key_slower(struct ui *ui)
{
	clock_set_speed(&ui->inc->clock, ui->inc->clock.speed / 2);
	return UI_HANDLED | UI_REDRAW;
}

const struct key_binding key_bindings[] = {
	{ { '?' }, "?", "this help", false, false, key_help },
	{ { 'q' }, "q", "quit", false, false, key_quit },
	{ { '\t' }, "Tab", "next pane (S-Tab: previous)", false, false, key_next_pane },
	{ { KEY_BTAB }, NULL, "previous pane", false, false, key_prev_pane },
	{ { 0 }, "j k", "move in the focused pane (also arrows)", false, false, NULL },
	{ { 'r' }, "r", "roll the selected endpoint back", false, true, key_rollback },
	{ { 'a' }, "a", "approve another person's pending rollback", false, true, key_approve },
	{ { 'P' }, "P", "promote the selected endpoint's canary to 100%", false, true, key_promote },
	{ { 'f' }, "f", "turn the change freeze on or off", false, true, key_freeze },
	{ { 'n' }, "n", "add a note to the timeline", false, true, key_note },
	{ { 'u' }, "u", "post a stakeholder update (resets the update clock)", false, true, key_update },
	{ { ':' }, ":", "command: declare, sev, role, resolve, timecheck, every, pin", false, true, key_command },
	{ { 't' }, "t", "timeline in place of the runbook, and back (/ filters it)", false, false, key_timeline },
	{ { CTRL('l') }, "C-l", "repaint the whole screen", false, false, key_redraw },
	{ { 0 }, "Esc", "close a dialog; in RUNBOOK, back to the list; in SLO BURN, clear /", false, false, NULL },
	{ { 0 }, "Space", "in RUNBOOK: tick the step and move to the next (untick asks why)", false, true, NULL },
	{ { 0 }, "Enter", "open what is selected whole: a runbook, step, code (c copies), SLO", false, false, NULL },
	{ { 0 }, "PgDn /", "a page down (PgUp: up); / finds text in RUNBOOK, filters SLO BURN", false, false, NULL },
	{ { '!' }, "!", "runbook problems: the files refused and the warnings", false, false, key_problems },
	/* . is told with p: the help has a row per label, 22 at 80x24 */
	{ { 'p' }, "p .", "pause or resume the simulated clock; . steps one second", true, false, key_pause },
	{ { '.' }, NULL, "step one second (pauses)", true, false, key_step },
	{ { '>' }, ">", "jump to the next scenario event", true, false, key_next_event },
	{ { '+', '=' }, "+ -", "twice as fast; - half as fast", true, false, key_faster },
	{ { '-' }, NULL, "half as fast", true, false, key_slower },
	{ { 'S' }, "S", "the drill's scorecard (opens by itself at the end)", true, false, key_scorecard },
};
const size_t n_key_bindings = sizeof key_bindings / sizeof key_bindings[0];

static const struct pane_class *const panes[PANE_N] = {
	[PANE_SLO] = &pane_slo,
	[PANE_CANARY] = &pane_canary,
	[PANE_ENDPOINTS] = &pane_endpoints,
	[PANE_RUNBOOK] = &pane_runbook,
};

const struct pane_class *ui_pane(const struct ui *ui, int i)
{
	return i == PANE_RUNBOOK && ui->show_timeline ? &pane_timeline : panes[i];
}

int keys_move(size_t *sel, size_t n, int key)
{
	if (n == 0)
		return 0;
	if (key == 'j' || key == KEY_DOWN)
		*sel = (*sel + 1) % n;
	else if (key == 'k' || key == KEY_UP)
		*sel = (*sel + n - 1) % n;
	else
		return 0;
	return UI_HANDLED | UI_REDRAW;
}

int keys_dispatch(struct ui *ui, int key)
{
	const struct pane_class *pane = ui_pane(ui, ui->focus);
	if (pane->key) {
		int flags = pane->key(ui, key);
		if (flags & UI_HANDLED)
			return flags;
	}
	for (size_t i = 0; i < n_key_bindings; i++) {
		const struct key_binding *b = &key_bindings[i];
		if (!b->run || (b->drill_only && ui->inc->mode != MODE_DRILL))
			continue;
		for (int k = 0; k < 4 && b->keys[k]; k++)
			if (b->keys[k] == key)
				return b->run(ui);
	}
	return 0;
}
