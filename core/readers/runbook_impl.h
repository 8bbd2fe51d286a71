/* Private to the runbook reader's files (core/readers/runbook*.c). */
#ifndef CMDR_RUNBOOK_IMPL_H
#define CMDR_RUNBOOK_IMPL_H
#include "runbook.h"

/* runbook_problems.c */
/* A problem at PATH:LINE added to p: an error refuses the file. */
void runbook_error(struct runbook_problems *p, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void runbook_warning(struct runbook_problems *p, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Drops the problems after the first n. */
void runbook_problems_truncate(struct runbook_problems *p, size_t n);
/* runbook_ids.c */
/* text as an id part: its ASCII words lower-cased and joined by "-" (as
 * ids have always been made), else the words of its own script. */
char *runbook_slug(const char *text);
/* A step's own id part: its slug, or "step" (ASCII text without words),
 * or "step-" and a hash of the text. */
char *runbook_step_slug(const char *text);
/* One id per step: a later step with an id taken gets -2, -3 ... */
void runbook_settle_ids(struct runbook *rb, struct runbook_problems *problems);
/* runbook.c */
void runbook_trim(char *s);
/* runbook_text.c */
/* An entity md4c met (&amp;, &#x41; ...): *shown and the length to show,
 * decoded into buf when numeric; as written when unknown. */
size_t runbook_entity(const char *text, size_t size, char buf[8], const char **shown);
/* Inline HTML not to keep in text: comments (*in_comment carries one
 * over pieces) and the tags of HTML; a placeholder like <pod-name>
 * stays. */
bool runbook_html_hidden(bool *in_comment, const char *text, size_t size);
/* md4c hands a code line's indentation over as spaces, a tab as up to
 * four: the indentation of cols columns that ends at text (in the
 * source line starting at line) is *spaces spaces and then the source
 * from the returned pointer to text, so that a tab stays a tab. When the
 * source holds no such blanks, all of it is spaces (returns text). */
const char *runbook_code_indent(const char *line, const char *text, size_t cols, size_t *spaces);
/* runbook_front.c */
/* Reads the front matter at the top of text into rb; returns where the
 * body starts (0: none); *closed: its closing --- was found. */
size_t runbook_front_matter(struct runbook *rb, const char *text, size_t len, const char *path,
			   struct runbook_problems *problems, bool *closed);

#endif
