/* Azure ML through ARM without a network: the URLs, the endpoint and the
 * deployments list read into a view (the 2025-12-01 examples' shapes), the
 * PUT body (read-only fields dropped, the new traffic, the mirror rules),
 * operation statuses and ARM error bodies as one safe line. */
#include <cjson/cJSON.h>

#include "azureml.h"
#include "check.h"
#include "xalloc.h"

/* OnlineEndpoint/get.json's response body, as the API example has it. */
static const char *const example_get =
	"{\"id\":\"string\",\"name\":\"string\",\"type\":\"string\",\"properties\":{\"description\":\"string\","
	"\"properties\":{\"string\":\"string\"},\"scoringUri\":\"https://www.contoso.com/example\","
	"\"swaggerUri\":\"https://www.contoso.com/example\",\"authMode\":\"AMLToken\",\"provisioningState\":"
	"\"Creating\",\"compute\":\"string\",\"traffic\":{\"string\":1}},\"systemData\":{\"createdAt\":"
	"\"2020-01-01T12:34:56.999Z\",\"createdBy\":\"string\",\"createdByType\":\"User\",\"lastModifiedAt\":"
	"\"2020-01-01T12:34:56.999Z\",\"lastModifiedBy\":\"string\",\"lastModifiedByType\":\"User\"},\"tags\":{},"
	"\"location\":\"string\",\"kind\":\"string\",\"identity\":{\"type\":\"SystemAssigned\",\"principalId\":"
	"\"00000000-1111-2222-3333-444444444444\",\"tenantId\":\"00000000-1111-2222-3333-444444444444\","
	"\"userAssignedIdentities\":{\"string\":{\"principalId\":\"00000000-1111-2222-3333-444444444444\","
	"\"clientId\":\"00000000-1111-2222-3333-444444444444\"}}},\"sku\":{\"name\":\"string\",\"tier\":\"Free\","
	"\"size\":\"string\",\"family\":\"string\",\"capacity\":1}}";

/* An endpoint in that shape with real traffic: blue 90, green 10, shadow
 * mirrored at 20. */
static const char *const chat_get =
	"{\"id\":\"/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/"
	"onlineEndpoints/chat\",\"name\":\"chat\",\"type\":\"Microsoft.MachineLearningServices/workspaces/"
	"onlineEndpoints\",\"properties\":{\"description\":\"d\",\"scoringUri\":\"https://x/score\",\"swaggerUri\":"
	"\"https://x/swagger.json\",\"authMode\":\"Key\",\"provisioningState\":\"Succeeded\",\"publicNetworkAccess\":"
	"\"Enabled\",\"traffic\":{\"blue\":90,\"green\":10},\"mirrorTraffic\":{\"shadow\":20}},\"systemData\":{},"
	"\"tags\":{\"team\":\"llm\"},\"location\":\"eastus\",\"kind\":\"Managed\",\"identity\":{\"type\":"
	"\"SystemAssigned\",\"principalId\":\"p\",\"tenantId\":\"t\"}}";

/* OnlineDeployment/list.json's response body (one deployment). */
static const char *const example_list =
	"{\"nextLink\":\"https://management.azure.com/subscriptions/34adfa4f-cedf-4dc0-ba29-b6d1a69ab345/"
	"resourceGroups/testrg123/providers/Microsoft.MachineLearningServices/workspaces/my-aml-workspace/"
	"onlineEndpoints/testEndpointName/deployments?api-version=2025-07-01-preview&$skip=2\",\"value\":[{"
	"\"name\":\"string\",\"type\":\"string\",\"id\":\"string\",\"identity\":{\"type\":\"SystemAssigned\"},"
	"\"kind\":\"string\",\"location\":\"string\",\"properties\":{\"description\":\"string\","
	"\"appInsightsEnabled\":false,\"endpointComputeType\":\"Kubernetes\",\"environmentId\":\"string\","
	"\"instanceType\":\"string\",\"model\":\"string\",\"provisioningState\":\"Creating\",\"scaleSettings\":{"
	"\"scaleType\":\"Default\"}},\"sku\":{\"name\":\"string\",\"capacity\":1,\"family\":\"string\",\"size\":"
	"\"string\",\"tier\":\"Free\"},\"systemData\":{},\"tags\":{}}]}";

static const struct azureml_ref ref = { "https://management.azure.com", "00000000-1111-2222-3333-444444444444",
					"test-rg", "my-aml-workspace", "testEndpointName", "2025-12-01" };

