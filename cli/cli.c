/* The command line's small helpers, for the setup (setup.c) and the
 * commands alike: the config as every command loads it, live sources and
 * targets, arguments, the incident directory, exit statuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "journal_pg.h"
#include "live.h"
#include "live_alerts.h"
#include "xalloc.h"

int cli_load_config(const struct cli_options *o, const char *who, struct config *cfg)
{
	struct error err;
	bool missing;
	config_defaults(cfg);
	char *path = config_locate(o->config_path, &missing, &err);
	if (!path && missing) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		return EXIT_CHECK;
	}
	if (path) {
		struct config_problems problems = { 0 };
		int rc = config_load(path, cfg, &problems);
		if (rc != 0) {
			/* One line, as every error; the check lists the rest. */
			if (problems.n > 1)
				fprintf(stderr, "%s: %s (and %zu more: cmdr config check %s)\n", who,
					problems.lines[0], problems.n - 1, path);
			else
				fprintf(stderr, "%s: %s\n", who, problems.lines[0]);
		}
		config_problems_free(&problems);
		free(path);
		if (rc != 0)
			return EXIT_CHECK;
	}
	return EXIT_OK;
}

int cli_attach_live(struct incident *inc, const struct config *cfg, unsigned what, const char *who)
{
	struct error err;
	if ((cfg->n_slos || cfg->n_canaries || cfg->n_endpoints || config_discovers(cfg)) && live_attach(inc, cfg, what, &err) != 0) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		return EXIT_CHECK;
	}
	if ((what & LIVE_SOURCES) && live_alerts_attach(inc, cfg, &err) != 0) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		return EXIT_CHECK;
	}
	return EXIT_OK;
}

char *cli_join_args(const struct cli_options *o, int from)
{
	size_t len = 1;
	for (int i = from; i < o->n_args; i++)
		len += strlen(o->args[i]) + 1;
	char *s = xcalloc(1, len);
	for (int i = from; i < o->n_args; i++) {
		if (i > from)
			strcat(s, " ");
		strcat(s, o->args[i]);
	}
	return s;
}

int64_t cli_snapshot_timeout(const struct config *cfg)
{
	int64_t t = 0;
	for (size_t i = 0; i < cfg->n_sources; i++)
		if (cfg->sources[i].timeout_ms > t)
			t = cfg->sources[i].timeout_ms;
	for (size_t i = 0; i < cfg->n_endpoints; i++)
		if (cfg->endpoints[i].has_target && cfg->endpoints[i].target.timeout_ms > t)
			t = cfg->endpoints[i].target.timeout_ms;
	/* A token first, then the queries. */
	return 2 * t + 1000;
}

const char *cli_incident_dir(const struct cli_options *o, const struct config *cfg)
{
	static char pg[sizeof JOURNAL_PG_PREFIX + 256];
	if (!o->dir_given && cfg->journal.type == JOURNAL_POSTGRES && cfg->journal.incident) {
		snprintf(pg, sizeof pg, "%s%s", JOURNAL_PG_PREFIX, cfg->journal.incident);
		return pg;
	}
	if (o->dir_given || !cfg->incident_dir)
		return o->dir;
	return cfg->incident_dir;
}

char *cli_journal_path(const char *where)
{
	return journal_is_pg(where) ? xstrdup(where) : xasprintf("%s/journal.jsonl", where);
}

int cli_journal_setup(const char *where, const struct config *cfg, const char *who)
{
	if (!journal_is_pg(where))
		return EXIT_OK;
	const struct config_secret *dsn = &cfg->journal.dsn;
	if (!dsn->file && !dsn->env) {
		fprintf(stderr, "%s: %s: the config names no PostgreSQL DSN (journal.dsn_file or journal.dsn_env)\n", who,
			where);
		return EXIT_CHECK;
	}
	struct error err;
	char *secret = config_secret_read(dsn, "journal.dsn", &err);
	if (!secret) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		return EXIT_CHECK;
	}
	journal_pg_set_dsn(secret);
	journal_pg_set_timeout(cfg->journal.timeout_ms);
	explicit_bzero(secret, strlen(secret));
	free(secret);
	return EXIT_OK;
}

int cli_exit_status(const struct error *err)
{
	static const int status[] = {
		[ERROR_CHECK] = EXIT_CHECK,
		[ERROR_EXTERNAL] = EXIT_EXTERNAL,
		[ERROR_USAGE] = EXIT_USAGE,
	};
	return status[err->kind];
}
