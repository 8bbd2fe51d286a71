/* The journal as evidence: many writers at once, a writer killed mid-append,
 * and every kind of tampering found at the right sequence number. */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "check.h"
#include "journal.h"

static char *path_in(const char *dir)
{
	static char buf[128];
	snprintf(buf, sizeof buf, "%s/journal.jsonl", dir);
	return buf;
}

static int append_notes(const char *dir, int n, int size, char fill)
{
	struct journal j;
	struct error err;
	if (journal_open(&j, dir, &err) != 0)
		return -1;
	char *text = malloc((size_t)size + 1);
	memset(text, fill, (size_t)size);
	text[size] = '\0';
	for (int i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "action", "note");
		cJSON_AddStringToObject(e, "reason", text);
		int rc = journal_append(&j, e, &err);
		cJSON_Delete(e);
		if (rc != 0) {
			free(text);
			journal_close(&j);
			return -1;
		}
	}
	free(text);
	journal_close(&j);
	return 0;
}

static void test_eight_writers(void)
{
	const char *dir = check_tmpdir();
	enum { PROCS = 8, EACH = 500 };
	for (int p = 0; p < PROCS; p++)
		if (fork() == 0)
			_exit(append_notes(dir, EACH, 200 + 300 * p, (char)('a' + p)) == 0 ? 0 : 1);
	int status, failed = 0;
	while (wait(&status) > 0)
		failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	CHECK(failed == 0);
	struct audit_result r;
	struct error err;
	CHECK(audit_verify(path_in(dir), NULL, &r, &err) == 0);
	CHECK(r.intact);
	CHECK(r.entries == PROCS * EACH);
	if (!r.intact)
		printf("#   broken at %llu: %s\n", (unsigned long long)r.bad_seq, r.why);
	/* No line mixes two writers' text. */
	FILE *f = fopen(path_in(dir), "r");
	char *line = NULL;
	size_t cap = 0;
	int mixed = 0;
	while (getline(&line, &cap, f) > 0) {
		cJSON *e = cJSON_Parse(line);
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(e, "reason"));
		for (const char *c = t; c && *c; c++)
			mixed += *c != t[0];
		cJSON_Delete(e);
	}
	free(line);
	fclose(f);
	CHECK(mixed == 0);
}

static void test_killed_writer(void)
{
	struct timespec ts = { 0, 0 };
	for (int round = 0; round < 10; round++) {
		const char *dir = check_tmpdir();
		/* The journal exists before the writer starts: a writer killed
		 * before its first line leaves an empty journal, not none. */
		struct journal j0;
		struct error err0;
		CHECK(journal_open(&j0, dir, &err0) == 0);
		journal_close(&j0);
		pid_t pid = fork();
		if (pid == 0)
			_exit(append_notes(dir, 100000, 60000, 'k') == 0 ? 0 : 1);
		ts.tv_nsec = 2000000L * (round + 1);
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		struct audit_result r;
		struct error err;
		CHECK(audit_verify(path_in(dir), NULL, &r, &err) == 0);
		/* Nothing worse than a torn tail. */
		CHECK(r.intact || (r.bad_seq == r.entries + 1 && strstr(r.why, "torn tail")));
		/* The next writer sets the tail aside and the chain goes on. */
		struct journal j;
		char *side;
		size_t bytes;
		CHECK(journal_open(&j, dir, &err) == 0);
		CHECK(journal_set_aside_torn(&j, &side, &bytes, &err) == 0);
		CHECK((side != NULL) == !r.intact);
		free(side);
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "action", "note");
		CHECK(journal_append(&j, e, &err) == 0);
		cJSON_Delete(e);
		journal_close(&j);
		CHECK(audit_verify(path_in(dir), NULL, &r, &err) == 0);
		CHECK(r.intact);
	}
}

static void test_torn_tail_set_aside(void)
{
	const char *dir = check_tmpdir();
	CHECK(append_notes(dir, 3, 10, 'x') == 0);
	int fd = open(path_in(dir), O_WRONLY | O_APPEND);
	CHECK(write(fd, "{\"seq\":4,\"prev\":\"ab", 19) == 19);
	close(fd);
	struct audit_result r;
	struct error err;
	CHECK(audit_verify(path_in(dir), NULL, &r, &err) == 0);
	CHECK(!r.intact && r.bad_seq == 4 && strstr(r.why, "torn tail"));
	struct journal j;
	char *side;
	size_t bytes;
	CHECK(journal_open(&j, dir, &err) == 0);
	CHECK(j.torn);
	CHECK(journal_set_aside_torn(&j, &side, &bytes, &err) == 0);
	CHECK(bytes == 19);
	CHECK(side && strstr(side, "journal.torn-"));
	/* The bytes are kept, not dropped. */
	char kept[64] = "";
	int sf = side ? open(side, O_RDONLY) : -1;
	CHECK(sf >= 0 && read(sf, kept, sizeof kept) == 19);
	if (sf >= 0)
		close(sf);
	CHECK(strncmp(kept, "{\"seq\":4,\"prev\":\"ab", 19) == 0);
	free(side);
	journal_close(&j);
	CHECK(audit_verify(path_in(dir), NULL, &r, &err) == 0);
	CHECK(r.intact && r.entries == 3);
}

