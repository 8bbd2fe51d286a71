/* Rounding without libm. cmdr needs only round(), and floor() where the
 * compiler does not inline it (-Os, -O0); mapping libm for them costs
 * every run some 350 KB of private memory (its IFUNC resolvers touch most
 * of its code at start-up; make bench, USS). */
#ifndef CMDR_NUMERIC_H
#define CMDR_NUMERIC_H
#include <stdbool.h>

/* round(x): to the nearest whole number, halves away from zero; the same
 * result as C's round() for every double, infinities and NaN included. */
double numeric_round(double x);
/* x == floor(x): true for whole numbers and the infinities, not for NaN. */
bool numeric_is_whole(double x);

#endif
