/* Alerts as Alertmanager holds them (core/readers/alertmanager.c reads
 * them, a drill's scenario gives them): labels, the summary, when they
 * started, whether a silence or an inhibition mutes them; and the label
 * matchers that filter alerts and make silences. */
#ifndef CMDR_ALERT_H
#define CMDR_ALERT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* What one answer may bring in: more is counted, not kept. */
#define ALERT_MAX_KEPT 500
#define ALERT_MAX_LABELS 64

enum alert_state { ALERT_ACTIVE, ALERT_SUPPRESSED, ALERT_UNPROCESSED };

struct alert {
	char **names, **values; /* labels, raw (sanitised when drawn) */
	size_t n_labels;
	char *summary;          /* the summary annotation, or NULL */
	char *fingerprint;      /* Alertmanager's, or NULL */
	int64_t starts_ms;      /* 0: unknown */
	enum alert_state state;
	char **silenced_by, **inhibited_by; /* silence ids; fingerprints of the inhibiting alerts */
	size_t n_silenced_by, n_inhibited_by;
};

struct alert_set {
	struct alert *alerts;
	size_t n;
	size_t left_out;        /* alerts over ALERT_MAX_KEPT, not kept */
	size_t labels_left_out; /* labels over ALERT_MAX_LABELS on an alert, not kept */
};

const char *alert_label(const struct alert *a, const char *name);
/* The SLO an alert is about, when its labels say: sloth_slo, else slo. */
const char *alert_slo(const struct alert *a);
/* "active", "silenced", "inhibited" (both: silenced), "unprocessed". */
const char *alert_state_name(const struct alert *a);
/* Sorted for grouping: by alertname, then severity, then the oldest first. */
void alert_set_sort(struct alert_set *s);
void alert_set_free(struct alert_set *s);
void alert_free(struct alert *a);

/* One label matcher, as Alertmanager's filters and silences take it:
 * name="value", name!="value", name=~"regex", name!~"regex" (regexes
 * anchored at both ends, as Alertmanager's are). */
struct alert_matcher {
	char *name, *value;
	bool regex, equal;
};

/* Parses one matcher; the value may be quoted ("..." with \" and \\) or
 * bare. A bad regex is an error here, not when it is used. */
int alert_matcher_parse(const char *text, struct alert_matcher *m, struct error *err);
/* The matcher written back: name=~"value". A fresh heap string. */
char *alert_matcher_format(const struct alert_matcher *m);
bool alert_matcher_match(const struct alert_matcher *m, const struct alert *a);
/* Whether every matcher matches (an alert without the label has it "",
 * as in Alertmanager). */
bool alert_matches(const struct alert_matcher *ms, size_t n, const struct alert *a);
void alert_matcher_free(struct alert_matcher *m);

#endif
