/* Traffic changes: the check, the apply through the target, the read-back
 * until the split matches (verified) or the time runs out, and the
 * readings of every endpoint that decide what a change starts from. */
#include "incident.h"
#include "incident_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonmsg.h"
#include "lock.h"
#include "evidence.h"
#include "timefmt.h"
#include "xalloc.h"

static int traffic_change(struct incident *inc, const char *kind, const char *endpoint, const char *to,
			  const struct traffic_split *given, const char *reason, const struct actor *actor,
			  struct error *err);

/* Journals the outcome of job; a journal failure reaches the status line. */
static void job_journal_outcome(struct incident *inc, struct action_job *job, const char *outcome,
				const char *detail, const struct traffic_split *now_split)
{
	cJSON *e = incident_journal_entry(inc, &job->actor, job->kind, job->endpoint, job->reason);
	cJSON_AddNumberToObject(e, "intent", (double)job->intent_seq);
	cJSON_AddStringToObject(e, "outcome", outcome);
	if (detail)
		cJSON_AddStringToObject(e, "detail", detail);
	if (now_split) {
		char *s = traffic_split_format(now_split);
		cJSON_AddStringToObject(e, "traffic", s);
		free(s);
	}
	struct error err;
	if (journal_append(&inc->journal, e, &err) == 0) {
		cJSON_Delete(e);
		return;
	}
	/* The change is made: its record must not be lost with the line. */
	job->unjournaled = e;
	job->journal_error = xstrdup(err.msg);
	job->journal_retry_ms = clock_monotonic_ms() + MS_PER_S;
	incident_set_event(&inc->last_action, inc->now, true,
			   "%s %s %s, but the journal did not take the outcome (%s); retrying", job->kind, job->endpoint,
			   outcome, err.msg);
}

/* Outcomes the journal refused are tried again, once a second. */
void outcomes_retry(struct incident *inc)
{
	int64_t now = clock_monotonic_ms();
	for (size_t i = 0; i < inc->n_jobs; i++) {
		struct action_job *job = &inc->jobs[i];
		if (!job->unjournaled || now < job->journal_retry_ms)
			continue;
		job->journal_retry_ms = now + MS_PER_S;
		struct error err;
		if (journal_append(&inc->journal, job->unjournaled, &err) != 0) {
			free(job->journal_error);
			job->journal_error = xstrdup(err.msg);
			/* Kept on the event line until it is recorded. */
			incident_set_event(&inc->last_action, inc->now, true,
					   "%s %s %s, but its outcome is NOT in the journal yet (%s); retrying", job->kind,
					   job->endpoint, jsonmsg_str(job->unjournaled, "outcome"), err.msg);
			inc->generation++;
			continue;
		}
		incident_set_event(&inc->last_action, inc->now, false,
				   "journal: the outcome of %s %s is recorded now (seq %llu), late", job->kind, job->endpoint,
				   (unsigned long long)jsonmsg_uint(job->unjournaled, "seq", UINT64_MAX));
		cJSON_Delete(job->unjournaled);
		job->unjournaled = NULL;
		free(job->journal_error);
		job->journal_error = NULL;
		inc->generation++;
	}
}

const struct action_job *incident_outcome_unjournaled(const struct incident *inc, const char **why)
{
	for (size_t i = 0; i < inc->n_jobs; i++)
		if (inc->jobs[i].unjournaled) {
			*why = inc->jobs[i].journal_error;
			return &inc->jobs[i];
		}
	return NULL;
}

const struct action_job *incident_job_in_flight(const struct incident *inc, const char *endpoint)
{
	for (size_t i = 0; i < inc->n_jobs; i++)
		if ((inc->jobs[i].state == ACTION_APPLYING || inc->jobs[i].state == ACTION_VERIFYING) &&
		    strcmp(inc->jobs[i].endpoint, endpoint) == 0)
			return &inc->jobs[i];
	return NULL;
}

/* Everything that must hold before a traffic change's intent is
 * journaled; *to is resolved to the last known-good when NULL. */
/* What a change asks for: the split given (set_weight), or everything to
 * `to` (rollback, promote). */
