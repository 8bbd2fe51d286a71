/* The rollback action: role checks, intent before change, verification by
 * reading back, failures journaled, one change per endpoint at a time, the
 * canary policy acting through the same path. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "lock.h"
#include "incident.h"
#include "timefmt.h"
#include "xalloc.h"

#define T0 1726247643000LL /* 2024-09-13T17:14:03Z */

/* Judges inc by rules from config text (USER: the OS user), as a command
 * does once the incident is open; --role as given. */
static void use_policy(struct incident *inc, const char *json)
{
	char text[512];
	const char *at = strstr(json, "USER");
	if (at)
		snprintf(text, sizeof text, "%.*s%s%s", (int)(at - json), json, inc->actor.user, at + 4);
	else
		snprintf(text, sizeof text, "%s", json);
	struct config cfg;
	struct config_problems problems = { 0 };
	struct policy p;
	struct error err;
	if (config_parse(text, strlen(text), "t.json", &cfg, &problems) != 0)
		abort();
	policy_from_config(&p, &cfg);
	if (incident_settle_policy(inc, &p, true, &err) != 0)
		abort();
	policy_free(&p);
	config_free(&cfg);
	config_problems_free(&problems);
}

/* The tests run as one OS user: a shared account, where --as names the
 * person, and another name may approve. */
#define SHARED_POLICY "{\"shared_accounts\": [\"USER\"], \"governance\": {\"shared_account_approval\": true}}"

static void split2(struct traffic_split *s, int a, int b)
{
	traffic_split_clear(s);
	traffic_split_set(s, "d-1427", a);
	traffic_split_set(s, "d-1428", b);
}

static cJSON *journal_line(const struct incident *inc, int seq)
{
	FILE *f = fopen(inc->journal.path, "r");
	char line[8192];
	cJSON *found = NULL;
	for (int i = 1; f && fgets(line, sizeof line, f); i++)
		if (i == seq)
			found = cJSON_Parse(line);
	if (f)
		fclose(f);
	return found;
}

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(o, key));
}

static int traffic(const struct incident *inc, const char *d)
{
	const struct endpoint *ep = inc->model.endpoints[0];
	return endpoint_find_deployment(ep, d)->traffic;
}

/* An incident with one endpoint at d-1427=90 d-1428=10 (d-1427 was at
 * 100% before) and a simulated target that lands changes after 3 s. */
static void setup_in(struct incident *inc, const char *dir, const char *who, enum role role, bool readonly)
{
	struct actor me;
	struct error err;
	actor_from_env(&me, who, role, readonly);
	if (incident_open(inc, dir, &me, &err) != 0)
		abort();
	use_policy(inc, SHARED_POLICY);
	clock_init_manual(&inc->clock, T0);
	inc->now = T0;
	struct endpoint *ep = model_add_endpoint(&inc->model, "support-assistant-prod");
	endpoint_add_deployment(ep, "d-1427", "Succeeded", T0 - MS_PER_DAY);
	endpoint_add_deployment(ep, "d-1428", "Succeeded", T0 - MS_PER_MIN);
	struct traffic_split s;
	traffic_split_init(&s);
	split2(&s, 100, 0);
	endpoint_apply_split(ep, &s);
	split2(&s, 90, 10);
	endpoint_apply_split(ep, &s);
	traffic_split_free(&s);
	inc->target = target_sim_new(&inc->model, 3 * MS_PER_S);
}

static void setup(struct incident *inc, enum role role, bool readonly)
{
	setup_in(inc, check_tmpdir(), "alice", role, readonly);
}

/* A second console on the same incident: no world of its own, it learns
 * everything from the journal. */
static void second_console(struct incident *inc, const char *dir, const char *who, enum role role)
{
	struct actor me;
	struct error err;
	actor_from_env(&me, who, role, false);
	if (incident_open(inc, dir, &me, &err) != 0)
		abort();
	use_policy(inc, SHARED_POLICY);
	/* Live consoles share the wall clock; here the tests' manual one. */
	clock_init_manual(&inc->clock, T0);
	inc->now = T0;
}

