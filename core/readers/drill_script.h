/* A scripted drill run: what the people in a drill do and when, so that a
 * whole run (and its postmortem and scorecard) can be replayed exactly.
 * One step per line:
 *
 *     17:05:00 declare SEV1 Chat answers ungrounded
 *     17:05:30 as bob role deputy
 *     17:10:00 as alice rollback support-assistant-prod groundedness falling
 *
 * a time (HH:MM:SS on the scenario's day, or +5m from its start), an
 * optional "as NAME", and a command as the console's `:` takes it
 * (core/incident/command.h). Blank lines and lines starting with # are skipped.
 * Steps must be in time order. */
#ifndef CMDR_DRILL_SCRIPT_H
#define CMDR_DRILL_SCRIPT_H
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct script_step {
	int64_t at_ms;
	char *as;      /* NULL: the drill's own person */
	char *command;
	unsigned line;
};

struct drill_script {
	struct script_step *steps;
	size_t n;
};

/* Parses text; day_ms is the scenario's start. -1 with "PATH:LINE: what"
 * in err on the first bad line. */
int drill_script_parse(const char *text, size_t len, const char *path, int64_t start_ms,
		       struct drill_script *out, struct error *err);
void drill_script_free(struct drill_script *s);

#endif
