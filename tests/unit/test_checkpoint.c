/* The incident's checkpoint against the whole replay: for many journals
 * (tests/gen_journal.py's, the drills' run through cmdr with their
 * scripts, a governance session of two consoles made here, one with
 * foreign and long lines, and any given as arguments), an incident
 * opened from a checkpoint kept at any of several lines, then reading on
 * to the end, holds exactly what replaying the whole journal gives: the
 * same checkpoint state, the same `cmdr status --json`, the same
 * timeline once its history is read back, the same journal position.
 * What the governance checks read (roles, the pinned policy, the freeze,
 * requests, intents in doubt) is in all of these.
 *
 *   test_checkpoint [JOURNAL...]   those journals only */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "incident.h"
#include "incident_impl.h"
#include "status.h"
#include "timefmt.h"
#include "xalloc.h"

#define T0 1726247643000LL /* 2024-09-13T17:14:03Z */
#define EP "support-assistant-prod"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16;
	char *buf = xmalloc(cap);
	*len = 0;
	for (size_t got; (got = fread(buf + *len, 1, cap - *len, f)) > 0;) {
		*len += got;
		if (*len == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	fclose(f);
	return buf;
}

static void spill(const char *dir, const char *bytes, size_t len, const char *mode)
{
	char *path = xasprintf("%s/journal.jsonl", dir);
	FILE *f = fopen(path, mode);
	if (!f || fwrite(bytes, 1, len, f) != len)
		abort();
	fclose(f);
	free(path);
}

/* ---- what an incident holds, as text to compare ------------------------ */

static void add_text(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_text(char **out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *more;
	if (vasprintf(&more, fmt, ap) < 0)
		abort();
	va_end(ap);
	char *both = xasprintf("%s%s", *out ? *out : "", more);
	free(more);
	free(*out);
	*out = both;
}

static char *json_text(cJSON *doc)
{
	char *s = cJSON_Print(doc);
	char *copy = xstrdup(s);
	cJSON_free(s);
	cJSON_Delete(doc);
	return copy;
}

/* Everything the lines built, with what depends on the moment this
 * process opened the incident set to one moment. */
static char *dump(struct incident *inc)
{
	char *out = NULL;
	cJSON *state = checkpoint_state(inc);
	/* A replay sets the last action at the moment it runs. */
	if (inc->last_action.at_ms == inc->now)
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(state, "last_action"), "at_ms", cJSON_CreateString("now"));
	char *st = json_text(state);
	add_text(&out, "state %s\n", st);
	free(st);
	inc->now = T0 + 3600 * 1000;
	cJSON *status = status_json(inc);
	cJSON_DeleteItemFromObject(status, "clock");
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(status, "journal"), "path");
	st = json_text(status);
	add_text(&out, "status %s\n", st);
	free(st);
	const struct journal *j = &inc->journal;
	add_text(&out, "journal %llu %lld %lld %s %llu %llu %llu torn %d\n", (unsigned long long)j->entries,
		 (long long)j->offset, (long long)j->last_start, j->head, (unsigned long long)j->n_long,
		 (unsigned long long)j->long_line, (unsigned long long)j->long_len, j->torn);
	add_text(&out, "timeline %zu of %llu\n", inc->timeline.n, (unsigned long long)inc->timeline.total);
	for (size_t i = 0; i < inc->timeline.n; i++) {
		const struct timeline_entry *e = timeline_at(&inc->timeline, i);
		add_text(&out, "%llu %lld %s|%s|%s|%s|%s|%d\n", (unsigned long long)e->seq, (long long)e->at_ms, e->who,
			 e->role, e->action, e->what, e->why ? e->why : "-", e->failed);
	}
	return out;
}

static struct actor tester(void)
{
	struct actor me;
	actor_from_env(&me, "tester", ROLE_COMMANDER, false);
	return me;
}

/* dir's incident as a command that looks opens it: from this user's
 * checkpoint when there is one that fits. */
