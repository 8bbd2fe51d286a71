#include "incident.h"

#include <dirent.h>
#include <sys/stat.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdread.h"
#include "feed.h"
#include "jsonmsg.h"
#include "lock.h"
#include "loop.h"
#include "notify.h"
#include "evidence.h"
#include "timefmt.h"
#include "xalloc.h"

static void on_journal_line(void *ctx, const char *line, size_t len);
static void apply_reading(struct incident *inc, const char *endpoint, const struct target_view *view, int64_t at);
static void on_appended(void *ctx, const cJSON *entry);
static int on_stamp(void *ctx, cJSON *entry, struct error *err);
static int traffic_change(struct incident *inc, const char *kind, const char *endpoint, const char *to,
			  const struct traffic_split *given, const char *reason, const struct actor *actor,
			  struct error *err);

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
	policy_default(&inc->policy);
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
		policy_free(&inc->policy);
		loop_free(inc->loop);
		workflow_free(&inc->workflow);
		timeline_free(&inc->timeline);
		return -1;
	}
	inc->journal.on_append = on_appended;
	inc->journal.on_append_ctx = inc;
	inc->journal.on_stamp = on_stamp;
	inc->journal.on_stamp_ctx = inc;
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
	/* Feeds and targets first: nothing may call back into what follows. */
	for (size_t i = 0; i < inc->n_feeds; i++)
		inc->feeds[i]->ops->free(inc->feeds[i]);
	free(inc->feeds);
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
		cJSON_Delete(job->unjournaled);
		free(job->journal_error);
		endpoint_unlock(job->lock_fd);
	}
	free(inc->jobs);
	for (size_t i = 0; i < inc->n_requests; i++) {
		struct approval_request *r = &inc->requests[i];
		free(r->kind);
		free(r->endpoint);
		free(r->to);
		free(r->traffic);
		free(r->reason);
		free(r->requester);
		free(r->req_user);
		free(r->req_as);
		free(r->approver);
		actor_free(&r->actor);
		traffic_split_free(&r->given);
	}
	free(inc->requests);
	for (size_t i = 0; i < inc->n_doubts; i++) {
		struct doubt *d = &inc->doubts[i];
		free(d->kind);
		free(d->endpoint);
		free(d->by);
		free(d->traffic);
		free(d->ref);
		endpoint_unlock(d->lock_fd);
	}
	free(inc->doubts);
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
	model_free(&inc->model);
	journal_close(&inc->journal);
	actor_free(&inc->actor);
	policy_free(&inc->policy);
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
	/* Its changes are this console's: one that may not act runs none. */
	const char *why;
	if (!actor_may_mutate(&inc->actor, &why)) {
		incident_set_event(&inc->narration, inc->now, false, "the canary policy does not run here: %s", why);
		return;
	}
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

int64_t incident_stamp(const struct incident *inc)
{
	if (inc->running_due)
		return inc->now;
	int64_t now = clock_now(&inc->clock);
	return now > inc->now ? now : inc->now;
}

/* The common head of every journal line: when, who, in which role, what,
 * on what, and why. */
