/* The incident directory's files (journal, locks/, side files), opened so
 * that whoever else can create entries in the directory cannot point them
 * at another file: links are never followed, and a directory or file that
 * someone untrusted could replace is refused with a message saying why.
 *
 * Who is trusted: the directory must not be writable by others (o+w)
 * unless sticky, and must be owned by the caller or root, or be a team
 * directory: group-writable with a group the caller is in (setgid 2770,
 * see README "Sharing an incident across users"). A file in it must be a
 * regular file with one link, owned by the caller, the directory's owner,
 * or, in a team directory, carry the directory's group. Files are created
 * 0660 in a team directory (whatever the umask, so every member can append
 * and lock), else 0640; directories 0770 or 0750. */
#ifndef CMDR_INCDIR_H
#define CMDR_INCDIR_H
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* Opens dir, returning an O_DIRECTORY fd or -1 with err. To write
 * (write), it is created when missing (one level) and checked as above;
 * a reader only needs to read it. */
int incdir_open(const char *dir, bool writing, struct error *err);
/* The same for the subdirectory name of directory dfd (path dir), never
 * through a link. */
int incdir_subdir(int dfd, const char *dir, const char *name, bool writing, struct error *err);
/* Opens file name in directory dfd (path dir) with flags (O_RDONLY,
 * O_RDWR, O_APPEND; O_CREAT and O_EXCL as open takes them), never through
 * a link, and checks what it opened. A file it creates gets the mode the
 * directory calls for. */
int incdir_file(int dfd, const char *dir, const char *name, int flags, struct error *err);
/* The mode for a new file in directory dfd: the one set with
 * incdir_set_file_mode, else 0660 in a team directory and 0640 elsewhere. */
mode_t incdir_file_mode(int dfd);
/* The config's incident_mode for the files this process creates (0: as
 * the directory calls for). */
void incdir_set_file_mode(mode_t mode);

#endif
