/* What is deployed where: endpoints, their deployments with traffic shares
 * and provisioning state, and which deployment is the last known-good (the
 * one that last held 100% of traffic before the current change began). */
#ifndef CMDR_MODEL_H
#define CMDR_MODEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct deployment {
	char *name;
	int traffic;       /* percent, 0..100 */
	char *state;       /* provisioning state: "Succeeded", "Creating", ... */
	int64_t created_ms;
};

struct endpoint {
	char *name;
	struct deployment **deployments;
	size_t n_deployments, cap_deployments;
	char *last_known_good;  /* NULL until some deployment held 100% */
};

struct model {
	struct endpoint **endpoints;
	size_t n_endpoints, cap_endpoints;
};

struct traffic_entry {
	char *deployment;
	int percent;
};

/* A complete traffic assignment for one endpoint. */
struct traffic_split {
	struct traffic_entry *entries;
	size_t n, cap;
};

void model_free(struct model *m);
struct endpoint *model_add_endpoint(struct model *m, const char *name);
struct endpoint *model_find_endpoint(const struct model *m, const char *name);

struct deployment *endpoint_add_deployment(struct endpoint *ep, const char *name,
					   const char *state, int64_t created_ms);
struct deployment *endpoint_find_deployment(const struct endpoint *ep, const char *name);
void endpoint_set_state(struct deployment *d, const char *state);
/* Sets every deployment's traffic from the split (deployments absent from it
 * get 0) and updates last_known_good when one deployment now holds 100%. */
void endpoint_apply_split(struct endpoint *ep, const struct traffic_split *split);
/* The endpoint's current split, one entry per deployment, in model order. */
void endpoint_current_split(const struct endpoint *ep, struct traffic_split *out);
/* The canary: the deployment other than the last known-good with the most
 * traffic, or NULL when no such deployment has any. */
const struct deployment *endpoint_canary(const struct endpoint *ep);
/* The split that sends everything to `to` and nothing elsewhere. */
void endpoint_rollback_split(const struct endpoint *ep, const char *to, struct traffic_split *out);

void traffic_split_init(struct traffic_split *s);
void traffic_split_free(struct traffic_split *s);
void traffic_split_clear(struct traffic_split *s);
void traffic_split_set(struct traffic_split *s, const char *deployment, int percent);
/* dst (uninitialised) becomes a copy of src. */
void traffic_split_copy(struct traffic_split *dst, const struct traffic_split *src);
int traffic_split_get(const struct traffic_split *s, const char *deployment);
int traffic_split_total(const struct traffic_split *s);
/* Equal when every deployment named in either has the same percent (absent = 0). */
bool traffic_split_equal(const struct traffic_split *a, const struct traffic_split *b);
/* "d-1427=100 d-1428=0" into a fresh heap string. */
char *traffic_split_format(const struct traffic_split *s);

/* What a target (core/targets/) says an endpoint serves: a read's view. */
struct target_deployment {
	char *name;
	int traffic;  /* percent, 0..100 */
	char *state;  /* provisioning state ("Succeeded", "Updating", "UP", ...), or NULL */
};

struct target_view {
	struct target_deployment *deployments;
	size_t n;
	char *state; /* the endpoint's own state (Azure ML provisioningState), or NULL */
};

void target_view_free(struct target_view *v);
/* The view's traffic as a split, one entry per deployment. */
void target_view_split(const struct target_view *v, struct traffic_split *out);


#endif
