/* Traffic-change governance: which changes go through at once (a rollback
 * to the last known-good under pre-approved emergency criteria) and which
 * wait for a second person's approval (the two-person rule), and for how
 * long. Read from the config; pinned with the incident (core/readers/policy.h). */
#ifndef CMDR_GOVERNANCE_H
#define CMDR_GOVERNANCE_H
#include <stdbool.h>
#include <stdint.h>

#include "burn.h"

struct governance {
	bool two_person;              /* outside the criteria, a second person approves */
	/* On a shared account, another --as name counts as a second person
	 * (the names are only as good as the account); default: a second
	 * person approves from another OS account. */
	bool shared_account_approval;
	int64_t approval_timeout_ms;  /* a pending request expires after this; default 10 min */
	bool emergency_canary;        /* a canary "rollback" verdict pre-approves */
	double emergency_burn;        /* a burn rate at least this high pre-approves; 0: off */
	enum burn_window emergency_window; /* the window that burn is read over; default 1h */
};

#define GOVERNANCE_DEFAULT                                                                       \
	((struct governance){ .two_person = false, .approval_timeout_ms = 10 * 60 * 1000,          \
			      .emergency_canary = true, .emergency_burn = 0, .emergency_window = BURN_1H })

#endif
