/* The setup a verb's line in the table asks for (VERB_*, cli.h), done
 * here once for every command: the config located, checked and applied
 * to who is acting; the incident opened under its pinned rules; then
 * runbooks, a drill, live sources and targets, notifications; and taken
 * down after the command ran. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "drill.h"
#include "incdir.h"
#include "journal_pg.h"
#include "live.h"
#include "notify.h"
#include "timefmt.h"
#include "xalloc.h"

#define NOTIFY_WAIT_MS 15000

/* The config, and who is acting (readonly: who cannot change anything),
 * with the config's redactions installed; on success the caller owns
 * *cfg and *me. */
static int setup_actor(const struct cli_options *o, const char *who, bool readonly, struct config *cfg,
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

/* Opens the incident in dir (NULL: none; look_only: read-only, creating
 * nothing) as me (taken over) and settles the rules it is judged by:
 * those pinned in its journal, else the system config's
 * (core/readers/policy.h), else cfg's, pinned by the first line appended;
 * then who me is under them. On failure says why and returns EXIT_CHECK
 * with nothing to free but cfg. */
static int open_as(const struct cli_options *o, const char *who, const struct config *cfg, const char *dir,
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
	int rc = dir && journal_present(dir) ? 0 : policy_apply_identity(&candidate, me, o->role_given, &err);
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
	return rc == 0 ? EXIT_OK : cli_exit_status(&err);
}

static void report_runbook(void *ctx, const char *problem)
{
	fprintf(stderr, "%s: runbook left out: %s\n", (const char *)ctx, problem);
}

/* The runbooks from the config's runbook_dirs, else ./runbooks and the
 * installed ones; a refused runbook is left out with one line on stderr
 * (warnings are for `cmdr runbook lint`). */
static void load_runbooks(struct incident *inc, const struct config *cfg, const char *who)
{
	const char *dirs[] = { "runbooks", CMDR_DATADIR "/runbooks" };
	if (cfg->n_runbook_dirs)
		incident_load_runbooks(inc, (const char *const *)cfg->runbook_dirs, cfg->n_runbook_dirs,
				       report_runbook, (void *)who);
	else
		incident_load_runbooks(inc, dirs, sizeof dirs / sizeof dirs[0], report_runbook, (void *)who);
}

/* Where a drill's notifications go when the config does not say: beside
 * the journal, or for postgres:NAME (no directory) in
 * $XDG_STATE_HOME/cmdr (else ~/.local/state/cmdr) as NAME.notifications.jsonl. */
static char *drill_sink_of(const char *where)
{
	if (!journal_is_pg(where))
		return xasprintf("%s/notifications.jsonl", where);
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *base = xdg && *xdg == '/' ? xstrdup(xdg) : xasprintf("%s/.local/state", home && *home ? home : "/tmp");
	char *dir = xasprintf("%s/cmdr", base);
	/* Made as mkdir -p would, private to this user. */
	for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	mkdir(dir, 0700);
	char *sink = xasprintf("%s/%s.notifications.jsonl", dir, where + strlen(JOURNAL_PG_PREFIX));
	/* A name is never a path. */
	for (char *p = sink + strlen(dir) + 1; *p; p++)
		if (*p == '/')
			*p = '_';
	free(dir);
	free(base);
	return sink;
}

/* Announces this process's journal lines to the config's notify services
 * (in a drill: to the drill sink), once the mode is settled. */
static void attach_notify(struct incident *inc, const struct config *cfg)
{
	if (inc->mode != MODE_DRILL) {
		incident_attach_notify(inc, &cfg->notify, NULL);
		return;
	}
	char *sink = cfg->notify.drill_sink ? xstrdup(cfg->notify.drill_sink) : drill_sink_of(inc->journal.dir);
	incident_attach_notify(inc, &cfg->notify, sink);
	free(sink);
}

/* Before exiting: waits up to max_ms for messages still being sent, then
 * journals the rest as failed; with who, says those that failed after
 * journal entry since_seq on stderr. */
static void finish_notify(struct incident *inc, int64_t max_ms, uint64_t since_seq, const char *who)
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

/* A scenario named without a path ("friday-1714") is looked up in
 * ./drills and then in the installed drills. */
static char *scenario_path(const char *arg)
{
	if (strchr(arg, '/') || access(arg, F_OK) == 0)
		return xstrdup(arg);
	const char *dirs[] = { "drills", CMDR_DATADIR "/drills" };
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char *p = xasprintf("%s/%s%s", dirs[i], arg, strstr(arg, ".json") ? "" : ".json");
		if (access(p, F_OK) == 0)
			return p;
		free(p);
	}
	return xstrdup(arg);
}

/* Whether the config names anything live to read: then a look needs no
 * journal. */
static bool config_is_live(const struct config *cfg)
{
	bool live = cfg->n_slos || cfg->n_canaries || config_discovers(cfg);
	for (size_t i = 0; i < cfg->n_endpoints; i++)
		live = live || cfg->endpoints[i].has_target;
	return live;
}

