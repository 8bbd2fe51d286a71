#include "postmortem.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "incident_impl.h"
#include "journal.h"
#include "jsonmsg.h"
#include "numeric.h"
#include "scorecard.h"
#include "sanitize.h"
#include "timefmt.h"
#include "timeline.h"
#include "workflow.h"
#include "xalloc.h"

/* What the document needs, gathered in a first pass over the journal; the
 * timeline is written in a second pass, and the ticks and follow-ups wait
 * in temporary files, so memory does not grow with the journal. */
struct pm {
	enum postmortem_format format;
	struct workflow w;
	struct scorecard sc;
	int worst;          /* the highest severity (lowest number) it had */
	char *drill;        /* the scenario, for a drill's journal */
	int64_t first_ms, last_ms;
	cJSON *changes;     /* [{time, who, action, endpoint, from, to, traffic, reason, outcome, verified_s, detail, evidence}] */
	cJSON *silences;    /* postmortem_silences.c */
	struct pin_set pins; /* the services pinned when the journal ends */
	FILE *ticks;        /* rows or JSON items of {time, who, runbook, step, ticked} */
	FILE *todos;        /* of {time, who, text} */
	size_t n_ticks, n_todos, n_timeline;
	FILE *out;          /* the timeline's pass writes here */
	struct audit_result audit;
};

static void md_timeline_row(FILE *out, const cJSON *t);
static void md_tick_row(FILE *out, const cJSON *t);
static void md_todo_row(FILE *out, const cJSON *t);

/* One item of a list, as a Markdown row or a JSON array element; frees it. */
static void put_item(const struct pm *pm, FILE *f, size_t *n, cJSON *item, void (*md_row)(FILE *, const cJSON *))
{
	if (pm->format == POSTMORTEM_JSON) {
		sanitize_json(item);
		char *text = cJSON_PrintUnformatted(item);
		fprintf(f, "%s\t\t%s", *n ? ",\n" : "", text);
		cJSON_free(text);
	} else {
		md_row(f, item);
	}
	(*n)++;
	cJSON_Delete(item);
}

static bool is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

static void add_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

/* " (3 verified, 1 failed, 1 refused)": every outcome the changes had,
 * in the order first seen; "" when there are none. */
static void outcome_counts(const cJSON *changes, char *buf, size_t size)
{
	const char *names[16];
	size_t counts[16], n = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, changes)
	{
		const char *o = jsonmsg_str(c, "outcome") ? jsonmsg_str(c, "outcome") : "?";
		size_t k = 0;
		while (k < n && strcmp(names[k], o) != 0)
			k++;
		if (k == n && n < 16) {
			names[n] = o;
			counts[n++] = 0;
		}
		if (k < n)
			counts[k]++;
	}
	size_t used = 0;
	*buf = '\0';
	for (size_t k = 0; k < n && used < size; k++)
		used += (size_t)snprintf(buf + used, size - used, "%s%zu %s%s", k ? ", " : " (", counts[k], names[k],
					 k + 1 == n ? ")" : "");
}

static cJSON *change_for(cJSON *changes, double intent_seq)
{
	for (cJSON *c = changes->child; c; c = c->next)
		if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "seq")) == intent_seq)
			return c;
	return NULL;
}

/* A change as its first line gives it: an intent, or a refusal (or a
 * failure before any intent, or an expired or withdrawn request), which
 * is all there will be of it. */
static void change_add(struct pm *pm, const cJSON *e, const char *when, int64_t at, const char *who,
		       const char *outcome)
{
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(e, "params");
	cJSON *c = cJSON_CreateObject();
	cJSON_AddNumberToObject(c, "seq", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "seq")));
	add_str(c, "time", when);
	cJSON_AddNumberToObject(c, "at_ms", (double)at);
	add_str(c, "who", who);
	add_str(c, "action", jsonmsg_str(e, "action"));
	add_str(c, "endpoint", jsonmsg_str(e, "target"));
	add_str(c, "from", jsonmsg_str(params, "from"));
	if (jsonmsg_str(params, "from_read_at"))
		add_str(c, "from_read_at", jsonmsg_str(params, "from_read_at"));
	add_str(c, "to", jsonmsg_str(params, "to"));
	add_str(c, "asked", jsonmsg_str(params, "traffic"));
	add_str(c, "reason", jsonmsg_str(e, "reason"));
	add_str(c, "outcome", outcome);
	if (jsonmsg_str(e, "detail"))
		add_str(c, "detail", jsonmsg_str(e, "detail"));
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(params, "evidence");
	if (cJSON_IsObject(ev))
		cJSON_AddItemToObject(c, "evidence", cJSON_Duplicate(ev, true));
	cJSON_AddItemToArray(pm->changes, c);
}

