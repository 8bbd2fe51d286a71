#include "readfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xalloc.h"

/* size: the file's, or -1 for a pipe that gave more than limit bytes. */
static int too_large(struct error *err, long long size, size_t limit)
{
	char lim[32];
	if (limit % (1u << 20) == 0)
		snprintf(lim, sizeof lim, "%zu MiB", limit >> 20);
	else
		snprintf(lim, sizeof lim, "%zu bytes", limit);
	if (size >= 0)
		return error_set(err, "too large (%lld bytes, limit %s)", size, lim);
	return error_set(err, "too large (over %zu bytes, limit %s)", limit, lim);
}

int readfile_all(const char *path, size_t limit, char **buf, size_t *len, struct error *err)
{
	*buf = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return error_set(err, "cannot read: %s", strerror(errno));
	struct stat st;
	bool regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
	if (regular && (unsigned long long)st.st_size > limit) {
		fclose(f);
		return too_large(err, (long long)st.st_size, limit);
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
			return too_large(err, -1, limit);
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;
		free(b);
		fclose(f);
		return error_set(err, "cannot read: %s", strerror(e));
	}
	fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}
