#include "prom.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apimsg.h"
#include "jsonmsg.h"
#include "numeric.h"
#include "xalloc.h"

#define PROM_MAX_SERIES 100000
#define PROM_MAX_TOTAL_POINTS 1000000
#define PROM_MAX_LABELS 64

/* ---- URLs -------------------------------------------------------------- */

static char *with_base(const char *base, const char *path_and_query)
{
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	return xasprintf("%.*s%s", (int)n, base, path_and_query);
}

static void seconds(int64_t ms, char *buf, size_t size)
{
	/* Exact decimal seconds: no float rounding in what the server sees. */
	int64_t s = ms / 1000, r = ms % 1000;
	if (r < 0) {
		s -= 1;
		r += 1000;
	}
	snprintf(buf, size, "%lld.%03lld", (long long)s, (long long)r);
}

char *prom_query_params(const char *query, int64_t time_ms)
{
	char t[32];
	seconds(time_ms, t, sizeof t);
	char *q = apimsg_url_escape(query);
	char *params = xasprintf("query=%s&time=%s", q, t);
	free(q);
	return params;
}

char *prom_range_params(const char *query, int64_t start_ms, int64_t end_ms, int64_t step_ms, struct error *err)
{
	if (step_ms <= 0 || end_ms < start_ms) {
		error_set(err, "a range query needs a positive step and an end after its start");
		return NULL;
	}
	if ((end_ms - start_ms) / step_ms + 1 > PROM_MAX_POINTS) {
		error_set(err, "a range query of %lld points is over Prometheus's limit of %d",
			  (long long)((end_ms - start_ms) / step_ms + 1), PROM_MAX_POINTS);
		return NULL;
	}
	char s[32], e[32], st[32];
	seconds(start_ms, s, sizeof s);
	seconds(end_ms, e, sizeof e);
	seconds(step_ms, st, sizeof st);
	char *q = apimsg_url_escape(query);
	char *params = xasprintf("query=%s&start=%s&end=%s&step=%s", q, s, e, st);
	free(q);
	return params;
}

char *prom_api_url(const char *base, bool range, const char *params)
{
	char *tail = xasprintf("/api/v1/query%s%s%s", range ? "_range" : "", params ? "?" : "", params ? params : "");
	char *url = with_base(base, tail);
	free(tail);
	return url;
}

char *prom_alert_rules_url(const char *base)
{
	return with_base(base, "/api/v1/rules?type=alert");
}

char *prom_query_url(const char *base, const char *query, int64_t time_ms)
{
	char *params = prom_query_params(query, time_ms);
	char *url = prom_api_url(base, false, params);
	free(params);
	return url;
}

char *prom_range_url(const char *base, const char *query, int64_t start_ms, int64_t end_ms, int64_t step_ms,
		     struct error *err)
{
	char *params = prom_range_params(query, start_ms, end_ms, step_ms, err);
	if (!params)
		return NULL;
	char *url = prom_api_url(base, true, params);
	free(params);
	return url;
}

char *prom_expand(const char *tmpl, const char *const *names, const char *const *values, size_t n,
		  struct error *err)
{
	size_t cap = strlen(tmpl) + 1, len = 0;
	char *out = xmalloc(cap);
	for (const char *p = tmpl; *p;) {
		const char *open = strstr(p, "{{");
		size_t lit = open ? (size_t)(open - p) : strlen(p);
		const char *val = NULL;
		size_t vlen = 0;
		if (open) {
			const char *close = strstr(open + 2, "}}");
			if (!close) {
				error_set(err, "\"{{\" without \"}}\" in a query");
				free(out);
				return NULL;
			}
			size_t nl = (size_t)(close - open - 2);
			for (size_t i = 0; i < n && !val; i++)
				if (strlen(names[i]) == nl && strncmp(names[i], open + 2, nl) == 0)
					val = values[i];
			if (!val) {
				error_set(err, "unknown placeholder {{%.*s}} in a query", nl > 40 ? 40 : (int)nl, open + 2);
				free(out);
				return NULL;
			}
			vlen = strlen(val);
		}
		xgrow(&out, &cap, len + lit + vlen + 1, 1);
		memcpy(out + len, p, lit);
		len += lit;
		if (!open)
			break;
		memcpy(out + len, val, vlen);
		len += vlen;
		p = strstr(open + 2, "}}") + 2;
	}
	out[len] = '\0';
	return out;
}

