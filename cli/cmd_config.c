/* `cmdr config check [FILE] [--online]` and `cmdr config keys [scenario]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "journal_pg.h"
#include "live.h"
#include "live_alerts.h"
#include "scenario.h"
#include "xalloc.h"

static void report_query(void *ctx, const char *what, const char *error, bool no_data)
{
	const char *path = ctx;
	if (error)
		printf("%s: %s: %s\n", path, what, error);
	else if (no_data)
		printf("%s: %s: no data now (the query ran; nothing matched)\n", path, what);
}

static void report_discovered(void *ctx, const char *text)
{
	printf("%s: discovered %s\n", (const char *)ctx, text);
}

static bool has_alertmanager(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_sources; i++)
		if (cfg->sources[i].type == SOURCE_ALERTMANAGER)
			return true;
	return false;
}

/* Each alertmanager source asked once for the filter's alerts: how many
 * there are, or the failure. */
static int check_alerts(struct incident *inc, const struct config *cfg, const char *path)
{
	struct error err;
	if (!has_alertmanager(cfg))
		return EXIT_OK;
	if (live_alerts_attach(inc, cfg, &err) != 0 || live_alerts_snapshot(inc, cli_snapshot_timeout(cfg), &err) != 0) {
		printf("%s: %s\n", path, err.msg);
		return EXIT_EXTERNAL;
	}
	for (size_t i = 0; i < inc->n_alerts; i++)
		printf("%s: source \"%s\": %zu alerts match its filter now\n", path, inc->alerts[i].source,
		       inc->alerts[i].set.n + inc->alerts[i].set.left_out);
	return EXIT_OK;
}

/* The journal's database, when the config names one: reachable, the table
 * there, and cmdr's role allowed to add lines but not to rewrite them. */
static int check_journal(const struct config *cfg, const char *path)
{
	if (!cfg->journal.dsn.file && !cfg->journal.dsn.env)
		return EXIT_OK;
	struct error err;
	char *dsn = config_secret_read(&cfg->journal.dsn, "journal.dsn", &err);
	if (!dsn) {
		printf("%s: %s\n", path, err.msg);
		return EXIT_CHECK;
	}
	journal_pg_set_dsn(dsn);
	journal_pg_set_timeout(cfg->journal.timeout_ms);
	explicit_bzero(dsn, strlen(dsn));
	free(dsn);
	char *where = xasprintf("%s%s", JOURNAL_PG_PREFIX, cfg->journal.incident ? cfg->journal.incident : "-");
	struct journal_pg_probe p;
	int rc = EXIT_OK;
	if (journal_pg_probe(where, &p, &err) != 0) {
		printf("%s: journal: %s\n", path, err.msg);
		rc = cli_exit_status(&err);
	} else if (!p.may_insert) {
		printf("%s: journal: cmdr's role may not INSERT into cmdr_journal: grant SELECT and INSERT\n", path);
		rc = EXIT_CHECK;
	} else if (p.may_update || p.may_delete) {
		printf("%s: journal: cmdr's role may %s%s%s cmdr_journal, so a stolen credential could rewrite history: grant it SELECT and INSERT only (README \"Several jump boxes\")\n",
		       path, p.may_update ? "UPDATE" : "", p.may_update && p.may_delete ? " and " : "",
		       p.may_delete ? "DELETE (or TRUNCATE)" : "");
		rc = EXIT_CHECK;
	} else if (cfg->journal.incident) {
		printf("%s: journal %s: reachable, %llu entries; cmdr's role may read and add lines, not rewrite them\n", path,
		       where, (unsigned long long)p.entries);
	} else {
		printf("%s: journal: PostgreSQL reachable; cmdr's role may read and add lines, not rewrite them\n", path);
	}
	free(where);
	return rc;
}

/* Every SLO and canary query, run once against its source, and each
 * alertmanager source's alerts; each failure on a line of its own with
 * the engine's words. */
static int check_online(const struct config *cfg, const char *path)
{
	struct error err;
	/* Said first, and on its own: the journal's answer does not stop the
	 * sources from being asked. */
	int journal_rc = check_journal(cfg, path);
	if (cfg->n_slos == 0 && cfg->n_canaries == 0 && !config_discovers(cfg) && !has_alertmanager(cfg))
		return journal_rc;
	if (config_install_redactions(cfg, &err) != 0) {
		printf("%s: %s\n", path, err.msg);
		return EXIT_CHECK;
	}
	struct actor me;
	actor_from_env(&me, NULL, ROLE_OBSERVER, true);
	struct incident inc;
	if (incident_open_readonly(&inc, NULL, &me, &err) != 0) {
		printf("%s: %s\n", path, err.msg);
		return EXIT_CHECK;
	}
	int rc = EXIT_OK;
	if (live_attach(&inc, cfg, LIVE_SOURCES, &err) != 0) {
		printf("%s: %s\n", path, err.msg);
		rc = EXIT_EXTERNAL;
	} else {
		if (live_check(&inc, cli_snapshot_timeout(cfg), report_query, (void *)path) > 0)
			rc = EXIT_EXTERNAL;
		live_discovered(&inc, report_discovered, (void *)path);
		if (check_alerts(&inc, cfg, path) != EXIT_OK)
			rc = EXIT_EXTERNAL;
	}
	incident_free(&inc);
	return journal_rc != EXIT_OK ? journal_rc : rc;
}

int cmd_config(struct cli_run *r)
{
	const struct cli_options *o = r->o;
	if (o->n_args > 1) {
		cli_usage("config");
		return EXIT_USAGE;
	}
	struct error err;
	bool missing;
	char *path = o->n_args == 1 ? xstrdup(o->args[0]) : config_locate(o->config_path, &missing, &err);
	if (!path) {
		fprintf(stderr, "cmdr config check: %s\n", err.msg);
		return EXIT_CHECK;
	}
	struct config cfg;
	struct config_problems problems = { 0 };
	int rc = EXIT_OK;
	if (config_load(path, &cfg, &problems) == 0) {
		rc = o->online ? check_online(&cfg, path) : EXIT_OK;
		if (rc == EXIT_OK)
			printf("%s: ok\n", path);
	} else {
		for (size_t i = 0; i < problems.n; i++)
			puts(problems.lines[i]);
		rc = EXIT_CHECK;
	}
	config_problems_free(&problems);
	config_free(&cfg);
	free(path);
	return rc;
}

/* The key lists come from the readers' own tables; cmdr.1 holds them too
 * (tests/cli/docs.sh checks that it holds these). */
int cmd_config_keys(struct cli_run *r)
{
	const struct cli_options *o = r->o;
	if (o->n_args == 0) {
		config_print_keys(stdout);
		return EXIT_OK;
	}
	if (o->n_args == 1 && strcmp(o->args[0], "scenario") == 0) {
		scenario_print_keys(stdout);
		return EXIT_OK;
	}
	cli_usage("config");
	return EXIT_USAGE;
}
