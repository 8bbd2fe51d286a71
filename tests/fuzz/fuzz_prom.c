/* libFuzzer target for the Prometheus response parser: any bytes, under any
 * status and content type, must either parse into series whose labels and
 * points can all be read, or fail with one short printable line, and leave
 * nothing allocated either way. The first byte picks the status and the
 * content type; the rest is the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_text.h"
#include "prom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long statuses[] = { 200, 200, 200, 200, 200, 400, 422, 503, 404, 502 };
static const char *const types[] = { "application/json", "application/json; charset=utf-8", NULL,
				     "text/plain" };

static void check_message(const char *msg)
{
	if (!msg[0] || strlen(msg) > 200)
		abort();
	for (const unsigned char *s = (const unsigned char *)msg; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	char *body = fuzz_text(data, size, 1, &len);
	if (!body)
		return 0;
	unsigned pick = data[0];

	struct prom_result r;
	struct error err;
	if (prom_parse(statuses[pick % 10], types[(pick / 10) % 4], body, len, &r, &err) == 0) {
		double sum = 0, v;
		for (size_t i = 0; i < r.n_series; i++) {
			const struct prom_series *s = &r.series[i];
			for (size_t k = 0; k < s->n_labels; k++)
				if (!s->names[k] || prom_label(s, s->names[k]) == NULL)
					abort();
			for (size_t p = 0; p < s->n_points; p++)
				sum += s->v[p] + (double)s->t_ms[p];
		}
		(void)prom_single_value(&r, &v);
		(void)sum;
		prom_result_free(&r);
	} else {
		if (r.series || r.n_series)
			abort();
		check_message(err.msg);
	}
	free(body);
	return 0;
}
