/* The console's event loop and screen: one thread, one loop. Each turn
 * advances the engines to the clock, draws what changed (wnoutrefresh per
 * window, one doupdate), then waits in curl_multi_poll on stdin and the
 * transfers until a key, a transfer, or the next scheduled moment. */
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "drill.h"
#include "live.h"
#include "pattern.h"
#include "runbook_layout.h"
#include "timefmt.h"
#include "ui.h"

#define MIN_ROWS 24
#define MIN_COLS 80
#define FRAME_MS 50    /* at most 20 frames a second, however fast the drill */
#define RESIZE_MS 40   /* a drag of the window edge settles before relayout */


static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* The terminal hung up (a closed SSH connection or tmux pane whose
 * SIGHUP a wrapper did not pass on): a poll that would return at once
 * forever. The console ends, releasing its locks, rather than spin. */
static bool terminal_gone(void)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

static void free_windows(struct ui *ui)
{
	for (int i = 0; i < PANE_N; i++) {
		if (ui->pane_win[i])
			delwin(ui->pane_win[i]);
		ui->pane_win[i] = NULL;
	}
	if (ui->event_win)
		delwin(ui->event_win);
	if (ui->status_win)
		delwin(ui->status_win);
	if (ui->dialog_win)
		delwin(ui->dialog_win);
	ui->event_win = ui->status_win = ui->dialog_win = NULL;
}

/* The panes and the two lines tile the screen, so they are windows into
 * stdscr's cells rather than windows with cells of their own: curses keeps
 * 28 bytes a cell for each, and at 80x24 their own copies were 48 KB of
 * the console's private memory, nearly as much again as stdscr. */
static WINDOW *tile(int rows, int cols, int y, int x)
{
	return derwin(stdscr, rows, cols, y, x);
}

/* Stacked below 160 columns, two columns above; extra rows are shared out
 * after every pane has its minimum for 80x24. */
static void layout(struct ui *ui)
{
	free_windows(ui);
	int rows = LINES, cols = COLS;
	ui->too_small = rows < MIN_ROWS || cols < MIN_COLS;
	if (ui->too_small)
		return;
	int body = rows - 2;
	if (cols >= 160) {
		int left = cols / 2, right = cols - left;
		int top = body / 2;
		/* SLO BURN takes the rows its SLOs need (two each, the title,
		 * one spare, live the readings' ages), up to half: the canary's
		 * windows get the rest. */
		int slo = 2 + 2 * (int)ui->inc->n_slos + (live_attached(ui->inc) ? 1 : 0);
		if (slo < 5)
			slo = 5;
		if (slo > top)
			slo = top;
		ui->pane_win[PANE_SLO] = tile(slo, left, 0, 0);
		ui->pane_win[PANE_CANARY] = tile(body - slo, left, slo, 0);
		ui->pane_win[PANE_ENDPOINTS] = tile(top, right, 0, left);
		ui->pane_win[PANE_RUNBOOK] = tile(body - top, right, top, left);
	} else {
		/* The focused runbook pane takes rows from the others: a
		 * checklist needs them more than a burn table the commander
		 * is not looking at; so does a focused SLO BURN, to scroll
		 * through many SLOs four at a time. */
		int h[PANE_N] = { 7, 7, 5, 3 };
		if (ui->focus == PANE_RUNBOOK)
			memcpy(h, (int[PANE_N]){ 5, 4, 4, 9 }, sizeof h);
		if (ui->focus == PANE_SLO)
			memcpy(h, (int[PANE_N]){ 11, 4, 4, 3 }, sizeof h);
		int extra = body - 22;
		h[PANE_SLO] += extra / 4;
		h[PANE_CANARY] += extra / 4;
		h[PANE_ENDPOINTS] += extra / 4;
		h[PANE_RUNBOOK] += extra - 3 * (extra / 4);
		int y = 0;
		for (int i = 0; i < PANE_N; i++) {
			ui->pane_win[i] = tile(h[i], cols, y, 0);
			y += h[i];
		}
	}
	ui->event_win = tile(1, cols, rows - 2, 0);
	ui->status_win = tile(1, cols, rows - 1, 0);
	/* The cursor is hidden: never spend bytes moving it back after an
	 * update. */
	for (int i = 0; i < PANE_N; i++)
		leaveok(ui->pane_win[i], TRUE);
	leaveok(ui->event_win, TRUE);
	leaveok(ui->status_win, TRUE);
}

