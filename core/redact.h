/* Secrets never enter the journal or reach the screen: PCRE2 patterns for
 * bearer tokens, API keys and tokens, passwords in URLs and key=value
 * pairs, and e-mail addresses (plus any added from the config) replace what
 * they match before text is journaled, printed or drawn. */
#ifndef CMDR_REDACT_H
#define CMDR_REDACT_H
#include <stdbool.h>

#include <cjson/cJSON.h>

#include "error.h"

/* A copy of text with every secret replaced (caller frees). */
char *redact_text(const char *text);
/* Whether text holds anything redact_text would replace. */
bool redact_needed(const char *text);
/* Redacts every string (values and keys' values) in a JSON tree in place. */
void redact_json(cJSON *item);
/* Adds a pattern (PCRE2 syntax) whose matches become `replacement`
 * ("$1" etc. refer to groups). The error names the offset in the pattern. */
int redact_add_pattern(const char *pattern, const char *replacement, struct error *err);

enum redact_problem { REDACT_OK, REDACT_BAD_PATTERN, REDACT_EMPTY_MATCH, REDACT_BAD_REPLACEMENT };
/* Checks a pattern and its replacement (NULL: none) without installing
 * them, for `cmdr config check`: the pattern must compile as
 * redact_add_pattern compiles it and must not match empty text; the
 * replacement must be valid and name only groups the pattern has. err
 * says what is wrong and at which offset of the pattern or replacement. */
enum redact_problem redact_check_pattern(const char *pattern, const char *replacement, struct error *err);

#endif
