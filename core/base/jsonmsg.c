#include "jsonmsg.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "xalloc.h"

/* Control characters and non-ASCII bytes are escaped because the line may
 * reach a terminal; long values are cut so that one bad value cannot crowd
 * out the rest. */
void jsonmsg_quote(const char *src, size_t max, enum jsonmsg_newline newline, char *buf, size_t size)
{
	size_t o = 0;
	if (size < 8) {
		if (size)
			buf[0] = '\0';
		return;
	}
	buf[o++] = '"';
	for (size_t i = 0; src[i]; i++) {
		unsigned char c = (unsigned char)src[i];
		char tmp[8];
		if (i == max) {
			snprintf(tmp, sizeof tmp, "...");
		} else if (c == '"' || c == '\\') {
			snprintf(tmp, sizeof tmp, "\\%c", c);
		} else if (c == '\n' && newline == JSONMSG_NEWLINE_N) {
			snprintf(tmp, sizeof tmp, "\\n");
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(tmp, sizeof tmp, "\\x%02x", c);
		} else {
			tmp[0] = (char)c;
			tmp[1] = '\0';
		}
		size_t n = strlen(tmp);
		if (o + n + 2 > size)
			break;
		memcpy(buf + o, tmp, n);
		o += n;
		if (i == max)
			break;
	}
	buf[o++] = '"';
	buf[o] = '\0';
}

void jsonmsg_describe(const cJSON *v, enum jsonmsg_newline newline, char *buf, size_t size)
{
	if (!v)
		snprintf(buf, size, "nothing");
	else if (cJSON_IsString(v))
		jsonmsg_quote(v->valuestring, 40, newline, buf, size);
	else if (cJSON_IsNumber(v))
		snprintf(buf, size, "%.15g", v->valuedouble);
	else if (cJSON_IsTrue(v))
		snprintf(buf, size, "true");
	else if (cJSON_IsFalse(v))
		snprintf(buf, size, "false");
	else if (cJSON_IsNull(v))
		snprintf(buf, size, "null");
	else if (cJSON_IsArray(v))
		snprintf(buf, size, "an array");
	else if (cJSON_IsObject(v))
		snprintf(buf, size, "an object");
	else
		snprintf(buf, size, "an invalid value");
}

/* ---- JSON path --------------------------------------------------------- */

static bool is_identifier(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

void jsonmsg_key_path(const char *key, enum jsonmsg_newline newline, char *buf, size_t size)
{
	if (is_identifier(key) && strlen(key) < 40) {
		snprintf(buf, size, ".%s", key);
	} else {
		char q[72];
		jsonmsg_quote(key, 40, newline, q, sizeof q);
		snprintf(buf, size, "[%s]", q);
	}
}

void jsonmsg_path_init(struct jsonmsg_path *path, enum jsonmsg_newline newline)
{
	strcpy(path->text, "$");
	path->len = 1;
	path->newline = newline;
}

static void path_append(struct jsonmsg_path *path, const char *step)
{
	size_t room = sizeof path->text - path->len;
	size_t n = strlen(step);
	if (n >= room)
		n = room - 1;
	memcpy(path->text + path->len, step, n);
	path->len += n;
	path->text[path->len] = '\0';
}

size_t jsonmsg_path_key(struct jsonmsg_path *path, const char *key)
{
	size_t old = path->len;
	char buf[80];
	jsonmsg_key_path(key, path->newline, buf, sizeof buf);
	path_append(path, buf);
	return old;
}

size_t jsonmsg_path_index(struct jsonmsg_path *path, size_t i)
{
	size_t old = path->len;
	char buf[32];
	snprintf(buf, sizeof buf, "[%zu]", i);
	path_append(path, buf);
	return old;
}

void jsonmsg_path_pop(struct jsonmsg_path *path, size_t old)
{
	path->len = old;
	path->text[old] = '\0';
}

/* ---- syntax errors ----------------------------------------------------- */

/* Editors want line:column (1-based, counting characters, not UTF-8
 * continuation bytes). */
char *jsonmsg_syntax_error(const char *text, size_t len, const char *file, const char *at)
{
	size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : 0;
	/* cJSON sometimes stops on the whitespace after the bad token (",,\n"
	 * points at the newline); the token itself is more use to the reader. */
	while (off > 0 && off < len && text[off] && strchr(" \t\r\n", text[off]))
		off--;
	int line = 1, col = 1;
	for (size_t i = 0; i < off; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n') {
			line++;
			col = 1;
		} else if ((c & 0xc0) != 0x80) {
			col++;
		}
	}
	if (off >= len)
		return xasprintf("%s:%d:%d: JSON syntax error: unexpected end of input", file, line, col);
	/* The excerpt stops at the line's end, so how a newline is quoted
	 * never matters here. */
	char near[24], q[64];
	size_t n = 0;
	while (n < sizeof near - 1 && off + n < len && text[off + n] != '\n' && text[off + n])
		n++;
	memcpy(near, text + off, n);
	near[n] = '\0';
	jsonmsg_quote(near, 16, JSONMSG_NEWLINE_HEX, q, sizeof q);
	return xasprintf("%s:%d:%d: JSON syntax error near %s", file, line, col, q);
}

const char *jsonmsg_str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

uint64_t jsonmsg_uint(const cJSON *o, const char *key, uint64_t max)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(v))
		return 0;
	double d = v->valuedouble;
	if (!(d >= 0) || d >= 18446744073709551616.0 || d > (double)max)
		return 0;
	return (uint64_t)d;
}

cJSON *jsonmsg_strings(char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}
