#include "redact.h"

#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "xalloc.h"

struct redaction {
	pcre2_code *code;
	char *replacement;
};

/* Order matters: a URL's password goes before the e-mail pattern could
 * take "pass@host" for an address. */
static const struct {
	const char *pattern, *replacement;
} builtin[] = {
	/* https://user:secret@host */
	{ "\\b([a-z][a-z0-9+.-]*://[^/\\s:@]+:)[^@\\s/]+@", "$1[REDACTED]@" },
	/* Authorization: Bearer eyJ... */
	{ "(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{8,}", "$1 [REDACTED]" },
	/* password=..., api_key: ..., "token": "..." */
	{ "(?i)\\b((?:api[_-]?key|apikey|access[_-]?key|access[_-]?token|auth[_-]?token|secret|"
	  "client[_-]?secret|token|password|passwd|pwd|sig)[\"']?\\s*[:=]\\s*[\"']?)[^\\s\"'&,;]+",
	  "$1[REDACTED]" },
	/* Well-known key shapes: JWTs, AWS, GitHub, Slack, OpenAI-style keys. */
	{ "\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*", "[REDACTED]" },
	{ "\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b", "[REDACTED]" },
	{ "\\bgh[pousr]_[A-Za-z0-9]{30,}\\b", "[REDACTED]" },
	{ "\\bxox[abposr]-[A-Za-z0-9-]{10,}", "[REDACTED]" },
	{ "\\bsk-[A-Za-z0-9_-]{20,}", "[REDACTED]" },
	/* E-mail addresses are personal data, not needed to run an incident. */
	{ "\\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}\\b", "[email]" },
};

/* The secret values, longest first, so that a webhook URL goes whole
 * before its path part could leave the host behind. */
static char **secrets;
static size_t n_secrets, cap_secrets;

static struct redaction *redactions;
static size_t n_redactions, cap_redactions;
static pcre2_match_data *match_data;
static bool ready;

/* Byte mode, not UTF: text from outside may be invalid UTF-8, and a
 * secret inside it must still match. Checking and installing share this,
 * so a pattern that passes `cmdr config check` installs. */
static pcre2_code *compile_pattern(const char *pattern, struct error *err)
{
	int code;
	PCRE2_SIZE offset;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &offset, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		error_set(err, "offset %zu: %s", (size_t)offset, (char *)msg);
	}
	return re;
}

static int compile(const char *pattern, const char *replacement, struct error *err)
{
	struct error why;
	pcre2_code *re = compile_pattern(pattern, &why);
	if (!re)
		return error_set(err, "redaction pattern at %s", why.msg);
	/* No JIT: the interpreter redacts a screen's texts as fast (make bench,
	 * keypress to output), and the JIT compiler's code and its executable
	 * pages cost every run some 230 KB of private memory. */
	xgrow(&redactions, &cap_redactions, n_redactions + 1, sizeof *redactions);
	redactions[n_redactions].code = re;
	redactions[n_redactions].replacement = xstrdup(replacement);
	n_redactions++;
	return 0;
}

static void setup(void)
{
	if (ready)
		return;
	ready = true;
	for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
		if (compile(builtin[i].pattern, builtin[i].replacement, NULL) != 0)
			abort(); /* the built-in patterns are ours: a bad one is a bug */
	match_data = pcre2_match_data_create(16, NULL);
	if (!match_data)
		abort();
}

int redact_add_pattern(const char *pattern, const char *replacement, struct error *err)
{
	setup();
	return compile(pattern, replacement, err);
}

/* PCRE2 reads a replacement only when it substitutes a match, so a bad
 * "$2" would first show up as a whole text lost to "[REDACTED]". To find
 * it now, the pattern is wrapped as "(?:PATTERN)|": the same groups and
 * names, and a match on empty text that the replacement can be tried on.
 * The newline ends a (?x) comment and \E a \Q quote that PATTERN may
 * leave open. A pattern that will not wrap (a leading (*VERB)) is passed. */
static enum redact_problem check_replacement(const char *pattern, const char *replacement,
					     struct error *err)
{
	char *probe = xasprintf("(?:%s\n\\E)|", pattern);
	struct error ignored;
	pcre2_code *re = compile_pattern(probe, &ignored);
	free(probe);
	if (!re)
		return REDACT_OK;
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!md)
		abort();
	PCRE2_UCHAR out[64];
	PCRE2_SIZE out_len = sizeof out;
	/* Groups left unset by this empty match are not the replacement's
	 * fault; only syntax and groups that do not exist are. */
	int rc = pcre2_substitute(re, (PCRE2_SPTR) "", 0, 0,
				  PCRE2_SUBSTITUTE_UNSET_EMPTY | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH, md, NULL,
				  (PCRE2_SPTR)replacement, PCRE2_ZERO_TERMINATED, out, &out_len);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	if (rc >= 0 || rc == PCRE2_ERROR_NOMEMORY)
		return REDACT_OK;
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(rc, msg, sizeof msg);
	error_set(err, "offset %zu: %s", (size_t)out_len, (char *)msg);
	return REDACT_BAD_REPLACEMENT;
}