void wanted_split(const struct endpoint *ep, const char *to, const struct traffic_split *given,
			 struct traffic_split *out)
{
	if (!given) {
		endpoint_rollback_split(ep, to, out);
		return;
	}
	traffic_split_clear(out);
	for (size_t i = 0; i < ep->n_deployments; i++)
		traffic_split_set(out, ep->deployments[i]->name, 0);
	for (size_t i = 0; i < given->n; i++)
		traffic_split_set(out, given->entries[i].deployment, given->entries[i].percent);
}

/* During the change freeze only a rollback to the last known-good goes
 * through: a "rollback" to anything else is a change like any other. */
static bool freeze_allows(const struct endpoint *ep, const char *kind, const char *to,
			  const struct traffic_split *given)
{
	return strcmp(kind, "rollback") == 0 && !given && ep->last_known_good && strcmp(to, ep->last_known_good) == 0;
}

enum split_basis incident_split_basis(struct incident *inc, const char *endpoint, const char **why)
{
	const struct incident_target *it = incident_target_state(inc, endpoint);
	*why = NULL;
	if (!it || !it->target->ops->read)
		return SPLIT_FRESH;
	if (*it->data.error && it->data.error_ms >= it->data.at_ms) {
		/* "target NAME: ..." says the endpoint twice in the message. */
		size_t n = strlen("target ") + strlen(endpoint);
		*why = it->data.error;
		if (strncmp(*why, "target ", 7) == 0 && strncmp(*why + 7, endpoint, n - 7) == 0 &&
		    strncmp(*why + n, ": ", 2) == 0)
			*why += n + 2;
		return SPLIT_UNREADABLE;
	}
	return it->data.at_ms >= inc->now - DECISION_FRESH_MS ? SPLIT_FRESH : SPLIT_OLD;
}

/* 0 when the change may go ahead; -1 and err when it is refused; -2 when
 * the endpoint's traffic cannot be read (an external failure, not a
 * refusal: nothing is known to decide on). */
int traffic_check(struct incident *inc, const char *kind, const char *endpoint, const char **to,
			 const struct traffic_split *given, const char *reason, struct error *err)
{
	struct endpoint *ep = model_find_endpoint(&inc->model, endpoint);
	const struct target *t = incident_target_for(inc, endpoint);
	const char *unread;
	if (t && incident_split_basis(inc, endpoint, &unread) == SPLIT_UNREADABLE) {
		error_set(err, "cannot read the current split of %s: %s", endpoint, unread);
		return -2;
	}
	if (!ep)
		return error_set(err, "no endpoint named %s", endpoint);
	if (!t)
		return error_set(err, "no traffic target is configured for %s", endpoint);
	if (!*to)
		*to = ep->last_known_good;
	if (!*to)
		return error_set(err, "%s has no last known-good deployment; name one with --to", endpoint);
	/* A target that cannot be read tells no deployments: the one named
	 * is taken on trust. */
	if (!endpoint_find_deployment(ep, *to) && t->ops->read)
		return error_set(err, "%s has no deployment named %s", endpoint, *to);
	if (inc->frozen && !freeze_allows(ep, kind, *to, given)) {
		char at[16];
		timefmt_hms(inc->freeze_at, at, sizeof at);
		return error_set(err, "the change freeze is on (by %s at %s: %s); only a rollback to the last known-good (%s) goes through",
				 inc->freeze_by, at, inc->freeze_reason,
				 ep->last_known_good ? ep->last_known_good : "none known");
	}
	if (!reason || !*reason)
		return error_set(err, "a reason is required");
	const struct action_job *busy = incident_job_in_flight(inc, endpoint);
	if (busy) {
		char at[16];
		timefmt_hms(busy->started_ms, at, sizeof at);
		return error_set(err, "a %s of %s by %s started at %s is still being verified", busy->kind,
				 endpoint, busy->actor.as_name ? busy->actor.as_name : busy->actor.user, at);
	}
	struct traffic_split from, want;
	traffic_split_init(&from);
	traffic_split_init(&want);
	endpoint_current_split(ep, &from);
	wanted_split(ep, *to, given, &want);
	int rc = 0;
	/* "No change needed" only on a fresh reading: an old one is no
	 * ground to refuse, and the target is asked. */
	if (incident_split_basis(inc, endpoint, &unread) == SPLIT_FRESH && traffic_split_equal(&from, &want)) {
		char *s = traffic_split_format(&from);
		rc = error_set(err, "%s already serves %s", endpoint, s);
		free(s);
	}
	traffic_split_free(&from);
	traffic_split_free(&want);
	return rc;
}

