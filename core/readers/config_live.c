/* The live sections of the config: what the section readers share (the
 * checks of one key, auth and who may hold which), the checks across
 * sections, and freeing them. The sections themselves are config_sources.c,
 * config_slos.c and config_endpoints.c; secrets, config_secret.c. */
#include "config.h"
#include "config_live_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* ---- small pieces -------------------------------------------------------- */

bool config_key_is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

bool config_has(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key) != NULL;
}

/* Frees what *dst held: a key read where the type is unknown may land on
 * a field another key already set. */
static void set_string(char **dst, char *value)
{
	free(*dst);
	*dst = value;
}

void config_problem_at(struct config_check *c, const char *key, const char *fmt, ...)
{
	char what[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	size_t old = jsonmsg_path_key(&c->path, key);
	config_problem(c, "%s", what);
	jsonmsg_path_pop(&c->path, old);
}

void config_missing(struct config_check *c, const char *key, const char *expected)
{
	config_problem_at(c, key, "required key missing (expected %s)", expected);
}

void config_quote(const char *s, char *buf, size_t size)
{
	jsonmsg_quote(s, 40, JSONMSG_NEWLINE_HEX, buf, size);
}

/* The names whose bit is in mask: `"a", "b" or "c"` quoted, or
 * `a, b and c` with last " and ". */
void config_name_list(const char *const *names, int n, unsigned mask, bool quoted, const char *last, char *buf,
		      size_t size)
{
	int total = 0, done = 0;
	for (int i = 0; i < n; i++)
		total += (mask & BIT(i)) != 0;
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (!(mask & BIT(i)))
			continue;
		size_t len = strlen(buf);
		const char *sep = done == 0 ? "" : done == total - 1 ? last : ", ";
		snprintf(buf + len, size - len, quoted ? "%s\"%s\"" : "%s%s", sep, names[i]);
		done++;
	}
}

/* The index of v's string in names, or -1. */
int config_lookup(const cJSON *v, const char *const *names, int n)
{
	for (int i = 0; cJSON_IsString(v) && i < n; i++)
		if (config_key_is(v->valuestring, names[i]))
			return i;
	return -1;
}

/* The type an object says it is, before its keys are read, so that each
 * key can be judged by it; -1 when missing or not a type (its own key
 * reports that). */
int config_peek_type(const cJSON *obj, const char *const *names, int n)
{
	return config_lookup(cJSON_GetObjectItemCaseSensitive(obj, "type"), names, n);
}

/* "not a key of prometheus sources (only of log_analytics)": false when
 * key_mask does not include the known type. */
bool config_key_fits(struct config_check *c, int type, unsigned key_mask, const char *const *names, int n,
		     const char *what)
{
	if (type < 0 || (key_mask & BIT(type)))
		return true;
	char only[128];
	config_name_list(names, n, key_mask, false, " and ", only, sizeof only);
	config_problem(c, "not a key of %s %s (only of %s)", names[type], what, only);
	return false;
}

/* An argv: a non-empty array of non-empty strings. */
void config_want_argv(struct config_check *c, const cJSON *v, char ***out, size_t *n)
{
	const char *expected = "a non-empty array of strings (the command and its arguments)";
	if (!cJSON_IsArray(v) || !v->child) {
		if (cJSON_IsArray(v))
			config_problem(c, "expected %s, got an empty array", expected);
		else
			config_problem_got(c, v, expected);
		return;
	}
	size_t i = 0, got = 0;
	char **argv = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *argv);
	for (const cJSON *a = v->child; a; a = a->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		char *s = config_want_string(c, a, "a command-line argument (a non-empty string)");
		if (s)
			argv[got++] = s;
		jsonmsg_path_pop(&c->path, old);
	}
	for (size_t j = 0; j < *n; j++)
		free((*out)[j]);
	free(*out);
	*out = argv;
	*n = got;
}

void config_free_argv(char **argv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
}

/* A whole number from 1 to INT_MAX. */
void config_want_count(struct config_check *c, const cJSON *v, int *out)
{
	if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 2147483647.0 &&
	    v->valuedouble == floor(v->valuedouble))
		*out = (int)v->valuedouble;
	else
		config_problem_got(c, v, "a whole number >= 1");
}

/* ---- auth ---------------------------------------------------------------- */

