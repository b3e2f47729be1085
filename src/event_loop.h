/*
 * The agent's event loop as the core sees it: one-shot timers and readable
 * descriptors, reached through hooks that the agent fills in with net-snmp's
 * loop (agent/loop_glue.c) and the tests with a fake one.  Nothing in the
 * core waits: it arms a timer or watches an fd and returns.
 */
#ifndef CMSHA_EVENT_LOOP_H
#define CMSHA_EVENT_LOOP_H

#include <stdbool.h>

/* Every callback the loop calls back: a timer's, or a readable fd's. */
typedef void (*cmsha_callback)(void *arg);

/*
 * The loop's four hooks, as members of each env that reaches the loop (the
 * agent fills those in by position).  timer_add returns 0 when the timer
 * could not be armed.
 */
#define CMSHA_LOOP_HOOKS \
	unsigned (*timer_add)(void *ctx, unsigned ms, cmsha_callback fn, void *arg); \
	void (*timer_cancel)(void *ctx, unsigned id); \
	bool (*fd_watch)(void *ctx, int fd, cmsha_callback fn, void *arg); \
	void (*fd_unwatch)(void *ctx, int fd);

/* The loop alone, for the parts that need nothing else (dns names, clients' scan). */
struct cmsha_loop {
	CMSHA_LOOP_HOOKS
	void *ctx;
};

#endif
