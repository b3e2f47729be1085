/*
 * Automatic failover in the agent: gathers what the rules need (this
 * server's state, the peer's as the probes see it, the components, the
 * hold-down), asks them (src/autofailover.c) and starts what they decide
 * as an automatic command.  It runs on every change the agent hears of
 * (peer edge, component change, end of a command) and on a timer every
 * probe interval, which also ends a hold-down.  Split brains are noticed
 * and notified whether autofailover is on or off; only 'on' moves aliases.
 */
#include "autoconfig.h"
#include "clock.h"
#include "autofailover.h"
#include "cmshad.h"
#include "mib_values.h"
#include "notify.h"
#include "peer_session.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdio.h>
#include <string.h>

static struct {
	unsigned alarm;
	bool evaluating, stopped;
	/* hold-down: when this server last took part in a switch-over */
	bool moved;
	struct timespec moved_at;
	uint32_t switchovers_seen;
	/* we gave the aliases to the peer: it holds them until it says otherwise */
	bool handed_over;
	struct timespec handed_over_at;
	/* the split brain in progress, if any; the peer's takeover time is as
	 * of peer_time_sent (realtime), when we asked for it */
	bool split, split_notified, notified_keeper, peer_time_asked, peer_time_known;
	int64_t peer_took_over_ds;
	struct timespec peer_time_sent;
	char last_why[CMSHA_HISTORY_REASON_LEN];
} af;

/* Exactly what the MIB publishes (to the tenth of a second), so the peer's
 * comparison of the two times gives the same answer as ours. */
static int64_t own_took_over_ds(void)
{
	struct timespec when;
	u_char octets[11];
	int64_t ds = 0;

	if (!cmsha_history_last_takeover(&cmshad.history, &when))
		return 0;
	mib_date_and_time_to_ds(octets, mib_date_and_time(&when, octets), &ds);
	return ds;
}

static bool later(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec != b->tv_sec ? a->tv_sec > b->tv_sec : a->tv_nsec > b->tv_nsec;
}

/*
 * The peer's last known state; but after this server gave the aliases up to
 * it (a release or switchAway that moved them), the peer holds them until
 * an answer asked after that says otherwise: a peer that dies right after
 * taking over, before a probe saw it active, is still taken over from.
 */
static int peer_last_known_oper(const struct peer_status *peer)
{
	if (af.handed_over && !later(&peer->oper_asked, &af.handed_over_at))
		return CMSHA_OPER_ACTIVE;
	return peer->last_known_oper;
}

/* A switchAway is running: it accepts a release, and only then. */
static bool switch_away_running(void)
{
	char reason[CMSHA_HISTORY_REASON_LEN];

	return cmshad.sw.job && !cmsha_switchover_is_reserved(&cmshad.sw) &&
	       cmsha_switchover_check(&cmshad.sw, CMSHA_CMD_RELEASE, CMSHA_BY_AUTOMATIC, reason,
				      sizeof(reason)) == CMSHA_VERDICT_ACCEPT;
}

static void gather(struct cmsha_af_input *in)
{
	const struct peer_status *peer = peer_session_status();

	*in = (struct cmsha_af_input){
		.enabled = cmshad.cfg.autofailover,
		.role = cmshad.cfg.role,
		/* During our switchAway we still hold every alias until the release. */
		.oper = switch_away_running() ? CMSHA_OPER_ACTIVE : cmshad.ha.oper,
		.took_over_ds = own_took_over_ds(),
		.mode = cmshad.ha.mode,
		.busy = cmshad.sw.job || cmsha_switchover_is_reserved(&cmshad.sw),
		.switching_away = switch_away_running(),
		.in_holddown = af.moved && (int64_t)cmsha_ms_since(&af.moved_at) < cmshad.cfg.holddown_ms,
		.required_down = cmsha_ha_required_component_down(&cmshad.ha),
		.peer = { .reachable = peer->reachable, .oper = peer->oper_state,
			  .last_known_oper = peer_last_known_oper(peer),
			  .oper_is_fresh = later(&peer->oper_asked, &cmshad.ha.oper_last_change),
			  .took_over_known = af.peer_time_known,
			  .took_over_ds = af.peer_took_over_ds },
		.names_only = cmshad.cfg.n_aliases == 0,
	};
}

