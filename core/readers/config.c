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
#include "config_check.h"
#include "jsonmsg.h"
#include "proc.h"
#include "redact.h"
#include "timefmt.h"
#include "readfile.h"
#include "xalloc.h"

#define CONFIG_MAX_BYTES (4L << 20)
#define CONFIG_DEFAULT_REPLACEMENT "[REDACTED]"

/* ---- sections ---------------------------------------------------------- */

static void read_incident_dir(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	/* The shell expands "~" on a command line; nothing expands it here,
	 * and a directory literally named "~" is never what was meant. */
	if (cJSON_IsString(v) && v->valuestring[0] == '~')
		config_problem_got(c, v, "a directory path (\"~\" is not expanded: write the full path)");
	else
		cfg->incident_dir = config_want_string(c, v, "a directory path");
}

/* An octal mode as a string ("0660"): the owner reads and writes, nobody
 * else writes more than the group, nothing executes. */
static void read_incident_mode(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	char *end = NULL;
	unsigned long m = cJSON_IsString(v) ? strtoul(v->valuestring, &end, 8) : 0;
	if (!cJSON_IsString(v) || !*v->valuestring || *end || (m & ~0664ul) || (m & 0600) != 0600)
		config_problem_got(c, v, "a file mode like \"0640\" or \"0660\" (owner rw; group r or rw; others r at most)");
	else
		cfg->incident_mode = (unsigned)m;
}

static void read_roles(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
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

static void read_strings(struct config_check *c, const cJSON *v, char ***out, size_t *n, const char *expected)
{
	if (!config_want_array(c, v))
		return;
	size_t i = 0;
	*out = xcalloc((size_t)cJSON_GetArraySize(v), sizeof **out);
	for (const cJSON *u = v->child; u; u = u->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		char *s = config_want_string(c, u, expected);
		if (s)
			(*out)[(*n)++] = s;
		jsonmsg_path_pop(&c->path, old);
	}
}

static void read_shared_accounts(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	read_strings(c, v, &cfg->shared_accounts, &cfg->n_shared_accounts, "a user name");
}

static void read_runbook_dirs(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	read_strings(c, v, &cfg->runbook_dirs, &cfg->n_runbook_dirs, "a directory path");
}

static void read_two_person(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	config_want_bool(c, v, &cfg->governance.two_person);
}

static void read_shared_account_approval(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	config_want_bool(c, v, &cfg->governance.shared_account_approval);
}

static void read_approval_timeout(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	config_want_duration(c, v, 1, &cfg->governance.approval_timeout_ms);
}

static void read_canary_verdict(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	config_want_bool(c, v, &cfg->governance.emergency_canary);
}

static void read_burn_rate(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= 0)
		cfg->governance.emergency_burn = v->valuedouble;
	else
		config_problem_got(c, v, "a burn rate >= 0 (e.g. 4; 0 turns this criterion off)");
}

static void read_burn_window(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	for (int w = 0; w < BURN_NWINDOWS && cJSON_IsString(v); w++) {
		if (strcmp(v->valuestring, burn_window_name[w]) == 0) {
			cfg->governance.emergency_window = (enum burn_window)w;
			return;
		}
	}
	char expected[96] = "one of";
	for (int w = 0; w < BURN_NWINDOWS; w++) {
		size_t len = strlen(expected);
		snprintf(expected + len, sizeof expected - len, "%s \"%s\"", w ? "," : "", burn_window_name[w]);
	}
	config_problem_got(c, v, expected);
}

static void read_emergency(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	static const struct config_field fields[] = {
		{ "canary_verdict", read_canary_verdict },
		{ "burn_rate", read_burn_rate },
		{ "burn_window", read_burn_window },
		{ NULL, NULL },
	};
	if (config_want_object(c, v))
		config_read_fields(c, v, fields, cfg);
}

static void read_governance(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	static const struct config_field fields[] = {
		{ "two_person", read_two_person },
		{ "shared_account_approval", read_shared_account_approval },
		{ "approval_timeout", read_approval_timeout },
		{ "emergency", read_emergency },
		{ NULL, NULL },
	};
	if (config_want_object(c, v))
		config_read_fields(c, v, fields, cfg);
}

/* Compiled here, not only when installed, so that `cmdr config check`
 * catches a bad pattern before the console that needs it starts. */
