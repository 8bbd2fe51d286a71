/* The clock: manual and simulated time, speed changes and pauses keep
 * simulated time continuous. No test waits on real time. */
#include "check.h"
#include "clock.h"

#define T0 1726246920000LL

static void test_manual(void)
{
	struct clock c;
	clock_init_manual(&c, T0);
	CHECK(clock_now(&c) == T0);
	clock_step(&c, 1500);
	CHECK(clock_now(&c) == T0 + 1500);
	CHECK(clock_real_ms_until(&c, T0 + 5000) == -1);
}

static void test_paused_simulated(void)
{
	struct clock c;
	clock_init_simulated(&c, T0, 10);
	clock_set_paused(&c, true);
	int64_t a = clock_now(&c);
	CHECK(a >= T0);
	CHECK(clock_now(&c) == a);
	clock_step(&c, 1000);
	CHECK(clock_now(&c) == a + 1000);
	CHECK(clock_real_ms_until(&c, a + 5000) == -1);
	/* Speed changes while paused move nothing. */
	clock_set_speed(&c, 100);
	CHECK(clock_now(&c) == a + 1000);
	CHECK(c.speed == 100);
}

static void test_speed_clamped(void)
{
	struct clock c;
	clock_init_simulated(&c, T0, 1);
	clock_set_speed(&c, 1e9);
	CHECK(c.speed == CLOCK_SPEED_MAX);
	clock_set_speed(&c, 0);
	CHECK(c.speed == CLOCK_SPEED_MIN);
	clock_set_speed(&c, -1.0 / 0.0);
	CHECK(c.speed == CLOCK_SPEED_MIN);
}

static void test_real_until_scaled(void)
{
	struct clock c;
	clock_init_simulated(&c, T0, 10);
	int64_t before = clock_monotonic_ms();
	int64_t now = clock_now(&c);
	/* 10 simulated seconds at x10 are one real second away (and a
	 * millisecond, rounded up), less the real time that passed since now
	 * was read: at most after - before, however slow the machine. */
	int64_t d = clock_real_ms_until(&c, now + 10000);
	int64_t after = clock_monotonic_ms();
	CHECK(d <= 1001 && d >= 1000 - (after - before));
	CHECK(clock_real_ms_until(&c, now - 1) == 0);
}

static void test_wall_ignores_drill_controls(void)
{
	struct clock c;
	clock_init_wall(&c);
	clock_set_speed(&c, 10);
	clock_step(&c, 1000000);
	CHECK(c.speed == 1);
	int64_t now = clock_now(&c);
	CHECK(now - clock_wall_ms() < 1000);
}

int main(void)
{
	RUN(test_manual);
	RUN(test_paused_simulated);
	RUN(test_speed_clamped);
	RUN(test_real_until_scaled);
	RUN(test_wall_ignores_drill_controls);
	return CHECK_EXIT();
}
