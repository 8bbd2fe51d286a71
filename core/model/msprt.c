#include "msprt.h"

#include <math.h>

double normal_cdf(double z)
{
	return 0.5 * erfc(-z / sqrt(2.0));
}

double chisq_quantile(double df, double p)
{
	/* The standard normal's 10% quantile; the 90% one is its negation. */
	const double z10 = -1.2815515655446004;
	double z = p < 0.5 ? z10 : -z10;
	double a = 2.0 / (9.0 * df), t = 1.0 - a + z * sqrt(a);
	return df * t * t * t;
}

double msprt_log_lr(double diff, double var, double tau2)
{
	return 0.5 * log(var / (var + tau2)) + tau2 * diff * diff / (2.0 * var * (var + tau2));
}

/* Solving log Lambda = log(1/alpha) for diff^2. */
double msprt_halfwidth(double var, double tau2, double alpha)
{
	double w2 = var * (var + tau2) / tau2 * (2.0 * log(1.0 / alpha) + log((var + tau2) / var));
	return sqrt(w2);
}
