/* numeric_round and numeric_is_whole against libm's round() and floor(),
 * which they replace in cmdr: the same results for halves, near-halves,
 * signed zeros, the edge of the whole numbers, infinities, NaN, and a
 * spread of values the engines meet. */
#include <stdint.h>

#include "check.h"
#include "numeric.h"

/* Same value and sign; NaN equals NaN. */
static int same(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	return a == b && signbit(a) == signbit(b);
}

static void check_value(double x)
{
	CHECK(numeric_is_whole(x) == (x == floor(x)));
	if (!same(numeric_round(x), round(x)))
		printf("#   numeric_round(%.17g) = %.17g, round gives %.17g\n", x, numeric_round(x), round(x));
	CHECK(same(numeric_round(x), round(x)));
}

static void test_edges(void)
{
	static const double v[] = {
		0.0, -0.0, 0.4, -0.4, 0.5, -0.5, 0.49999999999999994, -0.49999999999999994,
		1.5, -1.5, 2.5, -2.5, 2.4999999999999996, 1e-300, -1e-300,
		4503599627370495.5, -4503599627370495.5, 4503599627370496.0, 4503599627370497.0,
		9007199254740993.0, 1e13 * 1000, -1e13 * 1000, 1.7976931348623157e308,
		-1.7976931348623157e308, INFINITY, -INFINITY, NAN, 4.9e-324,
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		check_value(v[i]);
}

/* Milliseconds, burn rates to four places, times to exhaustion: a
 * deterministic spread over many magnitudes, each with its neighbours. */
static void test_spread(void)
{
	uint64_t s = 88172645463325252ULL;
	for (int i = 0; i < 200000; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		double x = (double)(s >> 11) / 9007199254740992.0 * pow(10, (int)(s % 40) - 10);
		if (s & 1)
			x = -x;
		check_value(x);
		check_value(nextafter(x, INFINITY));
		check_value(nextafter(x, -INFINITY));
		check_value(x + 0.5);
	}
	for (double h = -1000.5; h <= 1000.5; h += 1.0)
		check_value(h);
}

int main(void)
{
	RUN(test_edges);
	RUN(test_spread);
	return CHECK_EXIT();
}
