/* The live sections of the config: the metrics sources and how to reach
 * them, the SLOs and canary gates read from them, the endpoints with the
 * targets that move their traffic; and reading the secrets they name.
 * Problems go through the same checker as the rest of the file. */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "burn.h"
#include "cmdtemplate.h"
#include "config_check.h"
#include "redact.h"
#include "timefmt.h"
#include "xalloc.h"

#define SOURCE_TIMEOUT_MS (10 * MS_PER_S)
#define SOURCE_REFRESH_MS (30 * MS_PER_S)
#define SOURCE_MIN_REFRESH_MS MS_PER_S
#define SOURCE_MAX_BYTES (8L << 20)
#define SLO_PERIOD_MS (30 * MS_PER_DAY)
#define CANARY_WINDOW_MS (60 * MS_PER_S)
#define TARGET_TIMEOUT_MS (10 * MS_PER_S)
#define AZUREML_OPERATION_TIMEOUT_MS (10 * MS_PER_MIN)
#define AZUREML_API_VERSION "2025-12-01"
#define ARM_URL "https://management.azure.com"
#define LOG_ANALYTICS_URL "https://api.loganalytics.io"
#define APP_INSIGHTS_URL "https://api.applicationinsights.io"
#define AZURE_AUTHORITY "https://login.microsoftonline.com"
#define AZURE_IMDS "http://169.254.169.254"
#define SECRET_MAX_BYTES (64 * 1024)

#define BIT(x) (1u << (x))

static const char *const source_type_name[] = { "prometheus", "log_analytics", "app_insights" };
static const char *const auth_type_name[] = { "none",	    "bearer",		  "basic",	       "api_key",
					      "azure_cli", "client_credentials", "managed_identity" };
static const char *const target_type_name[] = { "haproxy", "azureml", "command" };
enum { N_SOURCE_TYPES = 3, N_AUTH_TYPES = 7, N_TARGET_TYPES = 3 };

#define AUTH_AZURE (BIT(AUTH_AZURE_CLI) | BIT(AUTH_CLIENT_CREDENTIALS) | BIT(AUTH_MANAGED_IDENTITY))

/* ---- small pieces -------------------------------------------------------- */

static bool is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static bool has(const cJSON *obj, const char *key)
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

static void problem_at(struct config_check *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem_at(struct config_check *c, const char *key, const char *fmt, ...)
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

static void missing(struct config_check *c, const char *key, const char *expected)
{
	problem_at(c, key, "required key missing (expected %s)", expected);
}

static void quote(const char *s, char *buf, size_t size)
{
	jsonmsg_quote(s, 40, JSONMSG_NEWLINE_HEX, buf, size);
}

/* The names whose bit is in mask: `"a", "b" or "c"` quoted, or
 * `a, b and c` with last " and ". */
static void name_list(const char *const *names, int n, unsigned mask, bool quoted, const char *last, char *buf,
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
static int lookup(const cJSON *v, const char *const *names, int n)
{
	for (int i = 0; cJSON_IsString(v) && i < n; i++)
		if (is(v->valuestring, names[i]))
			return i;
	return -1;
}

/* The type an object says it is, before its keys are read, so that each
 * key can be judged by it; -1 when missing or not a type (its own key
 * reports that). */
static int peek_type(const cJSON *obj, const char *const *names, int n)
{
	return lookup(cJSON_GetObjectItemCaseSensitive(obj, "type"), names, n);
}

/* "not a key of prometheus sources (only of log_analytics)": false when
 * key_mask does not include the known type. */
static bool key_fits(struct config_check *c, int type, unsigned key_mask, const char *const *names, int n,
		     const char *what)
{
	if (type < 0 || (key_mask & BIT(type)))
		return true;
	char only[128];
	name_list(names, n, key_mask, false, " and ", only, sizeof only);
	config_problem(c, "not a key of %s %s (only of %s)", names[type], what, only);
	return false;
}

/* An argv: a non-empty array of non-empty strings. */
static void want_argv(struct config_check *c, const cJSON *v, char ***out, size_t *n)
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

static void free_argv(char **argv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
}

/* A whole number from 1 to INT_MAX. */
static void want_count(struct config_check *c, const cJSON *v, int *out)
{
	if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 2147483647.0 &&
	    v->valuedouble == floor(v->valuedouble))
		*out = (int)v->valuedouble;
	else
		config_problem_got(c, v, "a whole number >= 1");
}

/* ---- auth ---------------------------------------------------------------- */

/* What holds an auth object: the types it may have, and the resource an
 * Azure token is for there. */
struct auth_owner {
	unsigned types;
	const char *what; /* "prometheus sources"; NULL: its own type is unknown */
	const char *audience;
};

static const struct auth_owner owner_unknown = { BIT(N_AUTH_TYPES) - 1, NULL, NULL };
static const struct auth_owner owner_source[N_SOURCE_TYPES] = {
	[SOURCE_PROMETHEUS] = { BIT(AUTH_NONE) | BIT(AUTH_BEARER) | BIT(AUTH_BASIC), "prometheus sources", NULL },
	[SOURCE_LOG_ANALYTICS] = { BIT(AUTH_NONE) | AUTH_AZURE, "log_analytics sources", LOG_ANALYTICS_URL },
	[SOURCE_APP_INSIGHTS] = { BIT(AUTH_NONE) | BIT(AUTH_API_KEY) | AUTH_AZURE, "app_insights sources",
				  APP_INSIGHTS_URL },
};
static const struct auth_owner owner_azureml = { BIT(AUTH_NONE) | BIT(AUTH_BEARER) | AUTH_AZURE, "azureml targets",
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
		if (auth_secret[t] && is(k, auth_secret[t])) {
			config_problem(c, "secrets are never written in the config: give \"%s_file\" (a file only "
					  "you can read) or \"%s_env\" (an environment variable)",
				       k, k);
			return;
		}
	}
	if (is(k, "type")) {
		int t = lookup(v, auth_type_name, N_AUTH_TYPES);
		char list[160], expected[256];
		if (t < 0) {
			name_list(auth_type_name, N_AUTH_TYPES, BIT(N_AUTH_TYPES) - 1, true, " or ", list, sizeof list);
			snprintf(expected, sizeof expected, "one of %s", list);
			config_problem_got(c, v, expected);
		} else if (!(ar->owner->types & BIT(t))) {
			name_list(auth_type_name, N_AUTH_TYPES, ar->owner->types, true, " or ", list, sizeof list);
			snprintf(expected, sizeof expected, "an auth type for %s (%s)", ar->owner->what, list);
			config_problem_got(c, v, expected);
		} else {
			a->type = (enum auth_type)t;
		}
		return;
	}
	const struct auth_key *key = auth_keys;
	while (!is(key->key, k))
		key++;
	if (!key_fits(c, ar->type, key->types, auth_type_name, N_AUTH_TYPES, "auth"))
		return;
	size_t klen = strlen(k);
	if (key->secret && is(k + klen - 4, "file"))
		set_string(&a->secret.file, config_want_string(c, v, "a file path"));
	else if (key->secret)
		set_string(&a->secret.env, config_want_env_name(c, v));
	else if (is(k, "user"))
		a->user = config_want_string(c, v, "a user name");
	else if (is(k, "tenant"))
		a->tenant = config_want_string(c, v, "a tenant id");
	else if (is(k, "client_id"))
		a->client_id = config_want_string(c, v, "a client id");
	else if (is(k, "audience"))
		a->audience = config_want_string(c, v, "the resource the token is for, e.g. \"" ARM_URL "\"");
	else if (is(k, "authority"))
		a->authority = config_want_url(c, v);
	else if (is(k, "imds"))
		a->imds = config_want_url(c, v);
	else if (is(k, "command"))
		want_argv(c, v, &a->command, &a->n_command);
}

