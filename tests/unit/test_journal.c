/* The journal: hash chain and sequence numbers, torn tails refused,
 * following lines others appended. (Many writers: test_audit.c.) */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "audit.h"
#include "journal.h"

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 20);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static cJSON *entry(const char *action)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "action", action);
	return e;
}

static void test_chain_and_seq(void)
{
	const char *dir = check_tmpdir();
	struct journal j;
	struct error err;
	CHECK(journal_open(&j, dir, &err) == 0);
	CHECK(j.entries == 0);
	CHECK_STR(j.head, JOURNAL_GENESIS);
	for (int i = 0; i < 5; i++) {
		cJSON *e = entry("note");
		CHECK(journal_append(&j, e, &err) == 0);
		CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(e, "seq")) == i + 1);
		cJSON_Delete(e);
	}
	CHECK(j.entries == 5);
	char head[65];
	memcpy(head, j.head, sizeof head);
	journal_close(&j);
	char path[128];
	snprintf(path, sizeof path, "%s/journal.jsonl", dir);
	struct audit_result r;
	CHECK(audit_verify(path, head, &r, &err) == 0);
	CHECK(r.intact && r.entries == 5);
	/* The first line chains to the genesis value, the second to the
	 * first line's exact bytes. */
	size_t len;
	char *text = read_file(path, &len);
	char first[65];
	char *nl = strchr(text, '\n');
	journal_hash(text, (size_t)(nl - text), first);
	CHECK(strncmp(text, "{\"seq\":1,\"prev\":\"" JOURNAL_GENESIS "\"", 82) == 0);
	CHECK(strncmp(nl + 1, "{\"seq\":2,\"prev\":\"", 17) == 0 && strncmp(nl + 18, first, 64) == 0);
	free(text);
	/* Reopening finds the same head and count. */
	CHECK(journal_open(&j, dir, &err) == 0);
	CHECK(j.entries == 5);
	CHECK_STR(j.head, head);
	journal_close(&j);
}

static void test_follows_others(void)
{
	const char *dir = check_tmpdir();
	struct journal a, b;
	struct error err;
	CHECK(journal_open(&a, dir, &err) == 0);
	CHECK(journal_open(&b, dir, &err) == 0);
	cJSON *e = entry("note");
	CHECK(journal_append(&a, e, &err) == 0);
	cJSON_Delete(e);
	CHECK(b.entries == 0);
	CHECK(journal_sync(&b, &err) == 0);
	CHECK(b.entries == 1);
	CHECK_STR(b.head, a.head);
	/* b's append chains onto a's line, not onto what b saw at open. */
	e = entry("note");
	CHECK(journal_append(&b, e, &err) == 0);
	CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(e, "seq")) == 2);
	cJSON_Delete(e);
	journal_close(&a);
	journal_close(&b);
}

static void test_torn_tail_refused(void)
{
	const char *dir = check_tmpdir();
	struct journal j;
	struct error err;
	CHECK(journal_open(&j, dir, &err) == 0);
	cJSON *e = entry("note");
	CHECK(journal_append(&j, e, &err) == 0);
	cJSON_Delete(e);
	/* A crash mid-write leaves half a line. */
	int fd = open(j.path, O_WRONLY | O_APPEND);
	CHECK(write(fd, "{\"seq\":2,\"pr", 12) == 12);
	close(fd);
	e = entry("note");
	CHECK(journal_append(&j, e, &err) == -1);
	CHECK(strstr(err.msg, "partial line") != NULL);
	cJSON_Delete(e);
	CHECK(j.entries == 1);
	CHECK(j.torn);
	journal_close(&j);
}

static void test_unwritable_dir(void)
{
	struct journal j;
	struct error err;
	CHECK(journal_open(&j, "/proc/cmdr-no-such/dir", &err) == -1);
	CHECK(strstr(err.msg, "/proc/cmdr-no-such/dir") != NULL);
}

int main(void)
{
	RUN(test_chain_and_seq);
	RUN(test_follows_others);
	RUN(test_torn_tail_refused);
	RUN(test_unwritable_dir);
	return CHECK_EXIT();
}
