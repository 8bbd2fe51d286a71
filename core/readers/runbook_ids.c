/* Step ids: slugs of a step's text (stable: ticks in journals name
 * them), and one id per step whatever the text repeats. */
#include "runbook.h"
#include "runbook_impl.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "xalloc.h"

enum char_kind { CHAR_OTHER, CHAR_WORD, CHAR_MARK };

/* What the non-ASCII character at text[at] is (a letter or digit of any
 * script, a combining mark, or anything else) and its length in bytes. */
static enum char_kind char_kind(const char *text, size_t n, size_t at, size_t *len)
{
	/* compiled once, kept for the process */
	static pcre2_code *re;
	static pcre2_match_data *m;
	if (!re) {
		int code;
		PCRE2_SIZE offset;
		re = pcre2_compile((PCRE2_SPTR) "([\\p{L}\\p{N}])|(\\p{M})|.", PCRE2_ZERO_TERMINATED,
				   PCRE2_UTF | PCRE2_UCP | PCRE2_DOTALL | PCRE2_ANCHORED, &code, &offset, NULL);
		m = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
		if (!m)
			abort();
	}
	*len = 1;
	if (pcre2_match(re, (PCRE2_SPTR)text, n, at, 0, m, NULL) < 0)
		return CHAR_OTHER; /* not UTF-8 after all: one byte of nothing */
	const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m);
	if (ov[1] > at)
		*len = ov[1] - at;
	return ov[2] != PCRE2_UNSET ? CHAR_WORD : ov[4] != PCRE2_UNSET ? CHAR_MARK : CHAR_OTHER;
}

/* Runs of letters and digits joined by '-', ASCII letters lowercased:
 * of ASCII only (any other byte parts words), or of any script with
 * their combining marks (others as they are). */
static char *slug_of(const char *text, bool unicode)
{
	size_t n = strlen(text), o = 0;
	char *out = xmalloc(n + 1);
	bool in_word = false;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)text[i];
		size_t len = 1;
		enum char_kind kind;
		if (c < 0x80)
			kind = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? CHAR_WORD
															: CHAR_OTHER;
		else
			kind = unicode ? char_kind(text, n, i, &len) : CHAR_OTHER;
		if (kind == CHAR_WORD || (kind == CHAR_MARK && in_word)) {
			if (!in_word && o)
				out[o++] = '-';
			for (size_t k = 0; k < len; k++)
				out[o++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : text[i + k];
			in_word = true;
		} else {
			in_word = false;
		}
		i += len;
	}
	out[o] = '\0';
	return out;
}

/* The ASCII slug, as ids have always been made, so that the ids in
 * journals stay valid ("vérifier le débit" stays v-rifier-le-d-bit);
 * text with no ASCII word at all (Korean, Cyrillic) gets the slug of
 * its own words instead of an empty one. */
char *runbook_slug(const char *text)
{
	char *slug = slug_of(text, false);
	if (*slug)
		return slug;
	free(slug);
	return slug_of(text, true);
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* A step's own id, before clashes are settled: the slug of its text;
 * when that is empty, "step" for ASCII text (as it always was: an item
 * of code alone, or of punctuation) and else a hash of the text, so
 * that "🚨" and "⚠️" differ. */
char *runbook_step_slug(const char *text)
{
	char *slug = runbook_slug(text);
	if (*slug)
		return slug;
	free(slug);
	bool ascii = true;
	for (const char *c = text; *c; c++)
		ascii &= (unsigned char)*c < 0x80;
	return ascii ? xstrdup("step") : xasprintf("step-%08" PRIx32, fnv1a(text));
}

/* Ids by string: open addressing over step indices. */
struct id_set {
	size_t *slots; /* step index + 1; 0 is empty */
	size_t mask;
};

static void id_set_init(struct id_set *set, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n + 2)
		cap *= 2;
	set->slots = xcalloc(cap, sizeof *set->slots);
	set->mask = cap - 1;
}

/* The slot of id: where it is, or the empty one where it would go. */
static size_t *id_set_slot(const struct id_set *set, const struct runbook *rb, const char *id)
{
	size_t i = fnv1a(id) & set->mask;
	while (set->slots[i] && strcmp(rb->steps[set->slots[i] - 1].id, id) != 0)
		i = (i + 1) & set->mask;
	return &set->slots[i];
}

/* Ticks name steps by id, so two steps with one id would be one
 * checkbox. The first keeps its id; each later one gets -2, -3 ..., in
 * document order, skipping any id another step has of its own: adding a
 * step that repeats one never moves the ticks of the others. */
void runbook_settle_ids(struct runbook *rb, struct runbook_problems *problems)
{
	struct id_set own, taken;
	id_set_init(&own, rb->n_steps);
	id_set_init(&taken, rb->n_steps);
	for (size_t i = 0; i < rb->n_steps; i++) {
		size_t *slot = id_set_slot(&own, rb, rb->steps[i].id);
		if (!*slot)
			*slot = i + 1;
	}
	for (size_t i = 0; i < rb->n_steps; i++) {
		struct runbook_step *s = &rb->steps[i];
		size_t *slot = id_set_slot(&taken, rb, s->id);
		if (!*slot) {
			*slot = i + 1;
			continue;
		}
		int first_line = rb->steps[*slot - 1].line;
		char *id = NULL;
		for (unsigned k = 2;; k++) {
			free(id);
			id = xasprintf("%s-%u", s->id, k);
			if (!*id_set_slot(&own, rb, id) && !*id_set_slot(&taken, rb, id))
				break;
		}
		runbook_warning(problems, rb->path, s->line, "duplicate step id %s (the step at line %d): this one is %s",
			s->id, first_line, id);
		free(s->id);
		s->id = id;
		*id_set_slot(&taken, rb, s->id) = i + 1;
	}
	free(own.slots);
	free(taken.slots);
}