/* Reads an "auth" object for its owner; a type the owner may not have
 * is reported once, at "type", and the keys are then not judged by it. */
static void read_auth(struct config_check *c, const cJSON *v, struct config_auth *a, const struct auth_owner *owner)
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
	int type = peek_type(v, auth_type_name, N_AUTH_TYPES);
	struct auth_read ar = { a, owner, type >= 0 && (owner->types & BIT(type)) ? type : -1 };
	config_read_fields(c, v, fields, &ar);

	char list[160], expected[256];
	if (!has(v, "type")) {
		name_list(auth_type_name, N_AUTH_TYPES, owner->types, true, " or ", list, sizeof list);
		snprintf(expected, sizeof expected, "one of %s", list);
		missing(c, "type", expected);
	}
	if (ar.type < 0)
		return;
	const char *secret = auth_secret[ar.type];
	char file_key[40], env_key[40];
	snprintf(file_key, sizeof file_key, "%s_file", secret ? secret : "");
	snprintf(env_key, sizeof env_key, "%s_env", secret ? secret : "");
	const bool has_file = has(v, file_key), has_env = has(v, env_key);
	if (secret && !has_file && !has_env) {
		config_problem(c, "%s auth needs \"%s_file\" or \"%s_env\" (the %s is read from that file or "
				  "variable, never written here)",
			       auth_type_name[ar.type], secret, secret, secret);
	} else if (secret && has_file && has_env) {
		problem_at(c, env_key, "give \"%s_file\" or \"%s_env\", not both", secret, secret);
	}
	if (ar.type == AUTH_BASIC && !has(v, "user"))
		missing(c, "user", "a user name for basic auth");
	if (ar.type == AUTH_CLIENT_CREDENTIALS && !has(v, "tenant"))
		missing(c, "tenant", "the Azure tenant id for client_credentials auth");
	if (ar.type == AUTH_CLIENT_CREDENTIALS && !has(v, "client_id"))
		missing(c, "client_id", "the application's client id for client_credentials auth");
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
	free_argv(a->command, a->n_command);
}

/* ---- sources ------------------------------------------------------------- */

/* RFC 9110's token characters. */
static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      strchr("!#$%&'*+-.^_`|~", *s)))
			return false;
	return true;
}

/* A control character in a header value would end the header and start
 * another: header injection. */
static bool is_header_value(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return false;
	return true;
}

static void read_headers(struct config_check *c, const cJSON *v, struct config_source *s)
{
	if (!config_want_object(c, v))
		return;
	s->headers = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *s->headers);
	for (const cJSON *h = v->child; h; h = h->next) {
		if (config_is_comment(h->string))
			continue;
		size_t old = jsonmsg_path_key(&c->path, h->string);
		const cJSON *d = v->child;
		while (d != h && strcasecmp(d->string, h->string) != 0)
			d = d->next;
		if (!is_token(h->string)) {
			char q[64];
			quote(h->string, q, sizeof q);
			config_problem(c, "expected a header name (letters, digits and !#$%%&'*+-.^_`|~) as the key, "
					  "got %s",
				       q);
		} else if (strcasecmp(h->string, "Authorization") == 0 || strcasecmp(h->string, "X-Api-Key") == 0) {
			config_problem(c, "credentials never go in headers: use \"auth\", which reads them from a "
					  "file or an environment variable");
		} else if (d != h) {
			config_problem(c, "duplicate header (header names are case-insensitive)");
		} else if (!cJSON_IsString(h) || !is_header_value(h->valuestring)) {
			config_problem_got(c, h, "a header value (text without line breaks or control characters)");
		} else {
			s->headers[s->n_headers++] =
				(struct config_header){ xstrdup(h->string), xstrdup(h->valuestring) };
		}
		jsonmsg_path_pop(&c->path, old);
	}
}

struct source_read {
	struct config_source *src;
	int type;
};

