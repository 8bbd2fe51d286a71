#include "timeline.h"

#include <stdlib.h>
#include <string.h>

#include "jsonmsg.h"
#include "pattern.h"
#include "sanitize.h"
#include "xalloc.h"

void timeline_init(struct timeline *t, size_t cap)
{
	memset(t, 0, sizeof *t);
	t->cap = cap ? cap : TIMELINE_MAX;
}

void timeline_entry_free(struct timeline_entry *e)
{
	free(e->who);
	free(e->role);
	free(e->action);
	free(e->what);
	free(e->why);
	memset(e, 0, sizeof *e);
}

void timeline_free(struct timeline *t)
{
	for (size_t i = 0; i < t->n; i++)
		timeline_entry_free(&t->ring[(t->head + i) % t->cap]);
	free(t->ring);
	memset(t, 0, sizeof *t);
}

static bool is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

/* A copy with control characters and invalid UTF-8 made harmless. */
static char *clean(const char *s)
{
	if (!s)
		return NULL;
	size_t size = strlen(s) + 1;
	char *out = xmalloc(size);
	sanitize_text(s, out, size);
	return out;
}

char *timeline_describe(const cJSON *e)
{
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome"), *target = jsonmsg_str(e, "target");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(e, "params");
	const char *detail = jsonmsg_str(e, "detail"), *traffic = jsonmsg_str(e, "traffic");
	char *s;
	if (!action)
		action = "?";
	if (!outcome)
		outcome = "?";
	if (is(outcome, "refused"))
		s = xasprintf("%s %s refused: %s", action, target ? target : "", detail ? detail : "");
	else if (is(action, "notify") && is(outcome, "failed"))
		s = xasprintf("notify %s failed: %s", target ? target : "?", detail ? detail : "");
	else if (is(action, "notify"))
		s = xasprintf("notify %s: %s %s%s", target ? target : "?", jsonmsg_str(params, "event") ? jsonmsg_str(params, "event") : "?",
			      outcome, jsonmsg_str(params, "to") ? " to the drill sink" : "");
	else if (is(action, "signal"))
		s = xasprintf("%s: %s", target ? target : "?", jsonmsg_str(e, "reason") ? jsonmsg_str(e, "reason") : "");
	else if (is(action, "declare"))
		s = xasprintf("declared %s: %s", jsonmsg_str(params, "severity") ? jsonmsg_str(params, "severity") : "?",
			      jsonmsg_str(params, "title") ? jsonmsg_str(params, "title") : "");
	else if (is(action, "severity"))
		s = xasprintf("severity %s -> %s", jsonmsg_str(params, "from") ? jsonmsg_str(params, "from") : "-",
			      jsonmsg_str(params, "severity") ? jsonmsg_str(params, "severity") : "?");
	else if (is(action, "role"))
		s = xasprintf("%s: %s%s%s", jsonmsg_str(params, "role") ? jsonmsg_str(params, "role") : "?",
			      jsonmsg_str(params, "person") ? jsonmsg_str(params, "person") : "?",
			      jsonmsg_str(params, "from") ? " (was " : "",
			      jsonmsg_str(params, "from") ? jsonmsg_str(params, "from") : "");
	else if (is(action, "note") || is(action, "update"))
		s = xasprintf("%s: %s", is(action, "note") ? "note" : "status update",
			      jsonmsg_str(params, "text") ? jsonmsg_str(params, "text") : "");
	else if (is(action, "resolve"))
		s = xasprintf("resolved");
	else if (is(action, "pin") || is(action, "unpin"))
		s = xasprintf("%s service %s", is(action, "pin") ? "pinned" : "unpinned",
			      jsonmsg_str(params, "service") ? jsonmsg_str(params, "service") : "?");
	else if (is(action, "tick") || is(action, "untick"))
		s = xasprintf("%s %s step %s", action, target && strncmp(target, "runbook:", 8) == 0 ? target + 8 : "?",
			      jsonmsg_str(params, "step") ? jsonmsg_str(params, "step") : "?");
	else if (strncmp(action, "silence", 7) == 0)
		/* "silence am created ID: alertname="X"" (an intent has no id yet). */
		s = xasprintf("%s %s %s%s%s: %s", action, target ? target : "", outcome,
			      jsonmsg_str(e, "silence_id") ? " " : "", jsonmsg_str(e, "silence_id") ? jsonmsg_str(e, "silence_id") : "",
			      jsonmsg_str(params, "matchers") ? jsonmsg_str(params, "matchers") : "");
	else if (is(outcome, "intent") && is(action, "set_weight"))
		/* A ramp is a split, not a move to one deployment. */
		s = xasprintf("%s %s to %s (from %s)", action, target ? target : "",
			      jsonmsg_str(params, "traffic") ? jsonmsg_str(params, "traffic") : "?",
			      jsonmsg_str(params, "from") ? jsonmsg_str(params, "from") : "?");
	else if (is(outcome, "intent"))
		s = xasprintf("%s %s to %s (from %s)", action, target ? target : "",
			      jsonmsg_str(params, "to") ? jsonmsg_str(params, "to") : "?",
			      jsonmsg_str(params, "from") ? jsonmsg_str(params, "from") : "?");
	else
		s = xasprintf("%s %s: %s%s%s%s%s", action, target ? target : "", outcome, traffic ? " (" : "",
			      traffic ? traffic : "", traffic ? ")" : "", "");
	if (detail && !is(outcome, "refused") && !is(action, "notify")) {
		char *t = xasprintf("%s; %s", s, detail);
		free(s);
		s = t;
	}
	/* A one-line view: newlines in a note or a command's output go too. */
	char *c = clean(s);
	free(s);
	return c;
}

