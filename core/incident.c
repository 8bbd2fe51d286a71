#include "incident.h"
#include "live.h"

#include <dirent.h>
#include <sys/stat.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drill.h"
#include "jsonmsg.h"
#include "lock.h"
#include "loop.h"
#include "notify.h"
#include "status.h"
#include "timefmt.h"
#include "xalloc.h"

static void on_journal_line(void *ctx, const char *line, size_t len);
static void on_appended(void *ctx, const cJSON *entry);

const char *incident_long_line(const struct incident *inc, char *buf, size_t size)
{
	const struct journal *j = &inc->journal;
	if (!j->n_long)
		return NULL;
	snprintf(buf, size, "%s:%llu: entry of %llu bytes is over the %u MiB line limit; not read (cmdr audit verify still checks its hash)",
		 j->path, (unsigned long long)j->long_line, (unsigned long long)j->long_len, JOURNAL_LINE_MAX >> 20);
	return buf;
}

/* A line too long to read is said once, on the event line: the state
 * shown lacks it. */
static void long_line_tell(struct incident *inc)
{
	char buf[sizeof inc->last_action.text];
	if (inc->journal.n_long == inc->long_told || !incident_long_line(inc, buf, sizeof buf))
		return;
	inc->long_told = inc->journal.n_long;
	incident_set_event(&inc->last_action, inc->now, true, "%s", buf);
	inc->generation++;
}

int incident_open(struct incident *inc, const char *dir, struct actor *actor, struct error *err)
{
	memset(inc, 0, sizeof *inc);
	inc->actor = *actor;
	memset(actor, 0, sizeof *actor);
	clock_init_wall(&inc->clock);
	inc->now = clock_now(&inc->clock);
	inc->verify_poll_ms = MS_PER_S;
	inc->verify_timeout_ms = 30 * MS_PER_S;
	inc->governance = GOVERNANCE_DEFAULT;
	inc->loop = loop_new();
	inc->policy_fd = -1;
	workflow_init(&inc->workflow);
	timeline_init(&inc->timeline, TIMELINE_MAX);
	scorecard_init(&inc->scorecard);
	if (!dir) {
		/* A look at live sources without an incident: nothing to journal. */
		inc->journal.fd = -1;
		inc->journal.dfd = -1;
		memcpy(inc->journal.head, JOURNAL_GENESIS, sizeof inc->journal.head);
		return 0;
	}
	if (journal_open(&inc->journal, dir, err) != 0 ||
	    journal_follow(&inc->journal, on_journal_line, inc, err) != 0) {
		journal_close(&inc->journal);
		actor_free(&inc->actor);
		loop_free(inc->loop);
		workflow_free(&inc->workflow);
		timeline_free(&inc->timeline);
		return -1;
	}
	inc->journal.on_append = on_appended;
	inc->journal.on_append_ctx = inc;
	long_line_tell(inc);
	/* Readable but not writable (a read-only mount, a team member who
	 * may only read): said where a console shows it; each append says
	 * it again. */
	if (inc->journal.readonly)
		incident_set_event(&inc->narration, inc->now, true,
				   "%s: %s: this console can only read the journal; it watches as an observer",
				   inc->journal.path, strerror(inc->journal.readonly_errno));
	return 0;
}

int incident_open_readonly(struct incident *inc, const char *dir, struct actor *actor, struct error *err)
{
	if (incident_open(inc, NULL, actor, err) != 0)
		return -1;
	if (dir && (journal_open_readonly(&inc->journal, dir, err) != 0 ||
		    journal_follow(&inc->journal, on_journal_line, inc, err) != 0)) {
		incident_free(inc);
		return -1;
	}
	long_line_tell(inc);
	return 0;
}

void incident_free(struct incident *inc)
{
	/* Targets and sources first: nothing may call back into what follows. */
	live_free(inc->live);
	notifier_free(inc->notifier);
	for (size_t i = 0; i < inc->n_targets; i++) {
		inc->targets[i].target->ops->free(inc->targets[i].target);
		free(inc->targets[i].endpoint);
	}
	free(inc->targets);
	for (size_t i = 0; i < inc->n_slos; i++) {
		free(inc->slos[i].spec.name);
		free(inc->slos[i].endpoint);
		event_series_free(&inc->slos[i].events);
	}
	free(inc->slos);
	for (size_t i = 0; i < inc->n_canaries; i++)
		canary_free(&inc->canaries[i].canary);
	free(inc->canaries);
	for (size_t i = 0; i < inc->n_jobs; i++) {
		struct action_job *job = &inc->jobs[i];
		free(job->kind);
		free(job->endpoint);
		free(job->reason);
		traffic_split_free(&job->want);
		actor_free(&job->actor);
		free(job->failure);
		free(job->from);
		free(job->detail);
		free(job->ref);
		endpoint_unlock(job->lock_fd);
	}
	free(inc->jobs);
	for (size_t i = 0; i < inc->n_requests; i++) {
		struct approval_request *r = &inc->requests[i];
		free(r->endpoint);
		free(r->to);
		free(r->reason);
		free(r->requester);
		free(r->requester_id);
		free(r->approver);
		actor_free(&r->actor);
	}
	free(inc->requests);
	free(inc->freeze_by);
	free(inc->freeze_reason);
	for (size_t i = 0; i < inc->n_runbooks; i++)
		runbook_free(&inc->runbooks[i]);
	free(inc->runbooks);
	for (size_t i = 0; i < inc->n_ticks; i++) {
		free(inc->ticks[i].runbook);
		free(inc->ticks[i].step);
		free(inc->ticks[i].by);
	}
	free(inc->ticks);
	if (inc->target)
		inc->target->ops->free(inc->target);
	loop_free(inc->loop);
	if (inc->drill) {
		drill_free(inc->drill);
		free(inc->drill);
	}
	model_free(&inc->model);
	journal_close(&inc->journal);
	actor_free(&inc->actor);
	workflow_free(&inc->workflow);
	timeline_free(&inc->timeline);
	endpoint_unlock(inc->policy_fd);
	memset(inc, 0, sizeof *inc);
}

#define POLICY_RETRY_MS 5000

