/* Reading the secrets a config names (a file only its owner may read, or
 * an environment variable), never from the config itself. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_live_impl.h"
#include "redact.h"
#include "xalloc.h"

/* ---- secrets --------------------------------------------------------------- */

/* What is left of a secret once trailing line ends are dropped, checked:
 * a control character inside it would break the header or form it goes
 * into. Wipes and frees it when refused. The message names the file or
 * variable, never the value. */
static char *secret_finish(char *buf, size_t len, const char *file, const char *env, const char *where,
			   struct error *err)
{
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	bool control = false;
	for (size_t i = 0; i < len; i++)
		control |= (unsigned char)buf[i] < 0x20 || buf[i] == 0x7f;
	if (len > 0 && !control) {
		/* From now on a service that echoes it back cannot get it
		 * onto the screen, the journal or stderr. */
		redact_add_secret(buf);
		return buf;
	}
	explicit_bzero(buf, len);
	free(buf);
	const char *why = control ? "holds a line break or another control character (a secret is one line)"
				  : file ? "empty" : "is empty";
	if (file)
		error_set(err, "%s: %s (%s)", file, why, where);
	else
		error_set(err, "$%s %s (%s)", env, why, where);
	return NULL;
}

static char *secret_from_file(const char *path, const char *where, struct error *err)
{
	/* O_NONBLOCK: a FIFO in its place must not hang the console. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		error_set(err, "%s: cannot read: %s (%s)", path, strerror(errno), where);
		return NULL;
	}
	struct stat st;
	const char *why = NULL;
	if (fstat(fd, &st) != 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_size > SECRET_MAX_BYTES)
		why = "over 64 KiB, too large for a secret";
	if (why) {
		error_set(err, "%s: %s (%s)", path, why, where);
		close(fd);
		return NULL;
	}
	/* Refused before a byte of it is read. */
	if (st.st_mode & 077) {
		error_set(err, "%s: %s group or others; run chmod 600 %s (%s)", path,
			  st.st_mode & 044 ? "readable by" : "open to", path, where);
		close(fd);
		return NULL;
	}
	char *buf = xmalloc(SECRET_MAX_BYTES + 2);
	size_t len = 0;
	int e = 0;
	while (len <= SECRET_MAX_BYTES) {
		ssize_t got = read(fd, buf + len, SECRET_MAX_BYTES + 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			e = got < 0 ? errno : 0;
			break;
		}
		len += (size_t)got;
	}
	close(fd);
	if (e || len > SECRET_MAX_BYTES) {
		explicit_bzero(buf, len);
		free(buf);
		if (e)
			error_set(err, "%s: cannot read: %s (%s)", path, strerror(e), where);
		else
			error_set(err, "%s: over 64 KiB, too large for a secret (%s)", path, where);
		return NULL;
	}
	return secret_finish(buf, len, path, NULL, where, err);
}

char *config_secret_read(const struct config_secret *s, const char *where, struct error *err)
{
	if (s->file)
		return secret_from_file(s->file, where, err);
	if (!s->env) {
		error_set(err, "no secret is configured (%s)", where);
		return NULL;
	}
	const char *value = getenv(s->env);
	if (!value) {
		error_set(err, "$%s is not set (%s)", s->env, where);
		return NULL;
	}
	return secret_finish(xstrdup(value), strlen(value), NULL, s->env, where, err);
}