static void test_two_person_rule(void)
{
	const char *dir = check_tmpdir();
	struct incident a, b;
	struct error err;
	setup_in(&a, dir, "alice", ROLE_COMMANDER, false);
	a.policy.gov.two_person = true;
	second_console(&b, dir, "bob", ROLE_DEPUTY);

	CHECK(incident_rollback(&a, "support-assistant-prod", NULL, "refusals up", &a.actor, &err) == 1);
	CHECK(strstr(err.msg, "waiting for a second person's approval") != NULL);
	cJSON *e = journal_line(&a, 1);
	CHECK_STR(str(e, "outcome"), "pending");
	CHECK_STR(str(cJSON_GetObjectItem(e, "params"), "expires"), "2024-09-13T17:24:03.000Z");
	cJSON_Delete(e);
	incident_advance(&a, T0 + 60 * MS_PER_S);
	CHECK(traffic(&a, "d-1428") == 10); /* nothing moved */

	/* The one who asked cannot approve... */
	CHECK(incident_approve(&a, 1, &a.actor, &err) == -1);
	CHECK(strstr(err.msg, "alice cannot approve their own request") != NULL);


	CHECK(incident_follow(&b, &err) == 0);
	const struct approval_request *r = incident_request_to_approve(&b, &b.actor);
	CHECK(r && r->seq == 1 && strcmp(r->requester, "alice") == 0 && strcmp(r->to, "d-1427") == 0);
	CHECK(incident_request_to_approve(&a, &a.actor) == NULL);
	CHECK(incident_approve(&b, 1, &b.actor, &err) == 0);

	/* The asking console sees the approval and carries it out. */
	CHECK(incident_follow(&a, &err) == 0);
	CHECK(a.requests[0].state == REQUEST_APPROVED);
	incident_advance(&a, T0 + 61 * MS_PER_S);
	CHECK(a.n_jobs == 1 && a.requests[0].state == REQUEST_EXECUTED);
	e = journal_line(&a, 4);
	CHECK_STR(str(e, "outcome"), "intent");
	CHECK_STR(str(cJSON_GetObjectItem(e, "actor"), "as"), "alice");
	CHECK_STR(str(cJSON_GetObjectItem(e, "params"), "approved_by"), "bob");
	CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "params"), "request")) == 1);
	cJSON_Delete(e);
	incident_advance(&a, T0 + 70 * MS_PER_S);
	CHECK(traffic(&a, "d-1427") == 100);
	CHECK(incident_follow(&b, &err) == 0);
	CHECK(b.requests[0].state == REQUEST_EXECUTED);
	incident_free(&a);
	incident_free(&b);
}

static void test_second_name_is_not_second_person(void)
{
	/* On one's own (not shared) account, another --as name is a label:
	 * the person is the OS user, who cannot approve their own request. */
	const char *dir = check_tmpdir();
	struct incident a;
	struct error err;
	setup_in(&a, dir, "alice", ROLE_COMMANDER, false);
	use_policy(&a, "{\"governance\": {\"two_person\": true}}");
	CHECK(incident_rollback(&a, "support-assistant-prod", NULL, "why", &a.actor, &err) == 1);
	struct actor mallory;
	actor_from_env(&mallory, "mallory", ROLE_DEPUTY, false);
	CHECK(incident_request_to_approve(&a, &mallory) == NULL);
	CHECK(incident_approve(&a, 1, &mallory, &err) == -1);
	CHECK(strstr(err.msg, "two-person rule") != NULL);
	actor_free(&mallory);
	incident_free(&a);
}

