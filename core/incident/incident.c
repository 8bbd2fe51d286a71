#include "incident.h"
#include "incident_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "jsonmsg.h"
#include "lock.h"
#include "loop.h"
#include "notify.h"
#include "timefmt.h"
#include "xalloc.h"

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
void long_line_tell(struct incident *inc)
{
	char buf[sizeof inc->last_action.text];
	if (inc->journal.n_long == inc->long_told || !incident_long_line(inc, buf, sizeof buf))
		return;
	inc->long_told = inc->journal.n_long;
	incident_set_event(&inc->last_action, inc->now, true, "%s", buf);
	inc->generation++;
}

/* Opens dir's journal and replays it into inc: from this user's
 * checkpoint when the journal holds its mark (a checkpoint that does not
 * fit is dropped, and the whole journal read), else from the first line.
 * A writer then keeps a checkpoint of where it has read to, while inc
 * holds nothing but what the lines built. */
static int replay_open(struct incident *inc, const char *dir, bool writing, struct error *err)
{
	struct journal *j = &inc->journal;
	if (journal_open_unread(j, dir, writing, err) != 0)
		return -1;
	struct journal_mark mark;
	cJSON *state = journal_checkpoint_load(j, &mark);
	int rc = 1;
	if (state && checkpoint_restore(inc, state) == 0)
		rc = journal_follow_from(j, &mark, on_journal_line, inc, err);
	/* A checkpoint that did not fit is replaced, one that did once the
	 * journal went on past it. */
	bool keep = rc != 0 || j->offset != mark.offset;
	if (rc == 0) {
		inc->history_before = mark.offset;
	} else if (rc == 1) {
		if (state)
			incident_replay_reset(inc);
		rc = journal_follow(j, on_journal_line, inc, err);
	}
	cJSON_Delete(state);
	if (rc == 0 && writing && keep && !inc->clockless)
		journal_checkpoint_save(j, checkpoint_state(inc));
	return rc;
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
		memcpy(inc->journal.head, JOURNAL_GENESIS, sizeof inc->journal.head);
		return 0;
	}
	if (replay_open(inc, dir, true, err) != 0) {
		incident_free(inc);
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
	if (dir && replay_open(inc, dir, false, err) != 0) {
		incident_free(inc);
		return -1;
	}
	long_line_tell(inc);
	return 0;
}

/* What replaying the journal builds (and what a process adds to it). */
static void replay_free(struct incident *inc)
{
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
		journal_unlock(&inc->journal, d->lock_fd);
	}
	free(inc->doubts);
	free(inc->freeze_by);
	free(inc->freeze_reason);
	for (size_t i = 0; i < inc->n_ticks; i++) {
		free(inc->ticks[i].runbook);
		free(inc->ticks[i].step);
		free(inc->ticks[i].by);
	}
	free(inc->ticks);
	pin_set_free(&inc->pins);
	model_free(&inc->model);
	policy_free(&inc->policy);
	workflow_free(&inc->workflow);
	timeline_free(&inc->timeline);
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
		free(inc->slos[i].service);
		event_series_free(&inc->slos[i].events);
	}
	free(inc->slos);
	incident_alerts_free(inc);
	incident_silences_free(inc);
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
		journal_unlock(&inc->journal, job->lock_fd);
	}
	free(inc->jobs);
	for (size_t i = 0; i < inc->n_runbooks; i++)
		runbook_free(&inc->runbooks[i]);
	free(inc->runbooks);
	for (size_t i = 0; i < inc->n_runbook_problems; i++) {
		free(inc->runbook_problems[i].file);
		free(inc->runbook_problems[i].text);
	}
	free(inc->runbook_problems);
	if (inc->target)
		inc->target->ops->free(inc->target);
	loop_free(inc->loop);
	replay_free(inc);
	journal_unlock(&inc->journal, inc->policy_fd);
	journal_close(&inc->journal);
	actor_free(&inc->actor);
	memset(inc, 0, sizeof *inc);
}

