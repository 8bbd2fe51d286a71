/* Runs a command (`az account get-access-token`, a traffic target's
 * kubectl) without blocking the single-threaded event loop: the caller
 * polls the fds this gives, calls proc_step on every turn, and reads the
 * output once it is finished. No shell, no stdin, a process group of its
 * own so that a timeout kills whatever the command started too. */
#ifndef CMDR_PROC_H
#define CMDR_PROC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* After a timeout's SIGTERM, how long the group has before SIGKILL. */
#define PROC_KILL_GRACE_MS 1000

struct proc;

/* Starts argv[0] (looked up in PATH unless it holds a '/') with argv, the
 * environment less cmdr's secrets (proc_withhold_env), stdin from /dev/null and stdout and stderr to pipes. Each stream keeps
 * at most max_output bytes (the rest is read and dropped). After
 * timeout_ms (from now, monotonic) the group gets SIGTERM, then SIGKILL.
 * NULL with a message in err when it cannot be started, e.g.
 * "az: command not found (PATH=/usr/bin:/bin)". */
struct proc *proc_start(const char *const *argv, int64_t timeout_ms, size_t max_output,
			struct error *err);

/* Children never inherit cmdr's secrets: a variable named here (the
 * config's *_env keys name them) or whose value holds a registered secret
 * (redact_add_secret) is left out of every child's environment, unless
 * the command's own pass list names it. */
void proc_withhold_env(const char *name);
/* As proc_start, passing on the variables named in pass (NULL-terminated;
 * NULL: none) even when they are withheld. */
struct proc *proc_start_env(const char *const *argv, const char *const *pass, int64_t timeout_ms,
			    size_t max_output, struct error *err);

/* The pipe fds still open (0, 1 or 2 of them) in fds[], for poll(POLLIN). */
int proc_fds(const struct proc *p, int fds[2]);

/* Reads what is there without blocking, signals on the deadlines, reaps
 * without waiting. True once finished: the command has exited (or was
 * killed) and both pipes are at EOF. now_ms is clock_monotonic_ms(). */
bool proc_step(struct proc *p, int64_t now_ms);

/* Monotonic ms by which proc_step should be called again even if no fd is
 * ready (a deadline, or a short wait for the exit once the pipes have
 * closed); INT64_MAX once finished. */
int64_t proc_next_due(const struct proc *p);

/* Once finished: the exit code, or -1 if a signal ended it. */
int proc_exit_status(const struct proc *p);
/* The deadline passed before it finished (it was then killed, or its
 * output was cut off because something outside its group held the
 * pipes). */
bool proc_timed_out(const struct proc *p);
/* What the command wrote, NUL-terminated, *len bytes (len may be NULL). */
const char *proc_stdout(const struct proc *p, size_t *len);
const char *proc_stderr(const struct proc *p, size_t *len);
/* Either stream wrote more than max_output bytes. */
bool proc_truncated(const struct proc *p);

/* Kills the group if it still runs and reaps the command: never a zombie.
 * p may be NULL. */
void proc_free(struct proc *p);

#endif
