/* Alerts and label matchers (core/model/alert.h). */
#include "alert.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

const char *alert_label(const struct alert *a, const char *name)
{
	for (size_t i = 0; i < a->n_labels; i++)
		if (strcmp(a->names[i], name) == 0)
			return a->values[i];
	return NULL;
}

const char *alert_slo(const struct alert *a)
{
	const char *s = alert_label(a, "sloth_slo");
	return s ? s : alert_label(a, "slo");
}

const char *alert_state_name(const struct alert *a)
{
	if (a->state == ALERT_UNPROCESSED)
		return "unprocessed";
	if (a->state == ALERT_SUPPRESSED)
		return a->n_silenced_by || !a->n_inhibited_by ? "silenced" : "inhibited";
	return "active";
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_alert(const void *pa, const void *pb)
{
	const struct alert *a = pa, *b = pb;
	int c = cmp_str(alert_label(a, "alertname"), alert_label(b, "alertname"));
	if (!c)
		c = cmp_str(alert_label(a, "severity"), alert_label(b, "severity"));
	if (!c)
		c = (a->starts_ms > b->starts_ms) - (a->starts_ms < b->starts_ms);
	return c;
}

void alert_set_sort(struct alert_set *s)
{
	if (s->n > 1)
		qsort(s->alerts, s->n, sizeof *s->alerts, cmp_alert);
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void alert_free(struct alert *a)
{
	free_strings(a->names, a->n_labels);
	free_strings(a->values, a->n_labels);
	free_strings(a->silenced_by, a->n_silenced_by);
	free_strings(a->inhibited_by, a->n_inhibited_by);
	free(a->summary);
	free(a->fingerprint);
	memset(a, 0, sizeof *a);
}

void alert_set_free(struct alert_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		alert_free(&s->alerts[i]);
	free(s->alerts);
	memset(s, 0, sizeof *s);
}

/* ---- matchers ---------------------------------------------------------- */

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

/* A quoted value: "..." with \" and \\ (and \n) escapes, nothing after. */
static char *unquote(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return NULL;
	char *out = xmalloc(n), *o = out;
	for (size_t i = 1; i < n - 1; i++) {
		if (s[i] == '"') {
			free(out);
			return NULL;
		}
		if (s[i] == '\\' && i + 1 < n - 1) {
			i++;
			*o++ = s[i] == 'n' ? '\n' : s[i];
		} else if (s[i] == '\\') {
			free(out);
			return NULL;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

static pcre2_code *compile(const char *value, struct error *err)
{
	char *pattern = xasprintf("^(?:%s)$", value);
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code, &off, NULL);
	free(pattern);
	if (!re && err) {
		PCRE2_UCHAR msg[120];
		pcre2_get_error_message(code, msg, sizeof msg);
		error_set(err, "bad regex in a matcher: %s", (const char *)msg);
	}
	return re;
}

int alert_matcher_parse(const char *text, struct alert_matcher *m, struct error *err)
{
	memset(m, 0, sizeof *m);
	const char *p = text;
	while (*p == ' ')
		p++;
	const char *start = p;
	while (name_char(*p, p == start))
		p++;
	if (p == start)
		return error_set(err, "expected a matcher such as alertname=\"X\" (a label name, then = != =~ or !~, "
				      "then a value)");
	size_t nlen = (size_t)(p - start);
	bool equal = *p == '=', regex;
	if (p[0] == '=' || (p[0] == '!' && p[1] == '=')) {
		p += equal ? 1 : 2;
		regex = equal && *p == '~';
		p += regex;
	} else if (p[0] == '!' && p[1] == '~') {
		p += 2;
		regex = true;
	} else {
		return error_set(err, "expected = != =~ or !~ after the label name in a matcher");
	}
	char *value = *p == '"' ? unquote(p) : xstrdup(p);
	if (!value)
		return error_set(err, "a matcher's quoted value must end with its closing \" (escape \" as \\\")");
	if (regex) {
		pcre2_code *re = compile(value, err);
		if (!re) {
			free(value);
			return -1;
		}
		pcre2_code_free(re);
	}
	*m = (struct alert_matcher){ xstrndup(start, nlen), value, regex, equal };
	return 0;
}

char *alert_matcher_format(const struct alert_matcher *m)
{
	size_t n = strlen(m->value);
	char *q = xmalloc(2 * n + 1), *o = q;
	for (size_t i = 0; i < n; i++) {
		if (m->value[i] == '"' || m->value[i] == '\\')
			*o++ = '\\';
		*o++ = m->value[i];
	}
	*o = '\0';
	static const char *const ops[2][2] = { { "!=", "!~" }, { "=", "=~" } };
	char *s = xasprintf("%s%s\"%s\"", m->name, ops[m->equal][m->regex], q);
	free(q);
	return s;
}

bool alert_matcher_match(const struct alert_matcher *m, const struct alert *a)
{
	const char *v = alert_label(a, m->name);
	if (!v)
		v = "";
	bool hit;
	if (!m->regex) {
		hit = strcmp(v, m->value) == 0;
	} else {
		pcre2_code *re = compile(m->value, NULL);
		if (!re)
			return false;
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
		hit = pcre2_match(re, (PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) >= 0;
		pcre2_match_data_free(md);
		pcre2_code_free(re);
	}
	return hit == m->equal;
}

bool alert_matches(const struct alert_matcher *ms, size_t n, const struct alert *a)
{
	for (size_t i = 0; i < n; i++)
		if (!alert_matcher_match(&ms[i], a))
			return false;
	return true;
}

void alert_matcher_free(struct alert_matcher *m)
{
	free(m->name);
	free(m->value);
	memset(m, 0, sizeof *m);
}
