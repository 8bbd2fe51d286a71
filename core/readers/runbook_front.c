/* A runbook's front matter (title, severity, owner, triggers) and what
 * is done with it: matching signals to triggers, and the runbook as JSON. */
#include "runbook.h"
#include "runbook_doc.h"
#include "runbook_impl.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "sanitize.h"
#include "xalloc.h"

/* One pair of surrounding quotes removed, as YAML does: "..." as written
 * (no escapes: a trigger's \S must reach PCRE2 as it is), '...' with
 * each '' read as '. */
static char *unquote(const char *s)
{
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		return xasprintf("%.*s", (int)(n - 2), s + 1);
	if (n >= 2 && s[0] == '\'' && s[n - 1] == '\'') {
		char *out = xmalloc(n), *o = out;
		for (size_t i = 1; i + 1 < n; i++) {
			*o++ = s[i];
			if (s[i] == '\'' && s[i + 1] == '\'' && i + 2 < n)
				i++;
		}
		*o = '\0';
		return out;
	}
	return xstrdup(s);
}

/* A trigger is matched against every signal, whenever the suggestion is
 * recomputed: a pattern that backtracks without end ((a+)+$ against a
 * long SLO name took 0.15 s a match) would freeze the console. PCRE2
 * stops a match at these limits, and it counts as no match. */
#define TRIGGER_MATCH_LIMIT 100000
#define TRIGGER_DEPTH_LIMIT 10000

static int trigger_run(const pcre2_code *re, const char *subject, size_t len)
{
	static pcre2_match_context *ctx;
	if (!ctx) {
		ctx = pcre2_match_context_create(NULL);
		if (!ctx)
			abort();
		pcre2_set_match_limit(ctx, TRIGGER_MATCH_LIMIT);
		pcre2_set_depth_limit(ctx, TRIGGER_DEPTH_LIMIT);
	}
	pcre2_match_data *m = pcre2_match_data_create_from_pattern(re, NULL);
	if (!m)
		abort();
	int rc = pcre2_match(re, (PCRE2_SPTR)subject, len, 0, 0, m, ctx);
	pcre2_match_data_free(m);
	return rc;
}

/* Whether the pattern reaches the limits on signals of the shapes the
 * console makes, with long names: it would then never match them. */
static bool trigger_too_costly(const pcre2_code *re)
{
	char name[257], subject[3][1400];
	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	snprintf(subject[0], sizeof subject[0], "slo %s page 1h/5m endpoint %s", name, name);
	snprintf(subject[1], sizeof subject[1], "canary %s %s %s %s fail", name, name, name, name);
	snprintf(subject[2], sizeof subject[2], "%s", name);
	for (size_t i = 0; i < 3; i++) {
		int rc = trigger_run(re, subject[i], strlen(subject[i]));
		if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
			return true;
	}
	return false;
}

static void trigger_add(struct runbook *rb, const char *path, const char *raw, int line,
			struct runbook_problems *problems)
{
	char *pattern = unquote(raw);
	int code;
	PCRE2_SIZE offset;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &offset, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		runbook_warning(problems, path, line, "invalid trigger pattern at offset %zu: %s", (size_t)offset, (char *)msg);
		free(pattern);
		return;
	}
	if (trigger_too_costly(re))
		runbook_warning(problems, path, line,
				"trigger pattern backtracks past PCRE2's match limit on a long signal, and so never "
				"matches one (nested repeats like (a+)+ do this): simplify it");
	rb->triggers = xrealloc(rb->triggers, (rb->n_triggers + 1) * sizeof *rb->triggers);
	rb->triggers[rb->n_triggers++] = (struct runbook_trigger){ pattern, re, line };
}

/* Where the line at pos ends (its \n, \r\n or lone \r, or len), and
 * where the next one starts. */
static size_t line_end(const char *text, size_t len, size_t pos, size_t *next)
{
	size_t end = pos;
	while (end < len && text[end] != '\n' && text[end] != '\r')
		end++;
	*next = end;
	if (*next < len)
		*next += text[end] == '\r' && end + 1 < len && text[end + 1] == '\n' ? 2 : 1;
	return end;
}

/* "---", perhaps with blanks after it. */
static bool is_fence(const char *l, size_t n)
{
	if (n < 3 || memcmp(l, "---", 3) != 0)
		return false;
	for (size_t i = 3; i < n; i++)
		if (l[i] != ' ' && l[i] != '\t')
			return false;
	return true;
}

static bool is_list_item(const char *t)
{
	return t[0] == '-' && (t[1] == ' ' || t[1] == '\t' || t[1] == '\0');
}

/* The front matter: `key: value` lines, and `triggers:` followed by
 * `  - PATTERN` lines, in the YAML subset teams write for Hugo and
 * Jekyll: other keys, and what is indented or listed under them, are
 * passed over with a warning. Returns the body's offset in text. */
