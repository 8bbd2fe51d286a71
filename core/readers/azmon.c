#include "azmon.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apimsg.h"
#include "jsonmsg.h"
#include "sanitize.h"
#include "timefmt.h"
#include "xalloc.h"


/* ---- requests ---------------------------------------------------------- */

char *azmon_query_url(bool app_insights, const char *base, const char *id)
{
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	char *eid = apimsg_url_escape(id);
	char *url = xasprintf("%.*s/v1/%s/%s/query", (int)n, base, app_insights ? "apps" : "workspaces",
			      eid);
	free(eid);
	return url;
}

static void *json_check(void *p)
{
	if (!p) {
		fprintf(stderr, "cmdr: out of memory building JSON\n");
		abort();
	}
	return p;
}

char *azmon_query_body(const char *kql, int64_t start_ms, int64_t end_ms)
{
	char start[32], end[32], span[72];
	timefmt_iso(start_ms, start, sizeof start);
	timefmt_iso(end_ms, end, sizeof end);
	snprintf(span, sizeof span, "%s/%s", start, end);
	cJSON *o = json_check(cJSON_CreateObject());
	json_check(cJSON_AddStringToObject(o, "query", kql));
	json_check(cJSON_AddStringToObject(o, "timespan", span));
	char *text = json_check(cJSON_PrintUnformatted(o));
	cJSON_Delete(o);
	char *copy = xstrdup(text);
	cJSON_free(text);
	return copy;
}

/* ---- messages ---------------------------------------------------------- */

static const char *str_item(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* The detail worth a glance under an error: the code of the first level
 * below it (details[0], else innererror) with the deepest message there,
 * where the service says what actually failed ("Query could not be parsed
 * at 'x' on line [1,5]", "exceeded the allowed limits ..."). */
static void error_detail(const cJSON *e, char *buf, size_t size)
{
	const cJSON *details = cJSON_GetObjectItemCaseSensitive(e, "details");
	const cJSON *first = cJSON_IsArray(details) ? details->child : NULL;
	if (!cJSON_IsObject(first))
		first = cJSON_GetObjectItemCaseSensitive(e, "innererror");
	buf[0] = '\0';
	if (!cJSON_IsObject(first))
		return;
	const char *code = str_item(first, "code"), *message = NULL;
	int depth = 0;
	for (const cJSON *level = first; cJSON_IsObject(level) && depth < 16; depth++) {
		if (str_item(level, "message"))
			message = str_item(level, "message");
		level = cJSON_GetObjectItemCaseSensitive(level, "innererror");
	}
	if (code && message)
		snprintf(buf, size, " (%s: %.120s)", code, message);
	else if (code || message)
		snprintf(buf, size, " (%.120s)", code ? code : message);
}

/* "CODE: message (detail)" from the documented error object; false when
 * v is no such thing. */
static bool describe_error(const cJSON *v, char *buf, size_t size)
{
	if (cJSON_IsString(v) && v->valuestring[0]) {
		snprintf(buf, size, "%.300s", v->valuestring);
		return true;
	}
	if (!cJSON_IsObject(v))
		return false;
	const char *code = str_item(v, "code"), *message = str_item(v, "message");
	char detail[200];
	error_detail(v, detail, sizeof detail);
	if (code && message)
		snprintf(buf, size, "%.80s: %.300s%s", code, message, detail);
	else if (code || message)
		snprintf(buf, size, "%.300s%s", code ? code : message, detail);
	else if (detail[0])
		snprintf(buf, size, "error%s", detail);
	else
		return false;
	return true;
}

/* ---- tables ------------------------------------------------------------ */

struct reader {
	struct error *err;
	struct jsonmsg_path path;
	size_t cells;   /* in all tables so far */
};

static int shape(struct reader *r, const cJSON *v, const char *expected)
{
	char got[96];
	jsonmsg_describe(v, JSONMSG_NEWLINE_N, got, sizeof got);
	return apimsg_error_set(r->err, "unexpected response: %s: expected %s, got %s", r->path.text, expected, got);
}

static size_t array_len(const cJSON *a)
{
	size_t n = 0;
	for (const cJSON *c = a->child; c; c = c->next)
		n++;
	return n;
}

/* obj[key] must be an array; leaves the key on the path. */
static int get_array(struct reader *r, const cJSON *obj, const char *key, const cJSON **out)
{
	*out = cJSON_GetObjectItemCaseSensitive(obj, key);
	jsonmsg_path_key(&r->path, key);
	return cJSON_IsArray(*out) ? 0 : shape(r, *out, "an array");
}

/* An optional string (NULL or absent reads as ""). */
static int get_opt_string(struct reader *r, const cJSON *obj, const char *key, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v || cJSON_IsNull(v)) {
		*out = xstrdup("");
		return 0;
	}
	if (!cJSON_IsString(v)) {
		size_t old = jsonmsg_path_key(&r->path, key);
		shape(r, v, "a string");
		jsonmsg_path_pop(&r->path, old);
		return -1;
	}
	*out = xstrdup(v->valuestring);
	return 0;
}

static void read_cell(const cJSON *v, struct kql_cell *c)
{
	if (cJSON_IsNumber(v)) {
		c->type = KQL_NUMBER;
		c->num = v->valuedouble;
	} else if (cJSON_IsBool(v)) {
		c->type = KQL_BOOL;
		c->b = cJSON_IsTrue(v);
	} else if (cJSON_IsString(v)) {
		c->type = KQL_STRING;
		c->str = xstrdup(v->valuestring);
	} else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		char *text = json_check(cJSON_PrintUnformatted(v));
		c->type = KQL_STRING;
		c->str = xstrdup(text);
		cJSON_free(text);
	} else {
		c->type = KQL_NULL;
	}
}