static void test_urls(void)
{
	char *u = azureml_endpoint_url(&ref);
	CHECK_STR(u, "https://management.azure.com/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/"
		     "test-rg/providers/Microsoft.MachineLearningServices/workspaces/my-aml-workspace/onlineEndpoints/"
		     "testEndpointName?api-version=2025-12-01");
	free(u);
	u = azureml_deployments_url(&ref);
	CHECK_STR(u, "https://management.azure.com/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/"
		     "test-rg/providers/Microsoft.MachineLearningServices/workspaces/my-aml-workspace/onlineEndpoints/"
		     "testEndpointName/deployments?api-version=2025-12-01");
	free(u);
	/* Every segment escaped: a name cannot change the path; a trailing
	 * slash on the ARM URL is not doubled. */
	struct azureml_ref odd = { "http://127.0.0.1:8080/", "s/../x", "rg 1", "w?x=1", "e#f", "2025-12-01&y" };
	u = azureml_endpoint_url(&odd);
	CHECK_STR(u, "http://127.0.0.1:8080/subscriptions/s%2F..%2Fx/resourceGroups/rg%201/providers/"
		     "Microsoft.MachineLearningServices/workspaces/w%3Fx%3D1/onlineEndpoints/e%23f"
		     "?api-version=2025-12-01%26y");
	free(u);
}

static void test_parse_endpoint_example(void)
{
	struct azureml_endpoint e;
	struct error err;
	CHECK(azureml_parse_endpoint(example_get, strlen(example_get), &e, &err) == 0);
	CHECK_STR(e.state, "Creating");
	CHECK(e.traffic.n == 1);
	CHECK(traffic_split_get(&e.traffic, "string") == 1);
	CHECK(e.mirror.n == 0);
	azureml_endpoint_free(&e);

	CHECK(azureml_parse_endpoint(chat_get, strlen(chat_get), &e, &err) == 0);
	CHECK_STR(e.state, "Succeeded");
	CHECK(traffic_split_get(&e.traffic, "blue") == 90);
	CHECK(traffic_split_get(&e.traffic, "green") == 10);
	CHECK(traffic_split_get(&e.mirror, "shadow") == 20);
	azureml_endpoint_free(&e);
}

static void bad_endpoint(const char *json, const char *want)
{
	struct azureml_endpoint e;
	struct error err = { 0 };
	CHECK(azureml_parse_endpoint(json, strlen(json), &e, &err) == -1);
	CHECK_STR(err.msg, want);
	CHECK(e.state == NULL && e.traffic.n == 0);
}

static void test_parse_endpoint_bad(void)
{
	bad_endpoint("{\"properties\":{\"traffic\":{\"a\":150}}}",
		     "endpoint: traffic of a is not a whole percentage 0..100");
	bad_endpoint("{\"properties\":{\"traffic\":{\"a\":12.5}}}",
		     "endpoint: traffic of a is not a whole percentage 0..100");
	bad_endpoint("{\"properties\":{\"traffic\":{\"a\":\"50\"}}}",
		     "endpoint: traffic of a is not a whole percentage 0..100");
	bad_endpoint("{\"properties\":{\"traffic\":[1]}}",
		     "endpoint: traffic is not an object of deployment percentages");
	bad_endpoint("{\"properties\":{\"traffic\":{},\"mirrorTraffic\":{\"\":5}}}",
		     "endpoint: mirrorTraffic names a deployment with an empty name");
	bad_endpoint("{\"name\":\"chat\"}", "endpoint: no \"properties\" object in the answer");
	bad_endpoint("[]", "the endpoint is not a JSON object");
	bad_endpoint("<html>\x1b[31mBad Gateway</html>", "the endpoint is not JSON (at byte 0): <html>?[31mBad Gateway</html>");
	/* No traffic yet (a new endpoint): an empty split, not an error. */
	struct azureml_endpoint e;
	struct error err;
	CHECK(azureml_parse_endpoint("{\"properties\":{}}", 17, &e, &err) == 0);
	CHECK(e.traffic.n == 0 && e.state == NULL);
	azureml_endpoint_free(&e);
}

