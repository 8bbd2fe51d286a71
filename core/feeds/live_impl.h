/* Private to the live feed's files (core/live*.c): its sources, SLOs,
 * canaries and requests, and what one file calls in another. */
#ifndef CMDR_LIVE_IMPL_H
#define CMDR_LIVE_IMPL_H
#include "live.h"

#include "azauth.h"
#include "feed.h"
#include "prom.h"
#include "slo_rules.h"

/* After a token could not be had, queries fail with that reason for
 * this long before the next try: not a fetch per query while the identity
 * provider is down. */
#define TOKEN_HOLD_OFF_MS 30000
#define HISTORY_STEP_MS (5 * 60 * 1000)

struct live_source {
	const struct config_source *cfg;
	char **headers; /* "Name: value" lines, auth included once known */
	size_t n_headers;
	char *password;       /* basic auth */
	/* Azure tokens (azauth): had before the first request and again
	 * before they expire; a round waits for its token. */
	struct azauth *auth;
	char *token;
	bool token_pending;
	int64_t token_retry_ms; /* after a failure, not before this */
	char token_error[512];
	int64_t next_round;
};

/* One column of a canary's result table. */
struct live_canary_table {
	char **classes;
	size_t n_rows, cap_rows;
	double *v; /* n_rows x n_cols, NaN where absent */
	size_t n_cols;
};

/* An SLO's windows (the last is the period) are each read on their own
 * cadence (live_window_every) and keep their own reading time; a round
 * asks for the windows that are due and commits each that answered. */
struct live_slo {
	size_t idx; /* in inc->slos */
	const struct config_slo *cfg;
	struct live_source *src;
	size_t group; /* in live.groups */
	int pending;
	bool failed; /* a query of this round failed; error says the first */
	char error[512];
	int64_t round_at;
	/* This round: which windows were asked for, which failed, and what
	 * came back (good events in good where the query counts those). */
	bool asked[BURN_NWINDOWS + 1], window_failed[BURN_NWINDOWS + 1];
	struct burn_counts got[BURN_NWINDOWS + 1];
	double good[BURN_NWINDOWS + 1];
	struct burn_counts w[BURN_NWINDOWS + 1]; /* each window's last reading, with its time */
	int64_t due_ms[BURN_NWINDOWS + 1];       /* when each is read next */
	bool history_pending;
	/* Discovered (live_discover.c): its rules, which give each window's
	 * error ratio (one query per window, no counts); NULL: configured. */
	struct live_found *found;
};

/* An SLO discovered from a source's recording rules: what cmdr would
 * have in its config for it, and the metric of each window (NULL where
 * its rules have none: a window it lacks). */
struct live_found {
	struct config_slo cfg;
	enum slo_rules_kind kind;
	char *metric[BURN_NWINDOWS + 1];
	unsigned lacks;
	bool gone; /* no longer in the rules: not read, its data says so */
	size_t slo; /* in live.slos */
};

/* A source's discovery of SLOs: its queries out, what they found so far,
 * and when it runs next. */
struct live_discover {
	int out;            /* requests out */
	bool kind_failed[SLO_RULES_NKINDS];
	bool answered;      /* every request of the last discovery has answered */
	bool applied;       /* at least one discovery's result is in */
	char error[512];    /* the last discovery's first failure, or "" */
	char last_error[512]; /* the one before: a failure is narrated once */
	int64_t next_ms;
	struct slo_rules found;
	char *alerts;       /* Pyrra's alerting rules, read when the rest is in */
	size_t alerts_len;
};

/* SLOs read together (live_group.c): a batch answers every member with
 * one query per window; a group of one asks its own queries. */
struct live_group {
	struct live_source *src;
	size_t *slos; /* in live.slos; a batch's sorted by value */
	size_t n_slos;
	/* A batch: the label whose value tells the members apart, each
	 * member's value, and its two queries with {{window}}: the bad (or
	 * good) events and the total. */
	char *label;
	char **values;
	char *query[2];
	/* Discovered SLOs' batch: each window's query, complete (NULL: no
	 * member has the window), giving each member's error ratio. */
	char *ratio_query[BURN_NWINDOWS + 1];
	bool split;   /* Prometheus refused the batch: its SLOs ask one by one from now on */
	int pending;  /* batched queries out */
	bool history_pending;
};