static void take_change(struct pm *pm, const cJSON *e, const char *when, int64_t at, const char *who)
{
	const char *outcome = jsonmsg_str(e, "outcome");
	const cJSON *intent = cJSON_GetObjectItemCaseSensitive(e, "intent");
	if (is(outcome, "intent")) {
		change_add(pm, e, when, at, who, "no outcome recorded");
		return;
	}
	if (!cJSON_IsNumber(intent)) {
		if (is(outcome, "refused") || is(outcome, "failed") || is(outcome, "expired") || is(outcome, "withdrawn"))
			change_add(pm, e, when, at, who, outcome);
		return;
	}
	cJSON *c = change_for(pm->changes, intent->valuedouble);
	if (!c)
		return;
	cJSON_ReplaceItemInObject(c, "outcome", cJSON_CreateString(outcome ? outcome : "?"));
	add_str(c, "traffic", jsonmsg_str(e, "traffic"));
	add_str(c, "detail", jsonmsg_str(e, "detail"));
	double started = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "at_ms"));
	cJSON_AddNumberToObject(c, "after_s", numeric_round((double)at - started) / 1000.0);
}

static void take(struct pm *pm, const cJSON *e)
{
	int64_t at = 0;
	const char *when = jsonmsg_str(e, "time");
	if (!when || !timefmt_parse_iso(when, &at))
		return;
	if (!pm->first_ms)
		pm->first_ms = at;
	pm->last_ms = at;
	workflow_apply(&pm->w, e, at);
	scorecard_take(&pm->sc, e, at);
	if (pm->w.severity != SEV_UNSET && (pm->worst == SEV_UNSET || pm->w.severity < pm->worst))
		pm->worst = pm->w.severity;
	if (!pm->drill && jsonmsg_str(e, "drill"))
		pm->drill = xstrdup(jsonmsg_str(e, "drill"));
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(e, "params");
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
	const char *who = jsonmsg_str(actor, "as") ? jsonmsg_str(actor, "as") : jsonmsg_str(actor, "user");
	if ((is(action, "rollback") || is(action, "promote") || is(action, "set_weight")) && !is(outcome, "pending") &&
	    !is(outcome, "approved"))
		take_change(pm, e, when, at, who);
	postmortem_silence_take(pm->silences, e, when, who);
	pin_set_apply(&pm->pins, e, at);
	if ((is(action, "tick") || is(action, "untick")) && (is(outcome, "ticked") || is(outcome, "unticked"))) {
		const char *target = jsonmsg_str(e, "target");
		cJSON *k = cJSON_CreateObject();
		add_str(k, "time", when);
		add_str(k, "who", who);
		add_str(k, "runbook", target && strncmp(target, "runbook:", 8) == 0 ? target + 8 : target);
		add_str(k, "step", jsonmsg_str(params, "step"));
		cJSON_AddBoolToObject(k, "ticked", is(action, "tick"));
		put_item(pm, pm->ticks, &pm->n_ticks, k, md_tick_row);
	}
	/* The scribe's convention: a note that starts with TODO: is a follow-up. */
	const char *text = jsonmsg_str(params, "text");
	if (is(action, "note") && is(outcome, "noted") && text && strncmp(text, "TODO:", 5) == 0) {
		cJSON *d = cJSON_CreateObject();
		add_str(d, "time", when);
		add_str(d, "who", who);
		const char *rest = text + 5;
		while (*rest == ' ')
			rest++;
		add_str(d, "text", rest);
		put_item(pm, pm->todos, &pm->n_todos, d, md_todo_row);
	}
}

