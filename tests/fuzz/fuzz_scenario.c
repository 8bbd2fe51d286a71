/* libFuzzer target for the scenario parser: any bytes must either parse or
 * fail with a one-line message, and leave nothing allocated either way. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy with no terminator, so ASan catches any read past
	 * the length the parser was given. */
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);

	struct scenario s;
	struct error err;
	if (scenario_parse(text, size, "fuzz.json", &s, &err) == 0)
		scenario_free(&s);
	else if (strchr(err.msg, '\n') || strncmp(err.msg, "fuzz.json", 9) != 0)
		abort();
	free(text);
	return 0;
}