struct live_canary {
	size_t idx; /* in inc->canaries */
	const struct config_canary *cfg;
	struct live_source *src;
	char **cols;       /* the table's columns: metrics, then "n" */
	size_t n_cols;
	int64_t next_end;  /* the end of the next window to judge */
	int pending;
	bool failed;
	char error[512];
	struct live_canary_table table;
	/* compare: the same queries for the baseline, read into their own table */
	bool base_failed;
	char base_error[512];
	struct live_canary_table base_table;
};

#define ENDPOINT_REFRESH_MS 10000

struct live {
	struct feed base;
	struct incident *inc;
	const struct config *cfg;
	struct http_client *http; /* the incident loop's */
	struct live_source *sources;
	size_t n_sources;
	struct live_slo *slos;
	size_t n_slos;
	struct live_group *groups;
	size_t n_groups, cap_groups;
	size_t n_config_groups; /* the configured SLOs' groups come first; discovered ones after */
	struct live_discover *disc; /* one per source */
	struct live_found **found;  /* every SLO discovered, gone or not */
	size_t n_found;
	struct live_canary *canaries;
	size_t n_canaries;
	struct live_req *reqs; /* in flight: cancelled and freed with the engine */
	struct live_check *checks; /* live_check's queries */
	size_t n_checks;
};

/* One query of `cmdr config check --online`. */
struct live_check {
	char *what;      /* "slo NAME error_query" */
	char *query;     /* expanded */
	size_t src;
	bool one_number; /* an SLO window's count: several series is an error */
	int64_t start_ms, end_ms;
	bool sent, answered, no_data;
	char error[512];
};

enum req_kind { REQ_SLO, REQ_HISTORY, REQ_BATCH, REQ_BATCH_HISTORY, REQ_CANARY, REQ_CHECK, REQ_DISCOVER };

struct live_req {
	struct live *l;
	enum req_kind kind;
	size_t i;  /* slo, group (batches), canary or check index */
	int sub;   /* SLO, batch: window*2 + (0 bad/good, 1 total); canary: column, -1 for KQL;
		    * discovery: kind * DISCOVER_QUERIES + query, or DISCOVER_ALERTS */
	int64_t start_ms, end_ms;
	bool base; /* canary: the baseline's read */
	struct live_req *prev, *next;
};

/* A query engine (core/feeds/live_engine.c): how a query goes out, and its
 * answer read as one number, as a canary's rows, or for config check. */
typedef void (*live_row_fn)(void *ctx, const char *cls, const char *column, double v);
struct live_engine {
	/* query over [start_ms, end_ms] (step_ms > 0: a range query, where
	 * ranges): the URL, and a JSON body in *body or NULL; NULL with err. */
	char *(*url)(const struct config_source *c, const char *query, int64_t start_ms, int64_t end_ms,
		     int64_t step_ms, char **body, struct error *err);
	/* The answer's one number (column names it where rows have columns);
	 * *out is left alone when there is none. */
	int (*number)(const struct http_response *resp, const char *column, double *out, struct error *err);
	/* Each (class, column, value); column NULL: the query's own metric. */
	int (*rows)(const struct http_response *resp, live_row_fn row, void *ctx, struct error *err);
	/* Whether it answered with no data; an error for several series where
	 * one number was asked for (one_number). */
	int (*check)(const struct http_response *resp, bool one_number, bool *no_data, struct error *err);
	/* A range query's points, when it gave one series (else none):
	 * fresh arrays. NULL: the engine has no range queries (no sparkline). */
	int (*range)(const struct http_response *resp, int64_t **t, double **v, size_t *n, struct error *err);
	/* Its answers are small (Prometheus: ~100 bytes for a number, ~450 for
	 * the sparkline's ten points): asked for uncompressed, since
	 * compressing them cost Prometheus as much CPU again as the query. A
	 * batch's answer (a series per SLO, 28 KB for 500) is asked for
	 * compressed (1.4 KB). */
	bool small_answers;
	const char *body_type; /* the Content-Type of a body url gives */
};
const struct live_engine *live_engine(const struct config_source *c);
/* The resource an Azure token is for, when the auth does not say. */
const char *live_default_audience(const struct config_source *c);

/* live.c */
void live_free(struct live *l);
struct live *live_of(const struct incident *inc);
/* live_canary.c */
int live_canary_col(const struct live_canary *lc, const char *name);
/* Whether a deployment's name may go into a query as it is: letters,
 * digits and ._:- only, 1 to 128 of them. */
