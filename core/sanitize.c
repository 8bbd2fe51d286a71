#include "sanitize.h"

#include <stdbool.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid,
 * overlong, a surrogate, beyond U+10FFFF, or a C1 control (U+0080..U+009F,
 * which some terminals obey as escape sequences). */
static size_t utf8_valid_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

size_t sanitize_text(const char *src, char *dst, size_t size)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;
	if (size == 0)
		return 0;
	while (*s) {
		size_t len = utf8_valid_len(s);
		bool control = len == 1 && (*s < 0x20 || *s == 0x7f);
		if (len == 0 || control) {
			if (o + 1 >= size)
				break;
			dst[o++] = '?';
			s += 1;
			continue;
		}
		if (o + len >= size)
			break;
		for (size_t i = 0; i < len; i++)
			dst[o++] = (char)s[i];
		s += len;
	}
	dst[o] = '\0';
	return o;
}
