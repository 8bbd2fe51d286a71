/* Replays inputs through a libFuzzer target without libFuzzer: linked with
 * one tests/fuzz/fuzz_NAME.c by the normal and the sanitizer builds, so
 * `make check` runs every seed and every past crash (tests/fuzz/corpus/NAME)
 * through its parser under the same checks the fuzzer applies. Each input
 * is copied to a buffer of exactly its size, as libFuzzer does, so reads
 * past the end are caught by ASan. It names each input on stderr before
 * running it: after a crash, the last name is the input that crashed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay(const char *path)
{
	char *buf;
	size_t len;
	struct error err;
	if (readfile_all(path, SIZE_MAX, &buf, &len, &err) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, err.msg);
		return -1;
	}
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, len);
	free(buf);
	fprintf(stderr, "replay: %s\n", path);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s INPUT...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (replay(argv[i]) != 0)
			return 1;
	return 0;
}
