/* The one source of time for every engine: the wall clock when live, a
 * simulated clock in drills (speed factor, pause, single steps), or a manual
 * clock that only moves when told (headless drills and tests). Engines take
 * `now` as an argument and never read time themselves. */
#ifndef CMDR_CLOCK_H
#define CMDR_CLOCK_H
#include <stdbool.h>
#include <stdint.h>

enum clock_kind { CLOCK_WALL, CLOCK_SIMULATED, CLOCK_MANUAL };

struct clock {
	enum clock_kind kind;
	bool paused;
	double speed;       /* simulated seconds per real second */
	int64_t base_ms;    /* simulated time at the anchor */
	int64_t anchor_ms;  /* monotonic real time when base_ms was taken */
};

#define CLOCK_SPEED_MIN 0.25
#define CLOCK_SPEED_MAX 1024.0

int64_t clock_monotonic_ms(void);
int64_t clock_wall_ms(void);

void clock_init_wall(struct clock *c);
void clock_init_simulated(struct clock *c, int64_t start_ms, double speed);
void clock_init_manual(struct clock *c, int64_t start_ms);

int64_t clock_now(const struct clock *c);
/* Simulated clocks only; no effect on the wall clock. Speed is clamped. */
void clock_set_speed(struct clock *c, double speed);
void clock_set_paused(struct clock *c, bool paused);
/* Moves a simulated or manual clock forward by ms. */
void clock_step(struct clock *c, int64_t ms);
/* Real milliseconds until the simulated clock reaches sim_ms (0 if passed,
 * -1 if it never will because the clock is paused or manual). */
int64_t clock_real_ms_until(const struct clock *c, int64_t sim_ms);

#endif
