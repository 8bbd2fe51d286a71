/* libFuzzer target for the runbook parser: any bytes must either parse or
 * be refused with problems that are one line each and name the file, and
 * leave nothing allocated either way. A clean parse must also survive
 * matching and the JSON tree, and its document must be whole and agree
 * with its steps. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy with no terminator that ends where a page no one may read
	 * begins: a read past the length the parser was given stops the run,
	 * even inside libmd4c, which ASan does not see into. */
	size_t page = (size_t)sysconf(_SC_PAGESIZE), span = (size + page - 1) / page * page;
	char *mem = mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || mprotect(mem + span, page, PROT_NONE) != 0)
		abort();
	char *text = mem + span - size;
	memcpy(text, data, size);

	struct runbook rb;
	struct runbook_problems problems = { 0 };
	int rc = runbook_parse(text, size, "fuzz.md", &rb, &problems);
	munmap(mem, span + page);
	for (size_t i = 0; i < problems.n; i++)
		if (strncmp(problems.list[i].text, "fuzz.md:", 8) != 0 || strchr(problems.list[i].text, '\n'))
			abort();
	if ((rc == 0) != (problems.n_errors == 0))
		abort();
	if (rc == 0) {
		const char *signals[] = {
			"slo support-assistant availability page 1h/5m endpoint support-assistant-prod",
			"canary support-assistant-prod d-1428 multi_hop groundedness fail",
		};
		size_t which = 0;
		int t = runbook_match(&rb, signals, 2, &which);
		if (t >= (int)rb.n_triggers || (t >= 0 && which >= 2))
			abort();
		for (size_t i = 0; i < rb.n_steps; i++)
			if (!rb.steps[i].id || !rb.steps[i].text || rb.steps[i].section >= rb.n_sections ||
			    rb.steps[i].line < 1 || rb.steps[i].depth < 0 ||
			    rb.steps[i].depth >= RUNBOOK_MAX_DEPTH)
				abort();
		/* The document: every block whole, in the file's order
		 * (items and code name steps and items that exist), each
		 * step's item there, with the step's line. */
		size_t items = 0;
		for (size_t i = 0; i < rb.n_blocks; i++) {
			const struct runbook_block *b = &rb.blocks[i];
			if (b->kind > RUNBOOK_RULE || !b->text || b->line < 1 || b->depth < 0 ||
			    b->step < -1 || b->step >= (long)rb.n_steps || b->item < -1 || b->item >= (long)i)
				abort();
			if (b->kind == RUNBOOK_CODE && (!b->code.info || !b->code.text))
				abort();
			if (b->kind == RUNBOOK_CODE && b->item >= 0 &&
			    (rb.blocks[b->item].kind != RUNBOOK_ITEM || b->step != rb.blocks[b->item].step))
				abort();
			if (b->kind == RUNBOOK_ITEM && b->step >= 0) {
				if ((size_t)b->step != items || rb.steps[b->step].line != b->line ||
				    strcmp(rb.steps[b->step].text, b->text) != 0)
					abort();
				items++;
			}
			if (b->kind != RUNBOOK_ITEM && b->kind != RUNBOOK_CODE && b->step != -1)
				abort();
			for (size_t r = 0; r < b->n_rows; r++)
				for (size_t c = 0; c < b->rows[r].n_cells; c++)
					if (!b->rows[r].cells[c])
						abort();
		}
		if (items != rb.n_steps)
			abort();
		cJSON *j = runbook_to_json(&rb);
		if (!j)
			abort();
		cJSON_Delete(j);
	}
	runbook_free(&rb);
	runbook_problems_free(&problems);
	return 0;
}