static void read_source_value(struct config_check *c, const cJSON *v, void *into)
{
	struct source_read *sr = into;
	struct config_source *s = sr->src;
	const char *k = v->string;
	if (is(k, "type")) {
		if (sr->type < 0) {
			char list[96], expected[128];
			name_list(source_type_name, N_SOURCE_TYPES, BIT(N_SOURCE_TYPES) - 1, true, " or ", list, sizeof list);
			snprintf(expected, sizeof expected, "one of %s", list);
			config_problem_got(c, v, expected);
		}
	} else if (is(k, "url")) {
		s->url = config_want_url(c, v);
	} else if (is(k, "workspace")) {
		if (key_fits(c, sr->type, BIT(SOURCE_LOG_ANALYTICS), source_type_name, N_SOURCE_TYPES, "sources"))
			s->workspace = config_want_string(c, v, "a Log Analytics workspace id");
	} else if (is(k, "app")) {
		if (key_fits(c, sr->type, BIT(SOURCE_APP_INSIGHTS), source_type_name, N_SOURCE_TYPES, "sources"))
			s->app = config_want_string(c, v, "an Application Insights app id");
	} else if (is(k, "auth")) {
		read_auth(c, v, &s->auth, sr->type < 0 ? &owner_unknown : &owner_source[sr->type]);
	} else if (is(k, "headers")) {
		read_headers(c, v, s);
	} else if (is(k, "timeout")) {
		config_want_duration(c, v, 1, &s->timeout_ms);
	} else if (is(k, "refresh")) {
		config_want_duration(c, v, SOURCE_MIN_REFRESH_MS, &s->refresh_ms);
	} else if (is(k, "ca_file")) {
		s->ca_file = config_want_string(c, v, "a file path (PEM certificates)");
	} else if (is(k, "tls_verify")) {
		config_want_bool(c, v, &s->tls_verify);
	} else if (is(k, "max_bytes")) {
		if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 9007199254740992.0 &&
		    v->valuedouble == floor(v->valuedouble))
			s->max_bytes = (long)v->valuedouble;
		else
			config_problem_got(c, v, "a whole number of bytes above zero");
	}
}

static void read_source(struct config_check *c, const cJSON *v, struct config_source *s)
{
	static const struct config_field fields[] = {
		{ "type", read_source_value },	  { "url", read_source_value },
		{ "workspace", read_source_value }, { "app", read_source_value },
		{ "auth", read_source_value },	  { "headers", read_source_value },
		{ "timeout", read_source_value },	  { "refresh", read_source_value },
		{ "ca_file", read_source_value },	  { "tls_verify", read_source_value },
		{ "max_bytes", read_source_value }, { NULL, NULL },
	};
	s->timeout_ms = SOURCE_TIMEOUT_MS;
	s->refresh_ms = SOURCE_REFRESH_MS;
	s->tls_verify = true;
	s->max_bytes = SOURCE_MAX_BYTES;
	if (!config_want_object(c, v))
		return;
	struct source_read sr = { s, peek_type(v, source_type_name, N_SOURCE_TYPES) };
	if (sr.type >= 0)
		s->type = (enum source_type)sr.type;
	config_read_fields(c, v, fields, &sr);
	if (!has(v, "type"))
		missing(c, "type", "\"prometheus\", \"log_analytics\" or \"app_insights\"");
	const bool has_url = has(v, "url");
	if (sr.type == SOURCE_PROMETHEUS && !has_url)
		missing(c, "url", "the Prometheus API's base URL, e.g. \"http://prometheus:9090\"");
	if (sr.type == SOURCE_LOG_ANALYTICS && !has(v, "workspace"))
		missing(c, "workspace", "a Log Analytics workspace id");
	if (sr.type == SOURCE_APP_INSIGHTS && !has(v, "app"))
		missing(c, "app", "an Application Insights app id");
	if (sr.type == SOURCE_LOG_ANALYTICS && !has_url)
		s->url = xstrdup(LOG_ANALYTICS_URL);
	if (sr.type == SOURCE_APP_INSIGHTS && !has_url)
		s->url = xstrdup(APP_INSIGHTS_URL);
}

void config_read_sources(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	if (!config_want_object(c, v))
		return;
	cfg->sources = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *cfg->sources);
	for (const cJSON *s = v->child; s; s = s->next) {
		if (config_is_comment(s->string))
			continue;
		size_t old = jsonmsg_path_key(&c->path, s->string);
		if (!s->string[0]) {
			config_problem(c, "expected a source name as the key, got \"\"");
		} else if (!config_duplicate(c, v, s)) {
			struct config_source *src = &cfg->sources[cfg->n_sources++];
			src->name = xstrdup(s->string);
			read_source(c, s, src);
		}
		jsonmsg_path_pop(&c->path, old);
	}
}

const struct config_source *config_find_source(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_sources; i++)
		if (is(cfg->sources[i].name, name))
			return &cfg->sources[i];
	return NULL;
}

/* ---- SLOs ---------------------------------------------------------------- */

/* Reads a name that must be unique among the first n of an array's
 * elements (name_at gives each one's name, NULL when it has none). */
static char *want_unique_name(struct config_check *c, const cJSON *v, const char *what, const char *section,
			      const char *(*name_at)(const struct config *, size_t), const struct config *cfg,
			      size_t n)
{
	char expected[64];
	snprintf(expected, sizeof expected, "the %s's name", what);
	char *name = config_want_string(c, v, expected);
	for (size_t j = 0; name && j < n; j++) {
		const char *other = name_at(cfg, j);
		if (other && is(other, name)) {
			char q[64];
			quote(name, q, sizeof q);
			config_problem(c, "%s is already the name of $.%s[%zu] (each %s needs its own)", q, section, j,
				       what);
			free(name);
			return NULL;
		}
	}
	return name;
}

static const char *slo_name_at(const struct config *cfg, size_t i)
{
	return cfg->slos[i].name;
}

static const char *endpoint_name_at(const struct config *cfg, size_t i)
{
	return cfg->endpoints[i].name;
}