/* The timeline's row for an entry, or NULL: what take() counts as the story. */
static cJSON *timeline_item(const cJSON *e)
{
	int64_t at = 0;
	const char *when = jsonmsg_str(e, "time");
	if (!when || !timefmt_parse_iso(when, &at))
		return NULL;
	/* A message that went out is not part of the story; one that failed is. */
	if (is(jsonmsg_str(e, "action"), "notify") && is(jsonmsg_str(e, "outcome"), "sent"))
		return NULL;
	struct timeline_entry te;
	timeline_entry_set(&te, e, at);
	cJSON *t = cJSON_CreateObject();
	add_str(t, "time", when);
	add_str(t, "who", te.who);
	add_str(t, "role", te.role);
	add_str(t, "what", te.what);
	add_str(t, "why", te.why);
	cJSON_AddBoolToObject(t, "failed", te.failed);
	timeline_entry_free(&te);
	return t;
}

static void on_take(void *ctx, const char *line, size_t len)
{
	cJSON *e = cJSON_ParseWithLength(line, len);
	if (e)
		take(ctx, e);
	cJSON_Delete(e);
}

static void on_timeline(void *ctx, const char *line, size_t len)
{
	struct pm *pm = ctx;
	cJSON *e = cJSON_ParseWithLength(line, len);
	cJSON *t = e ? timeline_item(e) : NULL;
	if (t)
		put_item(pm, pm->out, &pm->n_timeline, t, md_timeline_row);
	cJSON_Delete(e);
}

/* Lines over JOURNAL_LINE_MAX are not read; the record section names the
 * first (audit_verify counts them). */
static int gather(const char *path, struct pm *pm, struct error *err)
{
	struct journal j;
	if (journal_scan(&j, path, on_take, NULL, pm, err) != 0)
		return -1;
	return audit_verify(path, NULL, &pm->audit, err);
}

static void copy_rest(FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;
	rewind(from);
	while ((n = fread(buf, 1, sizeof buf, from)) > 0)
		fwrite(buf, 1, n, to);
}

static void fmt_time(int64_t ms, char *buf, size_t size)
{
	if (!ms) {
		snprintf(buf, size, "-");
		return;
	}
	char iso[32];
	timefmt_iso(ms, iso, sizeof iso);
	/* 2024-09-13T17:14:03.000Z -> 2024-09-13 17:14:03 UTC */
	snprintf(buf, size, "%.10s %.8s UTC", iso, iso + 11);
}

/* Outside text put inline in the Markdown (a table cell, a heading, a
 * list item): one line with no control (sanitize_text), and no character
 * that could end the table or the emphasis around it, or make a link, an
 * image, a code span or HTML: those are escaped with a backslash. */
static void cell(FILE *out, const char *s)
{
	char buf[2048];
	sanitize_text(s ? s : "", buf, sizeof buf);
	for (char *p = buf; *p; p++) {
		/* '<' opens HTML only before a tag's name, '/', '!' or '?'. */
		bool tag = *p == '<' && (isalpha((unsigned char)p[1]) || (p[1] && strchr("/!?", p[1])));
		if (tag || strchr("\\`*[]|", *p))
			fputc('\\', out);
		fputc(*p, out);
	}
}

static const char *hms(const char *iso)
{
	/* "2024-09-13T17:14:03.000Z": the time of day; the date is in the header. */
	static char buf[16];
	snprintf(buf, sizeof buf, "%.8s", iso && strlen(iso) >= 19 ? iso + 11 : "?");
	return buf;
}

/* A number of the evidence, or "-" where it was not known (null): style
 * '+' a signed difference, 'g' a ratio or a bound, else a mean. */
static void md_number(FILE *out, char style, const cJSON *v)
{
	if (!cJSON_IsNumber(v))
		fputs("-", out);
	else if (style == '+')
		fprintf(out, "%+.2f", v->valuedouble);
	else if (style == 'g')
		fprintf(out, "%.3g", v->valuedouble);
	else
		fprintf(out, "%.2f", v->valuedouble);
}

