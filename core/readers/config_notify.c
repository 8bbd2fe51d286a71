/* The config's "notify" section: PagerDuty, Slack and Teams, each with its
 * secret (routing key, webhook URL) named by a _file or _env key, never
 * written in the config; and where a drill's notifications go. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_check.h"
#include "xalloc.h"

#define NOTIFY_TIMEOUT_MS 10000

struct service_read {
	struct config_notify_service *svc;
	const char *secret; /* the secret's bare name: "routing_key", "webhook" */
};

static void read_service_value(struct config_check *c, const cJSON *v, void *into)
{
	struct service_read *r = into;
	const char *k = v->string;
	size_t n = strlen(r->secret);
	if (strncmp(k, r->secret, n) == 0 && strcmp(k + n, "_file") == 0) {
		free(r->svc->secret.file);
		r->svc->secret.file = config_want_string(c, v, "a file path");
	} else if (strncmp(k, r->secret, n) == 0 && strcmp(k + n, "_env") == 0) {
		free(r->svc->secret.env);
		r->svc->secret.env = config_want_env_name(c, v);
	} else if (strcmp(k, "url") == 0) {
		free(r->svc->url);
		r->svc->url = config_want_url(c, v);
	} else if (strcmp(k, "timeout") == 0) {
		config_want_duration(c, v, 1, &r->svc->timeout_ms);
	} else {
		config_problem(c, "secrets are never written in the config: give \"%s_file\" (a file only you can "
				  "read) or \"%s_env\" (an environment variable)",
			       r->secret, r->secret);
	}
}

static void read_service(struct config_check *c, const cJSON *v, struct config_notify_service *svc,
			 const char *secret, bool has_url)
{
	char file_key[32], env_key[32], bare[32];
	snprintf(file_key, sizeof file_key, "%s_file", secret);
	snprintf(env_key, sizeof env_key, "%s_env", secret);
	snprintf(bare, sizeof bare, "!%s", secret);
	struct config_field fields[] = {
		{ file_key, read_service_value },
		{ env_key, read_service_value },
		{ "timeout", read_service_value },
		{ bare, read_service_value },
		{ NULL, NULL },
		{ NULL, NULL },
	};
	if (has_url)
		fields[4] = (struct config_field){ "url", read_service_value };
	struct service_read r = { svc, secret };
	svc->on = true;
	svc->timeout_ms = NOTIFY_TIMEOUT_MS;
	if (!config_want_object(c, v))
		return;
	config_read_fields(c, v, fields, &r);
	bool has_file = cJSON_HasObjectItem(v, file_key), has_env = cJSON_HasObjectItem(v, env_key);
	if (!has_file && !has_env)
		config_problem(c, "required key missing: \"%s\" or \"%s\" (where the %s is kept)", file_key, env_key,
			       strcmp(secret, "webhook") == 0 ? "webhook URL" : "routing key");
	else if (has_file && has_env)
		config_problem(c, "give \"%s\" or \"%s\", not both", file_key, env_key);
}

static void read_pagerduty(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	read_service(c, v, &cfg->notify.pagerduty, "routing_key", true);
	if (!cfg->notify.pagerduty.url)
		cfg->notify.pagerduty.url = xstrdup("https://events.pagerduty.com");
}

static void read_slack(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	read_service(c, v, &cfg->notify.slack, "webhook", false);
}

static void read_teams(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	read_service(c, v, &cfg->notify.teams, "webhook", false);
}

static void read_source(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	free(cfg->notify.source);
	cfg->notify.source = config_want_string(c, v, "the name PagerDuty shows as the event's source");
}

static void read_drill_sink(struct config_check *c, const cJSON *v, void *into)
{
	struct config *cfg = into;
	free(cfg->notify.drill_sink);
	cfg->notify.drill_sink = config_want_string(c, v, "a file path (a drill's notifications go there)");
}

void config_read_notify(struct config_check *c, const cJSON *v, void *into)
{
	static const struct config_field fields[] = {
		{ "pagerduty", read_pagerduty },   { "slack", read_slack },
		{ "teams", read_teams },	   { "source", read_source },
		{ "drill_sink", read_drill_sink }, { NULL, NULL },
	};
	if (config_want_object(c, v))
		config_read_fields(c, v, fields, into);
}

static void service_free(struct config_notify_service *s)
{
	free(s->secret.file);
	free(s->secret.env);
	free(s->url);
}

void config_free_notify(struct config *cfg)
{
	service_free(&cfg->notify.pagerduty);
	service_free(&cfg->notify.slack);
	service_free(&cfg->notify.teams);
	free(cfg->notify.source);
	free(cfg->notify.drill_sink);
	memset(&cfg->notify, 0, sizeof cfg->notify);
}
