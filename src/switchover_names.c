/*
 * In manual mode (the servers on different subnets, or no alias at all),
 * what can move is the service's names: takeover and forceTakeover point
 * them here by DNS UPDATE, switchAway asks the peer to do the same.  The
 * aliases, which cannot move, are refused with the mode's reason in a row
 * of their own.  A release leaves the names alone: the taker moves them.
 */
#include "autoconfig.h"
#include "switchover_private.h"

#include <stdio.h>
#include <string.h>

/* How often switchAway asks where the names point while the peer moves them. */
#define NAMES_POLL_MS 50
/* Some time for the peer's update beyond its server's timeout. */
#define NAMES_SLACK_MS 1000

bool cmsha_names_carry(const struct cmsha_switchover *s, enum cmsha_command cmd,
		 enum cmsha_initiator by)
{
	/* Only a person's (or the peer's) command moves names, not start-up or autofailover. */
	return s->names && s->cfg->n_dns > 0 && (by == CMSHA_BY_SNMP || by == CMSHA_BY_PEER) &&
	       (cmd == CMSHA_CMD_TAKEOVER || cmd == CMSHA_CMD_FORCE_TAKEOVER ||
		cmd == CMSHA_CMD_SWITCH_AWAY);
}

#define VERDICT(v, ...) do { snprintf(reason, len, __VA_ARGS__); return (v); } while (0)

enum cmsha_verdict cmsha_names_check(const struct cmsha_switchover *s, enum cmsha_command cmd,
			       char *reason, size_t len)
{
	const char *unfit;
	char peer[CMSHA_INET_STRLEN];

	/* No "already active" from what the last check round saw: the peer may
	 * have moved the names since.  The move itself asks again (dns_names.c). */
	cmsha_inet_ntop(&s->cfg->peer_addrs[0], peer, sizeof(peer));
	if (cmd == CMSHA_CMD_SWITCH_AWAY &&
	    cmsha_dns_names_all(s->names, CMSHA_DNS_POINTS_TO_PEER))
		VERDICT(CMSHA_VERDICT_ALREADY_DONE, "already standby: every dns name points "
			"to the peer");
	if (cmd == CMSHA_CMD_SWITCH_AWAY && !s->env->peer_reachable(s->env->ctx))
		VERDICT(CMSHA_VERDICT_REFUSE, "peer agent %s is unreachable: it cannot take over", peer);
	if (cmd == CMSHA_CMD_TAKEOVER && (unfit = cmsha_ha_required_component_down(s->ha)))
		VERDICT(CMSHA_VERDICT_REFUSE, "required component %s is down here: this server "
			"is not fit to take over (forceTakeover overrides)", unfit);
	return CMSHA_VERDICT_ACCEPT;
}

static enum cmsha_result result_of(enum cmsha_dns_update_result r)
{
	return r == CMSHA_DNS_UPDATE_SUCCEEDED ? CMSHA_RESULT_SUCCEEDED :
	       r == CMSHA_DNS_UPDATE_REFUSED ? CMSHA_RESULT_REFUSED : CMSHA_RESULT_FAILED;
}

static void on_names_moved(void *arg, enum cmsha_dns_update_result r, const char *why)
{
	struct cmsha_switchover *s = arg;

	s->job->names_moving = false;
	/* counts in cmsHaSwitchoverCount (a rolled-back move changed nothing) */
	s->job->changed = s->names->updated > 0 && r == CMSHA_DNS_UPDATE_SUCCEEDED;
	cmsha_job_finish(s, result_of(r), "dns: %s%s", why,
			 s->cfg->n_aliases ? "; the aliases stay manual (refused)" : "");
}

static void names_deadline(struct cmsha_switchover *s)
{
	cmsha_job_finish(s, CMSHA_RESULT_FAILED, "the peer accepted the takeover but its dns "
			 "names do not point to it yet");
}

/* switchAway: the peer's own takeover moves the names; watch them go. */
static void on_names_poll(void *arg)
{
	struct cmsha_switchover *s = arg;

	s->job->timer = 0;
	if (cmsha_dns_names_all(s->names, CMSHA_DNS_POINTS_TO_PEER)) {
		cmsha_job_finish(s, CMSHA_RESULT_SUCCEEDED, "the peer took over: every dns "
				 "name points to it");
		return;
	}
	if (s->job->rounds_left-- == 0) {
		names_deadline(s);
		return;
	}
	cmsha_dns_names_check(s->names);
	/* Without its timer the job would wait for ever: it ends, the names unknown. */
	if (!(s->job->timer = s->env->timer_add(s->env->ctx, NAMES_POLL_MS, on_names_poll, s)))
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "cannot arm the timer to watch the dns "
				 "names: the peer accepted the takeover and may still move them");
}

static void on_peer_accepted(struct cmsha_switchover *s, bool ok, const char *reason)
{
	unsigned timeout = 0;

	if (!ok) {
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "the peer refused to take over (%s): "
				 "nothing changed", reason);
		return;
	}
	cmsha_job_step(s, "peer accepted the takeover");
	for (size_t i = 0; i < s->cfg->n_dns; i++)
		if (s->cfg->dns[i].timeout_ms > timeout)
			timeout = s->cfg->dns[i].timeout_ms;
	/* The deadline is counted in polls: the peer's update and its check. */
	s->job->rounds_left = (2 * timeout + NAMES_SLACK_MS) / NAMES_POLL_MS + 1;
	on_names_poll(s);
}

void cmsha_job_names_start(struct cmsha_switchover *s)
{
	struct cmsha_job *job = s->job;

	if (s->cfg->n_aliases)
		cmsha_switchover_refuse(s, job->cmd, job->by, s->ha->mode_reason);
	if (job->cmd == CMSHA_CMD_SWITCH_AWAY) {
		if (!cmsha_job_ask_peer(s, CMSHA_CMD_TAKEOVER, s->cfg->release_timeout_ms,
					on_peer_accepted))
			cmsha_job_finish(s, CMSHA_RESULT_FAILED, "cannot send the takeover "
					 "request to the peer: nothing changed");
		return;
	}
	cmsha_job_step(s, "updating %zu dns name(s)%s", s->cfg->n_dns,
		       job->cmd == CMSHA_CMD_FORCE_TAKEOVER ? " without prerequisite" : "");
	/* done() may come at once (every name already here): the job is gone then. */
	job->names_moving = true;
	if (!cmsha_dns_names_move(s->names, job->cmd == CMSHA_CMD_FORCE_TAKEOVER,
				  on_names_moved, s)) {
		job->names_moving = false;
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "a dns update is already in flight");
	}
}

void cmsha_job_names_stop(struct cmsha_switchover *s)
{
	if (s->job && s->job->names_moving)
		cmsha_dns_names_cancel_move(s->names);
	if (s->job)
		s->job->names_moving = false;
}