void timeline_add(struct timeline *t, const cJSON *e, int64_t at)
{
	if (!t->ring)
		t->ring = xcalloc(t->cap, sizeof *t->ring);
	struct timeline_entry *slot;
	if (t->n == t->cap) {
		slot = &t->ring[t->head];
		timeline_entry_free(slot);
		t->head = (t->head + 1) % t->cap;
	} else {
		slot = &t->ring[(t->head + t->n) % t->cap];
		t->n++;
	}
	timeline_entry_set(slot, e, at);
	t->total++;
}

void timeline_add_older(struct timeline *t, struct timeline_entry *older, size_t n)
{
	size_t keep = n + t->n < t->cap ? n + t->n : t->cap;
	size_t drop = n + t->n - keep; /* the oldest of older */
	struct timeline_entry *ring = xcalloc(t->cap, sizeof *ring);
	for (size_t i = 0; i < n; i++) {
		if (i < drop)
			timeline_entry_free(&older[i]);
		else
			ring[i - drop] = older[i];
	}
	for (size_t i = 0; i < t->n; i++)
		ring[n - drop + i] = t->ring[(t->head + i) % t->cap];
	free(t->ring);
	t->ring = ring;
	t->head = 0;
	t->n = keep;
}

void timeline_entry_set(struct timeline_entry *slot, const cJSON *e, int64_t at)
{
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
	const char *who = jsonmsg_str(actor, "as") ? jsonmsg_str(actor, "as") : jsonmsg_str(actor, "user");
	const char *outcome = jsonmsg_str(e, "outcome");
	slot->seq = jsonmsg_uint(e, "seq", UINT64_MAX);
	slot->at_ms = at;
	slot->who = clean(who ? who : "?");
	slot->role = clean(jsonmsg_str(e, "role") ? jsonmsg_str(e, "role") : "");
	slot->action = clean(jsonmsg_str(e, "action") ? jsonmsg_str(e, "action") : "?");
	slot->what = timeline_describe(e);
	/* A signal's reason is what it says. */
	slot->why = is(jsonmsg_str(e, "action"), "signal") ? NULL : clean(jsonmsg_str(e, "reason"));
	slot->failed = is(outcome, "refused") || is(outcome, "failed") || is(outcome, "unverified") ||
		       is(outcome, "expired") || is(outcome, "abandoned");
}

const struct timeline_entry *timeline_at(const struct timeline *t, size_t i)
{
	return i < t->n ? &t->ring[(t->head + i) % t->cap] : NULL;
}

const struct timeline_entry *timeline_find(const struct timeline *t, uint64_t seq)
{
	for (size_t i = t->n; i-- > 0;) {
		const struct timeline_entry *e = timeline_at(t, i);
		if (e->seq == seq)
			return e;
		if (e->seq < seq)
			break;
	}
	return NULL;
}

bool timeline_filter_match(const struct pattern *f, const struct timeline_entry *e)
{
	return !f || pattern_match(f, e->who) || pattern_match(f, e->what) || pattern_match(f, e->why) ||
	       pattern_match(f, e->role);
}
