/* Private to the runbook reader's files (core/runbook*.c). */
#ifndef CMDR_RUNBOOK_IMPL_H
#define CMDR_RUNBOOK_IMPL_H
#include "runbook.h"

/* runbook.c */
/* A problem at PATH:LINE added to p: an error refuses the file. */
void runbook_error(struct runbook_problems *p, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void runbook_warning(struct runbook_problems *p, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* text as a step id: lower case, words joined by "-". */
char *runbook_slug(const char *text);
void runbook_trim(char *s);
/* runbook_front.c */
/* Reads the front matter at the top of text into rb; returns where the
 * body starts (0: none); *closed: its closing --- was found. */
size_t runbook_front_matter(struct runbook *rb, const char *text, size_t len, const char *path,
			   struct runbook_problems *problems, bool *closed);

#endif
