#include "haproxy.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "apimsg.h"
#include "xalloc.h"

/* How much of an answer HAProxy was not expected to give a message
 * quotes. */
#define ANSWER_EXCERPT_MAX 120

bool haproxy_name_ok(const char *name)
{
	if (!name || !*name)
		return false;
	for (const char *p = name; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.' || c == ':'))
			return false;
	}
	return true;
}

char *haproxy_show_state_cmd(const char *backend)
{
	return xasprintf("show servers state %s\n", backend);
}

char *haproxy_set_weight_cmd(const char *backend, const char *server, int weight)
{
	if (weight < 0)
		weight = 0;
	if (weight > HAPROXY_WEIGHT_MAX)
		weight = HAPROXY_WEIGHT_MAX;
	return xasprintf("set server %s/%s weight %d\n", backend, server, weight);
}

/* The answer's first line, without trailing blanks, in buf. */
static void first_line(const char *text, size_t len, char *buf, size_t size)
{
	size_t n = 0;
	while (n < len && text[n] != '\n' && text[n] != '\0')
		n++;
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\r'))
		n--;
	apimsg_excerpt(text, n, buf, size);
	if (n == 0)
		buf[0] = '\0';
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* HAProxy's refusals that any command may get, as plain lines; 1 when
 * the line is none of them. */
static int common_refusal(const char *line, const char *backend, const char *command, struct error *err)
{
	if (starts(line, "No such backend.") || starts(line, "Can't find backend."))
		return apimsg_error_set(err, "no such backend \"%s\"; check the target's \"backend\"", backend);
	if (starts(line, "Permission denied"))
		return apimsg_error_set(err, "permission denied: the runtime API socket needs \"level admin\" "
					     "on its stats socket line to %s",
					command);
	if (starts(line, "Unknown command"))
		return apimsg_error_set(err, "HAProxy does not know the command to %s (unknown command)", command);
	return 1;
}

int haproxy_set_answer(const char *answer, size_t len, const char *backend, const char *server, int weight,
		       struct error *err)
{
	size_t end = len;
	while (end > 0 && (answer[end - 1] == '\n' || answer[end - 1] == '\r' || answer[end - 1] == ' '))
		end--;
	if (end == 0)
		return 0;
	char line[ANSWER_EXCERPT_MAX + 8];
	first_line(answer, end, line, sizeof line);
	if (starts(line, "No such server."))
		return apimsg_error_set(err, "no such server \"%s\" in backend \"%s\"; check the target's \"servers\"",
					server, backend);
	if (starts(line, "Backend is using a static LB algorithm"))
		return apimsg_error_set(err,
					"backend \"%s\" uses a static balance algorithm: only 0%% or 100%% of a "
					"server's configured weight works there (refused: \"%s\" weight %d)",
					backend, server, weight);
	if (common_refusal(line, backend, "change weights", err) < 0)
		return -1;
	return apimsg_error_set(err, "HAProxy refused \"set server %s/%s weight %d\": \"%s\"", backend, server, weight,
				line);
}

/* ---- show servers state ------------------------------------------------- */

enum column { COL_BE_NAME, COL_SRV_NAME, COL_OP_STATE, COL_ADMIN_STATE, COL_UWEIGHT, N_COLUMNS };
static const char *const column_name[N_COLUMNS] = { "be_name", "srv_name", "srv_op_state", "srv_admin_state",
						     "srv_uweight" };

/* The next line of text[*at..len) in a fresh string, or NULL at the end
 * or when the last line has no newline (the answer was cut short: *cut
 * set). NUL bytes end the line's text but not the line. */
static char *next_line(const char *text, size_t len, size_t *at, bool *cut)
{
	if (*at >= len)
		return NULL;
	const char *nl = memchr(text + *at, '\n', len - *at);
	if (!nl) {
		*cut = true;
		return NULL;
	}
	size_t n = (size_t)(nl - (text + *at));
	char *line = xstrndup(text + *at, n);
	*at += n + 1;
	return line;
}

/* Splits line in place on blanks; returns the number of fields (at most
 * max; the rest are counted, not kept). */
static size_t split_fields(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	for (char *f = strtok_r(line, " \t\r", &save); f; f = strtok_r(NULL, " \t\r", &save)) {
		if (n < max)
			fields[n] = f;
		n++;
	}
	return n;
}

static bool parse_int(const char *s, int max, int *out)
{
	long v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > max)
			return false;
	}
	*out = (int)v;
	return true;
}

#define MAX_HEADER_FIELDS 128

/* The header's columns: where each one cmdr reads is, and how many there
 * are (each row must have as many). */
static int parse_header(char *line, int *col, size_t *n_cols, struct error *err)
{
	if (line[0] != '#')
		return apimsg_error_set(err, "show servers state: expected the \"# be_id be_name ...\" header, got \"%.60s\"",
					line);
	char *fields[MAX_HEADER_FIELDS];
	size_t n = split_fields(line + 1, fields, MAX_HEADER_FIELDS);
	if (n > MAX_HEADER_FIELDS)
		return apimsg_error_set(err, "show servers state: %zu columns in the header, more than %d", n,
					MAX_HEADER_FIELDS);
	for (int c = 0; c < N_COLUMNS; c++) {
		col[c] = -1;
		for (size_t i = 0; i < n && col[c] < 0; i++)
			if (strcmp(fields[i], column_name[c]) == 0)
				col[c] = (int)i;
		if (col[c] < 0)
			return apimsg_error_set(err, "show servers state: the header has no %s column", column_name[c]);
	}
	*n_cols = n;
	return 0;
}

