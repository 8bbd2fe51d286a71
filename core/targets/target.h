/* Traffic targets: what actually moves traffic between deployments. A
 * target applies a split and reads back what it serves, so that an action
 * can be verified. Both run without blocking: they start work on the
 * incident's loop (core/io/loop.h) and report through a callback, called
 * exactly once, possibly before the call returns (the simulated target
 * does). Freeing a target abandons its work without calling back.
 *
 * Targets: the drill's simulated one (core/targets/target_sim.c), HAProxy's runtime
 * API (core/targets/target_haproxy.c), Azure ML managed online endpoints
 * (core/targets/target_azureml.c) and commands (core/targets/target_command.c). */
#ifndef CMDR_TARGET_H
#define CMDR_TARGET_H
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "model.h"

struct loop;
struct config_target;

/* error: NULL on success, else one line saying what failed (sanitised,
 * secrets redacted); detail: more for the journal (a command's output,
 * truncated and redacted), or NULL. Both live until the callback returns. */
typedef void (*target_apply_fn)(void *arg, const char *error, const char *detail);
typedef void (*target_read_fn)(void *arg, const char *error, const struct target_view *view);

struct target;

struct target_ops {
	const char *name; /* "simulated", "haproxy", "azureml", "command" */
	/* Makes endpoint serve split. Success means the target says the change
	 * is made (Azure ML: the operation Succeeded); the caller still reads
	 * it back to verify. */
	void (*apply)(struct target *t, const char *endpoint, const struct traffic_split *split, int64_t now,
		      target_apply_fn done, void *arg);
	/* NULL when the target cannot say what it serves (a command target
	 * without a read command): its changes can only end unverified. */
	void (*read)(struct target *t, const char *endpoint, int64_t now, target_read_fn done, void *arg);
	/* The simulated target's own clock: when it next needs advance()
	 * (INT64_MAX: never). NULL for real targets. */
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

/* The target a config endpoint names, running on loop; NULL with err when
 * it cannot be built (a secret that cannot be read, say). config_path is
 * for messages. */
struct target *target_from_config(const struct config_target *cfg, const char *endpoint, struct loop *loop,
				  const char *config_path, struct error *err);
struct target *target_haproxy_new(const struct config_target *cfg, const char *endpoint, struct loop *loop,
				  struct error *err);
struct target *target_azureml_new(const struct config_target *cfg, const char *endpoint, struct loop *loop,
				  const char *config_path, struct error *err);
struct target *target_command_new(const struct config_target *cfg, const char *endpoint, struct loop *loop,
				  struct error *err);

#endif
