/* The config file: every key, the defaults, every kind of problem (all of
 * them reported, not just the first), the lookup order, and the identity
 * rules for shared accounts and mapped roles. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "policy.h"
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
		  "t.json: $.incident_directory: unknown key (expected one of: incident_dir, incident_mode, roles, "
		  "shared_accounts, runbook_dirs, governance, redact, sources, slos, canaries, endpoints, notify, journal)");
	CHECK_STR(only_problem("{\"incident_mode\": \"0666\"}"),
		  "t.json: $.incident_mode: expected a file mode like \"0640\" or \"0660\" (owner rw; group r or rw; "
		  "others r at most), got \"0666\"");
	CHECK_STR(only_problem("{\"incident_mode\": \"0440\"}"),
		  "t.json: $.incident_mode: expected a file mode like \"0640\" or \"0660\" (owner rw; group r or rw; "
		  "others r at most), got \"0440\"");
	CHECK(parse("{\"incident_mode\": \"0644\"}") == 0 && cfg.incident_mode == 0644);
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
		  "shared_account_approval, approval_timeout, emergency)");
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

/* ---- sources, SLOs, canary gates, endpoints ------------------------------ */

/* text with ' for " (JSON in C strings without a wall of backslashes);
 * a fresh heap string. */
static char *dq(const char *text)
{
	char *s = xstrdup(text);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	return s;
}

static int parse_q(const char *text)
{
	char *t = dq(text);
	int rc = parse(t);
	free(t);
	return rc;
}

static const char *only_problem_q(const char *text)
{
	char *t = dq(text);
	const char *line = only_problem(t);
	free(t);
	return line;
}

/* Two good sources, for the sections that name one. */
#define SOURCES                                                            \
	"'sources': {'p': {'type': 'prometheus', 'url': 'http://prom:9090'}, " \
	"'a': {'type': 'app_insights', 'app': 'app-1'}}"
#define PROM_SLO "'total_query': 'sum(t[{{window}}])', 'error_query': 'sum(e[{{window}}])'"
#define THRESHOLDS                                                         \
	"'thresholds': [{'class': 'multi_hop', 'metric': 'groundedness', 'min': 2.85}, " \
	"{'class': 'factual', 'metric': 'groundedness', 'min': 2.9}, "      \
	"{'class': 'multi_hop', 'metric': 'citation_correctness', 'min': 0.9}]"

