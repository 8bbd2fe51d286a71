/* The checker and the typed key table that the config (config*.c) and the
 * drill scenario (scenario.c) are read by: each key is written once, with
 * its type, where it goes, its default, when it is required and one line
 * of doc, and reading, defaults, required checks, freeing and cmdr.1's key
 * list all come from that. Every problem has one shape: "FILE: $.json.path:
 * what is wrong". */
#ifndef CMDR_CONFIG_CHECK_H
#define CMDR_CONFIG_CHECK_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "jsonmsg.h"

#define BIT(x) (1u << (x))

/* The config checker does not stop at a problem: a file with three
 * mistakes should take one edit and one `cmdr config check`, not three
 * rounds. A scenario is refused at its first problem (stop_at_first), with
 * its keys read in table order. The checker keeps the JSON path of the
 * value it is reading so that every problem can point at it. */
struct config_check {
	const char *file;
	struct config_problems *problems;
	size_t n_before; /* problems already there: this file added the rest */
	struct jsonmsg_path path;
	const cJSON *root; /* the whole file, for checks across sections */
	bool stop_at_first; /* the scenario's rule; the config reports every problem */
	bool comments;      /* keys beginning with "//" are comments (the config's rule) */
	/* Set while an object is read, for the functions a table calls: */
	int type;     /* the object's type (an index into its table's types), -1: none or unknown */
	size_t index; /* the object's index in its array */
	void *ctx;    /* what a reader needs beyond the object: the scenario, an auth's owner */
};

/* A problem that has no JSON path (the file cannot be read or parsed);
 * takes line. */
