#include "autoconfig.h"
#include "fake_loop.h"

#include <check.h>
#include <string.h>

#define MAX_TIMERS 8

/* Kept in microseconds: a timer armed in ms is one of ms * 1000 us. */
static struct fake_timer { unsigned id; unsigned long long us; cmsha_callback fn; void *arg; } timers[MAX_TIMERS];
static unsigned next_timer_id;
bool fake_loop_refuse_timers;

void fake_loop_reset(void)
{
	memset(timers, 0, sizeof(timers));
	fake_loop_refuse_timers = false;
}

unsigned fake_timer_add(void *ctx, unsigned ms, cmsha_callback fn, void *arg)
{
	return fake_timer_add_us(ctx, ms * 1000ULL, fn, arg);
}

unsigned fake_timer_add_us(void *ctx, unsigned long us, cmsha_callback fn, void *arg)
{
	(void)ctx;
	if (fake_loop_refuse_timers)
		return 0;
	for (int i = 0; i < MAX_TIMERS; i++)
		if (!timers[i].id) {
			if (++next_timer_id == 0)       /* 0 is never a timer's id */
				next_timer_id = 1;
			timers[i] = (struct fake_timer){ next_timer_id, us, fn, arg };
			return timers[i].id;
		}
	ck_abort_msg("too many timers");
	return 0;
}

void fake_timer_cancel(void *ctx, unsigned id)
{
	(void)ctx;
	for (int i = 0; i < MAX_TIMERS; i++)
		if (timers[i].id == id)
			timers[i].id = 0;
}

void fake_timer_fire(unsigned ms)
{
	fake_timer_fire_us(ms * 1000ULL);
}

void fake_timer_fire_us(unsigned long long us)
{
	for (int i = 0; i < MAX_TIMERS; i++)
		if (timers[i].id && timers[i].us == us) {
			struct fake_timer t = timers[i];

			timers[i].id = 0;
			t.fn(t.arg);
			return;
		}
	ck_abort_msg("no timer of %llu us armed", us);
}

bool fake_timer_armed(unsigned ms)
{
	return fake_timer_armed_us(ms * 1000ULL);
}

bool fake_timer_armed_us(unsigned long long us)
{
	for (int i = 0; i < MAX_TIMERS; i++)
		if (timers[i].id && timers[i].us == us)
			return true;
	return false;
}

size_t fake_timers_armed(void)
{
	size_t n = 0;

	for (int i = 0; i < MAX_TIMERS; i++)
		n += timers[i].id != 0;
	return n;
}

unsigned long long fake_timer_fire_shortest_us(void)
{
	int best = -1;
	unsigned long long us;

	for (int i = 0; i < MAX_TIMERS; i++)
		if (timers[i].id && (best < 0 || timers[i].us < timers[best].us))
			best = i;
	ck_assert_msg(best >= 0, "no timer armed");
	us = timers[best].us;           /* the callback may reuse the slot */
	fake_timer_fire_us(us);
	return us;
}
