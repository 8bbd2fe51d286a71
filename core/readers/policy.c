#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonmsg.h"
#include "journal.h"
#include "sanitize.h"
#include "xalloc.h"

void policy_seal(struct policy *p)
{
	cJSON *rules = policy_rules_json(p);
	char *text = cJSON_PrintUnformatted(rules);
	if (!text)
		abort();
	journal_hash(text, strlen(text), p->hash);
	cJSON_free(text);
	cJSON_Delete(rules);
}

static void set_rules(struct policy *p, const char *source, const struct config_role *roles, size_t n_roles,
		      char *const *shared, size_t n_shared, const struct governance *gov)
{
	memset(p, 0, sizeof *p);
	p->source = source ? xstrdup(source) : NULL;
	p->roles = xcalloc(n_roles + 1, sizeof *p->roles);
	for (size_t i = 0; i < n_roles; i++)
		p->roles[p->n_roles++] = (struct config_role){ xstrdup(roles[i].user), roles[i].role };
	p->shared_accounts = xcalloc(n_shared + 1, sizeof *p->shared_accounts);
	for (size_t i = 0; i < n_shared; i++)
		p->shared_accounts[p->n_shared_accounts++] = xstrdup(shared[i]);
	p->gov = *gov;
	policy_seal(p);
}

void policy_default(struct policy *p)
{
	struct governance gov = GOVERNANCE_DEFAULT;
	set_rules(p, NULL, NULL, 0, NULL, 0, &gov);
}

void policy_from_config(struct policy *p, const struct config *cfg)
{
	set_rules(p, cfg->path, cfg->roles, cfg->n_roles, cfg->shared_accounts, cfg->n_shared_accounts,
		  &cfg->governance);
}

int policy_candidate(struct policy *p, const struct config *cfg, struct error *err)
{
	struct stat st;
	const char *sys = CMDR_SYSCONFIG;
	if (stat(sys, &st) != 0) {
		const char *env = getenv("CMDR_SYSTEM_CONFIG");
		sys = env && *env && stat(env, &st) == 0 ? env : NULL;
	}
	if (!sys) {
		policy_from_config(p, cfg);
		return 0;
	}
	/* Rules that someone else could rewrite are nobody's rules. */
	if ((st.st_mode & 022) || (st.st_uid != 0 && st.st_uid != geteuid()))
		return error_set(err, "%s: the system config is %s (mode %04o, owner uid %ld): anyone who can change "
				      "it changes every incident's rules; chown root and chmod go-w it",
				 sys, (st.st_mode & 022) ? "writable by group or others" : "not owned by root",
				 (unsigned)(st.st_mode & 07777), (long)st.st_uid);
	struct config site;
	struct config_problems problems = { 0 };
	int rc = config_load(sys, &site, &problems);
	if (rc != 0) {
		error_set(err, "%s (the system config, whose governance every incident here pins): %s", sys,
			  problems.n ? problems.lines[0] : "cannot be read");
	} else {
		policy_from_config(p, &site);
	}
	config_problems_free(&problems);
	config_free(&site);
	return rc == 0 ? 0 : -1;
}

void policy_copy(struct policy *dst, const struct policy *src)
{
	set_rules(dst, src->source, src->roles, src->n_roles, src->shared_accounts, src->n_shared_accounts,
		  &src->gov);
	dst->seq = src->seq;
}

void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->n_roles; i++)
		free(p->roles[i].user);
	free(p->roles);
	for (size_t i = 0; i < p->n_shared_accounts; i++)
		free(p->shared_accounts[i]);
	free(p->shared_accounts);
	free(p->source);
	memset(p, 0, sizeof *p);
}

cJSON *policy_rules_json(const struct policy *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *roles = cJSON_AddObjectToObject(o, "roles");
	for (size_t i = 0; i < p->n_roles; i++)
		cJSON_AddStringToObject(roles, p->roles[i].user, role_name(p->roles[i].role));
	cJSON_AddItemToObject(o, "shared_accounts", jsonmsg_strings(p->shared_accounts, p->n_shared_accounts));
	cJSON_AddBoolToObject(o, "two_person", p->gov.two_person);
	cJSON_AddBoolToObject(o, "shared_account_approval", p->gov.shared_account_approval);
	cJSON_AddNumberToObject(o, "approval_timeout_ms", (double)p->gov.approval_timeout_ms);
	cJSON *em = cJSON_AddObjectToObject(o, "emergency");
	cJSON_AddBoolToObject(em, "canary_verdict", p->gov.emergency_canary);
	cJSON_AddNumberToObject(em, "burn_rate", p->gov.emergency_burn);
	cJSON_AddStringToObject(em, "burn_window", burn_window_name[p->gov.emergency_window]);
	/* As the journal will store them, so that the hash holds there. */
	sanitize_json(o);
	return o;
}

cJSON *policy_pin_json(const struct policy *p)
{
	cJSON *o = cJSON_CreateObject();
	if (p->source)
		cJSON_AddStringToObject(o, "source", p->source);
	cJSON_AddItemToObject(o, "rules", policy_rules_json(p));
	return o;
}