/* text with every dir in it said DIR. */
static char *undir(char *text, const char *dir)
{
	size_t n = strlen(dir);
	char *out = NULL;
	for (char *p = text, *at; *p; p = at + n) {
		at = strstr(p, dir);
		if (!at) {
			add_text(&out, "%s", p);
			break;
		}
		add_text(&out, "%.*sDIR", (int)(at - p), p);
	}
	free(text);
	return out ? out : xstrdup("");
}

static char *open_and_dump(const char *dir, off_t *history_before)
{
	struct incident inc;
	struct actor me = tester();
	struct error err;
	if (incident_open_readonly(&inc, dir, &me, &err) != 0) {
		printf("#   %s: %s\n", dir, err.msg);
		return xstrdup("unopened");
	}
	*history_before = inc.history_before;
	CHECK(incident_timeline_history(&inc, &err) == 0);
	char *text = undir(dump(&inc), dir);
	incident_free(&inc);
	return text;
}

/* Where the k-th line ends (0: the start). */
static size_t line_end(const char *bytes, size_t len, size_t k)
{
	size_t at = 0;
	for (size_t i = 0; i < k; i++) {
		const char *nl = memchr(bytes + at, '\n', len - at);
		if (!nl)
			abort();
		at = (size_t)(nl - bytes) + 1;
	}
	return at;
}

static void show_difference(const char *name, size_t k, const char *a, const char *b)
{
	size_t i = 0;
	while (a[i] && a[i] == b[i])
		i++;
	size_t from = i > 120 ? i - 120 : 0;
	printf("#   %s, checkpoint at line %zu: differs at byte %zu\n#   whole:      %.240s\n#   checkpoint: %.240s\n",
	       name, k, i, a + from, b + from);
}

/* The journal's bytes, cut at several lines: a writer opens the first k
 * lines (and keeps a checkpoint there), the rest is appended, and a
 * reader opens it from the checkpoint. Returns how many of the cuts
 * were opened from a checkpoint. */
static size_t compare_cuts(const char *name, const char *bytes, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += bytes[i] == '\n';
	const char *whole_dir = check_tmpdir();
	spill(whole_dir, bytes, len, "w");
	off_t before = 0;
	char *whole = open_and_dump(whole_dir, &before);
	CHECK(before == 0);
	size_t cuts[] = { 0, 1, 2, n / 7, n / 3, n / 2, n - n / 5, n - 2, n - 1, n };
	size_t used = 0;
	for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
		size_t k = cuts[c];
		bool again = k > n;
		for (size_t d = 0; d < c; d++)
			again = again || cuts[d] == k;
		if (again)
			continue;
		char dir[64];
		snprintf(dir, sizeof dir, "/tmp/cmdr-ckpt.XXXXXX");
		if (!mkdtemp(dir))
			abort();
		size_t cut = line_end(bytes, len, k);
		spill(dir, bytes, cut, "w");
		struct incident w;
		struct actor me = tester();
		struct error err;
		CHECK(incident_open(&w, dir, &me, &err) == 0);
		incident_free(&w);
		spill(dir, bytes + cut, len - cut, "a");
		char *from = open_and_dump(dir, &before);
		used += before > 0;
		if (strcmp(whole, from) != 0) {
			show_difference(name, k, whole, from);
			CHECK(!"the same as the whole replay");
		}
		free(from);
		char *rm = xasprintf("rm -rf '%s'", dir);
		if (system(rm) != 0)
			abort();
		free(rm);
	}
	printf("#   %s: %zu lines, %zu of the cuts opened from a checkpoint\n", name, n, used);
	free(whole);
	return used;
}

/* used: a checkpoint must have been used, at least for the later cuts. */
static void compare_file(const char *name, const char *path, bool used)
{
	size_t len;
	char *bytes = slurp(path, &len);
	CHECK(bytes != NULL);
	if (bytes && compare_cuts(name, bytes, len) == 0)
		CHECK(!used);
	free(bytes);
}

/* ---- journals ------------------------------------------------------------ */

static const char *tests_dir(void)
{
	return getenv("TESTS_DIR") ? getenv("TESTS_DIR") : "tests";
}

