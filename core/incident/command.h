/* The commander's verbs as one line of text, for the console's `:` and a
 * scripted drill (`cmdr drill --headless --script FILE`): declare, sev,
 * role, resolve, note, update, timecheck, every, rollback, tick. Each runs
 * the same core action as its key or its cmdr command. */
#ifndef CMDR_COMMAND_H
#define CMDR_COMMAND_H
#include "incident.h"

/* What the verbs take, one line for a help line. */
#define COMMAND_HELP                                                                                   \
	"declare SEV TITLE | sev SEV [REASON] | role ROLE [WHO] | resolve REASON | timecheck on [10m]|off" \
	" | every 30m | note TEXT | update TEXT | rollback ENDPOINT REASON | weight ENDPOINT D=P... REASON"      \
	" | tick RUNBOOK STEP"

/* Runs line as actor. 0, 1 when a rollback waits for approval (err says
 * so), or -1 with err (a refusal is journaled as the action's own). */
int incident_command(struct incident *inc, const char *line, const struct actor *actor, struct error *err);

#endif
