#include "runbook.h"
#include "runbook_doc.h"
#include "runbook_impl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <md4c.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "sanitize.h"
#include "xalloc.h"

/* A list item being read: it becomes a step once its section is known to
 * have (or not have) task items. */
struct item {
	size_t seq;       /* order of appearance: steps keep the file's order */
	bool task, done;
	int number, depth, line;
	char *text;
	size_t len, cap;
	struct runbook_code *codes;
	size_t n_codes, cap_codes;
	bool text_closed; /* a nested block started: later text is not this item's */
	size_t block; /* its RUNBOOK_ITEM block */
	bool cut; /* its text was longer than RUNBOOK_MAX_STEP_TEXT */
};

struct reader {
	const char *base; /* the whole file, for line numbers */
	size_t base_len;
	const char *body; /* where md4c's offsets count from (after front matter) */
	size_t *line_starts; /* offset of each line's first byte: line numbers by binary search */
	size_t n_lines;
	struct runbook *rb;
	struct runbook_problems *problems;
	const char *path;
	/* open list items, innermost last */
	struct item *open;
	size_t n_open, cap_open;
	/* finished items of the current section, in order */
	struct item *done_items;
	size_t n_done, cap_done;
	size_t next_seq;
	size_t cap_steps, cap_sections;
	/* ordered lists: the next number, per open list */
	int list_number[RUNBOOK_MAX_DEPTH + 2];
	bool list_ordered[RUNBOOK_MAX_DEPTH + 2];
	int lists;
	bool in_heading;
	char *heading;
	size_t heading_len, heading_cap;
	bool in_code;
	struct runbook_code code;
	size_t code_len, code_cap;
	bool code_line_known;
	bool code_fenced;
	size_t code_indent; /* columns of a code line's indentation md4c gave as spaces */
	int last_line;
	bool too_deep;
	int deep; /* lists open below RUNBOOK_MAX_DEPTH: their items are text */
	bool in_html_block;
	bool in_html_comment; /* an inline <!-- not closed yet */
	bool html_gap; /* hidden HTML after a space: the next space is one too many */
	struct runbook_doc doc; /* rb->blocks, built in the same pass */
};


