/* A checkpoint: the state a reader kept at a mark of the chain, saved by
 * the store beside the journal, so that the next reader starts there
 * rather than at the first line. It is a cache: used only when it is
 * whole (a checksum over its bytes) and the journal still holds its mark
 * (journal_holds: the line there hashes to its head and says its seq);
 * anything else, and the reader reads the whole journal. The bytes are
 * one line of JSON, {"checkpoint":1, the mark, "state":{...}}, then a
 * line with the SHA-256 (hex) of the first line. */
#include "journal.h"
#include "journal_store.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

enum { CHECKPOINT_VERSION = 1 };

/* JSON numbers are doubles: positions and counts are exact up to 2^53. */
#define CHECKPOINT_NUMBER_MAX 9007199254740992.0

static void put_number(cJSON *o, const char *key, uint64_t v)
{
	cJSON_AddNumberToObject(o, key, (double)v);
}

static bool get_number(const cJSON *o, const char *key, uint64_t *v)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(n) || n->valuedouble < 0 || n->valuedouble > CHECKPOINT_NUMBER_MAX ||
	    n->valuedouble != (double)(uint64_t)n->valuedouble)
		return false;
	*v = (uint64_t)n->valuedouble;
	return true;
}

void journal_checkpoint_save(struct journal *j, cJSON *state)
{
	if (!j->store || !j->store->checkpoint_write || j->readonly || j->broken || j->entries == 0) {
		cJSON_Delete(state);
		return;
	}
	cJSON *c = cJSON_CreateObject();
	put_number(c, "checkpoint", CHECKPOINT_VERSION);
	put_number(c, "offset", (uint64_t)j->offset);
	put_number(c, "last_start", (uint64_t)j->last_start);
	put_number(c, "entries", j->entries);
	cJSON_AddStringToObject(c, "head", j->head);
	put_number(c, "n_long", j->n_long);
	put_number(c, "long_line", j->long_line);
	put_number(c, "long_len", j->long_len);
	cJSON_AddItemToObject(c, "state", state);
	char *body = cJSON_PrintUnformatted(c);
	cJSON_Delete(c);
	if (!body)
		abort();
	size_t len = strlen(body);
	char *bytes = xmalloc(len + 1 + 64 + 1);
	memcpy(bytes, body, len);
	bytes[len] = '\n';
	journal_hash(body, len, bytes + len + 1);
	bytes[len + 1 + 64] = '\n';
	cJSON_free(body);
	j->store->checkpoint_write(j, bytes, len + 1 + 64 + 1);
	free(bytes);
}

/* The checkpoint's first line, when the second is its hash. */
static cJSON *checkpoint_parse(char *bytes, size_t len)
{
	if (len < 66 || bytes[len - 1] != '\n' || bytes[len - 66] != '\n')
		return NULL;
	size_t body = len - 66;
	char sum[65];
	journal_hash(bytes, body, sum);
	if (memcmp(sum, bytes + body + 1, 64) != 0)
		return NULL;
	return cJSON_ParseWithLength(bytes, body);
}

cJSON *journal_checkpoint_load(struct journal *j, struct journal_mark *m)
{
	if (!j->store || !j->store->checkpoint_read)
		return NULL;
	size_t len;
	char *bytes = j->store->checkpoint_read(j, &len);
	if (!bytes)
		return NULL;
	cJSON *c = checkpoint_parse(bytes, len);
	free(bytes);
	uint64_t version = 0, offset = 0, last_start = 0;
	const char *head = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "head"));
	memset(m, 0, sizeof *m);
	bool ok = get_number(c, "checkpoint", &version) && version == CHECKPOINT_VERSION &&
		  get_number(c, "offset", &offset) && get_number(c, "last_start", &last_start) &&
		  get_number(c, "entries", &m->entries) && get_number(c, "n_long", &m->n_long) &&
		  get_number(c, "long_line", &m->long_line) && get_number(c, "long_len", &m->long_len) && head &&
		  strlen(head) == 64 && strspn(head, "0123456789abcdef") == 64 &&
		  cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(c, "state"));
	cJSON *state = NULL;
	if (ok) {
		m->offset = (off_t)offset;
		m->last_start = (off_t)last_start;
		memcpy(m->head, head, 65);
		struct error err;
		if (journal_holds(j, m, &err) == 1)
			state = cJSON_DetachItemFromObjectCaseSensitive(c, "state");
	}
	cJSON_Delete(c);
	return state;
}