size_t runbook_front_matter(struct runbook *rb, const char *text, size_t len, const char *path,
			   struct runbook_problems *problems, bool *closed)
{
	*closed = true;
	size_t pos, first = line_end(text, len, 0, &pos);
	if (!is_fence(text, first) || pos == first)
		return 0; /* no --- line, or one with no line end: no front matter */
	int line = 2;
	/* What the lines indented or listed under the last key are. */
	enum { UNDER_NOTHING, UNDER_TRIGGERS, UNDER_SKIPPED } under = UNDER_NOTHING;
	while (pos < len) {
		size_t next, end = line_end(text, len, pos, &next);
		if (is_fence(text + pos, end - pos))
			return next;
		bool has_nul = memchr(text + pos, '\0', end - pos) != NULL;
		char *l = xasprintf("%.*s", (int)(end - pos), text + pos);
		pos = next;
		char *t = l + strspn(l, " \t");
		bool item = is_list_item(t);
		if (has_nul) {
			/* A string cut at the NUL would be another value (a
			 * trigger ^slo\0(a+)+$ became ^slo, matching any SLO). */
			runbook_warning(problems, path, line, "front matter: a NUL byte in the line: not used");
			if (t == l && !item)
				under = UNDER_SKIPPED;
		} else if (!*t || *t == '#') {
			/* blank or comment */
		} else if (under == UNDER_TRIGGERS && item) {
			char *pat = t + 1 + strspn(t + 1, " \t");
			runbook_trim(pat);
			trigger_add(rb, path, pat, line, problems);
		} else if (under == UNDER_SKIPPED && (item || t != l)) {
			/* under a key already warned about */
		} else {
			char *colon = strchr(t, ':');
			under = UNDER_NOTHING;
			if (!colon || t != l) {
				runbook_warning(problems, path, line, "front matter: expected `key: value`");
			} else {
				*colon = '\0';
				char *value = colon + 1;
				runbook_trim(value);
				char **slot = strcmp(t, "title") == 0      ? &rb->title
					      : strcmp(t, "severity") == 0 ? &rb->severity
					      : strcmp(t, "owner") == 0    ? &rb->owner
									   : NULL;
				if (slot && *value) {
					free(*slot);
					*slot = unquote(value);
				} else if (strcmp(t, "triggers") == 0 && !*value) {
					under = UNDER_TRIGGERS;
				} else {
					under = UNDER_SKIPPED;
					if (slot)
						runbook_warning(problems, path, line,
							"front matter: %s: expected a value on its line", t);
					else if (strcmp(t, "triggers") == 0)
						runbook_warning(problems, path, line,
							"front matter: triggers: expected nothing after the colon, then `  - PATTERN` lines");
					else
						runbook_warning(problems, path, line,
							"front matter: unknown key '%.40s' ignored (cmdr reads title, severity, owner, triggers)",
							t);
				}
			}
		}
		free(l);
		line++;
	}
	*closed = false;
	return len;
}

int runbook_match(const struct runbook *rb, const char *const *signals, size_t n_signals, size_t *signal)
{
	int found = -1;
	for (size_t t = 0; t < rb->n_triggers && found < 0; t++) {
		for (size_t s = 0; s < n_signals; s++) {
			if (trigger_run(rb->triggers[t].code, signals[s], strlen(signals[s])) >= 0) {
				found = (int)t;
				if (signal)
					*signal = s;
				break;
			}
		}
	}
	return found;
}

static cJSON *codes_json(const struct runbook_code *codes, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "info", codes[i].info);
		cJSON_AddStringToObject(c, "text", codes[i].text);
		cJSON_AddNumberToObject(c, "line", codes[i].line);
		cJSON_AddItemToArray(arr, c);
	}
	return arr;
}

struct cJSON *runbook_to_json(const struct runbook *rb)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "path", rb->path);
	cJSON_AddStringToObject(o, "name", rb->name);
	cJSON_AddStringToObject(o, "title", rb->title ? rb->title : rb->name);
	if (rb->severity)
		cJSON_AddStringToObject(o, "severity", rb->severity);
	if (rb->owner)
		cJSON_AddStringToObject(o, "owner", rb->owner);
	cJSON *triggers = cJSON_AddArrayToObject(o, "triggers");
	for (size_t i = 0; i < rb->n_triggers; i++)
		cJSON_AddItemToArray(triggers, cJSON_CreateString(rb->triggers[i].pattern));
	cJSON *sections = cJSON_AddArrayToObject(o, "sections");
	for (size_t i = 0; i < rb->n_sections; i++) {
		const struct runbook_section *s = &rb->sections[i];
		cJSON *sj = cJSON_CreateObject();
		cJSON_AddStringToObject(sj, "title", s->title);
		cJSON_AddStringToObject(sj, "slug", s->slug);
		cJSON_AddNumberToObject(sj, "level", s->level);
		cJSON_AddNumberToObject(sj, "line", s->line);
		cJSON_AddItemToObject(sj, "codes", codes_json(s->codes, s->n_codes));
		cJSON_AddItemToArray(sections, sj);
	}
	cJSON *steps = cJSON_AddArrayToObject(o, "steps");
	for (size_t i = 0; i < rb->n_steps; i++) {
		const struct runbook_step *s = &rb->steps[i];
		cJSON *sj = cJSON_CreateObject();
		cJSON_AddStringToObject(sj, "id", s->id);
		cJSON_AddStringToObject(sj, "text", s->text);
		cJSON_AddNumberToObject(sj, "line", s->line);
		cJSON_AddNumberToObject(sj, "depth", s->depth);
		cJSON_AddBoolToObject(sj, "task", s->task);
		cJSON_AddBoolToObject(sj, "done", s->done_in_file);
		cJSON_AddNumberToObject(sj, "number", s->number);
		cJSON_AddNumberToObject(sj, "section", (double)s->section);
		cJSON_AddItemToObject(sj, "codes", codes_json(s->codes, s->n_codes));
		cJSON_AddItemToArray(steps, sj);
	}
	cJSON_AddItemToObject(o, "blocks", runbook_blocks_json(rb));
	return o;
}
