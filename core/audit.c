#include "audit.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "journal.h"
#include "sanitize.h"
#include "xalloc.h"

/* Verification keeps the two entries before the current one: a hash that
 * does not match tells that *something* changed, and the entry after it
 * tells which of the two it was. */
struct verifier {
	struct audit_result *r;
	uint64_t pos;           /* position of the line being checked, from 1 */
	char hash[2][65];       /* hashes of lines pos-1 and pos-2 */
	bool suspect;           /* line pos-1's prev did not match line pos-2 */
	bool done;
};

static void verdict(struct verifier *v, uint64_t seq, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void verdict(struct verifier *v, uint64_t seq, const char *fmt, ...)
{
	if (v->done)
		return;
	v->done = true;
	v->r->intact = false;
	v->r->bad_seq = seq;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->r->why, sizeof v->r->why, fmt, ap);
	va_end(ap);
}

static void check_line(struct verifier *v, const char *line, size_t len, const char *hash)
{
	uint64_t pos = ++v->pos;
	cJSON *e = cJSON_ParseWithLength(line, len);
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(e, "seq");
	const cJSON *prev = cJSON_GetObjectItemCaseSensitive(e, "prev");
	if (!cJSON_IsObject(e) || !cJSON_IsNumber(seq) || !cJSON_IsString(prev)) {
		verdict(v, pos, "entry %llu is not a journal entry (bad JSON, or no seq or prev)",
			(unsigned long long)pos);
		goto out;
	}
	double s = cJSON_GetNumberValue(seq);
	if (s != (double)pos) {
		if (s > (double)pos)
			verdict(v, pos, "gap: entry %llu is missing (the line in its place says seq %.0f)",
				(unsigned long long)pos, s);
		else
			verdict(v, pos, "out of order: line %llu says seq %.0f (repeated or moved)",
				(unsigned long long)pos, s);
		goto out;
	}
	const char *want = pos == 1 ? JOURNAL_GENESIS : v->hash[0];
	bool match = strcmp(prev->valuestring, want) == 0;
	if (v->suspect) {
		/* Line pos-1 did not chain to pos-2. If pos chains to pos-1, it
		 * was pos-2 that changed; if not, pos-1 itself (its prev). */
		if (match)
			verdict(v, pos - 2, "hash mismatch: entry %llu was changed (the next entry records another hash for it)",
				(unsigned long long)(pos - 2));
		else
			verdict(v, pos - 1, "hash mismatch: entry %llu was changed (its prev and its own hash are both wrong)",
				(unsigned long long)(pos - 1));
		goto out;
	}
	if (!match && pos == 1)
		verdict(v, 1, "hash mismatch: entry 1 does not start from the genesis value (changed)");
	v->suspect = !match;
out:
	cJSON_Delete(e);
	memcpy(v->hash[1], v->hash[0], 65);
	memcpy(v->hash[0], hash, 65);
}

int audit_verify(const char *path, const char *expect_head, struct audit_result *out, struct error *err)
{
	memset(out, 0, sizeof *out);
	out->intact = true;
	memcpy(out->head, JOURNAL_GENESIS, sizeof out->head);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, "%s: cannot open: %s", path, strerror(errno));
	struct verifier v = { .r = out };
	size_t cap = 1 << 20, have = 0;
	char *buf = xmalloc(cap);
	int rc = 0;
	for (;;) {
		if (have == cap) {
			/* One line longer than the buffer: grow for it. */
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t got = read(fd, buf + have, cap - have);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			rc = error_set(err, "%s: cannot read: %s", path, strerror(errno));
			break;
		}
		if (got == 0)
			break;
		out->bytes += (uint64_t)got;
		have += (size_t)got;
		size_t start = 0;
		for (char *nl; (nl = memchr(buf + start, '\n', have - start));) {
			size_t len = (size_t)(nl - (buf + start));
			char hash[65];
			journal_hash(buf + start, len, hash);
			if (!v.done)
				check_line(&v, buf + start, len, hash);
			memcpy(out->head, hash, sizeof hash);
			out->entries++;
			start += len + 1;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	free(buf);
	close(fd);
	if (rc != 0)
		return rc;
	/* The last line did not chain to the one before: the published head
	 * tells whether the last line itself is the changed one. */
	if (v.suspect && expect_head && strcmp(expect_head, out->head) != 0)
		verdict(&v, v.pos, "hash mismatch: entry %llu was changed (its prev and the published head are both wrong)",
			(unsigned long long)v.pos);
	else if (v.suspect)
		verdict(&v, v.pos - 1, "hash mismatch: entry %llu was changed (the next entry records another hash for it)",
			(unsigned long long)(v.pos - 1));
	if (have > 0)
		verdict(&v, out->entries + 1, "torn tail: entry %llu is a partial line (a crash during an append?)",
			(unsigned long long)(out->entries + 1));
	if (expect_head && strcmp(expect_head, out->head) != 0) {
		if (out->entries == 0)
			verdict(&v, 1, "the journal is empty but a head was published");
		else
			verdict(&v, out->entries,
				"the chain does not end at the published head: entry %llu was changed, or entries after it removed",
				(unsigned long long)out->entries);
	}
	return 0;
}

/* A field made safe for a terminal (the journal holds outside text). */
static const char *field(const cJSON *e, const char *key, char *buf, size_t size)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, key));
	sanitize_text(s ? s : "", buf, size);
	return buf;
}

int audit_show(const char *path, bool json, FILE *out, struct error *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return error_set(err, "%s: cannot open: %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	if (!json)
		fprintf(out, "%5s  %-24s  %-16s  %-9s  %-11s  %-22s  %-10s  %s\n", "seq", "time", "actor", "role",
			"action", "target", "outcome", "reason");
	while ((len = getline(&line, &cap, f)) > 0) {
		if (json) {
			fwrite(line, 1, (size_t)len, out);
			continue;
		}
		cJSON *e = cJSON_ParseWithLength(line, (size_t)len);
		if (!e) {
			fprintf(out, "%5s  (not JSON: %zd bytes)\n", "?", len);
			continue;
		}
		const cJSON *actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
		char b[7][512], who[1100];
		if (*field(actor, "as", b[0], sizeof b[0]))
			snprintf(who, sizeof who, "%s (%s)", b[0], field(actor, "user", b[1], sizeof b[1]));
		else
			snprintf(who, sizeof who, "%s", field(actor, "user", b[1], sizeof b[1]));
		fprintf(out, "%5.0f  %-24s  %-16s  %-9s  %-11s  %-22s  %-10s  %s\n",
			cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "seq")),
			field(e, "time", b[0], sizeof b[0]), who, field(e, "role", b[1], sizeof b[1]),
			field(e, "action", b[2], sizeof b[2]), field(e, "target", b[3], sizeof b[3]),
			field(e, "outcome", b[4], sizeof b[4]), field(e, "reason", b[5], sizeof b[5]));
		cJSON_Delete(e);
	}
	free(line);
	fclose(f);
	return 0;
}
