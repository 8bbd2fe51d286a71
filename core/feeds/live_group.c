/* SLOs read together: a group's round reads the windows due for any of
 * its members, for all of them. Each SLO is a group of one for now, asking
 * its own queries. */
#include "live.h"
#include "live_impl.h"

#include <stdlib.h>

#include "xalloc.h"

void live_groups_plan(struct live *l)
{
	l->groups = xcalloc(l->n_slos + 1, sizeof *l->groups);
	for (size_t i = 0; i < l->n_slos; i++) {
		struct live_group *g = &l->groups[l->n_groups++];
		*g = (struct live_group){ .src = l->slos[i].src, .slos = xcalloc(1, sizeof *g->slos), .n_slos = 1 };
		g->slos[0] = i;
		l->slos[i].group = (size_t)(g - l->groups);
	}
}

void live_groups_free(struct live *l)
{
	for (size_t i = 0; i < l->n_groups; i++)
		free(l->groups[i].slos);
	free(l->groups);
}

/* ---- rounds -------------------------------------------------------------- */

static bool busy(const struct live *l, const struct live_group *g)
{
	for (size_t j = 0; j < g->n_slos; j++)
		if (l->slos[g->slos[j]].pending)
			return true;
	return false;
}

/* A round for the group: the windows due for any member, for all of them. */
void live_group_start(struct live *l, size_t gi, int64_t now)
{
	struct live_group *g = &l->groups[gi];
	if (busy(l, g))
		return; /* the last round is still out: no pile-up behind a hung server */
	bool due[BURN_NWINDOWS + 1] = { false }, any = false;
	for (size_t j = 0; j < g->n_slos; j++)
		for (int k = 0; k <= BURN_NWINDOWS; k++)
			due[k] |= live_window_due(l, &l->slos[g->slos[j]], k, now);
	for (int k = 0; k <= BURN_NWINDOWS; k++)
		any |= due[k];
	if (!any)
		return;
	for (size_t j = 0; j < g->n_slos; j++)
		live_slo_begin(l, g->slos[j], now, due);
	for (size_t j = 0; j < g->n_slos; j++)
		live_slo_send(l, g->slos[j]);
}
