/* The file store (core/journal/journal_store.h): DIR/journal.jsonl, appended
 * under an exclusive flock and fsynced, safe across processes; a torn
 * tail is kept in a side file before it is cut off. */
#include "journal.h"
#include "journal_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "incdir.h"
#include "xalloc.h"

struct file_state {
	int fd;
	int dfd; /* the incident directory (side files go there); -1 by path */
	dev_t dev; /* the file opened, to notice it moved or replaced */
	ino_t ino;
};

static struct file_state *state(const struct journal *j)
{
	return j->store_state;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copies len bytes of the journal from j->offset to fd, in pieces: a torn
 * tail can be any size. NULL, or why not. */
static const char *torn_copy(struct journal *j, int fd, size_t len)
{
	char *buf = xmalloc(65536);
	const char *why = NULL;
	for (size_t done = 0; !why && done < len;) {
		size_t want = len - done < 65536 ? len - done : 65536;
		ssize_t got = pread(state(j)->fd, buf, want, j->offset + (off_t)done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			why = got < 0 ? strerror(errno) : "the journal shrank while it was copied";
		else if (write_all(fd, buf, (size_t)got) != 0)
			why = strerror(errno);
		else
			done += (size_t)got;
	}
	free(buf);
	if (!why && fsync(fd) != 0)
		why = strerror(errno);
	return why;
}

/* Whether side file name (in the incident directory) holds exactly the
 * len bytes of the torn tail: a repair that stopped after keeping them. */
static bool torn_kept_in(struct journal *j, const char *name, size_t len)
{
	struct error ignored;
	int fd = incdir_file(state(j)->dfd, j->dir, name, O_RDONLY, &ignored);
	if (fd < 0)
		return false;
	struct stat st;
	bool same = fstat(fd, &st) == 0 && (uint64_t)st.st_size == len;
	char a[4096], b[4096];
	for (size_t done = 0; same && done < len;) {
		size_t want = len - done < sizeof a ? len - done : sizeof a;
		ssize_t x = pread(fd, a, want, (off_t)done), y = pread(state(j)->fd, b, want, j->offset + (off_t)done);
		same = x == (ssize_t)want && y == (ssize_t)want && memcmp(a, b, want) == 0;
		done += want;
	}
	close(fd);
	return same;
}

/* Keeps the torn tail in a side file, atomically: written whole under a
 * temporary name, fsynced, then linked to its final name (never over an
 * existing one) and the directory fsynced. A failure leaves nothing
 * behind, and what an earlier, interrupted repair left (a temporary
 * file, an empty or partial side file) neither blocks nor is lost. *name
 * gets the side file's name in the directory. */
static int torn_keep(struct journal *j, size_t len, char **name, struct error *err)
{
	char *tmp = xasprintf("journal.torn-%lld.tmp", (long long)j->offset);
	/* A temporary file can only be a failed repair's: we hold the lock. */
	unlinkat(state(j)->dfd, tmp, 0);
	int fd = incdir_file(state(j)->dfd, j->dir, tmp, O_WRONLY | O_CREAT | O_EXCL, err);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	const char *why = torn_copy(j, fd, len);
	close(fd);
	*name = NULL;
	for (int n = 0; !why && !*name && n < 100; n++) {
		char *final = n ? xasprintf("journal.torn-%lld.%d", (long long)j->offset, n)
				: xasprintf("journal.torn-%lld", (long long)j->offset);
		if (linkat(state(j)->dfd, tmp, state(j)->dfd, final, 0) == 0 || (errno == EEXIST && torn_kept_in(j, final, len)))
			*name = final;
		else if (errno != EEXIST)
			why = strerror(errno);
		if (!*name)
			free(final);
	}
	if (!why && !*name)
		why = "100 side files of that offset exist already";
	unlinkat(state(j)->dfd, tmp, 0);
	if (!why && fsync(state(j)->dfd) != 0)
		why = strerror(errno);
	if (why) {
		error_set(err, "%s/%s: cannot keep the torn tail: %s; the journal is left as it is", j->dir,
			  *name ? *name : tmp, why);
		free(*name);
		*name = NULL;
	}
	free(tmp);
	return why ? -1 : 0;
}

/* Why this user cannot write the journal at all (a read-only mount, a
 * team directory whose group may only read), or 0: the journal when it
 * exists, else the directory that would hold it. */
static int journal_unwritable(const char *dir)
{
	char *path = xasprintf("%s/journal.jsonl", dir);
	int e = 0;
	if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0 &&
	    (errno != ENOENT || faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) != 0))
		e = errno;
	free(path);
	return e == EACCES || e == EROFS || e == EPERM ? e : 0;
}