void prom_duration(int64_t ms, char *buf, size_t size)
{
	static const struct {
		int64_t ms;
		const char *unit;
	} units[] = { { 7LL * 86400000, "w" }, { 86400000, "d" }, { 3600000, "h" }, { 60000, "m" }, { 1000, "s" } };
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (ms > 0 && ms % units[i].ms == 0) {
			snprintf(buf, size, "%lld%s", (long long)(ms / units[i].ms), units[i].unit);
			return;
		}
	}
	snprintf(buf, size, "%lldms", (long long)ms);
}

bool prom_parse_duration(const char *s, int64_t *out)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = { { "y", 365LL * 86400000 }, { "w", 7LL * 86400000 }, { "d", 86400000 }, { "h", 3600000 },
		      { "ms", 1 }, { "m", 60000 }, { "s", 1000 } };
	/* ms before m, so that "5ms" is not 5m and an s; order by size is kept apart. */
	static const int rank[] = { 0, 1, 2, 3, 6, 4, 5 };
	int64_t total = 0;
	int last = -1;
	const char *p = s;
	if (!*p)
		return false;
	while (*p) {
		int64_t n = 0;
		const char *d = p;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (n > (INT64_MAX - 9) / 10)
				return false;
			n = n * 10 + (*p - '0');
		}
		if (p == d)
			return false;
		size_t u = 0, nu = sizeof units / sizeof units[0];
		while (u < nu && strncmp(p, units[u].unit, strlen(units[u].unit)) != 0)
			u++;
		if (u == nu || rank[u] <= last || n > (INT64_MAX - total) / units[u].ms)
			return false;
		last = rank[u];
		total += n * units[u].ms;
		p += strlen(units[u].unit);
	}
	*out = total;
	return true;
}

/* ---- responses --------------------------------------------------------- */

void prom_result_free(struct prom_result *r)
{
	for (size_t i = 0; i < r->n_series; i++) {
		struct prom_series *s = &r->series[i];
		for (size_t k = 0; k < s->n_labels; k++) {
			free(s->names[k]);
			free(s->values[k]);
		}
		free(s->names);
		free(s->values);
		free(s->v);
		free(s->t_ms);
	}
	free(r->series);
	free(r->warnings);
	memset(r, 0, sizeof *r);
}

struct reader {
	struct error *err;
	struct jsonmsg_path path;
	size_t points;
};

static int shape(struct reader *r, const char *what)
{
	return apimsg_error_set(r->err, "unexpected response: %s %s", r->path.text, what);
}

/* A sample: [<unix seconds>, "<value>"]. */
static int read_sample(struct reader *r, const cJSON *pair, int64_t *t, double *v, bool number_string)
{
	const cJSON *ts = pair ? cJSON_GetArrayItem(pair, 0) : NULL;
	const cJSON *val = pair ? cJSON_GetArrayItem(pair, 1) : NULL;
	if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2 || !cJSON_IsNumber(ts) || !cJSON_IsString(val))
		return shape(r, "is not a [time, value] pair");
	if (!(fabs(ts->valuedouble) < 1e13))
		return shape(r, "has a time out of range");
	*t = (int64_t)numeric_round(ts->valuedouble * 1000);
	if (!number_string) {
		*v = NAN;
		return 0;
	}
	const char *s = val->valuestring;
	char *end;
	if (strcmp(s, "NaN") == 0)
		*v = NAN;
	else if (strcmp(s, "+Inf") == 0 || strcmp(s, "Inf") == 0)
		*v = INFINITY;
	else if (strcmp(s, "-Inf") == 0)
		*v = -INFINITY;
	else {
		*v = strtod(s, &end);
		if (!*s || *end || isnan(*v))
			return shape(r, "has a value that is not a number");
	}
	return 0;
}