/* Takes the policy lock when this console wants it and it is free. */
static void policy_claim(struct incident *inc)
{
	if (!inc->policy_wanted || inc->policy_fd >= 0 || !inc->journal.dir || inc->journal.readonly)
		return;
	int64_t now = clock_monotonic_ms();
	if (now < inc->policy_try_ms)
		return;
	inc->policy_try_ms = now + POLICY_RETRY_MS;
	char *holder = xasprintf("%s's console (pid %ld)", actor_person(&inc->actor), (long)getpid());
	struct error err;
	inc->policy_fd = policy_lock(inc->journal.dir, holder, &err);
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
	inc->policy_wanted = true;
	policy_claim(inc);
}

const char *action_state_name(enum action_state s)
{
	switch (s) {
	case ACTION_APPLYING:
		return "applying";
	case ACTION_VERIFYING:
		return "verifying";
	case ACTION_VERIFIED:
		return "verified";
	case ACTION_FAILED:
		return "failed";
	case ACTION_UNVERIFIED:
		return "unverified";
	}
	abort();
}

static cJSON *journal_entry(const struct incident *inc, const struct actor *actor,
			    const char *action, const char *target, const char *reason);

int incident_repair_journal(struct incident *inc, struct error *err)
{
	char *side;
	size_t bytes;
	if (journal_set_aside_torn(&inc->journal, &side, &bytes, err) != 0)
		return -1;
	if (!side)
		return 0;
	cJSON *e = journal_entry(inc, &inc->actor, "journal_repair", "journal.jsonl",
				 "a partial last line (a crash during an append) was set aside");
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddNumberToObject(params, "bytes", (double)bytes);
	const char *base = strrchr(side, '/');
	cJSON_AddStringToObject(params, "file", base ? base + 1 : side);
	cJSON_AddStringToObject(e, "outcome", "set aside");
	int rc = journal_append(&inc->journal, e, err);
	cJSON_Delete(e);
	if (rc == 0)
		incident_set_event(&inc->last_action, inc->now, true,
				   "journal: a torn last line (%zu bytes) was set aside in %s", bytes, side);
	free(side);
	return rc == 0 ? 1 : -1;
}

void incident_set_event(struct incident_event *ev, int64_t at, bool failed, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ev->text, sizeof ev->text, fmt, ap);
	va_end(ap);
	ev->at_ms = at;
	ev->failed = failed;
}

/* The common head of every journal line: when, who, in which role, what,
 * on what, and why. */
static cJSON *journal_entry(const struct incident *inc, const struct actor *actor,
			    const char *action, const char *target, const char *reason)
{
	char when[32];
	timefmt_iso(inc->now, when, sizeof when);
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "time", when);
	if (inc->mode == MODE_DRILL) {
		char wall[32];
		timefmt_iso(clock_wall_ms(), wall, sizeof wall);
		cJSON_AddStringToObject(e, "wall", wall);
		cJSON_AddStringToObject(e, "drill", inc->drill->scenario.name);
	}
	cJSON_AddItemToObject(e, "actor", actor_to_json(actor));
	cJSON_AddStringToObject(e, "role", role_name(actor->role));
	cJSON_AddStringToObject(e, "action", action);
	if (target)
		cJSON_AddStringToObject(e, "target", target);
	if (reason)
		cJSON_AddStringToObject(e, "reason", reason);
	return e;
}

/* Journals the outcome of job; a journal failure reaches the status line. */
static void job_journal_outcome(struct incident *inc, struct action_job *job, const char *outcome,
				const char *detail, const struct traffic_split *now_split)
{
	cJSON *e = journal_entry(inc, &job->actor, job->kind, job->endpoint, job->reason);
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
	if (journal_append(&inc->journal, e, &err) != 0)
		incident_set_event(&inc->last_action, inc->now, true, "journal: %s", err.msg);
	cJSON_Delete(e);
}

const struct action_job *incident_job_in_flight(const struct incident *inc, const char *endpoint)
{
	for (size_t i = 0; i < inc->n_jobs; i++)
		if ((inc->jobs[i].state == ACTION_APPLYING || inc->jobs[i].state == ACTION_VERIFYING) &&
		    strcmp(inc->jobs[i].endpoint, endpoint) == 0)
			return &inc->jobs[i];
	return NULL;
}

/* A refused attempt is evidence too: who tried what, and why not. */
static void journal_refusal(struct incident *inc, const struct actor *actor, const char *action,
			    const char *target, const char *reason, const char *why)
{
	cJSON *e = journal_entry(inc, actor, action, target, reason && *reason ? reason : NULL);
	cJSON_AddStringToObject(e, "outcome", "refused");
	cJSON_AddStringToObject(e, "detail", why);
	struct error jerr;
	if (journal_append(&inc->journal, e, &jerr) != 0)
		incident_set_event(&inc->last_action, inc->now, true, "journal: %s", jerr.msg);
	cJSON_Delete(e);
}

cJSON *incident_journal_entry(const struct incident *inc, const struct actor *actor, const char *action,
			      const char *target, const char *reason)
{
	return journal_entry(inc, actor, action, target, reason);
}

void incident_journal_refusal(struct incident *inc, const struct actor *actor, const char *action,
			      const char *target, const char *reason, const char *why)
{
	journal_refusal(inc, actor, action, target, reason, why);
}

int incident_may_act(struct incident *inc, const struct actor *actor, const char *action, const char *target,
		     const char *reason, struct error *err)
{
	const char *why;
	if (actor_may_mutate(actor, &why))
		return 0;
	journal_refusal(inc, actor, action, target, reason, why);
	return error_set(err, "%s refused: %s", action, why);
}

/* Everything that must hold before a traffic change's intent is
 * journaled; *to is resolved to the last known-good when NULL. */
/* What a change asks for: the split given (set_weight), or everything to
 * `to` (rollback, promote). */
