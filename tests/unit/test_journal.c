/* The journal: hash chain and sequence numbers, torn tails refused,
 * following lines others appended. (Many writers: test_audit.c.) */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/file.h>
#include <sys/stat.h>
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

struct seen {
	size_t lines, longest, long_calls;
	uint64_t long_len;
};

static void on_seen(void *ctx, const char *line, size_t len)
{
	struct seen *s = ctx;
	(void)line;
	s->lines++;
	if (len > s->longest)
		s->longest = len;
}

static void on_seen_long(void *ctx, const char *prefix, size_t prefix_len, uint64_t len)
{
	struct seen *s = ctx;
	(void)prefix;
	s->long_calls++;
	s->long_len = len;
	if (prefix_len > s->longest)
		s->longest = prefix_len;
}

/* Opens the journal in dir as j, appends one entry, then by hand a line
 * of 3 MiB as entry 2 (*len bytes without its newline, its text from
 * byte *text on, hashing to head); j has not read it. */
static char *append_long_line(struct journal *j, const char *dir, size_t *len, int *text, char head[65])
{
	struct error err;
	CHECK(journal_open(j, dir, &err) == 0);
	cJSON *e = entry("note");
	CHECK(journal_append(j, e, &err) == 0);
	cJSON_Delete(e);
	size_t big = 3u << 20;
	char *line = malloc(big + 200);
	*text = snprintf(line, 200, "{\"seq\":2,\"prev\":\"%s\",\"text\":\"", j->head);
	memset(line + *text, 'x', big);
	*len = (size_t)*text + big;
	*len += (size_t)sprintf(line + *len, "\"}");
	journal_hash(line, *len, head);
	line[*len] = '\n';
	int fd = open(j->path, O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, line, *len + 1) == (ssize_t)(*len + 1));
	close(fd);
	return line;
}

/* A line of 3 MiB between two entries: no reader is handed more than
 * JOURNAL_LINE_MAX of it, the chain is hashed over all of it (so appends
 * after it chain to it), the line number and length are kept, and an entry
 * over the limit is refused whole, the file untouched. */
static void test_long_line_capped(void)
{
	const char *dir = check_tmpdir();
	char path[4096];
	snprintf(path, sizeof path, "%s/journal.jsonl", dir);
	struct journal j;
	struct error err;
	/* Appended by hand: cmdr itself would refuse it (below). */
	size_t len;
	int n;
	char want_head[65];
	char *line = append_long_line(&j, dir, &len, &n, want_head);
	int fd;
	cJSON *e = entry("after");
	CHECK(journal_append(&j, e, &err) == 0);
	CHECK(j.entries == 3);
	cJSON_Delete(e);
	journal_close(&j);

	struct seen s = { 0 };
	CHECK(journal_open(&j, dir, &err) == 0);
	CHECK(journal_follow(&j, on_seen, &s, &err) == 0);
	CHECK(s.lines == 2);
	CHECK(s.longest < 1000);
	CHECK(j.n_long == 1 && j.long_line == 2 && j.long_len == len);
	CHECK(j.entries == 3 && !j.torn);
	journal_close(&j);

	memset(&s, 0, sizeof s);
	CHECK(journal_scan(&j, path, on_seen, on_seen_long, &s, &err) == 0);
	CHECK(s.lines == 2 && s.long_calls == 1 && s.long_len == len);
	CHECK(s.longest == JOURNAL_LINE_MAX);
	CHECK(j.entries == 3);

	struct audit_result r;
	CHECK(audit_verify(path, NULL, &r, &err) == 0);
	CHECK(r.intact && r.entries == 3 && r.n_long == 1 && r.long_line == 2 && r.long_bytes == len);

	/* One byte changed deep inside the long line is still found. */
	fd = open(path, O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, "y", 1, 2u << 20) == 1);
	close(fd);
	CHECK(audit_verify(path, NULL, &r, &err) == 0);
	CHECK(!r.intact && r.bad_seq == 2);

	/* An entry over the limit: refused, nothing written. */
	CHECK(journal_open(&j, dir, &err) == 0);
	struct stat st;
	off_t before = stat(path, &st) == 0 ? st.st_size : -1;
	e = entry("note");
	line[len] = '\0';
	cJSON_AddStringToObject(e, "text", line + n);
	CHECK(journal_append(&j, e, &err) != 0);
	CHECK(strstr(err.msg, "over the 1 MiB line limit; nothing appended") != NULL);
	CHECK(stat(path, &st) == 0 && st.st_size == before && j.entries == 3);
	cJSON_Delete(e);
	journal_close(&j);
	free(line);
}

/* A first read hashes only the last line, streamed: a 3 MiB last line
 * gives the head audit verify gives, and so does a torn tail after it. */
