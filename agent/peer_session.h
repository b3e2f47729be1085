/*
 * The peer, over SNMP sessions made from the 'peer' config line and an ICMP
 * echo to its agent address: every probe interval a round of an echo and a
 * GET of its agent's cmsHaOperState (reachability by src/peer_reach.c's
 * rule, its state, round-trip time; src/peer_rounds.c driven by
 * agent/peer_probe.c), and SETs of its cmsHaPeerRequest.  All requests
 * are asynchronous: replies arrive through the agent's select loop.
 */
#ifndef CMSHA_PEER_SESSION_H
#define CMSHA_PEER_SESSION_H

#include "config.h"
#include "history.h"
#include "peer_rounds.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Parse snmpcmd-style arguments ("-v3 -u cmsha ... AGENT"); false with err. */
bool peer_session_parse(const char *args, char *err, size_t errlen);
/* Would peer_session_parse accept args?  The running session's settings stay. */
bool peer_session_check(const char *args, char *err, size_t errlen);

/*
 * Open the sessions and start probing; edge() is told of the first verdict
 * (reachable, or unreachable after 'failures' misses) and of every change.
 */
bool peer_session_start(const struct cmsha_config *cfg, void (*edge)(bool reachable),
			char *err, size_t errlen);
void peer_session_stop(void);
void peer_session_free(void);

/* cmsHaPeer*: src/peer_rounds.h's struct cmsha_peer_status. */
const struct cmsha_peer_status *peer_session_status(void);

/* Known unreachable: 'failures' probe rounds in a row went unanswered. */
bool peer_session_known_unreachable(void);

/*
 * The peer's agent answered the GET in one of the last 'failures' rounds
 * (else cmsHaPeerOperState is unknown): a peer can be reachable (its host
 * answers echo) while its agent is not.
 */
bool peer_session_agent_answering(void);

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

/*
 * agent/peer_facts.c, the engine's peer_view and peer_test hooks (test on
 * an active server): the peer's state, mode and components; its own test.
 */
struct cmsha_peer_view;
struct cmsha_peer_test;
bool peer_facts_view(void *ctx, unsigned timeout_ms,
		     void (*done)(void *arg, const struct cmsha_peer_view *v), void *arg);
bool peer_facts_test(void *ctx, unsigned timeout_ms,
		     void (*done)(void *arg, const struct cmsha_peer_test *t), void *arg);

#endif
