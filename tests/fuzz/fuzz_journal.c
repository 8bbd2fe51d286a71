/* libFuzzer target for journal verification: any bytes as a journal file
 * must give a verdict (never a crash, a hang or a leak), and an intact
 * verdict only for a chain that really is whole. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("journal", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct audit_result r;
	struct error err;
	if (audit_verify(path, NULL, &r, &err) == 0) {
		if (r.intact && size > 0 && data[size - 1] != '\n')
			abort(); /* a torn tail can never be intact */
		if (!r.intact && (r.bad_seq == 0 || strchr(r.why, '\n')))
			abort();
	}
	FILE *devnull = fopen("/dev/null", "w");
	if (devnull) {
		audit_show(path, false, devnull, &err);
		fclose(devnull);
	}
	close(fd);
	return 0;
}
