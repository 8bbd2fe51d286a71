#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "burn.h"
#include "config_live_impl.h"
#include "jsonmsg.h"
#include "proc.h"
#include "redact.h"
#include "timefmt.h"
#include "readfile.h"
#include "xalloc.h"

#define CONFIG_MAX_BYTES (4L << 20)
#define CONFIG_DEFAULT_REPLACEMENT "[REDACTED]"

/* ---- sections ---------------------------------------------------------- */

/* The shell expands "~" on a command line; nothing expands it here, and a
 * directory literally named "~" is never what was meant. */
static void check_incident_dir(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	const struct config *cfg = base;
	if (cfg->incident_dir[0] == '~')
		config_problem_got(c, config_value_of(key, obj),
				   "a directory path (\"~\" is not expanded: write the full path)");
}

/* An octal mode as a string ("0660"): the owner reads and writes, nobody
 * else writes more than the group, nothing executes. */
static void read_incident_mode(struct config_check *c, const cJSON *v, void *value)
{
	char *end = NULL;
	unsigned long m = cJSON_IsString(v) ? strtoul(v->valuestring, &end, 8) : 0;
	if (!cJSON_IsString(v) || !*v->valuestring || *end || (m & ~0664ul) || (m & 0600) != 0600)
		config_problem_got(c, v, "a file mode like \"0640\" or \"0660\" (owner rw; group r or rw; others r at most)");
	else
		*(unsigned *)value = (unsigned)m;
}

static void read_roles(struct config_check *c, const cJSON *v, void *value)
{
	struct config *cfg = value;
	if (!config_want_object(c, v))
		return;
	cfg->roles = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *cfg->roles);
	for (const cJSON *r = v->child; r; r = r->next) {
		if (config_is_comment(r->string))
			continue;
		size_t old = jsonmsg_path_key(&c->path, r->string);
		enum role role;
		if (!r->string[0])
			config_problem(c, "expected a user name or \"*\" as the key, got \"\"");
		else if (!cJSON_IsString(r) || !role_parse(r->valuestring, &role))
			config_problem_got(c, r, "commander, deputy or observer");
		else if (!config_duplicate(c, v, r))
			cfg->roles[cfg->n_roles++] = (struct config_role){ xstrdup(r->string), role };
		jsonmsg_path_pop(&c->path, old);
	}
}

static void free_roles(void *value)
{
	struct config *cfg = value;
	for (size_t i = 0; i < cfg->n_roles; i++)
		free(cfg->roles[i].user);
	free(cfg->roles);
}

#define GOV(field) offsetof(struct governance, field)

static const struct config_key emergency_keys[] = {
	{ "canary_verdict", CONFIG_BOOL, GOV(emergency_canary), .def = "true",
	  .doc = "a canary's rollback verdict pre-approves the rollback" },
	{ "burn_rate", CONFIG_NUMBER, GOV(emergency_burn), .def = "0",
	  .expected = "a burn rate >= 0 (e.g. 4; 0 turns this criterion off)", .range = { .lo = 0, .hi = HUGE_VAL },
	  .doc = "a burn rate at least this high on the endpoint's SLO pre-approves the rollback; 0: off" },
	{ "burn_window", CONFIG_ENUM, GOV(emergency_window), .def = "1h", .names = burn_window_name,
	  .n_names = BURN_NWINDOWS, .expected = "one of \"5m\", \"30m\", \"1h\", \"2h\", \"6h\", \"1d\", \"3d\"",
	  .doc = "the window that burn rate is read over" },
	{ 0 },
};

static const struct config_table emergency_table = { .keys = emergency_keys };

static const struct config_key governance_keys[] = {
	{ "two_person", CONFIG_BOOL, GOV(two_person), .def = "false",
	  .doc = "a traffic change outside the emergency criteria waits for a second person's approval" },
	{ "shared_account_approval", CONFIG_BOOL, GOV(shared_account_approval), .def = "false",
	  .doc = "on a shared account, another --as name counts as a second person" },
	{ "approval_timeout", CONFIG_DURATION, GOV(approval_timeout_ms), .def = "10m", .range.lo = 1,
	  .doc = "how long a request waits for approval" },
	{ "emergency", CONFIG_OBJECT, 0, .table = &emergency_table, .def = "{}",
	  .doc = "what pre-approves a rollback to the last known-good deployment" },
	{ 0 },
};