static void on_peer_takeover_time(void *arg, bool ok, int64_t when_ds)
{
	(void)arg;
	af.peer_time_asked = false;
	if (!af.split)
		return;
	af.peer_time_known = ok;
	af.peer_took_over_ds = when_ds;
	if (ok)
		cmshad_autofailover_evaluate();
}

/*
 * The peer's takeover time, asked again whenever a probe has answered since
 * we last asked: the peer may have released and taken over again between
 * two of our probes (a NOC's forceTakeover right after its automatic
 * release), so that the split brain never looked over from here.  With the
 * old time both servers could find themselves the keeper, and keep.
 */
static void ask_peer_takeover_time(void)
{
	const struct peer_status *peer = peer_session_status();
	struct timespec now;

	if (af.peer_time_asked ||
	    (af.peer_time_known && !later(&peer->oper_asked, &af.peer_time_sent)))
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	af.peer_time_asked = peer_session_get_last_takeover(on_peer_takeover_time, NULL);
	if (af.peer_time_asked)
		af.peer_time_sent = now;
}

/* Both active: ask for the peer's takeover time, notify (again when the
 * keeper changes), announce if we keep. */
static void follow_split_brain(const struct cmsha_af_input *in)
{
	bool keeper;
	char why[CMSHA_HISTORY_REASON_LEN];

	if (!cmsha_split_brain(in)) {
		if (af.split && cmshad.ha.oper == CMSHA_OPER_ACTIVE) {
			snmp_log(LOG_NOTICE, "split brain over: announcing the aliases again\n");
			cmsha_switchover_announce(&cmshad.sw);
		}
		af.split = af.split_notified = af.peer_time_known = false;
		return;
	}
	af.split = true;
	ask_peer_takeover_time();
	if (!af.peer_time_known)
		return;
	keeper = cmsha_split_brain_keeper(in->role, in->took_over_ds, af.peer_took_over_ds);
	if (af.split_notified && keeper == af.notified_keeper)
		return;
	af.split_notified = true;
	af.notified_keeper = keeper;
	snprintf(why, sizeof(why), "split brain: both servers hold the aliases; %s took "
		 "them over last and keeps them%s", keeper ? "this server" : "the peer",
		 in->enabled ? "" : " (autofailover off: nothing moves)");
	snmp_log(LOG_WARNING, "%s\n", why);
	notify_split_brain(why);
	if (keeper)
		cmsha_switchover_announce(&cmshad.sw);
}

static enum cmsha_command command_of(enum cmsha_af_action a)
{
	return a == CMSHA_AF_TAKEOVER ? CMSHA_CMD_TAKEOVER :
	       a == CMSHA_AF_SWITCH_AWAY ? CMSHA_CMD_SWITCH_AWAY : CMSHA_CMD_RELEASE;
}

/* A refusal is recorded (and paged) once per trigger, not every tick. */
static void start(enum cmsha_af_action action, const char *why)
{
	enum cmsha_command cmd = command_of(action);
	char reason[CMSHA_HISTORY_REASON_LEN], refusal[2 * CMSHA_HISTORY_REASON_LEN + 16];

	switch (cmsha_switchover_check(&cmshad.sw, cmd, CMSHA_BY_AUTOMATIC, reason,
				       sizeof(reason))) {
	case CMSHA_VERDICT_ACCEPT:
		snmp_log(LOG_WARNING, "autofailover: %s: starting %s\n", why,
			 cmsha_command_name(cmd));
		af.last_why[0] = '\0';
		cmsha_switchover_run_automatic(&cmshad.sw, cmd, why);
		return;
	case CMSHA_VERDICT_REFUSE:
		if (strcmp(af.last_why, why) == 0)
			return;
		snprintf(af.last_why, sizeof(af.last_why), "%s", why);
		snprintf(refusal, sizeof(refusal), "automatic (%s): %s", why, reason);
		cmsha_switchover_refuse(&cmshad.sw, cmd, CMSHA_BY_AUTOMATIC, refusal);
		return;
	case CMSHA_VERDICT_ALREADY_DONE:
		return;
	}
}

