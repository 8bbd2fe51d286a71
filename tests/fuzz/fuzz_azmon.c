/* libFuzzer target for the Azure Monitor response parser: any bytes, under
 * any status and content type, must either parse into tables whose every
 * cell can be read, or fail with one short printable line, and leave
 * nothing allocated either way. The first byte picks the status and the
 * content type; the rest is the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azmon.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long statuses[] = { 200, 200, 200, 200, 206, 400, 401, 403, 429, 502 };
static const char *const types[] = { "application/json", "application/json; charset=utf-8", NULL,
				     "text/html" };

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

	struct kql_result r;
	struct error err;
	long status = statuses[pick % 10];
	const char *type = types[(pick / 10) % 4];
	if (azmon_parse(status, type, body, len, &r, &err) == 0) {
		for (size_t i = 0; i < r.n_tables; i++) {
			const struct kql_table *t = &r.tables[i];
			for (size_t c = 0; c < t->n_cols; c++)
				if (kql_column(t, t->col_names[c]) > (int)c || !t->col_types[c])
					abort();
			for (size_t row = 0; row < t->n_rows; row++)
				for (size_t c = 0; c < t->n_cols; c++) {
					const struct kql_cell *cell = kql_cell_at(t, row, c);
					double x;
					if ((cell->type == KQL_STRING) != (cell->str != NULL))
						abort();
					(void)kql_cell_number(cell, &x);
				}
		}
		kql_result_free(&r);
	} else {
		if (r.tables || r.n_tables)
			abort();
		check_message(err.msg);
	}
	free(body);
	return 0;
}
