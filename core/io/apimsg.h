/* What the API clients (Prometheus, Azure Monitor, Entra ID tokens) share
 * when they read a service's answer: one safe line for a message, URL
 * escaping, a strict JSON parse, the content-type check, and an excerpt of
 * a body that was not what was expected. */
#ifndef CMDR_APIMSG_H
#define CMDR_APIMSG_H
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* How much of an unexpected body a message shows. */
#define APIMSG_EXCERPT_MAX 100

struct cJSON;

/* Sets err (printf style) to one line made safe for the terminal: runs of
 * whitespace become one space, controls and invalid UTF-8 '?', and the
 * line is cut to about 200 bytes on a character boundary. Returns -1. */
int apimsg_error_set(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* s percent-encoded (all but A-Z a-z 0-9 - . _ ~), for a path segment, a
 * query or a form value. A fresh heap string. */
char *apimsg_url_escape(const char *s);

/* body[0..len) as exactly one JSON value, with only whitespace after it;
 * NULL when it is not, with *at the byte offset (from 0) where it went
 * wrong. Free with cJSON_Delete. */
struct cJSON *apimsg_json_parse(const char *body, size_t len, size_t *at);

/* application/json, whatever its parameters (;charset=utf-8). */
bool apimsg_is_json(const char *content_type);

/* The first bytes of a body (up to APIMSG_EXCERPT_MAX, or a NUL), or
 * "(empty body)". */
void apimsg_excerpt(const char *body, size_t len, char *buf, size_t size);

#endif
