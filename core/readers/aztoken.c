#include "aztoken.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "apimsg.h"
#include "jsonmsg.h"
#include "redact.h"
#include "timefmt.h"
#include "xalloc.h"

#define CLI_WHAT "az account get-access-token output"
#define OAUTH_WHAT "token response"
/* Epoch seconds beyond this (year 5138) are not an expiry but garbage. */
#define MAX_EPOCH_S 100000000000LL

void aztoken_adopt(struct aztoken *into, struct aztoken *t)
{
	/* A token fetched at run time is as secret as one from a file. */
	redact_add_secret(t->access_token);
	aztoken_free(into);
	*into = *t;
	*t = (struct aztoken){ 0 };
}

void aztoken_free(struct aztoken *t)
{
	if (!t)
		return;
	free(t->access_token);
	*t = (struct aztoken){ 0 };
}

/* Seconds as a JSON number or as a string of digits (IMDS and newer az
 * write "1795338753"). */
static bool read_seconds(const cJSON *v, int64_t *out)
{
	if (cJSON_IsNumber(v)) {
		if (!isfinite(v->valuedouble) || v->valuedouble < 0 || v->valuedouble > (double)MAX_EPOCH_S)
			return false;
		*out = (int64_t)v->valuedouble;
		return true;
	}
	if (!cJSON_IsString(v))
		return false;
	const char *s = v->valuestring;
	size_t n = strspn(s, "0123456789");
	if (n == 0 || n > 12 || s[n] != '\0')
		return false;
	int64_t x = strtoll(s, NULL, 10);
	if (x > MAX_EPOCH_S)
		return false;
	*out = x;
	return true;
}

static bool digits(const char **s, int n, int *out)
{
	int x = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return false;
		x = x * 10 + (**s - '0');
	}
	*out = x;
	return true;
}

/* "2026-11-22 09:12:33.000000" in the machine's local time, as az writes
 * expiresOn (datetime.fromtimestamp, no zone). */
static bool parse_local_time(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, ms = 0;
	if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
	    !digits(&s, 2, &d) || *s++ != ' ' || !digits(&s, 2, &h) || *s++ != ':' ||
	    !digits(&s, 2, &mi) || *s++ != ':' || !digits(&s, 2, &sec))
		return false;
	if (*s == '.') {
		s++;
		int n = 0, scale = 100;
		for (; *s >= '0' && *s <= '9' && n < 9; s++, n++, scale /= 10)
			ms += (*s - '0') * scale;
		if (n == 0)
			return false;
	}
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			 .tm_min = mi, .tm_sec = sec, .tm_isdst = -1 };
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return false;
	*out = (int64_t)t * MS_PER_S + ms;
	return true;
}

/* The access token, which the caller then owns; NULL if absent. Its value
 * is never put in a message. */
static char *take_token(const cJSON *root, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
	return cJSON_IsString(v) && v->valuestring[0] ? xstrdup(v->valuestring) : NULL;
}

int aztoken_parse_cli(const char *json, size_t len, struct aztoken *out, struct error *err)
{
	*out = (struct aztoken){ 0 };
	size_t at;
	cJSON *root = apimsg_json_parse(json, len, &at);
	/* No excerpt of the text in messages: it may hold the token. */
	if (!root)
		return apimsg_error_set(err, CLI_WHAT ": invalid JSON at byte %zu (of %zu)", at, len);
	int rc = -1;
	const cJSON *on = cJSON_GetObjectItemCaseSensitive(root, "expires_on");
	const cJSON *local = cJSON_GetObjectItemCaseSensitive(root, "expiresOn");
	int64_t secs;
	if (!cJSON_IsObject(root)) {
		apimsg_error_set(err, CLI_WHAT ": expected a JSON object");
	} else if (!(out->access_token = take_token(root, "accessToken"))) {
		apimsg_error_set(err, CLI_WHAT ": no accessToken");
	} else if (read_seconds(on, &secs)) {
		out->expires_at_ms = secs * MS_PER_S;
		rc = 0;
	} else if (cJSON_IsString(local) && parse_local_time(local->valuestring, &out->expires_at_ms)) {
		rc = 0;
	} else if (local) {
		char got[96];
		jsonmsg_describe(local, JSONMSG_NEWLINE_N, got, sizeof got);
		apimsg_error_set(err, CLI_WHAT ": expiresOn is %s, expected a local time like "
				     "\"2026-11-22 09:12:33.000000\"", got);
	} else {
		apimsg_error_set(err, CLI_WHAT ": no expires_on or expiresOn");
	}
	cJSON_Delete(root);
	if (rc < 0)
		aztoken_free(out);
	return rc;
}

/* Entra's descriptions end in "\r\nTrace ID: ...\r\nCorrelation ID: ...
 * \r\nTimestamp: ...", different on every attempt and no help on a status
 * line; the AADSTS code and sentence before them say what is wrong. */
static void description(const char *d, char *buf, size_t size)
{
	size_t n = strlen(d);
	const char *trace = strstr(d, "Trace ID:");
	if (trace)
		n = (size_t)(trace - d);
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, d, n);
	buf[n] = '\0';
}

