/* Reading a whole input file (scenario, config, runbook, drill script)
 * with a size limit, from regular files and pipes alike, and wording why
 * it could not be read the same way for all of them. */
#ifndef CMDR_READFILE_H
#define CMDR_READFILE_H
#include <stddef.h>

#include "error.h"

/* Reads all of path into *buf (NUL-terminated, *len bytes), refusing more
 * than limit bytes. Returns 0, or -1 with err saying why without the
 * path, which the caller puts where its messages have it: "cannot read:
 * REASON", "too large (N bytes, limit L MiB)", or for a pipe "too large
 * (over N bytes, limit L MiB)". Nothing to free unless it returns 0. */
int readfile_all(const char *path, size_t limit, char **buf, size_t *len, struct error *err);

#endif