static void test_request_expires(void)
{
	const char *dir = check_tmpdir();
	struct incident a, b;
	struct error err;
	setup_in(&a, dir, "alice", ROLE_COMMANDER, false);
	a.policy.gov.two_person = true;
	a.policy.gov.approval_timeout_ms = 5 * MS_PER_MIN;
	second_console(&b, dir, "bob", ROLE_DEPUTY);
	CHECK(incident_rollback(&a, "support-assistant-prod", NULL, "why", &a.actor, &err) == 1);
	incident_advance(&a, T0 + 5 * MS_PER_MIN - 1);
	CHECK(a.requests[0].state == REQUEST_PENDING);
	incident_advance(&a, T0 + 6 * MS_PER_MIN);
	CHECK(a.requests[0].state == REQUEST_EXPIRED);
	cJSON *e = journal_line(&a, 2);
	CHECK_STR(str(e, "outcome"), "expired");
	CHECK_STR(str(e, "time"), "2024-09-13T17:19:03.000Z");
	cJSON_Delete(e);
	/* Too late: the approval is refused, and nothing moves. */
	CHECK(incident_follow(&b, &err) == 0);
	CHECK(b.requests[0].state == REQUEST_EXPIRED);
	CHECK(incident_approve(&b, 1, &b.actor, &err) == -1);
	CHECK(strstr(err.msg, "is expired") != NULL);
	CHECK(traffic(&a, "d-1428") == 10);
	incident_free(&a);
	incident_free(&b);
}

static void test_observer_cannot_approve(void)
{
	const char *dir = check_tmpdir();
	struct incident a, c;
	struct error err;
	setup_in(&a, dir, "alice", ROLE_COMMANDER, false);
	a.policy.gov.two_person = true;
	second_console(&c, dir, "carol", ROLE_OBSERVER);
	CHECK(incident_rollback(&a, "support-assistant-prod", NULL, "why", &a.actor, &err) == 1);
	CHECK(incident_follow(&c, &err) == 0);
	CHECK(incident_approve(&c, 1, &c.actor, &err) == -1);
	CHECK(strstr(err.msg, "observers cannot") != NULL);
	cJSON *e = journal_line(&c, 2);
	CHECK_STR(str(e, "action"), "approve");
	CHECK_STR(str(e, "outcome"), "refused");
	cJSON_Delete(e);
	incident_free(&a);
	incident_free(&c);
}

static void test_emergency_preapproved(void)
{
	struct incident inc;
	struct error err;
	setup(&inc, ROLE_COMMANDER, false);
	inc.policy.gov.two_person = true;
	inc.policy.gov.emergency_burn = 4;
	/* A burn of 10x on the 1h window is inside the emergency criteria. */
	inc.n_slos = 1;
	inc.slos = calloc(1, sizeof *inc.slos);
	inc.slos[0].spec.name = strdup("availability");
	inc.slos[0].spec.objective = 0.999;
	inc.slos[0].spec.period_ms = 30 * MS_PER_DAY;
	inc.slos[0].spec.min_events = 10;
	event_series_set(&inc.slos[0].events, T0 - 2 * MS_PER_HOUR, INT64_MAX, 100, 0.01);
	incident_advance(&inc, T0);
	CHECK(incident_rollback(&inc, "support-assistant-prod", NULL, "burning", &inc.actor, &err) == 0);
	cJSON *e = journal_line(&inc, 1);
	CHECK_STR(str(e, "outcome"), "intent");
	CHECK_STR(str(cJSON_GetObjectItem(e, "params"), "preapproved"), "availability burn 1h 10.0x >= 4x");
	cJSON_Delete(e);
	incident_free(&inc);
}

