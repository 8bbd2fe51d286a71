/* The command line: options shared by every command, and the commands
 * themselves (one file each). Commands other than the consoles use core
 * only and never start curses. */
#ifndef CMDR_CLI_H
#define CMDR_CLI_H
#include <stdbool.h>

#include "actor.h"
#include "config.h"
#include "incident.h"

struct cli_options {
	const char *config_path; /* -c FILE, or NULL: the lookup order */
	const char *dir;      /* -i DIR */
	bool dir_given;       /* -i was used: it wins over the config's incident_dir */
	const char *as_name;  /* --as NAME */
	enum role role;       /* --role */
	bool role_given;      /* --role was used: the config may refuse it */
	bool readonly, ascii, color, json, headless;
	double speed;         /* --speed N, 0 when not given */
	const char *until;    /* --until TIME */
	const char *at;       /* --at TIME (cmdr status) */
	const char *head;     /* --head HASH */
	const char *script;   /* --script FILE (headless drills) */
	const char *format;   /* --format md|json (cmdr export) */
	const char *to;       /* --to DEPLOYMENT */
	const char *reason;   /* --reason TEXT */
	const char *severity; /* --severity SEV (cmdr declare) */
	bool yes;             /* --yes: no confirmation prompt */
	bool online;          /* config check --online: run every query once */
	const char **args;    /* positional arguments after the command (in argv's own slots) */
	int n_args;
};

enum { EXIT_OK = 0, EXIT_CHECK = 1, EXIT_USAGE = 2, EXIT_EXTERNAL = 3 };
/* The exit status an error's kind gives. */
int cli_exit_status(const struct error *err);

int cmd_console(const struct cli_options *o);
int cmd_drill(const struct cli_options *o);
int cmd_status(const struct cli_options *o);
int cmd_audit(const struct cli_options *o);
int cmd_config(const struct cli_options *o);
int cmd_rollback(const struct cli_options *o);
int cmd_weight(const struct cli_options *o);
int cmd_runbook(const struct cli_options *o);
int cmd_export(const struct cli_options *o);
int cmd_policy(const struct cli_options *o);
/* declare, severity, role, note, update, resolve, timecheck */
int cmd_workflow(const char *command, const struct cli_options *o);
/* "cmdr VERB: usage: cmdr VERB SYNOPSIS (HELP)" on stderr, from the verb
 * table (cli/main.c). */
void cli_usage(const char *verb);

/* Locates and loads the config (none is fine); a config with problems is
 * refused with one line prefixed "who: " and EXIT_CHECK. */
int cli_load_config(const struct cli_options *o, const char *who, struct config *cfg);
/* For the commands that open an incident (cli/cli.c): loads the
 * config (-c, $CMDR_CONFIG, ./cmdr.json, ~/.config/cmdr/config.json; none
 * is fine), finds who is acting, and installs its redactions (cli_open
 * settles their role, under the incident's rules).
 * On failure prints one line prefixed "who: " and returns EXIT_CHECK; on
 * success the caller owns *cfg and *me. */
int cli_setup(const struct cli_options *o, const char *who, bool readonly, struct config *cfg,
	      struct actor *me);
/* Opens the incident in dir (NULL: none; look_only: read-only, creating
 * nothing) as me (taken over) and settles
 * the rules it is judged by: those pinned in its journal, else the
 * system config's (core/readers/policy.h), else cfg's, pinned by the first line
 * appended; then who me is under them. On failure prints one line
 * prefixed "who: " and returns EXIT_CHECK with nothing to free but cfg. */
int cli_open(const struct cli_options *o, const char *who, const struct config *cfg, const char *dir,
	     bool look_only, struct actor *me, struct incident *inc);
/* Loads the runbooks from the config's runbook_dirs, else ./runbooks and
 * the installed ones; a runbook with problems is left out with one line
 * on stderr. */
void cli_load_runbooks(struct incident *inc, const struct config *cfg, const char *who);
/* Adds the config's endpoint targets and/or sources (LIVE_TARGETS,
 * LIVE_SOURCES) to a live incident (no-op when it has none); prints one
 * line and returns EXIT_CHECK on failure. */
int cli_attach_live(struct incident *inc, const struct config *cfg, unsigned what, const char *who);
/* Announces this process's journal lines to the config's notify services
 * (in a drill: to the drill sink). Call once the mode is settled. */
void cli_attach_notify(struct incident *inc, const struct config *cfg);
/* Before exiting: waits up to max_ms for messages still being sent, then
 * journals the rest as failed; with who, prints those that failed after
 * journal entry since_seq to stderr. */
void cli_finish_notify(struct incident *inc, int64_t max_ms, uint64_t since_seq, const char *who);
#define CLI_NOTIFY_WAIT_MS 15000
/* The positional arguments from `from` on, joined by spaces (caller
 * frees): a note or a split need no quotes. */
char *cli_join_args(const struct cli_options *o, int from);
/* The incident directory: -i when given, else the config's, else ./incident. */
/* Long enough for the slowest source (or target) to answer or time out,
 * a token first. */
int64_t cli_snapshot_timeout(const struct config *cfg);
const char *cli_incident_dir(const struct cli_options *o, const struct config *cfg);

#endif