static void test_parse_deployments(void)
{
	struct azureml_deployments list = { 0 };
	struct error err;
	char *next;
	CHECK(azureml_parse_deployments(example_list, strlen(example_list), &list, &next, &err) == 0);
	CHECK(list.n == 1);
	CHECK_STR(list.d[0].name, "string");
	CHECK_STR(list.d[0].state, "Creating");
	CHECK_STR(list.d[0].instance_type, "string");
	CHECK(list.d[0].instances == 1);
	CHECK(next && strstr(next, "&$skip=2") != NULL);
	free(next);

	/* The last page appends, without a nextLink; scale settings give
	 * the count when the sku does not. */
	const char *page2 = "{\"value\":[{\"name\":\"b\",\"properties\":{\"provisioningState\":\"Succeeded\","
			    "\"scaleSettings\":{\"scaleType\":\"TargetUtilization\",\"minInstances\":2}}},"
			    "{\"name\":\"c\",\"properties\":{}}],\"nextLink\":null}";
	CHECK(azureml_parse_deployments(page2, strlen(page2), &list, &next, &err) == 0);
	CHECK(next == NULL);
	CHECK(list.n == 3);
	CHECK_STR(list.d[1].name, "b");
	CHECK(list.d[1].instances == 2);
	CHECK(list.d[2].state == NULL && list.d[2].instance_type == NULL && list.d[2].instances == -1);

	/* A bad page leaves the list as it was. */
	const char *bad = "{\"value\":[{\"name\":\"d\"},{\"properties\":{}}]}";
	CHECK(azureml_parse_deployments(bad, strlen(bad), &list, &next, &err) == -1);
	CHECK_STR(err.msg, "deployments list: a deployment without a name");
	CHECK(list.n == 3 && next == NULL);
	CHECK(azureml_parse_deployments("{\"values\":[]}", 13, &list, &next, &err) == -1);
	CHECK_STR(err.msg, "deployments list: no \"value\" array in the answer");
	CHECK(azureml_parse_deployments("{\"value\":[],\"nextLink\":5}", 25, &list, &next, &err) == -1);
	CHECK_STR(err.msg, "deployments list: \"nextLink\" is not a string");
	azureml_deployments_free(&list);
	CHECK(list.n == 0 && list.d == NULL);
}

static void test_view(void)
{
	struct azureml_endpoint e;
	struct azureml_deployments list = { 0 };
	struct error err;
	char *next;
	CHECK(azureml_parse_endpoint(chat_get, strlen(chat_get), &e, &err) == 0);
	const char *page = "{\"value\":[{\"name\":\"shadow\",\"properties\":{\"provisioningState\":\"Succeeded\"}},"
			   "{\"name\":\"green\",\"properties\":{\"provisioningState\":\"Failed\"}}]}";
	CHECK(azureml_parse_deployments(page, strlen(page), &list, &next, &err) == 0);
	struct target_view v;
	azureml_view(&e, &list, &v);
	CHECK_STR(v.state, "Succeeded");
	CHECK(v.n == 3);
	/* The traffic map's order, then the others at 0. */
	CHECK_STR(v.deployments[0].name, "blue");
	CHECK(v.deployments[0].traffic == 90 && v.deployments[0].state == NULL);
	CHECK_STR(v.deployments[1].name, "green");
	CHECK(v.deployments[1].traffic == 10);
	CHECK_STR(v.deployments[1].state, "Failed");
	CHECK_STR(v.deployments[2].name, "shadow");
	CHECK(v.deployments[2].traffic == 0);
	CHECK_STR(v.deployments[2].state, "Succeeded");
	target_view_free(&v);
	azureml_endpoint_free(&e);
	azureml_deployments_free(&list);
}

static struct azureml_deployments known(const char *const *names)
{
	struct azureml_deployments list = { 0 };
	for (; *names; names++) {
		xgrow(&list.d, &list.cap, list.n + 1, sizeof *list.d);
		list.d[list.n++] = (struct azureml_deployment){ .name = xstrdup(*names), .instances = -1 };
	}
	return list;
}

static char *put(const char *get, const char *split_text, const char *const *names, struct error *err)
{
	struct traffic_split s;
	traffic_split_init(&s);
	char buf[256];
	snprintf(buf, sizeof buf, "%s", split_text);
	for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
		char *eq = strchr(tok, '=');
		*eq = '\0';
		traffic_split_set(&s, tok, atoi(eq + 1));
	}
	struct azureml_deployments list = names ? known(names) : (struct azureml_deployments){ 0 };
	err->msg[0] = '\0';
	char *body = azureml_put_body(get, strlen(get), &s, names ? &list : NULL, err);
	azureml_deployments_free(&list);
	traffic_split_free(&s);
	return body;
}

