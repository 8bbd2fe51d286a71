/* SLO BURN's order: pinned services first, then page before ticket, then
 * how near a tier is to firing, then no data; nearly equal SLOs keep the
 * order they had. And the / filter over name, service and endpoint. */
#include <stdlib.h>

#include "check.h"
#include "incident.h"
#include "pattern.h"
#include "slo_order.h"
#include "xalloc.h"

#define T0 1726247643000LL /* 2024-09-13T17:14:03Z */

/* An SLO at 99.9% over 30d whose every window burns `burn` times its
 * budget (NaN: no data anywhere), out of `total` events a window. */
static size_t add(struct incident *inc, const char *name, const char *service, double burn, double total)
{
	struct slo_spec spec = { .name = xstrdup(name), .objective = 0.999, .period_ms = 30LL * 86400000,
				 .min_events = 10 };
	static const struct data_state simulated = { 0 };
	size_t i = incident_add_slo(inc, &spec, NULL, NULL, &simulated);
	struct incident_slo *s = &inc->slos[i];
	s->service = service ? xstrdup(service) : NULL;
	struct burn_counts w[BURN_NWINDOWS], period = { .bad = burn * total * 0.001, .total = total, .at_ms = T0 };
	for (int k = 0; k < BURN_NWINDOWS; k++)
		w[k] = period;
	burn_evaluate(&s->spec, w, &period, &s->result);
	return i;
}

static void open_at(struct incident *inc)
{
	struct actor me;
	struct error err;
	actor_from_env(&me, "alice", ROLE_COMMANDER, false);
	if (incident_open(inc, check_tmpdir(), &me, &err) != 0)
		abort();
	clock_init_manual(&inc->clock, T0);
	inc->now = T0;
}

static void test_nearness(void)
{
	struct incident inc;
	open_at(&inc);
	add(&inc, "seven", NULL, 7.2, 1e5); /* 1h/5m at half its 14.4, 6h/30m fires, 3d/6h at 7.2 */
	add(&inc, "quiet", NULL, 0.5, 1e5); /* 3d/6h (factor 1) at half */
	add(&inc, "thin", NULL, 50, 5);    /* every window under min_events */
	add(&inc, "none", NULL, NAN, NAN);
	add(&inc, "idle", NULL, 0, 0); /* data, but no events */
	CHECK_NEAR(burn_nearness(&inc.slos[0].result), 7.2, 1e-9);
	CHECK_NEAR(burn_nearness(&inc.slos[1].result), 0.5, 1e-9);
	CHECK(burn_nearness(&inc.slos[2].result) == -1);
	CHECK(burn_nearness(&inc.slos[3].result) == -1);
	CHECK(burn_nearness(&inc.slos[4].result) == -1); /* 0 events: thin */
	CHECK(slo_standing_of(&inc.slos[0]) == SLO_PAGES);
	CHECK(slo_standing_of(&inc.slos[1]) == SLO_QUIET);
	CHECK(slo_standing_of(&inc.slos[2]) == SLO_QUIET);
	CHECK(slo_standing_of(&inc.slos[3]) == SLO_NO_DATA);
	incident_free(&inc);
}

static const char *names(const struct incident *inc, const size_t *order, size_t n)
{
	static char buf[512];
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof buf; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? " " : "", inc->slos[order[i]].spec.name);
	return buf;
}

static void test_order(void)
{
	struct incident inc;
	struct error err;
	open_at(&inc);
	add(&inc, "low", "search", 0.2, 1e5);
	add(&inc, "nodata", "search", NAN, NAN);
	add(&inc, "ticket", "search", 2, 1e5); /* 3d/6h fires; 1d/2h (3) does not */
	add(&inc, "page", "chat", 20, 1e5);
	add(&inc, "thin", NULL, 50, 5);
	add(&inc, "higher", "chat", 0.6, 1e5);
	add(&inc, "pinned", "checkout", 0.1, 1e5);
	add(&inc, "page2", NULL, 40, 1e5);
	size_t order[8];
	for (size_t i = 0; i < 8; i++)
		order[i] = i;
	slo_order(&inc, order, 8);
	CHECK_STR(names(&inc, order, 8), "page2 page ticket higher low pinned thin nodata");

	CHECK(incident_pin(&inc, "checkout", true, &inc.actor, &err) == 0);
	slo_order(&inc, order, 8);
	CHECK_STR(names(&inc, order, 8), "pinned page2 page ticket higher low thin nodata");
	/* Two pinned services: among themselves, worst first. */
	CHECK(incident_pin(&inc, "search", true, &inc.actor, &err) == 0);
	slo_order(&inc, order, 8);
	CHECK_STR(names(&inc, order, 8), "ticket low pinned nodata page2 page higher thin");
	incident_free(&inc);
}

/* Nearly equal SLOs keep the order they had, whichever it was; a clear
 * difference reorders them. */
static void test_stable(void)
{
	struct incident inc;
	open_at(&inc);
	add(&inc, "a", NULL, 0.500, 1e5);
	add(&inc, "b", NULL, 0.504, 1e5);
	add(&inc, "c", NULL, 0.502, 1e5);
	add(&inc, "d", NULL, NAN, NAN);
	add(&inc, "e", NULL, NAN, NAN);
	size_t order[5] = { 0, 1, 2, 3, 4 };
	slo_order(&inc, order, 5);
	CHECK_STR(names(&inc, order, 5), "a b c d e");
	size_t again[5] = { 4, 2, 3, 0, 1 };
	slo_order(&inc, again, 5);
	CHECK_STR(names(&inc, again, 5), "c a b e d");
	/* b burns a fifth more: it goes first. */
	struct incident_slo *b = &inc.slos[1];
	struct burn_counts w[BURN_NWINDOWS], period = { .bad = 60, .total = 1e5, .at_ms = T0 };
	for (int k = 0; k < BURN_NWINDOWS; k++)
		w[k] = period;
	burn_evaluate(&b->spec, w, &period, &b->result);
	slo_order(&inc, again, 5);
	CHECK_STR(names(&inc, again, 5), "b c a e d");
	incident_free(&inc);
}

static void test_matches(void)
{
	struct incident inc;
	struct error err;
	open_at(&inc);
	add(&inc, "checkout availability", "shop", 1, 1e5);
	inc.slos[0].endpoint = xstrdup("checkout-prod-eu");
	add(&inc, "plain", NULL, 1, 1e5);
	struct pattern *p = pattern_new("SHOP", &err);
	CHECK(slo_matches(p, &inc.slos[0]) && !slo_matches(p, &inc.slos[1]));
	pattern_free(p);
	p = pattern_new("prod-eu$", &err);
	CHECK(slo_matches(p, &inc.slos[0]) && !slo_matches(p, &inc.slos[1]));
	pattern_free(p);
	p = pattern_new("^pla", &err);
	CHECK(!slo_matches(p, &inc.slos[0]) && slo_matches(p, &inc.slos[1]));
	pattern_free(p);
	CHECK(slo_matches(NULL, &inc.slos[1]));
	incident_free(&inc);
}

int main(void)
{
	RUN(test_nearness);
	RUN(test_order);
	RUN(test_stable);
	RUN(test_matches);
	return CHECK_EXIT();
}
