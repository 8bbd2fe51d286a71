/* The console's screen state: panes, focus, the open dialog, display
 * options. Panes and dialogs are const tables of functions (draw, key);
 * key handlers change state and return flags, drawing happens once per
 * loop turn in tui/screen.c. */
#ifndef CMDR_UI_H
#define CMDR_UI_H
#include <stdbool.h>
#include <stdint.h>

#include <curses.h>

#include "incident.h"

/* What a key handler asks of the loop. */
enum {
	UI_HANDLED = 1 << 0, /* the key was used */
	UI_REDRAW = 1 << 1,  /* something visible changed */
	UI_QUIT = 1 << 2,
	UI_FULL = 1 << 3,    /* repaint the whole terminal (Ctrl-L) */
	UI_LAYOUT = 1 << 4,  /* the panes' sizes change (focus moved) */
};

enum ui_color { COL_NONE, COL_RED, COL_WARN, COL_GREEN, COL_ACCENT, COL_TITLE, COL_N };

struct ui;

struct pane_class {
	const char *name;
	void (*draw)(struct ui *ui, WINDOW *w, int rows, int cols);
	/* Keys for the focused pane (may be NULL); returns UI_* flags. */
	int (*key)(struct ui *ui, int key);
	int min_rows;
};

struct dialog_class {
	const char *name;
	void (*draw)(struct ui *ui, WINDOW *w, int rows, int cols);
	/* wide: the key is a character (wget_wch OK), else a KEY_* code. */
	int (*key)(struct ui *ui, int key, bool wide);
	int rows, cols; /* 0: the screen's, less a margin */
};

enum { PANE_SLO, PANE_CANARY, PANE_ENDPOINTS, PANE_RUNBOOK, PANE_N };

enum change_kind { CHANGE_ROLLBACK, CHANGE_PROMOTE, CHANGE_FREEZE, CHANGE_UNTICK };

struct change_form {
	enum change_kind kind;
	char *endpoint;     /* NULL for the freeze */
	size_t to_index;   /* deployment index in the endpoint */
	char reason[256];  /* UTF-8 */
	char ordered_by[64]; /* who ordered it, when not the one pressing the key */
	int field;         /* being edited: 0 reason, 1 ordered by */
	bool editing;
	char error[256];
};

enum text_kind { TEXT_NOTE, TEXT_UPDATE, TEXT_COMMAND, TEXT_FILTER, TEXT_FIND, TEXT_SLO_FILTER };

struct text_form {
	enum text_kind kind;
	char text[512]; /* UTF-8 */
	char error[512];
};

struct pattern;
struct runbook_layout;

struct ui {
	struct incident *inc;
	bool ascii, color;
	int focus;                  /* PANE_* */
	size_t sel_endpoint;        /* selected endpoint in the endpoints pane */
	size_t sel_canary;          /* selected canary in the canary pane */
	const struct dialog_class *dialog; /* open dialog or NULL */
	struct change_form change;
	uint64_t approve_seq; /* the request the approve dialog shows */
	/* The runbook pane: the list, or one runbook open at a step. */
	bool rb_open;
	size_t rb_sel;  /* cursor in the list (suggested runbook first) */
	size_t rb_index; /* the open runbook (index into inc->runbooks) */
	size_t rb_step; /* the step selected (or holding the selected code), n_steps when none */
	size_t rb_block; /* the selected block: a step's item or a code block */
	size_t rb_scroll; /* the open runbook's first row shown */
	bool rb_follow; /* scroll to keep the selection in view (not after PgDn) */
	int rb_rows;    /* the open runbook's rows shown below the title, as last drawn */
	struct runbook_layout *rb_layout; /* its rows, kept between frames (tui/runbook_layout.h) */
	char rb_find[128]; /* the text / last looked for in a runbook */
	long rb_found;     /* the block it was last found in, -1: none */
	size_t step_scroll; /* the step dialog's first row shown */
	size_t problems_scroll; /* the runbook problems dialog's first row shown */
	/* The timeline takes the runbook pane's place while shown (`t`). */
	bool show_timeline;
	size_t tl_scroll;   /* entries back from the newest */
	struct pattern *tl_filter;
	char tl_pattern[512];
	/* SLO BURN: its order, kept from frame to frame so that it is stable
	 * (core/incident/slo_order.h); while focused, the selected SLO (an
	 * index into inc->slos, SIZE_MAX: the first) and the first shown (a
	 * place among those the filter lets through); the SLOs a page holds,
	 * as last drawn; its / filter. */
	size_t *slo_order, slo_order_n;
	size_t slo_sel, slo_top;
	int slo_page;
	struct pattern *slo_filter;
	char slo_pattern[512];
	struct text_form text;
	bool scorecard_shown; /* opened once by itself at the drill's end */
	WINDOW *pane_win[PANE_N];
	WINDOW *event_win, *status_win, *dialog_win;
	bool too_small;
	unsigned long drawn_generation;
	int64_t drawn_second;
	bool dirty;
	char message[256]; /* the console's own feedback, shown on the event line */
	bool message_failed;
	int64_t message_at;
	int64_t message_real_ms; /* monotonic: a fresh message outranks banners */
};

