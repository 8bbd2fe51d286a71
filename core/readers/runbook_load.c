/* A runbook file read from disk (files only: a FIFO would hang the
 * console) and a parsed runbook freed. */
#include "runbook.h"
#include "runbook_doc.h"
#include "runbook_impl.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "readfile.h"

void runbook_free(struct runbook *rb)
{
	free(rb->path);
	free(rb->name);
	free(rb->title);
	free(rb->severity);
	free(rb->owner);
	for (size_t i = 0; i < rb->n_triggers; i++) {
		free(rb->triggers[i].pattern);
		pcre2_code_free(rb->triggers[i].code);
	}
	free(rb->triggers);
	for (size_t i = 0; i < rb->n_sections; i++) {
		free(rb->sections[i].title);
		free(rb->sections[i].slug);
		for (size_t k = 0; k < rb->sections[i].n_codes; k++)
			runbook_code_free(&rb->sections[i].codes[k]);
		free(rb->sections[i].codes);
	}
	free(rb->sections);
	for (size_t i = 0; i < rb->n_steps; i++) {
		free(rb->steps[i].id);
		free(rb->steps[i].text);
		for (size_t k = 0; k < rb->steps[i].n_codes; k++)
			runbook_code_free(&rb->steps[i].codes[k]);
		free(rb->steps[i].codes);
	}
	free(rb->steps);
	doc_free_blocks(rb);
	memset(rb, 0, sizeof *rb);
}

int runbook_load(const char *path, struct runbook *rb, struct runbook_problems *problems)
{
	memset(rb, 0, sizeof *rb);
	/* A FIFO named x.md would block the read until someone writes to it:
	 * the console would never start. Files only, besides what a shell
	 * hands over as /dev/stdin or /dev/fd/N (lint <(...)). */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && strncmp(path, "/dev/", 5) != 0 &&
	    strncmp(path, "/proc/", 6) != 0) {
		runbook_error(problems, path, 1, "not a regular file (%s); runbooks are read from files only",
			      S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ? "a directory" : "a device or socket");
		return -1;
	}
	char *buf;
	size_t len;
	struct error err;
	if (readfile_all(path, RUNBOOK_MAX_BYTES, &buf, &len, &err) != 0) {
		runbook_error(problems, path, 1, "%s", err.msg);
		return -1;
	}
	int rc = runbook_parse(buf, len, path, rb, problems);
	free(buf);
	return rc;
}