static int read_labels(struct reader *r, const cJSON *metric, struct prom_series *s)
{
	if (!metric)
		return 0;
	if (!cJSON_IsObject(metric))
		return shape(r, "is not an object of labels");
	size_t n = (size_t)cJSON_GetArraySize(metric);
	if (n > PROM_MAX_LABELS)
		return shape(r, "has more than 64 labels");
	s->names = xcalloc(n + 1, sizeof *s->names);
	s->values = xcalloc(n + 1, sizeof *s->values);
	for (const cJSON *l = metric->child; l; l = l->next) {
		if (!cJSON_IsString(l))
			return shape(r, "has a label value that is not a string");
		s->names[s->n_labels] = xstrdup(l->string);
		s->values[s->n_labels++] = xstrdup(l->valuestring);
	}
	return 0;
}

static int read_series(struct reader *r, const cJSON *item, struct prom_series *s, bool matrix)
{
	if (!cJSON_IsObject(item))
		return shape(r, "is not an object");
	size_t old = jsonmsg_path_key(&r->path, "metric");
	if (read_labels(r, cJSON_GetObjectItemCaseSensitive(item, "metric"), s) != 0)
		return -1;
	jsonmsg_path_pop(&r->path, old);
	if (!matrix) {
		jsonmsg_path_key(&r->path, "value");
		s->v = xcalloc(1, sizeof *s->v);
		s->t_ms = xcalloc(1, sizeof *s->t_ms);
		if (read_sample(r, cJSON_GetObjectItemCaseSensitive(item, "value"), s->t_ms, s->v, true) != 0)
			return -1;
		s->n_points = 1;
		r->points++;
		jsonmsg_path_pop(&r->path, old);
		return 0;
	}
	jsonmsg_path_key(&r->path, "values");
	const cJSON *vals = cJSON_GetObjectItemCaseSensitive(item, "values");
	if (!cJSON_IsArray(vals))
		return shape(r, "is not an array");
	size_t n = (size_t)cJSON_GetArraySize(vals);
	if (r->points + n > PROM_MAX_TOTAL_POINTS)
		return apimsg_error_set(r->err, "response has more than %d points; not read", PROM_MAX_TOTAL_POINTS);
	s->v = xcalloc(n + 1, sizeof *s->v);
	s->t_ms = xcalloc(n + 1, sizeof *s->t_ms);
	size_t i = 0;
	for (const cJSON *p = vals->child; p; p = p->next, i++) {
		size_t o2 = jsonmsg_path_index(&r->path, i);
		if (read_sample(r, p, &s->t_ms[i], &s->v[i], true) != 0)
			return -1;
		jsonmsg_path_pop(&r->path, o2);
	}
	s->n_points = n;
	r->points += n;
	jsonmsg_path_pop(&r->path, old);
	return 0;
}

static int read_data(struct reader *r, const cJSON *data, struct prom_result *out)
{
	jsonmsg_path_key(&r->path, "data");
	if (!cJSON_IsObject(data))
		return shape(r, "is missing or not an object");
	size_t old = jsonmsg_path_key(&r->path, "resultType");
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(data, "resultType"));
	if (!type)
		return shape(r, "is missing");
	jsonmsg_path_pop(&r->path, old);
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(data, "result");
	jsonmsg_path_key(&r->path, "result");
	if (strcmp(type, "scalar") == 0 || strcmp(type, "string") == 0) {
		out->type = type[1] == 'c' ? PROM_SCALAR : PROM_STRING;
		out->series = xcalloc(1, sizeof *out->series);
		out->n_series = 1;
		struct prom_series *s = &out->series[0];
		s->v = xcalloc(1, sizeof *s->v);
		s->t_ms = xcalloc(1, sizeof *s->t_ms);
		s->n_points = 1;
		return read_sample(r, res, s->t_ms, s->v, out->type == PROM_SCALAR);
	}
	bool matrix = strcmp(type, "matrix") == 0;
	if (!matrix && strcmp(type, "vector") != 0) {
		jsonmsg_path_pop(&r->path, old);
		jsonmsg_path_key(&r->path, "resultType");
		return shape(r, "is not vector, matrix, scalar or string");
	}
	out->type = matrix ? PROM_MATRIX : PROM_VECTOR;
	if (!cJSON_IsArray(res))
		return shape(r, "is not an array");
	size_t n = (size_t)cJSON_GetArraySize(res);
	if (n > PROM_MAX_SERIES)
		return apimsg_error_set(r->err, "response has %zu series, over the limit of %d; not read", n,
				       PROM_MAX_SERIES);
	out->series = xcalloc(n + 1, sizeof *out->series);
	size_t i = 0;
	for (const cJSON *item = res->child; item; item = item->next, i++) {
		size_t o2 = jsonmsg_path_index(&r->path, i);
		out->n_series = i + 1;
		if (read_series(r, item, &out->series[i], matrix) != 0)
			return -1;
		jsonmsg_path_pop(&r->path, o2);
	}
	return 0;
}

