/* Reading, defaults, required checks and freeing, all from one typed key
 * table (core/readers/config_check.h), as redis's static_configs[] and
 * tmux's options-table.c do it. */
#include "config_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "xalloc.h"

enum part { PART_VALUE, PART_FILE, PART_ENV, PART_BARE };

static void *value_at(void *base, size_t at)
{
	return (char *)base + at;
}

static void set_string(void *dst, char *value)
{
	char **s = dst;
	free(*s);
	*s = value;
}

/* The key of t that k names, and which part of it (a secret's _file or
 * _env key, or its bare name). */
static const struct config_key *find_key(const struct config_table *t, const char *k, enum part *part)
{
	for (const struct config_key *key = t->keys; key->name; key++) {
		size_t n = strlen(key->name);
		if (strncmp(k, key->name, n) != 0)
			continue;
		*part = key->type == CONFIG_SECRET ? PART_BARE : PART_VALUE;
		if (!k[n])
			return key;
		*part = config_key_is(k + n, "_file") ? PART_FILE : PART_ENV;
		if (key->type == CONFIG_SECRET && (*part == PART_FILE || config_key_is(k + n, "_env")))
			return key;
	}
	return NULL;
}

static bool fits(const struct config_key *key, int type)
{
	return !key->types || type < 0 || (key->types & BIT(type));
}

/* A strict table (no `what`) knows a key of another type as unknown. */
static bool known(const struct config_table *t, const struct config_key *key, int type)
{
	return key && (t->what || fits(key, type));
}

/* Whether the key's default is set for an object of this type: a key of
 * some types only has none while the type is unknown. */
static bool applies(const struct config_key *key, int type)
{
	return !key->types || (type >= 0 && (key->types & BIT(type)));
}

static bool required(const struct config_key *key, int type)
{
	return key->required == CONFIG_ALWAYS || (type >= 0 && (key->required & BIT(type)) && applies(key, type));
}

static void unknown_key(struct config_check *c, const struct config_table *t, int type)
{
	char list[512] = "";
	for (const struct config_key *key = t->keys; key->name; key++) {
		size_t len = strlen(list);
		if (!known(t, key, type))
			continue;
		if (key->type == CONFIG_SECRET)
			snprintf(list + len, sizeof list - len, "%s%s_file, %s_env", len ? ", " : "", key->name,
				 key->name);
		else
			snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", key->name);
	}
	config_problem(c, "unknown key (expected one of: %s)", list);
}

/* `one of "a", "b" or "c"`, or without "one of" for two names or when
 * `bare`. */
static void enum_expected(const struct config_key *key, bool bare, char *buf, size_t size)
{
	char list[256];
	config_name_list(key->names, key->n_names, BIT(key->n_names) - 1, true, " or ", list, sizeof list);
	snprintf(buf, size, "%s%s", bare || key->n_names < 3 ? "" : "one of ", list);
}

/* ---- one value ------------------------------------------------------------- */

static void read_list(struct config_check *c, const struct config_key *key, const cJSON *v, void *base)
{
	const char *argv = "a non-empty array of strings (the command and its arguments)";
	if (key->type == CONFIG_ARGV && (!cJSON_IsArray(v) || !v->child)) {
		if (cJSON_IsArray(v))
			config_problem(c, "expected %s, got an empty array", argv);
		else
			config_problem_got(c, v, argv);
		return;
	}
	if (key->type == CONFIG_STRINGS && !config_want_array(c, v))
		return;
	char ***list = value_at(base, key->at);
	size_t *n = value_at(base, key->count_at), i = 0;
	config_free_strings(*list, *n);
	*n = 0;
	*list = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof **list);
	for (const cJSON *a = v->child; a; a = a->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		char *s = key->elem == CONFIG_ENV_NAME ? config_want_env_name(c, a)
			  : key->type == CONFIG_ARGV ? config_want_string(c, a, "a command-line argument (a non-empty string)")
						     : config_want_string(c, a, key->expected);
		if (s)
			(*list)[(*n)++] = s;
		jsonmsg_path_pop(&c->path, old);
	}
}

/* One entry per element, so that $.slos[i] is cfg->slos[i] for the checks
 * across sections. */
