/* The config checker (core/readers/config_check.h): problems with their JSON
 * path, and the readers of one value each (object, string, duration, URL,
 * environment variable name) that every config section uses. */
#include "config_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	jsonmsg_describe(v, JSONMSG_NEWLINE_HEX, got, sizeof got);
	config_problem(c, "expected %s, got %s", expected, got);
}

/* ---- typed values ------------------------------------------------------ */

/* cJSON keeps both of two equal keys, and only the first would count. */
bool config_duplicate(struct config_check *c, const cJSON *obj, const cJSON *k)
{
	for (const cJSON *d = obj->child; d != k; d = d->next) {
		if (strcmp(d->string, k->string) == 0) {
			config_problem(c, "duplicate key (each key may appear once)");
			return true;
		}
	}
	return false;
}

/* Walks obj in file order, so problems come out in the order an editor
 * shows them. Unknown keys are problems, so a misspelt "two_persn" cannot
 * quietly leave the two-person rule off. */
void config_read_fields(struct config_check *c, const cJSON *obj, const struct config_field *fields,
			void *into)
{
	for (const cJSON *k = obj->child; k; k = k->next) {
		if (config_is_comment(k->string))
			continue;
		size_t old = jsonmsg_path_key(&c->path, k->string);
		const struct config_field *f = fields;
		while (f->key && strcmp(f->key + (f->key[0] == '!'), k->string) != 0)
			f++;
		if (!f->key) {
			char list[512] = "";
			for (f = fields; f->key; f++) {
				size_t len = strlen(list);
				if (f->key[0] != '!')
					snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", f->key);
			}
			config_problem(c, "unknown key (expected one of: %s)", list);
		} else if (!config_duplicate(c, obj, k) && f->read) {
			f->read(c, k, into);
		}
		jsonmsg_path_pop(&c->path, old);
	}
}

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

/* A copy of a non-empty string, or NULL with a problem. */
char *config_want_string(struct config_check *c, const cJSON *v, const char *expected)
{
	if (cJSON_IsString(v) && v->valuestring[0])
		return xstrdup(v->valuestring);
	config_problem_got(c, v, expected);
	return NULL;
}

void config_want_bool(struct config_check *c, const cJSON *v, bool *out)
{
	if (cJSON_IsBool(v))
		*out = cJSON_IsTrue(v);
	else
		config_problem_got(c, v, "true or false");
}

bool config_is_comment(const char *key)
{
	return key[0] == '/' && key[1] == '/';
}

bool config_want_duration(struct config_check *c, const cJSON *v, int64_t min_ms, int64_t *out)
{
	int64_t ms;
	if (!cJSON_IsString(v) || !timefmt_parse_duration(v->valuestring, &ms)) {
		config_problem_got(c, v, "a duration like \"10m\" (a whole number and ms, s, m, h or d)");
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
