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

int error_set(struct error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set(err, ERROR_CHECK, fmt, ap);
	va_end(ap);
	return -1;
}

int error_external(struct error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set(err, ERROR_EXTERNAL, fmt, ap);
	va_end(ap);
	return -1;
}
