/* Automatic failover's rules (see autofailover.h). */
#include "autoconfig.h"
#include "autofailover.h"

#include <stdio.h>

#define PEER_STATE_UNKNOWN 5

/* The peer's states in which it holds some or all of the aliases. */
static bool peer_state_holds(int oper)
{
	return oper == CMSHA_OPER_ACTIVE || oper == CMSHA_OPER_SWITCHING_OVER ||
	       oper == CMSHA_OPER_FAILED;
}

static const char *peer_state_name(int oper)
{
	return oper == PEER_STATE_UNKNOWN ? "unknown" :
	       cmsha_oper_state_name((enum cmsha_oper_state)oper);
}

bool cmsha_split_brain(const struct cmsha_af_input *in)
{
	return !in->names_only && in->oper == CMSHA_OPER_ACTIVE && in->peer.reachable &&
	       in->peer.oper == CMSHA_OPER_ACTIVE && in->peer.oper_is_fresh;
}

bool cmsha_split_brain_keeper(enum cmsha_role role, int64_t own_took_over_ds,
			      int64_t peer_took_over_ds)
{
	if (own_took_over_ds != peer_took_over_ds)
		return own_took_over_ds > peer_took_over_ds;
	return role == CMSHA_ROLE_PRIMARY;
}

static enum cmsha_af_action decide_split_brain(const struct cmsha_af_input *in,
					       char *why, size_t len)
{
	if (!in->peer.took_over_known) {
		snprintf(why, len, "split brain: waiting for the peer's last takeover time");
		return CMSHA_AF_NONE;
	}
	if (cmsha_split_brain_keeper(in->role, in->took_over_ds, in->peer.took_over_ds)) {
		snprintf(why, len, "split brain: this server took the aliases over last and "
			 "keeps them");
		return CMSHA_AF_NONE;
	}
	snprintf(why, len, "split brain: both servers held the aliases; the peer took "
		 "them over last and keeps them");
	return CMSHA_AF_RELEASE;
}

/* A trigger is there; do the rules let the action go ahead? */
static enum cmsha_af_action gate(const struct cmsha_af_input *in, enum cmsha_af_action action,
				 char *why, size_t len)
{
	size_t used = 0;

	while (used < len && why[used])
		used++;
	if (in->mode == CMSHA_MODE_MANUAL) {
		snprintf(why + used, len - used, ": no automatic action: the switch-over mode "
			 "is manual");
		return CMSHA_AF_NONE;
	}
	if (action == CMSHA_AF_TAKEOVER && in->required_down) {
		snprintf(why + used, len - used, ": no automatic takeover: required component "
			 "%s is down here", in->required_down);
		return CMSHA_AF_NONE;
	}
	if (in->in_holddown) {
		snprintf(why + used, len - used, ": held down after the last switch-over");
		return CMSHA_AF_NONE;
	}
	return action;
}

enum cmsha_af_action cmsha_autofailover_decide(const struct cmsha_af_input *in,
					       const char *peer_name, char *why, size_t len)
{
	const struct cmsha_af_peer *peer = &in->peer;

	why[0] = '\0';
	if (!in->enabled)
		return CMSHA_AF_NONE;
	/* Our own switchAway waits for a release: a split brain may give it one. */
	if (cmsha_split_brain(in) && (!in->busy || in->switching_away))
		return decide_split_brain(in, why, len);
	if (in->busy)
		return CMSHA_AF_NONE;
	if (in->oper == CMSHA_OPER_STANDBY && !peer->reachable &&
	    peer_state_holds(peer->last_known_oper)) {
		snprintf(why, len, "peer %s unreachable (last seen %s)", peer_name,
			 peer_state_name(peer->last_known_oper));
		return gate(in, CMSHA_AF_TAKEOVER, why, len);
	}
	if (in->oper == CMSHA_OPER_ACTIVE && in->required_down) {
		if (peer->reachable && peer->oper == CMSHA_OPER_STANDBY) {
			snprintf(why, len, "required component %s is down", in->required_down);
			return gate(in, CMSHA_AF_SWITCH_AWAY, why, len);
		}
		snprintf(why, len, "required component %s is down but the peer is not ready "
			 "to take over (%s)", in->required_down,
			 peer->reachable ? peer_state_name(peer->oper) : "unreachable");
	}
	return CMSHA_AF_NONE;
}
