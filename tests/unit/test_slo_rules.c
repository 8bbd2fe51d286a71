/* SLOs found from Sloth's and Pyrra's recording rules: the answers of the
 * discovery queries read into SLOs with service, objective, period and a
 * metric per window; what they lack said, and what cannot be one SLO
 * (grouped rules, one name in two namespaces, no objective) not shown. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "slo_rules.h"

/* One answer to query q of kind, from its JSON body. */
static void take(struct slo_rules *r, enum slo_rules_kind kind, size_t q, const char *body)
{
	struct prom_result pr;
	struct error err;
	CHECK(prom_parse(200, "application/json", body, strlen(body), &pr, &err) == 0);
	slo_rules_take(r, kind, q, &pr);
	prom_result_free(&pr);
}

#define VECTOR(series) "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" series "]}}"
#define SERIES(labels, v) "{\"metric\":{" labels "},\"value\":[1767225600," v "]}"

static void durations(void)
{
	int64_t ms;
	CHECK(prom_parse_duration("5m", &ms) && ms == 300000);
	CHECK(prom_parse_duration("4w", &ms) && ms == 28LL * 86400000);
	CHECK(prom_parse_duration("1h4m", &ms) && ms == 3840000);
	CHECK(prom_parse_duration("1y", &ms) && ms == 365LL * 86400000);
	CHECK(prom_parse_duration("250ms", &ms) && ms == 250);
	CHECK(prom_parse_duration("1m30s", &ms) && ms == 90000);
	CHECK(!prom_parse_duration("", &ms));
	CHECK(!prom_parse_duration("5", &ms));
	CHECK(!prom_parse_duration("m5", &ms));
	CHECK(!prom_parse_duration("4m1h", &ms)); /* units largest first */
	CHECK(!prom_parse_duration("1m1m", &ms));
	CHECK(!prom_parse_duration("99999999999999999999d", &ms));
	CHECK(!prom_parse_duration("5x", &ms));
}

static void sloth(void)
{
	struct slo_rules r = { 0 };
	const char *const *q;
	CHECK(slo_rules_queries(SLO_RULES_SLOTH, &q) == 4);
	take(&r, SLO_RULES_SLOTH, 0,
	     VECTOR(SERIES("\"__name__\":\"sloth_slo_info\",\"sloth_id\":\"chat-avail\",\"sloth_service\":\"chat\","
			   "\"sloth_objective\":\"99.5\"", "\"1\"")));
	take(&r, SLO_RULES_SLOTH, 2, VECTOR(SERIES("\"sloth_id\":\"chat-avail\"", "\"28\"")));
	take(&r, SLO_RULES_SLOTH, 3,
	     VECTOR(SERIES("\"__name__\":\"slo:sli_error:ratio_rate5m\",\"sloth_id\":\"chat-avail\",\"sloth_window\":\"5m\"", "\"1\"") ","
		    SERIES("\"__name__\":\"slo:sli_error:ratio_rate1h\",\"sloth_id\":\"chat-avail\",\"sloth_window\":\"1h\"", "\"1\"") ","
		    SERIES("\"__name__\":\"slo:sli_error:ratio_rate4w\",\"sloth_id\":\"chat-avail\",\"sloth_window\":\"4w\"", "\"1\"")));
	slo_rules_finish(&r);
	CHECK(r.n == 1);
	struct slo_rules_slo *s = &r.slos[0];
	CHECK_STR(s->name, "chat-avail");
	CHECK_STR(s->service, "chat");
	CHECK(s->skip == NULL);
	CHECK(fabs(s->objective - 0.995) < 1e-12); /* from sloth_objective: no slo:objective:ratio */
	CHECK(s->period_ms == 28LL * 86400000);
	CHECK_STR(s->metric[BURN_5M], "slo:sli_error:ratio_rate5m");
	CHECK_STR(s->metric[BURN_NWINDOWS], "slo:sli_error:ratio_rate4w"); /* the period's window */
	CHECK(s->metric[BURN_30M] == NULL);
	CHECK(s->lacks == ((1u << BURN_30M) | (1u << BURN_2H) | (1u << BURN_6H) | (1u << BURN_1D) | (1u << BURN_3D)));
	slo_rules_free(&r);

	/* slo:objective:ratio wins over the label; no 5m: not shown. */
	take(&r, SLO_RULES_SLOTH, 1, VECTOR(SERIES("\"sloth_id\":\"x\"", "\"0.999\"")));
	take(&r, SLO_RULES_SLOTH, 0, VECTOR(SERIES("\"sloth_id\":\"x\",\"sloth_objective\":\"95\"", "\"1\"")));
	take(&r, SLO_RULES_SLOTH, 2, VECTOR(SERIES("\"sloth_id\":\"x\"", "\"30\"")));
	take(&r, SLO_RULES_SLOTH, 3,
	     VECTOR(SERIES("\"__name__\":\"slo:sli_error:ratio_rate1h\",\"sloth_id\":\"x\",\"sloth_window\":\"1h\"", "\"1\"")));
	slo_rules_finish(&r);
	CHECK(fabs(r.slos[0].objective - 0.999) < 1e-12);
	CHECK(r.slos[0].skip && strstr(r.slos[0].skip, "no 5m window"));
	slo_rules_free(&r);
}

