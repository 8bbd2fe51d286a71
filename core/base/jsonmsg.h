/* The pieces of a one-line message about a JSON file, shared by the
 * scenario parser and the config checker: text from the file quoted safely,
 * the JSON path of the value at fault, and cJSON's syntax errors as
 * FILE:LINE:COL. Then the few small cJSON readers and builders that
 * several rooms share. */
#ifndef CMDR_JSONMSG_H
#define CMDR_JSONMSG_H
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* How quoted text shows a newline byte: scenario messages have always said
 * "\n", config messages "\x0a" like any other control byte. */
enum jsonmsg_newline { JSONMSG_NEWLINE_HEX, JSONMSG_NEWLINE_N };

/* src in double quotes, with '"' and '\\' escaped, control and non-ASCII
 * bytes as \xHH, and "..." after max bytes; cut short to fit size (an
 * empty string if size < 8). */
void jsonmsg_quote(const char *src, size_t max, enum jsonmsg_newline newline, char *buf, size_t size);

/* What the file had where something else was expected: a quoted string,
 * a number, true, "an array", ... or "nothing" for NULL. */
void jsonmsg_describe(const cJSON *v, enum jsonmsg_newline newline, char *buf, size_t size);

/* The path step for an object key: ".key", or ["key"] for keys that are
 * not short plain identifiers (user names like "bob.smith", "d-1428"). */
void jsonmsg_key_path(const char *key, enum jsonmsg_newline newline, char *buf, size_t size);

/* The JSON path of the value being read, e.g. "$.canaries[0].windows[2].at"
 * or '$.roles["a b"]'. Adding a step returns the length before it, for
 * jsonmsg_path_pop; a path too long for text is cut. */
struct jsonmsg_path {
	char text[256];
	size_t len;
	enum jsonmsg_newline newline;
};

void jsonmsg_path_init(struct jsonmsg_path *path, enum jsonmsg_newline newline); /* "$" */
size_t jsonmsg_path_key(struct jsonmsg_path *path, const char *key);
size_t jsonmsg_path_index(struct jsonmsg_path *path, size_t i);
void jsonmsg_path_pop(struct jsonmsg_path *path, size_t old);

/* "FILE:LINE:COL: JSON syntax error near "..."" (or ": unexpected end of
 * input") for text[0..len) where cJSON gave up at `at` (NULL: the start).
 * A fresh heap string. */
char *jsonmsg_syntax_error(const char *text, size_t len, const char *file, const char *at);

/* o[key] when it is a string, else NULL (o may be NULL). */
const char *jsonmsg_str(const cJSON *o, const char *key);

/* o[key] as a whole number from 0 to max, else 0: a journal line's seq or
 * count may be any JSON number, and casting one out of range is undefined. */
uint64_t jsonmsg_uint(const cJSON *o, const char *key, uint64_t max);

/* A JSON array of the strings v[0..n), in order (v may be NULL when n is
 * 0: the array is empty, never missing). For the lists of names and ids
 * the status and rules outputs carry: an alert's silences, the policy's
 * shared accounts. */
cJSON *jsonmsg_strings(char *const *v, size_t n);

#endif
