/* The incident's checkpoint (core/journal/journal_checkpoint.c): what
 * replaying the journal up to a mark built, so that an append does not
 * replay the whole journal first. Only what the lines build is kept
 * (absorb and on_journal_line in incident_replay.c): the pinned policy,
 * the workflow, requests, intents and their doubts, the freeze, ticks,
 * pins, silences, the scorecard, the endpoints the journal's read-backs gave,
 * the event line, how many lines the timeline took. Nothing this process
 * holds of its own (its jobs, locks, which requests it asked). A state
 * that took a moment from this process's clock (a line with no time) is
 * never kept: it would not be what another process's replay gives. The
 * timeline's lines are not kept either: a console reads them back
 * (incident_timeline_history).
 *
 * Restoring into a freshly opened incident gives exactly what the full
 * replay gives (tests/unit/test_checkpoint.c compares both on many
 * journals); a field added to one of these structs, set from a journal
 * line, belongs in its table here. */
#include "incident.h"
#include "incident_impl.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* ---- typed field tables ------------------------------------------------ */

enum field_type { F_STR, F_TEXT, F_I64, F_U64, F_INT, F_UINT, F_BOOL };

struct field {
	const char *key;
	size_t off, size;
	enum field_type type;
};

#define FIELD(type, member, kind) { #member, offsetof(type, member), sizeof(((type *)0)->member), kind }

/* 64-bit values as decimal strings: a JSON number is a double. */
static void put_fields(cJSON *o, const void *base, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = (const char *)base + f[i].off;
		char num[32];
		switch (f[i].type) {
		case F_STR: {
			const char *s = *(char *const *)p;
			cJSON_AddItemToObject(o, f[i].key, s ? cJSON_CreateString(s) : cJSON_CreateNull());
			break;
		}
		case F_TEXT:
			cJSON_AddStringToObject(o, f[i].key, p);
			break;
		case F_I64:
			snprintf(num, sizeof num, "%lld", (long long)*(const int64_t *)p);
			cJSON_AddStringToObject(o, f[i].key, num);
			break;
		case F_U64:
			snprintf(num, sizeof num, "%llu", (unsigned long long)*(const uint64_t *)p);
			cJSON_AddStringToObject(o, f[i].key, num);
			break;
		case F_INT:
			cJSON_AddNumberToObject(o, f[i].key, *(const int *)p);
			break;
		case F_UINT:
			cJSON_AddNumberToObject(o, f[i].key, *(const unsigned *)p);
			break;
		case F_BOOL:
			cJSON_AddBoolToObject(o, f[i].key, *(const bool *)p);
			break;
		}
	}
}

static bool get_i64(const cJSON *v, long long min, long long *out)
{
	const char *s = cJSON_GetStringValue(v);
	char *end;
	if (!s || !*s)
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !*end && errno == 0 && *out >= min;
}

/* Fills base's fields from o, strings newly allocated (base's were NULL);
 * false when one is missing or of another type. */
static bool get_fields(const cJSON *o, void *base, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *p = (char *)base + f[i].off;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, f[i].key);
		long long ll;
		switch (f[i].type) {
		case F_STR:
			if (!cJSON_IsString(v) && !cJSON_IsNull(v))
				return false;
			*(char **)p = cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
			break;
		case F_TEXT:
			if (!cJSON_IsString(v) || strlen(v->valuestring) >= f[i].size)
				return false;
			strcpy(p, v->valuestring);
			break;
		case F_I64:
			if (!get_i64(v, INT64_MIN, &ll))
				return false;
			*(int64_t *)p = ll;
			break;
		case F_U64: {
			const char *s = cJSON_GetStringValue(v);
			char *end;
			if (!s || *s < '0' || *s > '9')
				return false;
			errno = 0;
			unsigned long long u = strtoull(s, &end, 10);
			if (*end || errno)
				return false;
			*(uint64_t *)p = u;
			break;
		}
		case F_INT:
		case F_UINT:
			if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long long)v->valuedouble ||
			    v->valuedouble < (f[i].type == F_UINT ? 0 : -2147483648.0) || v->valuedouble > 4294967295.0)
				return false;
			if (f[i].type == F_INT)
				*(int *)p = (int)v->valuedouble;
			else
				*(unsigned *)p = (unsigned)v->valuedouble;
			break;
		case F_BOOL:
			if (!cJSON_IsBool(v))
				return false;
			*(bool *)p = cJSON_IsTrue(v);
			break;
		}
	}
	return true;
}