/* Where a look (VERB_LOOK) reads, in *dir: the incident when it has a
 * journal, else none when the config has live sources to read, else an
 * error: a look must not create an incident by looking for one. The
 * time --at gives in *at. */
static int look_where(const struct cli_run *r, const char **dir, int64_t *at)
{
	const struct cli_options *o = r->o;
	*at = clock_wall_ms();
	if (o->at && !timefmt_parse_at(o->at, *at, at)) {
		fprintf(stderr, "%s: --at '%s' is not a time (ISO 8601, or -2h from now)\n", r->who, o->at);
		return EXIT_USAGE;
	}
	if (journal_present(*dir))
		return EXIT_OK;
	if (!config_is_live(&r->cfg)) {
		char *journal = cli_journal_path(*dir);
		fprintf(stderr, "%s: %s: no journal there; start an incident or pass -i DIR\n", r->who, journal);
		free(journal);
		return EXIT_CHECK;
	}
	*dir = NULL;
	return EXIT_OK;
}

/* The incident opened as me (taken over) as r->setup asks, after the
 * checks that must come before anything is created; on failure nothing
 * to free but the config. */
static int open_incident(struct cli_run *r, struct actor *me)
{
	const char *dir = cli_incident_dir(r->o, &r->cfg);
	bool look = r->setup & VERB_LOOK;
	int64_t at = 0;
	char why[200];
	int rc = EXIT_OK;
	if ((rc = cli_journal_setup(dir, &r->cfg, r->who)) != EXIT_OK) {
		/* Nothing more to say. */
	} else if ((r->setup & VERB_CURSES) && terminal_usable(why, sizeof why) != 0) {
		fprintf(stderr, "%s: %s; nothing was journaled\n", r->who, why);
		rc = EXIT_CHECK;
	} else if (look) {
		rc = look_where(r, &dir, &at);
	}
	if (rc != EXIT_OK) {
		actor_free(me);
		return rc;
	}
	if ((rc = open_as(r->o, r->who, &r->cfg, dir, look, me, &r->inc)) != EXIT_OK)
		return rc;
	if (look) {
		r->inc.passive = true;
		if (r->o->at) {
			clock_init_manual(&r->inc.clock, at);
			r->inc.now = at;
		}
	}
	return EXIT_OK;
}

/* What goes into the open incident before the command runs. */
static int fill_incident(struct cli_run *r)
{
	struct incident *inc = &r->inc;
	struct error err;
	if (r->setup & VERB_RUNBOOKS)
		load_runbooks(inc, &r->cfg, r->who);
	if ((r->setup & VERB_MUTATES) && incident_repair_journal(inc, &err) < 0) {
		fprintf(stderr, "%s: %s\n", r->who, err.msg);
		return EXIT_CHECK;
	}
	if ((r->setup & VERB_CONSOLE) && inc->last_action.failed)
		fprintf(stderr, "%s: %s\n", r->who, inc->last_action.text);
	if (r->setup & VERB_DRILL) {
		char *path = scenario_path(r->o->args[0]);
		int rc = drill_load(inc, path, &err);
		free(path);
		if (rc != 0) {
			fprintf(stderr, "%s: %s\n", r->who, err.msg);
			return EXIT_CHECK;
		}
	}
	if ((r->setup & VERB_LIVE) && cli_attach_live(inc, &r->cfg, LIVE_SOURCES | LIVE_TARGETS, r->who) != EXIT_OK)
		return EXIT_CHECK;
	if (r->setup & VERB_MUTATES) {
		r->since = inc->journal.entries;
		attach_notify(inc, &r->cfg);
	}
	return EXIT_OK;
}

int cli_begin(struct cli_run *r)
{
	if (!(r->setup & VERB_INCIDENT))
		return r->setup & VERB_CONFIG ? cli_load_config(r->o, r->who, &r->cfg) : EXIT_OK;
	struct actor me;
	bool readonly = (r->setup & VERB_OBSERVE) || r->o->readonly;
	if (setup_actor(r->o, r->who, readonly, &r->cfg, &me) != EXIT_OK)
		return EXIT_CHECK;
	int rc = open_incident(r, &me);
	if (rc == EXIT_OK && (rc = fill_incident(r)) != EXIT_OK)
		incident_free(&r->inc);
	if (rc != EXIT_OK)
		config_free(&r->cfg);
	return rc;
}

void cli_end(struct cli_run *r)
{
	if (r->setup & VERB_INCIDENT) {
		if (r->setup & VERB_MUTATES)
			finish_notify(&r->inc, NOTIFY_WAIT_MS, r->since, r->setup & VERB_CONSOLE ? NULL : r->who);
		incident_free(&r->inc);
	}
	if (r->setup & (VERB_CONFIG | VERB_INCIDENT))
		config_free(&r->cfg);
}