static void draw_event_line(struct ui *ui, WINDOW *w, int cols)
{
	const struct incident *inc = ui->inc;
	/* A request waiting for this person's approval outranks everything
	 * but the answer to a key they just pressed. */
	const struct approval_request *r = incident_request_to_approve(inc, &inc->actor);
	bool fresh = *ui->message && clock_monotonic_ms() - ui->message_real_ms < 5000;
	if (r && !fresh) {
		char what[256];
		incident_request_describe(r, what, sizeof what);
		draw_textf(w, 0, 1, cols - 2, A_BOLD | A_REVERSE | ui_color(ui, COL_RED), COL_RED,
			   "APPROVAL NEEDED (a): %s asks to %s: %s", r->requester, what, r->reason);
		return;
	}
	/* A change nobody knows the end of: what the traffic is, is unknown. */
	const struct doubt *d;
	if (incident_in_doubt(inc, &d, 1) && !fresh) {
		char text[512];
		incident_doubt_text(inc, d, text, sizeof text);
		draw_textf(w, 0, 1, cols - 2, A_BOLD | A_REVERSE | ui_color(ui, COL_RED), COL_RED, "IN DOUBT: %s",
			   text + strlen("in doubt: "));
		return;
	}
	int64_t check = workflow_timecheck(&inc->workflow, inc->now);
	if (check && !fresh) {
		char since[32];
		timefmt_duration(check, since, sizeof since);
		draw_textf(w, 0, 1, cols - 2, A_BOLD | A_REVERSE | ui_color(ui, COL_WARN), COL_WARN,
			   "TIME CHECK: %s since the declaration of %s %s", since, sev_name(inc->workflow.severity),
			   inc->workflow.title);
		return;
	}
	const struct incident_event *ev = &inc->narration;
	if (inc->last_action.at_ms >= ev->at_ms && *inc->last_action.text)
		ev = &inc->last_action;
	const char *text = ev->text;
	int64_t at = ev->at_ms;
	bool failed = ev->failed;
	if (*ui->message && ui->message_at >= at) {
		text = ui->message;
		at = ui->message_at;
		failed = ui->message_failed;
	}
	if (!*text)
		return;
	char when[16];
	timefmt_hms(at, when, sizeof when);
	int x = 1 + draw_text(w, 0, 1, 9, when, A_DIM, COL_NONE);
	draw_text(w, 0, x + 1, cols - x - 2, text, failed ? ui_color(ui, COL_RED) | A_BOLD : A_NORMAL,
		  failed ? COL_RED : COL_NONE);
}

/* The severity and the stakeholder-update clock, in whole minutes (an idle
 * screen changes this once a minute). *color: how urgent. */
static void workflow_summary(const struct incident *inc, char *buf, size_t size, int *color)
{
	const struct workflow *w = &inc->workflow;
	*color = COL_NONE;
	*buf = '\0';
	if (!w->declared_at)
		return;
	if (w->resolved_at) {
		snprintf(buf, size, " | %s RESOLVED", sev_name(w->severity));
		return;
	}
	int64_t due;
	enum update_state st = workflow_update_state(w, inc->now, &due);
	long long min = st == UPDATE_ALARM ? (inc->now - due) / 60000 : (due - inc->now + 59999) / 60000;
	if (st == UPDATE_ALARM)
		snprintf(buf, size, " | %s UPDATE OVERDUE %lldm (u)", sev_name(w->severity), min);
	else
		snprintf(buf, size, " | %s %s in %lldm", sev_name(w->severity), st == UPDATE_WARN ? "UPDATE" : "update", min);
	*color = st == UPDATE_ALARM ? COL_RED : st == UPDATE_WARN ? COL_WARN : COL_NONE;
}

/* The clock, the mode and who is at the console; compact: without the
 * drill's speed and the role's name. */
