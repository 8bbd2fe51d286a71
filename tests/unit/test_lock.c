/* The per-endpoint change lock (core/io/lock.c): one holder at a time, the
 * refusal names the holder, and a holder that died blocks nobody. */
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "lock.h"

static void second_holder_refused_with_note(void)
{
	const char *dir = check_tmpdir();
	struct error err = { 0 };
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

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	fputs(text, f);
	return fclose(f) == 0;
}

static bool file_is(const char *path, const char *want)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strcmp(buf, want) == 0;
}

static void released_on_unlock(void)
{
	const char *dir = check_tmpdir();
	struct error err = { 0 };
	int first = endpoint_lock(dir, "chat", "rollback by alice (pid 1)", &err);
	CHECK(first >= 0);
	endpoint_unlock(first);
	/* The note is never cut (a lock file pointed elsewhere would lose
	 * its content): the next, shorter note is written over it, and the
	 * refusal reads the first line. */
	char path[256];
	snprintf(path, sizeof path, "%s/locks/chat.lock", dir);
	CHECK(file_is(path, "rollback by alice (pid 1)\n"));
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
	CHECK(write_file(path, "rollback of chat to d-1427 by alice (pid 999999)\n"));
	struct error err = { 0 };
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
	struct error err = { 0 };
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
	struct error err = { 0 };
	int fd = endpoint_lock(dir, "../../etc/passwd", "x", &err);
	CHECK(fd >= 0);
	char path[160];
	snprintf(path, sizeof path, "%s/locks/_._.._etc_passwd.lock", dir);
	CHECK(access(path, F_OK) == 0);
	endpoint_unlock(fd);
}

/* A lock file pointed elsewhere by whoever can write in the directory:
 * refused, and the file it points at is neither truncated nor written. */
static void symlinked_lock_refused(void)
{
	const char *dir = check_tmpdir();
	char path[256], victim[256];
	snprintf(victim, sizeof victim, "%s/victim", dir);
	CHECK(write_file(victim, "precious\n"));
	snprintf(path, sizeof path, "%s/locks", dir);
	CHECK(mkdir(path, 0750) == 0);
	snprintf(path, sizeof path, "%s/locks/.policy.lock", dir);
	CHECK(symlink(victim, path) == 0);
	struct error err = { 0 };
	int fd = policy_lock(dir, "alice's console (pid 1)", &err);
	CHECK(fd == -1);
	CHECK(strstr(err.msg, "locks/.policy.lock: is a symbolic link") != NULL);
	endpoint_unlock(fd);
	CHECK(file_is(victim, "precious\n"));
	/* The locks directory itself pointed elsewhere. */
	const char *other = check_tmpdir();
	snprintf(path, sizeof path, "%s/locks", other);
	CHECK(symlink(dir, path) == 0);
	fd = endpoint_lock(other, "chat", "x", &err);
	CHECK(fd == -1);
	CHECK(strstr(err.msg, "locks: is a symbolic link") != NULL);
}

int main(void)
{
	RUN(second_holder_refused_with_note);
	RUN(released_on_unlock);
	RUN(stale_file_does_not_block);
	RUN(holder_killed_releases);
	RUN(odd_names_stay_in_the_directory);
	RUN(symlinked_lock_refused);
	return CHECK_EXIT();
}