void cmshad_autofailover_evaluate(void)
{
	struct cmsha_af_input in;
	enum cmsha_af_action action;
	char why[CMSHA_HISTORY_REASON_LEN], peer[CMSHA_INET_STRLEN];

	if (af.evaluating || af.stopped)  /* a command finishing at once calls back */
		return;
	af.evaluating = true;
	gather(&in);
	follow_split_brain(&in);
	cmsha_inet_ntop(&cmshad.cfg.peer_addrs[0], peer, sizeof(peer));
	action = cmsha_autofailover_decide(&in, peer, why, sizeof(why));
	if (action != CMSHA_AF_NONE)
		start(action, why);
	else if (why[0] && strcmp(why, af.last_why) != 0) {
		snmp_log(LOG_NOTICE, "autofailover: %s\n", why);
		snprintf(af.last_why, sizeof(af.last_why), "%s", why);
	} else if (!why[0])
		af.last_why[0] = '\0';
	af.evaluating = false;
}

/* Hold-down starts with each switch-over and each automatic attempt, so a
 * takeover the probe stopped is not retried every probe interval.  A release
 * or switchAway that moved the aliases handed them to the peer. */
void cmshad_autofailover_command_finished(const struct cmsha_history_entry *e)
{
	bool attempt = e->initiator == CMSHA_BY_AUTOMATIC && e->result != CMSHA_RESULT_REFUSED;
	bool moved = cmshad.history.switchover_count != af.switchovers_seen;

	if (moved && (e->command == CMSHA_CMD_RELEASE || e->command == CMSHA_CMD_SWITCH_AWAY)) {
		af.handed_over = true;
		clock_gettime(CLOCK_REALTIME, &af.handed_over_at);
	} else if (moved) {
		af.handed_over = false;
	}
	if (moved || attempt) {
		af.switchovers_seen = cmshad.history.switchover_count;
		af.moved = true;
		clock_gettime(CLOCK_MONOTONIC, &af.moved_at);
	}
}

static void on_tick(unsigned int reg, void *arg)
{
	(void)reg, (void)arg;
	cmshad_autofailover_evaluate();
}

static unsigned arm_tick(void)
{
	unsigned ms = cmshad.cfg.probe_interval_ms;
	struct timeval every = { ms / 1000, (ms % 1000) * 1000 };

	return snmp_alarm_register_hr(every, SA_REPEAT, on_tick, NULL);
}

/* A reload changed the probe interval: evaluate at the new one. */
void cmshad_autofailover_retime(void)
{
	if (!af.alarm || af.stopped)
		return;
	snmp_alarm_unregister(af.alarm);
	if (!(af.alarm = arm_tick()))
		snmp_log(LOG_ERR, "autofailover: cannot arm its timer\n");
}

bool cmshad_autofailover_start(void)
{
	af.switchovers_seen = cmshad.history.switchover_count;
	af.alarm = arm_tick();
	if (!af.alarm)
		snmp_log(LOG_ERR, "autofailover: cannot arm its timer\n");
	return af.alarm != 0;
}

/* From here on nothing starts by itself: cmshad is stopping. */
void cmshad_autofailover_stop(void)
{
	af.stopped = true;
	if (af.alarm)
		snmp_alarm_unregister(af.alarm);
	af.alarm = 0;
}
