/* The config's endpoints and the targets that move their traffic:
 * HAProxy, Azure ML, or commands of the user's. */
#include "config.h"
#include "config_live_impl.h"

#include <stdlib.h>
#include <string.h>

#include "cmdtemplate.h"
#include "xalloc.h"

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

#define HOST_PORT "host:port of HAProxy's runtime API (e.g. \"127.0.0.1:9999\")"

static void check_address(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	const struct config_target *t = base;
	if (!is_host_port(t->address))
		config_problem_got(c, config_value_of(key, obj), HOST_PORT);
}

static void read_server(struct config_check *c, const cJSON *s, void *into)
{
	struct config_target *t = into;
	char *server = config_want_string(c, s, "the name of the deployment's server in the backend");
	for (size_t j = 0; server && j < t->n_servers; j++) {
		if (config_key_is(t->servers[j].server, server)) {
			char qs[64], qd[64];
			config_quote(c, server, qs, sizeof qs);
			config_quote(c, t->servers[j].deployment, qd, sizeof qd);
			config_problem(c, "%s is already the server of deployment %s", qs, qd);
			free(server);
			server = NULL;
		}
	}
	if (server)
		t->servers[t->n_servers++] = (struct config_server_map){ xstrdup(s->string), server };
}

static void read_servers(struct config_check *c, const cJSON *v, void *value)
{
	struct config_target *t = value;
	if (!config_want_object(c, v))
		return;
	t->servers = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *t->servers);
	config_each_key(c, v, "a deployment name", read_server, t);
	bool any = false;
	for (const cJSON *s = v->child; s && !any; s = s->next)
		any = !config_is_comment(s->string);
	if (!any)
		config_problem(c, "expected each deployment and its server in the backend, got an empty object");
}

static void free_servers(void *value)
{
	struct config_target *t = value;
	config_free_pairs(t->servers, t->n_servers);
}

/* A command target's argv template: its placeholders (core/readers/cmdtemplate.h),
 * reported at the argument that is wrong; only "apply" sets a split. */
static void check_template(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	(void)obj;
	char **argv = *(char ***)((char *)base + key->at);
	size_t n = *(size_t *)((char *)base + key->count_at);
	for (size_t i = 0; i < n; i++) {
		size_t bad;
		struct error err;
		if (cmdtemplate_check((const char *const *)argv + i, 1, config_key_is(key->name, "apply"), &bad, &err) == 0)
			continue;
		size_t old = jsonmsg_path_index(&c->path, i);
		config_problem(c, "%s", err.msg);
		jsonmsg_path_pop(&c->path, old);
	}
}

static void read_target_auth(struct config_check *c, const cJSON *v, void *value)
{
	config_read_auth(c, v, value, &owner_azureml);
}

/* A haproxy target reaches the runtime API one way. */
static void check_target(struct config_check *c, const cJSON *obj, void *base)
{
	(void)base;
	const bool has_socket = config_has(obj, "socket"), has_address = config_has(obj, "address");
	if (c->type != TARGET_HAPROXY)
		return;
	if (!has_socket && !has_address)
		config_problem(c, "haproxy targets need \"socket\" (a unix socket path) or \"address\" "
				  "(host:port of the runtime API)");
	else if (has_socket && has_address)
		config_problem_at(c, "address", "give \"socket\" or \"address\", not both");
}

const char *const target_type_name[] = { "haproxy", "azureml", "command" };

#define TGT(field) offsetof(struct config_target, field)
#define HAPROXY BIT(TARGET_HAPROXY)
#define AZUREML BIT(TARGET_AZUREML)
#define COMMAND BIT(TARGET_COMMAND)

