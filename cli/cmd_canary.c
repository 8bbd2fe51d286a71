/* `cmdr canary simulate`: both canary judges on many simulated canaries
 * (core/model/canary_sim.h), with the figures the judges are chosen by. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "canary_sim.h"
#include "cli.h"

#define SIM_SEED 1714
#define SIM_DEFAULT_RUNS 2000
#define SIM_MAX_RUNS 1000000

static void print_windows(double v)
{
	if (isnan(v))
		printf(" %6s", "-");
	else
		printf(" %6.0f", v);
}

static double rate(const struct sim_row *r)
{
	return 100.0 * r->alarms / r->runs;
}

/* The goals a judge is held to, from the seed-spread rows, each met or
 * not in words. */
static void print_goals(struct sim_row (*rows)[SIM_N_JUDGES])
{
	const struct sim_row *ht = &rows[0][SIM_THRESHOLD], *hc = &rows[0][SIM_COMPARE];
	const struct sim_row *bt = &rows[1][SIM_THRESHOLD], *bc = &rows[1][SIM_COMPARE];
	const struct sim_row *rt = &rows[2][SIM_THRESHOLD], *rc = &rows[2][SIM_COMPARE];
	printf("\ngoals, seed spread:\n");
	printf("  compare's false alarms at most threshold's and at most 1%%: %.2f%% vs %.2f%%: %s\n", rate(hc),
	       rate(ht), rate(hc) <= rate(ht) && rate(hc) <= 1.0 ? "met" : "NOT met");
	printf("  compare's median detection a window or more before threshold's: %.0f vs %.0f: %s\n", rc->median,
	       rt->median, rc->alarms && rt->alarms && rc->median <= rt->median - 1 ? "met" : "NOT met");
	printf("  no false rollback when a bad hour hits both: compare %.2f%% (threshold %.2f%%): %s\n", rate(bc),
	       rate(bt), rate(bc) <= 1.0 ? "met" : "NOT met");
}

int cmd_canary_simulate(struct cli_run *r)
{
	int runs = SIM_DEFAULT_RUNS;
	if (r->o->n_args == 1) {
		char *end;
		long v = strtol(r->o->args[0], &end, 10);
		if (*end || end == r->o->args[0] || v < 1 || v > SIM_MAX_RUNS) {
			fprintf(stderr, "cmdr canary simulate: RUNS is a whole number from 1 to %d, not '%s'\n",
				SIM_MAX_RUNS, r->o->args[0]);
			return EXIT_USAGE;
		}
		runs = (int)v;
	}
	struct sim_row (*rows)[SIM_N_JUDGES] = calloc((size_t)sim_n_cases, sizeof *rows);
	if (!rows)
		abort();
	printf("%d simulated canaries per case, 20 windows of 60 s each, seed %d\n", runs, SIM_SEED);
	printf("%-24s %-15s %8s %6s %6s\n", "case", "judge", "alarms", "median", "p90");
	for (int k = 0; k < sim_n_cases; k++) {
		canary_simulate(&sim_cases[k], runs, SIM_SEED + (uint64_t)k, rows[k]);
		for (int j = 0; j < SIM_N_JUDGES; j++) {
			const struct sim_row *x = &rows[k][j];
			printf("%-24s %-15s %7.2f%%", j ? "" : sim_cases[k].name, sim_judge_name[j], rate(x));
			print_windows(x->median);
			print_windows(x->p90);
			putchar('\n');
		}
	}
	printf("(alarms: canaries rolled back, false alarms unless regressed; median, p90: windows to the verdict)\n");
	print_goals(rows);
	free(rows);
	return EXIT_OK;
}
