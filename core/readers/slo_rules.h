/* SLOs that Sloth and Pyrra define, found from the recording rules they
 * put in Prometheus (core/readers/slo_rules.c): which SLOs there are, with
 * service, objective, period, and the metric that records each window's
 * error ratio. No networking here: core/feeds/live_discover.c sends the
 * queries and hands over the answers.
 *
 * Sloth (spec prometheus/v1; slok/sloth pkg/common/conventions): an SLO is
 * its sloth_id; slo:sli_error:ratio_rate<W>{sloth_id, sloth_service,
 * sloth_slo, sloth_window} is its error ratio over W (5m ... 3d and the
 * period, e.g. 30d or 4w), slo:objective:ratio its objective,
 * slo:time_period:days its period, sloth_slo_info its metadata.
 *
 * Pyrra (pyrra.dev/v1alpha1 ServiceLevelObjective): an SLO is its slo
 * label; <metric>:burnrate<W>{slo} is its error ratio over W (despite the
 * name), with W scaled to its window (5m, 30m, 1h, 2h, 6h, 1d, 4d for
 * 28d). With generic rules on, pyrra_objective and pyrra_window (seconds)
 * give objective and period and pyrra_availability the period's ratio;
 * without them, its ErrorBudgetBurn alerts do:
 *     <metric>:burnrate5m{slo="x"} > (14 * (1-0.99)) and ... ,
 * labelled long="1h" (the window is long * 672 for the factor-14 alert,
 * * 112 for 7, * 28 for 2, * 7 for 1). */
#ifndef CMDR_SLO_RULES_H
#define CMDR_SLO_RULES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "burn.h"
#include "error.h"
#include "prom.h"

enum slo_rules_kind { SLO_RULES_SLOTH, SLO_RULES_PYRRA, SLO_RULES_NKINDS };
extern const char *const slo_rules_kind_name[SLO_RULES_NKINDS]; /* "sloth", "pyrra" */

/* One window its rules record. */
struct slo_rules_window {
	int64_t ms;
	char *metric;
	int series; /* how many series: more than one cannot be read as one SLO */
};

struct slo_rules_slo {
	enum slo_rules_kind kind;
	char *name;    /* Sloth: sloth_id; Pyrra: slo */
	char *service; /* Sloth: sloth_service; Pyrra: its service label, else namespace; may be NULL */
	char *namespace_; /* Pyrra: the namespace label seen first (two: not one SLO) */
	double objective; /* NaN: not known */
	int64_t period_ms; /* 0: not known */
	struct slo_rules_window *windows;
	size_t n_windows;
	bool period_ratio; /* Pyrra: pyrra_availability is recorded */
	/* After slo_rules_finish: the metric of each cmdr window (the last:
	 * the period), NULL where it lacks one (a bit in lacks), and why it
	 * is not shown at all, or NULL. */
	const char *metric[BURN_NWINDOWS + 1];
	unsigned lacks;
	char *skip;
};

struct slo_rules {
	struct slo_rules_slo *slos; /* in kind, then name order */
	size_t n, cap;
};

/* The instant queries that find a kind's SLOs; answer q goes to
 * slo_rules_take with the same kind and q. */
size_t slo_rules_queries(enum slo_rules_kind kind, const char *const **queries);
void slo_rules_take(struct slo_rules *r, enum slo_rules_kind kind, size_t q, const struct prom_result *res);
/* Pyrra's alerting rules, the body of GET /api/v1/rules?type=alert: the
 * objective and period of Pyrra SLOs that have no generic rules. */
int slo_rules_take_alerts(struct slo_rules *r, const char *body, size_t len, struct error *err);
/* Each SLO's windows matched to cmdr's, and those that cannot be shown
 * given their reason (skip). */
void slo_rules_finish(struct slo_rules *r);
void slo_rules_free(struct slo_rules *r);
struct slo_rules_slo *slo_rules_find(const struct slo_rules *r, enum slo_rules_kind kind, const char *name);

#endif
