/* Reading a whole input file (scenario, config, runbook) with a size
 * limit, from regular files and pipes alike; callers word the errors. */
#ifndef CMDR_READFILE_H
#define CMDR_READFILE_H
#include <stddef.h>

enum { READFILE_OK = 0, READFILE_FAILED = -1, READFILE_TOO_LARGE = -2 };

/* Reads all of path into *buf (NUL-terminated, *len bytes), refusing more
 * than limit bytes. READFILE_FAILED: *err_no says why. READFILE_TOO_LARGE:
 * *size is the file's size for a regular file, -1 for a pipe that gave
 * more than limit bytes. Nothing to free unless READFILE_OK. */
int readfile_all(const char *path, size_t limit, char **buf, size_t *len, long long *size, int *err_no);

#endif
