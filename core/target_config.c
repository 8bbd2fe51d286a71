#include "target.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "xalloc.h"

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

struct target *target_from_config(const struct config_target *cfg, const char *endpoint, struct loop *loop,
				  const char *config_path, struct error *err)
{
	switch (cfg->type) {
	case TARGET_HAPROXY:
		return target_haproxy_new(cfg, endpoint, loop, err);
	case TARGET_AZUREML:
		return target_azureml_new(cfg, endpoint, loop, config_path, err);
	case TARGET_COMMAND:
		return target_command_new(cfg, endpoint, loop, err);
	}
	error_set(err, "%s: unknown target type", endpoint);
	return NULL;
}