static char *want_promql(struct config_check *c, const cJSON *v)
{
	if (cJSON_IsString(v) && strstr(v->valuestring, "{{window}}"))
		return xstrdup(v->valuestring);
	config_problem_got(c, v, "a PromQL query containing {{window}}");
	return NULL;
}

static void read_page(struct config_check *c, const cJSON *v, struct config_slo *slo)
{
	const char *names[BURN_NTIERS];
	char list[64];
	for (int t = 0; t < BURN_NTIERS; t++)
		names[t] = burn_window_name[burn_tiers[t].long_window];
	name_list(names, BURN_NTIERS, BIT(BURN_NTIERS) - 1, true, " or ", list, sizeof list);
	if (!cJSON_IsArray(v)) {
		char expected[128];
		snprintf(expected, sizeof expected, "an array of the tiers that page, from %s", list);
		config_problem_got(c, v, expected);
		return;
	}
	size_t i = 0;
	slo->page_tiers_set = true;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		int t = lookup(e, names, BURN_NTIERS);
		if (t < 0) {
			char expected[96];
			snprintf(expected, sizeof expected, "one of %s (a tier's long window)", list);
			config_problem_got(c, e, expected);
		} else if (slo->page_tiers & BIT(t)) {
			config_problem(c, "\"%s\" is already in the list", names[t]);
		} else {
			slo->page_tiers |= BIT(t);
		}
		jsonmsg_path_pop(&c->path, old);
	}
}

struct slo_read {
	struct config *cfg;
	size_t at;
};

static void read_slo_value(struct config_check *c, const cJSON *v, void *into)
{
	struct slo_read *r = into;
	struct config_slo *slo = &r->cfg->slos[r->at];
	const char *k = v->string;
	if (is(k, "name")) {
		slo->name = want_unique_name(c, v, "SLO", "slos", slo_name_at, r->cfg, r->at);
	} else if (is(k, "source")) {
		slo->source = config_want_string(c, v, "the name of a source in $.sources");
	} else if (is(k, "endpoint")) {
		slo->endpoint = config_want_string(c, v, "an endpoint's name");
	} else if (is(k, "objective")) {
		if (cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 1)
			slo->objective = v->valuedouble;
		else
			config_problem_got(c, v, "an objective between 0 and 1 (e.g. 0.999)");
	} else if (is(k, "period")) {
		config_want_duration(c, v, 1, &slo->period_ms);
	} else if (is(k, "min_events")) {
		if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= 0)
			slo->min_events = v->valuedouble;
		else
			config_problem_got(c, v, "a number of events >= 0");
	} else if (is(k, "total_query")) {
		slo->total_query = want_promql(c, v);
	} else if (is(k, "error_query")) {
		slo->error_query = want_promql(c, v);
	} else if (is(k, "good_query")) {
		slo->good_query = want_promql(c, v);
	} else if (is(k, "query")) {
		slo->query = config_want_string(c, v, "a KQL query");
	} else if (is(k, "page")) {
		read_page(c, v, slo);
	}
}

static void read_slo(struct config_check *c, const cJSON *v, struct config *cfg, size_t at)
{
	static const struct config_field fields[] = {
		{ "name", read_slo_value },	    { "source", read_slo_value },      { "endpoint", read_slo_value },
		{ "objective", read_slo_value },   { "period", read_slo_value },      { "min_events", read_slo_value },
		{ "total_query", read_slo_value }, { "error_query", read_slo_value }, { "good_query", read_slo_value },
		{ "query", read_slo_value },	    { "page", read_slo_value },	      { NULL, NULL },
	};
	cfg->slos[at].period_ms = SLO_PERIOD_MS;
	if (!config_want_object(c, v))
		return;
	struct slo_read r = { cfg, at };
	config_read_fields(c, v, fields, &r);
	if (!has(v, "name"))
		missing(c, "name", "the SLO's name");
	if (!has(v, "source"))
		missing(c, "source", "the name of a source in $.sources");
	if (!has(v, "objective"))
		missing(c, "objective", "an objective between 0 and 1, e.g. 0.999");
}

void config_read_slos(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	if (!config_want_array(c, v))
		return;
	/* One entry per element, so that $.slos[i] is cfg->slos[i] for the
	 * checks across sections. */
	cfg->n_slos = (size_t)cJSON_GetArraySize(v);
	cfg->slos = xcalloc(cfg->n_slos, sizeof *cfg->slos);
	size_t i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		read_slo(c, e, cfg, i);
		jsonmsg_path_pop(&c->path, old);
	}
}

/* ---- canaries ------------------------------------------------------------ */

struct threshold_read {
	struct canary_threshold t;
	bool has_min;
};

static void read_threshold_value(struct config_check *c, const cJSON *v, void *into)
{
	struct threshold_read *r = into;
	if (is(v->string, "class")) {
		r->t.class_name = config_want_string(c, v, "a class name");
	} else if (is(v->string, "metric")) {
		if (cJSON_IsString(v) && (is(v->valuestring, "class") || is(v->valuestring, "n")))
			config_problem_got(c, v, "a metric name other than \"class\" and \"n\" (columns of their own)");
		else
			r->t.metric = config_want_string(c, v, "a metric name");
	} else if (is(v->string, "min")) {
		if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
			r->t.min = v->valuedouble;
			r->has_min = true;
		} else {
			config_problem_got(c, v, "a number (the least value that passes)");
		}
	}
}