void config_problems_add(struct config_problems *p, char *line);
void config_problem(struct config_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "expected EXPECTED, got WHAT-v-IS" */
void config_problem_got(struct config_check *c, const cJSON *v, const char *expected);
/* A problem at key of the object being read. */
void config_problem_at(struct config_check *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "expected EXPECTED, got ..." about obj[key]. */
void config_problem_got_at(struct config_check *c, const cJSON *obj, const char *key, const char *expected);
/* "required key missing (expected EXPECTED)" at key. */
void config_missing(struct config_check *c, const char *key, const char *expected);
/* Whether reading stops here: a scenario's first problem was found. */
bool config_stopped(const struct config_check *c);
/* Text from the file, quoted for a message (at most 40 bytes of it). */
void config_quote(const struct config_check *c, const char *s, char *buf, size_t size);

/* ---- the key table ------------------------------------------------------- */

/* What a key holds, and so how it is read and freed. */
enum config_type {
	CONFIG_STRING,   /* char *: a non-empty string */
	CONFIG_URL,      /* char *: an http:// or https:// URL with a host and no password */
	CONFIG_ENV_NAME, /* char *: an environment variable's name */
	/* struct config_secret: the keys NAME_file (a file path) and NAME_env
	 * (a variable's name); NAME itself is refused, since a secret is never
	 * written in the config. */
	CONFIG_SECRET,
	CONFIG_DURATION, /* int64_t ms, at least range.lo ("90s") */
	CONFIG_NUMBER,   /* double within range */
	CONFIG_INT,      /* int within range */
	CONFIG_LONG,     /* long within range */
	CONFIG_BOOL,     /* bool */
	CONFIG_ENUM,     /* an enum, stored as int: the index of the string in names */
	CONFIG_STRINGS,  /* char ** (one spare NULL at the end) and a size_t at count_at: strings, or variable names (elem) */
	CONFIG_ARGV,     /* the same, a non-empty array: a command and its arguments */
	CONFIG_OBJECT,   /* an object read by table into the struct at `at` (or by read(), which uses the table) */
	CONFIG_ARRAY,    /* objects read by table into an array at `at` (size bytes each), one per element */
	/* An object of names, each to an object read by table: an array as
	 * for ARRAY, each element's first field a char * holding its name
	 * (EXPECTED is what the name is, e.g. "a source name"). */
	CONFIG_MAP,
	CONFIG_CUSTOM,   /* read() reads it, free() frees it */
};

/* A number's range: lo and hi, each included unless open; whole: only
 * whole numbers. */
struct config_range {
	double lo, hi;
	bool lo_open, hi_open, whole;
};

struct config_table;

/* One key of an object. Texts: "expected EXPECTED, got ..." when a value
 * is wrong, "required key missing (expected MISSING)" when it is absent,
 * and the doc line in cmdr.1. */
struct config_key {
	const char *name;
	enum config_type type;
	size_t at;            /* offsetof the value in the struct the table reads */
	const char *expected; /* NULL: the type's own (durations, URLs, enums, ...) */
	const char *def;      /* the default as the file writes it ("10s", "true"); NULL: none */
	const char *doc;      /* what the key is for, one line */
	unsigned types;       /* of a typed object: the types it is a key of (bits); 0: all */
	unsigned required;    /* the types it is required for (bits); CONFIG_ALWAYS: always */
	const char *missing;  /* NULL: EXPECTED */
	struct config_range range;        /* NUMBER, INT, LONG; DURATION: range.lo is the least ms */
	const char *const *names;         /* ENUM */
	int n_names;                      /* ENUM */
	enum config_type elem;            /* STRINGS: CONFIG_STRING or CONFIG_ENV_NAME */
	const struct config_table *table; /* OBJECT, ARRAY, MAP; CUSTOM: of the array's objects it reads */
	size_t count_at, size;            /* STRINGS, ARGV, ARRAY, MAP: where the count goes; ARRAY, MAP: element size */
	/* CUSTOM: reads v into the value at `at` (a problem if it is wrong) and
	 * frees it. */
	void (*read)(struct config_check *c, const cJSON *v, void *value);
	void (*free)(void *value);
	/* A rule of this key's own, run once the key of obj is read into base
	 * without a problem. */
	void (*check)(struct config_check *c, const struct config_key *key, const cJSON *obj, void *base);
};

#define CONFIG_ALWAYS (~0u)

/* The keys of one kind of object (the last key has a NULL name). A typed
 * object names its type in "type", one of types: each key may belong to
 * some types only, be required for some, and "not a key of prometheus
 * sources (only of log_analytics)" is a problem; with what NULL such a key
 * is unknown instead, and the unknown-key message lists only the type's. */
struct config_table {
	const struct config_key *keys;
	const char *const *types;
	int n_types;
	const char *what; /* "sources", in "not a key of prometheus sources" */
	/* The rules the keys cannot say (one key or another, not both; a
	 * default that depends on another key), run once the keys are read
	 * and their defaults set, before the required ones are looked for. */
	void (*check)(struct config_check *c, const cJSON *obj, void *base);
};

/* Reads obj (an object, else a problem) by table into base: the keys in
 * file order (in table order when stop_at_first), their defaults, the
 * table's check and the required keys. Comments are skipped; unknown and
 * duplicate keys are problems. The type is read from "type" when the table
 * has types. */
void config_read(struct config_check *c, const cJSON *obj, const struct config_table *t, void *base);
/* The same, for an object whose type the caller has judged (-1: none). */
void config_read_typed(struct config_check *c, const cJSON *obj, const struct config_table *t, void *base,
		       int type);
/* For an object whose keys are read in an order of their own (the
 * scenario's sections, in the order they depend on each other): unknown
 * and duplicate keys are problems, and the key of t called name is read
 * (its default set when it is absent; a problem when it is required). */
void config_check_keys(struct config_check *c, const cJSON *obj, const struct config_table *t);
void config_read_key(struct config_check *c, const cJSON *obj, const struct config_table *t, const char *name,
		     void *base);
/* Sets base's defaults as if obj were an empty object of type. */
void config_set_defaults(const struct config_table *t, void *base, int type);
/* Frees what reading by table allocated in base, and zeroes it. */
void config_free_table(const struct config_table *t, void *base);
/* The index of the type obj names in t's types, or -1. */
int config_peek_type(const cJSON *obj, const struct config_table *t);
/* Every key of t and of the objects under it, one line each: its path
 * ("slos[].windows[].long", "sources.NAME.url"), what it holds, its
 * default, when it is required, then its doc line (`cmdr config keys`,
 * and so cmdr.1's list). */
void config_key_list(FILE *out, const struct config_table *t);

/* ---- values ------------------------------------------------------------ */

/* Keys beginning with "//" are comments, in any object of a config, so
 * that it can be annotated: they may repeat and hold anything. */
bool config_is_comment(const char *key);
/* True, with a problem, when an earlier key of obj has k's name. */
bool config_duplicate(struct config_check *c, const cJSON *obj, const cJSON *k);
bool config_has(const cJSON *obj, const char *key);
/* obj's value of key (for a key's check, whose path is at it). */
const cJSON *config_value_of(const struct config_key *key, const cJSON *obj);
bool config_key_is(const char *a, const char *b);
/* Calls each(c, k, into) for every key k of obj in file order, with the
 * path at it; comments are skipped, and an empty key ("expected NAME as
 * the key") or a duplicate is a problem instead. */
void config_each_key(struct config_check *c, const cJSON *obj, const char *name,
		     void (*each)(struct config_check *c, const cJSON *k, void *into), void *into);

bool config_want_object(struct config_check *c, const cJSON *v);
bool config_want_array(struct config_check *c, const cJSON *v);
/* An array of names, each one of names[0..n) and at most once, as bits
 * (bit i: names[i]); any other element is a problem (expected: what it
 * should have been). */
unsigned config_want_flags(struct config_check *c, const cJSON *v, const char *const *names, size_t n,
			   const char *expected);
/* A copy of a non-empty string, or NULL with a problem. */
char *config_want_string(struct config_check *c, const cJSON *v, const char *expected);
/* A duration ("90s") of at least min_ms (0: zero allowed; 1: above
 * zero); false, with a problem, otherwise. expected: what any other value
 * is told to be (NULL: "a duration like "10m" ..."). */
bool config_want_duration(struct config_check *c, const cJSON *v, int64_t min_ms, const char *expected,
			  int64_t *out);
bool config_in_range(double x, const struct config_range *r);
/* A copy of an environment variable's name (a secret's _env key), or NULL
 * with a problem. */
char *config_want_env_name(struct config_check *c, const cJSON *v);
/* A copy of an http:// or https:// URL with a host, or NULL with a
 * problem; a URL with a password (user:password@host) is refused like a
 * secret written in the config, without repeating it. */
char *config_want_url(struct config_check *c, const cJSON *v);
/* The index of v's string in names, or -1. */
int config_lookup(const cJSON *v, const char *const *names, int n);
/* The names whose bit is in mask: `"a", "b" or "c"` quoted, or
 * `a, b and c` with last " and ". */
void config_name_list(const char *const *names, int n, unsigned mask, bool quoted, const char *last, char *buf,
		      size_t size);
void config_free_strings(char **list, size_t n);
/* Frees n structs of two strings each (a header's name and value, a
 * deployment and its server, ...) and the array. */
void config_free_pairs(void *pairs, size_t n);

/* ---- the config's sections ------------------------------------------------ */

extern const struct config_table config_root_table;
/* What can only be checked once every section is read: the names one
 * section gives another, and the queries a source's type calls for. */
void config_check_live(struct config_check *c, const struct config *cfg);

#endif
