#include "numeric.h"

#include <math.h>
#include <stdint.h>

/* 2^52: from here on every double is a whole number. */
#define WHOLE_FROM 4503599627370496.0

double numeric_round(double x)
{
	/* fabs and copysign are bit operations the compiler inlines; NaN and
	 * the infinities fail the comparison and come back as they are. */
	if (!(fabs(x) < WHOLE_FROM))
		return x;
	/* Below 2^52 the cast truncates exactly, and x - t, the fraction, is
	 * exact too. */
	double t = (double)(int64_t)x;
	if (fabs(x - t) >= 0.5)
		t += x < 0 ? -1.0 : 1.0;
	/* round(-0.4) is -0.0 */
	return copysign(t, x);
}

bool numeric_is_whole(double x)
{
	if (!(fabs(x) < WHOLE_FROM))
		return !isnan(x);
	return x == (double)(int64_t)x;
}
