/* Two-person approvals (a change held until a second person approves,
 * or until it expires) and the change freeze. */
#include "incident.h"
#include "incident_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonmsg.h"
#include "timefmt.h"
#include "xalloc.h"

static void freeze_set(struct incident *inc, bool on, const char *by, const char *reason, int64_t at)
{
	inc->frozen = on;
	free(inc->freeze_by);
	free(inc->freeze_reason);
	inc->freeze_by = xstrdup(by);
	inc->freeze_reason = xstrdup(reason ? reason : "");
	inc->freeze_at = at;
	inc->generation++;
}

void absorb_freeze(struct incident *inc, const cJSON *e, int64_t at)
{
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome");
	const char *person = entry_person(e);
	if (!action || !outcome || !person)
		return;
	if ((strcmp(action, "freeze") == 0 && strcmp(outcome, "on") == 0) ||
	    (strcmp(action, "unfreeze") == 0 && strcmp(outcome, "off") == 0))
		freeze_set(inc, strcmp(action, "freeze") == 0, person, jsonmsg_str(e, "reason"), at);
}

int incident_set_freeze(struct incident *inc, bool on, const char *reason, const struct actor *actor,
			struct error *err)
{
	const char *action = on ? "freeze" : "unfreeze";
	if (incident_may_act(inc, actor, action, "incident", reason, err) != 0)
		return -1;
	const char *why = !reason || !*reason ? "a reason is required"
			  : inc->frozen == on  ? (on ? "the change freeze is already on" : "there is no change freeze")
					       : NULL;
	if (why) {
		incident_journal_refusal(inc, actor, action, "incident", reason, why);
		return error_set(err, "%s refused: %s", action, why);
	}
	cJSON *e = incident_journal_entry(inc, actor, action, "incident", reason);
	cJSON_AddStringToObject(e, "outcome", on ? "on" : "off");
	if (incident_record_or_fail(inc, e, action, err) != 0)
		return -1;
	incident_set_event(&inc->last_action, inc->now, on, "change freeze %s by %s: %s", on ? "ON" : "off",
			   actor_person(actor), reason);
	return 0;
}

/* Which pre-approved emergency criterion covers a rollback of endpoint
 * now, in words, or false. */
bool preapproved(const struct incident *inc, const char *endpoint, char *why, size_t size)
{
	const struct governance *g = &inc->policy.gov;
	for (size_t i = 0; g->emergency_canary && i < inc->n_canaries; i++) {
		const struct canary *c = &inc->canaries[i].canary;
		if (strcmp(c->spec.endpoint, endpoint) == 0 && c->verdict == CANARY_ROLLBACK) {
			snprintf(why, size, "canary verdict on %s", c->spec.deployment);
			return true;
		}
	}
	for (size_t i = 0; g->emergency_burn > 0 && i < inc->n_slos; i++) {
		const struct incident_slo *s = &inc->slos[i];
		double burn = s->result.windows[g->emergency_window].burn;
		/* Stale figures pre-approve nothing. */
		if (data_stale(&s->data, inc->now))
			continue;
		if ((!s->endpoint || strcmp(s->endpoint, endpoint) == 0) && burn >= g->emergency_burn) {
			snprintf(why, size, "%s burn %s %.1fx >= %gx", s->spec.name,
				 burn_window_name[g->emergency_window], burn, g->emergency_burn);
			return true;
		}
	}
	return false;
}

struct approval_request *request_find(const struct incident *inc, uint64_t seq)
{
	for (size_t i = 0; i < inc->n_requests; i++)
		if (inc->requests[i].seq == seq)
			return &inc->requests[i];
	return NULL;
}

/* Whether this process records what it finds (expiries, read-backs):
 * not a snapshot, and not a console that may not act. */
bool may_act_here(const struct incident *inc)
{
	const char *why;
	return !inc->passive && inc->journal.store && actor_may_mutate(&inc->actor, &why);
}

