/* Placeholder until the command target lands. */
#include "target.h"

struct target *target_command_new(const struct config_target *cfg, const char *endpoint, struct loop *loop,
				  struct error *err)
{
	(void)cfg;
	(void)loop;
	error_set(err, "%s: the command target is not built yet", endpoint);
	return NULL;
}