enum redact_problem redact_check_pattern(const char *pattern, const char *replacement, struct error *err)
{
	pcre2_code *re = compile_pattern(pattern, err);
	if (!re)
		return REDACT_BAD_PATTERN;
	uint32_t min_length = 0;
	pcre2_pattern_info(re, PCRE2_INFO_MINLENGTH, &min_length);
	pcre2_code_free(re);
	/* A global substitution of an empty match puts the replacement
	 * between every two characters of every text. */
	if (min_length == 0) {
		error_set(err, "it would put the replacement between every two characters");
		return REDACT_EMPTY_MATCH;
	}
	return replacement ? check_replacement(pattern, replacement, err) : REDACT_OK;
}

static void add_one_secret(const char *value)
{
	size_t len = strlen(value);
	if (len < REDACT_SECRET_MIN)
		return;
	size_t at = 0;
	for (; at < n_secrets; at++) {
		if (strcmp(secrets[at], value) == 0)
			return;
		if (strlen(secrets[at]) < len)
			break;
	}
	xgrow(&secrets, &cap_secrets, n_secrets + 1, sizeof *secrets);
	memmove(secrets + at + 1, secrets + at, (n_secrets - at) * sizeof *secrets);
	secrets[at] = xstrdup(value);
	n_secrets++;
}

/* value as it appears in a query string or form body: what an echoing
 * service may hand back of a client secret it was posted. */
static char *url_encoded(const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(strlen(value) * 3 + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

void redact_add_secret(const char *value)
{
	if (!value)
		return;
	add_one_secret(value);
	char *enc = url_encoded(value);
	add_one_secret(enc);
	free(enc);
	/* A webhook URL's secret is its path (Slack's /services/T/B/X,
	 * Teams' /workflows/.../invoke?...&sig=): error messages and logs
	 * quote the path without the host. */
	const char *scheme = strstr(value, "://");
	const char *path = scheme ? strpbrk(scheme + 3, "/?#") : NULL;
	if (path && strlen(path) > 1)
		add_one_secret(path);
}

/* Replaces every occurrence of every registered secret in text (a heap
 * string, consumed); returns the new heap string. */
static char *replace_secrets(char *text)
{
	static const char mark[] = "[REDACTED]";
	for (size_t i = 0; i < n_secrets; i++) {
		const char *hit = strstr(text, secrets[i]);
		if (!hit)
			continue;
		size_t slen = strlen(secrets[i]);
		/* Each hit is at least REDACT_SECRET_MIN bytes: the text never grows
		 * by more than the mark per that many bytes. */
		char *out = xmalloc(strlen(text) / slen * sizeof mark + strlen(text) + 1), *o = out;
		const char *from = text;
		for (; hit; from = hit + slen, hit = strstr(from, secrets[i])) {
			memcpy(o, from, (size_t)(hit - from));
			o += hit - from;
			memcpy(o, mark, sizeof mark - 1);
			o += sizeof mark - 1;
		}
		strcpy(o, from);
		free(text);
		text = out;
	}
	return text;
}

bool redact_holds_secret(const char *text)
{
	for (size_t i = 0; i < n_secrets; i++)
		if (strstr(text, secrets[i]))
			return true;
	return false;
}

char *redact_secrets(const char *text)
{
	return replace_secrets(xstrdup(text));
}

static bool matches(const struct redaction *r, const char *text, size_t len)
{
	return pcre2_match(r->code, (PCRE2_SPTR)text, len, 0, 0, match_data, NULL) >= 0;
}

bool redact_needed(const char *text)
{
	setup();
	if (redact_holds_secret(text))
		return true;
	size_t len = strlen(text);
	for (size_t i = 0; i < n_redactions; i++)
		if (matches(&redactions[i], text, len))
			return true;
	return false;
}

/* Replaces every match of r in text (a heap string, consumed) and returns
 * the new heap string. */
static char *substitute(const struct redaction *r, char *text)
{
	size_t len = strlen(text);
	if (!matches(r, text, len))
		return text;
	PCRE2_SIZE out_len = len * 2 + 64;
	for (int attempt = 0; attempt < 2; attempt++) {
		PCRE2_UCHAR *out = xmalloc(out_len + 1);
		PCRE2_SIZE got = out_len + 1;
		int rc = pcre2_substitute(r->code, (PCRE2_SPTR)text, len, 0,
					  PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH |
						  PCRE2_SUBSTITUTE_UNSET_EMPTY, match_data,
					  NULL, (PCRE2_SPTR)r->replacement, PCRE2_ZERO_TERMINATED, out, &got);
		if (rc >= 0) {
			free(text);
			return (char *)out;
		}
		free(out);
		if (rc != PCRE2_ERROR_NOMEMORY)
			break;
		out_len = got;
	}
	/* A text the substitution cannot handle is not shown at all. */
	free(text);
	return xstrdup("[REDACTED]");
}

char *redact_text(const char *text)
{
	setup();
	char *out = replace_secrets(xstrdup(text));
	for (size_t i = 0; i < n_redactions; i++)
		out = substitute(&redactions[i], out);
	return out;
}

void redact_json(cJSON *item)
{
	for (; item; item = item->next) {
		if (cJSON_IsString(item) && item->valuestring) {
			char *clean = redact_text(item->valuestring);
			if (strcmp(clean, item->valuestring) != 0)
				cJSON_SetValuestring(item, clean);
			free(clean);
		}
		redact_json(item->child);
	}
}