static void status_left(const struct ui *ui, char *buf, size_t size, bool compact)
{
	const struct incident *inc = ui->inc;
	char when[16], speed[24] = "";
	timefmt_hms(inc->now, when, sizeof when);
	if (compact)
		when[5] = '\0'; /* HH:MM */
	const char *name = inc->actor.as_name ? inc->actor.as_name : inc->actor.user;
	const char *role = compact ? "" : role_name(inc->actor.role);
	/* A long name gives way too. */
	char who[16];
	const char *shown = name;
	if (compact && strlen(name) > 8) {
		snprintf(who, sizeof who, "%.7s~", name);
		shown = who;
	}
	if (inc->mode == MODE_DRILL) {
		const char *play = inc->clock.paused ? (ui->ascii ? "||" : "\u23f8") : (ui->ascii ? ">" : "\u25b6");
		if (!compact)
			snprintf(speed, sizeof speed, " x%g", inc->clock.speed);
		snprintf(buf, size, " %s %s%s DRILL%s %s%s%s%s", when, play, speed, inc->frozen ? " FROZEN" : "", shown,
			 *role ? " " : "", role, inc->actor.readonly ? " (ro)" : "");
	} else {
		snprintf(buf, size, " %s LIVE%s %s%s%s%s", when, inc->frozen ? " FROZEN" : "", shown, *role ? " " : "", role,
			 inc->actor.readonly ? " (ro)" : "");
	}
}

static void draw_status_line(struct ui *ui, WINDOW *w, int cols)
{
	const struct incident *inc = ui->inc;
	char left[160], middle[160] = "", right[128];
	status_left(ui, left, sizeof left, false);
	/* The last action in a few words; the event line has the details. */
	bool bad = false;
	if (inc->n_jobs) {
		const struct action_job *job = &inc->jobs[inc->n_jobs - 1];
		bad = job->state == ACTION_FAILED || job->state == ACTION_UNVERIFIED;
		const char *to = "?";
		for (size_t i = 0; i < job->want.n; i++)
			if (job->want.entries[i].percent == 100)
				to = job->want.entries[i].deployment;
		/* A long name shortens; the state always shows. */
		char name[64];
		snprintf(middle, sizeof middle, " | %s %s %s", job->kind, fit_name(to, 16, name, sizeof name),
			 action_state_name(job->state));
	}
	/* A PostgreSQL journal out of reach: what is shown is its last state. */
	int64_t offline = journal_offline_ms(&inc->journal);
	if (offline) {
		char was[160];
		snprintf(was, sizeof was, "%s", middle);
		snprintf(middle, sizeof middle, " | journal: offline %llds%.100s", (long long)(offline / 1000), was);
		bad = true;
	}
	char wf[96];
	int wf_color;
	workflow_summary(inc, wf, sizeof wf, &wf_color);
	/* The directory's tail, the entry count and a short head hash: enough
	 * to tell which incident this is and to compare heads by voice. They
	 * give way to the severity, the update clock and the last action: the
	 * directory shortens, then goes; the count and hash always stay. */
	int lw = (int)mbstowcs(NULL, left, 0) + (int)strlen(wf), mw = (int)strlen(middle);
	/* Too narrow for all of it: the speed and the role word go first. */
	if (lw + mw > cols - 1) {
		status_left(ui, left, sizeof left, true);
		lw = (int)mbstowcs(NULL, left, 0) + (int)strlen(wf);
	}
	int avail = cols - lw - mw - 1;
	const char *dir = inc->journal.dir ? inc->journal.dir : "?";
	const char *base = strrchr(dir, '/');
	unsigned long long n = (unsigned long long)inc->journal.entries;
	int tail = snprintf(right, sizeof right, " #%llu %.6s", n, inc->journal.head);
	/* Still too narrow: the hash shortens to four digits, never goes. */
	if (tail > avail)
		tail = snprintf(right, sizeof right, " #%llu %.4s", n, inc->journal.head);
	int room = avail - tail - 1;
	if ((int)strlen(dir) > room && base && base[1])
		dir = base + 1;
	int dl = (int)strlen(dir);
	if (dl <= room)
		snprintf(right, sizeof right, " %s #%llu %.6s", dir, n, inc->journal.head);
	else if (room >= 8)
		snprintf(right, sizeof right, " ~%s #%llu %.6s", dir + dl - (room - 1), n, inc->journal.head);
	int rw = (int)strlen(right);
	wattr_set(w, A_REVERSE, 0, NULL);
	mvwhline(w, 0, 0, ' ', cols);
	int x = draw_text(w, 0, 0, cols - rw, left, A_REVERSE | A_BOLD, COL_NONE);
	if (*wf)
		x += draw_text(w, 0, x, cols - rw - x, wf,
			       A_REVERSE | (wf_color != COL_NONE ? A_BOLD | ui_color(ui, wf_color) : 0), wf_color);
	if (mw)
		draw_text(w, 0, x, cols - rw - x, middle,
			  A_REVERSE | (bad ? A_BOLD : 0) | ui_color(ui, bad ? COL_RED : COL_NONE),
			  bad ? COL_RED : COL_NONE);
	draw_text(w, 0, cols - rw, rw, right, A_REVERSE, COL_NONE);
}

