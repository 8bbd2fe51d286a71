/* SLOs discovered from a Prometheus source's recording rules: Sloth's and
 * Pyrra's (core/readers/slo_rules.h). Every discover_every the source is
 * asked which there are (a few instant queries per kind, and Pyrra's
 * alerting rules); once every answer is in, SLOs new to the console join
 * the incident, changed ones are updated and those no longer found are
 * marked gone. An SLO of a name the config has, or that another source or
 * kind found first, is not added: the config wins.
 *
 * Discovered SLOs are read in batches (live_group.c): per source, kind
 * and period, one query per window gives every member's error ratio, as
 * the rules record it (one series per SLO, told apart by sloth_id or
 * slo). A window an SLO's rules lack is never asked for; the SLO says it
 * lacks it. A discovery that fails keeps what the last one found. */
#include "live.h"
#include "live_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "xalloc.h"

static const unsigned kind_bit[SLO_RULES_NKINDS] = { DISCOVER_SLOTH, DISCOVER_PYRRA };
static const char *const kind_label[SLO_RULES_NKINDS] = { "sloth_id", "slo" };

/* ---- asking ------------------------------------------------------------ */

static void finished(struct live *l, size_t si);

static void start(struct live *l, size_t si, int64_t now)
{
	struct live_discover *d = &l->disc[si];
	struct live_source *src = &l->sources[si];
	slo_rules_free(&d->found);
	free(d->alerts);
	d->alerts = NULL;
	d->alerts_len = 0;
	memset(d->kind_failed, 0, sizeof d->kind_failed);
	*d->error = '\0';
	d->answered = false;
	d->next_ms = now + src->cfg->discover_every_ms;
	d->out = 1; /* held until every request is out: one may fail at once */
	for (int kind = 0; kind < SLO_RULES_NKINDS; kind++) {
		if (!(src->cfg->discover & kind_bit[kind]))
			continue;
		const char *const *queries;
		size_t n = slo_rules_queries(kind, &queries);
		for (size_t q = 0; q < n; q++) {
			d->out++;
			live_send_query(src, live_req_new(l, REQ_DISCOVER, si, kind * DISCOVER_QUERIES + (int)q, now, now),
					queries[q], 0);
		}
	}
	if (src->cfg->discover & DISCOVER_PYRRA) {
		char *url = prom_alert_rules_url(src->cfg->url);
		d->out++;
		live_send_get(src, live_req_new(l, REQ_DISCOVER, si, DISCOVER_ALERTS, now, now), url);
		free(url);
	}
	if (--d->out == 0)
		finished(l, si);
}

void live_discover_response(struct live *l, struct live_req *r, const struct http_response *resp)
{
	struct live_discover *d = &l->disc[r->i];
	const struct live_source *src = &l->sources[r->i];
	if (r->sub == DISCOVER_ALERTS) {
		/* Read once the burn rates are in, which name the SLOs. Without
		 * it (an older API, a proxy that hides rules), Pyrra SLOs with
		 * generic rules are still found; the others say why not. */
		if (resp->status == 200 && resp->body) {
			d->alerts = xmalloc(resp->len + 1);
			memcpy(d->alerts, resp->body, resp->len);
			d->alerts[resp->len] = '\0';
			d->alerts_len = resp->len;
		}
	} else {
		int kind = r->sub / DISCOVER_QUERIES;
		size_t q = (size_t)(r->sub % DISCOVER_QUERIES);
		struct prom_result pr;
		struct error err;
		const char *why = live_prom_result(resp, &pr, &err);
		if (why) {
			if (!d->kind_failed[kind] && !*d->error)
				live_set_error(d->error, sizeof d->error, src->cfg->name, "finding %s SLOs: %s",
					       slo_rules_kind_name[kind], why);
			d->kind_failed[kind] = true;
		} else {
			slo_rules_take(&d->found, (enum slo_rules_kind)kind, q, &pr);
			prom_result_free(&pr);
		}
	}
	if (--d->out == 0)
		finished(l, r->i);
}

