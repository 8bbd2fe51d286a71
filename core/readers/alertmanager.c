/* Alertmanager's API v2 (core/readers/alertmanager.h). */
#include "alertmanager.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apimsg.h"
#include "jsonmsg.h"
#include "timefmt.h"
#include "xalloc.h"

/* Past this many ids, a silenced alert's list is only counted. */
#define AM_MAX_IDS 16

/* ---- URLs -------------------------------------------------------------- */

static char *with_base(const char *base, const char *tail)
{
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	return xasprintf("%.*s%s", (int)n, base, tail);
}

char *am_alerts_url(const char *base, char *const *filters, size_t n)
{
	char *url = with_base(base, "/api/v2/alerts?active=true&silenced=true&inhibited=true");
	for (size_t i = 0; i < n; i++) {
		char *q = apimsg_url_escape(filters[i]);
		char *next = xasprintf("%s&filter=%s", url, q);
		free(q);
		free(url);
		url = next;
	}
	return url;
}

char *am_silences_url(const char *base)
{
	return with_base(base, "/api/v2/silences");
}

char *am_silence_url(const char *base, const char *id)
{
	char *q = apimsg_url_escape(id);
	char *tail = xasprintf("/api/v2/silence/%s", q);
	char *url = with_base(base, tail);
	free(q);
	free(tail);
	return url;
}

/* ---- answers ----------------------------------------------------------- */

struct reader {
	struct error *err;
	struct jsonmsg_path path;
};

static int shape(struct reader *r, const char *what)
{
	return apimsg_error_set(r->err, "unexpected response: %s %s", r->path.text, what);
}

/* Alertmanager's refusals are a JSON string or plain text. */
static int http_failure(long status, const char *body, size_t len, struct error *err)
{
	size_t at;
	cJSON *root = apimsg_json_parse(body, len, &at);
	const char *msg = cJSON_GetStringValue(root);
	if (!msg && cJSON_IsObject(root))
		msg = jsonmsg_str(root, "message");
	char head[APIMSG_EXCERPT_MAX + 16];
	apimsg_excerpt(body, len, head, sizeof head);
	if (status == 0)
		apimsg_error_set(err, "no answer");
	else
		apimsg_error_set(err, "HTTP %ld: %.200s", status, msg ? msg : head);
	cJSON_Delete(root);
	return -1;
}

static cJSON *parse_json(long status, const char *content_type, const char *body, size_t len, struct error *err)
{
	if (status < 200 || status > 299) {
		http_failure(status, body, len, err);
		return NULL;
	}
	if (content_type && !apimsg_is_json(content_type)) {
		apimsg_error_set(err, "expected application/json, got %s", content_type);
		return NULL;
	}
	size_t at = 0;
	cJSON *root = apimsg_json_parse(body, len, &at);
	if (!root)
		apimsg_error_set(err, "invalid JSON at byte %zu (of %zu)", at, len);
	return root;
}

/* An array of strings, the first AM_MAX_IDS kept. */
static int read_ids(struct reader *r, const cJSON *o, const char *key, char ***out, size_t *n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v)
		return 0;
	size_t old = jsonmsg_path_key(&r->path, key);
	if (!cJSON_IsArray(v))
		return shape(r, "is not an array");
	*out = xcalloc(AM_MAX_IDS + 1, sizeof **out);
	for (const cJSON *x = v->child; x; x = x->next) {
		if (!cJSON_IsString(x))
			return shape(r, "holds something other than strings");
		if (*n < AM_MAX_IDS)
			(*out)[(*n)++] = xstrdup(x->valuestring);
	}
	jsonmsg_path_pop(&r->path, old);
	return 0;
}

static int read_status(struct reader *r, const cJSON *st, struct alert *a)
{
	size_t old = jsonmsg_path_key(&r->path, "status");
	if (!cJSON_IsObject(st))
		return shape(r, "is missing or not an object");
	const char *state = jsonmsg_str(st, "state");
	if (!state) {
		jsonmsg_path_key(&r->path, "state");
		return shape(r, "is missing or not a string");
	}
	a->state = strcmp(state, "suppressed") == 0 ? ALERT_SUPPRESSED
		   : strcmp(state, "active") == 0  ? ALERT_ACTIVE
						   : ALERT_UNPROCESSED;
	if (read_ids(r, st, "silencedBy", &a->silenced_by, &a->n_silenced_by) != 0 ||
	    read_ids(r, st, "inhibitedBy", &a->inhibited_by, &a->n_inhibited_by) != 0)
		return -1;
	jsonmsg_path_pop(&r->path, old);
	return 0;
}

static int read_labels(struct reader *r, const cJSON *labels, struct alert *a, size_t *left_out)
{
	size_t old = jsonmsg_path_key(&r->path, "labels");
	if (!cJSON_IsObject(labels))
		return shape(r, "is missing or not an object");
	a->names = xcalloc(ALERT_MAX_LABELS + 1, sizeof *a->names);
	a->values = xcalloc(ALERT_MAX_LABELS + 1, sizeof *a->values);
	for (const cJSON *l = labels->child; l; l = l->next) {
		if (!cJSON_IsString(l)) {
			jsonmsg_path_key(&r->path, l->string);
			return shape(r, "is not a string");
		}
		if (a->n_labels == ALERT_MAX_LABELS) {
			(*left_out)++;
			continue;
		}
		a->names[a->n_labels] = xstrdup(l->string);
		a->values[a->n_labels++] = xstrdup(l->valuestring);
	}
	jsonmsg_path_pop(&r->path, old);
	return 0;
}

