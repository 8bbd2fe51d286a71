/* Azure AD (Entra ID) access tokens for the Azure sources and targets: the
 * token requests' URLs and bodies, and the three ways a token comes back
 * (`az account get-access-token`, the v2 token endpoint's client
 * credentials grant, the IMDS managed identity endpoint). No networking:
 * the HTTP module and core/io/proc.c fetch. A token or secret never appears
 * in any message this module writes. */
#ifndef CMDR_AZTOKEN_H
#define CMDR_AZTOKEN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define AZTOKEN_AUTHORITY "https://login.microsoftonline.com"
#define AZTOKEN_IMDS "http://169.254.169.254"
/* A token this close to expiry is fetched again before use. */
#define AZTOKEN_REFRESH_MS (5 * 60 * 1000LL)

struct aztoken {
	char *access_token;
	int64_t expires_at_ms; /* Unix epoch, UTC */
};

void aztoken_free(struct aztoken *t);
/* Replaces *into (freed) with *t (emptied), the token in use from now on,
 * and registers it as a secret (redact_add_secret): a service echoing it
 * back cannot get it onto the screen or into the journal. */
void aztoken_adopt(struct aztoken *into, struct aztoken *t);

/* The output of `az account get-access-token --resource R --output json`:
 * {"accessToken":..., "expiresOn":"2026-11-22 09:12:33.000000",
 *  "expires_on":1795338753, ...}. expires_on (epoch seconds, a number or a
 * string; az 2.54 and later) is preferred; without it, expiresOn, which az
 * writes in the machine's LOCAL time, is read with mktime. Returns 0, or
 * -1 with a message in err. */
int aztoken_parse_cli(const char *json, size_t len, struct aztoken *out, struct error *err);

/* A token endpoint's response: Entra's v2 endpoint
 * ({"token_type":"Bearer","expires_in":3599,"access_token":...}) or IMDS
 * (the same fields with numbers as strings, plus "expires_on"). The expiry
 * is expires_on when present and numeric, else now_ms + expires_in. An
 * error response ({"error":"invalid_client","error_description":
 * "AADSTS7000215: ... Trace ID: ..."}) gives -1 and
 * "Entra ID invalid_client: AADSTS7000215: ..." in err, without the trace
 * and correlation IDs. */
int aztoken_parse_oauth(long http_status, const char *json, size_t len, int64_t now_ms,
			struct aztoken *out, struct error *err);

/* AUTHORITY/TENANT/oauth2/v2.0/token (tenant percent-encoded). */
char *aztoken_client_credentials_url(const char *authority, const char *tenant);

/* The form body of a client credentials grant, every value
 * percent-encoded: grant_type=client_credentials&client_id=...&
 * client_secret=...&scope=AUDIENCE/.default. An audience that already ends
 * in "/.default" is used as the scope as it is; one that ends in '/' keeps
 * it ("https://management.core.windows.net//.default"), as Entra expects.
 * POST it as application/x-www-form-urlencoded. */
char *aztoken_client_credentials_body(const char *client_id, const char *secret, const char *audience);

/* IMDS/metadata/identity/oauth2/token?api-version=2018-02-01&resource=...
 * (&client_id=... for a user-assigned identity; client_id may be NULL).
 * The GET must carry the header "Metadata: true", or IMDS refuses it, and
 * must not go through a proxy. */
char *aztoken_imds_url(const char *imds_base, const char *resource, const char *client_id);

/* True when t has no token or it expires within AZTOKEN_REFRESH_MS. */
bool aztoken_needs_refresh(const struct aztoken *t, int64_t now_ms);

enum aztoken_audience { AZTOKEN_LOG_ANALYTICS, AZTOKEN_APP_INSIGHTS, AZTOKEN_ARM };

/* "https://api.loganalytics.io", "https://api.applicationinsights.io",
 * "https://management.azure.com". */
const char *aztoken_default_audience(enum aztoken_audience kind);

#endif
