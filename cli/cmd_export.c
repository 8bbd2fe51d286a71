/* `cmdr export postmortem [-i DIR] [--format md|json]`: the postmortem
 * from the incident's journal alone, to stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "postmortem.h"
#include "xalloc.h"

int cmd_export(struct cli_run *r)
{
	const char *format = r->o->format;
	const char *where = cli_incident_dir(r->o, &r->cfg);
	int setup = cli_journal_setup(where, &r->cfg, "cmdr export");
	if (setup != EXIT_OK)
		return setup;
	char *path = cli_journal_path(where);
	struct error err;
	int rc = postmortem_write(path, format && strcmp(format, "json") == 0 ? POSTMORTEM_JSON : POSTMORTEM_MD, stdout,
				  &err);
	if (rc != 0)
		fprintf(stderr, "cmdr export: %s\n", err.msg);
	free(path);
	return rc == 0 ? EXIT_OK : cli_exit_status(&err);
}