static void draw_dialog(struct ui *ui)
{
	int rows = ui->dialog->rows, cols = ui->dialog->cols;
	/* 0: as large as the screen, a margin around it, the event line
	 * (where a dialog's messages show) kept in sight */
	if (rows <= 0)
		rows = LINES - 3;
	if (cols <= 0)
		cols = COLS - 4;
	if (rows > LINES)
		rows = LINES;
	if (cols > COLS)
		cols = COLS;
	if (!ui->dialog_win) {
		ui->dialog_win = newwin(rows, cols, (LINES - rows) / 2, (COLS - cols) / 2);
		leaveok(ui->dialog_win, TRUE);
	}
	werase(ui->dialog_win);
	ui->dialog->draw(ui, ui->dialog_win, rows, cols);
	touchwin(ui->dialog_win);
	wnoutrefresh(ui->dialog_win);
}

static void draw_too_small(void)
{
	char msg[96];
	snprintf(msg, sizeof msg, "terminal too small: %dx%d, need %dx%d", COLS, LINES, MIN_COLS, MIN_ROWS);
	werase(stdscr);
	int len = (int)strlen(msg);
	mvwaddnstr(stdscr, LINES / 2, len < COLS ? (COLS - len) / 2 : 0, msg, COLS);
	wnoutrefresh(stdscr);
	doupdate();
}

/* Only the SLO pane and the status line change with the clock alone;
 * everything else waits for the incident or the console to change. */
static void draw(struct ui *ui, bool force)
{
	const struct incident *inc = ui->inc;
	int64_t second = inc->now / 1000;
	bool tick = second != ui->drawn_second;
	/* Live data ages: its marks move in 10-second steps (and STALE
	 * appears) without anything else changing. */
	bool all = force || ui->dirty || inc->generation != ui->drawn_generation ||
		   (live_attached(inc) && tick && second % 10 == 0);
	if (!all && !tick)
		return;
	if (ui->too_small) {
		draw_too_small();
		goto done;
	}
	for (int i = 0; i < PANE_N; i++) {
		if (!all && i != PANE_SLO)
			continue;
		int rows, cols;
		getmaxyx(ui->pane_win[i], rows, cols);
		werase(ui->pane_win[i]);
		ui_pane(ui, i)->draw(ui, ui->pane_win[i], rows, cols);
		wnoutrefresh(ui->pane_win[i]);
	}
	werase(ui->event_win);
	draw_event_line(ui, ui->event_win, COLS);
	wnoutrefresh(ui->event_win);
	werase(ui->status_win);
	draw_status_line(ui, ui->status_win, COLS);
	wnoutrefresh(ui->status_win);
	if (ui->dialog)
		draw_dialog(ui);
	else if (ui->dialog_win) {
		delwin(ui->dialog_win);
		ui->dialog_win = NULL;
	}
	doupdate();
done:
	ui->dirty = false;
	ui->drawn_generation = inc->generation;
	ui->drawn_second = second;
}

static void handle_key(struct ui *ui, int rc, wint_t wch, bool *quit)
{
	int flags;
	bool wide = rc == OK;
	if (ui->dialog) {
		const struct dialog_class *before = ui->dialog;
		flags = ui->dialog->key(ui, (int)wch, wide);
		if (ui->dialog != before && ui->dialog_win) {
			delwin(ui->dialog_win);
			ui->dialog_win = NULL;
		}
	} else if (wide && wch >= 256) {
		return; /* no binding uses a non-ASCII character */
	} else if (ui->too_small) {
		flags = wide && wch == 'q' ? UI_QUIT : 0;
	} else {
		flags = keys_dispatch(ui, (int)wch);
	}
	if (flags & UI_QUIT)
		*quit = true;
	if (flags & UI_FULL) {
		clearok(curscr, TRUE);
		ui->dirty = true;
	}
	if (flags & UI_REDRAW)
		ui->dirty = true;
	if (flags & UI_LAYOUT) {
		layout(ui);
		werase(stdscr);
		wnoutrefresh(stdscr);
		ui->dirty = true;
	}
}