static void test_rollback_verified(void)
{
	struct incident inc;
	struct error err;
	setup(&inc, ROLE_COMMANDER, false);
	CHECK_STR(inc.model.endpoints[0]->last_known_good, "d-1427");
	CHECK(incident_rollback(&inc, "support-assistant-prod", NULL, "multi_hop failing", &inc.actor, &err) == 0);
	CHECK(inc.journal.entries == 1);
	cJSON *intent = journal_line(&inc, 1);
	CHECK_STR(str(intent, "action"), "rollback");
	CHECK_STR(str(intent, "outcome"), "intent");
	CHECK_STR(str(intent, "role"), "commander");
	CHECK_STR(str(cJSON_GetObjectItem(intent, "actor"), "as"), "alice");
	CHECK_STR(str(cJSON_GetObjectItem(intent, "params"), "traffic"), "d-1427=100 d-1428=0");
	CHECK_STR(str(cJSON_GetObjectItem(intent, "params"), "from"), "d-1427=90 d-1428=10");
	CHECK_STR(str(intent, "time"), "2024-09-13T17:14:03.000Z");
	cJSON_Delete(intent);

	incident_advance(&inc, T0 + 2 * MS_PER_S);
	CHECK(inc.jobs[0].state == ACTION_VERIFYING);
	CHECK(traffic(&inc, "d-1428") == 10);
	incident_advance(&inc, T0 + 10 * MS_PER_S);
	CHECK(inc.jobs[0].state == ACTION_VERIFIED);
	CHECK(traffic(&inc, "d-1427") == 100);
	CHECK(inc.journal.entries == 2);
	cJSON *out = journal_line(&inc, 2);
	CHECK_STR(str(out, "outcome"), "verified");
	CHECK_STR(str(out, "traffic"), "d-1427=100 d-1428=0");
	CHECK_STR(str(out, "time"), "2024-09-13T17:14:06.000Z");
	CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(out, "intent")) == 1);
	cJSON_Delete(out);
	incident_free(&inc);
}

static void test_refusals_journaled(void)
{
	struct incident inc;
	struct error err;
	setup(&inc, ROLE_OBSERVER, false);
	CHECK(incident_rollback(&inc, "support-assistant-prod", NULL, "why", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "observer") != NULL);
	cJSON *e = journal_line(&inc, 1);
	CHECK_STR(str(e, "outcome"), "refused");
	CHECK_STR(str(e, "role"), "observer");
	CHECK_STR(str(e, "reason"), "why");
	CHECK(strstr(str(e, "detail"), "observers cannot") != NULL);
	cJSON_Delete(e);
	CHECK(traffic(&inc, "d-1428") == 10);
	incident_free(&inc);

	setup(&inc, ROLE_DEPUTY, true);
	CHECK(incident_rollback(&inc, "support-assistant-prod", NULL, "why", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "read-only") != NULL);
	incident_free(&inc);

	setup(&inc, ROLE_DEPUTY, false);
	CHECK(incident_rollback(&inc, "support-assistant-prod", NULL, "", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "reason is required") != NULL);
	CHECK(incident_rollback(&inc, "nope", NULL, "why", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "no endpoint named nope") != NULL);
	CHECK(incident_rollback(&inc, "support-assistant-prod", "d-9", "why", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "no deployment named d-9") != NULL);
	/* Every refused attempt left a line; none left a change. */
	CHECK(inc.journal.entries == 3);
	e = journal_line(&inc, 3);
	CHECK_STR(str(e, "outcome"), "refused");
	CHECK_STR(str(e, "detail"), "support-assistant-prod has no deployment named d-9");
	cJSON_Delete(e);
	CHECK(inc.n_jobs == 0);
	incident_free(&inc);
}

static void test_one_change_at_a_time(void)
{
	struct incident inc;
	struct error err;
	setup(&inc, ROLE_COMMANDER, false);
	CHECK(incident_rollback(&inc, "support-assistant-prod", NULL, "first", &inc.actor, &err) == 0);
	CHECK(incident_rollback(&inc, "support-assistant-prod", "d-1428", "second", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "still being verified") != NULL);
	CHECK(strstr(err.msg, "alice") != NULL);
	incident_advance(&inc, T0 + 5 * MS_PER_S);
	/* Once verified, rolling back to where traffic already is is refused. */
	CHECK(incident_rollback(&inc, "support-assistant-prod", NULL, "again", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "already serves d-1427=100 d-1428=0") != NULL);
	incident_free(&inc);
}

