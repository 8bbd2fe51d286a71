/* The incident as every front end sees it: the clock, what is deployed, the
 * SLOs and canaries with their engines' latest results, the journal, the
 * traffic target, the actions in flight, and (in a drill) the scenario
 * being played. The TUI draws it, `cmdr status` prints it, and time moves
 * only through incident_advance. */
#ifndef CMDR_INCIDENT_H
#define CMDR_INCIDENT_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "actor.h"
#include "alert.h"
#include "alertmanager.h"
#include "burn.h"
#include "canary.h"
#include "clock.h"
#include "config.h"
#include "datastate.h"
#include "error.h"
#include "governance.h"
#include "journal.h"
#include "policy.h"
#include "model.h"
#include "runbook.h"
#include "target.h"
#include "scorecard.h"
#include "timeline.h"
#include "workflow.h"

enum incident_mode { MODE_LIVE, MODE_DRILL };

enum { INCIDENT_HISTORY_N = 10 }; /* the sparkline: 5m burn, 5 minutes apart */

struct incident_slo {
	struct slo_spec spec;
	char *endpoint; /* may be NULL */
	char *service;  /* the service it belongs to (config, scenario or discovery); may be NULL */
	/* Where it comes from: NULL for the config or the scenario, "sloth" or
	 * "pyrra" when discovered from a Prometheus source's recording rules
	 * (core/feeds/live_discover.c). */
	const char *origin;
	/* Windows (bit k: burn_window k; bit BURN_NWINDOWS: the period) its
	 * rules do not record: never read, always no data, and said so. */
	unsigned lacks;
	struct event_series events; /* drills */
	struct burn_result result;
	struct data_state data;
	/* Live: from a range query, oldest first, NaN where there was no
	 * data; has_history false until it arrives. Drills compute it. */
	double history[INCIDENT_HISTORY_N];
	bool has_history;
};

/* A service whose SLOs stand above all others in SLO BURN: the
 * incident's, from the journal, so that every console shows the same
 * (core/incident/incident_pin.c). */
struct service_pin {
	char *service, *by;
	int64_t at_ms;
};
struct pin_set {
	struct service_pin *pins; /* in the order they were pinned */
	size_t n, cap;
};

struct incident_canary {
	struct canary canary;
	bool started; /* the canary deployment has had traffic */
	bool stopped; /* started, and its deployment is back at 0%: nothing more to judge */
	struct data_state data;
};

enum action_state { ACTION_APPLYING, ACTION_VERIFYING, ACTION_VERIFIED, ACTION_FAILED, ACTION_UNVERIFIED };

struct job_ref;

/* One change in flight or done: intent journaled, applied through the
 * target (APPLYING), read back until it matches (VERIFYING), then an
 * outcome. A failed apply is followed by one read, so that the outcome
 * says what the traffic is now. */
struct action_job {
	uint64_t intent_seq;
	char *kind; /* "rollback" */
	char *endpoint;
	struct traffic_split want;
	struct actor actor;
	char *reason;
	int64_t started_ms, next_poll_ms, deadline_ms;
	enum action_state state;
	bool read_pending;  /* a read-back is out */
	char *from;         /* the split before the change, formatted */
	char *failure;      /* the target's words when the apply failed */
	char *detail;       /* what the target said besides (a command's output) */
	int lock_fd;        /* the endpoint's change lock while in flight; -1 */
	struct job_ref *ref;
	/* The outcome line the journal could not take (a full disk): kept,
	 * tried again every second, and said on the event line until it is
	 * written; journal_error says why. NULL once recorded. */
	cJSON *unjournaled;
	char *journal_error;
	int64_t journal_retry_ms;
};

const char *action_state_name(enum action_state s); /* "verifying", "verified", ... */

enum request_state { REQUEST_PENDING, REQUEST_APPROVED, REQUEST_EXECUTED, REQUEST_EXPIRED, REQUEST_WITHDRAWN };

/* A traffic change (rollback, promote, set_weight) held by the two-person
 * rule until a second person approves. Every console on the incident
 * learns of it from the journal; the process that asked carries it out
 * once approved; any process that may act records that it expired. */