static void test_put_body_example(void)
{
	struct error err;
	static const char *const names[] = { "string", NULL };
	char *body = put(example_get, "string=100", names, &err);
	/* Exactly the createOrUpdate example's request shape: what the
	 * API fills in is gone, everything else is as GET returned it. */
	CHECK_STR(body, "{\"properties\":{\"description\":\"string\",\"properties\":{\"string\":\"string\"},"
			"\"authMode\":\"AMLToken\",\"compute\":\"string\",\"traffic\":{\"string\":100}},\"tags\":{},"
			"\"location\":\"string\",\"kind\":\"string\",\"identity\":{\"type\":\"SystemAssigned\","
			"\"userAssignedIdentities\":{\"string\":{}}},\"sku\":{\"name\":\"string\",\"tier\":\"Free\","
			"\"size\":\"string\",\"family\":\"string\",\"capacity\":1}}");
	free(body);
}

static void test_put_body_traffic_and_mirror(void)
{
	struct error err;
	static const char *const names[] = { "blue", "green", "shadow", NULL };
	/* Rolled back to blue: the mirror to shadow stays. */
	char *body = put(chat_get, "blue=100 green=0 shadow=0", names, &err);
	CHECK_STR(body, "{\"properties\":{\"description\":\"d\",\"authMode\":\"Key\",\"publicNetworkAccess\":"
			"\"Enabled\",\"traffic\":{\"blue\":100,\"green\":0,\"shadow\":0},\"mirrorTraffic\":"
			"{\"shadow\":20}},\"tags\":{\"team\":\"llm\"},\"location\":\"eastus\",\"kind\":\"Managed\","
			"\"identity\":{\"type\":\"SystemAssigned\"}}");
	free(body);
	/* Promoted to shadow: it takes live traffic, so no mirror to it. */
	body = put(chat_get, "blue=0 green=0 shadow=100", names, &err);
	cJSON *root = cJSON_Parse(body);
	cJSON *props = cJSON_GetObjectItem(root, "properties");
	cJSON *mirror = cJSON_GetObjectItem(props, "mirrorTraffic");
	CHECK(cJSON_IsObject(mirror) && mirror->child == NULL);
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(props, "traffic"), "shadow")->valueint == 100);
	cJSON_Delete(root);
	free(body);
}

static void test_put_body_refusals(void)
{
	struct error err;
	static const char *const names[] = { "blue", "green", "shadow", NULL };
	CHECK(put(chat_get, "blue=90 green=0", names, &err) == NULL);
	CHECK_STR(err.msg, "the new traffic split sums to 90%, not 100%");
	CHECK(put(chat_get, "blue=60 green=60", names, &err) == NULL);
	CHECK_STR(err.msg, "the new traffic split sums to 120%, not 100%");
	CHECK(put(chat_get, "blue=0 gone=100", names, &err) == NULL);
	CHECK_STR(err.msg, "no deployment gone on the endpoint; not changing its traffic");
	CHECK(put(chat_get, "", names, &err) == NULL);
	CHECK_STR(err.msg, "the new traffic split names no deployment");
	/* Without a list of deployments, the names are not checked. */
	char *body = put(chat_get, "other=100", NULL, &err);
	CHECK(body != NULL);
	free(body);
	/* More than 50% mirrored is refused, even as GET returned it. */
	const char *heavy = "{\"properties\":{\"traffic\":{\"a\":100},\"mirrorTraffic\":{\"b\":30,\"c\":30}}}";
	CHECK(put(heavy, "a=100", NULL, &err) == NULL);
	CHECK_STR(err.msg, "mirror traffic would be 60%; Azure ML allows at most 50%");
	/* ... unless the change takes one of them live. */
	body = put(heavy, "a=0 b=100", NULL, &err);
	CHECK_STR(body, "{\"properties\":{\"traffic\":{\"a\":0,\"b\":100},\"mirrorTraffic\":{\"c\":30}}}");
	free(body);
	CHECK(put("{\"properties\":{\"mirrorTraffic\":{\"b\":true}}}", "a=100", NULL, &err) == NULL);
	CHECK_STR(err.msg, "endpoint: mirrorTraffic of b is not a whole percentage 0..100");
	CHECK(put("{\"name\":\"x\"}", "a=100", NULL, &err) == NULL);
	CHECK_STR(err.msg, "endpoint: no \"properties\" object in the answer");
	/* Keys twice (or cut short by a NUL) are not guessed at. */
	CHECK(put("{\"properties\":{\"traffic\":{\"a\":1},\"x\":{\"traffic\":1},\"traffic\":{}}}", "a=100", NULL, &err) == NULL);
	CHECK_STR(err.msg, "endpoint: the key \"traffic\" appears twice in one object; not writing it back");
	const char nul[] = "{\"id\":1,\"properties\":{},\"id\0x\":2}";
	struct traffic_split one;
	traffic_split_init(&one);
	traffic_split_set(&one, "a", 100);
	CHECK(azureml_put_body(nul, sizeof nul - 1, &one, NULL, &err) == NULL);
	CHECK_STR(err.msg, "endpoint: the key \"id\" appears twice in one object; not writing it back");
	traffic_split_free(&one);
	/* A traffic map absent from GET is added. */
	body = put("{\"properties\":{}}", "a=100", NULL, &err);
	CHECK_STR(body, "{\"properties\":{\"traffic\":{\"a\":100}}}");
	free(body);
}

