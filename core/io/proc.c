#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "redact.h"
#include "xalloc.h"

/* A stream that floods is read in slices, so one proc_step never holds
 * the event loop for long. */
#define STEP_READ_MAX (1 << 20)
/* Once the pipes are closed, nothing wakes poll when the command exits
 * (no SIGCHLD handling here: it would belong to the whole program), so
 * the caller is asked back this often until it has. */
#define EXIT_POLL_MS 10

struct proc_stream {
	int fd;            /* -1 once at EOF */
	char *buf;         /* NUL-terminated */
	size_t len, cap;
};

struct proc {
	pid_t pid;         /* also the process group */
	struct proc_stream streams[2];
	size_t max_output;
	bool truncated;
	int64_t deadline_ms, kill_at_ms, abandon_at_ms, last_step_ms;
	/* The command has exited but stays a zombie, unreaped, until the
	 * end: its pid then cannot be reused, so signalling its group stays
	 * safe for as long as anything in it may still run. */
	bool exited, reaped;
	bool termed, killed, timed_out, finished;
	int status;
};

static char **withheld; /* NULL-terminated */
static size_t n_withheld, cap_withheld;

/* Whether a NULL-terminated list holds the name of the variable var. */
static bool named(const char *const *names, const char *var, size_t len)
{
	for (size_t i = 0; names && names[i]; i++)
		if (strlen(names[i]) == len && strncmp(names[i], var, len) == 0)
			return true;
	return false;
}

void proc_withhold_env(const char *name)
{
	if (named((const char *const *)withheld, name, strlen(name)))
		return;
	xgrow(&withheld, &cap_withheld, n_withheld + 2, sizeof *withheld);
	withheld[n_withheld++] = xstrdup(name);
	withheld[n_withheld] = NULL;
}

/* The child's environment, built before the fork (the child may only
 * exec): the parent's, less what proc_withhold_env names and what holds a
 * secret, plus what pass names. The strings are the parent's own. */
static char **child_env(const char *const *pass)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = xcalloc(n + 1, sizeof *env);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		bool keep = named(pass, environ[i], len) ||
			    (!named((const char *const *)withheld, environ[i], len) && !(eq && redact_holds_secret(eq + 1)));
		if (keep)
			env[k++] = environ[i];
	}
	return env;
}

static void set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static int start_error(const char *cmd, int e, struct error *err)
{
	if (e == ENOENT && !strchr(cmd, '/')) {
		const char *path = getenv("PATH");
		return error_set(err, "%s: command not found (PATH=%s)", cmd, path ? path : "(unset)");
	}
	if (e == ENOENT)
		return error_set(err, "%s: no such file", cmd);
	if (e == EACCES)
		return error_set(err, "%s: permission denied (not executable?)", cmd);
	return error_set(err, "%s: cannot start: %s", cmd, strerror(e));
}

/* In the child, between fork and exec: only async-signal-safe calls.
 * A failed exec sends its errno up the status pipe. */
static void child(const char *const *argv, char **env, int out, int err_fd, int status)
{
	/* Its own group (a timeout kills what it started too), and signal
	 * state as a fresh program expects, whatever the TUI ignores or
	 * blocks (SIGPIPE, SIGINT). */
	setpgid(0, 0);
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err_fd, 2) < 0) {
		int e = errno;
		ssize_t w = write(status, &e, sizeof e);
		(void)w;
		_exit(127);
	}
	execvpe(argv[0], (char *const *)argv, env);
	int e = errno;
	ssize_t w = write(status, &e, sizeof e);
	(void)w;
	_exit(127);
}

/* fork and exec rather than posix_spawn: glibc's posix_spawnp reports a
 * failed exec, but not under valgrind or every libc, where "command not
 * found" would turn into an exit status 127 to interpret. */
static pid_t spawn(const char *const *argv, const char *const *pass, int out, int err_fd, int *exec_errno)
{
	int status[2];
	if (pipe2(status, O_CLOEXEC) < 0) {
		*exec_errno = errno;
		return -1;
	}
	char **env = child_env(pass);
	pid_t pid = fork();
	if (pid == 0)
		child(argv, env, out, err_fd, status[1]);
	free(env);
	close(status[1]);
	if (pid < 0) {
		*exec_errno = errno;
		close(status[0]);
		return -1;
	}
	/* Set from both sides, so the group exists before either goes on. */
	setpgid(pid, pid);
	int e = 0;
	ssize_t n;
	do
		n = read(status[0], &e, sizeof e);
	while (n < 0 && errno == EINTR);
	close(status[0]);
	if (n == (ssize_t)sizeof e) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		*exec_errno = e;
		return -1;
	}
	return pid;
}

struct proc *proc_start(const char *const *argv, int64_t timeout_ms, size_t max_output,
			struct error *err)
{
	return proc_start_env(argv, NULL, timeout_ms, max_output, err);
}

