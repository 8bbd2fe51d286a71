/* Entra ID tokens: az CLI output old and new, the v2 endpoint's and IMDS's
 * responses, their errors (never echoing a token), the request builders,
 * and when a token is due for refresh. */
#include <stdint.h>
#include <time.h>

#include "aztoken.h"
#include "check.h"
#include "redact.h"

/* Not a real token: a JWT-shaped string that must never reach a message. */
#define TOKEN "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FwaS5sb2dhbmFseXRpY3MuaW8ifQ.c2ln"

static const int64_t now = 1795335153000; /* 2026-11-22T08:12:33Z */

static int cli(const char *json, struct aztoken *t, struct error *err)
{
	err->msg[0] = '\0';
	return aztoken_parse_cli(json, strlen(json), t, err);
}

static int oauth(long status, const char *json, struct aztoken *t, struct error *err)
{
	err->msg[0] = '\0';
	return aztoken_parse_oauth(status, json, strlen(json), now, t, err);
}

static void test_cli_expires_on(void)
{
	struct aztoken t;
	struct error err;
	/* az 2.54 and later: expires_on in epoch seconds; expiresOn says
	 * another time here to show which one wins. */
	CHECK(cli("{\n  \"accessToken\": \"" TOKEN "\",\n  \"expiresOn\": \"2030-01-01 00:00:00.000000\",\n"
		  "  \"expires_on\": 1795338753,\n  \"subscription\": \"00000000-1111-2222-3333-444444444444\",\n"
		  "  \"tenant\": \"55555555-6666-7777-8888-999999999999\",\n  \"tokenType\": \"Bearer\"\n}\n",
		  &t, &err) == 0);
	CHECK_STR(t.access_token, TOKEN);
	CHECK(t.expires_at_ms == 1795338753000);
	aztoken_free(&t);
	CHECK(t.access_token == NULL);
	/* As a string, too. */
	CHECK(cli("{\"accessToken\":\"tok\",\"expires_on\":\"1795338753\"}", &t, &err) == 0);
	CHECK(t.expires_at_ms == 1795338753000);
	aztoken_free(&t);
}

static void test_cli_expires_local(void)
{
	struct aztoken t;
	struct error err;
	/* Older az: only expiresOn, in the machine's local time. */
	setenv("TZ", "UTC", 1);
	tzset();
	CHECK(cli("{\"accessToken\":\"tok\",\"expiresOn\":\"2026-11-22 09:12:33.250000\","
		  "\"subscription\":\"s\",\"tenant\":\"t\",\"tokenType\":\"Bearer\"}",
		  &t, &err) == 0);
	CHECK(t.expires_at_ms == 1795338753250);
	aztoken_free(&t);
	/* The same words two hours east of UTC are two hours earlier. */
	setenv("TZ", "EET-2", 1);
	tzset();
	CHECK(cli("{\"accessToken\":\"tok\",\"expiresOn\":\"2026-11-22 09:12:33\"}", &t, &err) == 0);
	CHECK(t.expires_at_ms == 1795338753000 - 2 * 3600 * 1000);
	aztoken_free(&t);
	setenv("TZ", "UTC", 1);
	tzset();
	/* An expires_on that is not seconds falls back to expiresOn. */
	CHECK(cli("{\"accessToken\":\"tok\",\"expires_on\":\"soon\",\"expiresOn\":\"2026-11-22 09:12:33.000000\"}",
		  &t, &err) == 0);
	CHECK(t.expires_at_ms == 1795338753000);
	aztoken_free(&t);
}