static int line_at(const struct reader *r, const char *ptr)
{
	if (ptr < r->base || ptr > r->base + r->base_len)
		return r->last_line;
	size_t off = (size_t)(ptr - r->base), lo = 0, hi = r->n_lines;
	/* The last line start at or before off. */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (r->line_starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return (int)lo + 1;
}

static void index_lines(struct reader *r)
{
	size_t cap = 0;
	xgrow(&r->line_starts, &cap, 1, sizeof *r->line_starts);
	r->line_starts[r->n_lines++] = 0;
	/* \n, \r\n and a lone \r all end a line, as they do for md4c. */
	for (size_t i = 0; i < r->base_len; i++) {
		if (r->base[i] != '\n' && r->base[i] != '\r')
			continue;
		if (r->base[i] == '\r' && i + 1 < r->base_len && r->base[i + 1] == '\n')
			i++;
		xgrow(&r->line_starts, &cap, r->n_lines + 1, sizeof *r->line_starts);
		r->line_starts[r->n_lines++] = i + 1;
	}
}

void runbook_append(char **buf, size_t *len, size_t *cap, const char *text, size_t n)
{
	xgrow(buf, cap, *len + n + 1, 1);
	memcpy(*buf + *len, text, n);
	*len += n;
	(*buf)[*len] = '\0';
}

void runbook_code_free(struct runbook_code *c)
{
	free(c->info);
	free(c->text);
}

/* The innermost open list item's block, or -1. */
static long open_item_block(const struct reader *r)
{
	return r->n_open ? (long)r->open[r->n_open - 1].block : -1;
}

static void section_add(struct reader *r, const char *title, int level, int line)
{
	struct runbook *rb = r->rb;
	xgrow(&rb->sections, &r->cap_sections, rb->n_sections + 1, sizeof *rb->sections);
	struct runbook_section *s = &rb->sections[rb->n_sections++];
	memset(s, 0, sizeof *s);
	s->title = xstrdup(title);
	s->slug = level == 0 ? xstrdup("top") : runbook_slug(title);
	if (!*s->slug) {
		free(s->slug);
		s->slug = xasprintf("section-%zu", rb->n_sections - 1);
	}
	s->level = level;
	s->line = line;
}

/* The section is over: its items become steps. With any task item in it,
 * only task items are steps; without, every item is. */
static void section_close(struct reader *r)
{
	struct runbook *rb = r->rb;
	bool any_task = false;
	for (size_t i = 0; i < r->n_done; i++)
		any_task |= r->done_items[i].task;
	for (size_t i = 0; i < r->n_done; i++) {
		struct item *it = &r->done_items[i];
		if (any_task && !it->task) {
			for (size_t k = 0; k < it->n_codes; k++)
				runbook_code_free(&it->codes[k]);
			free(it->codes);
			free(it->text);
			continue;
		}
		xgrow(&rb->steps, &r->cap_steps, rb->n_steps + 1, sizeof *rb->steps);
		struct runbook_step *s = &rb->steps[rb->n_steps++];
		memset(s, 0, sizeof *s);
		s->text = it->text ? it->text : xstrdup("");
		if (it->cut)
			runbook_warning(r->problems, r->path, it->line, "step text longer than %d bytes: cut there",
				RUNBOOK_MAX_STEP_TEXT);
		s->line = it->line;
		s->depth = it->depth;
		s->task = it->task;
		s->done_in_file = it->done;
		s->number = it->number;
		s->section = rb->n_sections - 1;
		s->codes = it->codes;
		s->n_codes = it->n_codes;
		rb->blocks[it->block].step = (long)rb->n_steps - 1;
		char *slug = runbook_step_slug(s->text);
		s->id = xasprintf("%s/%s", rb->sections[s->section].slug, slug);
		free(slug);
	}
	r->n_done = 0;
}

static void text_to(struct reader *r, const char *text, size_t n)
{
	bool gap = r->html_gap;
	r->html_gap = false;
	if (r->in_code) {
		runbook_append(&r->code.text, &r->code_len, &r->code_cap, text, n);
		return;
	}
	if (r->in_heading) {
		runbook_append(&r->heading, &r->heading_len, &r->heading_cap, text, n);
		return;
	}
	if (doc_text(&r->doc, text, n))
		return;
	if (r->n_open == 0)
		return;
	struct item *it = &r->open[r->n_open - 1];
	if (gap && n && text[0] == ' ') {
		text++;
		n--;
	}
	if (it->text_closed)
		return;
	/* A step is a line or two; a runaway one is cut at the limit (at a
	 * character's start: the text stays UTF-8), not grown forever. */
	size_t room = it->len < RUNBOOK_MAX_STEP_TEXT ? RUNBOOK_MAX_STEP_TEXT - it->len : 0;
	if (n > room) {
		while (room > 0 && ((unsigned char)text[room] & 0xc0) == 0x80)
			room--;
		n = room;
		it->cut = true;
	}
	if (n)
		runbook_append(&it->text, &it->len, &it->cap, text, n);
}

static int on_enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct reader *r = userdata;
	switch (type) {
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		if (r->n_open)
			r->open[r->n_open - 1].text_closed = true;
		if (r->lists >= RUNBOOK_MAX_DEPTH) {
			r->too_deep = true;
			r->deep++;
			break;
		}
		r->lists++;
		r->list_ordered[r->lists] = type == MD_BLOCK_OL;
		r->list_number[r->lists] = type == MD_BLOCK_OL ? (int)((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
		break;
	case MD_BLOCK_LI: {
		const MD_BLOCK_LI_DETAIL *d = detail;
		if (r->deep) { /* below the cap: a paragraph of its own, box and all */
			doc_leave(&r->doc, MD_BLOCK_P, (int)r->n_open, r->last_line);
			doc_paragraph(&r->doc);
			if (d->is_task)
				doc_text(&r->doc, d->task_mark == ' ' ? "[ ] " : "[x] ", 4);
			break;
		}
		xgrow(&r->open, &r->cap_open, r->n_open + 1, sizeof *r->open);
		struct item *it = &r->open[r->n_open++];
		memset(it, 0, sizeof *it);
		it->seq = r->next_seq++;
		it->task = d->is_task;
		it->done = d->is_task && (d->task_mark == 'x' || d->task_mark == 'X');
		it->depth = (int)r->n_open - 1;
		it->number = r->list_ordered[r->lists] ? r->list_number[r->lists]++ : 0;
		it->line = d->is_task ? line_at(r, r->body + d->task_mark_offset) : -1;
		it->block = doc_item(&r->doc, it->depth, it->number, it->line);
		break;
	}
	case MD_BLOCK_H:
		/* A heading inside a list item (- ## x) is the item's: the
		 * items around it are not over, so no section starts. */
		if (r->n_open)
			r->open[r->n_open - 1].text_closed |= r->open[r->n_open - 1].len > 0;
		else
			section_close(r);
		r->in_heading = true;
		r->heading_len = 0;
		if (r->heading)
			r->heading[0] = '\0';
		break;
	case MD_BLOCK_CODE: {
		const MD_BLOCK_CODE_DETAIL *d = detail;
		memset(&r->code, 0, sizeof r->code);
		r->code.info = xmalloc((size_t)d->info.size + 1);
		memcpy(r->code.info, d->info.text ? d->info.text : "", d->info.size);
		r->code.info[d->info.size] = '\0';
		r->code.text = xstrdup("");
		r->code_len = 0;
		r->code_cap = 1;
		r->code.line = r->last_line + 1;
		r->code_line_known = false;
		r->code_fenced = d->fence_char != 0;
		r->in_code = true;
		if (r->n_open)
			r->open[r->n_open - 1].text_closed |= r->open[r->n_open - 1].len > 0;
		break;
	}
	case MD_BLOCK_HTML:
		r->in_html_block = true;
		/* fall through */
	case MD_BLOCK_QUOTE:
	case MD_BLOCK_TABLE:
		if (r->n_open)
			r->open[r->n_open - 1].text_closed |= r->open[r->n_open - 1].len > 0;
		doc_enter(&r->doc, type, (int)r->n_open);
		break;
	case MD_BLOCK_TR:
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		doc_enter(&r->doc, type, (int)r->n_open);
		break;
	case MD_BLOCK_HR:
		doc_rule(&r->doc, doc_rule_line(r->base, r->base_len, r->line_starts, r->n_lines, r->last_line),
			 (int)r->n_open);
		break;
	case MD_BLOCK_P:
		if (r->deep) { /* an item below the cap gathers its text */
			if (!r->doc.in_para)
				doc_paragraph(&r->doc);
			break;
		}
		/* A second paragraph in an item is a note, not the step. */
		if (r->n_open && r->open[r->n_open - 1].len > 0)
			r->open[r->n_open - 1].text_closed = true;
		/* The item's first paragraph is its own text; any other is
		 * a paragraph of the document. */
		if (!r->n_open || r->open[r->n_open - 1].text_closed || r->doc.quotes)
			doc_paragraph(&r->doc);
		break;
	default:
		break;
	}
	return 0;
}

void runbook_trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	size_t lead = strspn(s, " \t");
	memmove(s, s + lead, n - lead + 1);
}

static int on_leave_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	(void)detail;
	struct reader *r = userdata;
	switch (type) {
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		if (r->deep)
			r->deep--;
		else
			r->lists--;
		break;
	case MD_BLOCK_HTML:
		r->in_html_block = false;
		break;
	case MD_BLOCK_P:
		if (r->deep)
			break; /* its item ends the paragraph */
		/* fall through */
	case MD_BLOCK_QUOTE:
	case MD_BLOCK_TABLE:
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		doc_leave(&r->doc, type, (int)r->n_open, r->last_line);
		break;
	case MD_BLOCK_LI: {
		if (r->deep) {
			doc_leave(&r->doc, MD_BLOCK_P, (int)r->n_open, r->last_line);
			break;
		}
		struct item it = r->open[--r->n_open];
		if (!it.text)
			it.text = xstrdup("");
		runbook_trim(it.text);
		/* libmd4c 0.4.8 loses the task mark of an item after one
		 * holding a block quote ("- [ ] one\n  > q\n- [ ] two"):
		 * GitHub shows a checkbox there, so it is a task item. */
		if (!it.task && it.text[0] == '[' && strchr(" xX", it.text[1]) && it.text[1] && it.text[2] == ']' &&
		    (it.text[3] == ' ' || it.text[3] == '\t')) {
			it.task = true;
			it.done = it.text[1] != ' ';
			memmove(it.text, it.text + 4, strlen(it.text + 4) + 1);
			runbook_trim(it.text);
		}
		if (it.line < 0)
			it.line = r->last_line;
		doc_item_done(&r->doc, it.block, it.text, it.task, it.done, it.line);
		xgrow(&r->done_items, &r->cap_done, r->n_done + 1, sizeof *r->done_items);
		/* Items finish innermost first; put each where it started so
		 * steps keep the file's order. */
		size_t at = r->n_done;
		while (at > 0 && r->done_items[at - 1].seq > it.seq)
			at--;
		memmove(r->done_items + at + 1, r->done_items + at, (r->n_done - at) * sizeof *r->done_items);
		r->done_items[at] = it;
		r->n_done++;
		break;
	}
	case MD_BLOCK_H: {
		const MD_BLOCK_H_DETAIL *d = detail;
		r->in_heading = false;
		char *title = xstrdup(r->heading ? r->heading : "");
		runbook_trim(title);
		if (!r->n_open)
			section_add(r, title, (int)d->level, r->last_line);
		doc_heading(&r->doc, title, (int)d->level, r->last_line, (int)r->n_open);
		free(title);
		break;
	}
	case MD_BLOCK_CODE: {
		r->in_code = false;
		doc_code(&r->doc, &r->code, open_item_block(r), (int)r->n_open);
		if (r->n_open) {
			struct item *it = &r->open[r->n_open - 1];
			xgrow(&it->codes, &it->cap_codes, it->n_codes + 1, sizeof *it->codes);
			it->codes[it->n_codes++] = r->code;
		} else {
			struct runbook_section *s = &r->rb->sections[r->rb->n_sections - 1];
			s->codes = xrealloc(s->codes, (s->n_codes + 1) * sizeof *s->codes);
			s->codes[s->n_codes++] = r->code;
		}
		memset(&r->code, 0, sizeof r->code);
		break;
	}
	default:
		break;
	}
	return 0;
}