struct approval_request {
	uint64_t seq; /* of the journal entry that holds it */
	char *kind, *endpoint, *to, *reason;
	char *traffic;      /* the split asked for, formatted */
	char *requester;    /* who asked, as shown: --as name, else OS user */
	char *req_user, *req_as; /* who asked, for the rule: OS user and --as name (may be NULL) */
	char *approver;  /* once approved */
	int64_t expires_ms;
	enum request_state state;
	bool mine;            /* asked from this process */
	bool drill;           /* asked in a drill: its expiry is on the drill's clock */
	bool expiry_tried;    /* this process tried to journal its expiry */
	struct actor actor;   /* mine only: who asked */
	struct traffic_split given; /* mine only: a set_weight's split (n 0 otherwise) */
};

const char *request_state_name(enum request_state s); /* "pending", "approved", ... */

/* One line of what loading the runbooks found: a file's error or
 * warning as `cmdr runbook lint` reports it, or what a cap left out. */
enum runbook_load_kind { RUNBOOK_LOAD_ERROR, RUNBOOK_LOAD_WARNING, RUNBOOK_LOAD_LEFT_OUT };

struct runbook_load_problem {
	enum runbook_load_kind kind;
	char *file;          /* the file, or the directory a cap is about */
	int line;            /* from 1; 0: the whole file */
	char *text;          /* the whole line, as cmdr status --json has it */
	const char *message; /* inside text: what, without where */
};

/* A ticked runbook step: who ticked it and when (simulated time in a
 * drill). Unticking removes it. */
struct step_tick {
	char *runbook, *step;
	char *by;
	int64_t at_ms;
};

/* The last thing that happened, for the status line. */
struct incident_event {
	int64_t at_ms;
	char text[256];
	bool failed;
};

/* A traffic change whose intent is journaled and whose outcome is not,
 * though nobody is carrying it out (its endpoint's lock is free; in a
 * drill, past the verification time): the process that made it ended or
 * its journal failed, and what the target serves is unknown until it is
 * read. Shown in every console and in cmdr status until a process that
 * may act reads the target and journals what it serves ("abandoned"). */
struct doubt {
	uint64_t seq; /* of the intent */
	char *kind, *endpoint, *by, *traffic; /* traffic: what it asked for */
	int64_t at_ms;
	bool confirmed; /* checked: nobody is carrying it out */
	bool settled;   /* an outcome for it is in the journal now */
	bool drill;     /* a drill's: judged on the drill's clock, by a drill only */
	bool reading;   /* a read-back to resolve it is out */
	int lock_fd;    /* the endpoint's lock while resolving; -1 */
	struct job_ref *ref;
};

struct feed;
struct feed_ops;
struct loop;

/* A silence made during the incident, as the journal tells it: every
 * console knows it, and the postmortem lists it. */
struct incident_silence {
	char *id, *source, *by, *reason;
	char *matchers; /* as given, space-separated */
	int64_t starts_ms, ends_ms;
	bool expired;
	bool warned; /* the event line said it ends while its alerts fire */
};

/* Where silences go (Alertmanager through the alerts feed, or a drill's
 * simulation): each call answers once through done, with the silence's
 * id or an error. */
typedef void (*silence_done_fn)(void *arg, const char *id, const char *error);
struct silencer {
	void (*put)(struct silencer *s, const char *source, const struct am_silence *body, silence_done_fn done,
		    void *arg);
	void (*expire)(struct silencer *s, const char *source, const char *id, silence_done_fn done, void *arg);
};
struct silence_job;

/* The alerts one alertmanager source gives for the incident (its filter),
 * or a drill scenario's; a feed replaces them whole at each reading. */
struct incident_alerts {
	char *source;
	struct alert_set set;
	struct data_state data;
};

/* A live endpoint's traffic target, and how fresh its last reading is. */
struct incident_target {
	struct incident *inc;
	char *endpoint;
	struct target *target;
	struct data_state data;
	bool reading;
	int64_t next_read_ms;
};

