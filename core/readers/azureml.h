/* Azure ML managed online endpoints through ARM, without any I/O: the
 * endpoint's and its deployments' URLs, reading them into a target view,
 * the read-modify-write PUT body that changes the traffic split (PATCH
 * cannot), a long-running operation's status and ARM's error bodies as one
 * safe line. core/targets/target_azureml.c does the requests. */
#ifndef CMDR_AZUREML_H
#define CMDR_AZUREML_H
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "model.h"

/* Mirror traffic (a copy of requests sent to a deployment, answers
 * dropped) may take at most this percent in all. */
#define AZUREML_MIRROR_MAX 50
/* A deployments list of more pages than this is not read: the read fails
 * and says so, rather than show a list cut short. */
#define AZUREML_MAX_PAGES 50

/* Where an endpoint is. Every path segment is percent-escaped. */
struct azureml_ref {
	const char *arm_url; /* "https://management.azure.com", no trailing '/' needed */
	const char *subscription, *resource_group, *workspace, *endpoint;
	const char *api_version;
};

/* ARM/subscriptions/S/resourceGroups/RG/providers/Microsoft.MachineLearningServices/
 * workspaces/W/onlineEndpoints/E?api-version=V, fresh on the heap. */
char *azureml_endpoint_url(const struct azureml_ref *r);
/* The same with /deployments before the query: the first page of the list. */
char *azureml_deployments_url(const struct azureml_ref *r);

/* What an endpoint's GET says. */
struct azureml_endpoint {
	char *state;                 /* properties.provisioningState, or NULL */
	struct traffic_split traffic; /* properties.traffic */
	struct traffic_split mirror;  /* properties.mirrorTraffic (may be empty) */
};

void azureml_endpoint_free(struct azureml_endpoint *e);
/* An endpoint resource ({"properties": {"traffic": {"blue": 90, ...},
 * "provisioningState": "Succeeded", ...}, ...}). Percentages are whole
 * numbers 0..100. 0, or -1 with err. */
int azureml_parse_endpoint(const char *json, size_t len, struct azureml_endpoint *out, struct error *err);

/* One deployment as the list gives it. */
struct azureml_deployment {
	char *name;
	char *state;         /* properties.provisioningState, or NULL */
	char *instance_type; /* properties.instanceType, or NULL */
	int instances;       /* sku.capacity, else scaleSettings' instance count; -1 unknown */
};

struct azureml_deployments {
	struct azureml_deployment *d;
	size_t n, cap;
};

void azureml_deployments_free(struct azureml_deployments *list);
/* One page of the deployments list ({"value": [...], "nextLink": URL}):
 * its deployments are appended to list, and *next_link set to a fresh copy
 * of nextLink, or NULL on the last page. 0, or -1 with err (list then
 * unchanged). */
int azureml_parse_deployments(const char *json, size_t len, struct azureml_deployments *list, char **next_link,
			      struct error *err);

/* The view the target reports: the endpoint's state, every deployment in
 * its traffic map (in order), then the listed ones it does not name, at 0;
 * each with its provisioning state when the list gives one. */
void azureml_view(const struct azureml_endpoint *e, const struct azureml_deployments *list,
		  struct target_view *out);

/* The body of the PUT that makes the endpoint serve split: the GET's
 * body with the read-only fields dropped (id, name, type, systemData,
 * properties.provisioningState/scoringUri/swaggerUri, the identity's
 * principalId and tenantId and each user-assigned identity's principalId
 * and clientId), properties.traffic set to split, and mirror traffic kept
 * except for deployments that now take live traffic. Refused (NULL with
 * err) when the split does not sum to 100, names a deployment not in
 * `known` (when known is given), or the mirror traffic would exceed
 * AZUREML_MIRROR_MAX. A fresh string, compact JSON. */
char *azureml_put_body(const char *get_json, size_t len, const struct traffic_split *split,
		       const struct azureml_deployments *known, struct error *err);

enum azureml_op_status { AZUREML_OP_RUNNING, AZUREML_OP_SUCCEEDED, AZUREML_OP_FAILED, AZUREML_OP_CANCELED };

/* An Azure-AsyncOperation status body ({"status": "InProgress", ...},
 * {"status": "Failed", "error": {"code": ..., "message": ...}}). Any
 * status other than the three final ones is still running. On FAILED and
 * CANCELED, why gets "CODE: message" (sanitised) when the body says. 0, or
 * -1 with err when it is not such a body. */
int azureml_parse_operation(const char *json, size_t len, enum azureml_op_status *out, char *why, size_t why_size,
			    struct error *err);

/* A failed ARM answer as one sanitised line: "HTTP 409 (Conflict): the
 * message" from {"error": {"code", "message"}}, else "HTTP 502: " and an
 * excerpt of the body. Returns -1. */
int azureml_arm_error(long status, const char *body, size_t len, struct error *err);

/* The provisioning states during which the endpoint is being changed. */
bool azureml_state_busy(const char *state);

#endif
