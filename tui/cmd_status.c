/* `cmdr status`: one snapshot of an incident directory, without curses. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "incident.h"
#include "status.h"

static void print_text(const struct incident *inc)
{
	char when[32];
	cJSON *doc = status_json(inc);
	snprintf(when, sizeof when, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(doc, "clock")));
	printf("cmdr status at %s (%s)\n", when, inc->mode == MODE_DRILL ? "drill" : "live");
	printf("endpoints: %zu, SLOs: %zu, canaries: %zu\n", inc->model.n_endpoints, inc->n_slos,
	       inc->n_canaries);
	if (inc->model.n_endpoints == 0 && inc->n_slos == 0)
		printf("(no live sources are configured; drills run with cmdr drill SCENARIO)\n");
	if (inc->journal.torn)
		printf("journal: ends in a partial line (a crash during an append); the next console sets it aside\n");
	printf("journal: %s, %llu entries, head %s\n", inc->journal.path,
	       (unsigned long long)inc->journal.entries, inc->journal.head);
	cJSON_Delete(doc);
}

int cmd_status(const struct cli_options *o)
{
	struct config cfg;
	struct actor me;
	if (cli_setup(o, "cmdr status", true, &cfg, &me) != EXIT_OK)
		return EXIT_CHECK;
	const char *dir = cli_incident_dir(o, &cfg);
	/* A status query must not create an incident by looking for one. */
	char path[4096];
	struct stat st;
	snprintf(path, sizeof path, "%s/journal.jsonl", dir);
	if (stat(path, &st) != 0) {
		fprintf(stderr, "cmdr status: %s: %s; start an incident or pass -i DIR\n", path, strerror(errno));
		actor_free(&me);
		config_free(&cfg);
		return EXIT_CHECK;
	}
	struct incident inc;
	struct error err;
	if (incident_open(&inc, dir, &me, &err) != 0) {
		fprintf(stderr, "cmdr status: %s\n", err.msg);
		config_free(&cfg);
		return EXIT_CHECK;
	}
	inc.governance = cfg.governance;
	cli_load_runbooks(&inc, &cfg, "cmdr status");
	incident_advance(&inc, clock_now(&inc.clock));
	if (o->json) {
		cJSON *doc = status_json(&inc);
		char *text = cJSON_Print(doc);
		puts(text);
		cJSON_free(text);
		cJSON_Delete(doc);
	} else {
		print_text(&inc);
	}
	incident_free(&inc);
	config_free(&cfg);
	return EXIT_OK;
}