static void read_thresholds(struct config_check *c, const cJSON *v, struct config_canary *k)
{
	static const struct config_field fields[] = {
		{ "class", read_threshold_value },
		{ "metric", read_threshold_value },
		{ "min", read_threshold_value },
		{ NULL, NULL },
	};
	const char *expected = "a non-empty array of {\"class\", \"metric\", \"min\"}";
	if (!cJSON_IsArray(v) || !v->child) {
		if (cJSON_IsArray(v))
			config_problem(c, "expected %s, got an empty array", expected);
		else
			config_problem_got(c, v, expected);
		return;
	}
	k->thresholds = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *k->thresholds);
	size_t i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		struct threshold_read r = { { NULL, NULL, 0 }, false };
		if (config_want_object(c, e)) {
			config_read_fields(c, e, fields, &r);
			if (!has(e, "class"))
				missing(c, "class", "a class name");
			if (!has(e, "metric"))
				missing(c, "metric", "a metric name");
			if (!has(e, "min"))
				missing(c, "min", "a number, the least value that passes");
		}
		bool complete = r.t.class_name && r.t.metric && r.has_min;
		for (size_t j = 0; complete && j < k->n_thresholds; j++) {
			if (is(k->thresholds[j].class_name, r.t.class_name) && is(k->thresholds[j].metric, r.t.metric)) {
				char qc[64], qm[64];
				quote(r.t.class_name, qc, sizeof qc);
				quote(r.t.metric, qm, sizeof qm);
				config_problem(c, "expected one threshold per class and metric, got a second for class %s, "
						  "metric %s",
					       qc, qm);
				complete = false;
			}
		}
		if (complete) {
			k->thresholds[k->n_thresholds++] = r.t;
		} else {
			free(r.t.class_name);
			free(r.t.metric);
		}
		jsonmsg_path_pop(&c->path, old);
	}
}

static void read_canary_queries(struct config_check *c, const cJSON *v, struct config_canary *k)
{
	if (!config_want_object(c, v))
		return;
	k->queries = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *k->queries);
	for (const cJSON *q = v->child; q; q = q->next) {
		if (config_is_comment(q->string))
			continue;
		size_t old = jsonmsg_path_key(&c->path, q->string);
		if (!q->string[0]) {
			config_problem(c, "expected a column name as the key, got \"\"");
		} else if (!config_duplicate(c, v, q)) {
			char *query = config_want_string(c, q, "a PromQL query giving series labelled class");
			if (query)
				k->queries[k->n_queries++] = (struct config_canary_query){ xstrdup(q->string), query };
		}
		jsonmsg_path_pop(&c->path, old);
	}
}

static void read_canary_value(struct config_check *c, const cJSON *v, void *into)
{
	struct config_canary *k = into;
	const char *key = v->string;
	if (is(key, "endpoint")) {
		k->endpoint = config_want_string(c, v, "an endpoint's name");
	} else if (is(key, "deployment")) {
		k->deployment = config_want_string(c, v, "a deployment's name");
	} else if (is(key, "source")) {
		k->source = config_want_string(c, v, "the name of a source in $.sources");
	} else if (is(key, "window")) {
		config_want_duration(c, v, 1, &k->window_ms);
	} else if (is(key, "lag")) {
		config_want_duration(c, v, 0, &k->lag_ms);
	} else if (is(key, "min_samples")) {
		want_count(c, v, &k->min_samples);
	} else if (is(key, "failure_limit")) {
		want_count(c, v, &k->failure_limit);
	} else if (is(key, "on_failure")) {
		if (cJSON_IsString(v) && is(v->valuestring, "rollback"))
			k->on_failure = ON_FAILURE_ROLLBACK;
		else if (cJSON_IsString(v) && is(v->valuestring, "page"))
			k->on_failure = ON_FAILURE_PAGE;
		else
			config_problem_got(c, v, "\"rollback\" or \"page\"");
	} else if (is(key, "thresholds")) {
		read_thresholds(c, v, k);
	} else if (is(key, "query")) {
		k->query = config_want_string(c, v, "a KQL query");
	} else if (is(key, "queries")) {
		read_canary_queries(c, v, k);
	}
}

static void read_canary(struct config_check *c, const cJSON *v, struct config_canary *k)
{
	static const struct config_field fields[] = {
		{ "endpoint", read_canary_value },   { "deployment", read_canary_value },
		{ "source", read_canary_value },     { "window", read_canary_value },
		{ "lag", read_canary_value },	     { "min_samples", read_canary_value },
		{ "failure_limit", read_canary_value }, { "on_failure", read_canary_value },
		{ "thresholds", read_canary_value }, { "query", read_canary_value },
		{ "queries", read_canary_value },    { NULL, NULL },
	};
	k->window_ms = CANARY_WINDOW_MS;
	k->min_samples = 1;
	k->failure_limit = 3;
	k->on_failure = ON_FAILURE_ROLLBACK;
	if (!config_want_object(c, v))
		return;
	config_read_fields(c, v, fields, k);
	if (!has(v, "endpoint"))
		missing(c, "endpoint", "the name of the endpoint whose canary this gates");
	if (!has(v, "source"))
		missing(c, "source", "the name of a source in $.sources");
	if (!has(v, "thresholds"))
		missing(c, "thresholds", "a non-empty array of {\"class\", \"metric\", \"min\"}");
}

void config_read_canaries(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	if (!config_want_array(c, v))
		return;
	cfg->n_canaries = (size_t)cJSON_GetArraySize(v);
	cfg->canaries = xcalloc(cfg->n_canaries, sizeof *cfg->canaries);
	size_t i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		read_canary(c, e, &cfg->canaries[i]);
		jsonmsg_path_pop(&c->path, old);
	}
}

/* ---- endpoints ----------------------------------------------------------- */

/* host:port, the host maybe [an IPv6 address]. */
static bool is_host_port(const char *s)
{
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s || !colon[1] || strpbrk(s, " \t\r\n/"))
		return false;
	if (s[0] == '[' && colon[-1] != ']')
		return false;
	if (s[0] != '[' && memchr(s, ':', (size_t)(colon - s)))
		return false; /* a bare IPv6 address: the port is ambiguous */
	long port = 0;
	for (const char *p = colon + 1; *p; p++) {
		if (*p < '0' || *p > '9' || port > 65535)
			return false;
		port = port * 10 + (*p - '0');
	}
	return port >= 1 && port <= 65535;
}