static cJSON *journal_entry(const struct incident *inc, const struct actor *actor,
			    const char *action, const char *target, const char *reason)
{
	char when[32];
	timefmt_iso(incident_stamp(inc), when, sizeof when);
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "time", when);
	if (inc->mode == MODE_DRILL) {
		char wall[32];
		timefmt_iso(clock_wall_ms(), wall, sizeof wall);
		cJSON_AddStringToObject(e, "wall", wall);
		cJSON_AddStringToObject(e, "drill", inc->drill_name);
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
static void outcomes_retry(struct incident *inc)
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
static int traffic_check(struct incident *inc, const char *kind, const char *endpoint, const char **to,
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
	if (ep && !deployment) {
		error_set(&why, "%s has no canary to promote", endpoint);
		journal_refusal(inc, actor, "promote", endpoint, reason, why.msg);
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
		journal_refusal(inc, actor, "set_weight", endpoint, reason, why.msg);
		return error_set(err, "set_weight refused: %s", why.msg);
	}
	return traffic_change(inc, "set_weight", endpoint, to, split, reason, actor, err);
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

/* Whether this process records what it finds (expiries, read-backs):
 * not a snapshot, and not a console that may not act. */
static bool may_act_here(const struct incident *inc)
{
	const char *why;
	return !inc->passive && inc->journal.fd >= 0 && actor_may_mutate(&inc->actor, &why);
}

/* Whether this process's clock tells when r expires: the asker's does;
 * a drill's simulated time is no other console's. */
static bool request_clock_ours(const struct incident *inc, const struct approval_request *r)
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
static int change_hold(struct incident *inc, const char *kind, const char *endpoint, const char *to,
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
	cJSON *e = journal_entry(inc, actor, kind, endpoint, reason);
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
		cJSON *e = journal_entry(inc, actor, kind, endpoint, reason);
		cJSON_AddStringToObject(e, "outcome", "failed");
		cJSON_AddStringToObject(e, "detail", why.msg);
		struct error jerr;
		if (journal_append(&inc->journal, e, &jerr) != 0)
			incident_set_event(&inc->last_action, inc->now, true, "journal: %s", jerr.msg);
		cJSON_Delete(e);
		return error_set(err, "%s failed: %s; nothing was changed", kind, why.msg);
	}
	if (check != 0) {
		journal_refusal(inc, actor, kind, endpoint, reason, why.msg);
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
	cJSON *e = journal_entry(inc, actor, r->kind, r->endpoint, r->reason);
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
		cJSON *e = journal_entry(inc, &who, kind, endpoint, reason);
		cJSON_AddItemToObject(e, "params", cJSON_Duplicate(extra, true));
		cJSON_AddStringToObject(e, "outcome", check == -2 ? "failed" : "refused");
		cJSON_AddStringToObject(e, "detail", err.msg);
		struct error jerr;
		if (journal_append(&inc->journal, e, &jerr) != 0)
			incident_set_event(&inc->last_action, inc->now, true, "journal: %s", jerr.msg);
		else
			incident_set_event(&inc->last_action, inc->now, true, "approved %s of %s not carried out: %s",
					   kind, endpoint, err.msg);
		cJSON_Delete(e);
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
	cJSON *e = journal_entry(inc, r->mine ? &r->actor : &inc->actor, r->kind, r->endpoint, r->reason);
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

static void requests_due(struct incident *inc)
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
static void absorb_policy(struct incident *inc, const cJSON *e)
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
			endpoint_unlock(inc->policy_fd);
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
static int on_stamp(void *ctx, cJSON *e, struct error *err)
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
		journal_refusal(inc, actor, "policy", "incident", reason, why);
		return error_set(err, "policy refused: %s", why);
	}
	cJSON *e = journal_entry(inc, actor, "policy", "incident", reason);
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

static bool is_traffic_kind(const char *action)
{
	return strcmp(action, "rollback") == 0 || strcmp(action, "promote") == 0 || strcmp(action, "set_weight") == 0;
}

/* Requests for a second person's approval, and what ends them. An
 * approval counts only from a second person with a role that may act,
 * by the incident's rules, whatever the approving console believed. */
static void absorb_request(struct incident *inc, const cJSON *e)
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

/* ---- intents without an outcome (struct doubt) ------------------------ */

static struct doubt *doubt_find(const struct incident *inc, uint64_t seq)
{
	for (size_t i = 0; i < inc->n_doubts; i++)
		if (inc->doubts[i].seq == seq)
			return &inc->doubts[i];
	return NULL;
}

/* Every intent opens one; the line that names it as its intent settles
 * it. Settled ones stay (a read-back may still hold a reference). */
static void absorb_doubt(struct incident *inc, const cJSON *e)
{
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome");
	if (!action || !outcome)
		return;
	uint64_t intent = jsonmsg_uint(e, "intent", UINT64_MAX);
	struct doubt *d = intent ? doubt_find(inc, intent) : NULL;
	if (d) {
		d->settled = true;
		return;
	}
	const char *target = jsonmsg_str(e, "target");
	if (!target || !is_traffic_kind(action) || strcmp(outcome, "intent") != 0)
		return;
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
	const char *by = jsonmsg_str(actor, "as") ? jsonmsg_str(actor, "as") : jsonmsg_str(actor, "user");
	const char *traffic = jsonmsg_str(cJSON_GetObjectItemCaseSensitive(e, "params"), "traffic");
	xgrow(&inc->doubts, &inc->cap_doubts, inc->n_doubts + 1, sizeof *inc->doubts);
	d = &inc->doubts[inc->n_doubts++];
	memset(d, 0, sizeof *d);
	d->seq = jsonmsg_uint(e, "seq", UINT64_MAX);
	d->kind = xstrdup(action);
	d->endpoint = xstrdup(target);
	d->by = xstrdup(by ? by : "?");
	d->traffic = xstrdup(traffic ? traffic : "?");
	d->at_ms = inc->now;
	const char *when = jsonmsg_str(e, "time");
	if (when)
		timefmt_parse_iso(when, &d->at_ms);
	d->lock_fd = -1;
	d->drill = jsonmsg_str(e, "drill") != NULL;
}

size_t incident_in_doubt(const struct incident *inc, const struct doubt **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < inc->n_doubts; i++) {
		const struct doubt *d = &inc->doubts[i];
		if (d->confirmed && !d->settled) {
			if (n < max)
				out[n] = d;
			n++;
		}
	}
	return n;
}

void incident_doubt_text(const struct incident *inc, const struct doubt *d, char *buf, size_t size)
{
	char at[16];
	timefmt_hms(d->at_ms, at, sizeof at);
	const struct endpoint *ep = model_find_endpoint(&inc->model, d->endpoint);
	const struct incident_target *it = incident_target_state(inc, d->endpoint);
	const struct data_state *data = it ? &it->data : NULL;
	char now[160] = "traffic unknown (not read)";
	if (ep && data && data->at_ms) {
		struct traffic_split split;
		traffic_split_init(&split);
		endpoint_current_split(ep, &split);
		char *s = traffic_split_format(&split);
		char age[16];
		data_age(data, inc->now, age, sizeof age);
		snprintf(now, sizeof now, "traffic now %s (%s %s ago)", s, data_stale(data, inc->now) ? "STALE: read" : "read",
			 age);
		free(s);
		traffic_split_free(&split);
	}
	snprintf(buf, size, "in doubt: %s of %s by %s at %s, no outcome (asked for %s); %s", d->kind, d->endpoint, d->by,
		 at, d->traffic, now);
}

/* The read-back that settles a doubt: what the target serves now is
 * journaled as the intent's outcome, "abandoned". */
static void on_doubt_read(void *arg, const char *error, const struct target_view *view)
{
	struct job_ref *ref = arg;
	struct incident *inc = ref->inc;
	struct doubt *d = doubt_find(inc, ref->seq);
	if (!d)
		return;
	d->reading = false;
	int fd = d->lock_fd;
	d->lock_fd = -1;
	if (!view || d->settled) {
		if (!view)
			incident_set_event(&inc->last_action, inc->now, true,
					   "IN DOUBT: %s of %s by %s has no outcome, and the target cannot be read: %s",
					   d->kind, d->endpoint, d->by, error ? error : "?");
		endpoint_unlock(fd);
		return;
	}
	incident_apply_view(inc, d->endpoint, view);
	struct traffic_split now;
	traffic_split_init(&now);
	target_view_split(view, &now);
	char *split = traffic_split_format(&now);
	char at[16];
	timefmt_hms(d->at_ms, at, sizeof at);
	char *detail = xasprintf("no outcome was journaled for the intent at seq %llu (by %s at %s): the process "
				 "that made it ended or its journal failed; the target, read now, serves %s (%s %s)",
				 (unsigned long long)d->seq, d->by, at, split,
				 strcmp(split, d->traffic) == 0 ? "what it asked for:" : "it asked for", d->traffic);
	char *what = xasprintf("%s of %s by %s at %s had no outcome: traffic now %s", d->kind, d->endpoint, d->by, at,
			       split);
	cJSON *e = journal_entry(inc, &inc->actor, d->kind, d->endpoint, NULL);
	cJSON_AddNumberToObject(e, "intent", (double)d->seq);
	cJSON_AddStringToObject(e, "outcome", "abandoned");
	cJSON_AddStringToObject(e, "detail", detail);
	cJSON_AddStringToObject(e, "traffic", split);
	struct error err;
	if (journal_append(&inc->journal, e, &err) != 0)
		incident_set_event(&inc->last_action, inc->now, true, "journal: %s", err.msg);
	else
		incident_set_event(&inc->last_action, inc->now, true, "%s", what);
	cJSON_Delete(e);
	free(detail);
	free(what);
	free(split);
	traffic_split_free(&now);
	endpoint_unlock(fd);
	inc->generation++;
}

/* Every two seconds: an intent with no outcome whose endpoint nobody is
 * changing is in doubt; a process that may act and can read the target
 * settles it, holding the endpoint's lock so that nobody changes it
 * meanwhile. A drill has no locks: its intents are in doubt once past the
 * verification time. */
static void doubts_check(struct incident *inc)
{
	int64_t mono = clock_monotonic_ms();
	if (!inc->n_doubts || mono < inc->doubts_check_ms)
		return;
	inc->doubts_check_ms = mono + 2000;
	bool may_act = may_act_here(inc);
	for (size_t i = 0; i < inc->n_doubts; i++) {
		struct doubt *d = &inc->doubts[i];
		uint64_t seq = d->seq;
		struct job_ref ours = { inc, seq };
		if (d->settled || d->reading || job_of(&ours))
			continue;
		if (d->drill != (inc->mode == MODE_DRILL))
			continue; /* another clock: not ours to judge */
		if (inc->mode != MODE_LIVE || !inc->journal.dir) {
			if (!d->confirmed && inc->now - d->at_ms > inc->verify_timeout_ms + 5 * MS_PER_S) {
				d->confirmed = true;
				inc->generation++;
			}
			continue;
		}
		if (endpoint_lock_busy(inc->journal.dir, d->endpoint))
			continue;
		struct target *t = incident_target_for(inc, d->endpoint);
		int fd = -1;
		if (may_act && t && t->ops->read) {
			char *holder = xasprintf("reading back %s after an intent with no outcome, by %s (pid %ld)",
						 d->endpoint, actor_person(&inc->actor), (long)getpid());
			struct error lerr;
			fd = endpoint_lock(inc->journal.dir, d->endpoint, holder, &lerr);
			free(holder);
			if (fd < 0)
				continue;
		}
		/* Its outcome may have been written just before the lock was
		 * let go: read what the journal has first. */
		struct error err;
		journal_sync(&inc->journal, &err);
		d = doubt_find(inc, seq);
		if (d->settled) {
			endpoint_unlock(fd);
			continue;
		}
		if (!d->confirmed) {
			d->confirmed = true;
			inc->generation++;
		}
		if (fd < 0)
			continue;
		d->lock_fd = fd;
		d->reading = true;
		if (!d->ref)
			d->ref = xcalloc(1, sizeof *d->ref);
		*d->ref = (struct job_ref){ inc, seq };
		t->ops->read(t, d->endpoint, inc->now, on_doubt_read, d->ref);
	}
}

/* Every journal line, this console's own or another's, in order: the
 * workflow's state and the timeline are what the lines say. */
static void absorb(struct incident *inc, const cJSON *e)
{
	absorb_policy(inc, e);
	absorb_request(inc, e);
	absorb_doubt(inc, e);
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
/* The split a verified change read back, as journaled at `when`. */
static void journal_reading(struct incident *inc, const char *endpoint, const char *traffic, const char *when)
{
	int64_t at;
	struct target_view view = { 0 };
	struct error err;
	if (!when || !timefmt_parse_iso(when, &at) || cmdread_parse(traffic, strlen(traffic), &view, &err) != 0) {
		target_view_free(&view);
		return;
	}
	apply_reading(inc, endpoint, &view, at);
	target_view_free(&view);
}

/* What another console or a shell did to the incident reaches the event
 * line, as its traffic changes do: who, and the timeline's words. */
static void narrate_other(struct incident *inc, const cJSON *e)
{
	static const char *const shown[] = { "note", "update", "declare", "severity", "role", "resolve", "approve" };
	const char *action = jsonmsg_str(e, "action");
	const char *outcome = jsonmsg_str(e, "outcome");
	bool wanted = false;
	for (size_t i = 0; action && i < sizeof shown / sizeof *shown; i++)
		wanted |= strcmp(action, shown[i]) == 0;
	if (!wanted || (outcome && strcmp(outcome, "refused") == 0))
		return;
	const struct timeline_entry *t = timeline_find(&inc->timeline, jsonmsg_uint(e, "seq", UINT64_MAX));
	if (t)
		incident_set_event(&inc->narration, t->at_ms, false, "%s: %s", t->who, t->what);
}

static void on_journal_line(void *ctx, const char *line, size_t len)
{
	struct incident *inc = ctx;
	cJSON *e = cJSON_ParseWithLength(line, len);
	if (!e)
		return;
	absorb(inc, e);
	narrate_other(inc, e);
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome"), *target = jsonmsg_str(e, "target");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(e, "params");
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
	const char *person = jsonmsg_str(actor, "as") ? jsonmsg_str(actor, "as") : jsonmsg_str(actor, "user");
	if (!action || !outcome || !target || !person)
		goto out;
	if ((strcmp(action, "tick") == 0 && strcmp(outcome, "ticked") == 0) ||
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
		 * ten seconds, and say so. Its verified read-back is a reading
		 * too, newer than any this console took before it. */
		struct incident_target *it = incident_target_state(inc, target);
		if (it)
			it->next_read_ms = 0;
		const char *traffic = jsonmsg_str(e, "traffic");
		if (traffic && strcmp(outcome, "verified") == 0)
			journal_reading(inc, target, traffic, jsonmsg_str(e, "time"));
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
static void apply_reading(struct incident *inc, const char *endpoint, const struct target_view *view, int64_t at)
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

int64_t incident_next_due(const struct incident *inc)
{
	int64_t due = INT64_MAX;
	for (size_t i = 0; i < inc->n_feeds; i++) {
		const struct feed *f = inc->feeds[i];
		int64_t d = f->ops->next_due ? f->ops->next_due(f) : INT64_MAX;
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
	bool may_act = may_act_here(inc);
	for (size_t i = 0; i < inc->n_requests; i++) {
		const struct approval_request *r = &inc->requests[i];
		bool open = r->state == REQUEST_PENDING || r->state == REQUEST_APPROVED;
		int64_t at = r->mine && r->state == REQUEST_APPROVED ? inc->now
			     : open && !r->expiry_tried && request_clock_ours(inc, r) && (r->mine || may_act)
				     ? r->expires_ms
				     : INT64_MAX;
		if (at < due)
			due = at;
	}
	return due;
}

/* A canary starts when its deployment first takes traffic and stops when
 * the deployment is seen back at 0%, whatever its verdict: its windows
 * stay as the evidence, and none is judged or awaited after. */
static void canaries_follow_traffic(struct incident *inc)
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
	for (size_t i = 0; i < inc->n_feeds; i++) {
		struct feed *f = inc->feeds[i];
		if (f->ops->run_due)
			f->ops->run_due(f, t);
	}
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
	actor_policy(&policy, &inc->actor);
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
		inc->running_due = true;
		run_due(inc, inc->now);
		inc->running_due = false;
	}
	if (to > inc->now)
		inc->now = to;
	/* Live, traffic moves with every reading, not on a schedule. */
	canaries_follow_traffic(inc);
	evaluate_slos(inc);
	/* Paced by the wall clock, whatever the incident's clock does. */
	outcomes_retry(inc);
	doubts_check(inc);
	for (size_t i = 0; i < inc->n_feeds; i++)
		if (inc->feeds[i]->ops->step)
			inc->feeds[i]->ops->step(inc->feeds[i], inc->now);
}

void incident_wait(struct incident *inc, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms)
{
	loop_wait(inc->loop, extra, n_extra, timeout_ms);
}

/* ---- feeds ---------------------------------------------------------------- */

void incident_add_feed(struct incident *inc, struct feed *f)
{
	inc->feeds = xrealloc(inc->feeds, (inc->n_feeds + 1) * sizeof *inc->feeds);
	inc->feeds[inc->n_feeds++] = f;
}

struct feed *incident_feed(const struct incident *inc, const struct feed_ops *ops)
{
	for (size_t i = 0; i < inc->n_feeds; i++)
		if (inc->feeds[i]->ops == ops)
			return inc->feeds[i];
	return NULL;
}

size_t incident_add_slo(struct incident *inc, struct slo_spec *spec, char *endpoint, struct event_series *events,
			const struct data_state *data)
{
	inc->slos = xrealloc(inc->slos, (inc->n_slos + 1) * sizeof *inc->slos);
	struct incident_slo *s = &inc->slos[inc->n_slos];
	memset(s, 0, sizeof *s);
	s->spec = *spec;
	memset(spec, 0, sizeof *spec);
	s->endpoint = endpoint;
	if (events) {
		s->events = *events;
		memset(events, 0, sizeof *events);
	}
	s->data = *data;
	struct burn_counts none[BURN_NWINDOWS], period = { NAN, NAN };
	for (int k = 0; k < BURN_NWINDOWS; k++)
		none[k] = period;
	burn_evaluate(&s->spec, none, &period, &s->result);
	for (int k = 0; k < INCIDENT_HISTORY_N; k++)
		s->history[k] = NAN;
	return inc->n_slos++;
}

size_t incident_add_canary(struct incident *inc, struct canary_spec *spec, const struct data_state *data)
{
	inc->canaries = xrealloc(inc->canaries, (inc->n_canaries + 1) * sizeof *inc->canaries);
	struct incident_canary *ic = &inc->canaries[inc->n_canaries];
	memset(ic, 0, sizeof *ic);
	canary_init(&ic->canary, spec);
	ic->data = *data;
	return inc->n_canaries++;
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
	actor_policy(&policy, &inc->actor);
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