/* Whether this process's clock tells when r expires: the asker's does;
 * a drill's simulated time is no other console's. */
bool request_clock_ours(const struct incident *inc, const struct approval_request *r)
{
	return r->mine || (!r->drill && inc->mode == MODE_LIVE);
}

static bool request_expired(const struct incident *inc, const struct approval_request *r)
{
	return r->state == REQUEST_EXPIRED || (request_clock_ours(inc, r) && inc->now >= r->expires_ms);
}

void incident_request_describe(const struct approval_request *r, char *buf, size_t size)
{
	if (strcmp(r->kind, "promote") == 0)
		snprintf(buf, size, "promote %s on %s", r->to, r->endpoint);
	else if (strcmp(r->kind, "set_weight") == 0)
		snprintf(buf, size, "set %s to %s", r->endpoint, r->traffic);
	else
		snprintf(buf, size, "roll back %s to %s", r->endpoint, r->to);
}

enum request_state incident_request_state(const struct incident *inc, const struct approval_request *r)
{
	bool open = r->state == REQUEST_PENDING || r->state == REQUEST_APPROVED;
	return open && request_expired(inc, r) ? REQUEST_EXPIRED : r->state;
}

static struct approval_request *request_add(struct incident *inc, uint64_t seq, const char *kind,
					    const char *endpoint, const char *to, const char *traffic,
					    const char *reason, const char *req_user, const char *req_as,
					    int64_t expires_ms)
{
	xgrow(&inc->requests, &inc->cap_requests, inc->n_requests + 1, sizeof *inc->requests);
	struct approval_request *r = &inc->requests[inc->n_requests++];
	memset(r, 0, sizeof *r);
	r->seq = seq;
	r->kind = xstrdup(kind);
	r->endpoint = xstrdup(endpoint);
	r->to = xstrdup(to);
	r->traffic = xstrdup(traffic ? traffic : "");
	r->reason = xstrdup(reason ? reason : "");
	r->req_user = xstrdup(req_user);
	r->req_as = req_as ? xstrdup(req_as) : NULL;
	r->requester = xstrdup(req_as ? req_as : req_user);
	r->expires_ms = expires_ms;
	r->state = REQUEST_PENDING;
	traffic_split_init(&r->given);
	inc->generation++;
	return r;
}

/* The two-person rule: the request is journaled as pending, and nothing
 * changes until a second person approves it. Returns 1 (held), or -1. */
int change_hold(struct incident *inc, const char *kind, const char *endpoint, const char *to,
		       const struct traffic_split *given, const char *reason, const struct actor *actor,
		       struct error *err)
{
	const struct endpoint *ep = model_find_endpoint(&inc->model, endpoint);
	struct traffic_split from, want;
	traffic_split_init(&from);
	traffic_split_init(&want);
	endpoint_current_split(ep, &from);
	wanted_split(ep, to, given, &want);
	char *from_s = traffic_split_format(&from), *want_s = traffic_split_format(&want);
	char expires[32], wait[16];
	int64_t expires_ms = inc->now + inc->policy.gov.approval_timeout_ms;
	timefmt_iso(expires_ms, expires, sizeof expires);
	timefmt_duration(inc->policy.gov.approval_timeout_ms, wait, sizeof wait);
	cJSON *e = incident_journal_entry(inc, actor, kind, endpoint, reason);
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddStringToObject(params, "to", to);
	cJSON_AddStringToObject(params, "from", from_s);
	cJSON_AddStringToObject(params, "traffic", want_s);
	cJSON_AddStringToObject(params, "expires", expires);
	cJSON_AddStringToObject(e, "outcome", "pending");
	cJSON_AddStringToObject(e, "detail", "two-person rule: waiting for a second person's approval");
	struct error jerr;
	int rc = journal_append(&inc->journal, e, &jerr);
	uint64_t seq = jsonmsg_uint(e, "seq", UINT64_MAX);
	cJSON_Delete(e);
	free(from_s);
	traffic_split_free(&from);
	traffic_split_free(&want);
	if (rc != 0) {
		free(want_s);
		return error_set(err, "%s not requested: %s", kind, jerr.msg);
	}
	free(want_s);
	/* Added by the line itself, read back (absorb_request); ours to carry out. */
	struct approval_request *r = request_find(inc, seq);
	if (!r)
		abort();
	r->mine = true;
	actor_copy(&r->actor, actor);
	if (given) {
		traffic_split_free(&r->given);
		traffic_split_copy(&r->given, given);
	}
	incident_set_event(&inc->last_action, inc->now, false,
			   "%s %s -> %s by %s held: a second person must approve within %s", kind, endpoint, to,
			   actor_person(actor), wait);
	error_set(err, "%s of %s to %s is waiting for a second person's approval (two-person rule, %s)", kind,
		  endpoint, to, wait);
	return 1;
}