/* ---- applying ------------------------------------------------------------ */

static struct live_found *find_found(const struct live *l, size_t si, enum slo_rules_kind kind, const char *name)
{
	for (size_t i = 0; i < l->n_found; i++) {
		struct live_found *f = l->found[i];
		if (f->kind == kind && l->slos[f->slo].src == &l->sources[si] && strcmp(f->cfg.name, name) == 0)
			return f;
	}
	return NULL;
}

/* Why an SLO found by source si cannot join under its name, or NULL. */
static const char *conflict(const struct live *l, size_t si, const struct slo_rules_slo *s, char *buf, size_t size)
{
	for (size_t i = 0; i < l->cfg->n_slos; i++)
		if (strcmp(l->cfg->slos[i].name, s->name) == 0)
			return "the config has an SLO of this name, and the config wins";
	for (size_t i = 0; i < l->n_found; i++) {
		const struct live_found *f = l->found[i];
		const struct live_source *src = l->slos[f->slo].src;
		if (f->gone || strcmp(f->cfg.name, s->name) != 0 || (f->kind == s->kind && src == &l->sources[si]))
			continue;
		snprintf(buf, size, "source %s found a %s SLO of this name first", src->cfg->name,
			 slo_rules_kind_name[f->kind]);
		return buf;
	}
	return NULL;
}

static void set_rules(struct live_found *f, const struct slo_rules_slo *s)
{
	for (int k = 0; k <= BURN_NWINDOWS; k++) {
		free(f->metric[k]);
		f->metric[k] = s->metric[k] ? xstrdup(s->metric[k]) : NULL;
	}
	f->lacks = s->lacks;
	f->gone = false;
}

static void add(struct live *l, size_t si, const struct slo_rules_slo *s)
{
	struct live_source *src = &l->sources[si];
	struct live_found *f = xcalloc(1, sizeof *f);
	f->cfg = (struct config_slo){ .name = xstrdup(s->name), .source = xstrdup(src->cfg->name),
				      .objective = s->objective, .period_ms = s->period_ms };
	f->kind = s->kind;
	set_rules(f, s);
	struct slo_spec spec = { .name = xstrdup(s->name), .objective = s->objective, .period_ms = s->period_ms,
				 .ratio_only = true };
	struct data_state data = { .live = true, .refresh_ms = src->cfg->refresh_ms };
	struct incident *inc = l->inc;
	size_t idx = incident_add_slo(inc, &spec, NULL, NULL, &data);
	inc->slos[idx].service = s->service ? xstrdup(s->service) : NULL;
	inc->slos[idx].origin = slo_rules_kind_name[s->kind];
	inc->slos[idx].lacks = s->lacks;
	l->slos = xrealloc(l->slos, (l->n_slos + 1) * sizeof *l->slos);
	l->slos[l->n_slos] = (struct live_slo){ .idx = idx, .cfg = &f->cfg, .src = src, .found = f };
	inc->slos[idx].data.refresh_ms = live_window_every(l, &l->slos[l->n_slos], 0);
	f->slo = l->n_slos++;
	l->found = xrealloc(l->found, (l->n_found + 1) * sizeof *l->found);
	l->found[l->n_found++] = f;
}

/* The rules changed the SLO: its objective, period or windows. */
static void update(struct live *l, struct live_found *f, const struct slo_rules_slo *s)
{
	struct live_slo *ls = &l->slos[f->slo];
	struct incident_slo *is = &l->inc->slos[ls->idx];
	if (is->spec.period_ms != s->period_ms) {
		/* The period's reading was over the old period. */
		ls->w[BURN_NWINDOWS] = (struct burn_counts){ 0 };
		ls->due_ms[BURN_NWINDOWS] = 0;
	}
	f->cfg.objective = is->spec.objective = s->objective;
	f->cfg.period_ms = is->spec.period_ms = s->period_ms;
	set_rules(f, s);
	is->lacks = s->lacks;
	if (!is->service && s->service)
		is->service = xstrdup(s->service);
}

