/* The config checker (core/readers/config_check.h): problems with their JSON
 * path, and the readers of one value each (object, string, duration, URL,
 * environment variable name) that the config and the scenario use. */
#include "config_check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numeric.h"
#include "timefmt.h"
#include "xalloc.h"

/* ---- problems ---------------------------------------------------------- */

void config_problems_add(struct config_problems *p, char *line)
{
	xgrow(&p->lines, &p->cap, p->n + 1, sizeof *p->lines);
	p->lines[p->n++] = line;
}

void config_problems_free(struct config_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->lines[i]);
	free(p->lines);
	memset(p, 0, sizeof *p);
}

void config_problem(struct config_check *c, const char *fmt, ...)
{
	char what[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	config_problems_add(c->problems, xasprintf("%s: %s: %s", c->file, c->path.text, what));
}

void config_problem_got(struct config_check *c, const cJSON *v, const char *expected)
{
	char got[96];
	jsonmsg_describe(v, c->path.newline, got, sizeof got);
	config_problem(c, "expected %s, got %s", expected, got);
}

void config_problem_at(struct config_check *c, const char *key, const char *fmt, ...)
{
	char what[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	size_t old = jsonmsg_path_key(&c->path, key);
	config_problem(c, "%s", what);
	jsonmsg_path_pop(&c->path, old);
}

void config_problem_got_at(struct config_check *c, const cJSON *obj, const char *key, const char *expected)
{
	size_t old = jsonmsg_path_key(&c->path, key);
	config_problem_got(c, cJSON_GetObjectItemCaseSensitive(obj, key), expected);
	jsonmsg_path_pop(&c->path, old);
}

void config_missing(struct config_check *c, const char *key, const char *expected)
{
	config_problem_at(c, key, "required key missing (expected %s)", expected);
}

bool config_stopped(const struct config_check *c)
{
	return c->stop_at_first && c->problems->n > c->n_before;
}

void config_quote(const struct config_check *c, const char *s, char *buf, size_t size)
{
	jsonmsg_quote(s, 40, c->path.newline, buf, size);
}

/* ---- keys -------------------------------------------------------------- */

bool config_is_comment(const char *key)
{
	return key[0] == '/' && key[1] == '/';
}

bool config_key_is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

bool config_has(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key) != NULL;
}

const cJSON *config_value_of(const struct config_key *key, const cJSON *obj)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key->name);
}

/* cJSON keeps both of two equal keys, and only the first would count. */
bool config_duplicate(struct config_check *c, const cJSON *obj, const cJSON *k)
{
	for (const cJSON *d = obj->child; d != k; d = d->next) {
		if (config_key_is(d->string, k->string)) {
			config_problem(c, "duplicate key (each key may appear once)");
			return true;
		}
	}
	return false;
}

void config_each_key(struct config_check *c, const cJSON *obj, const char *name,
		     void (*each)(struct config_check *c, const cJSON *k, void *into), void *into)
{
	for (const cJSON *k = obj->child; k; k = k->next) {
		if (config_is_comment(k->string))
			continue;
		size_t old = jsonmsg_path_key(&c->path, k->string);
		if (!k->string[0])
			config_problem(c, "expected %s as the key, got \"\"", name);
		else if (!config_duplicate(c, obj, k))
			each(c, k, into);
		jsonmsg_path_pop(&c->path, old);
	}
}

/* ---- typed values ------------------------------------------------------ */

bool config_want_object(struct config_check *c, const cJSON *v)
{
	if (cJSON_IsObject(v))
		return true;
	config_problem_got(c, v, "an object");
	return false;
}

bool config_want_array(struct config_check *c, const cJSON *v)
{
	if (cJSON_IsArray(v))
		return true;
	config_problem_got(c, v, "an array");
	return false;
}

unsigned config_want_flags(struct config_check *c, const cJSON *v, const char *const *names, size_t n,
			   const char *expected)
{
	unsigned bits = 0;
	if (!config_want_array(c, v))
		return 0;
	size_t i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i), k = 0;
		while (k < n && !(cJSON_IsString(e) && strcmp(e->valuestring, names[k]) == 0))
			k++;
		if (k == n)
			config_problem_got(c, e, expected);
		else if (bits & (1u << k))
			config_problem_got(c, e, "each at most once");
		bits |= k < n ? 1u << k : 0;
		jsonmsg_path_pop(&c->path, old);
	}
	return bits;
}

