/*
 * Wires the switch-over engine to the agent: net-snmp's loop for timers and
 * fds, the peer's agent over SNMP (its edges to startup_glue.c), the kernel
 * watch, the log, the history table and the notifications.
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "loop_glue.h"
#include "mib_control.h"
#include "mib_getters.h"
#include "notify.h"
#include "peer_channel.h"
#include "peer_session.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdio.h>

static bool env_peer_reachable(void *ctx)
{
	(void)ctx;
	return !peer_session_known_unreachable();
}

static bool env_peer_command(void *ctx, enum cmsha_command cmd, unsigned timeout_ms,
			     cmsha_peer_done done, void *arg)
{
	(void)ctx;
	return peer_session_command(cmd, timeout_ms, done, arg);
}

/*
 * Changes seen now are the command's doing, not news for a pager; so are
 * those seen while a reload waits for netlink (config_apply.c).
 */
static void env_refresh(void *ctx)
{
	(void)ctx;
	cmshad.refresh_by_command = true;
	cmsha_netwatch_process(cmshad.netwatch);
	cmshad_kernel_refresh();
	cmshad.refresh_by_command = cmsha_switchover_settling(&cmshad.sw);
}

static void env_finished(void *ctx, const struct cmsha_history_entry *e)
{
	(void)ctx;
	snmp_log(e->result == CMSHA_RESULT_SUCCEEDED ? LOG_NOTICE : LOG_WARNING,
		 "%s (by %s) %s in %u ms: %s\n", cmsha_command_name(e->command),
		 cmsha_initiator_name(e->initiator), cmsha_result_name(e->result),
		 (unsigned)e->duration_ms, e->reason);
	cmshad_packet_log_counts(cmsha_command_name(e->command));
	cmshad_conflict_command_finished(e);
	cmshad_autofailover_command_finished(e);
	cmshad_mib_history_sync();
	notify_command_finished(e);
	cmshad_config_reload_command_finished(e);
}

/* The INFO line is read by tests and the fault analyzer; -D cmsha:switchover shows it too. */
static void env_step(void *ctx, enum cmsha_command cmd, double elapsed_ms, const char *what)
{
	(void)ctx;
	snmp_log(LOG_INFO, "%s: %s (%.2f ms)\n", cmsha_command_name(cmd), what, elapsed_ms);
	DEBUGMSGTL(("cmsha:switchover", "%s: %s (%.2f ms)\n", cmsha_command_name(cmd), what,
		    elapsed_ms));
}

static const struct cmsha_switchover_env env = {
	.timer_add = loop_timer_add, .timer_cancel = loop_timer_cancel,
	.fd_watch = loop_fd_watch, .fd_unwatch = loop_fd_unwatch,
	.peer_reachable = env_peer_reachable, .peer_command = env_peer_command,
	.refresh = env_refresh, .finished = env_finished, .step = env_step,
	.peer_view = peer_facts_view, .peer_test = peer_facts_test,
	.kernel = &cmsha_switchover_kernel_real, .timer_add_us = loop_timer_add_us,
};

/*
 * The peer channel's request: cmd with its id carried out now; noError, or
 * inconsistentValue when refused (or seen failed), commitFailed when a
 * release failed, as cmsHaPeerRequest's SET phases answer.
 */
static int serve_peer_request(enum cmsha_command cmd, uint32_t id)
{
	enum cmsha_served served = cmsha_switchover_serve_peer(&cmshad.sw, cmd, id);

	switch (served) {
	case CMSHA_SERVED_DONE:
		return SNMP_ERR_NOERROR;
	case CMSHA_SERVED_FAILED:
		return SNMP_ERR_COMMITFAILED;
	case CMSHA_SERVED_REFUSED:
		return SNMP_ERR_INCONSISTENTVALUE;
	default:
		return mib_peer_request_seen(cmd, id, served == CMSHA_SERVED_SEEN_OK);
	}
}

/* Once answered, its records (history, notification) go out. */
static void peer_request_answered(void)
{
	cmsha_switchover_peer_served(&cmshad.sw);
}

static const struct peer_channel_server channel_server = {
	.serve = serve_peer_request, .answered = peer_request_answered,
	.oper_state = mib_get_oper_state,
};

bool cmshad_switchover_start(void)
{
	char err[512];

	if (!cmshad_history_open())
		return false;
	peer_channel_serve_with(&channel_server);
	if (!(cmshad.alias_ctl = cmsha_alias_ctl_open(err, sizeof(err))) ||
	    !peer_session_start(&cmshad.cfg, cmshad_startup_peer_edge, err, sizeof(err))) {
		snmp_log(LOG_ERR, "%s\n", err);
		return false;
	}
	cmsha_switchover_init(&cmshad.sw, &cmshad.cfg, &cmshad.ha, &cmshad.history,
			      cmshad.alias_ctl, &env);
	return true;
}

bool cmshad_switchover_peer_restart(char *err, size_t errlen)
{
	peer_session_stop();
	peer_session_free();
	return peer_session_parse(cmshad.cfg.peer_args, err, errlen) &&
	       peer_session_start(&cmshad.cfg, cmshad_startup_peer_edge, err, errlen);
}

void cmshad_switchover_stop(void)
{
	cmsha_switchover_shutdown(&cmshad.sw);
	peer_session_stop();
	cmsha_alias_ctl_close(cmshad.alias_ctl);
	cmshad.alias_ctl = NULL;
	cmshad_history_close();
}
