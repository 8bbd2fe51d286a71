/* Drawing helpers shared by panes and dialogs: sanitized, width-clipped
 * text, bars, sparklines and boxes, in Unicode or plain ASCII. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "redact.h"
#include "sanitize.h"
#include "ui.h"
#include "xalloc.h"

attr_t ui_color(const struct ui *ui, int color)
{
	if (!ui->color || color == COL_NONE)
		return 0;
	return COLOR_PAIR(color);
}

int draw_text(WINDOW *w, int y, int x, int width, const char *text, attr_t attr, int color)
{
	if (width <= 0)
		return 0;
	char clean[1024];
	wchar_t wide[1024];
	/* Secrets out first, then anything a terminal would obey. */
	char *shown = redact_text(text);
	sanitize_text(shown, clean, sizeof clean);
	free(shown);
	size_t n = mbstowcs(wide, clean, sizeof wide / sizeof wide[0] - 1);
	if (n == (size_t)-1)
		return 0;
	int used = 0;
	size_t count = 0;
	for (; count < n; count++) {
		int cw = wcwidth(wide[count]);
		if (cw < 0)
			cw = 1;
		if (used + cw > width)
			break;
		used += cw;
	}
	wattr_set(w, attr, (short)color, NULL);
	mvwaddnwstr(w, y, x, wide, (int)count);
	wattr_set(w, A_NORMAL, 0, NULL);
	return used;
}

int draw_textf(WINDOW *w, int y, int x, int width, attr_t attr, int color, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return draw_text(w, y, x, width, buf, attr, color);
}

void draw_title(struct ui *ui, WINDOW *w, int cols, const char *title, bool focused, const char *hint,
		bool hint_enabled)
{
	attr_t attr = focused ? A_REVERSE | A_BOLD : A_BOLD;
	int color = ui->color ? COL_TITLE : COL_NONE;
	wattr_set(w, attr, (short)color, NULL);
	mvwhline(w, 0, 0, ' ', cols);
	draw_text(w, 0, 1, cols - 2, title, attr, color);
	if (hint) {
		int len = (int)strlen(hint);
		/* A key the console may not use is shown dimmed, not hidden. */
		draw_text(w, 0, cols - len - 1, len, hint, hint_enabled ? attr : attr | A_DIM, color);
	}
}

int draw_data_state(struct ui *ui, WINDOW *w, int y, int x_end, const struct data_state *d, int64_t now)
{
	if (!d->live)
		return 0;
	char text[48];
	bool stale = data_stale(d, now);
	if (!d->at_ms) {
		snprintf(text, sizeof text, stale && *d->error ? " NO DATA " : " waiting for data ");
	} else {
		int64_t age = (now - d->at_ms) / 1000;
		if (age < 0)
			age = 0;
		if (age < 60)
			snprintf(text, sizeof text, " %s %llds ", stale ? "STALE" : "data", (long long)(age / 10 * 10));
		else if (age < 3600)
			snprintf(text, sizeof text, " %s %lldm ", stale ? "STALE" : "data", (long long)(age / 60));
		else
			snprintf(text, sizeof text, " %s %lldh ", stale ? "STALE" : "data", (long long)(age / 3600));
	}
	int len = (int)strlen(text);
	int color = stale ? COL_RED : COL_NONE;
	draw_text(w, y, x_end - len, len, text, stale ? ui_color(ui, color) | A_BOLD | A_REVERSE : A_DIM, color);
	return len;
}

void draw_bar(struct ui *ui, WINDOW *w, int y, int x, int width, int percent, int color)
{
	int filled = (percent * width + 50) / 100;
	if (percent > 0 && filled == 0)
		filled = 1;
	const char *full = ui->ascii ? "#" : "\u2588";
	const char *empty = ui->ascii ? "." : "\u2591";
	wmove(w, y, x);
	for (int i = 0; i < width; i++) {
		bool on = i < filled;
		wattr_set(w, on ? ui_color(ui, color) : A_DIM, on ? (short)(ui->color ? color : 0) : 0, NULL);
		waddstr(w, on ? full : empty);
	}
	wattr_set(w, A_NORMAL, 0, NULL);
}

