/* Marks and checkpoints (core/journal/journal_checkpoint.c): a reader
 * resumes at a mark only while the journal holds it; a checkpoint file
 * that is stale, forged, torn, someone else's or a link is not used, and
 * writing one never follows a link nor breaks the journal. */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "journal.h"

static void append_notes(struct journal *j, int n)
{
	struct error err;
	for (int i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "action", "note");
		cJSON_AddNumberToObject(e, "n", i);
		CHECK(journal_append(j, e, &err) == 0);
		cJSON_Delete(e);
	}
}

struct lines {
	size_t n;
	char *text[64];
};

static void on_line(void *ctx, const char *line, size_t len)
{
	struct lines *l = ctx;
	if (l->n < 64)
		l->text[l->n] = strndup(line, len);
	l->n++;
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n && i < 64; i++)
		free(l->text[i]);
	memset(l, 0, sizeof *l);
}

/* dir's journal with n notes; *m is the mark after the first k. */
static void journal_with(const char *dir, int k, int n, struct journal_mark *m)
{
	struct journal j;
	struct error err;
	CHECK(journal_open(&j, dir, &err) == 0);
	append_notes(&j, k);
	journal_mark_of(&j, m);
	append_notes(&j, n - k);
	journal_close(&j);
}

/* Follows dir's journal from m: the result, lines seen, and whether the
 * journal ended unbroken with the head a whole read gives. */
static int follow_from(const char *dir, const struct journal_mark *m, struct lines *seen)
{
	struct journal j, whole;
	struct error err;
	CHECK(journal_open(&whole, dir, &err) == 0);
	CHECK(journal_open_unread(&j, dir, true, &err) == 0);
	int rc = journal_follow_from(&j, m, on_line, seen, &err);
	CHECK(!j.broken);
	if (rc == 0) {
		CHECK(j.entries == whole.entries && j.offset == whole.offset && j.last_start == whole.last_start);
		CHECK_STR(j.head, whole.head);
	}
	journal_close(&j);
	journal_close(&whole);
	return rc;
}

static void test_follow_from_mark(void)
{
	const char *dir = check_tmpdir();
	struct journal_mark m;
	journal_with(dir, 5, 8, &m);
	struct lines seen = { 0 };
	CHECK(follow_from(dir, &m, &seen) == 0);
	CHECK(seen.n == 3 && strstr(seen.text[0], "\"seq\":6,") != NULL);
	lines_free(&seen);
	/* The empty mark: the whole journal. */
	struct journal_mark none = { .head = JOURNAL_GENESIS };
	CHECK(follow_from(dir, &none, &seen) == 0 && seen.n == 8);
	lines_free(&seen);
	/* A mark the journal does not hold: 1, nothing read, not broken. */
	struct journal_mark bad = m;
	bad.head[0] = bad.head[0] == '0' ? '1' : '0';
	CHECK(follow_from(dir, &bad, &seen) == 1 && seen.n == 0);
	bad = m;
	bad.entries++;
	CHECK(follow_from(dir, &bad, &seen) == 1);
	bad = m;
	bad.last_start++;
	CHECK(follow_from(dir, &bad, &seen) == 1);
	bad = m;
	bad.offset += 10;
	CHECK(follow_from(dir, &bad, &seen) == 1);
	bad.offset = 1 << 20;
	CHECK(follow_from(dir, &bad, &seen) == 1);
	bad = m;
	bad.last_start = bad.offset;
	CHECK(follow_from(dir, &bad, &seen) == 1 && seen.n == 0);
}

/* The journal cut below the mark, or a line after it that does not chain
 * (rewritten): 1, and the caller reads it all again. */
static void test_mark_after_rewrite(void)
{
	const char *dir = check_tmpdir();
	struct journal_mark m;
	journal_with(dir, 5, 8, &m);
	char path[4096];
	snprintf(path, sizeof path, "%s/journal.jsonl", dir);
	struct lines seen = { 0 };
	/* A seq 7 that does not chain onto 6, in place of the real 7. */
	FILE *f = fopen(path, "r+");
	char buf[8192];
	size_t len = fread(buf, 1, sizeof buf - 1, f);
	buf[len] = '\0';
	char *seven = strstr(buf, "{\"seq\":7,");
	CHECK(seven != NULL);
	if (seven) {
		/* Flip a hex digit of its prev. */
		char *p = seven + strlen("{\"seq\":7,\"prev\":\"");
		*p = *p == 'a' ? 'b' : 'a';
		fseek(f, 0, SEEK_SET);
		fwrite(buf, 1, len, f);
	}
	fclose(f);
	CHECK(follow_from(dir, &m, &seen) == 1);
	CHECK(seen.n == 1); /* 6, then 7 did not chain */
	lines_free(&seen);
	CHECK(truncate(path, m.offset - 1) == 0);
	CHECK(follow_from(dir, &m, &seen) == 1 && seen.n == 0);
}

struct back {
	size_t n, stop_at;
	char *text[64];
};