static const struct config_key target_keys[] = {
	{ "type", CONFIG_ENUM, TGT(type), .names = target_type_name, .n_names = N_TARGET_TYPES,
	  .required = CONFIG_ALWAYS, .doc = "haproxy, azureml or command" },
	{ "timeout", CONFIG_DURATION, TGT(timeout_ms), .range.lo = 1, .def = "10s", .doc = "per request or command" },
	{ "socket", CONFIG_STRING, TGT(socket), .types = HAPROXY, .expected = "the path of HAProxy's runtime API socket",
	  .doc = "the runtime API's unix socket (or address)" },
	{ "address", CONFIG_STRING, TGT(address), .types = HAPROXY, .expected = HOST_PORT, .check = check_address,
	  .doc = "the runtime API's host:port (or socket)" },
	{ "backend", CONFIG_STRING, TGT(backend), .types = HAPROXY, .required = HAPROXY,
	  .expected = "the HAProxy backend's name", .doc = "the backend" },
	{ "servers", CONFIG_CUSTOM, 0, .read = read_servers, .free = free_servers, .types = HAPROXY, .required = HAPROXY,
	  .expected = "an object mapping each deployment to its server in the backend",
	  .doc = "each deployment's server in the backend" },
	{ "subscription", CONFIG_STRING, TGT(subscription), .types = AZUREML, .required = AZUREML,
	  .expected = "an Azure subscription id", .doc = "the subscription" },
	{ "resource_group", CONFIG_STRING, TGT(resource_group), .types = AZUREML, .required = AZUREML,
	  .expected = "a resource group's name", .doc = "the resource group" },
	{ "workspace", CONFIG_STRING, TGT(workspace), .types = AZUREML, .required = AZUREML,
	  .expected = "an Azure ML workspace's name", .doc = "the Azure ML workspace" },
	{ "endpoint", CONFIG_STRING, TGT(endpoint_name), .types = AZUREML,
	  .expected = "the online endpoint's name in Azure ML", .doc = "the online endpoint (default: the endpoint's name)" },
	{ "api_version", CONFIG_STRING, TGT(api_version), .types = AZUREML, .def = AZUREML_API_VERSION,
	  .expected = "an ARM API version, e.g. \"" AZUREML_API_VERSION "\"", .doc = "the ARM API version" },
	{ "arm_url", CONFIG_URL, TGT(arm_url), .types = AZUREML, .def = ARM_URL, .doc = "Azure Resource Manager" },
	{ "auth", CONFIG_OBJECT, TGT(auth), .types = AZUREML, .read = read_target_auth, .table = &config_auth_table,
	  .doc = "how to authenticate: none, bearer or an Azure type" },
	{ "operation_timeout", CONFIG_DURATION, TGT(operation_timeout_ms), .types = AZUREML, .range.lo = 1,
	  .def = "10m", .doc = "how long an ARM operation may take" },
	{ "apply", CONFIG_ARGV, TGT(apply), .count_at = TGT(n_apply), .types = COMMAND, .required = COMMAND,
	  .check = check_template, .missing = "the command that sets the traffic split, as an array of strings",
	  .doc = "the command that sets the split, with {endpoint}, {to} and {traffic}" },
	{ "read", CONFIG_ARGV, TGT(read), .count_at = TGT(n_read), .types = COMMAND, .check = check_template,
	  .doc = "the command that prints the split, with {endpoint}" },
	{ "env", CONFIG_STRINGS, TGT(env), .count_at = TGT(n_env), .elem = CONFIG_ENV_NAME, .types = COMMAND,
	  .doc = "variables the commands get even though cmdr withholds them as secrets" },
	{ 0 },
};

static const struct config_table target_table = {
	.keys = target_keys, .types = target_type_name, .n_types = N_TARGET_TYPES, .what = "targets",
	.check = check_target,
};

static void check_endpoint_name(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base)
{
	(void)key, (void)obj;
	config_check_unique_name(c, base, sizeof(struct config_endpoint), "endpoint", "endpoints");
}

/* An Azure ML endpoint is the endpoint's namesake unless told otherwise. */
static void check_endpoint(struct config_check *c, const cJSON *obj, void *base)
{
	(void)c;
	struct config_endpoint *ep = base;
	ep->has_target = config_has(obj, "target");
	if (ep->has_target && ep->target.type == TARGET_AZUREML && !ep->target.endpoint_name && ep->name)
		ep->target.endpoint_name = xstrdup(ep->name);
}

#define ENDPOINT(field) offsetof(struct config_endpoint, field)

static const struct config_key endpoint_keys[] = {
	{ "name", CONFIG_STRING, ENDPOINT(name), .required = CONFIG_ALWAYS, .expected = "the endpoint's name",
	  .check = check_endpoint_name, .doc = "its name, unique among the endpoints" },
	{ "target", CONFIG_OBJECT, ENDPOINT(target), .table = &target_table,
	  .doc = "the system that moves its traffic" },
	{ 0 },
};

const struct config_table config_endpoint_table = { .keys = endpoint_keys, .check = check_endpoint };
