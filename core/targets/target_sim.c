#include "target.h"

#include <stdio.h>
#include <stdlib.h>

#include "xalloc.h"

struct sim_change {
	char *endpoint;
	struct traffic_split split;
	int64_t due_ms;
};

struct target_sim {
	struct target base;
	struct model *world;
	int64_t delay_ms;
	enum target_sim_mode mode;
	char *message;
	struct sim_change *pending;
	size_t n_pending, cap_pending;
};

/* The simulated target answers at once: a drill's world needs no waiting,
 * only its own clock (changes land delay_ms after they are accepted). */
static void sim_apply(struct target *t, const char *endpoint, const struct traffic_split *split, int64_t now,
		      target_apply_fn done, void *arg)
{
	struct target_sim *s = (struct target_sim *)t;
	char why[300];
	if (!model_find_endpoint(s->world, endpoint)) {
		snprintf(why, sizeof why, "simulated target: no endpoint %s", endpoint);
		done(arg, why, NULL);
		return;
	}
	if (s->mode == TARGET_SIM_REJECT) {
		done(arg, s->message, NULL);
		return;
	}
	if (s->mode == TARGET_SIM_IGNORE) {
		done(arg, NULL, NULL);
		return;
	}
	xgrow(&s->pending, &s->cap_pending, s->n_pending + 1, sizeof *s->pending);
	struct sim_change *c = &s->pending[s->n_pending++];
	c->endpoint = xstrdup(endpoint);
	traffic_split_init(&c->split);
	for (size_t i = 0; i < split->n; i++)
		traffic_split_set(&c->split, split->entries[i].deployment, split->entries[i].percent);
	c->due_ms = now + s->delay_ms;
	done(arg, NULL, NULL);
}

static void sim_read(struct target *t, const char *endpoint, int64_t now, target_read_fn done, void *arg)
{
	(void)now;
	struct target_sim *s = (struct target_sim *)t;
	const struct endpoint *ep = model_find_endpoint(s->world, endpoint);
	char why[300];
	if (!ep) {
		snprintf(why, sizeof why, "simulated target: no endpoint %s", endpoint);
		done(arg, why, NULL);
		return;
	}
	if (s->mode == TARGET_SIM_REJECT) {
		done(arg, s->message, NULL);
		return;
	}
	struct target_view v = { .deployments = xcalloc(ep->n_deployments + 1, sizeof *v.deployments),
				 .n = ep->n_deployments };
	for (size_t i = 0; i < ep->n_deployments; i++)
		v.deployments[i] = (struct target_deployment){ .name = xstrdup(ep->deployments[i]->name),
							       .traffic = ep->deployments[i]->traffic,
							       .state = xstrdup(ep->deployments[i]->state) };
	done(arg, NULL, &v);
	target_view_free(&v);
}

static int64_t sim_next_due(const struct target *t)
{
	const struct target_sim *s = (const struct target_sim *)t;
	int64_t due = INT64_MAX;
	for (size_t i = 0; i < s->n_pending; i++)
		if (s->pending[i].due_ms < due)
			due = s->pending[i].due_ms;
	return due;
}

static void sim_advance(struct target *t, int64_t now)
{
	struct target_sim *s = (struct target_sim *)t;
	size_t kept = 0;
	for (size_t i = 0; i < s->n_pending; i++) {
		struct sim_change *c = &s->pending[i];
		if (c->due_ms > now) {
			s->pending[kept++] = *c;
			continue;
		}
		struct endpoint *ep = model_find_endpoint(s->world, c->endpoint);
		if (ep)
			endpoint_apply_split(ep, &c->split);
		free(c->endpoint);
		traffic_split_free(&c->split);
	}
	s->n_pending = kept;
}

static void sim_free(struct target *t)
{
	struct target_sim *s = (struct target_sim *)t;
	for (size_t i = 0; i < s->n_pending; i++) {
		free(s->pending[i].endpoint);
		traffic_split_free(&s->pending[i].split);
	}
	free(s->pending);
	free(s->message);
	free(s);
}

static const struct target_ops target_sim_ops = {
	.name = "simulated",
	.apply = sim_apply,
	.read = sim_read,
	.next_due = sim_next_due,
	.advance = sim_advance,
	.free = sim_free,
};

struct target *target_sim_new(struct model *world, int64_t delay_ms)
{
	struct target_sim *s = xcalloc(1, sizeof *s);
	s->base.ops = &target_sim_ops;
	s->world = world;
	s->delay_ms = delay_ms;
	s->message = xstrdup("simulated target: 503 Service Unavailable");
	return &s->base;
}

void target_sim_set_mode(struct target *t, enum target_sim_mode mode, const char *message)
{
	struct target_sim *s = (struct target_sim *)t;
	s->mode = mode;
	if (message) {
		free(s->message);
		s->message = xstrdup(message);
	}
}
