/* libFuzzer target for scripted drill runs: any bytes give steps in time
 * order or a one-line FILE:LINE message; never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drill_script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct drill_script s;
	struct error err;
	if (drill_script_parse((const char *)data, size, "fuzz.script", 1726246920000LL, &s, &err) == 0) {
		for (size_t i = 1; i < s.n; i++)
			if (s.steps[i].at_ms < s.steps[i - 1].at_ms || !*s.steps[i].command)
				abort();
		drill_script_free(&s);
	} else if (strchr(err.msg, '\n')) {
		abort();
	}
	return 0;
}
