/* libFuzzer target for journal verification and for reading journal lines
 * into the workflow and the timeline: any bytes as a journal file must give
 * a verdict (never a crash, a hang or a leak), an intact verdict only for a
 * chain that really is whole, every line the same seq and prev read fast
 * as through cJSON, and every line a state and a timeline entry with no
 * control character in it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audit.h"
#include "timeline.h"
#include "workflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_controls(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

/* Each line as consoles read it: the workflow's state and the timeline. */
static void read_lines(const uint8_t *data, size_t size)
{
	struct workflow w;
	struct timeline t;
	workflow_init(&w);
	timeline_init(&t, 4);
	for (size_t at = 0; at < size;) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - (data + at)) : size - at;
		double s1, s2;
		char p1[65], p2[65];
		int fast = audit_line_entry((const char *)data + at, len, true, &s1, p1);
		if (fast != audit_line_entry((const char *)data + at, len, false, &s2, p2) ||
		    (fast && (s1 != s2 || strcmp(p1, p2) != 0)))
			abort();
		cJSON *e = cJSON_ParseWithLength((const char *)data + at, len);
		if (e) {
			workflow_apply(&w, e, (int64_t)at);
			timeline_add(&t, e, (int64_t)at);
			const struct timeline_entry *te = timeline_at(&t, t.n - 1);
			no_controls(te->who);
			no_controls(te->what);
			no_controls(te->why);
			cJSON_Delete(e);
		}
		at += len + 1;
	}
	int64_t due;
	workflow_update_state(&w, (int64_t)size, &due);
	workflow_timecheck(&w, (int64_t)size);
	workflow_free(&w);
	timeline_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("journal", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct audit_result r;
	struct error err;
	if (audit_verify(path, NULL, &r, &err) == 0) {
		if (r.intact && size > 0 && data[size - 1] != '\n')
			abort(); /* a torn tail can never be intact */
		if (!r.intact && (r.bad_seq == 0 || strchr(r.why, '\n')))
			abort();
	}
	FILE *devnull = fopen("/dev/null", "w");
	if (devnull) {
		audit_show(path, false, devnull, &err);
		fclose(devnull);
	}
	close(fd);
	read_lines(data, size);
	return 0;
}
