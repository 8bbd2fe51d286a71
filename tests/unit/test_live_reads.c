/* How a live feed reads its SLOs, against a small Prometheus stand-in in
 * this file (on stub_server.h), on a manual clock.
 *
 * Cadence: over three simulated hours of 30 s refreshes each window is
 * read every window/60 (never more often than the refresh), and each
 * reading keeps its own time: a tier is labelled by its older window, the
 * budget by the period's reading. A window whose queries fail keeps its
 * last reading until that is twice its cadence old, and is then no data
 * (stale) while the short windows stay current. The refreshes share a
 * handful of connections.
 *
 * Batches: SLOs that differ in one label's value are read with one query
 * per window, each taking its series (none: no data); a batch the server
 * refuses (422) splits into the SLOs' own queries, at once and for good;
 * a batch that fails otherwise (503) fails the window for every member,
 * with no flood of single queries after it. */
#include <stdatomic.h>

#include "check.h"
#include "config.h"
#include "incident.h"
#include "live.h"
#include "loop.h"
#include "stub_server.h"
#include "timefmt.h"

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define REFRESH (30 * MS_PER_S)

static const char *const windows[] = { "5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d" };
enum { NWIN = 8 };
static atomic_int reads[NWIN], ranges;
static atomic_int failing = -1; /* a window whose queries get a 503 */
static struct stub_server server;

/* The window in a query URL's "%5B...%5D", as an index of windows. */
static int window_of(const char *url)
{
	const char *open = strstr(url, "%5B"), *close = open ? strstr(open, "%5D") : NULL;
	for (int k = 0; close && k < NWIN; k++)
		if ((size_t)(close - open - 3) == strlen(windows[k]) && strncmp(open + 3, windows[k], strlen(windows[k])) == 0)
			return k;
	return -1;
}

enum batch_mode { BATCH_ANSWER, BATCH_REFUSE, BATCH_FAIL };
static atomic_int batch_mode, batches, singles;

/* A single SLO's count: job svcN has 1000 (N+1) events, N of them bad;
 * without a job, 1 of 1000. */
static double single_count(const char *request)
{
	const char *job = strstr(request, "job%3D%22svc");
	int n = job ? atoi(job + strlen("job%3D%22svc")) : 0;
	return strstr(request, "errors_total") ? (job ? n : 1) : 1000.0 * (n + 1);
}

/* A batch by job: svc1, svc2 and svc9 (no member), never svc3. */
static void batch_body(const char *request, char *body, size_t size)
{
	bool errors = strstr(request, "errors_total") != NULL;
	snprintf(body, size,
		 "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
		 "{\"metric\":{\"job\":\"svc9\"},\"value\":[1,\"7\"]},"
		 "{\"metric\":{\"job\":\"svc1\"},\"value\":[1,\"%d\"]},"
		 "{\"metric\":{\"job\":\"svc2\"},\"value\":[1,\"%d\"]}]}}",
		 errors ? 1 : 2000, errors ? 2 : 3000);
}

static int answer_query(void *arg, const char *request, char *body, size_t size)
{
	(void)arg;
	if (strstr(request, "by%20%28job%29")) {
		atomic_fetch_add(&batches, 1);
		int mode = atomic_load(&batch_mode);
		if (mode != BATCH_ANSWER) {
			snprintf(body, size, "{\"status\":\"error\",\"errorType\":\"%s\",\"error\":\"no\"}",
				 mode == BATCH_REFUSE ? "execution" : "unavailable");
			return mode == BATCH_REFUSE ? 422 : 503;
		}
		if (!strstr(request, "/api/v1/query_range")) {
			batch_body(request, body, size);
			return 200;
		}
	} else if (strstr(request, "job%3D%22")) {
		atomic_fetch_add(&singles, 1);
	}
	if (strstr(request, "/api/v1/query_range")) {
		atomic_fetch_add(&ranges, 1);
		snprintf(body, size, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}");
		return 200;
	}
	int k = window_of(request);
	if (k >= 0 && strstr(request, "requests_total"))
		atomic_fetch_add(&reads[k], 1);
	if (k >= 0 && k == atomic_load(&failing)) {
		snprintf(body, size, "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"down\"}");
		return 503;
	}
	snprintf(body, size,
		 "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
		 "\"value\":[1,\"%g\"]}]}}",
		 single_count(request));
	return 200;
}