static const struct config_table governance_table = { .keys = governance_keys };

/* Compiled here, not only when installed, so that `cmdr config check`
 * catches a bad pattern before the console that needs it starts. */
static void check_redaction(struct config_check *c, const cJSON *obj, void *base)
{
	struct config_redaction *r = base;
	if (!r->pattern || !r->replacement)
		return;
	struct error err;
	enum redact_problem bad = redact_check_pattern(r->pattern, r->replacement, &err);
	if (bad == REDACT_OK)
		return;
	if (bad == REDACT_BAD_PATTERN)
		config_problem_got_at(c, obj, "pattern", "a PCRE2 pattern");
	else if (bad == REDACT_EMPTY_MATCH)
		config_problem_got_at(c, obj, "pattern", "a pattern that cannot match empty text");
	else
		config_problem_got_at(c, obj, "replacement", "a replacement naming only groups the pattern has");
	/* The problem ends with PCRE2's own account of what is wrong. */
	char **last = &c->problems->lines[c->problems->n - 1];
	char *line = xasprintf("%s (%s)", *last, err.msg);
	free(*last);
	*last = line;
}

static const struct config_key redaction_keys[] = {
	{ "pattern", CONFIG_STRING, offsetof(struct config_redaction, pattern), .expected = "a PCRE2 pattern",
	  .required = CONFIG_ALWAYS, .doc = "a PCRE2 pattern" },
	{ "replacement", CONFIG_STRING, offsetof(struct config_redaction, replacement), .def = CONFIG_DEFAULT_REPLACEMENT,
	  .expected = "the text to put in place of a match", .doc = "what a match becomes; $1 inserts group 1" },
	{ 0 },
};

static const struct config_table redaction_table = { .keys = redaction_keys, .check = check_redaction };

static const char *const journal_type_name[] = { "file", "postgres" };

#define JRN(field) offsetof(struct config_journal, field)

static void check_journal(struct config_check *c, const cJSON *obj, void *base)
{
	const struct config_journal *j = base;
	bool has_file = config_has(obj, "dsn_file"), has_env = config_has(obj, "dsn_env");
	if (has_file && has_env)
		config_problem(c, "give \"dsn_file\" or \"dsn_env\", not both");
	if (j->type == JOURNAL_POSTGRES && !has_file && !has_env)
		config_problem(c, "required key missing: \"dsn_file\" or \"dsn_env\" (where the PostgreSQL DSN is kept)");
	if (j->type == JOURNAL_POSTGRES && !j->incident)
		config_problem(c, "required key missing: \"incident\" (the incident's name in PostgreSQL)");
	if (j->incident) {
		size_t n = strlen(j->incident);
		bool bad = n == 0 || n > 200;
		for (const char *p = j->incident; !bad && *p; p++)
			bad = (unsigned char)*p <= 0x20 || *p == 0x7f;
		if (bad)
			config_problem_got_at(c, obj, "incident", "a name of 1 to 200 characters without spaces");
	}
}

static const struct config_key journal_keys[] = {
	{ "type", CONFIG_ENUM, JRN(type), .names = journal_type_name, .n_names = 2, .def = "file",
	  .expected = "\"file\" or \"postgres\"", .doc = "file (incident directories) or postgres" },
	{ "dsn", CONFIG_SECRET, JRN(dsn), .doc = "the PostgreSQL connection string (libpq's key=value or URI form)" },
	{ "incident", CONFIG_STRING, JRN(incident), .expected = "an incident name",
	  .doc = "postgres: the incident when -i is not given (-i postgres:NAME names another)" },
	{ "timeout", CONFIG_DURATION, JRN(timeout_ms), .range.lo = 1, .def = "5s",
	  .doc = "postgres: how long one answer is waited for" },
	{ 0 },
};

