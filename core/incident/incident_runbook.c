/* Runbooks: loading the directories, the steps ticked (from the
 * journal), and which runbook the signals suggest. */
#include "incident.h"
#include "incident_impl.h"

#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonmsg.h"
#include "xalloc.h"

static int runbook_order(const void *a, const void *b)
{
	return strcmp(((const struct runbook *)a)->name, ((const struct runbook *)b)->name);
}

/* A runbook file found below one of runbook_dirs: rel is its path below
 * that directory ("payments/README.md"). */
struct found {
	char *path, *rel;
};

static int found_order(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->rel, ((const struct found *)b)->rel);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Every *.md below dir (rel: the part of the path below the runbook
 * directory, "" at its top), RUNBOOK_DIR_DEPTH levels deep at most, and
 * RUNBOOK_DIR_ENTRIES directory entries in all (symlinked folders are
 * not entered): a runbook repository
 * keeps its runbooks in folders, and a symlink loop or a huge tree must
 * not stall the start. Hidden entries (.git) are skipped. The README.md
 * at the top describes the directory; one in a folder is that folder's
 * runbook. Other kinds of files named *.md are kept, for runbook_load to
 * refuse by name. */
static void walk(const char *dir, const char *rel, int depth, struct found **v, size_t *n, size_t *cap,
		 size_t *entries, bool *capped)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (++*entries > RUNBOOK_DIR_ENTRIES) {
			*capped = true;
			break;
		}
		char *path = xasprintf("%s/%s", dir, de->d_name);
		char *sub = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		/* A folder is entered only when it is one, not through a
		 * symlink: a link back up (a/up -> ..) would list every
		 * runbook again under a name per lap. */
		struct stat st;
		bool is_dir = lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
		if (is_dir && depth < RUNBOOK_DIR_DEPTH) {
			walk(path, sub, depth + 1, v, n, cap, entries, capped);
		} else if (is_dir) {
			*capped = true;
		} else if (ends_with(de->d_name, ".md") && strlen(de->d_name) > 3 &&
			   !(!*rel && strcmp(de->d_name, "README.md") == 0)) {
			xgrow(v, cap, *n + 1, sizeof **v);
			(*v)[(*n)++] = (struct found){ path, sub };
			continue;
		}
		free(path);
		free(sub);
	}
	closedir(d);
}

/* Keeps a problem for the pane and status: text is the whole line,
 * message_at where its message starts (after "FILE:LINE: "); to_stderr:
 * also said before the screen starts (refusals and what was left out). */
static void problem(struct incident *inc, enum runbook_load_kind kind, const char *file, int line,
		    const char *text, size_t message_at, bool to_stderr,
		    void (*report)(void *ctx, const char *problem), void *ctx)
{
	xgrow(&inc->runbook_problems, &inc->cap_runbook_problems, inc->n_runbook_problems + 1,
	      sizeof *inc->runbook_problems);
	struct runbook_load_problem *p = &inc->runbook_problems[inc->n_runbook_problems++];
	p->kind = kind;
	p->file = xstrdup(file);
	p->line = line;
	p->text = xstrdup(text);
	p->message = p->text + message_at;
	inc->runbook_warnings += kind == RUNBOOK_LOAD_WARNING;
	if (to_stderr && report)
		report(ctx, text);
}

/* A problem runbook_load found in a file. */
static void file_problem(struct incident *inc, const struct runbook_problem *q, bool to_stderr,
			 void (*report)(void *ctx, const char *problem), void *ctx)
{
	problem(inc, q->severity == RUNBOOK_ERROR ? RUNBOOK_LOAD_ERROR : RUNBOOK_LOAD_WARNING, q->file, q->line,
		q->text, (size_t)(q->message - q->text), to_stderr, report, ctx);
}

static bool name_taken(const struct incident *inc, const char *name)
{
	for (size_t i = 0; i < inc->n_runbooks; i++)
		if (strcmp(inc->runbooks[i].name, name) == 0)
			return true;
	return false;
}

