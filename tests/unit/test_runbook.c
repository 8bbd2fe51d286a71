/* Runbook parsing: what becomes a step (task items anywhere, plain items
 * only under a heading without task items, code never), sections, ids,
 * front matter and triggers, every lint problem as "file:line: problem",
 * and the runbooks shipped in runbooks/, each suggested by its drill's
 * signal. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "check.h"
#include "runbook.h"
#include "scenario.h"

#define PATH "t/x.md"

static const char *runbooks_dir(void)
{
	static char dir[4096];
	const char *tests = getenv("TESTS_DIR");
	if (!tests || !*tests)
		return "runbooks";
	snprintf(dir, sizeof dir, "%s/../runbooks", tests);
	return dir;
}

static const char *drills_dir(void)
{
	static char dir[4096];
	const char *tests = getenv("TESTS_DIR");
	if (!tests || !*tests)
		return "drills";
	snprintf(dir, sizeof dir, "%s/../drills", tests);
	return dir;
}

static bool starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static void print_problems(const struct runbook_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		printf("#     problem: %s\n", p->list[i].text);
}

/* Every problem is one line that starts with the path and a colon. */
static void check_problems_shape(const struct runbook_problems *p, const char *path, int line)
{
	char prefix[4200];
	snprintf(prefix, sizeof prefix, "%s:", path);
	for (size_t i = 0; i < p->n; i++) {
		if (!starts_with(p->list[i].text, prefix) || strchr(p->list[i].text, '\n') ||
		    strchr(p->list[i].text, '\r')) {
			printf("#   line %d: badly formed problem: %s\n", line, p->list[i].text);
			check_current_failures++;
		}
	}
}

static int parse_len(const char *text, size_t len, struct runbook *rb, struct runbook_problems *p)
{
	memset(p, 0, sizeof *p);
	/* An exact-size copy, so a read past the given length is caught by
	 * the sanitizers. */
	char *copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, text, len);
	int rc = runbook_parse(copy, len, PATH, rb, p);
	free(copy);
	check_problems_shape(p, PATH, __LINE__);
	return rc;
}

static int parse(const char *text, struct runbook *rb, struct runbook_problems *p)
{
	return parse_len(text, strlen(text), rb, p);
}

/* Parses text that must be clean: rc 0 and no problems. */
static bool parse_clean_at(const char *text, struct runbook *rb, int line)
{
	struct runbook_problems p;
	int rc = parse(text, rb, &p);
	bool ok = rc == 0 && p.n == 0;
	if (!ok) {
		printf("#   line %d: runbook_parse returned %d with %zu problems\n", line, rc, p.n);
		print_problems(&p);
		check_current_failures++;
	}
	runbook_problems_free(&p);
	return ok;
}
#define parse_clean(text, rb) parse_clean_at(text, rb, __LINE__)

static bool has_problem(const struct runbook_problems *p, const char *prefix)
{
	for (size_t i = 0; i < p->n; i++)
		if (starts_with(p->list[i].text, prefix))
			return true;
	return false;
}

/* Parses text that must give a problem of that severity starting with
 * prefix (and, when contains is not NULL, containing it too): refused
 * (rc -1) for an error, loaded (rc 0) for a warning. */
static void expect_severity_at(const char *text, size_t len, enum runbook_severity severity,
			       const char *prefix, const char *contains, int line)
{
	struct runbook rb;
	struct runbook_problems p;
	int rc = parse_len(text, len, &rb, &p);
	bool found = false;
	for (size_t i = 0; i < p.n; i++)
		if (p.list[i].severity == severity && starts_with(p.list[i].text, prefix) &&
		    (!contains || strstr(p.list[i].text, contains)))
			found = true;
	if (rc != (severity == RUNBOOK_ERROR ? -1 : 0) || !found) {
		printf("#   line %d: rc %d; expected %s starting \"%s\"%s%s%s\n", line, rc,
		       severity == RUNBOOK_ERROR ? "an error" : "a warning", prefix,
		       contains ? " containing \"" : "", contains ? contains : "", contains ? "\"" : "");
		print_problems(&p);
		check_current_failures++;
	}
	runbook_free(&rb);
	runbook_problems_free(&p);
}
#define expect_problem(text, prefix, contains) \
	expect_severity_at(text, strlen(text), RUNBOOK_ERROR, prefix, contains, __LINE__)
#define expect_warning(text, prefix, contains) \
	expect_severity_at(text, strlen(text), RUNBOOK_WARNING, prefix, contains, __LINE__)

static const struct runbook_step *step_by_text(const struct runbook *rb, const char *text)
{
	for (size_t i = 0; i < rb->n_steps; i++)
		if (rb->steps[i].text && !strcmp(rb->steps[i].text, text))
			return &rb->steps[i];
	return NULL;
}

static const struct runbook_step *step_by_id(const struct runbook *rb, const char *id)
{
	for (size_t i = 0; i < rb->n_steps; i++)
		if (rb->steps[i].id && !strcmp(rb->steps[i].id, id))
			return &rb->steps[i];
	return NULL;
}

static const struct runbook_section *section_by_title(const struct runbook *rb, const char *title)
{
	for (size_t i = 0; i < rb->n_sections; i++)
		if (rb->sections[i].title && !strcmp(rb->sections[i].title, title))
			return &rb->sections[i];
	return NULL;
}

static void print_steps(const struct runbook *rb)
{
	for (size_t i = 0; i < rb->n_steps; i++) {
		const struct runbook_step *s = &rb->steps[i];
		printf("#     step %zu: line %d depth %d task %d done %d number %d section %zu id \"%s\" text \"%s\"\n",
		       i, s->line, s->depth, s->task, s->done_in_file, s->number, s->section,
		       s->id ? s->id : "(null)", s->text ? s->text : "(null)");
	}
}

/* A step that must be there, with its line, depth, task and number. */
static const struct runbook_step *expect_step_at(const struct runbook *rb, const char *text, int line,
						 int depth, bool task, int number, int src_line)
{
	const struct runbook_step *s = step_by_text(rb, text);
	if (!s) {
		printf("#   line %d: no step with text \"%s\"; the steps are:\n", src_line, text);
		print_steps(rb);
		check_current_failures++;
		return NULL;
	}
	if (s->line != line || s->depth != depth || s->task != task || s->number != number) {
		printf("#   line %d: step \"%s\": line %d depth %d task %d number %d, expected line %d depth %d task %d number %d\n",
		       src_line, text, s->line, s->depth, s->task, s->number, line, depth, task, number);
		check_current_failures++;
	}
	return s;
}
#define expect_step(rb, text, line, depth, task, number) \
	expect_step_at(rb, text, line, depth, task, number, __LINE__)

/* Code is verbatim; whether the block's last line keeps its newline is
 * left to the parser, so one trailing "\n" is allowed either way. */
static void check_code_at(const struct runbook_code *c, const char *info, const char *text, int line,
			  int src_line)
{
	size_t n = strlen(text), m = c->text ? strlen(c->text) : 0;
	bool text_ok = c->text && (!strcmp(c->text, text) ||
				   (m == n + 1 && !strncmp(c->text, text, n) && c->text[n] == '\n'));
	if (!c->info || strcmp(c->info, info) != 0 || !text_ok || c->line != line) {
		printf("#   line %d: code info \"%s\" line %d text \"%s\"\n#     expected info \"%s\" line %d text \"%s\"\n",
		       src_line, c->info ? c->info : "(null)", c->line, c->text ? c->text : "(null)", info,
		       line, text);
		check_current_failures++;
	}
}
#define check_code(c, info, text, line) check_code_at(c, info, text, line, __LINE__)

/* ---- what becomes a step ------------------------------------------------ */

static void test_task_markers(void)
{
	struct runbook rb;
	const char *text = "# Markers\n"         /* 1 */
			   "\n"                  /* 2 */
			   "- [ ] dash\n"        /* 3 */
			   "* [x] star\n"        /* 4 */
			   "+ [X] plus\n"        /* 5 */
			   "1. [ ] one\n"        /* 6 */
			   "2. [x] two\n"        /* 7 */
			   "\n"                  /* 8 */
			   "- [y] not a task\n"; /* 9 */
	if (!parse_clean(text, &rb))
		goto out;
	CHECK(rb.n_steps == 5);
	const struct runbook_step *s;
	if ((s = expect_step(&rb, "dash", 3, 0, true, 0)))
		CHECK(!s->done_in_file);
	if ((s = expect_step(&rb, "star", 4, 0, true, 0)))
		CHECK(s->done_in_file);
	if ((s = expect_step(&rb, "plus", 5, 0, true, 0)))
		CHECK(s->done_in_file);
	if ((s = expect_step(&rb, "one", 6, 0, true, 1)))
		CHECK(!s->done_in_file);
	if ((s = expect_step(&rb, "two", 7, 0, true, 2)))
		CHECK(s->done_in_file);
	/* [y] is no task mark: a plain item, under a heading with tasks */
	CHECK(step_by_text(&rb, "[y] not a task") == NULL);
	/* document order */
	if (rb.n_steps == 5) {
		CHECK_STR(rb.steps[0].text, "dash");
		CHECK_STR(rb.steps[4].text, "two");
	}
out:
	runbook_free(&rb);
}

static void test_nested_three_levels(void)
{
	struct runbook rb;
	const char *text = "## Roll back\n"               /* 1 */
			   "\n"                           /* 2 */
			   "- [ ] Level zero\n"           /* 3 */
			   "  - [ ] Level one\n"          /* 4 */
			   "    - [ ] Level two\n"        /* 5 */
			   "    - [x] Level two again\n"  /* 6 */
			   "  - [ ] Level one again\n"    /* 7 */
			   "- [ ] Second top\n"           /* 8 */
			   "\n"                           /* 9 */
			   "## Ordered\n"                 /* 10 */
			   "\n"                           /* 11 */
			   "1. [ ] First\n"               /* 12 */
			   "   1. [ ] Sub a\n"            /* 13 */
			   "   2. [ ] Sub b\n"            /* 14 */
			   "      - [ ] Sub b detail\n"   /* 15 */
			   "2. [ ] Second\n";             /* 16 */
	if (!parse_clean(text, &rb))
		goto out;
	CHECK(rb.n_steps == 11);
	expect_step(&rb, "Level zero", 3, 0, true, 0);
	expect_step(&rb, "Level one", 4, 1, true, 0);
	expect_step(&rb, "Level two", 5, 2, true, 0);
	const struct runbook_step *s = expect_step(&rb, "Level two again", 6, 2, true, 0);
	if (s)
		CHECK(s->done_in_file);
	expect_step(&rb, "Level one again", 7, 1, true, 0);
	expect_step(&rb, "Second top", 8, 0, true, 0);
	expect_step(&rb, "First", 12, 0, true, 1);
	expect_step(&rb, "Sub a", 13, 1, true, 1);
	expect_step(&rb, "Sub b", 14, 1, true, 2);
	expect_step(&rb, "Sub b detail", 15, 2, true, 0);
	expect_step(&rb, "Second", 16, 0, true, 2);
	/* a parent's text is its own, not its children's */
	CHECK(step_by_id(&rb, "roll-back/level-zero") != NULL);
	CHECK(step_by_id(&rb, "roll-back/level-two") != NULL);
	CHECK(step_by_id(&rb, "ordered/sub-b-detail") != NULL);
	if (rb.n_steps == 11) {
		/* pre-order: a parent comes before its children */
		const char *order[] = { "Level zero", "Level one", "Level two", "Level two again",
					"Level one again", "Second top", "First", "Sub a", "Sub b",
					"Sub b detail", "Second" };
		for (size_t i = 0; i < 11; i++)
			CHECK_STR(rb.steps[i].text, order[i]);
	}
out:
	runbook_free(&rb);
}

