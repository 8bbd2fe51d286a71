/* libFuzzer target for HAProxy's runtime-API answers: any bytes, read as
 * `show servers state` (for one backend or all) or as the answer to `set
 * server`, must either give servers whose states, shares and percentages
 * can all be read, or fail with one short printable line, and leave
 * nothing allocated. The first byte picks the parser and the backend. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_text.h"
#include "haproxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const backends[] = { "be_chat", NULL, "be_static", "b" };

static void check_message(const char *msg)
{
	if (!msg[0] || strlen(msg) > 300)
		abort();
	for (const unsigned char *s = (const unsigned char *)msg; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			abort();
}

static void read_state(const char *text, size_t len, const char *backend)
{
	struct haproxy_state st;
	struct error err;
	if (haproxy_parse_state(text, len, backend, &st, &err) != 0) {
		if (st.servers || st.n)
			abort();
		check_message(err.msg);
		return;
	}
	int *w = calloc(st.n + 1, sizeof *w), *p = calloc(st.n + 1, sizeof *p);
	if (!w || !p)
		abort();
	int sum = 0, any = 0;
	for (size_t i = 0; i < st.n; i++) {
		const struct haproxy_server *s = &st.servers[i];
		if (!s->name[0] || haproxy_state_find(&st, s->name) == NULL)
			abort();
		if (s->weight < 0 || s->weight > HAPROXY_WEIGHT_MAX)
			abort();
		const char *state = haproxy_server_state(s);
		if (strcmp(state, "UP") && strcmp(state, "DOWN") && strcmp(state, "MAINT") && strcmp(state, "DRAIN"))
			abort();
		w[i] = haproxy_server_share(s);
		any |= w[i] > 0;
	}
	haproxy_weights_to_percent(w, st.n, p);
	for (size_t i = 0; i < st.n; i++) {
		if (p[i] < 0 || p[i] > 100)
			abort();
		sum += p[i];
	}
	if (sum != (any ? 100 : 0))
		abort();
	free(w);
	free(p);
	haproxy_state_free(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	char *text = fuzz_text(data, size, 1, &len);
	if (!text)
		return 0;
	unsigned pick = data[0];
	if (pick & 1) {
		struct error err;
		if (haproxy_set_answer(text, len, "be_chat", "canary", (int)(pick >> 1), &err) != 0)
			check_message(err.msg);
	} else {
		read_state(text, len, backends[(pick >> 1) % 4]);
	}
	free(text);
	return 0;
}
