#include "audit.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "journal.h"
#include "sanitize.h"
#include "xalloc.h"

/* Verification keeps the two entries before the current one: a hash that
 * does not match tells that *something* changed, and the entry after it
 * tells which of the two it was. */
struct verifier {
	struct audit_result *r;
	const struct journal *j; /* its head is the hash of the line just read */
	uint64_t pos;           /* position of the line being checked, from 1 */
	char hash[2][65];       /* hashes of lines pos-1 and pos-2 */
	bool suspect;           /* line pos-1's prev did not match line pos-2 */
	bool done;
	/* A line said a later seq than its place: entry missing is either
	 * gone (a gap) or further on (moved, swapped); read on to tell. */
	uint64_t missing;
	double missing_said;  /* the seq the line in its place says */
	const char *expect_head; /* a head published earlier, or NULL */
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

/* Checks line pos's seq and prev against the chain so far; hash is the
 * line's own. seq < 0: the line is not a journal entry. */
static void check_entry(struct verifier *v, double s, const char *prev, const char *hash)
{
	uint64_t pos = ++v->pos;
	if (v->missing) {
		if (s == (double)v->missing && pos == v->missing + 1 && v->missing_said == (double)pos)
			verdict(v, v->missing, "out of order: entries %llu and %llu are swapped",
				(unsigned long long)v->missing, (unsigned long long)pos);
		else if (s == (double)v->missing)
			verdict(v, v->missing, "out of order: entry %llu is at line %llu (moved)",
				(unsigned long long)v->missing, (unsigned long long)pos);
		goto out;
	}
	if (s < 0 || !prev) {
		verdict(v, pos, "entry %llu is not a journal entry (bad JSON, or no seq or prev)",
			(unsigned long long)pos);
		goto out;
	}
	if (s != (double)pos) {
		if (s > (double)pos) {
			v->missing = pos;
			v->missing_said = s;
		} else {
			verdict(v, pos, "out of order: line %llu says seq %.0f (repeated or moved)",
				(unsigned long long)pos, s);
		}
		goto out;
	}
	const char *want = pos == 1 ? JOURNAL_GENESIS : v->hash[0];
	bool match = strcmp(prev, want) == 0;
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
	memcpy(v->hash[1], v->hash[0], 65);
	memcpy(v->hash[0], hash, 65);
}

/* The first entry whose hash is the published head: the chain passed
 * through it. Looked for past a break too, so the result says both. */
static void head_look(struct verifier *v)
{
	if (v->expect_head && !v->r->head_seq && strcmp(v->j->head, v->expect_head) == 0)
		v->r->head_seq = v->j->entries;
}

/* ---- strict JSON, without building it ------------------------------------
 * The verifier needs of each line only whether it is JSON and its seq and
 * prev. A line that is strict JSON (RFC 8259) with no \u escape, no deep
 * nesting and no long number is JSON to cJSON too, with the same values:
 * such lines, which are every line cmdr writes, are scanned here. Anything
 * else (NULL: cannot tell) is left to cJSON, which then decides. */

enum { SCAN_DEPTH_MAX = 256, SCAN_NUMBER_MAX = 40 };

static const char *scan_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const char *scan_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			if (++p == end || !strchr("\"\\/bfnrt", *p) || !*p)
				return NULL;
		}
	}
	return NULL;
}

static bool is_digit(const char *p, const char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

static const char *scan_number(const char *p, const char *end)
{
	const char *start = p;
	if (p < end && *p == '-')
		p++;
	if (!is_digit(p, end))
		return NULL;
	if (*p++ != '0')
		while (is_digit(p, end))
			p++;
	if (p < end && *p == '.') {
		if (!is_digit(++p, end))
			return NULL;
		while (is_digit(p, end))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (!is_digit(p, end))
			return NULL;
		while (is_digit(p, end))
			p++;
	}
	return p - start <= SCAN_NUMBER_MAX ? p : NULL;
}

static const char *scan_value(const char *p, const char *end, int depth);

/* An object or array from its opening bracket. */
static const char *scan_members(const char *p, const char *end, int depth, bool object)
{
	char close = object ? '}' : ']';
	p = scan_ws(p + 1, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if (p == end || *p != '"' || !(p = scan_string(p, end)))
				return NULL;
			p = scan_ws(p, end);
			if (p == end || *p != ':')
				return NULL;
			p = scan_ws(p + 1, end);
		}
		if (!(p = scan_value(p, end, depth + 1)))
			return NULL;
		p = scan_ws(p, end);
		if (p < end && *p == close)
			return p + 1;
		if (p == end || *p != ',')
			return NULL;
		p = scan_ws(p + 1, end);
	}
}

