/* libFuzzer target for the config parser: any bytes must either parse or
 * give one or more one-line problems that name the file, and leave nothing
 * allocated either way. Redaction patterns in the input are compiled by
 * the check, so PCRE2's compiler gets fuzzed through it too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size, 0, NULL);
	if (!text)
		return 0;

	struct config cfg;
	struct config_problems problems = { 0 };
	int rc = config_parse(text, size, "fuzz.json", &cfg, &problems);
	if ((rc == 0) != (problems.n == 0))
		abort();
	for (size_t i = 0; i < problems.n; i++)
		if (strchr(problems.lines[i], '\n') || strncmp(problems.lines[i], "fuzz.json", 9) != 0)
			abort();
	config_problems_free(&problems);
	config_free(&cfg);
	free(text);
	return 0;
}
