/* Every byte the command line prints goes through one filter: the secrets
 * cmdr loaded are replaced and terminal controls removed, so that no
 * message repeating an argument, a path or a service's answer, and no
 * document (status, postmortem, audit), can carry a token or an escape. */
#ifndef CMDR_OUTPUT_H
#define CMDR_OUTPUT_H
#include <stdio.h>

/* A stream that writes to fd what it is given with the registered secret
 * values redacted (redact_secrets) and each line cleaned (sanitize_lines:
 * newlines and tabs kept). buf_mode is setvbuf's: with _IOFBF a line is
 * held until it is whole, so that a secret is never cut in two, and
 * written at the latest when the process exits (one such stream per
 * process). NULL when the C library cannot make one. */
FILE *output_guard(int fd, int buf_mode);

#endif
