/* Azure Monitor Logs (Log Analytics) and Application Insights query API:
 * the request's URL and JSON body, and the response read into tables of
 * cells. No networking here: the HTTP module sends what this builds and
 * hands back what it received. */
#ifndef CMDR_AZMON_H
#define CMDR_AZMON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* A response larger than these is refused rather than held in memory: a
 * query for a console's panes returns a few hundred cells. */
#define AZMON_MAX_TABLES 100
#define AZMON_MAX_COLUMNS 1000
#define AZMON_MAX_CELLS 1000000

/* The service sends typed JSON values (numbers, true/false, null); the
 * documentation's examples send every value as a string ("255", "true").
 * Cells keep what came: a string stays a string, and kql_cell_number reads
 * numbers from both. Objects and arrays (KQL dynamic values) are kept as
 * their compact JSON text in a KQL_STRING cell. */
enum kql_cell_type { KQL_NULL, KQL_NUMBER, KQL_STRING, KQL_BOOL };

struct kql_cell {
	enum kql_cell_type type;
	double num;   /* KQL_NUMBER */
	bool b;       /* KQL_BOOL */
	char *str;    /* KQL_STRING: as received, so sanitize before drawing */
};

struct kql_table {
	char *name;                      /* "PrimaryResult"; "" when absent */
	size_t n_cols, n_rows;
	char **col_names, **col_types;   /* col_types[i] is "" when absent */
	struct kql_cell *cells;          /* row-major: cells[row * n_cols + col] */
};

struct kql_result {
	struct kql_table *tables;
	size_t n_tables;
};

/* BASE/v1/workspaces/ID/query, or BASE/v1/apps/ID/query for Application
 * Insights; trailing '/' on base is dropped and id is percent-encoded.
 * A fresh heap string. */
char *azmon_query_url(bool app_insights, const char *base, const char *id);

/* {"query":KQL,"timespan":"START/END"} with both ends as ISO 8601 UTC
 * with milliseconds. A fresh heap string. */
char *azmon_query_body(const char *kql, int64_t start_ms, int64_t end_ms);

/* Reads a query response. Returns 0 with *out filled (free with
 * kql_result_free), or -1 with *out empty and one sanitised line in err
 * (at most about 200 characters), e.g.
 *   "HTTP 403 InsufficientAccessError: The provided credentials have ..."
 *   "Azure Monitor PartialError: There were some errors ... (EngineError: ...)"
 *   "invalid JSON at byte 12 (of 12)"          (byte offsets count from 0)
 *   "unexpected response: $.tables[0].rows[2] has 3 values for 4 columns"
 * A 2xx response that carries an "error" object beside its tables (the
 * service's partial results) is an error: half an answer must not read as
 * a healthy signal. content_type may be NULL (no header). */
int azmon_parse(long http_status, const char *content_type, const char *body, size_t len,
		struct kql_result *out, struct error *err);

void kql_result_free(struct kql_result *r);

/* The cell's number: a KQL_NUMBER, or a KQL_STRING that is wholly a finite
 * decimal number ("255", "1.286", "-1e3"). False for anything else,
 * including "NaN" and "Infinity", which KQL returns for no data. */
bool kql_cell_number(const struct kql_cell *c, double *out);

/* The index of the first column named name, or -1. */
int kql_column(const struct kql_table *t, const char *name);

/* The cell at row, col (both must be in range). */
const struct kql_cell *kql_cell_at(const struct kql_table *t, size_t row, size_t col);

#endif
