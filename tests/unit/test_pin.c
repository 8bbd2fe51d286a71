/* Pinning a service's SLOs: an action on the incident, journaled, so that
 * a second console on the same incident reads the same pins; refused for
 * a service no SLO has, twice, or by an observer; shown in status. */
#include <stdlib.h>

#include "check.h"
#include "command.h"
#include "incident.h"
#include "status.h"
#include "xalloc.h"

#define T0 1726247643000LL /* 2024-09-13T17:14:03Z */

static void add_slo(struct incident *inc, const char *name, const char *service)
{
	struct slo_spec spec = { .name = xstrdup(name), .objective = 0.999, .period_ms = 30LL * 86400000 };
	static const struct data_state simulated = { 0 };
	size_t i = incident_add_slo(inc, &spec, NULL, NULL, &simulated);
	inc->slos[i].service = service ? xstrdup(service) : NULL;
}

static void open_as(struct incident *inc, const char *dir, const char *who, enum role role)
{
	struct actor me;
	struct error err;
	actor_from_env(&me, who, role, false);
	if (incident_open(inc, dir, &me, &err) != 0)
		abort();
	clock_init_manual(&inc->clock, T0);
	inc->now = T0;
	add_slo(inc, "checkout availability", "checkout");
	add_slo(inc, "checkout latency", "checkout");
	add_slo(inc, "search availability", "search");
	add_slo(inc, "batch freshness", NULL);
}

static const char *last_line_of(const struct incident *inc, const char *key)
{
	static char buf[256];
	const struct timeline_entry *e = timeline_at(&inc->timeline, inc->timeline.n - 1);
	snprintf(buf, sizeof buf, "%s", !e ? "" : key[0] == 'w' ? e->what : e->action);
	return buf;
}

static void test_pin_shared(void)
{
	const char *dir = check_tmpdir();
	struct incident a, b;
	struct error err;
	open_as(&a, dir, "alice", ROLE_COMMANDER);
	open_as(&b, dir, "bob", ROLE_DEPUTY);

	CHECK(incident_command(&a, "pin checkout", &a.actor, &err) == 0);
	CHECK(incident_pinned(&a, "checkout"));
	CHECK(!incident_pinned(&a, "search"));
	CHECK(!incident_pinned(&a, NULL));
	CHECK_STR(last_line_of(&a, "what"), "pinned service checkout");
	/* The second console learns it from the journal. */
	CHECK(!incident_pinned(&b, "checkout"));
	CHECK(incident_follow(&b, &err) == 0);
	CHECK(incident_pinned(&b, "checkout"));
	CHECK(b.pins.n == 1 && strcmp(b.pins.pins[0].by, "alice") == 0 && b.pins.pins[0].at_ms == T0);

	/* bob pins another; both see both, in the order pinned. */
	CHECK(incident_pin(&b, "search", true, &b.actor, &err) == 0);
	CHECK(incident_follow(&a, &err) == 0);
	CHECK(a.pins.n == 2 && strcmp(a.pins.pins[1].service, "search") == 0);

	cJSON *st = status_json(&a);
	cJSON *pinned = cJSON_GetObjectItem(st, "pinned");
	CHECK(cJSON_GetArraySize(pinned) == 2);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetArrayItem(pinned, 0)), "checkout");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetArrayItem(pinned, 1)), "search");
	cJSON_Delete(st);

	CHECK(incident_command(&a, "unpin checkout", &a.actor, &err) == 0);
	CHECK_STR(last_line_of(&a, "what"), "unpinned service checkout");
	CHECK(incident_follow(&b, &err) == 0);
	CHECK(!incident_pinned(&b, "checkout"));
	CHECK(incident_pinned(&b, "search"));
	incident_free(&a);
	incident_free(&b);
}

static void test_pin_refused(void)
{
	const char *dir = check_tmpdir();
	struct incident a, o;
	struct error err;
	open_as(&a, dir, "alice", ROLE_COMMANDER);
	open_as(&o, dir, "olga", ROLE_OBSERVER);

	CHECK(incident_pin(&a, "chekout", true, &a.actor, &err) == -1);
	CHECK_STR(err.msg, "pin refused: no SLO has the service \"chekout\" (services: checkout, search)");
	CHECK_STR(last_line_of(&a, "action"), "pin");
	CHECK(a.timeline.n == 1 && a.timeline.ring[0].failed);
	CHECK(a.pins.n == 0);

	CHECK(incident_pin(&a, "checkout", true, &a.actor, &err) == 0);
	CHECK(incident_pin(&a, "checkout", true, &a.actor, &err) == -1);
	CHECK_STR(err.msg, "pin refused: checkout is already pinned");
	CHECK(incident_pin(&a, "search", false, &a.actor, &err) == -1);
	CHECK_STR(err.msg, "unpin refused: search is not pinned");
	CHECK(incident_pin(&o, "search", true, &o.actor, &err) == -1);
	CHECK(strncmp(err.msg, "pin refused: ", 13) == 0);
	CHECK(incident_follow(&o, &err) == 0);
	CHECK(o.pins.n == 1);

	/* Words the verb cannot take are usage, journaled nowhere. */
	size_t n = a.timeline.n;
	CHECK(incident_command(&a, "pin", &a.actor, &err) == -1);
	CHECK_STR(err.msg, "pin SERVICE (its SLOs first in SLO BURN, on every console)");
	CHECK(incident_command(&a, "pin a b", &a.actor, &err) == -1);
	CHECK(incident_follow(&a, &err) == 0);
	CHECK(a.timeline.n == n + 1); /* the observer's refusal only */
	incident_free(&a);
	incident_free(&o);
}

int main(void)
{
	RUN(test_pin_shared);
	RUN(test_pin_refused);
	return CHECK_EXIT();
}
