/* One change per endpoint at a time, across every console and CLI call on
 * an incident: an flock on DIR/locks/ENDPOINT.lock held from the intent to
 * the outcome, with who holds it written inside so that the refusal can
 * name them. The kernel drops the lock when its holder dies. */
#ifndef CMDR_LOCK_H
#define CMDR_LOCK_H
#include <stdbool.h>

#include "error.h"

/* Takes endpoint's lock for holder (e.g. "rollback by alice (pid 4242)");
 * returns the open fd, or -1 with err: "ENDPOINT is being changed: HOLDER"
 * when another process has it. */
int endpoint_lock(const char *dir, const char *endpoint, const char *holder, struct error *err);
/* The refusal's words before the holder, "ENDPOINT is being changed",
 * the name cut to fit: the same whichever store keeps the lock. */
#define ENDPOINT_BUSY_TEXT_MAX 192
void endpoint_lock_busy_text(const char *endpoint, char buf[ENDPOINT_BUSY_TEXT_MAX]);
/* The canary policy acts from one live console at a time, or two consoles
 * would both roll back on one verdict: the first to take DIR/locks/.policy.lock
 * holds it for its life. Same returns; the refusal names the holder. */
int policy_lock(const char *dir, const char *holder, struct error *err);
/* Whether a process holds endpoint's lock now (a change of it is in
 * flight somewhere), looked at without creating anything. */
bool endpoint_lock_busy(const char *dir, const char *endpoint);
/* Releases (closes) a lock; -1 is ignored. */
void endpoint_unlock(int fd);

#endif
