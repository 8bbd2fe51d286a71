/* The Azure Monitor query client's pure parts: URL and body builders, and
 * the response parser on the documentation's own examples (every value a
 * string), the same data typed as the live service sends it, and the
 * error bodies the service and its gateway return. */
#include <stdint.h>

#include "azmon.h"
#include "check.h"
#include "xalloc.h"

/* The responses.200.body of two examples from Azure/azure-rest-api-specs
 * (MIT): Log Analytics "oms-post-example.json" and Application Insights
 * "query-post.json", reformatted one row to a line; the *_typed copies
 * carry the numbers and booleans as JSON values. */
static const char appinsights_example[] =
	"{\"tables\": [\n"
	" {\"name\": \"PrimaryResult\",\n"
	"  \"columns\": [\n"
	"   {\"name\": \"timestamp\", \"type\": \"datetime\"},\n"
	"   {\"name\": \"count_\", \"type\": \"long\"}\n"
	"  ],\n"
	"  \"rows\": [\n"
	"   [\"2018-02-02T05:00:00Z\", \"255\"],\n"
	"   [\"2018-02-01T17:00:00Z\", \"148\"],\n"
	"   [\"2018-02-01T18:00:00Z\", \"453\"],\n"
	"   [\"2018-02-01T19:00:00Z\", \"404\"],\n"
	"   [\"2018-02-01T20:00:00Z\", \"403\"],\n"
	"   [\"2018-02-01T21:00:00Z\", \"405\"],\n"
	"   [\"2018-02-01T22:00:00Z\", \"438\"],\n"
	"   [\"2018-02-01T23:00:00Z\", \"403\"],\n"
	"   [\"2018-02-02T00:00:00Z\", \"423\"],\n"
	"   [\"2018-02-02T01:00:00Z\", \"403\"],\n"
	"   [\"2018-02-02T02:00:00Z\", \"425\"],\n"
	"   [\"2018-02-02T03:00:00Z\", \"437\"],\n"
	"   [\"2018-02-02T04:00:00Z\", \"420\"]\n"
	"  ]}\n"
	"]}\n";

static const char loganalytics_example[] =
	"{\"tables\": [\n"
	" {\"name\": \"PrimaryResult\",\n"
	"  \"columns\": [\n"
	"   {\"name\": \"TenantId\", \"type\": \"string\"},\n"
	"   {\"name\": \"Computer\", \"type\": \"string\"},\n"
	"   {\"name\": \"TimeGenerated\", \"type\": \"datetime\"},\n"
	"   {\"name\": \"SourceSystem\", \"type\": \"string\"},\n"
	"   {\"name\": \"StartTime\", \"type\": \"datetime\"},\n"
	"   {\"name\": \"EndTime\", \"type\": \"datetime\"},\n"
	"   {\"name\": \"ResourceUri\", \"type\": \"string\"},\n"
	"   {\"name\": \"LinkedResourceUri\", \"type\": \"string\"},\n"
	"   {\"name\": \"DataType\", \"type\": \"string\"},\n"
	"   {\"name\": \"Solution\", \"type\": \"string\"},\n"
	"   {\"name\": \"BatchesWithinSla\", \"type\": \"long\"},\n"
	"   {\"name\": \"BatchesOutsideSla\", \"type\": \"long\"},\n"
	"   {\"name\": \"BatchesCapped\", \"type\": \"long\"},\n"
	"   {\"name\": \"TotalBatches\", \"type\": \"long\"},\n"
	"   {\"name\": \"AvgLatencyInSeconds\", \"type\": \"real\"},\n"
	"   {\"name\": \"Quantity\", \"type\": \"real\"},\n"
	"   {\"name\": \"QuantityUnit\", \"type\": \"string\"},\n"
	"   {\"name\": \"IsBillable\", \"type\": \"bool\"},\n"
	"   {\"name\": \"MeterId\", \"type\": \"string\"},\n"
	"   {\"name\": \"LinkedMeterId\", \"type\": \"string\"},\n"
	"   {\"name\": \"Type\", \"type\": \"string\"}\n"
	"  ],\n"
	"  \"rows\": [\n"
	"   [\"b438b4f6-912a-46d5-9cb1-b44069212abc\", \"ContosoSQLSrv1\","
	" \"2017-08-24T06:59:59Z\", \"OMS\", \"2017-08-24T06:00:00Z\","
	" \"2017-08-24T06:59:59Z\","
	" \"/subscriptions/e4272367-5645-4c4e-9c67-3b74b59a6982/resourcegroups/contosoazurehq/providers/microsoft.operationalinsights/workspaces/contosoretail-it\","
	" null, \"Perf\", \"LogManagement\", \"1\", \"0\", \"0\", \"1\", \"1.286\","
	" \"0.076408\", \"MBytes\", \"true\", \"a4e29a95-5b4c-408b-80e3-113f9410566e\","
	" \"00000000-0000-0000-0000-000000000000\", \"Usage\"],\n"
	"   [\"b438b4f6-912a-46d5-9cb1-b44069212abc\", \"Store010Web3\","
	" \"2017-08-24T06:59:59Z\", \"OMS\", \"2017-08-24T06:00:00Z\","
	" \"2017-08-24T06:59:59Z\","
	" \"/subscriptions/e4272367-5645-4c4e-9c67-3b74b59a6982/resourcegroups/contosoazurehq/providers/microsoft.operationalinsights/workspaces/contosoretail-it\","
	" null, \"Perf\", \"LogManagement\", \"1\", \"0\", \"0\", \"1\", \"1.7\","
	" \"0.106767\", \"MBytes\", \"true\", \"a4e29a95-5b4c-408b-80e3-113f9410566e\","
	" \"00000000-0000-0000-0000-000000000000\", \"Usage\"]\n"
	"  ]}\n"
	"]}\n";

