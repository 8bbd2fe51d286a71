/* Shared by core/model/canary.c and canary_compare.c only. */
#ifndef CMDR_CANARY_IMPL_H
#define CMDR_CANARY_IMPL_H
#include "canary.h"

/* Judges window w by the compare judge: sets its cmp, verdict, decisive. */
void canary_compare_window(struct canary *c, struct canary_window *w, const struct canary_obs *obs, size_t n_obs,
			   const char *baseline, const struct canary_obs *base, size_t n_base);
void canary_compare_free(struct canary_window *w, size_t n);

#endif
