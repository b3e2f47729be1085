/*
 * The peer probe's round driver, apart from any socket or event loop: every
 * probe interval a round sends an ICMP echo to the peer's agent address and
 * the SNMP GET of its agent's cmsHaOperState (through the env's hooks), and
 * ends after the probe timeout.  src/peer_reach.c's rule turns the rounds'
 * answers into the verdict; this object keeps what CMS-HA-MIB shows of the
 * peer (cmsHaPeer*: struct cmsha_peer_status) and tells env->edge of every
 * verdict (the first one, and each change).
 *
 * The env owns the sending and the one-shot timers (agent/peer_probe.c
 * puts net-snmp's loop behind them; tests/check_peer_rounds.c a fake), and
 * hears of each step (env->step) for its debug log.  The answers come back
 * through cmsha_peer_rounds_echo_reply() and cmsha_peer_rounds_snmp_answer().
 */
#ifndef CMSHA_PEER_ROUNDS_H
#define CMSHA_PEER_ROUNDS_H

#include "event_loop.h"
#include "peer_reach.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* cmsHaPeerOperState's unknown(5). */
#define CMSHA_PEER_OPER_UNKNOWN 5

/* A round waits half its interval for its answers, within these bounds (and the interval). */
#define CMSHA_PEER_MIN_PROBE_TIMEOUT_MS 50
#define CMSHA_PEER_MAX_PROBE_TIMEOUT_MS 1000

struct cmsha_peer_status {
	bool reachable;
	int oper_state;                 /* as the peer's agent reports it; unknown(5) */
	int last_known_oper;            /* its agent's latest answer's, kept when unreachable */
	struct timespec oper_asked;     /* realtime: when the GET it answered was sent */
	struct timespec last_seen;      /* realtime, of any answer; zero when never */
	unsigned rtt_us;                /* the last good round's: ICMP, else SNMP */
	unsigned probe_failures;        /* failed rounds since start */
	unsigned consecutive_failures;  /* failed rounds in a row */
};

struct cmsha_peer_rounds_env {
	void *ctx;
	/* Send the echo with this sequence number; false when it could not leave. */
	bool (*send_echo)(void *ctx, uint16_t seq);
	/* Send round's GET; its answer comes to cmsha_peer_rounds_snmp_answer(round). */
	void (*send_get)(void *ctx, unsigned round);
	/* One-shot timers (agent/loop_glue.c's signatures): 0 when not armed. */
	unsigned (*timer_add)(void *ctx, unsigned ms, cmsha_callback fn, void *arg);
	void (*timer_cancel)(void *ctx, unsigned id);
	/* A verdict: the first one, and every change. */
	void (*edge)(void *ctx, bool reachable);
	/* What the driver did, one line, for a debug log; may be NULL. */
	void (*step)(void *ctx, const char *what);
};

struct cmsha_peer_rounds {
	struct cmsha_peer_rounds_env env;
	struct cmsha_peer_reach reach;
	struct cmsha_peer_status status;
	unsigned interval_ms, timeout_ms;
	unsigned round_no;              /* the round under way (or the last one) */
	unsigned interval_timer, deadline_timer;
	uint16_t echo_seq;
	struct timespec echo_sent;      /* monotonic */
	bool running;
};

/* The probe timeout for an interval: half of it, 50 ms to 1 s (never over the interval). */
unsigned cmsha_peer_probe_timeout_ms(unsigned interval_ms);

/* Nothing known of the peer; no round runs until cmsha_peer_rounds_start(). */
void cmsha_peer_rounds_init(struct cmsha_peer_rounds *r, const struct cmsha_peer_rounds_env *env,
			    unsigned interval_ms, unsigned failures_needed);

/* Start the rounds, the first one at once; false when the timer cannot be armed. */
bool cmsha_peer_rounds_start(struct cmsha_peer_rounds *r);

/*
 * Stop: timers cancelled, no edge told any more (closing the sockets fails
 * the requests in flight: that is no news about the peer).
 */
void cmsha_peer_rounds_stop(struct cmsha_peer_rounds *r);

/* An echo reply with this sequence number (earlier rounds' ones are late). */
void cmsha_peer_rounds_echo_reply(struct cmsha_peer_rounds *r, uint16_t seq);

/*
 * The peer's agent answered round's GET with its state, rtt_us after the
 * GET was sent.  A late answer (an earlier round's) tells the state, not
 * the reachability now.
 */
void cmsha_peer_rounds_snmp_answer(struct cmsha_peer_rounds *r, unsigned round,
				   int oper_state, unsigned rtt_us);

#endif
