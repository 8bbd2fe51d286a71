#include "pattern.h"

#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "xalloc.h"

struct pattern {
	pcre2_code *code;
	pcre2_match_data *md;
};

struct pattern *pattern_new(const char *text, struct error *err)
{
	int code;
	PCRE2_SIZE offset;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS | PCRE2_UTF, &code,
				       &offset, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		error_set(err, "filter: %s at %zu", (const char *)msg, (size_t)offset);
		return NULL;
	}
	struct pattern *p = xcalloc(1, sizeof *p);
	p->code = re;
	p->md = pcre2_match_data_create_from_pattern(re, NULL);
	return p;
}

bool pattern_match(const struct pattern *p, const char *s)
{
	return s && pcre2_match(p->code, (PCRE2_SPTR)s, strlen(s), 0, 0, p->md, NULL) >= 0;
}

void pattern_free(struct pattern *p)
{
	if (!p)
		return;
	pcre2_match_data_free(p->md);
	pcre2_code_free(p->code);
	free(p);
}
