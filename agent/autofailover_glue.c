/*
 * Wires automatic failover (src/autofailover.c) to the agent: the facts
 * only the agent has (the peer's state as the probes see it, this server's
 * takeover time as the MIB publishes it) added to the core's
 * (src/autofailover_sources.c, which also hands its commands to the
 * engine), net-snmp's loop for its timer, the peer session for the peer's
 * takeover time, and the log, debug token cmsha:autofailover and
 * cmsHaSplitBrain for what it tells.
 */
#include "autoconfig.h"
#include "autofailover_sources.h"
#include "cmshad.h"
#include "loop_glue.h"
#include "mib_values.h"
#include "notify.h"
#include "peer_session.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

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

static void gather(void *sw, struct cmsha_af_facts *f)
{
	const struct cmsha_peer_status *peer = peer_session_status();

	cmsha_af_facts_of(sw, own_took_over_ds(), f);
	f->peer.reachable = peer->reachable;
	f->peer.oper = peer->oper_state;
	f->peer.last_known_oper = peer->last_known_oper;
	f->peer.oper_asked = peer->oper_asked;
}

static bool ask_peer(void *sw, void (*done)(void *arg, bool ok, int64_t when_ds), void *arg)
{
	(void)sw;
	return peer_session_get_last_takeover(done, arg);
}

static void report(void *arg, enum cmsha_af_event ev, const char *text)
{
	static const int level[] = {
		[CMSHA_AF_EV_STARTING] = LOG_WARNING, [CMSHA_AF_EV_HELD_BACK] = LOG_NOTICE,
		[CMSHA_AF_EV_SPLIT_BRAIN] = LOG_WARNING, [CMSHA_AF_EV_SPLIT_OVER] = LOG_NOTICE,
		[CMSHA_AF_EV_NO_TIMER] = LOG_ERR,
	};

	(void)arg;
	DEBUGMSGTL(("cmsha:autofailover", "%s\n", text));
	if (ev != CMSHA_AF_EV_TRACE)
		snmp_log(level[ev], "%s\n", text);
	if (ev == CMSHA_AF_EV_SPLIT_BRAIN)
		notify_split_brain(text);
}

bool cmshad_autofailover_start(void)
{
	static const struct cmsha_autofailover_env env = {
		loop_timer_add, loop_timer_cancel, NULL, gather, ask_peer,
		cmsha_af_check_automatic, cmsha_af_run_automatic, cmsha_af_refuse_automatic,
		cmsha_af_announce, &cmshad.sw
	};
	static const struct cmsha_autofailover_observer observer = { report, NULL };
	char err[128];

	cmshad.autofailover = cmsha_autofailover_new(&env, &observer,
						     cmshad.cfg.probe_interval_ms,
						     cmshad.history.switchover_count, err,
						     sizeof(err));
	if (!cmshad.autofailover)
		snmp_log(LOG_ERR, "%s\n", err);
	return cmshad.autofailover != NULL;
}

void cmshad_autofailover_evaluate(void)
{
	if (cmshad.autofailover)
		cmsha_autofailover_evaluate(cmshad.autofailover);
}

void cmshad_autofailover_command_finished(const struct cmsha_history_entry *e)
{
	if (cmshad.autofailover)
		cmsha_autofailover_command_finished(cmshad.autofailover, e,
						    cmshad.history.switchover_count);
}

/* A reload changed the probe interval: evaluate at the new one. */
void cmshad_autofailover_retime(void)
{
	if (cmshad.autofailover)
		cmsha_autofailover_retime(cmshad.autofailover, cmshad.cfg.probe_interval_ms);
}

/* From here on nothing starts by itself: cmshad is stopping. */
void cmshad_autofailover_stop(void)
{
	cmsha_autofailover_free(cmshad.autofailover);
	cmshad.autofailover = NULL;
}