static int oauth_error(const cJSON *root, struct error *err)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "error_description");
	char desc[400] = "";
	if (cJSON_IsString(d))
		description(d->valuestring, desc, sizeof desc);
	if (desc[0])
		return apimsg_error_set(err, "Entra ID %.60s: %s", e->valuestring, desc);
	return apimsg_error_set(err, "Entra ID %.60s", e->valuestring);
}

int aztoken_parse_oauth(long http_status, const char *json, size_t len, int64_t now_ms,
			struct aztoken *out, struct error *err)
{
	*out = (struct aztoken){ 0 };
	bool ok_status = http_status >= 200 && http_status <= 299;
	size_t at;
	cJSON *root = apimsg_json_parse(json, len, &at);
	if (root && cJSON_IsObject(root) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "error"))) {
		oauth_error(root, err);
		cJSON_Delete(root);
		return -1;
	}
	if (!ok_status) {
		/* An error page (a proxy's, a gateway's) holds no token: part of
		 * it says more than the status alone. */
		char ex[112];
		size_t n = 0;
		while (n < len && n < 100 && json[n])
			n++;
		memcpy(ex, json, n);
		ex[n] = '\0';
		cJSON_Delete(root);
		return apimsg_error_set(err, "HTTP %ld from the token endpoint: %s", http_status,
				       n ? ex : "(empty body)");
	}
	if (!root)
		return apimsg_error_set(err, OAUTH_WHAT ": invalid JSON at byte %zu (of %zu)", at, len);

	int rc = -1;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "token_type");
	int64_t secs;
	if (!cJSON_IsObject(root)) {
		apimsg_error_set(err, OAUTH_WHAT ": expected a JSON object");
	} else if (type && !(cJSON_IsString(type) && strcasecmp(type->valuestring, "Bearer") == 0)) {
		char got[96];
		jsonmsg_describe(type, JSONMSG_NEWLINE_N, got, sizeof got);
		apimsg_error_set(err, OAUTH_WHAT ": token_type is %s, expected \"Bearer\"", got);
	} else if (!(out->access_token = take_token(root, "access_token"))) {
		apimsg_error_set(err, OAUTH_WHAT ": no access_token");
	} else if (read_seconds(cJSON_GetObjectItemCaseSensitive(root, "expires_on"), &secs)) {
		/* IMDS's expires_on is epoch seconds; App Service's older
		 * endpoint writes a date there, which fails read_seconds and
		 * falls through to expires_in. */
		out->expires_at_ms = secs * MS_PER_S;
		rc = 0;
	} else if (read_seconds(cJSON_GetObjectItemCaseSensitive(root, "expires_in"), &secs)) {
		out->expires_at_ms = now_ms + secs * MS_PER_S;
		rc = 0;
	} else {
		apimsg_error_set(err, OAUTH_WHAT ": no expires_in or expires_on (seconds)");
	}
	cJSON_Delete(root);
	if (rc < 0)
		aztoken_free(out);
	return rc;
}

static int trimmed_len(const char *base)
{
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	return (int)n;
}

char *aztoken_client_credentials_url(const char *authority, const char *tenant)
{
	char *t = apimsg_url_escape(tenant);
	char *url = xasprintf("%.*s/%s/oauth2/v2.0/token", trimmed_len(authority), authority, t);
	free(t);
	return url;
}

char *aztoken_client_credentials_body(const char *client_id, const char *secret, const char *audience)
{
	size_t n = strlen(audience), k = strlen("/.default");
	char *scope = n >= k && strcmp(audience + n - k, "/.default") == 0
			      ? xstrdup(audience)
			      : xasprintf("%s/.default", audience);
	char *id = apimsg_url_escape(client_id), *sec = apimsg_url_escape(secret),
	     *sc = apimsg_url_escape(scope);
	char *body = xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s&scope=%s", id,
			       sec, sc);
	free(id);
	free(sec);
	free(sc);
	free(scope);
	return body;
}

char *aztoken_imds_url(const char *imds_base, const char *resource, const char *client_id)
{
	char *r = apimsg_url_escape(resource);
	char *url;
	if (client_id) {
		char *c = apimsg_url_escape(client_id);
		url = xasprintf("%.*s/metadata/identity/oauth2/token?api-version=2018-02-01&resource=%s"
				"&client_id=%s",
				trimmed_len(imds_base), imds_base, r, c);
		free(c);
	} else {
		url = xasprintf("%.*s/metadata/identity/oauth2/token?api-version=2018-02-01&resource=%s",
				trimmed_len(imds_base), imds_base, r);
	}
	free(r);
	return url;
}

bool aztoken_needs_refresh(const struct aztoken *t, int64_t now_ms)
{
	if (!t || !t->access_token || !t->access_token[0])
		return true;
	return now_ms >= t->expires_at_ms - AZTOKEN_REFRESH_MS;
}

const char *aztoken_default_audience(enum aztoken_audience kind)
{
	switch (kind) {
	case AZTOKEN_LOG_ANALYTICS:
		return "https://api.loganalytics.io";
	case AZTOKEN_APP_INSIGHTS:
		return "https://api.applicationinsights.io";
	case AZTOKEN_ARM:
		return "https://management.azure.com";
	}
	abort();
}
