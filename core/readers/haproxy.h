/* HAProxy's runtime API as text, with no I/O: the commands cmdr sends
 * (`show servers state`, `set server ... weight`), what comes back read
 * into servers, weights turned into traffic percentages and back, and
 * HAProxy's answers turned into one plain line. core/targets/target_haproxy.c
 * does the talking. */
#ifndef CMDR_HAPROXY_H
#define CMDR_HAPROXY_H
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* srv_admin_state bits (HAProxy's SRV_ADMF_*): forced, inherited,
 * config, resolution and hostname maintenance; forced and inherited
 * drain. */
#define HAPROXY_ADMIN_MAINT 0x67
#define HAPROXY_ADMIN_DRAIN 0x18
/* srv_op_state: stopped, starting, running, stopping. */
#define HAPROXY_OP_STOPPED 0

/* The largest absolute weight HAProxy takes. */
#define HAPROXY_WEIGHT_MAX 256

struct haproxy_server {
	char *name;
	int op_state;    /* srv_op_state */
	int admin_state; /* srv_admin_state */
	int weight;      /* srv_uweight: the weight as last set, by config or `set server` */
};

struct haproxy_state {
	struct haproxy_server *servers;
	size_t n;
};

/* Whether a name can go into a command as it is: HAProxy's own name
 * characters (letters, digits, - _ . :), so no name can add a second
 * command or argument. */
bool haproxy_name_ok(const char *name);

/* "show servers state BACKEND\n", or "set server BACKEND/SERVER weight
 * N\n" (weight clamped to 0..HAPROXY_WEIGHT_MAX). Names must pass
 * haproxy_name_ok. Fresh heap strings. */
char *haproxy_show_state_cmd(const char *backend);
char *haproxy_set_weight_cmd(const char *backend, const char *server, int weight);

/* Reads the answer to `show servers state BACKEND`: format version "1",
 * then the "# be_id be_name srv_id srv_name ..." header, whose column
 * names (not positions) say where each field is, then one line per
 * server; rows of other backends are skipped. An answer that is one of
 * HAProxy's refusals ("Can't find backend.", ...) is that refusal as a
 * message. Returns 0, or -1 with err set to one safe line. */
int haproxy_parse_state(const char *text, size_t len, const char *backend, struct haproxy_state *out,
			struct error *err);
void haproxy_state_free(struct haproxy_state *s);
const struct haproxy_server *haproxy_state_find(const struct haproxy_state *s, const char *name);

/* "MAINT" (any maintenance bit), "DRAIN", "DOWN" (stopped) or "UP". */
const char *haproxy_server_state(const struct haproxy_server *s);
/* The weight that takes new traffic: 0 in maintenance or drain (the
 * operator said no new traffic, whatever the weight says), else the
 * weight. A server that is DOWN keeps its share: the split is what the
 * weights ask for; health is its state's to show. */
int haproxy_server_share(const struct haproxy_server *s);

/* weights[0..n) as percentages summing to 100 (largest remainder; ties
 * go to the earlier entry); all 0 when the weights are all 0. */
void haproxy_weights_to_percent(const int *weights, size_t n, int *percent);
/* The weight that serves a percentage: the percentage itself (0..100),
 * so that the weights read back give exactly that split. */
int haproxy_percent_to_weight(int percent);

/* The answer to `set server BACKEND/SERVER weight N`: 0 when it is empty
 * (HAProxy's success), else -1 with err set to one plain line: no such
 * server or backend, a socket without `level admin`, a static balance
 * algorithm, an unknown command, or any other answer quoted, sanitised. */
int haproxy_set_answer(const char *answer, size_t len, const char *backend, const char *server, int weight,
		       struct error *err);

#endif
