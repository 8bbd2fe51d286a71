/* Every byte the command line prints goes through one filter: the secrets
 * cmdr loaded are replaced and terminal controls removed, so that no
 * message repeating an argument, a path or a service's answer, and no
 * document (status, postmortem, audit), can carry a token or an escape. */
#ifndef CMDR_OUTPUT_H
#define CMDR_OUTPUT_H
#include <stdio.h>

/* Replaces *stream (stdout or stderr) with a stream that writes to the
 * same fd what it is given with the registered secret values redacted
 * (redact_secrets) and each line cleaned (sanitize_lines: newlines and
 * tabs kept). buf_mode is setvbuf's: with _IOFBF a line is held until it
 * is whole, so that a secret is never cut in two. At exit what is held is
 * written and the original stream put back. Left as it is when the C
 * library cannot make one. */
void output_guard(FILE **stream, int buf_mode);

#endif