struct action_job *job_of(const struct job_ref *ref)
{
	struct incident *inc = ref->inc;
	for (size_t i = 0; i < inc->n_jobs; i++)
		if (inc->jobs[i].intent_seq == ref->seq)
			return &inc->jobs[i];
	return NULL;
}

static void job_done(struct incident *inc, struct action_job *job)
{
	journal_unlock(&inc->journal, job->lock_fd);
	job->lock_fd = -1;
	inc->generation++;
}

/* After a failed apply: what the traffic is now, read once, goes with
 * the outcome. */
static void on_failed_read(void *arg, const char *error, const struct target_view *view)
{
	struct job_ref *ref = arg;
	struct action_job *job = job_of(ref);
	struct incident *inc = ref->inc;
	if (!job)
		return;
	job->read_pending = false;
	job->state = ACTION_FAILED;
	struct traffic_split now;
	traffic_split_init(&now);
	if (view) {
		target_view_split(view, &now);
		incident_apply_view(inc, job->endpoint, view);
	} else {
		/* The target cannot be read either: the last reading stands,
		 * and says it is one. */
		const struct endpoint *ep = model_find_endpoint(&inc->model, job->endpoint);
		if (ep)
			endpoint_current_split(ep, &now);
	}
	char *split = traffic_split_format(&now);
	/* Never read at all (a target without a read command): unknown. */
	bool unknown = !view && now.n == 0;
	char *now_s = unknown ? xasprintf("traffic unknown (cannot read it back: %s)", error)
			      : xasprintf("traffic %s %s%s%s%s", strcmp(split, job->from) == 0 ? "still" : "now", split,
					  view ? "" : " as last read (cannot read it back: ", view ? "" : error,
					  view ? "" : ")");
	free(split);
	char *detail = job->detail ? xasprintf("%s; %s", job->failure, job->detail) : xstrdup(job->failure);
	job_journal_outcome(inc, job, "failed", detail, unknown ? NULL : &now);
	incident_set_event(&inc->last_action, inc->now, true, "%s of %s failed: %s; %s", job->kind, job->endpoint,
			   job->failure, now_s);
	free(detail);
	free(now_s);
	traffic_split_free(&now);
	job_done(inc, job);
}

/* The target made the change but cannot be read (a command target
 * without a read command): nothing can verify it, and the outcome says
 * so at once rather than after the verification timeout. */
static void job_unverifiable(struct incident *inc, struct action_job *job)
{
	job->state = ACTION_UNVERIFIED;
	const char *why = "the target says it is applied, but it has no read command to verify with; check the "
			  "traffic by other means";
	char *detail = job->detail ? xasprintf("%s; %s", why, job->detail) : xstrdup(why);
	job_journal_outcome(inc, job, "unverified", detail, NULL);
	incident_set_event(&inc->last_action, inc->now, true, "%s %s NOT verified: %s", job->kind, job->endpoint,
			   why);
	free(detail);
	job_done(inc, job);
}

static void on_applied(void *arg, const char *error, const char *detail)
{
	struct job_ref *ref = arg;
	struct action_job *job = job_of(ref);
	struct incident *inc = ref->inc;
	if (!job)
		return;
	free(job->detail);
	job->detail = detail ? xstrdup(detail) : NULL;
	struct target *t = incident_target_for(inc, job->endpoint);
	if (error) {
		job->failure = xstrdup(error);
		job->read_pending = true;
		if (t->ops->read)
			t->ops->read(t, job->endpoint, inc->now, on_failed_read, ref);
		else
			on_failed_read(ref, "the target has no read command", NULL);
		return;
	}
	if (!t->ops->read) {
		job_unverifiable(inc, job);
		return;
	}
	/* Applied: now read back until it matches, from this moment on. A
	 * real target is read at once (it says the change is made); the
	 * drill's lands after its delay, so its first look waits a poll. */
	job->state = ACTION_VERIFYING;
	job->next_poll_ms = inc->now + (t->ops->next_due ? inc->verify_poll_ms : 0);
	job->deadline_ms = inc->now + inc->verify_timeout_ms;
	incident_set_event(&inc->last_action, inc->now, false, "%s %s -> applied by the target; verifying",
			   job->kind, job->endpoint);
	inc->generation++;
}