static const char *cmdr(void)
{
	return getenv("CMDR") ? getenv("CMDR") : "build/cmdr";
}

static void test_gen_journal(void)
{
	const char *dir = check_tmpdir();
	char *cmd = xasprintf("python3 '%s/gen_journal.py' '%s/journal.jsonl' 0.3 >/dev/null", tests_dir(), dir);
	CHECK(system(cmd) == 0);
	free(cmd);
	char *path = xasprintf("%s/journal.jsonl", dir);
	compare_file("gen_journal.py 0.3 MB", path, true);
	free(path);
}

/* A drill run headless through cmdr with a script (NULL: none). */
static void drill(const char *scenario, const char *script_text, const char *until)
{
	const char *dir = check_tmpdir();
	char *script = xasprintf("%s/drill.script", dir);
	if (script_text) {
		FILE *f = fopen(script, "w");
		fputs(script_text, f);
		fclose(f);
	}
	char *inc = xasprintf("%s/inc", dir);
	char *cmd = xasprintf("'%s' drill '%s/../drills/%s' --headless%s%s%s%s -i '%s' >/dev/null 2>&1", cmdr(),
			      tests_dir(), scenario, script_text ? " --script " : "", script_text ? script : "",
			      until ? " --until " : "", until ? until : "", inc);
	CHECK(system(cmd) == 0);
	char *path = xasprintf("%s/journal.jsonl", inc);
	compare_file(scenario, path, true);
	free(path);
	free(cmd);
	free(inc);
	free(script);
}

static void test_drills(void)
{
	char *friday = xasprintf("%s/../drills/friday-1714.script", tests_dir());
	size_t len;
	char *text = slurp(friday, &len);
	CHECK(text != NULL);
	if (text) {
		text = xrealloc(text, len + 1);
		text[len] = '\0';
	}
	drill("friday-1714.json", text, NULL);
	free(text);
	free(friday);
	drill("error-burst.json",
	      "14:06:00 as ana declare SEV1 checkout errors\n"
	      "14:06:10 as ana role commander\n"
	      "14:08:00 silence alertname=\"UpstreamErrors\" 30m the upstream is known\n"
	      "14:09:00 silence extend drill-silence-1 15m Azure still degraded\n"
	      "14:10:00 silence service=\"support-assistant\" severity=\"ticket\" 1h tickets wait\n"
	      "14:11:00 silence expire drill-silence-2 the retries matter after all\n"
	      "14:11:30 sev SEV2 contained\n"
	      "14:11:40 every 15m\n"
	      "14:11:50 timecheck on 5m\n",
	      "14:20:00");
	drill("refusal-spike.json", NULL, NULL);
}

/* The rules of the session: the two-person rule, on this OS user's
 * account shared by the people at the consoles (--as names them). */
static void session_rules(struct incident *inc)
{
	struct policy p;
	struct error err;
	policy_default(&p);
	p.shared_accounts = xrealloc(p.shared_accounts, 2 * sizeof *p.shared_accounts);
	p.shared_accounts[0] = xstrdup(inc->actor.user);
	p.n_shared_accounts = 1;
	p.gov.two_person = true;
	p.gov.shared_account_approval = true;
	policy_seal(&p);
	if (incident_settle_policy(inc, &p, true, &err) != 0)
		abort();
	policy_free(&p);
}

static void console(struct incident *inc, const char *dir, const char *who, enum role role)
{
	struct actor me;
	struct error err;
	actor_from_env(&me, who, role, false);
	if (incident_open(inc, dir, &me, &err) != 0)
		abort();
	session_rules(inc);
	clock_init_manual(&inc->clock, T0);
	inc->now = T0;
	struct endpoint *ep = model_add_endpoint(&inc->model, EP);
	endpoint_add_deployment(ep, "d-1427", "Succeeded", T0 - MS_PER_DAY);
	endpoint_add_deployment(ep, "d-1428", "Succeeded", T0 - MS_PER_MIN);
	struct traffic_split s;
	traffic_split_init(&s);
	traffic_split_set(&s, "d-1427", 100);
	endpoint_apply_split(ep, &s);
	traffic_split_set(&s, "d-1427", 90);
	traffic_split_set(&s, "d-1428", 10);
	endpoint_apply_split(ep, &s);
	traffic_split_free(&s);
	inc->target = target_sim_new(&inc->model, 3 * MS_PER_S);
}

