/*
 * Wires the switch-over engine to the agent: net-snmp's loop for timers and
 * fds, the peer's agent over SNMP, the kernel watch, the log, the history
 * table and the notifications.
 */
#include "autoconfig.h"
#include "clock.h"
#include "cmshad.h"
#include "history_writer.h"
#include "loop_glue.h"
#include "notify.h"
#include "peer_session.h"
#include "start_claim.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HISTORY_FILE "cmshad-history"

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

/* Changes seen now are the command's doing (or a reload's, while it waits), not news. */
static void env_refresh(void *ctx)
{
	bool by_command = cmshad.refresh_by_command;

	(void)ctx;
	cmshad.refresh_by_command = true;
	cmsha_netwatch_process(cmshad.netwatch);
	cmshad_kernel_refresh();
	cmshad.refresh_by_command = by_command;
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
	.kernel = &cmsha_switchover_kernel_real,
};

/* Start-up adopts what the kernel shows: src/start_claim.c decides, this logs it. */
static void claim_at_start(void)
{
	enum cmsha_start_claim claim = cmsha_start_claim_decide(&cmshad.sw,
								peer_session_status());

	if (claim == CMSHA_CLAIM_COMMAND_RAN)
		snmp_log(LOG_NOTICE, "start-up: a command has run since the start (last: %s); "
			 "no start-up claim\n", cmsha_switchover_status_name(cmshad.sw.status));
	else if (claim == CMSHA_CLAIM_RECOVER)
		snmp_log(LOG_WARNING, "start-up: a %s was cut short by a restart; completing it "
			 "if the aliases are free\n", cmsha_command_name(cmshad.history.pending));
	else if (claim == CMSHA_CLAIM_PEER_ACTIVE)
		snmp_log(LOG_NOTICE, "start-up: the peer is active; the primary stays standby\n");
	cmsha_start_claim_act(&cmshad.sw, claim);
}

static void on_peer_edge(bool reachable)
{
	struct cmsha_peer_edge_acts acts = cmsha_peer_edge(&cmshad.peer_edges, reachable);
	char peer[CMSHA_INET_STRLEN];

	cmsha_inet_ntop(&cmshad.cfg.peer_addrs[0], peer, sizeof(peer));
	snmp_log(reachable ? LOG_NOTICE : LOG_WARNING, "peer agent %s is %s\n", peer,
		 reachable ? "reachable" : "unreachable");
	if (acts.notify)
		notify_peer_reachability(reachable);
	if (acts.claim)
		claim_at_start();
	cmshad_autofailover_evaluate();
}

static bool open_history(void)
{
	char path[1024], err[512];
	const char *dir = get_persistent_directory();

	snprintf(path, sizeof(path), "%s/" HISTORY_FILE, dir);
	mkdirhier(path, NETSNMP_AGENT_DIRECTORY_MODE, 1);   /* parents only */
	if (cmsha_history_open(&cmshad.history, cmshad.cfg.history_size, path, err, sizeof(err)))
		return true;
	snmp_log(LOG_ERR, "switch-over history: %s\n", err);
	return false;
}

bool cmshad_switchover_start(void)
{
	char err[512];

	if (!open_history())
		return false;
	if (!(cmshad.alias_ctl = cmsha_alias_ctl_open(err, sizeof(err))) ||
	    !peer_session_start(&cmshad.cfg, on_peer_edge, err, sizeof(err))) {
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
	       peer_session_start(&cmshad.cfg, on_peer_edge, err, errlen);
}

static void on_history_written(void *arg)
{
	char err[512];

	(void)arg;
	if (!cmsha_history_collect(&cmshad.history, err, sizeof(err)))
		snmp_log(LOG_ERR, "switch-over history not saved: %s\n", err);
	cmsha_switchover_history_written(&cmshad.sw);
}

#ifdef CMSHA_TEST_HOOKS
/*
 * Only in tests/cmshad-test-hooks (never installed): CMSHA_TEST_SLOW_HISTORY_MS
 * makes each history save take that much longer, as a slow or busy disk
 * would, so that tests can see a takeover wait for its pending note.
 */
static bool slow_write_file(const char *path, const char *data, size_t len, char *err,
			    size_t errlen)
{
	long ms = atol(getenv("CMSHA_TEST_SLOW_HISTORY_MS"));
	struct timespec slow = { ms / 1000, ms % 1000 * 1000000L };

	while (nanosleep(&slow, &slow) != 0)
		;
	return cmsha_history_write_file(path, data, len, err, errlen);
}

static cmsha_history_write_fn history_write_fn(void)
{
	const char *ms = getenv("CMSHA_TEST_SLOW_HISTORY_MS");

	if (!ms || atol(ms) <= 0)
		return NULL;
	snmp_log(LOG_WARNING, "test hook: each history save takes %s ms longer\n", ms);
	return slow_write_file;
}
#else
static cmsha_history_write_fn history_write_fn(void) { return NULL; }
#endif

/* Without the thread the loop saves, fsync included: slower, still correct. */
void cmshad_switchover_start_history_writer(void)
{
	char err[512];
	int fd;

	if (!cmsha_history_start_writer(&cmshad.history, history_write_fn(), err, sizeof(err))) {
		snmp_log(LOG_WARNING, "switch-over history: %s; saving in the event loop\n", err);
		return;
	}
	fd = cmsha_history_writer_fd(&cmshad.history);
	if (fd >= 0 && !loop_fd_watch(NULL, fd, on_history_written, NULL)) {
		snmp_log(LOG_WARNING, "switch-over history: cannot watch the writer's fd; "
			 "saving in the event loop\n");
		(void)cmsha_history_stop_writer(&cmshad.history);
	}
}

void cmshad_switchover_stop(void)
{
	int fd = cmsha_history_writer_fd(&cmshad.history);

	cmsha_switchover_shutdown(&cmshad.sw);
	if (fd >= 0)
		loop_fd_unwatch(NULL, fd);
	peer_session_stop();
	cmsha_alias_ctl_close(cmshad.alias_ctl);
	cmshad.alias_ctl = NULL;
	if (!cmsha_history_stop_writer(&cmshad.history))
		snmp_log(LOG_ERR, "switch-over history not saved: its last save did not end "
			 "within %d ms (the disk is slow or hung)\n", CMSHA_HISTORY_STOP_MAX_MS);
	cmsha_history_close(&cmshad.history);
}
