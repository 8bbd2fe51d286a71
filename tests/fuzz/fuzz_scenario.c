/* libFuzzer target for the scenario parser: any bytes must either parse or
 * fail with a one-line message, and leave nothing allocated either way. A
 * scenario that parses has its canaries' windows judged, so that hostile
 * numbers (1e308, n near INT_MAX, sd 0) reach both judges and every
 * explanation they print. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canary.h"
#include "fuzz_text.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct canary_obs *obs_of(const struct scenario_obs *o, size_t n)
{
	struct canary_obs *obs = calloc(n ? n : 1, sizeof *obs);
	if (!obs)
		abort();
	for (size_t k = 0; k < n; k++)
		obs[k] = (struct canary_obs){ .class_name = o[k].class_name, .metric = o[k].metric,
					      .value = o[k].value, .n = o[k].n, .sd = o[k].sd, .has_sd = o[k].has_sd };
	return obs;
}

static void judge(struct scenario_canary *sc)
{
	struct canary c;
	canary_init(&c, &sc->spec);
	for (size_t i = 0; i < sc->n_windows; i++) {
		const struct scenario_canary_window *w = &sc->windows[i];
		struct canary_obs *obs = obs_of(w->obs, w->n_obs), *base = obs_of(w->base, w->n_base);
		const struct canary_window *cw = canary_add_window_vs(&c, 0, 60000, obs, w->n_obs, NULL, base, w->n_base);
		for (size_t k = 0; cw->cmp && k < c.spec.n_thresholds; k++)
			free(canary_compare_text(&c, cw, k));
		free(canary_verdict_reason(&c));
		free(obs);
		free(base);
	}
	canary_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size, 0, NULL);
	if (!text)
		return 0;

	struct scenario s;
	struct error err;
	if (scenario_parse(text, size, "fuzz.json", &s, &err) == 0) {
		for (size_t i = 0; i < s.n_canaries; i++)
			judge(&s.canaries[i]);
		scenario_free(&s);
	}
	else if (strchr(err.msg, '\n') || strncmp(err.msg, "fuzz.json", 9) != 0)
		abort();
	free(text);
	return 0;
}
