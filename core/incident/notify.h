/* Telling people: PagerDuty (Events API v2: trigger, acknowledge, resolve
 * with a stored dedup key; Change Events for rollbacks and promotions), a
 * Slack incoming webhook and a Microsoft Teams Workflows webhook (an
 * Adaptive Card). What a journal line announces, the request bodies, the
 * services' answers, and a sender on the incident's loop that retries 429
 * and 5xx with backoff and never blocks. In a drill every message goes to
 * the drill sink (a file), never to a service. */
#ifndef CMDR_NOTIFY_H
#define CMDR_NOTIFY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "error.h"
#include "workflow.h"

enum notify_service { NOTIFY_PAGERDUTY, NOTIFY_SLACK, NOTIFY_TEAMS, NOTIFY_N };
const char *notify_service_name(enum notify_service s); /* "pagerduty", "slack", "teams" */

/* How long a message may keep being retried. */
#define NOTIFY_DEADLINE_MS (2 * 60 * 1000LL)

/* What a journal line announces. pd_event: "trigger", "acknowledge",
 * "resolve", "change" or NULL (PagerDuty is not told); chat: Slack and
 * Teams are told. */
struct notify_plan {
	const char *pd_event;
	const char *pd_severity; /* critical, error, warning (trigger only) */
	bool chat;
	char title[160];  /* "SEV1 Chat answers ungrounded" or the action */
	char text[600];   /* one line for people */
};

/* False when the line announces nothing (refusals, ticks, notes, and the
 * notify lines themselves). w is the state with the line applied. */
bool notify_plan_for(const cJSON *entry, const struct workflow *w, struct notify_plan *out);

/* Request bodies (heap JSON text). head is the journal's head hash after
 * the line, so anyone can check the record the message came from. */
char *notify_pd_event_body(const char *routing_key, const struct notify_plan *p, const char *dedup_key,
			   const char *source, const char *timestamp, const char *head);
char *notify_pd_change_body(const char *routing_key, const struct notify_plan *p, const char *source,
			    const char *timestamp, const char *head);
char *notify_slack_body(const struct notify_plan *p, const char *head);
char *notify_teams_body(const struct notify_plan *p, const char *head);

/* A service's answer: 0 delivered (PagerDuty's dedup_key into *dedup_key
 * when given, caller frees), 1 worth retrying (429, 5xx, no answer), -1
 * refused for good, with the service's own words in err. */
int notify_response(enum notify_service s, long status, const char *body, size_t len, char **dedup_key,
		    struct error *err);

struct loop;
struct notifier;

/* Called once per message and service when it is delivered (error NULL)
 * or given up on. about: the seq of the line it announced. */
typedef void (*notify_done_fn)(void *arg, enum notify_service s, const char *event, uint64_t about,
			       const char *error, const char *dedup_key);

/* drill_sink non-NULL: a drill; messages are appended there (secrets are
 * never read) and reported delivered. */
struct notifier *notifier_new(const struct config_notify *cfg, struct loop *loop, const char *drill_sink,
			      notify_done_fn done, void *arg);
/* Announces entry (already journaled; w has it applied) to every
 * configured service. */
void notifier_send(struct notifier *n, const cJSON *entry, const struct workflow *w, const char *head);
/* Messages still being sent or waiting to be retried. */
size_t notifier_pending(const struct notifier *n);
/* Gives up on every pending message, reporting each with why (a process
 * that exits must not leave a message neither sent nor failed). */
void notifier_abandon(struct notifier *n, const char *why);
/* Abandons what is in flight without calling back. */
void notifier_free(struct notifier *n);

#endif
