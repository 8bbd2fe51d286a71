#include "cmdread.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "apimsg.h"
#include "numeric.h"
#include "redact.h"
#include "sanitize.h"
#include "xalloc.h"

/* How much of the output a message quotes. */
#define EXCERPT_MAX 60

static const char *const forms = "expected name=percent pairs or a JSON object of name to percent";

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* text[0..n) quoted for a message: cut short, secrets redacted (the
 * message sanitises it). */
static char *excerpt(const char *text, size_t n)
{
	while (n > 0 && is_space(text[n - 1]))
		n--;
	size_t cut = n > EXCERPT_MAX ? EXCERPT_MAX : n;
	/* Not inside a UTF-8 sequence. */
	while (cut < n && cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
		cut--;
	char *raw = xstrndup(text, cut);
	char *red = redact_text(raw);
	free(raw);
	if (cut < n) {
		char *more = xasprintf("%s...", red);
		free(red);
		red = more;
	}
	return red;
}

/* A deployment's name as a target may report it: printable UTF-8, and
 * usable as the name of a name=percent argument. */
static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 255 || utf8_check(s, n) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f || c == '=')
			return false;
	}
	return true;
}

static int add(struct target_view *v, const char *name, size_t n, int percent, struct error *err)
{
	for (size_t i = 0; i < v->n; i++) {
		if (strlen(v->deployments[i].name) == n && memcmp(v->deployments[i].name, name, n) == 0) {
			char *q = excerpt(name, n);
			apimsg_error_set(err, "read command output names deployment \"%s\" twice", q);
			free(q);
			return -1;
		}
	}
	v->deployments = xrealloc(v->deployments, (v->n + 1) * sizeof *v->deployments);
	v->deployments[v->n++] = (struct target_deployment){ .name = xstrndup(name, n), .traffic = percent };
	return 0;
}

/* "100" -> 100; anything but 0..100 in plain digits is not a percent. */
static bool percent_of(const char *s, size_t n, int *out)
{
	if (n == 0 || n > 3)
		return false;
	int p = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		p = p * 10 + (s[i] - '0');
	}
	*out = p;
	return p <= 100;
}

static int parse_pairs(const char *text, size_t len, struct target_view *v, struct error *err)
{
	size_t i = 0;
	while (i < len) {
		while (i < len && is_space(text[i]))
			i++;
		if (i == len)
			break;
		size_t start = i;
		while (i < len && !is_space(text[i]))
			i++;
		const char *word = text + start;
		size_t n = i - start;
		const char *eq = memchr(word, '=', n);
		int percent;
		bool pair = eq && name_ok(word, (size_t)(eq - word));
		if (!pair || !percent_of(eq + 1, n - (size_t)(eq - word) - 1, &percent)) {
			/* From the word that is wrong on, as much as fits. */
			char *q = excerpt(word, len - start);
			if (pair)
				apimsg_error_set(err, "read command printed \"%s\": a percent is a whole number from 0 "
						      "to 100", q);
			else
				apimsg_error_set(err, "read command printed \"%s\" (%s)", q, forms);
			free(q);
			return -1;
		}
		if (add(v, word, (size_t)(eq - word), percent, err) != 0)
			return -1;
	}
	if (v->n == 0)
		return apimsg_error_set(err, "read command printed nothing (%s)", forms);
	return 0;
}

static int parse_json(const char *text, size_t len, struct target_view *v, struct error *err)
{
	size_t at;
	cJSON *root = apimsg_json_parse(text, len, &at);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		char *q = excerpt(text, len);
		apimsg_error_set(err, "read command printed no JSON object (bad JSON at byte %zu): \"%s\"", at, q);
		free(q);
		return -1;
	}
	const cJSON *traffic = root;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "traffic");
	if (t && !cJSON_IsObject(t)) {
		cJSON_Delete(root);
		return apimsg_error_set(err, "read command printed JSON whose \"traffic\" is not an object (%s)", forms);
	}
	if (t)
		traffic = t;
	/* az ml's own words for the endpoint's state, when it gives them. */
	const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "provisioning_state"));
	if (t && state)
		v->state = xstrndup(state, 64);
	for (const cJSON *d = traffic->child; d; d = d->next) {
		double p = cJSON_GetNumberValue(d);
		size_t n = strlen(d->string);
		if (!name_ok(d->string, n) || !cJSON_IsNumber(d) || !(p >= 0 && p <= 100) || !numeric_is_whole(p)) {
			char *q = excerpt(d->string, n);
			apimsg_error_set(err, "read command printed \"%s\" with %s, not a deployment's traffic (a whole "
					      "percent from 0 to 100)", q, cJSON_IsNumber(d) ? "a bad percent" : "no number");
			free(q);
			cJSON_Delete(root);
			return -1;
		}
		if (add(v, d->string, n, (int)p, err) != 0) {
			cJSON_Delete(root);
			return -1;
		}
	}
	cJSON_Delete(root);
	return 0;
}

int cmdread_parse(const char *text, size_t len, struct target_view *out, struct error *err)
{
	memset(out, 0, sizeof *out);
	size_t i = 0;
	while (i < len && is_space(text[i]))
		i++;
	int rc = i < len && text[i] == '{' ? parse_json(text, len, out, err) : parse_pairs(text, len, out, err);
	int total = 0;
	for (size_t k = 0; rc == 0 && k < out->n; k++)
		total += out->deployments[k].traffic;
	if (rc == 0 && total != 100 && total != 0)
		rc = apimsg_error_set(err, "read command printed traffic adding up to %d%%, not 100%%", total);
	if (rc != 0)
		target_view_free(out);
	return rc;
}