/* A line as another process would journal it, in the incident's rules. */
static void journal_raw(struct incident *inc, const char *action, const char *target, const char *outcome,
			const char *param, const char *value)
{
	cJSON *e = incident_journal_entry(inc, &inc->actor, action, target, "by hand");
	if (param)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(e, "params"), param, value);
	cJSON_AddStringToObject(e, "outcome", outcome);
	struct error err;
	CHECK(journal_append(&inc->journal, e, &err) == 0);
	cJSON_Delete(e);
}

static void both_follow(struct incident *a, struct incident *b, int64_t at)
{
	struct error err;
	incident_advance(a, at);
	CHECK(incident_follow(a, &err) == 0);
	incident_advance(b, at);
	CHECK(incident_follow(b, &err) == 0);
}

/* Two consoles under the two-person rule on a shared account: requests
 * approved and carried out, withdrawn, expired; an intent left in doubt;
 * an approval by the one who asked (refused); the freeze on and off;
 * ticks, roles, updates, notes, time checks; the rules pinned anew. */
static void test_governance_session(void)
{
	const char *dir = check_tmpdir();
	struct incident a, b;
	struct error err;
	console(&a, dir, "alice", ROLE_COMMANDER);
	console(&b, dir, "bob", ROLE_DEPUTY);
	incident_declare(&a, "refusals on support-assistant", 1, &a.actor, &err);
	incident_assign_role(&a, DUTY_COMMANDER, NULL, &a.actor, &err);
	CHECK(incident_follow(&b, &err) == 0);
	incident_assign_role(&b, DUTY_SCRIBE, NULL, &b.actor, &err);
	incident_note(&b, "looking at the canary", &b.actor, &err);
	both_follow(&a, &b, T0 + 10 * MS_PER_S);
	incident_set_freeze(&a, true, "release train paused", &a.actor, &err);
	journal_raw(&a, "tick", "runbook:canary-regression", "ticked", "step", "read-the-verdict");
	journal_raw(&a, "tick", "runbook:canary-regression", "ticked", "step", "check-the-split");
	journal_raw(&b, "untick", "runbook:canary-regression", "unticked", "step", "read-the-verdict");
	journal_raw(&a, "pin", "service:support-assistant", "pinned", "service", "support-assistant");
	journal_raw(&b, "pin", "service:checkout", "pinned", "service", "checkout");
	journal_raw(&a, "unpin", "service:support-assistant", "unpinned", "service", "support-assistant");
	/* Approved, then carried out and verified. */
	int held = incident_rollback(&a, EP, NULL, "refusals up", &a.actor, &err);
	if (held != 1)
		printf("#   rollback: %s\n", err.msg);
	CHECK(held == 1);
	uint64_t first = a.journal.entries;
	both_follow(&a, &b, T0 + 20 * MS_PER_S);
	CHECK(incident_approve(&a, first, &a.actor, &err) == -1);
	CHECK(incident_approve(&b, first, &b.actor, &err) == 0);
	both_follow(&a, &b, T0 + 30 * MS_PER_S);
	both_follow(&a, &b, T0 + 40 * MS_PER_S);
	/* Withdrawn. */
	struct traffic_split half;
	traffic_split_init(&half);
	traffic_split_set(&half, "d-1427", 50);
	traffic_split_set(&half, "d-1428", 50);
	incident_set_freeze(&a, false, "train may go", &a.actor, &err);
	CHECK(incident_set_weight(&a, EP, &half, "ramp", &a.actor, &err) == 1);
	CHECK(incident_withdraw(&a, a.journal.entries, &a.actor, &err) == 0);
	traffic_split_free(&half);
	/* Pending at a checkpoint, expired after it. */
	CHECK(incident_promote(&a, EP, "d-1428", "promote it", &a.actor, &err) == 1);
	both_follow(&a, &b, T0 + 50 * MS_PER_S);
	incident_post_update(&a, "rolled back; a promotion waits for a second person", &a.actor, &err);
	incident_set_timecheck(&a, 10 * 60 * MS_PER_S, &a.actor, &err);
	incident_set_update_every(&a, 20 * 60 * MS_PER_S, &a.actor, &err);
	both_follow(&a, &b, T0 + 12 * 60 * MS_PER_S);
	/* An intent whose process ended: in doubt. */
	journal_raw(&b, "rollback", EP, "intent", "traffic", "d-1427=100 d-1428=0");
	struct policy stricter;
	policy_default(&stricter);
	stricter.gov.two_person = false;
	policy_seal(&stricter);
	incident_pin_policy(&a, &stricter, "one person is enough now", &a.actor, &err);
	policy_free(&stricter);
	incident_set_severity(&a, 3, "contained", &a.actor, &err);
	incident_resolve(&a, "refusals back at baseline", &a.actor, &err);
	both_follow(&a, &b, T0 + 13 * 60 * MS_PER_S);
	incident_free(&a);
	incident_free(&b);
	char *path = xasprintf("%s/journal.jsonl", dir);
	size_t len;
	char *bytes = slurp(path, &len);
	bytes = xrealloc(bytes, len + 1);
	bytes[len] = '\0';
	/* The session holds what it means to. */
	const char *want[] = { "\"outcome\":\"pending\"", "\"outcome\":\"approved\"", "\"outcome\":\"withdrawn\"",
			       "\"outcome\":\"expired\"", "\"outcome\":\"verified\"", "\"outcome\":\"refused\"",
			       "\"action\":\"freeze\"", "\"action\":\"unfreeze\"", "\"action\":\"policy\"",
			       "\"outcome\":\"resolved\"", "\"action\":\"untick\"", "\"action\":\"unpin\"" };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(bytes, want[i])) {
			printf("#   the session has no %s\n", want[i]);
			CHECK(!"a full session");
		}
	CHECK(compare_cuts("governance session", bytes, len) > 0);
	free(bytes);
	free(path);
}

