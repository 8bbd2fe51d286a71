#include "incdir.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

static bool in_group(gid_t gid)
{
	if (getegid() == gid)
		return true;
	gid_t groups[256];
	int n = getgroups(256, groups);
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* A team directory: its group may write, so its members may too. */
static bool team_dir(const struct stat *st)
{
	return (st->st_mode & S_IWGRP) != 0;
}

/* Whether someone the caller does not trust could replace what is in the
 * directory (see the header); path names it in the message. */
static int dir_trusted(const struct stat *st, const char *path, struct error *err)
{
	if (!S_ISDIR(st->st_mode))
		return error_set(err, "%s: is not a directory", path);
	if ((st->st_mode & S_IWOTH) && !(st->st_mode & S_ISVTX))
		return error_set(err,
				 "%s: incident directory is writable by others (mode %04o) without the sticky bit: anyone could replace the journal; chmod o-w %s",
				 path, (unsigned)(st->st_mode & 07777), path);
	if (st->st_uid != geteuid() && st->st_uid != 0 && !(team_dir(st) && in_group(st->st_gid)))
		return error_set(err,
				 "%s: incident directory is owned by uid %u, not by you or root, nor group-writable by a group of yours: its owner could replace the journal; use a directory of your own or a team directory (README: sharing an incident)",
				 path, (unsigned)st->st_uid);
	return 0;
}

/* A new directory in parent: a team directory's children stay open to the
 * team (and keep its setgid bit), whatever the umask. */
static mode_t subdir_mode(const struct stat *parent)
{
	return (team_dir(parent) ? 0770 : 0750) | (parent->st_mode & S_ISGID);
}

static int dir_checked(int fd, const char *path, bool writing, struct error *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		error_set(err, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (writing ? dir_trusted(&st, path, err) != 0
		  : !S_ISDIR(st.st_mode) && error_set(err, "%s: is not a directory", path)) {
		close(fd);
		return -1;
	}
	return fd;
}

int incdir_open(const char *dir, bool writing, struct error *err)
{
	if (writing) {
		char *copy = xstrdup(dir);
		struct stat parent;
		mode_t mode = stat(dirname(copy), &parent) == 0 ? subdir_mode(&parent) : 0750;
		free(copy);
		if (mkdir(dir, mode) == 0) {
			/* The umask may have taken the group's write bit. */
			if (chmod(dir, mode) != 0) {
				/* Checked below all the same. */
			}
		} else if (errno != EEXIST) {
			return error_set(err, "%s: cannot create incident directory: %s", dir, strerror(errno));
		}
	}
	/* The directory named by the user is theirs to name, through a link
	 * or not; what is inside it is what others might swap. */
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, "%s: cannot open incident directory: %s", dir, strerror(errno));
	return dir_checked(fd, dir, writing, err);
}

/* The message for a link met where a file or directory was wanted. */
static int link_refused(const char *dir, const char *name, struct error *err)
{
	return error_set(err,
			 "%s/%s: is a symbolic link; cmdr follows no link inside an incident directory (remove it)",
			 dir, name);
}

int incdir_subdir(int dfd, const char *dir, const char *name, bool writing, struct error *err)
{
	struct stat parent;
	if (writing && fstat(dfd, &parent) == 0) {
		mode_t mode = subdir_mode(&parent);
		if (mkdirat(dfd, name, mode) == 0) {
			int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0 && fchmod(fd, mode) != 0) {
				/* Checked below all the same. */
			}
			if (fd >= 0)
				close(fd);
		} else if (errno != EEXIST) {
			return error_set(err, "%s/%s: cannot create: %s", dir, name, strerror(errno));
		}
	}
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
		struct stat st;
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			return link_refused(dir, name, err);
		return error_set(err, "%s/%s: is not a directory (remove it)", dir, name);
	}
	if (fd < 0)
		return error_set(err, "%s/%s: cannot open: %s", dir, name, strerror(errno));
	char *path = xasprintf("%s/%s", dir, name);
	fd = dir_checked(fd, path, writing, err);
	free(path);
	return fd;
}

/* One setting for the process: what the config asks of every file it
 * creates, checked when the config was read. */
static mode_t configured_mode;

void incdir_set_file_mode(mode_t mode)
{
	configured_mode = mode;
}

mode_t incdir_file_mode(int dfd)
{
	struct stat st;
	if (configured_mode)
		return configured_mode;
	return fstat(dfd, &st) == 0 && team_dir(&st) ? 0660 : 0640;
}

/* A file to write must be one nobody untrusted could have put there. */
static int file_trusted(int dfd, const struct stat *st, const char *dir, const char *name, struct error *err)
{
	struct stat d;
	if (fstat(dfd, &d) != 0)
		return error_set(err, "%s: %s", dir, strerror(errno));
	if (st->st_nlink > 1)
		return error_set(err,
				 "%s/%s: has %lu hard links: another of its names could be someone else's file; refusing to write it (copy it in its place)",
				 dir, name, (unsigned long)st->st_nlink);
	if (st->st_uid != geteuid() && st->st_uid != d.st_uid && !(team_dir(&d) && st->st_gid == d.st_gid))
		return error_set(err,
				 "%s/%s: is owned by uid %u, neither you nor the directory's owner, and not in the team directory's group: refusing to write it",
				 dir, name, (unsigned)st->st_uid);
	return 0;
}

int incdir_file(int dfd, const char *dir, const char *name, int flags, struct error *err)
{
	mode_t mode = incdir_file_mode(dfd);
	bool writing = (flags & O_ACCMODE) != O_RDONLY;
	/* O_NONBLOCK: a FIFO put in the file's place must not hang the
	 * open; it is refused below. O_EXCL first, to know whether the file
	 * was created here. */
	flags |= O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
	bool created = (flags & O_CREAT) != 0;
	int fd = openat(dfd, name, flags | (created ? O_EXCL : 0), mode);
	if (fd < 0 && created && !(flags & O_EXCL) && errno == EEXIST) {
		created = false;
		fd = openat(dfd, name, flags & ~O_CREAT);
	}
	if (fd < 0 && errno == ELOOP)
		return link_refused(dir, name, err);
	if (fd < 0)
		return error_set(err, "%s/%s: cannot open: %s", dir, name, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		error_set(err, "%s/%s: %s", dir, name, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set(err, "%s/%s: is not a regular file (remove it)", dir, name);
		goto fail;
	}
	if (writing && file_trusted(dfd, &st, dir, name, err) != 0)
		goto fail;
	/* Created here: give it the directory's mode, which the umask may
	 * have narrowed, so every team member can append. */
	if (created && (st.st_mode & 0777) != mode && fchmod(fd, mode) != 0) {
		/* Still usable by its owner. */
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		error_set(err, "%s/%s: %s", dir, name, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}
