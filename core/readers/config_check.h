/* Private to the config readers: core/readers/config.c reads the incident,
 * identity and governance sections, core/readers/config_live.c the sources, SLOs,
 * canary gates and endpoints. Both report through the same checker, so
 * every problem has one shape: "FILE: $.json.path: what is wrong". */
#ifndef CMDR_CONFIG_CHECK_H
#define CMDR_CONFIG_CHECK_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "jsonmsg.h"

/* The checker does not stop at a problem: a file with three mistakes
 * should take one edit and one `cmdr config check`, not three rounds. It
 * keeps the JSON path of the value it is reading so that every problem can
 * point at it. */
struct config_check {
	const char *file;
	struct config_problems *problems;
	size_t n_before; /* problems already there: this file added the rest */
	struct jsonmsg_path path;
	const cJSON *root; /* the whole file, for checks across sections */
};

/* A problem that has no JSON path (the file cannot be read or parsed);
 * takes line. */
void config_problems_add(struct config_problems *p, char *line);
void config_problem(struct config_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "expected EXPECTED, got WHAT-v-IS" */
void config_problem_got(struct config_check *c, const cJSON *v, const char *expected);

/* An object's keys and who reads each value, into whatever `into` is for
 * that object. read NULL: known, but read by the caller (keys that only
 * make sense together). A key written "!name" matches name but is left out
 * of the keys an unknown one is told to be: it is known only to be refused
 * with a reason of its own (a secret written into the config). */
struct config_field {
	const char *key;
	void (*read)(struct config_check *c, const cJSON *v, void *into);
};

/* Keys beginning with "//" are comments, in any object, so that a config
 * can be annotated: they may repeat and hold anything. */
bool config_is_comment(const char *key);
/* True, with a problem, when an earlier key of obj has k's name. */
bool config_duplicate(struct config_check *c, const cJSON *obj, const cJSON *k);
/* Walks obj in file order with the path at each key: comments skipped,
 * unknown and duplicate keys are problems, the rest go to their reader. */
void config_read_fields(struct config_check *c, const cJSON *obj, const struct config_field *fields,
			void *into);

bool config_want_object(struct config_check *c, const cJSON *v);
bool config_want_array(struct config_check *c, const cJSON *v);
/* A copy of a non-empty string, or NULL with a problem. */
char *config_want_string(struct config_check *c, const cJSON *v, const char *expected);
void config_want_bool(struct config_check *c, const cJSON *v, bool *out);
/* A duration ("90s") of at least min_ms (0: zero allowed; 1: above
 * zero); false, with a problem, otherwise. */
bool config_want_duration(struct config_check *c, const cJSON *v, int64_t min_ms, int64_t *out);

/* A copy of an environment variable's name (a secret's _env key), or NULL
 * with a problem. */
char *config_want_env_name(struct config_check *c, const cJSON *v);
/* A copy of an http:// or https:// URL with a host, or NULL with a
 * problem; a URL with a password (user:password@host) is refused like a
 * secret written in the config, without repeating it. */
char *config_want_url(struct config_check *c, const cJSON *v);

/* The notify section (core/readers/config_notify.c). */
void config_read_notify(struct config_check *c, const cJSON *v, void *into);
void config_free_notify(struct config *cfg);

/* The sections in core/readers/config_live.c. */
void config_read_sources(struct config_check *c, const cJSON *v, void *into);
void config_read_slos(struct config_check *c, const cJSON *v, void *into);
void config_read_canaries(struct config_check *c, const cJSON *v, void *into);
void config_read_endpoints(struct config_check *c, const cJSON *v, void *into);
/* What can only be checked once every section is read: the names one
 * section gives another, and the queries a source's type calls for. */
void config_check_live(struct config_check *c, const struct config *cfg);
void config_free_live(struct config *cfg);

#endif