const char *request_state_name(enum request_state s)
{
	switch (s) {
	case REQUEST_PENDING:
		return "pending";
	case REQUEST_APPROVED:
		return "approved";
	case REQUEST_EXECUTED:
		return "executed";
	case REQUEST_EXPIRED:
		return "expired";
	case REQUEST_WITHDRAWN:
		return "withdrawn";
	}
	abort();
}

const struct approval_request *incident_request_to_approve(const struct incident *inc, const struct actor *me)
{
	for (size_t i = 0; i < inc->n_requests; i++) {
		const struct approval_request *r = &inc->requests[i];
		char why[200];
		if (r->state == REQUEST_PENDING && !request_expired(inc, r) &&
		    policy_second_person(&inc->policy, r->req_user, r->req_as, me->user, me->as_name, why, sizeof why))
			return r;
	}
	return NULL;
}

const struct approval_request *incident_request(const struct incident *inc, uint64_t seq)
{
	return request_find(inc, seq);
}

int incident_withdraw(struct incident *inc, uint64_t request_seq, const struct actor *actor, struct error *err)
{
	struct approval_request *r = request_find(inc, request_seq);
	if (!r || !r->mine)
		return error_set(err, "no request of this process at seq %llu", (unsigned long long)request_seq);
	cJSON *e = incident_journal_entry(inc, actor, r->kind, r->endpoint, r->reason);
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddNumberToObject(params, "request", (double)r->seq);
	cJSON_AddStringToObject(e, "outcome", "withdrawn");
	cJSON_AddStringToObject(e, "detail", "withdrawn by the one who asked before it was carried out");
	int rc = journal_append(&inc->journal, e, err);
	cJSON_Delete(e);
	return rc;
}

int incident_approve(struct incident *inc, uint64_t request_seq, const struct actor *actor, struct error *err)
{
	struct approval_request *r = request_find(inc, request_seq);
	const char *target = r ? r->endpoint : NULL;
	if (incident_may_act(inc, actor, "approve", target, NULL, err) != 0)
		return -1;
	const char *why = NULL;
	char buf[200];
	if (!r) {
		snprintf(buf, sizeof buf, "no request at seq %llu", (unsigned long long)request_seq);
		why = buf;
	} else if (r->state != REQUEST_PENDING) {
		snprintf(buf, sizeof buf, "the request at seq %llu is %s", (unsigned long long)request_seq,
			 request_state_name(r->state));
		why = buf;
	} else if (request_expired(inc, r)) {
		snprintf(buf, sizeof buf, "the request at seq %llu is expired", (unsigned long long)request_seq);
		why = buf;
	} else if (!policy_second_person(&inc->policy, r->req_user, r->req_as, actor->user, actor->as_name, buf,
					 sizeof buf)) {
		/* The point of the rule: the one who asks cannot approve. */
		why = buf;
	}
	if (why) {
		incident_journal_refusal(inc, actor, "approve", target, NULL, why);
		return error_set(err, "approval refused: %s", why);
	}
	cJSON *e = incident_journal_entry(inc, actor, "approve", r->endpoint, r->reason);
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddNumberToObject(params, "request", (double)r->seq);
	cJSON_AddStringToObject(params, "requester", r->requester);
	cJSON_AddStringToObject(params, "to", r->to);
	cJSON_AddStringToObject(e, "outcome", "approved");
	if (incident_record_or_fail(inc, e, "approval", err) != 0)
		return -1;
	/* The line, read back like any other, approved it (absorb_request);
	 * the process that asked carries it out. */
	inc->generation++;
	return 0;
}