int policy_from_pin(struct policy *p, const cJSON *pin, const char *hash, uint64_t seq, struct error *err)
{
	const cJSON *rules = cJSON_GetObjectItemCaseSensitive(pin, "rules");
	const cJSON *roles = cJSON_GetObjectItemCaseSensitive(rules, "roles");
	const cJSON *shared = cJSON_GetObjectItemCaseSensitive(rules, "shared_accounts");
	const cJSON *em = cJSON_GetObjectItemCaseSensitive(rules, "emergency");
	if (!cJSON_IsObject(rules) || !cJSON_IsObject(roles) || !cJSON_IsArray(shared) || !cJSON_IsObject(em) || !hash)
		return error_set(err, "seq %llu: a policy pin without its rules", (unsigned long long)seq);
	struct governance gov = GOVERNANCE_DEFAULT;
	gov.two_person = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rules, "two_person"));
	gov.shared_account_approval = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rules, "shared_account_approval"));
	uint64_t timeout = jsonmsg_uint(rules, "approval_timeout_ms", (uint64_t)1 << 50);
	if (timeout)
		gov.approval_timeout_ms = (int64_t)timeout;
	gov.emergency_canary = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(em, "canary_verdict"));
	const cJSON *burn = cJSON_GetObjectItemCaseSensitive(em, "burn_rate");
	gov.emergency_burn = cJSON_IsNumber(burn) && burn->valuedouble >= 0 ? burn->valuedouble : 0;
	const char *w = jsonmsg_str(em, "burn_window");
	for (int i = 0; w && i < BURN_NWINDOWS; i++)
		if (strcmp(w, burn_window_name[i]) == 0)
			gov.emergency_window = (enum burn_window)i;
	size_t n_roles = 0, n_shared = 0;
	struct config_role *r = xcalloc((size_t)cJSON_GetArraySize(roles) + 1, sizeof *r);
	char **s = xcalloc((size_t)cJSON_GetArraySize(shared) + 1, sizeof *s);
	for (const cJSON *x = roles->child; x; x = x->next)
		if (x->string && cJSON_IsString(x) && role_parse(x->valuestring, &r[n_roles].role))
			r[n_roles++].user = x->string;
	for (const cJSON *x = shared->child; x; x = x->next)
		if (cJSON_IsString(x))
			s[n_shared++] = x->valuestring;
	set_rules(p, jsonmsg_str(pin, "source"), r, n_roles, s, n_shared, &gov);
	free(r);
	free(s);
	if (strcmp(p->hash, hash) != 0) {
		policy_free(p);
		return error_set(err, "seq %llu: the pinned policy's rules do not hash to the line's policy %.12s",
				 (unsigned long long)seq, hash);
	}
	p->seq = seq;
	return 0;
}

bool policy_shared_account(const struct policy *p, const char *user)
{
	for (size_t i = 0; user && i < p->n_shared_accounts; i++)
		if (strcmp(p->shared_accounts[i], user) == 0)
			return true;
	return false;
}

static const struct config_role *find_role(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_roles; i++)
		if (strcmp(p->roles[i].user, name) == 0)
			return &p->roles[i];
	return NULL;
}

enum role policy_role_of(const struct policy *p, const char *user, const char *as)
{
	if (p->n_roles == 0)
		return ROLE_COMMANDER;
	const char *name = policy_shared_account(p, user) && as ? as : user;
	const struct config_role *r = find_role(p, name);
	if (!r)
		r = find_role(p, "*");
	/* Roles were mapped, just not for this person: the least role is the
	 * safe reading of a list that forgot someone. */
	return r ? r->role : ROLE_OBSERVER;
}

int policy_apply_identity(const struct policy *p, struct actor *a, bool role_given, struct error *err)
{
	const char *file = p->source ? p->source : "the config";
	a->shared_account = policy_shared_account(p, a->user);
	if (a->shared_account && !a->as_name)
		return error_set(err, "%s is a shared account (%s: $.shared_accounts); say who you are with --as NAME",
				 a->user, file);
	if (p->n_roles == 0) {
		if (!role_given)
			a->role = ROLE_COMMANDER;
		return 0;
	}
	/* --as names a person only on a shared account; on one's own account
	 * it is a label, and cannot buy another person's role. */
	const char *name = actor_identity(a);
	const struct config_role *r = find_role(p, name);
	if (!r)
		r = find_role(p, "*");
	enum role mapped = policy_role_of(p, a->user, a->as_name);
	/* commander < deputy < observer in the enum: lower is more. */
	if (role_given && a->role < mapped) {
		char where[96];
		if (r) {
			jsonmsg_key_path(r->user, JSONMSG_NEWLINE_HEX, where, sizeof where);
			return error_set(err, "--role %s asks for more than %s gives %s ($.roles%s: %s)",
					 role_name(a->role), file, name, where, role_name(mapped));
		}
		return error_set(err, "--role %s asks for more than %s gives %s (not in $.roles, which has no \"*\": %s)",
				 role_name(a->role), file, name, role_name(mapped));
	}
	if (!role_given)
		a->role = mapped;
	return 0;
}

bool policy_second_person(const struct policy *p, const char *req_user, const char *req_as, const char *app_user,
			  const char *app_as, char *why, size_t size)
{
	if (!req_user || !app_user) {
		snprintf(why, size, "two-person rule: the request or the approval names no user");
		return false;
	}
	if (strcmp(req_user, app_user) != 0)
		return true;
	/* One OS account: its --as names are only as good as the account,
	 * so they count as two people only where the policy says so. */
	if (!p->gov.shared_account_approval || !policy_shared_account(p, req_user)) {
		snprintf(why, size,
			 "two-person rule: the approval comes from the same account (%s) as the request; a second "
			 "person approves from their own account",
			 req_user);
		return false;
	}
	if (!req_as || !app_as || strcmp(req_as, app_as) == 0) {
		snprintf(why, size, "two-person rule: %s cannot approve their own request", req_as ? req_as : req_user);
		return false;
	}
	return true;
}

int config_apply_identity(const struct config *cfg, struct actor *a, bool role_given, struct error *err)
{
	struct policy p;
	policy_from_config(&p, cfg);
	int rc = policy_apply_identity(&p, a, role_given, err);
	policy_free(&p);
	return rc;
}
