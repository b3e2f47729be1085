#include "clock.h"

void cmsha_clock_now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

double cmsha_ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

double cmsha_ms_since(const struct timespec *t0)
{
	struct timespec now;

	cmsha_clock_now(&now);
	return cmsha_ms_between(t0, &now);
}