/* --- tampering ------------------------------------------------------- */

struct lines {
	char **line;
	size_t n;
};

static void lines_read(const char *path, struct lines *l)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	l->line = NULL;
	l->n = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		l->line = realloc(l->line, (l->n + 1) * sizeof *l->line);
		l->line[l->n++] = strndup(line, (size_t)len);
	}
	free(line);
	fclose(f);
}

static void lines_write(const char *path, char **line, size_t n)
{
	FILE *f = fopen(path, "w");
	for (size_t i = 0; i < n; i++)
		fputs(line[i], f);
	fclose(f);
}

/* A journal shaped like a real one: nested actors, params, UTF-8. */
static void make_real_journal(const char *dir, int n)
{
	struct journal j;
	struct error err;
	if (journal_open(&j, dir, &err) != 0)
		abort();
	for (int i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "time", "2024-09-13T17:14:03.000Z");
		cJSON *a = cJSON_AddObjectToObject(e, "actor");
		cJSON_AddStringToObject(a, "user", i % 3 ? "alice" : "policy");
		cJSON_AddStringToObject(a, "tty", "/dev/pts/3");
		cJSON_AddStringToObject(e, "role", i % 3 ? "commander" : "policy");
		cJSON_AddStringToObject(e, "action", i % 2 ? "rollback" : "note");
		cJSON_AddStringToObject(e, "target", "support-assistant-prod");
		cJSON_AddStringToObject(e, "reason", "multi_hop groundedness 2.66 < 2.85 (n=11) \u2014 caf\u00e9");
		cJSON *p = cJSON_AddObjectToObject(e, "params");
		cJSON_AddNumberToObject(p, "n", i * 7);
		cJSON_AddStringToObject(e, "outcome", i % 2 ? "verified" : "intent");
		if (journal_append(&j, e, &err) != 0)
			abort();
		cJSON_Delete(e);
	}
	journal_close(&j);
}

static void test_tampering_found_where_it_is(void)
{
	const char *dir = check_tmpdir();
	enum { N = 60, TRIALS = 2000 };
	make_real_journal(dir, N);
	struct lines orig;
	lines_read(path_in(dir), &orig);
	struct audit_result r;
	struct error err;
	CHECK(audit_verify(path_in(dir), NULL, &r, &err) == 0 && r.intact && r.entries == N);
	char head[65];
	memcpy(head, r.head, sizeof head);
	char copy[128];
	snprintf(copy, sizeof copy, "%s/copy.jsonl", dir);

	srand(1714);
	int missed = 0, misplaced = 0;
	char **work = malloc((N + 1) * sizeof *work);
	for (int t = 0; t < TRIALS; t++) {
		size_t n = N, expect, j = (size_t)rand() % N;
		bool exact = true;
		char *edited = NULL;
		for (size_t i = 0; i < N; i++)
			work[i] = orig.line[i];
		switch (t % 4) {
		case 0: { /* one byte changed, never a newline */
			edited = strdup(orig.line[j]);
			size_t len = strlen(edited) - 1, at = (size_t)rand() % len;
			char c;
			do
				c = (char)(32 + rand() % 95);
			while (c == edited[at]);
			edited[at] = c;
			work[j] = edited;
			expect = j + 1;
			break;
		}
		case 1: /* a line deleted */
			memmove(work + j, work + j + 1, (N - j - 1) * sizeof *work);
			n = N - 1;
			expect = j + 1;
			/* Without the last line nothing says it existed but the
			 * head, and the head cannot tell removal from change. */
			exact = j != N - 1;
			break;
		case 2: /* a line duplicated */
			memmove(work + j + 1, work + j, (N - j) * sizeof *work);
			n = N + 1;
			expect = j + 2;
			break;
		default: { /* two lines swapped */
			size_t k = (size_t)rand() % N;
			if (k == j)
				k = (j + 1) % N;
			char *tmp = work[j];
			work[j] = work[k];
			work[k] = tmp;
			expect = (j < k ? j : k) + 1;
			break;
		}
		}
		lines_write(copy, work, n);
		if (audit_verify(copy, head, &r, &err) != 0 || r.intact) {
			missed++;
		} else if (exact && r.bad_seq != expect) {
			if (misplaced++ < 5)
				printf("#   trial %d (kind %d, line %zu): reported %llu (%s), expected %zu\n", t, t % 4, j,
				       (unsigned long long)r.bad_seq, r.why, expect);
		}
		free(edited);
	}
	free(work);
	for (size_t i = 0; i < orig.n; i++)
		free(orig.line[i]);
	free(orig.line);
	CHECK(missed == 0);
	CHECK(misplaced == 0);
}

