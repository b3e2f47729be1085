#include "autoconfig.h"
#include "start_claim.h"

enum cmsha_start_claim cmsha_start_claim_decide(const struct cmsha_switchover *s,
						const struct cmsha_peer_status *peer)
{
	if (s->status != CMSHA_STATUS_IDLE)
		return CMSHA_CLAIM_COMMAND_RAN;
	if (s->history->pending)
		return CMSHA_CLAIM_RECOVER;
	if (s->cfg->role != CMSHA_ROLE_PRIMARY || s->ha->oper != CMSHA_OPER_STANDBY)
		return CMSHA_CLAIM_NONE;
	if (peer->reachable && peer->oper_state == CMSHA_OPER_ACTIVE)
		return CMSHA_CLAIM_PEER_ACTIVE;
	return CMSHA_CLAIM_TAKEOVER;
}

void cmsha_start_claim_act(struct cmsha_switchover *s, enum cmsha_start_claim claim)
{
	char reason[CMSHA_HISTORY_REASON_LEN];

	if (claim == CMSHA_CLAIM_RECOVER) {
		cmsha_switchover_recover(s);
		return;
	}
	if (claim != CMSHA_CLAIM_TAKEOVER)
		return;
	if (cmsha_switchover_check(s, CMSHA_CMD_TAKEOVER, CMSHA_BY_STARTUP, reason,
				   sizeof(reason)) != CMSHA_VERDICT_ACCEPT) {
		cmsha_switchover_refuse(s, CMSHA_CMD_TAKEOVER, CMSHA_BY_STARTUP, reason);
		return;
	}
	cmsha_switchover_run(s, CMSHA_CMD_TAKEOVER, CMSHA_BY_STARTUP);
}

struct cmsha_peer_edge_acts cmsha_peer_edge(struct cmsha_peer_edges *e, bool reachable)
{
	struct cmsha_peer_edge_acts acts = {
		.notify = !reachable || e->unreachable_sent, .claim = !e->started
	};

	e->unreachable_sent = !reachable;
	e->started = true;
	return acts;
}