static struct config cfg;

#define SLO(name, sel)                                                                                  \
	"{\"name\": \"" name "\", \"source\": \"p\", \"objective\": 0.999,"                                  \
	" \"error_query\": \"sum(increase(errors_total" sel "[{{window}}]))\","                                 \
	" \"total_query\": \"sum(increase(requests_total" sel "[{{window}}]))\"}"

static void setup(struct incident *inc, const char *slos)
{
	char text[2048];
	snprintf(text, sizeof text,
		 "{\"sources\": {\"p\": {\"type\": \"prometheus\", \"url\": \"http://127.0.0.1:%d\", \"refresh\": \"30s\"}},"
		 " \"slos\": [%s]}",
		 server.port, slos);
	struct config_problems problems = { 0 };
	struct actor me;
	struct error err;
	if (config_parse(text, strlen(text), "t.json", &cfg, &problems) != 0)
		abort();
	config_problems_free(&problems);
	actor_from_env(&me, "alice", ROLE_OBSERVER, true);
	if (incident_open(inc, NULL, &me, &err) != 0)
		abort();
	inc->passive = true;
	clock_init_manual(&inc->clock, T0);
	inc->now = T0;
	if (live_attach(inc, &cfg, LIVE_SOURCES, &err) != 0)
		abort();
}

/* One refresh at T0 + round * 30 s, waited out. */
static void refresh(struct incident *inc, int round)
{
	incident_advance(inc, T0 + (int64_t)round * REFRESH);
	while (loop_busy(inc->loop))
		incident_wait(inc, NULL, 0, 100);
}

static void windows_on_their_cadence(void)
{
	struct incident inc;
	setup(&inc, SLO("api", ""));
	for (int round = 0; round < 360; round++)
		refresh(&inc, round);
	/* 5m and 30m every refresh; 1h every 60 s, 2h every 2 min, 6h every
	 * 6 min, 1d every 24 min, 3d every 72 min, the 30d period every 12 h */
	const int want[NWIN] = { 360, 360, 180, 90, 30, 8, 3, 1 };
	for (int k = 0; k < NWIN; k++) {
		if (atomic_load(&reads[k]) != want[k])
			printf("#   %s read %d times, not %d\n", windows[k], atomic_load(&reads[k]), want[k]);
		CHECK(atomic_load(&reads[k]) == want[k]);
	}
	CHECK(atomic_load(&ranges) == 360); /* the sparkline, with the 5m window */
	/* 360 refreshes over the connections of the first */
	CHECK(atomic_load(&server.accepted) >= 1 && atomic_load(&server.accepted) <= HTTP_MAX_PER_SERVER);

	const struct incident_slo *s = &inc.slos[0];
	const struct burn_result *r = &s->result;
	int64_t last = T0 + 359 * REFRESH;
	CHECK(s->data.at_ms == last);
	CHECK(r->windows[BURN_5M].at_ms == last);
	CHECK(r->windows[BURN_1H].at_ms == last - REFRESH);
	CHECK(r->windows[BURN_3D].at_ms == T0 + 144 * MS_PER_MIN);
	CHECK_NEAR(r->windows[BURN_3D].burn, 1, 1e-9);
	/* the 3d/6h ticket is as old as its 3d reading; the budget is the period's */
	CHECK(r->alerts[3].at_ms == r->windows[BURN_3D].at_ms);
	CHECK(r->alerts[0].at_ms == last - REFRESH);
	CHECK(r->budget_at_ms == T0);
	CHECK(r->exhaustion_at_ms == T0);
	CHECK_NEAR(r->budget_remaining, 0, 1e-9);
	CHECK(!data_stale(&s->data, last));

	/* From 3h the 3d queries fail: its 2h24m reading holds until 4h48m... */
	atomic_store(&failing, 6);
	for (int round = 360; round <= 575; round++)
		refresh(&inc, round);
	CHECK(r->windows[BURN_3D].at_ms == T0 + 144 * MS_PER_MIN);
	CHECK(!r->windows[BURN_3D].stale && !r->windows[BURN_3D].no_data);
	CHECK(strstr(s->data.error, "source p: ") && strstr(s->data.error, "down"));
	/* ...and is no data after it, while the SLO's 5m reading is current */
	refresh(&inc, 577);
	CHECK(r->windows[BURN_3D].stale && r->windows[BURN_3D].no_data);
	CHECK(isnan(r->windows[BURN_3D].burn));
	CHECK(r->alerts[3].no_data && !r->alerts[3].firing);
	CHECK(!r->windows[BURN_6H].stale);
	CHECK(s->data.at_ms == T0 + 577 * REFRESH);
	CHECK(!data_stale(&s->data, inc.now));

	/* Answering again: read at once, current again. */
	atomic_store(&failing, -1);
	refresh(&inc, 578);
	CHECK(r->windows[BURN_3D].at_ms == T0 + 578 * REFRESH);
	CHECK(!r->windows[BURN_3D].stale);
	CHECK(!*s->data.error);
	incident_free(&inc);
	config_free(&cfg);
}