char *config_want_string(struct config_check *c, const cJSON *v, const char *expected)
{
	if (cJSON_IsString(v) && v->valuestring[0])
		return xstrdup(v->valuestring);
	config_problem_got(c, v, expected);
	return NULL;
}

bool config_want_duration(struct config_check *c, const cJSON *v, int64_t min_ms, const char *expected,
			  int64_t *out)
{
	int64_t ms;
	if (!cJSON_IsString(v) || !timefmt_parse_duration(v->valuestring, &ms)) {
		config_problem_got(c, v, expected ? expected : "a duration like \"10m\" (a whole number and ms, s, m, h or d)");
		return false;
	}
	if (ms < min_ms) {
		char least[40] = "a duration above zero";
		if (min_ms > 1) {
			char d[16];
			timefmt_duration(min_ms, d, sizeof d);
			snprintf(least, sizeof least, "a duration of at least %s", d);
		}
		config_problem_got(c, v, least);
		return false;
	}
	*out = ms;
	return true;
}

bool config_in_range(double x, const struct config_range *r)
{
	if (!isfinite(x))
		return false;
	if (r->lo_open ? x <= r->lo : x < r->lo)
		return false;
	if (r->hi_open ? x >= r->hi : x > r->hi)
		return false;
	return !r->whole || numeric_is_whole(x);
}

char *config_want_url(struct config_check *c, const cJSON *v)
{
	if (cJSON_IsString(v) && (strncmp(v->valuestring, "http://", 7) == 0 ||
				  strncmp(v->valuestring, "https://", 8) == 0)) {
		const char *rest = strstr(v->valuestring, "//") + 2;
		size_t authority = strcspn(rest, "/?#");
		const char *at = memrchr(rest, '@', authority);
		/* Refused without a word of it repeated: "got ..." would put the
		 * password in every terminal and log that runs config check. */
		if (at && memchr(rest, ':', (size_t)(at - rest))) {
			config_problem(c, "holds a password; put it in password_file or password_env (auth type "
					  "basic), never in the URL");
			return NULL;
		}
		if (*rest && *rest != '/' && !strpbrk(v->valuestring, " \t\r\n"))
			return xstrdup(v->valuestring);
	}
	config_problem_got(c, v, "an http:// or https:// URL");
	return NULL;
}

char *config_want_env_name(struct config_check *c, const cJSON *v)
{
	bool ok = cJSON_IsString(v) && v->valuestring[0] && !(v->valuestring[0] >= '0' && v->valuestring[0] <= '9');
	for (const char *p = ok ? v->valuestring : ""; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			ok = false;
	if (ok)
		return xstrdup(v->valuestring);
	config_problem_got(c, v, "an environment variable name (letters, digits and _, not starting with a digit)");
	return NULL;
}

int config_lookup(const cJSON *v, const char *const *names, int n)
{
	for (int i = 0; cJSON_IsString(v) && i < n; i++)
		if (config_key_is(v->valuestring, names[i]))
			return i;
	return -1;
}

void config_name_list(const char *const *names, int n, unsigned mask, bool quoted, const char *last, char *buf,
		      size_t size)
{
	int total = 0, done = 0;
	for (int i = 0; i < n; i++)
		total += (mask & BIT(i)) != 0;
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (!(mask & BIT(i)))
			continue;
		size_t len = strlen(buf);
		const char *sep = done == 0 ? "" : done == total - 1 ? last : ", ";
		snprintf(buf + len, size - len, quoted ? "%s\"%s\"" : "%s%s", sep, names[i]);
		done++;
	}
}

void config_free_pairs(void *pairs, size_t n)
{
	char *(*pair)[2] = pairs;
	for (size_t i = 0; i < n; i++) {
		free(pair[i][0]);
		free(pair[i][1]);
	}
	free(pairs);
}

void config_free_strings(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