struct incident {
	enum incident_mode mode;
	struct clock clock;
	int64_t now; /* where the engines stand */
	bool running_due; /* inside the scheduler: what runs happens at `now` */
	struct model model;
	struct incident_slo *slos;
	size_t n_slos;
	struct incident_canary *canaries;
	size_t n_canaries;
	struct incident_alerts *alerts; /* core/incident/incident_alerts.c */
	size_t n_alerts;
	struct incident_silence *silences; /* core/incident/incident_silence.c */
	size_t n_silences;
	struct silencer *silencer;         /* NULL: no alertmanager source */
	/* This console's `:alerts` filter (matchers as Alertmanager's
	 * filter= takes them), in place of the config's; n 0: the config's.
	 * Each change bumps the generation, and the feeds read anew. */
	char **alerts_filter;
	size_t n_alerts_filter;
	unsigned alerts_filter_gen;
	struct silence_job **silence_jobs; /* sent, not answered */
	size_t n_silence_jobs;
	struct journal journal;
	struct loop *loop;     /* every transfer, child and timer of this incident */
	struct target *target; /* a drill's simulated target, for every endpoint */
	struct incident_target *targets; /* live: one per configured endpoint */
	size_t n_targets;
	struct feed **feeds; /* what brings the world in (core/incident/feed.h) */
	size_t n_feeds;
	const char *drill_name, *drill_title; /* a drill's scenario: journal lines, status */
	struct notifier *notifier; /* PagerDuty, Slack, Teams (core/incident/notify.h), or NULL */
	/* A snapshot (cmdr status): engines judge, but no policy acts and
	 * nothing is journaled on their behalf. */
	bool passive;
	bool watch_journal; /* a console: the journal's socket wakes it (a PostgreSQL NOTIFY) */
	/* Live: whether this console may run the canary policy (only the
	 * console does, never a command), and the lock that makes it the one
	 * console that does (-1: not held; policy_elsewhere names who has it). */
	bool policy_wanted;
	int policy_fd;
	int64_t policy_try_ms;
	char policy_elsewhere[512];
	struct action_job *jobs;
	size_t n_jobs, cap_jobs;
	struct approval_request *requests;
	size_t n_requests, cap_requests;
	struct doubt *doubts; /* intents without an outcome (see struct doubt) */
	size_t n_doubts, cap_doubts;
	int64_t doubts_check_ms; /* monotonic: when they are looked at next */
	/* The rules every action here is judged by: pinned in the journal
	 * (policy.seq > 0), or the candidate this process pins with the first
	 * line it appends (core/readers/policy.h). settled: inc->actor was judged
	 * by them; role_given: --role was used. */
	struct policy policy;
	bool settled, role_given;
	/* The change freeze: promotions refused, rollbacks allowed. */
	bool frozen;
	char *freeze_by, *freeze_reason;
	int64_t freeze_at;
	/* Runbooks and who ticked which step when (from the journal). */
	struct runbook *runbooks;
	size_t n_runbooks;
	size_t runbooks_left_out; /* over RUNBOOK_MAX_LOADED or RUNBOOK_MAX_TOTAL_BYTES */
	/* What loading the runbooks found, one line each as `cmdr runbook
	 * lint` prints it: refusals, warnings of the runbooks that loaded,
	 * and what was left out. refused: files refused (an error, or a
	 * name another runbook has); warnings: warning lines. */
	struct runbook_load_problem *runbook_problems;
	size_t n_runbook_problems, cap_runbook_problems;
	size_t runbooks_refused, runbook_warnings;
	struct step_tick *ticks;
	size_t n_ticks, cap_ticks;
	struct pin_set pins; /* the services pinned, from the journal */
	struct actor actor; /* the person at this console */
	int64_t verify_poll_ms, verify_timeout_ms;
	struct incident_event last_action; /* the last action and its outcome */
	struct incident_event narration;   /* the latest drill note */
	struct workflow workflow;          /* declaration, roles, updates (core/model/workflow.h) */
	struct timeline timeline;          /* the journal as read by a person */
	struct scorecard scorecard;        /* a drill's, from the journal (core/incident/scorecard.h) */
	unsigned long generation;          /* bumps on every visible change */
	uint64_t long_told;                /* journal lines over the limit already reported */
	/* Opened from a checkpoint: the timeline lacks the lines before this
	 * offset until incident_timeline_history reads them (0: it has all). */
	off_t history_before;
	/* A line with no time was replayed: its moment is this process's
	 * clock, so no checkpoint keeps this state. */
	bool clockless;
};

/* Opens the journal in dir (NULL: none, for a read-only look at live
 * sources); the rest is filled by drill_load or (later) a
 * live config. Takes ownership of *actor. */