static void test_live_every_key(void)
{
	const char *text =
		"{'sources': {\n"
		"  'mimir': {'type': 'prometheus', 'url': 'https://mimir.example.net/prometheus',\n"
		"    'auth': {'type': 'bearer', 'token_file': '/etc/cmdr/mimir.token'},\n"
		"    'headers': {'X-Scope-OrgID': 'assistant', 'X-Extra': 'a b'},\n"
		"    'timeout': '5s', 'refresh': '1m', 'ca_file': '/etc/ssl/corp.pem', 'tls_verify': false,\n"
		"    'max_bytes': 1048576},\n"
		"  'prom': {'type': 'prometheus', 'url': 'http://prom:9090',\n"
		"    'auth': {'type': 'basic', 'user': 'cmdr', 'password_env': 'PROM_PASSWORD'}},\n"
		"  'la': {'type': 'log_analytics', 'workspace': 'ws-1', 'url': 'http://127.0.0.1:8080',\n"
		"    'auth': {'type': 'client_credentials', 'tenant': 'tn', 'client_id': 'ci',\n"
		"             'client_secret_file': '/etc/cmdr/sp', 'audience': 'https://api.loganalytics.io',\n"
		"             'authority': 'https://login.example.net'}},\n"
		"  'appi': {'type': 'app_insights', 'app': 'app-1', 'auth': {'type': 'api_key', 'key_env': 'APPI_KEY'}},\n"
		"  'appi2': {'type': 'app_insights', 'app': 'app-2',\n"
		"    'auth': {'type': 'managed_identity', 'client_id': 'uami', 'imds': 'http://127.0.0.1:9'}},\n"
		"  'la2': {'type': 'log_analytics', 'workspace': 'ws-2',\n"
		"    'auth': {'type': 'azure_cli', 'command': ['az', 'account', 'get-access-token']}}\n"
		"},\n"
		"'slos': [\n"
		"  {'name': 'availability', 'source': 'mimir', 'endpoint': 'assistant-prod', 'objective': 0.999,\n"
		"   'period': '28d', 'min_events': 100, 'total_query': 'sum(t[{{window}}])',\n"
		"   'error_query': 'sum(e[{{window}}])', 'page': ['6h', '1h']},\n"
		"  {'name': 'latency', 'source': 'prom', 'objective': 0.99, 'total_query': 'sum(t[{{window}}])',\n"
		"   'good_query': 'sum(g[{{window}}])', 'page': []},\n"
		"  {'name': 'answers', 'source': 'appi', 'objective': 0.995,\n"
		"   'query': 'requests | summarize total = count(), bad = countif(success == false)'}\n"
		"],\n"
		"'canaries': [\n"
		"  {'endpoint': 'assistant-prod', 'deployment': 'd-1428', 'source': 'appi', 'window': '2m',\n"
		"   'lag': '90s', 'min_samples': 3, 'failure_limit': 4, 'on_failure': 'page',\n"
		"   " THRESHOLDS ", 'query': 'customMetrics | summarize by class'},\n"
		"  {'endpoint': 'search', 'source': 'prom', 'thresholds': [{'class': 'all', 'metric': 'ok', 'min': -1}],\n"
		"   'queries': {'ok': 'sum by (class) (ok[{{window}}])', 'n': 'sum by (class) (n)'}}\n"
		"],\n"
		"'endpoints': [\n"
		"  {'name': 'assistant-prod', 'target': {'type': 'azureml', 'subscription': 'sub', 'resource_group': 'rg',\n"
		"    'workspace': 'mlw', 'endpoint': 'assistant', 'api_version': '2024-04-01',\n"
		"    'arm_url': 'http://127.0.0.1:8081', 'operation_timeout': '15m', 'timeout': '20s',\n"
		"    'auth': {'type': 'bearer', 'token_env': 'ARM_TOKEN'}}},\n"
		"  {'name': 'search', 'target': {'type': 'haproxy', 'address': '127.0.0.1:9999', 'backend': 'search',\n"
		"    'servers': {'search-v1': 'v1', 'search-v2': 'v2'}}},\n"
		"  {'name': 'batch', 'target': {'type': 'command', 'apply': ['kubectl', 'apply', '{traffic}'],\n"
		"    'read': ['kubectl', 'get', '{endpoint}']}},\n"
		"  {'name': 'bare'}\n"
		"]}\n";
	CHECK(parse_q(text) == 0);
	for (size_t i = 0; i < problems.n; i++)
		printf("#   %s\n", problems.lines[i]);
	CHECK(cfg.n_sources == 6 && cfg.n_slos == 3 && cfg.n_canaries == 2 && cfg.n_endpoints == 4);
	if (cfg.n_sources != 6 || cfg.n_slos != 3 || cfg.n_canaries != 2 || cfg.n_endpoints != 4)
		return;

	const struct config_source *s = config_find_source(&cfg, "mimir");
	CHECK(s == &cfg.sources[0]);
	CHECK(config_find_source(&cfg, "nope") == NULL);
	CHECK_STR(s->name, "mimir");
	CHECK(s->type == SOURCE_PROMETHEUS);
	CHECK_STR(s->url, "https://mimir.example.net/prometheus");
	CHECK(s->auth.type == AUTH_BEARER);
	CHECK_STR(s->auth.secret.file, "/etc/cmdr/mimir.token");
	CHECK(s->auth.secret.env == NULL);
	CHECK(s->n_headers == 2);
	if (s->n_headers == 2) {
		CHECK_STR(s->headers[0].name, "X-Scope-OrgID");
		CHECK_STR(s->headers[0].value, "assistant");
		CHECK_STR(s->headers[1].value, "a b");
	}
	CHECK(s->timeout_ms == 5000 && s->refresh_ms == 60000);
	CHECK_STR(s->ca_file, "/etc/ssl/corp.pem");
	CHECK(!s->tls_verify && s->max_bytes == 1048576);

	s = config_find_source(&cfg, "prom");
	CHECK(s && s->auth.type == AUTH_BASIC);
	CHECK_STR(s->auth.user, "cmdr");
	CHECK_STR(s->auth.secret.env, "PROM_PASSWORD");
	CHECK(s && s->auth.secret.file == NULL);
	/* The defaults. */
	CHECK(s && s->timeout_ms == 10000 && s->refresh_ms == 30000 && s->tls_verify && s->max_bytes == 8388608);
	CHECK(s && s->ca_file == NULL && s->n_headers == 0);

	s = config_find_source(&cfg, "la");
	CHECK(s && s->type == SOURCE_LOG_ANALYTICS);
	CHECK_STR(s->url, "http://127.0.0.1:8080");
	CHECK_STR(s->workspace, "ws-1");
	CHECK(s && s->auth.type == AUTH_CLIENT_CREDENTIALS);
	CHECK_STR(s->auth.tenant, "tn");
	CHECK_STR(s->auth.client_id, "ci");
	CHECK_STR(s->auth.secret.file, "/etc/cmdr/sp");
	CHECK_STR(s->auth.audience, "https://api.loganalytics.io");
	CHECK_STR(s->auth.authority, "https://login.example.net");

	s = config_find_source(&cfg, "appi");
	CHECK(s && s->type == SOURCE_APP_INSIGHTS && s->auth.type == AUTH_API_KEY);
	CHECK_STR(s->url, "https://api.applicationinsights.io");
	CHECK_STR(s->app, "app-1");
	CHECK_STR(s->auth.secret.env, "APPI_KEY");

	s = config_find_source(&cfg, "appi2");
	CHECK(s && s->auth.type == AUTH_MANAGED_IDENTITY);
	CHECK_STR(s->auth.client_id, "uami");
	CHECK_STR(s->auth.imds, "http://127.0.0.1:9");
	CHECK_STR(s->auth.audience, "https://api.applicationinsights.io");

	s = config_find_source(&cfg, "la2");
	CHECK_STR(s->url, "https://api.loganalytics.io");
	CHECK(s && s->auth.type == AUTH_AZURE_CLI && s->auth.n_command == 3);
	if (s && s->auth.n_command == 3)
		CHECK_STR(s->auth.command[2], "get-access-token");

	const struct config_slo *slo = &cfg.slos[0];
	CHECK_STR(slo->name, "availability");
	CHECK_STR(slo->source, "mimir");
	CHECK_STR(slo->endpoint, "assistant-prod");
	CHECK_NEAR(slo->objective, 0.999, 1e-12);
	CHECK(slo->period_ms == 28LL * 86400000);
	CHECK_NEAR(slo->min_events, 100, 0);
	CHECK_STR(slo->total_query, "sum(t[{{window}}])");
	CHECK_STR(slo->error_query, "sum(e[{{window}}])");
	CHECK(slo->good_query == NULL && slo->query == NULL);
	/* bit i is burn_tiers[i]: 1h is 0, 6h is 1 */
	CHECK(slo->page_tiers_set && slo->page_tiers == 3);
	slo = &cfg.slos[1];
	CHECK_STR(slo->good_query, "sum(g[{{window}}])");
	CHECK(slo->error_query == NULL && slo->endpoint == NULL);
	CHECK(slo->page_tiers_set && slo->page_tiers == 0);
	CHECK(slo->period_ms == 30LL * 86400000 && slo->min_events == 0);
	slo = &cfg.slos[2];
	CHECK_STR(slo->query, "requests | summarize total = count(), bad = countif(success == false)");
	CHECK(!slo->page_tiers_set && slo->total_query == NULL);

	const struct config_canary *k = &cfg.canaries[0];
	CHECK_STR(k->endpoint, "assistant-prod");
	CHECK_STR(k->deployment, "d-1428");
	CHECK_STR(k->source, "appi");
	CHECK(k->window_ms == 120000 && k->lag_ms == 90000);
	CHECK(k->min_samples == 3 && k->failure_limit == 4 && k->on_failure == ON_FAILURE_PAGE);
	CHECK_STR(k->query, "customMetrics | summarize by class");
	CHECK(k->n_queries == 0 && k->n_thresholds == 3);
	if (k->n_thresholds == 3) {
		CHECK_STR(k->thresholds[0].class_name, "multi_hop");
		CHECK_STR(k->thresholds[0].metric, "groundedness");
		CHECK_NEAR(k->thresholds[0].min, 2.85, 1e-12);
		CHECK_STR(k->thresholds[2].metric, "citation_correctness");
	}
	k = &cfg.canaries[1];
	CHECK(k->deployment == NULL && k->query == NULL);
	CHECK(k->window_ms == 60000 && k->lag_ms == 0 && k->min_samples == 1 && k->failure_limit == 3);
	CHECK(k->on_failure == ON_FAILURE_ROLLBACK);
	CHECK(k->n_thresholds == 1 && k->n_queries == 2);
	if (k->n_queries == 2) {
		CHECK_STR(k->queries[0].column, "ok");
		CHECK_STR(k->queries[0].query, "sum by (class) (ok[{{window}}])");
		CHECK_STR(k->queries[1].column, "n");
	}

	const struct config_endpoint *ep = &cfg.endpoints[0];
	const struct config_target *t = &ep->target;
	CHECK_STR(ep->name, "assistant-prod");
	CHECK(ep->has_target && t->type == TARGET_AZUREML);
	CHECK_STR(t->subscription, "sub");
	CHECK_STR(t->resource_group, "rg");
	CHECK_STR(t->workspace, "mlw");
	CHECK_STR(t->endpoint_name, "assistant");
	CHECK_STR(t->api_version, "2024-04-01");
	CHECK_STR(t->arm_url, "http://127.0.0.1:8081");
	CHECK(t->operation_timeout_ms == 15 * 60000 && t->timeout_ms == 20000);
	CHECK(t->auth.type == AUTH_BEARER);
	CHECK_STR(t->auth.secret.env, "ARM_TOKEN");
	ep = &cfg.endpoints[1];
	t = &ep->target;
	CHECK(ep->has_target && t->type == TARGET_HAPROXY && t->socket == NULL);
	CHECK_STR(t->address, "127.0.0.1:9999");
	CHECK_STR(t->backend, "search");
	CHECK(t->n_servers == 2 && t->timeout_ms == 10000);
	if (t->n_servers == 2) {
		CHECK_STR(t->servers[1].deployment, "search-v2");
		CHECK_STR(t->servers[1].server, "v2");
	}
	ep = &cfg.endpoints[2];
	t = &ep->target;
	CHECK(t->type == TARGET_COMMAND && t->n_apply == 3 && t->n_read == 3);
	if (t->n_apply == 3 && t->n_read == 3) {
		CHECK_STR(t->apply[2], "{traffic}");
		CHECK(t->apply[3] == NULL); /* argv for exec */
		CHECK_STR(t->read[0], "kubectl");
	}
	CHECK(!cfg.endpoints[3].has_target);
	CHECK_STR(cfg.endpoints[3].name, "bare");
}

