/* Commands run the way the event loop will run them: poll on proc_fds
 * with proc_next_due as the timeout, proc_step every turn. Real processes,
 * so these take real time (the longest, a TERM-proof command, about 1 s),
 * but no check depends on how fast the machine is: what a deadline did is
 * told by the outcome (timed out, ended by a signal), and the only times
 * checked are lower bounds, which a slow machine only makes longer. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "proc.h"
#include "redact.h"

/* Drives p to the end as the event loop would. Gives up (false) only
 * after CHECK_HANG_MS. */
static bool run_loop(struct proc *p)
{
	int64_t start = clock_monotonic_ms();
	for (;;) {
		int64_t now = clock_monotonic_ms();
		if (proc_step(p, now))
			break;
		if (now - start > CHECK_HANG_MS)
			return false;
		int fds[2];
		struct pollfd pfd[2];
		int n = proc_fds(p, fds);
		for (int i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		int64_t due = proc_next_due(p), wait = due - clock_monotonic_ms();
		if (wait < 0)
			wait = 0;
		if (wait > 1000)
			wait = 1000;
		if (poll(pfd, (nfds_t)n, (int)wait) < 0 && errno != EINTR)
			return false;
	}
	return true;
}

/* No child of this test is left unreaped. */
static bool no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

static void test_echo(void)
{
	const char *argv[] = { "echo", "hello", "world", NULL };
	struct error err = { 0 };
	struct proc *p = proc_start(argv, CHECK_HANG_MS, 4096, &err);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(run_loop(p));
	size_t len;
	CHECK_STR(proc_stdout(p, &len), "hello world\n");
	CHECK(len == 12);
	CHECK_STR(proc_stderr(p, &len), "");
	CHECK(len == 0);
	CHECK(proc_exit_status(p) == 0);
	CHECK(!proc_timed_out(p) && !proc_truncated(p));
	int fds[2];
	CHECK(proc_fds(p, fds) == 0);
	CHECK(proc_next_due(p) == INT64_MAX);
	CHECK(proc_step(p, clock_monotonic_ms()));
	proc_free(p);
	CHECK(no_children());
}

static void test_exit_status_and_stderr(void)
{
	const char *argv[] = { "sh", "-c", "echo out; echo 'ERROR: Please run az login' >&2; exit 3", NULL };
	struct error err;
	struct proc *p = proc_start(argv, CHECK_HANG_MS, 4096, &err);
	CHECK(p && run_loop(p));
	if (!p)
		return;
	CHECK(proc_exit_status(p) == 3);
	CHECK_STR(proc_stdout(p, NULL), "out\n");
	CHECK_STR(proc_stderr(p, NULL), "ERROR: Please run az login\n");
	CHECK(!proc_timed_out(p));
	proc_free(p);
	CHECK(no_children());
}

/* stdin is /dev/null: a command that reads it sees EOF, never the
 * terminal. */
static void test_stdin_null(void)
{
	const char *argv[] = { "sh", "-c", "cat; echo done", NULL };
	struct error err;
	struct proc *p = proc_start(argv, CHECK_HANG_MS, 4096, &err);
	CHECK(p && run_loop(p));
	if (!p)
		return;
	CHECK_STR(proc_stdout(p, NULL), "done\n");
	proc_free(p);
}

/* Ended by its deadline's SIGTERM (a signal ended it), and not before
 * the deadline: the time is taken before the start, so it can only be
 * longer than the command's own. */
static void test_hang_times_out(void)
{
	const char *argv[] = { "sleep", "30", NULL };
	struct error err;
	int64_t start = clock_monotonic_ms();
	struct proc *p = proc_start(argv, 200, 4096, &err);
	CHECK(p && run_loop(p));
	if (!p)
		return;
	CHECK(proc_timed_out(p));
	CHECK(proc_exit_status(p) == -1);
	CHECK(clock_monotonic_ms() - start >= 200);
	proc_free(p);
	CHECK(no_children());
}

/* A command that ignores SIGTERM gets SIGKILL, after the grace: its
 * group ignores TERM and never ends by itself, so a signal that ended it
 * was KILL. */
static void test_term_ignored(void)
{
	const char *argv[] = { "sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done", NULL };
	struct error err;
	int64_t start = clock_monotonic_ms();
	struct proc *p = proc_start(argv, 200, 4096, &err);
	CHECK(p && run_loop(p));
	if (!p)
		return;
	CHECK(proc_timed_out(p));
	CHECK(proc_exit_status(p) == -1);
	CHECK_STR(proc_stdout(p, NULL), "ready\n");
	CHECK(clock_monotonic_ms() - start >= 200 + PROC_KILL_GRACE_MS);
	proc_free(p);
	CHECK(no_children());
}

/* The command exits at once but leaves a child holding its stdout: the
 * deadline stops the child (same group), and the exit status stays the
 * command's own. */
static void test_background_child(void)
{
	const char *argv[] = { "sh", "-c", "sleep 30 & echo started", NULL };
	struct error err;
	int64_t start = clock_monotonic_ms();
	struct proc *p = proc_start(argv, 300, 4096, &err);
	CHECK(p && run_loop(p));
	if (!p)
		return;
	CHECK_STR(proc_stdout(p, NULL), "started\n");
	CHECK(proc_exit_status(p) == 0);
	CHECK(proc_timed_out(p)); /* the child's 30 s did not run out */
	CHECK(clock_monotonic_ms() - start >= 300);
	proc_free(p);
	CHECK(no_children());
}

static void test_lots_of_output(void)
{
	/* 4 MB on stdout and 64 KiB on stderr, kept to 1000 bytes each;
	 * the rest is read and dropped so the command never blocks. */
	const char *argv[] = { "sh", "-c", "head -c 65536 /dev/zero >&2; head -c 4000000 /dev/zero | tr '\\0' x",
			       NULL };
	struct error err;
	struct proc *p = proc_start(argv, CHECK_HANG_MS, 1000, &err);
	CHECK(p && run_loop(p));
	if (!p)
		return;
	size_t len, elen;
	const char *out = proc_stdout(p, &len);
	proc_stderr(p, &elen);
	CHECK(len == 1000 && elen == 1000);
	CHECK(out[0] == 'x' && out[999] == 'x' && out[1000] == '\0');
	CHECK(proc_truncated(p));
	CHECK(proc_exit_status(p) == 0 && !proc_timed_out(p));
	proc_free(p);
}

static void test_missing_command(void)
{
	const char *argv[] = { "cmdr-no-such-command", "account", NULL };
	struct error err = { 0 };
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("PATH", "/usr/bin:/bin", 1);
	CHECK(proc_start(argv, 1000, 100, &err) == NULL);
	CHECK_STR(err.msg, "cmdr-no-such-command: command not found (PATH=/usr/bin:/bin)");
	if (old)
		setenv("PATH", old, 1);
	free(old);

	const char *abs[] = { "/nonexistent/az", NULL };
	CHECK(proc_start(abs, 1000, 100, &err) == NULL);
	CHECK_STR(err.msg, "/nonexistent/az: no such file");
	const char *dir[] = { "/tmp", NULL };
	CHECK(proc_start(dir, 1000, 100, &err) == NULL);
	CHECK_STR(err.msg, "/tmp: permission denied (not executable?)");
	const char *empty[] = { NULL };
	CHECK(proc_start(empty, 1000, 100, &err) == NULL);
	CHECK_STR(err.msg, "no command to run");
	CHECK(no_children());
}

/* Freed while still running: killed and reaped on the spot, not waited
 * out (it would write its file once its sleeps ended). */
static void test_free_running(void)
{
	const char *dir = check_tmpdir();
	char script[256], ended[200];
	snprintf(ended, sizeof ended, "%s/ended", dir);
	snprintf(script, sizeof script, "sleep 30 & sleep 30; wait; echo >%s", ended);
	const char *argv[] = { "sh", "-c", script, NULL };
	struct error err;
	int64_t start = clock_monotonic_ms();
	struct proc *p = proc_start(argv, 60000, 100, &err);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(!proc_step(p, clock_monotonic_ms()));
	int fds[2];
	CHECK(proc_fds(p, fds) == 2);
	CHECK(proc_next_due(p) >= start + 60000); /* the deadline, far off */
	proc_free(p);
	CHECK(no_children());
	CHECK(access(ended, F_OK) != 0);
	proc_free(NULL);
}

/* Signals the caller ignores are not the command's business. */
static void test_signal_defaults(void)
{
	signal(SIGPIPE, SIG_IGN);
	const char *argv[] = { "sh", "-c", "yes | head -c 3", NULL };
	struct error err;
	struct proc *p = proc_start(argv, CHECK_HANG_MS, 100, &err);
	CHECK(p && run_loop(p));
	if (!p)
		return;
	CHECK_STR(proc_stdout(p, NULL), "y\ny");
	CHECK_STR(proc_stderr(p, NULL), "");
	proc_free(p);
	signal(SIGPIPE, SIG_DFL);
}

/* A child's environment lacks cmdr's secrets: variables the config names
 * as secret sources, and any whose value is a secret cmdr loaded, unless
 * the command itself names them. */
static void test_secret_env_withheld(void)
{
	setenv("CMDR_TEST_PD_KEY", "routing-key-1", 1);
	setenv("CMDR_TEST_PASSED", "token-for-kubectl", 1);
	setenv("CMDR_TEST_COPY", "s3cr3t-loaded-value", 1);
	setenv("CMDR_TEST_PLAIN", "nothing secret", 1);
	proc_withhold_env("CMDR_TEST_PD_KEY");
	proc_withhold_env("CMDR_TEST_PASSED");
	redact_add_secret("s3cr3t-loaded-value");
	const char *argv[] = { "sh", "-c", "env | grep '^CMDR_TEST_' | sort", NULL };
	const char *pass[] = { "CMDR_TEST_PASSED", NULL };
	struct error err = { 0 };
	struct proc *p = proc_start_env(argv, pass, CHECK_HANG_MS, 4096, &err);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(run_loop(p));
	CHECK_STR(proc_stdout(p, NULL), "CMDR_TEST_PASSED=token-for-kubectl\nCMDR_TEST_PLAIN=nothing secret\n");
	proc_free(p);
	/* Without a pass list, the withheld one goes too. */
	p = proc_start(argv, CHECK_HANG_MS, 4096, &err);
	CHECK(p != NULL && run_loop(p));
	if (p)
		CHECK_STR(proc_stdout(p, NULL), "CMDR_TEST_PLAIN=nothing secret\n");
	proc_free(p);
	CHECK(no_children());
}

int main(void)
{
	RUN(test_echo);
	RUN(test_exit_status_and_stderr);
	RUN(test_stdin_null);
	RUN(test_hang_times_out);
	RUN(test_term_ignored);
	RUN(test_background_child);
	RUN(test_lots_of_output);
	RUN(test_missing_command);
	RUN(test_free_running);
	RUN(test_signal_defaults);
	RUN(test_secret_env_withheld);
	return CHECK_EXIT();
}