bool live_safe_name(const char *s);
#define LIVE_UNSAFE_NAME "not safe to put in a query: only letters, digits and ._:- are"
const char *live_canary_deployment(const struct live *l, const struct live_canary *lc);
void live_canary_response(struct live *l, struct live_req *r, const struct http_response *resp);
void live_canary_start(struct live *l, size_t i, int64_t now);
void live_table_clear(struct live_canary_table *t);
/* live_check.c */
void live_check_response(struct live *l, struct live_req *r, const struct http_response *resp);
/* live_discover.c */
#define DISCOVER_QUERIES 8
#define DISCOVER_ALERTS (SLO_RULES_NKINDS * DISCOVER_QUERIES)
void live_discover_step(struct live *l, int64_t now);
void live_discover_response(struct live *l, struct live_req *r, const struct http_response *resp);
/* Whether a discovery is out or its result waits to be applied. */
bool live_discover_busy(const struct live *l);
/* The first source's discovery failure, or NULL. */
const char *live_discover_error(const struct live *l);
void live_discover_free(struct live *l);

/* live_group.c */
void live_groups_plan(struct live *l);
void live_groups_free(struct live *l);
/* Frees the groups from n on (the discovered ones, which are planned again). */
void live_groups_truncate(struct live *l, size_t n);
struct live_group *live_group_new(struct live *l, struct live_source *src);
void live_group_add(struct live *l, struct live_group *g, size_t slo, const char *value);
/* A batch's members in value order (live_group_add adds them in any). */
void live_group_sort(struct live_group *g);
void live_group_start(struct live *l, size_t g, int64_t now);
void live_batch_response(struct live *l, struct live_req *r, const struct http_response *resp);
void live_batch_history_response(struct live *l, struct live_req *r, const struct http_response *resp);
/* live_slo.c */
int64_t live_window_ms(const struct live *l, const struct live_slo *ls, int k);
int64_t live_window_every(const struct live *l, const struct live_slo *ls, int k);
bool live_window_due(const struct live *l, const struct live_slo *ls, int k, int64_t now);
void live_slo_begin(struct live *l, size_t i, int64_t now, const bool due[BURN_NWINDOWS + 1]);
void live_slo_send(struct live *l, size_t i);
void live_slo_send_one(struct live *l, size_t i, int k, int which);
void live_slo_send_history(struct live *l, size_t i);
void live_slo_take(struct live *l, size_t i, int k, int which, double v);
void live_slo_fail(struct live *l, size_t i, int k, const char *why);
void live_slo_set_history(struct live *l, size_t i, int64_t end_ms, const int64_t *t, const double *v, size_t n);
void live_history_response(struct live *l, struct live_req *r, const struct http_response *resp);
void live_slo_response(struct live *l, struct live_req *r, const struct http_response *resp);
/* live_source.c */
void live_clear_error(struct incident *inc, struct data_state *d);
char *live_expand(const char *tmpl, const char *window, const char *endpoint, const char *deployment,
		    struct error *err);
void live_fail_request(struct live_req *r, const char *why);
int live_parse_number(const struct live_source *s, const struct http_response *resp, const char *column,
			double *out, struct error *err);
void live_report(struct incident *inc, struct data_state *d, const char *error);
void live_req_done(struct live_req *r);
void live_send_query(struct live_source *s, struct live_req *r, const char *query,
		       int64_t step_ms);
/* A Prometheus answer read into pr: NULL, or why not (the transfer's
 * error, or the answer's in err), and then nothing to free. */
const char *live_prom_result(const struct http_response *resp, struct prom_result *pr, struct error *err);
/* A GET of url with the source's headers and auth. */
void live_send_get(struct live_source *s, struct live_req *r, const char *url);
/* A fresh request of the feed. */
struct live_req *live_req_new(struct live *l, enum req_kind kind, size_t i, int sub, int64_t start_ms,
			      int64_t end_ms);
/* "source NAME: ..." into buf, sanitised. */
void live_set_error(char *buf, size_t size, const char *source, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void live_source_free(struct live_source *s);
/* The request every query of s shares: its headers (lines: room for
 * n_headers + 2), auth, limits and TLS; *token_line is freed after. */
void live_source_request(const struct live_source *s, struct http_request *req, const char **lines,
			 char **token_line);
int live_source_init(struct live_source *s, const struct config_source *cfg, const char *file,
		       struct loop *loop, struct error *err);
bool live_source_ready(struct live *l, size_t i, const char **why);

#endif
