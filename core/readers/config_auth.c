/* The config's "auth" objects, for sources and targets alike: each key
 * once, with the auth types it belongs to; which types an owner may have
 * and the resource its Azure tokens are for. */
#include "config.h"
#include "config_live_impl.h"

#include <stdio.h>
#include <string.h>

#include "xalloc.h"

const char *const auth_type_name[] = { "none",	    "bearer",		  "basic",	       "api_key",
				       "azure_cli", "client_credentials", "managed_identity" };

const struct auth_owner owner_unknown = { BIT(N_AUTH_TYPES) - 1, NULL, NULL };
const struct auth_owner owner_source[N_SOURCE_TYPES] = {
	[SOURCE_PROMETHEUS] = { BIT(AUTH_NONE) | BIT(AUTH_BEARER) | BIT(AUTH_BASIC), "prometheus sources", NULL },
	[SOURCE_LOG_ANALYTICS] = { BIT(AUTH_NONE) | AUTH_AZURE, "log_analytics sources", LOG_ANALYTICS_URL },
	[SOURCE_APP_INSIGHTS] = { BIT(AUTH_NONE) | BIT(AUTH_API_KEY) | AUTH_AZURE, "app_insights sources",
				  APP_INSIGHTS_URL },
	[SOURCE_ALERTMANAGER] = { BIT(AUTH_NONE) | BIT(AUTH_BEARER) | BIT(AUTH_BASIC), "alertmanager sources", NULL },
};
const struct auth_owner owner_azureml = { BIT(AUTH_NONE) | BIT(AUTH_BEARER) | AUTH_AZURE, "azureml targets",
					  ARM_URL };

/* A type its owner may have (c->ctx is the owner). */
static void read_auth_type(struct config_check *c, const cJSON *v, void *value)
{
	const struct auth_owner *owner = c->ctx;
	int t = config_lookup(v, auth_type_name, N_AUTH_TYPES);
	char list[160], expected[256];
	if (t < 0) {
		config_name_list(auth_type_name, N_AUTH_TYPES, BIT(N_AUTH_TYPES) - 1, true, " or ", list, sizeof list);
		snprintf(expected, sizeof expected, "one of %s", list);
		config_problem_got(c, v, expected);
	} else if (!(owner->types & BIT(t))) {
		config_name_list(auth_type_name, N_AUTH_TYPES, owner->types, true, " or ", list, sizeof list);
		snprintf(expected, sizeof expected, "an auth type for %s (%s)", owner->what, list);
		config_problem_got(c, v, expected);
	} else {
		*(enum auth_type *)value = (enum auth_type)t;
	}
}

#define AUTH(field) offsetof(struct config_auth, field)

