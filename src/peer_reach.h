/*
 * The peer reachability rule, apart from any socket.  Every probe interval
 * a round starts: an ICMP echo to the peer's address and an SNMP GET of its
 * agent's cmsHaOperState go out together.  The round succeeds when either
 * answers before it ends, and fails otherwise.  The peer is unreachable
 * after 'failures' failed rounds in a row and reachable again after one
 * successful round; the first verdict (either) counts as a change too.
 * A round's success is taken when the agent answers, or at the round's end
 * when only the echo was answered: so a change to reachable comes with the
 * peer's state whenever its agent answers in that round.
 *
 * Separately, the peer's agent counts as silent (its state unknown) after
 * 'failures' rounds in a row without an SNMP answer, even when ICMP answers.
 *
 * cmsHaPeerRtt: the ICMP round-trip time of the last successful round when
 * the echo was answered, else that round's SNMP round-trip time.
 */
#ifndef CMSHA_PEER_REACH_H
#define CMSHA_PEER_REACH_H

#include <stdbool.h>

enum cmsha_peer_answer { CMSHA_PEER_BY_ICMP, CMSHA_PEER_BY_SNMP };

/* What a call changed: nothing, or a verdict. */
enum cmsha_peer_edge {
	CMSHA_PEER_NO_EDGE,
	CMSHA_PEER_BECAME_REACHABLE,
	CMSHA_PEER_BECAME_UNREACHABLE,
};

struct cmsha_peer_reach {
	unsigned failures_needed;       /* 'probe failures' */
	bool decided;                   /* a first verdict was given */
	bool reachable;
	unsigned consecutive_failures;  /* rounds */
	unsigned total_failures;        /* rounds, since start */
	unsigned snmp_silent_rounds;    /* rounds in a row without an SNMP answer */
	unsigned rtt_us;
	/* The round under way. */
	bool round_open, icmp_answered, snmp_answered;
};

void cmsha_peer_reach_init(struct cmsha_peer_reach *r, unsigned failures_needed);

/* A new round: its probes are being sent.  An open round is ended first. */
enum cmsha_peer_edge cmsha_peer_reach_round_start(struct cmsha_peer_reach *r);

/*
 * An answer of that kind for the current round, rtt_us after its probe
 * was sent; edge is the verdict it gave (an SNMP answer gives the round's
 * success at once).  A late answer (no round open, or a second one of a
 * kind) changes nothing: false.
 */
bool cmsha_peer_reach_answer(struct cmsha_peer_reach *r, enum cmsha_peer_answer kind,
			     unsigned rtt_us, enum cmsha_peer_edge *edge);

/* The round's deadline: a round without an answer fails. */
enum cmsha_peer_edge cmsha_peer_reach_round_end(struct cmsha_peer_reach *r);

/* 'failures' rounds in a row failed. */
bool cmsha_peer_reach_known_unreachable(const struct cmsha_peer_reach *r);

/* The peer's agent answered SNMP in one of the last 'failures' rounds. */
bool cmsha_peer_reach_agent_answering(const struct cmsha_peer_reach *r);

#endif