static void test_sections(void)
{
	struct runbook rb;
	const char *text = "Intro paragraph.\n"         /* 1 */
			   "\n"                         /* 2 */
			   "- [ ] Before any heading\n" /* 3 */
			   "\n"                         /* 4 */
			   "# Runbook title\n"          /* 5 */
			   "\n"                         /* 6 */
			   "- [ ] Under h1\n"           /* 7 */
			   "\n"                         /* 8 */
			   "## Second level\n"          /* 9 */
			   "\n"                         /* 10 */
			   "- [ ] Under h2\n"           /* 11 */
			   "\n"                         /* 12 */
			   "### Third *level*\n"        /* 13 */
			   "\n"                         /* 14 */
			   "- [ ] Under h3\n"           /* 15 */
			   "###### Six\n"               /* 16 */
			   "- [ ] Under h6\n";          /* 17 */
	if (!parse_clean(text, &rb))
		goto out;
	CHECK(rb.n_sections == 5);
	if (rb.n_sections != 5)
		goto out;
	CHECK(rb.sections[0].level == 0);
	CHECK_STR(rb.sections[0].slug, "top");
	CHECK_STR(rb.sections[1].title, "Runbook title");
	CHECK_STR(rb.sections[1].slug, "runbook-title");
	CHECK(rb.sections[1].level == 1 && rb.sections[1].line == 5);
	CHECK_STR(rb.sections[2].title, "Second level");
	CHECK(rb.sections[2].level == 2 && rb.sections[2].line == 9);
	CHECK_STR(rb.sections[3].title, "Third level");
	CHECK_STR(rb.sections[3].slug, "third-level");
	CHECK(rb.sections[3].level == 3 && rb.sections[3].line == 13);
	CHECK(rb.sections[4].level == 6 && rb.sections[4].line == 16);
	CHECK(rb.n_steps == 5);
	const struct runbook_step *s;
	if ((s = step_by_id(&rb, "top/before-any-heading")))
		CHECK(s->section == 0 && s->line == 3);
	else
		CHECK(!"top/before-any-heading");
	if ((s = step_by_id(&rb, "runbook-title/under-h1")))
		CHECK(s->section == 1 && s->line == 7);
	else
		CHECK(!"runbook-title/under-h1");
	if ((s = step_by_id(&rb, "second-level/under-h2")))
		CHECK(s->section == 2 && s->line == 11);
	else
		CHECK(!"second-level/under-h2");
	if ((s = step_by_id(&rb, "third-level/under-h3")))
		CHECK(s->section == 3 && s->line == 15);
	else
		CHECK(!"third-level/under-h3");
	if ((s = step_by_id(&rb, "six/under-h6")))
		CHECK(s->section == 4 && s->line == 17);
	else
		CHECK(!"six/under-h6");
	/* no front matter: the title is the first heading's */
	CHECK_STR(rb.title, "Runbook title");
	CHECK_STR(rb.name, "x");
	CHECK_STR(rb.path, PATH);
	CHECK(rb.severity == NULL && rb.owner == NULL && rb.n_triggers == 0);
out:
	runbook_free(&rb);

	/* no heading and no front matter: the title is the file's name */
	if (parse_clean("- [ ] Only step\n", &rb)) {
		CHECK_STR(rb.title, "x");
		CHECK(rb.n_sections >= 1 && rb.sections[0].level == 0);
		CHECK(step_by_id(&rb, "top/only-step") != NULL);
	}
	runbook_free(&rb);
}

static void test_ordered_and_plain(void)
{
	struct runbook rb;
	const char *text = "## Restart\n"             /* 1 */
			   "\n"                       /* 2 */
			   "1. Drain the node\n"      /* 3 */
			   "2. Restart the pod\n"     /* 4 */
			   "3. Check the probes\n"    /* 5 */
			   "\n"                       /* 6 */
			   "## Later\n"               /* 7 */
			   "\n"                       /* 8 */
			   "3. Third\n"               /* 9 */
			   "4. Fourth\n"              /* 10 */
			   "\n"                       /* 11 */
			   "## Bullets\n"             /* 12 */
			   "\n"                       /* 13 */
			   "- Page the owner\n"       /* 14 */
			   "  1. Call the rota\n"     /* 15 */
			   "  2. Call the backup\n";  /* 16 */
	if (!parse_clean(text, &rb))
		goto out;
	CHECK(rb.n_steps == 8);
	expect_step(&rb, "Drain the node", 3, 0, false, 1);
	expect_step(&rb, "Restart the pod", 4, 0, false, 2);
	expect_step(&rb, "Check the probes", 5, 0, false, 3);
	expect_step(&rb, "Third", 9, 0, false, 3);
	expect_step(&rb, "Fourth", 10, 0, false, 4);
	expect_step(&rb, "Page the owner", 14, 0, false, 0);
	expect_step(&rb, "Call the rota", 15, 1, false, 1);
	expect_step(&rb, "Call the backup", 16, 1, false, 2);
	CHECK(step_by_id(&rb, "restart/drain-the-node") != NULL);
	CHECK(step_by_id(&rb, "bullets/call-the-backup") != NULL);
out:
	runbook_free(&rb);
}

static void test_mixed_task_and_plain(void)
{
	struct runbook rb;
	const char *text = "## Verify\n"                               /* 1 */
			   "\n"                                        /* 2 */
			   "- [ ] Check the traffic split\n"           /* 3 */
			   "- Traffic is in the ENDPOINTS pane\n"      /* 4 */
			   "- [ ] Check the error rate\n"              /* 5 */
			   "  - a note under a task\n"                 /* 6 */
			   "\n"                                        /* 7 */
			   "1. Numbered note\n"                        /* 8 */
			   "\n"                                        /* 9 */
			   "## Background\n"                           /* 10 */
			   "\n"                                        /* 11 */
			   "- The canary watcher polls every 60 s\n"   /* 12 */
			   "- Three failed windows roll back\n"        /* 13 */
			   "  - A thin window does not count\n";       /* 14 */
	if (!parse_clean(text, &rb))
		goto out;
	CHECK(rb.n_steps == 5);
	expect_step(&rb, "Check the traffic split", 3, 0, true, 0);
	expect_step(&rb, "Check the error rate", 5, 0, true, 0);
	/* under a heading with task items, plain items are not steps */
	CHECK(step_by_text(&rb, "Traffic is in the ENDPOINTS pane") == NULL);
	CHECK(step_by_text(&rb, "a note under a task") == NULL);
	CHECK(step_by_text(&rb, "Numbered note") == NULL);
	/* under a heading without, they are */
	const struct runbook_step *s =
		expect_step(&rb, "The canary watcher polls every 60 s", 12, 0, false, 0);
	if (s)
		CHECK_STR(s->id, "background/the-canary-watcher-polls-every-60-s");
	expect_step(&rb, "Three failed windows roll back", 13, 0, false, 0);
	expect_step(&rb, "A thin window does not count", 14, 1, false, 0);
	if ((s = step_by_text(&rb, "Check the error rate")))
		CHECK_STR(s->id, "verify/check-the-error-rate");
	runbook_free(&rb);

	/* Each heading decides for its own part, up to the next heading of
	 * any level; a plain item between tasks keeps its place in the
	 * numbering. */
	text = "## Parent\n"              /* 1 */
	       "- plain in parent\n"      /* 2 */
	       "### Child\n"              /* 3 */
	       "1. [ ] child task\n"      /* 4 */
	       "2. a note\n"              /* 5 */
	       "3. [ ] third\n"           /* 6 */
	       "### Grandchild\n"         /* 7 */
	       "- plain in grandchild\n"; /* 8 */
	if (!parse_clean(text, &rb))
		goto out;
	CHECK(rb.n_steps == 4);
	if ((s = expect_step(&rb, "plain in parent", 2, 0, false, 0)))
		CHECK_STR(s->id, "parent/plain-in-parent");
	expect_step(&rb, "child task", 4, 0, true, 1);
	CHECK(step_by_text(&rb, "a note") == NULL);
	expect_step(&rb, "third", 6, 0, true, 3);
	if ((s = expect_step(&rb, "plain in grandchild", 8, 0, false, 0)))
		CHECK_STR(s->id, "grandchild/plain-in-grandchild");
out:
	runbook_free(&rb);
}

static void test_setext_headings(void)
{
	struct runbook rb;
	const char *text = "Rollback\n"          /* 1 */
			   "========\n"          /* 2 */
			   "\n"                  /* 3 */
			   "- [ ] Roll back\n"   /* 4 */
			   "\n"                  /* 5 */
			   "Verify *it*\n"       /* 6 */
			   "-----------\n"       /* 7 */
			   "\n"                  /* 8 */
			   "- [ ] Check\n";      /* 9 */
	if (!parse_clean(text, &rb))
		goto out;
	const struct runbook_section *sec = section_by_title(&rb, "Rollback");
	CHECK(sec && sec->level == 1 && sec->line == 1);
	sec = section_by_title(&rb, "Verify it");
	CHECK(sec && sec->level == 2 && sec->line == 6);
	CHECK(step_by_id(&rb, "rollback/roll-back") != NULL);
	CHECK(step_by_id(&rb, "verify-it/check") != NULL);
	CHECK_STR(rb.title, "Rollback");
out:
	runbook_free(&rb);
}

/* "Task items anywhere": in a block quote too. */
static void test_task_in_quote(void)
{
	struct runbook rb;
	const char *text = "## Quoted\n"              /* 1 */
			   "\n"                       /* 2 */
			   "> Do this first:\n"       /* 3 */
			   ">\n"                      /* 4 */
			   "> - [ ] Quoted task\n";   /* 5 */
	if (parse_clean(text, &rb)) {
		CHECK(rb.n_steps == 1);
		expect_step(&rb, "Quoted task", 5, 0, true, 0);
	}
	runbook_free(&rb);
}

/* ---- code --------------------------------------------------------------- */

static void test_code_fences(void)
{
	struct runbook rb;
	const char *text =
		"# Commands\n"                                                      /* 1 */
		"\n"                                                                /* 2 */
		"Shared variables:\n"                                               /* 3 */
		"\n"                                                                /* 4 */
		"```sh\n"                                                           /* 5 */
		"export EP=support-assistant-prod\n"                                /* 6 */
		"```\n"                                                             /* 7 */
		"\n"                                                                /* 8 */
		"- [ ] Shift the traffic\n"                                         /* 9 */
		"  ```sh\n"                                                         /* 10 */
		"  az ml online-endpoint update --traffic \"d-1427=100 d-1428=0\"\n" /* 11 */
		"  ```\n"                                                           /* 12 */
		"- [ ] Query the canary\n"                                          /* 13 */
		"  ~~~kql\n"                                                        /* 14 */
		"  customMetrics\n"                                                 /* 15 */
		"  | where timestamp > ago(10m)\n"                                  /* 16 */
		"      and name == 'rubric.groundedness'\n"                         /* 17 */
		"  ~~~\n"                                                           /* 18 */
		"  ```\n"                                                           /* 19 */
		"  no info <b>&amp;</b> *kept*\n"                                   /* 20 */
		"  ```\n"                                                           /* 21 */
		"  - [ ] Read the windows\n"                                        /* 22 */
		"    ```text\n"                                                     /* 23 */
		"    window 3: multi_hop groundedness 2.66 (n=11)\n"                /* 24 */
		"    ```\n"                                                         /* 25 */
		"\n"                                                                /* 26 */
		"```text\n"                                                         /* 27 */
		"- [ ] not a step\n"                                                /* 28 */
		"* [x] not a step either\n"                                         /* 29 */
		"1. [ ] nor this\n"                                                 /* 30 */
		"```\n";                                                            /* 31 */
	if (!parse_clean(text, &rb))
		goto out;
	CHECK(rb.n_steps == 3);
	CHECK(step_by_text(&rb, "not a step") == NULL);
	CHECK(step_by_text(&rb, "nor this") == NULL);
	const struct runbook_section *sec = section_by_title(&rb, "Commands");
	CHECK(sec != NULL);
	if (sec) {
		CHECK(sec->n_codes == 2);
		if (sec->n_codes == 2) {
			check_code(&sec->codes[0], "sh", "export EP=support-assistant-prod", 5);
			check_code(&sec->codes[1], "text",
				   "- [ ] not a step\n* [x] not a step either\n1. [ ] nor this", 27);
		}
	}
	const struct runbook_step *s = expect_step(&rb, "Shift the traffic", 9, 0, true, 0);
	if (s) {
		CHECK(s->n_codes == 1);
		if (s->n_codes == 1)
			check_code(&s->codes[0], "sh",
				   "az ml online-endpoint update --traffic \"d-1427=100 d-1428=0\"", 10);
	}
	s = expect_step(&rb, "Query the canary", 13, 0, true, 0);
	if (s) {
		CHECK(s->n_codes == 2);
		if (s->n_codes == 2) {
			/* the item's indentation goes, the code's own stays */
			check_code(&s->codes[0], "kql",
				   "customMetrics\n| where timestamp > ago(10m)\n    and name == 'rubric.groundedness'",
				   14);
			/* verbatim: no HTML, entity or emphasis processing */
			check_code(&s->codes[1], "", "no info <b>&amp;</b> *kept*", 19);
		}
	}
	/* code inside a nested step belongs to it, not to its parent */
	s = expect_step(&rb, "Read the windows", 22, 1, true, 0);
	if (s) {
		CHECK(s->n_codes == 1);
		if (s->n_codes == 1)
			check_code(&s->codes[0], "text", "window 3: multi_hop groundedness 2.66 (n=11)", 23);
	}
out:
	runbook_free(&rb);
}

