/* What every target shares: the view of an endpoint's deployments that a
 * read hands back. The factory that builds targets from the config is
 * target_config.c; the targets themselves are target_*.c. */
#include "target.h"

#include <stdlib.h>
#include <string.h>

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
