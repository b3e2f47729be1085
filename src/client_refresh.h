/*
 * The clients' refresh schedule: a round at start and every 'clients
 * interval' after, a round still in flight let finish (a refresh is never
 * doubled) unless the kernel has left it unanswered for
 * CMSHA_CLIENT_ROUND_GIVE_UP_S, the table's date, and the sources' errors
 * as one line, told when it changes (not at every refresh).  The rounds
 * themselves are src/client_scan.c's; the agent logs and publishes.
 */
#ifndef CMSHA_CLIENT_REFRESH_H
#define CMSHA_CLIENT_REFRESH_H

#include "client_scan.h"
#include "config.h"

/* A round still in flight this long is given up at the next refresh due. */
#define CMSHA_CLIENT_ROUND_GIVE_UP_S 30

struct cmsha_client_refresh_observer {
	/* A refresh was due: a round started (with n_svc service addresses) or not. */
	void (*due)(void *arg, bool started, size_t n_svc);
	/*
	 * A round ended after ms; the table, its date and the errors are
	 * updated.  errors: the sources' errors when they changed with this
	 * round ("" when both read again), NULL when they did not.
	 */
	void (*round_done)(void *arg, const struct cmsha_client_scan_result *res, double ms,
			   const char *errors);
	/* Optional: a wake-up read part of source's dump, still in flight. */
	void (*partial)(void *arg, const char *source, unsigned long reads);
	void *arg;
};

struct cmsha_client_refresh {
	struct cmsha_client_scan scan;
	const struct cmsha_config *cfg;                /* read at every refresh */
	struct cmsha_client_refresh_observer observer;
	bool started;
	unsigned timer;
	unsigned give_up_ms;                           /* CMSHA_CLIENT_ROUND_GIVE_UP_S */
	struct timespec round_time;                    /* wall clock: the round in flight's */
	struct timespec round_start;                   /* monotonic: how long it takes */
	struct timespec last_refresh;                  /* wall clock: the table's */
	char errors[300];                              /* both sources' errors */
};

/*
 * The first refresh at once, the next ones on loop's timers.  false when
 * out of memory (nothing started).  r must stay where it is until stopped.
 */
bool cmsha_client_refresh_start(struct cmsha_client_refresh *r, const struct cmsha_loop *loop,
				const struct cmsha_config *cfg,
				const struct cmsha_client_refresh_observer *observer);
/* No more refreshes; a round in flight is dropped with its sockets.  r is zeroed. */
void cmsha_client_refresh_stop(struct cmsha_client_refresh *r);

/* The errors of the sources a round could not read, "; "-separated ("" when none). */
void cmsha_client_refresh_errors_of(const struct cmsha_client_scan_result *res, char *out,
				    size_t len);

static inline const struct cmsha_clients *
cmsha_client_refresh_table(const struct cmsha_client_refresh *r)
{
	return cmsha_client_scan_table(&r->scan);
}

#endif