/* A file whose only "task items" are inside a fence has no steps. */
static void test_fence_only(void)
{
	expect_warning("# Example\n"
		       "\n"
		       "```markdown\n"
		       "- [ ] not a step\n"
		       "- [x] not a step either\n"
		       "```\n",
		       PATH ":", NULL);
	struct runbook rb;
	struct runbook_problems p;
	parse("```\n- [ ] not a step\n```\n", &rb, &p);
	CHECK(rb.n_steps == 0);
	CHECK(p.n >= 1);
	runbook_free(&rb);
	runbook_problems_free(&p);
}

static void test_indented_code(void)
{
	struct runbook rb;
	const char *text = "# Restart\n"                         /* 1 */
			   "\n"                                  /* 2 */
			   "Before anything:\n"                  /* 3 */
			   "\n"                                  /* 4 */
			   "    kubectl get pods -n assistant\n" /* 5 */
			   "    kubectl describe pod x\n"        /* 6 */
			   "\n"                                  /* 7 */
			   "- [ ] Drain the node\n"              /* 8 */
			   "\n"                                  /* 9 */
			   "      kubectl drain node-1\n"        /* 10 */
			   "- [ ] Restart the pod\n";            /* 11 */
	if (!parse_clean(text, &rb))
		goto out;
	CHECK(rb.n_steps == 2);
	const struct runbook_section *sec = section_by_title(&rb, "Restart");
	if (sec && sec->n_codes == 1)
		check_code(&sec->codes[0], "", "kubectl get pods -n assistant\nkubectl describe pod x", 5);
	else
		CHECK(!"one code block in section Restart");
	const struct runbook_step *s = expect_step(&rb, "Drain the node", 8, 0, true, 0);
	if (s && s->n_codes == 1)
		check_code(&s->codes[0], "", "kubectl drain node-1", 10);
	else
		CHECK(!"one code block in step Drain the node");
	if ((s = expect_step(&rb, "Restart the pod", 11, 0, true, 0)))
		CHECK(s->n_codes == 0);
out:
	runbook_free(&rb);
}

/* ---- text --------------------------------------------------------------- */

static void test_inline_flattened(void)
{
	struct runbook rb;
	const char *text = "## Check\n"                                              /* 1 */
			   "- [ ] **Check** the [dashboard](http://x)\n"             /* 2 */
			   "- [ ] Run `cmdr audit verify` and _note_ the *head* hash\n" /* 3 */
			   "- [ ] Open <https://portal.azure.com> now\n"             /* 4 */
			   "- [ ] ***Page*** the [on-call][rota]\n"                  /* 5 */
			   "\n"                                                      /* 6 */
			   "[rota]: https://example.com/rota\n";                     /* 7 */
	if (!parse_clean(text, &rb))
		goto out;
	CHECK(rb.n_steps == 4);
	const struct runbook_step *s = expect_step(&rb, "Check the dashboard", 2, 0, true, 0);
	if (s)
		CHECK_STR(s->id, "check/check-the-dashboard");
	s = expect_step(&rb, "Run cmdr audit verify and note the head hash", 3, 0, true, 0);
	if (s)
		CHECK_STR(s->id, "check/run-cmdr-audit-verify-and-note-the-head-hash");
	expect_step(&rb, "Open https://portal.azure.com now", 4, 0, true, 0);
	expect_step(&rb, "Page the on-call", 5, 0, true, 0);
out:
	runbook_free(&rb);
}

static void test_continuation_lines(void)
{
	struct runbook rb;
	const char *text = "## Page\n"                             /* 1 */
			   "\n"                                    /* 2 */
			   "- [ ] Page the platform owner\n"       /* 3 */
			   "and post in the incident channel\n"    /* 4: lazy */
			   "- [ ] Update the status page\n"        /* 5 */
			   "  every 30 minutes\n"                  /* 6 */
			   "- [ ] Tell the **support\n"            /* 7 */
			   "team** what changed\n";                /* 8 */
	if (!parse_clean(text, &rb))
		goto out;
	CHECK(rb.n_steps == 3);
	const struct runbook_step *s =
		expect_step(&rb, "Page the platform owner and post in the incident channel", 3, 0, true, 0);
	if (s)
		CHECK_STR(s->id, "page/page-the-platform-owner-and-post-in-the-incident-channel");
	expect_step(&rb, "Update the status page every 30 minutes", 5, 0, true, 0);
	expect_step(&rb, "Tell the support team what changed", 7, 0, true, 0);
out:
	runbook_free(&rb);
}

static void test_tabs(void)
{
	struct runbook rb;
	const char *text = "# Tabs\n"                       /* 1 */
			   "-\t[ ] Tab after the marker\n"  /* 2 */
			   "- [ ]\tTab after the box\n"     /* 3 */
			   "- [ ] Parent\n"                 /* 4 */
			   "\t- [ ] Child under a tab\n"    /* 5 */
			   "\t\t- [x] Grandchild\n";        /* 6 */
	if (!parse_clean(text, &rb))
		goto out;
	CHECK(rb.n_steps == 5);
	expect_step(&rb, "Tab after the marker", 2, 0, true, 0);
	expect_step(&rb, "Tab after the box", 3, 0, true, 0);
	expect_step(&rb, "Parent", 4, 0, true, 0);
	expect_step(&rb, "Child under a tab", 5, 1, true, 0);
	expect_step(&rb, "Grandchild", 6, 2, true, 0);
out:
	runbook_free(&rb);
}

/* A tab in code stays a tab, as cmark-gfm keeps it (md4c hands the
 * indentation over as spaces); a tab half taken by a list item's indent
 * leaves its other columns as spaces. */
static void test_code_tabs(void)
{
	struct runbook rb;
	const char *text = "```make\n"
			   "all:\n"
			   "\tcc -o x x.c\n"
			   "  \tmixed\n"
			   "```\n"
			   "\n"
			   "- [ ] Step\n"
			   "\n"
			   "  ```sh\n"
			   "  cat <<-EOF\n"
			   "  \tone\n"
			   "  EOF\n"
			   "  ```\n"
			   "-\tItem\n"
			   "\n"
			   "\t\tx\n";
	if (!parse_clean(text, &rb))
		goto out;
	CHECK(rb.n_sections == 1 && rb.sections[0].n_codes == 1);
	if (rb.sections[0].n_codes == 1)
		CHECK_STR(rb.sections[0].codes[0].text, "all:\n\tcc -o x x.c\n  \tmixed\n");
	CHECK(rb.n_steps >= 1 && rb.steps[0].n_codes == 1);
	if (rb.n_steps >= 1 && rb.steps[0].n_codes == 1)
		CHECK_STR(rb.steps[0].codes[0].text, "cat <<-EOF\n\tone\nEOF\n");
out:
	runbook_free(&rb);
}

static void test_utf8(void)
{
	struct runbook rb;
	const char *text = "# Vérification — étape 1\n"         /* 1 */
			   "- [ ] Vérifier le débit — 5 min ✓\n" /* 2 */
			   "- [ ] 检查延迟 p95\n"                /* 3 */
			   "- [ ] Ünïcödé 🚨 ÉTAPE\n";           /* 4 */
	if (!parse_clean(text, &rb))
		goto out;
	/* Text with an ASCII word keeps the id it always had: journals
	 * hold them. */
	CHECK(rb.n_steps == 3);
	CHECK_STR(rb.title, "Vérification — étape 1");
	if (rb.n_sections >= 1)
		CHECK_STR(rb.sections[rb.n_sections - 1].slug, "v-rification-tape-1");
	const struct runbook_step *s = expect_step(&rb, "Vérifier le débit — 5 min ✓", 2, 0, true, 0);
	if (s)
		CHECK_STR(s->id, "v-rification-tape-1/v-rifier-le-d-bit-5-min");
	if ((s = expect_step(&rb, "检查延迟 p95", 3, 0, true, 0)))
		CHECK_STR(s->id, "v-rification-tape-1/p95");
	if ((s = expect_step(&rb, "Ünïcödé 🚨 ÉTAPE", 4, 0, true, 0)))
		CHECK_STR(s->id, "v-rification-tape-1/n-c-d-tape");
out:
	runbook_free(&rb);
}

static void test_slugs(void)
{
	struct runbook rb;
	const char *text = "## Shift traffic to d-1427 (last known-good)!\n" /* 1 */
			   "- [ ] --Roll back__now--\n"                      /* 2 */
			   "- [ ] Check p95 < 2x baseline...\n"              /* 3 */
			   "- [ ] Page SRE On-Call\n"                        /* 4 */
			   "- [ ] Wait 30 s, then re-check\n"                /* 5 */
			   "## 2. Verify\n"                                  /* 6 */
			   "- [ ] Verify\n";                                 /* 7 */
	if (!parse_clean(text, &rb))
		goto out;
	const char *ids[] = {
		"shift-traffic-to-d-1427-last-known-good/roll-back-now",
		"shift-traffic-to-d-1427-last-known-good/check-p95-2x-baseline",
		"shift-traffic-to-d-1427-last-known-good/page-sre-on-call",
		"shift-traffic-to-d-1427-last-known-good/wait-30-s-then-re-check",
		"2-verify/verify",
	};
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
		if (!step_by_id(&rb, ids[i])) {
			printf("#   no step with id \"%s\"; the steps are:\n", ids[i]);
			print_steps(&rb);
			check_current_failures++;
		}
	}
	const struct runbook_step *s = step_by_text(&rb, "--Roll back__now--");
	CHECK(s != NULL && s->line == 2);
out:
	runbook_free(&rb);
}

/* Ids of steps in other scripts, or with no words at all: each its own,
 * stable from one parse to the next. */
static void test_slugs_unicode(void)
{
	struct runbook rb;
	const char *text = "## 점검\n"                        /* 1 */
			   "- [ ] 파드 상태를 확인한다\n"      /* 2 */
			   "- [ ] ノードを再起動する\n"        /* 3 */
			   "- [ ] Проверить журнал ошибок\n"   /* 4 */
			   "- [ ] जाँच करें\n"                 /* 5 */
			   "- [ ] 🚨\n"                        /* 6 */
			   "- [ ] ⚠️\n"                        /* 7 */
			   "## Code\n"                         /* 8 */
			   "- ```sh\n"                         /* 9 */
			   "  kubectl get pods\n"              /* 10 */
			   "  ```\n"                           /* 11 */
			   "- ```sh\n"                         /* 12 */
			   "  kubectl get nodes\n"             /* 13 */
			   "  ```\n";                          /* 14 */
	struct runbook_problems p;
	CHECK(parse(text, &rb, &p) == 0);
	static const char *const ids[] = { "점검/파드-상태를-확인한다", "점검/ノードを再起動する",
					   "점검/Проверить-журнал-ошибок", "점검/जाँच-करें", NULL, NULL,
					   "code/step", "code/step-2" };
	CHECK(rb.n_steps == 8);
	for (size_t i = 0; i < 8 && i < rb.n_steps; i++)
		if (ids[i])
			CHECK_STR(rb.steps[i].id, ids[i]);
	if (rb.n_steps == 8) {
		/* no words: a hash of the text */
		CHECK(starts_with(rb.steps[4].id, "점검/step-") && strlen(rb.steps[4].id) == strlen("점검/step-") + 8);
		CHECK(starts_with(rb.steps[5].id, "점검/step-") && strcmp(rb.steps[4].id, rb.steps[5].id) != 0);
		struct runbook again;
		struct runbook_problems q;
		parse(text, &again, &q);
		for (size_t i = 0; i < again.n_steps && i < rb.n_steps; i++)
			CHECK_STR(again.steps[i].id, rb.steps[i].id);
		runbook_free(&again);
		runbook_problems_free(&q);
	}
	/* the second code-only item's clash is a warning, not a refusal */
	CHECK(p.n == 1 && p.n_errors == 0 && has_problem(&p, PATH ":12: warning: duplicate step id code/step"));
	runbook_free(&rb);
	runbook_problems_free(&p);
}

