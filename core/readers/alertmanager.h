/* Alertmanager's API v2 (as 0.25 serves it; newer fields such as mutedBy
 * are not needed): the alerts URL with its filter matchers, the alerts
 * answer read into an alert_set (core/model/alert.h), and silences:
 * the body that creates or extends one, the answer with its id, and the
 * URL that expires one. No networking here. */
#ifndef CMDR_ALERTMANAGER_H
#define CMDR_ALERTMANAGER_H
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "error.h"

/* BASE/api/v2/alerts?active=true&silenced=true&inhibited=true, then a
 * filter= for each matcher (BASE may carry a path). */
char *am_alerts_url(const char *base, char *const *filters, size_t n);
/* BASE/api/v2/silences (POST creates, or updates when the body has an id). */
char *am_silences_url(const char *base);
/* BASE/api/v2/silence/ID (DELETE expires it). */
char *am_silence_url(const char *base, const char *id);

/* Reads GET /api/v2/alerts. Alertmanager's errors, other HTTP failures, a
 * content type other than JSON, invalid JSON and JSON of the wrong shape
 * give -1 and one sanitised line in err that names the JSON path. At most
 * ALERT_MAX_KEPT alerts and ALERT_MAX_LABELS labels an alert are kept; the
 * rest are counted in out->left_out and out->labels_left_out. */
int am_parse_alerts(long http_status, const char *content_type, const char *body, size_t len,
		    struct alert_set *out, struct error *err);

/* A silence to create (id NULL) or replace (extend: the same matchers, a
 * new end). */
struct am_silence {
	const char *id;
	const struct alert_matcher *matchers;
	size_t n_matchers;
	int64_t starts_ms, ends_ms;
	const char *created_by, *comment;
};
/* The JSON body of POST /api/v2/silences. A fresh heap string. */
char *am_silence_body(const struct am_silence *s);
/* Reads the answer to that POST: {"silenceID": "..."}; a fresh id into
 * *id, or -1 with err (Alertmanager's own words for a refusal). */
int am_parse_silence_id(long http_status, const char *content_type, const char *body, size_t len, char **id,
			struct error *err);
/* Reads the answer to a DELETE: 200 is done; else -1 with err. */
int am_parse_expire(long http_status, const char *body, size_t len, struct error *err);

#endif
