#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "canary.h"
#include "check.h"
#include "xalloc.h"

/* eval/gate.py's THRESHOLDS from seed 004, in its order. */
static const struct {
	const char *class_name, *metric;
	double min;
} gate[] = {
	{ "factual", "groundedness", 2.90 },
	{ "factual", "citation_correctness", 0.95 },
	{ "procedural", "groundedness", 2.85 },
	{ "procedural", "citation_correctness", 0.92 },
	{ "edge", "groundedness", 2.60 },
	{ "edge", "citation_correctness", 0.85 },
	{ "multi_hop", "groundedness", 2.85 },
	{ "multi_hop", "citation_correctness", 0.90 },
	{ "ambiguous", "refusal_rate", 0.85 },
};
#define N_GATE (sizeof gate / sizeof gate[0])
#define MH_GROUNDEDNESS 6
#define MH_CITATION 7

static struct canary_spec gate_spec(int min_samples, int failure_limit,
				    enum canary_on_failure on_failure)
{
	struct canary_spec spec = {
		.endpoint = xstrdup("assistant-prod"),
		.deployment = xstrdup("d-1428"),
		.window_ms = 60000,
		.min_samples = min_samples,
		.failure_limit = failure_limit,
		.on_failure = on_failure,
		.thresholds = xcalloc(N_GATE, sizeof(struct canary_threshold)),
		.n_thresholds = N_GATE,
	};
	for (size_t i = 0; i < N_GATE; i++) {
		spec.thresholds[i].class_name = xstrdup(gate[i].class_name);
		spec.thresholds[i].metric = xstrdup(gate[i].metric);
		spec.thresholds[i].min = gate[i].min;
	}
	return spec;
}

static void gate_canary(struct canary *c, int min_samples, int failure_limit,
			enum canary_on_failure on_failure)
{
	struct canary_spec spec = gate_spec(min_samples, failure_limit, on_failure);
	canary_init(c, &spec);
}

/* A window at 17:11:32 + i minutes where every class is healthy except
 * multi_hop groundedness, as the watcher saw it on the seed's Friday. */
static const struct canary_window *add_multi_hop(struct canary *c, double groundedness, int n)
{
	const struct canary_obs obs[] = {
		{ "factual", "groundedness", 2.95, 20, 0, false },
		{ "factual", "citation_correctness", 0.97, 20, 0, false },
		{ "procedural", "groundedness", 2.91, 12, 0, false },
		{ "procedural", "citation_correctness", 0.94, 12, 0, false },
		{ "multi_hop", "groundedness", groundedness, n, 0, false },
		{ "multi_hop", "citation_correctness", 0.93, n, 0, false },
	};
	int64_t start = 61892000 + (int64_t)c->n_windows * 60000;
	return canary_add_window(c, start, start + 60000, obs, sizeof obs / sizeof obs[0]);
}

static void check_reason(const struct canary *c, const char *want)
{
	char *reason = canary_verdict_reason(c);
	CHECK_STR(reason, want);
	free(reason);
}