static const struct config_table journal_table = { .keys = journal_keys, .check = check_journal };

#define CFG(field) offsetof(struct config, field)

static const struct config_key config_keys[] = {
	{ "incident_dir", CONFIG_STRING, CFG(incident_dir), .expected = "a directory path", .check = check_incident_dir,
	  .doc = "the incident directory when -i is not given (default: ./incident)" },
	{ "incident_mode", CONFIG_CUSTOM, CFG(incident_mode), .read = read_incident_mode,
	  .expected = "an octal mode as a string, such as \"0640\" or \"0660\"",
	  .doc = "the mode of the files created in the incident directory (default: 0660 in a group-writable "
		 "directory, else 0640)" },
	{ "roles", CONFIG_CUSTOM, 0, .read = read_roles, .free = free_roles,
	  .expected = "an object of people (or \"*\") to commander, deputy or observer",
	  .doc = "who gets which role; without it everyone is a commander" },
	{ "shared_accounts", CONFIG_STRINGS, CFG(shared_accounts), .count_at = CFG(n_shared_accounts),
	  .expected = "a user name", .doc = "OS users on which --as NAME is required" },
	{ "runbook_dirs", CONFIG_STRINGS, CFG(runbook_dirs), .count_at = CFG(n_runbook_dirs),
	  .expected = "a directory path",
	  .doc = "the directories runbooks are listed from, in order (default: ./runbooks and the installed ones)" },
	{ "governance", CONFIG_OBJECT, CFG(governance), .table = &governance_table, .def = "{}",
	  .doc = "how traffic changes are governed" },
	{ "redact", CONFIG_ARRAY, CFG(redactions), .count_at = CFG(n_redactions), .size = sizeof(struct config_redaction),
	  .table = &redaction_table, .doc = "redaction patterns added to the built-in ones" },
	{ "sources", CONFIG_MAP, CFG(sources), .count_at = CFG(n_sources), .size = sizeof(struct config_source),
	  .table = &config_source_table, .expected = "a source name", .doc = "the metrics sources, by name" },
	{ "slos", CONFIG_ARRAY, CFG(slos), .count_at = CFG(n_slos), .size = sizeof(struct config_slo),
	  .table = &config_slo_table, .doc = "the SLOs read from the sources" },
	{ "canaries", CONFIG_ARRAY, CFG(canaries), .count_at = CFG(n_canaries), .size = sizeof(struct config_canary),
	  .table = &config_canary_table, .doc = "the canary gates read from the sources" },
	{ "endpoints", CONFIG_ARRAY, CFG(endpoints), .count_at = CFG(n_endpoints),
	  .size = sizeof(struct config_endpoint), .table = &config_endpoint_table,
	  .doc = "the endpoints, and the targets that move their traffic" },
	{ "notify", CONFIG_OBJECT, CFG(notify), .table = &config_notify_table,
	  .doc = "where notifications go" },
	{ "journal", CONFIG_OBJECT, CFG(journal), .table = &journal_table, .def = "{}",
	  .doc = "where incidents' journals are kept: files, or PostgreSQL (README \"Several jump boxes\")" },
	{ 0 },
};

const struct config_table config_root_table = { .keys = config_keys };

/* ---- parse and load ---------------------------------------------------- */

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	config_set_defaults(&config_root_table, cfg, -1);
}

int config_parse(const char *text, size_t len, const char *path, struct config *cfg,
		 struct config_problems *problems)
{
	struct config_check c = { .file = path ? path : "<config>", .problems = problems,
				  .n_before = problems->n, .comments = true, .type = -1 };
	const char *end = NULL;

