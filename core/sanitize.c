#include "sanitize.h"

#include <stdbool.h>
#include <stdint.h>

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

/* As utf8_seq on a NUL-terminated string, refusing C1 controls too
 * (U+0080..U+009F, which some terminals obey as escape sequences). */
static size_t utf8_valid_len(const unsigned char *s)
{
	uint32_t cp;
	size_t avail = 1;
	while (avail < 4 && s[avail - 1])
		avail++;
	size_t n = utf8_seq(s, avail, &cp);
	return n && !(cp >= 0x80 && cp <= 0x9f) ? n : 0;
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