static void file_close(struct journal *j)
{
	struct file_state *f = state(j);
	if (f->fd >= 0)
		close(f->fd);
	if (f->dfd >= 0)
		close(f->dfd);
	free(f);
	j->store_state = NULL;
}

/* A console outlives directory moves: `mv inc inc.old; mkdir inc` must
 * not leave it writing to inc.old while everyone else writes to inc. Only
 * a journal opened by directory can be replaced under it. */
static int file_check(struct journal *j, char *why, size_t size)
{
	struct stat st;
	if (state(j)->dfd < 0 ||
	    (fstatat(AT_FDCWD, j->path, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == state(j)->dev &&
	     st.st_ino == state(j)->ino))
		return 0;
	snprintf(why, size, "%s is no longer the journal this console opened (moved or replaced)", j->path);
	return -1;
}

static off_t file_size(struct journal *j)
{
	struct stat st;
	return fstat(state(j)->fd, &st) == 0 ? st.st_size : -1;
}

static ssize_t file_read(struct journal *j, off_t offset, void *buf, size_t len, struct error *err)
{
	for (;;) {
		ssize_t got = pread(state(j)->fd, buf, len, offset);
		if (got >= 0)
			return got;
		if (errno != EINTR)
			return error_set(err, "%s: cannot read journal: %s", j->path, strerror(errno));
	}
}

/* The writers' lock, waited for through signals (a terminal resized while
 * another console writes must not lose an entry). */
static int file_lock(struct journal *j, struct error *err)
{
	while (flock(state(j)->fd, LOCK_EX) != 0)
		if (errno != EINTR)
			return error_set(err, "%s: cannot lock journal: %s", j->path, strerror(errno));
	return 0;
}

static void file_unlock(struct journal *j)
{
	flock(state(j)->fd, LOCK_UN);
}

static int file_write(struct journal *j, const char *bytes, size_t len, struct error *err)
{
	int fd = state(j)->fd;
	if (write_all(fd, bytes, len) == 0 && fsync(fd) == 0)
		return 0;
	int e = errno;
	/* Take back whatever part of the line reached the file, so the
	 * journal never keeps a half-written entry; we hold the lock. */
	if (ftruncate(fd, j->offset) != 0) {
		/* The torn tail is detected on the next open. */
	}
	return error_set(err, "%s: cannot append to journal: %s", j->path, strerror(e));
}

static int file_set_aside(struct journal *j, size_t len, char **side, struct error *err)
{
	char *name;
	if (torn_keep(j, len, &name, err) != 0)
		return -1;
	char *path = xasprintf("%s/%s", j->dir, name);
	free(name);
	/* Only once the bytes are safe elsewhere does the journal lose them. */
	if (ftruncate(state(j)->fd, j->offset) != 0 || fsync(state(j)->fd) != 0) {
		error_set(err, "%s: cannot truncate the torn tail: %s (a copy is in %s)", j->path, strerror(errno),
			  path);
		free(path);
		return -1;
	}
	*side = path;
	return 0;
}

/* The checkpoint: DIR/journal.checkpoint-UID, one per user, mode 0600.
 * Read only when this user owns it, nobody else may write it and it has
 * one link: another member of a team directory can remove or swap it, but
 * not write one this user will trust. Never through a link, never a FIFO
 * or a device; written under a name of this process's, then renamed over
 * it, so a reader sees the old one or the new one whole. */
#define CHECKPOINT_MAX (16u << 20)

static char *checkpoint_name(const char *suffix)
{
	return xasprintf("journal.checkpoint-%lu%s", (unsigned long)geteuid(), suffix);
}

char *checkpoint_file_read(int dfd, const char *name, size_t *len)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *bytes = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 022) &&
	    st.st_nlink == 1 && st.st_size > 0 && (uint64_t)st.st_size <= CHECKPOINT_MAX) {
		size_t size = (size_t)st.st_size, done = 0;
		bytes = xmalloc(size);
		while (done < size) {
			ssize_t got = pread(fd, bytes + done, size - done, (off_t)done);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				break;
			done += (size_t)got;
		}
		if (done != size) {
			free(bytes);
			bytes = NULL;
		}
		*len = size;
	}
	close(fd);
	return bytes;
}

