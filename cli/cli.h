/* The command line: options shared by every command, the setup a verb's
 * flags ask for, and the commands themselves (one file each). Commands
 * other than the consoles use core only and never start curses. */
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

/* What a verb needs before it runs (its line in the verb table, main.c):
 * cli_begin sets it up once, in this order, and cli_end takes it down.
 * Each step's failure is one line "cmdr VERB: ..." and EXIT_CHECK. */
enum verb_setup {
	VERB_CONFIG = 1 << 0,   /* the config: located, loaded, checked */
	VERB_INCIDENT = 1 << 1, /* the config, who acts (its redactions installed), and the
				 * incident opened under the rules it is judged by */
	VERB_OBSERVE = 1 << 2,  /* who acts is read-only, whatever --readonly says */
	VERB_LOOK = 1 << 3,     /* the incident read only, creating nothing (none without a
				 * journal when the config has live sources), at --at's time */
	VERB_CURSES = 1 << 4,   /* starts curses: the terminal is checked before the incident opens */
	VERB_RUNBOOKS = 1 << 5, /* the runbooks loaded */
	VERB_MUTATES = 1 << 6,  /* a torn journal set aside first; notifications sent, and
				 * waited for at the end, those that failed said on stderr */
	VERB_CONSOLE = 1 << 7,  /* with MUTATES: a console says the last failed action before it
				 * starts, and leaves failed notifications to its timeline */
	VERB_DRILL = 1 << 8,    /* the scenario the first argument names loaded as the drill */
	VERB_LIVE = 1 << 9,     /* the config's sources and targets attached */
};

/* One command being run: its words, and what its setup gave it. */
struct cli_run {
	const char *verb;             /* "note"; NULL: the console */
	char who[32];                 /* "cmdr note": what its messages start with */
	const struct cli_options *o;
	unsigned setup;               /* VERB_* */
	struct config cfg;            /* VERB_CONFIG, VERB_INCIDENT */
	struct incident inc;          /* VERB_INCIDENT */
	uint64_t since;               /* VERB_MUTATES: the journal's entries before it acted */
};

/* Sets up what r->setup asks for (r->o, r->verb and r->who given): on
 * failure says why and returns its exit status, with nothing to take
 * down. */
int cli_begin(struct cli_run *r);
/* Takes down what cli_begin set up. */
void cli_end(struct cli_run *r);

/* The exit status an error's kind gives. */
int cli_exit_status(const struct error *err);

/* The consoles (tui/): they start curses. */
int cmd_console(struct cli_run *r);
int cmd_drill(struct cli_run *r);
/* 0 when TERM names a terminal cmdr can draw on; -1 and why otherwise
 * (tui/terminal.c). */
int terminal_usable(char *why, size_t size);

/* The commands that never start curses, one file each. After a verb
 * with a subcommand ("audit verify") the arguments start after it. */
int cmd_drill_headless(struct cli_run *r);
int cmd_status(struct cli_run *r);
int cmd_audit_verify(struct cli_run *r);
int cmd_audit_show(struct cli_run *r);
int cmd_config(struct cli_run *r);
int cmd_config_keys(struct cli_run *r);
int cmd_rollback(struct cli_run *r);
int cmd_weight(struct cli_run *r);
int cmd_silence(struct cli_run *r);
int cmd_silence_extend(struct cli_run *r);
int cmd_silence_expire(struct cli_run *r);
int cmd_runbook(struct cli_run *r);
int cmd_journal_schema(struct cli_run *r);
int cmd_canary_simulate(struct cli_run *r);
int cmd_journal_push(struct cli_run *r);
int cmd_journal_export(struct cli_run *r);
int cmd_export(struct cli_run *r);
int cmd_policy_show(struct cli_run *r);
int cmd_policy_pin(struct cli_run *r);
/* declare, severity, resolve; role, note, update and timecheck */
int cmd_declare(struct cli_run *r);
int cmd_severity(struct cli_run *r);
int cmd_resolve(struct cli_run *r);
int cmd_workflow(struct cli_run *r);
/* "cmdr VERB: usage: cmdr VERB SYNOPSIS (HELP)" on stderr, from the verb
 * table (cli/main.c). */
void cli_usage(const char *verb);

/* Locates and loads the config (none is fine); a config with problems is
 * refused with one line prefixed "who: " and EXIT_CHECK. */
int cli_load_config(const struct cli_options *o, const char *who, struct config *cfg);
/* Adds the config's endpoint targets and/or sources (LIVE_TARGETS,
 * LIVE_SOURCES) to a live incident (no-op when it has none); prints one
 * line and returns EXIT_CHECK on failure. */
int cli_attach_live(struct incident *inc, const struct config *cfg, unsigned what, const char *who);
/* The positional arguments from `from` on, joined by spaces (caller
 * frees): a note or a split need no quotes. */
char *cli_join_args(const struct cli_options *o, int from);
/* Long enough for the slowest source (or target) to answer or time out,
 * a token first. */
int64_t cli_snapshot_timeout(const struct config *cfg);
/* The incident directory: -i when given, else the config's, else ./incident. */
const char *cli_incident_dir(const struct cli_options *o, const struct config *cfg);
/* The journal of an incident (-i): DIR/journal.jsonl, or postgres:NAME
 * as it is. Freed by the caller. */
char *cli_journal_path(const char *where);
/* What a postgres:NAME incident needs before it is opened: the DSN, read
 * from the config's journal.dsn_file or dsn_env. EXIT_OK, or the exit
 * status after one line on stderr. Nothing to do for a directory. */
int cli_journal_setup(const char *where, const struct config *cfg, const char *who);

#endif
