/* The config's "notify" section: PagerDuty, Slack and Teams, each with its
 * secret (routing key, webhook URL) named by a _file or _env key, never
 * written in the config; and where a drill's notifications go. */
#include <stdio.h>

#include "config_live_impl.h"

/* A service given is on, and needs its secret from one place. */
static void check_service(struct config_check *c, const cJSON *obj, void *base, const char *secret,
			  const char *what)
{
	struct config_notify_service *svc = base;
	char file_key[32], env_key[32];
	snprintf(file_key, sizeof file_key, "%s_file", secret);
	snprintf(env_key, sizeof env_key, "%s_env", secret);
	svc->on = true;
	bool has_file = config_has(obj, file_key), has_env = config_has(obj, env_key);
	if (!has_file && !has_env)
		config_problem(c, "required key missing: \"%s\" or \"%s\" (where the %s is kept)", file_key, env_key,
			       what);
	else if (has_file && has_env)
		config_problem(c, "give \"%s\" or \"%s\", not both", file_key, env_key);
}

static void check_pagerduty(struct config_check *c, const cJSON *obj, void *base)
{
	check_service(c, obj, base, "routing_key", "routing key");
}

static void check_webhook(struct config_check *c, const cJSON *obj, void *base)
{
	check_service(c, obj, base, "webhook", "webhook URL");
}

#define SVC(field) offsetof(struct config_notify_service, field)
#define TIMEOUT { "timeout", CONFIG_DURATION, SVC(timeout_ms), .range.lo = 1, .def = "10s", .doc = "per request" }

static const struct config_key pagerduty_keys[] = {
	{ "routing_key", CONFIG_SECRET, SVC(secret), .doc = "the Events API v2 routing key" },
	TIMEOUT,
	{ "url", CONFIG_URL, SVC(url), .def = "https://events.pagerduty.com", .doc = "the API's base URL" },
	{ 0 },
};

static const struct config_key webhook_keys[] = {
	{ "webhook", CONFIG_SECRET, SVC(secret), .doc = "the incoming webhook's URL, a secret" },
	TIMEOUT,
	{ 0 },
};

static const struct config_table pagerduty_table = { .keys = pagerduty_keys, .check = check_pagerduty };
static const struct config_table webhook_table = { .keys = webhook_keys, .check = check_webhook };

#define NOTIFY(field) offsetof(struct config_notify, field)

static const struct config_key notify_keys[] = {
	{ "pagerduty", CONFIG_OBJECT, NOTIFY(pagerduty), .table = &pagerduty_table,
	  .doc = "PagerDuty's Events API v2 and Change Events" },
	{ "slack", CONFIG_OBJECT, NOTIFY(slack), .table = &webhook_table, .doc = "a Slack incoming webhook" },
	{ "teams", CONFIG_OBJECT, NOTIFY(teams), .table = &webhook_table, .doc = "a Microsoft Teams Workflows webhook" },
	{ "source", CONFIG_STRING, NOTIFY(source), .expected = "the name PagerDuty shows as the event's source",
	  .doc = "PagerDuty's event source (default: cmdr)" },
	{ "drill_sink", CONFIG_STRING, NOTIFY(drill_sink), .expected = "a file path (a drill's notifications go there)",
	  .doc = "where a drill's notifications go (default: DIR/notifications.jsonl)" },
	{ 0 },
};

const struct config_table config_notify_table = { .keys = notify_keys };