static void test_seed_1714_rollback(void)
{
	struct canary c;
	const struct canary_window *w;

	gate_canary(&c, 3, 3, ON_FAILURE_ROLLBACK);
	check_reason(&c, "watching, 0 of 3 failed windows");

	w = add_multi_hop(&c, 2.78, 4);
	CHECK(w->verdict == WINDOW_FAIL);
	CHECK(w->n_checks == N_GATE);
	CHECK(w->decisive == MH_GROUNDEDNESS);
	CHECK(w->consecutive_failures == 1);
	CHECK(w->start_ms == 61892000 && w->end_ms == 61952000);
	CHECK(c.verdict == CANARY_WATCHING);
	check_reason(&c, "multi_hop groundedness 2.78 < 2.85 (n=4), 1 of 3 failed windows");

	w = add_multi_hop(&c, 2.71, 7);
	CHECK(w->verdict == WINDOW_FAIL);
	CHECK(w->consecutive_failures == 2);
	CHECK(c.verdict == CANARY_WATCHING);
	check_reason(&c, "multi_hop groundedness 2.71 < 2.85 (n=7), 2 of 3 failed windows");

	w = add_multi_hop(&c, 2.66, 11);
	CHECK(w->verdict == WINDOW_FAIL);
	CHECK(w->consecutive_failures == 3);
	CHECK(c.verdict == CANARY_ROLLBACK);
	CHECK(c.verdict_window == 2);
	CHECK(c.n_windows == 3);
	CHECK(c.consecutive_failures == 3);

	const struct canary_check *k = &w->checks[w->decisive];
	CHECK_STR(k->class_name, "multi_hop");
	CHECK_STR(k->metric, "groundedness");
	CHECK_NEAR(k->value, 2.66, 1e-9);
	CHECK_NEAR(k->threshold, 2.85, 1e-9);
	CHECK(k->n == 11);
	CHECK(k->verdict == WINDOW_FAIL);
	check_reason(&c, "multi_hop groundedness 2.66 < 2.85 (n=11), 3 consecutive failed windows");

	/* One check per threshold, in spec order, each judged on its own. */
	for (size_t i = 0; i < N_GATE; i++) {
		CHECK_STR(w->checks[i].class_name, gate[i].class_name);
		CHECK_STR(w->checks[i].metric, gate[i].metric);
		CHECK_NEAR(w->checks[i].threshold, gate[i].min, 1e-12);
	}
	CHECK(w->checks[0].verdict == WINDOW_PASS);
	CHECK(w->checks[MH_CITATION].verdict == WINDOW_PASS);
	/* edge and ambiguous are sampled too rarely: no sample, no say. */
	CHECK(w->checks[4].n == 0 && isnan(w->checks[4].value));
	CHECK(w->checks[4].verdict == WINDOW_INCONCLUSIVE);
	CHECK(w->checks[8].n == 0 && isnan(w->checks[8].value));
	canary_free(&c);
}

static void test_thin_window_neither_counts_nor_resets(void)
{
	struct canary c;
	const struct canary_window *w;

	gate_canary(&c, 3, 3, ON_FAILURE_ROLLBACK);
	add_multi_hop(&c, 2.78, 4);

	/* The quiet-hours window: multi_hop with n=2 and a bad score. */
	w = add_multi_hop(&c, 2.10, 2);
	CHECK(w->verdict == WINDOW_INCONCLUSIVE);
	CHECK(w->decisive == MH_GROUNDEDNESS);
	CHECK(w->checks[MH_GROUNDEDNESS].verdict == WINDOW_INCONCLUSIVE);
	CHECK(w->checks[0].verdict == WINDOW_PASS);
	CHECK(w->consecutive_failures == 1);
	CHECK(c.consecutive_failures == 1);
	/* The reason still names the failure that holds the count. */
	check_reason(&c, "multi_hop groundedness 2.78 < 2.85 (n=4), 1 of 3 failed windows");

	/* A thin window that looks healthy does not reset the count either. */
	w = add_multi_hop(&c, 2.99, 1);
	CHECK(w->verdict == WINDOW_INCONCLUSIVE);
	CHECK(c.consecutive_failures == 1);

	add_multi_hop(&c, 2.71, 7);
	CHECK(c.verdict == CANARY_WATCHING);
	add_multi_hop(&c, 2.66, 11);
	CHECK(c.verdict == CANARY_ROLLBACK);
	CHECK(c.verdict_window == 4);
	check_reason(&c, "multi_hop groundedness 2.66 < 2.85 (n=11), 3 consecutive failed windows");
	canary_free(&c);
}

