/* `cmdr runbook lint FILE... [--json]`: every problem as file:line:
 * problem (warnings as file:line: warning: ...), exit 1 when a file is
 * refused; --json prints the parsed trees. */
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
	cJSON *all = cJSON_CreateArray();
	for (int i = 0; i < o->n_args; i++) {
		struct runbook rb;
		struct runbook_problems problems = { 0 };
		if (runbook_load(o->args[i], &rb, &problems) != 0)
			rc = EXIT_CHECK;
		/* stdout is the JSON's alone */
		for (size_t k = 0; k < problems.n; k++)
			fprintf(o->json ? stderr : stdout, "%s\n", problems.list[k].text);
		if (o->json)
			cJSON_AddItemToArray(all, runbook_to_json(&rb));
		runbook_problems_free(&problems);
		runbook_free(&rb);
	}
	if (o->json && rc == EXIT_OK) {
		char *text = cJSON_Print(all);
		puts(text);
		cJSON_free(text);
	}
	cJSON_Delete(all);
	return rc;
}
