/* The config file: every key, the defaults, every kind of problem (all of
 * them reported, not just the first), the lookup order, and the identity
 * rules for shared accounts and mapped roles. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "redact.h"
#include "xalloc.h"

static struct config cfg;
static struct config_problems problems;

/* Parses text as "t.json"; the previous result is freed first. */
static int parse(const char *text)
{
	config_free(&cfg);
	config_problems_free(&problems);
	return config_parse(text, strlen(text), "t.json", &cfg, &problems);
}

/* The only problem text gives, or "" when it gives none or several. */
static const char *only_problem(const char *text)
{
	if (parse(text) == 0 || problems.n != 1) {
		printf("#   %zu problems for %s\n", problems.n, text);
		return "";
	}
	return problems.lines[0];
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void test_defaults(void)
{
	struct config d;
	config_defaults(&d);
	CHECK(d.path == NULL && d.incident_dir == NULL);
	CHECK(d.n_roles == 0 && d.n_shared_accounts == 0 && d.n_redactions == 0);
	CHECK(!d.governance.two_person);
	CHECK(d.governance.approval_timeout_ms == 10 * 60 * 1000);
	CHECK(d.governance.emergency_canary);
	CHECK(d.governance.emergency_burn == 0);
	CHECK(d.governance.emergency_window == BURN_1H);
	config_free(&d);

	CHECK(parse("{}") == 0 && problems.n == 0);
	CHECK_STR(cfg.path, "t.json");
	CHECK(cfg.incident_dir == NULL && cfg.n_roles == 0);
	CHECK(cfg.governance.approval_timeout_ms == 10 * 60 * 1000);
	/* Present but partial: the rest keeps its defaults. */
	CHECK(parse("{\"governance\": {\"emergency\": {\"burn_rate\": 4}}}") == 0);
	CHECK(!cfg.governance.two_person && cfg.governance.emergency_canary);
	CHECK(cfg.governance.emergency_burn == 4 && cfg.governance.emergency_window == BURN_1H);
	CHECK(parse("{\"redact\": [{\"pattern\": \"x+\"}]}") == 0);
	CHECK(cfg.n_redactions == 1);
	CHECK_STR(cfg.redactions[0].replacement, "[REDACTED]");
	CHECK(parse("{\"roles\": {}, \"shared_accounts\": [], \"redact\": []}") == 0);
}

static void test_every_key(void)
{
	const char *text =
		"{\n"
		"  \"incident_dir\": \"/srv/cmdr/incident\",\n"
		"  \"roles\": {\"alice\": \"commander\", \"bob\": \"deputy\", \"bob.smith\": \"deputy\", \"*\": \"observer\"},\n"
		"  \"shared_accounts\": [\"ops\", \"root\"],\n"
		"  \"governance\": {\n"
		"    \"two_person\": true,\n"
		"    \"approval_timeout\": \"90s\",\n"
		"    \"emergency\": {\"canary_verdict\": false, \"burn_rate\": 14.4, \"burn_window\": \"5m\"}\n"
		"  },\n"
		"  \"redact\": [{\"pattern\": \"\\\\bcust-[0-9]{6}\\\\b\", \"replacement\": \"[customer]\"},\n"
		"             {\"pattern\": \"(?i)ticket-(\\\\d+)\", \"replacement\": \"ticket-$1\"}]\n"
		"}\n";
	CHECK(parse(text) == 0);
	CHECK(problems.n == 0);
	CHECK_STR(cfg.incident_dir, "/srv/cmdr/incident");
	CHECK(cfg.n_roles == 4);
	if (cfg.n_roles == 4) {
		CHECK_STR(cfg.roles[0].user, "alice");
		CHECK(cfg.roles[0].role == ROLE_COMMANDER);
		CHECK_STR(cfg.roles[2].user, "bob.smith");
		CHECK(cfg.roles[2].role == ROLE_DEPUTY);
		CHECK_STR(cfg.roles[3].user, "*");
		CHECK(cfg.roles[3].role == ROLE_OBSERVER);
	}
	CHECK(cfg.n_shared_accounts == 2);
	if (cfg.n_shared_accounts == 2)
		CHECK_STR(cfg.shared_accounts[1], "root");
	CHECK(cfg.governance.two_person);
	CHECK(cfg.governance.approval_timeout_ms == 90 * 1000);
	CHECK(!cfg.governance.emergency_canary);
	CHECK_NEAR(cfg.governance.emergency_burn, 14.4, 1e-12);
	CHECK(cfg.governance.emergency_window == BURN_5M);
	CHECK(cfg.n_redactions == 2);
	if (cfg.n_redactions == 2) {
		CHECK_STR(cfg.redactions[0].pattern, "\\bcust-[0-9]{6}\\b");
		CHECK_STR(cfg.redactions[0].replacement, "[customer]");
		CHECK_STR(cfg.redactions[1].replacement, "ticket-$1");
	}
}

static void test_burn_windows(void)
{
	static const char *const names[] = { "5m", "30m", "1h", "2h", "6h", "1d", "3d" };
	for (int w = 0; w < 7; w++) {
		char text[128];
		snprintf(text, sizeof text, "{\"governance\":{\"emergency\":{\"burn_window\":\"%s\"}}}", names[w]);
		CHECK(parse(text) == 0);
		CHECK((int)cfg.governance.emergency_window == w);
	}
}

static void test_problem_kinds(void)
{
	CHECK_STR(only_problem("{\"incident_dir\": \"x\",\n  \"roles\": {,}}"),
		  "t.json:2:14: JSON syntax error near \"}}\"");
	CHECK_STR(only_problem("{\"roles\": {}"), "t.json:1:12: JSON syntax error near \"}\"");
	CHECK_STR(only_problem("{} {}"), "t.json:1:4: JSON syntax error near \"{}\"");
	CHECK_STR(only_problem(""), "t.json:1:1: JSON syntax error: unexpected end of input");
	CHECK_STR(only_problem("[]"), "t.json: $: expected an object, got an array");
	CHECK_STR(only_problem("{\"incident_directory\": \"x\"}"),
		  "t.json: $.incident_directory: unknown key (expected one of: incident_dir, roles, "
		  "shared_accounts, runbook_dirs, governance, redact)");
	CHECK_STR(only_problem("{\"roles\": {}, \"roles\": {}}"),
		  "t.json: $.roles: duplicate key (each key may appear once)");
	CHECK_STR(only_problem("{\"incident_dir\": \"\"}"),
		  "t.json: $.incident_dir: expected a directory path, got \"\"");
	CHECK_STR(only_problem("{\"incident_dir\": \"~/incident\"}"),
		  "t.json: $.incident_dir: expected a directory path (\"~\" is not expanded: write the full "
		  "path), got \"~/incident\"");
	CHECK_STR(only_problem("{\"roles\": [\"alice\"]}"), "t.json: $.roles: expected an object, got an array");
	CHECK_STR(only_problem("{\"roles\": {\"alice\": \"admin\"}}"),
		  "t.json: $.roles.alice: expected commander, deputy or observer, got \"admin\"");
	CHECK_STR(only_problem("{\"roles\": {\"*\": 1}}"),
		  "t.json: $.roles[\"*\"]: expected commander, deputy or observer, got 1");
	CHECK_STR(only_problem("{\"roles\": {\"\": \"deputy\"}}"),
		  "t.json: $.roles[\"\"]: expected a user name or \"*\" as the key, got \"\"");
	CHECK_STR(only_problem("{\"roles\": {\"bob\": \"deputy\", \"bob\": \"commander\"}}"),
		  "t.json: $.roles.bob: duplicate key (each key may appear once)");
	CHECK_STR(only_problem("{\"shared_accounts\": \"ops\"}"),
		  "t.json: $.shared_accounts: expected an array, got \"ops\"");
	CHECK_STR(only_problem("{\"shared_accounts\": [\"ops\", null]}"),
		  "t.json: $.shared_accounts[1]: expected a user name, got null");
	CHECK_STR(only_problem("{\"governance\": true}"), "t.json: $.governance: expected an object, got true");
	CHECK_STR(only_problem("{\"governance\": {\"two_persons\": true}}"),
		  "t.json: $.governance.two_persons: unknown key (expected one of: two_person, "
		  "approval_timeout, emergency)");
	CHECK_STR(only_problem("{\"governance\": {\"two_person\": \"yes\"}}"),
		  "t.json: $.governance.two_person: expected true or false, got \"yes\"");
	CHECK_STR(only_problem("{\"governance\": {\"approval_timeout\": \"ten\"}}"),
		  "t.json: $.governance.approval_timeout: expected a duration like \"10m\" (a whole number "
		  "and ms, s, m, h or d), got \"ten\"");
	CHECK_STR(only_problem("{\"governance\": {\"approval_timeout\": 600}}"),
		  "t.json: $.governance.approval_timeout: expected a duration like \"10m\" (a whole number "
		  "and ms, s, m, h or d), got 600");
	CHECK_STR(only_problem("{\"governance\": {\"approval_timeout\": \"0m\"}}"),
		  "t.json: $.governance.approval_timeout: expected a duration above zero, got \"0m\"");
	CHECK_STR(only_problem("{\"governance\": {\"emergency\": []}}"),
		  "t.json: $.governance.emergency: expected an object, got an array");
	CHECK_STR(only_problem("{\"governance\": {\"emergency\": {\"burn\": 4}}}"),
		  "t.json: $.governance.emergency.burn: unknown key (expected one of: canary_verdict, "
		  "burn_rate, burn_window)");
	CHECK_STR(only_problem("{\"governance\": {\"emergency\": {\"canary_verdict\": 1}}}"),
		  "t.json: $.governance.emergency.canary_verdict: expected true or false, got 1");
	CHECK_STR(only_problem("{\"governance\": {\"emergency\": {\"burn_rate\": -1}}}"),
		  "t.json: $.governance.emergency.burn_rate: expected a burn rate >= 0 (e.g. 4; 0 turns this "
		  "criterion off), got -1");
	CHECK_STR(only_problem("{\"governance\": {\"emergency\": {\"burn_rate\": \"4x\"}}}"),
		  "t.json: $.governance.emergency.burn_rate: expected a burn rate >= 0 (e.g. 4; 0 turns this "
		  "criterion off), got \"4x\"");
	CHECK_STR(only_problem("{\"governance\": {\"emergency\": {\"burn_window\": \"45m\"}}}"),
		  "t.json: $.governance.emergency.burn_window: expected one of \"5m\", \"30m\", \"1h\", "
		  "\"2h\", \"6h\", \"1d\", \"3d\", got \"45m\"");
	CHECK_STR(only_problem("{\"redact\": {\"pattern\": \"x\"}}"),
		  "t.json: $.redact: expected an array, got an object");
	CHECK_STR(only_problem("{\"redact\": [\"x\"]}"), "t.json: $.redact[0]: expected an object, got \"x\"");
	CHECK_STR(only_problem("{\"redact\": [{\"replacement\": \"x\"}]}"),
		  "t.json: $.redact[0].pattern: required key missing (expected a PCRE2 pattern)");
	CHECK_STR(only_problem("{\"redact\": [{\"pattern\": \"x\", \"with\": \"y\"}]}"),
		  "t.json: $.redact[0].with: unknown key (expected one of: pattern, replacement)");
	CHECK_STR(only_problem("{\"redact\": [{\"pattern\": \"cust-([0-9]+\"}]}"),
		  "t.json: $.redact[0].pattern: expected a PCRE2 pattern, got \"cust-([0-9]+\" (offset 12: "
		  "missing closing parenthesis)");
	CHECK_STR(only_problem("{\"redact\": [{\"pattern\": \"x\", \"replacement\": \"\"}]}"),
		  "t.json: $.redact[0].replacement: expected the text to put in place of a match, got \"\"");
	CHECK_STR(only_problem("{\"redact\": [{\"pattern\": \"[0-9]*\"}]}"),
		  "t.json: $.redact[0].pattern: expected a pattern that cannot match empty text, got "
		  "\"[0-9]*\" (it would put the replacement between every two characters)");
	CHECK_STR(only_problem("{\"redact\": [{\"pattern\": \"(a)\", \"replacement\": \"<$2>\"}]}"),
		  "t.json: $.redact[0].replacement: expected a replacement naming only groups the pattern "
		  "has, got \"<$2>\" (offset 3: unknown substring)");
	/* Text from the file is quoted safely: a control character cannot
	 * reach the terminal through a message. */
	CHECK_STR(only_problem("{\"roles\": {\"a\": \"\\u001b[31m\"}}"),
		  "t.json: $.roles.a: expected commander, deputy or observer, got \"\\x1b[31m\"");
}

static void test_all_problems_reported(void)
{
	const char *text = "{\n"
			   "  \"incident_dir\": 3,\n"
			   "  \"roles\": {\"alice\": \"boss\", \"bob\": \"deputy\"},\n"
			   "  \"shared_acounts\": [\"ops\"],\n"
			   "  \"governance\": {\"two_person\": \"true\", \"approval_timeout\": \"ten\",\n"
			   "                 \"emergency\": {\"burn_window\": \"1w\"}},\n"
			   "  \"redact\": [{\"pattern\": \"(\"}, {\"pattern\": \"ok\"}, {\"pattern\": \"a|\"}]\n"
			   "}\n";
	CHECK(parse(text) == -1);
	CHECK(problems.n == 8);
	if (problems.n == 8) {
		/* In the order an editor shows them. */
		CHECK(strncmp(problems.lines[0], "t.json: $.incident_dir:", 23) == 0);
		CHECK(strncmp(problems.lines[1], "t.json: $.roles.alice:", 22) == 0);
		CHECK(strncmp(problems.lines[2], "t.json: $.shared_acounts: unknown key", 37) == 0);
		CHECK(strncmp(problems.lines[3], "t.json: $.governance.two_person:", 32) == 0);
		CHECK(strncmp(problems.lines[4], "t.json: $.governance.approval_timeout:", 38) == 0);
		CHECK(strncmp(problems.lines[5], "t.json: $.governance.emergency.burn_window:", 43) == 0);
		CHECK(strncmp(problems.lines[6], "t.json: $.redact[0].pattern:", 28) == 0);
		CHECK(strncmp(problems.lines[7], "t.json: $.redact[2].pattern:", 28) == 0);
	}
	CHECK(parse("{\"redact\": [{\"pattern\": \"(\"}, {\"pattern\": \"a|\"}], \"x\": 1, \"y\": 2}") == -1);
	CHECK(problems.n == 4);
	/* A config with problems is not half-applied: it stays at defaults. */
	CHECK(cfg.path == NULL && cfg.n_roles == 0 && cfg.n_redactions == 0);
	CHECK(!cfg.governance.two_person);
	/* Problems accumulate across calls until freed (a caller may check
	 * several files into one list). */
	struct config other;
	CHECK(config_parse("[]", 2, "u.json", &other, &problems) == -1);
	CHECK(problems.n == 5);
	CHECK_STR(problems.lines[4], "u.json: $: expected an object, got an array");
	config_free(&other);
}

static void test_load(void)
{
	const char *dir = check_tmpdir();
	char *path = xasprintf("%s/cmdr.json", dir);
	write_file(path, "{\"governance\": {\"two_person\": true}}\n");
	config_problems_free(&problems);
	config_free(&cfg);
	CHECK(config_load(path, &cfg, &problems) == 0);
	CHECK(cfg.governance.two_person);
	CHECK_STR(cfg.path, path);
	config_free(&cfg);
	free(path);

	path = xasprintf("%s/none.json", dir);
	CHECK(config_load(path, &cfg, &problems) == -1);
	CHECK(problems.n == 1);
	char *want = xasprintf("%s: cannot read: No such file or directory", path);
	if (problems.n == 1)
		CHECK_STR(problems.lines[0], want);
	free(want);
	free(path);
	config_problems_free(&problems);

	/* Over 4 MiB: refused before parsing. */
	path = xasprintf("%s/big.json", dir);
	FILE *f = fopen(path, "w");
	fputc('"', f);
	for (int i = 0; i < (4 << 20); i++)
		fputc('x', f);
	fputc('"', f);
	fclose(f);
	CHECK(config_load(path, &cfg, &problems) == -1);
	CHECK(problems.n == 1 && strstr(problems.lines[0], "too large") != NULL);
	free(path);
	config_problems_free(&problems);
}

static void test_locate(void)
{
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd))
		abort();
	const char *dir = check_tmpdir();
	char *xdg = xasprintf("%s/xdg", dir), *home = xasprintf("%s/home", dir);
	char *explicit_path = xasprintf("%s/given.json", dir);
	char *env_path = xasprintf("%s/env.json", dir);
	char *xdg_cfg = xasprintf("%s/cmdr/config.json", xdg), *home_cfg = xasprintf("%s/.config/cmdr/config.json", home);
	if (chdir(dir) != 0)
		abort();
	unsetenv("CMDR_CONFIG");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("HOME", home, 1);
	struct error err;
	bool missing = true;

	/* Nothing anywhere: fine, and the message says where it looked. */
	CHECK(config_locate(NULL, &missing, &err) == NULL);
	CHECK(!missing);
	char *want = xasprintf("no config file found (looked in ./cmdr.json and %s)", xdg_cfg);
	CHECK_STR(err.msg, want);
	free(want);

	/* -c must exist. */
	CHECK(config_locate(explicit_path, &missing, &err) == NULL);
	CHECK(missing);
	want = xasprintf("%s: no such config file (given with -c)", explicit_path);
	CHECK_STR(err.msg, want);
	free(want);

	/* Each place, from the last in the order to the first. */
	char *dirs[] = { xstrdup(home), xasprintf("%s/.config", home), xasprintf("%s/.config/cmdr", home),
			 xstrdup(xdg), xasprintf("%s/cmdr", xdg) };
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		mkdir(dirs[i], 0755);
		free(dirs[i]);
	}
	write_file(home_cfg, "{}");
	unsetenv("XDG_CONFIG_HOME");
	char *got = config_locate(NULL, &missing, &err);
	CHECK_STR(got, home_cfg);
	free(got);
	/* A relative XDG_CONFIG_HOME is ignored, as the XDG spec says. */
	setenv("XDG_CONFIG_HOME", "relative", 1);
	got = config_locate(NULL, &missing, &err);
	CHECK_STR(got, home_cfg);
	free(got);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	write_file(xdg_cfg, "{}");
	got = config_locate(NULL, &missing, &err);
	CHECK_STR(got, xdg_cfg);
	free(got);
	write_file("cmdr.json", "{}");
	got = config_locate(NULL, &missing, &err);
	CHECK_STR(got, "cmdr.json");
	free(got);

	/* $CMDR_CONFIG wins over ./cmdr.json, and must exist when set. */
	setenv("CMDR_CONFIG", env_path, 1);
	got = config_locate(NULL, &missing, &err);
	CHECK(got == NULL && missing);
	CHECK(strstr(err.msg, "named by $CMDR_CONFIG") != NULL);
	write_file(env_path, "{}");
	got = config_locate(NULL, &missing, &err);
	CHECK_STR(got, env_path);
	free(got);
	/* An empty one counts as unset. */
	setenv("CMDR_CONFIG", "", 1);
	got = config_locate(NULL, &missing, &err);
	CHECK_STR(got, "cmdr.json");
	free(got);
	setenv("CMDR_CONFIG", env_path, 1);

	/* -c wins over everything. */
	write_file(explicit_path, "{}");
	got = config_locate(explicit_path, &missing, &err);
	CHECK_STR(got, explicit_path);
	CHECK(!missing);
	free(got);

	unsetenv("CMDR_CONFIG");
	if (chdir(cwd) != 0)
		abort();
	free(xdg);
	free(home);
	free(explicit_path);
	free(env_path);
	free(xdg_cfg);
	free(home_cfg);
}

