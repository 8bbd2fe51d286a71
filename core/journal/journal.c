#include "journal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* OpenSSL's own SHA-256, not the EVP interface: fetching a digest
 * through EVP loads the default provider and costs every run some 2 MB
 * (RSS and USS, measured by make bench); SHA256_Init and the like are
 * marked deprecated in OpenSSL 3 but are the same code without it. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "journal_pg.h"
#include "lock.h"
#include "journal_store.h"
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
	/* Not SHA256(): in OpenSSL 3 it goes through EVP. */
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256_CTX c;
	SHA256_Init(&c);
	SHA256_Update(&c, data, len);
	SHA256_Final(md, &c);
	hex_digest(md, out);
}

/* How a read treats the lines it finds: the first read of a journal
 * takes them as they are (cmdr audit verify judges them); a follower's
 * must chain onto what it holds, and a line that does not breaks the
 * journal under it; after a mark (journal_follow_from) one that does not
 * only ends the read, with 1. */
enum sync_mode { SYNC_TAKE, SYNC_CHECK, SYNC_TRY };

static int sync_lines(struct journal *j, enum sync_mode mode, struct error *err);
static bool on_pg(const struct journal *j);

static void journal_start(struct journal *j)
{
	memset(j, 0, sizeof *j);
	memcpy(j->head, JOURNAL_GENESIS, sizeof j->head);
}

/* Opens the journal of dir through its store, then, with read, reads what
 * it holds. */
static int journal_open_as(struct journal *j, const char *dir, bool writing, bool read, struct error *err)
{
	journal_start(j);
	int opened = journal_is_pg(dir) ? journal_pg_open(j, dir, writing, err) : journal_file_open(j, dir, writing, err);
	if (opened != 0 || (read && sync_lines(j, SYNC_TAKE, err) != 0)) {
		journal_close(j);
		return -1;
	}
	return 0;
}

int journal_open(struct journal *j, const char *dir, struct error *err)
{
	return journal_open_as(j, dir, true, true, err);
}

int journal_open_readonly(struct journal *j, const char *dir, struct error *err)
{
	return journal_open_as(j, dir, false, true, err);
}

int journal_open_unread(struct journal *j, const char *dir, bool writing, struct error *err)
{
	return journal_open_as(j, dir, writing, false, err);
}

bool journal_present(const char *where)
{
	if (journal_is_pg(where))
		return journal_pg_present(where);
	char *path = xasprintf("%s/journal.jsonl", where);
	struct stat st;
	bool there = stat(path, &st) == 0 || errno != ENOENT;
	free(path);
	return there;
}

void journal_close(struct journal *j)
{
	if (j->store)
		j->store->close(j);
	free(j->dir);
	free(j->path);
	free(j->broken);
	free(j->broken_fix);
	memset(j, 0, sizeof *j);
}