static void test_target_rejects(void)
{
	struct incident inc;
	struct error err;
	setup(&inc, ROLE_COMMANDER, false);
	target_sim_set_mode(inc.target, TARGET_SIM_REJECT, "simulated target: 503 Service Unavailable");
	CHECK(incident_rollback(&inc, "support-assistant-prod", NULL, "why", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "503") != NULL);
	CHECK(strstr(err.msg, "traffic still d-1427=90 d-1428=10") != NULL);
	CHECK(inc.journal.entries == 2);
	cJSON *out = journal_line(&inc, 2);
	CHECK_STR(str(out, "outcome"), "failed");
	CHECK(strstr(str(out, "detail"), "503") != NULL);
	cJSON_Delete(out);
	CHECK(inc.last_action.failed);
	/* The endpoint is free again for the next attempt. */
	target_sim_set_mode(inc.target, TARGET_SIM_OK, NULL);
	CHECK(incident_rollback(&inc, "support-assistant-prod", NULL, "retry", &inc.actor, &err) == 0);
	incident_free(&inc);
}

static void test_lying_target_unverified(void)
{
	struct incident inc;
	struct error err;
	setup(&inc, ROLE_COMMANDER, false);
	target_sim_set_mode(inc.target, TARGET_SIM_IGNORE, NULL);
	CHECK(incident_rollback(&inc, "support-assistant-prod", NULL, "why", &inc.actor, &err) == 0);
	incident_advance(&inc, T0 + 29 * MS_PER_S);
	CHECK(inc.jobs[0].state == ACTION_VERIFYING);
	incident_advance(&inc, T0 + 60 * MS_PER_S);
	CHECK(inc.jobs[0].state == ACTION_UNVERIFIED);
	cJSON *out = journal_line(&inc, 2);
	CHECK_STR(str(out, "outcome"), "unverified");
	CHECK(strstr(str(out, "detail"), "traffic is d-1427=90 d-1428=10 after 30s") != NULL);
	CHECK_STR(str(out, "time"), "2024-09-13T17:14:33.000Z");
	cJSON_Delete(out);
	CHECK(strstr(inc.last_action.text, "NOT verified") != NULL);
	incident_free(&inc);
}

static void test_no_change_without_intent(void)
{
	struct incident inc;
	struct error err;
	setup(&inc, ROLE_COMMANDER, false);
	/* A journal that cannot take the intent (torn tail) stops the action
	 * before the target is touched. */
	int fd = open(inc.journal.path, O_WRONLY | O_APPEND);
	CHECK(write(fd, "{\"torn", 6) == 6);
	close(fd);
	CHECK(incident_rollback(&inc, "support-assistant-prod", NULL, "why", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "rollback not started") != NULL);
	incident_advance(&inc, T0 + 60 * MS_PER_S);
	CHECK(traffic(&inc, "d-1428") == 10);
	CHECK(inc.n_jobs == 0);
	incident_free(&inc);
}

/* A canary gate on d-1428 of support-assistant-prod, watching. */
static void add_canary(struct incident *inc)
{
	struct canary_threshold *t = calloc(1, sizeof *t);
	t->class_name = strdup("multi_hop");
	t->metric = strdup("groundedness");
	t->min = 2.85;
	struct canary_spec spec = { .endpoint = strdup("support-assistant-prod"), .deployment = strdup("d-1428"),
				    .window_ms = 60000, .min_samples = 3, .failure_limit = 3,
				    .on_failure = ON_FAILURE_ROLLBACK, .thresholds = t, .n_thresholds = 1 };
	inc->n_canaries = 1;
	inc->canaries = calloc(1, sizeof *inc->canaries);
	canary_init(&inc->canaries[0].canary, &spec);
}

/* The canary's three failed windows (seed 004's 17:12-17:14), n=4 each. */
static void three_failed_windows(struct incident *inc)
{
	const double values[] = { 2.78, 2.71, 2.66 };
	for (int i = 0; i < 3; i++) {
		struct canary_obs o = { "multi_hop", "groundedness", values[i], 4, 0, false };
		inc->now = T0 + i * 60000;
		incident_canary_window(inc, 0, inc->now - 60000, inc->now, &o, 1, NULL, 0);
	}
}