static void test_cli_errors(void)
{
	struct aztoken t;
	struct error err;
	CHECK(cli("{\"expires_on\":1795338753}", &t, &err) < 0);
	CHECK_STR(err.msg, "az account get-access-token output: no accessToken");
	CHECK(t.access_token == NULL);
	CHECK(cli("{\"accessToken\":\"" TOKEN "\"}", &t, &err) < 0);
	CHECK_STR(err.msg, "az account get-access-token output: no expires_on or expiresOn");
	CHECK(t.access_token == NULL);
	CHECK(cli("{\"accessToken\":\"" TOKEN "\",\"expiresOn\":\"22/11/2026 09:12\"}", &t, &err) < 0);
	CHECK_STR(err.msg, "az account get-access-token output: expiresOn is \"22/11/2026 09:12\", expected a "
			   "local time like \"2026-11-22 09:12:33.000000\"");
	CHECK(cli("{\"accessToken\":\"" TOKEN "\",\"expiresOn\":\"2026-11-22 09:12:33.\"}", &t, &err) < 0);
	CHECK(cli("{\"accessToken\":\"" TOKEN "\",\"expiresOn\":\"2026-13-22 09:12:33\"}", &t, &err) < 0);
	CHECK(cli("{\"accessToken\":\"" TOKEN "\",\"expiresOn\":\"2026-11-22 09:12:33Z\"}", &t, &err) < 0);
	CHECK(cli("{\"accessToken\":\"" TOKEN "\",\"expires_on\":", &t, &err) < 0);
	CHECK_STR(err.msg, "az account get-access-token output: invalid JSON at byte 122 (of 123)");
	CHECK(cli("ERROR: Please run 'az login' to setup account.", &t, &err) < 0);
	CHECK_STR(err.msg, "az account get-access-token output: invalid JSON at byte 0 (of 46)");
	CHECK(cli("[\"" TOKEN "\"]", &t, &err) < 0);
	CHECK_STR(err.msg, "az account get-access-token output: expected a JSON object");
	CHECK(cli("{\"accessToken\":\"\",\"expires_on\":1}", &t, &err) < 0);
	CHECK(cli("{\"accessToken\":7,\"expires_on\":1}", &t, &err) < 0);
	CHECK(cli("{\"accessToken\":\"t\",\"expires_on\":-5}", &t, &err) < 0);
	CHECK(cli("{\"accessToken\":\"t\",\"expires_on\":1e300}", &t, &err) < 0);
	CHECK(strstr(err.msg, TOKEN) == NULL);
}

static void test_oauth_client_credentials(void)
{
	struct aztoken t;
	struct error err;
	CHECK(oauth(200, "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,"
			 "\"access_token\":\"" TOKEN "\"}",
		    &t, &err) == 0);
	CHECK_STR(t.access_token, TOKEN);
	CHECK(t.expires_at_ms == now + 3599000);
	aztoken_free(&t);
}

static void test_oauth_imds(void)
{
	struct aztoken t;
	struct error err;
	/* IMDS: every number a string, and expires_on wins over expires_in. */
	CHECK(oauth(200, "{\"access_token\":\"" TOKEN "\",\"client_id\":\"12345678-0000-0000-0000-000000000000\","
			 "\"expires_in\":\"86399\",\"expires_on\":\"1795338753\",\"ext_expires_in\":\"86399\","
			 "\"not_before\":\"1795251453\",\"resource\":\"https://api.loganalytics.io\","
			 "\"token_type\":\"Bearer\"}",
		    &t, &err) == 0);
	CHECK_STR(t.access_token, TOKEN);
	CHECK(t.expires_at_ms == 1795338753000);
	aztoken_free(&t);
	/* App Service's older endpoint writes a date in expires_on. */
	CHECK(oauth(200, "{\"access_token\":\"tok\",\"expires_on\":\"11/22/2026 09:12:33 AM +00:00\","
			 "\"expires_in\":\"600\",\"token_type\":\"Bearer\"}",
		    &t, &err) == 0);
	CHECK(t.expires_at_ms == now + 600000);
	aztoken_free(&t);
}