static void test_live_defaults(void)
{
	CHECK(parse_q("{'sources': {'a': {'type': 'app_insights', 'app': 'x', 'auth': {'type': 'azure_cli'}},"
		      " 'c': {'type': 'log_analytics', 'workspace': 'w',"
		      " 'auth': {'type': 'client_credentials', 'tenant': 't', 'client_id': 'c', 'client_secret_env': 'S'}}},"
		      " 'endpoints': [{'name': 'assistant-prod', 'target': {'type': 'azureml', 'subscription': 's',"
		      " 'resource_group': 'r', 'workspace': 'w', 'auth': {'type': 'managed_identity'}}},"
		      " {'name': 'h', 'target': {'type': 'haproxy', 'socket': '/run/haproxy.sock', 'backend': 'b',"
		      " 'servers': {'d': 's'}}}]}") == 0);
	for (size_t i = 0; i < problems.n; i++)
		printf("#   %s\n", problems.lines[i]);
	if (cfg.n_sources != 2 || cfg.n_endpoints != 2)
		return;
	const struct config_auth *a = &cfg.sources[0].auth;
	CHECK_STR(a->audience, "https://api.applicationinsights.io");
	/* No command given: azauth runs az account get-access-token for this
	 * audience (tests/cli/live_azure.sh checks the exact argv). */
	CHECK(a->n_command == 0);
	a = &cfg.sources[1].auth;
	CHECK_STR(a->authority, "https://login.microsoftonline.com");
	CHECK_STR(a->audience, "https://api.loganalytics.io");
	const struct config_target *t = &cfg.endpoints[0].target;
	CHECK_STR(t->endpoint_name, "assistant-prod");
	CHECK_STR(t->api_version, "2025-12-01");
	CHECK_STR(t->arm_url, "https://management.azure.com");
	CHECK(t->operation_timeout_ms == 10 * 60000 && t->timeout_ms == 10000);
	CHECK(t->auth.type == AUTH_MANAGED_IDENTITY);
	CHECK_STR(t->auth.imds, "http://169.254.169.254");
	CHECK_STR(t->auth.audience, "https://management.azure.com");
	CHECK(t->auth.client_id == NULL);
	CHECK_STR(cfg.endpoints[1].target.socket, "/run/haproxy.sock");

	/* No auth: none. */
	CHECK(parse_q("{" SOURCES "}") == 0);
	CHECK(cfg.n_sources == 2 && cfg.sources[0].auth.type == AUTH_NONE && cfg.sources[0].auth.audience == NULL);
	/* Empty sections are fine. */
	CHECK(parse_q("{'sources': {}, 'slos': [], 'canaries': [], 'endpoints': []}") == 0);
	CHECK(cfg.n_sources == 0 && cfg.n_slos == 0 && cfg.n_canaries == 0 && cfg.n_endpoints == 0);
	/* Endpoint names are only checked when there are endpoints. */
	CHECK(parse_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'a', 'objective': 0.9, 'query': 'q',"
		      " 'endpoint': 'anything'}]}") == 0);
}

static void test_comments(void)
{
	CHECK(parse_q("{'//': 'top', '//': 'again', '//sources': ['any', 'value'],\n"
		      " 'roles': {'//': 'comment', 'alice': 'commander'},\n"
		      " 'governance': {'//two_person': 'off for now', 'emergency': {'//': 1}},\n"
		      " 'redact': [{'//': 'customers', 'pattern': 'cust-[0-9]+'}],\n"
		      " 'sources': {'//': 'no source here', 'p': {'//': 1, 'type': 'prometheus', 'url': 'http://p',\n"
		      "   'headers': {'//': 'no header', 'X-Scope-OrgID': 't'},\n"
		      "   'auth': {'//': 'the token', 'type': 'bearer', 'token_env': 'T'}}},\n"
		      " 'slos': [{'//': 'c', 'name': 's', 'source': 'p', 'objective': 0.9, " PROM_SLO "}],\n"
		      " 'canaries': [{'//': 'c', 'endpoint': 'e', 'source': 'p',\n"
		      "   'thresholds': [{'//': 'c', 'class': 'c', 'metric': 'm', 'min': 1}],\n"
		      "   'queries': {'//': 'c', 'm': 'q', 'n': 'q'}}],\n"
		      " 'endpoints': [{'//': 'c', 'name': 'e', 'target': {'//': 'c', 'type': 'haproxy',\n"
		      "   'socket': '/s', 'backend': 'b', 'servers': {'//': 'c', 'd': 's'}}}]}") == 0);
	for (size_t i = 0; i < problems.n; i++)
		printf("#   %s\n", problems.lines[i]);
	CHECK(cfg.n_roles == 1 && cfg.n_sources == 1);
	CHECK(cfg.n_sources == 1 && cfg.sources[0].n_headers == 1);
	CHECK(cfg.n_canaries == 1 && cfg.canaries[0].n_queries == 2);
	CHECK(cfg.n_endpoints == 1 && cfg.endpoints[0].target.n_servers == 1);
	/* A comment is not a source to name. */
	CHECK_STR(only_problem_q("{'sources': {'//': {'type': 'prometheus'}},"
				 " 'slos': [{'name': 's', 'source': '//', 'objective': 0.9}]}"),
		  "t.json: $.slos[0].source: expected a source named in $.sources (there are none), got \"//\"");
	/* Only "//" begins one. */
	CHECK_STR(only_problem_q("{'/': 1}"),
		  "t.json: $[\"/\"]: unknown key (expected one of: incident_dir, incident_mode, roles, shared_accounts, "
		  "runbook_dirs, governance, redact, sources, slos, canaries, endpoints, notify, journal)");
}

