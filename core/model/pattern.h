/* A pattern a person types to pick what a pane shows (the console's `/`
 * filters: the timeline's and SLO BURN's): PCRE2, any case, UTF-8, with
 * its compile error as one line. */
#ifndef CMDR_PATTERN_H
#define CMDR_PATTERN_H
#include <stdbool.h>

#include "error.h"

struct pattern;
/* NULL with err ("filter: missing ) at 4") when text does not compile. */
struct pattern *pattern_new(const char *text, struct error *err);
/* s somewhere matches p; a NULL s never does. */
bool pattern_match(const struct pattern *p, const char *s);
void pattern_free(struct pattern *p);

#endif