static const struct config_key auth_keys[] = {
	{ "type", CONFIG_CUSTOM, AUTH(type), .read = read_auth_type, .expected = "string",
	  .doc = "none (the default), bearer, basic, api_key, azure_cli, client_credentials or managed_identity, as "
		 "the owner allows" },
	{ "user", CONFIG_STRING, AUTH(user), .types = BIT(AUTH_BASIC), .required = BIT(AUTH_BASIC),
	  .expected = "a user name", .missing = "a user name for basic auth", .doc = "the user" },
	{ "token", CONFIG_SECRET, AUTH(secret), .types = BIT(AUTH_BEARER), .doc = "the bearer token" },
	{ "password", CONFIG_SECRET, AUTH(secret), .types = BIT(AUTH_BASIC), .doc = "the password" },
	{ "key", CONFIG_SECRET, AUTH(secret), .types = BIT(AUTH_API_KEY), .doc = "Application Insights' x-api-key" },
	{ "client_secret", CONFIG_SECRET, AUTH(secret), .types = BIT(AUTH_CLIENT_CREDENTIALS),
	  .doc = "the application's client secret" },
	{ "tenant", CONFIG_STRING, AUTH(tenant), .types = BIT(AUTH_CLIENT_CREDENTIALS),
	  .required = BIT(AUTH_CLIENT_CREDENTIALS), .expected = "a tenant id",
	  .missing = "the Azure tenant id for client_credentials auth", .doc = "the Entra ID tenant" },
	{ "client_id", CONFIG_STRING, AUTH(client_id), .types = BIT(AUTH_CLIENT_CREDENTIALS) | BIT(AUTH_MANAGED_IDENTITY),
	  .required = BIT(AUTH_CLIENT_CREDENTIALS), .expected = "a client id",
	  .missing = "the application's client id for client_credentials auth",
	  .doc = "the application; for managed_identity, a user-assigned identity" },
	{ "audience", CONFIG_STRING, AUTH(audience), .types = AUTH_AZURE,
	  .expected = "the resource the token is for, e.g. \"" ARM_URL "\"",
	  .doc = "the resource the token is for (default: the API's own URL)" },
	{ "authority", CONFIG_URL, AUTH(authority), .types = BIT(AUTH_CLIENT_CREDENTIALS), .def = AZURE_AUTHORITY,
	  .doc = "where the token is asked for" },
	{ "imds", CONFIG_URL, AUTH(imds), .types = BIT(AUTH_MANAGED_IDENTITY), .def = AZURE_IMDS,
	  .doc = "the instance metadata service" },
	{ "command", CONFIG_ARGV, AUTH(command), .count_at = AUTH(n_command), .types = BIT(AUTH_AZURE_CLI),
	  .doc = "the command that prints the token (default: az account get-access-token --resource AUDIENCE "
		 "--output json)" },
	{ 0 },
};

/* What the keys cannot say: the type the owner allows, the one secret the
 * type needs (from a file or a variable, not both), and the audience,
 * which is the owner's. */
static void check_auth(struct config_check *c, const cJSON *obj, void *base)
{
	struct config_auth *a = base;
	const struct auth_owner *owner = c->ctx;
	char list[160], expected[256];
	if (!config_has(obj, "type")) {
		config_name_list(auth_type_name, N_AUTH_TYPES, owner->types, true, " or ", list, sizeof list);
		snprintf(expected, sizeof expected, "one of %s", list);
		config_missing(c, "type", expected);
	}
	if (c->type < 0)
		return;
	const struct config_key *secret = auth_keys;
	while (secret->name && !(secret->type == CONFIG_SECRET && (secret->types & BIT(c->type))))
		secret++;
	if (secret->name) {
		const char *s = secret->name;
		char file_key[40], env_key[40];
		snprintf(file_key, sizeof file_key, "%s_file", s);
		snprintf(env_key, sizeof env_key, "%s_env", s);
		const bool has_file = config_has(obj, file_key), has_env = config_has(obj, env_key);
		if (!has_file && !has_env)
			config_problem(c, "%s auth needs \"%s_file\" or \"%s_env\" (the %s is read from that file or "
					  "variable, never written here)",
				       auth_type_name[c->type], s, s, s);
		else if (has_file && has_env)
			config_problem_at(c, env_key, "give \"%s_file\" or \"%s_env\", not both", s, s);
	}
	if ((AUTH_AZURE & BIT(c->type)) && !a->audience && owner->audience)
		a->audience = xstrdup(owner->audience);
}

const struct config_table config_auth_table = {
	.keys = auth_keys, .types = auth_type_name, .n_types = N_AUTH_TYPES, .what = "auth", .check = check_auth,
};

void config_read_auth(struct config_check *c, const cJSON *v, struct config_auth *a, const struct auth_owner *owner)
{
	void *ctx = c->ctx;
	int type = config_peek_type(v, &config_auth_table);
	c->ctx = (void *)owner;
	config_read_typed(c, v, &config_auth_table, a, type >= 0 && (owner->types & BIT(type)) ? type : -1);
	c->ctx = ctx;
}
