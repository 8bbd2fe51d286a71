/* Whose rules: the policy pinned in the journal, who the actor is under
 * it, and the lock that makes one live console the one that runs the
 * canary policy. */
#include "incident.h"
#include "incident_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonmsg.h"
#include "lock.h"
#include "xalloc.h"

#define POLICY_RETRY_MS 5000

/* Takes the policy lock when this console wants it and it is free. */
void policy_claim(struct incident *inc)
{
	/* A PostgreSQL session that was cut took its lock with it. */
	if (inc->policy_fd >= 0 && !journal_lock_held(&inc->journal, inc->policy_fd))
		inc->policy_fd = -1;
	if (!inc->policy_wanted || inc->policy_fd >= 0 || !inc->journal.dir || inc->journal.readonly)
		return;
	int64_t now = clock_monotonic_ms();
	if (now < inc->policy_try_ms)
		return;
	inc->policy_try_ms = now + POLICY_RETRY_MS;
	char *holder = xasprintf("%s's console (pid %ld)", actor_person(&inc->actor), (long)getpid());
	struct error err;
	inc->policy_fd = journal_lock_policy(&inc->journal, holder, &err);
	free(holder);
	if (inc->policy_fd >= 0) {
		*inc->policy_elsewhere = '\0';
	} else if (strcmp(inc->policy_elsewhere, err.msg) != 0) {
		snprintf(inc->policy_elsewhere, sizeof inc->policy_elsewhere, "%s", err.msg);
		incident_set_event(&inc->narration, inc->now, false, "%s; this one watches", err.msg);
		inc->generation++;
	}
}

void incident_want_policy(struct incident *inc)
{
	/* Its changes are this console's: one that may not act runs none. */
	const char *why;
	if (!actor_may_mutate(&inc->actor, &why)) {
		incident_set_event(&inc->narration, inc->now, false, "the canary policy does not run here: %s", why);
		return;
	}
	inc->policy_wanted = true;
	policy_claim(inc);
}

/* Settles inc->actor under the rules in force; a console whose rules
 * changed under it keeps running, in the role the new rules give. */
static int settle_actor(struct incident *inc, struct error *err)
{
	int rc = policy_apply_identity(&inc->policy, &inc->actor, inc->role_given, err);
	/* A read-only look needs no name: it acts as nobody. */
	if (rc != 0 && (inc->settled || inc->actor.readonly)) {
		inc->actor.role = ROLE_OBSERVER;
		rc = 0;
	}
	inc->settled = rc == 0;
	return rc;
}

/* A line that pins rules makes them the incident's from its seq on. */
void absorb_policy(struct incident *inc, const cJSON *e)
{
	const cJSON *pin = cJSON_GetObjectItemCaseSensitive(e, "policy_pinned");
	if (!pin)
		return;
	struct policy p;
	struct error err;
	uint64_t seq = jsonmsg_uint(e, "seq", UINT64_MAX);
	if (policy_from_pin(&p, pin, jsonmsg_str(e, "policy"), seq, &err) != 0) {
		incident_set_event(&inc->last_action, inc->now, true, "journal: %s; the rules before it stand", err.msg);
		return;
	}
	bool changed = strcmp(p.hash, inc->policy.hash) != 0;
	policy_free(&inc->policy);
	inc->policy = p;
	if (changed && inc->settled) {
		enum role was = inc->actor.role;
		settle_actor(inc, &err);
		if (inc->actor.role != was)
			incident_set_event(&inc->last_action, inc->now, true,
					   "the incident's policy was pinned anew at seq %llu: you act as %s now",
					   (unsigned long long)seq, role_name(inc->actor.role));
		const char *why;
		if (!actor_may_mutate(&inc->actor, &why) && inc->policy_wanted) {
			/* The canary policy acts as this console: no longer here. */
			inc->policy_wanted = false;
			journal_unlock(&inc->journal, inc->policy_fd);
			inc->policy_fd = -1;
		}
	}
}

int incident_settle_policy(struct incident *inc, const struct policy *candidate, bool role_given,
			   struct error *err)
{
	inc->role_given = role_given;
	if (!inc->policy.seq) {
		policy_free(&inc->policy);
		policy_copy(&inc->policy, candidate);
	}
	inc->settled = false;
	return settle_actor(inc, err);
}

