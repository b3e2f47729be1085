/*
 * Between agent/peer_session.c (the SNMP sessions to the peer's agent) and
 * agent/peer_probe.c (the probe rounds: ICMP echo and SNMP GET, and the
 * reachability rule of src/peer_reach.c).
 */
#ifndef CMSHA_PEER_PRIVATE_H
#define CMSHA_PEER_PRIVATE_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * peer_session.c: send round's GET of the peer's cmsHaOperState (or, for an
 * SNMPv3 peer whose engine ID is not known yet, first the discovery
 * request; the GET follows its answer).  Answers come back through
 * peer_probe_snmp_answer().
 */
void peer_snmp_probe(unsigned round);

/* peer_probe.c: the peer's agent answered round's GET with its state. */
void peer_probe_snmp_answer(unsigned round, int oper_state, unsigned rtt_us);

/* peer_probe.c: start the rounds (the first one at once), or stop them. */
bool peer_probe_start(const struct cmsha_config *cfg, void (*edge)(bool reachable),
		      char *err, size_t errlen);
void peer_probe_stop(void);

/*
 * peer_session.c: send pdu (any request) on the command session, waiting
 * timeout_ms; reply(arg, answer, why) exactly once unless this returns
 * false (pdu freed either way): answer is NULL on no answer or an error,
 * with why saying which.  For agent/peer_facts.c.
 */
struct snmp_pdu;
bool peer_session_send(struct snmp_pdu *pdu, unsigned timeout_ms,
		       void (*reply)(void *arg, struct snmp_pdu *answer, const char *why),
		       void *arg);

/* A round waits this long for its answers, at most (and never past the interval). */
#define PEER_MAX_PROBE_TIMEOUT_MS 1000
unsigned peer_probe_timeout_ms(const struct cmsha_config *cfg);

#endif
