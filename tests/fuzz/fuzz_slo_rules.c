/* libFuzzer target for the readers of Sloth's and Pyrra's rules: the
 * first byte says which answer the rest is (a discovery query's, by kind
 * and number, or Pyrra's alerting rules); any bytes must be read or
 * refused, and every SLO then shown must have an objective between 0
 * and 1, a period, a 5m window, and lack exactly the windows it has no
 * metric for. Nothing may stay allocated. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slo_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct slo_rules *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct slo_rules_slo *s = &r->slos[i];
		if (i && (s[-1].kind > s->kind || (s[-1].kind == s->kind && strcmp(s[-1].name, s->name) >= 0)))
			abort(); /* kept in order, each once */
		for (int k = 0; k <= BURN_NWINDOWS; k++)
			if (!s->metric[k] != !!(s->lacks & (1u << k)))
				abort();
		if (!s->skip && (!(s->objective > 0 && s->objective < 1) || s->period_ms <= 0 || !s->metric[0]))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct slo_rules r = { 0 };
	struct prom_result pr;
	struct error err;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	unsigned which = data[0] % 9; /* 0-3 Sloth's queries, 4-7 Pyrra's, 8 the alerts */
	/* Each answer twice, so that the second meets SLOs the first made. */
	for (int round = 0; round < 2; round++) {
		if (which == 8) {
			(void)slo_rules_take_alerts(&r, body, len, &err);
		} else if (prom_parse(200, "application/json", body, len, &pr, &err) == 0) {
			slo_rules_take(&r, which < 4 ? SLO_RULES_SLOTH : SLO_RULES_PYRRA, which % 4, &pr);
			prom_result_free(&pr);
		}
	}
	int64_t ms;
	char *text = malloc(len + 1);
	if (text) {
		memcpy(text, body, len);
		text[len] = '\0';
		if (prom_parse_duration(text, &ms) && ms < 0)
			abort();
		free(text);
	}
	slo_rules_finish(&r);
	check(&r);
	slo_rules_free(&r);
	return 0;
}
