/* What the commands share: the config as every command that opens an
 * incident loads it (located, checked, applied to who is acting), the
 * incident opened under its pinned rules, runbooks, live sources and
 * targets, notifications, and the command line's own small helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "incdir.h"
#include "live.h"
#include "notify.h"
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

int cli_setup(const struct cli_options *o, const char *who, bool readonly, struct config *cfg,
	      struct actor *me)
{
	struct error err;
	if (cli_load_config(o, who, cfg) != EXIT_OK)
		return EXIT_CHECK;
	actor_from_env(me, o->as_name, o->role, readonly);
	/* Redactions go in before anything is journaled or drawn. */
	if (config_install_redactions(cfg, &err) != 0) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		actor_free(me);
		config_free(cfg);
		return EXIT_CHECK;
	}
	return EXIT_OK;
}

int cli_open(const struct cli_options *o, const char *who, const struct config *cfg, const char *dir,
	     bool look_only, struct actor *me, struct incident *inc)
{
	struct error err;
	struct policy candidate;
	if (policy_candidate(&candidate, cfg, &err) != 0) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		actor_free(me);
		return EXIT_CHECK;
	}
	/* Refused before anything is created: with no journal yet, the
	 * candidate is what will judge. */
	char *journal = dir ? xasprintf("%s/journal.jsonl", dir) : NULL;
	struct stat st;
	int rc = journal && stat(journal, &st) == 0 ? 0 : policy_apply_identity(&candidate, me, o->role_given, &err);
	free(journal);
	if (rc != 0 && !me->readonly) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		actor_free(me);
		policy_free(&candidate);
		return EXIT_CHECK;
	}
	incdir_set_file_mode(cfg->incident_mode);
	rc = look_only ? incident_open_readonly(inc, dir, me, &err) : incident_open(inc, dir, me, &err);
	if (rc == 0 && (rc = incident_settle_policy(inc, &candidate, o->role_given, &err)) != 0)
		incident_free(inc);
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", who, err.msg);
	policy_free(&candidate);
	return rc == 0 ? EXIT_OK : EXIT_CHECK;
}

static void report_runbook(void *ctx, const char *problem)
{
	fprintf(stderr, "%s: runbook left out: %s\n", (const char *)ctx, problem);
}

void cli_load_runbooks(struct incident *inc, const struct config *cfg, const char *who)
{
	const char *dirs[] = { "runbooks", CMDR_DATADIR "/runbooks" };
	if (cfg->n_runbook_dirs)
		incident_load_runbooks(inc, (const char *const *)cfg->runbook_dirs, cfg->n_runbook_dirs,
				       report_runbook, (void *)who);
	else
		incident_load_runbooks(inc, dirs, sizeof dirs / sizeof dirs[0], report_runbook, (void *)who);
}

int cli_attach_live(struct incident *inc, const struct config *cfg, unsigned what, const char *who)
{
	if (cfg->n_slos == 0 && cfg->n_canaries == 0 && cfg->n_endpoints == 0)
		return EXIT_OK;
	struct error err;
	if (live_attach(inc, cfg, what, &err) != 0) {
		fprintf(stderr, "%s: %s\n", who, err.msg);
		return EXIT_CHECK;
	}
	return EXIT_OK;
}

void cli_attach_notify(struct incident *inc, const struct config *cfg)
{
	if (inc->mode != MODE_DRILL) {
		incident_attach_notify(inc, &cfg->notify, NULL);
		return;
	}
	char *sink = cfg->notify.drill_sink ? xstrdup(cfg->notify.drill_sink)
					    : xasprintf("%s/notifications.jsonl", inc->journal.dir);
	incident_attach_notify(inc, &cfg->notify, sink);
	free(sink);
}

void cli_finish_notify(struct incident *inc, int64_t max_ms, uint64_t since_seq, const char *who)
{
	int64_t until = clock_monotonic_ms() + max_ms;
	while (notifier_pending(inc->notifier) && clock_monotonic_ms() < until)
		incident_wait(inc, NULL, 0, 100);
	notifier_abandon(inc->notifier, "not delivered before cmdr exited");
	/* A failed message is not a failed action, but the person who typed
	 * the command hears of it. */
	for (size_t i = 0; who && i < inc->timeline.n; i++) {
		const struct timeline_entry *e = timeline_at(&inc->timeline, i);
		if (e->seq > since_seq && e->failed && strcmp(e->action, "notify") == 0)
			fprintf(stderr, "%s: %s\n", who, e->what);
	}
}

/* The positional arguments from `from` on, joined by spaces (a note need
 * not be quoted). */
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
	if (o->dir_given || !cfg->incident_dir)
		return o->dir;
	return cfg->incident_dir;
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