static void test_live_problem_kinds(void)
{
	/* sources */
	CHECK_STR(only_problem_q("{'sources': []}"), "t.json: $.sources: expected an object, got an array");
	CHECK_STR(only_problem_q("{'sources': {'': {}}}"),
		  "t.json: $.sources[\"\"]: expected a source name as the key, got \"\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p'}, 'p': {}}}"),
		  "t.json: $.sources.p: duplicate key (each key may appear once)");
	CHECK_STR(only_problem_q("{'sources': {'p': 'prometheus'}}"),
		  "t.json: $.sources.p: expected an object, got \"prometheus\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {'url': 'http://p'}}}"),
		  "t.json: $.sources.p.type: required key missing (expected \"prometheus\", \"log_analytics\", "
		  "\"app_insights\" or \"alertmanager\")");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'influx', 'url': 'http://p'}}}"),
		  "t.json: $.sources.p.type: expected one of \"prometheus\", \"log_analytics\", \"app_insights\" or "
		  "\"alertmanager\", got \"influx\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p', 'uri': 'x'}}}"),
		  "t.json: $.sources.p.uri: unknown key (expected one of: type, url, workspace, app, discover, discover_every, filter, auth, "
		  "headers, timeout, refresh, ca_file, tls_verify, max_bytes, window_cadence, batch)");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus'}}}"),
		  "t.json: $.sources.p.url: required key missing (expected the API's base URL, e.g. "
		  "\"http://prometheus:9090\" or \"http://alertmanager:9093\")");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'prom:9090'}}}"),
		  "t.json: $.sources.p.url: expected an http:// or https:// URL, got \"prom:9090\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'log_analytics'}}}"),
		  "t.json: $.sources.p.workspace: required key missing (expected a Log Analytics workspace id)");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'app_insights'}}}"),
		  "t.json: $.sources.p.app: required key missing (expected an Application Insights app id)");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p', 'workspace': 'w'}}}"),
		  "t.json: $.sources.p.workspace: not a key of prometheus sources (only of log_analytics)");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'log_analytics', 'workspace': 'w', 'app': 'a'}}}"),
		  "t.json: $.sources.p.app: not a key of log_analytics sources (only of app_insights)");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p', 'timeout': '0s'}}}"),
		  "t.json: $.sources.p.timeout: expected a duration above zero, got \"0s\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p', 'timeout': 10}}}"),
		  "t.json: $.sources.p.timeout: expected a duration like \"10m\" (a whole number and ms, s, m, h or "
		  "d), got 10");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p', 'refresh': '500ms'}}}"),
		  "t.json: $.sources.p.refresh: expected a duration of at least 1s, got \"500ms\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p', 'ca_file': ''}}}"),
		  "t.json: $.sources.p.ca_file: expected a file path (PEM certificates), got \"\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p', 'tls_verify': 0}}}"),
		  "t.json: $.sources.p.tls_verify: expected true or false, got 0");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p', 'max_bytes': 1.5}}}"),
		  "t.json: $.sources.p.max_bytes: expected a whole number of bytes above zero, got 1.5");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p', 'max_bytes': 0}}}"),
		  "t.json: $.sources.p.max_bytes: expected a whole number of bytes above zero, got 0");

	/* headers */
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p', 'headers': []}}}"),
		  "t.json: $.sources.p.headers: expected an object, got an array");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p',"
				 " 'headers': {'X Scope': 'a'}}}}"),
		  "t.json: $.sources.p.headers[\"X Scope\"]: expected a header name (letters, digits and "
		  "!#$%&'*+-.^_`|~) as the key, got \"X Scope\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p',"
				 " 'headers': {'X-Tenant': 'a\\r\\nX-Evil: 1'}}}}"),
		  "t.json: $.sources.p.headers[\"X-Tenant\"]: expected a header value (text without line breaks or "
		  "control characters), got \"a\\x0d\\x0aX-Evil: 1\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p',"
				 " 'headers': {'X-Tenant': 7}}}}"),
		  "t.json: $.sources.p.headers[\"X-Tenant\"]: expected a header value (text without line breaks or "
		  "control characters), got 7");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p',"
				 " 'headers': {'X-Tenant': 'a', 'x-tenant': 'b'}}}}"),
		  "t.json: $.sources.p.headers[\"x-tenant\"]: duplicate header (header names are case-insensitive)");
	CHECK_STR(only_problem_q("{'sources': {'p': {'type': 'prometheus', 'url': 'http://p',"
				 " 'headers': {'authorization': 'Bearer abc'}}}}"),
		  "t.json: $.sources.p.headers.authorization: credentials never go in headers: use \"auth\", which "
		  "reads them from a file or an environment variable");

	/* auth */
