#include "sanitize.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Length (1..4) of the well-formed UTF-8 sequence at s, within avail
 * bytes, with its code point; 0 when it is not one (overlong forms,
 * surrogates, beyond U+10FFFF, truncated). */
static size_t utf8_seq(const unsigned char *s, size_t avail, uint32_t *cp_out)
{
	unsigned c = s[0];
	size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	if (n == 0 || n > avail)
		return 0;
	uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cp_out = cp;
	return n;
}

size_t utf8_check(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(u + i, len - i, &cp);
		if (!n)
			return i;
		i += n;
	}
	return len;
}

/* Bidirectional controls reorder what follows them on screen (U+202E
 * shows "exe.txt" for "txt.exe"): embeddings, overrides, isolates, marks. */
static bool is_bidi(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
	       cp == 0x061c;
}

/* The one cleaner behind every medium: copies len bytes of src into dst
 * (always NUL-terminated, never a character split), each control, C1,
 * bidi control and invalid byte replaced with '?'; with lines, newlines
 * and tabs are kept. */
static size_t clean(const unsigned char *s, size_t len, char *dst, size_t size, bool lines)
{
	size_t o = 0;
	if (size == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		size_t n = utf8_seq(s + i, len - i, &cp);
		bool keep_c0 = lines && (cp == '\n' || cp == '\t');
		/* A C1 control is replaced byte by byte, as an invalid byte is:
		 * its second byte alone would be one. */
		size_t drop = n == 0 ? 1 : n == 1 && ((cp < 0x20 && !keep_c0) || cp == 0x7f) ? 1
			      : cp >= 0x80 && cp <= 0x9f ? 1 : is_bidi(cp) ? n : 0;
		if (drop) {
			if (o + 1 >= size)
				break;
			dst[o++] = '?';
			i += drop;
			continue;
		}
		if (o + n >= size)
			break;
		memcpy(dst + o, s + i, n);
		o += n;
		i += n;
	}
	dst[o] = '\0';
	return o;
}

size_t sanitize_text(const char *src, char *dst, size_t size)
{
	return clean((const unsigned char *)src, strlen(src), dst, size, false);
}

size_t sanitize_lines(const char *src, size_t len, char *dst, size_t size)
{
	return clean((const unsigned char *)src, len, dst, size, true);
}

/* A string's clean copy, or NULL when it is clean already. */
static char *cleaned(const char *s)
{
	size_t len = strlen(s);
	char *out = xmalloc(len + 1);
	clean((const unsigned char *)s, len, out, len + 1, true);
	if (strcmp(out, s) == 0) {
		free(out);
		return NULL;
	}
	return out;
}

void sanitize_json(cJSON *item)
{
	for (; item; item = item->next) {
		char *c;
		if (item->string && !(item->type & cJSON_StringIsConst) && (c = cleaned(item->string))) {
			free(item->string);
			item->string = c;
		}
		if (cJSON_IsString(item) && item->valuestring && (c = cleaned(item->valuestring))) {
			cJSON_SetValuestring(item, c);
			free(c);
		}
		sanitize_json(item->child);
	}
}
