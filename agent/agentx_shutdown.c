/*
 * Closing the AgentX session before snmp_shutdown().  net-snmp 5.9's own
 * subagent_shutdown() runs as a SHUTDOWN callback and unregisters that same
 * callback list while it is locked: every stop then waits 100 ms and logs
 * "netsnmp_assert lock_holded < 100 failed".  Doing its work first, outside
 * the callback, avoids both; subagent_shutdown() then finds no session.
 */
#include "autoconfig.h"
#include "cmshad.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

/* From net-snmp's agent/mibgroup/agentx (not in its installed headers). */
extern netsnmp_session *main_session;
void agentx_unregister_callbacks(netsnmp_session *ss);
int agentx_close_session(netsnmp_session *ss, int why);
#define AGENTX_CLOSE_SHUTDOWN 5

void cmshad_agentx_close(void)
{
	netsnmp_session *s = main_session;

	if (!s)
		return;
	agentx_unregister_callbacks(s);
	agentx_close_session(s, AGENTX_CLOSE_SHUTDOWN);
	remove_trap_session(s);
	main_session = NULL;
	snmp_close(s);
}
