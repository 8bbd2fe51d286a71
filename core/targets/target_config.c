/* Builds the target an endpoint's config names. */
#include "target.h"

#include "config.h"

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