static void test_conclusive_failure_outweighs_thin(void)
{
	struct canary c;
	const struct canary_obs obs[] = {
		{ "factual", "groundedness", 2.50, 2, 0, false },   /* thin */
		{ "multi_hop", "groundedness", 2.80, 5, 0, false }, /* conclusive fail */
	};

	gate_canary(&c, 3, 3, ON_FAILURE_ROLLBACK);
	const struct canary_window *w = canary_add_window(&c, 0, 60000, obs, 2);
	CHECK(w->verdict == WINDOW_FAIL);
	CHECK(w->decisive == MH_GROUNDEDNESS);
	CHECK(w->checks[0].verdict == WINDOW_INCONCLUSIVE);
	CHECK(c.consecutive_failures == 1);
	canary_free(&c);
}

static void test_decisive_check(void)
{
	struct canary c;
	const struct canary_window *w;

	gate_canary(&c, 3, 3, ON_FAILURE_ROLLBACK);

	/* Two failures, ranked by value/threshold, not by raw value or spec
	 * order: groundedness 2.70/2.85 = 0.947 is worse than citation
	 * 0.93/0.95 = 0.979, though 0.93 is the lower number and comes first. */
	const struct canary_obs fails[] = {
		{ "factual", "citation_correctness", 0.93, 9, 0, false },
		{ "multi_hop", "groundedness", 2.70, 9, 0, false },
	};
	w = canary_add_window(&c, 0, 60000, fails, 2);
	CHECK(w->verdict == WINDOW_FAIL);
	CHECK(w->decisive == MH_GROUNDEDNESS);
	CHECK(w->checks[1].verdict == WINDOW_FAIL);

	/* No failure, two thin checks: the worse-looking thin one. */
	const struct canary_obs thin[] = {
		{ "factual", "groundedness", 2.95, 2, 0, false },
		{ "edge", "groundedness", 1.30, 1, 0, false },
		{ "procedural", "groundedness", 2.99, 8, 0, false },
	};
	w = canary_add_window(&c, 60000, 120000, thin, 3);
	CHECK(w->verdict == WINDOW_INCONCLUSIVE);
	CHECK(w->decisive == 4);

	/* All pass: the one with the smallest margin, by ratio so that a
	 * 0..1 rate and a 0..3 rubric compare. 0.93/0.92 < 2.95/2.90. */
	const struct canary_obs pass[] = {
		{ "factual", "groundedness", 2.95, 10, 0, false },
		{ "procedural", "citation_correctness", 0.93, 10, 0, false },
		{ "ambiguous", "refusal_rate", 0.99, 10, 0, false },
	};
	w = canary_add_window(&c, 120000, 180000, pass, 3);
	CHECK(w->verdict == WINDOW_PASS);
	CHECK(w->decisive == 3);
	canary_free(&c);
}

static void test_value_at_threshold_passes(void)
{
	struct canary c;
	const struct canary_obs obs[] = { { "edge", "groundedness", 2.60, 3, 0, false } };

	gate_canary(&c, 3, 3, ON_FAILURE_ROLLBACK);
	const struct canary_window *w = canary_add_window(&c, 0, 60000, obs, 1);
	CHECK(w->verdict == WINDOW_PASS);
	CHECK(w->checks[4].verdict == WINDOW_PASS);
	CHECK(w->decisive == 4);
	canary_free(&c);
}

static void test_pass_resets_count(void)
{
	struct canary c;
	const struct canary_window *w;

	gate_canary(&c, 3, 3, ON_FAILURE_ROLLBACK);
	add_multi_hop(&c, 2.78, 4);
	add_multi_hop(&c, 2.71, 7);
	CHECK(c.consecutive_failures == 2);

	w = add_multi_hop(&c, 2.90, 9);
	CHECK(w->verdict == WINDOW_PASS);
	CHECK(w->consecutive_failures == 0);
	CHECK(c.consecutive_failures == 0);
	check_reason(&c, "watching, 0 of 3 failed windows");

	add_multi_hop(&c, 2.70, 9);
	add_multi_hop(&c, 2.70, 9);
	CHECK(c.verdict == CANARY_WATCHING);
	CHECK(c.consecutive_failures == 2);
	add_multi_hop(&c, 2.60, 9);
	CHECK(c.verdict == CANARY_ROLLBACK);
	CHECK(c.verdict_window == 5);
	canary_free(&c);
}