static void apply_kind(struct live *l, size_t si, enum slo_rules_kind kind)
{
	struct live_discover *d = &l->disc[si];
	char buf[256];
	for (size_t i = 0; i < d->found.n; i++) {
		struct slo_rules_slo *s = &d->found.slos[i];
		const char *why = s->kind != kind || s->skip ? NULL : conflict(l, si, s, buf, sizeof buf);
		if (why)
			s->skip = xstrdup(why);
		if (s->kind != kind || s->skip)
			continue;
		struct live_found *f = find_found(l, si, kind, s->name);
		if (f)
			update(l, f, s);
		else
			add(l, si, s);
	}
	/* Those not found again (or found but not shown now) are gone. */
	for (size_t i = 0; i < l->n_found; i++) {
		struct live_found *f = l->found[i];
		struct live_slo *ls = &l->slos[f->slo];
		if (f->kind != kind || ls->src != &l->sources[si] || f->gone)
			continue;
		const struct slo_rules_slo *s = slo_rules_find(&d->found, kind, f->cfg.name);
		if (s && !s->skip)
			continue;
		f->gone = true;
		live_set_error(buf, sizeof buf, ls->src->cfg->name, "%s SLO %s: %s", slo_rules_kind_name[kind],
			       f->cfg.name, s ? s->skip : "no longer in its recording rules");
		live_report(l->inc, &l->inc->slos[ls->idx].data, buf);
	}
}

/* Each window's query for a batch of discovered SLOs: the metric its
 * members record it in, all of them (names are [a-zA-Z_:][a-zA-Z0-9_:]*,
 * nothing to escape in a regex), with the label that tells them apart. */
static char *ratio_query(const struct live *l, const struct live_group *g, int k)
{
	const struct live_found *first = l->slos[g->slos[0]].found;
	const char **names = xcalloc(g->n_slos + 1, sizeof *names);
	size_t n = 0;
	for (size_t j = 0; j < g->n_slos; j++) {
		const char *m = l->slos[g->slos[j]].found->metric[k];
		size_t i = 0;
		while (m && i < n && strcmp(names[i], m) != 0)
			i++;
		if (m && i == n)
			names[n++] = m;
	}
	char *q = NULL;
	const char *label = kind_label[first->kind];
	if (n == 1) {
		q = xasprintf("%s{%s!=\"\"}", names[0], label);
	} else if (n > 1) {
		size_t len = 0;
		for (size_t i = 0; i < n; i++)
			len += strlen(names[i]) + 1;
		char *alt = xmalloc(len + 1), *p = alt;
		for (size_t i = 0; i < n; i++)
			p += sprintf(p, "%s%s", i ? "|" : "", names[i]);
		q = xasprintf("{__name__=~\"%s\", %s!=\"\"}", alt, label);
		free(alt);
	}
	free(names);
	/* Pyrra records the period's availability, not its error ratio. */
	if (q && first->kind == SLO_RULES_PYRRA && k == BURN_NWINDOWS) {
		char *c = xasprintf("1 - %s", q);
		free(q);
		q = c;
	}
	return q;
}

static bool same_batch(const struct live *l, const struct live_found *a, const struct live_found *b)
{
	const char *pa = a->metric[BURN_NWINDOWS], *pb = b->metric[BURN_NWINDOWS];
	return a->kind == b->kind && l->slos[a->slo].src == l->slos[b->slo].src && a->cfg.period_ms == b->cfg.period_ms &&
	       (pa && pb ? strcmp(pa, pb) == 0 : pa == pb);
}