const struct auth_owner owner_unknown = { BIT(N_AUTH_TYPES) - 1, NULL, NULL };
const struct auth_owner owner_source[N_SOURCE_TYPES] = {
	[SOURCE_PROMETHEUS] = { BIT(AUTH_NONE) | BIT(AUTH_BEARER) | BIT(AUTH_BASIC), "prometheus sources", NULL },
	[SOURCE_LOG_ANALYTICS] = { BIT(AUTH_NONE) | AUTH_AZURE, "log_analytics sources", LOG_ANALYTICS_URL },
	[SOURCE_APP_INSIGHTS] = { BIT(AUTH_NONE) | BIT(AUTH_API_KEY) | AUTH_AZURE, "app_insights sources",
				  APP_INSIGHTS_URL },
};
const struct auth_owner owner_azureml = { BIT(AUTH_NONE) | BIT(AUTH_BEARER) | AUTH_AZURE, "azureml targets",
						 ARM_URL };

/* Each key and the auth types it belongs to. A secret has a _file and an
 * _env key; its bare name is refused, with a message saying why. */
struct auth_key {
	const char *key;
	unsigned types;
	const char *secret; /* the secret's bare name, for _file and _env keys */
};

static const struct auth_key auth_keys[] = {
	{ "type", BIT(N_AUTH_TYPES) - 1, NULL },
	{ "user", BIT(AUTH_BASIC), NULL },
	{ "token_file", BIT(AUTH_BEARER), "token" },
	{ "token_env", BIT(AUTH_BEARER), "token" },
	{ "password_file", BIT(AUTH_BASIC), "password" },
	{ "password_env", BIT(AUTH_BASIC), "password" },
	{ "key_file", BIT(AUTH_API_KEY), "key" },
	{ "key_env", BIT(AUTH_API_KEY), "key" },
	{ "client_secret_file", BIT(AUTH_CLIENT_CREDENTIALS), "client_secret" },
	{ "client_secret_env", BIT(AUTH_CLIENT_CREDENTIALS), "client_secret" },
	{ "tenant", BIT(AUTH_CLIENT_CREDENTIALS), NULL },
	{ "client_id", BIT(AUTH_CLIENT_CREDENTIALS) | BIT(AUTH_MANAGED_IDENTITY), NULL },
	{ "audience", AUTH_AZURE, NULL },
	{ "authority", BIT(AUTH_CLIENT_CREDENTIALS), NULL },
	{ "imds", BIT(AUTH_MANAGED_IDENTITY), NULL },
	{ "command", BIT(AUTH_AZURE_CLI), NULL },
	{ NULL, 0, NULL },
};

/* The bare names of the secrets, by the auth type that needs each. */
static const char *const auth_secret[N_AUTH_TYPES] = {
	[AUTH_BEARER] = "token",
	[AUTH_BASIC] = "password",
	[AUTH_API_KEY] = "key",
	[AUTH_CLIENT_CREDENTIALS] = "client_secret",
};

struct auth_read {
	struct config_auth *auth;
	const struct auth_owner *owner;
	int type; /* -1: unknown, or not one the owner may have */
};

static void read_auth_value(struct config_check *c, const cJSON *v, void *into)
{
	struct auth_read *ar = into;
	struct config_auth *a = ar->auth;
	const char *k = v->string;

	for (int t = 0; t < N_AUTH_TYPES; t++) {
		if (auth_secret[t] && config_key_is(k, auth_secret[t])) {
			config_problem(c, "secrets are never written in the config: give \"%s_file\" (a file only "
					  "you can read) or \"%s_env\" (an environment variable)",
				       k, k);
			return;
		}
	}
	if (config_key_is(k, "type")) {
		int t = config_lookup(v, auth_type_name, N_AUTH_TYPES);
		char list[160], expected[256];
		if (t < 0) {
			config_name_list(auth_type_name, N_AUTH_TYPES, BIT(N_AUTH_TYPES) - 1, true, " or ", list, sizeof list);
			snprintf(expected, sizeof expected, "one of %s", list);
			config_problem_got(c, v, expected);
		} else if (!(ar->owner->types & BIT(t))) {
			config_name_list(auth_type_name, N_AUTH_TYPES, ar->owner->types, true, " or ", list, sizeof list);
			snprintf(expected, sizeof expected, "an auth type for %s (%s)", ar->owner->what, list);
			config_problem_got(c, v, expected);
		} else {
			a->type = (enum auth_type)t;
		}
		return;
	}
	const struct auth_key *key = auth_keys;
	while (!config_key_is(key->key, k))
		key++;
	if (!config_key_fits(c, ar->type, key->types, auth_type_name, N_AUTH_TYPES, "auth"))
		return;
	size_t klen = strlen(k);
	if (key->secret && config_key_is(k + klen - 4, "file"))
		set_string(&a->secret.file, config_want_string(c, v, "a file path"));
	else if (key->secret)
		set_string(&a->secret.env, config_want_env_name(c, v));
	else if (config_key_is(k, "user"))
		a->user = config_want_string(c, v, "a user name");
	else if (config_key_is(k, "tenant"))
		a->tenant = config_want_string(c, v, "a tenant id");
	else if (config_key_is(k, "client_id"))
		a->client_id = config_want_string(c, v, "a client id");
	else if (config_key_is(k, "audience"))
		a->audience = config_want_string(c, v, "the resource the token is for, e.g. \"" ARM_URL "\"");
	else if (config_key_is(k, "authority"))
		a->authority = config_want_url(c, v);
	else if (config_key_is(k, "imds"))
		a->imds = config_want_url(c, v);
	else if (config_key_is(k, "command"))
		config_want_argv(c, v, &a->command, &a->n_command);
}

