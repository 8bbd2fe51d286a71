#include "lock.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "incdir.h"
#include "sanitize.h"
#include "xalloc.h"

/* An endpoint name as a file name: anything but [A-Za-z0-9._-] becomes
 * '_', and a leading '.' too (no "..", no hidden files). */
static void lock_name(const char *endpoint, char name[136])
{
	size_t n = 0;
	for (const char *s = endpoint; *s && n + 1 < 128; s++) {
		char c = *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			  c == '_' || (c == '.' && n > 0);
		name[n++] = ok ? c : '_';
	}
	if (!n)
		name[n++] = '_';
	memcpy(name + n, ".lock", 6);
}

/* Takes the lock DIR/locks/name for holder; busy words the refusal,
 * followed by the holder's note. The lock file is opened as every file in
 * the incident directory is (core/io/incdir.h: no links followed) and never
 * truncated: the note is written at its start, and a reader takes its
 * first line, so a shorter note over a longer one reads right. */
static int lock_take(const char *dir, const char *name, const char *busy, const char *holder, struct error *err)
{
	int dfd = incdir_open(dir, true, err);
	if (dfd < 0)
		return -1;
	char *locks = xasprintf("%s/locks", dir);
	int ldfd = incdir_subdir(dfd, dir, "locks", true, err);
	close(dfd);
	int fd = ldfd < 0 ? -1 : incdir_file(ldfd, locks, name, O_RDWR | O_CREAT, err);
	if (ldfd >= 0)
		close(ldfd);
	if (fd < 0) {
		free(locks);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		if (e == EWOULDBLOCK) {
			char who[256] = "";
			ssize_t n = pread(fd, who, sizeof who - 1, 0);
			who[n > 0 ? n : 0] = '\0';
			who[strcspn(who, "\n")] = '\0';
			char safe[256];
			sanitize_text(who, safe, sizeof safe);
			error_set(err, "%s: %s", busy, *safe ? safe : "(holder unknown)");
		} else {
			error_set(err, "%s/%s: cannot lock: %s", locks, name, strerror(e));
		}
		close(fd);
		free(locks);
		return -1;
	}
	free(locks);
	/* Who holds it, for whoever is refused next. */
	char line[320];
	int len = snprintf(line, sizeof line, "%s\n", holder);
	if (pwrite(fd, line, (size_t)(len < (int)sizeof line ? len : (int)sizeof line - 1), 0) < 0) {
		/* The lock holds without the note; the refusal says so. */
	}
	return fd;
}

void endpoint_lock_busy_text(const char *endpoint, char buf[ENDPOINT_BUSY_TEXT_MAX])
{
	snprintf(buf, ENDPOINT_BUSY_TEXT_MAX, "%.160s is being changed", endpoint);
}

int endpoint_lock(const char *dir, const char *endpoint, const char *holder, struct error *err)
{
	char busy[ENDPOINT_BUSY_TEXT_MAX];
	endpoint_lock_busy_text(endpoint, busy);
	char name[136];
	lock_name(endpoint, name);
	return lock_take(dir, name, busy, holder, err);
}

int policy_lock(const char *dir, const char *holder, struct error *err)
{
	/* A leading dot: no endpoint's lock file can have this name. */
	return lock_take(dir, ".policy.lock", "the canary policy runs in another console", holder, err);
}

bool endpoint_lock_busy(const char *dir, const char *endpoint)
{
	char name[136];
	lock_name(endpoint, name);
	char *path = xasprintf("%s/locks/%s", dir, name);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return false;
	bool busy = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

void endpoint_unlock(int fd)
{
	/* The note stays: it is only read while the lock is held, and then it
	 * is the holder's own. */
	if (fd >= 0)
		close(fd);
}
