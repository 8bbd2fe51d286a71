/* Errors a user can cause travel back as values: a one-line message saying
 * what went wrong and where, ready for stderr or the status line. */
#ifndef CMDR_ERROR_H
#define CMDR_ERROR_H

/* What kind of failure: the commands' exit status comes from it, never
 * from the message's words (cli_exit_status in cli/cli.h). */
enum error_kind {
	ERROR_CHECK,    /* bad input, or a rule said no (exit 1) */
	ERROR_EXTERNAL, /* a system outside cmdr failed (exit 3) */
	ERROR_USAGE,    /* a command given words it cannot take (exit 2) */
};

struct error {
	char msg[512];
	enum error_kind kind;
};

/* Sets the message (printf style) and the kind ERROR_CHECK, and returns
 * -1, so callers can write `return error_set(err, "...")`. err may be
 * NULL. */
int error_set(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for a system outside cmdr that failed: ERROR_EXTERNAL. */
int error_external(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for a command given the wrong words: ERROR_USAGE. */
int error_usage(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