static void test_canary_policy_rolls_back(void)
{
	struct incident inc;
	/* The policy's changes are this console's: it may act (an observer's
	 * runs no policy: test_observer_runs_no_policy). */
	setup(&inc, ROLE_DEPUTY, false);
	add_canary(&inc);
	/* A live console runs the policy once it holds the policy lock. */
	incident_want_policy(&inc);
	CHECK(inc.policy_fd >= 0);
	const double values[] = { 2.78, 2.71, 2.66 };
	const int ns[] = { 4, 7, 11 };
	for (int i = 0; i < 3; i++) {
		struct canary_obs o = { "multi_hop", "groundedness", values[i], ns[i], 0, false };
		inc.now = T0 + i * 60000;
		incident_canary_window(&inc, 0, inc.now - 60000, inc.now, &o, 1, NULL, 0);
		CHECK(inc.n_jobs == (i == 2 ? 1u : 0u));
	}
	CHECK(inc.jobs[0].actor.role == ROLE_POLICY);
	cJSON *intent = journal_line(&inc, 1);
	CHECK_STR(str(cJSON_GetObjectItem(intent, "actor"), "user"), "policy");
	CHECK_STR(str(intent, "reason"),
		  "canary gate on d-1428: multi_hop groundedness 2.66 < 2.85 (n=11), 3 consecutive failed windows");
	cJSON_Delete(intent);
	incident_advance(&inc, inc.now + 3 * MS_PER_S);
	CHECK(inc.jobs[0].state == ACTION_VERIFIED);
	CHECK(inc.canaries[0].canary.verdict == CANARY_ROLLBACK);
	incident_free(&inc);
}

static void test_policy_in_one_console(void)
{
	struct incident inc;
	setup(&inc, ROLE_COMMANDER, false);
	add_canary(&inc);
	/* Another console holds the policy: this one judges, and does not act. */
	struct error err;
	int other = policy_lock(inc.journal.dir, "bob's console (pid 1)", &err);
	CHECK(other >= 0);
	incident_want_policy(&inc);
	CHECK(inc.policy_fd < 0);
	CHECK_STR(inc.policy_elsewhere, "the canary policy runs in another console: bob's console (pid 1)");
	three_failed_windows(&inc);
	CHECK(inc.canaries[0].canary.verdict == CANARY_ROLLBACK);
	CHECK(inc.n_jobs == 0);
	CHECK(inc.journal.entries == 0);
	CHECK(strstr(inc.last_action.text, "; the canary policy runs in another console: bob's console (pid 1)") != NULL);
	endpoint_unlock(other);
	incident_free(&inc);
}

static void test_observer_runs_no_policy(void)
{
	/* A read-only observer's console never takes the policy lock, so it
	 * can neither act for the policy nor keep a console that may act
	 * from doing so. */
	struct incident inc;
	setup(&inc, ROLE_OBSERVER, true);
	add_canary(&inc);
	incident_want_policy(&inc);
	CHECK(inc.policy_fd < 0 && !inc.policy_wanted);
	char *lock = xasprintf("%s/locks/.policy.lock", inc.journal.dir);
	CHECK(access(lock, F_OK) != 0);
	free(lock);
	three_failed_windows(&inc);
	CHECK(inc.canaries[0].canary.verdict == CANARY_ROLLBACK);
	CHECK(inc.n_jobs == 0 && inc.journal.entries == 0);
	incident_free(&inc);
}

static void test_weight_two_person(void)
{
	struct incident inc;
	struct error err;
	setup(&inc, ROLE_COMMANDER, false);
	inc.policy.gov.two_person = true;
	struct traffic_split w;
	traffic_split_init(&w);
	split2(&w, 100, 0);
	CHECK(incident_set_weight(&inc, "support-assistant-prod", &w, "ramp back", &inc.actor, &err) == 1);
	CHECK(strstr(err.msg, "set_weight of support-assistant-prod to d-1427 is waiting for a second person") != NULL);
	traffic_split_free(&w);
	cJSON *e = journal_line(&inc, 1);
	CHECK_STR(str(e, "action"), "set_weight");
	CHECK_STR(str(e, "outcome"), "pending");
	cJSON_Delete(e);
	incident_advance(&inc, T0 + 60 * MS_PER_S);
	CHECK(inc.n_jobs == 0 && traffic(&inc, "d-1428") == 10);
	CHECK(inc.n_requests == 1 && strcmp(inc.requests[0].kind, "set_weight") == 0);
	incident_free(&inc);
}

