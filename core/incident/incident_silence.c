/* Silences as audited actions (core/incident/incident.h): create, extend
 * and expire go through the checks every action does (incident_may_act,
 * a reason, journaled refusals), journal their intent, go out through the
 * incident's silencer, and journal the outcome with the silence's id. The
 * incident's list of silences is what the journal says (absorb_silence),
 * so every console and the postmortem see the same. */
#include "incident.h"
#include "incident_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonmsg.h"
#include "timefmt.h"
#include "xalloc.h"

#define MAX_MATCHERS 16

struct silence_job {
	struct incident *inc;
	uint64_t intent_seq;
	char *action, *source, *reason, *matchers, *old_id;
	char *mutes; /* create: the alertnames it mutes as it is made */
	int n_mutes;
	struct actor actor;
	int64_t starts_ms, ends_ms;
};

/* ---- matchers ------------------------------------------------------------ */

/* Splits text at spaces outside quotes into at most MAX_MATCHERS. */
static int parse_matchers(const char *text, struct alert_matcher *ms, size_t *n, struct error *err)
{
	*n = 0;
	for (const char *p = text; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *start = p;
		bool quoted = false;
		for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
			if (*p == '\\' && quoted && p[1])
				p++;
			else if (*p == '"')
				quoted = !quoted;
		}
		if (*n == MAX_MATCHERS)
			return error_set(err, "at most %d matchers", MAX_MATCHERS);
		char *word = xstrndup(start, (size_t)(p - start));
		int rc = alert_matcher_parse(word, &ms[*n], err);
		free(word);
		if (rc != 0) {
			for (size_t i = 0; i < *n; i++)
				alert_matcher_free(&ms[i]);
			return -1;
		}
		(*n)++;
	}
	return *n ? 0 : error_set(err, "a silence needs at least one matcher, such as alertname=\"X\"");
}

static void free_matchers(struct alert_matcher *ms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		alert_matcher_free(&ms[i]);
}

static const struct incident_alerts *alerts_of(const struct incident *inc, const char *source)
{
	for (size_t i = 0; i < inc->n_alerts; i++)
		if (!source || strcmp(inc->alerts[i].source, source) == 0)
			return &inc->alerts[i];
	return NULL;
}