#define N(table) (sizeof table / sizeof table[0])

static const struct field workflow_fields[] = {
	FIELD(struct workflow, title, F_STR),
	FIELD(struct workflow, severity, F_INT),
	FIELD(struct workflow, declared_at, F_I64),
	FIELD(struct workflow, declared_by, F_STR),
	FIELD(struct workflow, resolved_at, F_I64),
	FIELD(struct workflow, resolved_by, F_STR),
	FIELD(struct workflow, resolution, F_STR),
	FIELD(struct workflow, holder[DUTY_COMMANDER], F_STR),
	FIELD(struct workflow, holder[DUTY_DEPUTY], F_STR),
	FIELD(struct workflow, holder[DUTY_SCRIBE], F_STR),
	FIELD(struct workflow, holder[DUTY_COMMS], F_STR),
	FIELD(struct workflow, last_update_at, F_I64),
	FIELD(struct workflow, last_update, F_STR),
	FIELD(struct workflow, last_update_by, F_STR),
	FIELD(struct workflow, n_updates, F_UINT),
	FIELD(struct workflow, n_notes, F_UINT),
	FIELD(struct workflow, update_every_ms, F_I64),
	FIELD(struct workflow, timecheck_every_ms, F_I64),
	FIELD(struct workflow, pd_dedup_key, F_STR),
};
_Static_assert(DUTY_N == 4, "a new duty's holder belongs in workflow_fields");

/* mine, expiry_tried, actor and given are the asking process's own. */
static const struct field request_fields[] = {
	FIELD(struct approval_request, seq, F_U64),
	FIELD(struct approval_request, kind, F_STR),
	FIELD(struct approval_request, endpoint, F_STR),
	FIELD(struct approval_request, to, F_STR),
	FIELD(struct approval_request, reason, F_STR),
	FIELD(struct approval_request, traffic, F_STR),
	FIELD(struct approval_request, requester, F_STR),
	FIELD(struct approval_request, req_user, F_STR),
	FIELD(struct approval_request, req_as, F_STR),
	FIELD(struct approval_request, approver, F_STR),
	FIELD(struct approval_request, expires_ms, F_I64),
	FIELD(struct approval_request, state, F_INT),
	FIELD(struct approval_request, drill, F_BOOL),
};
_Static_assert(sizeof(enum request_state) == sizeof(int), "request state kept as an int");

/* confirmed, reading, lock_fd and ref are this process's checks. */
static const struct field doubt_fields[] = {
	FIELD(struct doubt, seq, F_U64),      FIELD(struct doubt, kind, F_STR),
	FIELD(struct doubt, endpoint, F_STR), FIELD(struct doubt, by, F_STR),
	FIELD(struct doubt, traffic, F_STR),  FIELD(struct doubt, at_ms, F_I64),
	FIELD(struct doubt, settled, F_BOOL), FIELD(struct doubt, drill, F_BOOL),
};

static const struct field tick_fields[] = {
	FIELD(struct step_tick, runbook, F_STR),
	FIELD(struct step_tick, step, F_STR),
	FIELD(struct step_tick, by, F_STR),
	FIELD(struct step_tick, at_ms, F_I64),
};

static const struct field pin_fields[] = {
	FIELD(struct service_pin, service, F_STR),
	FIELD(struct service_pin, by, F_STR),
	FIELD(struct service_pin, at_ms, F_I64),
};

static const struct field silence_fields[] = {
	FIELD(struct incident_silence, id, F_STR),
	FIELD(struct incident_silence, source, F_STR),
	FIELD(struct incident_silence, by, F_STR),
	FIELD(struct incident_silence, reason, F_STR),
	FIELD(struct incident_silence, matchers, F_STR),
	FIELD(struct incident_silence, starts_ms, F_I64),
	FIELD(struct incident_silence, ends_ms, F_I64),
	FIELD(struct incident_silence, expired, F_BOOL),
	FIELD(struct incident_silence, warned, F_BOOL),
};