static void test_published_head(void)
{
	const char *dir = check_tmpdir();
	make_real_journal(dir, 5);
	struct audit_result r;
	struct error err;
	CHECK(audit_verify(path_in(dir), NULL, &r, &err) == 0 && r.intact);
	char head[65];
	memcpy(head, r.head, sizeof head);
	CHECK(audit_verify(path_in(dir), head, &r, &err) == 0 && r.intact);
	/* A whole chain rewritten from scratch is self-consistent: only the
	 * head published earlier catches it. */
	const char *other = check_tmpdir();
	make_real_journal(other, 4);
	CHECK(audit_verify(path_in(other), NULL, &r, &err) == 0 && r.intact);
	CHECK(audit_verify(path_in(other), head, &r, &err) == 0 && !r.intact);
	CHECK(r.bad_seq == 4);
	CHECK(strstr(r.why, "published head") != NULL);
	CHECK(audit_verify("/nonexistent/journal.jsonl", NULL, &r, &err) == -1);
	CHECK(strstr(err.msg, "/nonexistent/journal.jsonl: cannot open") != NULL);
}

static void test_first_line_off_genesis(void)
{
	/* Found by fuzzing: a lone first line not chained to the genesis
	 * value was blamed on an "entry 0". */
	const char *dir = check_tmpdir();
	FILE *f = fopen(path_in(dir), "w");
	fprintf(f, "{\"seq\":1,\"prev\":\"%064d\"}\n", 1);
	fclose(f);
	struct audit_result r;
	struct error err;
	CHECK(audit_verify(path_in(dir), NULL, &r, &err) == 0);
	CHECK(!r.intact && r.bad_seq == 1);
	CHECK(strstr(r.why, "genesis") != NULL);
}

/* A head published mid-incident (a notification carries one) still
 * checks the journal once it has grown: the chain passes through it, and
 * the result says at which entry. */
static void test_published_head_mid_chain(void)
{
	const char *dir = check_tmpdir();
	make_real_journal(dir, 3);
	struct audit_result r;
	struct error err;
	CHECK(audit_verify(path_in(dir), NULL, &r, &err) == 0 && r.intact);
	char head3[65];
	memcpy(head3, r.head, sizeof head3);
	make_real_journal(dir, 4);
	CHECK(audit_verify(path_in(dir), head3, &r, &err) == 0);
	CHECK(r.intact && r.entries == 7 && r.head_seq == 3);
	if (!r.intact)
		printf("#   %s\n", r.why);
	/* The final head is found at the last entry. */
	char head7[65];
	memcpy(head7, r.head, sizeof head7);
	CHECK(audit_verify(path_in(dir), head7, &r, &err) == 0 && r.intact && r.head_seq == 7);
	/* Entry 3 changed: the published head is no longer in the chain. */
	struct lines l;
	lines_read(path_in(dir), &l);
	char *at = strstr(l.line[2], "support");
	if (at)
		*at = 'S';
	lines_write(path_in(dir), l.line, l.n);
	for (size_t i = 0; i < l.n; i++)
		free(l.line[i]);
	free(l.line);
	CHECK(audit_verify(path_in(dir), head3, &r, &err) == 0 && !r.intact && r.head_seq == 0);
	CHECK(r.bad_seq == 3);
}

/* Two neighbouring lines swapped are out of order, not a gap; a line
 * removed is a gap. */
static void test_swap_is_out_of_order(void)
{
	const char *dir = check_tmpdir();
	make_real_journal(dir, 6);
	struct lines l;
	lines_read(path_in(dir), &l);
	char *tmp = l.line[2];
	l.line[2] = l.line[3];
	l.line[3] = tmp;
	char copy[128];
	snprintf(copy, sizeof copy, "%s/swapped.jsonl", dir);
	lines_write(copy, l.line, l.n);
	struct audit_result r;
	struct error err;
	CHECK(audit_verify(copy, NULL, &r, &err) == 0 && !r.intact && r.bad_seq == 3);
	CHECK_STR(r.why, "out of order: entries 3 and 4 are swapped");
	/* Entry 2 moved after entry 5. */
	tmp = l.line[3];
	l.line[3] = l.line[2];
	l.line[2] = tmp;
	char *two = l.line[1];
	memmove(l.line + 1, l.line + 2, 3 * sizeof *l.line);
	l.line[4] = two;
	lines_write(copy, l.line, l.n);
	CHECK(audit_verify(copy, NULL, &r, &err) == 0 && !r.intact && r.bad_seq == 2);
	CHECK_STR(r.why, "out of order: entry 2 is at line 5 (moved)");
	/* Entry 2 removed. */
	l.line[4] = l.line[5];
	lines_write(copy, l.line, l.n - 1);
	CHECK(audit_verify(copy, NULL, &r, &err) == 0 && !r.intact && r.bad_seq == 2);
	CHECK(strncmp(r.why, "gap: entry 2 is missing", 23) == 0);
	for (size_t i = 0; i < l.n - 1; i++)
		free(l.line[i]);
	free(two);
	free(l.line);
}

int main(void)
{
	RUN(test_eight_writers);
	RUN(test_killed_writer);
	RUN(test_torn_tail_set_aside);
	RUN(test_tampering_found_where_it_is);
	RUN(test_published_head);
	RUN(test_first_line_off_genesis);
	RUN(test_published_head_mid_chain);
	RUN(test_swap_is_out_of_order);
	return CHECK_EXIT();
}
