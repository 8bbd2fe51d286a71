#include "azureml.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apimsg.h"
#include "numeric.h"
#include "xalloc.h"

/* ---- URLs ----------------------------------------------------------------- */

static char *ref_url(const struct azureml_ref *r, const char *tail)
{
	char *s = apimsg_url_escape(r->subscription);
	char *g = apimsg_url_escape(r->resource_group);
	char *w = apimsg_url_escape(r->workspace);
	char *e = apimsg_url_escape(r->endpoint);
	char *v = apimsg_url_escape(r->api_version);
	size_t n = strlen(r->arm_url);
	while (n > 0 && r->arm_url[n - 1] == '/')
		n--;
	char *url = xasprintf("%.*s/subscriptions/%s/resourceGroups/%s/providers/Microsoft.MachineLearningServices/"
			      "workspaces/%s/onlineEndpoints/%s%s?api-version=%s",
			      (int)n, r->arm_url, s, g, w, e, tail, v);
	free(s);
	free(g);
	free(w);
	free(e);
	free(v);
	return url;
}

char *azureml_endpoint_url(const struct azureml_ref *r)
{
	return ref_url(r, "");
}

char *azureml_deployments_url(const struct azureml_ref *r)
{
	return ref_url(r, "/deployments");
}

/* ---- reading ---------------------------------------------------------------- */

static cJSON *parse_object(const char *json, size_t len, const char *what, struct error *err)
{
	size_t at;
	cJSON *root = apimsg_json_parse(json, len, &at);
	if (!root) {
		char ex[APIMSG_EXCERPT_MAX + 1];
		apimsg_excerpt(json, len, ex, sizeof ex);
		apimsg_error_set(err, "%s is not JSON (at byte %zu): %s", what, at, ex);
		return NULL;
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		apimsg_error_set(err, "%s is not a JSON object", what);
		return NULL;
	}
	return root;
}

static const char *string_at(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool whole_percent(const cJSON *v, int max, int *out)
{
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 || v->valuedouble > max ||
	    !numeric_is_whole(v->valuedouble))
		return false;
	*out = (int)v->valuedouble;
	return true;
}

/* A {"deployment": percent} map; null or absent is empty. */
static int read_split(const cJSON *map, const char *what, struct traffic_split *out, struct error *err)
{
	if (!map || cJSON_IsNull(map))
		return 0;
	if (!cJSON_IsObject(map))
		return apimsg_error_set(err, "endpoint: %s is not an object of deployment percentages", what);
	for (const cJSON *v = map->child; v; v = v->next) {
		int pct;
		if (!v->string || !*v->string)
			return apimsg_error_set(err, "endpoint: %s names a deployment with an empty name", what);
		if (!whole_percent(v, 100, &pct))
			return apimsg_error_set(err, "endpoint: %s of %s is not a whole percentage 0..100", what,
						v->string);
		traffic_split_set(out, v->string, pct);
	}
	return 0;
}

void azureml_endpoint_free(struct azureml_endpoint *e)
{
	free(e->state);
	traffic_split_free(&e->traffic);
	traffic_split_free(&e->mirror);
	memset(e, 0, sizeof *e);
}

int azureml_parse_endpoint(const char *json, size_t len, struct azureml_endpoint *out, struct error *err)
{
	memset(out, 0, sizeof *out);
	traffic_split_init(&out->traffic);
	traffic_split_init(&out->mirror);
	cJSON *root = parse_object(json, len, "the endpoint", err);
	if (!root)
		return -1;
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(root, "properties");
	int rc = -1;
	if (!cJSON_IsObject(props)) {
		apimsg_error_set(err, "endpoint: no \"properties\" object in the answer");
	} else if (read_split(cJSON_GetObjectItemCaseSensitive(props, "traffic"), "traffic", &out->traffic, err) ==
			   0 &&
		   read_split(cJSON_GetObjectItemCaseSensitive(props, "mirrorTraffic"), "mirrorTraffic", &out->mirror,
			      err) == 0) {
		const char *state = string_at(props, "provisioningState");
		out->state = state ? xstrdup(state) : NULL;
		rc = 0;
	}
	cJSON_Delete(root);
	if (rc != 0)
		azureml_endpoint_free(out);
	return rc;
}

