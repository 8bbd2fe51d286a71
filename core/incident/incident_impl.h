/* Private to the incident's files (core/incident*.c): what one duty
 * calls in another. Nothing outside them includes this. */
#ifndef CMDR_INCIDENT_IMPL_H
#define CMDR_INCIDENT_IMPL_H
#include "incident.h"

/* A job as a callback knows it: the jobs array moves as it grows, the
 * intent's seq does not. Freed with the job's incident. */
struct job_ref {
	struct incident *inc;
	uint64_t seq;
};

/* incident.c */
/* Appends e and deletes it; a failure is told on the event line
 * ("journal: ..."). Returns journal_append's result. */
int incident_record(struct incident *inc, cJSON *e);
/* Who wrote a journal line: the actor's "as" name, else its user. */
const char *entry_person(const cJSON *e);
/* The same for an action the caller reports: a failure is err, "WHAT not
 * recorded: ...". */
int incident_record_or_fail(struct incident *inc, cJSON *e, const char *what, struct error *err);
void long_line_tell(struct incident *inc);
/* Frees what replaying the journal built and sets it back to what an
 * incident holds before its first line. */
void incident_replay_reset(struct incident *inc);
/* incident_checkpoint.c: what replaying the journal built, as a
 * checkpoint's state, and back into an incident that has read nothing
 * (-1: not a state this build kept; incident_replay_reset then). */
cJSON *checkpoint_state(const struct incident *inc);
int checkpoint_restore(struct incident *inc, const cJSON *state);
/* incident_alerts.c */
void incident_alerts_free(struct incident *inc);
/* postmortem_silences.c: the silences the journal holds, as
 * [{id, source, time, who, why, matchers, starts, ends, length, state,
 * changes[]}], and as a Markdown table (none: nothing). */
void postmortem_silence_take(cJSON *silences, const cJSON *e, const char *when, const char *who);
void postmortem_silences_md(FILE *out, const cJSON *silences, void (*cell)(FILE *, const char *));
/* incident_silence.c */
void absorb_silence(struct incident *inc, const cJSON *e, int64_t at);
/* Says on the event line, once per silence, that one made here ends
 * within SILENCE_WARN_MS while an alert it mutes still fires. */
void silences_expiry_check(struct incident *inc);
void incident_silences_free(struct incident *inc);
/* incident_approval.c */
void absorb_request(struct incident *inc, const cJSON *e);
int change_hold(struct incident *inc, const char *kind, const char *endpoint, const char *to,
		       const struct traffic_split *given, const char *reason, const struct actor *actor,
		       struct error *err);
/* A line's effect on the change freeze, the runbook ticks. */
void absorb_freeze(struct incident *inc, const cJSON *e, int64_t at);
bool is_traffic_kind(const char *action);
bool may_act_here(const struct incident *inc);
bool preapproved(const struct incident *inc, const char *endpoint, char *why, size_t size);
bool request_clock_ours(const struct incident *inc, const struct approval_request *r);
struct approval_request *request_find(const struct incident *inc, uint64_t seq);
void requests_due(struct incident *inc);
/* incident_pin.c: a journal line's effect on a set of pins (the
 * incident's, or the postmortem's own). */
void pin_set_apply(struct pin_set *p, const cJSON *e, int64_t at);
void pin_set_free(struct pin_set *p);
/* incident_policy.c */
void absorb_policy(struct incident *inc, const cJSON *e);
int on_stamp(void *ctx, cJSON *e, struct error *err);
void policy_claim(struct incident *inc);
/* incident_replay.c */
void doubts_check(struct incident *inc);
void on_appended(void *ctx, const cJSON *entry);
void on_journal_line(void *ctx, const char *line, size_t len);
/* incident_runbook.c */
void absorb_tick(struct incident *inc, const cJSON *e, int64_t at);
/* incident_traffic.c */
void apply_reading(struct incident *inc, const char *endpoint, const struct target_view *view, int64_t at);
void canaries_follow_traffic(struct incident *inc);
struct action_job *job_of(const struct job_ref *ref);
void job_poll(struct incident *inc, struct action_job *job);
void outcomes_retry(struct incident *inc);
int traffic_check(struct incident *inc, const char *kind, const char *endpoint, const char **to,
			 const struct traffic_split *given, const char *reason, struct error *err);
int traffic_execute(struct incident *inc, const char *kind, const char *endpoint, const char *to,
			   const struct traffic_split *given, const char *reason, const struct actor *actor,
			   cJSON *extra, struct error *err);
void wanted_split(const struct endpoint *ep, const char *to, const struct traffic_split *given,
			 struct traffic_split *out);

#endif
