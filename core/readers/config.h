/* The config file (JSON): found by -c FILE, then $CMDR_CONFIG, ./cmdr.json,
 * $XDG_CONFIG_HOME/cmdr/config.json (~/.config when unset). Unknown keys
 * are errors, so a typo never silently turns a safeguard off. `cmdr
 * config check` prints every problem as "file: json.path: what is wrong".
 * It holds the incident, identity and governance settings, the metrics
 * sources, the SLOs and canary gates read from them, and the endpoints
 * with the targets that move their traffic. Secrets are never in it: it
 * names the file or environment variable that holds each one. Each key's
 * type, default and meaning are written once, in its section's key table
 * (core/readers/config*.c, read by config_check.h); cmdr.1 lists them. */
#ifndef CMDR_CONFIG_H
#define CMDR_CONFIG_H
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "actor.h"
#include "canary.h"
#include "error.h"
#include "governance.h"

struct config_role {
	char *user; /* an OS user or --as name; "*" for everyone else */
	enum role role;
};

struct config_redaction {
	char *pattern;     /* PCRE2 */
	char *replacement;
};

/* A secret named by the config: read from a file (refused when group or
 * others may read it) or an environment variable, at the moment it is
 * needed. Neither set: no secret. */
struct config_secret {
	char *file;
	char *env;
};

/* Where notifications go: PagerDuty (Events API v2 and Change Events),
 * a Slack incoming webhook, a Microsoft Teams Workflows webhook. The keys
 * and URLs are secrets. In drills they go to the drill sink instead. */
struct config_notify_service {
	bool on;
	struct config_secret secret; /* PagerDuty: the routing key; Slack, Teams: the webhook URL */
	char *url;                   /* PagerDuty: the API base */
	int64_t timeout_ms;          /* per request */
};

struct config_notify {
	struct config_notify_service pagerduty, slack, teams;
	char *source;     /* PagerDuty payload.source; NULL: "cmdr" */
	char *drill_sink; /* NULL: DIR/notifications.jsonl */
};

/* Where incidents' journals are kept: files in incident directories
 * (the default), or rows in PostgreSQL (core/journal/journal_pg.h), the
 * DSN a secret like the others. */
enum journal_type { JOURNAL_FILE, JOURNAL_POSTGRES };
struct config_journal {
	int type;
	struct config_secret dsn;
	char *incident;     /* postgres: the incident when -i is not given */
	int64_t timeout_ms; /* postgres: how long one answer is waited for */
};

struct config {
	char *path;          /* where it was read from; NULL: no config file */
	char *incident_dir;  /* NULL: ./incident */
	unsigned incident_mode; /* the mode of files created there; 0: from the directory */
	struct config_role *roles;
	size_t n_roles;
	char **shared_accounts; /* OS users on which --as is mandatory */
	size_t n_shared_accounts;
	char **runbook_dirs;    /* NULL: ./runbooks and the installed runbooks */
	size_t n_runbook_dirs;
	struct governance governance;
	struct config_redaction *redactions;
	size_t n_redactions;
	struct config_source *sources;
	size_t n_sources;
	struct config_slo *slos;
	size_t n_slos;
	struct config_canary *canaries;
	size_t n_canaries;
	struct config_endpoint *endpoints;
	size_t n_endpoints;
	struct config_notify notify;
	struct config_journal journal;
};

enum source_type { SOURCE_PROMETHEUS, SOURCE_LOG_ANALYTICS, SOURCE_APP_INSIGHTS, SOURCE_ALERTMANAGER };

enum auth_type {
	AUTH_NONE,
	AUTH_BEARER,              /* token: a secret */
	AUTH_BASIC,               /* user + password (a secret) */
	AUTH_API_KEY,             /* App Insights x-api-key: a secret */
	AUTH_AZURE_CLI,           /* `az account get-access-token` (command) */
	AUTH_CLIENT_CREDENTIALS,  /* tenant, client_id, client_secret */
	AUTH_MANAGED_IDENTITY,    /* IMDS, optional client_id */
};

struct config_auth {
	enum auth_type type;
	char *user;                  /* basic */
	struct config_secret secret; /* bearer token, basic password, API key, client secret */
	char *tenant, *client_id;    /* client credentials; client_id also picks a user-assigned identity */
	char *audience;    /* Azure: the resource the token is for */
	char *authority;   /* client credentials: where the token is asked for */
	char *imds;        /* managed identity: the instance metadata service */
	char **command;    /* azure_cli argv; none: azauth runs az account get-access-token */
	size_t n_command;
};

struct config_header {
	char *name, *value;
};

enum { DISCOVER_SLOTH = 1, DISCOVER_PYRRA = 2 };

struct config_source {
	char *name; /* its key in $.sources */
	enum source_type type;
	char *url;       /* the API base */
	char *workspace; /* Log Analytics workspace id */
	char *app;       /* Application Insights app id */
	struct config_auth auth;
	struct config_header *headers; /* extra headers, e.g. X-Scope-OrgID */
	size_t n_headers;
	int64_t timeout_ms;  /* per request */
	int64_t refresh_ms;
	char *ca_file;       /* NULL: the system's CAs */
	bool tls_verify;
	long max_bytes;      /* response size cap */
	/* Each SLO window is read every window/window_cadence, or every
	 * refresh when that is longer; 0: every window every refresh. */
	long window_cadence;
	bool batch; /* Prometheus: one query per window for SLOs of a shape (core/readers/prom_shape.h) */
	/* Prometheus: the SLOs to find from recording rules (DISCOVER_*
	 * bits; core/readers/slo_rules.h), every discover_every_ms. */
	unsigned discover;
	int64_t discover_every_ms;
	char **filter;       /* alertmanager: the alerts' matchers, as the API's filter= takes them */
	size_t n_filter;
};

