/* The commander's workflow, kept on the journal: the declaration (title,
 * severity), who holds which incident role, notes, stakeholder updates and
 * the resolution. The state is what the journal's lines give when applied
 * in order, so every console on an incident, and one that reconnects,
 * shows the same. No I/O here: core/incident/incident_workflow.c journals. */
#ifndef CMDR_WORKFLOW_H
#define CMDR_WORKFLOW_H
#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* SEV0 is the worst. When unsure, pick the higher (the lower number). */
enum { SEV_UNSET = -1, SEV_MAX = 3 };
const char *sev_name(int sev); /* "SEV0".."SEV3", "-" when unset */
/* "SEV1", "sev1", "1"; false if it is none of SEV0..SEV3. */
bool sev_parse(const char *s, int *out);

/* Incident roles, claimed and handed over by name. They are duties, not
 * permissions: who may change things is the actor's role (core/model/actor.h). */
enum duty { DUTY_COMMANDER, DUTY_DEPUTY, DUTY_SCRIBE, DUTY_COMMS, DUTY_N };
const char *duty_name(enum duty d);
bool duty_parse(const char *s, enum duty *out);

#define WORKFLOW_UPDATE_EVERY_MS (30 * 60 * 1000LL)   /* seed 002: every 30 minutes */
#define WORKFLOW_TIMECHECK_EVERY_MS (10 * 60 * 1000LL)
/* The update turns to a warning this long before it is due. */
#define WORKFLOW_UPDATE_WARN_MS (5 * 60 * 1000LL)
/* A time check stays on screen this long. */
#define WORKFLOW_TIMECHECK_SHOW_MS (60 * 1000LL)

struct workflow {
	char *title;
	int severity;          /* SEV_UNSET until declared */
	int64_t declared_at;   /* 0: not declared */
	char *declared_by;
	int64_t resolved_at;   /* 0: not resolved */
	char *resolved_by, *resolution;
	char *holder[DUTY_N];  /* who holds each role, or NULL */
	int64_t last_update_at; /* the last stakeholder update, 0: none yet */
	char *last_update, *last_update_by;
	unsigned n_updates, n_notes;
	int64_t update_every_ms;    /* default WORKFLOW_UPDATE_EVERY_MS */
	int64_t timecheck_every_ms; /* 0: time checks off */
	char *pd_dedup_key;         /* the PagerDuty alert's, once a trigger is delivered */
};

void workflow_init(struct workflow *w);
void workflow_free(struct workflow *w);

/* Applies one journal entry. Entries that are not the workflow's, or are
 * refusals, change nothing. Returns true when the state changed. at is
 * the entry's time (its "time" field, parsed by the caller). */
bool workflow_apply(struct workflow *w, const cJSON *entry, int64_t at);

enum update_state { UPDATE_NONE, UPDATE_OK, UPDATE_WARN, UPDATE_ALARM };
/* The next stakeholder update: none before the declaration or after the
 * resolution; else due update_every after the last one (or the
 * declaration), a warning WORKFLOW_UPDATE_WARN_MS before, an alarm once
 * overdue. *due_at gets when it is due. */
enum update_state workflow_update_state(const struct workflow *w, int64_t now, int64_t *due_at);
const char *update_state_name(enum update_state s); /* "none", "ok", "warn", "alarm" */

/* With time checks on: the time check that is showing at now (the k-th
 * multiple of the interval since the declaration, for
 * WORKFLOW_TIMECHECK_SHOW_MS), as its offset from the declaration; 0 when
 * none is showing. */
int64_t workflow_timecheck(const struct workflow *w, int64_t now);

#endif
