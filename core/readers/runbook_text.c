/* Text as md4c hands it to the runbook reader: entities decoded, the
 * HTML GitHub hides recognised. */
#include "runbook_impl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A code point as UTF-8 (0 when it is not one to show). */
static size_t utf8_encode(unsigned long cp, char *out)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static const struct {
	const char *name, *text;
} entities[] = { { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" }, { "&#39;", "'" },
		 { "&nbsp;", " " } };

/* Tags of HTML as runbooks use it: <details>, <summary>, <br>, <kbd> ...
 * GitHub does not show them as text, and neither does a step. */
static const char *const html_tags[] = {
	"a", "abbr", "b", "big", "blockquote", "br", "center", "code", "dd", "del", "details", "div", "dl",
	"dt", "em", "figcaption", "figure", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
	"input", "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "samp", "small", "source",
	"span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
	"tr", "tt", "u", "ul", "var",
};

/* Inline HTML not to keep in a step's text: comments, and the tags of
 * HTML. Anything else that reads as a tag stays as written: in runbooks
 * it is a placeholder (`kubectl logs <pod-name>`), not markup. */
bool runbook_html_hidden(bool *in_comment, const char *text, size_t size)
{
	if (*in_comment || (size >= 4 && memcmp(text, "<!--", 4) == 0)) {
		/* md4c gives a comment over lines in pieces */
		*in_comment = !(size >= 3 && memcmp(text + size - 3, "-->", 3) == 0);
		return true;
	}
	if (size < 3 || text[0] != '<')
		return false;
	size_t i = text[1] == '/' ? 2 : 1, start = i;
	while (i < size && ((text[i] >= 'a' && text[i] <= 'z') || (text[i] >= 'A' && text[i] <= 'Z') ||
			    (text[i] >= '0' && text[i] <= '9')))
		i++;
	if (i == start || i - start > 10 || (i < size && !strchr(" \t\r\n/>", text[i])))
		return false;
	for (size_t k = 0; k < sizeof html_tags / sizeof *html_tags; k++)
		if (strlen(html_tags[k]) == i - start && strncasecmp(html_tags[k], text + start, i - start) == 0)
			return true;
	return false;
}

size_t runbook_entity(const char *text, size_t size, char utf8[8], const char **shown)
{
	if (size > 3 && text[1] == '#') {
		unsigned long cp = text[2] == 'x' || text[2] == 'X' ? strtoul(text + 3, NULL, 16)
								    : strtoul(text + 2, NULL, 10);
		size_t n = utf8_encode(cp, utf8);
		if (n) {
			*shown = utf8;
			return n;
		}
	}
	for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++) {
		if (strlen(entities[i].name) == size && memcmp(entities[i].name, text, size) == 0) {
			*shown = entities[i].text;
			return strlen(entities[i].text);
		}
	}
	*shown = text;
	return size;
}

/* Columns as md4c counts them: a tab to the next multiple of 4. */
static size_t next_col(size_t col, char c)
{
	return c == '\t' ? (col + 4) & ~(size_t)3 : col + 1;
}

const char *runbook_code_indent(const char *line, const char *text, size_t cols, size_t *spaces)
{
	size_t at = 0;
	for (const char *q = line; q < text; q++)
		at = next_col(at, *q);
	*spaces = cols;
	if (cols > at)
		return text;
	size_t start = at - cols, col = 0;
	const char *q = line;
	size_t lead = 0;
	while (q < text && col < start) {
		size_t next = next_col(col, *q++);
		if (next > start) /* a tab half in the container's indent */
			lead = next - start;
		col = next;
	}
	for (const char *w = q; w < text; w++)
		if (*w != ' ' && *w != '\t')
			return text;
	*spaces = lead;
	return q;
}
