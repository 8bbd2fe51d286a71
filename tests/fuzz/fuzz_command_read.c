/* libFuzzer target for a command target's read output (core/readers/cmdread.c):
 * any bytes must give a split of whole percents from 0 to 100 adding up
 * to 0 or 100 under unique, printable names, or one short printable line,
 * and leave nothing allocated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdread.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size, 0, NULL);
	if (!text)
		return 0;
	struct target_view v;
	struct error err;
	if (cmdread_parse(text, size, &v, &err) == 0) {
		int total = 0;
		for (size_t i = 0; i < v.n; i++) {
			const char *name = v.deployments[i].name;
			if (!name[0] || strchr(name, '=') || v.deployments[i].traffic < 0 || v.deployments[i].traffic > 100)
				abort();
			for (const unsigned char *s = (const unsigned char *)name; *s; s++)
				if (*s <= ' ' || *s == 0x7f)
					abort();
			for (size_t k = 0; k < i; k++)
				if (strcmp(v.deployments[k].name, name) == 0)
					abort();
			total += v.deployments[i].traffic;
		}
		if (total != 0 && total != 100)
			abort();
		target_view_free(&v);
	} else {
		if (v.n || v.deployments || !err.msg[0] || strlen(err.msg) > 200)
			abort();
		for (const unsigned char *s = (const unsigned char *)err.msg; *s; s++)
			if (*s < 0x20 || *s == 0x7f)
				abort();
	}
	free(text);
	return 0;
}
