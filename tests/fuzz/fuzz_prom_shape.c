/* libFuzzer target for the batchable PromQL shape reader: any bytes must
 * either be read as the shape, with every equality matcher's "=" and the
 * end of its string inside the text and a key and a batch that can be
 * made from it, or be refused, and leave nothing allocated either way. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prom_shape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *query = malloc(size + 1);
	if (!query)
		return 0;
	memcpy(query, data, size);
	query[size] = '\0';
	struct prom_shape s;
	if (prom_shape_read(query, &s)) {
		size_t len = strlen(s.text);
		for (size_t i = 0; i < s.n_eqs; i++) {
			const struct prom_eq *e = &s.eqs[i];
			if (e->op >= e->end || e->end > len || s.text[e->op] != '=' || !*e->label)
				abort();
			char *key = prom_shape_key(&s, i);
			const char *values[] = { e->value, "a.b|c\\\"d" };
			char *batch = prom_shape_batch(&s, i, values, 2);
			if (!strchr(key, '\x01') || strncmp(batch, "sum by (", 8) != 0)
				abort();
			free(key);
			free(batch);
		}
		prom_shape_free(&s);
	} else if (s.eqs || s.text || s.n_eqs) {
		abort();
	}
	free(query);
	return 0;
}