static int read_columns(struct reader *r, const cJSON *cols, struct kql_table *t)
{
	size_t n = array_len(cols);
	if (n > AZMON_MAX_COLUMNS)
		return apimsg_error_set(r->err, "unexpected response: %s has %zu columns (at most %d)", r->path.text, n,
			    AZMON_MAX_COLUMNS);
	t->col_names = xcalloc(n, sizeof *t->col_names);
	t->col_types = xcalloc(n, sizeof *t->col_types);
	t->n_cols = n;
	size_t i = 0;
	for (const cJSON *c = cols->child; c; c = c->next, i++) {
		size_t old = jsonmsg_path_index(&r->path, i);
		if (!cJSON_IsObject(c))
			return shape(r, c, "an object with a name and a type");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
		if (!cJSON_IsString(name)) {
			jsonmsg_path_key(&r->path, "name");
			return shape(r, name, "a string");
		}
		t->col_names[i] = xstrdup(name->valuestring);
		if (get_opt_string(r, c, "type", &t->col_types[i]) < 0)
			return -1;
		jsonmsg_path_pop(&r->path, old);
	}
	return 0;
}

static int read_rows(struct reader *r, const cJSON *rows, struct kql_table *t)
{
	size_t n = array_len(rows);
	/* Checked before allocating, so a huge response fails fast. */
	if (t->n_cols > 0 && n > (AZMON_MAX_CELLS - r->cells) / t->n_cols)
		return apimsg_error_set(r->err,
			    "unexpected response: %s: %zu rows of %zu columns make more than %d cells in "
			    "all (narrow the query)",
			    r->path.text, n, t->n_cols, AZMON_MAX_CELLS);
	t->cells = xcalloc(n * t->n_cols, sizeof *t->cells);
	t->n_rows = n;
	r->cells += n * t->n_cols;
	size_t i = 0;
	for (const cJSON *row = rows->child; row; row = row->next, i++) {
		size_t old = jsonmsg_path_index(&r->path, i);
		if (!cJSON_IsArray(row))
			return shape(r, row, "an array of values");
		size_t k = array_len(row);
		if (k != t->n_cols)
			return apimsg_error_set(r->err, "unexpected response: %s has %zu value%s for %zu column%s",
				    r->path.text, k, k == 1 ? "" : "s", t->n_cols, t->n_cols == 1 ? "" : "s");
		size_t j = 0;
		for (const cJSON *v = row->child; v; v = v->next, j++)
			read_cell(v, &t->cells[i * t->n_cols + j]);
		jsonmsg_path_pop(&r->path, old);
	}
	return 0;
}

static int read_table(struct reader *r, const cJSON *v, struct kql_table *t)
{
	if (!cJSON_IsObject(v))
		return shape(r, v, "an object with columns and rows");
	if (get_opt_string(r, v, "name", &t->name) < 0)
		return -1;
	const cJSON *cols, *rows;
	size_t old = r->path.len;
	if (get_array(r, v, "columns", &cols) < 0 || read_columns(r, cols, t) < 0)
		return -1;
	jsonmsg_path_pop(&r->path, old);
	if (get_array(r, v, "rows", &rows) < 0 || read_rows(r, rows, t) < 0)
		return -1;
	jsonmsg_path_pop(&r->path, old);
	return 0;
}

static int read_tables(struct reader *r, const cJSON *root, struct kql_result *out)
{
	const cJSON *tables;
	if (get_array(r, root, "tables", &tables) < 0)
		return -1;
	size_t n = array_len(tables);
	if (n > AZMON_MAX_TABLES)
		return apimsg_error_set(r->err, "unexpected response: %s has %zu tables (at most %d)", r->path.text, n,
			    AZMON_MAX_TABLES);
	out->tables = xcalloc(n, sizeof *out->tables);
	out->n_tables = n;
	size_t i = 0;
	for (const cJSON *t = tables->child; t; t = t->next, i++) {
		size_t old = jsonmsg_path_index(&r->path, i);
		if (read_table(r, t, &out->tables[i]) < 0)
			return -1;
		jsonmsg_path_pop(&r->path, old);
	}
	return 0;
}

