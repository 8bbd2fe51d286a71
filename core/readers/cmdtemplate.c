#include "cmdtemplate.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

enum placeholder { PH_NONE, PH_ENDPOINT, PH_TO, PH_TRAFFIC, PH_UNKNOWN };

/* At s: "{name}" with name of [a-z_], which counts as a placeholder; any
 * other brace (a jq filter, JSON) is left as it is. *len is its length. */
static enum placeholder placeholder_at(const char *s, size_t *len)
{
	if (*s != '{')
		return PH_NONE;
	size_t n = 1;
	while ((s[n] >= 'a' && s[n] <= 'z') || s[n] == '_')
		n++;
	if (n == 1 || s[n] != '}')
		return PH_NONE;
	*len = n + 1;
	if (*len == strlen("{endpoint}") && strncmp(s, "{endpoint}", *len) == 0)
		return PH_ENDPOINT;
	if (*len == strlen("{to}") && strncmp(s, "{to}", *len) == 0)
		return PH_TO;
	if (*len == strlen("{traffic}") && strncmp(s, "{traffic}", *len) == 0)
		return PH_TRAFFIC;
	return PH_UNKNOWN;
}

int cmdtemplate_check(const char *const *argv, size_t n, bool with_split, size_t *bad, struct error *err)
{
	const char *known = with_split ? "{endpoint}, {to} and {traffic}" : "{endpoint}";
	for (size_t i = 0; i < n; i++) {
		for (const char *s = argv[i]; *s; s++) {
			size_t len = 0;
			enum placeholder ph = placeholder_at(s, &len);
			if (ph == PH_NONE)
				continue;
			*bad = i;
			if (ph == PH_UNKNOWN || (!with_split && ph != PH_ENDPOINT))
				return error_set(err, "unknown placeholder %.*s (%s command knows %s)", (int)len, s,
						 with_split ? "an apply" : "a read", known);
			if (ph == PH_TRAFFIC && strcmp(argv[i], "{traffic}") != 0)
				return error_set(err, "{traffic} must be an argument on its own "
						      "(it becomes one name=percent argument per deployment)");
			s += len - 1;
		}
	}
	return 0;
}

const char *cmdtemplate_to(const struct traffic_split *split)
{
	const struct traffic_entry *best = NULL;
	for (size_t i = 0; split && i < split->n; i++)
		if (!best || split->entries[i].percent > best->percent)
			best = &split->entries[i];
	return best ? best->deployment : "";
}

/* One argument with {endpoint} and {to} filled in: always exactly one. */
static char *expand_arg(const char *arg, const char *endpoint, const char *to)
{
	size_t cap = strlen(arg) + 1, len = 0;
	char *out = xmalloc(cap);
	for (const char *s = arg; *s;) {
		size_t plen = 0;
		enum placeholder ph = placeholder_at(s, &plen);
		const char *put = s;
		size_t n = 1;
		if (ph == PH_ENDPOINT || ph == PH_TO) {
			put = ph == PH_ENDPOINT ? endpoint : to;
			n = strlen(put);
			s += plen;
		} else {
			s++;
		}
		xgrow(&out, &cap, len + n + 1, 1);
		memcpy(out + len, put, n);
		len += n;
	}
	out[len] = '\0';
	return out;
}

char **cmdtemplate_expand(const char *const *argv, size_t n, const char *endpoint,
			  const struct traffic_split *split, struct error *err)
{
	size_t bad;
	struct error why;
	if (cmdtemplate_check(argv, n, split != NULL, &bad, &why) != 0) {
		error_set(err, "argument %zu: %s", bad, why.msg);
		return NULL;
	}
	const char *to = cmdtemplate_to(split);
	size_t total = n + 1 + (split ? split->n : 0);
	char **out = xcalloc(total, sizeof *out);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (split && strcmp(argv[i], "{traffic}") == 0) {
			for (size_t j = 0; j < split->n; j++)
				out[k++] = xasprintf("%s=%d", split->entries[j].deployment, split->entries[j].percent);
			continue;
		}
		out[k++] = expand_arg(argv[i], endpoint, to);
	}
	out[k] = NULL;
	return out;
}

void cmdtemplate_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}
