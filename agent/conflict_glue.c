/*
 * Wires the conflict monitor (src/conflict_monitor.c: which held aliases
 * are watched, conflicts, their end) to the agent: net-snmp's loop for its
 * timers, the watch and the recheck probe on the kept packet socket, the
 * log and debug token cmsha:conflict, cmsHaAliasConflict, and the kernel
 * glue (its alias changes in, HA refreshes out).
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "conflict_monitor.h"
#include "loop_glue.h"
#include "notify.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

/* The netwatch's links, current as of the last link event: no kernel dump per claim. */
static bool is_local_mac(void *netwatch, const uint8_t mac[CMSHA_MAC_LEN])
{
	return cmsha_netwatch_is_local_mac(netwatch, mac);
}

static struct cmsha_conflict_watch *env_watch_open(const bool *watched, cmsha_conflict_cb cb,
						   void *arg, char *err, size_t errlen)
{
	struct cmsha_conflict_watch *w = cmsha_conflict_watch_open(
		cmshad.cfg.aliases, cmshad.cfg.n_aliases, watched, cb, arg, err, errlen);

	if (w && cmshad.netwatch)
		cmsha_conflict_watch_use_local_macs(w, is_local_mac, cmshad.netwatch);
	return w;
}

/* Every note is a debug line; all but the steps are log lines too. */
static void env_note(enum cmsha_conflict_note kind, const char *text)
{
	static const int priority[] = {
		[CMSHA_CONFLICT_NOTICE] = LOG_NOTICE, [CMSHA_CONFLICT_WARNING] = LOG_WARNING,
		[CMSHA_CONFLICT_ERROR] = LOG_ERR
	};

	DEBUGMSGTL(("cmsha:conflict", "%s\n", text));
	if (kind != CMSHA_CONFLICT_STEP)
		snmp_log(priority[kind], "%s\n", text);
}

static const struct cmsha_conflict_env env = {
	loop_timer_add, loop_timer_cancel, NULL, env_watch_open, cmsha_conflict_watch_close,
	cmsha_probe_start, cmsha_probe_in_use, cmsha_probe_free, cmshad_kernel_refresh,
	notify_alias_conflict, env_note
};

static void on_alias_changed(void *monitor, size_t i, enum cmsha_alias_state from,
			     enum cmsha_alias_state to)
{
	cmsha_conflict_monitor_alias_changed(monitor, i, from, to);
}

bool cmshad_conflict_start(void)
{
	char err[256];

	cmshad.conflicts = cmsha_conflict_monitor_start(&cmshad.cfg, &cmshad.ha,
							cmshad.history.switchover_count, &env,
							err, sizeof(err));
	if (!cmshad.conflicts) {
		snmp_log(LOG_ERR, "alias conflict detection: %s\n", err);
		return false;
	}
	cmshad_kernel_on_alias_change(on_alias_changed, cmshad.conflicts);
	return true;
}

/* Called before the end of a command is reported. */
void cmshad_conflict_command_finished(const struct cmsha_history_entry *e)
{
	cmsha_conflict_monitor_command_finished(cmshad.conflicts, e,
						cmshad.history.switchover_count);
}

void cmshad_conflict_stop(void)
{
	cmshad_kernel_on_alias_change(NULL, NULL);
	cmsha_conflict_monitor_stop(cmshad.conflicts);
	cmshad.conflicts = NULL;
}
