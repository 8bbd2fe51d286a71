/* What the fuzz targets that read text share: the input, or the input
 * after the bytes a target reads as choices, copied to a buffer of
 * exactly its length with no terminator, so that ASan catches any read
 * past the length the parser was given (libFuzzer's own buffer is as
 * exact, but the parsers take a char pointer, and a copy keeps the
 * target's input untouched). */
#ifndef CMDR_FUZZ_TEXT_H
#define CMDR_FUZZ_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* data[skip..size) in a fresh buffer of that length, which the caller
 * frees; its length in *len (when len is not NULL). NULL when the input
 * is shorter than skip or there was no memory: the target returns. */
static inline char *fuzz_text(const uint8_t *data, size_t size, size_t skip, size_t *len)
{
	if (size < skip)
		return NULL;
	size_t n = size - skip;
	char *text = malloc(n ? n : 1);
	if (!text)
		return NULL;
	memcpy(text, data + skip, n);
	if (len)
		*len = n;
	return text;
}

#endif