/* A runbook's name: its file's, without .md ("burn-rate"), or for a
 * folder's README.md the folder's ("payments"). When another runbook has
 * that name already, its path below the runbook directory
 * ("payments/deploy"). The same path below a later directory of
 * runbook_dirs is that directory's copy of the same runbook: the first
 * directory's wins, as it always has; NULL then. */
static char *runbook_name(const struct incident *inc, const char *rel, const char *const *loaded_rels,
			  size_t n_loaded)
{
	const char *slash = strrchr(rel, '/'), *base = slash ? slash + 1 : rel;
	char *name;
	if (slash && strcmp(base, "README.md") == 0) {
		const char *folder = slash;
		while (folder > rel && folder[-1] != '/')
			folder--;
		name = xasprintf("%.*s", (int)(slash - folder), folder);
	} else {
		name = xasprintf("%.*s", (int)(strlen(base) - 3), base);
	}
	for (size_t i = 0; i < n_loaded; i++) {
		if (strcmp(loaded_rels[i], rel) == 0) {
			free(name);
			return NULL;
		}
	}
	if (!name_taken(inc, name))
		return name;
	free(name);
	return xasprintf("%.*s", (int)(strlen(rel) - 3), rel);
}

size_t incident_load_runbooks(struct incident *inc, const char *const *dirs, size_t n_dirs,
			      void (*report)(void *ctx, const char *problem), void *ctx)
{
	size_t loaded = 0, left_out = 0;
	uint64_t bytes = 0;
	const char **rels = NULL; /* of the runbooks loaded here, for copies in later directories */
	size_t n_rels = 0, cap_rels = 0;
	for (size_t d = 0; d < n_dirs; d++) {
		struct found *found = NULL;
		size_t n = 0, cap = 0, entries = 0;
		bool capped = false;
		walk(dirs[d], "", 0, &found, &n, &cap, &entries, &capped);
		if (capped) {
			char *why = xasprintf("%s: runbooks are looked for %d folders deep and in %d entries at most; "
					      "the rest of the tree is left out",
					      dirs[d], RUNBOOK_DIR_DEPTH, RUNBOOK_DIR_ENTRIES);
			problem(inc, RUNBOOK_LOAD_LEFT_OUT, dirs[d], 0, why, strlen(dirs[d]) + 2, true, report, ctx);
			free(why);
		}
		/* In path order, so that what a cap leaves out is predictable. */
		if (n > 1)
			qsort(found, n, sizeof *found, found_order);
		for (size_t k = 0; k < n; k++) {
			char *path = found[k].path, *rel = found[k].rel;
			struct stat st = { 0 };
			char *name = NULL;
			if (inc->n_runbooks >= RUNBOOK_MAX_LOADED ||
			    (stat(path, &st) == 0 && bytes + (uint64_t)st.st_size > RUNBOOK_MAX_TOTAL_BYTES)) {
				left_out++;
			} else if ((name = runbook_name(inc, rel, rels, n_rels))) {
				bytes += (uint64_t)st.st_size;
				struct runbook rb;
				struct runbook_problems problems = { 0 };
				int rc = runbook_load(path, &rb, &problems);
				if (rc == 0 && name_taken(inc, name)) {
					/* Two paths made one name: a/b/x.md beside a/b.md's folder */
					char *why = xasprintf("%s: left out: another runbook is named %s", path, name);
					problem(inc, RUNBOOK_LOAD_ERROR, path, 0, why, strlen(path) + 2, true, report, ctx);
					inc->runbooks_refused++;
					free(why);
					runbook_free(&rb);
				} else if (rc == 0) {
					/* The runbook loads; its warnings are kept
					 * for the pane, and stderr stays quiet. */
					for (size_t i = 0; i < problems.n; i++)
						file_problem(inc, &problems.list[i], false, report, ctx);
					free(rb.name);
					rb.name = name;
					name = NULL;
					inc->runbooks = xrealloc(inc->runbooks, (inc->n_runbooks + 1) * sizeof *inc->runbooks);
					inc->runbooks[inc->n_runbooks++] = rb;
					xgrow(&rels, &cap_rels, n_rels + 1, sizeof *rels);
					rels[n_rels++] = rel;
					rel = NULL;
					loaded++;
				} else {
					/* Refused: every problem kept, the first
					 * error said. */
					bool said = false;
					for (size_t i = 0; i < problems.n; i++) {
						bool first = !said && problems.list[i].severity == RUNBOOK_ERROR;
						file_problem(inc, &problems.list[i], first, report, ctx);
						said |= first;
					}
					inc->runbooks_refused++;
					runbook_free(&rb);
				}
				runbook_problems_free(&problems);
			}
			free(name);
			free(path);
			free(rel);
		}
		free(found);
	}
	for (size_t i = 0; i < n_rels; i++)
		free((char *)rels[i]);
	free(rels);
	if (left_out) {
		char *why = xasprintf("%zu more runbook file%s: at most %d runbooks and %u MiB of them are loaded (the first by file name)",
				      left_out, left_out == 1 ? "" : "s", RUNBOOK_MAX_LOADED, RUNBOOK_MAX_TOTAL_BYTES >> 20);
		problem(inc, RUNBOOK_LOAD_LEFT_OUT, "", 0, why, 0, true, report, ctx);
		free(why);
	}
	inc->runbooks_left_out += left_out;
	if (inc->n_runbooks > 1)
		qsort(inc->runbooks, inc->n_runbooks, sizeof *inc->runbooks, runbook_order);
	inc->generation++;
	return loaded;
}

