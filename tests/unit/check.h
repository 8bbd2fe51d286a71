/* A small test harness for core/ unit tests. Each RUN(test) prints
 * "ok - name" or "not ok - name" with the failed checks; tests/run.sh counts
 * those lines across every test program. */
#ifndef CMDR_CHECK_H
#define CMDR_CHECK_H
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_current_failures;
static int check_total_failed;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			check_current_failures++;                                      \
		}                                                                      \
	} while (0)

#define CHECK_NEAR(a, b, eps)                                                              \
	do {                                                                               \
		double check_a_ = (a), check_b_ = (b);                                     \
		if (!(fabs(check_a_ - check_b_) <= (eps))) {                               \
			printf("#   %s:%d: %s = %g, expected %g (within %g)\n", __FILE__,      \
			       __LINE__, #a, check_a_, check_b_, (double)(eps));            \
			check_current_failures++;                                          \
		}                                                                          \
	} while (0)

#define CHECK_STR(a, b)                                                                      \
	do {                                                                                 \
		const char *check_a_ = (a), *check_b_ = (b);                                 \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {             \
			printf("#   %s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
			       #a, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); \
			check_current_failures++;                                            \
		}                                                                            \
	} while (0)

static inline void check_run(const char *name, void (*fn)(void))
{
	check_current_failures = 0;
	fn();
	if (check_current_failures) {
		printf("not ok - %s\n", name);
		check_total_failed++;
	} else {
		printf("ok - %s\n", name);
	}
	fflush(stdout);
}

/* Temporary directories, removed when the test program exits. */
static char check_dirs[64][64];
static int check_n_dirs;

static inline int check_remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void check_remove_dirs(void)
{
	for (int i = 0; i < check_n_dirs; i++)
		nftw(check_dirs[i], check_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline const char *check_tmpdir(void)
{
	if (check_n_dirs == 0)
		atexit(check_remove_dirs);
	if (check_n_dirs == 64)
		abort();
	char *dir = check_dirs[check_n_dirs++];
	strcpy(dir, "/tmp/cmdr-test.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	return dir;
}

/* How long a test waits for what takes real time (a process, a socket)
 * before it gives up: a last resort against a hang, never a measure of
 * speed. Waits end when what they wait for happens, so a slow machine
 * takes longer without ever coming near it. */
#define CHECK_HANG_MS 60000

#define RUN(fn) check_run(#fn, fn)
#define CHECK_EXIT() (check_total_failed ? 1 : 0)

#endif