/* Journals the intent of a traffic change that sends everything to `to`
 * (a rollback or a promotion: `kind`), with `extra` merged into its params,
 * applies it through the target and starts verifying it. Live, it holds the
 * endpoint's change lock from before the intent to the outcome. */
int traffic_execute(struct incident *inc, const char *kind, const char *endpoint, const char *to,
			   const struct traffic_split *given, const char *reason, const struct actor *actor,
			   cJSON *extra, struct error *err)
{
	struct endpoint *ep = model_find_endpoint(&inc->model, endpoint);
	struct traffic_split from, want;
	traffic_split_init(&from);
	traffic_split_init(&want);
	endpoint_current_split(ep, &from);
	wanted_split(ep, to, given, &want);
	char *from_s = traffic_split_format(&from);
	char *want_s = traffic_split_format(&want);
	int rc = -1;
	int lock_fd = -1;

	if (inc->mode == MODE_LIVE && inc->journal.dir) {
		char *holder = xasprintf("%s of %s to %s by %s (pid %ld)", kind, endpoint, to, actor_person(actor),
					 (long)getpid());
		struct error lerr;
		lock_fd = journal_lock_endpoint(&inc->journal, endpoint, holder, &lerr);
		free(holder);
		if (lock_fd < 0) {
			incident_journal_refusal(inc, actor, kind, endpoint, reason, lerr.msg);
			error_set(err, "%s refused: %s", kind, lerr.msg);
			goto out;
		}
	}

	/* The intent reaches the journal before anything changes, so no
	 * change can ever happen without its record. */
	cJSON *e = incident_journal_entry(inc, actor, kind, endpoint, reason);
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddStringToObject(params, "to", to);
	cJSON_AddStringToObject(params, "from", from_s);
	/* Not read for this decision: the journal says as of when. */
	const char *unread;
	const struct incident_target *it = incident_target_state(inc, endpoint);
	if (incident_split_basis(inc, endpoint, &unread) == SPLIT_OLD && it && it->data.at_ms) {
		char when[32];
		timefmt_iso(it->data.at_ms, when, sizeof when);
		cJSON_AddStringToObject(params, "from_read_at", when);
	}
	cJSON_AddStringToObject(params, "traffic", want_s);
	for (cJSON *x = extra ? extra->child : NULL; x; x = x->next)
		cJSON_AddItemToObject(params, x->string, cJSON_Duplicate(x, true));
	/* What the burn and canary engines showed when the change was
	 * decided: the postmortem's evidence. */
	cJSON *evidence = evidence_json(inc, endpoint);
	if (cJSON_GetArraySize(cJSON_GetObjectItem(evidence, "burn")) ||
	    cJSON_GetArraySize(cJSON_GetObjectItem(evidence, "canary")))
		cJSON_AddItemToObject(params, "evidence", evidence);
	else
		cJSON_Delete(evidence);
	cJSON_AddStringToObject(e, "outcome", "intent");
	struct error jerr;
	int jrc = journal_append(&inc->journal, e, &jerr);
	uint64_t seq = jsonmsg_uint(e, "seq", UINT64_MAX);
	cJSON_Delete(e);
	if (jrc != 0) {
		journal_unlock(&inc->journal, lock_fd);
		error_set(err, "%s not started: %s", kind, jerr.msg);
		goto out;
	}

	xgrow(&inc->jobs, &inc->cap_jobs, inc->n_jobs + 1, sizeof *inc->jobs);
	struct action_job *job = &inc->jobs[inc->n_jobs++];
	memset(job, 0, sizeof *job);
	job->intent_seq = seq;
	job->kind = xstrdup(kind);
	job->endpoint = xstrdup(endpoint);
	traffic_split_init(&job->want);
	wanted_split(ep, to, given, &job->want);
	actor_copy(&job->actor, actor);
	job->reason = xstrdup(reason);
	job->started_ms = inc->now;
	job->state = ACTION_APPLYING;
	job->from = xstrdup(from_s);
	job->lock_fd = lock_fd;
	job->ref = xcalloc(1, sizeof *job->ref);
	*job->ref = (struct job_ref){ inc, seq };
	incident_set_event(&inc->last_action, inc->now, false, "%s %s -> %s by %s: applying", kind, endpoint, to,
			   actor_person(actor));
	inc->generation++;

	struct target *t = incident_target_for(inc, endpoint);
	struct job_ref *ref = job->ref;
	t->ops->apply(t, endpoint, &job->want, inc->now, on_applied, ref);
	/* The simulated target answers at once: a refusal is this call's. */
	job = job_of(ref);
	if (job->state == ACTION_FAILED) {
		error_set(err, "%s", inc->last_action.text);
		goto out;
	}
	if (job->state == ACTION_VERIFYING)
		incident_set_event(&inc->last_action, inc->now, false, "%s %s -> %s by %s: verifying", kind,
				   endpoint, to, actor_person(actor));
	rc = 0;
out:
	free(from_s);
	free(want_s);
	traffic_split_free(&from);
	traffic_split_free(&want);
	return rc;
}