struct config_slo {
	char *name;
	char *source; /* a key of $.sources */
	char *endpoint; /* may be NULL */
	char *service;  /* may be NULL */
	double objective;
	int64_t period_ms;
	double min_events;
	/* Prometheus: total_query and one of error_query/good_query, each
	 * with {{window}} and returning one number: the events in the window. */
	char *error_query, *good_query, *total_query;
	/* Azure: a KQL query run over each window (the request's timespan)
	 * giving one row with columns `total` and `bad` or `good`. */
	char *query;
	/* Which tiers page (bit i: burn_tiers[i]); page_tiers_set false: the
	 * tiers' own severities. */
	unsigned page_tiers;
	bool page_tiers_set;
};

/* One column of a canary's result table, from its own PromQL query. */
struct config_canary_query {
	char *column;
	char *query;
};

struct config_canary {
	char *endpoint;
	char *deployment; /* NULL: the endpoint's canary as its target reports it */
	char *source;
	int64_t window_ms;
	int64_t lag_ms;     /* a window is read this long after it closes (ingestion delay) */
	int min_samples;
	int failure_limit;
	enum canary_on_failure on_failure;
	/* The result is a table with a row per class: column `class`, one
	 * column per metric named in the thresholds, `n` (samples) and, if
	 * the source has it, `sd` (their standard deviation). KQL:
	 * one query giving that table; PromQL: one query per column, each
	 * giving series labelled `class`. Placeholders {{endpoint}},
	 * {{deployment}}, {{window}}. */
	char *query;
	struct config_canary_query *queries;
	size_t n_queries;
	struct canary_threshold *thresholds;
	size_t n_thresholds;
	/* The judge (core/model/canary.h); compare reads every query again
	 * for the baseline, {{deployment}} its name. */
	enum canary_judge judge;
	char *baseline; /* NULL: the endpoint's deployment with the most traffic */
	double alpha, effect;
};

enum target_type { TARGET_HAPROXY, TARGET_AZUREML, TARGET_COMMAND };

struct config_server_map {
	char *deployment, *server;
};

struct config_target {
	enum target_type type;
	int64_t timeout_ms;
	/* HAProxy runtime API: a unix socket path or host:port */
	char *socket, *address, *backend;
	struct config_server_map *servers; /* deployment -> server */
	size_t n_servers;
	/* Azure ML managed online endpoint */
	char *subscription, *resource_group, *workspace, *endpoint_name;
	char *api_version;
	char *arm_url;
	struct config_auth auth;
	int64_t operation_timeout_ms;
	/* command: argv templates with {endpoint} {to} {traffic} */
	char **apply, **read;
	size_t n_apply, n_read;
	/* command: variables the commands get even when cmdr withholds them
	 * as secrets (NULL-terminated, or NULL) */
	char **env;
	size_t n_env;
};

struct config_endpoint {
	char *name;
	bool has_target;
	struct config_target target;
};

/* Every problem found, one line each. */
struct config_problems {
	char **lines;
	size_t n, cap;
};

/* The config file to use: explicit (from -c), else the lookup order.
 * Returns a heap path, or NULL when there is none (not an error unless
 * explicit was given and is missing: then err is set and NULL returned
 * with *missing true). A $CMDR_CONFIG that is set counts as explicit.
 * When there is none at all, err says where it looked, for `cmdr config
 * check`. */
char *config_locate(const char *explicit_path, bool *missing, struct error *err);
/* Parses text; returns 0 when there were no problems. The config is
 * usable (defaults filled) only then; after problems it holds only the
 * defaults. Problems are appended to *problems (start it zeroed) in the
 * order of the file, then those between sections (names one section gives
 * another): every one of them, not just the first. */
int config_parse(const char *text, size_t len, const char *path, struct config *cfg,
		 struct config_problems *problems);
/* Reads and parses path (files over 4 MiB are refused); a file that
 * cannot be read is one problem. */
int config_load(const char *path, struct config *cfg, struct config_problems *problems);
/* An empty config: defaults everywhere, path NULL. */
void config_defaults(struct config *cfg);
void config_free(struct config *cfg);
/* Every config key, one line each (`cmdr config keys`). */
void config_print_keys(FILE *out);
void config_problems_free(struct config_problems *p);

/* The source named `name`, or NULL. */
const struct config_source *config_find_source(const struct config *cfg, const char *name);
/* Whether a source discovers SLOs (a Prometheus with "discover" on). */
bool config_discovers(const struct config *cfg);
/* Reads a secret: the file (refused unless only its owner may read or
 * write it: "FILE: readable by group or others; run chmod 600 FILE
 * (WHERE)") or the variable
 * (refused when unset or empty). Trailing newlines are dropped. `where`
 * names the config value for the message. A fresh heap string, or NULL
 * with err set. */
char *config_secret_read(const struct config_secret *s, const char *where, struct error *err);
/* Adds the configured redaction patterns to the built-in ones, and
 * withholds the variables the config's *_env keys name from every command
 * cmdr runs (proc_withhold_env). */
int config_install_redactions(const struct config *cfg, struct error *err);

#endif
