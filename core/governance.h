/* Rollback governance: which rollbacks go through at once (pre-approved
 * emergency criteria) and which wait for a second person's approval (the
 * two-person rule), and for how long. Filled from the config file. */
#ifndef CMDR_GOVERNANCE_H
#define CMDR_GOVERNANCE_H
#include <stdbool.h>
#include <stdint.h>

#include "burn.h"

struct governance {
	bool two_person;              /* outside the criteria, a second person approves */
	int64_t approval_timeout_ms;  /* a pending request expires after this; default 10 min */
	bool emergency_canary;        /* a canary "rollback" verdict pre-approves */
	double emergency_burn;        /* a burn rate at least this high pre-approves; 0: off */
	enum burn_window emergency_window; /* the window that burn is read over; default 1h */
};

#define GOVERNANCE_DEFAULT                                                                       \
	((struct governance){ .two_person = false, .approval_timeout_ms = 10 * 60 * 1000,          \
			      .emergency_canary = true, .emergency_burn = 0, .emergency_window = BURN_1H })

#endif