void azureml_deployments_free(struct azureml_deployments *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->d[i].name);
		free(list->d[i].state);
		free(list->d[i].instance_type);
	}
	free(list->d);
	memset(list, 0, sizeof *list);
}

/* sku.capacity for managed deployments; Kubernetes ones may say it in
 * their scale settings instead. */
static int instance_count(const cJSON *dep, const cJSON *props)
{
	int n;
	const cJSON *sku = cJSON_GetObjectItemCaseSensitive(dep, "sku");
	if (whole_percent(cJSON_GetObjectItemCaseSensitive(sku, "capacity"), 1000000, &n))
		return n;
	const cJSON *scale = cJSON_GetObjectItemCaseSensitive(props, "scaleSettings");
	if (whole_percent(cJSON_GetObjectItemCaseSensitive(scale, "instanceCount"), 1000000, &n) ||
	    whole_percent(cJSON_GetObjectItemCaseSensitive(scale, "minInstances"), 1000000, &n))
		return n;
	return -1;
}

int azureml_parse_deployments(const char *json, size_t len, struct azureml_deployments *list, char **next_link,
			      struct error *err)
{
	*next_link = NULL;
	cJSON *root = parse_object(json, len, "the deployments list", err);
	if (!root)
		return -1;
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(root, "value");
	const cJSON *next = cJSON_GetObjectItemCaseSensitive(root, "nextLink");
	int rc = -1;
	if (!cJSON_IsArray(value)) {
		apimsg_error_set(err, "deployments list: no \"value\" array in the answer");
		goto out;
	}
	if (next && !cJSON_IsNull(next) && !cJSON_IsString(next)) {
		apimsg_error_set(err, "deployments list: \"nextLink\" is not a string");
		goto out;
	}
	for (const cJSON *d = value->child; d; d = d->next) {
		const char *name = string_at(d, "name");
		if (!name || !*name) {
			apimsg_error_set(err, "deployments list: a deployment without a name");
			goto out;
		}
	}
	for (const cJSON *d = value->child; d; d = d->next) {
		const cJSON *props = cJSON_GetObjectItemCaseSensitive(d, "properties");
		const char *state = string_at(props, "provisioningState");
		const char *type = string_at(props, "instanceType");
		xgrow(&list->d, &list->cap, list->n + 1, sizeof *list->d);
		list->d[list->n++] = (struct azureml_deployment){
			.name = xstrdup(string_at(d, "name")),
			.state = state ? xstrdup(state) : NULL,
			.instance_type = type ? xstrdup(type) : NULL,
			.instances = instance_count(d, props),
		};
	}
	if (cJSON_IsString(next) && *next->valuestring)
		*next_link = xstrdup(next->valuestring);
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

static const struct azureml_deployment *find_deployment(const struct azureml_deployments *list, const char *name)
{
	for (size_t i = 0; list && i < list->n; i++)
		if (strcmp(list->d[i].name, name) == 0)
			return &list->d[i];
	return NULL;
}

void azureml_view(const struct azureml_endpoint *e, const struct azureml_deployments *list,
		  struct target_view *out)
{
	size_t max = e->traffic.n + (list ? list->n : 0);
	memset(out, 0, sizeof *out);
	out->deployments = xcalloc(max + 1, sizeof *out->deployments);
	out->state = e->state ? xstrdup(e->state) : NULL;
	for (size_t i = 0; i < e->traffic.n; i++) {
		const struct traffic_entry *t = &e->traffic.entries[i];
		const struct azureml_deployment *d = find_deployment(list, t->deployment);
		out->deployments[out->n++] = (struct target_deployment){
			.name = xstrdup(t->deployment),
			.traffic = t->percent,
			.state = d && d->state ? xstrdup(d->state) : NULL,
		};
	}
	for (size_t i = 0; list && i < list->n; i++) {
		const struct azureml_deployment *d = &list->d[i];
		bool named = false;
		for (size_t k = 0; k < out->n && !named; k++)
			named = strcmp(out->deployments[k].name, d->name) == 0;
		if (named)
			continue;
		out->deployments[out->n++] = (struct target_deployment){
			.name = xstrdup(d->name),
			.traffic = 0,
			.state = d->state ? xstrdup(d->state) : NULL,
		};
	}
}

/* ---- the PUT body ------------------------------------------------------------ */

static int check_split(const struct traffic_split *split, const struct azureml_deployments *known, struct error *err)
{
	if (split->n == 0)
		return apimsg_error_set(err, "the new traffic split names no deployment");
	for (size_t i = 0; i < split->n; i++) {
		const struct traffic_entry *t = &split->entries[i];
		if (t->percent < 0 || t->percent > 100)
			return apimsg_error_set(err, "traffic for %s is %d%%, not 0..100", t->deployment, t->percent);
		if (known && !find_deployment(known, t->deployment))
			return apimsg_error_set(err, "no deployment %s on the endpoint; not changing its traffic",
						t->deployment);
	}
	int total = traffic_split_total(split);
	if (total != 100)
		return apimsg_error_set(err, "the new traffic split sums to %d%%, not 100%%", total);
	return 0;
}

/* A key twice in one object (or a key cut short by a NUL byte): which
 * of them the API would take is anyone's guess, so such a body is not
 * written back. */
static const char *duplicate_key(const cJSON *v)
{
	for (const cJSON *c = v->child; c; c = c->next) {
		if (cJSON_IsObject(v))
			for (const cJSON *d = c->next; d; d = d->next)
				if (strcmp(c->string, d->string) == 0)
					return c->string;
		const char *dup = duplicate_key(c);
		if (dup)
			return dup;
	}
	return NULL;
}

/* What the API fills in and refuses, or ignores, on a PUT. */
static void drop_read_only(cJSON *root)
{
	static const char *const top[] = { "id", "name", "type", "systemData" };
	static const char *const props[] = { "provisioningState", "scoringUri", "swaggerUri" };
	for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
		cJSON_DeleteItemFromObjectCaseSensitive(root, top[i]);
	cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "properties");
	for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
		cJSON_DeleteItemFromObjectCaseSensitive(p, props[i]);
	cJSON *identity = cJSON_GetObjectItemCaseSensitive(root, "identity");
	if (!cJSON_IsObject(identity))
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(identity, "principalId");
	cJSON_DeleteItemFromObjectCaseSensitive(identity, "tenantId");
	cJSON *uai = cJSON_GetObjectItemCaseSensitive(identity, "userAssignedIdentities");
	for (cJSON *u = cJSON_IsObject(uai) ? uai->child : NULL; u; u = u->next) {
		cJSON_DeleteItemFromObjectCaseSensitive(u, "principalId");
		cJSON_DeleteItemFromObjectCaseSensitive(u, "clientId");
	}
}