static void read_servers(struct config_check *c, const cJSON *v, struct config_target *t)
{
	if (!config_want_object(c, v))
		return;
	t->servers = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *t->servers);
	for (const cJSON *s = v->child; s; s = s->next) {
		if (config_is_comment(s->string))
			continue;
		size_t old = jsonmsg_path_key(&c->path, s->string);
		if (!s->string[0]) {
			config_problem(c, "expected a deployment name as the key, got \"\"");
		} else if (!config_duplicate(c, v, s)) {
			char *server = config_want_string(c, s, "the name of the deployment's server in the backend");
			for (size_t j = 0; server && j < t->n_servers; j++) {
				if (is(t->servers[j].server, server)) {
					char qs[64], qd[64];
					quote(server, qs, sizeof qs);
					quote(t->servers[j].deployment, qd, sizeof qd);
					config_problem(c, "%s is already the server of deployment %s", qs, qd);
					free(server);
					server = NULL;
				}
			}
			if (server)
				t->servers[t->n_servers++] = (struct config_server_map){ xstrdup(s->string), server };
		}
		jsonmsg_path_pop(&c->path, old);
	}
	bool any = false;
	for (const cJSON *s = v->child; s && !any; s = s->next)
		any = !config_is_comment(s->string);
	if (!any)
		config_problem(c, "expected each deployment and its server in the backend, got an empty object");
}

/* A command target's argv template: its placeholders (core/readers/cmdtemplate.h),
 * reported at the argument that is wrong. */
static void want_template(struct config_check *c, char **argv, size_t n, bool with_split)
{
	for (size_t i = 0; i < n; i++) {
		size_t bad;
		struct error err;
		if (cmdtemplate_check((const char *const *)argv + i, 1, with_split, &bad, &err) == 0)
			continue;
		size_t old = jsonmsg_path_index(&c->path, i);
		config_problem(c, "%s", err.msg);
		jsonmsg_path_pop(&c->path, old);
	}
}

struct target_read {
	struct config_target *t;
	int type;
};

/* A command target's "env": the names of the variables its commands are
 * given even when cmdr withholds them as secrets. */
static void want_env_names(struct config_check *c, const cJSON *v, struct config_target *t)
{
	if (!config_want_array(c, v))
		return;
	free_argv(t->env, t->n_env);
	t->env = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *t->env);
	t->n_env = 0;
	size_t i = 0;
	for (const cJSON *a = v->child; a; a = a->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		char *name = config_want_env_name(c, a);
		if (name)
			t->env[t->n_env++] = name;
		jsonmsg_path_pop(&c->path, old);
	}
}

static void read_target_value(struct config_check *c, const cJSON *v, void *into)
{
	struct target_read *r = into;
	struct config_target *t = r->t;
	const char *k = v->string;
	const unsigned haproxy = BIT(TARGET_HAPROXY), azureml = BIT(TARGET_AZUREML), command = BIT(TARGET_COMMAND);
	unsigned mask = haproxy | azureml | command;
	if (is(k, "socket") || is(k, "address") || is(k, "backend") || is(k, "servers"))
		mask = haproxy;
	else if (is(k, "apply") || is(k, "read") || is(k, "env"))
		mask = command;
	else if (!is(k, "type") && !is(k, "timeout"))
		mask = azureml;
	if (!key_fits(c, r->type, mask, target_type_name, N_TARGET_TYPES, "targets"))
		return;

	if (is(k, "type")) {
		if (r->type < 0) {
			char list[96], expected[128];
			name_list(target_type_name, N_TARGET_TYPES, BIT(N_TARGET_TYPES) - 1, true, " or ", list, sizeof list);
			snprintf(expected, sizeof expected, "one of %s", list);
			config_problem_got(c, v, expected);
		}
	} else if (is(k, "timeout")) {
		config_want_duration(c, v, 1, &t->timeout_ms);
	} else if (is(k, "socket")) {
		t->socket = config_want_string(c, v, "the path of HAProxy's runtime API socket");
	} else if (is(k, "address")) {
		if (cJSON_IsString(v) && is_host_port(v->valuestring))
			t->address = xstrdup(v->valuestring);
		else
			config_problem_got(c, v, "host:port of HAProxy's runtime API (e.g. \"127.0.0.1:9999\")");
	} else if (is(k, "backend")) {
		t->backend = config_want_string(c, v, "the HAProxy backend's name");
	} else if (is(k, "servers")) {
		read_servers(c, v, t);
	} else if (is(k, "subscription")) {
		t->subscription = config_want_string(c, v, "an Azure subscription id");
	} else if (is(k, "resource_group")) {
		t->resource_group = config_want_string(c, v, "a resource group's name");
	} else if (is(k, "workspace")) {
		t->workspace = config_want_string(c, v, "an Azure ML workspace's name");
	} else if (is(k, "endpoint")) {
		t->endpoint_name = config_want_string(c, v, "the online endpoint's name in Azure ML");
	} else if (is(k, "api_version")) {
		t->api_version = config_want_string(c, v, "an ARM API version, e.g. \"" AZUREML_API_VERSION "\"");
	} else if (is(k, "arm_url")) {
		t->arm_url = config_want_url(c, v);
	} else if (is(k, "auth")) {
		read_auth(c, v, &t->auth, &owner_azureml);
	} else if (is(k, "operation_timeout")) {
		config_want_duration(c, v, 1, &t->operation_timeout_ms);
	} else if (is(k, "apply")) {
		want_argv(c, v, &t->apply, &t->n_apply);
		want_template(c, t->apply, t->n_apply, true);
	} else if (is(k, "read")) {
		want_argv(c, v, &t->read, &t->n_read);
		want_template(c, t->read, t->n_read, false);
	} else if (is(k, "env")) {
		want_env_names(c, v, t);
	}
}