static int read_alert(struct reader *r, const cJSON *item, struct alert *a, size_t *labels_left_out)
{
	if (!cJSON_IsObject(item))
		return shape(r, "is not an object");
	if (read_labels(r, cJSON_GetObjectItemCaseSensitive(item, "labels"), a, labels_left_out) != 0 ||
	    read_status(r, cJSON_GetObjectItemCaseSensitive(item, "status"), a) != 0)
		return -1;
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(item, "annotations");
	if (ann && !cJSON_IsObject(ann)) {
		jsonmsg_path_key(&r->path, "annotations");
		return shape(r, "is not an object");
	}
	const cJSON *summary = cJSON_GetObjectItemCaseSensitive(ann, "summary");
	if (summary && !cJSON_IsString(summary)) {
		jsonmsg_path_key(&r->path, "annotations");
		jsonmsg_path_key(&r->path, "summary");
		return shape(r, "is not a string");
	}
	a->summary = summary ? xstrdup(summary->valuestring) : NULL;
	const char *fp = jsonmsg_str(item, "fingerprint");
	a->fingerprint = fp ? xstrdup(fp) : NULL;
	const char *starts = jsonmsg_str(item, "startsAt");
	if (!starts || !timefmt_parse_iso(starts, &a->starts_ms))
		a->starts_ms = 0;
	return 0;
}

int am_parse_alerts(long http_status, const char *content_type, const char *body, size_t len,
		    struct alert_set *out, struct error *err)
{
	memset(out, 0, sizeof *out);
	cJSON *root = parse_json(http_status, content_type, body, len, err);
	if (!root)
		return -1;
	struct reader r = { .err = err };
	jsonmsg_path_init(&r.path, JSONMSG_NEWLINE_N);
	int rc = 0;
	if (!cJSON_IsArray(root)) {
		rc = shape(&r, "is not an array of alerts");
	} else {
		size_t n = (size_t)cJSON_GetArraySize(root), i = 0;
		out->alerts = xcalloc((n < ALERT_MAX_KEPT ? n : ALERT_MAX_KEPT) + 1, sizeof *out->alerts);
		for (const cJSON *item = root->child; item && rc == 0; item = item->next, i++) {
			if (out->n == ALERT_MAX_KEPT) {
				out->left_out = n - ALERT_MAX_KEPT;
				break;
			}
			size_t old = jsonmsg_path_index(&r.path, i);
			rc = read_alert(&r, item, &out->alerts[out->n++], &out->labels_left_out);
			jsonmsg_path_pop(&r.path, old);
		}
	}
	cJSON_Delete(root);
	if (rc != 0)
		alert_set_free(out);
	return rc;
}

/* ---- silences ---------------------------------------------------------- */

char *am_silence_body(const struct am_silence *s)
{
	cJSON *o = cJSON_CreateObject();
	if (s->id)
		cJSON_AddStringToObject(o, "id", s->id);
	cJSON *ms = cJSON_AddArrayToObject(o, "matchers");
	for (size_t i = 0; i < s->n_matchers; i++) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "name", s->matchers[i].name);
		cJSON_AddStringToObject(m, "value", s->matchers[i].value);
		cJSON_AddBoolToObject(m, "isRegex", s->matchers[i].regex);
		cJSON_AddBoolToObject(m, "isEqual", s->matchers[i].equal);
		cJSON_AddItemToArray(ms, m);
	}
	char t[32];
	timefmt_iso(s->starts_ms, t, sizeof t);
	cJSON_AddStringToObject(o, "startsAt", t);
	timefmt_iso(s->ends_ms, t, sizeof t);
	cJSON_AddStringToObject(o, "endsAt", t);
	cJSON_AddStringToObject(o, "createdBy", s->created_by);
	cJSON_AddStringToObject(o, "comment", s->comment);
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		abort();
	char *out = xstrdup(text);
	cJSON_free(text);
	return out;
}

int am_parse_silence_id(long http_status, const char *content_type, const char *body, size_t len, char **id,
			struct error *err)
{
	*id = NULL;
	cJSON *root = parse_json(http_status, content_type, body, len, err);
	if (!root)
		return -1;
	const char *s = jsonmsg_str(root, "silenceID");
	int rc = 0;
	if (!s || !*s || strlen(s) > 128)
		rc = apimsg_error_set(err, "unexpected response: $.silenceID is missing or not an id");
	else
		*id = xstrdup(s);
	cJSON_Delete(root);
	return rc;
}

int am_parse_expire(long http_status, const char *body, size_t len, struct error *err)
{
	if (http_status >= 200 && http_status <= 299)
		return 0;
	return http_failure(http_status, body, len, err);
}