/* Steps as GitHub shows them where libmd4c 0.4.8 or raw HTML differ. */
static void test_github_tasks(void)
{
	struct runbook rb;
	/* md4c reports "two" as a plain item "[ ] two" */
	if (parse_clean("- [ ] one\n  > quote\n- [ ] two\n- [x] three\n", &rb)) {
		CHECK(rb.n_steps == 3);
		expect_step(&rb, "one", 1, 0, true, 0);
		expect_step(&rb, "two", 3, 0, true, 0);
		const struct runbook_step *s = expect_step(&rb, "three", 4, 0, true, 0);
		CHECK(s && s->done_in_file);
		CHECK(step_by_id(&rb, "top/two") != NULL);
	}
	runbook_free(&rb);
	const char *text = "## Mitigation\n"                                   /* 1 */
			   "- [ ] Scale <!-- was 3 --> up\n"                   /* 2 */
			   "- [ ] Read kubectl logs <pod-name> and `<pod>`\n"  /* 3 */
			   "<!--\n"                                            /* 4 */
			   "- [ ] hidden in a comment\n"                       /* 5 */
			   "-->\n"                                             /* 6 */
			   "- [ ] After the comment\n"                         /* 7 */
			   "\n"                                                /* 8 */
			   "<details>\n"                                       /* 9 */
			   "<summary>More</summary>\n"                         /* 10 */
			   "\n"                                                /* 11 */
			   "- [ ] Inside details\n"                            /* 12 */
			   "</details>\n"                                      /* 13 */
			   "\n"                                                /* 14 */
			   "- [ ] <details><summary>Open</summary> the dashboard</details>\n" /* 15 */
			   "- [ ] Line one<br>line two\n";                     /* 16 */
	if (parse_clean(text, &rb)) {
		CHECK(rb.n_steps == 6);
		expect_step(&rb, "Scale up", 2, 0, true, 0);
		/* a placeholder that reads as a tag is kept: it is no HTML */
		expect_step(&rb, "Read kubectl logs <pod-name> and <pod>", 3, 0, true, 0);
		CHECK(step_by_text(&rb, "hidden in a comment") == NULL);
		expect_step(&rb, "After the comment", 7, 0, true, 0);
		expect_step(&rb, "Inside details", 12, 0, true, 0);
		expect_step(&rb, "Open the dashboard", 15, 0, true, 0);
		expect_step(&rb, "Line one line two", 16, 0, true, 0);
	}
	runbook_free(&rb);
}

/* A step longer than RUNBOOK_MAX_STEP_TEXT is cut there, with a warning,
 * on a character's start. */
static void test_long_step(void)
{
	static char text[40000];
	size_t k = (size_t)snprintf(text, sizeof text, "# T\n- [ ] ");
	memset(text + k, 'a', 10000);
	k += 10000;
	k += (size_t)snprintf(text + k, sizeof text - k, "\n- [ ] ");
	for (int i = 0; i < 3000; i++) {
		memcpy(text + k, "\xc3\xa9", 2); /* é: the limit falls inside none */
		k += 2;
	}
	text[k++] = 'x';
	for (int i = 0; i < 3000; i++) {
		memcpy(text + k, "\xc3\xa9", 2);
		k += 2;
	}
	snprintf(text + k, sizeof text - k, "\n- [ ] short\n");
	struct runbook rb;
	struct runbook_problems p;
	int rc = parse(text, &rb, &p);
	CHECK(rc == 0 && rb.n_steps == 3 && p.n == 2 && p.n_errors == 0);
	CHECK(has_problem(&p, PATH ":2: warning: step text longer than 4096 bytes: cut there"));
	CHECK(has_problem(&p, PATH ":3: warning: step text longer than 4096 bytes: cut there"));
	if (rb.n_steps == 3) {
		CHECK(strlen(rb.steps[0].text) == RUNBOOK_MAX_STEP_TEXT);
		size_t n = strlen(rb.steps[1].text);
		CHECK(n == RUNBOOK_MAX_STEP_TEXT);
		CHECK(n >= 2 && (unsigned char)rb.steps[1].text[n - 2] == 0xc3);
		CHECK_STR(rb.steps[2].text, "short");
	}
	runbook_free(&rb);
	runbook_problems_free(&p);

	/* odd: the limit falls inside a character, which is left out whole */
	k = (size_t)snprintf(text, sizeof text, "- [ ] a");
	for (int i = 0; i < 3000; i++) {
		memcpy(text + k, "\xc3\xa9", 2);
		k += 2;
	}
	snprintf(text + k, sizeof text - k, "\n");
	rc = parse(text, &rb, &p);
	CHECK(rc == 0 && rb.n_steps == 1 && p.n == 1);
	if (rb.n_steps == 1)
		CHECK(strlen(rb.steps[0].text) == RUNBOOK_MAX_STEP_TEXT - 1);
	runbook_free(&rb);
	runbook_problems_free(&p);
}

/* ---- CRLF: the same runbook as LF --------------------------------------- */

static char *to_crlf(const char *lf)
{
	size_t n = strlen(lf), k = 0;
	char *out = malloc(2 * n + 1);
	if (!out)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (lf[i] == '\n')
			out[k++] = '\r';
		out[k++] = lf[i];
	}
	out[k] = '\0';
	return out;
}

static bool has_cr(const char *s)
{
	return s && strchr(s, '\r') != NULL;
}

static void compare_runbooks(const struct runbook *a, const struct runbook *b)
{
	CHECK_STR(b->title, a->title);
	CHECK_STR(b->severity, a->severity);
	CHECK_STR(b->owner, a->owner);
	CHECK(a->n_triggers == b->n_triggers);
	for (size_t i = 0; i < a->n_triggers && i < b->n_triggers; i++) {
		CHECK_STR(b->triggers[i].pattern, a->triggers[i].pattern);
		CHECK(a->triggers[i].line == b->triggers[i].line);
	}
	CHECK(a->n_sections == b->n_sections);
	for (size_t i = 0; i < a->n_sections && i < b->n_sections; i++) {
		CHECK_STR(b->sections[i].title, a->sections[i].title);
		CHECK_STR(b->sections[i].slug, a->sections[i].slug);
		CHECK(a->sections[i].level == b->sections[i].level);
		CHECK(a->sections[i].line == b->sections[i].line);
		CHECK(a->sections[i].n_codes == b->sections[i].n_codes);
		for (size_t k = 0; k < a->sections[i].n_codes && k < b->sections[i].n_codes; k++) {
			CHECK_STR(b->sections[i].codes[k].text, a->sections[i].codes[k].text);
			CHECK_STR(b->sections[i].codes[k].info, a->sections[i].codes[k].info);
			CHECK(a->sections[i].codes[k].line == b->sections[i].codes[k].line);
		}
	}
	CHECK(a->n_steps == b->n_steps);
	for (size_t i = 0; i < a->n_steps && i < b->n_steps; i++) {
		const struct runbook_step *x = &a->steps[i], *y = &b->steps[i];
		CHECK_STR(y->id, x->id);
		CHECK_STR(y->text, x->text);
		CHECK(!has_cr(y->text));
		if (x->line != y->line || x->depth != y->depth || x->task != y->task ||
		    x->done_in_file != y->done_in_file || x->number != y->number ||
		    x->section != y->section || x->n_codes != y->n_codes) {
			printf("#   step %zu \"%s\" differs: LF line %d depth %d number %d codes %zu, CRLF line %d depth %d number %d codes %zu\n",
			       i, x->text ? x->text : "", x->line, x->depth, x->number, x->n_codes, y->line,
			       y->depth, y->number, y->n_codes);
			check_current_failures++;
		}
		for (size_t k = 0; k < x->n_codes && k < y->n_codes; k++) {
			CHECK_STR(y->codes[k].text, x->codes[k].text);
			CHECK_STR(y->codes[k].info, x->codes[k].info);
			CHECK(x->codes[k].line == y->codes[k].line);
		}
	}
}

static void test_crlf(void)
{
	const char *lf = "---\n"                                         /* 1 */
			 "title: Canary regression\n"                    /* 2 */
			 "severity: SEV3\n"                              /* 3 */
			 "owner: ml-platform on-call\n"                  /* 4 */
			 "triggers:\n"                                   /* 5 */
			 "  - ^canary \\S+ \\S+ multi_hop \\S+ fail$\n"  /* 6 */
			 "  - \"^slo .* page 1h/5m \"\n"                 /* 7 */
			 "---\n"                                         /* 8 */
			 "\n"                                            /* 9 */
			 "# Canary regression\n"                         /* 10 */
			 "\n"                                            /* 11 */
			 "```sh\n"                                       /* 12 */
			 "export EP=support-assistant-prod\n"            /* 13 */
			 "```\n"                                         /* 14 */
			 "\n"                                            /* 15 */
			 "## Check the rollback\n"                       /* 16 */
			 "\n"                                            /* 17 */
			 "1. [ ] Check the policy's rollback\n"          /* 18 */
			 "   reads verified\n"                           /* 19 */
			 "2. [x] Confirm the traffic\n"                  /* 20 */
			 "   ```sh\n"                                    /* 21 */
			 "   az ml online-endpoint show \\\n"            /* 22 */
			 "     --query traffic\n"                        /* 23 */
			 "   ```\n"                                      /* 24 */
			 "   - [ ] Last known-good at 100%\n"            /* 25 */
			 "     - [ ] Canary at 0%\n"                     /* 26 */
			 "\n"                                            /* 27 */
			 "## Notes\n"                                    /* 28 */
			 "\n"                                            /* 29 */
			 "- Plain step one\n"                            /* 30 */
			 "lazy continued\n"                              /* 31 */
			 "- Plain step two\n"                            /* 32 */
			 "\n"                                            /* 33 */
			 "      indented code\n";                        /* 34 */
	char *crlf = to_crlf(lf);
	struct runbook a, b;
	bool ok_a = parse_clean(lf, &a);
	bool ok_b = parse_clean(crlf, &b);
	if (ok_a && ok_b) {
		compare_runbooks(&a, &b);
		CHECK_STR(b.title, "Canary regression");
		CHECK_STR(b.severity, "SEV3");
		CHECK_STR(b.owner, "ml-platform on-call");
		CHECK(b.n_triggers == 2);
		if (b.n_triggers == 2) {
			CHECK_STR(b.triggers[0].pattern, "^canary \\S+ \\S+ multi_hop \\S+ fail$");
			CHECK_STR(b.triggers[1].pattern, "^slo .* page 1h/5m ");
			CHECK(b.triggers[0].line == 6 && b.triggers[1].line == 7);
		}
		CHECK(b.n_steps == 6);
		expect_step(&b, "Check the policy's rollback reads verified", 18, 0, true, 1);
		const struct runbook_step *s = expect_step(&b, "Confirm the traffic", 20, 0, true, 2);
		if (s && s->n_codes == 1)
			check_code(&s->codes[0], "sh", "az ml online-endpoint show \\\n  --query traffic", 21);
		else
			CHECK(!"one code block in Confirm the traffic");
		expect_step(&b, "Last known-good at 100%", 25, 1, true, 0);
		expect_step(&b, "Canary at 0%", 26, 2, true, 0);
		expect_step(&b, "Plain step one lazy continued", 30, 0, false, 0);
		expect_step(&b, "Plain step two", 32, 0, false, 0);
		const char *sig[] = { "canary support-assistant-prod d-1428 multi_hop groundedness fail" };
		size_t which = 99;
		CHECK(runbook_match(&b, sig, 1, &which) == 0 && which == 0);
	}
	runbook_free(&a);
	runbook_free(&b);
	free(crlf);
}

/* ---- front matter and triggers ------------------------------------------ */