static void md_threshold_windows(FILE *out, const cJSON *x)
{
	fputs(":\n\n| Window (UTC) | Class | Metric | Value | Gate | n | Verdict |\n|---|---|---|---|---|---|---|\n", out);
	const cJSON *w;
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(x, "windows"))
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(w, "value");
		fprintf(out, "| %s-", hms(jsonmsg_str(w, "start")));
		fprintf(out, "%s | ", hms(jsonmsg_str(w, "end")));
		cell(out, jsonmsg_str(w, "class"));
		fputs(" | ", out);
		cell(out, jsonmsg_str(w, "metric"));
		if (cJSON_IsNumber(v))
			fprintf(out, " | %.2f", v->valuedouble);
		else
			fputs(" | no data", out);
		fprintf(out, " | %.2f | %d | ", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(w, "threshold")),
			(int)jsonmsg_uint(w, "n", INT_MAX));
		cell(out, jsonmsg_str(w, "verdict"));
		fputs(" |\n", out);
	}
}

/* One side of a comparison: its mean (n), and its deployment when it is
 * not the one the heading names. */
static void md_side(FILE *out, const cJSON *side, const char *named)
{
	const char *dep = jsonmsg_str(side, "deployment");
	if (dep && (!named || strcmp(dep, named) != 0)) {
		cell(out, dep);
		fputs(" ", out);
	}
	md_number(out, '2', cJSON_GetObjectItemCaseSensitive(side, "mean"));
	fprintf(out, " (%d)", (int)jsonmsg_uint(side, "n", INT_MAX));
}

/* compare: the deciding metric of each window against the baseline, and
 * the threshold rule beside it. */
static void md_compare_windows(FILE *out, const cJSON *x)
{
	const char *base = jsonmsg_str(x, "baseline");
	fputs(", compare judge against ", out);
	cell(out, base ? base : "no known baseline");
	fputs(" (alpha ", out);
	md_number(out, 'g', cJSON_GetObjectItemCaseSensitive(x, "alpha"));
	fputs("):\n\n| Window (UTC) | Class | Metric | Canary (n) | Baseline (n) | Difference [interval] | LR / bar "
	      "| Rule | Verdict | Threshold rule |\n|---|---|---|---|---|---|---|---|---|---|\n",
	      out);
	const cJSON *w;
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(x, "windows"))
	{
		fprintf(out, "| %s-", hms(jsonmsg_str(w, "start")));
		fprintf(out, "%s | ", hms(jsonmsg_str(w, "end")));
		cell(out, jsonmsg_str(w, "class"));
		fputs(" | ", out);
		cell(out, jsonmsg_str(w, "metric"));
		fputs(" | ", out);
		md_side(out, cJSON_GetObjectItemCaseSensitive(w, "canary"), NULL);
		fputs(" | ", out);
		md_side(out, cJSON_GetObjectItemCaseSensitive(w, "baseline"), base);
		fputs(" | ", out);
		const cJSON *iv = cJSON_GetObjectItemCaseSensitive(w, "interval");
		md_number(out, '+', cJSON_GetObjectItemCaseSensitive(w, "diff"));
		fputs(" [", out);
		md_number(out, '+', cJSON_GetArrayItem(iv, 0));
		fputs(", ", out);
		md_number(out, '+', cJSON_GetArrayItem(iv, 1));
		fputs("] | ", out);
		md_number(out, 'g', cJSON_GetObjectItemCaseSensitive(w, "lr"));
		fputs(" / ", out);
		md_number(out, 'g', cJSON_GetObjectItemCaseSensitive(w, "bar"));
		fputs(" | ", out);
		cell(out, jsonmsg_str(w, "rule"));
		fputs(" | ", out);
		cell(out, jsonmsg_str(w, "verdict"));
		const cJSON *beside = cJSON_GetObjectItemCaseSensitive(w, "beside");
		if (beside) {
			fputs(" | ", out);
			cell(out, jsonmsg_str(beside, "verdict"));
			fprintf(out, ", %d in a row |\n", (int)jsonmsg_uint(beside, "consecutive_failures", INT_MAX));
		} else {
			fputs(" | - |\n", out);
		}
	}
}

