#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void deployment_free(struct deployment *d)
{
	free(d->name);
	free(d->state);
	free(d);
}

static void endpoint_free(struct endpoint *ep)
{
	for (size_t i = 0; i < ep->n_deployments; i++)
		deployment_free(ep->deployments[i]);
	free(ep->deployments);
	free(ep->name);
	free(ep->last_known_good);
	free(ep);
}

void model_free(struct model *m)
{
	for (size_t i = 0; i < m->n_endpoints; i++)
		endpoint_free(m->endpoints[i]);
	free(m->endpoints);
	memset(m, 0, sizeof *m);
}

struct endpoint *model_add_endpoint(struct model *m, const char *name)
{
	struct endpoint *ep = xcalloc(1, sizeof *ep);
	ep->name = xstrdup(name);
	xgrow(&m->endpoints, &m->cap_endpoints, m->n_endpoints + 1, sizeof *m->endpoints);
	m->endpoints[m->n_endpoints++] = ep;
	return ep;
}

struct endpoint *model_find_endpoint(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->n_endpoints; i++)
		if (strcmp(m->endpoints[i]->name, name) == 0)
			return m->endpoints[i];
	return NULL;
}

struct deployment *endpoint_add_deployment(struct endpoint *ep, const char *name,
					   const char *state, int64_t created_ms)
{
	struct deployment *d = xcalloc(1, sizeof *d);
	d->name = xstrdup(name);
	d->state = xstrdup(state ? state : "Succeeded");
	d->created_ms = created_ms;
	xgrow(&ep->deployments, &ep->cap_deployments, ep->n_deployments + 1,
	      sizeof *ep->deployments);
	ep->deployments[ep->n_deployments++] = d;
	return d;
}

struct deployment *endpoint_find_deployment(const struct endpoint *ep, const char *name)
{
	for (size_t i = 0; i < ep->n_deployments; i++)
		if (strcmp(ep->deployments[i]->name, name) == 0)
			return ep->deployments[i];
	return NULL;
}

void endpoint_set_state(struct deployment *d, const char *state)
{
	free(d->state);
	d->state = xstrdup(state);
}

void endpoint_apply_split(struct endpoint *ep, const struct traffic_split *split)
{
	for (size_t i = 0; i < ep->n_deployments; i++) {
		struct deployment *d = ep->deployments[i];
		d->traffic = traffic_split_get(split, d->name);
		/* The last known-good is whatever last carried all the traffic
		 * on its own: a canary shift keeps it, a promotion replaces it. */
		if (d->traffic == 100) {
			free(ep->last_known_good);
			ep->last_known_good = xstrdup(d->name);
		}
	}
}

void endpoint_current_split(const struct endpoint *ep, struct traffic_split *out)
{
	traffic_split_clear(out);
	for (size_t i = 0; i < ep->n_deployments; i++)
		traffic_split_set(out, ep->deployments[i]->name, ep->deployments[i]->traffic);
}

const struct deployment *endpoint_canary(const struct endpoint *ep)
{
	const struct deployment *best = NULL;
	for (size_t i = 0; i < ep->n_deployments; i++) {
		const struct deployment *d = ep->deployments[i];
		bool lkg = ep->last_known_good && strcmp(ep->last_known_good, d->name) == 0;
		if (!lkg && d->traffic > 0 && (!best || d->traffic > best->traffic))
			best = d;
	}
	return best;
}

void endpoint_rollback_split(const struct endpoint *ep, const char *to, struct traffic_split *out)
{
	traffic_split_clear(out);
	for (size_t i = 0; i < ep->n_deployments; i++) {
		const char *name = ep->deployments[i]->name;
		traffic_split_set(out, name, strcmp(name, to) == 0 ? 100 : 0);
	}
	/* A deployment cmdr has never seen (its target cannot be read). */
	if (!endpoint_find_deployment(ep, to))
		traffic_split_set(out, to, 100);
}

void traffic_split_init(struct traffic_split *s)
{
	memset(s, 0, sizeof *s);
}

void traffic_split_clear(struct traffic_split *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->entries[i].deployment);
	s->n = 0;
}

void traffic_split_free(struct traffic_split *s)
{
	traffic_split_clear(s);
	free(s->entries);
	memset(s, 0, sizeof *s);
}

void traffic_split_set(struct traffic_split *s, const char *deployment, int percent)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->entries[i].deployment, deployment) == 0) {
			s->entries[i].percent = percent;
			return;
		}
	}
	xgrow(&s->entries, &s->cap, s->n + 1, sizeof *s->entries);
	s->entries[s->n].deployment = xstrdup(deployment);
	s->entries[s->n].percent = percent;
	s->n++;
}

void traffic_split_copy(struct traffic_split *dst, const struct traffic_split *src)
{
	traffic_split_init(dst);
	for (size_t i = 0; i < src->n; i++)
		traffic_split_set(dst, src->entries[i].deployment, src->entries[i].percent);
}

int traffic_split_get(const struct traffic_split *s, const char *deployment)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->entries[i].deployment, deployment) == 0)
			return s->entries[i].percent;
	return 0;
}

int traffic_split_total(const struct traffic_split *s)
{
	int total = 0;
	for (size_t i = 0; i < s->n; i++)
		total += s->entries[i].percent;
	return total;
}

static bool traffic_split_covers(const struct traffic_split *a, const struct traffic_split *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->entries[i].percent != traffic_split_get(b, a->entries[i].deployment))
			return false;
	return true;
}

bool traffic_split_equal(const struct traffic_split *a, const struct traffic_split *b)
{
	return traffic_split_covers(a, b) && traffic_split_covers(b, a);
}

char *traffic_split_format(const struct traffic_split *s)
{
	size_t len = 1;
	for (size_t i = 0; i < s->n; i++)
		len += strlen(s->entries[i].deployment) + 6;
	char *out = xmalloc(len);
	char *p = out;
	*p = '\0';
	for (size_t i = 0; i < s->n; i++) {
		size_t left = len - (size_t)(p - out);
		p += snprintf(p, left, "%s%s=%d", i ? " " : "", s->entries[i].deployment,
			      s->entries[i].percent);
	}
	return out;
}

void target_view_free(struct target_view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->deployments[i].name);
		free(v->deployments[i].state);
	}
	free(v->deployments);
	free(v->state);
	memset(v, 0, sizeof *v);
}

void target_view_split(const struct target_view *v, struct traffic_split *out)
{
	traffic_split_clear(out);
	for (size_t i = 0; i < v->n; i++)
		traffic_split_set(out, v->deployments[i].name, v->deployments[i].traffic);
}
