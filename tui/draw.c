/* Drawing helpers shared by panes and dialogs: sanitized, width-clipped
 * text, bars, sparklines and boxes, in Unicode or plain ASCII. */
#include <limits.h>
#include <openssl/evp.h>
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

/* What a cut text ends with: set once per screen (draw_marks). */
static const char *cut_mark = "~";

void draw_marks(bool ascii)
{
	cut_mark = ascii ? "~" : "\u2026";
}

/* The cleaned text as wide characters and the display width of each. */
static size_t widen(const char *text, wchar_t *wide, size_t size)
{
	char clean[1024];
	/* Secrets out first, then anything a terminal would obey. */
	char *shown = redact_text(text);
	sanitize_text(shown, clean, sizeof clean);
	free(shown);
	size_t n = mbstowcs(wide, clean, size - 1);
	return n == (size_t)-1 ? 0 : n;
}

static int cell_width(wchar_t c)
{
	int cw = wcwidth(c);
	return cw < 0 ? 1 : cw;
}

int draw_text(WINDOW *w, int y, int x, int width, const char *text, attr_t attr, int color)
{
	if (width <= 0)
		return 0;
	wchar_t wide[1024];
	size_t n = widen(text, wide, sizeof wide / sizeof wide[0]);
	int used = 0;
	size_t count = 0;
	for (; count < n; count++) {
		int cw = cell_width(wide[count]);
		if (used + cw > width)
			break;
		used += cw;
	}
	/* Cut where more than blanks follow: the last cell says so. */
	size_t rest = count;
	while (rest < n && wide[rest] == L' ')
		rest++;
	bool cut = rest < n;
	while (cut && count > 0 && used + 1 > width)
		used -= cell_width(wide[--count]);
	wattr_set(w, attr, (short)color, NULL);
	mvwaddnwstr(w, y, x, wide, (int)count);
	if (cut) {
		wchar_t mark[2];
		mbstowcs(mark, cut_mark, 2);
		mvwaddnwstr(w, y, x + used, mark, 1);
		used++;
	}
	wattr_set(w, A_NORMAL, 0, NULL);
	return used;
}

const char *fit_name(const char *name, int width, char *out, size_t size)
{
	wchar_t wide[1024]; /* as draw_text's: a long path keeps its real tail */
	size_t n = widen(name, wide, sizeof wide / sizeof wide[0]);
	int total = 0;
	for (size_t i = 0; i < n; i++)
		total += cell_width(wide[i]);
	if (total <= width || width < 3 || size < 8) {
		snprintf(out, size, "%s", name);
		return out;
	}
	/* The head names the family, the tail tells its members apart. */
	int head_w = width / 2, tail_w = width - 1 - head_w;
	size_t head = 0, tail = n;
	for (int used = 0; head < n && used + cell_width(wide[head]) <= head_w; head++)
		used += cell_width(wide[head]);
	for (int used = 0; tail > head && used + cell_width(wide[tail - 1]) <= tail_w; tail--)
		used += cell_width(wide[tail - 1]);
	size_t len = wcsnrtombs(NULL, &(const wchar_t *){wide}, head, 0, NULL);
	if (len == (size_t)-1 || len + strlen(cut_mark) >= size) {
		snprintf(out, size, "%s", name);
		return out;
	}
	const wchar_t *src = wide;
	wcsnrtombs(out, &src, head, size, NULL);
	snprintf(out + len, size - len, "%s", cut_mark);
	size_t at = strlen(out);
	src = wide + tail;
	size_t got = wcsnrtombs(out + at, &src, n - tail, size - at - 1, NULL);
	out[at + (got == (size_t)-1 ? 0 : got)] = '\0';
	return out;
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
	/* The title stops short of the hint, cut with the mark, never
	 * drawn under it. */
	int len = hint ? (int)strlen(hint) : 0;
	draw_text(w, 0, 1, hint ? cols - len - 3 : cols - 2, title, attr, color);
	if (hint) {
		/* A key the console may not use is shown dimmed, not hidden. */
		draw_text(w, 0, cols - len - 1, len, hint, hint_enabled ? attr : attr | A_DIM, color);
	}
}

static int data_state_text(const struct data_state *d, int64_t now, char *text, size_t size)
{
	if (!d->live)
		return *text = '\0', 0;
	bool stale = data_stale(d, now);
	if (!d->at_ms)
		return snprintf(text, size, stale && *d->error ? " NO DATA " : " waiting for data ");
	int64_t age = (now - d->at_ms) / 1000;
	if (age < 0)
		age = 0;
	const char *word = stale ? "STALE" : "data";
	if (age < 60)
		return snprintf(text, size, " %s %llds ", word, (long long)(age / 10 * 10));
	if (age < 3600)
		return snprintf(text, size, " %s %lldm ", word, (long long)(age / 60));
	return snprintf(text, size, " %s %lldh ", word, (long long)(age / 3600));
}

int data_state_width(const struct data_state *d, int64_t now)
{
	char text[48];
	return data_state_text(d, now, text, sizeof text);
}

int draw_data_state(struct ui *ui, WINDOW *w, int y, int x_end, const struct data_state *d, int64_t now)
{
	char text[48];
	int len = data_state_text(d, now, text, sizeof text);
	if (!len)
		return 0;
	bool stale = data_stale(d, now);
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
		/* On the last row there is no next one to go on to: what
		 * does not fit is cut, and the cut is marked. */
		if (take < len && y == rows - 1)
			take = len;
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

const char *wrap_mark(const struct ui *ui)
{
	return ui->ascii ? "\\" : "\u21a9";
}

size_t wrap_row(const char *text, int width, bool *more)
{
	size_t len = strcspn(text, "\n"), at = 0, fit = 0, space = 0;
	int used = 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	*more = false;
	/* How much fits in width, and in width - 1 (room for the mark). */
	while (at < len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, text + at, len - at, &st);
		if (n == 0 || n == (size_t)-1 || n == (size_t)-2) {
			n = 1;
			wc = L'?';
			memset(&st, 0, sizeof st);
		}
		int cw = wc == L'\t' ? 1 : cell_width(wc);
		if (used + cw > width)
			break;
		used += cw;
		at += n;
		if (used <= width - 1)
			fit = at;
		if (wc == L' ' && used <= width - 1)
			space = at;
	}
	if (at >= len)
		return len;
	*more = true;
	/* At a space when the row has one, else inside the word (marked). */
	size_t take = space ? space : fit;
	if (take == 0) { /* one character wider than the row: it goes, cut */
		mbstate_t s2;
		memset(&s2, 0, sizeof s2);
		size_t n = mbrlen(text, len, &s2);
		take = n == 0 || n > len ? 1 : n;
	}
	return take;
}

void copy_osc52(const char *text)
{
	size_t len = strlen(text);
	unsigned char *b64 = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)text, (int)len);
	printf("\033]52;c;%s\a", b64);
	fflush(stdout);
	free(b64);
}