int incident_promote(struct incident *inc, const char *endpoint, const char *deployment, const char *reason,
		     const struct actor *actor, struct error *err)
{
	if (incident_may_act(inc, actor, "promote", endpoint, reason, err) != 0)
		return -1;
	struct error why;
	const struct endpoint *ep = model_find_endpoint(&inc->model, endpoint);
	if (!deployment && ep && endpoint_canary(ep))
		deployment = endpoint_canary(ep)->name;
	if (ep && !deployment) {
		error_set(&why, "%s has no canary to promote", endpoint);
		incident_journal_refusal(inc, actor, "promote", endpoint, reason, why.msg);
		return error_set(err, "promote refused: %s", why.msg);
	}
	return traffic_change(inc, "promote", endpoint, deployment, NULL, reason, actor, err);
}

int incident_set_weight(struct incident *inc, const char *endpoint, const struct traffic_split *split,
			const char *reason, const struct actor *actor, struct error *err)
{
	if (incident_may_act(inc, actor, "set_weight", endpoint, reason, err) != 0)
		return -1;
	struct error why;
	const struct endpoint *ep = model_find_endpoint(&inc->model, endpoint);
	const char *to = NULL;
	int sum = 0, most = -1;
	bool bad = false;
	for (size_t i = 0; i < split->n; i++) {
		const struct traffic_entry *t = &split->entries[i];
		sum += t->percent;
		if (t->percent > most) {
			most = t->percent;
			to = t->deployment;
		}
		if (ep && !endpoint_find_deployment(ep, t->deployment) && !bad) {
			bad = true;
			error_set(&why, "%s has no deployment named %s", endpoint, t->deployment);
		}
	}
	if (!bad && sum != 100) {
		bad = true;
		error_set(&why, "the traffic must add up to 100%%, not %d%%", sum);
	}
	if (bad) {
		incident_journal_refusal(inc, actor, "set_weight", endpoint, reason, why.msg);
		return error_set(err, "set_weight refused: %s", why.msg);
	}
	return traffic_change(inc, "set_weight", endpoint, to, split, reason, actor, err);
}

/* Every traffic change a person asks for (rollback, promote, set_weight)
 * passes the same gate: the checks, then the two-person rule, which only
 * a rollback to the last known-good under a pre-approved emergency
 * criterion skips. Returns as incident_rollback. */
