#include "msprt.h"

#include <math.h>

double normal_cdf(double z)
{
	return 0.5 * erfc(-z / sqrt(2.0));
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