static void test_front_matter(void)
{
	struct runbook rb;
	const char *text = "---\n"                                          /* 1 */
			   "title: Canary regression on an eval class\n"    /* 2 */
			   "severity: SEV3\n"                               /* 3 */
			   "owner: ml-platform on-call\n"                   /* 4 */
			   "triggers:\n"                                    /* 5 */
			   "  - ^canary \\S+ \\S+ multi_hop \\S+ fail$\n"   /* 6 */
			   "  - \"^slo .* page 1h/5m \"\n"                  /* 7 */
			   "  - groundedness\n"                             /* 8 */
			   "---\n"                                          /* 9 */
			   "\n"                                             /* 10 */
			   "# Something else\n"                             /* 11 */
			   "\n"                                             /* 12 */
			   "- [ ] First step\n";                            /* 13 */
	if (!parse_clean(text, &rb))
		goto out;
	CHECK_STR(rb.title, "Canary regression on an eval class");
	CHECK_STR(rb.severity, "SEV3");
	CHECK_STR(rb.owner, "ml-platform on-call");
	CHECK(rb.n_triggers == 3);
	if (rb.n_triggers == 3) {
		CHECK_STR(rb.triggers[0].pattern, "^canary \\S+ \\S+ multi_hop \\S+ fail$");
		CHECK_STR(rb.triggers[1].pattern, "^slo .* page 1h/5m ");
		CHECK_STR(rb.triggers[2].pattern, "groundedness");
		CHECK(rb.triggers[0].line == 6 && rb.triggers[1].line == 7 && rb.triggers[2].line == 8);
		for (size_t i = 0; i < 3; i++)
			CHECK(rb.triggers[i].code != NULL);
	}
	/* body line numbers count the front matter */
	const struct runbook_section *sec = section_by_title(&rb, "Something else");
	CHECK(sec != NULL && sec->line == 11 && sec->level == 1);
	expect_step(&rb, "First step", 13, 0, true, 0);
	CHECK(step_by_id(&rb, "something-else/first-step") != NULL);
	/* the front matter is not Markdown: no section, step or code from it */
	CHECK(section_by_title(&rb, "title: Canary regression on an eval class") == NULL);
	for (size_t i = 0; i < rb.n_sections; i++)
		CHECK(rb.sections[i].n_codes == 0);
	CHECK(rb.n_steps == 1);
out:
	runbook_free(&rb);
}

static void test_front_matter_unclosed(void)
{
	const char *text = "---\n"
			   "title: Never closed\n"
			   "triggers:\n"
			   "  - groundedness\n"
			   "\n"
			   "# Heading\n"
			   "- [ ] step\n";
	/* GitHub shows a rule and the rest as Markdown; so does cmdr, with a
	 * warning, and nothing of it counts as front matter. */
	struct runbook rb;
	struct runbook_problems p;
	int rc = parse(text, &rb, &p);
	CHECK(rc == 0);
	const char *want = PATH ":1: warning: front matter is not closed (no --- line): read as Markdown";
	CHECK(p.n == 1);
	if (p.n != 1 || strcmp(p.list[0].text, want) != 0 || p.list[0].severity != RUNBOOK_WARNING) {
		printf("#   expected the one problem \"%s\"\n", want);
		print_problems(&p);
		check_current_failures++;
	}
	CHECK(rb.n_triggers == 0 && rb.severity == NULL);
	CHECK_STR(rb.title, "Heading");
	expect_step(&rb, "step", 7, 0, true, 0);
	runbook_free(&rb);
	runbook_problems_free(&p);

	/* a lone "---" line */
	expect_warning("---\n", PATH ":1: warning: front matter is not closed", NULL);
}

static size_t count_warnings(const struct runbook_problems *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += p->list[i].severity == RUNBOOK_WARNING;
	return n;
}

/* Front matter as teams write it for Hugo: keys cmdr does not read and
 * lists under them are warnings, quotes of either kind come off. */
static void test_front_matter_hugo(void)
{
	const char *text = "---\n"                                   /* 1 */
			   "title: 'Pod is crash looping, it''s bad'\n" /* 2 */
			   "weight: 20\n"                            /* 3 */
			   "type: docs\n"                            /* 4 */
			   "aliases:\n"                              /* 5 */
			   "  - /runbooks/old-name\n"                /* 6 */
			   "  - /runbooks/older-name\n"              /* 7 */
			   "tags: [k8s, pods]\n"                     /* 8 */
			   "params:\n"                               /* 9 */
			   "  nested: value\n"                       /* 10 */
			   "severity: \"SEV2\"\n"                    /* 11 */
			   "owner: 'platform on-call'\n"             /* 12 */
			   "triggers:\n"                             /* 13 */
			   "- '^slo .* page'\n"                      /* 14 */
			   "---\n"                                   /* 15 */
			   "# Crash loop\n"                          /* 16 */
			   "- [ ] Look at the logs\n";               /* 17 */
	struct runbook rb;
	struct runbook_problems p;
	int rc = parse(text, &rb, &p);
	CHECK(rc == 0 && p.n_errors == 0);
	CHECK_STR(rb.title, "Pod is crash looping, it's bad");
	CHECK_STR(rb.severity, "SEV2");
	CHECK_STR(rb.owner, "platform on-call");
	CHECK(rb.n_triggers == 1);
	if (rb.n_triggers == 1)
		CHECK_STR(rb.triggers[0].pattern, "^slo .* page");
	expect_step(&rb, "Look at the logs", 17, 0, true, 0);
	/* one warning per key not read, none for what is under it */
	static const char *const want[] = { ":3: warning: front matter: unknown key 'weight' ignored",
					    ":4: warning: front matter: unknown key 'type' ignored",
					    ":5: warning: front matter: unknown key 'aliases' ignored",
					    ":8: warning: front matter: unknown key 'tags' ignored",
					    ":9: warning: front matter: unknown key 'params' ignored" };
	CHECK(p.n == 5);
	for (size_t i = 0; i < 5 && i < p.n; i++) {
		char prefix[128];
		snprintf(prefix, sizeof prefix, "%s%s", PATH, want[i]);
		if (!starts_with(p.list[i].text, prefix)) {
			printf("#   problem %zu: want \"%s\"\n", i, prefix);
			check_current_failures++;
		}
	}
	if (p.n != 5)
		print_problems(&p);
	runbook_free(&rb);
	runbook_problems_free(&p);

	/* status, updated, artifact_id: warnings alone, never a refusal */
	expect_warning("---\nstatus: draft\nupdated: 2024-01-02\nartifact_id: 1f2e\n---\n- [ ] s\n",
		       PATH ":4: warning: front matter: unknown key 'artifact_id'", NULL);
}

/* A byte order mark, CR-only line ends, and NUL bytes in front matter. */
static void test_front_matter_bytes(void)
{
	struct runbook rb;
	struct runbook_problems p;
	if (parse_clean("\xef\xbb\xbf---\ntitle: With a BOM\n---\n# H\n- [ ] s\n", &rb)) {
		CHECK_STR(rb.title, "With a BOM");
		expect_step(&rb, "s", 5, 0, true, 0);
	}
	runbook_free(&rb);
	if (parse_clean("\xef\xbb\xbf# Heading after a BOM\n- [ ] s\n", &rb)) {
		CHECK_STR(rb.title, "Heading after a BOM");
		CHECK(rb.n_sections == 2);
	}
	runbook_free(&rb);

	if (parse_clean("---\rtitle: Old Mac\rtriggers:\r  - ^slo\r---\r# H\r- [ ] s\r", &rb)) {
		CHECK_STR(rb.title, "Old Mac");
		CHECK(rb.n_triggers == 1 && rb.triggers[0].line == 4);
		CHECK_STR(rb.n_triggers ? rb.triggers[0].pattern : NULL, "^slo");
		expect_step(&rb, "s", 7, 0, true, 0);
	}
	runbook_free(&rb);

	/* a NUL never cuts a value short: the line is not used */
	static const char nul[] = "---\n"                 /* 1 */
				  "title: a\0b\n"         /* 2 */
				  "triggers:\n"           /* 3 */
				  "  - ^slo\0(a+)+$\n"    /* 4 */
				  "  - ^canary\n"         /* 5 */
				  "---\n"                 /* 6 */
				  "# Heading\n"           /* 7 */
				  "- [ ] s\n";            /* 8 */
	int rc = parse_len(nul, sizeof nul - 1, &rb, &p);
	CHECK(rc == 0);
	CHECK(rb.n_triggers == 1);
	if (rb.n_triggers == 1)
		CHECK_STR(rb.triggers[0].pattern, "^canary");
	const char *sig[] = { "slo anything page 1h/5m endpoint e" };
	CHECK(runbook_match(&rb, sig, 1, NULL) == -1);
	CHECK_STR(rb.title, "Heading");
	CHECK(count_warnings(&p) == 2 && has_problem(&p, PATH ":2: warning: front matter: a NUL byte") &&
	      has_problem(&p, PATH ":4: warning: front matter: a NUL byte"));
	runbook_free(&rb);
	runbook_problems_free(&p);
}

/* PCRE2's own message for a pattern, and the offset it names. */
static void pcre2_message(const char *pattern, char *msg, size_t size, size_t *offset)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
	if (re) {
		pcre2_code_free(re);
		snprintf(msg, size, "(compiles)");
		*offset = 0;
		return;
	}
	pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, size);
	*offset = off;
}

static void test_bad_trigger(void)
{
	const char *text = "---\n"                        /* 1 */
			   "title: t\n"                   /* 2 */
			   "triggers:\n"                  /* 3 */
			   "  - ^canary .*fail$\n"        /* 4 */
			   "  - ^canary [a-\n"            /* 5 */
			   "  - \"^slo (page\"\n"         /* 6 */
			   "---\n"                        /* 7 */
			   "- [ ] step\n";                /* 8 */
	char msg[256], want[64];
	size_t off;

	pcre2_message("^canary [a-", msg, sizeof msg, &off);
	snprintf(want, sizeof want, "offset %zu", off);
	expect_warning(text, PATH ":5: warning: invalid trigger pattern", msg);
	expect_warning(text, PATH ":5: ", want);

	pcre2_message("^slo (page", msg, sizeof msg, &off);
	snprintf(want, sizeof want, "offset %zu", off);
	expect_warning(text, PATH ":6: ", msg);
	expect_warning(text, PATH ":6: ", want);

	/* the good pattern is no problem, and the only trigger kept */
	struct runbook rb;
	struct runbook_problems p;
	CHECK(parse(text, &rb, &p) == 0);
	CHECK(!has_problem(&p, PATH ":4:"));
	CHECK(p.n == 2);
	CHECK(rb.n_triggers == 1 && rb.n_steps == 1);
	runbook_free(&rb);
	runbook_problems_free(&p);
}

/* No steps: loaded as reference, with a warning. */
static void test_empty_runbook(void)
{
	const char *no_steps = PATH ":1: warning: no steps";
	expect_warning("", no_steps, NULL);
	expect_warning("# Only a heading\n\nSome prose, no list.\n", no_steps, NULL);
	expect_warning("---\ntitle: t\ntriggers:\n  - x\n---\n", no_steps, NULL);
	/* tables and quotes are not steps */
	expect_warning("## Notes\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n", no_steps, NULL);

	struct runbook rb;
	struct runbook_problems p;
	int rc = parse("# Nothing to do\n", &rb, &p);
	CHECK(rc == 0 && p.n == 1 && p.n_errors == 0 && rb.n_steps == 0);
	runbook_free(&rb);
	runbook_problems_free(&p);

	/* the usual alert runbook: headings, prose and code, no list */
	const char *alert = "---\n"                                      /* 1 */
			    "title: KubeNodeNotReady\n"                  /* 2 */
			    "---\n"                                      /* 3 */
			    "# KubeNodeNotReady\n"                       /* 4 */
			    "## Meaning\n"                               /* 5 */
			    "A node has not been ready for 15 minutes.\n" /* 6 */
			    "## Impact\n"                                /* 7 */
			    "Pods on it are not scheduled.\n"            /* 8 */
			    "## Diagnosis\n"                             /* 9 */
			    "```sh\n"                                    /* 10 */
			    "kubectl get nodes\n"                        /* 11 */
			    "```\n"                                      /* 12 */
			    "## Mitigation\n"                            /* 13 */
			    "Drain the node and replace it.\n";          /* 14 */
	rc = parse(alert, &rb, &p);
	CHECK(rc == 0 && rb.n_steps == 0 && p.n == 1 && p.n_errors == 0);
	CHECK(p.n >= 1 && p.list[0].severity == RUNBOOK_WARNING && starts_with(p.list[0].text, no_steps));
	CHECK_STR(rb.title, "KubeNodeNotReady");
	CHECK(rb.n_sections == 6);
	const struct runbook_section *d = section_by_title(&rb, "Diagnosis");
	CHECK(d && d->n_codes == 1);
	if (d && d->n_codes == 1)
		check_code(&d->codes[0], "sh", "kubectl get nodes", 10);
	runbook_free(&rb);
	runbook_problems_free(&p);
}