static void read_target(struct config_check *c, const cJSON *v, struct config_target *t)
{
	static const struct config_field fields[] = {
		{ "type", read_target_value },	      { "timeout", read_target_value },
		{ "socket", read_target_value },	      { "address", read_target_value },
		{ "backend", read_target_value },	      { "servers", read_target_value },
		{ "subscription", read_target_value },    { "resource_group", read_target_value },
		{ "workspace", read_target_value },	      { "endpoint", read_target_value },
		{ "api_version", read_target_value },     { "arm_url", read_target_value },
		{ "auth", read_target_value },	      { "operation_timeout", read_target_value },
		{ "apply", read_target_value },	      { "read", read_target_value },
		{ "env", read_target_value },	      { NULL, NULL },
	};
	t->timeout_ms = TARGET_TIMEOUT_MS;
	if (!config_want_object(c, v))
		return;
	struct target_read r = { t, peek_type(v, target_type_name, N_TARGET_TYPES) };
	if (r.type >= 0)
		t->type = (enum target_type)r.type;
	config_read_fields(c, v, fields, &r);
	const bool has_socket = has(v, "socket");
	const bool has_address = has(v, "address");
	switch (r.type) {
	case TARGET_HAPROXY:
		if (!has_socket && !has_address)
			config_problem(c, "haproxy targets need \"socket\" (a unix socket path) or \"address\" "
					  "(host:port of the runtime API)");
		else if (has_socket && has_address)
			problem_at(c, "address", "give \"socket\" or \"address\", not both");
		if (!has(v, "backend"))
			missing(c, "backend", "the HAProxy backend's name");
		if (!has(v, "servers"))
			missing(c, "servers", "an object mapping each deployment to its server in the backend");
		break;
	case TARGET_AZUREML:
		if (!has(v, "subscription"))
			missing(c, "subscription", "an Azure subscription id");
		if (!has(v, "resource_group"))
			missing(c, "resource_group", "a resource group's name");
		if (!has(v, "workspace"))
			missing(c, "workspace", "an Azure ML workspace's name");
		if (!t->api_version)
			t->api_version = xstrdup(AZUREML_API_VERSION);
		if (!t->arm_url)
			t->arm_url = xstrdup(ARM_URL);
		if (!t->operation_timeout_ms)
			t->operation_timeout_ms = AZUREML_OPERATION_TIMEOUT_MS;
		break;
	case TARGET_COMMAND:
		if (!has(v, "apply"))
			missing(c, "apply", "the command that sets the traffic split, as an array of strings");
		break;
	default:
		if (!has(v, "type"))
			missing(c, "type", "\"haproxy\", \"azureml\" or \"command\"");
	}
}

struct endpoint_read {
	struct config *cfg;
	size_t at;
};

static void read_endpoint_value(struct config_check *c, const cJSON *v, void *into)
{
	struct endpoint_read *r = into;
	struct config_endpoint *ep = &r->cfg->endpoints[r->at];
	if (is(v->string, "name")) {
		ep->name = want_unique_name(c, v, "endpoint", "endpoints", endpoint_name_at, r->cfg, r->at);
	} else if (is(v->string, "target")) {
		ep->has_target = true;
		read_target(c, v, &ep->target);
	}
}

void config_read_endpoints(struct config_check *c, const cJSON *v, void *into)
{
	static const struct config_field fields[] = {
		{ "name", read_endpoint_value },
		{ "target", read_endpoint_value },
		{ NULL, NULL },
	};
	struct config *cfg = into;
	if (!config_want_array(c, v))
		return;
	cfg->n_endpoints = (size_t)cJSON_GetArraySize(v);
	cfg->endpoints = xcalloc(cfg->n_endpoints, sizeof *cfg->endpoints);
	size_t i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		struct config_endpoint *ep = &cfg->endpoints[i];
		if (config_want_object(c, e)) {
			struct endpoint_read r = { cfg, i };
			config_read_fields(c, e, fields, &r);
			if (!has(e, "name"))
				missing(c, "name", "the endpoint's name");
			if (ep->has_target && ep->target.type == TARGET_AZUREML && !ep->target.endpoint_name &&
			    ep->name)
				ep->target.endpoint_name = xstrdup(ep->name);
		}
		jsonmsg_path_pop(&c->path, old);
	}
}

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
	return cJSON_IsObject(s) ? peek_type(s, source_type_name, N_SOURCE_TYPES) : -1;
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
		while (d != e && !(name && entry_name(d, keys) && is(entry_name(d, keys), name)))
			d = d->next;
		if (!name || d != e)
			continue;
		char q[64];
		size_t len = strlen(buf);
		quote(name, q, sizeof q);
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
		quote(name, q, sizeof q);
		problem_at(c, "source", "expected a source named in $.sources %s, got %s", names, q);
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
		if (cJSON_IsString(nm) && is(nm->valuestring, name))
			return;
	}
	char names[200], q[64];
	section_names(endpoints, false, names, sizeof names);
	quote(name, q, sizeof q);
	problem_at(c, "endpoint", "expected an endpoint named in $.endpoints %s, got %s", names, q);
}

static const char *article(int source_type)
{
	return source_type == SOURCE_APP_INSIGHTS ? "an" : "a";
}

/* "$.slos[0].query: not for a prometheus source ("prom" takes ...)" */
static void wrong_kind(struct config_check *c, const char *key, int type, const char *source, const char *takes)
{
	char q[64];
	quote(source, q, sizeof q);
	problem_at(c, key, "not for %s %s source (%s takes %s)", article(type), source_type_name[type], q, takes);
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
	quote(slo->source, q, sizeof q);
	if (type == SOURCE_PROMETHEUS) {
		if (has(json, "query"))
			wrong_kind(c, "query", type, slo->source, SLO_PROMQL);
		if (!has(json, "total_query"))
			problem_at(c, "total_query", "required key missing (source %s is prometheus: " SLO_PROMQL ")", q);
		if (!has(json, "error_query") && !has(json, "good_query"))
			config_problem(c, "required key missing: error_query or good_query (source %s is prometheus)",
				       q);
		else if (has(json, "error_query") && has(json, "good_query"))
			problem_at(c, "good_query", "give error_query or good_query, not both");
		return;
	}
	static const char *const promql[] = { "total_query", "error_query", "good_query" };
	for (size_t i = 0; i < 3; i++)
		if (has(json, promql[i]))
			wrong_kind(c, promql[i], type, slo->source, SLO_KQL);
	if (!has(json, "query"))
		problem_at(c, "query",
			   "required key missing (source %s is %s: a KQL query giving columns total and bad or good)",
			   q, source_type_name[type]);
}