int incident_silence_preview(const struct incident *inc, const char *source, const char *matchers, char *buf,
			     size_t size, struct error *err)
{
	struct alert_matcher ms[MAX_MATCHERS];
	size_t n;
	if (parse_matchers(matchers, ms, &n, err) != 0)
		return -1;
	const struct incident_alerts *a = alerts_of(inc, source);
	int count = 0;
	size_t len = 0;
	const char *last = NULL;
	*buf = '\0';
	for (size_t i = 0; a && i < a->set.n; i++) {
		const struct alert *al = &a->set.alerts[i];
		if (!alert_matches(ms, n, al))
			continue;
		const char *name = alert_label(al, "alertname");
		/* The set is sorted by alertname: each name once. */
		bool seen = name && last && strcmp(name, last) == 0;
		last = name;
		count++;
		if (!seen && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", name ? name : "?");
	}
	free_matchers(ms, n);
	return count;
}

/* ---- the journal ----------------------------------------------------------- */

static void add_params(cJSON *e, const struct silence_job *job)
{
	cJSON *p = cJSON_AddObjectToObject(e, "params");
	cJSON_AddStringToObject(p, "matchers", job->matchers);
	char t[32];
	timefmt_iso(job->starts_ms, t, sizeof t);
	cJSON_AddStringToObject(p, "starts", t);
	timefmt_iso(job->ends_ms, t, sizeof t);
	cJSON_AddStringToObject(p, "ends", t);
	if (job->old_id)
		cJSON_AddStringToObject(p, "silence_id", job->old_id);
	if (job->mutes) {
		cJSON_AddNumberToObject(p, "mutes", job->n_mutes);
		cJSON_AddStringToObject(p, "alerts", job->mutes);
	}
}

static int refuse(struct incident *inc, const struct actor *actor, const char *action, const char *target,
		  const char *reason, const char *why, struct error *err)
{
	incident_journal_refusal(inc, actor, action, target, reason, why);
	return error_set(err, "%s refused: %s", action, why);
}

static void job_free(struct silence_job *job)
{
	free(job->action);
	free(job->source);
	free(job->reason);
	free(job->matchers);
	free(job->old_id);
	free(job->mutes);
	actor_free(&job->actor);
	free(job);
}

static void job_remove(struct incident *inc, struct silence_job *job)
{
	for (size_t i = 0; i < inc->n_silence_jobs; i++)
		if (inc->silence_jobs[i] == job)
			inc->silence_jobs[i] = inc->silence_jobs[--inc->n_silence_jobs];
	job_free(job);
}

static void on_done(void *arg, const char *id, const char *error)
{
	struct silence_job *job = arg;
	struct incident *inc = job->inc;
	const char *done = strcmp(job->action, "silence") == 0 ? "created"
			   : strcmp(job->action, "silence_extend") == 0 ? "extended"
									: "expired";
	cJSON *e = incident_journal_entry(inc, &job->actor, job->action, job->source, job->reason);
	cJSON_AddNumberToObject(e, "intent", (double)job->intent_seq);
	add_params(e, job);
	cJSON_AddStringToObject(e, "outcome", error ? "failed" : done);
	if (id)
		cJSON_AddStringToObject(e, "silence_id", id);
	if (error)
		cJSON_AddStringToObject(e, "detail", error);
	incident_record(inc, e);
	if (error)
		incident_set_event(&inc->last_action, inc->now, true, "%s failed: %s", job->action, error);
	else if (job->mutes)
		incident_set_event(&inc->last_action, inc->now, false, "silence %s %s by %s, muting %d (%s): %s",
				   id ? id : "", done, actor_person(&job->actor), job->n_mutes,
				   job->n_mutes ? job->mutes : "none firing", job->reason);
	else
		incident_set_event(&inc->last_action, inc->now, false, "silence %s %s by %s: %s", id ? id : "", done,
				   actor_person(&job->actor), job->reason);
	job_remove(inc, job);
}

/* Journals the intent, then sends. */
static int send(struct incident *inc, struct silence_job *job, const struct alert_matcher *ms, size_t n,
		struct error *err)
{
	cJSON *e = incident_journal_entry(inc, &job->actor, job->action, job->source, job->reason);
	add_params(e, job);
	cJSON_AddStringToObject(e, "outcome", "intent");
	struct error jerr;
	int jrc = journal_append(&inc->journal, e, &jerr);
	job->intent_seq = jsonmsg_uint(e, "seq", UINT64_MAX);
	cJSON_Delete(e);
	if (jrc != 0) {
		job_free(job);
		return error_set(err, "%s not started: %s", job->action, jerr.msg);
	}
	inc->silence_jobs = xrealloc(inc->silence_jobs, (inc->n_silence_jobs + 1) * sizeof *inc->silence_jobs);
	inc->silence_jobs[inc->n_silence_jobs++] = job;
	if (strcmp(job->action, "silence_expire") == 0) {
		inc->silencer->expire(inc->silencer, job->source, job->old_id, on_done, job);
		return 0;
	}
	struct am_silence body = { .id = job->old_id, .matchers = ms, .n_matchers = n, .starts_ms = job->starts_ms,
				   .ends_ms = job->ends_ms, .created_by = actor_person(&job->actor),
				   .comment = job->reason };
	inc->silencer->put(inc->silencer, job->source, &body, on_done, job);
	return 0;
}

/* ---- the actions ----------------------------------------------------------- */

/* What every silence action checks first; the target is the source. */
static int check(struct incident *inc, const struct actor *actor, const char *action, const char *source,
		 const char *reason, struct error *err)
{
	const char *target = source ? source : "alertmanager";
	if (incident_may_act(inc, actor, action, target, reason, err) != 0)
		return -1;
	if (!reason || !*reason)
		return refuse(inc, actor, action, target, reason, "a reason is required", err);
	if (!inc->silencer || !alerts_of(inc, source))
		return refuse(inc, actor, action, target, reason,
			      source ? "no such alertmanager source" : "no alertmanager source is configured", err);
	return 0;
}

static struct silence_job *job_new(struct incident *inc, const char *action, const char *source,
				   const char *reason, const struct actor *actor)
{
	struct silence_job *job = xcalloc(1, sizeof *job);
	job->inc = inc;
	job->action = xstrdup(action);
	job->source = xstrdup(source);
	job->reason = xstrdup(reason);
	actor_copy(&job->actor, actor);
	return job;
}

int incident_silence_create(struct incident *inc, const char *source, const char *matchers, int64_t for_ms,
			    const char *reason, const struct actor *actor, struct error *err)
{
	if (check(inc, actor, "silence", source, reason, err) != 0)
		return -1;
	const char *src = alerts_of(inc, source)->source;
	struct alert_matcher ms[MAX_MATCHERS];
	size_t n;
	struct error merr;
	if (parse_matchers(matchers, ms, &n, &merr) != 0)
		return refuse(inc, actor, "silence", src, reason, merr.msg, err);
	if (for_ms <= 0) {
		free_matchers(ms, n);
		return refuse(inc, actor, "silence", src, reason, "a silence needs a duration, such as 2h", err);
	}
	struct silence_job *job = job_new(inc, "silence", src, reason, actor);
	job->matchers = xstrdup(matchers);
	job->starts_ms = inc->now;
	job->ends_ms = inc->now + for_ms;
	char names[512];
	job->n_mutes = incident_silence_preview(inc, src, matchers, names, sizeof names, &merr);
	job->mutes = xstrdup(names);
	int rc = send(inc, job, ms, n, err);
	free_matchers(ms, n);
	return rc;
}

static struct incident_silence *find(struct incident *inc, const char *id)
{
	for (size_t i = 0; i < inc->n_silences; i++)
		if (strcmp(inc->silences[i].id, id) == 0)
			return &inc->silences[i];
	return NULL;
}

/* extend (for_ms > 0) or expire a silence made during the incident. */
static int change(struct incident *inc, const char *action, const char *id, int64_t for_ms, const char *reason,
		  const struct actor *actor, struct error *err)
{
	struct incident_silence *s = find(inc, id);
	if (check(inc, actor, action, s ? s->source : NULL, reason, err) != 0)
		return -1;
	if (!s || s->expired)
		return refuse(inc, actor, action, s ? s->source : "alertmanager", reason,
			      s ? "that silence is already expired" : "no silence with that id was made in this incident",
			      err);
	struct alert_matcher ms[MAX_MATCHERS];
	size_t n;
	if (parse_matchers(s->matchers, ms, &n, err) != 0)
		return -1;
	struct silence_job *job = job_new(inc, action, s->source, reason, actor);
	job->matchers = xstrdup(s->matchers);
	job->old_id = xstrdup(id);
	job->starts_ms = s->starts_ms;
	job->ends_ms = for_ms > 0 ? (s->ends_ms > inc->now ? s->ends_ms : inc->now) + for_ms : inc->now;
	int rc = send(inc, job, ms, n, err);
	free_matchers(ms, n);
	return rc;
}

int incident_silence_extend(struct incident *inc, const char *id, int64_t for_ms, const char *reason,
			    const struct actor *actor, struct error *err)
{
	if (for_ms <= 0)
		return error_usage(err, "silence extend ID DURATION REASON: a duration such as 1h");
	return change(inc, "silence_extend", id, for_ms, reason, actor, err);
}

int incident_silence_expire(struct incident *inc, const char *id, const char *reason, const struct actor *actor,
			    struct error *err)
{
	return change(inc, "silence_expire", id, 0, reason, actor, err);
}

bool incident_silences_busy(const struct incident *inc)
{
	return inc->n_silence_jobs > 0;
}

/* ---- replay ---------------------------------------------------------------- */

void absorb_silence(struct incident *inc, const cJSON *e, int64_t at)
{
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome");
	const char *id = jsonmsg_str(e, "silence_id");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "params");
	if (!action || !outcome || !id || strncmp(action, "silence", 7) != 0)
		return;
	int64_t starts = at, ends = at;
	const char *s = jsonmsg_str(p, "starts"), *t = jsonmsg_str(p, "ends"), *old = jsonmsg_str(p, "silence_id");
	if (s)
		timefmt_parse_iso(s, &starts);
	if (t)
		timefmt_parse_iso(t, &ends);
	struct incident_silence *was = old ? find(inc, old) : NULL;
	if (strcmp(outcome, "expired") == 0 && was) {
		was->expired = true;
		was->ends_ms = at;
	} else if (strcmp(outcome, "extended") == 0 && was) {
		/* Alertmanager may give an extended silence a new id. */
		free(was->id);
		was->id = xstrdup(id);
		was->ends_ms = ends;
		was->warned = false;
	} else if (strcmp(outcome, "created") == 0) {
		const char *m = jsonmsg_str(p, "matchers"), *src = jsonmsg_str(e, "target");
		inc->silences = xrealloc(inc->silences, (inc->n_silences + 1) * sizeof *inc->silences);
		inc->silences[inc->n_silences++] = (struct incident_silence){
			.id = xstrdup(id), .source = xstrdup(src ? src : "?"), .by = xstrdup(entry_person(e)),
			.reason = xstrdup(jsonmsg_str(e, "reason") ? jsonmsg_str(e, "reason") : ""),
			.matchers = xstrdup(m ? m : ""), .starts_ms = starts, .ends_ms = ends,
		};
	}
}