static void md_evidence(FILE *out, const cJSON *ev)
{
	const cJSON *x;
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(ev, "canary"))
	{
		fputs("\nCanary ", out);
		cell(out, jsonmsg_str(x, "deployment"));
		fputs(", verdict ", out);
		cell(out, jsonmsg_str(x, "verdict"));
		const char *judge = jsonmsg_str(x, "judge");
		if (judge && strcmp(judge, "compare") == 0)
			md_compare_windows(out, x);
		else
			md_threshold_windows(out, x);
	}
	const cJSON *burn = cJSON_GetObjectItemCaseSensitive(ev, "burn");
	if (cJSON_GetArraySize(burn) == 0)
		return;
	fputs("\nBurn rates:\n\n| SLO | 5m | 30m | 1h | 2h | 6h | 1d | 3d | Firing |\n|---|---|---|---|---|---|---|---|---|\n",
	      out);
	cJSON_ArrayForEach(x, burn)
	{
		fputs("| ", out);
		cell(out, jsonmsg_str(x, "slo"));
		static const char *const win[] = { "5m", "30m", "1h", "2h", "6h", "1d", "3d" };
		const cJSON *rates = cJSON_GetObjectItemCaseSensitive(x, "rates");
		for (size_t k = 0; k < sizeof win / sizeof win[0]; k++) {
			const cJSON *r = cJSON_GetObjectItemCaseSensitive(rates, win[k]);
			if (cJSON_IsNumber(r))
				fprintf(out, " | %.2f", r->valuedouble);
			else
				fputs(" | no data", out);
		}
		fputs(" | ", out);
		const cJSON *f;
		bool any = false;
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(x, "firing"))
		{
			fputs(any ? ", " : "", out);
			cell(out, cJSON_GetStringValue(f));
			any = true;
		}
		fprintf(out, "%s%s |\n", any ? "" : "none", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "stale")) ? " (STALE)" : "");
	}
}

static void md_timeline_row(FILE *out, const cJSON *t)
{
	const char *when = jsonmsg_str(t, "time");
	fprintf(out, "| %s | ", hms(when));
	cell(out, jsonmsg_str(t, "who"));
	fputs(" | ", out);
	cell(out, jsonmsg_str(t, "role"));
	fputs(" | ", out);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "failed")))
		fputs("**", out);
	cell(out, jsonmsg_str(t, "what"));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "failed")))
		fputs("**", out);
	fputs(" | ", out);
	cell(out, jsonmsg_str(t, "why"));
	fputs(" |\n", out);
}

static void md_tick_row(FILE *out, const cJSON *t)
{
	fprintf(out, "| %s | ", hms(jsonmsg_str(t, "time")));
	cell(out, jsonmsg_str(t, "who"));
	fputs(" | ", out);
	cell(out, jsonmsg_str(t, "runbook"));
	fputs(" | ", out);
	cell(out, jsonmsg_str(t, "step"));
	fprintf(out, " | %s |\n", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "ticked")) ? "ticked" : "unticked");
}

static void md_todo_row(FILE *out, const cJSON *t)
{
	fputs("- [ ] ", out);
	cell(out, jsonmsg_str(t, "text"));
	fputs(" (", out);
	cell(out, jsonmsg_str(t, "who"));
	fprintf(out, ", %s)\n", hms(jsonmsg_str(t, "time")));
}