	jsonmsg_path_init(&c.path, JSONMSG_NEWLINE_HEX);
	config_defaults(cfg);
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!root) {
		config_problems_add(problems, jsonmsg_syntax_error(text, len, c.file, end));
		return -1;
	}
	/* cJSON stops after the first value; anything but whitespace after it
	 * is a second document or a stray brace. */
	size_t off = end ? (size_t)(end - text) : len;
	while (off < len && text[off] && strchr(" \t\r\n", text[off]))
		off++;
	if (off < len) {
		config_problems_add(problems, jsonmsg_syntax_error(text, len, c.file, text + off));
		cJSON_Delete(root);
		return -1;
	}
	c.root = root;
	if (config_want_object(&c, root)) {
		config_read(&c, root, &config_root_table, cfg);
		config_check_live(&c, cfg);
	}
	cJSON_Delete(root);
	if (problems->n > c.n_before) {
		config_free(cfg);
		return -1;
	}
	cfg->path = path ? xstrdup(path) : NULL;
	return 0;
}

int config_load(const char *path, struct config *cfg, struct config_problems *problems)
{
	config_defaults(cfg);
	char *buf;
	size_t len;
	struct error err;
	if (readfile_all(path, CONFIG_MAX_BYTES, &buf, &len, &err) != 0) {
		config_problems_add(problems, xasprintf("%s: %s", path, err.msg));
		return -1;
	}
	int rc = config_parse(buf, len, path, cfg, problems);
	free(buf);
	return rc;
}

void config_print_keys(FILE *out)
{
	config_key_list(out, &config_root_table);
}

void config_free(struct config *cfg)
{
	free(cfg->path);
	config_free_table(&config_root_table, cfg);
	config_defaults(cfg);
}

/* ---- lookup ------------------------------------------------------------ */

/* Only "no such file" means absent: a config that exists but cannot be
 * read (permissions, a dangling link) is picked so that reading it fails
 * loudly instead of cmdr running without it. */
static bool absent(const char *path)
{
	struct stat st;
	return lstat(path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
}

/* $XDG_CONFIG_HOME/cmdr/config.json; the XDG spec ignores a relative
 * XDG_CONFIG_HOME, and so do we. NULL when not even HOME is set. */
static char *user_config_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/cmdr/config.json", xdg);
	const char *home = getenv("HOME");
	if (home && *home)
		return xasprintf("%s/.config/cmdr/config.json", home);
	return NULL;
}

char *config_locate(const char *explicit_path, bool *missing, struct error *err)
{
	*missing = false;
	if (explicit_path) {
		if (!absent(explicit_path))
			return xstrdup(explicit_path);
		*missing = true;
		error_set(err, "%s: no such config file (given with -c)", explicit_path);
		return NULL;
	}
	const char *env = getenv("CMDR_CONFIG");
	if (env && *env) {
		if (!absent(env))
			return xstrdup(env);
		*missing = true;
		error_set(err, "%s: no such config file (named by $CMDR_CONFIG; unset it to use ./cmdr.json or ~/.config/cmdr/config.json)",
			  env);
		return NULL;
	}
	if (!absent("cmdr.json"))
		return xstrdup("cmdr.json");
	char *user = user_config_path();
	if (user && !absent(user))
		return user;
	error_set(err, "no config file found (looked in ./cmdr.json%s%s)", user ? " and " : "", user ? user : "");
	free(user);
	return NULL;
}

static void withhold(const struct config_secret *s)
{
	if (s->env)
		proc_withhold_env(s->env);
}

int config_install_redactions(const struct config *cfg, struct error *err)
{
	/* Named before any is read: no command cmdr runs gets one. */
	for (size_t i = 0; i < cfg->n_sources; i++)
		withhold(&cfg->sources[i].auth.secret);
	for (size_t i = 0; i < cfg->n_endpoints; i++)
		withhold(&cfg->endpoints[i].target.auth.secret);
	withhold(&cfg->notify.pagerduty.secret);
	withhold(&cfg->notify.slack.secret);
	withhold(&cfg->notify.teams.secret);
	withhold(&cfg->journal.dsn);
	for (size_t i = 0; i < cfg->n_redactions; i++) {
		struct error why;
		if (redact_add_pattern(cfg->redactions[i].pattern, cfg->redactions[i].replacement, &why) != 0)
			return error_set(err, "%s: $.redact[%zu].pattern: %s", cfg->path ? cfg->path : "<config>",
					 i, why.msg);
	}
	return 0;
}
