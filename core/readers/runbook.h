/* Runbooks: Markdown files parsed with md4c into a checklist of steps
 * under sections, as they render on GitHub, and into the whole document
 * in reading order (headings, paragraphs, items, tables, code, quotes,
 * rules) for the RUNBOOK pane to show. Task items (- [ ]) are steps;
 * under a heading with no task items, plain list items are steps too.
 * Optional front matter gives a title, severity, owner and trigger
 * patterns (PCRE2) that suggest the runbook when an alert fires. */
#ifndef CMDR_RUNBOOK_H
#define CMDR_RUNBOOK_H
#include <stdbool.h>
#include <stddef.h>

#define RUNBOOK_MAX_BYTES (4u << 20)  /* larger files are refused */
#define RUNBOOK_MAX_DEPTH 16          /* items nested deeper are text, not steps */
#define RUNBOOK_MAX_STEP_TEXT 4096    /* a step's text is cut beyond this */
/* A console loads at most this many runbooks, and files of at most this
 * many bytes in all (the first by file name, directory by directory): a
 * huge directory cannot take the memory or the startup; the rest are
 * left out, and it says how many. */
#define RUNBOOK_MAX_LOADED 1000
#define RUNBOOK_MAX_TOTAL_BYTES (64u << 20)
/* How deep below each of runbook_dirs runbooks are looked for, and how
 * many directory entries are looked at in all. */
#define RUNBOOK_DIR_DEPTH 8
#define RUNBOOK_DIR_ENTRIES 100000

struct runbook_code {
	char *info;  /* the fence's info string ("sh", "kql"), "" when none or indented */
	char *text;  /* verbatim */
	int line;    /* of the opening fence, from 1 */
};

struct runbook_step {
	char *id;       /* section slug + "/" + step slug: stable for ticks */
	char *text;     /* the item's text, emphasis and links flattened */
	int line;       /* from 1 */
	int depth;      /* 0 for a top-level item, 1 nested once, ... */
	bool task;      /* written as a task item (- [ ] / - [x]) */
	bool done_in_file; /* [x] in the file: shown, but progress comes from the journal */
	int number;     /* its number in an ordered list, 0 otherwise */
	size_t section; /* index into sections */
	struct runbook_code *codes; /* code blocks inside the item */
	size_t n_codes;
};

struct runbook_section {
	char *title;
	char *slug;
	int level; /* 1..6; 0 for the part before the first heading */
	int line;
	struct runbook_code *codes; /* code blocks outside any step */
	size_t n_codes;
};

/* The document in reading order, as GitHub shows it: what the RUNBOOK
 * pane draws. Steps stay in steps[]; an item block names its step. */
enum runbook_block_kind {
	RUNBOOK_HEADING,   /* text, level */
	RUNBOOK_PARAGRAPH, /* text; depth: inside that many list items */
	RUNBOOK_ITEM,      /* a list item's own text; depth, number, task, step */
	RUNBOOK_TABLE,     /* rows of cells, the first the header */
	RUNBOOK_CODE,      /* code (info and verbatim text); item */
	RUNBOOK_QUOTE,     /* a paragraph inside a block quote: text, depth */
	RUNBOOK_RULE,      /* a thematic break */
};

struct runbook_row {
	char **cells; /* flattened as step text is */
	size_t n_cells;
};

struct runbook_block {
	enum runbook_block_kind kind;
	int line;  /* from 1 */
	int level; /* a heading's, 1..6 */
	int depth; /* list items it is inside (for an item: its nesting) */
	char *text; /* heading, paragraph, item and quote text; "" otherwise */
	int number; /* an item's number in an ordered list, 0 otherwise */
	bool task;  /* an item written as a task item */
	bool done;  /* a task item ticked in the file ([x]) */
	long step;  /* an item that is a step: its index in steps; a code
		     * block inside a step: that step; else -1 */
	long item;  /* a code block inside a list item: that item's block, else -1 */
	struct runbook_code code; /* RUNBOOK_CODE: its own copy */
	struct runbook_row *rows; /* RUNBOOK_TABLE */
	size_t n_rows;
};

struct runbook_trigger {
	char *pattern;
	void *code; /* pcre2_code *, compiled */
	int line;
};

struct runbook {
	char *path;
	char *name;     /* file name without directory and .md */
	char *title;    /* front matter, else the first heading, else name */
	char *severity, *owner; /* front matter, or NULL */
	struct runbook_trigger *triggers;
	size_t n_triggers;
	struct runbook_section *sections;
	size_t n_sections;
	struct runbook_step *steps;
	size_t n_steps;
	struct runbook_block *blocks; /* the whole document, in reading order */
	size_t n_blocks;
};

/* An error refuses the file: it cannot be used at all (unreadable, not
 * UTF-8, too large, ...). A warning says what was skipped, cut or
 * guessed; the runbook loads anyway, since teams write runbooks for
 * GitHub, not for cmdr, and a checklist with a warning beats none. */
enum runbook_severity { RUNBOOK_ERROR, RUNBOOK_WARNING };

struct runbook_problem {
	enum runbook_severity severity;
	char *file;
	int line;
	/* The line to print: "FILE:LINE: message" for an error,
	 * "FILE:LINE: warning: message" for a warning. */
	char *text;
	const char *message; /* inside text: the message alone */
};

/* Every problem, in the order found. */
struct runbook_problems {
	struct runbook_problem *list;
	size_t n, cap;
	size_t n_errors;
};

/* Parses text (path names it in messages). Returns -1 when the file is
 * refused (an error among the problems), else 0, warnings or not; *rb
 * must be freed either way. */
int runbook_parse(const char *text, size_t len, const char *path, struct runbook *rb,
		  struct runbook_problems *problems);
/* Reads and parses path; unreadable files and files over
 * RUNBOOK_MAX_BYTES are refused. */
int runbook_load(const char *path, struct runbook *rb, struct runbook_problems *problems);
void runbook_free(struct runbook *rb);
void runbook_problems_free(struct runbook_problems *p);

/* The first trigger pattern matching any of the signals ("slo NAME page
 * 1h/5m endpoint E", "canary E DEPLOYMENT CLASS METRIC fail"), or -1; *signal
 * says which signal matched. */
int runbook_match(const struct runbook *rb, const char *const *signals, size_t n_signals, size_t *signal);

/* The next block after from (dir 1) or before it (dir -1), round the
 * end, whose text, code or cells hold needle (ASCII letters in either
 * case); from itself last. -1: none does. from -1 starts at the top
 * (dir 1) or the bottom. */
long runbook_find(const struct runbook *rb, const char *needle, long from, int dir);

/* The parsed tree for tooling (cmdr runbook lint --json). Caller frees
 * with cJSON_Delete. */
struct cJSON *runbook_to_json(const struct runbook *rb);
/* The problems as [{file, line, severity, message}], added to arr. */
void runbook_problems_to_json(const struct runbook_problems *p, struct cJSON *arr);

#endif
