/* `cmdr policy show [--json]`: the rules the incident is judged by (pinned
 * in its journal), and whether the rules a new pin would take differ; and
 * `cmdr policy pin --reason TEXT`: the commander pins those rules anew,
 * journaled with them whole (core/readers/policy.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "incident.h"

static void show(const struct incident *inc, const struct policy *candidate, bool json)
{
	const struct policy *p = &inc->policy;
	bool same = strcmp(p->hash, candidate->hash) == 0;
	if (json) {
		cJSON *o = cJSON_CreateObject();
		if (p->seq)
			cJSON_AddNumberToObject(o, "pinned_at", (double)p->seq);
		else
			cJSON_AddNullToObject(o, "pinned_at");
		cJSON_AddStringToObject(o, "hash", p->hash);
		if (p->source)
			cJSON_AddStringToObject(o, "source", p->source);
		cJSON_AddItemToObject(o, "rules", policy_rules_json(p));
		cJSON *c = cJSON_AddObjectToObject(o, "candidate");
		cJSON_AddStringToObject(c, "hash", candidate->hash);
		if (candidate->source)
			cJSON_AddStringToObject(c, "source", candidate->source);
		cJSON_AddBoolToObject(c, "same", same);
		char *text = cJSON_Print(o);
		printf("%s\n", text);
		cJSON_free(text);
		cJSON_Delete(o);
		return;
	}
	if (p->seq)
		printf("pinned at seq %llu from %s\n", (unsigned long long)p->seq, p->source ? p->source : "no config (defaults)");
	else
		printf("not pinned yet: the first line appended pins the rules below\n");
	printf("hash %s\n", p->hash);
	cJSON *rules = policy_rules_json(p);
	char *text = cJSON_Print(rules);
	printf("%s\n", text);
	cJSON_free(text);
	cJSON_Delete(rules);
	if (!same)
		printf("%s gives other rules (%.12s); they judge nothing here until a commander runs cmdr policy pin\n",
		       candidate->source ? candidate->source : "no config", candidate->hash);
}

/* The rules a new pin would take, for what is pinned (or -1 after saying
 * why it cannot be had). */
static int candidate_of(struct cli_run *r, struct policy *candidate)
{
	struct error err;
	if (policy_candidate(candidate, &r->cfg, &err) == 0)
		return 0;
	fprintf(stderr, "cmdr policy: %s\n", err.msg);
	return -1;
}

int cmd_policy_show(struct cli_run *r)
{
	struct policy candidate;
	if (candidate_of(r, &candidate) != 0)
		return EXIT_CHECK;
	show(&r->inc, &candidate, r->o->json);
	policy_free(&candidate);
	return EXIT_OK;
}

int cmd_policy_pin(struct cli_run *r)
{
	struct policy candidate;
	struct error err;
	if (candidate_of(r, &candidate) != 0)
		return EXIT_CHECK;
	int rc = incident_pin_policy(&r->inc, &candidate, r->o->reason, &r->inc.actor, &err);
	policy_free(&candidate);
	if (rc != 0) {
		fprintf(stderr, "cmdr policy: %s\n", err.msg);
		return EXIT_CHECK;
	}
	printf("%s\n", r->inc.last_action.text);
	return EXIT_OK;
}
