/*
 * The peer's agent, over SNMP sessions made from the 'peer' config line:
 * a GET of its cmsHaOperState every probe interval (reachability, its state,
 * round-trip time) and SETs of its cmsHaSwitchoverCommand.  All requests are
 * asynchronous: replies arrive through the agent's select loop.
 */
#ifndef CMSHA_PEER_SESSION_H
#define CMSHA_PEER_SESSION_H

#include "config.h"
#include "history.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* cmsHaPeerOperState's unknown(5). */
#define PEER_OPER_UNKNOWN 5

struct peer_status {
	bool reachable;
	int oper_state;                 /* as the peer reports it; unknown(5) */
	int last_known_oper;            /* its latest answer's, kept when unreachable */
	struct timespec oper_asked;     /* realtime: when the probe it answered was sent */
	struct timespec last_seen;      /* realtime; zero when never */
	unsigned rtt_us;
	unsigned probe_failures;        /* total since start */
	unsigned consecutive_failures;
};

/* Parse snmpcmd-style arguments ("-v3 -u cmsha ... AGENT"); false with err. */
bool peer_session_parse(const char *args, char *err, size_t errlen);

/*
 * Open the sessions and start probing; edge() is told of the first verdict
 * (reachable, or unreachable after 'failures' misses) and of every change.
 */
bool peer_session_start(const struct cmsha_config *cfg, void (*edge)(bool reachable),
			char *err, size_t errlen);
void peer_session_stop(void);
void peer_session_free(void);

const struct peer_status *peer_session_status(void);

/* Known unreachable: 'failures' probes in a row went unanswered. */
bool peer_session_known_unreachable(void);

/*
 * GET the peer's cmsHaLastTakeoverTime; done(arg, ok, when) once, with the
 * time in tenths of a second since 1970, 0 for never (ok false: no valid
 * answer).
 */
bool peer_session_get_last_takeover(void (*done)(void *arg, bool ok, int64_t when_ds),
				    void *arg);

/* SET the peer's cmsHaSwitchoverCommand; done(arg, ok, reason) exactly once. */
bool peer_session_command(enum cmsha_command cmd, unsigned timeout_ms,
			  void (*done)(void *arg, bool ok, const char *reason), void *arg);

#endif