#define SHAPED SLO("svc1", "{job=\\\"svc1\\\"}") "," SLO("svc2", "{job=\\\"svc2\\\"}") "," SLO("svc3", "{job=\\\"svc3\\\"}")

static double burn_5m(const struct incident *inc, int i)
{
	return inc->slos[i].result.windows[BURN_5M].burn;
}

static void a_batch_serves_its_slos(void)
{
	struct incident inc;
	atomic_store(&batch_mode, BATCH_ANSWER);
	atomic_store(&batches, 0);
	atomic_store(&singles, 0);
	setup(&inc, SHAPED);
	refresh(&inc, 0);
	CHECK(atomic_load(&batches) == 17); /* 8 windows x 2, and the sparkline */
	CHECK(atomic_load(&singles) == 0);
	CHECK_NEAR(burn_5m(&inc, 0), 500.0 / 1000, 1e-9); /* 1 of 2000 */
	CHECK_NEAR(burn_5m(&inc, 1), 2000.0 / 3000, 1e-9);
	/* no series for svc3: no data, as its own query would say; no error */
	CHECK(inc.slos[2].result.windows[BURN_5M].no_data);
	CHECK(!*inc.slos[2].data.error && inc.slos[2].data.at_ms == T0);
	incident_free(&inc);
	config_free(&cfg);
}

static void a_refused_batch_splits(void)
{
	struct incident inc;
	atomic_store(&batch_mode, BATCH_REFUSE);
	atomic_store(&batches, 0);
	atomic_store(&singles, 0);
	setup(&inc, SHAPED);
	refresh(&inc, 0);
	CHECK(atomic_load(&batches) == 17);
	CHECK(atomic_load(&singles) == 3 * 16); /* each refused window, per SLO */
	for (int i = 0; i < 3; i++) {
		/* svcN: N bad of 1000 (N+1) */
		CHECK_NEAR(burn_5m(&inc, i), (i + 1.0) / (1000.0 * (i + 2)) / 0.001, 1e-9);
		CHECK(!*inc.slos[i].data.error);
	}
	refresh(&inc, 1);
	CHECK(atomic_load(&batches) == 17); /* split for good */
	CHECK(atomic_load(&singles) == 3 * 16 + 3 * 4 + 3); /* 5m and 30m, the sparklines */
	incident_free(&inc);
	config_free(&cfg);
}

static void a_failed_batch_fails_its_window(void)
{
	struct incident inc;
	atomic_store(&batch_mode, BATCH_FAIL);
	atomic_store(&batches, 0);
	atomic_store(&singles, 0);
	setup(&inc, SHAPED);
	refresh(&inc, 0);
	CHECK(atomic_load(&singles) == 0);
	for (int i = 0; i < 3; i++) {
		CHECK(strstr(inc.slos[i].data.error, "no") != NULL);
		CHECK(inc.slos[i].result.windows[BURN_5M].no_data);
	}
	atomic_store(&batch_mode, BATCH_ANSWER);
	refresh(&inc, 1);
	CHECK(atomic_load(&singles) == 0);
	CHECK_NEAR(burn_5m(&inc, 0), 0.5, 1e-9);
	CHECK(!*inc.slos[0].data.error);
	incident_free(&inc);
	config_free(&cfg);
}

int main(void)
{
	stub_server_start(&server, answer_query, NULL);
	RUN(windows_on_their_cadence);
	RUN(a_batch_serves_its_slos);
	RUN(a_refused_batch_splits);
	RUN(a_failed_batch_fails_its_window);
	return CHECK_EXIT();
}