static int traffic_change(struct incident *inc, const char *kind, const char *endpoint, const char *to,
			  const struct traffic_split *given, const char *reason, const struct actor *actor,
			  struct error *err)
{
	struct error why;
	int check = traffic_check(inc, kind, endpoint, &to, given, reason, &why);
	if (check == -2) {
		/* Not a refusal: an external system failed, and the journal
		 * says so. */
		cJSON *e = incident_journal_entry(inc, actor, kind, endpoint, reason);
		cJSON_AddStringToObject(e, "outcome", "failed");
		cJSON_AddStringToObject(e, "detail", why.msg);
		incident_record(inc, e);
		return error_external(err, "%s failed: %s; nothing was changed", kind, why.msg);
	}
	if (check != 0) {
		incident_journal_refusal(inc, actor, kind, endpoint, reason, why.msg);
		return error_set(err, "%s refused: %s", kind, why.msg);
	}
	if (!inc->policy.gov.two_person)
		return traffic_execute(inc, kind, endpoint, to, given, reason, actor, NULL, err);
	const struct endpoint *ep = model_find_endpoint(&inc->model, endpoint);
	char criterion[160];
	if (!freeze_allows(ep, kind, to, given) || !preapproved(inc, endpoint, criterion, sizeof criterion))
		return change_hold(inc, kind, endpoint, to, given, reason, actor, err);
	cJSON *extra = cJSON_CreateObject();
	cJSON_AddStringToObject(extra, "preapproved", criterion);
	int rc = traffic_execute(inc, kind, endpoint, to, given, reason, actor, extra, err);
	cJSON_Delete(extra);
	return rc;
}

int incident_rollback(struct incident *inc, const char *endpoint, const char *to,
		      const char *reason, const struct actor *actor, struct error *err)
{
	if (incident_may_act(inc, actor, "rollback", endpoint, reason, err) != 0)
		return -1;
	return traffic_change(inc, "rollback", endpoint, to, NULL, reason, actor, err);
}

static void on_verify_read(void *arg, const char *error, const struct target_view *view)
{
	struct job_ref *ref = arg;
	struct action_job *job = job_of(ref);
	struct incident *inc = ref->inc;
	if (!job)
		return;
	job->read_pending = false;
	struct traffic_split got;
	traffic_split_init(&got);
	if (view) {
		target_view_split(view, &got);
		incident_apply_view(inc, job->endpoint, view);
	}
	if (view && traffic_split_equal(&got, &job->want)) {
		job->state = ACTION_VERIFIED;
		char *s = traffic_split_format(&got);
		job_journal_outcome(inc, job, "verified", job->detail, &got);
		incident_set_event(&inc->last_action, inc->now, false, "%s %s verified: %s", job->kind,
				   job->endpoint, s);
		free(s);
		job_done(inc, job);
	} else if (inc->now >= job->deadline_ms) {
		job->state = ACTION_UNVERIFIED;
		char waited[16];
		char *detail;
		timefmt_duration(inc->now - job->started_ms, waited, sizeof waited);
		char *want = traffic_split_format(&job->want);
		if (view) {
			char *s = traffic_split_format(&got);
			detail = xasprintf("traffic is %s after %s, expected %s", s, waited, want);
			free(s);
		} else {
			detail = xasprintf("cannot read traffic back after %s: %s", waited, error);
		}
		free(want);
		job_journal_outcome(inc, job, "unverified", detail, view ? &got : NULL);
		incident_set_event(&inc->last_action, inc->now, true, "%s %s NOT verified: %s", job->kind,
				   job->endpoint, detail);
		free(detail);
		job_done(inc, job);
	} else {
		job->next_poll_ms = inc->now + inc->verify_poll_ms;
		if (job->next_poll_ms > job->deadline_ms)
			job->next_poll_ms = job->deadline_ms;
	}
	traffic_split_free(&got);
}

void job_poll(struct incident *inc, struct action_job *job)
{
	if (job->read_pending)
		return;
	struct target *t = incident_target_for(inc, job->endpoint);
	if (!t->ops->read)
		return; /* never verifying: see job_unverifiable */
	job->read_pending = true;
	/* Not due again until this read answers. */
	job->next_poll_ms = INT64_MAX;
	t->ops->read(t, job->endpoint, inc->now, on_verify_read, job->ref);
}

struct target *incident_target_for(const struct incident *inc, const char *endpoint)
{
	const struct incident_target *it = incident_target_state(inc, endpoint);
	return it ? it->target : inc->target;
}

void incident_read_target(struct incident *inc, const char *endpoint)
{
	struct incident_target *it = incident_target_state(inc, endpoint);
	if (it)
		it->next_read_ms = 0;
}

