/* libFuzzer target for the scenario parser: any bytes must either parse or
 * fail with a one-line message, and leave nothing allocated either way. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_text.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size, 0, NULL);
	if (!text)
		return 0;

	struct scenario s;
	struct error err;
	if (scenario_parse(text, size, "fuzz.json", &s, &err) == 0)
		scenario_free(&s);
	else if (strchr(err.msg, '\n') || strncmp(err.msg, "fuzz.json", 9) != 0)
		abort();
	free(text);
	return 0;
}
