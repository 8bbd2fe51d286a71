/* Journal figures for `make bench`: append latency with fsync (through the
 * real journal_append), and a large journal, chained, for `cmdr audit
 * verify` to be timed on beside sha256sum. Prints key=value lines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "journal.h"
#include "xalloc.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* A line shaped like a real rollback outcome. */
static cJSON *sample_entry(unsigned i)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "time", "2024-09-13T17:14:06.000Z");
	cJSON *a = cJSON_AddObjectToObject(e, "actor");
	cJSON_AddStringToObject(a, "user", "alice");
	cJSON_AddStringToObject(a, "ssh", "10.1.2.3:50122");
	cJSON_AddStringToObject(a, "tty", "/dev/pts/3");
	cJSON_AddStringToObject(e, "role", "commander");
	cJSON_AddStringToObject(e, "action", "rollback");
	cJSON_AddStringToObject(e, "target", "support-assistant-prod");
	cJSON_AddStringToObject(e, "reason",
				"canary gate on d-1428: multi_hop groundedness 2.66 < 2.85 (n=11), 3 consecutive failed windows");
	cJSON_AddNumberToObject(e, "intent", i);
	cJSON_AddStringToObject(e, "outcome", "verified");
	cJSON_AddStringToObject(e, "traffic", "d-1427=100 d-1428=0");
	return e;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: journal_bench DIR MEGABYTES\n");
		return 2;
	}
	const char *dir = argv[1];
	long mb = atol(argv[2]);
	struct error err;

	/* Appends, each fsynced, as the console does them. */
	char *adir = xasprintf("%s/appends", dir);
	struct journal j;
	if (journal_open(&j, adir, &err) != 0) {
		fprintf(stderr, "journal_bench: %s\n", err.msg);
		return 1;
	}
	enum { N = 500 };
	double lat[N];
	for (unsigned i = 0; i < N; i++) {
		cJSON *e = sample_entry(i);
		double t = now_ms();
		if (journal_append(&j, e, &err) != 0) {
			fprintf(stderr, "journal_bench: %s\n", err.msg);
			return 1;
		}
		lat[i] = now_ms() - t;
		cJSON_Delete(e);
	}
	journal_close(&j);
	qsort(lat, N, sizeof lat[0], cmp_double);
	printf("append_n=%d\nappend_p50_ms=%.3f\nappend_p99_ms=%.3f\n", N, lat[N / 2], lat[N * 99 / 100]);

	/* A large journal, chained the same way and with seq and prev first,
	 * as journal_append writes them, written without fsync. */
	char *big = xasprintf("%s/big.jsonl", dir);
	FILE *f = fopen(big, "w");
	if (!f) {
		perror(big);
		return 1;
	}
	char prev[65] = JOURNAL_GENESIS;
	uint64_t bytes = 0, lines = 0;
	cJSON *e = sample_entry(0);
	while (bytes < (uint64_t)mb << 20) {
		lines++;
		cJSON_DeleteItemFromObject(e, "seq");
		cJSON_DeleteItemFromObject(e, "prev");
		cJSON_AddStringToObject(e, "prev", prev);
		cJSON_AddNumberToObject(e, "seq", (double)lines);
		cJSON_InsertItemInArray(e, 0, cJSON_DetachItemFromObject(e, "prev"));
		cJSON_InsertItemInArray(e, 0, cJSON_DetachItemFromObject(e, "seq"));
		char *text = cJSON_PrintUnformatted(e);
		size_t len = strlen(text);
		journal_hash(text, len, prev);
		fwrite(text, 1, len, f);
		fputc('\n', f);
		bytes += len + 1;
		cJSON_free(text);
	}
	cJSON_Delete(e);
	fclose(f);
	/* Its head, for `cmdr audit verify --head` (tests/bench/journal.sh
	 * times it beside sha256sum). */
	printf("verify_bytes=%llu\nverify_lines=%llu\nverify_head=%s\n", (unsigned long long)bytes,
	       (unsigned long long)lines, prev);
	free(big);
	free(adir);
	return 0;
}
