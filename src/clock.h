/*
 * Durations on the monotonic clock: the one helper cmshad measures time
 * with (steps, round trips, deadlines), so every figure in a log line or a
 * reason is computed the same way.  Wall-clock times (history rows, the
 * MIB's DateAndTime) are not measured here.
 */
#ifndef CMSHA_CLOCK_H
#define CMSHA_CLOCK_H

#include <time.h>

/* CLOCK_MONOTONIC now. */
void cmsha_clock_now(struct timespec *t);
/* b - a in milliseconds (negative when b is earlier). */
double cmsha_ms_between(const struct timespec *a, const struct timespec *b);
/* Milliseconds from t0 to now. */
double cmsha_ms_since(const struct timespec *t0);

#endif