/* Console B approves from the same OS account under rules of its own (a
 * config that calls the account shared): the pinned rules say a second
 * person approves from another account, so B is refused, and an approval
 * line written around the check is ignored by the console that asked. */
static void test_approval_from_same_account(void)
{
	const char *dir = check_tmpdir();
	struct incident a, b;
	struct error err;
	setup_in(&a, dir, "alice", ROLE_COMMANDER, false);
	use_policy(&a, "{\"shared_accounts\": [\"USER\"], \"governance\": {\"two_person\": true}}");
	CHECK(incident_rollback(&a, "support-assistant-prod", NULL, "refusals up", &a.actor, &err) == 1);
	second_console(&b, dir, "bob", ROLE_DEPUTY);
	CHECK(b.policy.seq == 1 && !b.policy.gov.shared_account_approval);
	CHECK(incident_request_to_approve(&b, &b.actor) == NULL);
	CHECK(incident_approve(&b, 1, &b.actor, &err) == -1);
	CHECK(strstr(err.msg, "the approval comes from the same account") != NULL);
	cJSON *forged = incident_journal_entry(&b, &b.actor, "approve", "support-assistant-prod", NULL);
	cJSON *params = cJSON_AddObjectToObject(forged, "params");
	cJSON_AddNumberToObject(params, "request", 1);
	cJSON_AddStringToObject(forged, "outcome", "approved");
	CHECK(journal_append(&b.journal, forged, &err) == 0);
	cJSON_Delete(forged);
	CHECK(incident_follow(&a, &err) == 0);
	CHECK(a.requests[0].state == REQUEST_PENDING);
	CHECK(strstr(a.last_action.text, "approval of seq 1 by bob ignored: two-person rule") != NULL);
	incident_advance(&a, T0 + 60 * MS_PER_S);
	CHECK(a.n_jobs == 0 && traffic(&a, "d-1428") == 10);
	incident_free(&a);
	incident_free(&b);
}

static void test_last_known_good(void)
{
	struct model m = { 0 };
	struct endpoint *ep = model_add_endpoint(&m, "e");
	endpoint_add_deployment(ep, "a", NULL, 0);
	endpoint_add_deployment(ep, "b", NULL, 0);
	struct traffic_split s;
	traffic_split_init(&s);
	CHECK(ep->last_known_good == NULL);
	traffic_split_set(&s, "a", 100);
	endpoint_apply_split(ep, &s);
	CHECK_STR(ep->last_known_good, "a");
	traffic_split_set(&s, "a", 50);
	traffic_split_set(&s, "b", 50);
	endpoint_apply_split(ep, &s);
	CHECK_STR(ep->last_known_good, "a");
	traffic_split_set(&s, "a", 0);
	traffic_split_set(&s, "b", 100);
	endpoint_apply_split(ep, &s);
	CHECK_STR(ep->last_known_good, "b");
	char *f = traffic_split_format(&s);
	CHECK_STR(f, "a=0 b=100");
	free(f);
	struct traffic_split t;
	traffic_split_init(&t);
	traffic_split_set(&t, "b", 100);
	CHECK(traffic_split_equal(&s, &t));
	traffic_split_set(&t, "c", 1);
	CHECK(!traffic_split_equal(&s, &t));
	traffic_split_free(&s);
	traffic_split_free(&t);
	model_free(&m);
}

