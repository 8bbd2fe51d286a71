/* The postmortem from a journal alone: summary, severity, duration, the
 * timeline in UTC with actors and reasons, the traffic changes and their
 * verification, what the burn and canary engines showed when each change
 * was decided, runbook progress, the TODO: follow-ups the scribe noted,
 * and the journal's head hash with the command that checks it. Markdown
 * for people, JSON for tools. */
#ifndef CMDR_POSTMORTEM_H
#define CMDR_POSTMORTEM_H
#include <stdbool.h>
#include <stdio.h>

#include "error.h"

enum postmortem_format { POSTMORTEM_MD, POSTMORTEM_JSON };

/* Writes the postmortem of the journal at path to out. -1 with err when
 * the journal cannot be read; a broken chain is reported in the document
 * (and makes no claim that it is intact). */
int postmortem_write(const char *journal_path, enum postmortem_format format, FILE *out, struct error *err);

#endif
