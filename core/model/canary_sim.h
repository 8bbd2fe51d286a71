/* Many simulated canaries run through both judges (core/model/canary.h),
 * from stated distributions, to measure each judge's false alarms and how
 * soon it catches a regression: `cmdr canary simulate` and `make bench`.
 *
 * The world is seed 004's: the gate's nine class x metric thresholds; a
 * canary at 10% of traffic for 20 windows of 60 s (the pipeline's
 * "Canary 10% for 20 minutes"), its baseline at 90%; per window and class
 * the canary's sample count is Poisson with the seed's counts of its 17:13
 * window as means (factual 15, procedural 9, edge 2, multi_hop 7,
 * ambiguous 3), the baseline's nine times that; each request's score is
 * normal around the class's mean. Every canary is fed to every judge, so
 * they are compared on the same draws. */
#ifndef CMDR_CANARY_SIM_H
#define CMDR_CANARY_SIM_H
#include <stdbool.h>
#include <stdint.h>

enum sim_judge { SIM_THRESHOLD, SIM_COMPARE, SIM_COMPARE_NO_SD, SIM_N_JUDGES };

struct sim_case {
	const char *name;
	double spread;     /* sigma, times the seed's (groundedness 0.05, rates 0.02) */
	double both_drop;  /* a bad hour for everyone: every mean of both sides this fraction lower */
	bool regressed;    /* multi_hop groundedness of the canary 2.95 -> 2.70 */
};

struct sim_row {
	int runs;
	int alarms;        /* canaries that got a verdict */
	double median, p90; /* windows to the verdict, over those that got one; NaN: none */
};

extern const struct sim_case sim_cases[];
extern const int sim_n_cases;
extern const char *const sim_judge_name[SIM_N_JUDGES];

/* Runs `runs` canaries of case k from seed, filling one row per judge. */
void canary_simulate(const struct sim_case *k, int runs, uint64_t seed, struct sim_row rows[SIM_N_JUDGES]);

#endif
