/*
 * A peer's request taken in one step, as cmshad's peer channel receives it
 * (agent/peer_channel.c): the checks, the hold and the run that net-snmp's
 * SET phases spread over RESERVE2, ACTION and COMMIT (agent/mib_control.c)
 * happen back to back, so a release is carried out and confirmed (the
 * kernel's ACKs) in one turn of the loop; the kernel's events (alias
 * states, the log's lines) are read once the answer is out, and its
 * records sent.  The same request ids guard both ways in: a request seen
 * on either is answered with its outcome, not carried out again.
 */
#include "clock.h"
#include "switchover.h"

#include <stdio.h>

enum cmsha_served cmsha_switchover_serve_peer(struct cmsha_switchover *s,
					      enum cmsha_command cmd, uint32_t id)
{
	char reason[CMSHA_HISTORY_REASON_LEN];
	struct timespec now;
	enum cmsha_verdict v;
	bool ok;

	if (cmsha_switchover_peer_request_seen(s, id, &ok))
		return ok ? CMSHA_SERVED_SEEN_OK : CMSHA_SERVED_SEEN_FAILED;
	v = cmsha_switchover_check(s, cmd, CMSHA_BY_PEER, reason, sizeof(reason));
	/* A set request through snmpd between its phases: a release carried out
	 * in its ACTION that an UNDO may still put back.  snmpd would hold this
	 * request until that one ended; the channel refuses it. */
	if (s->records_held) {
		v = CMSHA_VERDICT_REFUSE;
		snprintf(reason, sizeof(reason), "a set request through snmpd is between its "
			 "phases: try again");
	}
	cmsha_switchover_set_request_id(s, id);
	if (v == CMSHA_VERDICT_REFUSE) {
		cmsha_switchover_refuse(s, cmd, CMSHA_BY_PEER, reason);
		return CMSHA_SERVED_REFUSED;
	}
	/* Its records wait until the answer is out (cmsha_switchover_peer_served). */
	cmsha_switchover_hold_records(s);
	s->serve_held = true;
	cmsha_clock_now(&now);
	cmsha_switchover_reserve(s, &now);
	cmsha_switchover_probe_early(s, cmd, v);
	ok = cmsha_switchover_run(s, cmd, CMSHA_BY_PEER);
	cmsha_switchover_peer_request_done(s, id, ok);
	return ok ? CMSHA_SERVED_DONE : CMSHA_SERVED_FAILED;
}

void cmsha_switchover_peer_served(struct cmsha_switchover *s)
{
	if (!s->serve_held)
		return;                 /* refused or seen: another's records stay held */
	s->serve_held = false;
	/* The kernel's events, read now that the peer has its answer: the MIB's
	 * state, the log's changes, then the records that follow them. */
	s->env->refresh(s->env->ctx);
	cmsha_switchover_flush_records(s);
}
