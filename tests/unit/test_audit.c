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

/* The fast reading of a line (audit_line_entry) and cJSON's agree on every
 * line: what cmdr writes, and thousands of lines one byte away from it
 * (changed, dropped, added, cut), plus the corners of JSON that the fast
 * scan leaves to cJSON. */
static unsigned next_random(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

static void same_reading(const char *line, size_t len, unsigned *differ)
{
	double s1 = -7, s2 = -7;
	char p1[65] = "x", p2[65] = "x";
	int a = audit_line_entry(line, len, true, &s1, p1);
	int b = audit_line_entry(line, len, false, &s2, p2);
	if (a != b || (a && (memcmp(&s1, &s2, sizeof s1) != 0 || strcmp(p1, p2) != 0))) {
		if ((*differ)++ < 5)
			printf("#   fast %d %.17g %s, cJSON %d %.17g %s: %.*s\n", a, s1, p1, b, s2, p2, (int)len, line);
	}
}

static void test_fast_reading_agrees(void)
{
	const char *hash = "6ea63a768942a8a71bfd63511ef00a2ff411a283e41e2a961cb9b67b234e153d";
	char base[6][700];
	snprintf(base[0], sizeof base[0], "{\"seq\":12,\"prev\":\"%s\",\"time\":\"2024-09-13T17:14:06.000Z\","
		 "\"actor\":{\"user\":\"policy\",\"as\":\"ana\"},\"params\":{\"n\":[1,-2.5e3,0.25,true,false,null,{}],"
		 "\"s\":\"tab\\there \\\"q\\\" \\\\ \\/ \\n\\r\\b\\f caf\xc3\xa9\"},\"outcome\":\"verified\"}", hash);
	snprintf(base[1], sizeof base[1], "{\"seq\":1,\"prev\":\"%s\"}", JOURNAL_GENESIS);
	snprintf(base[2], sizeof base[2], "{\"seq\":999999999999999,\"prev\":\"%s\",\"a\":[[[[]]]],\"b\":{\"c\":{}}}", hash);
	snprintf(base[3], sizeof base[3], "{\"seq\":7,\"prev\":\"%s\",\"seq\":8,\"prev\":\"zz\"}", hash);
	snprintf(base[4], sizeof base[4], "{\"seq\":3,\"prev\":\"%s\",\"x\":\"\\u0041\\ud83d\\ude00\"}", hash);
	snprintf(base[5], sizeof base[5], "{\"seq\":3 , \"prev\" : \"%s\" , \"n\": 1E+2 }", hash);
	const char *corners[] = {
		"{\"seq\":01,\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\"}",
		"{\"seq\":9007199254740993,\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\"}",
		"{\"seq\":1,\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\"} trailing",
		"{\"seq\":1,\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"c\":\"raw\x01\"}",
		"{\"seq\":1,\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"n\":1234567890123456789012345678901234567890123456789012345678901234567890}",
		"{\"seq\":-1,\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\"}",
		"{\"seq\":1.5,\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\"}",
		"{\"seq\":\"1\",\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\"}",
		"{\"seq\":1,\"prev\":\"00000000000000000000000000000000000000000000000000000000000000000\"}",
		"[1,2]", "42", "", "{", "not json",
	};
	unsigned differ = 0, n = 0, state = 1;
	for (size_t i = 0; i < sizeof corners / sizeof corners[0]; i++, n++)
		same_reading(corners[i], strlen(corners[i]), &differ);
	/* Nested deeper than the fast scan goes. */
	char deep[2000];
	int k = snprintf(deep, sizeof deep, "{\"seq\":1,\"prev\":\"%s\",\"d\":", JOURNAL_GENESIS);
	for (int i = 0; i < 600; i++)
		deep[k++] = '[';
	for (int i = 0; i < 600; i++)
		deep[k++] = ']';
	deep[k++] = '}';
	same_reading(deep, (size_t)k, &differ);
	static const char bytes[] = "\"\\{}[],:0123456789-+.eEtfnu \t\x01\x7f\xc3xa/";
	char line[800];
	for (size_t b = 0; b < sizeof base / sizeof base[0]; b++) {
		size_t len = strlen(base[b]);
		same_reading(base[b], len, &differ);
		for (int m = 0; m < 4000; m++, n++) {
			memcpy(line, base[b], len);
			size_t at = next_random(&state) % len, l = len;
			char c = bytes[next_random(&state) % (sizeof bytes - 1)];
			switch (next_random(&state) % 4) {
			case 0: /* changed */
				line[at] = c;
				break;
			case 1: /* dropped */
				memmove(line + at, line + at + 1, len - at - 1);
				l--;
				break;
			case 2: /* added */
				memmove(line + at + 1, line + at, len - at);
				line[at] = c;
				l++;
				break;
			default: /* cut */
				l = at;
			}
			line[l] = '\0';
			same_reading(line, l, &differ);
		}
	}
	printf("#   %u lines read both ways\n", n);
	CHECK(differ == 0);
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
	RUN(test_fast_reading_agrees);
	return CHECK_EXIT();
}
