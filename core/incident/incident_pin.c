/* Pinning a service's SLOs above all others in SLO BURN. Pins are the
 * incident's, not one console's: `:pin` journals the change and every
 * console following the journal (and cmdr status, and the postmortem)
 * reads the same pins back from it. */
#include "incident.h"
#include "incident_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonmsg.h"
#include "xalloc.h"

static struct service_pin *pin_find(const struct pin_set *p, const char *service)
{
	for (size_t i = 0; service && i < p->n; i++)
		if (strcmp(p->pins[i].service, service) == 0)
			return &p->pins[i];
	return NULL;
}

bool incident_pinned(const struct incident *inc, const char *service)
{
	return pin_find(&inc->pins, service) != NULL;
}

void pin_set_apply(struct pin_set *p, const cJSON *e, int64_t at)
{
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome");
	const char *service = jsonmsg_str(cJSON_GetObjectItemCaseSensitive(e, "params"), "service");
	if (!action || !outcome || !service)
		return;
	struct service_pin *pin = pin_find(p, service);
	if (strcmp(action, "pin") == 0 && strcmp(outcome, "pinned") == 0 && !pin) {
		const char *by = entry_person(e);
		xgrow(&p->pins, &p->cap, p->n + 1, sizeof *p->pins);
		p->pins[p->n++] = (struct service_pin){ xstrdup(service), xstrdup(by ? by : "?"), at };
	} else if (strcmp(action, "unpin") == 0 && strcmp(outcome, "unpinned") == 0 && pin) {
		free(pin->service);
		free(pin->by);
		size_t i = (size_t)(pin - p->pins);
		memmove(pin, pin + 1, (p->n - i - 1) * sizeof *pin);
		p->n--;
	}
}

void pin_set_free(struct pin_set *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->pins[i].service);
		free(p->pins[i].by);
	}
	free(p->pins);
	memset(p, 0, sizeof *p);
}

static bool has_service(const struct incident *inc, const char *service)
{
	for (size_t i = 0; i < inc->n_slos; i++)
		if (inc->slos[i].service && strcmp(inc->slos[i].service, service) == 0)
			return true;
	return false;
}

/* "no SLO has the service "x" (services: a, b, c and 4 more)": a typo
 * shows next to what was meant. */
static void unknown_service(const struct incident *inc, const char *service, char *why, size_t size)
{
	int n = snprintf(why, size, "no SLO has the service \"%s\"", service);
	size_t listed = 0, more = 0;
	for (size_t i = 0; i < inc->n_slos; i++) {
		const char *s = inc->slos[i].service;
		bool seen = false;
		for (size_t k = 0; s && !seen && k < i; k++)
			seen = inc->slos[k].service && strcmp(inc->slos[k].service, s) == 0;
		if (!s || seen)
			continue;
		if (listed == 5) {
			more++;
			continue;
		}
		if (n > 0 && (size_t)n < size)
			n += snprintf(why + n, size - (size_t)n, "%s%s", listed ? ", " : " (services: ", s);
		listed++;
	}
	if (!listed && n > 0 && (size_t)n < size)
		snprintf(why + n, size - (size_t)n, " (no SLO names a service)");
	else if (n > 0 && (size_t)n < size)
		snprintf(why + n, size - (size_t)n, more ? " and %zu more)" : ")", more);
}

int incident_pin(struct incident *inc, const char *service, bool on, const struct actor *actor, struct error *err)
{
	const char *action = on ? "pin" : "unpin";
	char target[160], why[512] = "";
	snprintf(target, sizeof target, "service:%s", service);
	if (incident_may_act(inc, actor, action, target, NULL, err) != 0)
		return -1;
	bool pinned = incident_pinned(inc, service);
	if (on && pinned)
		snprintf(why, sizeof why, "%s is already pinned", service);
	else if (on && !has_service(inc, service))
		unknown_service(inc, service, why, sizeof why);
	else if (!on && !pinned)
		snprintf(why, sizeof why, "%s is not pinned", service);
	if (*why) {
		incident_journal_refusal(inc, actor, action, target, NULL, why);
		return error_set(err, "%s refused: %s", action, why);
	}
	cJSON *e = incident_journal_entry(inc, actor, action, target, NULL);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(e, "params"), "service", service);
	cJSON_AddStringToObject(e, "outcome", on ? "pinned" : "unpinned");
	return incident_record_or_fail(inc, e, action, err);
}
