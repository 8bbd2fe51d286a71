/* The command line: options shared by every command, and the commands
 * themselves (one file each). Commands other than the consoles use core
 * only and never start curses. */
#ifndef CMDR_CLI_H
#define CMDR_CLI_H
#include <stdbool.h>

#include "actor.h"

struct cli_options {
	const char *dir;      /* -i DIR */
	const char *as_name;  /* --as NAME */
	enum role role;       /* --role */
	bool readonly, ascii, color, json, headless;
	double speed;         /* --speed N, 0 when not given */
	const char *until;    /* --until TIME */
	const char *head;     /* --head HASH */
	const char *args[4];  /* positional arguments after the command */
	int n_args;
};

enum { EXIT_OK = 0, EXIT_CHECK = 1, EXIT_USAGE = 2, EXIT_EXTERNAL = 3 };

int cmd_console(const struct cli_options *o);
int cmd_drill(const struct cli_options *o);
int cmd_status(const struct cli_options *o);
int cmd_audit(const struct cli_options *o);

#endif