#define PROM "'type': 'prometheus', 'url': 'http://p'"
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': 'bearer'}}}"),
		  "t.json: $.sources.p.auth: expected an object, got \"bearer\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': {'token_env': 'T'}}}}"),
		  "t.json: $.sources.p.auth.type: required key missing (expected one of \"none\", \"bearer\" or "
		  "\"basic\")");
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': {'type': 'oauth'}}}}"),
		  "t.json: $.sources.p.auth.type: expected one of \"none\", \"bearer\", \"basic\", \"api_key\", "
		  "\"azure_cli\", \"client_credentials\" or \"managed_identity\", got \"oauth\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': {'type': 'managed_identity'}}}}"),
		  "t.json: $.sources.p.auth.type: expected an auth type for prometheus sources (\"none\", \"bearer\" "
		  "or \"basic\"), got \"managed_identity\"");
	CHECK_STR(only_problem_q("{'sources': {'a': {'type': 'log_analytics', 'workspace': 'w',"
				 " 'auth': {'type': 'bearer', 'token_env': 'T'}}}}"),
		  "t.json: $.sources.a.auth.type: expected an auth type for log_analytics sources (\"none\", "
		  "\"azure_cli\", \"client_credentials\" or \"managed_identity\"), got \"bearer\"");
	CHECK_STR(only_problem_q("{'sources': {'a': {'type': 'log_analytics', 'workspace': 'w',"
				 " 'auth': {'type': 'api_key', 'key_env': 'K'}}}}"),
		  "t.json: $.sources.a.auth.type: expected an auth type for log_analytics sources (\"none\", "
		  "\"azure_cli\", \"client_credentials\" or \"managed_identity\"), got \"api_key\"");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {'type': 'azureml', 'subscription': 's',"
				 " 'resource_group': 'r', 'workspace': 'w', 'auth': {'type': 'basic'}}}]}"),
		  "t.json: $.endpoints[0].target.auth.type: expected an auth type for azureml targets (\"none\", "
		  "\"bearer\", \"azure_cli\", \"client_credentials\" or \"managed_identity\"), got \"basic\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': {'type': 'bearer', 'token_env': 'T', 'token': 'abc'}}}}"),
		  "t.json: $.sources.p.auth.token: secrets are never written in the config: give \"token_file\" (a "
		  "file only you can read) or \"token_env\" (an environment variable)");
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': {'type': 'basic', 'user': 'u', 'password_env': 'P',"
				 " 'password': 'hunter2'}}}}"),
		  "t.json: $.sources.p.auth.password: secrets are never written in the config: give "
		  "\"password_file\" (a file only you can read) or \"password_env\" (an environment variable)");
	CHECK_STR(only_problem_q("{'sources': {'a': {'type': 'app_insights', 'app': 'x',"
				 " 'auth': {'type': 'api_key', 'key_env': 'K', 'key': 'k'}}}}"),
		  "t.json: $.sources.a.auth.key: secrets are never written in the config: give \"key_file\" (a file "
		  "only you can read) or \"key_env\" (an environment variable)");
	CHECK_STR(only_problem_q("{'sources': {'a': {'type': 'app_insights', 'app': 'x',"
				 " 'auth': {'type': 'client_credentials', 'tenant': 't', 'client_id': 'c',"
				 " 'client_secret_file': '/f', 'client_secret': 's'}}}}"),
		  "t.json: $.sources.a.auth.client_secret: secrets are never written in the config: give "
		  "\"client_secret_file\" (a file only you can read) or \"client_secret_env\" (an environment "
		  "variable)");
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': {'type': 'bearer'}}}}"),
		  "t.json: $.sources.p.auth: bearer auth needs \"token_file\" or \"token_env\" (the token is read "
		  "from that file or variable, never written here)");
	CHECK_STR(only_problem_q("{'sources': {'a': {'type': 'app_insights', 'app': 'x', 'auth': {'type': 'api_key'}}}}"),
		  "t.json: $.sources.a.auth: api_key auth needs \"key_file\" or \"key_env\" (the key is read from "
		  "that file or variable, never written here)");
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': {'type': 'bearer', 'token_file': '/f',"
				 " 'token_env': 'T'}}}}"),
		  "t.json: $.sources.p.auth.token_env: give \"token_file\" or \"token_env\", not both");
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': {'type': 'bearer', 'token_env': '$TOKEN'}}}}"),
		  "t.json: $.sources.p.auth.token_env: expected an environment variable name (letters, digits and _, "
		  "not starting with a digit), got \"$TOKEN\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': {'type': 'bearer', 'token_file': ''}}}}"),
		  "t.json: $.sources.p.auth.token_file: expected a file path, got \"\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': {'type': 'basic', 'password_env': 'P'}}}}"),
		  "t.json: $.sources.p.auth.user: required key missing (expected a user name for basic auth)");
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': {'type': 'bearer', 'token_env': 'T',"
				 " 'user': 'u'}}}}"),
		  "t.json: $.sources.p.auth.user: not a key of bearer auth (only of basic)");
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': {'type': 'basic', 'user': 'u',"
				 " 'password_env': 'P', 'token_env': 'T'}}}}"),
		  "t.json: $.sources.p.auth.token_env: not a key of basic auth (only of bearer)");
	CHECK_STR(only_problem_q("{'sources': {'a': {'type': 'app_insights', 'app': 'x',"
				 " 'auth': {'type': 'managed_identity', 'tenant': 't'}}}}"),
		  "t.json: $.sources.a.auth.tenant: not a key of managed_identity auth (only of client_credentials)");
	CHECK_STR(only_problem_q("{'sources': {'a': {'type': 'app_insights', 'app': 'x',"
				 " 'auth': {'type': 'azure_cli', 'client_id': 'c'}}}}"),
		  "t.json: $.sources.a.auth.client_id: not a key of azure_cli auth (only of client_credentials and "
		  "managed_identity)");
	CHECK_STR(only_problem_q("{'sources': {'a': {'type': 'app_insights', 'app': 'x',"
				 " 'auth': {'type': 'api_key', 'key_env': 'K', 'audience': 'x'}}}}"),
		  "t.json: $.sources.a.auth.audience: not a key of api_key auth (only of azure_cli, "
		  "client_credentials and managed_identity)");
	CHECK_STR(only_problem_q("{'sources': {'a': {'type': 'app_insights', 'app': 'x',"
				 " 'auth': {'type': 'client_credentials', 'client_id': 'c', 'client_secret_env': 'S'}}}}"),
		  "t.json: $.sources.a.auth.tenant: required key missing (expected the Azure tenant id for "
		  "client_credentials auth)");
	CHECK_STR(only_problem_q("{'sources': {'a': {'type': 'app_insights', 'app': 'x',"
				 " 'auth': {'type': 'client_credentials', 'tenant': 't', 'client_secret_env': 'S'}}}}"),
		  "t.json: $.sources.a.auth.client_id: required key missing (expected the application's client id "
		  "for client_credentials auth)");
	CHECK_STR(only_problem_q("{'sources': {'a': {'type': 'app_insights', 'app': 'x',"
				 " 'auth': {'type': 'managed_identity', 'imds': '169.254.169.254'}}}}"),
		  "t.json: $.sources.a.auth.imds: expected an http:// or https:// URL, got \"169.254.169.254\"");
	CHECK_STR(only_problem_q("{'sources': {'a': {'type': 'app_insights', 'app': 'x',"
				 " 'auth': {'type': 'azure_cli', 'command': []}}}}"),
		  "t.json: $.sources.a.auth.command: expected a non-empty array of strings (the command and its "
		  "arguments), got an empty array");
	CHECK_STR(only_problem_q("{'sources': {'a': {'type': 'app_insights', 'app': 'x',"
				 " 'auth': {'type': 'azure_cli', 'command': ['az', '']}}}}"),
		  "t.json: $.sources.a.auth.command[1]: expected a command-line argument (a non-empty string), got "
		  "\"\"");
	CHECK_STR(only_problem_q("{'sources': {'p': {" PROM ", 'auth': {'type': 'bearer', 'token_env': 'T', 'scope': 's'}}}}"),
		  "t.json: $.sources.p.auth.scope: unknown key (expected one of: type, user, token_file, token_env, "
		  "password_file, password_env, key_file, key_env, client_secret_file, client_secret_env, tenant, "
		  "client_id, audience, authority, imds, command)");

	/* SLOs */
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': {}}"), "t.json: $.slos: expected an array, got an object");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': ['availability']}"),
		  "t.json: $.slos[0]: expected an object, got \"availability\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'source': 'p', 'objective': 0.9, " PROM_SLO "}]}"),
		  "t.json: $.slos[0].name: required key missing (expected the SLO's name)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'p', 'objective': 0.9, " PROM_SLO "},"
				 " {'name': 's', 'source': 'p', 'objective': 0.9, " PROM_SLO "}]}"),
		  "t.json: $.slos[1].name: \"s\" is already the name of $.slos[0] (each SLO needs its own)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'objective': 0.9, " PROM_SLO "}]}"),
		  "t.json: $.slos[0].source: required key missing (expected the name of a source in $.sources)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'prom', 'objective': 0.9, " PROM_SLO "}]}"),
		  "t.json: $.slos[0].source: expected a source named in $.sources (\"p\", \"a\"), got \"prom\"");
	CHECK_STR(only_problem_q("{'slos': [{'name': 's', 'source': 'p', 'objective': 0.9, " PROM_SLO "}]}"),
		  "t.json: $.slos[0].source: expected a source named in $.sources (there are none), got \"p\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'p', " PROM_SLO "}]}"),
		  "t.json: $.slos[0].objective: required key missing (expected an objective between 0 and 1, e.g. "
		  "0.999)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'p', 'objective': 99.9, " PROM_SLO "}]}"),
		  "t.json: $.slos[0].objective: expected an objective between 0 and 1 (e.g. 0.999), got 99.9");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'p', 'objective': 1, " PROM_SLO "}]}"),
		  "t.json: $.slos[0].objective: expected an objective between 0 and 1 (e.g. 0.999), got 1");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'p', 'objective': 0.9, 'period': '4w',"
				 " " PROM_SLO "}]}"),
		  "t.json: $.slos[0].period: expected a duration like \"10m\" (a whole number and ms, s, m, h or d), "
		  "got \"4w\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'p', 'objective': 0.9, 'min_events': -1,"
				 " " PROM_SLO "}]}"),
		  "t.json: $.slos[0].min_events: expected a number of events >= 0, got -1");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'p', 'objective': 0.9,"
				 " 'total_query': 'sum(rate(t[5m]))', 'error_query': 'sum(e[{{window}}])'}]}"),
		  "t.json: $.slos[0].total_query: expected a PromQL query containing {{window}}, got "
		  "\"sum(rate(t[5m]))\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'p', 'objective': 0.9,"
				 " 'error_query': 'sum(e[{{window}}])'}]}"),
		  "t.json: $.slos[0].total_query: required key missing (source \"p\" is prometheus: total_query with "
		  "error_query or good_query)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'p', 'objective': 0.9,"
				 " 'total_query': 'sum(t[{{window}}])'}]}"),
		  "t.json: $.slos[0]: required key missing: error_query or good_query (source \"p\" is prometheus)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'p', 'objective': 0.9, " PROM_SLO ","
				 " 'good_query': 'sum(g[{{window}}])'}]}"),
		  "t.json: $.slos[0].good_query: give error_query or good_query, not both");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'p', 'objective': 0.9, " PROM_SLO ","
				 " 'query': 'requests'}]}"),
		  "t.json: $.slos[0].query: not for a prometheus source (\"p\" takes total_query with error_query or "
		  "good_query)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'a', 'objective': 0.9, 'query': 'q',"
				 " 'good_query': 'sum(g[{{window}}])'}]}"),
		  "t.json: $.slos[0].good_query: not for an app_insights source (\"a\" takes a KQL \"query\")");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'a', 'objective': 0.9}]}"),
		  "t.json: $.slos[0].query: required key missing (source \"a\" is app_insights: a KQL query giving "
		  "columns total and bad or good)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'a', 'objective': 0.9, 'query': ''}]}"),
		  "t.json: $.slos[0].query: expected a KQL query, got \"\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'a', 'objective': 0.9, 'query': 'q',"
				 " 'page': '1h'}]}"),
		  "t.json: $.slos[0].page: expected an array of the tiers that page, from \"1h\", \"6h\", \"1d\" or "
		  "\"3d\", got \"1h\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'a', 'objective': 0.9, 'query': 'q',"
				 " 'page': ['1h', '5m']}]}"),
		  "t.json: $.slos[0].page[1]: expected one of \"1h\", \"6h\", \"1d\" or \"3d\" (a tier's long "
		  "window), got \"5m\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'a', 'objective': 0.9, 'query': 'q',"
				 " 'page': ['6h', '6h']}]}"),
		  "t.json: $.slos[0].page[1]: \"6h\" is already in the list");
	CHECK_STR(only_problem_q("{" SOURCES ", 'slos': [{'name': 's', 'source': 'a', 'objective': 0.9, 'query': 'q',"
				 " 'endpoint': 'chat'}], 'endpoints': [{'name': 'assistant-prod'}, {'name': 'search'}]}"),
		  "t.json: $.slos[0].endpoint: expected an endpoint named in $.endpoints (\"assistant-prod\", "
		  "\"search\"), got \"chat\"");

	/* canaries */