int incident_open(struct incident *inc, const char *dir, struct actor *actor, struct error *err);
/* The same for a look that changes nothing (cmdr status): the journal is
 * opened only to read, and nothing is created. Both start from this
 * user's checkpoint of the journal when the journal holds its mark, and
 * read only the lines after it; incident_open then keeps a checkpoint of
 * where it has read to (core/incident/incident_checkpoint.c). */
int incident_open_readonly(struct incident *inc, const char *dir, struct actor *actor, struct error *err);
/* The timeline's lines from before the checkpoint the incident was opened
 * from, read back from the journal: what a console shows, and a command
 * that only appends does without. Nothing to do after a whole replay. */
int incident_timeline_history(struct incident *inc, struct error *err);
void incident_free(struct incident *inc);
/* Settles the rules this incident is judged by (the pinned policy, else
 * candidate, which the first line this process appends pins) and who
 * inc->actor is under them. -1 with err when the rules refuse the actor
 * (a shared account without --as, a --role above the one given). */
int incident_settle_policy(struct incident *inc, const struct policy *candidate, bool role_given,
			   struct error *err);
/* Pins candidate as the incident's policy from now on: a commander's
 * action, with a reason, journaled with the rules whole. */
int incident_pin_policy(struct incident *inc, const struct policy *candidate, const char *reason,
			const struct actor *actor, struct error *err);
/* For consoles that will append: a torn last line left by a crash is set
 * aside (journal_set_aside_torn) and the repair journaled. Returns 1 and
 * sets the incident's last action when it repaired something, 0 when the
 * journal was whole, -1 on failure. */
int incident_repair_journal(struct incident *inc, struct error *err);
/* "PATH:LINE: entry of N bytes is over the 1 MiB line limit; ..." for the
 * last journal line too long to read, or NULL when there was none. */
const char *incident_long_line(const struct incident *inc, char *buf, size_t size);

/* A live SLO's counts for one refresh (NaN where a source had no data):
 * evaluated as a drill's are, at inc->now. */
void incident_slo_counts(struct incident *inc, size_t i, const struct burn_counts windows[BURN_NWINDOWS],
			 const struct burn_counts *period);
/* Runs every engine up to `to`, in time order: scenario events, canary
 * windows and policy, target changes landing, action verification. */
void incident_advance(struct incident *inc, int64_t to);
/* The next simulated time at which something is scheduled (INT64_MAX: none). */
int64_t incident_next_due(const struct incident *inc);

/* The role check every mutating action starts with: observers and
 * read-only consoles are refused, and the refused attempt is journaled. */
int incident_may_act(struct incident *inc, const struct actor *actor, const char *action, const char *target,
		     const char *reason, struct error *err);
/* Rolls endpoint back to `to` (NULL: its last known-good) for `reason`,
 * as actor. Checks the role and the request, journals the intent, applies
 * through the target and starts verification (see struct action_job).
 * Returns 0 when the change was applied and is being verified; 1 when the
 * two-person rule holds it for approval (err says so); -1 with err set
 * when it was refused or failed. Refusals and failures are journaled too. */
int incident_rollback(struct incident *inc, const char *endpoint, const char *to,
		      const char *reason, const struct actor *actor, struct error *err);
/* Judges one window of canary i and applies the policy when it gives a
 * verdict: the automatic rollback goes through incident_rollback with the
 * actor "policy", a page-only verdict is journaled for the humans. base
 * holds the baseline's observations of the same window (compare judge),
 * from the deployment incident_canary_baseline named. */
void incident_canary_window(struct incident *inc, size_t i, int64_t start_ms, int64_t end_ms,
			    const struct canary_obs *obs, size_t n_obs, const struct canary_obs *base, size_t n_base);
/* The deployment canary i is compared with: the one its spec names, else
 * the one of its endpoint with the most traffic that is not the canary
 * (the first such in the endpoint's order on a tie). NULL: none known. */
const char *incident_canary_baseline(const struct incident *inc, size_t i);
/* Turns the change freeze on or off (an action like any other: role
 * checked, reason required, journaled; every console follows it). */
int incident_set_freeze(struct incident *inc, bool on, const char *reason, const struct actor *actor,
			struct error *err);