static void test_head_of_long_last_line(void)
{
	struct journal j;
	size_t len;
	int text;
	char want[65];
	const char *dir = check_tmpdir();
	free(append_long_line(&j, dir, &len, &text, want));
	off_t start = j.offset;
	char *path = strdup(j.path);
	journal_close(&j);
	struct error err;
	for (int torn = 0; torn < 2; torn++) {
		if (torn) {
			int fd = open(path, O_WRONLY | O_APPEND);
			CHECK(fd >= 0 && write(fd, "{\"seq\":3", 8) == 8);
			close(fd);
		}
		CHECK(journal_open(&j, dir, &err) == 0);
		CHECK(j.entries == 2 && j.torn == torn);
		CHECK_STR(j.head, want);
		CHECK(j.last_start == start && j.offset == start + (off_t)len + 1);
		struct seen s = { 0 };
		CHECK(journal_follow(&j, on_seen, &s, &err) == 0);
		CHECK_STR(j.head, want);
		CHECK(j.last_start == start && j.entries == 2);
		journal_close(&j);
		struct audit_result r;
		CHECK(audit_verify(path, NULL, &r, &err) == 0);
		CHECK_STR(r.head, want);
	}
	free(path);
}

/* 20 MB with no newline at the end: the torn tail is not held in memory
 * by a follower, and setting it aside copies all of it. */
static void test_long_torn_tail(void)
{
	const char *dir = check_tmpdir();
	struct journal j;
	struct error err;
	CHECK(journal_open(&j, dir, &err) == 0);
	cJSON *e = entry("note");
	CHECK(journal_append(&j, e, &err) == 0);
	cJSON_Delete(e);
	size_t big = 20u << 20;
	char *junk = malloc(big);
	memset(junk, 'z', big);
	int fd = open(j.path, O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, junk, big) == (ssize_t)big);
	close(fd);
	struct seen s = { 0 };
	CHECK(journal_follow(&j, on_seen, &s, &err) == 0);
	CHECK(j.torn && s.lines == 1 && j.n_long == 0);
	char *side = NULL;
	size_t bytes = 0;
	CHECK(journal_set_aside_torn(&j, &side, &bytes, &err) == 0);
	CHECK(side && bytes == big && !j.torn);
	size_t got = 0;
	if (side) {
		FILE *f = fopen(side, "rb");
		char buf[65536];
		size_t k;
		bool same = true;
		while (f && (k = fread(buf, 1, sizeof buf, f)) > 0) {
			same = same && memcmp(buf, junk, k) == 0;
			got += k;
		}
		if (f)
			fclose(f);
		CHECK(same);
	}
	CHECK(got == big);
	free(side);
	free(junk);
	journal_close(&j);
}