static int op(const char *json, enum azureml_op_status *st, char *why, struct error *err)
{
	return azureml_parse_operation(json, strlen(json), st, why, 200, err);
}

static void test_operation(void)
{
	enum azureml_op_status st;
	char why[200];
	struct error err;
	CHECK(op("{\"id\":\"x\",\"name\":\"op\",\"status\":\"InProgress\",\"startTime\":\"2026-12-02T04:00:00Z\"}", &st,
		 why, &err) == 0);
	CHECK(st == AZUREML_OP_RUNNING && why[0] == '\0');
	CHECK(op("{\"status\":\"Accepted\"}", &st, why, &err) == 0 && st == AZUREML_OP_RUNNING);
	CHECK(op("{\"status\":\"Succeeded\"}", &st, why, &err) == 0 && st == AZUREML_OP_SUCCEEDED);
	CHECK(op("{\"status\":\"Failed\",\"error\":{\"code\":\"DeploymentNotReady\",\"message\":\"Deployment\\r\\nd-1 "
		 "is not\\u001b[2J ready.\"}}", &st, why, &err) == 0);
	CHECK(st == AZUREML_OP_FAILED);
	CHECK_STR(why, "DeploymentNotReady: Deployment d-1 is not?[2J ready.");
	CHECK(op("{\"status\":\"Canceled\",\"error\":{\"message\":\"by user\"}}", &st, why, &err) == 0);
	CHECK(st == AZUREML_OP_CANCELED);
	CHECK_STR(why, "by user");
	CHECK(op("{\"status\":\"Failed\"}", &st, why, &err) == 0 && st == AZUREML_OP_FAILED && why[0] == '\0');
	CHECK(op("{\"state\":\"Failed\"}", &st, why, &err) == -1);
	CHECK_STR(err.msg, "the operation's status has no \"status\"");
	CHECK(op("", &st, why, &err) == -1);
	CHECK_STR(err.msg, "the operation's status is not JSON (at byte 0): (empty body)");
}

static void test_arm_error(void)
{
	struct error err;
	const char *conflict = "{\"error\":{\"code\":\"Conflict\",\"message\":\"Endpoint chat has an operation in "
			       "progress.\",\"details\":[],\"additionalInfo\":[]}}";
	CHECK(azureml_arm_error(409, conflict, strlen(conflict), &err) == -1);
	CHECK_STR(err.msg, "HTTP 409 (Conflict): Endpoint chat has an operation in progress.");
	const char *only_code = "{\"error\":{\"code\":\"ResourceNotFound\"}}";
	azureml_arm_error(404, only_code, strlen(only_code), &err);
	CHECK_STR(err.msg, "HTTP 404: ResourceNotFound");
	const char *html = "<html><body>502 Bad Gateway</body></html>";
	azureml_arm_error(502, html, strlen(html), &err);
	CHECK_STR(err.msg, "HTTP 502: <html><body>502 Bad Gateway</body></html>");
	azureml_arm_error(503, "", 0, &err);
	CHECK_STR(err.msg, "HTTP 503: (empty body)");
	const char *evil = "{\"error\":{\"code\":\"X\",\"message\":\"a\\u001b]0;owned\\u0007b\"}}";
	azureml_arm_error(400, evil, strlen(evil), &err);
	CHECK_STR(err.msg, "HTTP 400 (X): a?]0;owned?b");
}

static void test_state_busy(void)
{
	CHECK(azureml_state_busy("Updating"));
	CHECK(azureml_state_busy("Creating"));
	CHECK(azureml_state_busy("Deleting"));
	CHECK(!azureml_state_busy("Succeeded"));
	CHECK(!azureml_state_busy("Failed"));
	CHECK(!azureml_state_busy(NULL));
}

int main(void)
{
	RUN(test_urls);
	RUN(test_parse_endpoint_example);
	RUN(test_parse_endpoint_bad);
	RUN(test_parse_deployments);
	RUN(test_view);
	RUN(test_put_body_example);
	RUN(test_put_body_traffic_and_mirror);
	RUN(test_put_body_refusals);
	RUN(test_operation);
	RUN(test_arm_error);
	RUN(test_state_busy);
	return CHECK_EXIT();
}