static void test_oauth_errors(void)
{
	struct aztoken t;
	struct error err;
	CHECK(oauth(401, "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client "
			 "secret provided. Trace ID: 0c2f5e6a-1d3b-4c8e-9f7a-2b4d6e8f0a1c Correlation ID: "
			 "9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4 Timestamp: 2026-11-22 08:12:33Z\","
			 "\"error_codes\":[7000215],\"timestamp\":\"2026-11-22 08:12:33Z\","
			 "\"trace_id\":\"0c2f5e6a-1d3b-4c8e-9f7a-2b4d6e8f0a1c\","
			 "\"correlation_id\":\"9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4\","
			 "\"error_uri\":\"https://login.microsoftonline.com/error?code=7000215\"}",
		    &t, &err) < 0);
	CHECK_STR(err.msg, "Entra ID invalid_client: AADSTS7000215: Invalid client secret provided.");
	CHECK(t.access_token == NULL);
	/* The real text has CRLFs and runs long: one line, cut. */
	CHECK(oauth(400, "{\"error\":\"unauthorized_client\",\"error_description\":\"AADSTS700016: Application "
			 "with identifier '12345678-0000-0000-0000-000000000000' was not found in the directory "
			 "'Contoso'. This can happen if the application has not been installed by the "
			 "administrator of the tenant or consented to by any user in the tenant. You may have "
			 "sent your authentication request to the wrong tenant.\\r\\nTrace ID: "
			 "x\\r\\nCorrelation ID: y\\r\\nTimestamp: 2026-11-22 08:12:33Z\"}",
		    &t, &err) < 0);
	CHECK_STR(err.msg, "Entra ID unauthorized_client: AADSTS700016: Application with identifier "
			   "'12345678-0000-0000-0000-000000000000' was not found in the directory 'Contoso'. "
			   "This can happen if the application has not b...");
	CHECK(oauth(400, "{\"error\":\"invalid_request\",\"error_description\":\"Identity not found\"}", &t,
		    &err) < 0);
	CHECK_STR(err.msg, "Entra ID invalid_request: Identity not found");
	CHECK(oauth(400, "{\"error\":\"invalid_grant\"}", &t, &err) < 0);
	CHECK_STR(err.msg, "Entra ID invalid_grant");
	CHECK(oauth(200, "{\"error\":\"bad\\u001b]0;x\\u0007\",\"error_description\":\"a\\nb\"}", &t, &err) < 0);
	CHECK_STR(err.msg, "Entra ID bad?]0;x?: a b");

	CHECK(oauth(502, "<html><body>Bad Gateway</body></html>", &t, &err) < 0);
	CHECK_STR(err.msg, "HTTP 502 from the token endpoint: <html><body>Bad Gateway</body></html>");
	CHECK(oauth(500, "", &t, &err) < 0);
	CHECK_STR(err.msg, "HTTP 500 from the token endpoint: (empty body)");
	/* A 200 that is not JSON may still hold a token: no excerpt. */
	CHECK(oauth(200, "{\"access_token\":\"" TOKEN "\",", &t, &err) < 0);
	CHECK_STR(err.msg, "token response: invalid JSON at byte 110 (of 111)");
	CHECK(oauth(200, "{\"access_token\":\"" TOKEN "\"}", &t, &err) < 0);
	CHECK_STR(err.msg, "token response: no expires_in or expires_on (seconds)");
	CHECK(t.access_token == NULL);
	CHECK(oauth(200, "{\"token_type\":\"Bearer\",\"expires_in\":3599}", &t, &err) < 0);
	CHECK_STR(err.msg, "token response: no access_token");
	CHECK(oauth(200, "{\"token_type\":\"pop\",\"expires_in\":3599,\"access_token\":\"" TOKEN "\"}", &t,
		    &err) < 0);
	CHECK_STR(err.msg, "token response: token_type is \"pop\", expected \"Bearer\"");
	CHECK(oauth(200, "{\"token_type\":\"bearer\",\"expires_in\":\"3599.5\",\"access_token\":\"x\"}", &t,
		    &err) < 0);
	CHECK(oauth(200, "{\"expires_in\":\"60\",\"access_token\":\"x\"}", &t, &err) == 0);
	CHECK(t.expires_at_ms == now + 60000);
	aztoken_free(&t);
}