/* Sends all of endpoint's traffic to `deployment` (NULL: the canary, the
 * deployment other than the last known-good with the most traffic).
 * Refused while the change freeze is on. Same return as incident_rollback. */
int incident_promote(struct incident *inc, const char *endpoint, const char *deployment, const char *reason,
		     const struct actor *actor, struct error *err);

/* Loads every *.md in dirs (missing directories are skipped), in file
 * name order, up to RUNBOOK_MAX_LOADED runbooks and RUNBOOK_MAX_TOTAL_BYTES
 * (the rest are counted in runbooks_left_out and reported once); a runbook
 * with problems is left out and its first problem reported through
 * `report` (may be NULL). Returns how many were loaded. */
size_t incident_load_runbooks(struct incident *inc, const char *const *dirs, size_t n_dirs,
			      void (*report)(void *ctx, const char *problem), void *ctx);
/* Ticks (on) or unticks a step: journaled, shared with every console.
 * Unticking needs a reason; observers cannot do either. */
int incident_tick(struct incident *inc, const char *runbook, const char *step, bool on, const char *reason,
		  const struct actor *actor, struct error *err);
/* The tick on a step, or NULL. */
const struct step_tick *incident_tick_of(const struct incident *inc, const char *runbook, const char *step);
/* How many of rb's steps are ticked: a lookup per tick, not per step,
 * so that a runbook of 20,000 steps is counted every frame. */
size_t incident_runbook_done(const struct incident *inc, const struct runbook *rb);
/* The signals runbook triggers are matched against: one line per firing
 * burn tier and per failing check of each canary's latest window. Caller
 * frees each and the array. */
size_t incident_signals(const struct incident *inc, char ***out);
/* The runbook the current signals suggest (index), or -1; *why names the
 * signal and pattern (caller frees). */
int incident_suggested_runbook(const struct incident *inc, char **why);

/* A second person approves a pending request (by its seq). The approver
 * must be another person than the one who asked, and may act. */
int incident_approve(struct incident *inc, uint64_t request_seq, const struct actor *actor, struct error *err);
/* The one who asked takes back an open request (the CLI that waited for
 * the approval was interrupted): journaled, and nothing changes. */
int incident_withdraw(struct incident *inc, uint64_t request_seq, const struct actor *actor, struct error *err);
/* What r asks for, in words: "roll back E to D", "promote D on E", "set
 * E to d-1427=50 d-1428=50". */
void incident_request_describe(const struct approval_request *r, char *buf, size_t size);
/* r's state as of now: an open request past its expiry is expired (on
 * the asker's clock in a drill), journaled so or not yet. */
enum request_state incident_request_state(const struct incident *inc, const struct approval_request *r);
/* The request at seq, or NULL. */
const struct approval_request *incident_request(const struct incident *inc, uint64_t seq);
/* The oldest pending request that `me` could approve (asked by someone
 * else), or NULL. */
const struct approval_request *incident_request_to_approve(const struct incident *inc, const struct actor *me);
/* Reads what other consoles appended to the journal since the last call
 * (pending requests, approvals, actions) into the incident. */
int incident_follow(struct incident *inc, struct error *err);
/* The person an actor stands for: the --as name, else the OS user. */
const char *actor_person(const struct actor *a);

/* The target that moves endpoint's traffic: its own, else the drill's, or
 * NULL. */
/* Sets endpoint's traffic to split (deployments it does not name get 0;
 * it must add up to 100), the same audited action as a rollback: a canary
 * ramp from 10% to 25%. Refused during the change freeze. */
int incident_set_weight(struct incident *inc, const char *endpoint, const struct traffic_split *split,
			const char *reason, const struct actor *actor, struct error *err);

/* This console would run the canary policy: it does once it holds the
 * incident's policy lock (core/io/lock.h), taken now or, while another console
 * holds it, tried again every few seconds. Drills always run it. */
void incident_want_policy(struct incident *inc);

/* Pins (on) or unpins the SLOs of a service: they stand above all others
 * in every console's SLO BURN. An action on the incident like a note:
 * observers and read-only consoles are refused, it is journaled, and it
 * takes effect when the line is absorbed, here and in every console that
 * follows the journal. Refused (and the refusal journaled): pinning a
 * service no SLO of the incident has, or one already pinned; unpinning
 * one that is not. 0, or -1 with err. */