static const char appinsights_typed[] =
	"{\"tables\": [\n"
	" {\"name\": \"PrimaryResult\",\n"
	"  \"columns\": [\n"
	"   {\"name\": \"timestamp\", \"type\": \"datetime\"},\n"
	"   {\"name\": \"count_\", \"type\": \"long\"}\n"
	"  ],\n"
	"  \"rows\": [\n"
	"   [\"2018-02-02T05:00:00Z\", 255],\n"
	"   [\"2018-02-01T17:00:00Z\", 148],\n"
	"   [\"2018-02-01T18:00:00Z\", 453],\n"
	"   [\"2018-02-01T19:00:00Z\", 404],\n"
	"   [\"2018-02-01T20:00:00Z\", 403],\n"
	"   [\"2018-02-01T21:00:00Z\", 405],\n"
	"   [\"2018-02-01T22:00:00Z\", 438],\n"
	"   [\"2018-02-01T23:00:00Z\", 403],\n"
	"   [\"2018-02-02T00:00:00Z\", 423],\n"
	"   [\"2018-02-02T01:00:00Z\", 403],\n"
	"   [\"2018-02-02T02:00:00Z\", 425],\n"
	"   [\"2018-02-02T03:00:00Z\", 437],\n"
	"   [\"2018-02-02T04:00:00Z\", 420]\n"
	"  ]}\n"
	"]}\n";

static const char loganalytics_typed[] =
	"{\"tables\": [\n"
	" {\"name\": \"PrimaryResult\",\n"
	"  \"columns\": [\n"
	"   {\"name\": \"TenantId\", \"type\": \"string\"},\n"
	"   {\"name\": \"Computer\", \"type\": \"string\"},\n"
	"   {\"name\": \"TimeGenerated\", \"type\": \"datetime\"},\n"
	"   {\"name\": \"SourceSystem\", \"type\": \"string\"},\n"
	"   {\"name\": \"StartTime\", \"type\": \"datetime\"},\n"
	"   {\"name\": \"EndTime\", \"type\": \"datetime\"},\n"
	"   {\"name\": \"ResourceUri\", \"type\": \"string\"},\n"
	"   {\"name\": \"LinkedResourceUri\", \"type\": \"string\"},\n"
	"   {\"name\": \"DataType\", \"type\": \"string\"},\n"
	"   {\"name\": \"Solution\", \"type\": \"string\"},\n"
	"   {\"name\": \"BatchesWithinSla\", \"type\": \"long\"},\n"
	"   {\"name\": \"BatchesOutsideSla\", \"type\": \"long\"},\n"
	"   {\"name\": \"BatchesCapped\", \"type\": \"long\"},\n"
	"   {\"name\": \"TotalBatches\", \"type\": \"long\"},\n"
	"   {\"name\": \"AvgLatencyInSeconds\", \"type\": \"real\"},\n"
	"   {\"name\": \"Quantity\", \"type\": \"real\"},\n"
	"   {\"name\": \"QuantityUnit\", \"type\": \"string\"},\n"
	"   {\"name\": \"IsBillable\", \"type\": \"bool\"},\n"
	"   {\"name\": \"MeterId\", \"type\": \"string\"},\n"
	"   {\"name\": \"LinkedMeterId\", \"type\": \"string\"},\n"
	"   {\"name\": \"Type\", \"type\": \"string\"}\n"
	"  ],\n"
	"  \"rows\": [\n"
	"   [\"b438b4f6-912a-46d5-9cb1-b44069212abc\", \"ContosoSQLSrv1\","
	" \"2017-08-24T06:59:59Z\", \"OMS\", \"2017-08-24T06:00:00Z\","
	" \"2017-08-24T06:59:59Z\","
	" \"/subscriptions/e4272367-5645-4c4e-9c67-3b74b59a6982/resourcegroups/contosoazurehq/providers/microsoft.operationalinsights/workspaces/contosoretail-it\","
	" null, \"Perf\", \"LogManagement\", 1, 0, 0, 1, 1.286, 0.076408, \"MBytes\", true,"
	" \"a4e29a95-5b4c-408b-80e3-113f9410566e\", \"00000000-0000-0000-0000-000000000000\","
	" \"Usage\"],\n"
	"   [\"b438b4f6-912a-46d5-9cb1-b44069212abc\", \"Store010Web3\","
	" \"2017-08-24T06:59:59Z\", \"OMS\", \"2017-08-24T06:00:00Z\","
	" \"2017-08-24T06:59:59Z\","
	" \"/subscriptions/e4272367-5645-4c4e-9c67-3b74b59a6982/resourcegroups/contosoazurehq/providers/microsoft.operationalinsights/workspaces/contosoretail-it\","
	" null, \"Perf\", \"LogManagement\", 1, 0, 0, 1, 1.7, 0.106767, \"MBytes\", true,"
	" \"a4e29a95-5b4c-408b-80e3-113f9410566e\", \"00000000-0000-0000-0000-000000000000\","
	" \"Usage\"]\n"
	"  ]}\n"
	"]}\n";

