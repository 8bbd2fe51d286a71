/* The per-endpoint change lock (core/lock.c): one holder at a time, the
 * refusal names the holder, and a holder that died blocks nobody. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "lock.h"

static void second_holder_refused_with_note(void)
{
	const char *dir = check_tmpdir();
	struct error err = { "" };
	int first = endpoint_lock(dir, "chat", "rollback of chat to d-1427 by alice (pid 4242)", &err);
	CHECK(first >= 0);
	int second = endpoint_lock(dir, "chat", "rollback of chat to d-1427 by bob (pid 4343)", &err);
	CHECK(second == -1);
	CHECK_STR(err.msg, "chat is being changed: rollback of chat to d-1427 by alice (pid 4242)");
	/* Another endpoint's lock is its own. */
	int other = endpoint_lock(dir, "search", "promote of search by bob (pid 4343)", &err);
	CHECK(other >= 0);
	endpoint_unlock(other);
	endpoint_unlock(first);
}

static void released_on_unlock(void)
{
	const char *dir = check_tmpdir();
	struct error err = { "" };
	int first = endpoint_lock(dir, "chat", "rollback by alice (pid 1)", &err);
	CHECK(first >= 0);
	endpoint_unlock(first);
	int again = endpoint_lock(dir, "chat", "rollback by bob (pid 2)", &err);
	CHECK(again >= 0);
	/* The refusal now names the new holder, never the old one. */
	int third = endpoint_lock(dir, "chat", "rollback by carol (pid 3)", &err);
	CHECK(third == -1);
	CHECK_STR(err.msg, "chat is being changed: rollback by bob (pid 2)");
	endpoint_unlock(again);
	endpoint_unlock(-1); /* ignored */
}

static void stale_file_does_not_block(void)
{
	const char *dir = check_tmpdir();
	char path[128];
	snprintf(path, sizeof path, "%s/locks", dir);
	CHECK(mkdir(path, 0750) == 0);
	/* A note left behind by a holder that died: the file, no flock. */
	snprintf(path, sizeof path, "%s/locks/chat.lock", dir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("rollback of chat to d-1427 by alice (pid 999999)\n", f);
		fclose(f);
	}
	struct error err = { "" };
	int fd = endpoint_lock(dir, "chat", "rollback by bob (pid 2)", &err);
	CHECK(fd >= 0);
	if (fd < 0)
		printf("#   %s\n", err.msg);
	endpoint_unlock(fd);
}

static void holder_killed_releases(void)
{
	const char *dir = check_tmpdir();
	int ready[2];
	CHECK(pipe(ready) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct error cerr;
		int fd = endpoint_lock(dir, "chat", "rollback by alice (pid child)", &cerr);
		ssize_t w = write(ready[1], fd >= 0 ? "y" : "n", 1);
		(void)w;
		pause();
		_exit(0);
	}
	close(ready[1]);
	char got = 0;
	CHECK(read(ready[0], &got, 1) == 1 && got == 'y');
	close(ready[0]);
	struct error err = { "" };
	int fd = endpoint_lock(dir, "chat", "rollback by bob (pid 2)", &err);
	CHECK(fd == -1);
	CHECK_STR(err.msg, "chat is being changed: rollback by alice (pid child)");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* The kernel dropped the dead holder's lock. */
	fd = endpoint_lock(dir, "chat", "rollback by bob (pid 2)", &err);
	CHECK(fd >= 0);
	endpoint_unlock(fd);
}

static void odd_names_stay_in_the_directory(void)
{
	const char *dir = check_tmpdir();
	struct error err = { "" };
	int fd = endpoint_lock(dir, "../../etc/passwd", "x", &err);
	CHECK(fd >= 0);
	char path[160];
	snprintf(path, sizeof path, "%s/locks/_._.._etc_passwd.lock", dir);
	CHECK(access(path, F_OK) == 0);
	endpoint_unlock(fd);
}

int main(void)
{
	RUN(second_holder_refused_with_note);
	RUN(released_on_unlock);
	RUN(stale_file_does_not_block);
	RUN(holder_killed_releases);
	RUN(odd_names_stay_in_the_directory);
	return CHECK_EXIT();
}