static void write_md(struct pm *pm, const char *path, FILE *out)
{
	const struct workflow *w = &pm->w;
	char t1[40], t2[40], dur[32];
	fputs("# Postmortem: ", out);
	cell(out, w->title ? w->title : "(no incident was declared)");
	fprintf(out, "%s\n\n", pm->drill ? " (drill)" : "");
	if (pm->drill) {
		fputs("> This is the record of a drill (scenario ", out);
		cell(out, pm->drill);
		fputs("), not of a real incident.\n\n", out);
	}
	fmt_time(w->declared_at, t1, sizeof t1);
	fmt_time(w->resolved_at, t2, sizeof t2);
	if (w->declared_at && w->resolved_at)
		timefmt_duration(w->resolved_at - w->declared_at, dur, sizeof dur);
	else
		snprintf(dur, sizeof dur, "%s", w->declared_at ? "not resolved" : "-");
	size_t n_changes = (size_t)cJSON_GetArraySize(pm->changes);
	const cJSON *c;
	char counts[256];
	outcome_counts(pm->changes, counts, sizeof counts);
	fprintf(out, "## Summary\n\n");
	if (w->declared_at) {
		fprintf(out, "%s, declared %s by ", sev_name(w->severity), t1);
		cell(out, w->declared_by ? w->declared_by : "?");
		fprintf(out, "; %s%s. %zu traffic change%s%s.\n\n", w->resolved_at ? "resolved after " : "", dur, n_changes,
			n_changes == 1 ? "" : "s", counts);
	} else {
		fprintf(out, "No incident was declared in this journal. %zu traffic change%s%s.\n\n", n_changes,
			n_changes == 1 ? "" : "s", counts);
	}
	fprintf(out, "| | |\n|---|---|\n");
	fprintf(out, "| Severity | %s (highest: %s) |\n", sev_name(w->severity), sev_name(pm->worst));
	fprintf(out, "| Declared | %s by ", t1);
	cell(out, w->declared_by ? w->declared_by : "-");
	fprintf(out, " |\n| Resolved | %s", t2);
	if (w->resolved_by) {
		fputs(" by ", out);
		cell(out, w->resolved_by);
	}
	if (w->resolution) {
		fputs(": ", out);
		cell(out, w->resolution);
	}
	fprintf(out, " |\n| Duration | %s |\n", dur);
	for (int d = 0; d < DUTY_N; d++) {
		fprintf(out, "| %c%s | ", duty_name((enum duty)d)[0] - 32, duty_name((enum duty)d) + 1);
		cell(out, w->holder[d] ? w->holder[d] : "-");
		fputs(" |\n", out);
	}
	fprintf(out, "| Status updates | %u |\n", w->n_updates);
	if (pm->pins.n) {
		fputs("| Pinned services | ", out);
		for (size_t i = 0; i < pm->pins.n; i++) {
			fputs(i ? ", " : "", out);
			cell(out, pm->pins.pins[i].service);
		}
		fputs(" |\n", out);
	}
	fputc('\n', out);

	fprintf(out, "## Timeline (UTC)\n\n| Time | Who | Role | What | Why |\n|---|---|---|---|---|\n");
	struct journal j;
	struct error err;
	pm->out = out;
	if (journal_scan(&j, path, on_timeline, NULL, pm, &err) != 0)
		fprintf(out, "| | | | (%s) | |\n", err.msg);

	fprintf(out, "\n## Traffic changes\n\n");
	if (!n_changes)
		fprintf(out, "None.\n");
	cJSON_ArrayForEach(c, pm->changes)
	{
		fputs("### ", out);
		cell(out, jsonmsg_str(c, "action"));
		fputc(' ', out);
		cell(out, jsonmsg_str(c, "endpoint"));
		fprintf(out, " at %s by ", hms(jsonmsg_str(c, "time")));
		cell(out, jsonmsg_str(c, "who"));
		fputs(": ", out);
		cell(out, jsonmsg_str(c, "outcome"));
		fputs("\n\n- From: ", out);
		cell(out, jsonmsg_str(c, "from") ? jsonmsg_str(c, "from") : "?");
		if (jsonmsg_str(c, "from_read_at"))
			fprintf(out, " (as read at %s, not for this decision)", hms(jsonmsg_str(c, "from_read_at")));
		fputs("\n- Asked: ", out);
		cell(out, jsonmsg_str(c, "asked") ? jsonmsg_str(c, "asked") : "?");
		fputc('\n', out);
		if (jsonmsg_str(c, "traffic")) {
			fputs("- Read back: ", out);
			cell(out, jsonmsg_str(c, "traffic"));
			fprintf(out, ", %.1f s after the intent\n",
				cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "after_s")));
		}
		if (jsonmsg_str(c, "detail")) {
			fputs("- Detail: ", out);
			cell(out, jsonmsg_str(c, "detail"));
			fputc('\n', out);
		}
		fputs("- Why: ", out);
		cell(out, jsonmsg_str(c, "reason"));
		fputc('\n', out);
		const cJSON *ev = cJSON_GetObjectItemCaseSensitive(c, "evidence");
		if (ev)
			md_evidence(out, ev);
		fputc('\n', out);
	}

	postmortem_silences_md(out, pm->silences, cell);
	if (pm->sc.drill) {
		fprintf(out, "## Drill scorecard\n\n");
		scorecard_md(&pm->sc, pm->last_ms, out);
		fputc('\n', out);
	}
	fprintf(out, "## Runbook progress\n\n");
	if (!pm->n_ticks)
		fprintf(out, "No step was ticked.\n\n");
	else
		fprintf(out, "| Time | Who | Runbook | Step | |\n|---|---|---|---|---|\n");
	copy_rest(pm->ticks, out);
	if (pm->n_ticks)
		fputc('\n', out);

	fprintf(out, "## Follow-ups\n\n");
	if (!pm->n_todos)
		fprintf(out, "None noted (a note that starts with TODO: becomes one).\n");
	copy_rest(pm->todos, out);
	fprintf(out, "\n## The record\n\n");
	fprintf(out, "Journal `%s`: %llu entries, head `%s`, %s.\n\n", path, (unsigned long long)pm->audit.entries,
		pm->audit.head,
		pm->audit.intact ? "the hash chain is intact" : "THE HASH CHAIN IS BROKEN");
	if (!pm->audit.intact)
		fprintf(out, "First bad entry: %llu: %s.\n\n", (unsigned long long)pm->audit.bad_seq, pm->audit.why);
	if (pm->audit.n_long)
		fprintf(out, "Not read: %llu entr%s over the %u MiB line limit, the first at line %llu (%llu bytes).\n\n",
			(unsigned long long)pm->audit.n_long, pm->audit.n_long == 1 ? "y" : "ies", JOURNAL_LINE_MAX >> 20,
			(unsigned long long)pm->audit.long_line, (unsigned long long)pm->audit.long_bytes);
	fprintf(out, "Check it: `cmdr audit verify %s --head %s`\n", path, pm->audit.head);
}

