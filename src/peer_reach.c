#include "autoconfig.h"
#include "peer_reach.h"

#include <string.h>

void cmsha_peer_reach_init(struct cmsha_peer_reach *r, unsigned failures_needed)
{
	memset(r, 0, sizeof(*r));
	r->failures_needed = failures_needed ? failures_needed : 1;
	/* Until the agent answers once, its state is unknown. */
	r->snmp_silent_rounds = r->failures_needed;
}

static enum cmsha_peer_edge set_reachable(struct cmsha_peer_reach *r, bool reachable)
{
	if (r->decided && r->reachable == reachable)
		return CMSHA_PEER_NO_EDGE;
	r->decided = true;
	r->reachable = reachable;
	return reachable ? CMSHA_PEER_BECAME_REACHABLE : CMSHA_PEER_BECAME_UNREACHABLE;
}

enum cmsha_peer_edge cmsha_peer_reach_round_start(struct cmsha_peer_reach *r)
{
	enum cmsha_peer_edge edge = cmsha_peer_reach_round_end(r);

	r->round_open = true;
	r->icmp_answered = r->snmp_answered = false;
	return edge;
}

/* A successful round: whichever answered, the peer is reachable. */
static enum cmsha_peer_edge round_succeeded(struct cmsha_peer_reach *r)
{
	r->consecutive_failures = 0;
	return set_reachable(r, true);
}

bool cmsha_peer_reach_answer(struct cmsha_peer_reach *r, enum cmsha_peer_answer kind,
			     unsigned rtt_us, enum cmsha_peer_edge *edge)
{
	*edge = CMSHA_PEER_NO_EDGE;
	if (!r->round_open)
		return false;
	if (kind == CMSHA_PEER_BY_ICMP) {
		if (r->icmp_answered)
			return false;
		r->icmp_answered = true;
		r->rtt_us = rtt_us;                     /* ICMP's wins */
		return true;            /* the verdict waits for SNMP or the round's end */
	}
	if (r->snmp_answered)
		return false;
	r->snmp_answered = true;
	r->snmp_silent_rounds = 0;
	if (!r->icmp_answered)
		r->rtt_us = rtt_us;
	*edge = round_succeeded(r);
	return true;
}

enum cmsha_peer_edge cmsha_peer_reach_round_end(struct cmsha_peer_reach *r)
{
	if (!r->round_open)
		return CMSHA_PEER_NO_EDGE;
	r->round_open = false;
	if (!r->snmp_answered && r->snmp_silent_rounds < r->failures_needed)
		r->snmp_silent_rounds++;
	if (r->snmp_answered)
		return CMSHA_PEER_NO_EDGE;             /* taken when it answered */
	if (r->icmp_answered)
		return round_succeeded(r);
	r->total_failures++;
	r->consecutive_failures++;
	if (!cmsha_peer_reach_known_unreachable(r))
		return CMSHA_PEER_NO_EDGE;
	return set_reachable(r, false);
}

bool cmsha_peer_reach_known_unreachable(const struct cmsha_peer_reach *r)
{
	return r->consecutive_failures >= r->failures_needed;
}

bool cmsha_peer_reach_agent_answering(const struct cmsha_peer_reach *r)
{
	return r->snmp_silent_rounds < r->failures_needed;
}
