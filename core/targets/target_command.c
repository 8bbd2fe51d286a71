/* The command target: the config's `apply` and `read` argv templates
 * (core/readers/cmdtemplate.h), run without a shell through core/io/proc.h and
 * watched on the incident's loop, so that a slow kubectl or az never holds
 * the screen. The exit status decides an apply; what the read prints
 * (core/readers/cmdread.h) is the traffic served. Without a read command the
 * target cannot be read (ops->read NULL): its changes end unverified. */
#include "target.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apimsg.h"
#include "clock.h"
#include "cmdread.h"
#include "cmdtemplate.h"
#include "config.h"
#include "loop.h"
#include "proc.h"
#include "redact.h"
#include "sanitize.h"
#include "xalloc.h"

/* Each stream keeps this much; the rest is read and dropped. */
#define COMMAND_MAX_OUTPUT (64 * 1024)
/* The journal keeps this much of a command's output. */
#define COMMAND_DETAIL_MAX 2048

struct target_command;

/* One command in flight: an apply, or a read (the endpoints pane's and a
 * change's verification can overlap). */
struct command_run {
	struct target_command *tc;
	struct proc *proc;
	bool is_apply;
	target_apply_fn apply_done;
	target_read_fn read_done;
	void *arg;
	int fds[2];
	int n_fds;
	uint64_t timer; /* 0: none */
	struct command_run *next;
};

struct target_command {
	struct target base;
	struct loop *loop;
	char **apply, **read;
	size_t n_apply, n_read;
	char **env; /* passed on even when withheld (NULL-terminated) */
	size_t n_env;
	int64_t timeout_ms;
	struct command_run *runs;
};

static void run_step(struct command_run *r);

static void on_fd(void *arg, int fd, short revents)
{
	(void)fd;
	(void)revents;
	run_step(arg);
}

static void on_timer(void *arg)
{
	struct command_run *r = arg;
	r->timer = 0;
	run_step(r);
}

/* Forgets the run's fds and timer. Done right after each proc_step, which
 * may close a pipe: the fd's number must not be unwatched later, once
 * another command may have it. */
static void run_unwatch(struct command_run *r)
{
	for (int i = 0; i < r->n_fds; i++)
		loop_unwatch(r->tc->loop, r->fds[i]);
	r->n_fds = 0;
	if (r->timer)
		loop_cancel(r->tc->loop, r->timer);
	r->timer = 0;
}

static void run_watch(struct command_run *r)
{
	r->n_fds = proc_fds(r->proc, r->fds);
	for (int i = 0; i < r->n_fds; i++)
		loop_watch(r->tc->loop, r->fds[i], POLLIN, on_fd, r);
	int64_t due = proc_next_due(r->proc);
	if (due != INT64_MAX)
		r->timer = loop_timer(r->tc->loop, due, on_timer, r);
}

static void run_unlink(struct command_run *r)
{
	for (struct command_run **p = &r->tc->runs; *p; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			return;
		}
	}
}

/* "10 s", "1.5 s" */
static void seconds(int64_t ms, char *buf, size_t size)
{
	if (ms % 1000 == 0)
		snprintf(buf, size, "%lld s", (long long)(ms / 1000));
	else
		snprintf(buf, size, "%.1f s", (double)ms / 1000);
}

/* The first non-empty line of text, secrets redacted; "" when none. */
static char *first_line(const char *text)
{
	while (*text == '\n' || *text == '\r' || *text == ' ' || *text == '\t')
		text++;
	char *line = xstrndup(text, strcspn(text, "\r\n"));
	char *red = redact_text(line);
	free(line);
	return red;
}

/* What the command printed, for the journal: both streams, secrets
 * redacted, cut to COMMAND_DETAIL_MAX with a mark that says how much
 * more there was, and sanitised. NULL when it printed nothing. */
