/* `cmdr status`: one snapshot of an incident directory, without curses. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "sanitize.h"
#include "incident.h"
#include "live.h"
#include "live_alerts.h"
#include "timefmt.h"
#include "status.h"

/* A burn rate, or n/d when there is none to give (never "nan"). */
static const char *burn_text(double burn, char *buf, size_t size)
{
	if (isfinite(burn))
		snprintf(buf, size, "%.2f", burn);
	else
		snprintf(buf, size, "n/d");
	return buf;
}

/* "alerts am: 3 (2 more not kept), data age 4s" and an alert a line. */
static void print_alerts(const struct incident *inc)
{
	for (size_t i = 0; i < inc->n_alerts; i++) {
		const struct incident_alerts *a = &inc->alerts[i];
		char age[16], more[48] = "";
		data_age(&a->data, inc->now, age, sizeof age);
		if (a->set.left_out)
			snprintf(more, sizeof more, " (%zu more not kept)", a->set.left_out);
		printf("alerts %s: %zu%s, data age %s%s%s%s\n", a->source, a->set.n, more, age,
		       data_stale(&a->data, inc->now) ? " STALE" : "", *a->data.error ? " " : "", a->data.error);
		for (size_t k = 0; k < a->set.n; k++) {
			const struct alert *al = &a->set.alerts[k];
			const char *name = alert_label(al, "alertname"), *sev = alert_label(al, "severity");
			char line[512], sane[512], since[16] = "-";
			if (al->starts_ms)
				timefmt_duration(inc->now - al->starts_ms, since, sizeof since);
			snprintf(line, sizeof line, "  %s %s %s %s %s", name ? name : "-", sev ? sev : "-",
				 alert_state_name(al), since, al->summary ? al->summary : "");
			sanitize_text(line, sane, sizeof sane);
			printf("%s\n", sane);
		}
	}
}

static void print_text(const struct incident *inc)
{
	char when[32];
	cJSON *doc = status_json(inc);
	snprintf(when, sizeof when, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(doc, "clock")));
	printf("cmdr status at %s (%s)\n", when, inc->mode == MODE_DRILL ? "drill" : "live");
	const struct workflow *w = &inc->workflow;
	if (w->declared_at) {
		char sane[256];
		sanitize_text(w->title, sane, sizeof sane);
		printf("incident: %s %s%s, commander %s\n", sev_name(w->severity), sane, w->resolved_at ? " (resolved)" : "",
		       w->holder[DUTY_COMMANDER] ? w->holder[DUTY_COMMANDER] : "none");
	}
	printf("endpoints: %zu, SLOs: %zu, canaries: %zu\n", inc->model.n_endpoints, inc->n_slos,
	       inc->n_canaries);
	if (inc->model.n_endpoints == 0 && inc->n_slos == 0 && inc->n_alerts == 0)
		printf("(no live sources are configured; drills run with cmdr drill SCENARIO)\n");
	for (size_t i = 0; i < inc->n_slos; i++) {
		const struct incident_slo *s = &inc->slos[i];
		const struct burn_result *r = &s->result;
		char age[16];
		data_age(&s->data, inc->now, age, sizeof age);
		char b5[16], b1[16], b6[16];
		printf("slo %s: burn 5m %s 1h %s 6h %s, data age %s%s%s%s\n", s->spec.name,
		       burn_text(r->windows[BURN_5M].burn, b5, sizeof b5), burn_text(r->windows[BURN_1H].burn, b1, sizeof b1),
		       burn_text(r->windows[BURN_6H].burn, b6, sizeof b6), age,
		       data_stale(&s->data, inc->now) ? " STALE" : "", *s->data.error ? " " : "", s->data.error);
	}
	print_alerts(inc);
	const struct doubt *d[64];
	size_t n = incident_in_doubt(inc, d, 64);
	for (size_t i = 0; i < n && i < 64; i++) {
		char text[512];
		incident_doubt_text(inc, d[i], text, sizeof text);
		printf("%s\n", text);
	}
	if (inc->journal.torn)
		printf("journal: ends in a partial line (a crash during an append); the next console sets it aside\n");
	if (inc->journal.path)
		printf("journal: %s, %llu entries, head %s\n", inc->journal.path,
	       (unsigned long long)inc->journal.entries, inc->journal.head);
	cJSON_Delete(doc);
}

int cmd_status(struct cli_run *r)
{
	struct incident *inc = &r->inc;
	struct error err;
	int rc = EXIT_OK;
	incident_advance(inc, clock_now(&inc->clock));
	/* Whatever a source said is in the output too; the exit status and
	 * one line on stderr say that something failed. */
	if (live_snapshot(inc, cli_snapshot_timeout(&r->cfg), &err) != 0) {
		fprintf(stderr, "cmdr status: %s\n", err.msg);
		rc = EXIT_EXTERNAL;
	}
	if (live_alerts_snapshot(inc, cli_snapshot_timeout(&r->cfg), &err) != 0) {
		fprintf(stderr, "cmdr status: %s\n", err.msg);
		rc = EXIT_EXTERNAL;
	}
	if (r->o->json) {
		cJSON *doc = status_json(inc);
		char *text = cJSON_Print(doc);
		puts(text);
		cJSON_free(text);
		cJSON_Delete(doc);
	} else {
		print_text(inc);
	}
	char why[512];
	if (incident_long_line(inc, why, sizeof why))
		fprintf(stderr, "cmdr status: %s\n", why);
	return rc;
}