static int on_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	(void)type;
	(void)detail;
	(void)userdata;
	return 0; /* emphasis, links and code spans are flattened to their text */
}

static bool memspn_spaces(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ')
			return false;
	return true;
}

static void code_spaces(struct reader *r, size_t n)
{
	static const char blanks[] = "                ";
	for (; n > 0; n -= n < 16 ? n : 16)
		text_to(r, blanks, n < 16 ? n : 16);
}

/* A code block's text: its lines' indentation as the file has it. */
static void code_text(struct reader *r, const char *text, size_t size)
{
	bool in_file = text >= r->base && text < r->base + r->base_len;
	if (!in_file && size > 0 && text[0] == ' ' && size <= 16 && memspn_spaces(text, size)) {
		r->code_indent += size;
		return;
	}
	if (r->code_indent && in_file) {
		size_t spaces;
		const char *line = r->base + r->line_starts[line_at(r, text) - 1];
		const char *from = runbook_code_indent(line, text, r->code_indent, &spaces);
		code_spaces(r, spaces);
		if (from < text)
			text_to(r, from, (size_t)(text - from));
	} else if (r->code_indent) {
		code_spaces(r, r->code_indent);
	}
	r->code_indent = 0;
	text_to(r, text, size);
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *userdata)
{
	struct reader *r = userdata;
	/* Fuzzing met a text callback (in libmd4c 0.4.8) whose size was
	 * (MD_SIZE)-1 on rare inputs: no real text is longer than the file,
	 * nor runs past its end. */
	if (size > r->base_len ||
	    (text >= r->base && text < r->base + r->base_len && (size_t)(r->base + r->base_len - text) < size))
		return 0;
	if (text >= r->base && text < r->base + r->base_len) {
		int line = line_at(r, text);
		r->last_line = line;
		doc_line(&r->doc, line);
		if (r->in_code && !r->code_line_known) {
			r->code_line_known = true;
			/* A fence opens the line above its first text line. */
			r->code.line = r->code_fenced ? line - 1 : line;
		}
		/* An item of code alone starts where its fence does. */
		if (r->n_open && r->open[r->n_open - 1].line < 0)
			r->open[r->n_open - 1].line = r->in_code ? r->code.line : line;
	}
	switch (type) {
	case MD_TEXT_CODE:
		if (r->in_code)
			code_text(r, text, size);
		else
			text_to(r, text, size);
		break;
	case MD_TEXT_HTML:
		if (r->in_html_block)
			break;
		if (!runbook_html_hidden(&r->in_html_comment, text, size)) {
			text_to(r, text, size);
		} else if (size >= 3 && strncasecmp(text, "<br", 3) == 0) {
			text_to(r, " ", 1);
		} else if (r->n_open && !r->in_heading) {
			/* "a <!-- x --> b" reads "a b", not "a  b" */
			const struct item *it = &r->open[r->n_open - 1];
			r->html_gap = it->len && it->text[it->len - 1] == ' ';
		}
		break;
	case MD_TEXT_NULLCHAR:
		text_to(r, "\xef\xbf\xbd", 3);
		break;
	case MD_TEXT_BR:
	case MD_TEXT_SOFTBR:
		/* Lazy continuation lines join the step's text. */
		text_to(r, r->in_code ? "\n" : " ", 1);
		break;
	case MD_TEXT_ENTITY: {
		char buf[8];
		const char *shown;
		size_t n = runbook_entity(text, size, buf, &shown);
		text_to(r, shown, n);
		break;
	}
	default:
		text_to(r, text, size);
		break;
	}
	return 0;
}

