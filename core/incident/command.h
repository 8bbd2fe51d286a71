/* The commander's verbs as one line of text, for the console's `:` and a
 * scripted drill (`cmdr drill --headless --script FILE`), from one table
 * in command.c. Each runs the same core action as its key or its cmdr
 * command; `cmdr declare` and its kin run through here too. */
#ifndef CMDR_COMMAND_H
#define CMDR_COMMAND_H
#include "incident.h"

/* Every verb with what it takes, "declare SEV TITLE | sev SEV [REASON] |
 * ...", for a help line: from the verb table, so it cannot drift. */
void command_help(char *buf, size_t size);

/* Runs line as actor. 0, 1 when a rollback waits for approval (err says
 * so), or -1 with err (a refusal is journaled as the action's own; words
 * a verb cannot take are an ERROR_USAGE, journaled nowhere). */
int incident_command(struct incident *inc, const char *line, const struct actor *actor, struct error *err);

#endif