void draw_sparkline(struct ui *ui, WINDOW *w, int y, int x, const double *values, size_t n, double max,
		    int color)
{
	static const char *const blocks[] = { "\u2581", "\u2582", "\u2583", "\u2584",
					      "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = "_.-:=+*#";
	wmove(w, y, x);
	for (size_t i = 0; i < n; i++) {
		double v = values[i];
		if (!(v >= 0) || max <= 0) {
			wattr_set(w, A_NORMAL, 0, NULL);
			waddch(w, ' ');
			continue;
		}
		int level = (int)(v / max * 7.0 + 0.5);
		if (level > 7)
			level = 7;
		if (level < 0)
			level = 0;
		wattr_set(w, ui_color(ui, color), (short)(ui->color ? color : 0), NULL);
		if (ui->ascii)
			waddch(w, (chtype)ascii[level]);
		else
			waddstr(w, blocks[level]);
	}
	wattr_set(w, A_NORMAL, 0, NULL);
}

void draw_box(struct ui *ui, WINDOW *w, int rows, int cols, const char *title)
{
	werase(w);
	if (ui->ascii)
		wborder(w, '|', '|', '-', '-', '+', '+', '+', '+');
	else
		box_set(w, 0, 0); /* Unicode lines, not the terminal's ACS mode */
	if (title)
		draw_textf(w, 0, 2, cols - 4, A_BOLD, COL_NONE, " %s ", title);
	(void)rows;
}

void ui_say(struct ui *ui, bool failed, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof ui->message, fmt, ap);
	va_end(ap);
	ui->message_failed = failed;
	ui->message_at = ui->inc->now;
	ui->message_real_ms = clock_monotonic_ms();
	ui->dirty = true;
}

void draw_input(WINDOW *w, int y, int cols, const char *label, const char *text, bool editing)
{
	draw_text(w, y, 2, 12, label, A_BOLD, COL_NONE);
	/* Long text shows its end while typing, its start otherwise. */
	const char *shown = text;
	size_t width = (size_t)(cols - 17);
	if (editing && strlen(shown) > width) {
		shown += strlen(shown) - width;
		while ((*shown & 0xc0) == 0x80)
			shown++;
	}
	int used = draw_text(w, y, 14, cols - 16, shown, editing ? A_UNDERLINE : A_NORMAL, COL_NONE);
	if (editing)
		draw_text(w, y, 14 + used, 1, "_", A_BLINK, COL_NONE);
}

void input_backspace(char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		n--;
		if ((s[n] & 0xc0) != 0x80)
			break;
	}
	s[n] = '\0';
}

void input_append(char *s, size_t size, wchar_t wc)
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

int draw_wrapped(struct ui *ui, WINDOW *w, int y, int rows, int x, int width, const char *text, attr_t attr,
		 int color)
{
	const char *p = text;
	const char *more = ui->ascii ? "\\" : "\u21a9";
	if (width < 2)
		return y;
	while (*p && y < rows) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		/* One column is kept for the mark that says the line goes on. */
		size_t take = len > (size_t)width ? (size_t)width - 1 : len;
		/* Never cut inside a UTF-8 character; at a space when there is one. */
		while (take < len && take > 0 && (p[take] & 0xc0) == 0x80)
			take--;
		if (take < len) {
			size_t sp = take;
			while (sp > 0 && p[sp - 1] != ' ')
				sp--;
			if (sp > 0)
				take = sp;
		}
		char *line = xasprintf("%.*s", (int)take, p);
		int used = draw_text(w, y, x, width, line, attr, color);
		free(line);
		if (take < len)
			draw_text(w, y, x + (used < width - 1 ? used : width - 1), 1, more, A_DIM, COL_NONE);
		y++;
		p += take;
		if (take == len && nl)
			p++;
	}
	return y;
}