static int parse_text(const char *text, size_t len, const char *path, struct runbook *rb,
		      struct runbook_problems *problems);

static void front_matter_forget(struct runbook *rb)
{
	free(rb->title);
	free(rb->severity);
	free(rb->owner);
	rb->title = rb->severity = rb->owner = NULL;
	for (size_t i = 0; i < rb->n_triggers; i++) {
		free(rb->triggers[i].pattern);
		pcre2_code_free(rb->triggers[i].code);
	}
	free(rb->triggers);
	rb->triggers = NULL;
	rb->n_triggers = 0;
}

/* libmd4c 0.4.8 (Debian bookworm's) reads past the end of a text whose
 * last line has no line end (an inline link left open at the end of the
 * file made it read the byte after the buffer, and worse on other
 * inputs; fixed upstream in 0.5). Such a text is parsed from a copy that
 * ends in \n, which Markdown reads the same. */
int runbook_parse(const char *text, size_t len, const char *path, struct runbook *rb,
		  struct runbook_problems *problems)
{
	if (len > RUNBOOK_MAX_BYTES || (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r')))
		return parse_text(text, len, path, rb, problems); /* too large is refused unread */
	char *own = xmalloc(len + 1);
	memcpy(own, text, len);
	own[len] = '\n';
	int rc = parse_text(own, len + 1, path, rb, problems);
	free(own);
	return rc;
}

static int parse_text(const char *text, size_t len, const char *path, struct runbook *rb,
		      struct runbook_problems *problems)
{
	memset(rb, 0, sizeof *rb);
	size_t errors_before = problems->n_errors;
	rb->path = xstrdup(path);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t bl = strlen(base);
	rb->name = xasprintf("%.*s", (int)(bl > 3 && strcmp(base + bl - 3, ".md") == 0 ? bl - 3 : bl), base);
	if (len > RUNBOOK_MAX_BYTES) {
		runbook_error(problems, path, 1, "too large (%zu bytes, limit %u MiB)", len, RUNBOOK_MAX_BYTES >> 20);
		return -1;
	}
	size_t bad = utf8_check(text, len);
	if (bad < len) {
		int line = 1;
		for (size_t i = 0; i < bad; i++)
			line += text[i] == '\n';
		runbook_error(problems, path, line, "invalid UTF-8 (byte 0x%02x at offset %zu)", (unsigned char)text[bad], bad);
		return -1;
	}
	/* A byte order mark, as Windows editors write: not text, and
	 * before the front matter's ---. */
	size_t bom = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	bool closed;
	size_t fm_problems = problems->n;
	size_t body = bom + runbook_front_matter(rb, text + bom, len - bom, path, problems, &closed);
	if (!closed) {
		/* A first line of --- and no other: GitHub shows a rule and the
		 * rest as Markdown, and so does cmdr, keeping nothing of it as
		 * front matter. */
		runbook_problems_truncate(problems, fm_problems);
		front_matter_forget(rb);
		body = bom;
		runbook_warning(problems, path, 1, "front matter is not closed (no --- line): read as Markdown");
	}
	struct reader r = { .base = text, .base_len = len, .body = text + body, .rb = rb, .problems = problems,
			    .path = path };
	doc_init(&r.doc, rb);
	index_lines(&r);
	r.last_line = line_at(&r, text + body);
	section_add(&r, "", 0, 1);
	MD_PARSER parser = {
		.abi_version = 0,
		/* HTML recognised as GitHub does, so that a task line inside
		 * <!-- ... --> or an HTML block is no step; its text is
		 * dropped in on_text. */
		.flags = MD_DIALECT_GITHUB,
		.enter_block = on_enter_block,
		.leave_block = on_leave_block,
		.enter_span = on_span,
		.leave_span = on_span,
		.text = on_text,
	};
	int rc = md_parse(text + body, (MD_SIZE)(len - body), &parser, &r);
	section_close(&r);
	/* Whatever an aborted parse left open. */
	for (size_t i = 0; i < r.n_open; i++) {
		free(r.open[i].text);
		for (size_t k = 0; k < r.open[i].n_codes; k++)
			runbook_code_free(&r.open[i].codes[k]);
		free(r.open[i].codes);
	}
	free(r.open);
	free(r.line_starts);
	free(r.done_items);
	free(r.heading);
	doc_finish(&r.doc, r.last_line);
	if (r.in_code)
		runbook_code_free(&r.code);
	/* Both stop md_parse half way: the steps after the point are lost,
	 * and a checklist missing its end must not pass for whole. */
	if (r.too_deep)
		runbook_warning(problems, path, 1,
			"lists nested deeper than %d levels: the items below level %d are shown as text, not steps",
			RUNBOOK_MAX_DEPTH, RUNBOOK_MAX_DEPTH);
	if (rc != 0)
		runbook_error(problems, path, 1, "cannot be parsed as Markdown");
	if (!rb->title) {
		for (size_t i = 1; i < rb->n_sections && !rb->title; i++)
			if (*rb->sections[i].title)
				rb->title = xstrdup(rb->sections[i].title);
		if (!rb->title)
			rb->title = xstrdup(rb->name);
	}
	if (rb->n_steps == 0)
		runbook_warning(problems, path, 1,
			"no steps (no task items, and no list items under a heading without task items): "
			"loaded as reference");
	runbook_settle_ids(rb, problems);
	return problems->n_errors == errors_before ? 0 : -1;
}
