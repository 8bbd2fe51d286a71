#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "redact.h"
#include "sanitize.h"
#include "xalloc.h"

static void hex_digest(const unsigned char *md, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void journal_hash(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		abort();
	hex_digest(md, out);
}

int journal_open(struct journal *j, const char *dir, struct error *err)
{
	memset(j, 0, sizeof *j);
	j->fd = -1;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return error_set(err, "%s: cannot create incident directory: %s", dir, strerror(errno));
	j->dir = xstrdup(dir);
	j->path = xasprintf("%s/journal.jsonl", dir);
	j->fd = open(j->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (j->fd < 0) {
		int e = errno;
		error_set(err, "%s: cannot open journal: %s", j->path, strerror(e));
		journal_close(j);
		return -1;
	}
	memcpy(j->head, JOURNAL_GENESIS, sizeof j->head);
	if (journal_sync(j, err) != 0) {
		journal_close(j);
		return -1;
	}
	return 0;
}

void journal_close(struct journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	free(j->dir);
	free(j->path);
	memset(j, 0, sizeof *j);
	j->fd = -1;
}

/* Keeps up to JOURNAL_LINE_MAX bytes of the line being read, when someone
 * wants to see it; *whole counts all its bytes. */
static void line_keep(char **line, size_t *len, size_t *cap, uint64_t *whole, const unsigned char *p, size_t n)
{
	*whole += n;
	if (*len >= JOURNAL_LINE_MAX)
		return;
	size_t take = n < JOURNAL_LINE_MAX - *len ? n : JOURNAL_LINE_MAX - *len;
	xgrow(line, cap, *len + take + 1, 1);
	memcpy(*line + *len, p, take);
	*len += take;
	(*line)[*len] = '\0';
}

/* Hashes whole lines from j->offset on, streaming, so a large journal never
 * has to fit in memory, nor a long line: readers see at most
 * JOURNAL_LINE_MAX bytes of one. Bytes after the last newline make the
 * tail torn. */
int journal_sync(struct journal *j, struct error *err)
{
	unsigned char buf[65536];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		abort();
	off_t pos = j->offset;
	off_t line_start = j->offset;
	bool keep = j->on_line || j->on_long_line;
	/* The line being read, kept only when someone wants to see it. */
	char *line = NULL;
	size_t line_len = 0, line_cap = 0;
	uint64_t whole = 0;
	for (;;) {
		ssize_t got = pread(j->fd, buf, sizeof buf, pos);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			EVP_MD_CTX_free(md);
			free(line);
			return error_set(err, "%s: cannot read journal: %s", j->path, strerror(errno));
		}
		if (got == 0)
			break;
		size_t from = 0;
		for (unsigned char *nl; (nl = memchr(buf + from, '\n', (size_t)got - from));) {
			size_t i = (size_t)(nl - buf);
			unsigned char digest[EVP_MAX_MD_SIZE];
			unsigned int len = 0;
			EVP_DigestUpdate(md, buf + from, i - from);
			EVP_DigestFinal_ex(md, digest, &len);
			hex_digest(digest, j->head);
			EVP_DigestInit_ex(md, EVP_sha256(), NULL);
			j->entries++;
			if (keep) {
				line_keep(&line, &line_len, &line_cap, &whole, buf + from, i - from);
				if (whole > JOURNAL_LINE_MAX) {
					j->n_long++;
					j->long_line = j->entries;
					j->long_len = whole;
					if (j->on_long_line)
						j->on_long_line(j->on_line_ctx, line, line_len, whole);
				} else if (j->on_line) {
					j->on_line(j->on_line_ctx, line ? line : "", line_len);
				}
				line_len = 0;
				whole = 0;
			}
			from = i + 1;
			line_start = pos + (off_t)from;
		}
		EVP_DigestUpdate(md, buf + from, (size_t)got - from);
		if (keep)
			line_keep(&line, &line_len, &line_cap, &whole, buf + from, (size_t)got - from);
		pos += got;
	}
	EVP_MD_CTX_free(md);
	free(line);
	j->offset = line_start;
	j->torn = pos > line_start;
	return 0;
}

int journal_scan(struct journal *j, const char *path, void (*on_line)(void *ctx, const char *line, size_t len),
		 void (*on_long_line)(void *ctx, const char *prefix, size_t prefix_len, uint64_t len), void *ctx,
		 struct error *err)
{
	memset(j, 0, sizeof *j);
	memcpy(j->head, JOURNAL_GENESIS, sizeof j->head);
	j->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (j->fd < 0)
		return error_set(err, "%s: cannot open: %s", path, strerror(errno));
	j->path = (char *)path;
	j->on_line = on_line;
	j->on_long_line = on_long_line;
	j->on_line_ctx = ctx;
	int rc = journal_sync(j, err);
	close(j->fd);
	j->fd = -1;
	j->path = NULL;
	return rc;
}

int journal_follow(struct journal *j, void (*on_line)(void *ctx, const char *line, size_t len), void *ctx,
		   struct error *err)
{
	j->on_line = on_line;
	j->on_line_ctx = ctx;
	j->offset = 0;
	j->entries = 0;
	memcpy(j->head, JOURNAL_GENESIS, sizeof j->head);
	return journal_sync(j, err);
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

/* The writers' lock, waited for through signals (a terminal resized while
 * another console writes must not lose an entry). */
static int lock_journal(struct journal *j, struct error *err)
{
	while (flock(j->fd, LOCK_EX) != 0)
		if (errno != EINTR)
			return error_set(err, "%s: cannot lock journal: %s", j->path, strerror(errno));
	return 0;
}

int journal_set_aside_torn(struct journal *j, char **side, size_t *bytes, struct error *err)
{
	*side = NULL;
	*bytes = 0;
	if (lock_journal(j, err) != 0)
		return -1;
	int rc = -1;
	char *tail = NULL;
	/* Another console may have set it aside already: look again. */
	if (journal_sync(j, err) != 0)
		goto out;
	if (!j->torn) {
		rc = 0;
		goto out;
	}
	struct stat st;
	if (fstat(j->fd, &st) != 0) {
		error_set(err, "%s: %s", j->path, strerror(errno));
		goto out;
	}
	size_t len = (size_t)(st.st_size - j->offset);
	char *path = xasprintf("%s/journal.torn-%lld", j->dir, (long long)j->offset);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	/* Copied in pieces: a torn tail can be any size. */
	const char *why = fd < 0 ? strerror(errno) : NULL;
	tail = xmalloc(65536);
	for (size_t done = 0; !why && done < len;) {
		size_t want = len - done < 65536 ? len - done : 65536;
		ssize_t got = pread(j->fd, tail, want, j->offset + (off_t)done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			why = got < 0 ? strerror(errno) : "the journal shrank while it was copied";
		else if (write_all(fd, tail, (size_t)got) != 0)
			why = strerror(errno);
		else
			done += (size_t)got;
	}
	if (!why && fsync(fd) != 0)
		why = strerror(errno);
	if (why) {
		error_set(err, "%s: cannot keep the torn tail: %s; the journal is left as it is", path, why);
		if (fd >= 0)
			close(fd);
		free(path);
		goto out;
	}
	close(fd);
	/* Only once the bytes are safe elsewhere does the journal lose them. */
	if (ftruncate(j->fd, j->offset) != 0 || fsync(j->fd) != 0) {
		error_set(err, "%s: cannot truncate the torn tail: %s (a copy is in %s)", j->path, strerror(errno),
			  path);
		free(path);
		goto out;
	}
	j->torn = 0;
	*side = path;
	*bytes = len;
	rc = 0;
out:
	free(tail);
	flock(j->fd, LOCK_UN);
	return rc;
}

int journal_append(struct journal *j, cJSON *entry, struct error *err)
{
	if (lock_journal(j, err) != 0)
		return -1;
	int rc = -1;
	if (journal_sync(j, err) != 0)
		goto out;
	if (j->torn) {
		error_set(err, "%s: journal ends in a partial line; nothing appended (check it with cmdr audit verify)",
			  j->path);
		goto out;
	}
	/* Secrets never enter the journal, whoever built the entry; nor
	 * does text a terminal would obey when the journal is read with cat
	 * (C1, bidi controls, invalid UTF-8: cJSON writes them raw). */
	redact_json(entry);
	sanitize_json(entry);
	cJSON_DeleteItemFromObject(entry, "seq");
	cJSON_DeleteItemFromObject(entry, "prev");
	/* seq and prev lead the line so a reader sees the chain first. */
	cJSON_AddItemToObject(entry, "prev", cJSON_CreateString(j->head));
	cJSON_AddItemToObject(entry, "seq", cJSON_CreateNumber((double)(j->entries + 1)));
	cJSON *prev = cJSON_DetachItemFromObject(entry, "prev");
	cJSON *seq = cJSON_DetachItemFromObject(entry, "seq");
	cJSON_InsertItemInArray(entry, 0, prev);
	cJSON_InsertItemInArray(entry, 0, seq);
	char *text = cJSON_PrintUnformatted(entry);
	if (!text)
		abort();
	size_t len = strlen(text);
	if (len > JOURNAL_LINE_MAX) {
		/* No reader would see it: refuse it whole rather than lose it. */
		error_set(err, "%s: entry of %zu bytes is over the %u MiB line limit; nothing appended", j->path, len,
			  JOURNAL_LINE_MAX >> 20);
		cJSON_free(text);
		goto out;
	}
	char *line = xmalloc(len + 1);
	memcpy(line, text, len);
	line[len] = '\n';
	cJSON_free(text);
	if (write_all(j->fd, line, len + 1) != 0 || fsync(j->fd) != 0) {
		int e = errno;
		/* Take back whatever part of the line reached the file, so the
		 * journal never keeps a half-written entry; we hold the lock. */
		if (ftruncate(j->fd, j->offset) != 0) {
			/* The torn tail is detected on the next open. */
		}
		error_set(err, "%s: cannot append to journal: %s", j->path, strerror(e));
		free(line);
		goto out;
	}
	journal_hash(line, len, j->head);
	free(line);
	j->offset += (off_t)len + 1;
	j->entries++;
	rc = 0;
out:
	flock(j->fd, LOCK_UN);
	if (rc == 0 && j->on_append)
		j->on_append(j->on_append_ctx, entry);
	return rc;
}