/* From now on the journal refuses appends: what happened, what to do. */
static int journal_break(struct journal *j, struct error *err, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int journal_break(struct journal *j, struct error *err, const char *fix, const char *fmt, ...)
{
	if (!j->broken) {
		char what[400];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		j->broken = xstrdup(what);
		j->broken_fix = xstrdup(fix);
	}
	return error_set(err, "%s; %s", j->broken, j->broken_fix);
}

/* The store still holds the journal this process opened. */
static int journal_still_there(struct journal *j, struct error *err)
{
	char why[400];
	if (j->store->check(j, why, sizeof why) == 0)
		return 0;
	return journal_break(j, err, "restart the console on the right directory", "%s", why);
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

static void prefix_keep(char pre[128], size_t *len, const unsigned char *p, size_t n)
{
	size_t take = n < 128 - *len ? n : 128 - *len;
	memcpy(pre + *len, p, take);
	*len += take;
}

/* The seq and prev a line starts with, as journal_append writes them
 * ({"seq":N,"prev":"HEX"): no JSON parser on the follower's path. */
static bool line_prefix(const char *prefix, size_t len, unsigned long long *seq, char prev[65])
{
	char head[128];
	int used = 0;
	*seq = 0;
	*prev = '\0';
	snprintf(head, sizeof head, "%.*s", (int)(len < sizeof head - 1 ? len : sizeof head - 1), prefix);
	return sscanf(head, "{\"seq\":%llu,\"prev\":\"%64[0-9a-f]\"%n", seq, prev, &used) == 2 && used > 0 &&
	       strlen(prev) == 64;
}

/* Whether a new line chains onto what this process holds: 0; else, in
 * SYNC_TRY, 1; else the journal breaks. */
static int line_chains(struct journal *j, enum sync_mode mode, const char *prefix, size_t len, struct error *err)
{
	char prev[65];
	unsigned long long seq;
	bool entry = line_prefix(prefix, len, &seq, prev);
	if (entry && seq == j->entries + 1 && strcmp(prev, j->head) == 0)
		return 0;
	if (mode == SYNC_TRY)
		return 1;
	if (!entry)
		return journal_break(j, err, "run cmdr audit verify",
				     "journal chain broken under this console at %s:%llu (not an entry cmdr wrote)", j->path,
				     (unsigned long long)j->entries + 1);
	return journal_break(j, err, "run cmdr audit verify",
			     "journal chain broken under this console at %s:%llu (seq %llu, prev %.12s..., where seq %llu, prev %.12s... follow)",
			     j->path, (unsigned long long)j->entries + 1, seq, prev, (unsigned long long)j->entries + 1,
			     j->head);
}


int journal_sync(struct journal *j, struct error *err)
{
	if (j->broken)
		return error_set(err, "%s; %s", j->broken, j->broken_fix);
	if (journal_still_there(j, err) != 0)
		return -1;
	return sync_lines(j, j->dir != NULL ? SYNC_CHECK : SYNC_TAKE, err);
}

/* SHA-256 of the len bytes at offset, streamed: a line of any size. */
static int hash_range(struct journal *j, off_t offset, uint64_t len, char out[65], struct error *err)
{
	unsigned char buf[65536], md[SHA256_DIGEST_LENGTH];
	SHA256_CTX c;
	SHA256_Init(&c);
	while (len > 0) {
		ssize_t got = j->store->read(j, offset, buf, len < sizeof buf ? (size_t)len : sizeof buf, err);
		if (got < 0)
			return -1;
		if (got == 0)
			return error_set(err, "%s: the journal shrank while it was read", j->path);
		SHA256_Update(&c, buf, (size_t)got);
		offset += got;
		len -= (uint64_t)got;
	}
	SHA256_Final(md, &c);
	hex_digest(md, out);
	return 0;
}

/* Reads whole lines from j->offset on, streaming, so a large journal never
 * has to fit in memory, nor a long line: readers see at most
 * JOURNAL_LINE_MAX bytes of one. Bytes after the last newline make the
 * tail torn. Each line is hashed as it goes when its hash is looked at
 * (a chain to check, or hash_lines); else only the last one is, at the
 * end: the head is all a first read needs. */
static int sync_lines(struct journal *j, enum sync_mode mode, struct error *err)
{
	bool check = mode != SYNC_TAKE;
	if (check) {
		off_t size = j->store->size(j);
		if (size >= 0 && size < j->offset) {
			if (mode == SYNC_TRY)
				return 1;
			return journal_break(j, err, "run cmdr audit verify",
					     "journal chain broken under this console at %s:%llu (the file is shorter than the %lld bytes read: truncated or rewritten)",
					     j->path, (unsigned long long)j->entries, (long long)j->offset);
		}
	}
	bool hash_each = check || j->hash_lines;
	unsigned char buf[65536];
	SHA256_CTX md;
	SHA256_Init(&md);
	off_t pos = j->offset;
	off_t line_start = j->offset;
	off_t last_start = j->last_start;
	uint64_t read_lines = 0;
	bool keep = j->on_line || j->on_long_line;
	/* The line being read, kept only when someone wants to see it. */
	char *line = NULL;
	size_t line_len = 0, line_cap = 0;
	uint64_t whole = 0;
	/* The start of the line being read, where its seq and prev are. */
	char pre[128];
	size_t pre_len = 0;
	int rc = 0;
	for (;;) {
		ssize_t got = j->store->read(j, pos, buf, sizeof buf, err);
		if (got < 0) {
			free(line);
			return -1;
		}
		if (got == 0)
			break;
		size_t from = 0;
		for (unsigned char *nl; (nl = memchr(buf + from, '\n', (size_t)got - from));) {
			size_t i = (size_t)(nl - buf);
			if (check) {
				prefix_keep(pre, &pre_len, buf + from, i - from);
				if ((rc = line_chains(j, mode, pre, pre_len, err)) != 0)
					break;
				pre_len = 0;
			}
			if (hash_each) {
				unsigned char digest[SHA256_DIGEST_LENGTH];
				SHA256_Update(&md, buf + from, i - from);
				SHA256_Final(digest, &md);
				hex_digest(digest, j->head);
				SHA256_Init(&md);
			}
			j->entries++;
			read_lines++;
			last_start = line_start;
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
		if (rc != 0)
			break;
		if (hash_each)
			SHA256_Update(&md, buf + from, (size_t)got - from);
		if (check)
			prefix_keep(pre, &pre_len, buf + from, (size_t)got - from);
		if (keep)
			line_keep(&line, &line_len, &line_cap, &whole, buf + from, (size_t)got - from);
		pos += got;
	}
	free(line);
	j->offset = line_start;
	j->last_start = last_start;
	if (rc == 0 && !hash_each && read_lines > 0)
		rc = hash_range(j, last_start, (uint64_t)(line_start - last_start - 1), j->head, err);
	/* Stopped at a line that does not chain: nothing after it is read. */
	if (rc == 0)
		j->torn = pos > line_start;
	return rc;
}

int journal_scan(struct journal *j, const char *path, void (*on_line)(void *ctx, const char *line, size_t len),
		 void (*on_long_line)(void *ctx, const char *prefix, size_t prefix_len, uint64_t len), void *ctx,
		 struct error *err)
{
	journal_start(j);
	j->on_line = on_line;
	j->on_long_line = on_long_line;
	j->on_line_ctx = ctx;
	j->hash_lines = true;
	int opened = journal_is_pg(path) ? journal_pg_open(j, path, false, err) : journal_file_open_path(j, path, err);
	int rc = opened == 0 ? sync_lines(j, SYNC_TAKE, err) : -1;
	/* What was seen stays in *j; the store goes. */
	if (j->store)
		j->store->close(j);
	j->store = NULL;
	free(j->path);
	j->path = NULL;
	free(j->dir);
	j->dir = NULL;
	return rc;
}

int journal_follow(struct journal *j, void (*on_line)(void *ctx, const char *line, size_t len), void *ctx,
		   struct error *err)
{
	j->on_line = on_line;
	j->on_line_ctx = ctx;
	j->offset = 0;
	j->last_start = 0;
	j->entries = 0;
	j->n_long = j->long_line = j->long_len = 0;
	memcpy(j->head, JOURNAL_GENESIS, sizeof j->head);
	if (j->broken)
		return error_set(err, "%s; %s", j->broken, j->broken_fix);
	return sync_lines(j, SYNC_TAKE, err);
}

void journal_mark_of(const struct journal *j, struct journal_mark *m)
{
	*m = (struct journal_mark){ .offset = j->offset, .last_start = j->last_start, .entries = j->entries,
				    .n_long = j->n_long, .long_line = j->long_line, .long_len = j->long_len };
	memcpy(m->head, j->head, sizeof m->head);
}

int journal_holds(struct journal *j, const struct journal_mark *m, struct error *err)
{
	if (m->entries == 0)
		return m->offset == 0 && m->last_start == 0 && strcmp(m->head, JOURNAL_GENESIS) == 0;
	if (m->last_start < 0 || m->offset <= m->last_start)
		return 0;
	off_t size = j->store->size(j);
	if (size >= 0 && size < m->offset)
		return 0;
	/* The line starts a line, ends with the newline at offset - 1, and
	 * has no other. */
	char pre[128];
	size_t pre_len = 0;
	off_t from = m->last_start > 0 ? m->last_start - 1 : 0;
	unsigned char buf[4096];
	for (off_t pos = from; pos < m->offset;) {
		size_t want = (size_t)(m->offset - pos < (off_t)sizeof buf ? m->offset - pos : (off_t)sizeof buf);
		ssize_t got = j->store->read(j, pos, buf, want, err);
		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
		for (ssize_t i = 0; i < got; i++) {
			off_t at = pos + i;
			bool nl = buf[i] == '\n';
			if (at == m->last_start - 1 ? !nl : nl != (at == m->offset - 1))
				return 0;
		}
		size_t skip = pos < m->last_start ? (size_t)(m->last_start - pos) : 0;
		if (skip < (size_t)got)
			prefix_keep(pre, &pre_len, buf + skip, (size_t)got - skip);
		pos += got;
	}
	char prev[65], head[65];
	unsigned long long seq;
	if (!line_prefix(pre, pre_len, &seq, prev) || seq != m->entries)
		return 0;
	if (hash_range(j, m->last_start, (uint64_t)(m->offset - m->last_start - 1), head, err) != 0)
		return -1;
	return strcmp(head, m->head) == 0;
}

int journal_follow_from(struct journal *j, const struct journal_mark *m,
			void (*on_line)(void *ctx, const char *line, size_t len), void *ctx, struct error *err)
{
	if (j->broken)
		return error_set(err, "%s; %s", j->broken, j->broken_fix);
	int held = journal_holds(j, m, err);
	if (held <= 0)
		return held < 0 ? -1 : 1;
	j->on_line = on_line;
	j->on_line_ctx = ctx;
	j->offset = m->offset;
	j->last_start = m->last_start;
	j->entries = m->entries;
	memcpy(j->head, m->head, sizeof j->head);
	j->n_long = m->n_long;
	j->long_line = m->long_line;
	j->long_len = m->long_len;
	return sync_lines(j, SYNC_TRY, err);
}

/* All n bytes at offset, or -1 with err. */
static int read_full(struct journal *j, off_t offset, char *buf, size_t n, struct error *err)
{
	for (size_t done = 0; done < n;) {
		ssize_t got = j->store->read(j, offset + (off_t)done, buf + done, n - done, err);
		if (got < 0)
			return -1;
		if (got == 0)
			return error_set(err, "%s: the journal shrank while it was read", j->path);
		done += (size_t)got;
	}
	return 0;
}

/* Where the line that ends before end starts, looked for backwards a
 * block at a time without holding it (a line over JOURNAL_LINE_MAX). */
static int line_start_before(struct journal *j, off_t end, char *buf, size_t cap, off_t *start, struct error *err)
{
	off_t at = end - 1; /* its newline: the search is before it */
	for (;;) {
		off_t lo = at > (off_t)cap ? at - (off_t)cap : 0;
		if (read_full(j, lo, buf, (size_t)(at - lo), err) != 0)
			return -1;
		char *nl = memrchr(buf, '\n', (size_t)(at - lo));
		if (nl || lo == 0) {
			*start = nl ? lo + (nl - buf) + 1 : 0;
			return 0;
		}
		at = lo;
	}
}

int journal_lines_before(struct journal *j, off_t offset, bool (*on_line)(void *ctx, const char *line, size_t len),
			 void *ctx, struct error *err)
{
	size_t cap = 65536;
	char *buf = xmalloc(cap + 1);
	off_t end = offset; /* just past the newline of the next line to give */
	int rc = 0;
	while (end > 0 && rc == 0) {
		off_t lo = end > (off_t)cap ? end - (off_t)cap : 0;
		if (read_full(j, lo, buf, (size_t)(end - lo), err) != 0) {
			rc = -1;
			break;
		}
		off_t was = end;
		bool more = true;
		/* The lines whose start is held, newest first. */
		for (size_t stop = (size_t)(end - lo) - 1; more;) {
			char *nl = stop ? memrchr(buf, '\n', stop) : NULL;
			if (!nl && lo > 0)
				break;
			size_t start = nl ? (size_t)(nl - buf) + 1 : 0;
			buf[stop] = '\0';
			more = on_line(ctx, buf + start, stop - start);
			end = lo + (off_t)start;
			if (start == 0)
				break;
			stop = start - 1;
		}
		if (!more)
			break;
		if (end != was)
			continue;
		/* One line longer than the block: held whole, with the newline
		 * before it, when it is within the limit, else skipped. */
		if (cap < JOURNAL_LINE_MAX + 2) {
			cap = JOURNAL_LINE_MAX + 2;
			buf = xrealloc(buf, cap + 1);
		} else if (line_start_before(j, end, buf, cap, &end, err) != 0) {
			rc = -1;
		}
	}
	free(buf);
	return rc;
}

int journal_set_aside_torn(struct journal *j, char **side, size_t *bytes, struct error *err)
{
	*side = NULL;
	*bytes = 0;
	/* A reader leaves the repair to a writer; rows are never torn. */
	if (j->readonly || on_pg(j))
		return 0;
	if (j->store->lock(j, err) != 0)
		return -1;
	int rc = -1;
	/* Another console may have set it aside already: look again. */
	if (journal_sync(j, err) != 0)
		goto out;
	if (!j->torn) {
		rc = 0;
		goto out;
	}
	off_t size = j->store->size(j);
	if (size < j->offset) {
		error_set(err, "%s: cannot tell the journal's size", j->path);
		goto out;
	}
	size_t len = (size_t)(size - j->offset);
	if (j->store->set_aside(j, len, side, err) != 0)
		goto out;
	j->torn = 0;
	*bytes = len;
	rc = 0;
out:
	j->store->unlock(j);
	return rc;
}

/* One try: 0, -1, or JOURNAL_STORE_CONFLICT when a writer that did not
 * take the lock took the place (nothing was written). */
static int append_once(struct journal *j, cJSON *entry, struct error *err)
{
	if (j->store->lock(j, err) != 0)
		return -1;
	int rc = -1;
	if (j->readonly) {
		error_set(err, "%s: this process can read the journal but not write it (%s); nothing appended", j->path,
			  strerror(j->readonly_errno ? j->readonly_errno : EBADF));
		goto out;
	}
	if (journal_sync(j, err) != 0) {
		if (j->broken)
			error_set(err, "%s; nothing appended; %s", j->broken, j->broken_fix);
		goto out;
	}
	if (j->torn) {
		error_set(err, "%s: journal ends in a partial line; nothing appended (check it with cmdr audit verify)",
			  j->path);
		goto out;
	}
	if (j->on_stamp && j->on_stamp(j->on_stamp_ctx, entry, err) != 0)
		goto out;
	/* Secrets never enter the journal, whoever built the entry; nor
	 * does text a terminal would obey when the journal is read with cat
	 * (C1, bidi controls, invalid UTF-8: cJSON writes them raw). */
	cJSON *rules = cJSON_DetachItemFromObjectCaseSensitive(entry, "policy_pinned");
	redact_json(entry);
	sanitize_json(entry);
	/* Pinned rules are the config's, hashed as they are (core/readers/policy.c
	 * sanitises them): redacting an e-mail-like user name in them would
	 * break the hash every console checks. */
	if (rules)
		cJSON_AddItemToObject(entry, "policy_pinned", rules);
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
	int wrote = j->store->write(j, line, len + 1, err);
	if (wrote != 0) {
		free(line);
		rc = wrote;
		goto out;
	}
	journal_hash(line, len, j->head);
	free(line);
	j->last_start = j->offset;
	j->offset += (off_t)len + 1;
	j->entries++;
	rc = 0;
out:
	j->store->unlock(j);
	return rc;
}

int journal_append(struct journal *j, cJSON *entry, struct error *err)
{
	if (!j->store)
		return error_set(err, "no journal is open here; nothing appended");
	int rc = JOURNAL_STORE_CONFLICT;
	/* Re-read, re-chain, retry: each conflict means another line landed. */
	for (int tries = 0; rc == JOURNAL_STORE_CONFLICT && tries < 20; tries++)
		rc = append_once(j, entry, err);
	if (rc == JOURNAL_STORE_CONFLICT)
		return error_external(err, "%s: 20 other writers took the next place in turn; nothing appended", j->path);
	if (rc == 0 && j->on_append)
		j->on_append(j->on_append_ctx, entry);
	return rc;
}

/* ---- locks across processes (and hosts) -------------------------------- */

static bool on_pg(const struct journal *j)
{
	return j->store && strcmp(j->store->name, "postgres") == 0;
}

int journal_lock_endpoint(struct journal *j, const char *endpoint, const char *holder, struct error *err)
{
	if (!on_pg(j))
		return endpoint_lock(j->dir, endpoint, holder, err);
	char busy[ENDPOINT_BUSY_TEXT_MAX];
	endpoint_lock_busy_text(endpoint, busy);
	char *name = xasprintf("endpoint %s", endpoint);
	int id = journal_pg_lock_take(j, name, holder, busy, err);
	free(name);
	return id;
}

int journal_lock_policy(struct journal *j, const char *holder, struct error *err)
{
	if (!on_pg(j))
		return policy_lock(j->dir, holder, err);
	return journal_pg_lock_take(j, "policy", holder, "the canary policy runs in another console", err);
}

bool journal_endpoint_busy(struct journal *j, const char *endpoint)
{
	if (!on_pg(j))
		return endpoint_lock_busy(j->dir, endpoint);
	char *name = xasprintf("endpoint %s", endpoint);
	bool busy = journal_pg_lock_busy(j, name);
	free(name);
	return busy;
}

bool journal_lock_held(const struct journal *j, int lock)
{
	return lock >= 0 && (!on_pg(j) || journal_pg_lock_held(j, lock));
}

void journal_unlock(struct journal *j, int lock)
{
	if (lock < 0)
		return;
	if (on_pg(j))
		journal_pg_lock_release(j, lock);
	else
		endpoint_unlock(lock);
}

int journal_watch_fd(struct journal *j, short *events)
{
	return on_pg(j) ? journal_pg_watch(j, events) : -1;
}

int64_t journal_offline_ms(const struct journal *j)
{
	return on_pg(j) ? journal_pg_offline_ms(j) : 0;
}
