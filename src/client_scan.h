/*
 * The kernel's peers of the service addresses, read without blocking the
 * agent's loop: TCP sockets through inet_diag (libnl-idiag) and UDP flows
 * through conntrack (libnl-nf).  Each source has a non-blocking netlink
 * socket, opened once and kept (opened again only after an error), whose fd
 * the loop watches; a refresh sends a dump request and each wake-up reads
 * one kernel buffer of the answer, so a dump of many sessions spans many
 * wake-ups with the loop serving SNMP and timers between them.  The round's
 * rules (copy, commit, a cut dump retried, never two at once) are in
 * client_round.c.
 */
#ifndef CMSHA_CLIENT_SCAN_H
#define CMSHA_CLIENT_SCAN_H

#include "client_round.h"
#include "event_loop.h"

struct nl_sock;

/* The round is over: res says how (the table is c's, committed or not). */
typedef void (*cmsha_client_scan_done)(void *arg, const struct cmsha_client_scan_result *res);

/* Optional: a wake-up read part of src's dump, which is still in flight. */
typedef void (*cmsha_client_scan_partial)(void *arg, const char *source, unsigned long reads);

struct cmsha_client_scan {
	struct cmsha_client_round round;
	const struct cmsha_loop *loop;
	struct nl_sock *sk[CMSHA_CLIENT_N_SOURCES];   /* NULL until needed, after an error */
	cmsha_client_scan_done done;
	cmsha_client_scan_partial partial;            /* set after init; NULL: none */
	void *arg;
	/* The dump being read, set by libnl's callbacks during nl_recvmsgs(). */
	unsigned reads_left;              /* kernel buffers still to read this wake-up */
	bool dump_finished, dump_interrupted;
};

/* Kernel buffers read per wake-up: the loop runs between them. */
#define CMSHA_CLIENT_SCAN_READS_PER_WAKEUP 1

bool cmsha_client_scan_init(struct cmsha_client_scan *s, const struct cmsha_loop *loop,
			    size_t max, unsigned keep_s, cmsha_client_scan_done done, void *arg);
/* Closes the sockets; a round in flight is dropped, done() not called. */
void cmsha_client_scan_free(struct cmsha_client_scan *s);

enum cmsha_client_scan_start {
	CMSHA_CLIENT_SCAN_STARTED,        /* done() follows, from the loop */
	CMSHA_CLIENT_SCAN_BUSY,           /* a round is in flight: not started */
	CMSHA_CLIENT_SCAN_ENDED,          /* no source could even be asked: done() was called */
};

/* Start a round: f is copied, now (wall clock) dates the rows. */
enum cmsha_client_scan_start cmsha_client_scan_start(struct cmsha_client_scan *s,
						     const struct cmsha_client_filter *f,
						     const struct timespec *now);

/*
 * Give up the round in flight (the kernel has not answered for too long):
 * the dumping source's socket is closed, the table stays as it was, done()
 * is called with why as that source's error.
 */
void cmsha_client_scan_abandon(struct cmsha_client_scan *s, const char *why);

static inline bool cmsha_client_scan_in_flight(const struct cmsha_client_scan *s)
{
	return s->round.in_flight;
}

static inline const struct cmsha_clients *cmsha_client_scan_table(const struct cmsha_client_scan *s)
{
	return &s->round.table;
}

#endif
