/*
 * Wires the switch-over history to the agent: its file in net-snmp's
 * persistent directory, its writer thread's saves in net-snmp's loop
 * through the engine (src/switchover_saves.c), and the log.
 */
#include "autoconfig.h"
#include "cmshad.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdio.h>

#define HISTORY_FILE "cmshad-history"

bool cmshad_history_open(void)
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

static void on_history_written(void *arg)
{
	char err[512];

	(void)arg;
	if (!cmsha_switchover_save_ended(&cmshad.sw, err, sizeof(err)))
		snmp_log(LOG_ERR, "switch-over history not saved: %s\n", err);
}

/* Without the thread the loop saves, fsync included: slower, still correct. */
void cmshad_switchover_start_history_writer(void)
{
	char err[512];

	if (!cmsha_switchover_start_saves(&cmshad.sw, cmshad_test_history_write_fn(),
					  on_history_written, NULL, err, sizeof(err)))
		snmp_log(LOG_WARNING, "switch-over history: %s; saving in the event loop\n", err);
}

void cmshad_history_close(void)
{
	if (!cmsha_switchover_stop_saves(&cmshad.sw))
		snmp_log(LOG_ERR, "switch-over history not saved: its last save did not end "
			 "within %d ms (the disk is slow or hung)\n", CMSHA_HISTORY_STOP_MAX_MS);
	cmsha_history_close(&cmshad.history);
}