static const struct field scorecard_fields[] = {
	FIELD(struct scorecard, drill, F_BOOL),
	FIELD(struct scorecard, onset_ms, F_I64),
	FIELD(struct scorecard, expect_ms[EXPECT_DETECT], F_I64),
	FIELD(struct scorecard, expect_ms[EXPECT_ACKNOWLEDGE], F_I64),
	FIELD(struct scorecard, expect_ms[EXPECT_DECIDE], F_I64),
	FIELD(struct scorecard, expect_ms[EXPECT_ROLLBACK], F_I64),
	FIELD(struct scorecard, expect_ms[EXPECT_VERIFY], F_I64),
	FIELD(struct scorecard, at_ms[EXPECT_DETECT], F_I64),
	FIELD(struct scorecard, at_ms[EXPECT_ACKNOWLEDGE], F_I64),
	FIELD(struct scorecard, at_ms[EXPECT_DECIDE], F_I64),
	FIELD(struct scorecard, at_ms[EXPECT_ROLLBACK], F_I64),
	FIELD(struct scorecard, at_ms[EXPECT_VERIFY], F_I64),
	FIELD(struct scorecard, steps, F_INT),
	FIELD(struct scorecard, update_due_ms, F_I64),
	FIELD(struct scorecard, update_every_ms, F_I64),
	FIELD(struct scorecard, updates_on_time, F_UINT),
	FIELD(struct scorecard, updates_late, F_UINT),
	FIELD(struct scorecard, ended_ms, F_I64),
};
_Static_assert(EXPECT_N == 5, "a new measure belongs in scorecard_fields");

static const struct field incident_fields[] = {
	FIELD(struct incident, frozen, F_BOOL),
	FIELD(struct incident, freeze_by, F_STR),
	FIELD(struct incident, freeze_reason, F_STR),
	FIELD(struct incident, freeze_at, F_I64),
};

/* A replay sets the event line's last action at the moment of the replay
 * (inc->now), its narration at the time of the line it tells. */
static const struct field event_fields[] = {
	FIELD(struct incident_event, text, F_TEXT),
	FIELD(struct incident_event, failed, F_BOOL),
	FIELD(struct incident_event, at_ms, F_I64),
};

static const struct field deployment_fields[] = {
	FIELD(struct deployment, name, F_STR),
	FIELD(struct deployment, traffic, F_INT),
	FIELD(struct deployment, state, F_STR),
	FIELD(struct deployment, created_ms, F_I64),
};

/* ---- arrays -------------------------------------------------------------- */

static void put_array(cJSON *o, const char *key, const void *items, size_t n, size_t size,
		      const struct field *f, size_t nf)
{
	cJSON *a = cJSON_AddArrayToObject(o, key);
	for (size_t i = 0; i < n; i++) {
		cJSON *x = cJSON_CreateObject();
		put_fields(x, (const char *)items + i * size, f, nf);
		cJSON_AddItemToArray(a, x);
	}
}

/* Reads o's array key into *items (*n of them, *cap allocated), each
 * zeroed before it is filled and counted, so that whatever frees the
 * incident frees a half-read one too. */
static bool get_array(const cJSON *o, const char *key, void *items, size_t *n, size_t *cap, size_t size,
		      const struct field *f, size_t nf)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsArray(a))
		return false;
	for (const cJSON *x = a->child; x; x = x->next) {
		xgrow(items, cap, *n + 1, size);
		char *item = *(char **)items + *n * size;
		memset(item, 0, size);
		(*n)++;
		if (!cJSON_IsObject(x) || !get_fields(x, item, f, nf))
			return false;
	}
	return true;
}