static void test_page_only_policy(void)
{
	struct canary c;

	gate_canary(&c, 3, 3, ON_FAILURE_PAGE);
	add_multi_hop(&c, 2.78, 4);
	add_multi_hop(&c, 2.71, 7);
	add_multi_hop(&c, 2.66, 11);
	CHECK(c.verdict == CANARY_PAGE);
	CHECK(c.verdict_window == 2);
	check_reason(&c, "multi_hop groundedness 2.66 < 2.85 (n=11), 3 consecutive failed windows");
	canary_free(&c);
}

static void test_failure_limit_one(void)
{
	struct canary c;

	gate_canary(&c, 3, 1, ON_FAILURE_ROLLBACK);
	add_multi_hop(&c, 2.90, 9);
	CHECK(c.verdict == CANARY_WATCHING);
	add_multi_hop(&c, 2.78, 4);
	CHECK(c.verdict == CANARY_ROLLBACK);
	CHECK(c.verdict_window == 1);
	check_reason(&c, "multi_hop groundedness 2.78 < 2.85 (n=4), 1 consecutive failed window");
	canary_free(&c);
}

static void test_windows_after_verdict_recorded(void)
{
	struct canary c;
	const struct canary_window *w;

	gate_canary(&c, 3, 3, ON_FAILURE_ROLLBACK);
	add_multi_hop(&c, 2.78, 4);
	add_multi_hop(&c, 2.71, 7);
	add_multi_hop(&c, 2.66, 11);

	w = add_multi_hop(&c, 2.50, 12);
	CHECK(w->verdict == WINDOW_FAIL);
	CHECK(w->consecutive_failures == 4);
	w = add_multi_hop(&c, 2.95, 12);
	CHECK(w->verdict == WINDOW_PASS);
	CHECK(w->consecutive_failures == 0);
	for (int i = 0; i < 20; i++)
		add_multi_hop(&c, 2.40, 12);
	CHECK(c.n_windows == 25);
	CHECK(c.windows[24].consecutive_failures == 20);
	CHECK(c.verdict == CANARY_ROLLBACK);
	CHECK(c.verdict_window == 2);
	check_reason(&c, "multi_hop groundedness 2.66 < 2.85 (n=11), 3 consecutive failed windows");
	/* Earlier windows survive the array growing. */
	CHECK_NEAR(c.windows[0].checks[MH_GROUNDEDNESS].value, 2.78, 1e-9);
	CHECK(c.windows[1].consecutive_failures == 2);
	canary_free(&c);
}

static void test_missing_classes_ignored(void)
{
	struct canary c;
	const struct canary_window *w;

	gate_canary(&c, 3, 3, ON_FAILURE_ROLLBACK);
	/* Only multi_hop reported; an unknown class and an n=0 row are noise. */
	const struct canary_obs obs[] = {
		{ "multi_hop", "groundedness", 2.90, 5, 0, false },
		{ "chitchat", "groundedness", 0.10, 50, 0, false },
		{ "factual", "groundedness", 0.00, 0, 0, false },
		{ "multi_hop", "latency_ms", 0.00, 5, 0, false },
	};
	w = canary_add_window(&c, 0, 60000, obs, 4);
	CHECK(w->verdict == WINDOW_PASS);
	CHECK(w->decisive == MH_GROUNDEDNESS);
	CHECK(w->checks[0].n == 0);
	CHECK(isnan(w->checks[0].value));
	CHECK(w->checks[0].verdict == WINDOW_INCONCLUSIVE);
	CHECK(w->checks[MH_CITATION].n == 0);

	/* A NaN value is no sample, not a failure. */
	const struct canary_obs nan_obs[] = { { "multi_hop", "groundedness", NAN, 5, 0, false } };
	w = canary_add_window(&c, 60000, 120000, nan_obs, 1);
	CHECK(w->verdict == WINDOW_INCONCLUSIVE);
	CHECK(w->checks[MH_GROUNDEDNESS].n == 0);
	canary_free(&c);
}

