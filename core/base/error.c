#include "error.h"

#include <stdarg.h>
#include <stdio.h>

static int set(struct error *err, enum error_kind kind, const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	err->kind = kind;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	return -1;
}

/* error_set and its siblings differ only in the kind they set. */
#define ERROR_SETTER(name, kind)                                  \
	int name(struct error *err, const char *fmt, ...)         \
	{                                                         \
		va_list ap;                                       \
		va_start(ap, fmt);                                \
		set(err, kind, fmt, ap);                          \
		va_end(ap);                                       \
		return -1;                                        \
	}

ERROR_SETTER(error_set, ERROR_CHECK)
ERROR_SETTER(error_external, ERROR_EXTERNAL)
ERROR_SETTER(error_usage, ERROR_USAGE)