static const char json_type[] = "application/json; charset=utf-8";

/* Parses a NUL-terminated body; the message of a failure in *msg. */
static int parse(long status, const char *type, const char *body, struct kql_result *r, char *msg,
		 size_t size)
{
	struct error err = { 0 };
	int rc = azmon_parse(status, type, body, strlen(body), r, &err);
	snprintf(msg, size, "%s", err.msg);
	return rc;
}

/* The message for a body that must fail. */
static const char *failure(long status, const char *type, const char *body)
{
	static char msg[512];
	struct kql_result r;
	if (parse(status, type, body, &r, msg, sizeof msg) == 0) {
		kql_result_free(&r);
		return "(parsed)";
	}
	if (r.tables || r.n_tables)
		return "(failed but left tables)";
	return msg;
}

static void check_cell_string(const struct kql_table *t, size_t row, const char *col, const char *want)
{
	int c = kql_column(t, col);
	CHECK(c >= 0);
	if (c < 0)
		return;
	const struct kql_cell *cell = kql_cell_at(t, row, (size_t)c);
	CHECK(cell->type == KQL_STRING);
	CHECK_STR(cell->str, want);
}

static double cell_number(const struct kql_table *t, size_t row, const char *col)
{
	int c = kql_column(t, col);
	double x = NAN;
	if (c < 0 || !kql_cell_number(kql_cell_at(t, row, (size_t)c), &x))
		return NAN;
	return x;
}

static void test_appinsights_example(void)
{
	static const char *const bodies[] = { appinsights_example, appinsights_typed };
	for (int typed = 0; typed < 2; typed++) {
		struct kql_result r;
		char msg[512];
		CHECK(parse(200, json_type, bodies[typed], &r, msg, sizeof msg) == 0);
		CHECK_STR(msg, "");
		CHECK(r.n_tables == 1);
		if (r.n_tables != 1)
			continue;
		const struct kql_table *t = &r.tables[0];
		CHECK_STR(t->name, "PrimaryResult");
		CHECK(t->n_cols == 2 && t->n_rows == 13);
		CHECK_STR(t->col_names[0], "timestamp");
		CHECK_STR(t->col_types[0], "datetime");
		CHECK_STR(t->col_names[1], "count_");
		CHECK_STR(t->col_types[1], "long");
		CHECK(kql_column(t, "count_") == 1);
		CHECK(kql_column(t, "Count_") == -1);
		check_cell_string(t, 0, "timestamp", "2018-02-02T05:00:00Z");
		check_cell_string(t, 12, "timestamp", "2018-02-02T04:00:00Z");
		CHECK(kql_cell_at(t, 0, 1)->type == (typed ? KQL_NUMBER : KQL_STRING));
		CHECK_NEAR(cell_number(t, 0, "count_"), 255, 0);
		CHECK_NEAR(cell_number(t, 12, "count_"), 420, 0);
		double sum = 0;
		for (size_t i = 0; i < t->n_rows; i++)
			sum += cell_number(t, i, "count_");
		CHECK_NEAR(sum, 5017, 0);
		kql_result_free(&r);
		CHECK(r.tables == NULL && r.n_tables == 0);
	}
}