static void read_warnings(const cJSON *root, struct prom_result *out)
{
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(root, "warnings");
	if (!cJSON_IsArray(w))
		return;
	size_t len = 0;
	for (const cJSON *x = w->child; x; x = x->next)
		if (cJSON_IsString(x))
			len += strlen(x->valuestring) + 2;
	if (!len)
		return;
	out->warnings = xcalloc(len + 1, 1);
	for (const cJSON *x = w->child; x; x = x->next) {
		if (!cJSON_IsString(x))
			continue;
		if (*out->warnings)
			strcat(out->warnings, "; ");
		strcat(out->warnings, x->valuestring);
	}
}

int prom_parse(long http_status, const char *content_type, const char *body, size_t len,
	       struct prom_result *out, struct error *err)
{
	memset(out, 0, sizeof *out);
	size_t at = 0;
	cJSON *root = apimsg_json_parse(body, len, &at);
	/* The API's own error body comes with 400, 422, 503 and others: it
	 * says more than the status, so it is read first. */
	if (root && cJSON_IsObject(root)) {
		const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "status"));
		if (status && strcmp(status, "error") == 0) {
			const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "errorType"));
			const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "error"));
			apimsg_error_set(err, "Prometheus %s: %s", type ? type : "error", msg ? msg : "(no message)");
			cJSON_Delete(root);
			return -1;
		}
	}
	if (http_status < 200 || http_status > 299) {
		char head[APIMSG_EXCERPT_MAX + 16];
		apimsg_excerpt(body, len, head, sizeof head);
		cJSON_Delete(root);
		return apimsg_error_set(err, "HTTP %ld: %s", http_status, head);
	}
	if (content_type && !apimsg_is_json(content_type)) {
		cJSON_Delete(root);
		return apimsg_error_set(err, "expected application/json, got %s", content_type);
	}
	if (!root)
		return apimsg_error_set(err, "invalid JSON at byte %zu (of %zu)", at, len);
	struct reader r = { .err = err };
	jsonmsg_path_init(&r.path, JSONMSG_NEWLINE_N);
	int rc;
	const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "status"));
	if (!cJSON_IsObject(root) || !status || strcmp(status, "success") != 0) {
		jsonmsg_path_key(&r.path, "status");
		rc = shape(&r, "is not \"success\"");
	} else {
		rc = read_data(&r, cJSON_GetObjectItemCaseSensitive(root, "data"), out);
		if (rc == 0)
			read_warnings(root, out);
	}
	cJSON_Delete(root);
	if (rc != 0)
		prom_result_free(out);
	return rc;
}

bool prom_single_value(const struct prom_result *r, double *out)
{
	if ((r->type != PROM_VECTOR && r->type != PROM_SCALAR) || r->n_series != 1 || r->series[0].n_points != 1)
		return false;
	*out = r->series[0].v[0];
	return true;
}

const char *prom_label(const struct prom_series *s, const char *name)
{
	for (size_t i = 0; i < s->n_labels; i++)
		if (strcmp(s->names[i], name) == 0)
			return s->values[i];
	return NULL;
}