static void wanted_split(const struct endpoint *ep, const char *to, const struct traffic_split *given,
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

static int traffic_check(struct incident *inc, const char *endpoint, const char **to,
			 const struct traffic_split *given, const char *reason, struct error *err)
{
	struct endpoint *ep = model_find_endpoint(&inc->model, endpoint);
	if (!ep)
		return error_set(err, "no endpoint named %s", endpoint);
	const struct target *t = incident_target_for(inc, endpoint);
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
	if (traffic_split_equal(&from, &want)) {
		char *s = traffic_split_format(&from);
		rc = error_set(err, "%s already serves %s", endpoint, s);
		free(s);
	}
	traffic_split_free(&from);
	traffic_split_free(&want);
	return rc;
}

/* A job as a callback knows it: the jobs array moves as it grows, the
 * intent's seq does not. Freed with the job's incident. */
struct job_ref {
	struct incident *inc;
	uint64_t seq;
};

static struct action_job *job_of(const struct job_ref *ref)
{
	struct incident *inc = ref->inc;
	for (size_t i = 0; i < inc->n_jobs; i++)
		if (inc->jobs[i].intent_seq == ref->seq)
			return &inc->jobs[i];
	return NULL;
}

static void job_done(struct incident *inc, struct action_job *job)
{
	endpoint_unlock(job->lock_fd);
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
static int traffic_execute(struct incident *inc, const char *kind, const char *endpoint, const char *to,
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
		lock_fd = endpoint_lock(inc->journal.dir, endpoint, holder, &lerr);
		free(holder);
		if (lock_fd < 0) {
			journal_refusal(inc, actor, kind, endpoint, reason, lerr.msg);
			error_set(err, "%s refused: %s", kind, lerr.msg);
			goto out;
		}
	}

	/* The intent reaches the journal before anything changes, so no
	 * change can ever happen without its record. */
	cJSON *e = journal_entry(inc, actor, kind, endpoint, reason);
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddStringToObject(params, "to", to);
	cJSON_AddStringToObject(params, "from", from_s);
	cJSON_AddStringToObject(params, "traffic", want_s);
	for (cJSON *x = extra ? extra->child : NULL; x; x = x->next)
		cJSON_AddItemToObject(params, x->string, cJSON_Duplicate(x, true));
	/* What the burn and canary engines showed when the change was
	 * decided: the postmortem's evidence. */
	cJSON *evidence = status_evidence_json(inc, endpoint);
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
		endpoint_unlock(lock_fd);
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
		journal_refusal(inc, actor, action, "incident", reason, why);
		return error_set(err, "%s refused: %s", action, why);
	}
	cJSON *e = journal_entry(inc, actor, action, "incident", reason);
	cJSON_AddStringToObject(e, "outcome", on ? "on" : "off");
	struct error jerr;
	int rc = journal_append(&inc->journal, e, &jerr);
	cJSON_Delete(e);
	if (rc != 0)
		return error_set(err, "%s not recorded: %s", action, jerr.msg);
	freeze_set(inc, on, actor_person(actor), reason, inc->now);
	incident_set_event(&inc->last_action, inc->now, on, "change freeze %s by %s: %s", on ? "ON" : "off",
			   actor_person(actor), reason);
	return 0;
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
	if (inc->frozen) {
		char at[16];
		timefmt_hms(inc->freeze_at, at, sizeof at);
		error_set(&why, "the change freeze is on (by %s at %s: %s)", inc->freeze_by, at, inc->freeze_reason);
	} else if (ep && !deployment) {
		error_set(&why, "%s has no canary to promote", endpoint);
	}
	if (inc->frozen || (ep && !deployment) || traffic_check(inc, endpoint, &deployment, NULL, reason, &why) != 0) {
		journal_refusal(inc, actor, "promote", endpoint, reason, why.msg);
		return error_set(err, "promote refused: %s", why.msg);
	}
	return traffic_execute(inc, "promote", endpoint, deployment, NULL, reason, actor, NULL, err);
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
	} else if (!bad && inc->frozen) {
		bad = true;
		char at[16];
		timefmt_hms(inc->freeze_at, at, sizeof at);
		error_set(&why, "the change freeze is on (by %s at %s: %s)", inc->freeze_by, at, inc->freeze_reason);
	}
	if (bad || traffic_check(inc, endpoint, &to, split, reason, &why) != 0) {
		journal_refusal(inc, actor, "set_weight", endpoint, reason, why.msg);
		return error_set(err, "set_weight refused: %s", why.msg);
	}
	return traffic_execute(inc, "set_weight", endpoint, to, split, reason, actor, NULL, err);
}

static int runbook_order(const void *a, const void *b)
{
	return strcmp(((const struct runbook *)a)->name, ((const struct runbook *)b)->name);
}

static int runbook_file(const struct dirent *de)
{
	size_t n = strlen(de->d_name);
	/* README.md explains runbooks; it is not one. */
	return n >= 4 && strcmp(de->d_name + n - 3, ".md") == 0 && strcmp(de->d_name, "README.md") != 0;
}

size_t incident_load_runbooks(struct incident *inc, const char *const *dirs, size_t n_dirs,
			      void (*report)(void *ctx, const char *problem), void *ctx)
{
	size_t loaded = 0, left_out = 0;
	uint64_t bytes = 0;
	for (size_t d = 0; d < n_dirs; d++) {
		struct dirent **names;
		/* In name order, so that what a cap leaves out is predictable. */
		int n = scandir(dirs[d], &names, runbook_file, alphasort);
		if (n < 0)
			continue;
		for (int k = 0; k < n; k++) {
			char *path = xasprintf("%s/%s", dirs[d], names[k]->d_name);
			free(names[k]);
			struct stat st;
			if (inc->n_runbooks >= RUNBOOK_MAX_LOADED ||
			    (stat(path, &st) == 0 && bytes + (uint64_t)st.st_size > RUNBOOK_MAX_TOTAL_BYTES)) {
				left_out++;
				free(path);
				continue;
			}
			bytes += (uint64_t)st.st_size;
			struct runbook rb;
			struct runbook_problems problems = { 0 };
			bool dup = false;
			if (runbook_load(path, &rb, &problems) == 0) {
				for (size_t i = 0; i < inc->n_runbooks; i++)
					dup |= strcmp(inc->runbooks[i].name, rb.name) == 0;
			}
			if (problems.n == 0 && !dup) {
				inc->runbooks = xrealloc(inc->runbooks, (inc->n_runbooks + 1) * sizeof *inc->runbooks);
				inc->runbooks[inc->n_runbooks++] = rb;
				loaded++;
			} else {
				/* The first directory's runbook of a name wins. */
				if (problems.n && report)
					report(ctx, problems.lines[0]);
				runbook_free(&rb);
			}
			runbook_problems_free(&problems);
			free(path);
		}
		free(names);
	}
	if (left_out && report) {
		char *why = xasprintf("%zu more runbook file%s: at most %d runbooks and %u MiB of them are loaded (the first by file name)",
				      left_out, left_out == 1 ? "" : "s", RUNBOOK_MAX_LOADED, RUNBOOK_MAX_TOTAL_BYTES >> 20);
		report(ctx, why);
		free(why);
	}
	inc->runbooks_left_out += left_out;
	if (inc->n_runbooks > 1)
		qsort(inc->runbooks, inc->n_runbooks, sizeof *inc->runbooks, runbook_order);
	inc->generation++;
	return loaded;
}