/* Reads an "auth" object for its owner; a type the owner may not have
 * is reported once, at "type", and the keys are then not judged by it. */
void config_read_auth(struct config_check *c, const cJSON *v, struct config_auth *a, const struct auth_owner *owner)
{
	/* auth_keys, and the secrets' bare names, refused with a reason. */
	static const struct config_field fields[] = {
		{ "type", read_auth_value },		   { "user", read_auth_value },
		{ "token_file", read_auth_value },	   { "token_env", read_auth_value },
		{ "password_file", read_auth_value },	   { "password_env", read_auth_value },
		{ "key_file", read_auth_value },	   { "key_env", read_auth_value },
		{ "client_secret_file", read_auth_value }, { "client_secret_env", read_auth_value },
		{ "tenant", read_auth_value },		   { "client_id", read_auth_value },
		{ "audience", read_auth_value },	   { "authority", read_auth_value },
		{ "imds", read_auth_value },		   { "command", read_auth_value },
		{ "!token", read_auth_value },		   { "!password", read_auth_value },
		{ "!key", read_auth_value },		   { "!client_secret", read_auth_value },
		{ NULL, NULL },
	};
	if (!config_want_object(c, v))
		return;
	int type = config_peek_type(v, auth_type_name, N_AUTH_TYPES);
	struct auth_read ar = { a, owner, type >= 0 && (owner->types & BIT(type)) ? type : -1 };
	config_read_fields(c, v, fields, &ar);

	char list[160], expected[256];
	if (!config_has(v, "type")) {
		config_name_list(auth_type_name, N_AUTH_TYPES, owner->types, true, " or ", list, sizeof list);
		snprintf(expected, sizeof expected, "one of %s", list);
		config_missing(c, "type", expected);
	}
	if (ar.type < 0)
		return;
	const char *secret = auth_secret[ar.type];
	char file_key[40], env_key[40];
	snprintf(file_key, sizeof file_key, "%s_file", secret ? secret : "");
	snprintf(env_key, sizeof env_key, "%s_env", secret ? secret : "");
	const bool has_file = config_has(v, file_key), has_env = config_has(v, env_key);
	if (secret && !has_file && !has_env) {
		config_problem(c, "%s auth needs \"%s_file\" or \"%s_env\" (the %s is read from that file or "
				  "variable, never written here)",
			       auth_type_name[ar.type], secret, secret, secret);
	} else if (secret && has_file && has_env) {
		config_problem_at(c, env_key, "give \"%s_file\" or \"%s_env\", not both", secret, secret);
	}
	if (ar.type == AUTH_BASIC && !config_has(v, "user"))
		config_missing(c, "user", "a user name for basic auth");
	if (ar.type == AUTH_CLIENT_CREDENTIALS && !config_has(v, "tenant"))
		config_missing(c, "tenant", "the Azure tenant id for client_credentials auth");
	if (ar.type == AUTH_CLIENT_CREDENTIALS && !config_has(v, "client_id"))
		config_missing(c, "client_id", "the application's client id for client_credentials auth");
	if ((AUTH_AZURE & BIT(ar.type)) && !a->audience && owner->audience)
		a->audience = xstrdup(owner->audience);
	if (ar.type == AUTH_CLIENT_CREDENTIALS && !a->authority)
		a->authority = xstrdup(AZURE_AUTHORITY);
	if (ar.type == AUTH_MANAGED_IDENTITY && !a->imds)
		a->imds = xstrdup(AZURE_IMDS);
}

