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

static int runbook_file(const struct dirent *de)
{
	size_t n = strlen(de->d_name);
	/* README.md explains runbooks; it is not one. */
	return n >= 4 && strcmp(de->d_name + n - 3, ".md") == 0 && strcmp(de->d_name, "README.md") != 0;
}

size_t incident_load_runbooks(struct incident *inc, const char *const *dirs, size_t n_dirs,
			      void (*report)(void *ctx, const char *problem), void *ctx)
{
	size_t loaded = 0, left_out = 0;
	uint64_t bytes = 0;
	for (size_t d = 0; d < n_dirs; d++) {
		struct dirent **names;
		/* In name order, so that what a cap leaves out is predictable. */
		int n = scandir(dirs[d], &names, runbook_file, alphasort);
		if (n < 0)
			continue;
		for (int k = 0; k < n; k++) {
			char *path = xasprintf("%s/%s", dirs[d], names[k]->d_name);
			free(names[k]);
			struct stat st;
			if (inc->n_runbooks >= RUNBOOK_MAX_LOADED ||
			    (stat(path, &st) == 0 && bytes + (uint64_t)st.st_size > RUNBOOK_MAX_TOTAL_BYTES)) {
				left_out++;
				free(path);
				continue;
			}
			bytes += (uint64_t)st.st_size;
			struct runbook rb;
			struct runbook_problems problems = { 0 };
			bool dup = false;
			if (runbook_load(path, &rb, &problems) == 0) {
				for (size_t i = 0; i < inc->n_runbooks; i++)
					dup |= strcmp(inc->runbooks[i].name, rb.name) == 0;
			}
			if (problems.n_errors == 0 && !dup) {
				/* Warnings are for `cmdr runbook lint`: the runbook
				 * loads, and the console's stderr stays quiet. */
				inc->runbooks = xrealloc(inc->runbooks, (inc->n_runbooks + 1) * sizeof *inc->runbooks);
				inc->runbooks[inc->n_runbooks++] = rb;
				loaded++;
			} else {
				/* The first directory's runbook of a name wins. */
				for (size_t i = 0; i < problems.n && report; i++) {
					if (problems.list[i].severity == RUNBOOK_ERROR) {
						report(ctx, problems.list[i].text);
						break;
					}
				}
				runbook_free(&rb);
			}
			runbook_problems_free(&problems);
			free(path);
		}
		free(names);
	}
	if (left_out && report) {
		char *why = xasprintf("%zu more runbook file%s: at most %d runbooks and %u MiB of them are loaded (the first by file name)",
				      left_out, left_out == 1 ? "" : "s", RUNBOOK_MAX_LOADED, RUNBOOK_MAX_TOTAL_BYTES >> 20);
		report(ctx, why);
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
		for (size_t k = 0; k < w->n_checks; k++) {
			if (w->checks[k].verdict != WINDOW_FAIL)
				continue;
			sig = xrealloc(sig, (n + 1) * sizeof *sig);
			sig[n++] = xasprintf("canary %s %s %s %s fail", c->spec.endpoint, c->spec.deployment,
					     w->checks[k].class_name, w->checks[k].metric);
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