static void test_no_samples_inconclusive(void)
{
	struct canary c;
	const struct canary_window *w;

	gate_canary(&c, 3, 3, ON_FAILURE_ROLLBACK);
	add_multi_hop(&c, 2.78, 4);
	w = canary_add_window(&c, 60000, 120000, NULL, 0);
	CHECK(w->verdict == WINDOW_INCONCLUSIVE);
	CHECK(w->decisive < w->n_checks);
	CHECK(isnan(w->checks[w->decisive].value));
	CHECK(w->consecutive_failures == 1);
	CHECK(c.consecutive_failures == 1);
	canary_free(&c);

	/* A spec with no thresholds at all has nothing to judge. */
	struct canary_spec empty = { .endpoint = xstrdup("e"), .deployment = xstrdup("d") };
	canary_init(&c, &empty);
	w = canary_add_window(&c, 0, 60000, NULL, 0);
	CHECK(w->verdict == WINDOW_INCONCLUSIVE);
	CHECK(w->n_checks == 0);
	CHECK(c.verdict == CANARY_WATCHING);
	check_reason(&c, "watching, 0 of 3 failed windows");
	canary_free(&c);
}

static void test_observation_strings_copied(void)
{
	struct canary c;
	char cls[16], metric[16];

	gate_canary(&c, 1, 3, ON_FAILURE_ROLLBACK);
	strcpy(cls, "multi_hop");
	strcpy(metric, "groundedness");
	const struct canary_obs obs[] = { { cls, metric, 2.70, 4, 0, false } };
	canary_add_window(&c, 0, 60000, obs, 1);
	memset(cls, 'x', sizeof cls - 1);
	memset(metric, 'x', sizeof metric - 1);
	check_reason(&c, "multi_hop groundedness 2.70 < 2.85 (n=4), 1 of 3 failed windows");
	canary_free(&c);
}

static void test_stop(void)
{
	struct canary c;

	gate_canary(&c, 3, 3, ON_FAILURE_ROLLBACK);
	add_multi_hop(&c, 2.90, 9);
	canary_stop(&c);
	CHECK(c.verdict == CANARY_STOPPED);
	check_reason(&c, "stopped, 0 of 3 failed windows");
	canary_free(&c);

	/* A stopped canary records windows but gives no verdict. */
	gate_canary(&c, 3, 3, ON_FAILURE_ROLLBACK);
	add_multi_hop(&c, 2.78, 4);
	canary_stop(&c);
	check_reason(&c, "stopped, multi_hop groundedness 2.78 < 2.85 (n=4), 1 of 3 failed windows");
	add_multi_hop(&c, 2.71, 7);
	add_multi_hop(&c, 2.66, 11);
	CHECK(c.n_windows == 3);
	CHECK(c.verdict == CANARY_STOPPED);
	canary_free(&c);

	/* Stopping after a rollback keeps the rollback. */
	gate_canary(&c, 3, 3, ON_FAILURE_ROLLBACK);
	add_multi_hop(&c, 2.78, 4);
	add_multi_hop(&c, 2.71, 7);
	add_multi_hop(&c, 2.66, 11);
	canary_stop(&c);
	CHECK(c.verdict == CANARY_ROLLBACK);
	canary_free(&c);

	gate_canary(&c, 3, 1, ON_FAILURE_PAGE);
	add_multi_hop(&c, 2.66, 11);
	canary_stop(&c);
	CHECK(c.verdict == CANARY_PAGE);
	canary_free(&c);
}

