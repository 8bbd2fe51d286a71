/* Who is acting: the person behind the keyboard (OS user, sudo user, SSH
 * origin, tty, the --as name on shared accounts) or an automatic policy,
 * and the role they act in. Roles gate mutating actions in core. */
#ifndef CMDR_ACTOR_H
#define CMDR_ACTOR_H
#include <stdbool.h>

#include <cjson/cJSON.h>

enum role { ROLE_COMMANDER, ROLE_DEPUTY, ROLE_OBSERVER, ROLE_POLICY };

struct actor {
	char *user;      /* OS user, or "policy" */
	char *sudo_user; /* NULL when absent */
	char *ssh;       /* SSH_CONNECTION's client address and port, or NULL */
	char *tty;       /* or NULL */
	char *host;      /* the machine this process runs on (a jump box), or NULL */
	char *as_name;   /* --as NAME, or NULL */
	char *ordered_by; /* who ordered the action this actor carries out, or NULL */
	char *console;   /* the policy: whose console runs it (person, user, host, pid) */
	bool shared_account; /* the OS user is shared: the --as name is the person */
	enum role role;
	bool readonly;   /* --readonly: every mutating action is refused */
};

/* Fills from the process environment. */
void actor_from_env(struct actor *a, const char *as_name, enum role role, bool readonly);
/* The automatic policy, running in console's process: its lines name
 * that console (console may be NULL: none). */
void actor_policy(struct actor *a, const struct actor *console);
void actor_free(struct actor *a);
void actor_copy(struct actor *dst, const struct actor *src);
/* Who this is for the two-person rule: the --as name on a shared account,
 * else the OS user (so a second --as name on one's own account is not a
 * second person). */
const char *actor_identity(const struct actor *a);
/* "alice (root@pts/3)" style display name, into buf. */
void actor_display(const struct actor *a, char *buf, size_t size);
cJSON *actor_to_json(const struct actor *a);

const char *role_name(enum role r);
/* commander|deputy|observer; false if unknown. */
bool role_parse(const char *s, enum role *out);
/* Whether this actor may change the world; *why says why not. */
bool actor_may_mutate(const struct actor *a, const char **why);

#endif
