/* The drill's alerts and simulated silences (core/feeds/drill_alerts.h).
 * At each moment an alert starts or stops, or a silence begins or ends,
 * the incident gets the set that fires then, with the alerts a silence
 * matches marked suppressed by it, as Alertmanager would. */
#include "drill_alerts.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "xalloc.h"

struct sim_silence {
	char *id;
	struct alert_matcher *matchers;
	size_t n_matchers;
	int64_t starts_ms, ends_ms;
};

struct drill_alerts {
	struct feed base;
	struct silencer silencer;
	struct incident *inc;
	size_t idx; /* in inc->alerts */
	struct scenario_alert *alerts; /* copies: the scenario may go first */
	size_t n;
	struct sim_silence *silences;
	size_t n_silences, made;
	int64_t shown_at; /* the moment the set was last made for */
	unsigned filter_gen; /* of inc->alerts_filter, as last shown */
};

/* Every moment the firing set may change. */
static int64_t next_change(const struct drill_alerts *d, int64_t after)
{
	int64_t due = INT64_MAX;
	for (size_t i = 0; i < d->n; i++) {
		int64_t t[2] = { d->alerts[i].at_ms, d->alerts[i].until_ms };
		for (int k = 0; k < 2; k++)
			if (t[k] > after && t[k] < due)
				due = t[k];
	}
	/* A silence's end, and the moment its end is near enough to say. */
	for (size_t i = 0; i < d->n_silences; i++) {
		int64_t t[2] = { d->silences[i].ends_ms, d->silences[i].ends_ms - SILENCE_WARN_MS };
		for (int k = 0; k < 2; k++)
			if (t[k] > after && t[k] < due)
				due = t[k];
	}
	return due;
}

static void mute(const struct drill_alerts *d, struct alert *a, int64_t t)
{
	for (size_t i = 0; i < d->n_silences; i++) {
		const struct sim_silence *s = &d->silences[i];
		if (s->starts_ms > t || s->ends_ms <= t || !alert_matches(s->matchers, s->n_matchers, a))
			continue;
		a->state = ALERT_SUPPRESSED;
		a->silenced_by = xrealloc(a->silenced_by, (a->n_silenced_by + 1) * sizeof *a->silenced_by);
		a->silenced_by[a->n_silenced_by++] = xstrdup(s->id);
	}
}

/* The console's :alerts filter, as Alertmanager would apply it. */
static bool filtered(const struct incident *inc, const struct scenario_alert *sa)
{
	struct alert a = { .names = sa->names, .values = sa->values, .n_labels = sa->n_labels };
	bool hit = true;
	for (size_t i = 0; hit && i < inc->n_alerts_filter; i++) {
		struct alert_matcher m;
		if (alert_matcher_parse(inc->alerts_filter[i], &m, NULL) != 0)
			continue;
		hit = alert_matcher_match(&m, &a);
		alert_matcher_free(&m);
	}
	return !hit;
}

static void show(struct drill_alerts *d, int64_t t)
{
	struct alert_set set = { .alerts = xcalloc(d->n + 1, sizeof *set.alerts) };
	d->filter_gen = d->inc->alerts_filter_gen;
	for (size_t i = 0; i < d->n; i++) {
		const struct scenario_alert *sa = &d->alerts[i];
		if (sa->at_ms > t || (sa->until_ms > sa->at_ms && sa->until_ms <= t) || filtered(d->inc, sa))
			continue;
		struct alert *a = &set.alerts[set.n++];
		a->names = xcalloc(sa->n_labels + 1, sizeof *a->names);
		a->values = xcalloc(sa->n_labels + 1, sizeof *a->values);
		for (size_t k = 0; k < sa->n_labels; k++) {
			a->names[k] = xstrdup(sa->names[k]);
			a->values[k] = xstrdup(sa->values[k]);
		}
		a->n_labels = sa->n_labels;
		a->summary = sa->summary ? xstrdup(sa->summary) : NULL;
		a->starts_ms = sa->at_ms;
		mute(d, a, t);
	}
	d->shown_at = t;
	incident_set_alerts(d->inc, d->idx, &set, t);
}

static int64_t da_next_due(const struct feed *f)
{
	const struct drill_alerts *d = (const struct drill_alerts *)f;
	if (d->filter_gen != d->inc->alerts_filter_gen)
		return d->inc->now;
	return next_change(d, d->shown_at);
}

static void da_run_due(struct feed *f, int64_t t)
{
	struct drill_alerts *d = (struct drill_alerts *)f;
	if (next_change(d, d->shown_at) <= t || d->filter_gen != d->inc->alerts_filter_gen)
		show(d, t);
}

