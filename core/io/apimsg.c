#include "apimsg.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sanitize.h"
#include "xalloc.h"

/* Messages quote the service's own words, which can run to paragraphs:
 * one line of about this many bytes reaches the status line. */
#define MSG_MAX 200

/* One line for the status bar: runs of whitespace (the service's messages
 * carry \r\n) become one space, controls and bad UTF-8 become '?', and a
 * long line is cut on a character boundary with "...". */
static void clean_line(const char *src, char *dst, size_t size)
{
	char folded[1024];
	size_t o = 0;
	for (const char *s = src; *s && o + 1 < sizeof folded; s++) {
		bool space = *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n';
		if (space && (o == 0 || folded[o - 1] == ' '))
			continue;
		folded[o++] = space ? ' ' : *s;
	}
	while (o > 0 && folded[o - 1] == ' ')
		o--;
	folded[o] = '\0';
	char safe[1024];
	size_t n = sanitize_text(folded, safe, sizeof safe);
	size_t max = size - 1 < MSG_MAX ? size - 1 : MSG_MAX;
	if (n > max) {
		n = max - 3;
		while (n > 0 && ((unsigned char)safe[n] & 0xc0) == 0x80)
			n--;
		memcpy(safe + n, "...", 4);
		n += 3;
	}
	memcpy(dst, safe, n + 1);
}

int apimsg_error_set(struct error *err, const char *fmt, ...)
{
	char raw[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	if (err)
		clean_line(raw, err->msg, sizeof err->msg);
	return -1;
}

/* The first bytes of a body that is not what was expected (an HTML error
 * page from a proxy, say), up to a NUL. */
void apimsg_excerpt(const char *body, size_t len, char *buf, size_t size)
{
	size_t n = 0;
	while (n < len && n < APIMSG_EXCERPT_MAX && n + 1 < size && body[n])
		n++;
	memcpy(buf, body, n);
	buf[n] = '\0';
	if (n == 0)
		snprintf(buf, size, "(empty body)");
}

bool apimsg_is_json(const char *content_type)
{
	const char *s = content_type;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strcspn(s, ";");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n == strlen("application/json") && strncasecmp(s, "application/json", n) == 0;
}

cJSON *apimsg_json_parse(const char *body, size_t len, size_t *at)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, false);
	if (root) {
		/* cJSON stops after the first value; anything but whitespace
		 * after it is not JSON either. */
		while (end < body + len && *end && strchr(" \t\r\n", *end))
			end++;
		if (end < body + len) {
			cJSON_Delete(root);
			root = NULL;
		}
	}
	*at = end && end >= body && end <= body + len ? (size_t)(end - body) : 0;
	return root;
}

char *apimsg_url_escape(const char *s)
{
	/* RFC 3986: everything but the unreserved characters, as %XX. */
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(3 * strlen(s) + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '.' || *p == '_' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

