/* The config's sources: a metrics engine each (Prometheus, Log Analytics,
 * Application Insights), how to reach it, its headers and its auth. */
#include "config.h"
#include "config_live_impl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alert.h"
#include "timefmt.h"
#include "xalloc.h"

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

static void read_headers(struct config_check *c, const cJSON *v, void *value)
{
	struct config_source *s = value;
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
			config_quote(c, h->string, q, sizeof q);
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

static void free_headers(void *value)
{
	struct config_source *s = value;
	config_free_pairs(s->headers, s->n_headers);
}

static void read_source_auth(struct config_check *c, const cJSON *v, void *value)
{
	config_read_auth(c, v, value, c->type < 0 ? &owner_unknown : &owner_source[c->type]);
}

/* Each matcher of an alertmanager filter, judged now rather than by the
 * server at the first refresh. */
static void check_filter(struct config_check *c, const cJSON *filter)
{
	size_t old = jsonmsg_path_key(&c->path, "filter"), i = 0;
	for (const cJSON *f = cJSON_IsArray(filter) ? filter->child : NULL; f; f = f->next, i++) {
		struct alert_matcher m;
		struct error err;
		size_t o = jsonmsg_path_index(&c->path, i);
		if (cJSON_IsString(f) && alert_matcher_parse(f->valuestring, &m, &err) != 0)
			config_problem(c, "%s", err.msg);
		else if (cJSON_IsString(f))
			alert_matcher_free(&m);
		jsonmsg_path_pop(&c->path, o);
	}
	jsonmsg_path_pop(&c->path, old);
}

/* "discover": ["sloth", "pyrra"] (bits DISCOVER_SLOTH, DISCOVER_PYRRA); []
 * finds none. */
static void read_discover(struct config_check *c, const cJSON *v, void *value)
{
	static const char *const kinds[] = { "sloth", "pyrra" };
	*(unsigned *)value = config_want_flags(c, v, kinds, 2, "\"sloth\" or \"pyrra\"");
}

/* The Azure APIs have one address each; a Prometheus has the user's, and
 * finds the SLOs of its rules unless told otherwise. */
static void check_source(struct config_check *c, const cJSON *obj, void *base)
{
	struct config_source *s = base;
	if (c->type == SOURCE_PROMETHEUS && !config_has(obj, "discover"))
		s->discover = DISCOVER_SLOTH | DISCOVER_PYRRA;
	if (c->type == SOURCE_LOG_ANALYTICS && !config_has(obj, "url"))
		s->url = xstrdup(LOG_ANALYTICS_URL);
	if (c->type == SOURCE_APP_INSIGHTS && !config_has(obj, "url"))
		s->url = xstrdup(APP_INSIGHTS_URL);
	check_filter(c, cJSON_GetObjectItemCaseSensitive(obj, "filter"));
}

const char *const source_type_name[] = { "prometheus", "log_analytics", "app_insights", "alertmanager" };

#define SRC(field) offsetof(struct config_source, field)

static const struct config_key source_keys[] = {
	{ "type", CONFIG_ENUM, SRC(type), .names = source_type_name, .n_names = N_SOURCE_TYPES,
	  .required = CONFIG_ALWAYS,
	  .doc = "prometheus, log_analytics (Azure Monitor Logs), app_insights (Application Insights) or "
		 "alertmanager (alerts and silences, API v2)" },
	{ "url", CONFIG_URL, SRC(url), .required = BIT(SOURCE_PROMETHEUS) | BIT(SOURCE_ALERTMANAGER),
	  .missing = "the API's base URL, e.g. \"http://prometheus:9090\" or \"http://alertmanager:9093\"",
	  .doc = "the API's base URL (default for the Azure types: " LOG_ANALYTICS_URL " or " APP_INSIGHTS_URL ")" },
	{ "workspace", CONFIG_STRING, SRC(workspace), .types = BIT(SOURCE_LOG_ANALYTICS),
	  .required = BIT(SOURCE_LOG_ANALYTICS), .expected = "a Log Analytics workspace id", .doc = "the workspace" },
	{ "app", CONFIG_STRING, SRC(app), .types = BIT(SOURCE_APP_INSIGHTS), .required = BIT(SOURCE_APP_INSIGHTS),
	  .expected = "an Application Insights app id", .doc = "the app" },
	{ "discover", CONFIG_CUSTOM, SRC(discover), .types = BIT(SOURCE_PROMETHEUS), .read = read_discover,
	  .expected = "an array of \"sloth\" and \"pyrra\"", .doc = "the SLOs to find from the recording rules of Sloth and Pyrra in this Prometheus, shown beside the "
		 "configured ones (default: [\"sloth\", \"pyrra\"]); []: none" },
	{ "discover_every", CONFIG_DURATION, SRC(discover_every_ms), .types = BIT(SOURCE_PROMETHEUS),
	  .range.lo = MS_PER_S, .def = "5m", .doc = "how often to look for new or changed SLOs" },
	{ "filter", CONFIG_STRINGS, SRC(filter), .count_at = SRC(n_filter), .types = BIT(SOURCE_ALERTMANAGER),
	  .expected = "a label matcher such as \"service=\\\"chat\\\"\"",
	  .doc = "the incident's alerts: matchers (name=\"v\", !=, =~, !~), all of which an alert matches" },
	{ "auth", CONFIG_OBJECT, SRC(auth), .read = read_source_auth, .table = &config_auth_table,
	  .doc = "how to authenticate: none, bearer or basic for prometheus and alertmanager; none, api_key (app_insights) or an "
		 "Azure type for the others" },
	{ "headers", CONFIG_CUSTOM, 0, .read = read_headers, .free = free_headers,
	  .expected = "an object of header names to values",
	  .doc = "extra request headers (X-Scope-OrgID); never credentials" },
	{ "timeout", CONFIG_DURATION, SRC(timeout_ms), .range.lo = 1, .def = "10s", .doc = "per request" },
	{ "refresh", CONFIG_DURATION, SRC(refresh_ms), .range.lo = MS_PER_S, .def = "30s",
	  .doc = "how often to query" },
	{ "ca_file", CONFIG_STRING, SRC(ca_file), .expected = "a file path (PEM certificates)",
	  .doc = "the CAs to trust instead of the system's" },
	{ "tls_verify", CONFIG_BOOL, SRC(tls_verify), .def = "true", .doc = "whether to verify TLS" },
	{ "max_bytes", CONFIG_LONG, SRC(max_bytes), .range = { 1, 9007199254740992.0, .whole = true },
	  .def = "8388608", .expected = "a whole number of bytes above zero", .doc = "the largest response read" },
	{ "window_cadence", CONFIG_LONG, SRC(window_cadence), .range = { 0, 1e6, .whole = true }, .def = "60",
	  .expected = "a whole number from 0 to 1000000",
	  .doc = "N: an SLO window over 5m is read every window/N (a 3d one every 72m), or every refresh if that is longer; "
		 "0: every window every refresh" },
	{ "batch", CONFIG_BOOL, SRC(batch), .types = BIT(SOURCE_PROMETHEUS), .def = "true",
	  .doc = "one query per window for the SLOs whose queries differ only in one label's value; false: a query "
		 "per SLO" },
	{ 0 },
};

const struct config_table config_source_table = {
	.keys = source_keys, .types = source_type_name, .n_types = N_SOURCE_TYPES, .what = "sources",
	.check = check_source,
};

bool config_discovers(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_sources; i++)
		if (cfg->sources[i].type == SOURCE_PROMETHEUS && cfg->sources[i].discover)
			return true;
	return false;
}

const struct config_source *config_find_source(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_sources; i++)
		if (config_key_is(cfg->sources[i].name, name))
			return &cfg->sources[i];
	return NULL;
}