static int parse_row(char *line, size_t lineno, const int *col, size_t n_cols, const char *backend,
		     struct haproxy_state *out, size_t *cap, struct error *err)
{
	char *fields[MAX_HEADER_FIELDS];
	size_t n = split_fields(line, fields, MAX_HEADER_FIELDS);
	if (n != n_cols)
		return apimsg_error_set(err, "show servers state: line %zu has %zu fields, the header %zu", lineno, n,
					n_cols);
	if (backend && strcmp(fields[col[COL_BE_NAME]], backend) != 0)
		return 0;
	struct haproxy_server s = { 0 };
	if (!parse_int(fields[col[COL_OP_STATE]], 3, &s.op_state) ||
	    !parse_int(fields[col[COL_ADMIN_STATE]], 0xff, &s.admin_state) ||
	    !parse_int(fields[col[COL_UWEIGHT]], HAPROXY_WEIGHT_MAX, &s.weight))
		return apimsg_error_set(err, "show servers state: line %zu: a state or weight that is not a number "
					     "HAProxy would give",
					lineno);
	xgrow(&out->servers, cap, out->n + 1, sizeof *out->servers);
	s.name = xstrdup(fields[col[COL_SRV_NAME]]);
	out->servers[out->n++] = s;
	return 0;
}

int haproxy_parse_state(const char *text, size_t len, const char *backend, struct haproxy_state *out,
			struct error *err)
{
	memset(out, 0, sizeof *out);
	char line1[ANSWER_EXCERPT_MAX + 8];
	first_line(text, len, line1, sizeof line1);
	if (strcmp(line1, "1") != 0) {
		if (common_refusal(line1, backend ? backend : "?", "read the servers' state", err) < 0)
			return -1;
		if (!*line1)
			return apimsg_error_set(err, "show servers state: an empty answer");
		return apimsg_error_set(err, "show servers state: expected format version 1, got \"%s\"", line1);
	}
	size_t at = 0, cap = 0, lineno = 1;
	bool cut = false;
	int col[N_COLUMNS];
	size_t n_cols = 0;
	char *line = next_line(text, len, &at, &cut); /* the version, checked above */
	free(line);
	line = next_line(text, len, &at, &cut);
	lineno++;
	if (!line)
		return apimsg_error_set(err, "show servers state: the answer ends before its header");
	int rc = parse_header(line, col, &n_cols, err);
	free(line);
	if (rc != 0)
		return -1;
	/* One row per server; an empty line ends the answer. */
	while (rc == 0 && (line = next_line(text, len, &at, &cut)) != NULL) {
		lineno++;
		bool blank = line[strspn(line, " \t\r")] == '\0';
		if (!blank)
			rc = parse_row(line, lineno, col, n_cols, backend, out, &cap, err);
		free(line);
		if (blank)
			break;
	}
	if (rc == 0 && cut)
		rc = apimsg_error_set(err, "show servers state: the answer was cut short");
	if (rc != 0)
		haproxy_state_free(out);
	return rc;
}

void haproxy_state_free(struct haproxy_state *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->servers[i].name);
	free(s->servers);
	memset(s, 0, sizeof *s);
}

const struct haproxy_server *haproxy_state_find(const struct haproxy_state *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->servers[i].name, name) == 0)
			return &s->servers[i];
	return NULL;
}

const char *haproxy_server_state(const struct haproxy_server *s)
{
	if (s->admin_state & HAPROXY_ADMIN_MAINT)
		return "MAINT";
	if (s->admin_state & HAPROXY_ADMIN_DRAIN)
		return "DRAIN";
	if (s->op_state == HAPROXY_OP_STOPPED)
		return "DOWN";
	return "UP";
}

int haproxy_server_share(const struct haproxy_server *s)
{
	if (s->admin_state & (HAPROXY_ADMIN_MAINT | HAPROXY_ADMIN_DRAIN))
		return 0;
	return s->weight;
}

void haproxy_weights_to_percent(const int *weights, size_t n, int *percent)
{
	long long total = 0;
	for (size_t i = 0; i < n; i++)
		total += weights[i] > 0 ? weights[i] : 0;
	if (total == 0) {
		for (size_t i = 0; i < n; i++)
			percent[i] = 0;
		return;
	}
	long long given = 0;
	for (size_t i = 0; i < n; i++) {
		long long w = weights[i] > 0 ? weights[i] : 0;
		percent[i] = (int)(w * 100 / total);
		given += percent[i];
	}
	/* What flooring left over goes, a point each, to the largest
	 * remainders. */
	while (given < 100) {
		size_t best = n;
		long long best_rem = -1;
		for (size_t i = 0; i < n; i++) {
			long long w = weights[i] > 0 ? weights[i] : 0;
			long long rem = w * 100 - (long long)percent[i] * total;
			if (w > 0 && rem > best_rem) {
				best = i;
				best_rem = rem;
			}
		}
		percent[best]++;
		given++;
	}
}

int haproxy_percent_to_weight(int percent)
{
	if (percent < 0)
		return 0;
	return percent > 100 ? 100 : percent;
}
