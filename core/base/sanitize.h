/* Text from outside (deployment names, metric labels, runbook lines, API
 * error messages) is made safe for where it goes: C0/C1 controls, DEL,
 * bidirectional controls and invalid UTF-8 never reach a terminal, a JSON
 * document or the journal. One cleaner serves every medium. */
#ifndef CMDR_SANITIZE_H
#define CMDR_SANITIZE_H
#include <stddef.h>

#include <cjson/cJSON.h>

/* Copies src into dst (always NUL-terminated), replacing each control
 * character (C0, DEL, C1 as raw bytes or as UTF-8), each bidirectional
 * control (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C) and
 * each invalid UTF-8 byte with '?', never splitting a multibyte
 * character. One line for the terminal. Returns the length written. */
size_t sanitize_text(const char *src, char *dst, size_t size);
/* As sanitize_text on len bytes (NULs included) keeping newlines and
 * tabs: whole documents (stdout, stderr). dst needs len + 1 bytes for
 * all of it. */
size_t sanitize_lines(const char *src, size_t len, char *dst, size_t size);
/* Cleans every string and key of a JSON tree in place as sanitize_lines
 * does: cJSON escapes C0 but writes C1, bidi controls and invalid UTF-8
 * raw, which a reader's terminal would obey. */
void sanitize_json(cJSON *item);

/* The offset of the first byte that is not part of valid UTF-8 (overlong
 * forms, surrogates and truncated sequences are invalid), or len. */
size_t utf8_check(const char *s, size_t len);

#endif
