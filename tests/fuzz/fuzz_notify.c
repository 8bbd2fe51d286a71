/* libFuzzer target for the notification services' answers (PagerDuty,
 * Slack, Teams): any status and body gives delivered, retry or a one-line
 * message without a control character, never a crash or a leak. The first
 * byte picks the service, the next two the status. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	enum notify_service s = (enum notify_service)(data[0] % NOTIFY_N);
	long status = 100 + (long)((data[1] << 8 | data[2]) % 500);
	char *body = malloc(size - 3 + 1);
	memcpy(body, data + 3, size - 3);
	body[size - 3] = '\0';
	struct error err;
	char *dedup = NULL;
	int rc = notify_response(s, status, body, size - 3, &dedup, &err);
	if (rc != 0) {
		if (strchr(err.msg, '\n') || strchr(err.msg, '\033'))
			abort();
		if (dedup)
			abort();
	}
	free(dedup);
	free(body);
	return 0;
}