/* An approved request is carried out by the process that asked (it holds
 * the asker's reason and, for set_weight, the split). A request still
 * open at its expiry, pending or approved but never carried out (the
 * asker's process ended), is recorded as expired by whichever process
 * that may act sees it first: never an approval that nobody executes. */
static void request_execute(struct incident *inc, struct approval_request *r)
{
	/* Copies first: journal appends below can move r. */
	uint64_t seq = r->seq;
	cJSON *extra = cJSON_CreateObject();
	cJSON_AddNumberToObject(extra, "request", (double)seq);
	cJSON_AddStringToObject(extra, "approved_by", r->approver ? r->approver : "?");
	struct error err;
	char *kind = xstrdup(r->kind), *endpoint = xstrdup(r->endpoint), *to = xstrdup(r->to),
	     *reason = xstrdup(r->reason);
	struct traffic_split given;
	traffic_split_copy(&given, &r->given);
	const struct traffic_split *g = given.n ? &given : NULL;
	struct actor who;
	actor_copy(&who, &r->actor);
	r->state = REQUEST_EXECUTED;
	const char *to_arg = to;
	/* The world may have moved while the request waited. */
	int check = traffic_check(inc, kind, endpoint, &to_arg, g, reason, &err);
	if (check != 0) {
		cJSON *e = incident_journal_entry(inc, &who, kind, endpoint, reason);
		cJSON_AddItemToObject(e, "params", cJSON_Duplicate(extra, true));
		cJSON_AddStringToObject(e, "outcome", check == -2 ? "failed" : "refused");
		cJSON_AddStringToObject(e, "detail", err.msg);
		if (incident_record(inc, e) == 0)
			incident_set_event(&inc->last_action, inc->now, true, "approved %s of %s not carried out: %s",
					   kind, endpoint, err.msg);
	} else {
		traffic_execute(inc, kind, endpoint, to, g, reason, &who, extra, &err);
	}
	actor_free(&who);
	traffic_split_free(&given);
	free(kind);
	free(endpoint);
	free(to);
	free(reason);
	cJSON_Delete(extra);
	inc->generation++;
}

static void request_expire(struct incident *inc, struct approval_request *r)
{
	bool approved = r->state == REQUEST_APPROVED;
	const char *why = approved ? "approved, but the process that asked did not carry it out before it expired"
				   : "no second person approved it in time";
	uint64_t seq = r->seq;
	/* Once: a journal that refuses the line must not make it due again. */
	r->expiry_tried = true;
	cJSON *e = incident_journal_entry(inc, r->mine ? &r->actor : &inc->actor, r->kind, r->endpoint, r->reason);
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddNumberToObject(params, "request", (double)seq);
	cJSON_AddStringToObject(e, "outcome", "expired");
	cJSON_AddStringToObject(e, "detail", why);
	char *what = xasprintf("%s of %s to %s expired: %s", r->kind, r->endpoint, r->to, why);
	struct error jerr;
	/* r may move during the append (see incident_approve); another
	 * process may have settled it first, and then nothing is written. */
	if (journal_append(&inc->journal, e, &jerr) != 0) {
		r = request_find(inc, seq);
		if (r && (r->state == REQUEST_PENDING || r->state == REQUEST_APPROVED))
			incident_set_event(&inc->last_action, inc->now, true, "journal: %s", jerr.msg);
	} else {
		incident_set_event(&inc->last_action, inc->now, true, "%s", what);
	}
	free(what);
	cJSON_Delete(e);
	inc->generation++;
}