extern const struct pane_class pane_slo, pane_canary, pane_endpoints, pane_runbook, pane_timeline;
extern const struct dialog_class dialog_change, dialog_help, dialog_approve, dialog_step, dialog_text,
	dialog_scorecard, dialog_problems, dialog_slo;
/* The pane drawn in slot i (the timeline stands in for the runbook). */
const struct pane_class *ui_pane(const struct ui *ui, int i);
/* The ALERTS section of the SLO pane (tui/pane_alerts.c): the rows it
 * takes at the foot of a pane of `rows` (0 without alert sources), and
 * drawing it from row y. */
int alerts_section_rows(const struct ui *ui, int rows);
void alerts_section_draw(struct ui *ui, WINDOW *w, int y, int rows, int cols);

/* Runs the console until quit. Returns the process exit status. */
int screen_run(struct incident *inc, bool ascii, bool color);

/* Drawing helpers (tui/draw.c). Text is sanitized and clipped to the
 * given display width; returns the columns used. */
int draw_text(WINDOW *w, int y, int x, int width, const char *text, attr_t attr, int color);
/* A text cut short ends in a mark that says so ("\u2026", or "~" in
 * ASCII); set once for the screen. */
void draw_marks(bool ascii);
/* name in at most width columns: whole, or its head and its tail around
 * the cut mark, so names that differ only at one end stay apart. Returns
 * out. */
const char *fit_name(const char *name, int width, char *out, size_t size);
/* text from row y to rows - 1, wrapped at width: at a space when the line
 * has one, never inside a character, each wrapped line ending in a mark
 * that says it goes on (the text itself is unchanged: copies are exact).
 * Returns the next row. */
int draw_wrapped(struct ui *ui, WINDOW *w, int y, int rows, int x, int width, const char *text, attr_t attr,
		 int color);
/* The first row of text (up to its newline) in width columns, as
 * draw_wrapped cuts it: its length in bytes; *more: the line goes on in
 * the next row (the row then has width - 1 columns and a mark). */
size_t wrap_row(const char *text, int width, bool *more);
/* The mark draw_wrapped ends a wrapped row with. */
const char *wrap_mark(const struct ui *ui);
/* Puts text on the terminal's clipboard with OSC 52 (terminals that do
 * not allow it ignore the sequence). */