static cJSON *model_json(const struct model *m)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < m->n_endpoints; i++) {
		const struct endpoint *ep = m->endpoints[i];
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", ep->name);
		cJSON_AddItemToObject(e, "last_known_good",
				      ep->last_known_good ? cJSON_CreateString(ep->last_known_good) : cJSON_CreateNull());
		cJSON *ds = cJSON_AddArrayToObject(e, "deployments");
		for (size_t k = 0; k < ep->n_deployments; k++) {
			cJSON *d = cJSON_CreateObject();
			put_fields(d, ep->deployments[k], deployment_fields, N(deployment_fields));
			cJSON_AddItemToArray(ds, d);
		}
		cJSON_AddItemToArray(a, e);
	}
	return a;
}

static bool model_from(struct model *m, const cJSON *a)
{
	if (!cJSON_IsArray(a))
		return false;
	for (const cJSON *e = a->child; e; e = e->next) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "name"));
		const cJSON *lkg = cJSON_GetObjectItemCaseSensitive(e, "last_known_good");
		const cJSON *ds = cJSON_GetObjectItemCaseSensitive(e, "deployments");
		if (!name || !(cJSON_IsString(lkg) || cJSON_IsNull(lkg)) || !cJSON_IsArray(ds))
			return false;
		struct endpoint *ep = model_add_endpoint(m, name);
		ep->last_known_good = cJSON_IsString(lkg) ? xstrdup(lkg->valuestring) : NULL;
		for (const cJSON *d = ds->child; d; d = d->next) {
			struct deployment got = { 0 };
			bool ok = get_fields(d, &got, deployment_fields, N(deployment_fields)) && got.name && got.state;
			if (ok) {
				struct deployment *nd = endpoint_add_deployment(ep, got.name, got.state, got.created_ms);
				nd->traffic = got.traffic;
			}
			free(got.name);
			free(got.state);
			if (!ok)
				return false;
		}
	}
	return true;
}

/* ---- the state ------------------------------------------------------------ */

/* What built a state: one built by another version of the replay (another
 * release, or a change to what a line does in absorb, which bumps the
 * number here) is not restored: the journal is read whole. */
#define CHECKPOINT_BUILT_BY "cmdr " CMDR_VERSION ", replay 1"

cJSON *checkpoint_state(const struct incident *inc)
{
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "built_by", CHECKPOINT_BUILT_BY);
	if (inc->policy.seq) {
		cJSON *p = cJSON_AddObjectToObject(s, "policy");
		cJSON_AddItemToObject(p, "pin", policy_pin_json(&inc->policy));
		cJSON_AddStringToObject(p, "hash", inc->policy.hash);
		char seq[32];
		snprintf(seq, sizeof seq, "%llu", (unsigned long long)inc->policy.seq);
		cJSON_AddStringToObject(p, "seq", seq);
	}
	put_fields(cJSON_AddObjectToObject(s, "workflow"), &inc->workflow, workflow_fields, N(workflow_fields));
	put_array(s, "requests", inc->requests, inc->n_requests, sizeof *inc->requests, request_fields,
		  N(request_fields));
	put_array(s, "doubts", inc->doubts, inc->n_doubts, sizeof *inc->doubts, doubt_fields, N(doubt_fields));
	put_array(s, "ticks", inc->ticks, inc->n_ticks, sizeof *inc->ticks, tick_fields, N(tick_fields));
	put_array(s, "pins", inc->pins.pins, inc->pins.n, sizeof *inc->pins.pins, pin_fields, N(pin_fields));
	put_array(s, "silences", inc->silences, inc->n_silences, sizeof *inc->silences, silence_fields,
		  N(silence_fields));
	put_fields(cJSON_AddObjectToObject(s, "scorecard"), &inc->scorecard, scorecard_fields, N(scorecard_fields));
	put_fields(s, inc, incident_fields, N(incident_fields));
	put_fields(cJSON_AddObjectToObject(s, "last_action"), &inc->last_action, event_fields, N(event_fields));
	put_fields(cJSON_AddObjectToObject(s, "narration"), &inc->narration, event_fields, N(event_fields));
	cJSON_AddItemToObject(s, "endpoints", model_json(&inc->model));
	char total[32];
	snprintf(total, sizeof total, "%llu", (unsigned long long)inc->timeline.total);
	cJSON_AddStringToObject(s, "timeline_total", total);
	return s;
}

