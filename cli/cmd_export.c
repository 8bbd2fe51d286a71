/* `cmdr export postmortem [-i DIR] [--format md|json]`: the postmortem
 * from the incident's journal alone, to stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "postmortem.h"
#include "xalloc.h"

int cmd_export(const struct cli_options *o)
{
	if (o->n_args != 1 || strcmp(o->args[0], "postmortem") != 0) {
		cli_usage("export");
		return EXIT_USAGE;
	}
	enum postmortem_format format = POSTMORTEM_MD;
	if (o->format && strcmp(o->format, "json") == 0)
		format = POSTMORTEM_JSON;
	else if (o->format && strcmp(o->format, "md") != 0) {
		fprintf(stderr, "cmdr export: --format takes md or json, not '%s'\n", o->format);
		return EXIT_USAGE;
	}
	struct config cfg;
	if (cli_load_config(o, "cmdr export", &cfg) != EXIT_OK)
		return EXIT_CHECK;
	char *path = xasprintf("%s/journal.jsonl", cli_incident_dir(o, &cfg));
	struct error err;
	int rc = postmortem_write(path, format, stdout, &err);
	if (rc != 0)
		fprintf(stderr, "cmdr export: %s\n", err.msg);
	free(path);
	config_free(&cfg);
	return rc == 0 ? EXIT_OK : EXIT_CHECK;
}