static void test_duplicate_ids(void)
{
	const char *text = "## Verify\n"                /* 1 */
			   "\n"                         /* 2 */
			   "- [ ] Check traffic\n"      /* 3 */
			   "- [ ] Check the error rate\n" /* 4 */
			   "- [ ] Check traffic\n"      /* 5 */
			   "\n"                         /* 6 */
			   "## Again\n"                 /* 7 */
			   "\n"                         /* 8 */
			   "- [ ] Check traffic\n";     /* 9 */
	struct runbook rb;
	struct runbook_problems p;
	int rc = parse(text, &rb, &p);
	CHECK(rc == 0);
	CHECK(p.n == 1);
	if (p.n != 1 || !starts_with(p.list[0].text, PATH ":5: warning: duplicate step id")) {
		printf("#   expected one problem at " PATH ":5:\n");
		print_problems(&p);
		check_current_failures++;
	}

	/* the later ones get -2, -3 in document order; ids of their own stay */
	if (rc == 0 && rb.n_steps == 4) {
		CHECK_STR(rb.steps[0].id, "verify/check-traffic");
		CHECK_STR(rb.steps[2].id, "verify/check-traffic-2");
		CHECK_STR(rb.steps[3].id, "again/check-traffic");
	}
	runbook_free(&rb);
	runbook_problems_free(&p);
	rc = parse("## Diagnosis\n- Check 2\n- Check\n## Diagnosis\n- Check\n- Check\n", &rb, &p);
	CHECK(rc == 0 && p.n == 2);
	if (rb.n_steps == 4) {
		CHECK_STR(rb.steps[0].id, "diagnosis/check-2"); /* its own: never taken by a suffix */
		CHECK_STR(rb.steps[1].id, "diagnosis/check");
		CHECK_STR(rb.steps[2].id, "diagnosis/check-3");
		CHECK_STR(rb.steps[3].id, "diagnosis/check-4");
	} else {
		CHECK(rb.n_steps == 4);
	}
	CHECK(has_problem(&p, PATH ":5: warning: duplicate step id diagnosis/check (the step at line 3): this one is diagnosis/check-3"));
	runbook_free(&rb);
	runbook_problems_free(&p);

	/* different text, same slug */
	expect_warning("## Verify\n- [ ] Check traffic\n- [ ] check TRAFFIC!\n", PATH ":3: ", NULL);
	/* a nested step with its parent's text is in the same section */
	expect_warning("## Verify\n- [ ] Verify\n  - [ ] Verify\n", PATH ":3: ", NULL);
	/* two sections with one title share a slug, so their steps can collide */
	expect_warning("## Verify\n- [ ] Check\n## Verify\n- [ ] Check\n", PATH ":4: ", NULL);
}

/* ---- matching ----------------------------------------------------------- */

/* A trigger that backtracks without end is warned about, and matching
 * it against a long signal stops at PCRE2's limits: no match, no hang
 * (it took 0.15 s a signal without them; this test would take minutes). */
static void test_trigger_limits(void)
{
	expect_warning("---\ntriggers:\n  - ^slo (a+)+$\n---\n- [ ] s\n",
		       PATH ":3: warning: trigger pattern backtracks past PCRE2's match limit", NULL);
	struct runbook rb;
	struct runbook_problems p;
	CHECK(parse("---\ntriggers:\n  - ^slo (a+)+$\n  - ^slo .*page\n---\n- [ ] s\n", &rb, &p) == 0);
	static char signal[4100];
	memcpy(signal, "slo ", 4);
	memset(signal + 4, 'a', 4000);
	strcpy(signal + 4004, "! page");
	const char *signals[200];
	for (size_t i = 0; i < 200; i++)
		signals[i] = signal;
	size_t which = 99;
	CHECK(runbook_match(&rb, signals, 200, &which) == 1 && which == 0);
	runbook_free(&rb);
	runbook_problems_free(&p);
}

static void test_match(void)
{
	struct runbook rb;
	const char *text = "---\n"
			   "triggers:\n"
			   "  - ^canary \\S+ \\S+ \\S+ groundedness fail$\n"
			   "  - ^slo .* page 1h/5m endpoint\n"
			   "---\n"
			   "- [ ] step\n";
	const char *slo_page = "slo support-assistant availability page 1h/5m endpoint support-assistant-prod";
	const char *slo_ticket = "slo support-assistant availability ticket 3d/6h endpoint support-assistant-prod";
	const char *canary = "canary support-assistant-prod d-1428 multi_hop groundedness fail";
	const char *canary_other = "canary support-assistant-prod d-1428 multi_hop citation_correctness fail";
	if (!parse_clean(text, &rb))
		goto out;
	size_t which = 99;
	const char *both[] = { slo_page, canary };
	CHECK(runbook_match(&rb, both, 2, &which) == 0);
	CHECK(which == 1);
	const char *slo_only[] = { slo_ticket, slo_page };
	which = 99;
	CHECK(runbook_match(&rb, slo_only, 2, &which) == 1);
	CHECK(which == 1);
	const char *none[] = { slo_ticket, canary_other };
	CHECK(runbook_match(&rb, none, 2, &which) == -1);
	CHECK(runbook_match(&rb, none, 0, &which) == -1);
	/* an unanchored pattern matches anywhere in the line */
	runbook_free(&rb);
	if (!parse_clean("---\ntriggers:\n  - multi_hop\n---\n- [ ] step\n", &rb))
		goto out;
	const char *one[] = { canary };
	CHECK(runbook_match(&rb, one, 1, &which) == 0 && which == 0);
	runbook_free(&rb);
	/* no triggers, no match */
	if (!parse_clean("- [ ] step\n", &rb))
		goto out;
	CHECK(runbook_match(&rb, one, 1, &which) == -1);
out:
	runbook_free(&rb);
}

/* ---- JSON --------------------------------------------------------------- */

static void test_json(void)
{
	struct runbook rb;
	const char *text = "---\n"                       /* 1 */
			   "title: J\n"                  /* 2 */
			   "---\n"                       /* 3 */
			   "# Top\n"                     /* 4 */
			   "```sh\n"                     /* 5 */
			   "export A=1\n"                /* 6 */
			   "```\n"                       /* 7 */
			   "## Do\n"                     /* 8 */
			   "1. [x] First\n"              /* 9 */
			   "   ```kql\n"                 /* 10 */
			   "   requests\n"               /* 11 */
			   "   ```\n"                    /* 12 */
			   "   - [ ] Nested\n";          /* 13 */
	if (!parse_clean(text, &rb))
		goto out;
	cJSON *j = runbook_to_json(&rb);
	CHECK(j != NULL);
	if (!j)
		goto out;
	cJSON *sections = cJSON_GetObjectItemCaseSensitive(j, "sections");
	cJSON *steps = cJSON_GetObjectItemCaseSensitive(j, "steps");
	CHECK(cJSON_IsArray(sections) && cJSON_IsArray(steps));
	CHECK((size_t)cJSON_GetArraySize(sections) == rb.n_sections);
	CHECK((size_t)cJSON_GetArraySize(steps) == rb.n_steps);
	for (size_t i = 0; i < rb.n_sections && cJSON_IsArray(sections); i++) {
		cJSON *sec = cJSON_GetArrayItem(sections, (int)i);
		CHECK(cJSON_IsObject(sec));
		cJSON *title = cJSON_GetObjectItemCaseSensitive(sec, "title");
		cJSON *level = cJSON_GetObjectItemCaseSensitive(sec, "level");
		CHECK(cJSON_IsNumber(level) && level->valueint == rb.sections[i].level);
		if (rb.sections[i].level > 0)
			CHECK(cJSON_IsString(title) && !strcmp(title->valuestring, rb.sections[i].title));
	}
	CHECK(rb.n_steps == 2);
	for (size_t i = 0; i < rb.n_steps && cJSON_IsArray(steps); i++) {
		const struct runbook_step *s = &rb.steps[i];
		cJSON *o = cJSON_GetArrayItem(steps, (int)i);
		CHECK(cJSON_IsObject(o));
		cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
		cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "text");
		cJSON *line = cJSON_GetObjectItemCaseSensitive(o, "line");
		cJSON *depth = cJSON_GetObjectItemCaseSensitive(o, "depth");
		cJSON *task = cJSON_GetObjectItemCaseSensitive(o, "task");
		cJSON *done = cJSON_GetObjectItemCaseSensitive(o, "done");
		cJSON *number = cJSON_GetObjectItemCaseSensitive(o, "number");
		cJSON *section = cJSON_GetObjectItemCaseSensitive(o, "section");
		cJSON *codes = cJSON_GetObjectItemCaseSensitive(o, "codes");
		CHECK(cJSON_IsString(id) && !strcmp(id->valuestring, s->id));
		CHECK(cJSON_IsString(t) && !strcmp(t->valuestring, s->text));
		CHECK(cJSON_IsNumber(line) && line->valueint == s->line);
		CHECK(cJSON_IsNumber(depth) && depth->valueint == s->depth);
		CHECK(cJSON_IsBool(task) && cJSON_IsTrue(task) == s->task);
		CHECK(cJSON_IsBool(done) && cJSON_IsTrue(done) == s->done_in_file);
		CHECK(cJSON_IsNumber(number) && number->valueint == s->number);
		CHECK(cJSON_IsNumber(section) && (size_t)section->valueint == s->section);
		CHECK(cJSON_IsArray(codes) && (size_t)cJSON_GetArraySize(codes) == s->n_codes);
		for (size_t k = 0; k < s->n_codes && cJSON_IsArray(codes); k++) {
			cJSON *c = cJSON_GetArrayItem(codes, (int)k);
			cJSON *info = cJSON_GetObjectItemCaseSensitive(c, "info");
			cJSON *ct = cJSON_GetObjectItemCaseSensitive(c, "text");
			cJSON *cl = cJSON_GetObjectItemCaseSensitive(c, "line");
			CHECK(cJSON_IsString(info) && !strcmp(info->valuestring, s->codes[k].info));
			CHECK(cJSON_IsString(ct) && !strcmp(ct->valuestring, s->codes[k].text));
			CHECK(cJSON_IsNumber(cl) && cl->valueint == s->codes[k].line);
		}
	}
	/* the values themselves, for the first step */
	cJSON *first = cJSON_GetArrayItem(steps, 0);
	if (first) {
		cJSON *id = cJSON_GetObjectItemCaseSensitive(first, "id");
		CHECK(cJSON_IsString(id) && !strcmp(id->valuestring, "do/first"));
		CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(first, "done")));
		cJSON *number = cJSON_GetObjectItemCaseSensitive(first, "number");
		CHECK(cJSON_IsNumber(number) && number->valueint == 1);
		cJSON *line = cJSON_GetObjectItemCaseSensitive(first, "line");
		CHECK(cJSON_IsNumber(line) && line->valueint == 9);
		cJSON *codes = cJSON_GetObjectItemCaseSensitive(first, "codes");
		cJSON *c0 = cJSON_GetArrayItem(codes, 0);
		cJSON *info = cJSON_GetObjectItemCaseSensitive(c0, "info");
		CHECK(cJSON_IsString(info) && !strcmp(info->valuestring, "kql"));
	}
	cJSON *nested = cJSON_GetArrayItem(steps, 1);
	if (nested) {
		cJSON *depth = cJSON_GetObjectItemCaseSensitive(nested, "depth");
		CHECK(cJSON_IsNumber(depth) && depth->valueint == 1);
		CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(nested, "done")));
	}
	/* it prints */
	char *printed = cJSON_PrintUnformatted(j);
	CHECK(printed != NULL && strstr(printed, "\"do/first\"") != NULL);
	free(printed);
	cJSON_Delete(j);
out:
	runbook_free(&rb);
}

