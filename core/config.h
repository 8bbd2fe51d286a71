/* The config file (JSON): found by -c FILE, then $CMDR_CONFIG, ./cmdr.json,
 * $XDG_CONFIG_HOME/cmdr/config.json (~/.config when unset). Unknown keys
 * are errors, so a typo never silently turns a safeguard off. `cmdr
 * config check` prints every problem as "file: json.path: what is wrong".
 * This holds the incident, identity and governance settings; sources,
 * SLOs, canaries and targets join it with the live-metrics work. */
#ifndef CMDR_CONFIG_H
#define CMDR_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

#include "actor.h"
#include "error.h"
#include "governance.h"

struct config_role {
	char *user; /* an OS user or --as name; "*" for everyone else */
	enum role role;
};

struct config_redaction {
	char *pattern;     /* PCRE2 */
	char *replacement; /* default "[REDACTED]" */
};

struct config {
	char *path;          /* where it was read from; NULL: no config file */
	char *incident_dir;  /* NULL: ./incident */
	struct config_role *roles;
	size_t n_roles;
	char **shared_accounts; /* OS users on which --as is mandatory */
	size_t n_shared_accounts;
	char **runbook_dirs;    /* NULL: ./runbooks and the installed runbooks */
	size_t n_runbook_dirs;
	struct governance governance;
	struct config_redaction *redactions;
	size_t n_redactions;
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
 * order of the file, every one of them, not just the first. */
int config_parse(const char *text, size_t len, const char *path, struct config *cfg,
		 struct config_problems *problems);
/* Reads and parses path (files over 4 MiB are refused); a file that
 * cannot be read is one problem. */
int config_load(const char *path, struct config *cfg, struct config_problems *problems);
/* An empty config: defaults everywhere, path NULL. */
void config_defaults(struct config *cfg);
void config_free(struct config *cfg);
void config_problems_free(struct config_problems *p);

/* Settles who the actor is under the config: a shared account requires
 * --as; a user mapped to a role gets that role, and may ask for a lesser
 * one with --role but never a greater one (commander > deputy >
 * observer); users not mapped get the "*" role, or commander when the
 * config maps no roles at all. role_given says whether --role was used.
 * The name looked up is the --as name when given, else the OS user. With
 * roles mapped but no "*", a user not mapped is an observer. */
int config_apply_identity(const struct config *cfg, struct actor *a, bool role_given, struct error *err);
/* Adds the configured redaction patterns to the built-in ones. */
int config_install_redactions(const struct config *cfg, struct error *err);

#endif