static void test_init_defaults_and_ownership(void)
{
	struct canary c;
	struct canary_spec spec = gate_spec(0, 0, ON_FAILURE_ROLLBACK);

	spec.window_ms = 0;
	canary_init(&c, &spec);
	CHECK(c.spec.window_ms == 60000);
	CHECK(c.spec.failure_limit == 3);
	CHECK(c.spec.min_samples == 1);
	CHECK(c.verdict == CANARY_WATCHING);
	CHECK(c.n_windows == 0);
	CHECK_STR(c.spec.deployment, "d-1428");
	/* The caller's copy gave its allocations away. */
	CHECK(spec.thresholds == NULL && spec.n_thresholds == 0 && spec.endpoint == NULL);
	canary_spec_free(&spec);

	/* min_samples 1: a single sample is conclusive. */
	const struct canary_obs obs[] = { { "multi_hop", "groundedness", 2.00, 1, 0, false } };
	const struct canary_window *w = canary_add_window(&c, 0, 60000, obs, 1);
	CHECK(w->verdict == WINDOW_FAIL);
	canary_free(&c);

	spec = gate_spec(-4, -1, ON_FAILURE_PAGE);
	spec.window_ms = -5;
	canary_init(&c, &spec);
	CHECK(c.spec.window_ms == 60000);
	CHECK(c.spec.failure_limit == 3);
	CHECK(c.spec.min_samples == 1);
	canary_free(&c);

	spec = gate_spec(5, 2, ON_FAILURE_PAGE);
	spec.window_ms = 30000;
	canary_init(&c, &spec);
	CHECK(c.spec.window_ms == 30000);
	CHECK(c.spec.failure_limit == 2);
	CHECK(c.spec.min_samples == 5);
	canary_free(&c);
}

static void test_verdict_names(void)
{
	CHECK_STR(window_verdict_name(WINDOW_PASS), "pass");
	CHECK_STR(window_verdict_name(WINDOW_INCONCLUSIVE), "inconclusive");
	CHECK_STR(window_verdict_name(WINDOW_FAIL), "fail");
	CHECK_STR(canary_verdict_name(CANARY_WATCHING), "watching");
	CHECK_STR(canary_verdict_name(CANARY_ROLLBACK), "rollback");
	CHECK_STR(canary_verdict_name(CANARY_PAGE), "page");
	CHECK_STR(canary_verdict_name(CANARY_STOPPED), "stopped");
}


/* ---- the compare judge ----------------------------------------------- */

static void compare_canary(struct canary *c, bool with_mins)
{
	struct canary_spec spec = gate_spec(3, 3, ON_FAILURE_ROLLBACK);
	spec.judge = JUDGE_COMPARE;
	spec.baseline = xstrdup("d-1427");
	for (size_t i = 0; !with_mins && i < spec.n_thresholds; i++)
		spec.thresholds[i].min = NAN;
	canary_init(c, &spec);
}

#define OBS(cls, m, v, n, sd) { cls, m, v, n, sd, true }

/* One window of multi_hop groundedness only: the canary's and the
 * baseline's, each with its spread. */
static const struct canary_window *add_vs(struct canary *c, double cv, int cn, double bv, int bn, double sd)
{
	const struct canary_obs obs[] = { OBS("multi_hop", "groundedness", cv, cn, sd) };
	const struct canary_obs base[] = { OBS("multi_hop", "groundedness", bv, bn, sd) };
	int64_t start = 61892000 + (int64_t)c->n_windows * 60000;
	return canary_add_window_vs(c, start, start + 60000, obs, 1, NULL, base, 1);
}

/* Seed 004's multi_hop windows (2.78 n=4, 2.71 n=7, 2.66 n=11) against a
 * baseline at 2.95 with nine times the samples, a spread of 0.12: the
 * compare judge decides at the second window, the threshold rule beside
 * it at the third. */