void checkpoint_file_write(int dfd, const char *name, const char *bytes, size_t len)
{
	char *tmp = xasprintf("%s.%ld.tmp", name, (long)getpid());
	/* The name is this process's: what is there is a dead one's. */
	unlinkat(dfd, tmp, 0);
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	bool kept = fd >= 0 && write_all(fd, bytes, len) == 0;
	if (fd >= 0)
		close(fd);
	if (fd >= 0 && !(kept && renameat(dfd, tmp, dfd, name) == 0))
		unlinkat(dfd, tmp, 0);
	free(tmp);
}

static char *file_checkpoint_read(struct journal *j, size_t *len)
{
	if (state(j)->dfd < 0)
		return NULL;
	char *name = checkpoint_name("");
	char *bytes = checkpoint_file_read(state(j)->dfd, name, len);
	free(name);
	return bytes;
}

static void file_checkpoint_write(struct journal *j, const char *bytes, size_t len)
{
	if (state(j)->dfd < 0)
		return;
	char *name = checkpoint_name("");
	checkpoint_file_write(state(j)->dfd, name, bytes, len);
	free(name);
}

static const struct journal_store_ops file_ops = {
	.name = "file",
	.close = file_close,
	.check = file_check,
	.size = file_size,
	.read = file_read,
	.lock = file_lock,
	.unlock = file_unlock,
	.write = file_write,
	.set_aside = file_set_aside,
	.checkpoint_read = file_checkpoint_read,
	.checkpoint_write = file_checkpoint_write,
};

static struct file_state *file_attach(struct journal *j)
{
	struct file_state *f = xcalloc(1, sizeof *f);
	f->fd = -1;
	f->dfd = -1;
	j->store = &file_ops;
	j->store_state = f;
	return f;
}

/* fstat of the file opened: who it is, to notice a replacement. */
static int file_identify(struct journal *j, struct error *err)
{
	struct file_state *f = state(j);
	struct stat st;
	if (fstat(f->fd, &st) != 0)
		return error_set(err, "%s: %s", j->path, strerror(errno));
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return 0;
}

int journal_file_open(struct journal *j, const char *dir, bool writing, struct error *err)
{
	int why = writing ? journal_unwritable(dir) : 0;
	writing = writing && why == 0;
	struct file_state *f = file_attach(j);
	f->dfd = incdir_open(dir, writing, err);
	if (f->dfd < 0)
		return -1;
	j->dir = xstrdup(dir);
	j->path = xasprintf("%s/journal.jsonl", dir);
	j->readonly = !writing;
	j->readonly_errno = why;
	f->fd = incdir_file(f->dfd, dir, "journal.jsonl", writing ? O_RDWR | O_APPEND | O_CREAT : O_RDONLY, err);
	if (f->fd < 0)
		return -1;
	return file_identify(j, err);
}

int journal_file_open_path(struct journal *j, const char *path, struct error *err)
{
	struct file_state *f = file_attach(j);
	j->readonly = true;
	j->path = xstrdup(path);
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return error_set(err, "%s: cannot open: %s", path, strerror(errno));
	return file_identify(j, err);
}