static char *command_detail(const struct proc *p)
{
	size_t olen, elen;
	const char *out = proc_stdout(p, &olen), *err = proc_stderr(p, &elen);
	while (olen > 0 && (out[olen - 1] == '\n' || out[olen - 1] == '\r'))
		olen--;
	while (elen > 0 && (err[elen - 1] == '\n' || err[elen - 1] == '\r'))
		elen--;
	if (olen == 0 && elen == 0)
		return NULL;
	char *both = xasprintf("%s%.*s%s%s%.*s", olen ? "stdout: " : "", (int)olen, out, olen && elen ? "\n" : "",
			       elen ? "stderr: " : "", (int)elen, err);
	char *red = redact_text(both);
	free(both);
	size_t len = strlen(red), cut = len;
	if (cut > COMMAND_DETAIL_MAX) {
		cut = COMMAND_DETAIL_MAX;
		while (cut > 0 && ((unsigned char)red[cut] & 0xC0) == 0x80)
			cut--;
	}
	char *kept = xstrndup(red, cut);
	free(red);
	/* Sanitising replaces byte for byte: the same size holds it. */
	char *safe = xmalloc(cut + 1);
	/* Newlines kept: the journal stores them escaped. */
	sanitize_lines(kept, cut, safe, cut + 1);
	free(kept);
	char *detail = cut < len || proc_truncated(p)
			       ? xasprintf("%s\xe2\x80\xa6 (%zu bytes more%s)", safe, len - cut,
					   proc_truncated(p) ? ", and more than 64 KiB dropped" : "")
			       : xstrdup(safe);
	free(safe);
	return detail;
}

/* Why a finished command failed, or NULL when it exited 0. */
static char *command_failure(const struct target_command *tc, const struct proc *p, const char *what)
{
	struct error err;
	char limit[32];
	if (proc_timed_out(p)) {
		seconds(tc->timeout_ms, limit, sizeof limit);
		apimsg_error_set(&err, "%s command did not finish within %s; killed", what, limit);
		return xstrdup(err.msg);
	}
	int status = proc_exit_status(p);
	if (status == 0)
		return NULL;
	/* Its own words: stderr's, else stdout's (some tools complain there). */
	char *line = first_line(proc_stderr(p, NULL));
	if (!*line) {
		free(line);
		line = first_line(proc_stdout(p, NULL));
	}
	if (status < 0)
		apimsg_error_set(&err, "%s command was ended by a signal%s%s", what, *line ? ": " : "", line);
	else
		apimsg_error_set(&err, "%s command exited with status %d: %s", what, status,
				 *line ? line : "(no message)");
	free(line);
	return xstrdup(err.msg);
}

static void run_finish(struct command_run *r)
{
	struct target_command *tc = r->tc;
	if (r->is_apply) {
		char *failure = command_failure(tc, r->proc, "apply");
		char *detail = command_detail(r->proc);
		r->apply_done(r->arg, failure, detail);
		free(failure);
		free(detail);
		return;
	}
	char *failure = command_failure(tc, r->proc, "read");
	if (failure) {
		r->read_done(r->arg, failure, NULL);
		free(failure);
		return;
	}
	size_t len;
	const char *out = proc_stdout(r->proc, &len);
	struct target_view v;
	struct error err;
	if (cmdread_parse(out, len, &v, &err) != 0) {
		r->read_done(r->arg, err.msg, NULL);
		return;
	}
	r->read_done(r->arg, NULL, &v);
	target_view_free(&v);
}

static void run_step(struct command_run *r)
{
	bool done = proc_step(r->proc, clock_monotonic_ms());
	run_unwatch(r);
	if (!done) {
		run_watch(r);
		return;
	}
	/* Off the list before the callback, which may start the next
	 * command (a failed apply is read back at once) or free the target
	 * only after returning. */
	run_unlink(r);
	run_finish(r);
	proc_free(r->proc);
	free(r);
}

/* Starts argv; a command that cannot start is reported at once. */
static void run_start(struct target_command *tc, char **argv, struct command_run *r)
{
	struct error err;
	r->tc = tc;
	r->proc = proc_start_env((const char *const *)argv, (const char *const *)tc->env, tc->timeout_ms,
				 COMMAND_MAX_OUTPUT, &err);
	cmdtemplate_free(argv);
	if (!r->proc) {
		struct error why;
		apimsg_error_set(&why, "%s command: %s", r->is_apply ? "apply" : "read", err.msg);
		err = why;
		if (r->is_apply)
			r->apply_done(r->arg, err.msg, NULL);
		else
			r->read_done(r->arg, err.msg, NULL);
		free(r);
		return;
	}
	r->next = tc->runs;
	tc->runs = r;
	run_watch(r);
}