void requests_due(struct incident *inc)
{
	bool may_act = may_act_here(inc);
	for (size_t i = 0; i < inc->n_requests; i++) {
		struct approval_request *r = &inc->requests[i];
		bool open = r->state == REQUEST_PENDING || r->state == REQUEST_APPROVED;
		if (open && !r->expiry_tried && request_expired(inc, r) && (r->mine || may_act))
			request_expire(inc, r);
		else if (r->mine && r->state == REQUEST_APPROVED)
			request_execute(inc, r);
	}
}

bool is_traffic_kind(const char *action)
{
	return strcmp(action, "rollback") == 0 || strcmp(action, "promote") == 0 || strcmp(action, "set_weight") == 0;
}

/* Requests for a second person's approval, and what ends them. An
 * approval counts only from a second person with a role that may act,
 * by the incident's rules, whatever the approving console believed. */
void absorb_request(struct incident *inc, const cJSON *e)
{
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome"),
		   *target = jsonmsg_str(e, "target");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(e, "params");
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
	const char *user = jsonmsg_str(actor, "user"), *as = jsonmsg_str(actor, "as");
	if (!action || !outcome || !target || !user)
		return;
	uint64_t seq = jsonmsg_uint(e, "seq", UINT64_MAX);
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(params, "request");
	struct approval_request *r = cJSON_IsNumber(req) ? request_find(inc, (uint64_t)req->valuedouble) : NULL;
	if (is_traffic_kind(action) && strcmp(outcome, "pending") == 0 && jsonmsg_str(params, "to")) {
		int64_t expires = INT64_MAX;
		const char *ex = jsonmsg_str(params, "expires");
		if (ex)
			timefmt_parse_iso(ex, &expires);
		if (!request_find(inc, seq))
			request_add(inc, seq, action, target, jsonmsg_str(params, "to"), jsonmsg_str(params, "traffic"),
				    jsonmsg_str(e, "reason"), user, as, expires)
				->drill = jsonmsg_str(e, "drill") != NULL;
	} else if (r && strcmp(action, "approve") == 0 && strcmp(outcome, "approved") == 0 &&
		   r->state == REQUEST_PENDING) {
		char why[200];
		enum role role = policy_role_of(&inc->policy, user, as);
		const char *person = as && policy_shared_account(&inc->policy, user) ? as : user;
		if (role == ROLE_OBSERVER)
			snprintf(why, sizeof why, "%s is an observer by the incident's policy", person);
		if (role == ROLE_OBSERVER ||
		    !policy_second_person(&inc->policy, r->req_user, r->req_as, user, as, why, sizeof why)) {
			incident_set_event(&inc->last_action, inc->now, true, "approval of seq %llu by %s ignored: %s",
					   (unsigned long long)r->seq, person, why);
			return;
		}
		r->state = REQUEST_APPROVED;
		free(r->approver);
		r->approver = xstrdup(as ? as : user);
		incident_set_event(&inc->last_action, inc->now, false, "%s approved %s's %s of %s to %s", r->approver,
				   r->requester, r->kind, r->endpoint, r->to);
	} else if (r && strcmp(action, r->kind) == 0 &&
		   (strcmp(outcome, "intent") == 0 || strcmp(outcome, "refused") == 0)) {
		r->state = REQUEST_EXECUTED;
	} else if (r && strcmp(action, r->kind) == 0 && strcmp(outcome, "expired") == 0) {
		r->state = REQUEST_EXPIRED;
	} else if (r && strcmp(action, r->kind) == 0 && strcmp(outcome, "withdrawn") == 0) {
		r->state = REQUEST_WITHDRAWN;
	}
}
