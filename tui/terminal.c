/* Whether the terminal can be drawn on, asked before anything is
 * journaled: ncurses' initscr() exits the process on an unknown TERM, and
 * a drill that had already journaled its start would then refuse the
 * retry for a directory that is no longer fresh. Its own file: term.h
 * defines macros (lines, columns) that no other file should see. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

/* Declared in cli/cli.h (the setup asks it before a console starts),
 * which term.h's macros would break. */
int terminal_usable(char *why, size_t size);

int terminal_usable(char *why, size_t size)
{
	int err = 0;
	const char *term = getenv("TERM");
	if (setupterm(NULL, STDOUT_FILENO, &err) == OK) {
		del_curterm(cur_term);
		return 0;
	}
	if (err == 0)
		snprintf(why, size, "TERM=%s: no such terminal type in the terminfo database (try TERM=xterm-256color)",
			 term && *term ? term : "(unset)");
	else
		snprintf(why, size, "TERM=%s: the terminfo database cannot be read", term && *term ? term : "(unset)");
	return -1;
}
