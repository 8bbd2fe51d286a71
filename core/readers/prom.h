/* The Prometheus HTTP API (v1), as Prometheus, Thanos, Mimir and
 * VictoriaMetrics serve it: query URLs, {{placeholder}} expansion, and
 * responses read into series. No networking here (core/io/http.c does it). */
#ifndef CMDR_PROM_H
#define CMDR_PROM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define PROM_MAX_POINTS 11000 /* per range query: Prometheus refuses more */

struct prom_series {
	char **names, **values; /* labels, raw (sanitised when drawn) */
	size_t n_labels;
	double *v;      /* NaN and +-Inf as read: the caller treats them as no data */
	int64_t *t_ms;
	size_t n_points;
};

enum prom_result_type { PROM_VECTOR, PROM_SCALAR, PROM_MATRIX, PROM_STRING };

struct prom_result {
	enum prom_result_type type;
	struct prom_series *series; /* a scalar is one series without labels */
	size_t n_series;
	char *warnings; /* joined with "; ", or NULL */
};

/* BASE/api/v1/query?query=...&time=SECONDS.mmm (BASE may carry a path,
 * such as Mimir's /prometheus). */
char *prom_query_url(const char *base, const char *query, int64_t time_ms);
/* BASE/api/v1/query_range; NULL with err when the range would give more
 * than PROM_MAX_POINTS points or is empty. */
char *prom_range_url(const char *base, const char *query, int64_t start_ms, int64_t end_ms, int64_t step_ms,
		     struct error *err);
/* The same queries' parameters, URL-encoded ("query=...&time=..."), for
 * a form POST to prom_api_url(base, range, NULL) (or a GET with params). */
char *prom_query_params(const char *query, int64_t time_ms);
char *prom_range_params(const char *query, int64_t start_ms, int64_t end_ms, int64_t step_ms, struct error *err);
char *prom_api_url(const char *base, bool range, const char *params);
/* BASE/api/v1/rules?type=alert: the alerting rules and their state. */
char *prom_alert_rules_url(const char *base);
/* Replaces each {{name}} in tmpl with its value; an unknown or unclosed
 * placeholder is an error naming it. */
char *prom_expand(const char *tmpl, const char *const *names, const char *const *values, size_t n,
		  struct error *err);
/* A PromQL duration in the largest exact unit: "5m", "1d", "90s", "1500ms". */
void prom_duration(int64_t ms, char *buf, size_t size);
/* A PromQL duration as Prometheus writes and reads it: units y, w, d, h,
 * m, s, ms, largest first, each at most once ("4w2d", "1h4m", "90s"). */
bool prom_parse_duration(const char *s, int64_t *out);

/* Reads a response. The API's own errors ({"status":"error", "errorType",
 * "error"}, with 400, 422, 503 ...), other HTTP failures, a content type
 * other than JSON, invalid JSON and valid JSON of the wrong shape give -1
 * and one sanitised line in err. */
int prom_parse(long http_status, const char *content_type, const char *body, size_t len,
	       struct prom_result *out, struct error *err);
void prom_result_free(struct prom_result *r);
/* An instant query's one number: a scalar, or a vector of exactly one
 * series. False when empty or ambiguous, so that no data is never 0. */
bool prom_single_value(const struct prom_result *r, double *out);
const char *prom_label(const struct prom_series *s, const char *name);

#endif