static void test_compare_seed_1714(void)
{
	struct canary c;
	compare_canary(&c, true);
	const struct canary_window *w = add_vs(&c, 2.78, 4, 2.95, 36, 0.12);
	CHECK(w->verdict == WINDOW_PASS);
	CHECK(w->cmp[MH_GROUNDEDNESS].verdict == COMPARE_PASS);
	CHECK_STR(w->cmp[MH_GROUNDEDNESS].why, "no difference shown");
	CHECK(c.verdict == CANARY_WATCHING);
	w = add_vs(&c, 2.71, 7, 2.95, 63, 0.12);
	CHECK(w->verdict == WINDOW_FAIL);
	CHECK(c.verdict == CANARY_ROLLBACK);
	CHECK(c.verdict_window == 1);
	CHECK(c.beside_verdict == CANARY_WATCHING);
	const struct canary_compare *k = &w->cmp[MH_GROUNDEDNESS];
	CHECK(k->verdict == COMPARE_FAIL);
	CHECK(k->canary_n == 11 && k->base_n == 99);
	CHECK_NEAR(k->canary_mean, (2.78 * 4 + 2.71 * 7) / 11, 1e-9);
	CHECK_NEAR(k->diff, (2.78 * 4 + 2.71 * 7) / 11 - 2.95, 1e-9);
	CHECK(k->diff + k->half < 0);
	CHECK(k->log_lr >= k->log_bound);
	CHECK_NEAR(k->log_bound, log(9 / 0.01), 1e-9);
	CHECK(w->decisive == MH_GROUNDEDNESS);
	CHECK_STR(w->baseline, "d-1427");
	char *why = canary_verdict_reason(&c);
	CHECK_STR(why, "multi_hop groundedness 2.74 (n=11) vs d-1427 2.95 (n=99): -0.21 [-0.39, -0.04], below the "
		       "baseline (LR 5.93e+04 >= 900) (compare: sequential test, alpha 0.01)");
	free(why);
	/* The threshold rule beside it needs its third window. */
	add_vs(&c, 2.66, 11, 2.95, 99, 0.12);
	CHECK(c.beside_verdict == CANARY_ROLLBACK);
	CHECK(c.beside_window == 2);
	CHECK(c.verdict_window == 1);
	canary_free(&c);
}

/* A bad hour for everyone: canary and baseline both at 2.75, under the
 * 2.85 minimum. The threshold rule would roll back; compare does not. */
static void test_compare_bad_hour(void)
{
	struct canary c;
	compare_canary(&c, true);
	for (int i = 0; i < 10; i++)
		add_vs(&c, 2.75, 7, 2.75, 63, 0.15);
	CHECK(c.verdict == CANARY_WATCHING);
	CHECK(c.beside_verdict == CANARY_ROLLBACK);
	CHECK(c.windows[9].verdict == WINDOW_PASS);
	CHECK(c.windows[9].beside == WINDOW_FAIL);
	canary_free(&c);
}

/* The canary read but the baseline empty: inconclusive, says why, and
 * adds nothing to the evidence. */
static void test_compare_baseline_missing(void)
{
	struct canary c;
	compare_canary(&c, false);
	CHECK(!c.beside);
	const struct canary_obs obs[] = { OBS("multi_hop", "groundedness", 2.5, 10, 0.1) };
	const struct canary_window *w = canary_add_window_vs(&c, 0, 60000, obs, 1, "d-9", NULL, 0);
	CHECK(w->verdict == WINDOW_INCONCLUSIVE);
	CHECK(w->decisive == MH_GROUNDEDNESS);
	CHECK(w->cmp[MH_GROUNDEDNESS].verdict == COMPARE_NODATA);
	CHECK(w->cmp[MH_GROUNDEDNESS].canary_n == 0);
	CHECK_STR(w->cmp[MH_GROUNDEDNESS].why, "the baseline d-9 gave no sample in this window");
	CHECK(w->n_checks == 0);
	char *why = canary_verdict_reason(&c);
	CHECK_STR(why, "watching, multi_hop groundedness: the baseline d-9 gave no sample in this window");
	free(why);
	/* Nothing read at all: inconclusive, never a pass. */
	w = canary_add_window_vs(&c, 60000, 120000, NULL, 0, NULL, NULL, 0);
	CHECK(w->verdict == WINDOW_INCONCLUSIVE);
	CHECK_STR(w->baseline, "d-1427");
	CHECK(c.verdict == CANARY_WATCHING);
	canary_free(&c);
}

/* Without a spread from the source the judge waits for five windows a
 * side, then judges from the window means. */