/* Every line names the rules it was judged by, and the first line of an
 * incident pins them whole. Decided under the writers' lock, once every
 * other writer's lines are read: two processes starting one incident
 * cannot pin two sets of rules, and a line whose role the rules in force
 * do not give (they were pinned anew while it was decided) is refused. */
int on_stamp(void *ctx, cJSON *e, struct error *err)
{
	struct incident *inc = ctx;
	if (cJSON_GetObjectItemCaseSensitive(e, "policy_pinned"))
		return 0;
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
	const char *user = jsonmsg_str(actor, "user"), *as = jsonmsg_str(actor, "as"), *role = jsonmsg_str(e, "role");
	enum role claimed;
	bool refused = strcmp(jsonmsg_str(e, "outcome") ? jsonmsg_str(e, "outcome") : "", "refused") == 0;
	if (!refused && role && role_parse(role, &claimed) && claimed < policy_role_of(&inc->policy, user, as))
		return error_set(err, "the incident's policy (seq %llu) gives %s the role %s, not %s; nothing appended",
				 (unsigned long long)inc->policy.seq, as && policy_shared_account(&inc->policy, user) ? as : user,
				 role_name(policy_role_of(&inc->policy, user, as)), role);
	/* A request is approved while pending, and expires while open, once:
	 * two consoles seeing it at the same moment write one line. */
	const char *outcome = jsonmsg_str(e, "outcome");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "params"), "request");
	if (outcome && cJSON_IsNumber(req) &&
	    (strcmp(outcome, "approved") == 0 || strcmp(outcome, "expired") == 0 || strcmp(outcome, "withdrawn") == 0)) {
		const struct approval_request *r = request_find(inc, (uint64_t)req->valuedouble);
		bool open = r && (r->state == REQUEST_PENDING || (r->state == REQUEST_APPROVED && *outcome != 'a'));
		if (!open)
			return error_set(err, "the request at seq %.0f is %s; nothing appended", req->valuedouble,
					 r ? request_state_name(r->state) : "unknown");
	}
	if (!inc->policy.seq) {
		policy_seal(&inc->policy);
		cJSON_AddItemToObject(e, "policy_pinned", policy_pin_json(&inc->policy));
	}
	cJSON_DeleteItemFromObjectCaseSensitive(e, "policy");
	cJSON_AddStringToObject(e, "policy", inc->policy.hash);
	return 0;
}

int incident_pin_policy(struct incident *inc, const struct policy *candidate, const char *reason,
			const struct actor *actor, struct error *err)
{
	if (incident_may_act(inc, actor, "policy", "incident", reason, err) != 0)
		return -1;
	char why[160] = "";
	if (actor->role != ROLE_COMMANDER)
		snprintf(why, sizeof why, "only the commander pins the incident's policy (you act as %s)",
			 role_name(actor->role));
	else if (!reason || !*reason)
		snprintf(why, sizeof why, "a reason is required");
	else if (inc->policy.seq && strcmp(candidate->hash, inc->policy.hash) == 0)
		snprintf(why, sizeof why, "these rules are already pinned (seq %llu)", (unsigned long long)inc->policy.seq);
	if (*why) {
		incident_journal_refusal(inc, actor, "policy", "incident", reason, why);
		return error_set(err, "policy refused: %s", why);
	}
	cJSON *e = incident_journal_entry(inc, actor, "policy", "incident", reason);
	cJSON_AddItemToObject(e, "policy_pinned", policy_pin_json(candidate));
	cJSON_AddStringToObject(e, "policy", candidate->hash);
	cJSON_AddStringToObject(e, "outcome", "pinned");
	struct error jerr;
	int rc = journal_append(&inc->journal, e, &jerr);
	cJSON_Delete(e);
	if (rc != 0)
		return error_set(err, "policy not pinned: %s", jerr.msg);
	incident_set_event(&inc->last_action, inc->now, false, "policy %.12s pinned by %s (from %s)", candidate->hash,
			   actor_person(actor), candidate->source ? candidate->source : "no config: defaults");
	return 0;
}