static void read_array(struct config_check *c, const struct config_key *key, const cJSON *v, void *base)
{
	if (!cJSON_IsArray(v)) {
		config_problem_got(c, v, key->expected ? key->expected : "an array");
		return;
	}
	void **array = value_at(base, key->at);
	size_t *n = value_at(base, key->count_at);
	*n = (size_t)cJSON_GetArraySize(v);
	*array = xcalloc(*n, key->size);
	size_t i = 0, index = c->index;
	for (const cJSON *e = v->child; e && !config_stopped(c); e = e->next, i++) {
		size_t old = jsonmsg_path_index(&c->path, i);
		c->index = i;
		config_read(c, e, key->table, value_at(*array, i * key->size));
		jsonmsg_path_pop(&c->path, old);
	}
	c->index = index;
}

struct map_read {
	const struct config_key *key;
	char *array;
	size_t *n;
};

static void read_map_entry(struct config_check *c, const cJSON *k, void *into)
{
	struct map_read *m = into;
	char *entry = m->array + (*m->n)++ * m->key->size;
	*(char **)entry = xstrdup(k->string);
	config_read(c, k, m->key->table, entry);
}

static void read_map(struct config_check *c, const struct config_key *key, const cJSON *v, void *base)
{
	if (!config_want_object(c, v))
		return;
	void **array = value_at(base, key->at);
	struct map_read m = { key, xcalloc((size_t)cJSON_GetArraySize(v), key->size), value_at(base, key->count_at) };
	*array = m.array;
	config_each_key(c, v, key->expected, read_map_entry, &m);
}

static void read_number(struct config_check *c, const struct config_key *key, const cJSON *v, void *p)
{
	if (!cJSON_IsNumber(v) || !config_in_range(v->valuedouble, &key->range))
		config_problem_got(c, v, key->expected);
	else if (key->type == CONFIG_INT)
		*(int *)p = (int)v->valuedouble;
	else if (key->type == CONFIG_LONG)
		*(long *)p = (long)v->valuedouble;
	else
		*(double *)p = v->valuedouble;
}

static void read_value(struct config_check *c, const struct config_key *key, enum part part, const cJSON *v,
		       const cJSON *obj, void *base)
{
	void *p = value_at(base, key->at);
	size_t before = c->problems->n;
	char expected[320];
	switch (key->type) {
	case CONFIG_STRING:
		set_string(p, config_want_string(c, v, key->expected));
		break;
	case CONFIG_URL:
		set_string(p, config_want_url(c, v));
		break;
	case CONFIG_ENV_NAME:
		set_string(p, config_want_env_name(c, v));
		break;
	case CONFIG_SECRET:
		if (part == PART_FILE)
			set_string(&((struct config_secret *)p)->file, config_want_string(c, v, "a file path"));
		else
			set_string(&((struct config_secret *)p)->env, config_want_env_name(c, v));
		break;
	case CONFIG_DURATION:
		config_want_duration(c, v, (int64_t)key->range.lo, key->expected, p);
		break;
	case CONFIG_NUMBER:
	case CONFIG_INT:
	case CONFIG_LONG:
		read_number(c, key, v, p);
		break;
	case CONFIG_BOOL:
		if (cJSON_IsBool(v))
			*(bool *)p = cJSON_IsTrue(v);
		else
			config_problem_got(c, v, "true or false");
		break;
	case CONFIG_ENUM: {
		int i = config_lookup(v, key->names, key->n_names);
		if (i >= 0) {
			*(int *)p = i;
			break;
		}
		if (!key->expected)
			enum_expected(key, false, expected, sizeof expected);
		config_problem_got(c, v, key->expected ? key->expected : expected);
		break;
	}
	case CONFIG_STRINGS:
	case CONFIG_ARGV:
		read_list(c, key, v, base);
		break;
	case CONFIG_OBJECT:
		if (key->read)
			key->read(c, v, p);
		else
			config_read(c, v, key->table, p);
		break;
	case CONFIG_ARRAY:
		read_array(c, key, v, base);
		break;
	case CONFIG_MAP:
		read_map(c, key, v, base);
		break;
	case CONFIG_CUSTOM:
		key->read(c, v, p);
		break;
	}
	if (key->check && c->problems->n == before)
		key->check(c, key, obj, base);
}