/* Lines cmdr would not write: one that is not JSON, one that is not an
 * entry, a line over the limit, and a torn tail. A checkpoint is kept
 * across them, or the whole journal is read, with the same result. */
static void test_foreign_lines(void)
{
	const char *dir = check_tmpdir();
	char *cmd = xasprintf("python3 '%s/gen_journal.py' '%s/journal.jsonl' 0.02 --long 1500000 >/dev/null",
			      tests_dir(), dir);
	CHECK(system(cmd) == 0);
	free(cmd);
	char *path = xasprintf("%s/journal.jsonl", dir);
	FILE *f = fopen(path, "a");
	fputs("not json at all\n{\"time\":\"2024-09-13T00:00:01.000Z\",\"said\":\"not an entry\"}\n", f);
	fclose(f);
	/* cmdr appends after them, counting them. */
	struct journal j;
	struct error err;
	CHECK(journal_open(&j, dir, &err) == 0);
	for (int i = 0; i < 30; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "time", "2024-09-13T01:00:00.000Z");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(e, "actor"), "user", "mei");
		cJSON_AddStringToObject(e, "action", i % 2 ? "note" : "tick");
		cJSON_AddStringToObject(e, "target", i % 2 ? "timeline" : "runbook:rb");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(e, "params"), i % 2 ? "text" : "step", "after them");
		cJSON_AddStringToObject(e, "outcome", i % 2 ? "noted" : "ticked");
		CHECK(journal_append(&j, e, &err) == 0);
		cJSON_Delete(e);
	}
	journal_close(&j);
	f = fopen(path, "a");
	fputs("{\"seq\":999,\"prev\":\"torn", f);
	fclose(f);
	size_t len;
	char *bytes = slurp(path, &len);
	free(path);
	CHECK(compare_cuts("foreign, long and torn lines", bytes, len) > 0);
	/* Lines put in the middle: their seq no longer counts lines (as in a
	 * journal edited by hand), and no checkpoint across them is used. */
	size_t mid = line_end(bytes, len, 20);
	const char *junk = "not json at all\n";
	char *mixed = xmalloc(len + strlen(junk));
	memcpy(mixed, bytes, mid);
	memcpy(mixed + mid, junk, strlen(junk));
	memcpy(mixed + mid + strlen(junk), bytes + mid, len - mid);
	compare_cuts("a line put in the middle", mixed, len + strlen(junk));
	free(mixed);
	free(bytes);
}

