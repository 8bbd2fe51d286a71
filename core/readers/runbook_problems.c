/* A runbook's problems: errors refuse the file, warnings do not; each
 * one line, "FILE:LINE: [warning: ]message". */
#include "runbook.h"
#include "runbook_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "xalloc.h"

static void problem_add(struct runbook_problems *p, enum runbook_severity severity, const char *path, int line,
			const char *fmt, va_list ap)
{
	char what[512];
	vsnprintf(what, sizeof what, fmt, ap);
	/* A message must stay one line whatever the file held. */
	for (char *c = what; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	xgrow(&p->list, &p->cap, p->n + 1, sizeof *p->list);
	struct runbook_problem *q = &p->list[p->n++];
	q->severity = severity;
	q->file = xstrdup(path);
	q->line = line;
	q->text = xasprintf("%s:%d: %s%s", path, line, severity == RUNBOOK_WARNING ? "warning: " : "", what);
	q->message = q->text + strlen(q->text) - strlen(what);
	p->n_errors += severity == RUNBOOK_ERROR;
}

void runbook_error(struct runbook_problems *p, const char *path, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	problem_add(p, RUNBOOK_ERROR, path, line, fmt, ap);
	va_end(ap);
}

void runbook_warning(struct runbook_problems *p, const char *path, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	problem_add(p, RUNBOOK_WARNING, path, line, fmt, ap);
	va_end(ap);
}

void runbook_problems_free(struct runbook_problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->list[i].file);
		free(p->list[i].text);
	}
	free(p->list);
	memset(p, 0, sizeof *p);
}

/* Drops the problems after the first n. */
void runbook_problems_truncate(struct runbook_problems *p, size_t n)
{
	while (p->n > n) {
		struct runbook_problem *q = &p->list[--p->n];
		p->n_errors -= q->severity == RUNBOOK_ERROR;
		free(q->file);
		free(q->text);
	}
}

void runbook_problems_to_json(const struct runbook_problems *p, struct cJSON *arr)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct runbook_problem *q = &p->list[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "file", q->file);
		cJSON_AddNumberToObject(o, "line", q->line);
		cJSON_AddStringToObject(o, "severity", q->severity == RUNBOOK_ERROR ? "error" : "warning");
		cJSON_AddStringToObject(o, "message", q->message);
		cJSON_AddItemToArray(arr, o);
	}
}