static void test_unwritable_dir(void)
{
	struct journal j;
	struct error err;
	CHECK(journal_open(&j, "/proc/cmdr-no-such/dir", &err) == -1);
	CHECK(strstr(err.msg, "/proc/cmdr-no-such/dir") != NULL);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A signal (a resize, a timer) while another writer holds the lock: the
 * append waits on and lands, rather than fail with EINTR. */
static void test_lock_wait_survives_signals(void)
{
	const char *dir = check_tmpdir();
	struct journal j;
	struct error err;
	CHECK(journal_open(&j, dir, &err) == 0);
	char path[128];
	snprintf(path, sizeof path, "%s/journal.jsonl", dir);
	int ready[2];
	CHECK(pipe(ready) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(path, O_RDWR);
		char c = 'x';
		if (fd < 0 || flock(fd, LOCK_EX) != 0 || write(ready[1], &c, 1) != 1)
			_exit(1);
		usleep(400 * 1000);
		_exit(0);
	}
	char c;
	CHECK(read(ready[0], &c, 1) == 1); /* the child holds the lock */
	struct sigaction sa = { .sa_handler = on_alarm }, old; /* no SA_RESTART */
	sigaction(SIGALRM, &sa, &old);
	ualarm(100 * 1000, 50 * 1000); /* a signal every 50 ms while it waits */
	cJSON *e = entry("note");
	int rc = journal_append(&j, e, &err);
	ualarm(0, 0);
	sigaction(SIGALRM, &old, NULL);
	CHECK(rc == 0);
	if (rc != 0)
		printf("#   %s\n", err.msg);
	CHECK(j.entries == 1);
	cJSON_Delete(e);
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(ready[0]);
	close(ready[1]);
	journal_close(&j);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Another user who can create entries in the directory points the
 * journal at a file of root's: opening refuses it, the file untouched. */
static void test_symlinked_journal_refused(void)
{
	const char *dir = check_tmpdir();
	char victim[256], path[256];
	snprintf(victim, sizeof victim, "%s/victim", dir);
	snprintf(path, sizeof path, "%s/inc", dir);
	CHECK(mkdir(path, 0750) == 0);
	write_text(victim, "line one\nhalf a line");
	snprintf(path, sizeof path, "%s/inc/journal.jsonl", dir);
	CHECK(symlink(victim, path) == 0);
	snprintf(path, sizeof path, "%s/inc", dir);
	struct journal j;
	struct error err = { 0 };
	CHECK(journal_open(&j, path, &err) == -1);
	CHECK(strstr(err.msg, "inc/journal.jsonl: is a symbolic link") != NULL);
	size_t len;
	char *text = read_file(victim, &len);
	CHECK(text && strcmp(text, "line one\nhalf a line") == 0);
	free(text);
	/* Nor is a hard link to someone else's file taken for the journal. */
	snprintf(path, sizeof path, "%s/inc/journal.jsonl", dir);
	unlink(path);
	CHECK(link(victim, path) == 0);
	snprintf(path, sizeof path, "%s/inc", dir);
	CHECK(journal_open(&j, path, &err) == -1);
	CHECK(strstr(err.msg, "hard link") != NULL);
}

/* A directory anyone can write is refused, unless sticky (as /tmp). */
static void test_world_writable_dir_refused(void)
{
	const char *dir = check_tmpdir();
	char path[256];
	snprintf(path, sizeof path, "%s/inc", dir);
	CHECK(mkdir(path, 0750) == 0);
	CHECK(chmod(path, 0777) == 0);
	struct journal j;
	struct error err = { 0 };
	CHECK(journal_open(&j, path, &err) == -1);
	char want[1024];
	snprintf(want, sizeof want,
		 "%s: incident directory is writable by others (mode 0777) without the sticky bit: anyone could replace the journal; chmod o-w %s",
		 path, path);
	CHECK_STR(err.msg, want);
	CHECK(chmod(path, 01777) == 0);
	CHECK(journal_open(&j, path, &err) == 0);
	journal_close(&j);
}

/* mv inc inc.old; mkdir inc: a long-lived console must not go on writing
 * to inc.old while the CLI writes to the new one. */
static void test_replaced_journal_refused(void)
{
	const char *dir = check_tmpdir();
	char path[256], old[256];
	snprintf(path, sizeof path, "%s/inc", dir);
	snprintf(old, sizeof old, "%s/inc.old", dir);
	struct journal j;
	struct error err = { 0 };
	CHECK(journal_open(&j, path, &err) == 0);
	cJSON *e = entry("note");
	CHECK(journal_append(&j, e, &err) == 0);
	CHECK(rename(path, old) == 0);
	CHECK(mkdir(path, 0750) == 0);
	CHECK(journal_sync(&j, &err) == -1);
	CHECK(strstr(err.msg, "inc/journal.jsonl is no longer the journal this console opened") != NULL);
	CHECK(journal_append(&j, e, &err) == -1);
	CHECK(strstr(err.msg, "restart the console on the right directory") != NULL);
	cJSON_Delete(e);
	journal_close(&j);
	struct audit_result r;
	snprintf(old, sizeof old, "%s/inc.old/journal.jsonl", dir);
	CHECK(audit_verify(old, NULL, &r, &err) == 0 && r.entries == 1);
}

/* A repair that failed half-way (a full disk) left an empty side file
 * and a temporary one: the next repair is not blocked by them, keeps the
 * bytes under a name of its own, and leaves no temporary file behind. */
static void test_torn_repair_after_failed_one(void)
{
	const char *dir = check_tmpdir();
	struct journal j;
	struct error err = { 0 };
	CHECK(journal_open(&j, dir, &err) == 0);
	cJSON *e = entry("note");
	CHECK(journal_append(&j, e, &err) == 0);
	cJSON_Delete(e);
	off_t at = j.offset;
	int fd = open(j.path, O_WRONLY | O_APPEND);
	CHECK(write(fd, "{\"seq\":2,\"pr", 12) == 12);
	close(fd);
	char path[256];
	snprintf(path, sizeof path, "%s/journal.torn-%lld", dir, (long long)at);
	write_text(path, "");
	snprintf(path, sizeof path, "%s/journal.torn-%lld.tmp", dir, (long long)at);
	write_text(path, "{\"s");
	char *side = NULL;
	size_t bytes = 0;
	CHECK(journal_set_aside_torn(&j, &side, &bytes, &err) == 0);
	if (!side)
		printf("#   %s\n", err.msg);
	CHECK(side && bytes == 12 && !j.torn);
	size_t len = 0;
	char *text = side ? read_file(side, &len) : NULL;
	CHECK(text && len == 12 && memcmp(text, "{\"seq\":2,\"pr", 12) == 0);
	free(text);
	free(side);
	CHECK(access(path, F_OK) != 0); /* no temporary file left */
	/* The same tail set aside again (a repair that stopped after the
	 * rename) reuses the side file that holds those bytes. */
	fd = open(j.path, O_WRONLY | O_APPEND);
	CHECK(write(fd, "{\"seq\":2,\"pr", 12) == 12);
	close(fd);
	CHECK(journal_set_aside_torn(&j, &side, &bytes, &err) == 0);
	snprintf(path, sizeof path, "%s/journal.torn-%lld.1", dir, (long long)at);
	CHECK(side && strcmp(side, path) == 0);
	free(side);
	journal_close(&j);
}

static void on_count(void *ctx, const char *line, size_t len)
{
	(void)line;
	(void)len;
	(*(int *)ctx)++;
}

/* A journal rewritten under a following console: the console stops at the
 * first line that does not chain to what it holds, hands it to no reader,
 * and appends nothing after it (it would chain onto a fragment). */
static void test_follower_checks_chain(void)
{
	const char *dir = check_tmpdir();
	struct journal a, b;
	struct error err = { 0 };
	CHECK(journal_open(&a, dir, &err) == 0);
	CHECK(journal_open(&b, dir, &err) == 0);
	int seen = 0;
	CHECK(journal_follow(&b, on_count, &seen, &err) == 0);
	for (int i = 0; i < 2; i++) {
		cJSON *e = entry("note");
		CHECK(journal_append(&a, e, &err) == 0);
		cJSON_Delete(e);
	}
	/* Legitimate appends from elsewhere pass. */
	CHECK(journal_sync(&b, &err) == 0 && seen == 2 && b.entries == 2);
	/* A line that claims seq 3 but chains to something else. */
	int fd = open(a.path, O_WRONLY | O_APPEND);
	char line[256];
	int n = snprintf(line, sizeof line, "{\"seq\":3,\"prev\":\"%064d\",\"action\":\"note\"}\n", 7);
	CHECK(write(fd, line, (size_t)n) == n);
	close(fd);
	CHECK(journal_sync(&b, &err) == -1);
	CHECK(strstr(err.msg, "journal chain broken under this console at ") != NULL);
	CHECK(strstr(err.msg, "journal.jsonl:3 (") != NULL);
	CHECK(seen == 2);
	cJSON *e = entry("note");
	CHECK(journal_append(&b, e, &err) == -1);
	CHECK(strstr(err.msg, "; nothing appended; run cmdr audit verify") != NULL);
	cJSON_Delete(e);
	journal_close(&b);

	/* The file cut shorter than what a follower read: rewritten. */
	CHECK(journal_open(&b, dir, &err) == 0);
	CHECK(truncate(a.path, 10) == 0);
	CHECK(journal_sync(&b, &err) == -1);
	CHECK(strstr(err.msg, "journal chain broken under this console") != NULL);
	CHECK(strstr(err.msg, "shorter") != NULL);
	journal_close(&b);
	journal_close(&a);
}

/* A reader creates nothing and appends nothing. */
static void test_readonly_open(void)
{
	const char *dir = check_tmpdir();
	char path[256];
	snprintf(path, sizeof path, "%s/inc", dir);
	struct journal j;
	struct error err = { 0 };
	CHECK(journal_open_readonly(&j, path, &err) == -1);
	CHECK(access(path, F_OK) != 0); /* not created */
	CHECK(journal_open(&j, path, &err) == 0 && !j.readonly);
	cJSON *e = entry("note");
	CHECK(journal_append(&j, e, &err) == 0);
	journal_close(&j);
	CHECK(journal_open_readonly(&j, path, &err) == 0 && j.readonly && j.entries == 1);
	CHECK(journal_append(&j, e, &err) == -1);
	CHECK(strstr(err.msg, "can read the journal but not write it") != NULL);
	CHECK(j.entries == 1);
	cJSON_Delete(e);
	journal_close(&j);
}

int main(void)
{
	RUN(test_chain_and_seq);
	RUN(test_follows_others);
	RUN(test_torn_tail_refused);
	RUN(test_unwritable_dir);
	RUN(test_long_line_capped);
	RUN(test_head_of_long_last_line);
	RUN(test_long_torn_tail);
	RUN(test_lock_wait_survives_signals);
	RUN(test_symlinked_journal_refused);
	RUN(test_world_writable_dir_refused);
	RUN(test_replaced_journal_refused);
	RUN(test_torn_repair_after_failed_one);
	RUN(test_follower_checks_chain);
	RUN(test_readonly_open);
	return CHECK_EXIT();
}
