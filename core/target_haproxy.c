/* Placeholder until the HAProxy runtime API target lands. */
#include "target.h"

struct target *target_haproxy_new(const struct config_target *cfg, const char *endpoint, struct loop *loop,
				  struct error *err)
{
	(void)cfg;
	(void)loop;
	error_set(err, "%s: the haproxy target is not built yet", endpoint);
	return NULL;
}