static void da_free(struct feed *f)
{
	struct drill_alerts *d = (struct drill_alerts *)f;
	if (d->inc->silencer == &d->silencer)
		d->inc->silencer = NULL;
	for (size_t i = 0; i < d->n; i++) {
		for (size_t k = 0; k < d->alerts[i].n_labels; k++) {
			free(d->alerts[i].names[k]);
			free(d->alerts[i].values[k]);
		}
		free(d->alerts[i].names);
		free(d->alerts[i].values);
		free(d->alerts[i].summary);
	}
	free(d->alerts);
	for (size_t i = 0; i < d->n_silences; i++) {
		for (size_t k = 0; k < d->silences[i].n_matchers; k++)
			alert_matcher_free(&d->silences[i].matchers[k]);
		free(d->silences[i].matchers);
		free(d->silences[i].id);
	}
	free(d->silences);
	free(d);
}

static const struct feed_ops drill_alerts_ops = {
	.name = "drill alerts",
	.next_due = da_next_due,
	.run_due = da_run_due,
	.free = da_free,
};

/* ---- simulated silences ------------------------------------------------ */

static struct drill_alerts *of(struct silencer *s)
{
	return (struct drill_alerts *)((char *)s - offsetof(struct drill_alerts, silencer));
}

static struct sim_silence *find(struct drill_alerts *d, const char *id)
{
	for (size_t i = 0; id && i < d->n_silences; i++)
		if (strcmp(d->silences[i].id, id) == 0)
			return &d->silences[i];
	return NULL;
}

static void sim_put(struct silencer *sl, const char *source, const struct am_silence *body, silence_done_fn done,
		    void *arg)
{
	(void)source;
	struct drill_alerts *d = of(sl);
	struct sim_silence *s = find(d, body->id);
	if (!s) {
		d->silences = xrealloc(d->silences, (d->n_silences + 1) * sizeof *d->silences);
		s = &d->silences[d->n_silences++];
		*s = (struct sim_silence){ .id = xasprintf("drill-silence-%zu", ++d->made),
					   .matchers = xcalloc(body->n_matchers + 1, sizeof *s->matchers),
					   .n_matchers = body->n_matchers };
		for (size_t i = 0; i < body->n_matchers; i++) {
			const struct alert_matcher *m = &body->matchers[i];
			s->matchers[i] = (struct alert_matcher){ xstrdup(m->name), xstrdup(m->value), m->regex, m->equal };
		}
	}
	s->starts_ms = body->starts_ms;
	s->ends_ms = body->ends_ms;
	show(d, d->inc->now);
	done(arg, s->id, NULL);
}

static void sim_expire(struct silencer *sl, const char *source, const char *id, silence_done_fn done, void *arg)
{
	(void)source;
	struct drill_alerts *d = of(sl);
	struct sim_silence *s = find(d, id);
	if (!s) {
		done(arg, NULL, "(drill) no such silence");
		return;
	}
	s->ends_ms = d->inc->now;
	show(d, d->inc->now);
	done(arg, id, NULL);
}

void drill_alerts_attach(struct incident *inc, const struct scenario *sc)
{
	if (!sc->n_alerts)
		return;
	struct drill_alerts *d = xcalloc(1, sizeof *d);
	d->base.ops = &drill_alerts_ops;
	d->silencer = (struct silencer){ .put = sim_put, .expire = sim_expire };
	d->inc = inc;
	d->alerts = xcalloc(sc->n_alerts, sizeof *d->alerts);
	d->n = sc->n_alerts;
	for (size_t i = 0; i < d->n; i++) {
		const struct scenario_alert *a = &sc->alerts[i];
		struct scenario_alert *c = &d->alerts[i];
		*c = (struct scenario_alert){ .names = xcalloc(a->n_labels + 1, sizeof *c->names),
					      .values = xcalloc(a->n_labels + 1, sizeof *c->values),
					      .n_labels = a->n_labels, .at_ms = a->at_ms, .until_ms = a->until_ms,
					      .summary = a->summary ? xstrdup(a->summary) : NULL };
		for (size_t k = 0; k < a->n_labels; k++) {
			c->names[k] = xstrdup(a->names[k]);
			c->values[k] = xstrdup(a->values[k]);
		}
	}
	struct data_state data = { .live = false };
	d->idx = incident_add_alerts(inc, "drill", &data);
	d->shown_at = INT64_MIN;
	inc->silencer = &d->silencer;
	incident_add_feed(inc, &d->base);
	show(d, inc->now);
}
