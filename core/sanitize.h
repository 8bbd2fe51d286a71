/* Text from outside (deployment names, metric labels, runbook lines, API
 * error messages) is made safe to draw: C0/C1 controls, DEL and invalid
 * UTF-8 never reach the terminal. */
#ifndef CMDR_SANITIZE_H
#define CMDR_SANITIZE_H
#include <stddef.h>

/* Copies src into dst (always NUL-terminated), replacing each control
 * character and each invalid UTF-8 byte with '?', never splitting a
 * multibyte character. Returns the length written. */
size_t sanitize_text(const char *src, char *dst, size_t size);

/* The offset of the first byte that is not part of valid UTF-8 (overlong
 * forms, surrogates and truncated sequences are invalid), or len. */
size_t utf8_check(const char *s, size_t len);

#endif