/* An actor as actor_from_env would give, without the environment. */
static void person(struct actor *a, const char *user, const char *as_name, enum role role)
{
	memset(a, 0, sizeof *a);
	a->user = xstrdup(user);
	a->as_name = as_name ? xstrdup(as_name) : NULL;
	a->role = role;
}

static void test_identity_shared_accounts(void)
{
	struct actor a;
	struct error err;
	CHECK(parse("{\"shared_accounts\": [\"ops\", \"root\"]}") == 0);
	free(cfg.path);
	cfg.path = xstrdup("cmdr.json");
	person(&a, "ops", NULL, ROLE_COMMANDER);
	CHECK(config_apply_identity(&cfg, &a, false, &err) == -1);
	CHECK_STR(err.msg, "ops is a shared account (cmdr.json: $.shared_accounts); say who you are with --as NAME");
	actor_free(&a);
	person(&a, "ops", "alice", ROLE_COMMANDER);
	CHECK(config_apply_identity(&cfg, &a, false, &err) == 0);
	CHECK(a.role == ROLE_COMMANDER);
	actor_free(&a);
	/* Not shared: --as is optional. */
	person(&a, "alice", NULL, ROLE_DEPUTY);
	CHECK(config_apply_identity(&cfg, &a, true, &err) == 0);
	CHECK(a.role == ROLE_DEPUTY);
	actor_free(&a);
}

