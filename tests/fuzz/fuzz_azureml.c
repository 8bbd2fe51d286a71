/* libFuzzer target for the Azure ML parsers: an endpoint, a deployments
 * page, an operation's status, an ARM error body and the PUT body built
 * from an endpoint. Any bytes must either parse into values within their
 * bounds or fail with one short printable line, and leave nothing
 * allocated. The first byte picks the parser; the rest is the body. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azureml.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const char *msg)
{
	if (!msg[0] || strlen(msg) > 200)
		abort();
	for (const unsigned char *s = (const unsigned char *)msg; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			abort();
}

static void check_split(const struct traffic_split *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (!s->entries[i].deployment[0] || s->entries[i].percent < 0 || s->entries[i].percent > 100)
			abort();
}

static void endpoint(const char *body, size_t len)
{
	struct azureml_endpoint e;
	struct error err;
	if (azureml_parse_endpoint(body, len, &e, &err) != 0) {
		check_message(err.msg);
		return;
	}
	check_split(&e.traffic);
	check_split(&e.mirror);
	struct target_view v;
	azureml_view(&e, NULL, &v);
	if (v.n != e.traffic.n)
		abort();
	target_view_free(&v);
	azureml_endpoint_free(&e);
}

static void deployments(const char *body, size_t len)
{
	struct azureml_deployments list = { 0 };
	struct error err;
	char *next;
	if (azureml_parse_deployments(body, len, &list, &next, &err) != 0) {
		check_message(err.msg);
		if (list.n || next)
			abort();
		return;
	}
	for (size_t i = 0; i < list.n; i++)
		if (!list.d[i].name[0] || list.d[i].instances < -1)
			abort();
	free(next);
	azureml_deployments_free(&list);
}

static void operation(const char *body, size_t len)
{
	enum azureml_op_status st;
	char why[256];
	struct error err;
	if (azureml_parse_operation(body, len, &st, why, sizeof why, &err) != 0) {
		check_message(err.msg);
		return;
	}
	if (st != AZUREML_OP_RUNNING && st != AZUREML_OP_SUCCEEDED && st != AZUREML_OP_FAILED &&
	    st != AZUREML_OP_CANCELED)
		abort();
	if (why[0])
		check_message(why);
}

/* The body built from any endpoint is JSON with the traffic asked for and
 * none of the read-only fields. */
static void put_body(const char *body, size_t len)
{
	struct traffic_split s;
	traffic_split_init(&s);
	traffic_split_set(&s, "blue", 100);
	traffic_split_set(&s, "green", 0);
	struct error err;
	char *put = azureml_put_body(body, len, &s, NULL, &err);
	traffic_split_free(&s);
	if (!put) {
		check_message(err.msg);
		return;
	}
	cJSON *root = cJSON_Parse(put);
	cJSON *props = cJSON_GetObjectItemCaseSensitive(root, "properties");
	cJSON *traffic = cJSON_GetObjectItemCaseSensitive(props, "traffic");
	if (!root || cJSON_GetObjectItemCaseSensitive(root, "id") || cJSON_GetObjectItemCaseSensitive(root, "systemData") ||
	    cJSON_GetObjectItemCaseSensitive(props, "provisioningState") ||
	    cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(traffic, "blue")) != 100)
		abort();
	cJSON_Delete(root);
	free(put);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	char *body = fuzz_text(data, size, 1, &len);
	if (!body)
		return 0;
	unsigned pick = data[0];
	struct error err;
	switch (pick % 5) {
	case 0:
		endpoint(body, len);
		break;
	case 1:
		deployments(body, len);
		break;
	case 2:
		operation(body, len);
		break;
	case 3:
		azureml_arm_error(400 + pick % 200, body, len, &err);
		check_message(err.msg);
		break;
	case 4:
		put_body(body, len);
		break;
	}
	free(body);
	return 0;
}