static void command_apply(struct target *t, const char *endpoint, const struct traffic_split *split, int64_t now,
			  target_apply_fn done, void *arg)
{
	(void)now;
	struct target_command *tc = (struct target_command *)t;
	struct error err;
	char **argv = cmdtemplate_expand((const char *const *)tc->apply, tc->n_apply, endpoint, split, &err);
	if (!argv) {
		struct error why;
		apimsg_error_set(&why, "apply command, %s", err.msg);
		done(arg, why.msg, NULL);
		return;
	}
	struct command_run *r = xcalloc(1, sizeof *r);
	*r = (struct command_run){ .is_apply = true, .apply_done = done, .arg = arg };
	run_start(tc, argv, r);
}

static void command_read(struct target *t, const char *endpoint, int64_t now, target_read_fn done, void *arg)
{
	(void)now;
	struct target_command *tc = (struct target_command *)t;
	struct error err;
	char **argv = cmdtemplate_expand((const char *const *)tc->read, tc->n_read, endpoint, NULL, &err);
	if (!argv) {
		struct error why;
		apimsg_error_set(&why, "read command, %s", err.msg);
		done(arg, why.msg, NULL);
		return;
	}
	struct command_run *r = xcalloc(1, sizeof *r);
	*r = (struct command_run){ .read_done = done, .arg = arg };
	run_start(tc, argv, r);
}

static void free_argv(char **argv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
}

/* Abandons whatever runs: the process groups are killed and reaped, and
 * nobody is called back. */
static void command_free(struct target *t)
{
	struct target_command *tc = (struct target_command *)t;
	while (tc->runs) {
		struct command_run *r = tc->runs;
		tc->runs = r->next;
		run_unwatch(r);
		proc_free(r->proc);
		free(r);
	}
	free_argv(tc->apply, tc->n_apply);
	free_argv(tc->read, tc->n_read);
	free_argv(tc->env, tc->n_env);
	free(tc);
}

static const struct target_ops command_ops = {
	.name = "command",
	.apply = command_apply,
	.read = command_read,
	.free = command_free,
};

/* Without a read command nothing can say what the endpoint serves. */
static const struct target_ops command_write_only_ops = {
	.name = "command",
	.apply = command_apply,
	.read = NULL,
	.free = command_free,
};

static char **copy_argv(char *const *argv, size_t n)
{
	char **out = xcalloc(n + 1, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(argv[i]);
	return out;
}

struct target *target_command_new(const struct config_target *cfg, const char *endpoint, struct loop *loop,
				  struct error *err)
{
	size_t bad;
	struct error why;
	if (!cfg->n_apply)
		return error_set(err, "%s: the command target has no apply command", endpoint), NULL;
	if (cmdtemplate_check((const char *const *)cfg->apply, cfg->n_apply, true, &bad, &why) != 0)
		return error_set(err, "%s: apply argument %zu: %s", endpoint, bad, why.msg), NULL;
	if (cmdtemplate_check((const char *const *)cfg->read, cfg->n_read, false, &bad, &why) != 0)
		return error_set(err, "%s: read argument %zu: %s", endpoint, bad, why.msg), NULL;
	struct target_command *tc = xcalloc(1, sizeof *tc);
	tc->base.ops = cfg->n_read ? &command_ops : &command_write_only_ops;
	tc->loop = loop;
	tc->apply = copy_argv(cfg->apply, cfg->n_apply);
	tc->n_apply = cfg->n_apply;
	tc->read = copy_argv(cfg->read, cfg->n_read);
	tc->n_read = cfg->n_read;
	tc->env = copy_argv(cfg->env, cfg->n_env);
	tc->n_env = cfg->n_env;
	tc->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 10000;
	return &tc->base;
}
