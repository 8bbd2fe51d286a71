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

#include "sanitize.h"
#include "xalloc.h"

/* An endpoint name as a file name: anything but [A-Za-z0-9._-] becomes
 * '_', and a leading '.' too (no "..", no hidden files). */
static char *lock_path(const char *dir, const char *endpoint)
{
	char name[128];
	size_t n = 0;
	for (const char *s = endpoint; *s && n + 1 < sizeof name; s++) {
		char c = *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			  c == '_' || (c == '.' && n > 0);
		name[n++] = ok ? c : '_';
	}
	name[n] = '\0';
	return xasprintf("%s/locks/%s.lock", dir, n ? name : "_");
}

/* Takes the lock at path (in DIR/locks) for holder; busy words the
 * refusal, followed by the holder's note. Frees path. */
static int lock_take(const char *dir, char *path, const char *busy, const char *holder, struct error *err)
{
	char *locks = xasprintf("%s/locks", dir);
	if (mkdir(locks, 0750) != 0 && errno != EEXIST) {
		error_set(err, "%s: cannot create: %s", locks, strerror(errno));
		free(locks);
		free(path);
		return -1;
	}
	free(locks);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		error_set(err, "%s: cannot open: %s", path, strerror(errno));
		free(path);
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
			error_set(err, "%s: cannot lock: %s", path, strerror(e));
		}
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	/* Who holds it, for whoever is refused next. */
	if (ftruncate(fd, 0) == 0) {
		char line[320];
		int len = snprintf(line, sizeof line, "%s\n", holder);
		if (pwrite(fd, line, (size_t)(len < (int)sizeof line ? len : (int)sizeof line - 1), 0) < 0) {
			/* The lock holds without the note; the refusal says so. */
		}
	}
	return fd;
}

int endpoint_lock(const char *dir, const char *endpoint, const char *holder, struct error *err)
{
	char busy[192];
	snprintf(busy, sizeof busy, "%.160s is being changed", endpoint);
	return lock_take(dir, lock_path(dir, endpoint), busy, holder, err);
}

int policy_lock(const char *dir, const char *holder, struct error *err)
{
	/* A leading dot: no endpoint's lock file can have this name. */
	return lock_take(dir, xasprintf("%s/locks/.policy.lock", dir), "the canary policy runs in another console",
			 holder, err);
}

bool endpoint_lock_busy(const char *dir, const char *endpoint)
{
	char *path = lock_path(dir, endpoint);
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
	if (fd < 0)
		return;
	/* The note goes with the lock: a stale name must never be blamed. */
	if (ftruncate(fd, 0) != 0) {
		/* closing releases the lock all the same */
	}
	close(fd);
}