static bool on_back(void *ctx, const char *line, size_t len)
{
	struct back *b = ctx;
	CHECK(strlen(line) == len);
	if (b->n < 64)
		b->text[b->n] = strndup(line, len);
	b->n++;
	return b->n != b->stop_at;
}

/* The lines before a mark, newest first, as a forward read gives them;
 * a line over JOURNAL_LINE_MAX is skipped, one just under it is given. */
static void test_lines_before(void)
{
	const char *dir = check_tmpdir();
	struct journal j;
	struct error err;
	CHECK(journal_open(&j, dir, &err) == 0);
	append_notes(&j, 3);
	/* Lines of JOURNAL_LINE_MAX - 100 (given) and 2 MiB (skipped), and
	 * one of 100 KiB (more than a block). */
	size_t sizes[] = { JOURNAL_LINE_MAX - 100, 2u << 20, 100u << 10 };
	for (size_t i = 0; i < 3; i++) {
		char *text = malloc(sizes[i] + 1);
		memset(text, 'a' + (int)i, sizes[i]);
		text[sizes[i]] = '\0';
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "text", text);
		if (i == 1) {
			/* cmdr refuses it: written by hand. */
			char *line;
			CHECK(asprintf(&line, "{\"seq\":%llu,\"prev\":\"%s\",\"text\":\"%s\"}\n",
				       (unsigned long long)j.entries + 1, j.head, text) > 0);
			int fd = open(j.path, O_WRONLY | O_APPEND);
			CHECK(fd >= 0 && write(fd, line, strlen(line)) == (ssize_t)strlen(line));
			close(fd);
			free(line);
			CHECK(journal_sync(&j, &err) == 0);
		} else {
			CHECK(journal_append(&j, e, &err) == 0);
		}
		cJSON_Delete(e);
		free(text);
	}
	append_notes(&j, 2);
	CHECK(j.entries == 8);
	struct lines fwd = { 0 };
	struct journal r;
	CHECK(journal_open_unread(&r, dir, false, &err) == 0);
	CHECK(journal_follow(&r, on_line, &fwd, &err) == 0);
	CHECK(fwd.n == 7 && r.n_long == 1);
	struct back b = { 0 };
	CHECK(journal_lines_before(&j, j.offset, on_back, &b, &err) == 0);
	CHECK(b.n == 7);
	for (size_t i = 0; i < 7 && i < b.n; i++)
		CHECK(strcmp(b.text[i], fwd.text[6 - i]) == 0);
	for (size_t i = 0; i < b.n && i < 64; i++)
		free(b.text[i]);
	/* Stopped early, and from a mark in the middle. */
	memset(&b, 0, sizeof b);
	b.stop_at = 2;
	CHECK(journal_lines_before(&j, j.offset, on_back, &b, &err) == 0 && b.n == 2);
	for (size_t i = 0; i < b.n; i++)
		free(b.text[i]);
	memset(&b, 0, sizeof b);
	CHECK(journal_lines_before(&j, 0, on_back, &b, &err) == 0 && b.n == 0);
	lines_free(&fwd);
	journal_close(&r);
	journal_close(&j);
}

static char *checkpoint_path(const char *dir)
{
	char *p;
	if (asprintf(&p, "%s/journal.checkpoint-%lu", dir, (unsigned long)geteuid()) < 0)
		abort();
	return p;
}

/* Saves a checkpoint {"n": 1} at the end of dir's journal of 4 notes. */
static void checkpoint_at_end(const char *dir)
{
	struct journal j;
	struct error err;
	CHECK(journal_open(&j, dir, &err) == 0);
	append_notes(&j, 4);
	cJSON *state = cJSON_CreateObject();
	cJSON_AddNumberToObject(state, "n", 1);
	journal_checkpoint_save(&j, state);
	journal_close(&j);
}

/* What a reader of dir gets from its checkpoint: the state's n, or -1. */
static int checkpoint_n(const char *dir)
{
	struct journal j;
	struct error err;
	struct journal_mark m;
	CHECK(journal_open_unread(&j, dir, false, &err) == 0);
	cJSON *state = journal_checkpoint_load(&j, &m);
	int n = state ? (int)cJSON_GetNumberValue(cJSON_GetObjectItem(state, "n")) : -1;
	if (state) {
		struct journal whole;
		CHECK(journal_open(&whole, dir, &err) == 0);
		CHECK(m.entries > 0 && m.entries <= whole.entries && m.offset <= whole.offset);
		journal_close(&whole);
	}
	cJSON_Delete(state);
	journal_close(&j);
	return n;
}

static void test_checkpoint_saved_and_loaded(void)
{
	const char *dir = check_tmpdir();
	checkpoint_at_end(dir);
	char *path = checkpoint_path(dir);
	struct stat st;
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);
	CHECK(checkpoint_n(dir) == 1);
	/* Stale (the journal went on): still held, still used. */
	struct journal j;
	struct error err;
	CHECK(journal_open(&j, dir, &err) == 0);
	append_notes(&j, 2);
	journal_close(&j);
	CHECK(checkpoint_n(dir) == 1);
	/* A journal opened read-only saves none. */
	CHECK(unlink(path) == 0);
	CHECK(journal_open_readonly(&j, dir, &err) == 0);
	journal_checkpoint_save(&j, cJSON_CreateObject());
	journal_close(&j);
	CHECK(access(path, F_OK) != 0);
	free(path);
}

