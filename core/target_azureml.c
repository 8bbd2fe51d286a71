/* Placeholder until the Azure ML target lands. */
#include "target.h"

struct target *target_azureml_new(const struct config_target *cfg, const char *endpoint, struct loop *loop,
				  const char *config_path, struct error *err)
{
	(void)cfg;
	(void)loop;
	(void)config_path;
	error_set(err, "%s: the azureml target is not built yet", endpoint);
	return NULL;
}