const struct step_tick *incident_tick_of(const struct incident *inc, const char *runbook, const char *step)
{
	for (size_t i = 0; i < inc->n_ticks; i++)
		if (strcmp(inc->ticks[i].runbook, runbook) == 0 && strcmp(inc->ticks[i].step, step) == 0)
			return &inc->ticks[i];
	return NULL;
}

static void tick_set(struct incident *inc, const char *runbook, const char *step, bool on, const char *by,
		     int64_t at)
{
	struct step_tick *t = (struct step_tick *)incident_tick_of(inc, runbook, step);
	if (on && !t) {
		xgrow(&inc->ticks, &inc->cap_ticks, inc->n_ticks + 1, sizeof *inc->ticks);
		t = &inc->ticks[inc->n_ticks++];
		t->runbook = xstrdup(runbook);
		t->step = xstrdup(step);
		t->by = xstrdup(by);
		t->at_ms = at;
	} else if (!on && t) {
		free(t->runbook);
		free(t->step);
		free(t->by);
		*t = inc->ticks[--inc->n_ticks];
	}
	inc->generation++;
}

int incident_tick(struct incident *inc, const char *runbook, const char *step, bool on, const char *reason,
		  const struct actor *actor, struct error *err)
{
	const char *action = on ? "tick" : "untick";
	char *target = xasprintf("runbook:%s", runbook);
	int rc = -1;
	if (incident_may_act(inc, actor, action, target, reason, err) != 0)
		goto out;
	const char *why = NULL;
	if (!on && (!reason || !*reason))
		why = "unticking a step needs a reason";
	else if (on == (incident_tick_of(inc, runbook, step) != NULL))
		why = on ? "the step is already ticked" : "the step is not ticked";
	if (why) {
		journal_refusal(inc, actor, action, target, reason, why);
		error_set(err, "%s refused: %s", action, why);
		goto out;
	}
	cJSON *e = journal_entry(inc, actor, action, target, reason && *reason ? reason : NULL);
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddStringToObject(params, "step", step);
	cJSON_AddStringToObject(e, "outcome", on ? "ticked" : "unticked");
	struct error jerr;
	rc = journal_append(&inc->journal, e, &jerr);
	cJSON_Delete(e);
	if (rc != 0) {
		error_set(err, "%s not recorded: %s", action, jerr.msg);
		goto out;
	}
	tick_set(inc, runbook, step, on, actor_person(actor), inc->now);
out:
	free(target);
	return rc;
}

size_t incident_signals(const struct incident *inc, char ***out)
{
	char **sig = NULL;
	size_t n = 0;
	for (size_t i = 0; i < inc->n_slos; i++) {
		const struct incident_slo *s = &inc->slos[i];
		for (int k = 0; k < BURN_NTIERS; k++) {
			const struct burn_alert *a = &s->result.alerts[k];
			if (!a->firing)
				continue;
			sig = xrealloc(sig, (n + 1) * sizeof *sig);
			sig[n++] = xasprintf("slo %s %s %s/%s endpoint %s", s->spec.name, a->severity,
					     burn_window_name[a->tier->long_window],
					     burn_window_name[a->tier->short_window], s->endpoint ? s->endpoint : "-");
		}
	}
	for (size_t i = 0; i < inc->n_canaries; i++) {
		const struct canary *c = &inc->canaries[i].canary;
		if (c->n_windows == 0)
			continue;
		const struct canary_window *w = &c->windows[c->n_windows - 1];
		for (size_t k = 0; k < w->n_checks; k++) {
			if (w->checks[k].verdict != WINDOW_FAIL)
				continue;
			sig = xrealloc(sig, (n + 1) * sizeof *sig);
			sig[n++] = xasprintf("canary %s %s %s %s fail", c->spec.endpoint, c->spec.deployment,
					     w->checks[k].class_name, w->checks[k].metric);
		}
	}
	*out = sig;
	return n;
}