static bool policy_from(struct incident *inc, const cJSON *p)
{
	if (!p)
		return true;
	long long seq;
	struct policy pinned;
	struct error err;
	if (!get_i64(cJSON_GetObjectItemCaseSensitive(p, "seq"), 1, &seq) ||
	    policy_from_pin(&pinned, cJSON_GetObjectItemCaseSensitive(p, "pin"),
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "hash")), (uint64_t)seq, &err) != 0)
		return false;
	policy_free(&inc->policy);
	inc->policy = pinned;
	return true;
}

int checkpoint_restore(struct incident *inc, const cJSON *s)
{
	long long total;
	const char *built_by = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "built_by"));
	bool ok = built_by && strcmp(built_by, CHECKPOINT_BUILT_BY) == 0;
	ok = ok && policy_from(inc, cJSON_GetObjectItemCaseSensitive(s, "policy"));
	/* workflow_init's strings are NULL: get_fields fills them. */
	ok = ok && get_fields(cJSON_GetObjectItemCaseSensitive(s, "workflow"), &inc->workflow, workflow_fields,
			      N(workflow_fields));
	ok = ok && get_array(s, "requests", &inc->requests, &inc->n_requests, &inc->cap_requests,
			     sizeof *inc->requests, request_fields, N(request_fields));
	for (size_t i = 0; ok && i < inc->n_requests; i++) {
		const struct approval_request *r = &inc->requests[i];
		ok = r->state >= REQUEST_PENDING && r->state <= REQUEST_WITHDRAWN && r->kind && r->endpoint && r->to &&
		     r->reason && r->traffic && r->requester && r->req_user;
	}
	ok = ok && get_array(s, "doubts", &inc->doubts, &inc->n_doubts, &inc->cap_doubts, sizeof *inc->doubts,
			     doubt_fields, N(doubt_fields));
	for (size_t i = 0; i < inc->n_doubts; i++)
		inc->doubts[i].lock_fd = -1;
	for (size_t i = 0; ok && i < inc->n_doubts; i++) {
		const struct doubt *d = &inc->doubts[i];
		ok = d->kind && d->endpoint && d->by && d->traffic;
	}
	ok = ok && get_array(s, "ticks", &inc->ticks, &inc->n_ticks, &inc->cap_ticks, sizeof *inc->ticks, tick_fields,
			     N(tick_fields));
	ok = ok && get_array(s, "pins", &inc->pins.pins, &inc->pins.n, &inc->pins.cap, sizeof *inc->pins.pins,
			     pin_fields, N(pin_fields));
	for (size_t i = 0; ok && i < inc->pins.n; i++)
		ok = inc->pins.pins[i].service && inc->pins.pins[i].by;
	size_t cap_silences = inc->n_silences;
	ok = ok && get_array(s, "silences", &inc->silences, &inc->n_silences, &cap_silences, sizeof *inc->silences,
			     silence_fields, N(silence_fields));
	ok = ok && get_fields(cJSON_GetObjectItemCaseSensitive(s, "scorecard"), &inc->scorecard, scorecard_fields,
			      N(scorecard_fields));
	ok = ok && get_fields(s, inc, incident_fields, N(incident_fields));
	ok = ok && get_fields(cJSON_GetObjectItemCaseSensitive(s, "last_action"), &inc->last_action, event_fields,
			      N(event_fields));
	ok = ok && get_fields(cJSON_GetObjectItemCaseSensitive(s, "narration"), &inc->narration, event_fields,
			      N(event_fields));
	ok = ok && model_from(&inc->model, cJSON_GetObjectItemCaseSensitive(s, "endpoints"));
	ok = ok && get_i64(cJSON_GetObjectItemCaseSensitive(s, "timeline_total"), 0, &total);
	if (!ok)
		return -1;
	if (inc->last_action.at_ms)
		inc->last_action.at_ms = inc->now;
	inc->timeline.total = (uint64_t)total;
	inc->generation++;
	return 0;
}
