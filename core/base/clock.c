#include "clock.h"

#include <time.h>

static int64_t clock_read(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_monotonic_ms(void)
{
	return clock_read(CLOCK_MONOTONIC);
}

int64_t clock_wall_ms(void)
{
	return clock_read(CLOCK_REALTIME);
}

void clock_init_wall(struct clock *c)
{
	*c = (struct clock){ .kind = CLOCK_WALL, .speed = 1 };
}

void clock_init_simulated(struct clock *c, int64_t start_ms, double speed)
{
	*c = (struct clock){ .kind = CLOCK_SIMULATED, .speed = 1, .base_ms = start_ms,
			     .anchor_ms = clock_monotonic_ms() };
	clock_set_speed(c, speed);
}

void clock_init_manual(struct clock *c, int64_t start_ms)
{
	*c = (struct clock){ .kind = CLOCK_MANUAL, .speed = 1, .base_ms = start_ms };
}

int64_t clock_now(const struct clock *c)
{
	switch (c->kind) {
	case CLOCK_WALL:
		return clock_wall_ms();
	case CLOCK_MANUAL:
		return c->base_ms;
	case CLOCK_SIMULATED:
		if (c->paused)
			return c->base_ms;
		return c->base_ms + (int64_t)((double)(clock_monotonic_ms() - c->anchor_ms) * c->speed);
	}
	return c->base_ms;
}

/* Re-anchoring keeps simulated time continuous across speed and pause
 * changes: time already elapsed is banked at the old speed. */
static void clock_reanchor(struct clock *c)
{
	c->base_ms = clock_now(c);
	c->anchor_ms = clock_monotonic_ms();
}

void clock_set_speed(struct clock *c, double speed)
{
	if (c->kind == CLOCK_WALL)
		return;
	if (!(speed >= CLOCK_SPEED_MIN))
		speed = CLOCK_SPEED_MIN;
	if (speed > CLOCK_SPEED_MAX)
		speed = CLOCK_SPEED_MAX;
	clock_reanchor(c);
	c->speed = speed;
}

void clock_set_paused(struct clock *c, bool paused)
{
	if (c->kind != CLOCK_SIMULATED || c->paused == paused)
		return;
	clock_reanchor(c);
	c->paused = paused;
}

void clock_step(struct clock *c, int64_t ms)
{
	if (c->kind == CLOCK_WALL)
		return;
	clock_reanchor(c);
	c->base_ms += ms;
}

int64_t clock_real_ms_until(const struct clock *c, int64_t sim_ms)
{
	switch (c->kind) {
	case CLOCK_WALL: {
		int64_t d = sim_ms - clock_wall_ms();
		return d > 0 ? d : 0;
	}
	case CLOCK_MANUAL:
		return -1;
	case CLOCK_SIMULATED:
		break;
	}
	if (c->paused)
		return -1;
	int64_t d = sim_ms - clock_now(c);
	if (d <= 0)
		return 0;
	return (int64_t)((double)d / c->speed) + 1;
}