int incident_suggested_runbook(const struct incident *inc, char **why)
{
	char **sig;
	size_t n = incident_signals(inc, &sig);
	int best = -1;
	*why = NULL;
	for (size_t i = 0; i < inc->n_runbooks && best < 0 && n; i++) {
		size_t which;
		int t = runbook_match(&inc->runbooks[i], (const char *const *)sig, n, &which);
		if (t >= 0) {
			best = (int)i;
			*why = xasprintf("%s matches /%s/", sig[which], inc->runbooks[i].triggers[t].pattern);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(sig[i]);
	free(sig);
	return best;
}

/* Which pre-approved emergency criterion covers a rollback of endpoint
 * now, in words, or false. */
static bool preapproved(const struct incident *inc, const char *endpoint, char *why, size_t size)
{
	const struct governance *g = &inc->governance;
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

const char *actor_person(const struct actor *a)
{
	return a->as_name ? a->as_name : a->user;
}

static struct approval_request *request_find(const struct incident *inc, uint64_t seq)
{
	for (size_t i = 0; i < inc->n_requests; i++)
		if (inc->requests[i].seq == seq)
			return &inc->requests[i];
	return NULL;
}

static struct approval_request *request_add(struct incident *inc, uint64_t seq, const char *endpoint,
					    const char *to, const char *reason, const char *requester,
					    const char *requester_id, int64_t expires_ms)
{
	xgrow(&inc->requests, &inc->cap_requests, inc->n_requests + 1, sizeof *inc->requests);
	struct approval_request *r = &inc->requests[inc->n_requests++];
	memset(r, 0, sizeof *r);
	r->seq = seq;
	r->endpoint = xstrdup(endpoint);
	r->to = xstrdup(to);
	r->reason = xstrdup(reason ? reason : "");
	r->requester = xstrdup(requester);
	r->requester_id = xstrdup(requester_id);
	r->expires_ms = expires_ms;
	r->state = REQUEST_PENDING;
	inc->generation++;
	return r;
}

/* The two-person rule: the request is journaled as pending, and nothing
 * changes until a second person approves it. Returns 1 (held), or -1. */
static int rollback_hold(struct incident *inc, const char *endpoint, const char *to, const char *reason,
			 const struct actor *actor, struct error *err)
{
	const struct endpoint *ep = model_find_endpoint(&inc->model, endpoint);
	struct traffic_split from, want;
	traffic_split_init(&from);
	traffic_split_init(&want);
	endpoint_current_split(ep, &from);
	endpoint_rollback_split(ep, to, &want);
	char *from_s = traffic_split_format(&from), *want_s = traffic_split_format(&want);
	char expires[32], wait[16];
	int64_t expires_ms = inc->now + inc->governance.approval_timeout_ms;
	timefmt_iso(expires_ms, expires, sizeof expires);
	timefmt_duration(inc->governance.approval_timeout_ms, wait, sizeof wait);
	cJSON *e = journal_entry(inc, actor, "rollback", endpoint, reason);
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
	free(want_s);
	traffic_split_free(&from);
	traffic_split_free(&want);
	if (rc != 0)
		return error_set(err, "rollback not requested: %s", jerr.msg);
	struct approval_request *r = request_add(inc, seq, endpoint, to, reason, actor_person(actor),
						 actor_identity(actor), expires_ms);
	r->mine = true;
	actor_copy(&r->actor, actor);
	incident_set_event(&inc->last_action, inc->now, false,
			   "rollback %s -> %s by %s held: a second person must approve within %s", endpoint, to,
			   actor_person(actor), wait);
	error_set(err, "rollback of %s to %s is waiting for a second person's approval (two-person rule, %s)",
		  endpoint, to, wait);
	return 1;
}

int incident_rollback(struct incident *inc, const char *endpoint, const char *to,
		      const char *reason, const struct actor *actor, struct error *err)
{
	if (incident_may_act(inc, actor, "rollback", endpoint, reason, err) != 0)
		return -1;
	struct error why;
	if (traffic_check(inc, endpoint, &to, NULL, reason, &why) != 0) {
		/* Not a refusal when the target could not even be read: an
		 * external system failed, and the journal says so. */
		const struct incident_target *it = NULL;
		for (size_t i = 0; i < inc->n_targets; i++)
			if (strcmp(inc->targets[i].endpoint, endpoint) == 0)
				it = &inc->targets[i];
		if (it && *it->data.error && !it->data.at_ms) {
			cJSON *e = journal_entry(inc, actor, "rollback", endpoint, reason);
			cJSON_AddStringToObject(e, "outcome", "failed");
			cJSON_AddStringToObject(e, "detail", it->data.error);
			struct error jerr;
			if (journal_append(&inc->journal, e, &jerr) != 0)
				incident_set_event(&inc->last_action, inc->now, true, "journal: %s", jerr.msg);
			cJSON_Delete(e);
			return error_set(err, "rollback failed: %s; nothing was changed", it->data.error);
		}
		journal_refusal(inc, actor, "rollback", endpoint, reason, why.msg);
		return error_set(err, "rollback refused: %s", why.msg);
	}
	if (!inc->governance.two_person)
		return traffic_execute(inc, "rollback", endpoint, to, NULL, reason, actor, NULL, err);
	char criterion[160];
	if (!preapproved(inc, endpoint, criterion, sizeof criterion))
		return rollback_hold(inc, endpoint, to, reason, actor, err);
	cJSON *extra = cJSON_CreateObject();
	cJSON_AddStringToObject(extra, "preapproved", criterion);
	int rc = traffic_execute(inc, "rollback", endpoint, to, NULL, reason, actor, extra, err);
	cJSON_Delete(extra);
	return rc;
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
	}
	abort();
}

const struct approval_request *incident_request_to_approve(const struct incident *inc, const struct actor *me)
{
	for (size_t i = 0; i < inc->n_requests; i++) {
		const struct approval_request *r = &inc->requests[i];
		if (r->state == REQUEST_PENDING && strcmp(r->requester_id, actor_identity(me)) != 0)
			return r;
	}
	return NULL;
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
	} else if (strcmp(r->requester_id, actor_identity(actor)) == 0) {
		/* The point of the rule: the one who asks cannot approve. */
		snprintf(buf, sizeof buf, "two-person rule: %s cannot approve their own request", r->requester);
		why = buf;
	}
	if (why) {
		journal_refusal(inc, actor, "approve", target, NULL, why);
		return error_set(err, "approval refused: %s", why);
	}
	cJSON *e = journal_entry(inc, actor, "approve", r->endpoint, r->reason);
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddNumberToObject(params, "request", (double)r->seq);
	cJSON_AddStringToObject(params, "requester", r->requester);
	cJSON_AddStringToObject(params, "to", r->to);
	cJSON_AddStringToObject(e, "outcome", "approved");
	struct error jerr;
	int rc = journal_append(&inc->journal, e, &jerr);
	cJSON_Delete(e);
	if (rc != 0)
		return error_set(err, "approval not recorded: %s", jerr.msg);
	/* An append reads what others wrote first, which can add requests
	 * and move the array: find ours again. */
	r = request_find(inc, request_seq);
	r->state = REQUEST_APPROVED;
	free(r->approver);
	r->approver = xstrdup(actor_person(actor));
	incident_set_event(&inc->last_action, inc->now, false, "%s approved %s's rollback of %s to %s",
			   r->approver, r->requester, r->endpoint, r->to);
	inc->generation++;
	return 0;
}

/* The console that asked carries out an approved request, or records that
 * it expired. Both happen at the asking console's own clock. */
static void requests_due(struct incident *inc)
{
	for (size_t i = 0; i < inc->n_requests; i++) {
		struct approval_request *r = &inc->requests[i];
		if (!r->mine)
			continue;
		if (r->state == REQUEST_APPROVED) {
			/* Copies first: journal appends below can move r. */
			r->state = REQUEST_EXECUTED;
			cJSON *extra = cJSON_CreateObject();
			cJSON_AddNumberToObject(extra, "request", (double)r->seq);
			cJSON_AddStringToObject(extra, "approved_by", r->approver ? r->approver : "?");
			struct error err;
			char *endpoint = xstrdup(r->endpoint), *to = xstrdup(r->to), *reason = xstrdup(r->reason);
			struct actor who;
			actor_copy(&who, &r->actor);
			const char *to_arg = to;
			/* The world may have moved while the request waited. */
			if (traffic_check(inc, endpoint, &to_arg, NULL, reason, &err) != 0) {
				journal_refusal(inc, &who, "rollback", endpoint, reason, err.msg);
				incident_set_event(&inc->last_action, inc->now, true,
						   "approved rollback of %s not carried out: %s", endpoint, err.msg);
			} else {
				traffic_execute(inc, "rollback", endpoint, to, NULL, reason, &who, extra, &err);
			}
			actor_free(&who);
			free(endpoint);
			free(to);
			free(reason);
			cJSON_Delete(extra);
			inc->generation++;
		} else if (r->state == REQUEST_PENDING && inc->now >= r->expires_ms) {
			r->state = REQUEST_EXPIRED;
			cJSON *e = journal_entry(inc, &r->actor, "rollback", r->endpoint, r->reason);
			cJSON *params = cJSON_AddObjectToObject(e, "params");
			cJSON_AddNumberToObject(params, "request", (double)r->seq);
			cJSON_AddStringToObject(e, "outcome", "expired");
			cJSON_AddStringToObject(e, "detail", "no second person approved it in time");
			char *what = xasprintf("rollback of %s to %s expired: nobody approved it", r->endpoint, r->to);
			struct error jerr;
			/* r may move during the append (see incident_approve). */
			if (journal_append(&inc->journal, e, &jerr) != 0)
				incident_set_event(&inc->last_action, inc->now, true, "journal: %s", jerr.msg);
			else
				incident_set_event(&inc->last_action, inc->now, true, "%s", what);
			free(what);
			cJSON_Delete(e);
			inc->generation++;
		}
	}
}

/* Every journal line, this console's own or another's, in order: the
 * workflow's state and the timeline are what the lines say. */
static void absorb(struct incident *inc, const cJSON *e)
{
	int64_t at = inc->now;
	const char *when = jsonmsg_str(e, "time");
	if (when)
		timefmt_parse_iso(when, &at);
	workflow_apply(&inc->workflow, e, at);
	timeline_add(&inc->timeline, e, at);
	scorecard_take(&inc->scorecard, e, at);
	inc->generation++;
}

static void on_appended(void *ctx, const cJSON *entry)
{
	struct incident *inc = ctx;
	absorb(inc, entry);
	const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "action"));
	/* Its own notify lines announce nothing. */
	if (inc->notifier && !(action && strcmp(action, "notify") == 0))
		notifier_send(inc->notifier, entry, &inc->workflow, inc->journal.head);
}