static bool canary_has_metric(const struct config_canary *k, const char *metric)
{
	for (size_t i = 0; i < k->n_thresholds; i++)
		if (is(k->thresholds[i].metric, metric))
			return true;
	return false;
}

/* Whether threshold i is the first to name its metric. */
static bool first_metric(const struct config_canary *k, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (is(k->thresholds[j].metric, k->thresholds[i].metric))
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
			quote(k->thresholds[i].metric, q, sizeof q);
			snprintf(metrics + len, sizeof metrics - len, "%s%s", len ? ", " : "", q);
		}
	}
	size_t old = jsonmsg_path_key(&c->path, "queries");
	for (const cJSON *q = queries->child; q; q = q->next) {
		if (config_is_comment(q->string) || !q->string[0] || is(q->string, "n") ||
		    canary_has_metric(k, q->string))
			continue;
		size_t o = jsonmsg_path_key(&c->path, q->string);
		config_problem(c, "not a column of the result (expected \"n\" or a metric named in thresholds: %s)",
			       metrics);
		jsonmsg_path_pop(&c->path, o);
	}
	if (!has(queries, "n"))
		config_problem(c, "no query for column \"n\" (the samples per class in the window)");
	for (size_t i = 0; i < k->n_thresholds; i++) {
		const char *m = k->thresholds[i].metric;
		if (first_metric(k, i) && !has(queries, m)) {
			char q[64];
			quote(m, q, sizeof q);
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
	quote(k->source, q, sizeof q);
	if (type == SOURCE_PROMETHEUS) {
		if (has(json, "query"))
			wrong_kind(c, "query", type, k->source, "\"queries\": a PromQL query per column");
		if (!has(json, "queries"))
			problem_at(c, "queries",
				   "required key missing (source %s is prometheus: a PromQL query per column, "
				   "\"n\" and each metric)",
				   q);
		else
			check_canary_columns(c, k, json);
		return;
	}
	if (has(json, "queries"))
		wrong_kind(c, "queries", type, k->source, "a KQL \"query\"");
	if (!has(json, "query"))
		problem_at(c, "query",
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
		free_argv(t->apply, t->n_apply);
		free_argv(t->read, t->n_read);
		free_argv(t->env, t->n_env);
	}
	free(cfg->endpoints);
}

/* ---- secrets --------------------------------------------------------------- */

/* What is left of a secret once trailing line ends are dropped, checked:
 * a control character inside it would break the header or form it goes
 * into. Wipes and frees it when refused. The message names the file or
 * variable, never the value. */
static char *secret_finish(char *buf, size_t len, const char *file, const char *env, const char *where,
			   struct error *err)
{
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	bool control = false;
	for (size_t i = 0; i < len; i++)
		control |= (unsigned char)buf[i] < 0x20 || buf[i] == 0x7f;
	if (len > 0 && !control) {
		/* From now on a service that echoes it back cannot get it
		 * onto the screen, the journal or stderr. */
		redact_add_secret(buf);
		return buf;
	}
	explicit_bzero(buf, len);
	free(buf);
	const char *why = control ? "holds a line break or another control character (a secret is one line)"
				  : file ? "empty" : "is empty";
	if (file)
		error_set(err, "%s: %s (%s)", file, why, where);
	else
		error_set(err, "$%s %s (%s)", env, why, where);
	return NULL;
}

static char *secret_from_file(const char *path, const char *where, struct error *err)
{
	/* O_NONBLOCK: a FIFO in its place must not hang the console. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		error_set(err, "%s: cannot read: %s (%s)", path, strerror(errno), where);
		return NULL;
	}
	struct stat st;
	const char *why = NULL;
	if (fstat(fd, &st) != 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_size > SECRET_MAX_BYTES)
		why = "over 64 KiB, too large for a secret";
	if (why) {
		error_set(err, "%s: %s (%s)", path, why, where);
		close(fd);
		return NULL;
	}
	/* Refused before a byte of it is read. */
	if (st.st_mode & 077) {
		error_set(err, "%s: %s group or others; run chmod 600 %s (%s)", path,
			  st.st_mode & 044 ? "readable by" : "open to", path, where);
		close(fd);
		return NULL;
	}
	char *buf = xmalloc(SECRET_MAX_BYTES + 2);
	size_t len = 0;
	int e = 0;
	while (len <= SECRET_MAX_BYTES) {
		ssize_t got = read(fd, buf + len, SECRET_MAX_BYTES + 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			e = got < 0 ? errno : 0;
			break;
		}
		len += (size_t)got;
	}
	close(fd);
	if (e || len > SECRET_MAX_BYTES) {
		explicit_bzero(buf, len);
		free(buf);
		if (e)
			error_set(err, "%s: cannot read: %s (%s)", path, strerror(e), where);
		else
			error_set(err, "%s: over 64 KiB, too large for a secret (%s)", path, where);
		return NULL;
	}
	return secret_finish(buf, len, path, NULL, where, err);
}

char *config_secret_read(const struct config_secret *s, const char *where, struct error *err)
{
	if (s->file)
		return secret_from_file(s->file, where, err);
	if (!s->env) {
		error_set(err, "no secret is configured (%s)", where);
		return NULL;
	}
	const char *value = getenv(s->env);
	if (!value) {
		error_set(err, "$%s is not set (%s)", s->env, where);
		return NULL;
	}
	return secret_finish(xstrdup(value), strlen(value), NULL, s->env, where, err);
}