#define CANARY_A "'endpoint': 'e', 'source': 'a', 'query': 'q', " THRESHOLDS
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': {}}"), "t.json: $.canaries: expected an array, got an object");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'source': 'a', 'query': 'q', " THRESHOLDS "}]}"),
		  "t.json: $.canaries[0].endpoint: required key missing (expected the name of the endpoint whose "
		  "canary this gates)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'query': 'q', " THRESHOLDS "}]}"),
		  "t.json: $.canaries[0].source: required key missing (expected the name of a source in $.sources)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'appi', 'query': 'q', " THRESHOLDS "}]}"),
		  "t.json: $.canaries[0].source: expected a source named in $.sources (\"p\", \"a\"), got \"appi\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_A "}], 'endpoints': [{'name': 'f'}]}"),
		  "t.json: $.canaries[0].endpoint: expected an endpoint named in $.endpoints (\"f\"), got \"e\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_A ", 'deployment': ''}]}"),
		  "t.json: $.canaries[0].deployment: expected a deployment's name, got \"\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_A ", 'window': '0s'}]}"),
		  "t.json: $.canaries[0].window: expected a duration above zero, got \"0s\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_A ", 'lag': '-1s'}]}"),
		  "t.json: $.canaries[0].lag: expected a duration like \"10m\" (a whole number and ms, s, m, h or "
		  "d), got \"-1s\"");
	CHECK(parse_q("{" SOURCES ", 'canaries': [{" CANARY_A ", 'lag': '0s'}]}") == 0);
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_A ", 'min_samples': 0}]}"),
		  "t.json: $.canaries[0].min_samples: expected a whole number >= 1, got 0");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_A ", 'failure_limit': 2.5}]}"),
		  "t.json: $.canaries[0].failure_limit: expected a whole number >= 1, got 2.5");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_A ", 'on_failure': 'ignore'}]}"),
		  "t.json: $.canaries[0].on_failure: expected \"rollback\" or \"page\", got \"ignore\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q'}]}"),
		  "t.json: $.canaries[0].thresholds: required key missing (expected a non-empty array of {\"class\", "
		  "\"metric\", \"min\"})");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q',"
				 " 'thresholds': []}]}"),
		  "t.json: $.canaries[0].thresholds: expected a non-empty array of {\"class\", \"metric\", \"min\"}, "
		  "got an empty array");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q',"
				 " 'thresholds': [{'class': 'c', 'metric': 'm', 'min': 1, 'max': 2}]}]}"),
		  "t.json: $.canaries[0].thresholds[0].max: unknown key (expected one of: class, metric, min)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q',"
				 " 'thresholds': [{'class': 'c', 'metric': 'm'}]}]}"),
		  "t.json: $.canaries[0].thresholds[0]: required key missing (expected \"min\": the threshold judge needs "
		  "one per metric; \"judge\": \"compare\" does not)");
	/* The compare judge needs none; its keys are checked. */
	CHECK(parse_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q',"
		      " 'thresholds': [{'class': 'c', 'metric': 'm'}], 'judge': 'compare', 'alpha': 0.5}]}") == 0);
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q', 'judge': 'Compare',"
				 " 'thresholds': [{'class': 'c', 'metric': 'm', 'min': 1}]}]}"),
		  "t.json: $.canaries[0].judge: expected \"threshold\" or \"compare\", got \"Compare\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q', 'judge': 42,"
				 " 'thresholds': [{'class': 'c', 'metric': 'm', 'min': 1}]}]}"),
		  "t.json: $.canaries[0].judge: expected \"threshold\" or \"compare\", got 42");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q', 'alpha': 0,"
				 " 'thresholds': [{'class': 'c', 'metric': 'm', 'min': 1}]}]}"),
		  "t.json: $.canaries[0].alpha: expected a number above 0, at most 0.5, got 0");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q', 'alpha': '0.01',"
				 " 'thresholds': [{'class': 'c', 'metric': 'm', 'min': 1}]}]}"),
		  "t.json: $.canaries[0].alpha: expected a number above 0, at most 0.5, got \"0.01\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q', 'effect': 2,"
				 " 'thresholds': [{'class': 'c', 'metric': 'm', 'min': 1}]}]}"),
		  "t.json: $.canaries[0].effect: expected a number above 0, at most 1, got 2");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q', 'baseline': 7,"
				 " 'thresholds': [{'class': 'c', 'metric': 'm', 'min': 1}]}]}"),
		  "t.json: $.canaries[0].baseline: expected a deployment's name, got 7");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q',"
				 " 'thresholds': [{'class': 'c', 'metric': 'sd', 'min': 1}]}]}"),
		  "t.json: $.canaries[0].thresholds[0].metric: expected a metric name other than \"class\", \"n\" and "
		  "\"sd\" (columns of their own), got \"sd\"");
	/* The rest of the compare keys' hostile values, one line each naming
	 * the key; a canary named as its own baseline would never fail. */
	static const struct {
		const char *keys, *problem;
	} compare_bad[] = {
		{ "'judge': 'bogus'", "judge: expected \"threshold\" or \"compare\", got \"bogus\"" },
		/* meant as compare: not a missing min per metric besides */
		{ "'judge': 'Compare', 'thresholds': [{'class': 'c', 'metric': 'm'}]",
		  "judge: expected \"threshold\" or \"compare\", got \"Compare\"" },
		{ "'judge': 42, 'thresholds': [{'class': 'c', 'metric': 'm'}]",
		  "judge: expected \"threshold\" or \"compare\", got 42" },
		{ "'alpha': 1", "alpha: expected a number above 0, at most 0.5, got 1" },
		{ "'alpha': -1", "alpha: expected a number above 0, at most 0.5, got -1" },
		{ "'effect': 0", "effect: expected a number above 0, at most 1, got 0" },
		{ "'baseline': ''", "baseline: expected a deployment's name, got \"\"" },
		{ "'baseline': ['d-1']", "baseline: expected a deployment's name, got an array" },
		{ "'judge': 'compare', 'baseline': 'd-2'", "baseline: expected a deployment other than the canary, got \"d-2\"" },
	};
	for (size_t i = 0; i < sizeof compare_bad / sizeof compare_bad[0]; i++) {
		const char *keys = compare_bad[i].keys;
		char *text = xasprintf("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q', "
				       "'deployment': 'd-2', %s%s}]}", keys,
				       strstr(keys, "'thresholds'") ? "" : ", 'thresholds': [{'class': 'c', 'metric': 'm', 'min': 1}]");
		char *want = xasprintf("t.json: $.canaries[0].%s", compare_bad[i].problem);
		CHECK_STR(only_problem_q(text), want);
		free(text);
		free(want);
	}
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q',"
				 " 'thresholds': [{'class': 'c', 'metric': 'm', 'min': '2.85'}]}]}"),
		  "t.json: $.canaries[0].thresholds[0].min: expected a number (the least value that passes), got "
		  "\"2.85\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q',"
				 " 'thresholds': [{'class': 'c', 'metric': 'n', 'min': 1}]}]}"),
		  "t.json: $.canaries[0].thresholds[0].metric: expected a metric name other than \"class\", \"n\" and \"sd\" "
		  "(columns of their own), got \"n\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', 'query': 'q',"
				 " 'thresholds': [{'class': 'c', 'metric': 'm', 'min': 1}, {'class': 'c', 'metric': 'm', 'min': 2}]}]}"),
		  "t.json: $.canaries[0].thresholds[1]: expected one threshold per class and metric, got a second for "
		  "class \"c\", metric \"m\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{'endpoint': 'e', 'source': 'a', " THRESHOLDS "}]}"),
		  "t.json: $.canaries[0].query: required key missing (source \"a\" is app_insights: a KQL query "
		  "giving columns class, each metric and n)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_A ", 'queries': {'n': 'q'}}]}"),
		  "t.json: $.canaries[0].queries: not for an app_insights source (\"a\" takes a KQL \"query\")");