struct proc *proc_start_env(const char *const *argv, const char *const *pass, int64_t timeout_ms,
			    size_t max_output, struct error *err)
{
	if (!argv || !argv[0] || !argv[0][0]) {
		error_set(err, "no command to run");
		return NULL;
	}
	int out[2], errp[2];
	if (pipe2(out, O_CLOEXEC) < 0) {
		error_set(err, "%s: cannot create a pipe: %s", argv[0], strerror(errno));
		return NULL;
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		error_set(err, "%s: cannot create a pipe: %s", argv[0], strerror(errno));
		close(out[0]);
		close(out[1]);
		return NULL;
	}
	int e = 0;
	pid_t pid = spawn(argv, pass, out[1], errp[1], &e);
	close(out[1]);
	close(errp[1]);
	if (pid < 0) {
		close(out[0]);
		close(errp[0]);
		start_error(argv[0], e, err);
		return NULL;
	}

	struct proc *p = xcalloc(1, sizeof *p);
	p->pid = pid;
	p->max_output = max_output;
	p->streams[0].fd = out[0];
	p->streams[1].fd = errp[0];
	set_nonblocking(out[0]);
	set_nonblocking(errp[0]);
	p->last_step_ms = clock_monotonic_ms();
	p->deadline_ms = timeout_ms > INT64_MAX - p->last_step_ms ? INT64_MAX : p->last_step_ms + timeout_ms;
	p->status = -1;
	return p;
}

int proc_fds(const struct proc *p, int fds[2])
{
	int n = 0;
	for (int i = 0; i < 2; i++)
		if (p->streams[i].fd >= 0)
			fds[n++] = p->streams[i].fd;
	return n;
}

static void close_stream(struct proc_stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void keep(struct proc *p, struct proc_stream *s, const char *data, size_t n)
{
	size_t room = p->max_output - s->len;
	if (n > room) {
		n = room;
		p->truncated = true;
	}
	if (n == 0)
		return;
	xgrow(&s->buf, &s->cap, s->len + n + 1, 1);
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

static void drain(struct proc *p, struct proc_stream *s)
{
	char chunk[65536];
	size_t budget = STEP_READ_MAX;
	while (s->fd >= 0 && budget > 0) {
		ssize_t n = read(s->fd, chunk, sizeof chunk);
		if (n > 0) {
			keep(p, s, chunk, (size_t)n);
			budget -= (size_t)n < budget ? (size_t)n : budget;
		} else if (n == 0) {
			close_stream(s);
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			break;
		} else {
			close_stream(s);
		}
	}
}

/* Notes the exit without reaping (WNOWAIT), so the pid stays reserved. */
static void check_exit(struct proc *p)
{
	siginfo_t si;
	si.si_pid = 0;
	if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
		if (errno == ECHILD) {
			/* SIGCHLD set to SIG_IGN: the kernel reaped it, and the
			 * status is gone. */
			p->exited = p->reaped = true;
			p->status = -1;
		}
		return;
	}
	if (si.si_pid != p->pid)
		return;
	p->exited = true;
	p->status = si.si_code == CLD_EXITED ? si.si_status : -1;
}

static void reap(struct proc *p)
{
	while (!p->reaped) {
		int st;
		if (waitpid(p->pid, &st, 0) >= 0 || errno != EINTR)
			p->reaped = true;
	}
}

bool proc_step(struct proc *p, int64_t now_ms)
{
	if (p->finished)
		return true;
	p->last_step_ms = now_ms;
	for (int i = 0; i < 2; i++)
		drain(p, &p->streams[i]);
	if (!p->exited)
		check_exit(p);
	bool open = p->streams[0].fd >= 0 || p->streams[1].fd >= 0;

	/* The deadline covers the pipes too: a background child that keeps
	 * them open after the command exits is stopped the same way. */
	if (!p->termed && (!p->exited || open) && now_ms >= p->deadline_ms) {
		p->timed_out = p->termed = true;
		kill(-p->pid, SIGTERM);
		p->kill_at_ms = now_ms + PROC_KILL_GRACE_MS;
	}
	if (p->termed && !p->killed && now_ms >= p->kill_at_ms) {
		p->killed = true;
		kill(-p->pid, SIGKILL);
		p->abandon_at_ms = now_ms + PROC_KILL_GRACE_MS;
	}
	if (p->killed && open && now_ms >= p->abandon_at_ms) {
		/* Something that left the group holds the pipes: stop reading. */
		close_stream(&p->streams[0]);
		close_stream(&p->streams[1]);
		open = false;
	}
	if (p->exited && !open) {
		reap(p);
		p->finished = true;
	}
	return p->finished;
}

int64_t proc_next_due(const struct proc *p)
{
	if (p->finished)
		return INT64_MAX;
	bool open = p->streams[0].fd >= 0 || p->streams[1].fd >= 0;
	int64_t due = !p->termed ? p->deadline_ms
		      : !p->killed ? p->kill_at_ms
		      : open	   ? p->abandon_at_ms
				   : INT64_MAX;
	if (!open && p->last_step_ms + EXIT_POLL_MS < due)
		due = p->last_step_ms + EXIT_POLL_MS;
	return due;
}

int proc_exit_status(const struct proc *p)
{
	return p->status;
}

bool proc_timed_out(const struct proc *p)
{
	return p->timed_out;
}

static const char *stream_text(const struct proc_stream *s, size_t *len)
{
	if (len)
		*len = s->len;
	return s->buf ? s->buf : "";
}

const char *proc_stdout(const struct proc *p, size_t *len)
{
	return stream_text(&p->streams[0], len);
}

const char *proc_stderr(const struct proc *p, size_t *len)
{
	return stream_text(&p->streams[1], len);
}

bool proc_truncated(const struct proc *p)
{
	return p->truncated;
}

void proc_free(struct proc *p)
{
	if (!p)
		return;
	if (!p->reaped) {
		/* Unreaped, the pid still names this group, even when the
		 * command itself has exited and only its children remain. */
		kill(-p->pid, SIGKILL);
		reap(p);
	}
	for (int i = 0; i < 2; i++) {
		close_stream(&p->streams[i]);
		free(p->streams[i].buf);
	}
	free(p);
}
