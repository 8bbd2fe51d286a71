/* The mixture sequential probability ratio test (mSPRT) for a difference
 * of two means, after Johari, Koomen, Pekelis and Walsh, "Always Valid
 * Inference: Continuous Monitoring of A/B Tests" (Operations Research 70(3),
 * 2022; arXiv:1512.04922), section 4.
 *
 * theta_hat estimates theta (canary mean - baseline mean) with variance V
 * (sigma^2/n_canary + sigma^2/n_baseline). Mixing the alternatives
 * theta ~ N(0, tau2) gives the likelihood ratio against theta = 0
 *
 *     Lambda = sqrt(V / (V + tau2)) * exp(tau2 * theta_hat^2 / (2 V (V + tau2)))
 *
 * a nonnegative martingale under theta = 0, so by Ville's inequality
 * P(Lambda ever reaches 1/alpha) <= alpha however often it is looked at.
 * Inverting the test gives an always-valid confidence sequence. */
#ifndef CMDR_MSPRT_H
#define CMDR_MSPRT_H

/* The standard normal distribution function. */
double normal_cdf(double z);

/* The p-quantile of chi-square with df degrees of freedom, by Wilson and
 * Hilferty's cube-root normal approximation (1931); p is 0.10 or 0.90
 * (the normal quantiles it needs are kept for those): within 1.5% of the
 * exact value at df = 3, 0.2% from df = 8 on. */
double chisq_quantile(double df, double p);

/* log Lambda for the estimate diff with variance var (> 0) and mixing
 * variance tau2 (> 0). */
double msprt_log_lr(double diff, double var, double tau2);

/* The half-width of the always-valid (1 - alpha) interval around the
 * estimate: theta_hat +- this excludes 0 exactly when Lambda >= 1/alpha. */
double msprt_halfwidth(double var, double tau2, double alpha);

#endif