static void test_compare_without_sd(void)
{
	struct canary c;
	compare_canary(&c, false);
	for (int i = 0; i < 6; i++) {
		const struct canary_obs obs[] = { { "multi_hop", "groundedness", 2.94 + 0.01 * (i % 2), 7, 0, false } };
		const struct canary_obs base[] = { { "multi_hop", "groundedness", 2.95 - 0.01 * (i % 2), 63, 0, false } };
		const struct canary_window *w = canary_add_window_vs(&c, i * 60000, (i + 1) * 60000, obs, 1, NULL, base, 1);
		const struct canary_compare *k = &w->cmp[MH_GROUNDEDNESS];
		if (i < 4) {
			CHECK(w->verdict == WINDOW_INCONCLUSIVE);
			CHECK(k->verdict == COMPARE_THIN);
			CHECK(strstr(k->why, "spread not known yet") != NULL);
		} else {
			CHECK(w->verdict == WINDOW_PASS);
			CHECK(k->verdict == COMPARE_PASS);
		}
	}
	CHECK(c.verdict == CANARY_WATCHING);
	canary_free(&c);
}

/* Fewer canary samples than min_samples so far: thin. A NaN value or a
 * negative spread is no sample. */
static void test_compare_thin_and_bad_values(void)
{
	struct canary c;
	compare_canary(&c, false);
	const struct canary_window *w = add_vs(&c, 2.0, 2, 2.95, 40, 0.1);
	CHECK(w->verdict == WINDOW_INCONCLUSIVE);
	CHECK(w->cmp[MH_GROUNDEDNESS].verdict == COMPARE_THIN);
	CHECK_STR(w->cmp[MH_GROUNDEDNESS].why, "2 canary samples so far, fewer than min_samples 3");
	w = add_vs(&c, NAN, 5, 2.95, 40, 0.1);
	CHECK(w->cmp[MH_GROUNDEDNESS].canary_n == 2);
	CHECK(!w->cmp[MH_GROUNDEDNESS].seen);
	w = add_vs(&c, 2.0, 5, 2.95, 40, -1);
	CHECK(w->cmp[MH_GROUNDEDNESS].canary_n == 2);
	CHECK(c.verdict == CANARY_WATCHING);
	w = add_vs(&c, 2.0, 30, 2.95, 200, 0.1);
	CHECK(c.verdict == CANARY_ROLLBACK);
	canary_free(&c);
	/* Values that overflow the sums: thin, never a verdict. */
	compare_canary(&c, false);
	w = add_vs(&c, 1e308, 2000000000, -1e308, 2000000000, 1e308);
	CHECK(w->verdict == WINDOW_INCONCLUSIVE);
	CHECK_STR(w->cmp[MH_GROUNDEDNESS].why, "the values are too large to compare");
	CHECK(c.verdict == CANARY_WATCHING);
	canary_free(&c);
	CHECK_STR(canary_judge_name(JUDGE_COMPARE), "compare");
	CHECK_STR(compare_verdict_name(COMPARE_NODATA), "nodata");
}

int main(void)
{
	RUN(test_seed_1714_rollback);
	RUN(test_thin_window_neither_counts_nor_resets);
	RUN(test_conclusive_failure_outweighs_thin);
	RUN(test_decisive_check);
	RUN(test_value_at_threshold_passes);
	RUN(test_pass_resets_count);
	RUN(test_page_only_policy);
	RUN(test_failure_limit_one);
	RUN(test_windows_after_verdict_recorded);
	RUN(test_missing_classes_ignored);
	RUN(test_no_samples_inconclusive);
	RUN(test_observation_strings_copied);
	RUN(test_stop);
	RUN(test_init_defaults_and_ownership);
	RUN(test_verdict_names);
	RUN(test_compare_seed_1714);
	RUN(test_compare_bad_hour);
	RUN(test_compare_baseline_missing);
	RUN(test_compare_without_sd);
	RUN(test_compare_thin_and_bad_values);
	return CHECK_EXIT();
}