/* ---- responses --------------------------------------------------------- */

static int http_error(long status, const char *body, size_t len, struct error *err)
{
	size_t at;
	cJSON *root = apimsg_json_parse(body, len, &at);
	char what[600];
	if (root && describe_error(cJSON_GetObjectItemCaseSensitive(root, "error"), what, sizeof what)) {
		cJSON_Delete(root);
		return apimsg_error_set(err, "HTTP %ld %s", status, what);
	}
	cJSON_Delete(root);
	char ex[APIMSG_EXCERPT_MAX + 16];
	apimsg_excerpt(body, len, ex, sizeof ex);
	return apimsg_error_set(err, "HTTP %ld: %s", status, ex);
}

int azmon_parse(long http_status, const char *content_type, const char *body, size_t len,
		struct kql_result *out, struct error *err)
{
	*out = (struct kql_result){ 0 };
	if (http_status < 200 || http_status > 299)
		return http_error(http_status, body, len, err);

	char ex[APIMSG_EXCERPT_MAX + 16];
	if (!content_type || !content_type[0]) {
		apimsg_excerpt(body, len, ex, sizeof ex);
		return apimsg_error_set(err, "HTTP %ld with no content type (expected application/json): %s", http_status,
			    ex);
	}
	if (!apimsg_is_json(content_type)) {
		apimsg_excerpt(body, len, ex, sizeof ex);
		return apimsg_error_set(err, "HTTP %ld with content type \"%.60s\" (expected application/json): %s",
			    http_status, content_type, ex);
	}
	if (len == 0)
		return apimsg_error_set(err, "HTTP %ld with an empty body (expected JSON)", http_status);

	size_t at;
	cJSON *root = apimsg_json_parse(body, len, &at);
	if (!root)
		return apimsg_error_set(err, "invalid JSON at byte %zu (of %zu)", at, len);

	struct reader r = { .err = err };
	jsonmsg_path_init(&r.path, JSONMSG_NEWLINE_N);
	int rc = 0;
	char what[600];
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (!cJSON_IsObject(root)) {
		rc = shape(&r, root, "an object with tables");
	} else if (e && !cJSON_IsNull(e)) {
		if (!describe_error(e, what, sizeof what))
			snprintf(what, sizeof what, "error (with no code or message)");
		rc = apimsg_error_set(err, "Azure Monitor %s", what);
	} else {
		rc = read_tables(&r, root, out);
	}
	cJSON_Delete(root);
	if (rc < 0)
		kql_result_free(out);
	return rc;
}

void kql_result_free(struct kql_result *r)
{
	for (size_t i = 0; i < r->n_tables; i++) {
		struct kql_table *t = &r->tables[i];
		for (size_t j = 0; j < t->n_cols; j++) {
			free(t->col_names[j]);
			free(t->col_types[j]);
		}
		if (t->cells)
			for (size_t k = 0; k < t->n_rows * t->n_cols; k++)
				free(t->cells[k].str);
		free(t->col_names);
		free(t->col_types);
		free(t->cells);
		free(t->name);
	}
	free(r->tables);
	*r = (struct kql_result){ 0 };
}

/* ---- cells ------------------------------------------------------------- */

/* A JSON-style decimal number and nothing else: no spaces, no hex, no
 * "nan" or "inf", which strtod alone would take. */
static bool is_decimal(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!(*s >= '0' && *s <= '9'))
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

bool kql_cell_number(const struct kql_cell *c, double *out)
{
	double x;
	if (c->type == KQL_NUMBER) {
		x = c->num;
	} else if (c->type == KQL_STRING && c->str && is_decimal(c->str)) {
		/* LC_NUMERIC stays "C" (the TUI sets LC_CTYPE only), so '.' is
		 * the decimal point strtod expects. */
		x = strtod(c->str, NULL);
	} else {
		return false;
	}
	if (!isfinite(x))
		return false;
	*out = x;
	return true;
}

int kql_column(const struct kql_table *t, const char *name)
{
	for (size_t i = 0; i < t->n_cols; i++)
		if (strcmp(t->col_names[i], name) == 0)
			return (int)i;
	return -1;
}

const struct kql_cell *kql_cell_at(const struct kql_table *t, size_t row, size_t col)
{
	if (row >= t->n_rows || col >= t->n_cols)
		abort();
	return &t->cells[row * t->n_cols + col];
}
