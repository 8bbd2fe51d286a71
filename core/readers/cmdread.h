/* What a command target's read command prints, as the traffic it serves:
 * whitespace-separated name=percent pairs ("d-1427=100 d-1428=0"), a JSON
 * object of name to percent, or a JSON object holding such an object as
 * "traffic" (`az ml online-endpoint show -o json`, unchanged). */
#ifndef CMDR_CMDREAD_H
#define CMDR_CMDREAD_H
#include <stddef.h>

#include "error.h"
#include "model.h"

/* Fills *out (free with target_view_free) from text[0..len); -1 with err
 * quoting a short, sanitised and redacted excerpt when it is none of the
 * forms. Percentages are whole numbers from 0 to 100 that add up to 100
 * (or 0: nothing serves yet); names are UTF-8 with no spaces, controls
 * or '='. */
int cmdread_parse(const char *text, size_t len, struct target_view *out, struct error *err);

#endif