void copy_osc52(const char *text);
int draw_textf(WINDOW *w, int y, int x, int width, attr_t attr, int color, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
void draw_title(struct ui *ui, WINDOW *w, int cols, const char *title, bool focused, const char *hint,
		bool hint_enabled);
/* How fresh live data is, right-aligned on row y ending at column x_end:
 * "data 20s" (in 10-second steps, so an idle screen sends few bytes), or
 * "STALE 3m" in red; nothing for a drill's data. Returns the columns used. */
int draw_data_state(struct ui *ui, WINDOW *w, int y, int x_end, const struct data_state *d, int64_t now);
/* The columns draw_data_state would use. */
int data_state_width(const struct data_state *d, int64_t now);
/* A bar `width` cells wide, filled percent/100. */
void draw_bar(struct ui *ui, WINDOW *w, int y, int x, int width, int percent, int color);
/* One cell per value, scaled to max (NaN: blank). */
void draw_sparkline(struct ui *ui, WINDOW *w, int y, int x, const double *values, size_t n, double max,
		    int color);
/* A labelled one-line input at row y: while editing, its end shows with a
 * cursor. */
void draw_input(WINDOW *w, int y, int cols, const char *label, const char *text, bool editing);
/* Editing a UTF-8 buffer: drop the last character; add one (if it fits). */
void input_backspace(char *s);
void input_append(char *s, size_t size, wchar_t wc);
void draw_box(struct ui *ui, WINDOW *w, int rows, int cols, const char *title);
attr_t ui_color(const struct ui *ui, int color);
void ui_say(struct ui *ui, bool failed, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Keys (tui/keys.c): the one table of bindings; help is generated from it. */
struct key_binding {
	int keys[4]; /* 0-terminated: ASCII characters or KEY_* codes */
	const char *label; /* NULL: not listed on its own in the help */
	const char *help;
	bool drill_only;
	bool mutating;
	int (*run)(struct ui *ui);
};
extern const struct key_binding key_bindings[];
extern const size_t n_key_bindings;
int keys_dispatch(struct ui *ui, int key);
/* j/k and the arrows move a selection among n items, wrapping. */
int keys_move(size_t *sel, size_t n, int key);
/* A dialog's n rows, vis of them shown from *first (tui/scroll.c): kept
 * in range when drawn; moved by j/k and the arrows a row, PgUp/PgDn a
 * page, only when they do not fit (else, and for other keys, 0). */
void scroll_clamp(size_t *first, size_t n, int vis);
int scroll_key(size_t *first, size_t n, int vis, int key, bool wide);
void dialog_change_open(struct ui *ui, enum change_kind kind);
/* The key handler of a dialog that only shows something (help, the
 * scorecard, an SLO): any key closes it. */
int dialog_any_key_closes(struct ui *ui, int key, bool wide);
void dialog_approve_open(struct ui *ui);
void dialog_text_open(struct ui *ui, enum text_kind kind);
/* The next place ui->rb_find is in the open runbook (tui/pane_runbook.c). */
void runbook_find_next(struct ui *ui);
void dialog_problems_open(struct ui *ui);
/* SLO BURN (tui/pane_slo.c): the SLOs the filter lets through, in the
 * pane's order, into vis (room for inc->n_slos); the filter set (p taken,
 * NULL: none) with the text it was made from; the SLO's rules do not
 * record window k (BURN_NWINDOWS: the period); a reading's age as the
 * pane shows it ("20s", "6m", "1h10m", "11h", "3d"). */
size_t slo_visible(const struct ui *ui, size_t *vis);
void slo_filter_set(struct ui *ui, struct pattern *p, const char *text);
bool slo_lacks(const struct incident_slo *s, int window);
void slo_reading_age(int64_t age_ms, char *buf, size_t size);
/* One SLO's readings whole: ui->slo_sel (tui/dialog_slo.c). */
void dialog_slo_open(struct ui *ui);
/* What loading the runbooks found, counted: "2 refused · 5 warnings",
 * "" when nothing was refused or warned about. Returns out. */
const char *runbook_problem_count(const struct ui *ui, char *out, size_t size);
/* The same count at (y, x), refused in red and warnings in the warning
 * colour, over attr. */
void draw_problem_count(struct ui *ui, WINDOW *w, int y, int x, attr_t attr);

#endif
