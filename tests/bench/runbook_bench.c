/* Runbook figures for `make bench`: parse time of a generated 1 MB runbook
 * and of every runbook in a directory. Prints key=value lines. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runbook.h"
#include "xalloc.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Sections of task items with nesting, emphasis, links and code fences,
 * like the shipped runbooks, up to size bytes. */
static char *generate(size_t size, size_t *len)
{
	char *buf = xmalloc(size + 4096);
	size_t n = (size_t)sprintf(buf, "---\ntitle: big\ntriggers:\n  - \"slo .* page\"\n---\n");
	for (unsigned i = 0; n < size; i++) {
		if (i % 40 == 0)
			n += (size_t)sprintf(buf + n, "\n## Section %u\n\n", i / 40);
		n += (size_t)sprintf(buf + n, "- [ ] Step %u: check the **canary** in [the pane](http://x/%u)\n", i, i);
		if (i % 5 == 0)
			n += (size_t)sprintf(buf + n, "  - [x] nested step %u\n", i);
		if (i % 13 == 0)
			n += (size_t)sprintf(buf + n, "  ```sh\n  az ml online-endpoint update --traffic d-%u=100\n  ```\n", i);
	}
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: runbook_bench RUNBOOK_DIR\n");
		return 2;
	}
	size_t len;
	char *text = generate(1 << 20, &len);
	enum { ROUNDS = 20 };
	double best = 1e9;
	size_t steps = 0;
	for (int r = 0; r < ROUNDS; r++) {
		struct runbook rb;
		struct runbook_problems p = { 0 };
		double t = now_ms();
		runbook_parse(text, len, "big.md", &rb, &p);
		double ms = now_ms() - t;
		if (ms < best)
			best = ms;
		steps = rb.n_steps;
		runbook_free(&rb);
		runbook_problems_free(&p);
	}
	free(text);
	printf("big_bytes=%zu\nbig_steps=%zu\nbig_parse_ms=%.2f\n", len, steps, best);

	DIR *dir = opendir(argv[1]);
	if (!dir) {
		perror(argv[1]);
		return 1;
	}
	size_t files = 0, all_steps = 0;
	double total = 0;
	for (struct dirent *de; (de = readdir(dir));) {
		size_t n = strlen(de->d_name);
		if (n < 4 || strcmp(de->d_name + n - 3, ".md") != 0)
			continue;
		char *path = xasprintf("%s/%s", argv[1], de->d_name);
		struct runbook rb;
		struct runbook_problems p = { 0 };
		double t = now_ms();
		runbook_load(path, &rb, &p);
		total += now_ms() - t;
		files++;
		all_steps += rb.n_steps;
		runbook_free(&rb);
		runbook_problems_free(&p);
		free(path);
	}
	closedir(dir);
	printf("dir_files=%zu\ndir_steps=%zu\ndir_parse_ms=%.2f\n", files, all_steps, total);
	return 0;
}