static void free_auth(struct config_auth *a)
{
	free(a->user);
	free(a->secret.file);
	free(a->secret.env);
	free(a->tenant);
	free(a->client_id);
	free(a->audience);
	free(a->authority);
	free(a->imds);
	config_free_argv(a->command, a->n_command);
}

const char *const source_type_name[] = { "prometheus", "log_analytics", "app_insights" };
const char *const auth_type_name[] = { "none",	    "bearer",		  "basic",	       "api_key",
					      "azure_cli", "client_credentials", "managed_identity" };
const char *const target_type_name[] = { "haproxy", "azureml", "command" };

/* ---- across sections ------------------------------------------------------ */

/* The type of $.sources[name] as the file gives it: -1 when there is no
 * such source or its type is not one (reported where it is). */
static int source_type_of(const cJSON *root, const char *name, bool *exists)
{
	const cJSON *sources = cJSON_GetObjectItemCaseSensitive(root, "sources");
	const cJSON *s = cJSON_IsObject(sources) && !config_is_comment(name)
				 ? cJSON_GetObjectItemCaseSensitive(sources, name)
				 : NULL;
	*exists = s != NULL;
	return cJSON_IsObject(s) ? config_peek_type(s, source_type_name, N_SOURCE_TYPES) : -1;
}

/* The name of a section's entry: its key, or its "name" value; NULL when
 * it has none worth listing. */
static const char *entry_name(const cJSON *e, bool keys)
{
	const char *name = keys ? e->string : NULL;
	if (!keys) {
		const cJSON *nm = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "name") : NULL;
		name = cJSON_IsString(nm) ? nm->valuestring : NULL;
	}
	return name && name[0] && !config_is_comment(name) ? name : NULL;
}

/* `("a", "b")`, the names of the keys or elements of a section, each once. */
static void section_names(const cJSON *section, bool keys, char *buf, size_t size)
{
	snprintf(buf, size, "(");
	int n = 0;
	for (const cJSON *e = section ? section->child : NULL; e; e = e->next) {
		const char *name = entry_name(e, keys);
		const cJSON *d = section->child;
		while (d != e && !(name && entry_name(d, keys) && config_key_is(entry_name(d, keys), name)))
			d = d->next;
		if (!name || d != e)
			continue;
		char q[64];
		size_t len = strlen(buf);
		config_quote(name, q, sizeof q);
		if (len + strlen(q) + 8 >= size) {
			snprintf(buf + len, size - len, ", ...");
			break;
		}
		snprintf(buf + len, size - len, "%s%s", n++ ? ", " : "", q);
	}
	size_t len = strlen(buf);
	snprintf(buf + len, size - len, n ? ")" : "there are none)");
}

/* Checks the source named by $.SECTION[i].source; returns its type, or -1
 * when it is not a source (reported) or its type is not known. */
static int check_source_ref(struct config_check *c, const char *name)
{
	if (!name)
		return -1;
	bool exists;
	int type = source_type_of(c->root, name, &exists);
	const cJSON *sources = cJSON_GetObjectItemCaseSensitive(c->root, "sources");
	if (!exists && (!sources || cJSON_IsObject(sources))) {
		char names[200], q[64];
		section_names(sources, true, names, sizeof names);
		config_quote(name, q, sizeof q);
		config_problem_at(c, "source", "expected a source named in $.sources %s, got %s", names, q);
	}
	return type;
}

static void check_endpoint_ref(struct config_check *c, const char *name)
{
	const cJSON *endpoints = cJSON_GetObjectItemCaseSensitive(c->root, "endpoints");
	if (!name || !cJSON_IsArray(endpoints) || !endpoints->child)
		return;
	for (const cJSON *e = endpoints->child; e; e = e->next) {
		const cJSON *nm = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "name") : NULL;
		if (cJSON_IsString(nm) && config_key_is(nm->valuestring, name))
			return;
	}
	char names[200], q[64];
	section_names(endpoints, false, names, sizeof names);
	config_quote(name, q, sizeof q);
	config_problem_at(c, "endpoint", "expected an endpoint named in $.endpoints %s, got %s", names, q);
}

static const char *article(int source_type)
{
	return source_type == SOURCE_APP_INSIGHTS ? "an" : "a";
}

