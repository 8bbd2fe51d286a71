/* The config's sources: a metrics engine each (Prometheus, Log Analytics,
 * Application Insights), how to reach it, its headers and its auth. */
#include "config.h"
#include "config_live_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "timefmt.h"
#include "xalloc.h"

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
			config_quote(h->string, q, sizeof q);
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
	if (config_key_is(k, "type")) {
		if (sr->type < 0) {
			char list[96], expected[128];
			config_name_list(source_type_name, N_SOURCE_TYPES, BIT(N_SOURCE_TYPES) - 1, true, " or ", list, sizeof list);
			snprintf(expected, sizeof expected, "one of %s", list);
			config_problem_got(c, v, expected);
		}
	} else if (config_key_is(k, "url")) {
		s->url = config_want_url(c, v);
	} else if (config_key_is(k, "workspace")) {
		if (config_key_fits(c, sr->type, BIT(SOURCE_LOG_ANALYTICS), source_type_name, N_SOURCE_TYPES, "sources"))
			s->workspace = config_want_string(c, v, "a Log Analytics workspace id");
	} else if (config_key_is(k, "app")) {
		if (config_key_fits(c, sr->type, BIT(SOURCE_APP_INSIGHTS), source_type_name, N_SOURCE_TYPES, "sources"))
			s->app = config_want_string(c, v, "an Application Insights app id");
	} else if (config_key_is(k, "auth")) {
		config_read_auth(c, v, &s->auth, sr->type < 0 ? &owner_unknown : &owner_source[sr->type]);
	} else if (config_key_is(k, "headers")) {
		read_headers(c, v, s);
	} else if (config_key_is(k, "timeout")) {
		config_want_duration(c, v, 1, &s->timeout_ms);
	} else if (config_key_is(k, "refresh")) {
		config_want_duration(c, v, SOURCE_MIN_REFRESH_MS, &s->refresh_ms);
	} else if (config_key_is(k, "ca_file")) {
		s->ca_file = config_want_string(c, v, "a file path (PEM certificates)");
	} else if (config_key_is(k, "tls_verify")) {
		config_want_bool(c, v, &s->tls_verify);
	} else if (config_key_is(k, "max_bytes")) {
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
	struct source_read sr = { s, config_peek_type(v, source_type_name, N_SOURCE_TYPES) };
	if (sr.type >= 0)
		s->type = (enum source_type)sr.type;
	config_read_fields(c, v, fields, &sr);
	if (!config_has(v, "type"))
		config_missing(c, "type", "\"prometheus\", \"log_analytics\" or \"app_insights\"");
	const bool has_url = config_has(v, "url");
	if (sr.type == SOURCE_PROMETHEUS && !has_url)
		config_missing(c, "url", "the Prometheus API's base URL, e.g. \"http://prometheus:9090\"");
	if (sr.type == SOURCE_LOG_ANALYTICS && !config_has(v, "workspace"))
		config_missing(c, "workspace", "a Log Analytics workspace id");
	if (sr.type == SOURCE_APP_INSIGHTS && !config_has(v, "app"))
		config_missing(c, "app", "an Application Insights app id");
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
		if (config_key_is(cfg->sources[i].name, name))
			return &cfg->sources[i];
	return NULL;
}