static void pyrra(void)
{
	struct slo_rules r = { 0 };
	take(&r, SLO_RULES_PYRRA, 3,
	     VECTOR(SERIES("\"__name__\":\"http_requests:burnrate5m\",\"slo\":\"api\",\"namespace\":\"web\"", "\"1\"") ","
		    SERIES("\"__name__\":\"http_requests:burnrate1h\",\"slo\":\"api\",\"namespace\":\"web\"", "\"1\"") ","
		    SERIES("\"__name__\":\"http_requests:burnrate4d\",\"slo\":\"api\",\"namespace\":\"web\"", "\"1\"") ","
		    SERIES("\"__name__\":\"grpc:burnrate5m\",\"slo\":\"grouped\"", "\"3\"") ","
		    SERIES("\"__name__\":\"a:burnrate5m\",\"slo\":\"twice\",\"namespace\":\"one\"", "\"1\"") ","
		    SERIES("\"__name__\":\"b:burnrate5m\",\"slo\":\"twice\",\"namespace\":\"two\"", "\"1\"") ","
		    SERIES("\"__name__\":\"c:burnrate5m\",\"slo\":\"nothing\"", "\"1\"")));
	/* The objective and window from the alert, Pyrra's own words. */
	const char *rules =
		"{\"status\":\"success\",\"data\":{\"groups\":[{\"name\":\"api\",\"rules\":["
		"{\"type\":\"alerting\",\"name\":\"ErrorBudgetBurn\",\"query\":\"http_requests:burnrate5m{slo=\\\"api\\\"} > "
		"(14 * (1-0.995)) and http_requests:burnrate1h{slo=\\\"api\\\"} > (14 * (1-0.995))\","
		"\"labels\":{\"slo\":\"api\",\"long\":\"1h\",\"short\":\"5m\"}},"
		"{\"type\":\"alerting\",\"name\":\"ErrorBudgetBurn\",\"query\":\"x > (7 * (1-0.9))\","
		"\"labels\":{\"slo\":\"grouped\",\"long\":\"1h30m\"}},"
		"{\"type\":\"alerting\",\"name\":\"Other\",\"query\":\"x > (14 * (1-0.5))\",\"labels\":{\"slo\":\"nothing\",\"long\":\"1h\"}}"
		"]}]}}";
	struct error err;
	CHECK(slo_rules_take_alerts(&r, rules, strlen(rules), &err) == 0);
	slo_rules_finish(&r);
	struct slo_rules_slo *api = slo_rules_find(&r, SLO_RULES_PYRRA, "api");
	CHECK(api && !api->skip);
	CHECK(fabs(api->objective - 0.995) < 1e-12);
	CHECK(api->period_ms == 28LL * 86400000); /* 1h x 672 */
	CHECK_STR(api->service, "web");            /* no service label: the namespace */
	CHECK(api->lacks & (1u << BURN_3D));       /* 4d is not 3d */
	CHECK(api->lacks & (1u << BURN_NWINDOWS)); /* no generic rules: no period ratio */
	struct slo_rules_slo *g = slo_rules_find(&r, SLO_RULES_PYRRA, "grouped");
	CHECK(g && g->skip && strstr(g->skip, "several series"));
	CHECK(g->period_ms == 7LL * 86400000); /* 1h30m x 112 */
	struct slo_rules_slo *t = slo_rules_find(&r, SLO_RULES_PYRRA, "twice");
	CHECK(t && t->skip && strstr(t->skip, "two namespaces"));
	struct slo_rules_slo *n = slo_rules_find(&r, SLO_RULES_PYRRA, "nothing");
	CHECK(n && n->skip && strstr(n->skip, "no objective"));
	slo_rules_free(&r);

	CHECK(slo_rules_take_alerts(&r, "[]", 2, &err) != 0);
	CHECK(slo_rules_take_alerts(&r, "{\"data\":", 8, &err) != 0);
	slo_rules_free(&r);
}

/* Hostile answers: 10,000 SLOs, each with a huge label, read without
 * trouble; a window named nonsense is no window. */
static void hostile(void)
{
	struct slo_rules r = { 0 };
	struct prom_result pr = { .type = PROM_VECTOR, .n_series = 10000 };
	pr.series = calloc(pr.n_series, sizeof *pr.series);
	static char big[1000];
	memset(big, 'x', sizeof big - 1);
	char *names[] = { "__name__", "sloth_id", "sloth_window", "sloth_service" };
	double one = 1;
	char ids[10000][32];
	for (size_t i = 0; i < pr.n_series; i++) {
		snprintf(ids[i], sizeof ids[i], "slo-%zu", i);
		char **values = calloc(4, sizeof *values);
		values[0] = "slo:sli_error:ratio_rate5m";
		values[1] = ids[i];
		values[2] = i % 2 ? "5m" : "5 minutes";
		values[3] = big;
		pr.series[i] = (struct prom_series){ .names = names, .values = values, .n_labels = 4, .v = &one, .n_points = 1 };
	}
	slo_rules_take(&r, SLO_RULES_SLOTH, 3, &pr);
	for (size_t i = 0; i < pr.n_series; i++)
		free(pr.series[i].values);
	free(pr.series);
	slo_rules_finish(&r);
	CHECK(r.n == 10000);
	size_t windows = 0;
	for (size_t i = 0; i < r.n; i++)
		windows += r.slos[i].n_windows;
	CHECK(windows == 5000);
	slo_rules_free(&r);
}

int main(void)
{
	RUN(durations);
	RUN(sloth);
	RUN(pyrra);
	RUN(hostile);
	return CHECK_EXIT();
}