int incident_pin(struct incident *inc, const char *service, bool on, const struct actor *actor, struct error *err);
/* The service is pinned (NULL never is). */
bool incident_pinned(const struct incident *inc, const char *service);

/* The commander's workflow (core/incident/incident_workflow.c). Each checks the
 * actor, journals, and takes effect through the journal line, the same
 * way another console's line does. 0, or -1 with err (refusals are
 * journaled). */
int incident_declare(struct incident *inc, const char *title, int severity, const struct actor *actor,
		     struct error *err);
/* Lowering the severity needs a reason (when unsure, pick the higher). */
int incident_set_severity(struct incident *inc, int severity, const char *reason, const struct actor *actor,
			  struct error *err);
int incident_resolve(struct incident *inc, const char *reason, const struct actor *actor, struct error *err);
/* person NULL: the actor claims the role; else hands it to person. */
int incident_assign_role(struct incident *inc, enum duty duty, const char *person, const struct actor *actor,
			 struct error *err);
int incident_note(struct incident *inc, const char *text, const struct actor *actor, struct error *err);
int incident_post_update(struct incident *inc, const char *text, const struct actor *actor, struct error *err);
/* every 0: off; else time checks every `every` ms since the declaration. */
int incident_set_timecheck(struct incident *inc, int64_t every, const struct actor *actor, struct error *err);
int incident_set_update_every(struct incident *inc, int64_t every, const struct actor *actor, struct error *err);

/* Announces this console's own journal lines (declarations, severity,
 * the commander, updates, verified or failed traffic changes, the
 * resolution) to the configured services; in a drill to drill_sink
 * instead. Each delivery or failure is journaled (`notify`). cfg must
 * outlive the incident. */
void incident_attach_notify(struct incident *inc, const struct config_notify *cfg, const char *drill_sink);

/* When a journal line written now happened: the clock's reading to the
 * millisecond (the real time live, the simulated one in a drill), never
 * before `now`; scheduled work run by the scheduler happens at `now`. */
int64_t incident_stamp(const struct incident *inc);

/* For core's own action files: the head of a journal line, and a journaled
 * refusal (the status line gets a journal failure). */
cJSON *incident_journal_entry(const struct incident *inc, const struct actor *actor, const char *action,
			      const char *target, const char *reason);
void incident_journal_refusal(struct incident *inc, const struct actor *actor, const char *action,
			      const char *target, const char *reason, const char *why);

struct target *incident_target_for(const struct incident *inc, const char *endpoint);
/* The live target state of endpoint (its readings), or NULL in a drill. */
struct incident_target *incident_target_state(const struct incident *inc, const char *endpoint);
/* A source's or target's error ("source prom: ...") is over: when the
 * event line still shows it, it now says "source prom: answering again". */
void incident_error_cleared(struct incident *inc, const char *error);
/* Reads endpoint's target at the next step, not at its next refresh: a
 * decision is about to be made on what it serves. */
void incident_read_target(struct incident *inc, const char *endpoint);
/* How far what the model says endpoint serves may be trusted for a
 * decision: FRESH (read within DECISION_FRESH_MS, or a drill's own world),
 * OLD (an older reading and no failure since: a change is tried, never
 * refused as "already serves"; its intent says as of when), or UNREADABLE
 * (the last read failed, *why says why: a change fails, nothing changed). */
enum split_basis { SPLIT_FRESH, SPLIT_OLD, SPLIT_UNREADABLE };
#define DECISION_FRESH_MS 5000
enum split_basis incident_split_basis(struct incident *inc, const char *endpoint, const char **why);
/* A target's reading of endpoint, taken now, into the model: deployments
 * added as they appear, traffic and states set; the last known-good is the
 * one that last held 100% or, before any did, the one with the most
 * traffic. The endpoint's data is stamped with the reading's time. */
void incident_apply_view(struct incident *inc, const char *endpoint, const struct target_view *view);

/* The console's wait: up to timeout_ms for a key (the extra fds), a
 * transfer or a child process; then finished work is applied. */
struct pollfd;
void incident_wait(struct incident *inc, struct pollfd *extra, unsigned n_extra, int timeout_ms);

