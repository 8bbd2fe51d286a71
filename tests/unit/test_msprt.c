#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "msprt.h"

/* Phi from the standard normal table (e.g. Abramowitz and Stegun 26.2),
 * to the digits printed there. */
static void test_normal_cdf_table(void)
{
	CHECK_NEAR(normal_cdf(0), 0.5, 1e-15);
	CHECK_NEAR(normal_cdf(1.0), 0.8413447461, 1e-9);
	CHECK_NEAR(normal_cdf(-1.0), 0.1586552539, 1e-9);
	CHECK_NEAR(normal_cdf(1.959963985), 0.975, 1e-9);
	CHECK_NEAR(normal_cdf(3.0), 0.9986501020, 1e-9);
	CHECK_NEAR(normal_cdf(-5.0), 2.866515719e-7, 1e-15);
}

/* Johari et al. (2022), section 4: Lambda = sqrt(V/(V+tau2)) *
 * exp(tau2 theta^2 / (2 V (V+tau2))). For theta = -0.25, V = 0.01,
 * tau2 = 0.0225 by hand: 0.5 ln(0.01/0.0325) + 0.00140625/0.00065
 * = -0.589327 + 2.163462 = 1.574134. */
static void test_log_lr_by_hand(void)
{
	CHECK_NEAR(msprt_log_lr(-0.25, 0.01, 0.0225), 1.5741340403, 1e-9);
	CHECK_NEAR(msprt_log_lr(0.25, 0.01, 0.0225), 1.5741340403, 1e-9);
	/* No difference: the mixture can only lose against theta = 0. */
	CHECK(msprt_log_lr(0, 0.01, 0.0225) < 0);
}

/* The interval's edge is exactly where the test rejects. */
static void test_halfwidth_inverts_the_test(void)
{
	double w = msprt_halfwidth(0.01, 0.0225, 0.05);
	CHECK_NEAR(w, 0.3218204366, 1e-9);
	CHECK_NEAR(msprt_log_lr(w, 0.01, 0.0225), log(20.0), 1e-9);
	CHECK(msprt_log_lr(w * 0.99, 0.01, 0.0225) < log(20.0));
}

/* Chi-square's 10% and 90% points from the table (e.g. Abramowitz and
 * Stegun 26.4, or any statistics text): df 3: 0.584, 6.251; df 8: 3.490,
 * 13.362; df 30: 20.599, 40.256; df 100: 82.358, 118.498. */
static void test_chisq_quantile_table(void)
{
	static const struct {
		double df, lo, hi;
	} t[] = { { 3, 0.584, 6.251 }, { 8, 3.490, 13.362 }, { 30, 20.599, 40.256 }, { 100, 82.358, 118.498 } };
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		CHECK_NEAR(chisq_quantile(t[i].df, 0.10) / t[i].lo, 1, t[i].df < 8 ? 0.015 : 0.002);
		CHECK_NEAR(chisq_quantile(t[i].df, 0.90) / t[i].hi, 1, t[i].df < 8 ? 0.015 : 0.002);
	}
}

static uint64_t rng = 88172645463325252ULL;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
	return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

/* One canary of 50 batches (5 canary samples, 45 baseline, sigma 1), the
 * canary's mean shifted by shift, the test at alpha 0.05 looked at after
 * every batch: whether it ever rejected. */
static bool rejects(double shift)
{
	double sum_c = 0, sum_b = 0;
	int n_c = 0, n_b = 0;
	for (int look = 0; look < 50; look++) {
		for (int i = 0; i < 5; i++, n_c++)
			sum_c += gauss() + shift;
		for (int i = 0; i < 45; i++, n_b++)
			sum_b += gauss();
		if (msprt_log_lr(sum_c / n_c - sum_b / n_b, 1.0 / n_c + 1.0 / n_b, 0.25) >= log(1 / 0.05))
			return true;
	}
	return false;
}

/* Ville's inequality: under theta = 0, with the variance known, the test
 * looked at after every one of 50 batches rejects in at most alpha of the
 * runs. 4000 runs at alpha 0.05: the bound is 200; the count is printed. */
static void test_always_valid_under_null(void)
{
	int rejected = 0;
	for (int run = 0; run < 4000; run++)
		rejected += rejects(0);
	printf("#   %d of 4000 null runs rejected at alpha 0.05 over 50 looks\n", rejected);
	CHECK(rejected <= 200);
	CHECK(rejected > 0);
}

/* And it does catch a real shift of half a sigma. */
static void test_catches_a_shift(void)
{
	int caught = 0;
	for (int run = 0; run < 1000; run++)
		caught += rejects(-0.5);
	CHECK(caught >= 990);
}

int main(void)
{
	RUN(test_normal_cdf_table);
	RUN(test_log_lr_by_hand);
	RUN(test_halfwidth_inverts_the_test);
	RUN(test_chisq_quantile_table);
	RUN(test_always_valid_under_null);
	RUN(test_catches_a_shift);
	return check_total_failed ? 1 : 0;
}