const struct step_tick *incident_tick_of(const struct incident *inc, const char *runbook, const char *step)
{
	for (size_t i = 0; i < inc->n_ticks; i++)
		if (strcmp(inc->ticks[i].runbook, runbook) == 0 && strcmp(inc->ticks[i].step, step) == 0)
			return &inc->ticks[i];
	return NULL;
}

static int str_order(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t incident_runbook_done(const struct incident *inc, const struct runbook *rb)
{
	const char **ticked = NULL;
	size_t n = 0, done = 0;
	for (size_t i = 0; i < inc->n_ticks; i++) {
		if (strcmp(inc->ticks[i].runbook, rb->name) != 0)
			continue;
		if (!ticked)
			ticked = xcalloc(inc->n_ticks, sizeof *ticked);
		ticked[n++] = inc->ticks[i].step;
	}
	if (!n)
		return 0;
	/* A tick names a step once (tick_set); one for a step the file no
	 * longer has is not progress. */
	qsort(ticked, n, sizeof *ticked, str_order);
	for (size_t i = 0; i < rb->n_steps; i++)
		done += bsearch(&rb->steps[i].id, ticked, n, sizeof *ticked, str_order) != NULL;
	free(ticked);
	return done;
}

static void tick_set(struct incident *inc, const char *runbook, const char *step, bool on, const char *by,
		     int64_t at)
{
	struct step_tick *t = (struct step_tick *)incident_tick_of(inc, runbook, step);
	if (on && !t) {
		xgrow(&inc->ticks, &inc->cap_ticks, inc->n_ticks + 1, sizeof *inc->ticks);
		t = &inc->ticks[inc->n_ticks++];
		t->runbook = xstrdup(runbook);
		t->step = xstrdup(step);
		t->by = xstrdup(by);
		t->at_ms = at;
	} else if (!on && t) {
		free(t->runbook);
		free(t->step);
		free(t->by);
		*t = inc->ticks[--inc->n_ticks];
	}
	inc->generation++;
}

void absorb_tick(struct incident *inc, const cJSON *e, int64_t at)
{
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome");
	const char *target = jsonmsg_str(e, "target"), *person = entry_person(e);
	const char *step = jsonmsg_str(cJSON_GetObjectItemCaseSensitive(e, "params"), "step");
	if (!action || !outcome || !target || !person || !step || strncmp(target, "runbook:", 8) != 0)
		return;
	if ((strcmp(action, "tick") == 0 && strcmp(outcome, "ticked") == 0) ||
	    (strcmp(action, "untick") == 0 && strcmp(outcome, "unticked") == 0))
		tick_set(inc, target + 8, step, strcmp(action, "tick") == 0, person, at);
}

int incident_tick(struct incident *inc, const char *runbook, const char *step, bool on, const char *reason,
		  const struct actor *actor, struct error *err)
{
	const char *action = on ? "tick" : "untick";
	char *target = xasprintf("runbook:%s", runbook);
	int rc = -1;
	if (incident_may_act(inc, actor, action, target, reason, err) != 0)
		goto out;
	const char *why = NULL;
	if (!on && (!reason || !*reason))
		why = "unticking a step needs a reason";
	else if (on == (incident_tick_of(inc, runbook, step) != NULL))
		why = on ? "the step is already ticked" : "the step is not ticked";
	if (why) {
		incident_journal_refusal(inc, actor, action, target, reason, why);
		error_set(err, "%s refused: %s", action, why);
		goto out;
	}
	cJSON *e = incident_journal_entry(inc, actor, action, target, reason && *reason ? reason : NULL);
	cJSON *params = cJSON_AddObjectToObject(e, "params");
	cJSON_AddStringToObject(params, "step", step);
	cJSON_AddStringToObject(e, "outcome", on ? "ticked" : "unticked");
	rc = incident_record_or_fail(inc, e, action, err);
out:
	free(target);
	return rc;
}

size_t incident_signals(const struct incident *inc, char ***out)
{
	char **sig = NULL;
	size_t n = 0;
	for (size_t i = 0; i < inc->n_slos; i++) {
		const struct incident_slo *s = &inc->slos[i];
		for (int k = 0; k < BURN_NTIERS; k++) {
			const struct burn_alert *a = &s->result.alerts[k];
			if (!a->firing)
				continue;
			sig = xrealloc(sig, (n + 1) * sizeof *sig);
			sig[n++] = xasprintf("slo %s %s %s/%s endpoint %s", s->spec.name, a->severity,
					     burn_window_name[a->tier->long_window],
					     burn_window_name[a->tier->short_window], s->endpoint ? s->endpoint : "-");
		}
	}
	for (size_t i = 0; i < inc->n_canaries; i++) {
		const struct canary *c = &inc->canaries[i].canary;
		if (c->n_windows == 0)
			continue;
		const struct canary_window *w = &c->windows[c->n_windows - 1];
		/* A compare canary's failures are its judge's, not the
		 * threshold rule's beside it. */
		for (size_t k = 0; k < c->spec.n_thresholds; k++) {
			if (w->cmp ? w->cmp[k].verdict != COMPARE_FAIL
				   : k >= w->n_checks || w->checks[k].verdict != WINDOW_FAIL)
				continue;
			sig = xrealloc(sig, (n + 1) * sizeof *sig);
			sig[n++] = xasprintf("canary %s %s %s %s fail", c->spec.endpoint, c->spec.deployment,
					     c->spec.thresholds[k].class_name, c->spec.thresholds[k].metric);
		}
	}
	*out = sig;
	return n;
}

int incident_suggested_runbook(const struct incident *inc, char **why)
{
	char **sig;
	size_t n = incident_signals(inc, &sig);
	int best = -1;
	*why = NULL;
	for (size_t i = 0; i < inc->n_runbooks && best < 0 && n; i++) {
		size_t which;
		int t = runbook_match(&inc->runbooks[i], (const char *const *)sig, n, &which);
		if (t >= 0) {
			best = (int)i;
			*why = xasprintf("%s matches /%s/", sig[which], inc->runbooks[i].triggers[t].pattern);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(sig[i]);
	free(sig);
	return best;
}
