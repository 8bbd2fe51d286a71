/* Every journal line, this console's own or another's, changes the
 * incident's state here and only here (absorb); another's also reaches
 * the event line. Intents without an outcome are kept as doubts and
 * settled against the target. */
#include "incident.h"
#include "incident_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdread.h"
#include "jsonmsg.h"
#include "lock.h"
#include "notify.h"
#include "timefmt.h"
#include "xalloc.h"

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
		journal_unlock(&inc->journal, fd);
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
	cJSON *e = incident_journal_entry(inc, &inc->actor, d->kind, d->endpoint, NULL);
	cJSON_AddNumberToObject(e, "intent", (double)d->seq);
	cJSON_AddStringToObject(e, "outcome", "abandoned");
	cJSON_AddStringToObject(e, "detail", detail);
	cJSON_AddStringToObject(e, "traffic", split);
	if (incident_record(inc, e) == 0)
		incident_set_event(&inc->last_action, inc->now, true, "%s", what);
	free(detail);
	free(what);
	free(split);
	traffic_split_free(&now);
	journal_unlock(&inc->journal, fd);
	inc->generation++;
}

/* Every two seconds: an intent with no outcome whose endpoint nobody is
 * changing is in doubt; a process that may act and can read the target
 * settles it, holding the endpoint's lock so that nobody changes it
 * meanwhile. A drill has no locks: its intents are in doubt once past the
 * verification time. */
void doubts_check(struct incident *inc)
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
		if (journal_endpoint_busy(&inc->journal, d->endpoint))
			continue;
		struct target *t = incident_target_for(inc, d->endpoint);
		int fd = -1;
		if (may_act && t && t->ops->read) {
			char *holder = xasprintf("reading back %s after an intent with no outcome, by %s (pid %ld)",
						 d->endpoint, actor_person(&inc->actor), (long)getpid());
			struct error lerr;
			fd = journal_lock_endpoint(&inc->journal, d->endpoint, holder, &lerr);
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
			journal_unlock(&inc->journal, fd);
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
 * workflow's state and the timeline are what the lines say. A change to
 * what a line builds here bumps the replay in CHECKPOINT_BUILT_BY
 * (incident_checkpoint.c), so that no checkpoint of the old one is used. */
static void absorb(struct incident *inc, const cJSON *e)
{
	int64_t at = inc->now;
	const char *when = jsonmsg_str(e, "time");
	if (!when || !timefmt_parse_iso(when, &at))
		inc->clockless = true;
	absorb_policy(inc, e);
	absorb_request(inc, e);
	absorb_doubt(inc, e);
	absorb_freeze(inc, e, at);
	absorb_tick(inc, e, at);
	absorb_silence(inc, e, at);
	pin_set_apply(&inc->pins, e, at);
	workflow_apply(&inc->workflow, e, at);
	timeline_add(&inc->timeline, e, at);
	scorecard_take(&inc->scorecard, e, at);
	inc->generation++;
}

void on_appended(void *ctx, const cJSON *entry)
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
	cJSON *e = incident_journal_entry(inc, &inc->actor, "notify", notify_service_name(s), NULL);
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
	if (incident_record(inc, e) == 0 && error)
		incident_set_event(&inc->last_action, inc->now, true, "notify %s failed: %s", notify_service_name(s),
				   error);
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
	static const char *const shown[] = { "note",	"update",  "declare", "severity", "role",
					     "resolve", "approve", "pin",     "unpin" };
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

void on_journal_line(void *ctx, const char *line, size_t len)
{
	struct incident *inc = ctx;
	cJSON *e = cJSON_ParseWithLength(line, len);
	if (!e)
		return;
	absorb(inc, e);
	narrate_other(inc, e);
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome");
	const char *target = jsonmsg_str(e, "target"), *person = entry_person(e);
	if (!action || !outcome || !target || !person)
		goto out;
	if (is_traffic_kind(action) && (strcmp(outcome, "verified") == 0 || strcmp(outcome, "failed") == 0 ||
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
	}
	inc->generation++;
out:
	cJSON_Delete(e);
}

/* The timeline's lines from before a checkpoint, newest first. */
struct history {
	const struct incident *inc;
	struct timeline_entry *entries;
	size_t n, want;
};

static bool on_history_line(void *ctx, const char *line, size_t len)
{
	struct history *h = ctx;
	cJSON *e = cJSON_ParseWithLength(line, len);
	if (!e)
		return true; /* nor did the replay take it */
	int64_t at = h->inc->now;
	const char *when = jsonmsg_str(e, "time");
	if (when)
		timefmt_parse_iso(when, &at);
	timeline_entry_set(&h->entries[h->n++], e, at);
	cJSON_Delete(e);
	return h->n < h->want;
}

int incident_timeline_history(struct incident *inc, struct error *err)
{
	struct timeline *t = &inc->timeline;
	if (!inc->history_before)
		return 0;
	struct history h = { inc, NULL, 0, t->cap - t->n };
	int rc = 0;
	if (h.want) {
		h.entries = xcalloc(h.want, sizeof *h.entries);
		rc = journal_lines_before(&inc->journal, inc->history_before, on_history_line, &h, err);
		for (size_t i = 0; i < h.n / 2; i++) {
			struct timeline_entry x = h.entries[i];
			h.entries[i] = h.entries[h.n - 1 - i];
			h.entries[h.n - 1 - i] = x;
		}
		if (rc == 0)
			timeline_add_older(t, h.entries, h.n);
		else
			for (size_t i = 0; i < h.n; i++)
				timeline_entry_free(&h.entries[i]);
		free(h.entries);
	}
	if (rc == 0) {
		inc->history_before = 0;
		inc->generation++;
	}
	return rc;
}

int incident_follow(struct incident *inc, struct error *err)
{
	int rc = journal_sync(&inc->journal, err);
	long_line_tell(inc);
	return rc;
}
