/* Secrets never enter the journal or reach the screen: the values of the
 * secrets cmdr loaded, then PCRE2 patterns for bearer tokens, API keys and
 * tokens, passwords in URLs and key=value pairs, and e-mail addresses (plus
 * any added from the config) replace what they match before text is
 * journaled, printed or drawn. */
#ifndef CMDR_REDACT_H
#define CMDR_REDACT_H
#include <stdbool.h>

#include <cjson/cJSON.h>

#include "error.h"

/* A copy of text with every secret replaced (caller frees): the values
 * registered by redact_add_secret, then the patterns. */
char *redact_text(const char *text);
/* A copy of text with only the registered secret values replaced by
 * "[REDACTED]" (caller frees): for output whose form the patterns could
 * change (e-mail addresses in a runbook's --json). */
char *redact_secrets(const char *text);

/* Secrets shorter than this are not registered: replacing every "admin"
 * would blank ordinary words and tell a reader the secret. */
#define REDACT_SECRET_MIN 8
/* Registers a secret value cmdr itself loaded or obtained (a token, a
 * password, a client secret, a routing key, a webhook URL): from now on
 * it, its URL-encoded form and, for a URL, the part from its path on are
 * replaced by "[REDACTED]" wherever they occur. */
void redact_add_secret(const char *value);
/* Whether text holds a registered secret value. */
bool redact_holds_secret(const char *text);
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
