/* A drill's scorecard: how long the people took, from the onset of the
 * trouble, to detect it (the first signal), acknowledge it (declared or a
 * commander named), decide (the first traffic change asked for), roll back
 * (the first carried out) and verify (the first verified); the runbook
 * steps done; and whether stakeholder updates went out on time. Built from
 * the journal's lines alone, so the console, the headless drill and the
 * postmortem give the same card; compared with the scenario's "expect". */
#ifndef CMDR_SCORECARD_H
#define CMDR_SCORECARD_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "scenario.h"
#include "workflow.h"

struct scorecard {
	bool drill;        /* a drill_start line was seen */
	int64_t onset_ms;
	int64_t expect_ms[EXPECT_N]; /* -1: none */
	int64_t at_ms[EXPECT_N];     /* when it happened; 0: not yet */
	int steps;                   /* runbook steps ticked (less those unticked) */
	/* Stakeholder updates against their due times. */
	int64_t update_due_ms, update_every_ms;
	unsigned updates_on_time, updates_late;
	int64_t ended_ms;            /* the resolution, or 0 */
};

enum score_verdict { SCORE_NOT_EXPECTED, SCORE_OK, SCORE_LATE, SCORE_MISSED, SCORE_NOT_YET };
/* "not expected", "ok", "late", "missed", "not yet" */
const char *score_verdict_name(enum score_verdict v);
/* Measure k (EXPECT_*) as of now: how long it took (-1: not done) and
 * its verdict against the scenario's expectation. */
enum score_verdict scorecard_measure(const struct scorecard *sc, int k, int64_t now, int64_t *took_ms);
/* A stakeholder update was due and not posted by the resolution (or now). */
bool scorecard_update_overdue(const struct scorecard *sc, int64_t now);

void scorecard_init(struct scorecard *sc);
/* One journal line, in order; at is its time. */
void scorecard_take(struct scorecard *sc, const cJSON *entry, int64_t at);
/* The card as of now (the drill's clock): {"onset", "measures": [{"name",
 * "took_s" (null: not done), "expected_s", "verdict": "ok" | "late" |
 * "missed" | "not expected"}], "steps", "updates": {"on_time", "late",
 * "overdue_now"}}. */
cJSON *scorecard_json(const struct scorecard *sc, int64_t now);
/* The same as a Markdown table. */
void scorecard_md(const struct scorecard *sc, int64_t now, FILE *out);

#endif