static void test_loganalytics_example(void)
{
	static const char *const bodies[] = { loganalytics_example, loganalytics_typed };
	for (int typed = 0; typed < 2; typed++) {
		struct kql_result r;
		char msg[512];
		CHECK(parse(200, "application/json", bodies[typed], &r, msg, sizeof msg) == 0);
		CHECK(r.n_tables == 1);
		if (r.n_tables != 1)
			continue;
		const struct kql_table *t = &r.tables[0];
		CHECK(t->n_cols == 21 && t->n_rows == 2);
		CHECK_STR(t->col_names[20], "Type");
		CHECK_STR(t->col_types[17], "bool");
		check_cell_string(t, 0, "Computer", "ContosoSQLSrv1");
		check_cell_string(t, 1, "Computer", "Store010Web3");
		check_cell_string(t, 1, "QuantityUnit", "MBytes");
		/* The null cell. */
		int linked = kql_column(t, "LinkedResourceUri");
		CHECK(linked == 7);
		const struct kql_cell *c = kql_cell_at(t, 0, 7);
		CHECK(c->type == KQL_NULL && c->str == NULL);
		double x = 42;
		CHECK(!kql_cell_number(c, &x) && x == 42);
		/* Numbers, as strings or typed. */
		CHECK_NEAR(cell_number(t, 0, "AvgLatencyInSeconds"), 1.286, 1e-12);
		CHECK_NEAR(cell_number(t, 1, "AvgLatencyInSeconds"), 1.7, 1e-12);
		CHECK_NEAR(cell_number(t, 0, "Quantity"), 0.076408, 1e-12);
		CHECK_NEAR(cell_number(t, 0, "TotalBatches"), 1, 0);
		CHECK_NEAR(cell_number(t, 0, "BatchesCapped"), 0, 0);
		/* A number column's string that is not a number reads as no data. */
		CHECK(isnan(cell_number(t, 0, "Computer")));
		const struct kql_cell *billable = kql_cell_at(t, 0, 17);
		if (typed) {
			CHECK(billable->type == KQL_BOOL && billable->b);
			CHECK(!kql_cell_number(billable, &x));
		} else {
			CHECK(billable->type == KQL_STRING);
			CHECK_STR(billable->str, "true");
		}
		kql_result_free(&r);
	}
}

static struct kql_cell string_cell(const char *s)
{
	return (struct kql_cell){ .type = KQL_STRING, .str = (char *)s };
}

