/* How fresh a reading is (core/model/datastate.c): every figure a feed brings
 * carries one, so that nothing old is shown or acted on as current. */
#ifndef CMDR_DATASTATE_H
#define CMDR_DATASTATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where live data stands: for which moment it was last read, and what went
 * wrong since. Data older than twice the refresh interval is stale, and is
 * never shown or acted on as if it were current. */
struct data_state {
	bool live;          /* read from a source (false: a drill's scenario) */
	int64_t at_ms;      /* the moment the data shown is for; 0: none yet */
	int64_t refresh_ms;
	char error[512];    /* the last failure, sanitised; "" after a success */
	int64_t error_ms;   /* when it failed */
	bool idle;          /* nothing more is due (a canary out of traffic): never stale */
};

bool data_stale(const struct data_state *d, int64_t now);
/* The rule data_stale applies: a reading meant to be taken every every_ms
 * is too old at now when it is more than twice that old, or missing. */
bool data_too_old(int64_t at_ms, int64_t every_ms, int64_t now);
/* "12s", "3m05s" or "-" when there is no data yet */
void data_age(const struct data_state *d, int64_t now, char *buf, size_t size);

#endif