/* A deployment that now takes live traffic is no longer mirrored to (the
 * API refuses both at once); what stays must fit AZUREML_MIRROR_MAX. */
static int fix_mirror(cJSON *props, const struct traffic_split *split, struct error *err)
{
	cJSON *mirror = cJSON_GetObjectItemCaseSensitive(props, "mirrorTraffic");
	if (!cJSON_IsObject(mirror))
		return 0;
	int total = 0;
	for (cJSON *m = mirror->child, *next; m; m = next) {
		next = m->next;
		if (traffic_split_get(split, m->string) > 0) {
			cJSON_Delete(cJSON_DetachItemViaPointer(mirror, m));
			continue;
		}
		int pct;
		if (!whole_percent(m, 100, &pct))
			return apimsg_error_set(err, "endpoint: mirrorTraffic of %s is not a whole percentage 0..100",
						m->string);
		total += pct;
	}
	if (total > AZUREML_MIRROR_MAX)
		return apimsg_error_set(err, "mirror traffic would be %d%%; Azure ML allows at most %d%%", total,
					AZUREML_MIRROR_MAX);
	return 0;
}

char *azureml_put_body(const char *get_json, size_t len, const struct traffic_split *split,
		       const struct azureml_deployments *known, struct error *err)
{
	if (check_split(split, known, err) != 0)
		return NULL;
	cJSON *root = parse_object(get_json, len, "the endpoint", err);
	if (!root)
		return NULL;
	char *body = NULL;
	cJSON *props = cJSON_GetObjectItemCaseSensitive(root, "properties");
	if (!cJSON_IsObject(props)) {
		apimsg_error_set(err, "endpoint: no \"properties\" object in the answer");
		goto out;
	}
	const char *dup = duplicate_key(root);
	if (dup) {
		apimsg_error_set(err, "endpoint: the key \"%s\" appears twice in one object; not writing it back", dup);
		goto out;
	}
	drop_read_only(root);
	if (fix_mirror(props, split, err) != 0)
		goto out;
	cJSON *traffic = cJSON_CreateObject();
	for (size_t i = 0; i < split->n; i++)
		cJSON_AddNumberToObject(traffic, split->entries[i].deployment, split->entries[i].percent);
	if (cJSON_GetObjectItemCaseSensitive(props, "traffic"))
		cJSON_ReplaceItemInObjectCaseSensitive(props, "traffic", traffic);
	else
		cJSON_AddItemToObject(props, "traffic", traffic);
	body = cJSON_PrintUnformatted(root);
	if (!body)
		abort();
out:
	cJSON_Delete(root);
	return body;
}

