/* The journal: hash chain, sequence numbers, appends from many processes,
 * torn tails refused, following lines others appended. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
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

/* Checks every line's seq and prev against the previous line's bytes. */
static int verify_chain(const char *path, int *lines)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		return -1;
	char prev[65] = JOURNAL_GENESIS;
	int seq = 0, bad = 0;
	char *line = text;
	for (char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		cJSON *e = cJSON_Parse(line);
		seq++;
		if (!e || cJSON_GetNumberValue(cJSON_GetObjectItem(e, "seq")) != seq ||
		    strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "prev")), prev) != 0)
			bad++;
		cJSON_Delete(e);
		journal_hash(line, (size_t)(nl - line), prev);
	}
	free(text);
	*lines = seq;
	return bad;
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
	int lines = 0;
	char path[128];
	snprintf(path, sizeof path, "%s/journal.jsonl", dir);
	CHECK(verify_chain(path, &lines) == 0);
	CHECK(lines == 5);
	/* Reopening finds the same head and count. */
	CHECK(journal_open(&j, dir, &err) == 0);
	CHECK(j.entries == 5);
	CHECK_STR(j.head, head);
	journal_close(&j);
}

static void test_many_processes(void)
{
	const char *dir = check_tmpdir();
	struct error err;
	enum { PROCS = 4, EACH = 50 };
	for (int p = 0; p < PROCS; p++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct journal j;
			if (journal_open(&j, dir, &err) != 0)
				_exit(1);
			for (int i = 0; i < EACH; i++) {
				cJSON *e = entry("note");
				/* Long lines make interleaving visible if locking failed. */
				char pad[3000];
				memset(pad, 'a' + p, sizeof pad - 1);
				pad[sizeof pad - 1] = '\0';
				cJSON_AddStringToObject(e, "text", pad);
				if (journal_append(&j, e, &err) != 0)
					_exit(2);
				cJSON_Delete(e);
			}
			journal_close(&j);
			_exit(0);
		}
	}
	int failed = 0, status;
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	CHECK(failed == 0);
	char path[128];
	int lines = 0;
	snprintf(path, sizeof path, "%s/journal.jsonl", dir);
	CHECK(verify_chain(path, &lines) == 0);
	CHECK(lines == PROCS * EACH);
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
	RUN(test_many_processes);
	RUN(test_follows_others);
	RUN(test_torn_tail_refused);
	RUN(test_unwritable_dir);
	return CHECK_EXIT();
}
