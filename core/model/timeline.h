/* The journal as a person reads it: one line per entry with the time, who,
 * what, why and the outcome, for the console's timeline pane and the
 * postmortem. Keeps the latest TIMELINE_MAX entries (a long incident's
 * journal need not fit in memory); a pattern picks lines. */
#ifndef CMDR_TIMELINE_H
#define CMDR_TIMELINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"

#define TIMELINE_MAX 4096

struct timeline_entry {
	uint64_t seq;
	int64_t at_ms;
	char *who;    /* the person (or "policy"), sanitised */
	char *role;
	char *action;
	char *what;   /* "rollback support-assistant-prod: verified (d-1427=100 d-1428=0)" */
	char *why;    /* the reason, or NULL */
	bool failed;  /* refused, failed, unverified, expired */
};

struct timeline {
	struct timeline_entry *ring;
	size_t cap;        /* entries kept at most */
	size_t n;          /* entries kept */
	size_t head;       /* index of the oldest kept */
	uint64_t total;    /* entries ever added */
};

void timeline_init(struct timeline *t, size_t cap);
void timeline_free(struct timeline *t);
/* Adds a journal entry; at is its parsed time. */
void timeline_add(struct timeline *t, const cJSON *entry, int64_t at);
/* Puts n entries from before the first one kept, oldest first, in
 * front of those kept (taking them), keeping the latest cap of all;
 * total is left alone. */
void timeline_add_older(struct timeline *t, struct timeline_entry *older, size_t n);
/* One entry from a journal line, without a timeline (the postmortem's);
 * free with timeline_entry_free. */
void timeline_entry_set(struct timeline_entry *e, const cJSON *entry, int64_t at);
void timeline_entry_free(struct timeline_entry *e);
/* The i-th kept entry, oldest first. */
const struct timeline_entry *timeline_at(const struct timeline *t, size_t i);

/* The kept entry with journal seq, or NULL. */
const struct timeline_entry *timeline_find(const struct timeline *t, uint64_t seq);

/* What an entry says, as one line without the time and who (caller frees). */
char *timeline_describe(const cJSON *entry);

struct pattern;
/* e passes the console's filter (core/model/pattern.h) when its who, what,
 * why or role matches; every entry passes a NULL one. */
bool timeline_filter_match(const struct pattern *f, const struct timeline_entry *e);

#endif
