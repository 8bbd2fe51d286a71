/* The query engines a live source speaks, one table each: PromQL over
 * Prometheus' HTTP API, KQL over Azure Monitor's (Log Analytics,
 * Application Insights). Nothing else in the live feed knows which is
 * which. */
#include "live.h"
#include "live_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azmon.h"
#include "prom.h"
#include "xalloc.h"

/* ---- Prometheus ----------------------------------------------------------- */

/* A query longer than this goes as a form POST, which the API takes as
 * well: a batch over hundreds of SLOs is kilobytes, and proxies in front
 * of Prometheus refuse long URLs (nginx's limit is 8 KB). */
#define PROM_GET_MAX_QUERY 2048

static char *prom_url(const struct config_source *c, const char *query, int64_t start_ms, int64_t end_ms,
		      int64_t step_ms, char **body, struct error *err)
{
	*body = NULL;
	if (strlen(query) > PROM_GET_MAX_QUERY) {
		*body = step_ms > 0 ? prom_range_params(query, start_ms, end_ms, step_ms, err)
				    : prom_query_params(query, end_ms);
		return *body ? prom_api_url(c->url, step_ms > 0, NULL) : NULL;
	}
	if (step_ms > 0)
		return prom_range_url(c->url, query, start_ms, end_ms, step_ms, err);
	return prom_query_url(c->url, query, end_ms);
}

/* Several series are an error: the query was meant to be aggregated to
 * one number, and which of them to believe is not cmdr's guess. */
static int prom_number(const struct http_response *resp, const char *column, double *out, struct error *err)
{
	(void)column;
	struct prom_result pr;
	if (prom_parse(resp->status, resp->content_type, resp->body, resp->len, &pr, err) != 0)
		return -1;
	if (pr.n_series > 1) {
		size_t n = pr.n_series;
		prom_result_free(&pr);
		return error_set(err, "the query gave %zu series, not one number: aggregate it (sum, max ...)", n);
	}
	double v;
	if (prom_single_value(&pr, &v) && isfinite(v))
		*out = v;
	prom_result_free(&pr);
	return 0;
}

/* Each series with a class label: its last point, for the query's metric. */
static int prom_rows(const struct http_response *resp, live_row_fn row, void *ctx, struct error *err)
{
	struct prom_result pr;
	if (prom_parse(resp->status, resp->content_type, resp->body, resp->len, &pr, err) != 0)
		return -1;
	for (size_t i = 0; i < pr.n_series; i++) {
		const struct prom_series *s = &pr.series[i];
		const char *cls = prom_label(s, "class");
		if (cls && s->n_points > 0)
			row(ctx, cls, NULL, s->v[s->n_points - 1]);
	}
	prom_result_free(&pr);
	return 0;
}

static int prom_check(const struct http_response *resp, bool one_number, bool *no_data, struct error *err)
{
	struct prom_result pr;
	if (prom_parse(resp->status, resp->content_type, resp->body, resp->len, &pr, err) != 0)
		return -1;
	size_t n = pr.n_series;
	prom_result_free(&pr);
	*no_data = n == 0;
	if (one_number && n > 1)
		return error_set(err, "the query gave %zu series, not one number: aggregate it (sum, max ...)", n);
	return 0;
}

static int prom_range(const struct http_response *resp, int64_t **t, double **v, size_t *n, struct error *err)
{
	struct prom_result pr;
	if (prom_parse(resp->status, resp->content_type, resp->body, resp->len, &pr, err) != 0)
		return -1;
	*n = pr.n_series == 1 ? pr.series[0].n_points : 0;
	*t = xcalloc(*n + 1, sizeof **t);
	*v = xcalloc(*n + 1, sizeof **v);
	for (size_t p = 0; p < *n; p++) {
		(*t)[p] = pr.series[0].t_ms[p];
		(*v)[p] = pr.series[0].v[p];
	}
	prom_result_free(&pr);
	return 0;
}

/* ---- Azure Monitor (KQL) -------------------------------------------------- */

static char *kql_url(const struct config_source *c, const char *query, int64_t start_ms, int64_t end_ms,
		     int64_t step_ms, char **body, struct error *err)
{
	(void)step_ms;
	(void)err;
	bool app = c->type == SOURCE_APP_INSIGHTS;
	*body = azmon_query_body(query, start_ms, end_ms);
	return azmon_query_url(app, c->url ? c->url : live_default_audience(c), app ? c->app : c->workspace);
}

/* The first row's cell in column: one query per window gives the counts
 * as columns. */
static int kql_number(const struct http_response *resp, const char *column, double *out, struct error *err)
{
	struct kql_result kr;
	if (azmon_parse(resp->status, resp->content_type, resp->body, resp->len, &kr, err) != 0)
		return -1;
	int rc = 0;
	if (kr.n_tables > 0 && kr.tables[0].n_rows > 0) {
		const struct kql_table *t = &kr.tables[0];
		int col = kql_column(t, column);
		double v;
		if (col < 0)
			rc = error_set(err, "the query's result has no column \"%s\"", column);
		else if (kql_cell_number(&t->cells[col], &v) && isfinite(v))
			*out = v;
	}
	kql_result_free(&kr);
	return rc;
}

/* Each row with a class: every number in it, by its column's name. */
static int kql_rows(const struct http_response *resp, live_row_fn row, void *ctx, struct error *err)
{
	struct kql_result kr;
	if (azmon_parse(resp->status, resp->content_type, resp->body, resp->len, &kr, err) != 0)
		return -1;
	int rc = 0;
	if (kr.n_tables > 0) {
		const struct kql_table *kt = &kr.tables[0];
		int ccls = kql_column(kt, "class");
		if (ccls < 0)
			rc = error_set(err, "the canary query's result has no column \"class\"");
		for (size_t r = 0; rc == 0 && r < kt->n_rows; r++) {
			const struct kql_cell *cells = &kt->cells[r * kt->n_cols];
			if (cells[ccls].type != KQL_STRING)
				continue;
			for (size_t c = 0; c < kt->n_cols; c++) {
				double v;
				if ((int)c != ccls && kql_cell_number(&cells[c], &v))
					row(ctx, cells[ccls].str, kt->col_names[c], v);
			}
		}
	}
	kql_result_free(&kr);
	return rc;
}

static int kql_check(const struct http_response *resp, bool one_number, bool *no_data, struct error *err)
{
	(void)one_number;
	struct kql_result kr;
	if (azmon_parse(resp->status, resp->content_type, resp->body, resp->len, &kr, err) != 0)
		return -1;
	*no_data = kr.n_tables == 0 || kr.tables[0].n_rows == 0;
	kql_result_free(&kr);
	return 0;
}

static const struct live_engine engines[] = {
	{ .url = prom_url, .number = prom_number, .rows = prom_rows, .check = prom_check, .range = prom_range,
	  .small_answers = true, .body_type = "application/x-www-form-urlencoded" },
	{ .url = kql_url, .number = kql_number, .rows = kql_rows, .check = kql_check, .body_type = "application/json" },
};

const struct live_engine *live_engine(const struct config_source *c)
{
	return &engines[c->type == SOURCE_PROMETHEUS ? 0 : 1];
}