/* A message delivered or given up on: journaled either way, and a failure
 * reaches the status line. */
static void on_notified(void *arg, enum notify_service s, const char *event, uint64_t about, const char *error,
			const char *dedup_key)
{
	struct incident *inc = arg;
	cJSON *e = journal_entry(inc, &inc->actor, "notify", notify_service_name(s), NULL);
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddStringToObject(params, "event", event);
	cJSON_AddNumberToObject(params, "about", (double)about);
	if (dedup_key)
		cJSON_AddStringToObject(params, "dedup_key", dedup_key);
	if (inc->mode == MODE_DRILL)
		cJSON_AddStringToObject(params, "to", "drill sink");
	cJSON_AddStringToObject(e, "outcome", error ? "failed" : "sent");
	if (error)
		cJSON_AddStringToObject(e, "detail", error);
	struct error jerr;
	if (journal_append(&inc->journal, e, &jerr) != 0)
		incident_set_event(&inc->last_action, inc->now, true, "journal: %s", jerr.msg);
	else if (error)
		incident_set_event(&inc->last_action, inc->now, true, "notify %s failed: %s", notify_service_name(s),
				   error);
	cJSON_Delete(e);
}

void incident_attach_notify(struct incident *inc, const struct config_notify *cfg, const char *drill_sink)
{
	if (!cfg->pagerduty.on && !cfg->slack.on && !cfg->teams.on)
		return;
	inc->notifier = notifier_new(cfg, inc->loop, drill_sink, on_notified, inc);
}

/* What another console wrote: requests, approvals and their ends become
 * this console's state too. Lines it does not understand are left alone. */
static void on_journal_line(void *ctx, const char *line, size_t len)
{
	struct incident *inc = ctx;
	cJSON *e = cJSON_ParseWithLength(line, len);
	if (!e)
		return;
	absorb(inc, e);
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome"), *target = jsonmsg_str(e, "target");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(e, "params");
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
	const char *person = jsonmsg_str(actor, "as") ? jsonmsg_str(actor, "as") : jsonmsg_str(actor, "user");
	const char *identity = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(actor, "shared")) && jsonmsg_str(actor, "as")
				       ? jsonmsg_str(actor, "as")
				       : jsonmsg_str(actor, "user");
	uint64_t seq = jsonmsg_uint(e, "seq", UINT64_MAX);
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(params, "request");
	struct approval_request *r = cJSON_IsNumber(req) ? request_find(inc, (uint64_t)req->valuedouble) : NULL;
	if (!action || !outcome || !target || !person)
		goto out;
	if (strcmp(action, "rollback") == 0 && strcmp(outcome, "pending") == 0 && jsonmsg_str(params, "to")) {
		int64_t expires = INT64_MAX;
		const char *ex = jsonmsg_str(params, "expires");
		if (ex)
			timefmt_parse_iso(ex, &expires);
		if (!request_find(inc, seq))
			request_add(inc, seq, target, jsonmsg_str(params, "to"), jsonmsg_str(e, "reason"), person, identity,
				    expires);
	} else if (r && strcmp(action, "approve") == 0 && strcmp(outcome, "approved") == 0 &&
		   r->state == REQUEST_PENDING) {
		r->state = REQUEST_APPROVED;
		free(r->approver);
		r->approver = xstrdup(person);
		incident_set_event(&inc->last_action, inc->now, false, "%s approved %s's rollback of %s to %s",
				   person, r->requester, r->endpoint, r->to);
	} else if (r && strcmp(action, "rollback") == 0 && strcmp(outcome, "intent") == 0) {
		r->state = REQUEST_EXECUTED;
	} else if (r && strcmp(action, "rollback") == 0 && strcmp(outcome, "expired") == 0) {
		r->state = REQUEST_EXPIRED;
	} else if ((strcmp(action, "tick") == 0 && strcmp(outcome, "ticked") == 0) ||
		   (strcmp(action, "untick") == 0 && strcmp(outcome, "unticked") == 0)) {
		int64_t at = inc->now;
		const char *when = jsonmsg_str(e, "time");
		if (when)
			timefmt_parse_iso(when, &at);
		if (strncmp(target, "runbook:", 8) == 0 && jsonmsg_str(params, "step"))
			tick_set(inc, target + 8, jsonmsg_str(params, "step"), strcmp(action, "tick") == 0, person, at);
	} else if ((strcmp(action, "rollback") == 0 || strcmp(action, "promote") == 0 ||
		    strcmp(action, "set_weight") == 0) &&
		   (strcmp(outcome, "verified") == 0 || strcmp(outcome, "failed") == 0 ||
		    strcmp(outcome, "unverified") == 0)) {
		/* Another console moved traffic: read the target now, not in
		 * ten seconds, and say so. */
		for (size_t i = 0; i < inc->n_targets; i++)
			if (strcmp(inc->targets[i].endpoint, target) == 0)
				inc->targets[i].next_read_ms = 0;
		const char *traffic = jsonmsg_str(e, "traffic");
		incident_set_event(&inc->last_action, inc->now, strcmp(outcome, "verified") != 0, "%s: %s %s %s%s%s%s",
				   person, action, target, outcome, traffic ? " (" : "", traffic ? traffic : "",
				   traffic ? ")" : "");
	} else if ((strcmp(action, "freeze") == 0 && strcmp(outcome, "on") == 0) ||
		   (strcmp(action, "unfreeze") == 0 && strcmp(outcome, "off") == 0)) {
		int64_t at = inc->now;
		const char *when = jsonmsg_str(e, "time");
		if (when)
			timefmt_parse_iso(when, &at);
		freeze_set(inc, strcmp(action, "freeze") == 0, person, jsonmsg_str(e, "reason"), at);
	}
	inc->generation++;