static void test_cell_number(void)
{
	static const struct {
		const char *s;
		bool ok;
		double want;
	} cases[] = {
		{ "255", true, 255 },	    { "1.286", true, 1.286 },  { "-2.5", true, -2.5 },
		{ "1e3", true, 1000 },	    { "2.5E-1", true, 0.25 },   { "+7", true, 7 },
		{ "0", true, 0 },	    { "NaN", false, 0 },	{ "Infinity", false, 0 },
		{ "-Infinity", false, 0 },  { "nan", false, 0 },	{ "inf", false, 0 },
		{ "1e999", false, 0 },	    { "", false, 0 },		{ " 1", false, 0 },
		{ "1 ", false, 0 },	    { "1x", false, 0 },		{ "0x10", false, 0 },
		{ "1.", false, 0 },	    { ".5", false, 0 },		{ "1e", false, 0 },
		{ "-", false, 0 },	    { "1,5", false, 0 },	{ "true", false, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kql_cell c = string_cell(cases[i].s);
		double x = -99;
		bool ok = kql_cell_number(&c, &x);
		if (ok != cases[i].ok || (ok && fabs(x - cases[i].want) > 1e-12)) {
			printf("#   \"%s\": %s %g\n", cases[i].s, ok ? "true" : "false", x);
			check_current_failures++;
		}
	}
	double x = 0;
	struct kql_cell c = { .type = KQL_NUMBER, .num = NAN };
	CHECK(!kql_cell_number(&c, &x));
	c.num = INFINITY;
	CHECK(!kql_cell_number(&c, &x));
	c.num = -0.5;
	CHECK(kql_cell_number(&c, &x) && x == -0.5);
	c = (struct kql_cell){ .type = KQL_BOOL, .b = true };
	CHECK(!kql_cell_number(&c, &x));
	c = (struct kql_cell){ .type = KQL_NULL };
	CHECK(!kql_cell_number(&c, &x));
}

/* Several tables, an empty one, a dynamic value, and a "NaN" from a real
 * column that had no data. */
static void test_tables_and_values(void)
{
	const char *body =
		"{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"bin\",\"type\":\"datetime\"},"
		"{\"name\":\"ratio\",\"type\":\"real\"},{\"name\":\"props\",\"type\":\"dynamic\"},"
		"{\"name\":\"ok\",\"type\":\"bool\"}],"
		"\"rows\":[[\"2024-09-13T17:13:00Z\",\"NaN\",{\"a\":[1,2]},false],"
		"[\"2024-09-13T17:14:00Z\",0.031,null,null]]},"
		"{\"name\":\"Empty\",\"columns\":[],\"rows\":[]},"
		"{\"columns\":[{\"name\":\"n\"}],\"rows\":[]}]}";
	struct kql_result r;
	char msg[512];
	CHECK(parse(200, "Application/JSON ;charset=UTF-8", body, &r, msg, sizeof msg) == 0);
	CHECK_STR(msg, "");
	CHECK(r.n_tables == 3);
	if (r.n_tables != 3)
		return;
	const struct kql_table *t = &r.tables[0];
	CHECK(t->n_rows == 2 && t->n_cols == 4);
	CHECK(isnan(cell_number(t, 0, "ratio")));
	CHECK_NEAR(cell_number(t, 1, "ratio"), 0.031, 1e-12);
	const struct kql_cell *props = kql_cell_at(t, 0, 2);
	CHECK(props->type == KQL_STRING);
	CHECK_STR(props->str, "{\"a\":[1,2]}");
	CHECK(kql_cell_at(t, 0, 3)->type == KQL_BOOL && !kql_cell_at(t, 0, 3)->b);
	CHECK(kql_cell_at(t, 1, 2)->type == KQL_NULL);
	CHECK_STR(r.tables[1].name, "Empty");
	CHECK(r.tables[1].n_cols == 0 && r.tables[1].n_rows == 0);
	CHECK(kql_column(&r.tables[1], "n") == -1);
	CHECK_STR(r.tables[2].name, "");
	CHECK_STR(r.tables[2].col_types[0], "");
	kql_result_free(&r);

	CHECK(parse(200, json_type, "{\"tables\":[]}", &r, msg, sizeof msg) == 0 && r.n_tables == 0);
	kql_result_free(&r);
	/* An "error": null beside the tables is no error. */
	CHECK(parse(200, json_type, "{\"tables\":[],\"error\":null}", &r, msg, sizeof msg) == 0);
	kql_result_free(&r);
}

/* A 200 that carries an error beside its tables is a failed query: the
 * service's partial result, which must not read as data. */
static void test_partial_error(void)
{
	const char *body =
		"{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"c\",\"type\":\"long\"}],"
		"\"rows\":[[1]]}],"
		"\"error\":{\"code\":\"PartialError\",\"message\":\"There were some errors when processing "
		"your query.\",\"details\":[{\"code\":\"EngineError\",\"message\":\"Something went wrong "
		"processing your query on the server.\",\"innererror\":{\"code\":\"-2133196797\","
		"\"message\":\"Query execution has exceeded the allowed limits (80DA0003): The results of "
		"this query exceed the set limit of 64000000 bytes, so not all records were returned "
		"(E_QUERY_RESULT_SET_TOO_LARGE, 0x80DA0003).\",\"severity\":2,\"severityName\":\"Error\"}}]}}";
	CHECK_STR(failure(200, json_type, body),
		  "Azure Monitor PartialError: There were some errors when processing your query. "
		  "(EngineError: Query execution has exceeded the allowed limits (80DA0003): The results of "
		  "this query exceed the set lim...");
	/* Details with no inner error, and none at all. */
	CHECK_STR(failure(200, json_type,
			  "{\"tables\":[],\"error\":{\"code\":\"PartialError\",\"message\":\"Some errors.\","
			  "\"details\":[{\"code\":\"EngineError\",\"message\":\"Out of memory.\"}]}}"),
		  "Azure Monitor PartialError: Some errors. (EngineError: Out of memory.)");
	CHECK_STR(failure(200, json_type, "{\"error\":{\"code\":\"PartialError\",\"message\":\"Some errors.\"}}"),
		  "Azure Monitor PartialError: Some errors.");
	CHECK_STR(failure(200, json_type, "{\"tables\":[],\"error\":{}}"),
		  "Azure Monitor error (with no code or message)");
}

static void test_http_errors(void)
{
	CHECK_STR(failure(403, json_type,
			  "{\"error\":{\"message\":\"The provided credentials have insufficient access to "
			  "perform the requested operation\",\"code\":\"InsufficientAccessError\","
			  "\"correlationId\":\"1b9c3a52-0d6f-4d4b-a3b4-6e0c1a1f3f37\"}}"),
		  "HTTP 403 InsufficientAccessError: The provided credentials have insufficient access to "
		  "perform the requested operation");
	CHECK_STR(failure(401, json_type,
			  "{\"error\":{\"message\":\"The provided authentication is not valid for this "
			  "resource\",\"code\":\"InvalidTokenError\",\"correlationId\":\"x\",\"innererror\":"
			  "{\"code\":\"SignatureVerificationFailed\",\"message\":\"Signature validation "
			  "failed\"}}}"),
		  "HTTP 401 InvalidTokenError: The provided authentication is not valid for this resource "
		  "(SignatureVerificationFailed: Signature validation failed)");
	CHECK_STR(failure(401, NULL,
			  "{\"error\":{\"code\":\"InvalidAuthenticationTokenAudience\",\"message\":\"The "
			  "access token has been obtained for wrong audience or resource "
			  "'https://management.azure.com'.\"}}"),
		  "HTTP 401 InvalidAuthenticationTokenAudience: The access token has been obtained for "
		  "wrong audience or resource 'https://management.azure.com'.");
	CHECK_STR(failure(401, json_type, "{\"error\":{\"code\":\"AuthorizationFailed\"}}"),
		  "HTTP 401 AuthorizationFailed");
	/* A bad query: the deepest inner error says where. */
	CHECK_STR(failure(400, json_type,
			  "{\"error\":{\"message\":\"The request had some invalid properties\",\"code\":"
			  "\"BadArgumentError\",\"innererror\":{\"code\":\"SyntaxError\",\"message\":\"A "
			  "recognition error occurred in the query.\",\"innererror\":{\"code\":\"SYN0002\","
			  "\"message\":\"Query could not be parsed at 'x' on line [1,5]\",\"line\":1,\"pos\":5}}}}"),
		  "HTTP 400 BadArgumentError: The request had some invalid properties (SyntaxError: Query "
		  "could not be parsed at 'x' on line [1,5])");
	/* Not JSON: a proxy's page, shown in part. */
	CHECK_STR(failure(502, "text/html",
			  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 "
			  "Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"),
		  "HTTP 502: <html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad "
		  "Gateway</h1></cente");
	CHECK_STR(failure(503, NULL, ""), "HTTP 503: (empty body)");
	CHECK_STR(failure(500, json_type, "{\"message\":\"oops\"}"), "HTTP 500: {\"message\":\"oops\"}");
	CHECK_STR(failure(429, json_type, "{\"error\":\"Too many requests\"}"), "HTTP 429 Too many requests");
}

static void test_content_type(void)
{
	CHECK_STR(failure(200, "text/html; charset=utf-8", "<html>Sign in to continue</html>"),
		  "HTTP 200 with content type \"text/html; charset=utf-8\" (expected application/json): "
		  "<html>Sign in to continue</html>");
	CHECK_STR(failure(200, NULL, "{\"tables\":[]}"),
		  "HTTP 200 with no content type (expected application/json): {\"tables\":[]}");
	CHECK_STR(failure(200, "application/jsonp", "{\"tables\":[]}"),
		  "HTTP 200 with content type \"application/jsonp\" (expected application/json): "
		  "{\"tables\":[]}");
	CHECK_STR(failure(200, json_type, ""), "HTTP 200 with an empty body (expected JSON)");
}

static void test_invalid_json(void)
{
	/* The example cut short in a string, as a dropped connection leaves
	 * it: cJSON points just inside the string. */
	char *cut = xstrdup(appinsights_example);
	char *at = strstr(cut, "\"453\"");
	at[3] = '\0';
	char want[64];
	snprintf(want, sizeof want, "invalid JSON at byte %zu (of %zu)", (size_t)(at - cut) + 1, strlen(cut));
	CHECK_STR(failure(200, json_type, cut), want);
	free(cut);
	CHECK_STR(failure(200, json_type, "{\"tables\":[{\"name\":\"a\",\"columns\":[], \"rows\":["),
		  "invalid JSON at byte 44 (of 45)");
	CHECK_STR(failure(200, json_type, "{\"tables\":[]} x"), "invalid JSON at byte 14 (of 15)");
	CHECK_STR(failure(200, json_type, "{\"tables\":[]}\n"), "(parsed)");
	CHECK_STR(failure(200, json_type, "{\"tables\":[,]}"), "invalid JSON at byte 11 (of 14)");

	/* A NUL inside the length given is not JSON either. */
	struct kql_result r;
	struct error err;
	CHECK(azmon_parse(200, json_type, "{\"tables\":[]}\0", 14, &r, &err) < 0);
	CHECK_STR(err.msg, "invalid JSON at byte 13 (of 14)");
}

static void test_shape(void)
{
	CHECK_STR(failure(200, json_type,
			  "{\"tables\":[{\"name\":\"t\",\"columns\":[{\"name\":\"a\",\"type\":\"long\"},{\"name\":"
			  "\"b\",\"type\":\"long\"},{\"name\":\"c\",\"type\":\"long\"},{\"name\":\"d\",\"type\":"
			  "\"long\"}],\"rows\":[[1,2,3,4],[1,2,3,4],[1,2,3]]}]}"),
		  "unexpected response: $.tables[0].rows[2] has 3 values for 4 columns");
	CHECK_STR(failure(200, json_type,
			  "{\"tables\":[{\"columns\":[{\"name\":\"a\"}],\"rows\":[[1,2]]}]}"),
		  "unexpected response: $.tables[0].rows[0] has 2 values for 1 column");
	CHECK_STR(failure(200, json_type, "[]"), "unexpected response: $: expected an object with tables, got an array");
	CHECK_STR(failure(200, json_type, "{}"), "unexpected response: $.tables: expected an array, got nothing");
	CHECK_STR(failure(200, json_type, "{\"tables\":{}}"),
		  "unexpected response: $.tables: expected an array, got an object");
	CHECK_STR(failure(200, json_type, "{\"tables\":[{\"columns\":[],\"rows\":[]},7]}"),
		  "unexpected response: $.tables[1]: expected an object with columns and rows, got 7");
	CHECK_STR(failure(200, json_type, "{\"tables\":[{\"name\":5,\"columns\":[],\"rows\":[]}]}"),
		  "unexpected response: $.tables[0].name: expected a string, got 5");
	CHECK_STR(failure(200, json_type, "{\"tables\":[{\"rows\":[]}]}"),
		  "unexpected response: $.tables[0].columns: expected an array, got nothing");
	CHECK_STR(failure(200, json_type, "{\"tables\":[{\"columns\":[]}]}"),
		  "unexpected response: $.tables[0].rows: expected an array, got nothing");
	CHECK_STR(failure(200, json_type,
			  "{\"tables\":[{\"columns\":[{\"name\":\"a\"},{\"name\":null}],\"rows\":[]}]}"),
		  "unexpected response: $.tables[0].columns[1].name: expected a string, got null");
	CHECK_STR(failure(200, json_type,
			  "{\"tables\":[{\"columns\":[{\"name\":\"a\",\"type\":[]}],\"rows\":[]}]}"),
		  "unexpected response: $.tables[0].columns[0].type: expected a string, got an array");
	CHECK_STR(failure(200, json_type, "{\"tables\":[{\"columns\":[\"a\"],\"rows\":[]}]}"),
		  "unexpected response: $.tables[0].columns[0]: expected an object with a name and a type, "
		  "got \"a\"");
	CHECK_STR(failure(200, json_type,
			  "{\"tables\":[{\"columns\":[{\"name\":\"a\"}],\"rows\":[[1],{\"a\":1}]}]}"),
		  "unexpected response: $.tables[0].rows[1]: expected an array of values, got an object");
}

/* Appends n copies of piece to a growing buffer. */
static char *repeat(char *buf, size_t *len, const char *piece, size_t n)
{
	size_t k = strlen(piece);
	buf = xrealloc(buf, *len + k * n + 1);
	for (size_t i = 0; i < n; i++, *len += k)
		memcpy(buf + *len, piece, k);
	buf[*len] = '\0';
	return buf;
}

static void test_bounds(void)
{
	size_t len = 0;
	char *b = repeat(NULL, &len, "{\"tables\":[", 1);
	b = repeat(b, &len, "{\"columns\":[],\"rows\":[]},", AZMON_MAX_TABLES);
	b = repeat(b, &len, "{\"columns\":[],\"rows\":[]}]}", 1);
	CHECK_STR(failure(200, json_type, b), "unexpected response: $.tables has 101 tables (at most 100)");
	free(b);

	len = 0;
	b = repeat(NULL, &len, "{\"tables\":[{\"columns\":[", 1);
	b = repeat(b, &len, "{\"name\":\"c\"},", AZMON_MAX_COLUMNS);
	b = repeat(b, &len, "{\"name\":\"c\"}],\"rows\":[]}]}", 1);
	CHECK_STR(failure(200, json_type, b),
		  "unexpected response: $.tables[0].columns has 1001 columns (at most 1000)");
	free(b);

	/* 1000 columns by 600 rows in each of two tables: the second table
	 * passes the limit on cells in all. */
	len = 0;
	b = repeat(NULL, &len, "{\"tables\":[", 1);
	for (int t = 0; t < 2; t++) {
		b = repeat(b, &len, "{\"columns\":[", 1);
		b = repeat(b, &len, "{\"name\":\"c\"},", AZMON_MAX_COLUMNS - 1);
		b = repeat(b, &len, "{\"name\":\"c\"}],\"rows\":[", 1);
		for (int i = 0; i < 600; i++) {
			b = repeat(b, &len, "[", 1);
			b = repeat(b, &len, "0,", AZMON_MAX_COLUMNS - 1);
			b = repeat(b, &len, i < 599 ? "0]," : "0]", 1);
		}
		b = repeat(b, &len, t == 0 ? "]}," : "]}]}", 1);
	}
	CHECK_STR(failure(200, json_type, b),
		  "unexpected response: $.tables[1].rows: 600 rows of 1000 columns make more than 1000000 "
		  "cells in all (narrow the query)");
	free(b);
}

/* The service's words reach a terminal: controls go, lines join, and a
 * long message is cut on a character boundary. */
static void test_messages_sanitised(void)
{
	CHECK_STR(failure(403, json_type,
			  "{\"error\":{\"code\":\"Forbidden\",\"message\":\"no\\r\\n\\r\\naccess\\u001b[31m "
			  "\\u00e9\\u009b\"}}"),
		  "HTTP 403 Forbidden: no access?[31m é??");
	size_t len = 0;
	char *b = repeat(NULL, &len, "{\"error\":{\"code\":\"Long\",\"message\":\"", 1);
	b = repeat(b, &len, "\xc3\xa9", 200);
	b = repeat(b, &len, "\"}}", 1);
	const char *msg = failure(400, json_type, b);
	CHECK(strlen(msg) <= 200);
	CHECK(strncmp(msg, "HTTP 400 Long: \xc3\xa9", 17) == 0);
	CHECK(strcmp(msg + strlen(msg) - 5, "\xc3\xa9...") == 0);
	free(b);
}

static void test_query_url(void)
{
	char *u = azmon_query_url(false, "https://api.loganalytics.io", "63613592-b6f7-4c3d-a390-22ba13102111");
	CHECK_STR(u, "https://api.loganalytics.io/v1/workspaces/63613592-b6f7-4c3d-a390-22ba13102111/query");
	free(u);
	u = azmon_query_url(true, "https://api.applicationinsights.io//", "34adfa4f-cedf-4dc0-ba29-b6d1a69ab345");
	CHECK_STR(u, "https://api.applicationinsights.io/v1/apps/34adfa4f-cedf-4dc0-ba29-b6d1a69ab345/query");
	free(u);
	u = azmon_query_url(false, "http://127.0.0.1:8080/", "a/b c?d#e%");
	CHECK_STR(u, "http://127.0.0.1:8080/v1/workspaces/a%2Fb%20c%3Fd%23e%25/query");
	free(u);
}

static void test_query_body(void)
{
	const int64_t t0 = 1726247552000; /* 2024-09-13T17:12:32Z */
	char *b = azmon_query_body("requests\n| where name == \"POST /score\" and url has '\\\\'\n| count",
				   t0, t0 + 60000);
	CHECK_STR(b, "{\"query\":\"requests\\n| where name == \\\"POST /score\\\" and url has '\\\\\\\\'\\n| "
		     "count\",\"timespan\":\"2024-09-13T17:12:32.000Z/2024-09-13T17:13:32.000Z\"}");
	free(b);
	b = azmon_query_body("", t0 + 1, t0 + 999);
	CHECK_STR(b, "{\"query\":\"\",\"timespan\":\"2024-09-13T17:12:32.001Z/2024-09-13T17:12:32.999Z\"}");
	free(b);
}

int main(void)
{
	RUN(test_appinsights_example);
	RUN(test_loganalytics_example);
	RUN(test_cell_number);
	RUN(test_tables_and_values);
	RUN(test_partial_error);
	RUN(test_http_errors);
	RUN(test_content_type);
	RUN(test_invalid_json);
	RUN(test_shape);
	RUN(test_bounds);
	RUN(test_messages_sanitised);
	RUN(test_query_url);
	RUN(test_query_body);
	return CHECK_EXIT();
}
