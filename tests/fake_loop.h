/*
 * The event loop played by a unit test: one-shot timers that the test
 * fires by hand, in the order it chooses, as the loop would once their
 * time passed.  The hooks have the signatures of struct cmsha_switchover_env's.
 */
#ifndef CMSHA_FAKE_LOOP_H
#define CMSHA_FAKE_LOOP_H

#include "switchover.h"

#include <stdbool.h>
#include <stddef.h>

/* Set: timer_add fails (returns 0), as the loop's would out of memory. */
extern bool fake_loop_refuse_timers;

/* No timer armed, none refused. */
void fake_loop_reset(void);
unsigned fake_timer_add(void *ctx, unsigned ms, cmsha_callback fn, void *arg);
unsigned fake_timer_add_us(void *ctx, unsigned long us, cmsha_callback fn, void *arg);
void fake_timer_cancel(void *ctx, unsigned id);
/* Fire the first armed timer of ms milliseconds; the test fails if none is armed. */
void fake_timer_fire(unsigned ms);
void fake_timer_fire_us(unsigned long long us);
bool fake_timer_armed(unsigned ms);
bool fake_timer_armed_us(unsigned long long us);
/* Fire the armed timer due first (the shortest); returns its microseconds. */
unsigned long long fake_timer_fire_shortest_us(void);
size_t fake_timers_armed(void);

#endif