out:
	cJSON_Delete(e);
}

int incident_follow(struct incident *inc, struct error *err)
{
	int rc = journal_sync(&inc->journal, err);
	long_line_tell(inc);
	return rc;
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

static void job_poll(struct incident *inc, struct action_job *job)
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
	for (size_t i = 0; i < inc->n_targets; i++)
		if (strcmp(inc->targets[i].endpoint, endpoint) == 0)
			return inc->targets[i].target;
	return inc->target;
}

void incident_apply_view(struct incident *inc, const char *endpoint, const struct target_view *view)
{
	/* The drill's world is the model itself. */
	if (inc->drill)
		return;
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

int64_t incident_next_due(const struct incident *inc)
{
	int64_t due = INT64_MAX;
	if (inc->drill) {
		int64_t d = drill_next_due(inc);
		if (d < due)
			due = d;
	}
	if (inc->target) {
		int64_t d = inc->target->ops->next_due(inc->target);
		if (d < due)
			due = d;
	}
	for (size_t i = 0; i < inc->n_jobs; i++)
		if (inc->jobs[i].state == ACTION_VERIFYING && !inc->jobs[i].read_pending &&
		    inc->jobs[i].next_poll_ms < due)
			due = inc->jobs[i].next_poll_ms;
	for (size_t i = 0; i < inc->n_requests; i++) {
		const struct approval_request *r = &inc->requests[i];
		int64_t at = !r->mine ? INT64_MAX
			     : r->state == REQUEST_APPROVED ? inc->now
			     : r->state == REQUEST_PENDING  ? r->expires_ms
							    : INT64_MAX;
		if (at < due)
			due = at;
	}
	return due;
}

/* A canary starts when its deployment first takes traffic and stops when
 * the deployment is back at 0%. */
static void canaries_follow_traffic(struct incident *inc)
{
	for (size_t i = 0; i < inc->n_canaries; i++) {
		struct incident_canary *ic = &inc->canaries[i];
		const struct endpoint *ep = model_find_endpoint(&inc->model, ic->canary.spec.endpoint);
		const struct deployment *d = ep ? endpoint_find_deployment(ep, ic->canary.spec.deployment) : NULL;
		int traffic = d ? d->traffic : 0;
		if (!ic->started && traffic > 0) {
			ic->started = true;
			inc->generation++;
		} else if (ic->started && traffic == 0 && ic->canary.verdict != CANARY_STOPPED &&
			   ic->canary.verdict != CANARY_PAGE) {
			if (ic->canary.verdict == CANARY_WATCHING) {
				canary_stop(&ic->canary);
				inc->generation++;
			}
		}
	}
}

static void run_due(struct incident *inc, int64_t t)
{
	if (inc->target) {
		int64_t d = inc->target->ops->next_due(inc->target);
		if (d <= t) {
			inc->target->ops->advance(inc->target, t);
			inc->generation++;
		}
	}
	canaries_follow_traffic(inc);
	if (inc->drill)
		drill_run_due(inc, t);
	canaries_follow_traffic(inc);
	for (size_t i = 0; i < inc->n_jobs; i++)
		if (inc->jobs[i].state == ACTION_VERIFYING && !inc->jobs[i].read_pending &&
		    inc->jobs[i].next_poll_ms <= t)
			job_poll(inc, &inc->jobs[i]);
	requests_due(inc);
}

/* A new result for one SLO; a tier that starts paging is narrated. */
/* A drill journals what its engines signal (a burn tier starting to fire,
 * a failed canary window): the timeline shows what the people saw, and the
 * scorecard times detection from it. Live consoles do not: each would
 * write the same line. */
static void journal_signal(struct incident *inc, const char *target, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void journal_signal(struct incident *inc, const char *target, const char *fmt, ...)
{
	if (inc->mode != MODE_DRILL || inc->passive)
		return;
	char text[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	struct actor policy;
	actor_policy(&policy);
	cJSON *e = journal_entry(inc, &policy, "signal", target, text);
	cJSON_AddStringToObject(e, "outcome", "seen");
	struct error err;
	if (journal_append(&inc->journal, e, &err) != 0)
		incident_set_event(&inc->last_action, inc->now, true, "journal: %s", err.msg);
	cJSON_Delete(e);
	actor_free(&policy);
}

static void slo_set_result(struct incident *inc, struct incident_slo *s, const struct burn_result *r)
{
	bool was_firing[BURN_NTIERS];
	for (int k = 0; k < BURN_NTIERS; k++)
		was_firing[k] = s->result.alerts[k].firing;
	s->result = *r;
	for (int k = 0; k < BURN_NTIERS; k++) {
		const struct burn_alert *a = &s->result.alerts[k];
		if (a->firing == was_firing[k])
			continue;
		inc->generation++;
		if (a->firing)
			journal_signal(inc, s->spec.name, "%s %s/%s fires: burn %.1fx and %.1fx over %.1fx", a->severity,
				       burn_window_name[a->tier->long_window], burn_window_name[a->tier->short_window],
				       s->result.windows[a->tier->long_window].burn,
				       s->result.windows[a->tier->short_window].burn, a->factor);
		if (a->firing && strcmp(a->severity, "page") == 0)
			incident_set_event(&inc->narration, inc->now, true,
					   "PAGE %s: burn %s %.1fx and %s %.1fx over %.1fx", s->spec.name,
					   burn_window_name[a->tier->long_window],
					   s->result.windows[a->tier->long_window].burn,
					   burn_window_name[a->tier->short_window],
					   s->result.windows[a->tier->short_window].burn, a->factor);
	}
}

static void evaluate_slos(struct incident *inc)
{
	for (size_t i = 0; i < inc->n_slos; i++) {
		struct incident_slo *s = &inc->slos[i];
		if (s->data.live)
			continue;
		struct burn_result r;
		burn_evaluate_series(&s->spec, &s->events, inc->now, &r);
		slo_set_result(inc, s, &r);
		burn_history(&s->spec, &s->events, inc->now, 5 * 60 * 1000, INCIDENT_HISTORY_N, s->history);
		s->has_history = true;
	}
}

void incident_slo_counts(struct incident *inc, size_t i, const struct burn_counts windows[BURN_NWINDOWS],
			 const struct burn_counts *period)
{
	struct incident_slo *s = &inc->slos[i];
	struct burn_result r;
	burn_evaluate(&s->spec, windows, period, &r);
	slo_set_result(inc, s, &r);
	inc->generation++;
}

bool data_stale(const struct data_state *d, int64_t now)
{
	return d->live && (d->at_ms == 0 || now - d->at_ms > 2 * d->refresh_ms);
}

void data_age(const struct data_state *d, int64_t now, char *buf, size_t size)
{
	if (!d->at_ms) {
		snprintf(buf, size, "-");
		return;
	}
	int64_t s = (now - d->at_ms) / 1000;
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, size, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, size, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
}

void incident_advance(struct incident *inc, int64_t to)
{
	policy_claim(inc);
	/* Everything due is run at its own time, so journal entries carry the
	 * moment things happened, not the moment the loop woke up. */
	for (;;) {
		int64_t t = incident_next_due(inc);
		if (t > to)
			break;
		if (t > inc->now) {
			inc->now = t;
			evaluate_slos(inc);
		}
		run_due(inc, inc->now);
	}
	if (to > inc->now)
		inc->now = to;
	evaluate_slos(inc);
	if (inc->live)
		live_step(inc->live, inc->now);
}

static void append_page_reason(const struct incident *inc, const char *endpoint, char *buf, size_t size)
{
	for (size_t i = 0; i < inc->n_slos; i++) {
		const struct incident_slo *s = &inc->slos[i];
		if (s->endpoint && strcmp(s->endpoint, endpoint) != 0)
			continue;
		for (int k = 0; k < BURN_NTIERS; k++) {
			const struct burn_alert *a = &s->result.alerts[k];
			if (!a->firing)
				continue;
			snprintf(buf, size, "%s %s: burn %s %.1fx, %s %.1fx over %.1fx", a->severity,
				 s->spec.name, burn_window_name[a->tier->long_window],
				 s->result.windows[a->tier->long_window].burn,
				 burn_window_name[a->tier->short_window],
				 s->result.windows[a->tier->short_window].burn, a->factor);
			return;
		}
	}
}

/* The reason the policy gives, and the one a human is offered. */
static char *canary_reason(const struct canary *c)
{
	char *why = canary_verdict_reason(c);
	char *reason = xasprintf("canary gate on %s: %s", c->spec.deployment, why);
	free(why);
	return reason;
}

char *incident_suggested_reason(const struct incident *inc, const char *endpoint)
{
	for (size_t i = 0; i < inc->n_canaries; i++) {
		const struct canary *c = &inc->canaries[i].canary;
		if (strcmp(c->spec.endpoint, endpoint) != 0 || c->n_windows == 0)
			continue;
		if (c->verdict == CANARY_ROLLBACK || c->verdict == CANARY_PAGE || c->consecutive_failures > 0) {
			return canary_reason(c);
		}
	}
	char buf[256] = "";
	append_page_reason(inc, endpoint, buf, sizeof buf);
	return *buf ? xstrdup(buf) : NULL;
}

void incident_canary_window(struct incident *inc, size_t i, int64_t start_ms, int64_t end_ms,
			    const struct canary_obs *obs, size_t n_obs)
{
	struct canary *c = &inc->canaries[i].canary;
	enum canary_verdict before = c->verdict;
	canary_add_window(c, start_ms, end_ms, obs, n_obs);
	inc->generation++;
	const struct canary_window *w = c->n_windows ? &c->windows[c->n_windows - 1] : NULL;
	if (w && w->verdict == WINDOW_FAIL && w->n_checks) {
		const struct canary_check *d = &w->checks[w->decisive];
		char from[16], to[16];
		timefmt_hms(w->start_ms, from, sizeof from);
		timefmt_hms(w->end_ms, to, sizeof to);
		journal_signal(inc, c->spec.deployment, "canary window %s-%s failed: %s %s %.2f against %.2f (n=%d)",
			       from, to, d->class_name, d->metric, d->value, d->threshold, d->n);
	}
	if (before != CANARY_WATCHING || c->verdict == CANARY_WATCHING || inc->passive)
		return;
	/* Live, the policy acts from the one console that holds its lock. */
	if (inc->mode == MODE_LIVE && inc->policy_fd < 0) {
		char *why = canary_reason(c);
		incident_set_event(&inc->last_action, inc->now, true, "canary %s: %s; %s", canary_verdict_name(c->verdict),
				   why, *inc->policy_elsewhere ? inc->policy_elsewhere : "no console runs the policy");
		free(why);
		return;
	}
	char *reason = canary_reason(c);
	struct actor policy;
	actor_policy(&policy);
	if (c->verdict == CANARY_ROLLBACK) {
		struct error err;
		if (incident_rollback(inc, c->spec.endpoint, NULL, reason, &policy, &err) < 0)
			incident_set_event(&inc->last_action, inc->now, true, "policy: %s", err.msg);
	} else if (c->verdict == CANARY_PAGE) {
		cJSON *e = journal_entry(inc, &policy, "page", c->spec.endpoint, reason);
		cJSON_AddStringToObject(e, "outcome", "raised");
		struct error err;
		if (journal_append(&inc->journal, e, &err) != 0)
			incident_set_event(&inc->last_action, inc->now, true, "journal: %s", err.msg);
		else
			incident_set_event(&inc->last_action, inc->now, true, "PAGE %s", reason);
		cJSON_Delete(e);
	}
	actor_free(&policy);
	free(reason);
}