static void test_change_freeze(void)
{
	const char *dir = check_tmpdir();
	struct incident inc, other;
	struct error err;
	setup_in(&inc, dir, "alice", ROLE_COMMANDER, false);
	second_console(&other, dir, "bob", ROLE_DEPUTY);
	CHECK(incident_set_freeze(&inc, true, "", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "a reason is required") != NULL);
	CHECK(incident_set_freeze(&inc, true, "SEV1 in progress", &inc.actor, &err) == 0);
	CHECK(incident_set_freeze(&inc, true, "again", &inc.actor, &err) == -1);
	/* Promotions are refused while frozen... */
	CHECK(incident_promote(&inc, "support-assistant-prod", NULL, "looks fine", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "the change freeze is on (by alice at 17:14:03: SEV1 in progress)") != NULL);
	/* ...and every console knows it. */
	CHECK(incident_follow(&other, &err) == 0);
	CHECK(other.frozen && strcmp(other.freeze_by, "alice") == 0);
	/* A "rollback" to anything but the last known-good is a change like
	 * any other, and so is a weight... */
	CHECK(incident_rollback(&inc, "support-assistant-prod", "d-1428", "all to the canary", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "rollback refused: the change freeze is on") != NULL);
	struct traffic_split w;
	traffic_split_init(&w);
	split2(&w, 100, 0);
	CHECK(incident_set_weight(&inc, "support-assistant-prod", &w, "ramp", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "the change freeze is on") != NULL);
	traffic_split_free(&w);
	CHECK(traffic(&inc, "d-1428") == 10);
	/* ...rollbacks to the last known-good still go through. */
	CHECK(incident_rollback(&inc, "support-assistant-prod", NULL, "back out", &inc.actor, &err) == 0);
	incident_advance(&inc, T0 + 5 * MS_PER_S);
	CHECK(traffic(&inc, "d-1427") == 100);
	CHECK(incident_set_freeze(&inc, false, "resolved", &inc.actor, &err) == 0);
	CHECK(incident_follow(&other, &err) == 0);
	CHECK(!other.frozen);
	incident_free(&inc);
	incident_free(&other);
}

static void test_promote(void)
{
	struct incident inc;
	struct error err;
	setup(&inc, ROLE_DEPUTY, false);
	CHECK(incident_promote(&inc, "support-assistant-prod", NULL, "canary held for an hour", &inc.actor, &err) == 0);
	incident_advance(&inc, T0 + 5 * MS_PER_S);
	CHECK(traffic(&inc, "d-1428") == 100);
	CHECK(inc.jobs[0].state == ACTION_VERIFIED && strcmp(inc.jobs[0].kind, "promote") == 0);
	/* The promoted deployment is the new last known-good. */
	CHECK_STR(inc.model.endpoints[0]->last_known_good, "d-1428");
	cJSON *e = journal_line(&inc, 1);
	CHECK_STR(str(e, "action"), "promote");
	CHECK_STR(str(cJSON_GetObjectItem(e, "params"), "traffic"), "d-1427=0 d-1428=100");
	cJSON_Delete(e);
	CHECK(incident_promote(&inc, "support-assistant-prod", NULL, "again", &inc.actor, &err) == -1);
	CHECK(strstr(err.msg, "no canary to promote") != NULL);
	incident_free(&inc);
}

int main(void)
{
	RUN(test_rollback_verified);
	RUN(test_refusals_journaled);
	RUN(test_one_change_at_a_time);
	RUN(test_target_rejects);
	RUN(test_lying_target_unverified);
	RUN(test_no_change_without_intent);
	RUN(test_canary_policy_rolls_back);
	RUN(test_policy_in_one_console);
	RUN(test_last_known_good);
	RUN(test_two_person_rule);
	RUN(test_second_name_is_not_second_person);
	RUN(test_request_expires);
	RUN(test_observer_cannot_approve);
	RUN(test_emergency_preapproved);
	RUN(test_change_freeze);
	RUN(test_promote);
	RUN(test_observer_runs_no_policy);
	RUN(test_weight_two_person);
	RUN(test_approval_from_same_account);
	return CHECK_EXIT();
}
