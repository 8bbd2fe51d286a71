/* The config's endpoints and the targets that move their traffic:
 * HAProxy, Azure ML, or commands of the user's. */
#include "config.h"
#include "config_live_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdtemplate.h"
#include "timefmt.h"
#include "xalloc.h"

/* ---- endpoints ----------------------------------------------------------- */

/* host:port, the host maybe [an IPv6 address]. */
static const char *endpoint_name_at(const struct config *cfg, size_t i)
{
	return cfg->endpoints[i].name;
}

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
				if (config_key_is(t->servers[j].server, server)) {
					char qs[64], qd[64];
					config_quote(server, qs, sizeof qs);
					config_quote(t->servers[j].deployment, qd, sizeof qd);
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
	config_free_argv(t->env, t->n_env);
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
	if (config_key_is(k, "socket") || config_key_is(k, "address") || config_key_is(k, "backend") || config_key_is(k, "servers"))
		mask = haproxy;
	else if (config_key_is(k, "apply") || config_key_is(k, "read") || config_key_is(k, "env"))
		mask = command;
	else if (!config_key_is(k, "type") && !config_key_is(k, "timeout"))
		mask = azureml;
	if (!config_key_fits(c, r->type, mask, target_type_name, N_TARGET_TYPES, "targets"))
		return;

	if (config_key_is(k, "type")) {
		if (r->type < 0) {
			char list[96], expected[128];
			config_name_list(target_type_name, N_TARGET_TYPES, BIT(N_TARGET_TYPES) - 1, true, " or ", list, sizeof list);
			snprintf(expected, sizeof expected, "one of %s", list);
			config_problem_got(c, v, expected);
		}
	} else if (config_key_is(k, "timeout")) {
		config_want_duration(c, v, 1, &t->timeout_ms);
	} else if (config_key_is(k, "socket")) {
		t->socket = config_want_string(c, v, "the path of HAProxy's runtime API socket");
	} else if (config_key_is(k, "address")) {
		if (cJSON_IsString(v) && is_host_port(v->valuestring))
			t->address = xstrdup(v->valuestring);
		else
			config_problem_got(c, v, "host:port of HAProxy's runtime API (e.g. \"127.0.0.1:9999\")");
	} else if (config_key_is(k, "backend")) {
		t->backend = config_want_string(c, v, "the HAProxy backend's name");
	} else if (config_key_is(k, "servers")) {
		read_servers(c, v, t);
	} else if (config_key_is(k, "subscription")) {
		t->subscription = config_want_string(c, v, "an Azure subscription id");
	} else if (config_key_is(k, "resource_group")) {
		t->resource_group = config_want_string(c, v, "a resource group's name");
	} else if (config_key_is(k, "workspace")) {
		t->workspace = config_want_string(c, v, "an Azure ML workspace's name");
	} else if (config_key_is(k, "endpoint")) {
		t->endpoint_name = config_want_string(c, v, "the online endpoint's name in Azure ML");
	} else if (config_key_is(k, "api_version")) {
		t->api_version = config_want_string(c, v, "an ARM API version, e.g. \"" AZUREML_API_VERSION "\"");
	} else if (config_key_is(k, "arm_url")) {
		t->arm_url = config_want_url(c, v);
	} else if (config_key_is(k, "auth")) {
		config_read_auth(c, v, &t->auth, &owner_azureml);
	} else if (config_key_is(k, "operation_timeout")) {
		config_want_duration(c, v, 1, &t->operation_timeout_ms);
	} else if (config_key_is(k, "apply")) {
		config_want_argv(c, v, &t->apply, &t->n_apply);
		want_template(c, t->apply, t->n_apply, true);
	} else if (config_key_is(k, "read")) {
		config_want_argv(c, v, &t->read, &t->n_read);
		want_template(c, t->read, t->n_read, false);
	} else if (config_key_is(k, "env")) {
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
	struct target_read r = { t, config_peek_type(v, target_type_name, N_TARGET_TYPES) };
	if (r.type >= 0)
		t->type = (enum target_type)r.type;
	config_read_fields(c, v, fields, &r);
	const bool has_socket = config_has(v, "socket");
	const bool has_address = config_has(v, "address");
	switch (r.type) {
	case TARGET_HAPROXY:
		if (!has_socket && !has_address)
			config_problem(c, "haproxy targets need \"socket\" (a unix socket path) or \"address\" "
					  "(host:port of the runtime API)");
		else if (has_socket && has_address)
			config_problem_at(c, "address", "give \"socket\" or \"address\", not both");
		if (!config_has(v, "backend"))
			config_missing(c, "backend", "the HAProxy backend's name");
		if (!config_has(v, "servers"))
			config_missing(c, "servers", "an object mapping each deployment to its server in the backend");
		break;
	case TARGET_AZUREML:
		if (!config_has(v, "subscription"))
			config_missing(c, "subscription", "an Azure subscription id");
		if (!config_has(v, "resource_group"))
			config_missing(c, "resource_group", "a resource group's name");
		if (!config_has(v, "workspace"))
			config_missing(c, "workspace", "an Azure ML workspace's name");
		if (!t->api_version)
			t->api_version = xstrdup(AZUREML_API_VERSION);
		if (!t->arm_url)
			t->arm_url = xstrdup(ARM_URL);
		if (!t->operation_timeout_ms)
			t->operation_timeout_ms = AZUREML_OPERATION_TIMEOUT_MS;
		break;
	case TARGET_COMMAND:
		if (!config_has(v, "apply"))
			config_missing(c, "apply", "the command that sets the traffic split, as an array of strings");
		break;
	default:
		if (!config_has(v, "type"))
			config_missing(c, "type", "\"haproxy\", \"azureml\" or \"command\"");
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
	if (config_key_is(v->string, "name")) {
		ep->name = config_want_unique_name(c, v, "endpoint", "endpoints", endpoint_name_at, r->cfg, r->at);
	} else if (config_key_is(v->string, "target")) {
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
			if (!config_has(e, "name"))
				config_missing(c, "name", "the endpoint's name");
			if (ep->has_target && ep->target.type == TARGET_AZUREML && !ep->target.endpoint_name &&
			    ep->name)
				ep->target.endpoint_name = xstrdup(ep->name);
		}
		jsonmsg_path_pop(&c->path, old);
	}
}