/* ---- operations and errors ----------------------------------------------------- */

static void error_words(const cJSON *error, char *buf, size_t size)
{
	const char *code = string_at(error, "code");
	const char *message = string_at(error, "message");
	struct error e;
	if (code && message)
		apimsg_error_set(&e, "%s: %s", code, message);
	else if (code || message)
		apimsg_error_set(&e, "%s", code ? code : message);
	else
		e.msg[0] = '\0';
	snprintf(buf, size, "%s", e.msg);
}

int azureml_parse_operation(const char *json, size_t len, enum azureml_op_status *out, char *why, size_t why_size,
			    struct error *err)
{
	if (why_size)
		why[0] = '\0';
	cJSON *root = parse_object(json, len, "the operation's status", err);
	if (!root)
		return -1;
	const char *status = string_at(root, "status");
	if (!status) {
		cJSON_Delete(root);
		return apimsg_error_set(err, "the operation's status has no \"status\"");
	}
	if (strcmp(status, "Succeeded") == 0)
		*out = AZUREML_OP_SUCCEEDED;
	else if (strcmp(status, "Failed") == 0)
		*out = AZUREML_OP_FAILED;
	else if (strcmp(status, "Canceled") == 0 || strcmp(status, "Cancelled") == 0)
		*out = AZUREML_OP_CANCELED;
	else
		*out = AZUREML_OP_RUNNING;
	if (*out == AZUREML_OP_FAILED || *out == AZUREML_OP_CANCELED)
		error_words(cJSON_GetObjectItemCaseSensitive(root, "error"), why, why_size);
	cJSON_Delete(root);
	return 0;
}

int azureml_arm_error(long status, const char *body, size_t len, struct error *err)
{
	size_t at;
	cJSON *root = apimsg_json_parse(body, len, &at);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	const char *code = string_at(e, "code");
	const char *message = string_at(e, "message");
	if (code && message)
		apimsg_error_set(err, "HTTP %ld (%s): %s", status, code, message);
	else if (code || message)
		apimsg_error_set(err, "HTTP %ld: %s", status, code ? code : message);
	else {
		char ex[APIMSG_EXCERPT_MAX + 1];
		apimsg_excerpt(body, len, ex, sizeof ex);
		apimsg_error_set(err, "HTTP %ld: %s", status, ex);
	}
	cJSON_Delete(root);
	return -1;
}

bool azureml_state_busy(const char *state)
{
	return state && (strcmp(state, "Updating") == 0 || strcmp(state, "Creating") == 0 ||
			 strcmp(state, "Deleting") == 0);
}
