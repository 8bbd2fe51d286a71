#include "slo_order.h"

#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "xalloc.h"

enum slo_standing slo_standing_of(const struct incident_slo *s)
{
	const struct burn_result *r = &s->result;
	bool ticket = false, data = false;
	for (int k = 0; k < BURN_NTIERS; k++) {
		if (r->alerts[k].firing && strcmp(r->alerts[k].severity, "page") == 0)
			return SLO_PAGES;
		ticket |= r->alerts[k].firing;
	}
	for (int w = 0; w < BURN_NWINDOWS; w++)
		data |= !r->windows[w].no_data;
	return ticket ? SLO_TICKETS : data ? SLO_QUIET : SLO_NO_DATA;
}

/* Nearly equal figures share a step, a tenth apart (no libm: counted),
 * so that SLOs burning alike keep their order rather than trade places
 * at each reading. Below a hundredth of a threshold is step 0; no tier
 * to judge, -1. */
static int step_of(double near)
{
	if (!(near > 0.01))
		return near < 0 ? -1 : 0;
	int step = 1;
	for (double t = 0.011; t <= near && step < 1000; t *= 1.1)
		step++;
	return step;
}

struct slo_key {
	int pinned, standing, step; /* pinned: 0 pinned, 1 not (first is least) */
};

static int key_cmp(const struct slo_key *a, const struct slo_key *b)
{
	if (a->pinned != b->pinned)
		return a->pinned - b->pinned;
	if (a->standing != b->standing)
		return a->standing - b->standing;
	return b->step - a->step; /* higher steps first */
}

void slo_order(const struct incident *inc, size_t *order, size_t n)
{
	if (n < 2)
		return;
	struct slo_key *key = xmalloc(inc->n_slos * sizeof *key);
	for (size_t i = 0; i < n; i++) {
		const struct incident_slo *s = &inc->slos[order[i]];
		key[order[i]] = (struct slo_key){ !incident_pinned(inc, s->service), (int)slo_standing_of(s),
						  step_of(burn_nearness(&s->result)) };
	}
	/* Merge sort, bottom up: stable, and n log n for 500 SLOs a frame. */
	size_t *from = order, *to = xmalloc(n * sizeof *to);
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t a = lo, b = mid, k = lo;
			while (a < mid && b < hi)
				to[k++] = key_cmp(&key[from[b]], &key[from[a]]) < 0 ? from[b++] : from[a++];
			while (a < mid)
				to[k++] = from[a++];
			while (b < hi)
				to[k++] = from[b++];
		}
		size_t *t = from;
		from = to;
		to = t;
	}
	if (from != order) {
		memcpy(order, from, n * sizeof *order);
		to = from;
	}
	free(to);
	free(key);
}

bool slo_matches(const struct pattern *p, const struct incident_slo *s)
{
	return !p || pattern_match(p, s->spec.name) || pattern_match(p, s->service) || pattern_match(p, s->endpoint);
}