static void test_builders(void)
{
	char *s = aztoken_client_credentials_url(AZTOKEN_AUTHORITY "/", "contoso.onmicrosoft.com");
	CHECK_STR(s, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
	free(s);
	s = aztoken_client_credentials_url("http://127.0.0.1:9999", "a b/c");
	CHECK_STR(s, "http://127.0.0.1:9999/a%20b%2Fc/oauth2/v2.0/token");
	free(s);

	s = aztoken_client_credentials_body("12345678-0000-0000-0000-000000000000", "s3cr&t=+ %~x",
					    aztoken_default_audience(AZTOKEN_LOG_ANALYTICS));
	CHECK_STR(s, "grant_type=client_credentials&client_id=12345678-0000-0000-0000-000000000000"
		     "&client_secret=s3cr%26t%3D%2B%20%25~x&scope=https%3A%2F%2Fapi.loganalytics.io%2F.default");
	free(s);
	s = aztoken_client_credentials_body("id", "sec", "https://management.core.windows.net/");
	CHECK_STR(s, "grant_type=client_credentials&client_id=id&client_secret=sec"
		     "&scope=https%3A%2F%2Fmanagement.core.windows.net%2F%2F.default");
	free(s);
	s = aztoken_client_credentials_body("id", "sec", "api://cmdr/.default");
	CHECK_STR(s, "grant_type=client_credentials&client_id=id&client_secret=sec&scope=api%3A%2F%2Fcmdr%2F.default");
	free(s);

	s = aztoken_imds_url(AZTOKEN_IMDS, aztoken_default_audience(AZTOKEN_ARM), NULL);
	CHECK_STR(s, "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
		     "&resource=https%3A%2F%2Fmanagement.azure.com");
	free(s);
	s = aztoken_imds_url("http://127.0.0.1:8080/", aztoken_default_audience(AZTOKEN_APP_INSIGHTS),
			     "12345678-0000-0000-0000-000000000000");
	CHECK_STR(s, "http://127.0.0.1:8080/metadata/identity/oauth2/token?api-version=2018-02-01"
		     "&resource=https%3A%2F%2Fapi.applicationinsights.io&client_id=12345678-0000-0000-0000-000000000000");
	free(s);
}

static void test_needs_refresh(void)
{
	struct aztoken t = { .access_token = (char *)"tok", .expires_at_ms = now + AZTOKEN_REFRESH_MS + 1 };
	CHECK(!aztoken_needs_refresh(&t, now));
	CHECK(aztoken_needs_refresh(&t, now + 1));
	t.expires_at_ms = now;
	CHECK(aztoken_needs_refresh(&t, now));
	CHECK(aztoken_needs_refresh(&t, now + 3600000));
	t.expires_at_ms = now + 3600000;
	CHECK(!aztoken_needs_refresh(&t, now));
	t.access_token = NULL;
	CHECK(aztoken_needs_refresh(&t, now));
	t.access_token = (char *)"";
	CHECK(aztoken_needs_refresh(&t, now));
	CHECK(aztoken_needs_refresh(NULL, now));
	struct aztoken none = { 0 };
	CHECK(aztoken_needs_refresh(&none, now));
	aztoken_free(&none);
	aztoken_free(NULL);
}

static void test_audiences(void)
{
	CHECK_STR(aztoken_default_audience(AZTOKEN_LOG_ANALYTICS), "https://api.loganalytics.io");
	CHECK_STR(aztoken_default_audience(AZTOKEN_APP_INSIGHTS), "https://api.applicationinsights.io");
	CHECK_STR(aztoken_default_audience(AZTOKEN_ARM), "https://management.azure.com");
}

/* The token in use is a secret: an error that echoes it shows [REDACTED]. */
static void test_adopted_token_redacted(void)
{
	struct aztoken in_use = { 0 }, fresh = { strdup("eyJ0eXAiOiJKV1Qi-runtime-token"), 1 };
	aztoken_adopt(&in_use, &fresh);
	CHECK(fresh.access_token == NULL);
	CHECK_STR(in_use.access_token, "eyJ0eXAiOiJKV1Qi-runtime-token");
	char *shown = redact_text("401: token eyJ0eXAiOiJKV1Qi-runtime-token expired");
	CHECK_STR(shown, "401: token [REDACTED] expired");
	free(shown);
	aztoken_free(&in_use);
}

int main(void)
{
	RUN(test_cli_expires_on);
	RUN(test_adopted_token_redacted);
	RUN(test_cli_expires_local);
	RUN(test_cli_errors);
	RUN(test_oauth_client_credentials);
	RUN(test_oauth_imds);
	RUN(test_oauth_errors);
	RUN(test_builders);
	RUN(test_needs_refresh);
	RUN(test_audiences);
	return CHECK_EXIT();
}