static void read_redaction(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	static const struct config_field fields[] = {
		{ "pattern", NULL },
		{ "replacement", NULL },
		{ NULL, NULL },
	};
	if (!config_want_object(c, v))
		return;
	config_read_fields(c, v, fields, cfg);
	const cJSON *pat = cJSON_GetObjectItemCaseSensitive(v, "pattern");
	const cJSON *rep = cJSON_GetObjectItemCaseSensitive(v, "replacement");
	char *pattern = NULL, *replacement = NULL;
	size_t old = jsonmsg_path_key(&c->path, "pattern");
	if (!pat)
		config_problem(c, "required key missing (expected a PCRE2 pattern)");
	else
		pattern = config_want_string(c, pat, "a PCRE2 pattern");
	jsonmsg_path_pop(&c->path, old);
	jsonmsg_path_key(&c->path, "replacement");
	if (rep)
		replacement = config_want_string(c, rep, "the text to put in place of a match");
	else
		replacement = xstrdup(CONFIG_DEFAULT_REPLACEMENT);
	jsonmsg_path_pop(&c->path, old);
	if (!pattern || !replacement) {
		free(pattern);
		free(replacement);
		return;
	}
	struct error err;
	enum redact_problem bad = redact_check_pattern(pattern, replacement, &err);
	if (bad == REDACT_OK) {
		cfg->redactions[cfg->n_redactions++] = (struct config_redaction){ pattern, replacement };
		return;
	}
	free(pattern);
	free(replacement);
	jsonmsg_path_key(&c->path, bad == REDACT_BAD_REPLACEMENT ? "replacement" : "pattern");
	if (bad == REDACT_BAD_PATTERN)
		config_problem_got(c, pat, "a PCRE2 pattern");
	else if (bad == REDACT_EMPTY_MATCH)
		config_problem_got(c, pat, "a pattern that cannot match empty text");
	else
		config_problem_got(c, rep, "a replacement naming only groups the pattern has");
	jsonmsg_path_pop(&c->path, old);
	/* The problem ends with PCRE2's own account of what is wrong. */
	char **last = &c->problems->lines[c->problems->n - 1];
	char *line = xasprintf("%s (%s)", *last, err.msg);
	free(*last);
	*last = line;
}

static void read_redact(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	if (!config_want_array(c, v))
		return;
	size_t i = 0;
	cfg->redactions = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *cfg->redactions);
	for (const cJSON *r = v->child; r; r = r->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		read_redaction(c, r, cfg);
		jsonmsg_path_pop(&c->path, old);
	}
}

static const struct config_field config_fields[] = {
	{ "incident_dir", read_incident_dir },
	{ "incident_mode", read_incident_mode },
	{ "roles", read_roles },
	{ "shared_accounts", read_shared_accounts },
	{ "runbook_dirs", read_runbook_dirs },
	{ "governance", read_governance },
	{ "redact", read_redact },
	{ "sources", config_read_sources },
	{ "slos", config_read_slos },
	{ "canaries", config_read_canaries },
	{ "endpoints", config_read_endpoints },
	{ "notify", config_read_notify },
	{ NULL, NULL },
};

/* ---- parse and load ---------------------------------------------------- */

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->governance = GOVERNANCE_DEFAULT;
}

int config_parse(const char *text, size_t len, const char *path, struct config *cfg,
		 struct config_problems *problems)
{
	struct config_check c = { .file = path ? path : "<config>", .problems = problems,
				  .n_before = problems->n };
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
		config_read_fields(&c, root, config_fields, cfg);
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
	long long size;
	int e = 0;
	switch (readfile_all(path, CONFIG_MAX_BYTES, &buf, &len, &size, &e)) {
	case READFILE_FAILED:
		config_problems_add(problems, xasprintf("%s: cannot read: %s", path, strerror(e)));
		return -1;
	case READFILE_TOO_LARGE:
		config_problems_add(problems, xasprintf("%s: too large (over %ld bytes, limit 4 MiB)", path,
						 (long)CONFIG_MAX_BYTES));
		return -1;
	}
	int rc = config_parse(buf, len, path, cfg, problems);
	free(buf);
	return rc;
}

void config_free(struct config *cfg)
{
	free(cfg->path);
	free(cfg->incident_dir);
	for (size_t i = 0; i < cfg->n_roles; i++)
		free(cfg->roles[i].user);
	free(cfg->roles);
	for (size_t i = 0; i < cfg->n_shared_accounts; i++)
		free(cfg->shared_accounts[i]);
	free(cfg->shared_accounts);
	for (size_t i = 0; i < cfg->n_runbook_dirs; i++)
		free(cfg->runbook_dirs[i]);
	free(cfg->runbook_dirs);
	for (size_t i = 0; i < cfg->n_redactions; i++) {
		free(cfg->redactions[i].pattern);
		free(cfg->redactions[i].replacement);
	}
	free(cfg->redactions);
	config_free_live(cfg);
	config_free_notify(cfg);
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
	for (size_t i = 0; i < cfg->n_redactions; i++) {
		struct error why;
		if (redact_add_pattern(cfg->redactions[i].pattern, cfg->redactions[i].replacement, &why) != 0)
			return error_set(err, "%s: $.redact[%zu].pattern: %s", cfg->path ? cfg->path : "<config>",
					 i, why.msg);
	}
	return 0;
}