void incident_error_cleared(struct incident *inc, const char *error)
{
	const char *colon = strstr(error, ": ");
	if (!*error || strcmp(inc->narration.text, error) != 0 || !colon)
		return;
	int64_t now = clock_now(&inc->clock);
	incident_set_event(&inc->narration, now > inc->now ? now : inc->now, false, "%.*s: answering again",
			   (int)(colon - error), error);
	inc->generation++;
}

struct incident_target *incident_target_state(const struct incident *inc, const char *endpoint)
{
	for (size_t i = 0; i < inc->n_targets; i++)
		if (strcmp(inc->targets[i].endpoint, endpoint) == 0)
			return &inc->targets[i];
	return NULL;
}

void incident_apply_view(struct incident *inc, const char *endpoint, const struct target_view *view)
{
	int64_t now = clock_now(&inc->clock);
	apply_reading(inc, endpoint, view, now > inc->now ? now : inc->now);
}

/* A reading of endpoint's traffic taken at `at`, from its target or from
 * a verified change in the journal: the model follows it unless a newer
 * reading is already in hand, and the endpoint's data says when it was. */
void apply_reading(struct incident *inc, const char *endpoint, const struct target_view *view, int64_t at)
{
	/* The drill's world is the model itself. */
	if (inc->mode == MODE_DRILL)
		return;
	struct incident_target *it = incident_target_state(inc, endpoint);
	if (it) {
		if (at < it->data.at_ms)
			return;
		it->data.at_ms = at;
		if (*it->data.error && it->data.error_ms <= at) {
			incident_error_cleared(inc, it->data.error);
			*it->data.error = '\0';
			inc->generation++;
		}
	}
	struct endpoint *ep = model_find_endpoint(&inc->model, endpoint);
	if (!ep)
		ep = model_add_endpoint(&inc->model, endpoint);
	bool changed = false;
	for (size_t i = 0; i < view->n; i++) {
		const struct target_deployment *td = &view->deployments[i];
		struct deployment *d = endpoint_find_deployment(ep, td->name);
		if (!d) {
			d = endpoint_add_deployment(ep, td->name, td->state ? td->state : "-", 0);
			changed = true;
		} else if (td->state && strcmp(d->state, td->state) != 0) {
			endpoint_set_state(d, td->state);
			changed = true;
		}
	}
	struct traffic_split before, now;
	traffic_split_init(&before);
	traffic_split_init(&now);
	endpoint_current_split(ep, &before);
	target_view_split(view, &now);
	if (!traffic_split_equal(&before, &now)) {
		endpoint_apply_split(ep, &now);
		changed = true;
	}
	/* Before any deployment held 100% in cmdr's sight, the stable one is
	 * the one with the most traffic. */
	if (!ep->last_known_good) {
		const struct deployment *best = NULL;
		for (size_t i = 0; i < ep->n_deployments; i++)
			if (!best || ep->deployments[i]->traffic > best->traffic)
				best = ep->deployments[i];
		if (best && best->traffic > 0) {
			ep->last_known_good = xstrdup(best->name);
			changed = true;
		}
	}
	traffic_split_free(&before);
	traffic_split_free(&now);
	if (changed)
		inc->generation++;
}

/* A canary starts when its deployment first takes traffic and stops when
 * the deployment is seen back at 0%, whatever its verdict: its windows
 * stay as the evidence, and none is judged or awaited after. */
void canaries_follow_traffic(struct incident *inc)
{
	for (size_t i = 0; i < inc->n_canaries; i++) {
		struct incident_canary *ic = &inc->canaries[i];
		const struct endpoint *ep = model_find_endpoint(&inc->model, ic->canary.spec.endpoint);
		const struct deployment *d = ep ? endpoint_find_deployment(ep, ic->canary.spec.deployment) : NULL;
		bool was_stopped = ic->stopped, was_started = ic->started;
		if (d && d->traffic > 0) {
			ic->started = true;
			ic->stopped = false;
			if (was_stopped)
				canary_resume(&ic->canary);
		} else if (d && ic->started) {
			ic->stopped = true;
			canary_stop(&ic->canary);
		}
		ic->data.idle = !ic->started || ic->stopped;
		if (ic->stopped != was_stopped || ic->started != was_started)
			inc->generation++;
	}
}