#define CANARY_P "'endpoint': 'e', 'source': 'p', " THRESHOLDS
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_P "}]}"),
		  "t.json: $.canaries[0].queries: required key missing (source \"p\" is prometheus: a PromQL query "
		  "per column, \"n\" and each metric)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_P ", 'query': 'q', 'queries': {'n': 'q',"
				 " 'groundedness': 'q', 'citation_correctness': 'q'}}]}"),
		  "t.json: $.canaries[0].query: not for a prometheus source (\"p\" takes \"queries\": a PromQL query "
		  "per column)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_P ", 'queries': []}]}"),
		  "t.json: $.canaries[0].queries: expected an object, got an array");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_P ", 'queries': {'n': 'q',"
				 " 'groundedness': 'q', 'citation_correctness': ''}}]}"),
		  "t.json: $.canaries[0].queries.citation_correctness: expected a PromQL query giving series labelled "
		  "class, got \"\"");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_P ", 'queries': {'n': 'q',"
				 " 'groundedness': 'q', 'citation_correctness': 'q', 'latency': 'q'}}]}"),
		  "t.json: $.canaries[0].queries.latency: not a column of the result (expected \"n\", \"sd\" or a "
		  "metric named in thresholds: \"groundedness\", \"citation_correctness\")");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_P ", 'queries': {"
				 " 'groundedness': 'q', 'citation_correctness': 'q'}}]}"),
		  "t.json: $.canaries[0].queries: no query for column \"n\" (the samples per class in the window)");
	CHECK_STR(only_problem_q("{" SOURCES ", 'canaries': [{" CANARY_P ", 'queries': {'n': 'q', 'groundedness': 'q'}}]}"),
		  "t.json: $.canaries[0].queries: no query for metric \"citation_correctness\" (named in thresholds)");

	/* endpoints */
	CHECK_STR(only_problem_q("{'endpoints': {}}"), "t.json: $.endpoints: expected an array, got an object");
	CHECK_STR(only_problem_q("{'endpoints': [{}]}"),
		  "t.json: $.endpoints[0].name: required key missing (expected the endpoint's name)");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e'}, {'name': 'e'}]}"),
		  "t.json: $.endpoints[1].name: \"e\" is already the name of $.endpoints[0] (each endpoint needs its "
		  "own)");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'deployments': []}]}"),
		  "t.json: $.endpoints[0].deployments: unknown key (expected one of: name, target)");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': 'haproxy'}]}"),
		  "t.json: $.endpoints[0].target: expected an object, got \"haproxy\"");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {}}]}"),
		  "t.json: $.endpoints[0].target.type: required key missing (expected \"haproxy\", \"azureml\" or "
		  "\"command\")");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {'type': 'nginx'}}]}"),
		  "t.json: $.endpoints[0].target.type: expected one of \"haproxy\", \"azureml\" or \"command\", got "
		  "\"nginx\"");
#define HAPROXY "'type': 'haproxy', 'backend': 'b', 'servers': {'d': 's'}"
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {" HAPROXY "}}]}"),
		  "t.json: $.endpoints[0].target: haproxy targets need \"socket\" (a unix socket path) or "
		  "\"address\" (host:port of the runtime API)");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {" HAPROXY ", 'socket': '/s', 'address': 'h:1'}}]}"),
		  "t.json: $.endpoints[0].target.address: give \"socket\" or \"address\", not both");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {" HAPROXY ", 'address': 'localhost'}}]}"),
		  "t.json: $.endpoints[0].target.address: expected host:port of HAProxy's runtime API (e.g. "
		  "\"127.0.0.1:9999\"), got \"localhost\"");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {" HAPROXY ", 'address': 'h:65536'}}]}"),
		  "t.json: $.endpoints[0].target.address: expected host:port of HAProxy's runtime API (e.g. "
		  "\"127.0.0.1:9999\"), got \"h:65536\"");
	CHECK(parse_q("{'endpoints': [{'name': 'e', 'target': {" HAPROXY ", 'address': '[::1]:9999'}}]}") == 0);
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {'type': 'haproxy', 'socket': '/s',"
				 " 'servers': {'d': 's'}}}]}"),
		  "t.json: $.endpoints[0].target.backend: required key missing (expected the HAProxy backend's name)");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {'type': 'haproxy', 'socket': '/s',"
				 " 'backend': 'b'}}]}"),
		  "t.json: $.endpoints[0].target.servers: required key missing (expected an object mapping each "
		  "deployment to its server in the backend)");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {'type': 'haproxy', 'socket': '/s',"
				 " 'backend': 'b', 'servers': {'//': 'none yet'}}}]}"),
		  "t.json: $.endpoints[0].target.servers: expected each deployment and its server in the backend, "
		  "got an empty object");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {'type': 'haproxy', 'socket': '/s',"
				 " 'backend': 'b', 'servers': {'d-1427': 's1', 'd-1428': 's1'}}}]}"),
		  "t.json: $.endpoints[0].target.servers[\"d-1428\"]: \"s1\" is already the server of deployment "
		  "\"d-1427\"");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {'type': 'haproxy', 'socket': '/s',"
				 " 'backend': 'b', 'servers': {'d': true}}}]}"),
		  "t.json: $.endpoints[0].target.servers.d: expected the name of the deployment's server in the "
		  "backend, got true");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {" HAPROXY ", 'socket': '/s', 'workspace': 'w'}}]}"),
		  "t.json: $.endpoints[0].target.workspace: not a key of haproxy targets (only of azureml)");
#define AZUREML "'type': 'azureml', 'subscription': 's', 'resource_group': 'r', 'workspace': 'w'"
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {'type': 'azureml', 'subscription': 's',"
				 " 'workspace': 'w'}}]}"),
		  "t.json: $.endpoints[0].target.resource_group: required key missing (expected a resource group's "
		  "name)");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {" AZUREML ", 'arm_url': 'management.azure.com'}}]}"),
		  "t.json: $.endpoints[0].target.arm_url: expected an http:// or https:// URL, got "
		  "\"management.azure.com\"");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {" AZUREML ", 'operation_timeout': 600}}]}"),
		  "t.json: $.endpoints[0].target.operation_timeout: expected a duration like \"10m\" (a whole number "
		  "and ms, s, m, h or d), got 600");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {" AZUREML ", 'apply': ['az']}}]}"),
		  "t.json: $.endpoints[0].target.apply: not a key of azureml targets (only of command)");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {'type': 'command'}}]}"),
		  "t.json: $.endpoints[0].target.apply: required key missing (expected the command that sets the "
		  "traffic split, as an array of strings)");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {'type': 'command', 'apply': 'kubectl apply'}}]}"),
		  "t.json: $.endpoints[0].target.apply: expected a non-empty array of strings (the command and its "
		  "arguments), got \"kubectl apply\"");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {'type': 'command', 'apply': ['x'], 'read': []}}]}"),
		  "t.json: $.endpoints[0].target.read: expected a non-empty array of strings (the command and its "
		  "arguments), got an empty array");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {'type': 'command', 'apply': ['x'], 'backend': 'b'}}]}"),
		  "t.json: $.endpoints[0].target.backend: not a key of command targets (only of haproxy)");
	CHECK_STR(only_problem_q("{'endpoints': [{'name': 'e', 'target': {'type': 'command', 'apply': ['x'], 'timeout': '0ms'}}]}"),
		  "t.json: $.endpoints[0].target.timeout: expected a duration above zero, got \"0ms\"");
}