static int wait_ms(const struct ui *ui, int64_t resize_at)
{
	const struct incident *inc = ui->inc;
	const struct clock *c = &inc->clock;
	int64_t wait = 1000;
	int64_t next_second = (inc->now / 1000 + 1) * 1000;
	int64_t d = clock_real_ms_until(c, next_second);
	if (d >= 0 && d < wait)
		wait = d;
	int64_t due = incident_next_due(inc);
	if (due != INT64_MAX) {
		d = clock_real_ms_until(c, due);
		if (d >= 0 && d < wait)
			wait = d;
	}
	if (wait < FRAME_MS)
		wait = FRAME_MS;
	if (resize_at) {
		d = resize_at - clock_monotonic_ms();
		if (d < wait)
			wait = d > 0 ? d : 0;
	}
	return (int)wait;
}

int screen_run(struct incident *inc, bool ascii, bool color)
{
	struct ui ui;
	memset(&ui, 0, sizeof ui);
	ui.inc = inc;
	ui.focus = PANE_ENDPOINTS;
	ui.slo_sel = SIZE_MAX;
	ui.drawn_second = -1;
	ui.dirty = true;
	/* Opened from a checkpoint: the timeline pane shows what came before. */
	struct error history_err;
	if (incident_timeline_history(inc, &history_err) != 0)
		incident_set_event(&inc->last_action, inc->now, true, "timeline: %s", history_err.msg);
	/* LC_CTYPE only: numbers in the journal must keep their '.' */
	setlocale(LC_CTYPE, "");
	const char *codeset = nl_langinfo(CODESET);
	ui.ascii = ascii || !codeset || strcmp(codeset, "UTF-8") != 0;
	draw_marks(ui.ascii);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	bool escdelay_set = getenv("ESCDELAY") != NULL;
	if (!initscr()) {
		return 3;
	}
	if (!escdelay_set)
		set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	ui.color = color && has_colors();
	if (ui.color) {
		start_color();
		use_default_colors();
		/* Plain ANSI colours on the terminal's own background: readable
		 * on light and dark themes (magenta rather than yellow for
		 * warnings, which vanishes on white). */
		init_pair(COL_RED, COLOR_RED, -1);
		init_pair(COL_WARN, COLOR_MAGENTA, -1);
		init_pair(COL_GREEN, COLOR_GREEN, -1);
		init_pair(COL_ACCENT, COLOR_CYAN, -1);
		init_pair(COL_TITLE, -1, -1);
	}
	leaveok(stdscr, TRUE);
	wnoutrefresh(stdscr);
	layout(&ui);

	struct pollfd input = { .fd = STDIN_FILENO, .events = POLLIN };
	inc->watch_journal = true;
	bool quit = false;
	int64_t resize_at = 0;
	while (!quit && !stop_requested) {
		struct error err;
		/* Other consoles' requests, approvals and actions. */
		if (incident_follow(inc, &err) != 0)
			ui_say(&ui, true, "%s", err.msg);
		incident_advance(inc, clock_now(&inc->clock));
		if (resize_at && clock_monotonic_ms() >= resize_at) {
			resize_at = 0;
			layout(&ui);
			werase(stdscr);
			wnoutrefresh(stdscr);
			ui.dirty = true;
		}
		/* The drill is over: its scorecard, once. */
		const struct drill *drill = drill_of(inc);
		if (drill && !ui.scorecard_shown && drill->scenario.end_ms > 0 && inc->now >= drill->scenario.end_ms &&
		    !ui.dialog) {
			ui.scorecard_shown = true;
			ui.dialog = &dialog_scorecard;
			ui.dirty = true;
		}
		draw(&ui, false);
		/* Keys, transfers and child processes all wake this one wait. */
		incident_wait(inc, &input, 1, wait_ms(&ui, resize_at));
		if (terminal_gone())
			break;
		int rc;
		wint_t wch;
		while (!quit && (rc = wget_wch(stdscr, &wch)) != ERR) {
			if (rc == KEY_CODE_YES && wch == KEY_RESIZE) {
				resize_at = clock_monotonic_ms() + RESIZE_MS;
				continue;
			}
			handle_key(&ui, rc, wch, &quit);
			/* A key that moved the clock is seen by the engines at once. */
			incident_advance(inc, clock_now(&inc->clock));
		}
	}
	free_windows(&ui);
	free(ui.change.endpoint);
	pattern_free(ui.tl_filter);
	pattern_free(ui.slo_filter);
	free(ui.slo_order);
	runbook_layout_free(ui.rb_layout);
	endwin();
	return 0;
}