static const char *scan_literal(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(end - p) >= n && memcmp(p, word, n) == 0 ? p + n : NULL;
}

static const char *scan_value(const char *p, const char *end, int depth)
{
	if (p == end || depth > SCAN_DEPTH_MAX)
		return NULL;
	switch (*p) {
	case '{':
	case '[':
		return scan_members(p, end, depth, *p == '{');
	case '"':
		return scan_string(p, end);
	case 't':
		return scan_literal(p, end, "true");
	case 'f':
		return scan_literal(p, end, "false");
	case 'n':
		return scan_literal(p, end, "null");
	default:
		return scan_number(p, end);
	}
}

/* A line as cmdr writes it, {"seq":N,"prev":"HEX",...}, and strict JSON
 * throughout: true with its seq and prev. */
static bool scan_entry(const char *line, size_t len, double *seq, char prev[65])
{
	static const char lead[] = "{\"seq\":";
	const char *end = line + len, *p = line + sizeof lead - 1;
	if (len < sizeof lead - 1 || memcmp(line, lead, sizeof lead - 1) != 0 || !is_digit(p, end) ||
	    (*p == '0' && is_digit(p + 1, end)))
		return false;
	uint64_t n = 0;
	for (int digits = 0; is_digit(p, end); p++, digits++) {
		if (digits == 15)
			return false; /* past 2^53: cJSON's double decides */
		n = n * 10 + (uint64_t)(*p - '0');
	}
	static const char mid[] = ",\"prev\":\"";
	if ((size_t)(end - p) < sizeof mid - 1 + 65 || memcmp(p, mid, sizeof mid - 1) != 0)
		return false;
	p += sizeof mid - 1;
	for (int i = 0; i < 64; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	if (p[64] != '"')
		return false;
	memcpy(prev, p, 64);
	prev[64] = '\0';
	/* The whole line, seq and prev included, and nothing after it. */
	if (scan_members(line, end, 0, true) != end)
		return false;
	*seq = (double)n;
	return true;
}

int audit_line_entry(const char *line, size_t len, bool fast, double *seq, char prev[65])
{
	if (fast && scan_entry(line, len, seq, prev))
		return 1;
	cJSON *e = cJSON_ParseWithLength(line, len);
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "seq");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "prev");
	int entry = cJSON_IsObject(e) && cJSON_IsNumber(s) && cJSON_IsString(p);
	if (entry) {
		*seq = cJSON_GetNumberValue(s);
		/* Only 64 characters can be a hash: a longer prev matches none. */
		snprintf(prev, 65, "%s", strlen(p->valuestring) <= 64 ? p->valuestring : "");
	}
	cJSON_Delete(e);
	return entry;
}

static void on_verify_line(void *ctx, const char *line, size_t len)
{
	struct verifier *v = ctx;
	head_look(v);
	if (v->done) {
		v->pos++;
		return;
	}
	double s;
	char prev[65];
	bool entry = audit_line_entry(line, len, true, &s, prev);
	check_entry(v, entry ? s : -1, entry ? prev : NULL, v->j->head);
}

/* A line too long to parse is still chained: cmdr writes seq and prev
 * first ({"seq":N,"prev":"HEX",...}), so they are read from its start. */
static void on_verify_long_line(void *ctx, const char *prefix, size_t prefix_len, uint64_t len)
{
	struct verifier *v = ctx;
	if (!v->r->long_line) {
		v->r->long_line = v->j->entries;
		v->r->long_bytes = len;
	}
	v->r->n_long++;
	head_look(v);
	if (v->done) {
		v->pos++;
		return;
	}
	char head[128], prev[65];
	unsigned long long seq = 0;
	int used = 0;
	snprintf(head, sizeof head, "%.*s", (int)(prefix_len < sizeof head - 1 ? prefix_len : sizeof head - 1), prefix);
	bool entry = sscanf(head, "{\"seq\":%llu,\"prev\":\"%64[0-9a-f]\"%n", &seq, prev, &used) == 2 && used > 0 &&
		     strlen(prev) == 64;
	check_entry(v, entry ? (double)seq : -1, entry ? prev : NULL, v->j->head);
}

