#include "readfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "xalloc.h"

int readfile_all(const char *path, size_t limit, char **buf, size_t *len, long long *size, int *err_no)
{
	*buf = NULL;
	*len = 0;
	*size = -1;
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err_no = errno;
		return READFILE_FAILED;
	}
	struct stat st;
	bool regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
	if (regular && (unsigned long long)st.st_size > limit) {
		*size = (long long)st.st_size;
		fclose(f);
		return READFILE_TOO_LARGE;
	}
	/* Read to the end rather than trusting st_size: the path may be a
	 * pipe (-c <(...)), or a file still being written. */
	size_t cap = regular ? (size_t)st.st_size + 1 : 65536, n = 0;
	char *b = xmalloc(cap + 1);
	for (;;) {
		if (n == cap)
			b = xrealloc(b, (cap *= 2) + 1);
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (n > limit) {
			free(b);
			fclose(f);
			return READFILE_TOO_LARGE;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		*err_no = errno;
		free(b);
		fclose(f);
		return READFILE_FAILED;
	}
	fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return READFILE_OK;
}
