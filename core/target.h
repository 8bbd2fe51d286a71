/* Traffic targets: what actually moves traffic between deployments. A
 * target applies a split and reads the split back so that an action can be
 * verified. The drill's simulated target lives in core/target_sim.c;
 * HAProxy, Azure ML and command targets follow the same interface. */
#ifndef CMDR_TARGET_H
#define CMDR_TARGET_H
#include <stdint.h>

#include "error.h"
#include "model.h"

struct target;

struct target_ops {
	const char *name;
	/* Starts the change; success means accepted, not yet verified. */
	int (*apply)(struct target *t, const char *endpoint, const struct traffic_split *split,
		     int64_t now, struct error *err);
	/* The split the target serves now. */
	int (*read)(struct target *t, const char *endpoint, struct traffic_split *out, int64_t now,
		    struct error *err);
	/* When the target next needs advance() (INT64_MAX: never). */
	int64_t (*next_due)(const struct target *t);
	void (*advance)(struct target *t, int64_t now);
	void (*free)(struct target *t);
};

struct target {
	const struct target_ops *ops;
};

enum target_sim_mode { TARGET_SIM_OK, TARGET_SIM_REJECT, TARGET_SIM_IGNORE };

/* A target inside a drill's world: changes land in `world` delay_ms after
 * they are applied. REJECT refuses changes with `message`; IGNORE accepts
 * them and never applies them (a lying target). */
struct target *target_sim_new(struct model *world, int64_t delay_ms);
void target_sim_set_mode(struct target *t, enum target_sim_mode mode, const char *message);

#endif