int audit_verify(const char *path, const char *expect_head, struct audit_result *out, struct error *err)
{
	memset(out, 0, sizeof *out);
	out->intact = true;
	memcpy(out->head, JOURNAL_GENESIS, sizeof out->head);
	struct journal j;
	struct verifier v = { .r = out, .j = &j, .expect_head = expect_head };
	/* journal_scan hashes every line whole and hands over at most
	 * JOURNAL_LINE_MAX bytes of one, so memory does not follow the file. */
	if (journal_scan(&j, path, on_verify_line, on_verify_long_line, &v, err) != 0)
		return -1;
	out->entries = j.entries;
	out->bytes = (uint64_t)j.offset;
	memcpy(out->head, j.head, sizeof out->head);
	if (v.missing)
		verdict(&v, v.missing, "gap: entry %llu is missing (the line in its place says seq %.0f)",
			(unsigned long long)v.missing, v.missing_said);
	/* The last line did not chain to the one before: a published head
	 * that is not the last line's (nowhere, or the line before's) says the
	 * last line itself is the changed one. */
	if (v.suspect && expect_head && (out->head_seq == 0 || out->head_seq == v.pos - 1))
		verdict(&v, v.pos, "hash mismatch: entry %llu was changed (its prev and the published head are both wrong)",
			(unsigned long long)v.pos);
	else if (v.suspect)
		verdict(&v, v.pos - 1, "hash mismatch: entry %llu was changed (the next entry records another hash for it)",
			(unsigned long long)(v.pos - 1));
	if (j.torn)
		verdict(&v, out->entries + 1, "torn tail: entry %llu is a partial line (a crash during an append?)",
			(unsigned long long)(out->entries + 1));
	/* A head published at any point of the incident checks the chain up
	 * to there; entries after it are newer than what was published. The
	 * genesis value is the head of the empty journal. */
	if (expect_head && !out->head_seq && strcmp(expect_head, JOURNAL_GENESIS) != 0) {
		if (out->entries == 0)
			verdict(&v, 1, "the journal is empty but a head was published");
		else
			verdict(&v, out->entries,
				"the published head is not in the chain: an entry up to %llu was changed, or entries removed",
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

struct shower {
	bool json;
	FILE *out;
	const struct journal *j;
};

static void on_show_line(void *ctx, const char *line, size_t len)
{
	struct shower *sh = ctx;
	if (sh->json) {
		fwrite(line, 1, len, sh->out);
		fputc('\n', sh->out);
		return;
	}
	cJSON *e = cJSON_ParseWithLength(line, len);
	if (!e) {
		fprintf(sh->out, "%5s  (not JSON: %zu bytes)\n", "?", len + 1);
		return;
	}
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
	char b[7][512], who[1100];
	if (*field(actor, "as", b[0], sizeof b[0]))
		snprintf(who, sizeof who, "%s (%s)", b[0], field(actor, "user", b[1], sizeof b[1]));
	else
		snprintf(who, sizeof who, "%s", field(actor, "user", b[1], sizeof b[1]));
	fprintf(sh->out, "%5.0f  %-24s  %-16s  %-9s  %-11s  %-22s  %-10s  %s\n",
		cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "seq")), field(e, "time", b[0], sizeof b[0]),
		who, field(e, "role", b[1], sizeof b[1]), field(e, "action", b[2], sizeof b[2]),
		field(e, "target", b[3], sizeof b[3]), field(e, "outcome", b[4], sizeof b[4]),
		field(e, "reason", b[5], sizeof b[5]));
	cJSON_Delete(e);
}

static void on_show_long_line(void *ctx, const char *prefix, size_t prefix_len, uint64_t len)
{
	struct shower *sh = ctx;
	(void)prefix;
	(void)prefix_len;
	if (!sh->json)
		fprintf(sh->out, "%5s  (line %llu: %llu bytes, over the %u MiB line limit; not shown)\n", "?",
			(unsigned long long)sh->j->entries, (unsigned long long)len, JOURNAL_LINE_MAX >> 20);
}

int audit_show(const char *path, bool json, FILE *out, struct error *err)
{
	struct journal j;
	struct shower sh = { .json = json, .out = out, .j = &j };
	if (!json)
		fprintf(out, "%5s  %-24s  %-16s  %-9s  %-11s  %-22s  %-10s  %s\n", "seq", "time", "actor", "role",
			"action", "target", "outcome", "reason");
	if (journal_scan(&j, path, on_show_line, on_show_long_line, &sh, err) != 0)
		return -1;
	/* Shown as far as it goes; what was left out is an error, not a
	 * silence. */
	if (j.n_long)
		return error_set(err, "%s:%llu: entry of %llu bytes is over the %u MiB line limit; not shown (%llu such line%s)",
				 path, (unsigned long long)j.long_line, (unsigned long long)j.long_len,
				 JOURNAL_LINE_MAX >> 20, (unsigned long long)j.n_long, j.n_long == 1 ? "" : "s");
	if (j.torn)
		return error_set(err, "%s: ends in a partial line after entry %llu; not shown (cmdr audit verify)", path,
				 (unsigned long long)j.entries);
	return 0;
}