/* A line with no time takes this process's clock: no checkpoint is kept
 * of a state built from it. */
static void test_no_checkpoint_without_time(void)
{
	const char *dir = check_tmpdir();
	char line[256];
	snprintf(line, sizeof line, "{\"seq\":1,\"prev\":\"%s\",\"action\":\"note\",\"outcome\":\"noted\"}\n",
		 JOURNAL_GENESIS);
	spill(dir, line, strlen(line), "w");
	struct incident inc;
	struct actor me = tester();
	struct error err;
	CHECK(incident_open(&inc, dir, &me, &err) == 0);
	CHECK(inc.clockless);
	incident_free(&inc);
	char *ckpt = xasprintf("%s/journal.checkpoint-%lu", dir, (unsigned long)geteuid());
	CHECK(access(ckpt, F_OK) != 0);
	free(ckpt);
}

/* A checkpoint whose state this build cannot take (cut, or built by
 * another version of the replay): the whole journal is read, and the next
 * writer replaces it. */
static void test_unusable_state(void)
{
	const char *dir = check_tmpdir();
	char *cmd = xasprintf("python3 '%s/gen_journal.py' '%s/journal.jsonl' 0.01 >/dev/null", tests_dir(), dir);
	CHECK(system(cmd) == 0);
	free(cmd);
	struct incident inc;
	struct actor me = tester();
	struct error err;
	CHECK(incident_open(&inc, dir, &me, &err) == 0);
	incident_free(&inc);
	off_t before;
	char *good = open_and_dump(dir, &before);
	CHECK(before > 0);
	/* The same mark, its state's workflow missing. */
	struct journal j;
	struct journal_mark m;
	CHECK(journal_open(&j, dir, &err) == 0);
	cJSON *state = journal_checkpoint_load(&j, &m);
	CHECK(state != NULL);
	cJSON_DeleteItemFromObject(state, "workflow");
	journal_checkpoint_save(&j, state);
	journal_close(&j);
	char *again = open_and_dump(dir, &before);
	CHECK(before == 0);
	CHECK(strcmp(good, again) == 0);
	free(again);
	/* The next writer replaces it, though the journal did not move. */
	me = tester();
	CHECK(incident_open(&inc, dir, &me, &err) == 0);
	incident_free(&inc);
	again = open_and_dump(dir, &before);
	CHECK(before > 0);
	CHECK(strcmp(good, again) == 0);
	free(again);
	/* Built by another version of the replay: not restored. */
	CHECK(journal_open(&j, dir, &err) == 0);
	state = journal_checkpoint_load(&j, &m);
	CHECK(state != NULL);
	cJSON_ReplaceItemInObject(state, "built_by", cJSON_CreateString("cmdr 0.0.9, replay 0"));
	journal_checkpoint_save(&j, state);
	journal_close(&j);
	again = open_and_dump(dir, &before);
	CHECK(before == 0);
	CHECK(strcmp(good, again) == 0);
	free(good);
	free(again);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			check_current_failures = 0;
			compare_file(argv[i], argv[i], false);
			printf("%s - checkpoint of %s gives the whole replay's state\n",
			       check_current_failures ? "not ok" : "ok", argv[i]);
			check_total_failed += check_current_failures != 0;
		}
		return CHECK_EXIT();
	}
	RUN(test_gen_journal);
	RUN(test_drills);
	RUN(test_governance_session);
	RUN(test_foreign_lines);
	RUN(test_no_checkpoint_without_time);
	RUN(test_unusable_state);
	return CHECK_EXIT();
}