static void test_identity_roles(void)
{
	struct actor a;
	struct error err;
	CHECK(parse("{\"roles\": {\"alice\": \"commander\", \"bob\": \"deputy\", \"*\": \"observer\"},"
		    " \"shared_accounts\": [\"ops\"]}") == 0);
	free(cfg.path);
	cfg.path = xstrdup("cmdr.json");

	/* Mapped by OS user; by --as name when given (on a shared account). */
	person(&a, "bob", NULL, ROLE_COMMANDER);
	CHECK(config_apply_identity(&cfg, &a, false, &err) == 0 && a.role == ROLE_DEPUTY);
	actor_free(&a);
	person(&a, "ops", "alice", ROLE_COMMANDER);
	CHECK(config_apply_identity(&cfg, &a, false, &err) == 0 && a.role == ROLE_COMMANDER);
	actor_free(&a);
	person(&a, "ops", "bob", ROLE_COMMANDER);
	CHECK(config_apply_identity(&cfg, &a, false, &err) == 0 && a.role == ROLE_DEPUTY);
	actor_free(&a);
	/* Everyone else gets "*". */
	person(&a, "mallory", NULL, ROLE_COMMANDER);
	CHECK(config_apply_identity(&cfg, &a, false, &err) == 0 && a.role == ROLE_OBSERVER);
	actor_free(&a);

	/* --role may ask for less, never more. */
	person(&a, "alice", NULL, ROLE_OBSERVER);
	CHECK(config_apply_identity(&cfg, &a, true, &err) == 0 && a.role == ROLE_OBSERVER);
	actor_free(&a);
	person(&a, "bob", NULL, ROLE_DEPUTY);
	CHECK(config_apply_identity(&cfg, &a, true, &err) == 0 && a.role == ROLE_DEPUTY);
	actor_free(&a);
	person(&a, "bob", NULL, ROLE_COMMANDER);
	CHECK(config_apply_identity(&cfg, &a, true, &err) == -1);
	CHECK_STR(err.msg, "--role commander asks for more than cmdr.json gives bob ($.roles.bob: deputy)");
	actor_free(&a);
	person(&a, "mallory", NULL, ROLE_DEPUTY);
	CHECK(config_apply_identity(&cfg, &a, true, &err) == -1);
	CHECK_STR(err.msg, "--role deputy asks for more than cmdr.json gives mallory ($.roles[\"*\"]: observer)");
	actor_free(&a);

	/* Roles without "*": whoever the list forgot is an observer. */
	CHECK(parse("{\"roles\": {\"alice\": \"commander\"}}") == 0);
	person(&a, "mallory", NULL, ROLE_COMMANDER);
	CHECK(config_apply_identity(&cfg, &a, false, &err) == 0 && a.role == ROLE_OBSERVER);
	actor_free(&a);
	person(&a, "mallory", NULL, ROLE_COMMANDER);
	CHECK(config_apply_identity(&cfg, &a, true, &err) == -1);
	CHECK_STR(err.msg, "--role commander asks for more than t.json gives mallory (not in $.roles, which "
			   "has no \"*\": observer)");
	actor_free(&a);

	/* No roles at all: commander unless --role says otherwise. */
	CHECK(parse("{}") == 0);
	person(&a, "anyone", NULL, ROLE_COMMANDER);
	CHECK(config_apply_identity(&cfg, &a, false, &err) == 0 && a.role == ROLE_COMMANDER);
	actor_free(&a);
	person(&a, "anyone", NULL, ROLE_OBSERVER);
	CHECK(config_apply_identity(&cfg, &a, true, &err) == 0 && a.role == ROLE_OBSERVER);
	actor_free(&a);
	/* No config file at all reads the same. */
	struct config none;
	config_defaults(&none);
	person(&a, "root", NULL, ROLE_DEPUTY);
	CHECK(config_apply_identity(&none, &a, true, &err) == 0 && a.role == ROLE_DEPUTY);
	actor_free(&a);
}

static void test_install_redactions(void)
{
	struct error err;
	CHECK(parse("{\"redact\": [{\"pattern\": \"\\\\bcust-[0-9]{6}\\\\b\", \"replacement\": \"[customer]\"},"
		    " {\"pattern\": \"(?i)project (falcon|osprey)\"}]}") == 0);
	CHECK(config_install_redactions(&cfg, &err) == 0);
	char *out = redact_text("cust-123456 on Project Falcon, cust-12 untouched");
	CHECK_STR(out, "[customer] on [REDACTED], cust-12 untouched");
	free(out);
}

int main(void)
{
	RUN(test_defaults);
	RUN(test_every_key);
	RUN(test_burn_windows);
	RUN(test_problem_kinds);
	RUN(test_all_problems_reported);
	RUN(test_load);
	RUN(test_locate);
	RUN(test_identity_shared_accounts);
	RUN(test_identity_roles);
	RUN(test_install_redactions);
	config_free(&cfg);
	config_problems_free(&problems);
	return CHECK_EXIT();
}