/* ---- defaults and required keys ------------------------------------------------ */

/* A default is written as the file would write it, so that cmdr.1 can
 * show it as it is; one that does not read is a mistake in the table. */
static void set_default(const struct config_key *key, void *base)
{
	void *p = value_at(base, key->at);
	bool ok = true;
	switch (key->type) {
	case CONFIG_STRING:
	case CONFIG_URL:
		set_string(p, xstrdup(key->def));
		break;
	case CONFIG_DURATION:
		ok = timefmt_parse_duration(key->def, p);
		break;
	case CONFIG_NUMBER:
		*(double *)p = strtod(key->def, NULL);
		break;
	case CONFIG_INT:
		*(int *)p = atoi(key->def);
		break;
	case CONFIG_LONG:
		*(long *)p = atol(key->def);
		break;
	case CONFIG_BOOL:
		*(bool *)p = config_key_is(key->def, "true");
		break;
	case CONFIG_ENUM: {
		int i = 0;
		while (i < key->n_names && !config_key_is(key->names[i], key->def))
			i++;
		ok = i < key->n_names;
		*(int *)p = i;
		break;
	}
	case CONFIG_OBJECT: /* "{}": an object that is absent is read as an empty one */
		config_set_defaults(key->table, p, -1);
		break;
	default:
		ok = false;
	}
	if (!ok)
		abort();
}

void config_set_defaults(const struct config_table *t, void *base, int type)
{
	for (const struct config_key *key = t->keys; key->name; key++)
		if (key->def && applies(key, type))
			set_default(key, base);
}

static bool secret_given(const cJSON *obj, const char *name)
{
	char k[64];
	snprintf(k, sizeof k, "%s_file", name);
	if (config_has(obj, k))
		return true;
	snprintf(k, sizeof k, "%s_env", name);
	return config_has(obj, k);
}

static bool given(const cJSON *obj, const struct config_key *key)
{
	return key->type == CONFIG_SECRET ? secret_given(obj, key->name) : config_has(obj, key->name);
}

static void missing(struct config_check *c, const struct config_key *key)
{
	char expected[320];
	if (key->type == CONFIG_ENUM && !key->missing && !key->expected)
		enum_expected(key, true, expected, sizeof expected);
	config_missing(c, key->name, key->missing ? key->missing : key->expected ? key->expected : expected);
}

/* ---- objects ------------------------------------------------------------------- */

int config_peek_type(const cJSON *obj, const struct config_table *t)
{
	return config_lookup(cJSON_GetObjectItemCaseSensitive(obj, "type"), t->types, t->n_types);
}

/* The config's way: every key in file order, then what the table checks
 * and the required keys, every problem reported. */
static void read_every_key(struct config_check *c, const cJSON *obj, const struct config_table *t, void *base,
			   int type)
{
	for (const cJSON *k = obj->child; k; k = k->next) {
		if (c->comments && config_is_comment(k->string))
			continue;
		size_t old = jsonmsg_path_key(&c->path, k->string);
		enum part part;
		const struct config_key *key = find_key(t, k->string, &part);
		if (!known(t, key, type)) {
			unknown_key(c, t, type);
		} else if (config_duplicate(c, obj, k)) {
		} else if (part == PART_BARE) {
			config_problem(c, "secrets are never written in the config: give \"%s_file\" (a file only you can "
					  "read) or \"%s_env\" (an environment variable)",
				       k->string, k->string);
		} else if (!fits(key, type)) {
			char only[128];
			config_name_list(t->types, t->n_types, key->types, false, " and ", only, sizeof only);
			config_problem(c, "not a key of %s %s (only of %s)", t->types[type], t->what, only);
		} else {
			read_value(c, key, part, k, obj, base);
		}
		jsonmsg_path_pop(&c->path, old);
	}
	for (const struct config_key *key = t->keys; key->name; key++)
		if (key->def && applies(key, type) && !given(obj, key))
			set_default(key, base);
	if (t->check)
		t->check(c, obj, base);
	for (const struct config_key *key = t->keys; key->name; key++)
		if (required(key, type) && !given(obj, key))
			missing(c, key);
}

