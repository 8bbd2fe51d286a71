/* The postmortem's silences (core/incident/postmortem.c): every silence
 * made during the incident, from the journal's outcome lines, with who
 * made it, why, for how long, and who extended or expired it. */
#include <stdio.h>
#include <string.h>

#include "incident_impl.h"
#include "jsonmsg.h"
#include "timefmt.h"

static cJSON *find(cJSON *silences, const char *id)
{
	cJSON *s;
	cJSON_ArrayForEach(s, silences)
	if (id && jsonmsg_str(s, "id") && strcmp(jsonmsg_str(s, "id"), id) == 0)
		return s;
	return NULL;
}

static void set_str(cJSON *o, const char *key, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

/* How long it held (or is to hold): from its start to its end. */
static void set_length(cJSON *s)
{
	int64_t a, b;
	char d[16] = "?";
	if (timefmt_parse_iso(jsonmsg_str(s, "starts") ? jsonmsg_str(s, "starts") : "", &a) &&
	    timefmt_parse_iso(jsonmsg_str(s, "ends") ? jsonmsg_str(s, "ends") : "", &b))
		timefmt_duration(b - a, d, sizeof d);
	set_str(s, "length", d);
}

void postmortem_silence_take(cJSON *silences, const cJSON *e, const char *when, const char *who)
{
	const char *action = jsonmsg_str(e, "action"), *outcome = jsonmsg_str(e, "outcome");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "params");
	const char *id = jsonmsg_str(e, "silence_id");
	if (!action || !outcome || !id || strncmp(action, "silence", 7) != 0)
		return;
	cJSON *s = find(silences, jsonmsg_str(p, "silence_id"));
	if (strcmp(outcome, "created") == 0) {
		s = cJSON_CreateObject();
		set_str(s, "id", id);
		set_str(s, "source", jsonmsg_str(e, "target"));
		set_str(s, "time", when);
		set_str(s, "who", who);
		set_str(s, "why", jsonmsg_str(e, "reason"));
		set_str(s, "matchers", jsonmsg_str(p, "matchers"));
		set_str(s, "starts", jsonmsg_str(p, "starts"));
		cJSON_AddArrayToObject(s, "changes");
		cJSON_AddItemToArray(silences, s);
	} else if (!s || (strcmp(outcome, "extended") != 0 && strcmp(outcome, "expired") != 0)) {
		return;
	}
	set_str(s, "id", id);
	set_str(s, "ends", strcmp(outcome, "expired") == 0 ? when : jsonmsg_str(p, "ends"));
	set_str(s, "state", outcome);
	set_length(s);
	if (strcmp(outcome, "created") != 0) {
		cJSON *c = cJSON_CreateObject();
		set_str(c, "time", when);
		set_str(c, "who", who);
		set_str(c, "what", outcome);
		set_str(c, "why", jsonmsg_str(e, "reason"));
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(s, "changes"), c);
	}
}

void postmortem_silences_md(FILE *out, const cJSON *silences, void (*cell)(FILE *, const char *))
{
	if (!cJSON_GetArraySize(silences))
		return;
	fprintf(out, "## Silences\n\n| Made | Who | Matchers | How long | Why | Then |\n|---|---|---|---|---|---|\n");
	const cJSON *s;
	cJSON_ArrayForEach(s, silences)
	{
		const char *cols[] = { jsonmsg_str(s, "time"), jsonmsg_str(s, "who"), jsonmsg_str(s, "matchers"),
				       jsonmsg_str(s, "length"), jsonmsg_str(s, "why") };
		for (size_t i = 0; i < 5; i++) {
			fputs("| ", out);
			cell(out, cols[i]);
			fputc(' ', out);
		}
		fputs("| ", out);
		const cJSON *c;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(s, "changes"))
		{
			cell(out, jsonmsg_str(c, "what"));
			fputs(" by ", out);
			cell(out, jsonmsg_str(c, "who"));
			fputs(": ", out);
			cell(out, jsonmsg_str(c, "why"));
			fputs(c->next ? "; " : " ", out);
		}
		fputs("|\n", out);
	}
	fputc('\n', out);
}
