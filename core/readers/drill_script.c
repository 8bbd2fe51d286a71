#include "drill_script.h"

#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "timefmt.h"
#include "xalloc.h"

void drill_script_free(struct drill_script *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->steps[i].as);
		free(s->steps[i].command);
	}
	free(s->steps);
	memset(s, 0, sizeof *s);
}

/* The next word of line[*at..end) as a fresh string, or NULL. */
static char *word(const char *line, size_t end, size_t *at)
{
	while (*at < end && (line[*at] == ' ' || line[*at] == '\t'))
		(*at)++;
	size_t from = *at;
	while (*at < end && line[*at] != ' ' && line[*at] != '\t')
		(*at)++;
	if (*at == from)
		return NULL;
	char *w = xmalloc(*at - from + 1);
	memcpy(w, line + from, *at - from);
	w[*at - from] = '\0';
	return w;
}

static int bad(struct error *err, const char *path, unsigned line, const char *what, const char *got)
{
	char shown[64] = "";
	if (got)
		sanitize_text(got, shown, sizeof shown);
	return error_set(err, "%s:%u: %s%s%s%s", path, line, what, got ? " (got '" : "", shown, got ? "')" : "");
}

int drill_script_parse(const char *text, size_t len, const char *path, int64_t start_ms,
		       struct drill_script *out, struct error *err)
{
	memset(out, 0, sizeof *out);
	size_t cap = 0;
	unsigned lineno = 0;
	int64_t last = INT64_MIN;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *line = text;
		size_t at = pos;
		lineno++;
		pos = end + 1;
		if (memchr(text + at, '\0', end - at) || utf8_check(text + at, end - at) != end - at) {
			drill_script_free(out);
			return bad(err, path, lineno, "not a line of UTF-8 text", NULL);
		}
		while (at < end && (line[at] == ' ' || line[at] == '\t' || line[at] == '\r'))
			at++;
		if (at == end || line[at] == '#')
			continue;
		while (end > at && (line[end - 1] == '\r' || line[end - 1] == ' '))
			end--;
		char *when = word(line, end, &at);
		int64_t t;
		if (!timefmt_parse_at(when, start_ms, &t) || t < start_ms) {
			int rc = bad(err, path, lineno, "expected a time on the scenario's day (HH:MM:SS or +5m)", when);
			free(when);
			drill_script_free(out);
			return rc;
		}
		free(when);
		if (t < last) {
			drill_script_free(out);
			return bad(err, path, lineno, "steps must be in time order", NULL);
		}
		last = t;
		char *as = NULL;
		size_t save = at;
		char *w = word(line, end, &at);
		if (w && strcmp(w, "as") == 0) {
			as = word(line, end, &at);
			if (!as) {
				free(w);
				drill_script_free(out);
				return bad(err, path, lineno, "\"as\" needs a name", NULL);
			}
		} else {
			at = save;
		}
		free(w);
		while (at < end && (line[at] == ' ' || line[at] == '\t'))
			at++;
		if (at == end) {
			free(as);
			drill_script_free(out);
			return bad(err, path, lineno, "a command is missing after the time", NULL);
		}
		xgrow(&out->steps, &cap, out->n + 1, sizeof *out->steps);
		struct script_step *s = &out->steps[out->n++];
		s->at_ms = t;
		s->as = as;
		s->command = xmalloc(end - at + 1);
		memcpy(s->command, line + at, end - at);
		s->command[end - at] = '\0';
		s->line = lineno;
	}
	return 0;
}
