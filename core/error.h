/* Errors a user can cause travel back as values: a one-line message saying
 * what went wrong and where, ready for stderr or the status line. */
#ifndef CMDR_ERROR_H
#define CMDR_ERROR_H

struct error {
	char msg[512];
};

/* Sets the message (printf style) and returns -1, so callers can write
 * `return error_set(err, "...")`. err may be NULL. */
int error_set(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