static void filter_clear(struct incident *inc);

void incident_silences_free(struct incident *inc)
{
	for (size_t i = 0; i < inc->n_silences; i++) {
		struct incident_silence *s = &inc->silences[i];
		free(s->id);
		free(s->source);
		free(s->by);
		free(s->reason);
		free(s->matchers);
	}
	free(inc->silences);
	for (size_t i = 0; i < inc->n_silence_jobs; i++)
		job_free(inc->silence_jobs[i]);
	free(inc->silence_jobs);
	filter_clear(inc);
}

const struct incident_silence *incident_silence_find(const struct incident *inc, const char *id)
{
	return find((struct incident *)inc, id);
}

/* The first alert a silence mutes, or NULL. */
static const struct alert *muted_by(const struct incident *inc, const char *id)
{
	for (size_t i = 0; i < inc->n_alerts; i++)
		for (size_t k = 0; k < inc->alerts[i].set.n; k++) {
			const struct alert *a = &inc->alerts[i].set.alerts[k];
			for (size_t j = 0; j < a->n_silenced_by; j++)
				if (strcmp(a->silenced_by[j], id) == 0)
					return a;
		}
	return NULL;
}

void silences_expiry_check(struct incident *inc)
{
	for (size_t i = 0; i < inc->n_silences; i++) {
		struct incident_silence *s = &inc->silences[i];
		int64_t left = s->ends_ms - inc->now;
		const struct alert *a;
		if (s->expired || s->warned || left <= 0 || left > SILENCE_WARN_MS || !(a = muted_by(inc, s->id)))
			continue;
		char in[16];
		const char *name = alert_label(a, "alertname");
		timefmt_duration(left / 1000 * 1000, in, sizeof in);
		s->warned = true;
		/* What matters first: an 80-column line cuts the id. */
		incident_set_event(&inc->narration, inc->now, true, "%s still fires; its silence ends in %s (%s, %s)",
				   name ? name : "an alert", in, s->by, s->id);
	}
}

static void filter_clear(struct incident *inc)
{
	for (size_t i = 0; i < inc->n_alerts_filter; i++)
		free(inc->alerts_filter[i]);
	free(inc->alerts_filter);
	inc->alerts_filter = NULL;
	inc->n_alerts_filter = 0;
}

int incident_set_alerts_filter(struct incident *inc, const char *matchers, struct error *err)
{
	struct alert_matcher ms[MAX_MATCHERS];
	size_t n = 0;
	if (matchers && parse_matchers(matchers, ms, &n, err) != 0)
		return -1;
	filter_clear(inc);
	inc->alerts_filter = xcalloc(n + 1, sizeof *inc->alerts_filter);
	for (size_t i = 0; i < n; i++)
		inc->alerts_filter[inc->n_alerts_filter++] = alert_matcher_format(&ms[i]);
	free_matchers(ms, n);
	inc->alerts_filter_gen++;
	inc->generation++;
	return 0;
}