static void write_json(struct pm *pm, const char *path, FILE *out)
{
	const struct workflow *w = &pm->w;
	cJSON *o = cJSON_CreateObject();
	cJSON *s = cJSON_AddObjectToObject(o, "summary");
	add_str(s, "title", w->title);
	add_str(s, "severity", w->severity == SEV_UNSET ? NULL : sev_name(w->severity));
	add_str(s, "highest_severity", pm->worst == SEV_UNSET ? NULL : sev_name(pm->worst));
	char buf[32];
	if (w->declared_at)
		timefmt_iso(w->declared_at, buf, sizeof buf);
	add_str(s, "declared_at", w->declared_at ? buf : NULL);
	add_str(s, "declared_by", w->declared_by);
	if (w->resolved_at)
		timefmt_iso(w->resolved_at, buf, sizeof buf);
	add_str(s, "resolved_at", w->resolved_at ? buf : NULL);
	add_str(s, "resolution", w->resolution);
	if (w->declared_at && w->resolved_at)
		cJSON_AddNumberToObject(s, "duration_s", (double)((w->resolved_at - w->declared_at) / 1000));
	else
		cJSON_AddNullToObject(s, "duration_s");
	cJSON *roles = cJSON_AddObjectToObject(s, "roles");
	for (int d = 0; d < DUTY_N; d++)
		add_str(roles, duty_name((enum duty)d), w->holder[d]);
	cJSON_AddNumberToObject(s, "status_updates", w->n_updates);
	cJSON *pins = cJSON_AddArrayToObject(s, "pinned");
	for (size_t i = 0; i < pm->pins.n; i++)
		cJSON_AddItemToArray(pins, cJSON_CreateString(pm->pins.pins[i].service));
	add_str(s, "drill", pm->drill);
	cJSON *r = cJSON_CreateObject();
	add_str(r, "path", path);
	cJSON_AddNumberToObject(r, "entries", (double)pm->audit.entries);
	add_str(r, "head", pm->audit.head);
	cJSON_AddBoolToObject(r, "intact", pm->audit.intact);
	char *verify = xasprintf("cmdr audit verify %s --head %s", path, pm->audit.head);
	add_str(r, "verify", verify);
	free(verify);
	if (pm->audit.n_long) {
		cJSON *l = cJSON_AddObjectToObject(r, "long_line");
		cJSON_AddNumberToObject(l, "line", (double)pm->audit.long_line);
		cJSON_AddNumberToObject(l, "bytes", (double)pm->audit.long_bytes);
		cJSON_AddNumberToObject(l, "count", (double)pm->audit.n_long);
	}
	/* Written piece by piece: the timeline streams from the journal. A
	 * journal written before it was cleaned at append may hold C1 or
	 * invalid UTF-8, which cJSON would print raw. */
	sanitize_json(o);
	sanitize_json(r);
	sanitize_json(pm->changes);
	sanitize_json(pm->silences);
	char *text = cJSON_PrintUnformatted(s);
	fprintf(out, "{\n\t\"summary\": %s,\n", text);
	cJSON_free(text);
	if (pm->sc.drill) {
		cJSON *card = scorecard_json(&pm->sc, pm->last_ms);
		sanitize_json(card);
		text = cJSON_PrintUnformatted(card);
		fprintf(out, "\t\"scorecard\": %s,\n", text);
		cJSON_free(text);
		cJSON_Delete(card);
	}
	fputs("\t\"timeline\": [\n", out);
	struct journal j;
	struct error err;
	pm->out = out;
	if (journal_scan(&j, path, on_timeline, NULL, pm, &err) != 0) {
		/* The first pass read it: only a file that vanished since gets here. */
		cJSON *t = cJSON_CreateObject();
		add_str(t, "what", err.msg);
		put_item(pm, out, &pm->n_timeline, t, md_timeline_row);
	}
	text = cJSON_PrintUnformatted(pm->changes);
	fprintf(out, "\n\t],\n\t\"changes\": %s,\n", text);
	cJSON_free(text);
	text = cJSON_PrintUnformatted(pm->silences);
	fprintf(out, "\t\"silences\": %s,\n\t\"runbook_ticks\": [\n", text);
	cJSON_free(text);
	copy_rest(pm->ticks, out);
	fputs("\n\t],\n\t\"follow_ups\": [\n", out);
	copy_rest(pm->todos, out);
	text = cJSON_PrintUnformatted(r);
	fprintf(out, "\n\t],\n\t\"journal\": %s\n}\n", text);
	cJSON_free(text);
	cJSON_Delete(r);
	cJSON_Delete(o);
}

int postmortem_write(const char *path, enum postmortem_format format, FILE *out, struct error *err)
{
	struct pm pm = { .format = format, .worst = SEV_UNSET };
	workflow_init(&pm.w);
	scorecard_init(&pm.sc);
	pm.changes = cJSON_CreateArray();
	pm.silences = cJSON_CreateArray();
	pm.ticks = tmpfile();
	pm.todos = tmpfile();
	int rc = -1;
	if (!pm.ticks || !pm.todos)
		error_set(err, "cannot make a temporary file in /tmp for the postmortem: %s", strerror(errno));
	else
		rc = gather(path, &pm, err);
	if (rc == 0) {
		if (format == POSTMORTEM_JSON)
			write_json(&pm, path, out);
		else
			write_md(&pm, path, out);
	}
	if (pm.ticks)
		fclose(pm.ticks);
	if (pm.todos)
		fclose(pm.todos);
	cJSON_Delete(pm.changes);
	cJSON_Delete(pm.silences);
	workflow_free(&pm.w);
	pin_set_free(&pm.pins);
	free(pm.drill);
	return rc;
}
