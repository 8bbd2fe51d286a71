/* A command target's argv templates (`apply`, `read` in the config), run
 * without a shell: {endpoint} and {to} are filled in inside an argument
 * and never split it, whatever the value holds; {traffic}, an argument of
 * its own, becomes one name=percent argument per deployment (as `az ml
 * online-endpoint update --traffic` takes them). */
#ifndef CMDR_CMDTEMPLATE_H
#define CMDR_CMDTEMPLATE_H
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "model.h"

/* Whether argv[0..n) is a usable template: every {name} known, {traffic}
 * a whole argument. with_split false (a read command): {to} and {traffic}
 * are unknown there, as nothing is being applied. On a problem, *bad is the
 * argument's index and err says what is wrong with it. */
int cmdtemplate_check(const char *const *argv, size_t n, bool with_split, size_t *bad, struct error *err);

/* The argv to run, NULL-terminated (free with cmdtemplate_free); split
 * may be NULL for a read command. NULL with err ("argument N: ...") when
 * the template does not pass cmdtemplate_check. */
char **cmdtemplate_expand(const char *const *argv, size_t n, const char *endpoint,
			  const struct traffic_split *split, struct error *err);
void cmdtemplate_free(char **argv);

/* {to}: the deployment the split gives the most traffic (the first of
 * equals), or "" for an empty split. */
const char *cmdtemplate_to(const struct traffic_split *split);

#endif