/* Feeds (core/incident/feed.h). The incident owns f from now on and frees it
 * first, before its targets and loop. */
void incident_add_feed(struct incident *inc, struct feed *f);
/* A source of alerts (a feed's, as incident_add_slo is): its index in
 * inc->alerts. incident_set_alerts then hands over each reading (taking
 * *set, which is left empty) for the moment at_ms. */
size_t incident_add_alerts(struct incident *inc, const char *source, const struct data_state *data);
void incident_set_alerts(struct incident *inc, size_t i, struct alert_set *set, int64_t at_ms);
/* The SLO an alert belongs to: its sloth_id, sloth_slo or slo label, the
 * first that names an SLO of the incident, else what the labels say. */
const char *incident_alert_slo(const struct incident *inc, const struct alert *a);

/* Silences as actions, as rollbacks are: the role checked, a reason
 * required, refusals journaled, the intent journaled before anything is
 * sent and the outcome (with the silence's id) after; the change freeze
 * does not hold them. `matchers` is Alertmanager's matchers separated by
 * spaces; source NULL: the one alertmanager source. 0 when sent (the
 * outcome follows: incident_silences_busy), -1 with err. */
int incident_silence_create(struct incident *inc, const char *source, const char *matchers, int64_t for_ms,
			    const char *reason, const struct actor *actor, struct error *err);
/* Adds for_ms to the end of a silence made during the incident. */
int incident_silence_extend(struct incident *inc, const char *id, int64_t for_ms, const char *reason,
			    const struct actor *actor, struct error *err);
int incident_silence_expire(struct incident *inc, const char *id, const char *reason, const struct actor *actor,
			    struct error *err);
/* What the matchers would mute now: how many of the source's alerts, and
 * their alertnames (each once) in buf. -1 with err for a bad matcher. */
int incident_silence_preview(const struct incident *inc, const char *source, const char *matchers, char *buf,
			     size_t size, struct error *err);
bool incident_silences_busy(const struct incident *inc);
/* This console's alert filter: matchers separated by spaces, or NULL for
 * the config's again. Not journaled: it changes what this console asks
 * for, not the world. -1 with err for a bad matcher. */
int incident_set_alerts_filter(struct incident *inc, const char *matchers, struct error *err);
/* How far ahead of its end a silence whose alerts still fire is said on
 * the event line. */
#define SILENCE_WARN_MS (5 * 60 * 1000)
/* The silence made during the incident with that id, or NULL. */
const struct incident_silence *incident_silence_find(const struct incident *inc, const char *id);
/* The incident's feed of that kind, or NULL. */
struct feed *incident_feed(const struct incident *inc, const struct feed_ops *ops);
/* An SLO or a canary a feed brings: spec, endpoint and events move in
 * (the caller's copies are zeroed); data says how its readings age. The
 * result starts as "no data". Returns its index in inc->slos or
 * inc->canaries. */
size_t incident_add_slo(struct incident *inc, struct slo_spec *spec, char *endpoint, struct event_series *events,
			const struct data_state *data);
size_t incident_add_canary(struct incident *inc, struct canary_spec *spec, const struct data_state *data);

/* The outcome of a change that the journal has not taken yet (disk
 * full), or NULL; *why says why. The change happened; its record waits. */
const struct action_job *incident_outcome_unjournaled(const struct incident *inc, const char **why);
/* The intents in doubt (confirmed, not settled) into out, up to max;
 * returns how many there are. */
size_t incident_in_doubt(const struct incident *inc, const struct doubt **out, size_t max);
/* "in doubt: rollback of chat by alice at 10:42:03, no outcome; traffic
 * now d-1427=91 d-1428=9 (read 2s ago)", with the reading's age, or
 * "STALE", or "traffic unknown". */
void incident_doubt_text(const struct incident *inc, const struct doubt *d, char *buf, size_t size);
/* The action in flight on endpoint, or NULL. */
const struct action_job *incident_job_in_flight(const struct incident *inc, const char *endpoint);

/* A reason to prefill for a rollback of endpoint: the canary verdict or the
 * firing page, or NULL when nothing is firing. Caller frees. */
char *incident_suggested_reason(const struct incident *inc, const char *endpoint);

void incident_set_event(struct incident_event *ev, int64_t at, bool failed, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