/* Objects and arrays wait until the rest of their object is read and
 * checked: what they hold may be judged by it. */
static bool deferred(const struct config_key *key)
{
	return key->type == CONFIG_OBJECT || key->type == CONFIG_ARRAY || key->type == CONFIG_MAP ||
	       (key->type == CONFIG_CUSTOM && key->table);
}

static void read_one(struct config_check *c, const cJSON *obj, const struct config_key *key, void *base, int type)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key->name);
	if (!v && required(key, type)) {
		missing(c, key);
	} else if (!v && key->def && applies(key, type)) {
		set_default(key, base);
	} else if (v) {
		size_t old = jsonmsg_path_key(&c->path, key->name);
		read_value(c, key, PART_VALUE, v, obj, base);
		jsonmsg_path_pop(&c->path, old);
	}
}

/* The table's keys but its type (read first), now or later. */
static void read_in_order(struct config_check *c, const cJSON *obj, const struct config_table *t, bool later,
			  void *base, int type)
{
	for (const struct config_key *key = t->keys; key->name && !config_stopped(c); key++)
		if (deferred(key) == later && fits(key, type) && !(t->types && config_key_is(key->name, "type")))
			read_one(c, obj, key, base, type);
}

static void check_keys(struct config_check *c, const cJSON *obj, const struct config_table *t, int type)
{
	for (const cJSON *k = obj->child; k && !config_stopped(c); k = k->next) {
		size_t old = jsonmsg_path_key(&c->path, k->string);
		enum part part;
		if (!known(t, find_key(t, k->string, &part), type))
			unknown_key(c, t, type);
		else
			config_duplicate(c, obj, k);
		jsonmsg_path_pop(&c->path, old);
	}
}

/* The scenario's way: unknown and duplicate keys first, then the keys in
 * table order, stopping at the first problem. */
static void read_first_problem(struct config_check *c, const cJSON *obj, const struct config_table *t, void *base,
			       int type)
{
	/* The type first: which keys there are depends on it. */
	for (const struct config_key *key = t->keys; t->types && key->name; key++)
		if (config_key_is(key->name, "type"))
			read_one(c, obj, key, base, type);
	check_keys(c, obj, t, type);
	read_in_order(c, obj, t, false, base, type);
	if (t->check && !config_stopped(c))
		t->check(c, obj, base);
	read_in_order(c, obj, t, true, base, type);
}

void config_check_keys(struct config_check *c, const cJSON *obj, const struct config_table *t)
{
	check_keys(c, obj, t, -1);
}

void config_read_key(struct config_check *c, const cJSON *obj, const struct config_table *t, const char *name,
		     void *base)
{
	const struct config_key *key = t->keys;
	while (!config_key_is(key->name, name))
		key++;
	if (!config_stopped(c))
		read_one(c, obj, key, base, -1);
}

void config_read_typed(struct config_check *c, const cJSON *obj, const struct config_table *t, void *base,
		       int type)
{
	if (!config_want_object(c, obj))
		return;
	int outer = c->type;
	c->type = type;
	if (c->stop_at_first)
		read_first_problem(c, obj, t, base, type);
	else
		read_every_key(c, obj, t, base, type);
	c->type = outer;
}

void config_read(struct config_check *c, const cJSON *obj, const struct config_table *t, void *base)
{
	config_read_typed(c, obj, t, base, t->types ? config_peek_type(obj, t) : -1);
}

/* ---- freeing ------------------------------------------------------------------- */

void config_free_table(const struct config_table *t, void *base)
{
	for (const struct config_key *key = t->keys; key->name; key++) {
		void *p = value_at(base, key->at);
		switch (key->type) {
		case CONFIG_STRING:
		case CONFIG_URL:
		case CONFIG_ENV_NAME:
			set_string(p, NULL);
			break;
		case CONFIG_SECRET:
			set_string(&((struct config_secret *)p)->file, NULL);
			set_string(&((struct config_secret *)p)->env, NULL);
			break;
		case CONFIG_STRINGS:
		case CONFIG_ARGV:
			config_free_strings(*(char ***)p, *(size_t *)value_at(base, key->count_at));
			*(char ***)p = NULL;
			*(size_t *)value_at(base, key->count_at) = 0;
			break;
		case CONFIG_OBJECT:
			config_free_table(key->table, p);
			break;
		case CONFIG_ARRAY:
		case CONFIG_MAP: {
			char *array = *(void **)p;
			size_t *n = value_at(base, key->count_at);
			for (size_t i = 0; i < *n; i++) {
				if (key->type == CONFIG_MAP)
					set_string(array + i * key->size, NULL);
				config_free_table(key->table, array + i * key->size);
			}
			free(array);
			*(void **)p = NULL;
			*n = 0;
			break;
		}
		case CONFIG_CUSTOM:
			if (key->free)
				key->free(p);
			break;
		default:
			break;
		}
	}
}

