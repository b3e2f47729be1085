#include "autoconfig.h"
#include "start_claim.h"

#include <stdio.h>

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

bool cmsha_start_claim_text(const struct cmsha_switchover *s, enum cmsha_start_claim claim,
			    char *text, size_t len)
{
	text[0] = '\0';
	if (claim == CMSHA_CLAIM_COMMAND_RAN)
		snprintf(text, len, "start-up: a command has run since the start (last: %s); "
			 "no start-up claim", cmsha_switchover_status_name(s->status));
	else if (claim == CMSHA_CLAIM_RECOVER)
		snprintf(text, len, "start-up: a %s was cut short by a restart; completing it "
			 "if the aliases are free", cmsha_command_name(s->history->pending));
	else if (claim == CMSHA_CLAIM_PEER_ACTIVE)
		snprintf(text, len, "start-up: the peer is active; the primary stays standby");
	return claim == CMSHA_CLAIM_RECOVER;
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