/* The discovered SLOs' batches, planned again from scratch. */
static void plan(struct live *l)
{
	live_groups_truncate(l, l->n_config_groups);
	bool *placed = xcalloc(l->n_found + 1, sizeof *placed);
	for (size_t a = 0; a < l->n_found; a++) {
		if (placed[a] || l->found[a]->gone)
			continue;
		struct live_group *g = live_group_new(l, l->slos[l->found[a]->slo].src);
		g->label = xstrdup(kind_label[l->found[a]->kind]);
		for (size_t b = a; b < l->n_found; b++) {
			if (placed[b] || l->found[b]->gone || !same_batch(l, l->found[a], l->found[b]))
				continue;
			placed[b] = true;
			live_group_add(l, g, l->found[b]->slo, l->found[b]->cfg.name);
		}
		live_group_sort(g);
		for (int k = 0; k <= BURN_NWINDOWS; k++)
			g->ratio_query[k] = ratio_query(l, g, k);
	}
	free(placed);
}

static bool groups_busy(const struct live *l)
{
	for (size_t g = l->n_config_groups; g < l->n_groups; g++)
		if (l->groups[g].pending || l->groups[g].history_pending)
			return true;
	for (size_t i = 0; i < l->n_found; i++)
		if (l->slos[l->found[i]->slo].pending)
			return true;
	return false;
}

/* A discovery's answers, applied when no batch of discovered SLOs is
 * out (their answers are matched to members by position). */
static void apply(struct live *l, size_t si)
{
	struct live_discover *d = &l->disc[si];
	for (int kind = 0; kind < SLO_RULES_NKINDS; kind++)
		if ((l->sources[si].cfg->discover & kind_bit[kind]) && !d->kind_failed[kind])
			apply_kind(l, si, (enum slo_rules_kind)kind);
	d->answered = false;
	d->applied = true;
	plan(l);
	l->inc->generation++;
	for (size_t g = l->n_config_groups; g < l->n_groups; g++)
		live_group_start(l, g, l->inc->now);
}

static void finished(struct live *l, size_t si)
{
	struct live_discover *d = &l->disc[si];
	struct error err;
	/* An answer that is not Prometheus's rules completes nothing: the
	 * SLOs it would have completed say what they lack. */
	if (d->alerts)
		(void)slo_rules_take_alerts(&d->found, d->alerts, d->alerts_len, &err);
	free(d->alerts);
	d->alerts = NULL;
	slo_rules_finish(&d->found);
	d->answered = true;
	if (*d->error && strcmp(d->error, d->last_error) != 0) {
		incident_set_event(&l->inc->narration, l->inc->now, true, "%s", d->error);
		l->inc->generation++;
	}
	snprintf(d->last_error, sizeof d->last_error, "%s", d->error);
	if (!groups_busy(l))
		apply(l, si);
}

/* ---- the feed's side ------------------------------------------------------- */

void live_discover_step(struct live *l, int64_t now)
{
	for (size_t si = 0; si < l->n_sources; si++) {
		struct live_discover *d = &l->disc[si];
		const char *why;
		if (!l->sources[si].cfg->discover || l->sources[si].cfg->type != SOURCE_PROMETHEUS)
			continue;
		if (d->answered && !groups_busy(l))
			apply(l, si);
		if (d->out || d->answered || now < d->next_ms || !live_source_ready(l, si, &why))
			continue;
		start(l, si, now);
	}
}

bool live_discover_busy(const struct live *l)
{
	for (size_t si = 0; si < l->n_sources; si++)
		if (l->disc[si].out || l->disc[si].answered)
			return true;
	return false;
}

const char *live_discover_error(const struct live *l)
{
	for (size_t si = 0; si < l->n_sources; si++)
		if (*l->disc[si].error)
			return l->disc[si].error;
	return NULL;
}

void live_discover_free(struct live *l)
{
	for (size_t si = 0; l->disc && si < l->n_sources; si++) {
		slo_rules_free(&l->disc[si].found);
		free(l->disc[si].alerts);
	}
	free(l->disc);
	for (size_t i = 0; i < l->n_found; i++) {
		struct live_found *f = l->found[i];
		free(f->cfg.name);
		free(f->cfg.source);
		for (int k = 0; k <= BURN_NWINDOWS; k++)
			free(f->metric[k]);
		free(f);
	}
	free(l->found);
}
