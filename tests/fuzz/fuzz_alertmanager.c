/* libFuzzer target for Alertmanager's answers (core/readers/alertmanager.c):
 * any bytes, under any status and content type, must either parse into
 * alerts whose labels, ids and states can all be read, or fail with one
 * short printable line, and leave nothing allocated either way. The first
 * byte picks the status, the content type and which answer is read
 * (alerts, a silence's id); the rest is the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alertmanager.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long statuses[] = { 200, 200, 200, 200, 200, 400, 422, 500, 404, 0 };
static const char *const types[] = { "application/json", NULL, "text/plain" };

static void check_message(const char *msg)
{
	if (!msg[0] || strlen(msg) > 200)
		abort();
	for (const unsigned char *s = (const unsigned char *)msg; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			abort();
}

static void read_alerts(long status, const char *type, const char *body, size_t len)
{
	struct alert_set set;
	struct error err;
	if (am_parse_alerts(status, type, body, len, &set, &err) != 0) {
		if (set.alerts || set.n)
			abort();
		check_message(err.msg);
		return;
	}
	if (set.n > ALERT_MAX_KEPT)
		abort();
	size_t sum = 0;
	for (size_t i = 0; i < set.n; i++) {
		const struct alert *a = &set.alerts[i];
		if (a->n_labels > ALERT_MAX_LABELS)
			abort();
		for (size_t k = 0; k < a->n_labels; k++)
			if (alert_label(a, a->names[k]) == NULL)
				abort();
		for (size_t k = 0; k < a->n_silenced_by; k++)
			sum += strlen(a->silenced_by[k]);
		for (size_t k = 0; k < a->n_inhibited_by; k++)
			sum += strlen(a->inhibited_by[k]);
		sum += strlen(alert_state_name(a)) + (a->summary ? strlen(a->summary) : 0);
		(void)alert_slo(a);
	}
	alert_set_sort(&set);
	(void)sum;
	alert_set_free(&set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	char *body = fuzz_text(data, size, 1, &len);
	if (!body)
		return 0;
	unsigned pick = data[0];
	long status = statuses[pick % 10];
	const char *type = types[(pick / 10) % 3];
	if (pick < 200) {
		read_alerts(status, type, body, len);
	} else {
		char *id;
		struct error err;
		if (am_parse_silence_id(status, type, body, len, &id, &err) == 0)
			free(id);
		else if (id)
			abort();
		else
			check_message(err.msg);
	}
	free(body);
	return 0;
}