void incident_replay_reset(struct incident *inc)
{
	replay_free(inc);
	incident_silences_free(inc);
	inc->requests = NULL;
	inc->n_requests = inc->cap_requests = 0;
	inc->doubts = NULL;
	inc->n_doubts = inc->cap_doubts = 0;
	inc->ticks = NULL;
	inc->n_ticks = inc->cap_ticks = 0;
	inc->silences = NULL;
	inc->n_silences = 0;
	inc->silence_jobs = NULL;
	inc->n_silence_jobs = 0;
	inc->frozen = false;
	inc->freeze_by = inc->freeze_reason = NULL;
	inc->freeze_at = 0;
	memset(&inc->last_action, 0, sizeof inc->last_action);
	memset(&inc->narration, 0, sizeof inc->narration);
	policy_default(&inc->policy);
	workflow_init(&inc->workflow);
	timeline_init(&inc->timeline, TIMELINE_MAX);
	scorecard_init(&inc->scorecard);
	inc->history_before = 0;
	inc->clockless = false;
	inc->generation++;
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

int incident_repair_journal(struct incident *inc, struct error *err)
{
	char *side;
	size_t bytes;
	if (journal_set_aside_torn(&inc->journal, &side, &bytes, err) != 0)
		return -1;
	if (!side)
		return 0;
	cJSON *e = incident_journal_entry(inc, &inc->actor, "journal_repair", "journal.jsonl",
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
cJSON *incident_journal_entry(const struct incident *inc, const struct actor *actor, const char *action,
			      const char *target, const char *reason)
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

/* A refused attempt is evidence too: who tried what, and why not. */
void incident_journal_refusal(struct incident *inc, const struct actor *actor, const char *action,
			      const char *target, const char *reason, const char *why)
{
	cJSON *e = incident_journal_entry(inc, actor, action, target, reason && *reason ? reason : NULL);
	cJSON_AddStringToObject(e, "outcome", "refused");
	cJSON_AddStringToObject(e, "detail", why);
	incident_record(inc, e);
}

int incident_record_or_fail(struct incident *inc, cJSON *e, const char *what, struct error *err)
{
	struct error jerr;
	int rc = journal_append(&inc->journal, e, &jerr);
	cJSON_Delete(e);
	if (rc != 0) {
		error_set(err, "%s not recorded: %s", what, jerr.msg);
		/* A database that failed is still a system outside cmdr. */
		if (err)
			err->kind = jerr.kind;
		return -1;
	}
	return 0;
}

const char *entry_person(const cJSON *e)
{
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
	return jsonmsg_str(actor, "as") ? jsonmsg_str(actor, "as") : jsonmsg_str(actor, "user");
}

int incident_record(struct incident *inc, cJSON *e)
{
	struct error jerr;
	int rc = journal_append(&inc->journal, e, &jerr);
	if (rc != 0)
		incident_set_event(&inc->last_action, inc->now, true, "journal: %s", jerr.msg);
	cJSON_Delete(e);
	return rc;
}

int incident_may_act(struct incident *inc, const struct actor *actor, const char *action, const char *target,
		     const char *reason, struct error *err)
{
	const char *why;
	if (actor_may_mutate(actor, &why))
		return 0;
	incident_journal_refusal(inc, actor, action, target, reason, why);
	return error_set(err, "%s refused: %s", action, why);
}

const char *actor_person(const struct actor *a)
{
	return a->as_name ? a->as_name : a->user;
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
	cJSON *e = incident_journal_entry(inc, &policy, "signal", target, text);
	cJSON_AddStringToObject(e, "outcome", "seen");
	incident_record(inc, e);
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
		burn_evaluate_series(&s->spec, &s->events, inc->now, s->lacks, &r);
		slo_set_result(inc, s, &r);
		burn_history(&s->spec, &s->events, inc->now, 5 * 60 * 1000, INCIDENT_HISTORY_N, s->history);
		for (int k = 0; (s->lacks & 1u) && k < INCIDENT_HISTORY_N; k++)
			s->history[k] = NAN; /* the sparkline is the 5m window's */
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

void incident_wait(struct incident *inc, struct pollfd *extra, unsigned n_extra, int timeout_ms)
{
	/* Another host's line wakes the console (a PostgreSQL journal's
	 * NOTIFY); incident_follow reads it. */
	short events = POLLIN;
	int fd = inc->watch_journal ? journal_watch_fd(&inc->journal, &events) : -1;
	if (fd < 0 || n_extra >= 8) {
		loop_wait(inc->loop, extra, n_extra, timeout_ms);
		return;
	}
	struct pollfd fds[9];
	if (n_extra)
		memcpy(fds, extra, n_extra * sizeof *fds);
	fds[n_extra] = (struct pollfd){ .fd = fd, .events = events };
	loop_wait(inc->loop, fds, n_extra + 1, timeout_ms);
	if (n_extra)
		memcpy(extra, fds, n_extra * sizeof *fds);
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
	struct burn_counts none[BURN_NWINDOWS], period = { .bad = NAN, .total = NAN };
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
		if (c->verdict == CANARY_ROLLBACK || c->verdict == CANARY_PAGE ||
		    (c->spec.judge == JUDGE_THRESHOLD ? c->consecutive_failures > 0
						      : c->windows[c->n_windows - 1].verdict == WINDOW_FAIL)) {
			return canary_reason(c);
		}
	}
	char buf[256] = "";
	append_page_reason(inc, endpoint, buf, sizeof buf);
	return *buf ? xstrdup(buf) : NULL;
}

const char *incident_canary_baseline(const struct incident *inc, size_t i)
{
	const struct canary_spec *spec = &inc->canaries[i].canary.spec;
	if (spec->baseline)
		return spec->baseline;
	const struct endpoint *ep = model_find_endpoint(&inc->model, spec->endpoint);
	const struct deployment *best = NULL;
	for (size_t k = 0; ep && k < ep->n_deployments; k++) {
		const struct deployment *d = ep->deployments[k];
		if (strcmp(d->name, spec->deployment) != 0 && d->traffic > 0 && (!best || d->traffic > best->traffic))
			best = d;
	}
	return best ? best->name : NULL;
}

void incident_canary_window(struct incident *inc, size_t i, int64_t start_ms, int64_t end_ms,
			    const struct canary_obs *obs, size_t n_obs, const struct canary_obs *base, size_t n_base)
{
	struct canary *c = &inc->canaries[i].canary;
	enum canary_verdict before = c->verdict;
	canary_add_window_vs(c, start_ms, end_ms, obs, n_obs, incident_canary_baseline(inc, i), base, n_base);
	inc->generation++;
	const struct canary_window *w = c->n_windows ? &c->windows[c->n_windows - 1] : NULL;
	if (w && w->verdict == WINDOW_FAIL && w->cmp && c->spec.n_thresholds) {
		char from[16], to[16], *text = canary_compare_text(c, w, w->decisive);
		timefmt_hms(w->start_ms, from, sizeof from);
		timefmt_hms(w->end_ms, to, sizeof to);
		journal_signal(inc, c->spec.deployment, "canary window %s-%s failed: %s", from, to, text);
		free(text);
	} else if (w && w->verdict == WINDOW_FAIL && w->n_checks) {
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
		cJSON *e = incident_journal_entry(inc, &policy, "page", c->spec.endpoint, reason);
		cJSON_AddStringToObject(e, "outcome", "raised");
		if (incident_record(inc, e) == 0)
			incident_set_event(&inc->last_action, inc->now, true, "PAGE %s", reason);
	}
	actor_free(&policy);
	free(reason);
}
