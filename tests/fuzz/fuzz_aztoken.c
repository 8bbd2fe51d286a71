/* libFuzzer target for the token parsers: az CLI output and token endpoint
 * responses under any status. Any bytes must give a token with a non-empty
 * value or one short printable line, and leave nothing allocated. The first
 * byte picks the parser and the status; the rest is the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aztoken.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long statuses[] = { 200, 200, 400, 401, 500 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	char *body = fuzz_text(data, size, 1, &len);
	if (!body)
		return 0;
	unsigned pick = data[0];

	struct aztoken t;
	struct error err;
	int rc = pick % 6 == 5 ? aztoken_parse_cli(body, len, &t, &err)
			       : aztoken_parse_oauth(statuses[pick % 5], body, len, 1795335153000, &t, &err);
	if (rc == 0) {
		if (!t.access_token || !t.access_token[0])
			abort();
		(void)aztoken_needs_refresh(&t, 1795335153000);
		aztoken_free(&t);
	} else {
		if (t.access_token || !err.msg[0] || strlen(err.msg) > 200)
			abort();
		for (const unsigned char *s = (const unsigned char *)err.msg; *s; s++)
			if (*s < 0x20 || *s == 0x7f)
				abort();
	}
	free(body);
	return 0;
}
