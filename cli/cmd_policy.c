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

int cmd_policy(const struct cli_options *o)
{
	const char *sub = o->n_args == 1 ? o->args[0] : "";
	bool pin = strcmp(sub, "pin") == 0;
	if (!pin && strcmp(sub, "show") != 0) {
		cli_usage("policy");
		return EXIT_USAGE;
	}
	struct config cfg;
	struct actor me;
	if (cli_setup(o, "cmdr policy", !pin || o->readonly, &cfg, &me) != EXIT_OK)
		return EXIT_CHECK;
	struct incident inc;
	if (cli_open(o, "cmdr policy", &cfg, cli_incident_dir(o, &cfg), false, &me, &inc) != EXIT_OK) {
		config_free(&cfg);
		return EXIT_CHECK;
	}
	struct policy candidate;
	struct error err;
	int rc = EXIT_OK;
	if (policy_candidate(&candidate, &cfg, &err) != 0) {
		fprintf(stderr, "cmdr policy: %s\n", err.msg);
		rc = EXIT_CHECK;
	} else {
		if (!pin)
			show(&inc, &candidate, o->json);
		else if (incident_pin_policy(&inc, &candidate, o->reason, &inc.actor, &err) != 0) {
			fprintf(stderr, "cmdr policy: %s\n", err.msg);
			rc = EXIT_CHECK;
		} else {
			printf("%s\n", inc.last_action.text);
		}
		policy_free(&candidate);
	}
	incident_free(&inc);
	config_free(&cfg);
	return rc;
}
