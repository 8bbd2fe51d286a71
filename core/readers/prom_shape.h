/* The one PromQL shape cmdr reads many SLOs with at once (core/readers/
 * prom_shape.c): a count summed over the series of one selector,
 *     sum(FN(SELECTOR[{{window}}]))
 * with FN one of rate, increase, sum_over_time, count_over_time. For an
 * equality matcher LABEL="V" in SELECTOR, the query
 *     sum by (LABEL) (FN(SELECTOR with LABEL=~"V1|V2|..."[{{window}}]))
 * gives, in its series LABEL="V", exactly what the query gives for V: FN
 * keeps every label but the metric name, and the sum adds the same series
 * in the same order. Anything else is not of the shape, and is read as it
 * was written. */
#ifndef CMDR_PROM_SHAPE_H
#define CMDR_PROM_SHAPE_H
#include <stdbool.h>
#include <stddef.h>

/* An equality matcher: its label, its value (unescaped), and where its
 * "=" and the end of its string are in the text. */
struct prom_eq {
	char *label, *value;
	size_t op, end;
};

struct prom_shape {
	char *text;
	size_t body; /* just after "sum(" */
	struct prom_eq *eqs;
	size_t n_eqs;
};

/* Whether query (with "{{window}}" as the range) is of the shape; when it
 * is, out holds its equality matchers (free it with prom_shape_free). */
bool prom_shape_read(const char *query, struct prom_shape *out);
void prom_shape_free(struct prom_shape *s);
/* The text with matcher eq's value cut out: two queries of the shape
 * whose keys for the same label are equal differ in that value alone. */
char *prom_shape_key(const struct prom_shape *s, size_t eq);
/* The query by matcher eq's label over every value (n >= 1, sorted and
 * without repeats or not), each matched exactly (a regex of escaped
 * literals). */
char *prom_shape_batch(const struct prom_shape *s, size_t eq, const char *const *values, size_t n);

#endif