static void test_live_all_problems_reported(void)
{
	const char *text = "{'sources': {'p': {'type': 'prometheus', 'auth': {'type': 'bearer', 'token': 'x'}},\n"
			   "             'a': {'type': 'app_insights', 'app': 'x', 'headers': {'Authorization': 'k'}}},\n"
			   " 'slos': [{'name': 's', 'source': 'q', 'objective': 2}],\n"
			   " 'canaries': [{'endpoint': 'e', 'source': 'a', 'thresholds': []}],\n"
			   " 'endpoints': [{'name': 'f', 'target': {'type': 'haproxy', 'socket': '/s'}}]}";
	CHECK(parse_q(text) == -1);
	static const char *const want[] = {
		"t.json: $.sources.p.auth.token: secrets are never written in the config",
		"t.json: $.sources.p.auth: bearer auth needs",
		"t.json: $.sources.p.url: required key missing",
		"t.json: $.sources.a.headers.Authorization: credentials never go in headers",
		"t.json: $.slos[0].objective: expected an objective",
		"t.json: $.canaries[0].thresholds: expected a non-empty array",
		"t.json: $.endpoints[0].target.backend: required key missing",
		"t.json: $.endpoints[0].target.servers: required key missing",
		/* and then what needs every section read */
		"t.json: $.slos[0].source: expected a source named in $.sources (\"p\", \"a\"), got \"q\"",
		"t.json: $.canaries[0].endpoint: expected an endpoint named in $.endpoints (\"f\"), got \"e\"",
		"t.json: $.canaries[0].query: required key missing",
	};
	size_t n = sizeof want / sizeof want[0];
	CHECK(problems.n == n);
	for (size_t i = 0; i < n && i < problems.n; i++) {
		if (strncmp(problems.lines[i], want[i], strlen(want[i])) != 0) {
			printf("#   problem %zu: %s\n#   expected it to begin: %s\n", i, problems.lines[i], want[i]);
			CHECK(0);
		}
	}
	/* Nothing half-read is left behind. */
	CHECK(cfg.n_sources == 0 && cfg.n_slos == 0 && cfg.n_canaries == 0 && cfg.n_endpoints == 0);
}

/* ---- secrets ------------------------------------------------------------- */

static char *secret_file(const char *name, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/%s", check_tmpdir(), name);
	write_file(path, text);
	if (chmod(path, mode) != 0)
		abort();
	return path;
}

static void test_secrets(void)
{
	struct error err;
	char *path = secret_file("token", "s3cret-token\r\n\n", 0600);
	struct config_secret s = { path, NULL };
	char *got = config_secret_read(&s, "cmdr.json: $.sources.p.auth.token_file", &err);
	CHECK_STR(got, "s3cret-token");
	free(got);

	/* Readable by others: refused, and the message never has the secret. */
	if (chmod(path, 0644) != 0)
		abort();
	CHECK(config_secret_read(&s, "cmdr.json: $.sources.p.auth.token_file", &err) == NULL);
	char *want = xasprintf("%s: readable by group or others; run chmod 600 %s "
			       "(cmdr.json: $.sources.p.auth.token_file)", path, path);
	CHECK_STR(err.msg, want);
	CHECK(strstr(err.msg, "s3cret") == NULL);
	free(want);
	if (chmod(path, 0640) != 0)
		abort();
	CHECK(config_secret_read(&s, "W", &err) == NULL && strstr(err.msg, "readable by group or others") != NULL);
	if (chmod(path, 0620) != 0)
		abort();
	CHECK(config_secret_read(&s, "W", &err) == NULL && strstr(err.msg, ": open to group or others; run chmod 600") != NULL);
	if (chmod(path, 0400) != 0)
		abort();
	got = config_secret_read(&s, "W", &err);
	CHECK_STR(got, "s3cret-token");
	free(got);
	free(path);

	/* Not there, not a file, empty, two lines, too large. */
	path = xasprintf("%s/none", check_tmpdir());
	s.file = path;
	CHECK(config_secret_read(&s, "W", &err) == NULL);
	want = xasprintf("%s: cannot read: No such file or directory (W)", path);
	CHECK_STR(err.msg, want);
	free(want);
	free(path);
	s.file = (char *)check_tmpdir();
	CHECK(config_secret_read(&s, "W", &err) == NULL);
	want = xasprintf("%s: not a regular file (W)", s.file);
	CHECK_STR(err.msg, want);
	free(want);
	path = secret_file("empty", "\n", 0600);
	s.file = path;
	CHECK(config_secret_read(&s, "W", &err) == NULL);
	want = xasprintf("%s: empty (W)", path);
	CHECK_STR(err.msg, want);
	free(want);
	free(path);
	path = secret_file("two", "line one\nline two\n", 0600);
	s.file = path;
	CHECK(config_secret_read(&s, "W", &err) == NULL);
	want = xasprintf("%s: holds a line break or another control character (a secret is one line) (W)", path);
	CHECK_STR(err.msg, want);
	CHECK(strstr(err.msg, "line one") == NULL);
	free(want);
	free(path);
	char *big = xmalloc(65537 + 1);
	memset(big, 'x', 65537);
	big[65537] = '\0';
	path = secret_file("big", big, 0600);
	free(big);
	s.file = path;
	CHECK(config_secret_read(&s, "W", &err) == NULL);
	want = xasprintf("%s: over 64 KiB, too large for a secret (W)", path);
	CHECK_STR(err.msg, want);
	free(want);
	free(path);

	/* The environment. */
	struct config_secret e = { NULL, "CMDR_TEST_SECRET" };
	setenv("CMDR_TEST_SECRET", "env-secret\n", 1);
	got = config_secret_read(&e, "cmdr.json: $.sources.p.auth.token_env", &err);
	CHECK_STR(got, "env-secret");
	free(got);
	unsetenv("CMDR_TEST_SECRET");
	CHECK(config_secret_read(&e, "cmdr.json: $.sources.p.auth.token_env", &err) == NULL);
	CHECK_STR(err.msg, "$CMDR_TEST_SECRET is not set (cmdr.json: $.sources.p.auth.token_env)");
	setenv("CMDR_TEST_SECRET", "", 1);
	CHECK(config_secret_read(&e, "W", &err) == NULL);
	CHECK_STR(err.msg, "$CMDR_TEST_SECRET is empty (W)");
	setenv("CMDR_TEST_SECRET", "a\x1b[31mb", 1);
	CHECK(config_secret_read(&e, "W", &err) == NULL);
	CHECK_STR(err.msg, "$CMDR_TEST_SECRET holds a line break or another control character (a secret is one line) (W)");
	unsetenv("CMDR_TEST_SECRET");

	/* Neither. */
	struct config_secret none = { NULL, NULL };
	CHECK(config_secret_read(&none, "W", &err) == NULL);
	CHECK_STR(err.msg, "no secret is configured (W)");
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
	RUN(test_live_every_key);
	RUN(test_live_defaults);
	RUN(test_comments);
	RUN(test_live_problem_kinds);
	RUN(test_live_all_problems_reported);
	RUN(test_secrets);
	RUN(test_load);
	RUN(test_locate);
	RUN(test_identity_shared_accounts);
	RUN(test_identity_roles);
	RUN(test_install_redactions);
	config_free(&cfg);
	config_problems_free(&problems);
	return CHECK_EXIT();
}
