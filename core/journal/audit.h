/* Offline verification of a journal's chain, and its entries as a table:
 * what `cmdr audit verify` and `cmdr audit show` do. Verification streams
 * the file, so journals far larger than memory verify. */
#ifndef CMDR_AUDIT_H
#define CMDR_AUDIT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

struct audit_result {
	bool intact;
	uint64_t entries;   /* whole lines read */
	uint64_t bytes;
	char head[65];      /* SHA-256 of the last whole line */
	uint64_t bad_seq;   /* the first entry found bad (when !intact) */
	char why[256];
	/* With a published head: the entry whose hash it is (0: none). */
	uint64_t head_seq;
	/* Lines over JOURNAL_LINE_MAX: chained and checked, but no reader
	 * sees them; the first one's line number (0: none) and length. */
	uint64_t long_line, long_bytes, n_long;
};

/* Verifies the chain in path; expect_head (or NULL) is a head published
 * earlier (at any point) that the chain must pass through; head_seq tells
 * whose head it is. Returns -1 only when the file cannot
 * be read; a broken chain is a result, not an error. */
int audit_verify(const char *path, const char *expect_head, struct audit_result *out, struct error *err);

/* A journal line's seq and prev as verification reads them: 1 and both,
 * or 0 when it is not an entry (not JSON, or no number seq or string
 * prev). fast: lines cmdr writes are scanned without building them, the
 * rest parsed (false: always parsed; the two agree, test_audit.c). A prev
 * of more than 64 characters, which no hash equals, is given as "". */
int audit_line_entry(const char *line, size_t len, bool fast, double *seq, char prev[65]);

/* Prints the entries as a table (time, actor, role, action, target,
 * reason, outcome) or, with json, as the raw lines. */
int audit_show(const char *path, bool json, FILE *out, struct error *err);

#endif