/* Problems as JSON: file, line, severity and the message alone. */
static void test_problems_json(void)
{
	struct runbook rb;
	struct runbook_problems p;
	parse("---\nsevrity: SEV2\n---\n# T\n", &rb, &p);
	runbook_free(&rb);
	/* an error after the warnings, from another file */
	runbook_parse("# T\n- [ ] caf\xe9\n", 15, "t/y.md", &rb, &p);
	runbook_free(&rb);
	cJSON *arr = cJSON_CreateArray();
	runbook_problems_to_json(&p, arr);
	CHECK(cJSON_GetArraySize(arr) == 3 && p.n == 3 && p.n_errors == 1);
	static const struct {
		const char *file, *severity, *message;
		int line;
	} want[] = {
		{ PATH, "warning", "front matter: unknown key 'sevrity'", 2 },
		{ PATH, "warning", "no steps", 1 },
		{ "t/y.md", "error", "invalid UTF-8 (byte 0xe9 at offset 13)", 2 },
	};
	for (int i = 0; i < 3 && i < cJSON_GetArraySize(arr); i++) {
		cJSON *o = cJSON_GetArrayItem(arr, i);
		cJSON *file = cJSON_GetObjectItemCaseSensitive(o, "file");
		cJSON *sev = cJSON_GetObjectItemCaseSensitive(o, "severity");
		cJSON *msg = cJSON_GetObjectItemCaseSensitive(o, "message");
		cJSON *line = cJSON_GetObjectItemCaseSensitive(o, "line");
		CHECK(cJSON_IsString(file) && !strcmp(file->valuestring, want[i].file));
		CHECK(cJSON_IsString(sev) && !strcmp(sev->valuestring, want[i].severity));
		CHECK(cJSON_IsString(msg) && starts_with(msg->valuestring, want[i].message));
		CHECK(cJSON_IsNumber(line) && line->valueint == want[i].line);
	}
	cJSON_Delete(arr);
	runbook_problems_free(&p);
}

/* ---- loading and bad input ---------------------------------------------- */

static void test_load(void)
{
	const char *dir = check_tmpdir();
	char path[256];
	snprintf(path, sizeof path, "%s/my-book.md", dir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs("# My book\n\n- [ ] Do it\n", f);
	fclose(f);
	struct runbook rb;
	struct runbook_problems p = { 0 };
	int rc = runbook_load(path, &rb, &p);
	CHECK(rc == 0 && p.n == 0);
	print_problems(&p);
	CHECK_STR(rb.path, path);
	CHECK_STR(rb.name, "my-book");
	CHECK_STR(rb.title, "My book");
	CHECK(rb.n_steps == 1);
	runbook_free(&rb);
	runbook_problems_free(&p);

	/* missing: one problem naming the file */
	char missing[256];
	snprintf(missing, sizeof missing, "%s/missing.md", dir);
	memset(&p, 0, sizeof p);
	rc = runbook_load(missing, &rb, &p);
	CHECK(rc != 0 && p.n >= 1);
	check_problems_shape(&p, missing, __LINE__);
	runbook_free(&rb);
	runbook_problems_free(&p);

	/* over the limit: refused without reading it all */
	char big[256];
	snprintf(big, sizeof big, "%s/big.md", dir);
	int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	if (fd >= 0) {
		const char *head = "# Big\n- [ ] step\n";
		CHECK(write(fd, head, strlen(head)) == (ssize_t)strlen(head));
		CHECK(ftruncate(fd, (off_t)RUNBOOK_MAX_BYTES + 1) == 0);
		close(fd);
		memset(&p, 0, sizeof p);
		rc = runbook_load(big, &rb, &p);
		CHECK(rc != 0 && p.n >= 1);
		check_problems_shape(&p, big, __LINE__);
		runbook_free(&rb);
		runbook_problems_free(&p);
	}
}

static void test_bad_input(void)
{
	/* invalid UTF-8 is refused with a line, not shown as garbage */
	expect_problem("# T\n- [ ] ok\n- [ ] bad \xff\xfe here\n", PATH ":", NULL);
	expect_problem("# T\n- [ ] ok\n- [ ] cut \xe2\x82\n", PATH ":", NULL);

	/* nesting deeper than RUNBOOK_MAX_DEPTH loads, with a warning: the
	 * items below the cap are paragraphs (box and all), not steps, and
	 * the steps after them are all there */
	static char deep[8192];
	size_t k = 0;
	for (int d = 0; d < 40; d++) {
		for (int i = 0; i < 2 * d; i++)
			deep[k++] = ' ';
		k += (size_t)snprintf(deep + k, sizeof deep - k, "- [ ] level %d\n", d);
	}
	k += (size_t)snprintf(deep + k, sizeof deep - k, "- [ ] after\n");
	expect_warning(deep, PATH ":1: warning: lists nested deeper than 16 levels", NULL);
	{
		struct runbook rb;
		struct runbook_problems p;
		CHECK(parse(deep, &rb, &p) == 0);
		CHECK(rb.n_steps == RUNBOOK_MAX_DEPTH + 1);
		if (rb.n_steps == RUNBOOK_MAX_DEPTH + 1)
			CHECK_STR(rb.steps[RUNBOOK_MAX_DEPTH].text, "after");
		size_t paragraphs = 0;
		for (size_t i = 0; i < rb.n_blocks; i++)
			if (rb.blocks[i].kind == RUNBOOK_PARAGRAPH) {
				char want[32];
				snprintf(want, sizeof want, "[ ] level %zu", RUNBOOK_MAX_DEPTH + paragraphs);
				CHECK_STR(rb.blocks[i].text, want);
				paragraphs++;
			}
		CHECK(paragraphs == 40 - RUNBOOK_MAX_DEPTH);
		runbook_free(&rb);
		runbook_problems_free(&p);
	}

	/* garbage never crashes, and every problem is one line */
	struct runbook rb;
	struct runbook_problems p;
	static const char nul[] = "# T\n- [ ] a\0b\n\x01\x02\x1b[31m\n- [ ] c\n";
	parse_len(nul, sizeof nul - 1, &rb, &p);
	runbook_free(&rb);
	runbook_problems_free(&p);

	static char quotes[20000];
	memset(quotes, '>', 10000);
	memcpy(quotes + 10000, " - [ ] deep\n", 13);
	parse(quotes, &rb, &p);
	runbook_free(&rb);
	runbook_problems_free(&p);

	static char brackets[40000];
	for (size_t i = 0; i + 1 < sizeof brackets; i++)
		brackets[i] = "[*_`<"[i % 5];
	brackets[sizeof brackets - 1] = '\0';
	parse(brackets, &rb, &p);
	runbook_free(&rb);
	runbook_problems_free(&p);

	/* a long front matter line and many triggers */
	static char fm[70000];
	k = (size_t)snprintf(fm, sizeof fm, "---\ntitle: ");
	memset(fm + k, 'a', 30000);
	k += 30000;
	k += (size_t)snprintf(fm + k, sizeof fm - k, "\ntriggers:\n");
	for (int i = 0; i < 500; i++)
		k += (size_t)snprintf(fm + k, sizeof fm - k, "  - t%d\n", i);
	snprintf(fm + k, sizeof fm - k, "---\n- [ ] step\n");
	if (parse_clean(fm, &rb))
		CHECK(rb.n_triggers == 500 && rb.triggers[499].line == 503);
	runbook_free(&rb);
}

/* A text whose last line has no line end is read without touching the
 * byte after it: each one ends at a page that no one may read, so a read
 * past its end (libmd4c 0.4.8 did one on an inline link left open at the
 * end) stops the test with SIGSEGV. */
static void test_text_at_page_end(void)
{
	static const char *const texts[] = {
		"[a](b",
		"- [ ] Check [the dashboard](http",
		"- [ ] x [a](<b>",
		"# T\n- [ ] one\n- [ ] two [x](y \"t\"",
		"",
	};
	long page = sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(mem != MAP_FAILED);
	if (mem == MAP_FAILED)
		return;
	CHECK(mprotect(mem + page, (size_t)page, PROT_NONE) == 0);
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		size_t n = strlen(texts[i]);
		char *at = mem + page - n;
		memcpy(at, texts[i], n);
		struct runbook rb;
		struct runbook_problems p = { 0 };
		runbook_parse(at, n, PATH, &rb, &p);
		if (i < 2) {
			CHECK(rb.n_steps == (i == 0 ? 0 : 1));
			if (i == 1 && rb.n_steps == 1)
				CHECK_STR(rb.steps[0].text, "Check [the dashboard](http");
		}
		runbook_free(&rb);
		runbook_problems_free(&p);
	}
	munmap(mem, (size_t)page * 2);
}

/* Every prefix of a real runbook is parsed or refused cleanly. */
static void test_truncations(void)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/canary-regression.md", runbooks_dir());
	FILE *f = fopen(path, "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	for (size_t len = 0; len < n; len += 13) {
		struct runbook rb;
		struct runbook_problems p;
		parse_len(buf, len, &rb, &p);
		runbook_free(&rb);
		runbook_problems_free(&p);
	}
}

/* ---- the runbooks shipped in runbooks/ ---------------------------------- */

static bool load_runbook(const char *name, struct runbook *rb)
{
	char path[4200];
	struct runbook_problems p = { 0 };
	snprintf(path, sizeof path, "%s/%s.md", runbooks_dir(), name);
	int rc = runbook_load(path, rb, &p);
	if (rc != 0 || p.n) {
		printf("#   %s: rc %d\n", path, rc);
		print_problems(&p);
	}
	runbook_problems_free(&p);
	return rc == 0;
}

static void test_shipped_runbooks(void)
{
	const char *expected[] = { "burn-rate", "canary-regression", "cost-anomaly",
				   "llm-incident-rollback", "refusal-spike", "upstream-outage" };
	bool seen[6] = { false };
	DIR *d = opendir(runbooks_dir());
	CHECK(d != NULL);
	if (!d)
		return;
	struct dirent *e;
	size_t n_files = 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0)
			continue;
		if (!strcmp(e->d_name, "README.md")) /* documentation, not a runbook */
			continue;
		n_files++;
		char path[4400];
		snprintf(path, sizeof path, "%s/%s", runbooks_dir(), e->d_name);
		struct runbook rb;
		struct runbook_problems p = { 0 };
		int rc = runbook_load(path, &rb, &p);
		if (rc != 0 || p.n != 0) {
			printf("#   %s: rc %d\n", path, rc);
			print_problems(&p);
			check_current_failures++;
		}
		check_problems_shape(&p, path, __LINE__);
		for (size_t i = 0; i < 6; i++)
			if (rb.name && !strcmp(rb.name, expected[i]))
				seen[i] = true;
		if (rb.n_triggers == 0 || rb.n_steps < 5 || !rb.title || !rb.owner || !rb.severity) {
			printf("#   %s: %zu triggers, %zu steps, title %s, owner %s, severity %s\n", path,
			       rb.n_triggers, rb.n_steps, rb.title ? rb.title : "(null)",
			       rb.owner ? rb.owner : "(null)", rb.severity ? rb.severity : "(null)");
			check_current_failures++;
		}
		if (rb.severity && strcmp(rb.severity, "SEV1") && strcmp(rb.severity, "SEV2") &&
		    strcmp(rb.severity, "SEV3")) {
			printf("#   %s: severity %s\n", path, rb.severity);
			check_current_failures++;
		}
		for (size_t i = 0; i < rb.n_triggers; i++)
			CHECK(rb.triggers[i].code != NULL);
		for (size_t i = 0; i < rb.n_steps; i++) {
			const struct runbook_step *s = &rb.steps[i];
			CHECK(s->text && *s->text && s->id && strchr(s->id, '/'));
			CHECK(s->line > 0 && s->depth >= 0 && s->depth < 3);
			CHECK(!s->done_in_file); /* shipped unticked */
			for (size_t k = 0; k < s->n_codes; k++) {
				/* every command block says what it is */
				if (!s->codes[k].info || !*s->codes[k].info) {
					printf("#   %s:%d: code block without an info string\n", path,
					       s->codes[k].line);
					check_current_failures++;
				}
			}
		}
		runbook_free(&rb);
		runbook_problems_free(&p);
	}
	closedir(d);
	CHECK(n_files == 6);
	for (size_t i = 0; i < 6; i++)
		if (!seen[i]) {
			printf("#   runbooks/%s.md is missing\n", expected[i]);
			check_current_failures++;
		}
}

/* The names in a drill's signal lines are the drill's own, so the lines
 * below stay true to drills/. */
static bool drill_has_slo(const struct scenario *s, const char *name, const char *endpoint)
{
	for (size_t i = 0; i < s->n_slos; i++)
		if (!strcmp(s->slos[i].spec.name, name) && s->slos[i].endpoint &&
		    !strcmp(s->slos[i].endpoint, endpoint))
			return true;
	return false;
}

static bool drill_has_gate(const struct scenario *s, const char *endpoint, const char *deployment,
			   const char *cls, const char *metric)
{
	for (size_t i = 0; i < s->n_canaries; i++) {
		const struct canary_spec *c = &s->canaries[i].spec;
		if (strcmp(c->endpoint, endpoint) || strcmp(c->deployment, deployment))
			continue;
		for (size_t k = 0; k < c->n_thresholds; k++)
			if (!strcmp(c->thresholds[k].class_name, cls) &&
			    !strcmp(c->thresholds[k].metric, metric))
				return true;
	}
	return false;
}

