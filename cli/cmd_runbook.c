/* `cmdr runbook lint FILE... [--json]`: every problem as file:line:
 * problem (warnings as file:line: warning: ...), exit 1 when a file is
 * refused; --json prints, whatever the files held, one object with the
 * parsed runbooks and the problems. */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "runbook.h"

int cmd_runbook(struct cli_run *r)
{
	const struct cli_options *o = r->o;
	if (o->n_args < 1) {
		cli_usage("runbook");
		return EXIT_USAGE;
	}
	int rc = EXIT_OK;
	cJSON *all = cJSON_CreateObject();
	cJSON *runbooks = cJSON_AddArrayToObject(all, "runbooks");
	cJSON *problems_json = cJSON_AddArrayToObject(all, "problems");
	for (int i = 0; i < o->n_args; i++) {
		struct runbook rb;
		struct runbook_problems problems = { 0 };
		bool refused = runbook_load(o->args[i], &rb, &problems) != 0;
		if (refused)
			rc = EXIT_CHECK;
		if (o->json) {
			/* A refused file's half-parsed tree would pass for its
			 * content: only its problems are listed. */
			if (!refused)
				cJSON_AddItemToArray(runbooks, runbook_to_json(&rb));
			runbook_problems_to_json(&problems, problems_json);
		} else {
			for (size_t k = 0; k < problems.n; k++)
				printf("%s\n", problems.list[k].text);
		}
		runbook_problems_free(&problems);
		runbook_free(&rb);
	}
	if (o->json) {
		char *text = cJSON_Print(all);
		puts(text);
		cJSON_free(text);
	}
	cJSON_Delete(all);
	return rc;
}