/* "$.slos[0].query: not for a prometheus source ("prom" takes ...)" */
static void wrong_kind(struct config_check *c, const char *key, int type, const char *source, const char *takes)
{
	char q[64];
	config_quote(source, q, sizeof q);
	config_problem_at(c, key, "not for %s %s source (%s takes %s)", article(type), source_type_name[type], q, takes);
}

#define SLO_PROMQL "total_query with error_query or good_query"
#define SLO_KQL "a KQL \"query\""

/* Judged by the keys the file has (here and below), so that a value with
 * a problem of its own is not also called missing. */
static void check_slo(struct config_check *c, const struct config_slo *slo, const cJSON *json)
{
	int type = check_source_ref(c, slo->source);
	check_endpoint_ref(c, slo->endpoint);
	if (type < 0)
		return;
	char q[64];
	config_quote(slo->source, q, sizeof q);
	if (type == SOURCE_PROMETHEUS) {
		if (config_has(json, "query"))
			wrong_kind(c, "query", type, slo->source, SLO_PROMQL);
		if (!config_has(json, "total_query"))
			config_problem_at(c, "total_query", "required key missing (source %s is prometheus: " SLO_PROMQL ")", q);
		if (!config_has(json, "error_query") && !config_has(json, "good_query"))
			config_problem(c, "required key missing: error_query or good_query (source %s is prometheus)",
				       q);
		else if (config_has(json, "error_query") && config_has(json, "good_query"))
			config_problem_at(c, "good_query", "give error_query or good_query, not both");
		return;
	}
	static const char *const promql[] = { "total_query", "error_query", "good_query" };
	for (size_t i = 0; i < 3; i++)
		if (config_has(json, promql[i]))
			wrong_kind(c, promql[i], type, slo->source, SLO_KQL);
	if (!config_has(json, "query"))
		config_problem_at(c, "query",
			   "required key missing (source %s is %s: a KQL query giving columns total and bad or good)",
			   q, source_type_name[type]);
}

static bool canary_has_metric(const struct config_canary *k, const char *metric)
{
	for (size_t i = 0; i < k->n_thresholds; i++)
		if (config_key_is(k->thresholds[i].metric, metric))
			return true;
	return false;
}

/* Whether threshold i is the first to name its metric. */
static bool first_metric(const struct config_canary *k, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (config_key_is(k->thresholds[j].metric, k->thresholds[i].metric))
			return false;
	return true;
}

/* PromQL: one query per column of the result table, "n" and each metric
 * of the thresholds; judged by the keys the file has, and only when every
 * threshold was read. */
static void check_canary_columns(struct config_check *c, const struct config_canary *k, const cJSON *json)
{
	const cJSON *th = cJSON_GetObjectItemCaseSensitive(json, "thresholds");
	const cJSON *queries = cJSON_GetObjectItemCaseSensitive(json, "queries");
	if (!cJSON_IsObject(queries) || !cJSON_IsArray(th) || k->n_thresholds == 0 ||
	    (size_t)cJSON_GetArraySize(th) != k->n_thresholds)
		return;
	char metrics[200] = "";
	for (size_t i = 0; i < k->n_thresholds; i++) {
		if (first_metric(k, i)) {
			char q[64];
			size_t len = strlen(metrics);
			config_quote(k->thresholds[i].metric, q, sizeof q);
			snprintf(metrics + len, sizeof metrics - len, "%s%s", len ? ", " : "", q);
		}
	}
	size_t old = jsonmsg_path_key(&c->path, "queries");
	for (const cJSON *q = queries->child; q; q = q->next) {
		if (config_is_comment(q->string) || !q->string[0] || config_key_is(q->string, "n") ||
		    canary_has_metric(k, q->string))
			continue;
		size_t o = jsonmsg_path_key(&c->path, q->string);
		config_problem(c, "not a column of the result (expected \"n\" or a metric named in thresholds: %s)",
			       metrics);
		jsonmsg_path_pop(&c->path, o);
	}
	if (!config_has(queries, "n"))
		config_problem(c, "no query for column \"n\" (the samples per class in the window)");
	for (size_t i = 0; i < k->n_thresholds; i++) {
		const char *m = k->thresholds[i].metric;
		if (first_metric(k, i) && !config_has(queries, m)) {
			char q[64];
			config_quote(m, q, sizeof q);
			config_problem(c, "no query for metric %s (named in thresholds)", q);
		}
	}
	jsonmsg_path_pop(&c->path, old);
}

