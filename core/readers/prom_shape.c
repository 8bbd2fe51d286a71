/* Reads a query of the batchable shape (prom_shape.h) with a small
 * recursive-descent reader that accepts only that shape: any other token,
 * escape or modifier (offset, @, a subquery) means "not of the shape", so
 * a query is batched only when cmdr can say exactly what the batch gives. */
#include "prom_shape.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char *const range_fns[] = { "rate", "increase", "sum_over_time", "count_over_time" };

struct shape_reader {
	const char *s;
	size_t at;
	struct prom_shape *out;
};

static void skip_space(struct shape_reader *r)
{
	while (r->s[r->at] == ' ' || r->s[r->at] == '\t' || r->s[r->at] == '\n' || r->s[r->at] == '\r')
		r->at++;
}

static bool take(struct shape_reader *r, const char *tok)
{
	skip_space(r);
	size_t n = strlen(tok);
	if (strncmp(r->s + r->at, tok, n) != 0)
		return false;
	r->at += n;
	return true;
}

static bool ident_char(char c, bool first, bool colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
	       (!first && c >= '0' && c <= '9');
}

/* An identifier (a metric name when colon), its length; 0 when none. */
static size_t ident(struct shape_reader *r, bool colon)
{
	skip_space(r);
	size_t n = 0;
	while (ident_char(r->s[r->at + n], n == 0, colon))
		n++;
	return n;
}

/* A quoted string with no escape but \\, \" and \' and no control
 * character; "{{" or "}}" in it would read as a placeholder later. */
static char *string_lit(struct shape_reader *r)
{
	skip_space(r);
	char quote = r->s[r->at];
	if (quote != '"' && quote != '\'')
		return NULL;
	size_t i = r->at + 1, len = 0;
	char *v = xmalloc(strlen(r->s + i) + 1);
	for (;; i++) {
		char c = r->s[i];
		if (c == quote)
			break;
		if (c == '\\') {
			c = r->s[++i];
			if (c != '\\' && c != '"' && c != '\'')
				break;
		}
		if ((unsigned char)c < 0x20 || c == 0x7f)
			break;
		v[len++] = c;
	}
	v[len] = '\0';
	if (r->s[i] != quote || strstr(v, "{{") || strstr(v, "}}")) {
		free(v);
		return NULL;
	}
	r->at = i + 1;
	return v;
}

static bool matcher(struct shape_reader *r)
{
	size_t n = ident(r, false);
	if (!n)
		return false;
	const char *label = r->s + r->at;
	r->at += n;
	skip_space(r);
	size_t op = r->at;
	if (!take(r, "=~") && !take(r, "!=") && !take(r, "!~") && !take(r, "="))
		return false;
	bool eq = r->at - op == 1;
	char *value = string_lit(r);
	if (!value)
		return false;
	if (!eq) {
		free(value);
		return true;
	}
	struct prom_shape *o = r->out;
	o->eqs = xrealloc(o->eqs, (o->n_eqs + 1) * sizeof *o->eqs);
	o->eqs[o->n_eqs++] = (struct prom_eq){ .label = xstrndup(label, n), .value = value, .op = op, .end = r->at };
	return true;
}

/* METRIC, METRIC{...} or {...}, with at least one of them. */
static bool selector(struct shape_reader *r)
{
	size_t n = ident(r, true);
	r->at += n;
	if (!take(r, "{"))
		return n > 0;
	if (take(r, "}"))
		return n > 0;
	for (;;) {
		if (!matcher(r))
			return false;
		if (take(r, "}"))
			return true;
		if (!take(r, ","))
			return false;
		if (take(r, "}")) /* a trailing comma */
			return true;
	}
}

static bool range_fn(struct shape_reader *r)
{
	size_t n = ident(r, false);
	for (size_t i = 0; i < sizeof range_fns / sizeof range_fns[0]; i++) {
		if (strlen(range_fns[i]) == n && strncmp(r->s + r->at, range_fns[i], n) == 0) {
			r->at += n;
			return true;
		}
	}
	return false;
}

bool prom_shape_read(const char *query, struct prom_shape *out)
{
	memset(out, 0, sizeof *out);
	struct shape_reader r = { .s = query, .out = out };
	bool ok = ident(&r, false) == 3 && strncmp(query + r.at, "sum", 3) == 0;
	if (ok) {
		r.at += 3;
		ok = take(&r, "(");
	}
	out->body = r.at;
	ok = ok && range_fn(&r) && take(&r, "(") && selector(&r) && take(&r, "[") && take(&r, "{{window}}") &&
	     take(&r, "]") && take(&r, ")") && take(&r, ")");
	if (ok) {
		skip_space(&r);
		ok = query[r.at] == '\0';
	}
	if (!ok) {
		prom_shape_free(out);
		return false;
	}
	out->text = xstrdup(query);
	return true;
}

void prom_shape_free(struct prom_shape *s)
{
	for (size_t i = 0; i < s->n_eqs; i++) {
		free(s->eqs[i].label);
		free(s->eqs[i].value);
	}
	free(s->eqs);
	free(s->text);
	memset(s, 0, sizeof *s);
}

char *prom_shape_key(const struct prom_shape *s, size_t eq)
{
	const struct prom_eq *e = &s->eqs[eq];
	return xasprintf("%.*s=\x01%s", (int)e->op, s->text, s->text + e->end);
}

/* v as an RE2 literal, inside a double-quoted PromQL string: a regex
 * metacharacter gets the regex's backslash, written as the string's "\\",
 * and the string's own escapes follow. */
static void append_literal(char **buf, size_t *len, size_t *cap, const char *v)
{
	for (; *v; v++) {
		xgrow(buf, cap, *len + 5, 1);
		if (strchr("\\.+*?()|[]{}^$", *v)) {
			(*buf)[(*len)++] = '\\';
			(*buf)[(*len)++] = '\\';
		}
		if (*v == '"' || *v == '\\')
			(*buf)[(*len)++] = '\\';
		(*buf)[(*len)++] = *v;
	}
}

char *prom_shape_batch(const struct prom_shape *s, size_t eq, const char *const *values, size_t n)
{
	const struct prom_eq *e = &s->eqs[eq];
	size_t cap = 256, len = 0;
	char *re = xmalloc(cap);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(values[i], values[i - 1]) == 0)
			continue;
		if (len) {
			xgrow(&re, &cap, len + 2, 1);
			re[len++] = '|';
		}
		append_literal(&re, &len, &cap, values[i]);
	}
	xgrow(&re, &cap, len + 1, 1);
	re[len] = '\0';
	char *q = xasprintf("sum by (%s) (%.*s=~\"%s\"%s", e->label, (int)(e->op - s->body), s->text + s->body, re,
			    s->text + e->end);
	free(re);
	return q;
}