/* Edits a byte of the file at path, at offset from its end. */
static void poke(const char *path, long from_end, char c)
{
	int fd = open(path, O_RDWR);
	off_t size = lseek(fd, 0, SEEK_END);
	CHECK(fd >= 0 && pwrite(fd, &c, 1, size - from_end) == 1);
	close(fd);
}

static void test_checkpoint_refused(void)
{
	const char *dir = check_tmpdir();
	char *path = checkpoint_path(dir), journal[4096];
	snprintf(journal, sizeof journal, "%s/journal.jsonl", dir);
	checkpoint_at_end(dir);
	/* Its checksum does not hold (torn, or edited). */
	poke(path, 70, '9');
	CHECK(checkpoint_n(dir) == -1);
	checkpoint_at_end(dir);
	poke(path, 3, 'x');
	CHECK(checkpoint_n(dir) == -1);
	/* Writable by others, or with two links. */
	checkpoint_at_end(dir);
	CHECK(chmod(path, 0620) == 0 && checkpoint_n(dir) == -1);
	CHECK(chmod(path, 0602) == 0 && checkpoint_n(dir) == -1);
	CHECK(chmod(path, 0640) == 0 && checkpoint_n(dir) == 1);
	char other[4200];
	snprintf(other, sizeof other, "%s/other", dir);
	CHECK(link(path, other) == 0 && checkpoint_n(dir) == -1);
	CHECK(unlink(other) == 0 && checkpoint_n(dir) == 1);
	/* Someone else's. */
	if (geteuid() == 0) {
		CHECK(chown(path, 65534, (gid_t)-1) == 0 && checkpoint_n(dir) == -1);
		CHECK(chown(path, 0, (gid_t)-1) == 0 && checkpoint_n(dir) == 1);
	}
	/* A link to a good one, a directory, a FIFO: not read. */
	CHECK(rename(path, other) == 0 && symlink(other, path) == 0 && checkpoint_n(dir) == -1);
	CHECK(unlink(path) == 0 && mkdir(path, 0700) == 0 && checkpoint_n(dir) == -1);
	CHECK(rmdir(path) == 0 && mkfifo(path, 0600) == 0 && checkpoint_n(dir) == -1);
	CHECK(unlink(path) == 0 && rename(other, path) == 0 && checkpoint_n(dir) == 1);
	/* The journal's last line changed, or the journal cut: no mark. */
	poke(journal, 5, '1');
	CHECK(checkpoint_n(dir) == -1);
	struct stat st;
	CHECK(stat(journal, &st) == 0 && truncate(journal, st.st_size - 1) == 0);
	CHECK(checkpoint_n(dir) == -1);
	free(path);
}

/* Saving never writes through a link put in the checkpoint's place or
 * its temporary file's, and leaves no temporary file behind. */
static void test_checkpoint_write_no_link(void)
{
	const char *dir = check_tmpdir();
	char *path = checkpoint_path(dir), victim[4200], tmp[4300];
	snprintf(victim, sizeof victim, "%s/victim", dir);
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	FILE *f = fopen(victim, "w");
	fputs("precious\n", f);
	fclose(f);
	CHECK(symlink(victim, path) == 0 && symlink(victim, tmp) == 0);
	checkpoint_at_end(dir);
	char buf[64] = "";
	f = fopen(victim, "r");
	CHECK(f && fgets(buf, sizeof buf, f));
	if (f)
		fclose(f);
	CHECK_STR(buf, "precious\n");
	struct stat st;
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(lstat(tmp, &st) != 0);
	CHECK(checkpoint_n(dir) == 1);
	free(path);
}

/* A directory this user cannot write: no checkpoint, and no harm. */
static void test_checkpoint_unwritable(void)
{
	if (geteuid() == 0)
		return; /* root writes anyway */
	const char *dir = check_tmpdir();
	checkpoint_at_end(dir);
	char *path = checkpoint_path(dir);
	CHECK(unlink(path) == 0 && chmod(dir, 0500) == 0);
	struct journal j;
	struct error err;
	CHECK(journal_open(&j, dir, &err) == 0);
	journal_checkpoint_save(&j, cJSON_CreateObject());
	journal_close(&j);
	CHECK(access(path, F_OK) != 0);
	CHECK(chmod(dir, 0700) == 0);
	free(path);
}

int main(void)
{
	RUN(test_follow_from_mark);
	RUN(test_mark_after_rewrite);
	RUN(test_lines_before);
	RUN(test_checkpoint_saved_and_loaded);
	RUN(test_checkpoint_refused);
	RUN(test_checkpoint_write_no_link);
	RUN(test_checkpoint_unwritable);
	return CHECK_EXIT();
}