/* ---- the key list ---------------------------------------------------------- */

static const char *type_word(const struct config_key *key)
{
	switch (key->type) {
	case CONFIG_STRING:
		return "string";
	case CONFIG_URL:
		return "URL";
	case CONFIG_ENV_NAME:
		return "variable name";
	case CONFIG_SECRET:
		return "secret";
	case CONFIG_DURATION:
		return "duration";
	case CONFIG_NUMBER:
		return "number";
	case CONFIG_INT:
	case CONFIG_LONG:
		return "integer";
	case CONFIG_BOOL:
		return "true or false";
	case CONFIG_ENUM:
		return NULL; /* its names */
	case CONFIG_STRINGS:
		return key->elem == CONFIG_ENV_NAME ? "variable names" : "strings";
	case CONFIG_ARGV:
		return "command";
	case CONFIG_OBJECT:
		return "object";
	case CONFIG_CUSTOM:
		return key->table ? "array" : key->expected ? key->expected : "value";
	case CONFIG_ARRAY:
		return "array";
	case CONFIG_MAP:
		return "object of names";
	}
	return "value";
}

static void print_keys(FILE *out, const struct config_table *t, const char *prefix);

/* One line: the key's path, what it holds, its default, when it is
 * required and for which types it is a key, then its doc line. A secret
 * is NAME_file or NAME_env; the keys of an object, an array's elements
 * and a map's values follow on lines of their own. */
static void print_key(FILE *out, const struct config_table *t, const struct config_key *key, const char *prefix)
{
	char path[200], what[512], types[256];
	snprintf(path, sizeof path, "%s%s%s", prefix, key->name, key->type == CONFIG_SECRET ? "_file|_env" : "");
	if (key->type == CONFIG_ENUM)
		config_name_list(key->names, key->n_names, BIT(key->n_names) - 1, false, " or ", what, sizeof what);
	else
		snprintf(what, sizeof what, "%s", type_word(key));
	size_t len = strlen(what);
	if (key->def)
		len += (size_t)snprintf(what + len, sizeof what - len, ", default %s", key->def);
	if (key->required == CONFIG_ALWAYS) {
		len += (size_t)snprintf(what + len, sizeof what - len, ", required");
	} else if (key->required && t->types) {
		config_name_list(t->types, t->n_types, key->required, false, " and ", types, sizeof types);
		len += (size_t)snprintf(what + len, sizeof what - len, ", required for %s", types);
	}
	if (key->types && t->types && key->types != key->required) {
		config_name_list(t->types, t->n_types, key->types, false, " and ", types, sizeof types);
		snprintf(what + len, sizeof what - len, ", of %s", types);
	}
	fprintf(out, "%s (%s): %s\n", path, what, key->doc ? key->doc : "");
	char sub[300];
	if (key->type == CONFIG_OBJECT && key->table)
		snprintf(sub, sizeof sub, "%s.", path);
	else if ((key->type == CONFIG_ARRAY || key->type == CONFIG_CUSTOM) && key->table)
		snprintf(sub, sizeof sub, "%s[].", path);
	else if (key->type == CONFIG_MAP && key->table)
		snprintf(sub, sizeof sub, "%s.NAME.", path);
	else
		return;
	print_keys(out, key->table, sub);
}

static void print_keys(FILE *out, const struct config_table *t, const char *prefix)
{
	for (const struct config_key *key = t->keys; key->name; key++)
		print_key(out, t, key, prefix);
}

void config_key_list(FILE *out, const struct config_table *t)
{
	print_keys(out, t, "");
}