static void check_canary(struct config_check *c, const struct config_canary *k, const cJSON *json)
{
	int type = check_source_ref(c, k->source);
	check_endpoint_ref(c, k->endpoint);
	if (type < 0)
		return;
	char q[64];
	config_quote(k->source, q, sizeof q);
	if (type == SOURCE_PROMETHEUS) {
		if (config_has(json, "query"))
			wrong_kind(c, "query", type, k->source, "\"queries\": a PromQL query per column");
		if (!config_has(json, "queries"))
			config_problem_at(c, "queries",
				   "required key missing (source %s is prometheus: a PromQL query per column, "
				   "\"n\" and each metric)",
				   q);
		else
			check_canary_columns(c, k, json);
		return;
	}
	if (config_has(json, "queries"))
		wrong_kind(c, "queries", type, k->source, "a KQL \"query\"");
	if (!config_has(json, "query"))
		config_problem_at(c, "query",
			   "required key missing (source %s is %s: a KQL query giving columns class, each metric "
			   "and n)",
			   q, source_type_name[type]);
}

void config_check_live(struct config_check *c, const struct config *cfg)
{
	const cJSON *slos = cJSON_GetObjectItemCaseSensitive(c->root, "slos");
	const cJSON *canaries = cJSON_GetObjectItemCaseSensitive(c->root, "canaries");
	size_t old = jsonmsg_path_key(&c->path, "slos");
	size_t i = 0;
	for (const cJSON *e = cJSON_IsArray(slos) ? slos->child : NULL; e; e = e->next, i++) {
		size_t o = jsonmsg_path_index(&c->path, i);
		if (cJSON_IsObject(e) && i < cfg->n_slos)
			check_slo(c, &cfg->slos[i], e);
		jsonmsg_path_pop(&c->path, o);
	}
	jsonmsg_path_pop(&c->path, old);
	old = jsonmsg_path_key(&c->path, "canaries");
	i = 0;
	for (const cJSON *e = cJSON_IsArray(canaries) ? canaries->child : NULL; e; e = e->next, i++) {
		size_t o = jsonmsg_path_index(&c->path, i);
		if (cJSON_IsObject(e) && i < cfg->n_canaries)
			check_canary(c, &cfg->canaries[i], e);
		jsonmsg_path_pop(&c->path, o);
	}
	jsonmsg_path_pop(&c->path, old);
}

/* ---- freeing --------------------------------------------------------------- */

void config_free_live(struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_sources; i++) {
		struct config_source *s = &cfg->sources[i];
		free(s->name);
		free(s->url);
		free(s->workspace);
		free(s->app);
		free_auth(&s->auth);
		for (size_t j = 0; j < s->n_headers; j++) {
			free(s->headers[j].name);
			free(s->headers[j].value);
		}
		free(s->headers);
		free(s->ca_file);
	}
	free(cfg->sources);
	for (size_t i = 0; i < cfg->n_slos; i++) {
		struct config_slo *s = &cfg->slos[i];
		free(s->name);
		free(s->source);
		free(s->endpoint);
		free(s->error_query);
		free(s->good_query);
		free(s->total_query);
		free(s->query);
	}
	free(cfg->slos);
	for (size_t i = 0; i < cfg->n_canaries; i++) {
		struct config_canary *k = &cfg->canaries[i];
		free(k->endpoint);
		free(k->deployment);
		free(k->source);
		free(k->query);
		for (size_t j = 0; j < k->n_queries; j++) {
			free(k->queries[j].column);
			free(k->queries[j].query);
		}
		free(k->queries);
		for (size_t j = 0; j < k->n_thresholds; j++) {
			free(k->thresholds[j].class_name);
			free(k->thresholds[j].metric);
		}
		free(k->thresholds);
	}
	free(cfg->canaries);
	for (size_t i = 0; i < cfg->n_endpoints; i++) {
		struct config_endpoint *ep = &cfg->endpoints[i];
		struct config_target *t = &ep->target;
		free(ep->name);
		free(t->socket);
		free(t->address);
		free(t->backend);
		for (size_t j = 0; j < t->n_servers; j++) {
			free(t->servers[j].deployment);
			free(t->servers[j].server);
		}
		free(t->servers);
		free(t->subscription);
		free(t->resource_group);
		free(t->workspace);
		free(t->endpoint_name);
		free(t->api_version);
		free(t->arm_url);
		free_auth(&t->auth);
		config_free_argv(t->apply, t->n_apply);
		config_free_argv(t->read, t->n_read);
		config_free_argv(t->env, t->n_env);
	}
	free(cfg->endpoints);
}