static bool suggests(const char *runbook, const char *signal)
{
	struct runbook rb;
	if (!load_runbook(runbook, &rb)) {
		runbook_free(&rb);
		return false;
	}
	const char *signals[] = { "slo batch-summariser freshness ticket 3d/6h endpoint batch-summariser", signal };
	size_t which = 99;
	int t = runbook_match(&rb, signals, 2, &which);
	bool hit = t >= 0 && which == 1;
	runbook_free(&rb);
	return hit;
}

static void expect_suggestion_at(const char *runbook, const char *signal, bool want, int line)
{
	if (suggests(runbook, signal) != want) {
		printf("#   line %d: runbooks/%s.md %s \"%s\"\n", line, runbook,
		       want ? "does not match" : "matches", signal);
		check_current_failures++;
	}
}
#define expect_suggestion(rb, sig, want) expect_suggestion_at(rb, sig, want, __LINE__)

static void test_drill_signals(void)
{
	const char *friday = "canary support-assistant-prod d-1428 multi_hop groundedness fail";
	const char *burst = "slo support-assistant availability page 1h/5m endpoint support-assistant-prod";
	const char *refusal_canary = "canary support-assistant-prod d-2203 factual answer_rate fail";
	const char *guardrail = "slo guardrail pass rate page 1h/5m endpoint support-assistant-prod";

	struct scenario s;
	struct error err = { 0 };
	char path[4200];
	snprintf(path, sizeof path, "%s/friday-1714.json", drills_dir());
	if (scenario_load(path, &s, &err) == 0) {
		CHECK(drill_has_gate(&s, "support-assistant-prod", "d-1428", "multi_hop", "groundedness"));
		scenario_free(&s);
	} else {
		printf("#   %s\n", err.msg);
		check_current_failures++;
	}
	snprintf(path, sizeof path, "%s/error-burst.json", drills_dir());
	if (scenario_load(path, &s, &err) == 0) {
		CHECK(drill_has_slo(&s, "support-assistant availability", "support-assistant-prod"));
		CHECK(s.n_canaries == 0);
		scenario_free(&s);
	} else {
		printf("#   %s\n", err.msg);
		check_current_failures++;
	}
	snprintf(path, sizeof path, "%s/refusal-spike.json", drills_dir());
	if (scenario_load(path, &s, &err) == 0) {
		CHECK(drill_has_gate(&s, "support-assistant-prod", "d-2203", "factual", "answer_rate"));
		CHECK(drill_has_slo(&s, "guardrail pass rate", "support-assistant-prod"));
		scenario_free(&s);
	} else {
		printf("#   %s\n", err.msg);
		check_current_failures++;
	}

	/* friday-1714: a quality regression on the canary */
	expect_suggestion("canary-regression", friday, true);
	expect_suggestion("burn-rate", friday, false);
	expect_suggestion("upstream-outage", friday, false);
	expect_suggestion("refusal-spike", friday, false);

	/* error-burst: the availability SLO pages, no release in flight, so
	 * nothing that leads with a rollback */
	expect_suggestion("burn-rate", burst, true);
	expect_suggestion("upstream-outage", burst, true);
	expect_suggestion("canary-regression", burst, false);
	expect_suggestion("llm-incident-rollback", burst, false);
	expect_suggestion("refusal-spike", burst, false);

	/* refusal-spike: over-refusal on the canary, the guardrail SLO pages */
	expect_suggestion("refusal-spike", refusal_canary, true);
	expect_suggestion("refusal-spike", guardrail, true);
	expect_suggestion("llm-incident-rollback", guardrail, true);
	expect_suggestion("canary-regression", refusal_canary, false);
	expect_suggestion("burn-rate", guardrail, false);
}

/* The document in reading order: every block with its kind, text and
 * source line; items name their steps, code blocks their step. */
static void test_find(void)
{
	struct runbook rb;
	const char *text = "# Rollback\n"
			   "\n"
			   "Check the **Canary** first.\n"
			   "\n"
			   "| Class | Gate |\n"
			   "|---|---|\n"
			   "| multi_hop | 2.90 |\n"
			   "\n"
			   "- [ ] Shift traffic\n"
			   "  ```sh\n"
			   "  cmdr rollback --canary\n"
			   "  ```\n";
	if (!parse_clean(text, &rb))
		goto out;
	/* blocks: 0 heading, 1 paragraph, 2 table, 3 item, 4 code */
	CHECK(rb.n_blocks == 5);
	CHECK(runbook_find(&rb, "canary", -1, 1) == 1);
	CHECK(runbook_find(&rb, "CANARY", 1, 1) == 4);
	CHECK(runbook_find(&rb, "canary", 4, 1) == 1); /* round the end */
	CHECK(runbook_find(&rb, "canary", 1, -1) == 4);
	CHECK(runbook_find(&rb, "canary", -1, -1) == 4);
	CHECK(runbook_find(&rb, "MULTI_hop", -1, 1) == 2); /* a cell */
	CHECK(runbook_find(&rb, "rollback", 0, 1) == 4);
	CHECK(runbook_find(&rb, "rollback", 4, 1) == 0);
	CHECK(runbook_find(&rb, "Rollback", 0, -1) == 4);
	CHECK(runbook_find(&rb, "sh", 2, 1) == 3); /* Shift */
	CHECK(runbook_find(&rb, "sh", 3, 1) == 4); /* the info string */
	CHECK(runbook_find(&rb, "nowhere", -1, 1) == -1);
	CHECK(runbook_find(&rb, "", -1, 1) == -1);
out:
	runbook_free(&rb);
}

static void test_document(void)
{
	const char *md = "# Service down\n"                              /* 1 */
			 "\n"                                            /* 2 */
			 "What this is **for**, in a\n"                  /* 3 */
			 "paragraph with a [link](http://x).\n"          /* 4 */
			 "\n"                                            /* 5 */
			 "| Class | threshold |\n"                         /* 6 */
			 "|-------|-----------|\n"                         /* 7 */
			 "| factual | 2.90 |\n"                          /* 8 */
			 "| edge | `2.60` |\n"                           /* 9 */
			 "\n"                                            /* 10 */
			 "```sh\n"                                       /* 11 */
			 "export EP=prod\n"                              /* 12 */
			 "```\n"                                         /* 13 */
			 "\n"                                            /* 14 */
			 "> Quoted *note*\n"                             /* 15 */
			 "\n"                                            /* 16 */
			 "---\n"                                         /* 17 */
			 "\n"                                            /* 18 */
			 "## Steps\n"                                    /* 19 */
			 "\n"                                            /* 20 */
			 "- [ ] Check the rollback\n"                    /* 21 */
			 "  ```kql\n"                                    /* 22 */
			 "  requests | take 5\n"                         /* 23 */
			 "  ```\n"                                       /* 24 */
			 "- [x] Tell the channel\n"                      /* 25 */
			 "- a plain item\n"                              /* 26 */
			 "<!-- hidden -->\n"                             /* 27 */
			 "\n"                                            /* 28 */
			 "Closing words.\n";                             /* 29 */
	struct runbook rb;
	struct runbook_problems p = { 0 };
	CHECK(runbook_parse(md, strlen(md), PATH, &rb, &p) == 0);
	CHECK(rb.n_steps == 2);
	struct {
		enum runbook_block_kind kind;
		const char *text;
		int line;
	} want[] = {
		{ RUNBOOK_HEADING, "Service down", 1 },
		{ RUNBOOK_PARAGRAPH, "What this is for, in a paragraph with a link.", 3 },
		{ RUNBOOK_TABLE, "", 6 },
		{ RUNBOOK_CODE, "", 11 },
		{ RUNBOOK_QUOTE, "Quoted note", 15 },
		{ RUNBOOK_RULE, "", 17 },
		{ RUNBOOK_HEADING, "Steps", 19 },
		{ RUNBOOK_ITEM, "Check the rollback", 21 },
		{ RUNBOOK_CODE, "", 22 },
		{ RUNBOOK_ITEM, "Tell the channel", 25 },
		{ RUNBOOK_ITEM, "a plain item", 26 },
		{ RUNBOOK_PARAGRAPH, "Closing words.", 29 },
	};
	size_t n = sizeof want / sizeof want[0];
	CHECK(rb.n_blocks == n);
	for (size_t i = 0; i < n && i < rb.n_blocks; i++) {
		const struct runbook_block *b = &rb.blocks[i];
		if (b->kind != want[i].kind || b->line != want[i].line)
			printf("#   block %zu: kind %d line %d, expected kind %d line %d\n", i, (int)b->kind, b->line,
			       (int)want[i].kind, want[i].line);
		CHECK(b->kind == want[i].kind);
		CHECK(b->line == want[i].line);
		CHECK_STR(b->text, want[i].text);
	}
	if (rb.n_blocks == n) {
		CHECK(rb.blocks[0].level == 1 && rb.blocks[6].level == 2);
		const struct runbook_block *t = &rb.blocks[2];
		CHECK(t->n_rows == 3);
		if (t->n_rows == 3) {
			CHECK(t->rows[0].n_cells == 2 && t->rows[2].n_cells == 2);
			CHECK_STR(t->rows[0].cells[0], "Class");
			CHECK_STR(t->rows[1].cells[1], "2.90");
			CHECK_STR(t->rows[2].cells[1], "2.60");
		}
		CHECK_STR(rb.blocks[3].code.info, "sh");
		CHECK_STR(rb.blocks[3].code.text, "export EP=prod\n");
		CHECK(rb.blocks[3].step == -1 && rb.blocks[3].item == -1);
		CHECK(rb.blocks[7].step == 0 && rb.blocks[7].task);
		CHECK_STR(rb.blocks[8].code.info, "kql");
		CHECK_STR(rb.blocks[8].code.text, "requests | take 5\n");
		CHECK(rb.blocks[8].item == 7 && rb.blocks[8].step == 0);
		CHECK(rb.blocks[9].step == 1);
		CHECK(rb.blocks[10].step == -1 && !rb.blocks[10].task);
	}
	runbook_free(&rb);
	runbook_problems_free(&p);

	/* A runbook with no steps is all document. */
	const char *ref = "## Meaning\n\nThe error budget burns.\n\n## Mitigation\n\n    kubectl rollout undo\n";
	CHECK(runbook_parse(ref, strlen(ref), PATH, &rb, &p) == 0);
	CHECK(rb.n_steps == 0 && rb.n_blocks == 4);
	if (rb.n_blocks == 4) {
		CHECK_STR(rb.blocks[1].text, "The error budget burns.");
		CHECK(rb.blocks[1].line == 3);
		CHECK(rb.blocks[3].kind == RUNBOOK_CODE && rb.blocks[3].line == 7);
		CHECK_STR(rb.blocks[3].code.text, "kubectl rollout undo\n");
		CHECK_STR(rb.blocks[3].code.info, "");
	}
	runbook_free(&rb);
	runbook_problems_free(&p);
}

int main(void)
{
	RUN(test_task_markers);
	RUN(test_nested_three_levels);
	RUN(test_sections);
	RUN(test_ordered_and_plain);
	RUN(test_mixed_task_and_plain);
	RUN(test_task_in_quote);
	RUN(test_setext_headings);
	RUN(test_code_fences);
	RUN(test_fence_only);
	RUN(test_indented_code);
	RUN(test_inline_flattened);
	RUN(test_continuation_lines);
	RUN(test_tabs);
	RUN(test_code_tabs);
	RUN(test_utf8);
	RUN(test_slugs);
	RUN(test_slugs_unicode);
	RUN(test_github_tasks);
	RUN(test_long_step);
	RUN(test_crlf);
	RUN(test_document);
	RUN(test_find);
	RUN(test_front_matter);
	RUN(test_front_matter_unclosed);
	RUN(test_front_matter_hugo);
	RUN(test_front_matter_bytes);
	RUN(test_bad_trigger);
	RUN(test_empty_runbook);
	RUN(test_duplicate_ids);
	RUN(test_trigger_limits);
	RUN(test_match);
	RUN(test_json);
	RUN(test_problems_json);
	RUN(test_load);
	RUN(test_bad_input);
	RUN(test_text_at_page_end);
	RUN(test_truncations);
	RUN(test_shipped_runbooks);
	RUN(test_drill_signals);
	return CHECK_EXIT();
}
