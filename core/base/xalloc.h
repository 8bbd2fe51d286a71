/* Allocation wrappers: cmdr treats running out of memory as an impossible
 * state and aborts with a message, so callers never check for NULL. */
#ifndef CMDR_XALLOC_H
#define CMDR_XALLOC_H
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grow *array (of *cap elements of elem_size) so that it holds at least need. */
void xgrow(void *array_ptr, size_t *cap, size_t need, size_t elem_size);

#endif
