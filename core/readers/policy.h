/* The incident's governance policy: who may act in which role (roles,
 * shared accounts) and which traffic changes wait for a second person.
 * It is pinned into the journal by the first line an incident gets, and
 * every action is judged by the pinned policy, never by whichever config
 * the caller happened to pass; re-pinning is a journaled commander action. */
#ifndef CMDR_POLICY_H
#define CMDR_POLICY_H
#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "actor.h"
#include "config.h"
#include "error.h"
#include "governance.h"

/* Where a site puts the rules no user can swap. When this file exists it is
 * the only source of a new pin; $CMDR_SYSTEM_CONFIG names another file
 * only when it does not (tests, and sites that install elsewhere). */
#ifndef CMDR_SYSCONFIG
#define CMDR_SYSCONFIG "/etc/cmdr/config.json"
#endif

struct policy {
	char *source; /* the file the rules came from; NULL: none (defaults) */
	struct config_role *roles;
	size_t n_roles;
	char **shared_accounts;
	size_t n_shared_accounts;
	struct governance gov;
	char hash[65]; /* SHA-256 (hex) of the rules as policy_rules_json prints them */
	uint64_t seq;  /* the journal line that pinned them; 0: not pinned */
};

/* No rules: everyone a commander, no two-person rule. */
void policy_default(struct policy *p);
/* The rules of cfg (roles, shared accounts, governance), unpinned. */
void policy_from_config(struct policy *p, const struct config *cfg);
/* The policy a new pin takes: the system config when there is one, else
 * cfg's. A system config that cannot be read is an error. */
int policy_candidate(struct policy *p, const struct config *cfg, struct error *err);
void policy_copy(struct policy *dst, const struct policy *src);
void policy_free(struct policy *p);
/* Computes p->hash again after its rules were changed in place. */
void policy_seal(struct policy *p);
/* The rules as one canonical object (the bytes hashed). */
cJSON *policy_rules_json(const struct policy *p);
/* What a pinning line carries: {"source": ..., "rules": {...}}. */
cJSON *policy_pin_json(const struct policy *p);
/* Reads a journal line's "policy_pinned" (with the line's "policy" hash
 * and seq): the rules must hash to that value, or the pin is refused. */
int policy_from_pin(struct policy *p, const cJSON *pin, const char *hash, uint64_t seq, struct error *err);

/* Settles who the actor is under the rules: a shared account requires
 * --as; a user mapped to a role gets that role, and may ask for a lesser
 * one with --role but never a greater one (commander > deputy >
 * observer); users not mapped get the "*" role, or commander when no
 * roles are mapped at all, observer when roles are mapped but no "*".
 * The name looked up is the --as name on a shared account, else the OS
 * user. role_given says whether --role was used. */
int policy_apply_identity(const struct policy *p, struct actor *a, bool role_given, struct error *err);
/* The same under the rules cfg alone gives (policy_from_config). */
int config_apply_identity(const struct config *cfg, struct actor *a, bool role_given, struct error *err);
bool policy_shared_account(const struct policy *p, const char *user);
/* The role the rules give user (as: the --as name, may be NULL). */
enum role policy_role_of(const struct policy *p, const char *user, const char *as);
/* Whether an approval by (app_user, app_as) comes from a second person
 * after a request by (req_user, req_as): a different OS user, or, where
 * the rules allow it (shared_account_approval), a different --as name on
 * a shared account. false with *why worded for the refusal. */
bool policy_second_person(const struct policy *p, const char *req_user, const char *req_as, const char *app_user,
			  const char *app_as, char *why, size_t size);

#endif
